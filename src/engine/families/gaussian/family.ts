// Gaussian mixture family for the shared EM loop (src/engine/em.ts), with sklearn.mixture.GaussianMixture's
// formulas (sklearn/mixture/_gaussian_mixture.py).

import type { CovarianceType, GaussianSnapshot, InitMethod, InitParams } from '../../../shared/protocol';
import type { MixtureFamily } from '../../em/em';
import { DataError, FitError, OptionsError } from '../../errors';
import { GaussianSimd } from './simd';
import { kmeans } from '../../em/kmeans';
import { choleskyInPlace, isSymmetric, precisionCholeskyFromCovarianceCholesky } from './linalg';
import { normalizeLogRows } from '../../em/logsumexp';
import type { Rng } from '../../em/rng';

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
  /**
   * Use the WebAssembly SIMD kernels for full/tied covariances with D ≥ 3 when available (default true); false runs
   * the JavaScript kernels (same sums in another order, for comparison).
   */
  simd?: boolean;
}

const COVARIANCE_TYPES: readonly CovarianceType[] = ['full', 'diag', 'spherical', 'tied'];
const INIT_METHODS: readonly InitMethod[] = ['kmeans++', 'random', 'random-data', 'params'];
/** sklearn adds 10 × machine epsilon to every nk so that an empty component never divides by zero. */
const NK_EPSILON = 10 * Number.EPSILON;
/**
 * A variance below (NOISE_RELATIVE·μ)² + NOISE_FLOOR, recomputed exactly, is rounding noise (x − μ of points equal to
 * μ is a few ulps of μ); 64ε leaves room for the ulps and still refuses only spreads 1e-14 of the mean or less.
 */
const NOISE_RELATIVE = 64 * Number.EPSILON;
/** Absolute floor for means near 0, where (NOISE_RELATIVE·μ)² underflows: (1e-150)², far below any measured spread. */
const NOISE_FLOOR = 1e-300;
/**
 * Below (NOISE_GATE·μ)² a variance is recomputed exactly before judging it: wide enough for the rounding of Σ r x over
 * many duplicate points (up to ~10⁶ ulps), narrow enough that real data (spread above 2e-10 of the mean) never pays.
 */
const NOISE_GATE = 2 ** 20 * Number.EPSILON;

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
  private readonly matrix: Float64Array;
  private nk: Float64Array = new Float64Array(0);
  private constant: Float64Array = new Float64Array(0);
  private transposed: Float64Array = new Float64Array(0);
  private packed: Float64Array = new Float64Array(0);
  /** E-step: the centred values of 4 rows, interleaved (diff of row q, feature r at 4r + q). */
  private rowBlock: Float64Array = new Float64Array(0);
  /** M-step scatter blocks (see accumulateScatter). */
  private scatter: ScatterScratch | undefined;
  private readonly useSimd: boolean;
  /** WebAssembly kernels for the current K (full/tied, D ≥ 3), null when unavailable. */
  private simd: GaussianSimd | null | undefined;

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
    this.useSimd = options.simd !== false && d >= 3 && (options.covarianceType === 'full' || options.covarianceType === 'tied');
    this.matrix = new Float64Array(d * d);
  }

  private scratchFor(k: number): void {
    if (this.nk.length !== k) {
      this.nk = new Float64Array(k);
      this.constant = new Float64Array(k);
      this.simd = undefined;
    }
  }

  /** The SIMD kernels for K components, when this family uses them and the runtime has them. */
  private simdFor(k: number): GaussianSimd | null {
    if (!this.useSimd) return null;
    if (this.simd === undefined || (this.simd !== null && this.simd.k !== k)) this.simd = GaussianSimd.create(this.d, k) ?? null;
    return this.simd;
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
    const { n, d, values } = this;
    this.scratchFor(k);
    const constant = this.constant;
    const { means, precisionsCholesky: u, logDetPrecisionCholesky } = params;
    const halfDLog2Pi = 0.5 * d * LOG_2PI;
    for (let j = 0; j < k; j++) constant[j] = Math.log(params.weights[j]) - halfDLog2Pi + logDetPrecisionCholesky[j];
    const type = params.covarianceType;
    if (d <= 2) {
      // Small D: every type as one unrolled kernel over packed per-component parameters.
      const packed = this.packSmall(params, k);
      if (d === 1) eStepD1(values, n, k, packed, out);
      else eStepD2(values, n, k, packed, out);
      return;
    }
    if (type === 'full' || type === 'tied') {
      // Walk Uᵀ = L⁻¹ (lower triangular) by rows: y_c = Σ_{r ≤ c} U[r][c] diff_r reads contiguously.
      if (this.transposed.length !== u.length) this.transposed = new Float64Array(u.length);
      const ut = this.transposed;
      for (let o = 0; o < u.length; o += d * d) {
        for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) ut[o + c * d + r] = u[o + r * d + c];
      }
      const simd = this.simdFor(k);
      if (simd) {
        simd.eStep(values, n, means, ut, type === 'full' ? k : 1, constant, out);
        return;
      }
      if (this.rowBlock.length < 4 * d) this.rowBlock = new Float64Array(4 * d);
      for (let j = 0; j < k; j++) {
        eStepTriangular(values, n, d, means, j * d, ut, type === 'full' ? j * d * d : 0, constant[j], out, k, j, this.rowBlock);
      }
    } else if (type === 'diag') {
      eStepDiag(values, n, d, k, means, u, constant, out);
    } else {
      eStepSpherical(values, n, d, k, means, u, constant, out);
    }
  }

  /**
   * For D ≤ 2, per component [μ_0, (μ_1,) U_00, (U_01, U_11,) constant]: U is the precision Cholesky of the type
   * (diag: U_01 = 0; spherical: U_00 = U_11 = 1/σ).
   */
  private packSmall(params: GaussianParams, k: number): Float64Array {
    const d = this.d;
    const stride = d === 1 ? 3 : 6;
    if (this.packed.length !== k * stride) this.packed = new Float64Array(k * stride);
    const p = this.packed;
    const u = params.precisionsCholesky;
    const type = params.covarianceType;
    for (let j = 0; j < k; j++) {
      const q = j * stride;
      if (d === 1) {
        p[q] = params.means[j];
        p[q + 1] = u[type === 'tied' ? 0 : j];
        p[q + 2] = this.constant[j];
        continue;
      }
      p[q] = params.means[2 * j];
      p[q + 1] = params.means[2 * j + 1];
      if (type === 'full' || type === 'tied') {
        const o = type === 'full' ? 4 * j : 0;
        p[q + 2] = u[o];
        p[q + 3] = u[o + 1];
        p[q + 4] = u[o + 3];
      } else if (type === 'diag') {
        p[q + 2] = u[2 * j];
        p[q + 3] = 0;
        p[q + 4] = u[2 * j + 1];
      } else {
        p[q + 2] = u[j];
        p[q + 3] = 0;
        p[q + 4] = u[j];
      }
      p[q + 5] = this.constant[j];
    }
    return p;
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
    const means = new Float64Array(k * d);
    weightedSums(values, n, d, resp, k, nk, means);
    let nkTotal = 0;
    for (let j = 0; j < k; j++) {
      nk[j] += NK_EPSILON;
      nkTotal += nk[j];
      for (let c = 0; c < d; c++) means[j * d + c] /= nk[j];
    }
    const weights = new Float64Array(k);
    for (let j = 0; j < k; j++) weights[j] = nk[j] / nkTotal;

    const covariances = new Float64Array(covarianceLength(type, k, d));
    if (d === 2) {
      this.covariancesD2(resp, k, means, covariances);
    } else if (type === 'full' || type === 'tied') {
      // Σ_k = Σ_i r_ik (x_i − μ_k)(x_i − μ_k)ᵀ / nk (full); tied sums over k and divides by Σ nk. Centred sums:
      // the same quantity as sklearn's, without the cancellation of its X·Xᵀ − nk μμᵀ form for tied.
      const simd = this.simdFor(k);
      if (simd) {
        // Lower triangles straight into the covariance buffer, then scaled and mirrored.
        simd.scatter(values, n, resp, means, type === 'tied', covariances);
        if (type === 'full') for (let j = 0; j < k; j++) finishCovariance(covariances, j * d * d, d, nk[j], reg);
        else finishCovariance(covariances, 0, d, nkTotal, reg);
        return this.refuseRoundingNoise(resp, k, this.withCovariances(weights, means, covariances, k, 'mstep'));
      }
      const scratch = this.scatterScratch();
      const { sums, dp } = scratch;
      sums.fill(0);
      for (let j = 0; j < k; j++) {
        accumulateScatter(values, n, d, resp, k, j, means, scratch);
        if (type === 'full' || j === k - 1) {
          const co = type === 'full' ? j * d * d : 0;
          for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) covariances[co + a * d + b] = sums[a * dp + b];
          if (type === 'full') {
            finishCovariance(covariances, co, d, nk[j], reg);
            sums.fill(0);
          } else {
            finishCovariance(covariances, 0, d, nkTotal, reg);
          }
        }
      }
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
    return this.refuseRoundingNoise(resp, k, this.withCovariances(weights, means, covariances, k, 'mstep'));
  }

  /**
   * Throws a FitError when a variance of the estimate is rounding noise rather than spread in the data: a component
   * collapsed onto one point (or onto one value in some column). With regularization 0 its variance is then about
   * (10ε·μ)² (sklearn's 10ε on nk biases μ) or the rounding error of Σ r x: positive, so Cholesky and 1/σ succeed,
   * and ln L jumps on a spike of pure noise. Full covariance usually fails its Cholesky there; this makes every type
   * end the same way. A cheap gate on the estimate's own variances keeps non-degenerate fits untouched; only past
   * it is the spread recomputed exactly (mean corrected by a second pass) and compared with (64ε·μ)².
   */
  private refuseRoundingNoise(resp: Float64Array, k: number, params: GaussianParams): GaussianParams {
    const { d } = this;
    const type = this.covarianceType;
    const reg = this.regularization;
    const { means, covariances } = params;
    const variance = (j: number, c: number): number =>
      type === 'full' ? covariances[(j * d + c) * d + c] : type === 'diag' ? covariances[j * d + c] : type === 'tied' ? covariances[c * d + c] : covariances[j];
    const gated = (v: number, meanSquare: number): boolean => v < NOISE_GATE * NOISE_GATE * meanSquare + NOISE_FLOOR;
    const collapsed = (spread: number, meanSquare: number): boolean => spread + reg < NOISE_RELATIVE * NOISE_RELATIVE * meanSquare + NOISE_FLOOR;
    const fail = (component: number, column: number, v: number): never => {
      const empty = component >= 0 && this.nk.length === k && this.nk[component] < 1e-3;
      throw new FitError(collapseMessage(type, component, k, reg, empty, { column, variance: v }));
    };
    if (type === 'tied') {
      for (let c = 0; c < d; c++) {
        let meanSquare = 0;
        let total = 0;
        for (let j = 0; j < k; j++) {
          meanSquare += this.nk[j] * means[j * d + c] * means[j * d + c];
          total += this.nk[j];
        }
        if (!gated(variance(0, c), meanSquare / total)) continue;
        let w = 0;
        let s = 0;
        let m2 = 0;
        for (let j = 0; j < k; j++) {
          const e = exactSpread(this.values, this.n, d, resp, k, j, c, means[j * d + c]);
          w += e.weight;
          s += e.sumSquares;
          m2 += e.weight * e.mean * e.mean;
        }
        if (w > 0 && collapsed(s / w, m2 / w)) fail(-1, c, variance(0, c));
      }
      return params;
    }
    for (let j = 0; j < k; j++) {
      if (type === 'spherical') {
        let meanSquare = 0;
        for (let c = 0; c < d; c++) meanSquare += means[j * d + c] * means[j * d + c];
        if (!gated(variance(j, 0), meanSquare / d)) continue;
        let s = 0;
        let m2 = 0;
        let w = 0;
        for (let c = 0; c < d; c++) {
          const e = exactSpread(this.values, this.n, d, resp, k, j, c, means[j * d + c]);
          w = e.weight;
          s += e.sumSquares;
          m2 += e.mean * e.mean;
        }
        if (w > 0 && collapsed(s / w / d, m2 / d)) fail(j, -1, variance(j, 0));
        continue;
      }
      for (let c = 0; c < d; c++) {
        const mu = means[j * d + c];
        if (!gated(variance(j, c), mu * mu)) continue;
        const e = exactSpread(this.values, this.n, d, resp, k, j, c, mu);
        if (e.weight > 0 && collapsed(e.sumSquares / e.weight, e.mean * e.mean)) fail(j, c, variance(j, c));
      }
    }
    return params;
  }

  /**
   * D = 2, every type: the centred weighted sums s00, s01, s11 per component in one pass over the rows (no branch
   * on zero responsibilities: a zero weight adds exactly zero), then the type's covariance from them.
   */
  private covariancesD2(resp: Float64Array, k: number, means: Float64Array, covariances: Float64Array): void {
    const { n, values } = this;
    const nk = this.nk;
    const reg = this.regularization;
    const type = this.covarianceType;
    const sums = new Float64Array(3 * k);
    for (let i = 0; i < n; i++) {
      const x0 = values[2 * i];
      const x1 = values[2 * i + 1];
      const o = i * k;
      for (let j = 0; j < k; j++) {
        const r = resp[o + j];
        const z0 = x0 - means[2 * j];
        const z1 = x1 - means[2 * j + 1];
        const r0 = r * z0;
        sums[3 * j] += r0 * z0;
        sums[3 * j + 1] += r0 * z1;
        sums[3 * j + 2] += r * z1 * z1;
      }
    }
    if (type === 'full') {
      for (let j = 0; j < k; j++) {
        const v01 = sums[3 * j + 1] / nk[j];
        covariances[4 * j] = sums[3 * j] / nk[j] + reg;
        covariances[4 * j + 1] = v01;
        covariances[4 * j + 2] = v01;
        covariances[4 * j + 3] = sums[3 * j + 2] / nk[j] + reg;
      }
    } else if (type === 'tied') {
      let s00 = 0;
      let s01 = 0;
      let s11 = 0;
      let total = 0;
      for (let j = 0; j < k; j++) {
        s00 += sums[3 * j];
        s01 += sums[3 * j + 1];
        s11 += sums[3 * j + 2];
        total += nk[j];
      }
      covariances[0] = s00 / total + reg;
      covariances[1] = covariances[2] = s01 / total;
      covariances[3] = s11 / total + reg;
    } else if (type === 'diag') {
      for (let j = 0; j < k; j++) {
        covariances[2 * j] = sums[3 * j] / nk[j] + reg;
        covariances[2 * j + 1] = sums[3 * j + 2] / nk[j] + reg;
      }
    } else {
      for (let j = 0; j < k; j++) covariances[j] = (sums[3 * j] / nk[j] + reg + (sums[3 * j + 2] / nk[j] + reg)) / 2;
    }
  }

  private scatterScratch(): ScatterScratch {
    if (!this.scatter) {
      const dp = Math.ceil(this.d / 4) * 4;
      this.scatter = {
        dp,
        sums: new Float64Array(dp * dp),
        centred: new Float64Array(dp * SCATTER_BLOCK),
        weighted: new Float64Array(dp * SCATTER_BLOCK),
      };
    }
    return this.scatter;
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

// ------------------------------------------------------------------------------------------------ E-step kernels
// Each writes out[i·k + j] = constant_j − ½ ‖(x_i − μ_j)ᵀ U_j‖², the same quantity in the same order of terms as the
// textbook loop, arranged for the JIT: no per-element branches, hoisted scalars, independent accumulators.

/** D = 1, packed [μ, u, constant] per component. */
function eStepD1(values: Float64Array, n: number, k: number, p: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const x = values[i];
    const o = i * k;
    for (let j = 0; j < k; j++) {
      const q = 3 * j;
      const y = (x - p[q]) * p[q + 1];
      out[o + j] = p[q + 2] - 0.5 * (y * y);
    }
  }
}

/** D = 2, packed [μ0, μ1, U00, U01, U11, constant] per component: y0 = U00 z0, y1 = U01 z0 + U11 z1. */
function eStepD2(values: Float64Array, n: number, k: number, p: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const x0 = values[2 * i];
    const x1 = values[2 * i + 1];
    const o = i * k;
    for (let j = 0; j < k; j++) {
      const q = 6 * j;
      const z0 = x0 - p[q];
      const z1 = x1 - p[q + 1];
      const y0 = p[q + 2] * z0;
      const y1 = p[q + 3] * z0 + p[q + 4] * z1;
      out[o + j] = p[q + 5] - 0.5 * (y0 * y0 + y1 * y1);
    }
  }
}

/**
 * Full / tied, D ≥ 3, one component: maha_i = Σ_c (Σ_{r ≤ c} L⁻¹[c][r] z_ir)², with L⁻¹ = Uᵀ stored by rows at
 * lt[lo ..]. Register-blocked 4 rows × 2 output columns: each load of L⁻¹ serves 4 rows, each z serves 2 columns,
 * and the 8 sums are independent chains (a single dot product would wait on its own additions).
 */
function eStepTriangular(
  values: Float64Array,
  n: number,
  d: number,
  means: Float64Array,
  mo: number,
  lt: Float64Array,
  lo: number,
  constant: number,
  out: Float64Array,
  k: number,
  j: number,
  z: Float64Array,
): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x0 = i * d;
    for (let r = 0; r < d; r++) {
      const m = means[mo + r];
      const p = 4 * r;
      z[p] = values[x0 + r] - m;
      z[p + 1] = values[x0 + d + r] - m;
      z[p + 2] = values[x0 + 2 * d + r] - m;
      z[p + 3] = values[x0 + 3 * d + r] - m;
    }
    let m0 = 0;
    let m1 = 0;
    let m2 = 0;
    let m3 = 0;
    let c = 0;
    for (; c + 1 < d; c += 2) {
      const ra = lo + c * d;
      const rb = ra + d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let r = 0; r <= c; r++) {
        const ua = lt[ra + r];
        const ub = lt[rb + r];
        const p = 4 * r;
        const z0 = z[p];
        const z1 = z[p + 1];
        const z2 = z[p + 2];
        const z3 = z[p + 3];
        a0 += ua * z0;
        a1 += ua * z1;
        a2 += ua * z2;
        a3 += ua * z3;
        b0 += ub * z0;
        b1 += ub * z1;
        b2 += ub * z2;
        b3 += ub * z3;
      }
      const ub = lt[rb + c + 1];
      const p = 4 * (c + 1);
      b0 += ub * z[p];
      b1 += ub * z[p + 1];
      b2 += ub * z[p + 2];
      b3 += ub * z[p + 3];
      m0 += a0 * a0 + b0 * b0;
      m1 += a1 * a1 + b1 * b1;
      m2 += a2 * a2 + b2 * b2;
      m3 += a3 * a3 + b3 * b3;
    }
    if (c < d) {
      const ra = lo + c * d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let r = 0; r <= c; r++) {
        const ua = lt[ra + r];
        const p = 4 * r;
        a0 += ua * z[p];
        a1 += ua * z[p + 1];
        a2 += ua * z[p + 2];
        a3 += ua * z[p + 3];
      }
      m0 += a0 * a0;
      m1 += a1 * a1;
      m2 += a2 * a2;
      m3 += a3 * a3;
    }
    out[i * k + j] = constant - 0.5 * m0;
    out[(i + 1) * k + j] = constant - 0.5 * m1;
    out[(i + 2) * k + j] = constant - 0.5 * m2;
    out[(i + 3) * k + j] = constant - 0.5 * m3;
  }
  for (; i < n; i++) {
    const xo = i * d;
    for (let r = 0; r < d; r++) z[r] = values[xo + r] - means[mo + r];
    let maha = 0;
    for (let c = 0; c < d; c++) {
      const row = lo + c * d;
      let y = 0;
      for (let r = 0; r <= c; r++) y += lt[row + r] * z[r];
      maha += y * y;
    }
    out[i * k + j] = constant - 0.5 * maha;
  }
}

/** Diagonal covariances, D ≥ 3: u = 1/σ per component and feature. */
function eStepDiag(
  values: Float64Array,
  n: number,
  d: number,
  k: number,
  means: Float64Array,
  u: Float64Array,
  constant: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    for (let j = 0; j < k; j++) {
      const mo = j * d;
      let maha = 0;
      for (let c = 0; c < d; c++) {
        const y = (values[xo + c] - means[mo + c]) * u[mo + c];
        maha += y * y;
      }
      out[i * k + j] = constant[j] - 0.5 * maha;
    }
  }
}

/** Spherical covariances, D ≥ 3: u = 1/σ per component. */
function eStepSpherical(
  values: Float64Array,
  n: number,
  d: number,
  k: number,
  means: Float64Array,
  u: Float64Array,
  constant: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    for (let j = 0; j < k; j++) {
      const mo = j * d;
      let maha = 0;
      for (let c = 0; c < d; c++) {
        const z = values[xo + c] - means[mo + c];
        maha += z * z;
      }
      out[i * k + j] = constant[j] - 0.5 * (maha * (u[j] * u[j]));
    }
  }
}

// ------------------------------------------------------------------------------------------------ M-step kernels

/** nk_j = Σ_i r_ij and sums_j = Σ_i r_ij x_i (K × D). */
function weightedSums(values: Float64Array, n: number, d: number, resp: Float64Array, k: number, nk: Float64Array, sums: Float64Array): void {
  nk.fill(0);
  if (d === 2) {
    for (let i = 0; i < n; i++) {
      const x0 = values[2 * i];
      const x1 = values[2 * i + 1];
      const o = i * k;
      for (let j = 0; j < k; j++) {
        const r = resp[o + j];
        nk[j] += r;
        sums[2 * j] += r * x0;
        sums[2 * j + 1] += r * x1;
      }
    }
    return;
  }
  // Blocks of rows (in cache), 4 features at a time in registers: no read-modify-write per product.
  const block = 256;
  for (let i0 = 0; i0 < n; i0 += block) {
    const i1 = Math.min(n, i0 + block);
    for (let j = 0; j < k; j++) {
      const mo = j * d;
      let total = 0;
      for (let i = i0; i < i1; i++) total += resp[i * k + j];
      nk[j] += total;
      let c = 0;
      for (; c + 4 <= d; c += 4) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let i = i0; i < i1; i++) {
          const r = resp[i * k + j];
          const xo = i * d + c;
          s0 += r * values[xo];
          s1 += r * values[xo + 1];
          s2 += r * values[xo + 2];
          s3 += r * values[xo + 3];
        }
        sums[mo + c] += s0;
        sums[mo + c + 1] += s1;
        sums[mo + c + 2] += s2;
        sums[mo + c + 3] += s3;
      }
      for (; c < d; c++) {
        let s = 0;
        for (let i = i0; i < i1; i++) s += resp[i * k + j] * values[i * d + c];
        sums[mo + c] += s;
      }
    }
  }
}

/** Rows per scatter block: the two D × block buffers stay in L1/L2 for D up to ~100. */
const SCATTER_BLOCK = 32;

interface ScatterScratch {
  /** D rounded up to a multiple of 4 (padding features are zero). */
  readonly dp: number;
  /** dp × dp running sums; only the lower triangle (b ≤ a, a, b < D) is meaningful. */
  readonly sums: Float64Array;
  /** Feature-major block: centred[f·B + t] = x_f − μ_f of the block's row t (f < D; padding rows stay zero). */
  readonly centred: Float64Array;
  /** r · centred of the same rows. */
  readonly weighted: Float64Array;
}

/**
 * sums += Σ_i r_ij (x_i − μ_j)(x_i − μ_j)ᵀ (lower triangle) over the rows with r_ij ≠ 0, a block of rows at a time:
 * the block is transposed to feature-major, so each entry is a contiguous dot product over the block's rows, and
 * entries are computed 2 × 4 at a time (6 loads feed 8 multiply-adds, 8 independent sums).
 */
function accumulateScatter(
  values: Float64Array,
  n: number,
  d: number,
  resp: Float64Array,
  k: number,
  j: number,
  means: Float64Array,
  scratch: ScatterScratch,
): void {
  const { centred, weighted } = scratch;
  const mo = j * d;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = resp[i * k + j];
    if (r === 0) continue;
    const xo = i * d;
    for (let f = 0; f < d; f++) {
      const z = values[xo + f] - means[mo + f];
      centred[f * SCATTER_BLOCK + count] = z;
      weighted[f * SCATTER_BLOCK + count] = r * z;
    }
    if (++count === SCATTER_BLOCK) {
      scatterBlock(scratch, d, count);
      count = 0;
    }
  }
  if (count > 0) scatterBlock(scratch, d, count);
}

function scatterBlock(scratch: ScatterScratch, d: number, count: number): void {
  const { centred: z, weighted: w, sums, dp } = scratch;
  const B = SCATTER_BLOCK;
  for (let a = 0; a < d; a += 2) {
    const wa = a * B;
    const wb = wa + B;
    for (let b = 0; b <= a + 1 && b < d; b += 4) {
      const z0 = b * B;
      const z1 = z0 + B;
      const z2 = z1 + B;
      const z3 = z2 + B;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let t = 0; t < count; t++) {
        const w0 = w[wa + t];
        const w1 = w[wb + t];
        const c0 = z[z0 + t];
        const c1 = z[z1 + t];
        const c2 = z[z2 + t];
        const c3 = z[z3 + t];
        s00 += w0 * c0;
        s01 += w0 * c1;
        s02 += w0 * c2;
        s03 += w0 * c3;
        s10 += w1 * c0;
        s11 += w1 * c1;
        s12 += w1 * c2;
        s13 += w1 * c3;
      }
      const ra = a * dp + b;
      const rb = ra + dp;
      sums[ra] += s00;
      sums[ra + 1] += s01;
      sums[ra + 2] += s02;
      sums[ra + 3] += s03;
      sums[rb] += s10;
      sums[rb + 1] += s11;
      sums[rb + 2] += s12;
      sums[rb + 3] += s13;
    }
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

/**
 * `noise`: the covariance is positive but a variance in it (column `column`, or −1 for the one spherical variance)
 * is rounding noise; otherwise it is not positive definite.
 */
function collapseMessage(
  type: CovarianceType,
  component: number,
  k: number,
  reg: number,
  empty: boolean,
  noise?: { column: number; variance: number },
): string {
  const which = component < 0 ? 'The shared (tied) covariance' : `The covariance of component ${component + 1} of ${k}`;
  const problem = noise
    ? `has a variance of ${noise.variance.toPrecision(2)}${noise.column >= 0 ? ` in column ${noise.column + 1}` : ''}, rounding noise rather than spread in the data`
    : 'is not positive definite';
  const why = empty
    ? 'the component has lost (almost) all its points'
    : noise
      ? component < 0
        ? 'every component has collapsed onto a single value of that column'
        : 'the component has collapsed onto a single point (or a single value of that column)'
      : 'the component has collapsed onto too few distinct points (or the columns are nearly collinear)';
  const advice = [
    component < 0 ? undefined : `fewer components (K = ${k} now)`,
    `a larger regularisation (now ${reg}; try ${reg > 0 ? Math.max(reg * 1000, 1e-3) : 1e-6})`,
    'standardising the columns',
    (type === 'full' || type === 'tied') && !noise ? 'covarianceType "diag"' : undefined,
  ].filter((s): s is string => s !== undefined);
  return `${which} ${problem}: ${why}. Try ${advice.slice(0, -1).join(', ')} or ${advice[advice.length - 1]}.`;
}

/**
 * Σ_i r_ij, the weighted mean of column c (m1 corrected by one pass: m1 + Σ r (x − m1) / Σ r, exact to an ulp or
 * two even when every point equals the mean) and Σ_i r_ij (x_ic − mean)² about it. Only for the collapse check.
 */
function exactSpread(
  values: Float64Array,
  n: number,
  d: number,
  resp: Float64Array,
  k: number,
  j: number,
  c: number,
  m1: number,
): { weight: number; mean: number; sumSquares: number } {
  let weight = 0;
  let shift = 0;
  for (let i = 0; i < n; i++) {
    const r = resp[i * k + j];
    if (r === 0) continue;
    weight += r;
    shift += r * (values[i * d + c] - m1);
  }
  if (!(weight > 0)) return { weight: 0, mean: m1, sumSquares: 0 };
  const mean = m1 + shift / weight;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const r = resp[i * k + j];
    if (r === 0) continue;
    const z = values[i * d + c] - mean;
    sumSquares += r * z * z;
  }
  return { weight, mean, sumSquares };
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
