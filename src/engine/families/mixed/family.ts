// A mixture of continuous, count and categorical columns (as StepMix): per cluster, a Gaussian block over the
// continuous columns (any covariance model: scikit-learn's four through GaussianFamily, mclust's through
// MclustGaussianFamily), a Poisson block over the count columns (PoissonFamily) and a latent-class block over the
// categorical columns (CategoricalFamily), independent given the cluster; any two or three of them:
// p(x | θ) = Σ_k π_k N(x_num | μ_k, Σ_k) Π_j Poisson(x_j | λ_kj) Π_j θ_kj[x_j].
//
// Each block keeps its own E-step densities and M-step; every M-step takes the same responsibilities, so their
// weights are the same N_k / n. The E-step adds the blocks' log-densities, each ln π_k + ln p_block(…), minus ln π_k
// for every block after the first (π counted once). A missing cell drops out of its block's product.
// Case weights are shared by the blocks: EM hands every M-step w_i r_ik.

import type { GaussianSnapshot, MixedSnapshot } from '../../../shared/protocol';
import { PoissonFamily, type PoissonParams } from '../poisson/family';
import type { MixtureFamily } from '../../em/em';
import { weighResponsibilities } from '../../em/init';
import type { Rng } from '../../em/rng';
import { CategoricalFamily, type CategoricalParams } from '../categorical/family';

/** What the mixed family needs of a Gaussian block (GaussianFamily or MclustGaussianFamily). */
export interface GaussianBlock<G> extends MixtureFamily<G> {
  snapshot(params: G, k: number, iteration: number, assignments: Int32Array): GaussianSnapshot;
}

/** Each present block's parameters (each carries the same weights). */
export interface MixedParams<G> {
  gaussian?: G;
  poisson?: PoissonParams;
  categorical?: CategoricalParams;
}

export interface MixedBlocks<G> {
  gaussian?: GaussianBlock<G>;
  poisson?: PoissonFamily;
  categorical?: CategoricalFamily;
}

type BlockName = 'gaussian' | 'poisson' | 'categorical';
const BLOCK_NAMES: readonly BlockName[] = ['gaussian', 'poisson', 'categorical'];

export class MixedFamily<G> implements MixtureFamily<MixedParams<G>> {
  readonly model = 'mixed' as const;
  readonly n: number;
  /** Continuous plus count plus categorical columns. */
  readonly d: number;
  readonly caseWeights?: Float64Array;
  readonly gaussian?: GaussianBlock<G>;
  readonly poisson?: PoissonFamily;
  readonly categorical?: CategoricalFamily;
  /** The blocks present, in the order their log-densities are added (the first one's ln π is kept). */
  private readonly present: BlockName[];
  private scratch = new Float64Array(0);

  constructor(blocks: MixedBlocks<G>) {
    this.gaussian = blocks.gaussian;
    this.poisson = blocks.poisson;
    this.categorical = blocks.categorical;
    this.present = BLOCK_NAMES.filter((b) => blocks[b] !== undefined);
    if (this.present.length === 0) throw new Error('internal: a mixed family without blocks');
    const first = this.block(this.present[0]);
    this.n = first.n;
    this.d = this.present.reduce((s, b) => s + this.block(b).d, 0);
    this.caseWeights = first.caseWeights;
    for (const b of this.present) {
      if (this.block(b).caseWeights !== this.caseWeights || this.block(b).n !== this.n) throw new Error('internal: the blocks of a mixed family must share their rows and case weights');
    }
  }

  private block(name: BlockName): MixtureFamily<unknown> {
    return this[name] as MixtureFamily<unknown>;
  }

  /**
   * The start of the first block that has one of its own (the Gaussian block's initialisation on the continuous
   * columns; else the Poisson block's on the counts when none is missing; else the categorical block's); the
   * other blocks from its responsibilities.
   */
  initialize(k: number, rng: Rng): MixedParams<G> {
    const starter: BlockName = this.gaussian ? 'gaussian' : this.poisson && (!this.poisson.missing || !this.categorical) ? 'poisson' : 'categorical';
    const own = this.block(starter).initialize(k, rng);
    const resp = new Float64Array(this.n * k);
    this.block(starter).weightedLogProb(own, k, resp);
    toResponsibilities(resp, this.n, k);
    const weighted = weighResponsibilities(resp, k, this.caseWeights);
    const params: MixedParams<G> = { [starter]: own };
    if (this.poisson && starter !== 'poisson') params.poisson = this.poisson.mStep(weighted, k);
    if (this.categorical && starter !== 'categorical') params.categorical = this.categorical.mStep(weighted, k);
    return params;
  }

  weightedLogProb(params: MixedParams<G>, k: number, out: Float64Array): void {
    const { n } = this;
    const [first, ...rest] = this.present;
    this.block(first).weightedLogProb(params[first], k, out);
    if (rest.length === 0) return;
    if (this.scratch.length !== n * k) this.scratch = new Float64Array(n * k);
    const other = this.scratch;
    for (const b of rest) {
      this.block(b).weightedLogProb(params[b], k, other);
      const weights = (params[b] as PoissonParams | CategoricalParams).weights;
      for (let c = 0; c < k; c++) {
        const logWeight = Math.log(weights[c]);
        for (let p = c; p < n * k; p += k) out[p] += other[p] - logWeight;
      }
    }
  }

  mStep(resp: Float64Array, k: number, previous: MixedParams<G>): MixedParams<G> {
    return {
      ...(this.gaussian ? { gaussian: this.gaussian.mStep(resp, k, previous.gaussian as G) } : {}),
      ...(this.poisson ? { poisson: this.poisson.mStep(resp, k) } : {}),
      ...(this.categorical ? { categorical: this.categorical.mStep(resp, k) } : {}),
    };
  }

  /** Every block's free parameters, the K − 1 weights counted once. */
  parameterCount(k: number): number {
    return this.present.reduce((s, b) => s + this.block(b).parameterCount(k), 0) - (this.present.length - 1) * (k - 1);
  }

  snapshot(params: MixedParams<G>, k: number, iteration: number, assignments: Int32Array): MixedSnapshot {
    const g = this.gaussian?.snapshot(params.gaussian as G, k, iteration, assignments);
    const p = this.poisson?.snapshot(params.poisson!, k, iteration, assignments);
    const c = this.categorical?.snapshot(params.categorical!, k, iteration, assignments);
    const sizes = new Array<number>(k).fill(0);
    for (let i = 0; i < assignments.length; i++) sizes[assignments[i]]++;
    const empty = () => Array.from({ length: k }, () => [] as number[]);
    return {
      model: 'mixed',
      iteration,
      weights: (g ?? p ?? c)!.weights,
      means: g?.means ?? empty(),
      covariances: g?.covariances ?? Array.from({ length: k }, () => []),
      probabilities: c?.means ?? empty(),
      ...(p ? { rates: p.means } : {}),
      sizes,
    };
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
