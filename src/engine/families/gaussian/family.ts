// Gaussian mixture family for the shared EM loop (src/engine/em/em.ts), with sklearn.mixture.GaussianMixture's
// formulas (sklearn/mixture/_gaussian_mixture.py). The kernels live beside it: estep.ts, mstep.ts, collapse.ts
// (rounding-noise refusal), covariance.ts (shapes and initParams), density.ts (snapshot densities for the panel),
// degeneracy.ts (degenerate components of a finished fit).

import type { CovarianceType, GaussianSnapshot, InitMethod, InitParams, SklearnCovarianceType } from '../../../shared/protocol';
import type { MixtureFamily } from '../../em/em';
import { DataError, FitError, OptionsError } from '../../errors';
import { GaussianSimd } from './simd';
import { euclideanInitSpace } from '../../em/kmeans';
import { hardResponsibilities, nearestMeanLabels, startingPoint, weighResponsibilities } from '../../em/init';
import type { Rng } from '../../em/rng';
import { choleskyInPlace, isSymmetric, precisionCholeskyFromCovarianceCholesky } from './linalg';
import { collapseMessage, refuseRoundingNoise } from './collapse';
import { COVARIANCE_TYPES, covarianceLength, describeShape, expandCovariances, parseInitCovariances } from './covariance';
import { LOG_2PI } from './density';
import { eStepD1, eStepD2, eStepDiag, eStepSpherical, eStepTriangular } from './estep';
import { accumulateScatter, covariancesD2, createScatterScratch, finishCovariance, weightedSums, type ScatterScratch } from './mstep';

// The panel and the tests import these from here.
export { expandCovariances } from './covariance';
export { gaussianDensity1D, gaussianLogResponsibilities } from './density';

/** Parameters of a Gaussian mixture in the compact shape of its covariance type. */
export interface GaussianParams {
  readonly covarianceType: SklearnCovarianceType;
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
  /** One of scikit-learn's four types; any other name (an mclust model) is refused. */
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
  /** Case (frequency) weights w_i ≥ 0 of the rows (see MixtureFamily.caseWeights). */
  caseWeights?: Float64Array;
}

const INIT_METHODS: readonly InitMethod[] = ['kmeans++', 'random', 'random-data', 'params'];
/** sklearn adds 10 × machine epsilon to every nk so that an empty component never divides by zero. */
const NK_EPSILON = 10 * Number.EPSILON;

/**
 * Gaussian mixture for `runEm`, with sklearn.mixture.GaussianMixture's M-step formulas, precision-Cholesky E-step,
 * initialisations and parameter counts.
 */
export class GaussianFamily implements MixtureFamily<GaussianParams> {
  readonly model = 'gaussian' as const;
  readonly covarianceType: SklearnCovarianceType;
  readonly regularization: number;
  readonly init: InitMethod;
  readonly initParams?: InitParams;
  readonly caseWeights?: Float64Array;
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
    if (!(COVARIANCE_TYPES as readonly string[]).includes(options.covarianceType)) {
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
    this.covarianceType = options.covarianceType as SklearnCovarianceType;
    this.regularization = options.regularization;
    this.init = options.init;
    this.initParams = options.initParams;
    this.caseWeights = options.caseWeights;
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
    const start = startingPoint(this.init, euclideanInitSpace(this.values, this.n, this.d, this.caseWeights), k, rng);
    switch (start.kind) {
      case 'explicit':
        return this.paramsFromInit(k);
      case 'responsibilities':
        return this.estimate(weighResponsibilities(start.resp, k, this.caseWeights), k);
      case 'rows': {
        // sklearn 'random_from_data': K random rows get responsibility 1 for one component each, every other row 0,
        // then the M-step: the means are those rows and each covariance is regularization × I. (sklearn leaves the
        // weights at 1/n each; we normalise them to 1/K, which changes only the starting log-likelihood.)
        const resp = new Float64Array(n * k);
        for (let j = 0; j < k; j++) resp[start.rows[j] * k + j] = 1;
        return this.estimate(resp, k);
      }
    }
  }


  /** The parameters given as initParams, whatever the number of rows (a saved model applied to another file). */
  givenParams(k: number): GaussianParams {
    if (!this.initParams) throw new OptionsError('no parameters were given (initParams).');
    return this.paramsFromInit(k);
  }

  /**
   * Parameters from an M-step computed elsewhere (the streamed EM's accumulated statistics): nk are the components'
   * Σ r + 10ε, as in estimate. Throws the M-step's FitError when a covariance is not positive definite.
   */
  fromMoments(weights: Float64Array, means: Float64Array, covariances: Float64Array, nk: Float64Array, k: number): GaussianParams {
    this.scratchFor(k);
    this.nk.set(nk);
    return this.withCovariances(weights, means, covariances, k, 'mstep');
  }

  /**
   * initParams' weights and means with covariances estimated elsewhere (the streamed start's pass over the rows
   * nearest each mean), checked as the in-memory start checks the ones it estimates.
   */
  startFromCovariances(weights: Float64Array, means: Float64Array, covariances: Float64Array, k: number): GaussianParams {
    this.scratchFor(k);
    return this.withCovariances(weights, means, covariances, k, 'initParams');
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
      const fitted = this.estimate(weighResponsibilities(hardResponsibilities(nearestMeanLabels(this.values, this.n, d, means, k), this.n, k), k, this.caseWeights), k);
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
      covariancesD2(values, n, type, reg, resp, k, nk, means, covariances);
    } else if (type === 'full' || type === 'tied') {
      // Σ_k = Σ_i r_ik (x_i − μ_k)(x_i − μ_k)ᵀ / nk (full); tied sums over k and divides by Σ nk. Centred sums:
      // the same quantity as sklearn's, without the cancellation of its X·Xᵀ − nk μμᵀ form for tied.
      const simd = this.simdFor(k);
      if (simd) {
        // Lower triangles straight into the covariance buffer, then scaled and mirrored.
        simd.scatter(values, n, resp, means, type === 'tied', covariances);
        if (type === 'full') for (let j = 0; j < k; j++) finishCovariance(covariances, j * d * d, d, nk[j], reg);
        else finishCovariance(covariances, 0, d, nkTotal, reg);
        return refuseRoundingNoise(values, n, d, type, reg, nk, resp, k, this.withCovariances(weights, means, covariances, k, 'mstep'));
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
    return refuseRoundingNoise(values, n, d, type, reg, nk, resp, k, this.withCovariances(weights, means, covariances, k, 'mstep'));
  }

  private scatterScratch(): ScatterScratch {
    if (!this.scatter) this.scatter = createScatterScratch(this.d);
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

