// A mixture of continuous and categorical columns (as StepMix): per cluster, a Gaussian block over the numeric columns
// (any covariance model: scikit-learn's four through GaussianFamily, mclust's through MclustGaussianFamily) and a
// latent-class block over the categorical columns (CategoricalFamily), independent given the cluster:
// p(x | θ) = Σ_k π_k N(x_num | μ_k, Σ_k) Π_j θ_kj[x_j].
//
// Each block keeps its own E-step densities and M-step; both M-steps take the same responsibilities, so their
// weights are the same N_k / n. The E-step adds the blocks' log-densities: the Gaussian block's ln π_k + ln N(…) and
// the categorical block's ln π_k + Σ_j ln θ_kj[x_j] minus its own ln π_k (π counted once).
// Case weights are the Gaussian block's (both blocks are given the same): EM hands both M-steps w_i r_ik.

import type { GaussianSnapshot, MixedSnapshot } from '../../../shared/protocol';
import type { MixtureFamily } from '../../em/em';
import { weighResponsibilities } from '../../em/init';
import type { Rng } from '../../em/rng';
import { CategoricalFamily, type CategoricalParams } from '../categorical/family';

/** What the mixed family needs of a Gaussian block (GaussianFamily or MclustGaussianFamily). */
export interface GaussianBlock<G> extends MixtureFamily<G> {
  snapshot(params: G, k: number, iteration: number, assignments: Int32Array): GaussianSnapshot;
}

export interface MixedParams<G> {
  gaussian: G;
  categorical: CategoricalParams;
}

export class MixedFamily<G> implements MixtureFamily<MixedParams<G>> {
  readonly model = 'mixed' as const;
  readonly n: number;
  /** Numeric plus categorical columns. */
  readonly d: number;
  readonly caseWeights?: Float64Array;
  private scratch = new Float64Array(0);

  constructor(
    readonly gaussian: GaussianBlock<G>,
    readonly categorical: CategoricalFamily,
  ) {
    this.n = gaussian.n;
    this.d = gaussian.d + categorical.d;
    this.caseWeights = gaussian.caseWeights;
    if (categorical.caseWeights !== gaussian.caseWeights) throw new Error('internal: the blocks of a mixed family must share their case weights');
  }

  /** The Gaussian block's start (its initialisation on the numeric columns); the categorical block from its responsibilities. */
  initialize(k: number, rng: Rng): MixedParams<G> {
    const gaussian = this.gaussian.initialize(k, rng);
    const resp = new Float64Array(this.n * k);
    this.gaussian.weightedLogProb(gaussian, k, resp);
    toResponsibilities(resp, this.n, k);
    return { gaussian, categorical: this.categorical.mStep(weighResponsibilities(resp, k, this.caseWeights), k) };
  }

  /** The parameters of a given partition (row i in cluster start[i]): both blocks' M-steps on it. */
  fromResponsibilities(resp: Float64Array, k: number, gaussianStart: G): MixedParams<G> {
    return { gaussian: this.gaussian.mStep(resp, k, gaussianStart), categorical: this.categorical.mStep(resp, k) };
  }

  weightedLogProb(params: MixedParams<G>, k: number, out: Float64Array): void {
    const { n } = this;
    this.gaussian.weightedLogProb(params.gaussian, k, out);
    if (this.scratch.length !== n * k) this.scratch = new Float64Array(n * k);
    const categorical = this.scratch;
    this.categorical.weightedLogProb(params.categorical, k, categorical);
    const weights = params.categorical.weights;
    for (let c = 0; c < k; c++) {
      const logWeight = Math.log(weights[c]);
      for (let p = c; p < n * k; p += k) out[p] += categorical[p] - logWeight;
    }
  }

  mStep(resp: Float64Array, k: number, previous: MixedParams<G>): MixedParams<G> {
    return { gaussian: this.gaussian.mStep(resp, k, previous.gaussian), categorical: this.categorical.mStep(resp, k) };
  }

  /** Both blocks' free parameters, the K − 1 weights counted once. */
  parameterCount(k: number): number {
    return this.gaussian.parameterCount(k) + this.categorical.parameterCount(k) - (k - 1);
  }

  snapshot(params: MixedParams<G>, k: number, iteration: number, assignments: Int32Array): MixedSnapshot {
    const g = this.gaussian.snapshot(params.gaussian, k, iteration, assignments);
    const c = this.categorical.snapshot(params.categorical, k, iteration, assignments);
    return { model: 'mixed', iteration, weights: g.weights, means: g.means, covariances: g.covariances, probabilities: c.means, sizes: c.sizes };
  }
}

/** Log-densities (n × k) to responsibilities in place. */
function toResponsibilities(logProb: Float64Array, n: number, k: number): void {
  for (let i = 0; i < n; i++) {
    let top = -Infinity;
    for (let c = 0; c < k; c++) top = Math.max(top, logProb[i * k + c]);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += logProb[i * k + c] = Math.exp(logProb[i * k + c] - top);
    for (let c = 0; c < k; c++) logProb[i * k + c] /= sum;
  }
}
