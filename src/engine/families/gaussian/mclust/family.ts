// mclust's covariance models (models.ts) as a family of the shared EM loop (src/engine/em/em.ts): the M-step is
// MclustState's (mstep.ts, checked against R's mclust), the E-step ln π_k + ln N(x_i | μ_k, Σ_k) goes through the
// Cholesky factor of each full Σ_k (estep.ts). From the same starting responsibilities and with regularisation 0 the
// loop reproduces R's me() iteration by iteration; the loop's own convergence rule decides when to stop.

import type { GaussianSnapshot, InitMethod, InitParams } from '../../../../shared/protocol';
import type { MixtureFamily } from '../../../em/em';
import { hardResponsibilities, nearestMeanLabels, startingPoint, weighResponsibilities } from '../../../em/init';
import { totalWeight } from '../../../em/em';
import { euclideanInitSpace } from '../../../em/kmeans';
import { Rng } from '../../../em/rng';
import { FitError, OptionsError } from '../../../errors';
import { GaussianFamily } from '../family';
import { solveLowerInPlace } from '../linalg';
import { EStepWorkspace, factorCovariances } from './estep';
import { isMclustModelName, isUnivariateModel, nMclustParams, type MclustModelName } from './models';
import { DEFAULT_MSTEP_CONTROL, MclustState, type MStepControl, type MStepFailure } from './mstep';

const LOG_2PI = Math.log(2 * Math.PI);
const INIT_METHODS: readonly InitMethod[] = ['kmeans++', 'random', 'random-data', 'params'];

/**
 * The mclust model fitted to `d` columns: a multivariate name on one column is mclust's E (equal volume: EII, EEI,
 * EVI, EEE, EVE, EEV, EVV) or V (the others), since shape and orientation mean nothing in one dimension. E and V on
 * several columns are refused.
 */
export function mclustModelForColumns(model: MclustModelName, d: number): MclustModelName {
  if (d === 1) return isUnivariateModel(model) ? model : model[0] === 'E' ? 'E' : 'V';
  if (isUnivariateModel(model)) {
    throw new OptionsError(
      `covarianceType "${model}" is mclust's model for one column, but the data have ${d} columns. ` +
        `Use a multivariate model: ${model === 'E' ? 'EII, EEI or EEE (equal volume)' : 'VII, VVI or VVV (variable volume)'}.`,
    );
  }
  return model;
}

/** One parameter set: MclustState (weights, means, full covariances and the models' inner state) and its factors. */
export interface MclustParams {
  readonly state: MclustState;
  /** Cholesky factors and log-determinants of state.covariances, for the E-step. */
  readonly workspace: EStepWorkspace;
  /** M-steps taken from the start (for messages). */
  mSteps: number;
}

export interface MclustFamilyOptions {
  /** An mclust model name valid for d (see mclustModelForColumns). */
  model: MclustModelName;
  /** Added to every covariance's diagonal after each M-step (scikit-learn's reg_covar; mclust's own fits: 0). */
  regularization: number;
  init: InitMethod;
  /** Required when init is 'params'; covariances, when given, are K × D × D. */
  initParams?: InitParams;
  /** Inner iterations of VEI, VEV, VEE, EVE, VVE (mclust's tol[2], itmax[2]); mclust's defaults otherwise. */
  innerTolerance?: number;
  innerMaxIterations?: number;
  /** Case (frequency) weights w_i ≥ 0 of the rows (see MixtureFamily.caseWeights). */
  caseWeights?: Float64Array;
}

/** A Gaussian mixture with one of mclust's covariance models, for `runEm`. */
export class MclustGaussianFamily implements MixtureFamily<MclustParams> {
  readonly model = 'gaussian' as const;
  readonly covarianceModel: MclustModelName;
  readonly regularization: number;
  readonly init: InitMethod;
  readonly initParams?: InitParams;
  readonly caseWeights?: Float64Array;
  /** Σ_ik z_ik of a weighted M-step: Σ w_i (n without weights), mclust's n in its weights and volumes. */
  private readonly total: number;
  private readonly control: MStepControl;
  private constant: Float64Array = new Float64Array(0);

  constructor(
    readonly values: Float64Array,
    readonly n: number,
    readonly d: number,
    options: MclustFamilyOptions,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new OptionsError(`The Gaussian mixture needs at least one row, got n = ${n}.`);
    if (!Number.isInteger(d) || d < 1) throw new OptionsError(`The Gaussian mixture needs at least one column, got d = ${d}.`);
    if (values.length < n * d) throw new OptionsError(`values holds ${values.length} numbers but n × d = ${n} × ${d} = ${n * d}.`);
    if (!isMclustModelName(options.model)) throw new OptionsError(`${String(options.model)} is not an mclust model name.`);
    if (isUnivariateModel(options.model) !== (d === 1)) {
      throw new OptionsError(`mclust model ${options.model} ${d === 1 ? 'needs two or more columns' : 'is for one column'}; the data have ${d}.`);
    }
    if (!INIT_METHODS.includes(options.init)) throw new OptionsError(`init must be one of ${INIT_METHODS.join(', ')}, got ${String(options.init)}.`);
    if (!(options.regularization >= 0) || !Number.isFinite(options.regularization)) {
      throw new OptionsError(`regularization must be a finite number ≥ 0, got ${String(options.regularization)}.`);
    }
    if (options.init === 'params' && !options.initParams) throw new OptionsError('init is "params" but no initParams (weights, means, covariances) were given.');
    this.covarianceModel = options.model;
    this.regularization = options.regularization;
    this.init = options.init;
    this.initParams = options.initParams;
    this.caseWeights = options.caseWeights;
    this.total = options.caseWeights ? totalWeight(options.caseWeights) : n;
    this.control = {
      ...DEFAULT_MSTEP_CONTROL,
      regularization: options.regularization,
      innerTolerance: options.innerTolerance ?? DEFAULT_MSTEP_CONTROL.innerTolerance,
      innerMaxIterations: options.innerMaxIterations ?? DEFAULT_MSTEP_CONTROL.innerMaxIterations,
    };
  }

  // ------------------------------------------------------------------------------------------ initialisation

  initialize(k: number, rng: Rng): MclustParams {
    const { n, d } = this;
    if (!Number.isInteger(k) || k < 1) throw new OptionsError(`K must be a whole number ≥ 1, got ${k}.`);
    if (k > n) throw new OptionsError(`K = ${k} components but only ${n} rows: K must not exceed the number of rows.`);
    if (this.init === 'random-data' && !(this.regularization > 0)) {
      throw new OptionsError('init "random-data" starts every covariance at regularization × I (as scikit-learn\'s random_from_data), so it needs regularization > 0 (e.g. 1e-6).');
    }
    const start = startingPoint(this.init, euclideanInitSpace(this.values, this.n, this.d, this.caseWeights), k, rng);
    switch (start.kind) {
      case 'responsibilities':
        return this.fromResponsibilities(weighResponsibilities(start.resp, k, this.caseWeights), k);
      case 'explicit':
        return this.fromInitParams(k);
      case 'rows': {
        // As scikit-learn's random_from_data: the K rows are the means, every covariance regularization × I, equal
        // weights. No M-step: one point per component has no covariance for a model to constrain.
        const params = this.emptyParams(k);
        const { state } = params;
        state.weights.fill(1 / k);
        for (let c = 0; c < k; c++) {
          for (let j = 0; j < d; j++) {
            state.means[c * d + j] = this.values[start.rows[c] * d + j];
            state.covariances[c * d * d + j * d + j] = this.regularization;
          }
        }
        this.factor(params, 'start');
        return params;
      }
    }
  }

  /** Parameters from one M-step of the model on the n × K responsibilities `resp` (R's me() starts this way). */
  fromResponsibilities(resp: Float64Array, k: number): MclustParams {
    if (resp.length !== this.n * k) throw new RangeError(`responsibilities must be n × K = ${this.n} × ${k}; got ${resp.length} values`);
    const params = this.emptyParams(k);
    return this.mStep(resp, k, params);
  }

  /**
   * Fitted parameters as they are (a saved model applied to another file): K weights, K × D means and K × D × D
   * covariances, factored for the E-step. Throws an OptionsError when a covariance is singular at mclust's rule.
   */
  givenParams(k: number, weights: ArrayLike<number>, means: ArrayLike<number>, covariances: ArrayLike<number>): MclustParams {
    const params = this.emptyParams(k);
    params.state.weights.set(weights);
    params.state.means.set(means);
    params.state.covariances.set(covariances);
    this.factor(params, 'initParams');
    return params;
  }

  private emptyParams(k: number): MclustParams {
    return { state: new MclustState(this.covarianceModel, this.d, k), workspace: new EStepWorkspace(this.d, k), mSteps: 0 };
  }


  /**
   * initParams as θ₀: weights, means and K × D × D covariances as given (the first M-step imposes the model's
   * constraints). Without covariances, one M-step of the model on the rows nearest each mean gives them, and the
   * given weights and means are kept.
   */
  private fromInitParams(k: number): MclustParams {
    const { values, n, d } = this;
    const init = this.initParams!;
    const given = init.covariances !== undefined && init.covariances !== null;
    const identity = Array.from({ length: k }, () => Array.from({ length: d }, (_, r) => Array.from({ length: d }, (_, c) => (r === c ? 1 : 0))));
    // The scikit-learn family reads weights, means and full covariances and names any wrong entry; it stands in
    // identity matrices when no covariances are given, to check the rest.
    const checked = new GaussianFamily(values, n, d, {
      covarianceType: 'full',
      regularization: this.regularization,
      init: 'params',
      initParams: given ? init : { ...init, covariances: identity },
    }).initialize(k, new Rng(0));
    let params: MclustParams;
    if (given) {
      params = this.emptyParams(k);
      params.state.covariances.set(checked.covariances);
      this.factor(params, 'initParams');
    } else {
      params = this.fromResponsibilities(weighResponsibilities(hardResponsibilities(nearestMeanLabels(values, n, d, checked.means, k), n, k), k, this.caseWeights), k);
    }
    params.state.weights.set(checked.weights);
    params.state.means.set(checked.means);
    return params;
  }

  // ------------------------------------------------------------------------------------------------ E-step

  weightedLogProb(params: MclustParams, k: number, out: Float64Array): void {
    const { n, d, values } = this;
    const { state, workspace } = params;
    const { choleskyFactors, logDeterminants, row } = workspace;
    const { weights, means } = state;
    if (this.constant.length !== k) this.constant = new Float64Array(k);
    const constant = this.constant;
    const dd = d * d;
    for (let c = 0; c < k; c++) constant[c] = Math.log(weights[c]) - 0.5 * (d * LOG_2PI + logDeterminants[c]);
    for (let i = 0; i < n; i++) {
      const xo = i * d;
      for (let c = 0; c < k; c++) {
        const mo = c * d;
        for (let j = 0; j < d; j++) row[j] = values[xo + j] - means[mo + j];
        solveLowerInPlace(choleskyFactors, d, row, c * dd, 0);
        let mahalanobis = 0;
        for (let j = 0; j < d; j++) mahalanobis += row[j] * row[j];
        out[i * k + c] = constant[c] - 0.5 * mahalanobis;
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ M-step

  /** The model's M-step, in place: `previous` carries the inner state the iterative models warm-start from. */
  mStep(resp: Float64Array, k: number, previous: MclustParams): MclustParams {
    const { state } = previous;
    previous.mSteps++;
    const failure = state.mStep(this.values, this.n, resp, this.control, this.total);
    if (failure) throw new FitError(this.failureMessage(failure, previous));
    this.factor(previous, 'mstep');
    return previous;
  }

  /** Factors every covariance for the E-step; throws when one is singular at mclust's rule. */
  private factor(params: MclustParams, origin: 'start' | 'initParams' | 'mstep'): void {
    if (factorCovariances(params.state.covariances, params.workspace, this.control.eps)) return;
    const component = this.singularComponent(params);
    if (origin === 'initParams') {
      throw new OptionsError(`initParams.covariances[${component}] (component ${component + 1}) is not positive definite enough for mclust (its Cholesky factor is singular).`);
    }
    throw new FitError(this.failureMessage('singular', params, component));
  }

  /** The first component whose covariance fails mclust's Cholesky rule (only called after a failure). */
  private singularComponent(params: MclustParams): number {
    const { d } = this;
    const k = params.state.k;
    const one = new EStepWorkspace(d, 1);
    for (let c = 0; c < k; c++) {
      if (!factorCovariances(params.state.covariances.subarray(c * d * d, (c + 1) * d * d), one, this.control.eps)) return c;
    }
    return 0;
  }

  private failureMessage(failure: MStepFailure, params: MclustParams, component?: number): string {
    const { state, mSteps } = params;
    const k = state.k;
    const model = this.covarianceModel;
    const when = mSteps === 0 ? 'at the start' : `at M-step ${mSteps}`;
    const regularize = this.regularization > 0 ? `a larger regularization (now ${this.regularization})` : 'regularization > 0 (e.g. 1e-6)';
    if (failure === 'empty-component') {
      const rootEps = Math.sqrt(this.control.eps);
      let empty = 0;
      while (empty < k - 1 && state.sizes[empty] > rootEps) empty++;
      return (
        `mclust model ${model}, K = ${k}: component ${empty + 1} lost all its points ${when} (its responsibilities sum to ${state.sizes[empty].toPrecision(2)}). ` +
        `Try fewer components (K), another start (seed or init), or ${regularize}.`
      );
    }
    const which = component === undefined ? 'a covariance' : `the covariance of component ${component + 1}`;
    return (
      `mclust model ${model}, K = ${k}: ${which} became singular ${when} (no spread left along some direction). ` +
      `Set ${regularize}, try fewer components (K), or ${this.d === 1 ? 'model E (one variance for every component)' : 'a model with fewer free parameters (e.g. EII, VVI or EEE)'}.`
    );
  }

  // ------------------------------------------------------------------------------------------------ reporting

  /** mclust's nMclustParams. */
  parameterCount(k: number): number {
    return nMclustParams(this.covarianceModel, this.d, k);
  }

  snapshot(params: MclustParams, k: number, iteration: number): GaussianSnapshot {
    const { d } = this;
    const { weights, means, covariances } = params.state;
    return {
      model: 'gaussian',
      iteration,
      weights: Array.from(weights),
      means: Array.from({ length: k }, (_, c) => Array.from(means.subarray(c * d, (c + 1) * d))),
      covariances: Array.from({ length: k }, (_, c) =>
        Array.from({ length: d }, (_, r) => Array.from(covariances.subarray(c * d * d + r * d, c * d * d + (r + 1) * d))),
      ),
    };
  }
}
