// Gaussian mixture family for the shared EM loop (src/engine/em.ts), with sklearn.mixture.GaussianMixture's
// formulas (sklearn/mixture/_gaussian_mixture.py).

import type { CovarianceType, GaussianSnapshot, InitMethod, InitParams } from '../shared/protocol';
import type { MixtureFamily } from './em';
import { DataError, FitError, OptionsError } from './errors';
import { kmeans } from './kmeans';
import { choleskyInPlace, isSymmetric, precisionCholeskyFromCovarianceCholesky } from './linalg';
import { normalizeLogRows } from './logsumexp';
import type { Rng } from './rng';

const LOG_2PI = Math.log(2 * Math.PI);

/** N(x | mean, variance) of a 1-D Gaussian (for the 1-D histogram overlay). */
export function gaussianDensity1D(x: number, mean: number, variance: number): number {
  const z = x - mean;
  return Math.exp(-0.5 * (LOG_2PI + Math.log(variance) + (z * z) / variance));
}

/**
 * Expands covariances stored in the compact shape of a covariance type into K × D × D matrices:
 * full K·D·D values, tied D·D (shared), diag K·D (variances), spherical K (one variance per component).
 */
export function expandCovariances(
  covarianceType: CovarianceType,
  covariances: ArrayLike<number>,
  k: number,
  d: number,
): number[][][] {
  const out: number[][][] = [];
  for (let j = 0; j < k; j++) {
    const m: number[][] = [];
    for (let r = 0; r < d; r++) {
      const row = new Array<number>(d).fill(0);
      for (let c = 0; c < d; c++) {
        switch (covarianceType) {
          case 'full':
            row[c] = covariances[(j * d + r) * d + c];
            break;
          case 'tied':
            row[c] = covariances[r * d + c];
            break;
          case 'diag':
            if (r === c) row[c] = covariances[j * d + r];
            break;
          case 'spherical':
            if (r === c) row[c] = covariances[j];
            break;
        }
      }
      m.push(row);
    }
    out.push(m);
  }
  return out;
}

/**
 * Log-responsibilities ln r_ij (n × k, row-major, into `out`) of the n points `values` (n × d row-major) under a
 * snapshot with expanded covariances (what the scrubber shows at one iteration). Throws FitError if a covariance
 * of the snapshot is not positive definite (never the case for snapshots the engine produced).
 */
export function gaussianLogResponsibilities(
  values: ArrayLike<number>,
  n: number,
  d: number,
  snapshot: GaussianSnapshot,
  out: Float64Array,
): void {
  const k = snapshot.weights.length;
  const chol = new Float64Array(d * d);
  const precChol = new Float64Array(k * d * d);
  const constant = new Float64Array(k);
  const means = new Float64Array(k * d);
  for (let j = 0; j < k; j++) {
    const cov = snapshot.covariances[j];
    for (let r = 0; r < d; r++) {
      means[j * d + r] = snapshot.means[j][r];
      for (let c = 0; c < d; c++) chol[r * d + c] = cov[r][c];
    }
    if (!choleskyInPlace(chol, d)) {
      throw new FitError(`The covariance of component ${j + 1} at iteration ${snapshot.iteration} is not positive definite.`);
    }
    precisionCholeskyFromCovarianceCholesky(chol, d, precChol, 0, j * d * d);
    let logDet = 0;
    for (let r = 0; r < d; r++) logDet += Math.log(precChol[j * d * d + r * d + r]);
    constant[j] = Math.log(snapshot.weights[j]) - 0.5 * d * LOG_2PI + logDet;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const u = j * d * d;
      let maha = 0;
      // y_c = Σ_{r ≤ c} (x_r − μ_r) U[r][c]; U is upper triangular.
      for (let c = 0; c < d; c++) {
        let y = 0;
        for (let r = 0; r <= c; r++) y += (values[i * d + r] - means[j * d + r]) * precChol[u + r * d + c];
        maha += y * y;
      }
      out[i * k + j] = constant[j] - 0.5 * maha;
    }
  }
  normalizeLogRows(out, n, k);
}

// ---------------------------------------------------------------------------------------------------- the family

/** Parameters of a Gaussian mixture in the compact shape of its covariance type. */
export interface GaussianParams {
  readonly covarianceType: CovarianceType;
  /** K mixing weights, summing to 1. */
  readonly weights: Float64Array;
  /** K × D means. */
  readonly means: Float64Array;
  /** full: K·D·D, tied: D·D, diag: K·D variances, spherical: K variances. */
  readonly covariances: Float64Array;
  /**
   * sklearn's precisions_cholesky_, same shape as `covariances`: full/tied the upper-triangular U = L⁻ᵀ with
   * Σ = L Lᵀ (so Σ⁻¹ = U Uᵀ); diag/spherical 1/σ.
   */
  readonly precisionsCholesky: Float64Array;
  /** Per component Σ ln diag(U) = −½ ln det Σ_k. */
  readonly logDetPrecisionCholesky: Float64Array;
}

export interface GaussianFamilyOptions {
  covarianceType: CovarianceType;
  /** Added to the covariance diagonals / variances at every M-step (sklearn's reg_covar). */
  regularization: number;
  init: InitMethod;
  /** Required when init is 'params'. */
  initParams?: InitParams;
}

const COVARIANCE_TYPES: readonly CovarianceType[] = ['full', 'diag', 'spherical', 'tied'];
const INIT_METHODS: readonly InitMethod[] = ['kmeans++', 'random', 'random-data', 'params'];
/** sklearn adds 10 × machine epsilon to every nk so that an empty component never divides by zero. */
const NK_EPSILON = 10 * Number.EPSILON;

/** Size of the compact covariance array of a type. */
function covarianceLength(type: CovarianceType, k: number, d: number): number {
  switch (type) {
    case 'full':
      return k * d * d;
    case 'tied':
      return d * d;
    case 'diag':
      return k * d;
    case 'spherical':
      return k;
  }
}

/**
 * Gaussian mixture for `runEm`, with sklearn.mixture.GaussianMixture's M-step formulas, precision-Cholesky E-step,
 * initialisations and parameter counts.
 */
export class GaussianFamily implements MixtureFamily<GaussianParams> {
  readonly model = 'gaussian' as const;
  readonly covarianceType: CovarianceType;
  readonly regularization: number;
  readonly init: InitMethod;
  readonly initParams?: InitParams;
  // Scratch buffers, reused by every E- and M-step.
  private readonly diff: Float64Array;
  private readonly matrix: Float64Array;
  private nk: Float64Array = new Float64Array(0);
  private constant: Float64Array = new Float64Array(0);
  private transposed: Float64Array = new Float64Array(0);

  constructor(
    readonly values: Float64Array,
    readonly n: number,
    readonly d: number,
    options: GaussianFamilyOptions,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new OptionsError(`The Gaussian mixture needs at least one row, got n = ${n}.`);
    if (!Number.isInteger(d) || d < 1) throw new OptionsError(`The Gaussian mixture needs at least one column, got d = ${d}.`);
    if (values.length < n * d) throw new OptionsError(`values holds ${values.length} numbers but n × d = ${n} × ${d} = ${n * d}.`);
    if (!COVARIANCE_TYPES.includes(options.covarianceType)) {
      throw new OptionsError(`covarianceType must be one of ${COVARIANCE_TYPES.join(', ')}, got ${String(options.covarianceType)}.`);
    }
    if (!INIT_METHODS.includes(options.init)) {
      throw new OptionsError(`init must be one of ${INIT_METHODS.join(', ')}, got ${String(options.init)}.`);
    }
    if (!(options.regularization >= 0) || !Number.isFinite(options.regularization)) {
      throw new OptionsError(`regularization must be a finite number ≥ 0, got ${String(options.regularization)}.`);
    }
    if (options.init === 'params' && !options.initParams) {
      throw new OptionsError('init is "params" but no initParams (weights, means, covariances) were given.');
    }
    for (let i = 0; i < n * d; i++) {
      if (!Number.isFinite(values[i])) {
        throw new DataError(`Row ${Math.floor(i / d) + 1}, column ${(i % d) + 1} of the data is ${values[i]}, not a finite number.`);
      }
    }
    this.covarianceType = options.covarianceType;
    this.regularization = options.regularization;
    this.init = options.init;
    this.initParams = options.initParams;
    this.diff = new Float64Array(d);
    this.matrix = new Float64Array(d * d);
  }

  private scratchFor(k: number): void {
    if (this.nk.length !== k) {
      this.nk = new Float64Array(k);
      this.constant = new Float64Array(k);
    }
  }

  // ------------------------------------------------------------------------------------------ initialisation

  initialize(k: number, rng: Rng): GaussianParams {
    const { n, d } = this;
    if (!Number.isInteger(k) || k < 1) throw new OptionsError(`K must be a whole number ≥ 1, got ${k}.`);
    if (k > n) throw new OptionsError(`K = ${k} components but only ${n} rows: K must not exceed the number of rows.`);
    if (this.init === 'random-data' && !(this.regularization > 0)) {
      throw new OptionsError(
        'init "random-data" starts every covariance at regularization × I (as sklearn\'s random_from_data), so it needs regularization > 0 (e.g. 1e-6).',
      );
    }
    switch (this.init) {
      case 'params':
        return this.paramsFromInit(k);
      case 'kmeans++': {
        const { labels } = kmeans(this.values, n, d, k, rng);
        return this.estimate(hardResponsibilities(labels, n, k), k);
      }
      case 'random': {
        // sklearn 'random': uniform responsibilities, each row normalised.
        const resp = new Float64Array(n * k);
        for (let i = 0; i < n; i++) {
          let sum = 0;
          for (let j = 0; j < k; j++) sum += resp[i * k + j] = rng.next();
          for (let j = 0; j < k; j++) resp[i * k + j] = sum > 0 ? resp[i * k + j] / sum : 1 / k;
        }
        return this.estimate(resp, k);
      }
      case 'random-data': {
        // sklearn 'random_from_data': K random rows get responsibility 1 for one component each, every other row 0,
        // then the M-step: the means are those rows and each covariance is regularization × I. (sklearn leaves the
        // weights at 1/n each; we normalise them to 1/K, which changes only the starting log-likelihood.)
        const chosen = distinctRows(this.values, n, d, k, rng);
        const resp = new Float64Array(n * k);
        for (let j = 0; j < k; j++) resp[chosen[j] * k + j] = 1;
        return this.estimate(resp, k);
      }
    }
    throw new OptionsError(`init must be one of ${INIT_METHODS.join(', ')}, got ${String(this.init)}.`);
  }

  /** Validates initParams against K, D and the covariance type, and builds the parameters from them. */
  private paramsFromInit(k: number): GaussianParams {
    const { d } = this;
    const init = this.initParams!;
    const type = this.covarianceType;
    const weights = new Float64Array(k);
    const w = init.weights as unknown;
    if (!Array.isArray(w)) throw new OptionsError(`initParams.weights must be a list of ${k} numbers.`);
    if (w.length !== k) throw new OptionsError(`initParams.weights has ${w.length} entries but K = ${k}.`);
    let total = 0;
    for (let j = 0; j < k; j++) {
      const v = w[j];
      if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) {
        throw new OptionsError(`initParams.weights[${j}] must be a positive number, got ${JSON.stringify(v)}.`);
      }
      weights[j] = v;
      total += v;
    }
    for (let j = 0; j < k; j++) weights[j] /= total;

    const means = new Float64Array(k * d);
    const m = init.means as unknown;
    if (!Array.isArray(m)) throw new OptionsError(`initParams.means must be a K × D list (${k} × ${d}).`);
    if (m.length !== k) throw new OptionsError(`initParams.means has ${m.length} rows but K = ${k}.`);
    for (let j = 0; j < k; j++) {
      const row = m[j] as unknown;
      if (!Array.isArray(row) || row.length !== d) {
        throw new OptionsError(`initParams.means[${j}] must be a list of D = ${d} numbers, got ${describeShape(row)}.`);
      }
      for (let c = 0; c < d; c++) {
        const v = row[c];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new OptionsError(`initParams.means[${j}][${c}] must be a finite number, got ${JSON.stringify(v)}.`);
        }
        means[j * d + c] = v;
      }
    }

    let covariances: Float64Array;
    if (init.covariances === undefined || init.covariances === null) {
      // No covariances given: estimate each from the rows nearest its mean (hard responsibilities), keep the given
      // weights and means.
      const fitted = this.estimate(hardResponsibilities(nearestMeanLabels(this.values, this.n, d, means, k), this.n, k), k);
      covariances = fitted.covariances;
    } else {
      covariances = parseInitCovariances(init.covariances, type, k, d);
    }
    return this.withCovariances(weights, means, covariances, k, 'initParams');
  }

  /** Completes parameters with the precision Cholesky factors; throws when a covariance is not positive definite. */
  private withCovariances(
    weights: Float64Array,
    means: Float64Array,
    covariances: Float64Array,
    k: number,
    origin: 'initParams' | 'mstep',
  ): GaussianParams {
    const { d } = this;
    const type = this.covarianceType;
    const precisionsCholesky = new Float64Array(covariances.length);
    const logDet = new Float64Array(k);
    const fail = (j: number, what: string): never => {
      if (origin === 'initParams') {
        const path = type === 'tied' ? 'initParams.covariances' : `initParams.covariances[${j}]`;
        throw new OptionsError(
          `${path}${type === 'tied' ? '' : ` (component ${j + 1})`} is not ${what}.`,
        );
      }
      const empty = type !== 'tied' && this.nk.length === k && this.nk[j] < 1e-3;
      throw new FitError(collapseMessage(type, type === 'tied' ? -1 : j, k, this.regularization, empty));
    };
    if (type === 'full' || type === 'tied') {
      const count = type === 'full' ? k : 1;
      const a = this.matrix;
      for (let j = 0; j < count; j++) {
        const o = j * d * d;
        if (origin === 'initParams' && !isSymmetric(covariances, d, o, 1e-8)) fail(j, 'symmetric positive definite (it is not symmetric)');
        for (let i = 0; i < d * d; i++) a[i] = covariances[o + i];
        if (!choleskyInPlace(a, d)) fail(j, 'symmetric positive definite');
        precisionCholeskyFromCovarianceCholesky(a, d, precisionsCholesky, 0, o);
        let s = 0;
        for (let r = 0; r < d; r++) s += Math.log(precisionsCholesky[o + r * d + r]);
        if (type === 'full') logDet[j] = s;
        else logDet.fill(s);
      }
    } else if (type === 'diag') {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) {
          const v = covariances[j * d + c];
          if (!(v > 0) || !Number.isFinite(v)) fail(j, 'positive (every variance must be > 0)');
          const p = 1 / Math.sqrt(v);
          precisionsCholesky[j * d + c] = p;
          s += Math.log(p);
        }
        logDet[j] = s;
      }
    } else {
      for (let j = 0; j < k; j++) {
        const v = covariances[j];
        if (!(v > 0) || !Number.isFinite(v)) fail(j, 'positive (the variance must be > 0)');
        const p = 1 / Math.sqrt(v);
        precisionsCholesky[j] = p;
        logDet[j] = d * Math.log(p);
      }
    }
    return { covarianceType: type, weights, means, covariances, precisionsCholesky, logDetPrecisionCholesky: logDet };
  }

  // ------------------------------------------------------------------------------------------------ E-step

  weightedLogProb(params: GaussianParams, k: number, out: Float64Array): void {
    const { n, d, values, diff } = this;
    this.scratchFor(k);
    const constant = this.constant;
    const { means, precisionsCholesky: u, logDetPrecisionCholesky } = params;
    for (let j = 0; j < k; j++) constant[j] = Math.log(params.weights[j]) - 0.5 * d * LOG_2PI + logDetPrecisionCholesky[j];
    const type = params.covarianceType;
    // For full/tied, walk Uᵀ = L⁻¹ (lower triangular) by rows: y_c = Σ_{r ≤ c} U[r][c] diff_r reads contiguously.
    let ut = u;
    if (type === 'full' || type === 'tied') {
      if (this.transposed.length !== u.length) this.transposed = new Float64Array(u.length);
      ut = this.transposed;
      for (let o = 0; o < u.length; o += d * d) {
        for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) ut[o + c * d + r] = u[o + r * d + c];
      }
    }
    for (let i = 0; i < n; i++) {
      const xo = i * d;
      for (let j = 0; j < k; j++) {
        const mo = j * d;
        let maha = 0;
        if (type === 'full' || type === 'tied') {
          const uo = type === 'full' ? j * d * d : 0;
          for (let r = 0; r < d; r++) diff[r] = values[xo + r] - means[mo + r];
          // y = diffᵀ U (U upper triangular); maha = ‖y‖².
          for (let c = 0; c < d; c++) {
            const row = uo + c * d;
            let y = 0;
            for (let r = 0; r <= c; r++) y += ut[row + r] * diff[r];
            maha += y * y;
          }
        } else if (type === 'diag') {
          for (let c = 0; c < d; c++) {
            const y = (values[xo + c] - means[mo + c]) * u[mo + c];
            maha += y * y;
          }
        } else {
          for (let c = 0; c < d; c++) {
            const z = values[xo + c] - means[mo + c];
            maha += z * z;
          }
          maha *= u[j] * u[j];
        }
        out[i * k + j] = constant[j] - 0.5 * maha;
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ M-step

  mStep(resp: Float64Array, k: number, _previous: GaussianParams): GaussianParams {
    return this.estimate(resp, k);
  }

  /** sklearn's _estimate_gaussian_parameters + _compute_precision_cholesky (the M-step, also used by the inits). */
  estimate(resp: Float64Array, k: number): GaussianParams {
    const { n, d, values } = this;
    const type = this.covarianceType;
    const reg = this.regularization;
    this.scratchFor(k);
    const nk = this.nk;
    nk.fill(0);
    const means = new Float64Array(k * d);
    for (let i = 0; i < n; i++) {
      const xo = i * d;
      for (let j = 0; j < k; j++) {
        const r = resp[i * k + j];
        if (r === 0) continue;
        nk[j] += r;
        const mo = j * d;
        for (let c = 0; c < d; c++) means[mo + c] += r * values[xo + c];
      }
    }
    let nkTotal = 0;
    for (let j = 0; j < k; j++) {
      nk[j] += NK_EPSILON;
      nkTotal += nk[j];
      for (let c = 0; c < d; c++) means[j * d + c] /= nk[j];
    }
    const weights = new Float64Array(k);
    for (let j = 0; j < k; j++) weights[j] = nk[j] / nkTotal;

    const covariances = new Float64Array(covarianceLength(type, k, d));
    const diff = this.diff;
    if (type === 'full' || type === 'tied') {
      // Σ_k = Σ_i r_ik (x_i − μ_k)(x_i − μ_k)ᵀ / nk (full); tied sums over k and divides by Σ nk. Centred sums:
      // the same quantity as sklearn's, without the cancellation of its X·Xᵀ − nk μμᵀ form for tied.
      for (let j = 0; j < k; j++) {
        const mo = j * d;
        const co = type === 'full' ? j * d * d : 0;
        for (let i = 0; i < n; i++) {
          const r = resp[i * k + j];
          if (r === 0) continue;
          const xo = i * d;
          for (let c = 0; c < d; c++) diff[c] = values[xo + c] - means[mo + c];
          for (let a = 0; a < d; a++) {
            const ra = r * diff[a];
            const row = co + a * d;
            for (let b = 0; b <= a; b++) covariances[row + b] += ra * diff[b];
          }
        }
        if (type === 'full') finishCovariance(covariances, co, d, nk[j], reg);
      }
      if (type === 'tied') finishCovariance(covariances, 0, d, nkTotal, reg);
    } else {
      // diag: σ²_kc = Σ_i r_ik (x_ic − μ_kc)² / nk + reg; spherical: the mean over c of the diag variances.
      const variances = type === 'diag' ? covariances : new Float64Array(k * d);
      for (let i = 0; i < n; i++) {
        const xo = i * d;
        for (let j = 0; j < k; j++) {
          const r = resp[i * k + j];
          if (r === 0) continue;
          const mo = j * d;
          for (let c = 0; c < d; c++) {
            const z = values[xo + c] - means[mo + c];
            variances[mo + c] += r * z * z;
          }
        }
      }
      for (let j = 0; j < k; j++) for (let c = 0; c < d; c++) variances[j * d + c] = variances[j * d + c] / nk[j] + reg;
      if (type === 'spherical') {
        for (let j = 0; j < k; j++) {
          let s = 0;
          for (let c = 0; c < d; c++) s += variances[j * d + c];
          covariances[j] = s / d;
        }
      }
    }
    return this.withCovariances(weights, means, covariances, k, 'mstep');
  }

  // ------------------------------------------------------------------------------------------------ reporting

  /** sklearn's GaussianMixture._n_parameters. */
  parameterCount(k: number): number {
    const d = this.d;
    let cov: number;
    switch (this.covarianceType) {
      case 'full':
        cov = (k * d * (d + 1)) / 2;
        break;
      case 'diag':
        cov = k * d;
        break;
      case 'tied':
        cov = (d * (d + 1)) / 2;
        break;
      case 'spherical':
        cov = k;
        break;
    }
    return cov + d * k + k - 1;
  }

  snapshot(params: GaussianParams, k: number, iteration: number, _assignments?: Int32Array): GaussianSnapshot {
    const d = this.d;
    const means: number[][] = [];
    for (let j = 0; j < k; j++) means.push(Array.from(params.means.subarray(j * d, (j + 1) * d)));
    return {
      model: 'gaussian',
      iteration,
      weights: Array.from(params.weights),
      means,
      covariances: expandCovariances(params.covarianceType, params.covariances, k, d),
    };
  }
}

/** Divides the lower triangle at c[o..] by `count`, mirrors it to the upper triangle and adds reg to the diagonal. */
function finishCovariance(c: Float64Array, o: number, d: number, count: number, reg: number): void {
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) {
      const v = c[o + a * d + b] / count;
      c[o + a * d + b] = v;
      c[o + b * d + a] = v;
    }
    c[o + a * d + a] = c[o + a * d + a] / count + reg;
  }
}

function collapseMessage(type: CovarianceType, component: number, k: number, reg: number, empty: boolean): string {
  const which = component < 0 ? 'The shared (tied) covariance' : `The covariance of component ${component + 1} of ${k}`;
  const why = empty
    ? 'the component has lost (almost) all its points'
    : 'the component has collapsed onto too few distinct points (or the columns are nearly collinear)';
  const advice = [
    component < 0 ? undefined : `fewer components (K = ${k} now)`,
    `a larger regularisation (now ${reg}; try ${reg > 0 ? Math.max(reg * 1000, 1e-3) : 1e-6})`,
    'standardising the columns',
    type === 'full' || type === 'tied' ? 'covarianceType "diag"' : undefined,
  ].filter((s): s is string => s !== undefined);
  return (
    `${which} is not positive definite: ${why}. Try ${advice.slice(0, -1).join(', ')} or ${advice[advice.length - 1]}.`
  );
}

function hardResponsibilities(labels: Int32Array, n: number, k: number): Float64Array {
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) resp[i * k + labels[i]] = 1;
  return resp;
}

function nearestMeanLabels(values: Float64Array, n: number, d: number, means: Float64Array, k: number): Int32Array {
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDist = Infinity;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const z = values[i * d + c] - means[j * d + c];
        s += z * z;
      }
      if (s < bestDist) {
        bestDist = s;
        best = j;
      }
    }
    labels[i] = best;
  }
  return labels;
}

/**
 * K distinct row indices drawn uniformly without replacement, preferring rows whose values differ (two components
 * started on identical points would stay identical forever); falls back to repeated values when the data have
 * fewer than K distinct rows.
 */
function distinctRows(values: Float64Array, n: number, d: number, k: number, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const chosen = new Int32Array(k);
  let count = 0;
  const duplicates: number[] = [];
  for (let t = 0; t < n && count < k; t++) {
    // Partial Fisher–Yates: order[t] becomes a uniform pick among the rows not drawn yet.
    const s = t + rng.int(n - t);
    const row = order[s];
    order[s] = order[t];
    order[t] = row;
    let repeated = false;
    for (let q = 0; q < count && !repeated; q++) {
      let same = true;
      for (let c = 0; c < d && same; c++) same = values[row * d + c] === values[chosen[q] * d + c];
      repeated = same;
    }
    if (repeated) duplicates.push(row);
    else chosen[count++] = row;
  }
  for (let q = 0; count < k; q++) chosen[count++] = duplicates[q];
  return chosen;
}

function describeShape(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return JSON.stringify(v) ?? String(v);
}

/** Reads initParams.covariances in the shape of the covariance type (or K × D × D consistent with it). */
function parseInitCovariances(raw: unknown, type: CovarianceType, k: number, d: number): Float64Array {
  const depth = (v: unknown): number => (Array.isArray(v) ? 1 + (v.length > 0 ? depth(v[0]) : 0) : 0);
  const num = (v: unknown, path: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new OptionsError(`${path} must be a finite number, got ${JSON.stringify(v)}.`);
    return v;
  };
  const matrix = (v: unknown, path: string, out: Float64Array, o: number): void => {
    if (!Array.isArray(v) || v.length !== d) throw new OptionsError(`${path} must be a D × D matrix (${d} × ${d}), got ${describeShape(v)}.`);
    for (let r = 0; r < d; r++) {
      const row = v[r] as unknown;
      if (!Array.isArray(row) || row.length !== d) {
        throw new OptionsError(`${path}[${r}] must be a list of D = ${d} numbers, got ${describeShape(row)}.`);
      }
      for (let c = 0; c < d; c++) out[o + r * d + c] = num(row[c], `${path}[${r}][${c}]`);
    }
  };
  const base = 'initParams.covariances';
  const expected: Record<CovarianceType, string> = {
    full: `K × D × D (${k} × ${d} × ${d})`,
    tied: `D × D (${d} × ${d}) or K × D × D with K equal matrices`,
    diag: `K × D variances (${k} × ${d}) or K × D × D diagonal matrices`,
    spherical: `K variances (${k}) or K × D × D multiples of the identity`,
  };
  const depthOf = depth(raw);
  if (!Array.isArray(raw)) throw new OptionsError(`${base} must be ${expected[type]} for covarianceType "${type}".`);

  if (type === 'full' && depthOf !== 3) {
    throw new OptionsError(`${base} must be ${expected.full} for covarianceType "full", got ${describeShape(raw)}${depthOf > 1 ? ' of lists' : ' of numbers'}.`);
  }
  // K × D × D input, accepted by every type when consistent with it.
  if (depthOf === 3) {
    if (raw.length !== k) {
      throw new OptionsError(`${base} has ${raw.length} matrices but K = ${k} (expected ${expected[type]} for covarianceType "${type}").`);
    }
    const full = new Float64Array(k * d * d);
    for (let j = 0; j < k; j++) matrix(raw[j], `${base}[${j}]`, full, j * d * d);
    if (type === 'full') return full;
    if (type === 'tied') {
      for (let j = 1; j < k; j++) {
        for (let i = 0; i < d * d; i++) {
          if (full[j * d * d + i] !== full[i]) {
            throw new OptionsError(`${base}[${j}] differs from ${base}[0], but covarianceType "tied" shares one covariance matrix.`);
          }
        }
      }
      return full.slice(0, d * d);
    }
    for (let j = 0; j < k; j++) {
      for (let r = 0; r < d; r++) {
        for (let c = 0; c < d; c++) {
          if (r !== c && full[(j * d + r) * d + c] !== 0) {
            throw new OptionsError(`${base}[${j}][${r}][${c}] is ${full[(j * d + r) * d + c]}, but covarianceType "${type}" needs diagonal matrices.`);
          }
        }
      }
    }
    if (type === 'diag') {
      const out = new Float64Array(k * d);
      for (let j = 0; j < k; j++) for (let c = 0; c < d; c++) out[j * d + c] = full[(j * d + c) * d + c];
      return out;
    }
    const out = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      const v = full[j * d * d];
      for (let c = 1; c < d; c++) {
        if (full[(j * d + c) * d + c] !== v) {
          throw new OptionsError(`${base}[${j}] has unequal diagonal entries, but covarianceType "spherical" needs a multiple of the identity.`);
        }
      }
      out[j] = v;
    }
    return out;
  }
  switch (type) {
    case 'tied': {
      const out = new Float64Array(d * d);
      matrix(raw, base, out, 0);
      return out;
    }
    case 'diag': {
      if (raw.length !== k) throw new OptionsError(`${base} has ${raw.length} rows but K = ${k} (expected ${expected.diag}).`);
      const out = new Float64Array(k * d);
      for (let j = 0; j < k; j++) {
        const row = raw[j] as unknown;
        if (!Array.isArray(row) || row.length !== d) {
          throw new OptionsError(`${base}[${j}] must be a list of D = ${d} variances, got ${describeShape(row)}.`);
        }
        for (let c = 0; c < d; c++) out[j * d + c] = num(row[c], `${base}[${j}][${c}]`);
      }
      return out;
    }
    case 'spherical': {
      if (raw.length !== k || depthOf !== 1) {
        throw new OptionsError(`${base} must be ${expected.spherical} for covarianceType "spherical", got ${describeShape(raw)}${depthOf > 1 ? ' of lists' : ''}.`);
      }
      const out = new Float64Array(k);
      for (let j = 0; j < k; j++) out[j] = num(raw[j], `${base}[${j}]`);
      return out;
    }
    default:
      throw new OptionsError(`${base} must be ${expected[type]} for covarianceType "${type}".`);
  }
}
