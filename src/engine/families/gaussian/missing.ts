// Gaussian mixtures of rows with missing cells, by EM that integrates the missing cells out (Ghahramani & Jordan,
// "Supervised learning from incomplete data via an EM approach", 1994). Rows are grouped by their pattern of observed
// cells o. E-step: ln π_k + ln N(x_o | μ_k,o, Σ_k,oo), the marginal density of the observed cells. M-step: each row
// completed by component k as x̂_ik = (x_o, μ_k,m + Σ_k,mo Σ_k,oo⁻¹ (x_o − μ_k,o)), whose conditional covariance
// C_k = Σ_k,mm − Σ_k,mo Σ_k,oo⁻¹ Σ_k,om is added to the scatter: W_k = Σ_i r_ik [(x̂_ik − μ_k)(x̂_ik − μ_k)ᵀ + C_ik].
// The covariance model then forms Σ_k from (n_k, μ_k, W_k): scikit-learn's four types with their formulas, or any
// mclust model through its own M-step (MclustState.mStepFromScatter). Used only when some cell is missing: complete
// tables keep the families' mask-free kernels.

import type { GaussianSnapshot, InitMethod, InitParams, SklearnCovarianceType } from '../../../shared/protocol';
import type { MixtureFamily } from '../../em/em';
import { totalWeight } from '../../em/em';
import type { Rng } from '../../em/rng';
import { FitError } from '../../errors';
import { expandCovariances } from './covariance';
import { GaussianFamily, type GaussianParams } from './family';
import { choleskyInPlace, solveLowerInPlace } from './linalg';
import { MclustGaussianFamily, type MclustParams } from './mclust/family';
import { isMclustModelName, type MclustModelName } from './mclust/models';
import { DEFAULT_MSTEP_CONTROL, type MStepControl } from './mclust/mstep';

const LOG_2PI = Math.log(2 * Math.PI);
/** scikit-learn adds 10 × machine epsilon to every n_k (as family.ts). */
const NK_EPSILON = 10 * Number.EPSILON;

export interface MissingFamilyOptions {
  /** scikit-learn's type or an mclust model valid for d. */
  model: SklearnCovarianceType | MclustModelName;
  regularization: number;
  init: InitMethod;
  initParams?: InitParams;
  caseWeights?: Float64Array;
}

/** Weights, means and full K × D × D covariances; `mclust` carries an mclust model's state (its warm starts). */
export interface MissingParams {
  weights: Float64Array;
  means: Float64Array;
  covariances: Float64Array;
  mclust?: MclustParams;
}

/** Rows that share which cells are observed. */
interface Pattern {
  observed: Int32Array;
  missing: Int32Array;
  rows: Int32Array;
}

/** Per column, the mean of its observed cells (the imputation the start is computed on). */
export function observedColumnMeans(values: Float64Array, n: number, d: number, missing: Uint8Array, caseWeights?: Float64Array): Float64Array {
  const sum = new Float64Array(d);
  const count = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const w = caseWeights ? caseWeights[i] : 1;
    for (let j = 0; j < d; j++) {
      if (missing[i * d + j]) continue;
      sum[j] += w * values[i * d + j];
      count[j] += w;
    }
  }
  for (let j = 0; j < d; j++) sum[j] = count[j] > 0 ? sum[j] / count[j] : 0;
  return sum;
}

/** The values with each missing cell replaced by its column's observed mean. */
export function meanImputed(values: Float64Array, n: number, d: number, missing: Uint8Array, caseWeights?: Float64Array): Float64Array {
  const means = observedColumnMeans(values, n, d, missing, caseWeights);
  const out = Float64Array.from(values);
  for (let i = 0; i < n * d; i++) if (missing[i]) out[i] = means[i % d];
  return out;
}

export class MissingGaussianFamily implements MixtureFamily<MissingParams> {
  readonly model = 'gaussian' as const;
  readonly caseWeights?: Float64Array;
  readonly patterns: Pattern[];
  /** The complete-data family on the mean-imputed values: the start, the parameter count, mclust's state. */
  private readonly inner: GaussianFamily | MclustGaussianFamily;
  private readonly covarianceModel: SklearnCovarianceType | MclustModelName;
  private readonly regularization: number;
  private readonly control: MStepControl;
  /** Σ_ik r_ik: n, or Σ w_i. */
  private readonly total: number;
  // Scratch, reused by every step.
  private readonly factor: Float64Array;
  private readonly diff: Float64Array;
  private readonly solved: Float64Array;
  private readonly completed: Float64Array;
  /** Per pattern, the K regressions B_k (m × o) and conditional covariances C_k (m × m) of one M-step. */
  private regressions: Float64Array[] = [];
  private conditionals: Float64Array[] = [];
  private cachedK = 0;

  constructor(
    readonly values: Float64Array,
    readonly n: number,
    readonly d: number,
    readonly missing: Uint8Array,
    options: MissingFamilyOptions,
  ) {
    this.caseWeights = options.caseWeights;
    this.covarianceModel = options.model;
    this.regularization = options.regularization;
    this.control = { ...DEFAULT_MSTEP_CONTROL, regularization: options.regularization };
    this.total = options.caseWeights ? totalWeight(options.caseWeights) : n;
    this.patterns = groupPatterns(missing, n, d);
    const imputed = meanImputed(values, n, d, missing, options.caseWeights);
    const common = { regularization: options.regularization, init: options.init, initParams: options.initParams, caseWeights: options.caseWeights };
    this.inner = isMclustModelName(options.model)
      ? new MclustGaussianFamily(imputed, n, d, { model: options.model, ...common })
      : new GaussianFamily(imputed, n, d, { covarianceType: options.model, ...common });
    this.factor = new Float64Array(d * d);
    this.diff = new Float64Array(d);
    this.solved = new Float64Array(d);
    this.completed = new Float64Array(d);
  }

  /** The start: the complete-data family's, on the values with each missing cell at its column's observed mean. */
  initialize(k: number, rng: Rng): MissingParams {
    const start = this.inner.initialize(k, rng);
    return asMissingParams(start as never, k, this.d);
  }

  // ------------------------------------------------------------------------------------------------ E-step

  weightedLogProb(params: MissingParams, k: number, out: Float64Array): void {
    const { values, d, factor, diff } = this;
    const { weights, means, covariances } = params;
    for (const p of this.patterns) {
      const o = p.observed.length;
      for (let c = 0; c < k; c++) {
        this.factorObserved(p, covariances, c);
        let logDet = 0;
        for (let a = 0; a < o; a++) logDet += Math.log(factor[a * o + a]);
        const constant = Math.log(weights[c]) - 0.5 * o * LOG_2PI - logDet;
        for (let r = 0; r < p.rows.length; r++) {
          const i = p.rows[r];
          for (let a = 0; a < o; a++) diff[a] = values[i * d + p.observed[a]] - means[c * d + p.observed[a]];
          solveLowerInPlace(factor, o, diff);
          let maha = 0;
          for (let a = 0; a < o; a++) maha += diff[a] * diff[a];
          out[i * k + c] = constant - 0.5 * maha;
        }
      }
    }
  }

  /** Cholesky factor of component c's Σ_oo (o × o, packed at the start of `factor`); a FitError when it has none. */
  private factorObserved(p: Pattern, covariances: Float64Array, c: number): void {
    const { d, factor } = this;
    const o = p.observed.length;
    const base = c * d * d;
    for (let a = 0; a < o; a++) for (let b = 0; b < o; b++) factor[a * o + b] = covariances[base + p.observed[a] * d + p.observed[b]];
    if (!choleskyInPlace(factor, o)) {
      throw new FitError(
        `The covariance of component ${c + 1} became singular on the observed columns of some rows (no spread left along some direction). ` +
          'Try fewer components (K), a larger regularization, or a covariance model with fewer free parameters.',
      );
    }
  }

  // ------------------------------------------------------------------------------------------------ M-step

  /** B_k = Σ_mo Σ_oo⁻¹ and C_k = Σ_mm − B_k Σ_om of every pattern with missing cells, for the E-step's parameters. */
  private conditionalModels(covariances: Float64Array, k: number): void {
    const { d, factor, solved } = this;
    if (this.cachedK !== k) {
      this.cachedK = k;
      this.regressions = this.patterns.map((p) => new Float64Array(k * p.missing.length * p.observed.length));
      this.conditionals = this.patterns.map((p) => new Float64Array(k * p.missing.length * p.missing.length));
    }
    this.patterns.forEach((p, q) => {
      const o = p.observed.length;
      const m = p.missing.length;
      if (m === 0) return;
      const regression = this.regressions[q];
      const conditional = this.conditionals[q];
      for (let c = 0; c < k; c++) {
        const base = c * d * d;
        this.factorObserved(p, covariances, c);
        for (let a = 0; a < m; a++) {
          // Row a of B: Σ_oo⁻¹ Σ_o,a by two triangular solves.
          for (let b = 0; b < o; b++) solved[b] = covariances[base + p.observed[b] * d + p.missing[a]];
          solveLowerInPlace(factor, o, solved);
          solveUpperFromLower(factor, o, solved);
          regression.set(solved.subarray(0, o), (c * m + a) * o);
        }
        for (let a = 0; a < m; a++) {
          for (let b = 0; b < m; b++) {
            let s = covariances[base + p.missing[a] * d + p.missing[b]];
            for (let e = 0; e < o; e++) s -= regression[(c * m + a) * o + e] * covariances[base + p.observed[e] * d + p.missing[b]];
            conditional[(c * m + a) * m + b] = s;
          }
        }
      }
    });
  }

  /** Row i completed by component c: its observed cells, the missing ones at their conditional mean (into `out`). */
  private complete(i: number, q: number, c: number, k: number, params: MissingParams, out: Float64Array): void {
    const { values, d } = this;
    const p = this.patterns[q];
    const o = p.observed.length;
    const m = p.missing.length;
    const { means } = params;
    for (let a = 0; a < o; a++) out[p.observed[a]] = values[i * d + p.observed[a]];
    if (m === 0) return;
    const regression = this.regressions[q];
    for (let a = 0; a < m; a++) {
      let s = means[c * d + p.missing[a]];
      const row = (c * m + a) * o;
      for (let e = 0; e < o; e++) s += regression[row + e] * (out[p.observed[e]] - means[c * d + p.observed[e]]);
      out[p.missing[a]] = s;
    }
  }

  mStep(resp: Float64Array, k: number, previous: MissingParams): MissingParams {
    const { d, completed } = this;
    this.conditionalModels(previous.covariances, k);
    const sizes = new Float64Array(k);
    const sums = new Float64Array(k * d);
    this.patterns.forEach((p, q) => {
      for (let r = 0; r < p.rows.length; r++) {
        const i = p.rows[r];
        for (let c = 0; c < k; c++) {
          const z = resp[i * k + c];
          if (z === 0) continue;
          this.complete(i, q, c, k, previous, completed);
          sizes[c] += z;
          for (let j = 0; j < d; j++) sums[c * d + j] += z * completed[j];
        }
      }
    });
    const mclust = previous.mclust !== undefined;
    const nk = new Float64Array(k);
    for (let c = 0; c < k; c++) nk[c] = mclust ? sizes[c] : sizes[c] + NK_EPSILON;
    const means = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] = sums[c * d + j] / nk[c];
    // Scatter about the new means, plus each row's conditional covariance of its missing cells.
    const scatter = new Float64Array(k * d * d);
    this.patterns.forEach((p, q) => {
      const m = p.missing.length;
      for (let r = 0; r < p.rows.length; r++) {
        const i = p.rows[r];
        for (let c = 0; c < k; c++) {
          const z = resp[i * k + c];
          if (z === 0) continue;
          this.complete(i, q, c, k, previous, completed);
          const base = c * d * d;
          for (let a = 0; a < d; a++) {
            const za = z * (completed[a] - means[c * d + a]);
            for (let b = 0; b <= a; b++) scatter[base + a * d + b] += za * (completed[b] - means[c * d + b]);
          }
        }
      }
      if (m === 0) return;
      const conditional = this.conditionals[q];
      for (let c = 0; c < k; c++) {
        let mass = 0;
        for (let r = 0; r < p.rows.length; r++) mass += resp[p.rows[r] * k + c];
        if (mass === 0) continue;
        const base = c * d * d;
        for (let a = 0; a < m; a++) {
          for (let b = 0; b < m; b++) {
            const ra = p.missing[a];
            const rb = p.missing[b];
            if (rb > ra) continue;
            scatter[base + ra * d + rb] += mass * conditional[(c * m + a) * m + b];
          }
        }
      }
    });
    for (let c = 0; c < k; c++) {
      const base = c * d * d;
      for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) scatter[base + b * d + a] = scatter[base + a * d + b];
    }
    return mclust
      ? mclustFromScatter(previous.mclust!, sizes, means, scatter, this.total, this.control, this.covarianceModel)
      : sklearnFromScatter(this.covarianceModel as SklearnCovarianceType, nk, means, scatter, k, this.d, this.regularization);
  }

  // ------------------------------------------------------------------------------------------------ reporting

  parameterCount(k: number): number {
    return this.inner.parameterCount(k);
  }

  snapshot(params: MissingParams, k: number, iteration: number): GaussianSnapshot {
    return fullSnapshot(params, k, this.d, iteration);
  }

  /**
   * E[x_i | x_i,o] under the mixture, Σ_k r_ik x̂_ik, for the given rows (their observed cells unchanged), row-major;
   * `logResp` are the fit's final log-responsibilities (n × K).
   */
  conditionalExpectations(params: MissingParams, k: number, logResp: Float64Array, rows: readonly number[]): Float64Array {
    const { d, completed } = this;
    this.conditionalModels(params.covariances, k);
    const patternOf = new Int32Array(this.n);
    this.patterns.forEach((p, q) => p.rows.forEach((i) => (patternOf[i] = q)));
    const out = new Float64Array(rows.length * d);
    rows.forEach((i, s) => {
      for (let c = 0; c < k; c++) {
        const z = Math.exp(logResp[i * k + c]);
        if (z === 0) continue;
        this.complete(i, patternOf[i], c, k, params, completed);
        for (let j = 0; j < d; j++) out[s * d + j] += z * completed[j];
      }
      // Observed cells exactly as read (Σ_k r_ik x = x only up to rounding).
      for (let j = 0; j < d; j++) if (!this.missing[i * d + j]) out[s * d + j] = this.values[i * d + j];
    });
    return out;
  }
}

/** A complete-data family's start (scikit-learn's compact covariances, or an mclust model's state) as full parameters. */
export function asMissingParams(start: MclustParams | GaussianParams, k: number, d: number): MissingParams {
  if ('state' in start) {
    return { weights: Float64Array.from(start.state.weights), means: Float64Array.from(start.state.means), covariances: Float64Array.from(start.state.covariances), mclust: start };
  }
  const full = expandCovariances(start.covarianceType, start.covariances, k, d);
  const covariances = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) for (let r = 0; r < d; r++) for (let s = 0; s < d; s++) covariances[c * d * d + r * d + s] = full[c][r][s];
  return { weights: Float64Array.from(start.weights), means: Float64Array.from(start.means), covariances };
}

/**
 * scikit-learn's covariance formulas from the completed scatter W_k about the new means (its 10ε in n_k and reg_covar
 * included): `nk` are Σ r + 10ε.
 */
export function sklearnFromScatter(type: SklearnCovarianceType, nk: Float64Array, means: Float64Array, scatter: Float64Array, k: number, d: number, reg: number): MissingParams {
  let nkTotal = 0;
  for (let c = 0; c < k; c++) nkTotal += nk[c];
  const weights = new Float64Array(k);
  for (let c = 0; c < k; c++) weights[c] = nk[c] / nkTotal;
  const covariances = new Float64Array(k * d * d);
  if (type === 'tied') {
    const shared = new Float64Array(d * d);
    for (let c = 0; c < k; c++) for (let e = 0; e < d * d; e++) shared[e] += scatter[c * d * d + e];
    for (let e = 0; e < d * d; e++) shared[e] /= nkTotal;
    for (let j = 0; j < d; j++) shared[j * d + j] += reg;
    for (let c = 0; c < k; c++) covariances.set(shared, c * d * d);
  } else {
    for (let c = 0; c < k; c++) {
      const base = c * d * d;
      if (type === 'full') {
        for (let e = 0; e < d * d; e++) covariances[base + e] = scatter[base + e] / nk[c];
        for (let j = 0; j < d; j++) covariances[base + j * d + j] += reg;
      } else {
        let mean = 0;
        for (let j = 0; j < d; j++) mean += scatter[base + j * d + j] / nk[c] + reg;
        for (let j = 0; j < d; j++) covariances[base + j * d + j] = type === 'diag' ? scatter[base + j * d + j] / nk[c] + reg : mean / d;
      }
    }
  }
  return { weights, means, covariances };
}

/** The mclust model's own M-step on the completed sufficient statistics (sizes Σ r, means, scatter W_k). */
export function mclustFromScatter(params: MclustParams, sizes: Float64Array, means: Float64Array, scatter: Float64Array, total: number, control: MStepControl, model: string): MissingParams {
  params.mSteps++;
  const k = params.state.k;
  const failure = params.state.mStepFromScatter(sizes, means, scatter, total, control);
  if (failure) {
    throw new FitError(
      `mclust model ${model}, K = ${k}: ${failure === 'empty-component' ? 'a component lost all its points' : 'a covariance became singular'} at M-step ${params.mSteps}. ` +
        'Try fewer components (K), another start (seed or init), or a larger regularization.',
    );
  }
  const { state } = params;
  return { weights: Float64Array.from(state.weights), means: Float64Array.from(state.means), covariances: Float64Array.from(state.covariances), mclust: params };
}

/** Weights, means and full K × D × D covariances as a snapshot. */
export function fullSnapshot(params: { weights: Float64Array; means: Float64Array; covariances: Float64Array }, k: number, d: number, iteration: number): GaussianSnapshot {
  return {
    model: 'gaussian',
    iteration,
    weights: Array.from(params.weights),
    means: Array.from({ length: k }, (_, c) => Array.from(params.means.subarray(c * d, (c + 1) * d))),
    covariances: Array.from({ length: k }, (_, c) =>
      Array.from({ length: d }, (_, r) => Array.from(params.covariances.subarray(c * d * d + r * d, c * d * d + (r + 1) * d))),
    ),
  };
}

/** Full weights, means and K × D × D covariances as nested arrays (a FitResult's, a saved model's). */
export interface FullMixture {
  weights: ArrayLike<number>;
  means: ArrayLike<number>[];
  covariances: ArrayLike<ArrayLike<number>>[];
}

/**
 * The E-step of rows with missing cells under given parameters: out[i*K + c] = ln π_c + ln N(x_i,o | μ_c,o, Σ_c,oo),
 * each row's density on its observed cells (what prediction and the panel's uncertainty use after a fit).
 */
export function observedLogProb(values: Float64Array, n: number, d: number, missing: Uint8Array, fit: FullMixture, out: Float64Array): void {
  const k = fit.weights.length;
  const covariances = new Float64Array(k * d * d);
  const means = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    for (let r = 0; r < d; r++) {
      means[c * d + r] = fit.means[c][r];
      for (let s = 0; s < d; s++) covariances[c * d * d + r * d + s] = fit.covariances[c][r][s];
    }
  }
  const family = new MissingGaussianFamily(values, n, d, missing, { model: 'full', regularization: 0, init: 'kmeans++' });
  family.weightedLogProb({ weights: Float64Array.from(fit.weights), means, covariances }, k, out);
}

/** Rows grouped by their observed cells, in order of first appearance. */
function groupPatterns(missing: Uint8Array, n: number, d: number): Pattern[] {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    let key = '';
    for (let j = 0; j < d; j++) key += missing[i * d + j] ? '1' : '0';
    let rows = groups.get(key);
    if (!rows) groups.set(key, (rows = []));
    rows.push(i);
  }
  return [...groups].map(([key, rows]) => {
    const observed: number[] = [];
    const absent: number[] = [];
    for (let j = 0; j < d; j++) (key[j] === '1' ? absent : observed).push(j);
    return { observed: Int32Array.from(observed), missing: Int32Array.from(absent), rows: Int32Array.from(rows) };
  });
}

/** Solves Lᵀ x = y in place (L lower triangular, o × o, packed). */
function solveUpperFromLower(l: Float64Array, o: number, y: Float64Array): void {
  for (let i = o - 1; i >= 0; i--) {
    let s = y[i];
    for (let p = i + 1; p < o; p++) s -= l[p * o + i] * y[p];
    y[i] = s / l[i * o + i];
  }
}
