// E-step for any mclust model: log N(x_i | μ_k, Σ_k) through the Cholesky factor of each full Σ_k, plus ln π_k,
// normalised by log-sum-exp into responsibilities; returns the total log-likelihood Σ_i ln Σ_k π_k N(x_i | μ_k, Σ_k).
// The E-step runs once per EM iteration of every cell of a model selection, so the factors' inverses are formed once
// per M-step (the rows then need multiplications only), diagonal covariances take a d-term path, and each row needs
// at most one exp per component, as mclust's Fortran (exp(l − max), then scaled by 1 / Σ), by a table-driven exp for
// non-positive arguments (within 2 ulp of Math.exp, about twice as fast); terms below 2^-53 of the row's largest are 0.

import { choleskyInPlace, logDetFromCholesky } from '../linalg';

const LOG_2PI = Math.log(2 * Math.PI);
/** ln 2^-53. */
const NEGLIGIBLE_LOG_RATIO = -53 * Math.LN2;

// exp(x) = 2^m · 2^(j/64) · exp(r) with x = (64 m + j) ln2/64 + r, |r| ≤ ln2/128: ln2/64 split so that n · HI is exact.
const EXP_SCALE = 64 / Math.LN2;
const LN2_64_HI = 6.93147180369123816490e-1 / 64;
const LN2_64_LO = 1.90821492927058770002e-10 / 64;
const ROUNDING_SHIFT = 6755399441055744; // 1.5 · 2^52: x + S − S rounds x to an integer
const EXP_FRACTIONS = Float64Array.from({ length: 64 }, (_, j) => Math.pow(2, j / 64));
const EXP_POWERS = Float64Array.from({ length: 1081 }, (_, i) => Math.pow(2, i - 1080));

/** e^x for x ≤ 0 (0 below −745.2, where e^x is below the smallest double). */
export function expNonPositive(x: number): number {
  if (x < -745.2) return 0;
  const n = x * EXP_SCALE + ROUNDING_SHIFT - ROUNDING_SHIFT;
  const r = x - n * LN2_64_HI - n * LN2_64_LO;
  // n is a whole number in [−68800, 0]: n = 64 m + j with m = n >> 6 (the floor) and j = n & 63.
  const whole = n | 0;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720))))));
  return EXP_POWERS[(whole >> 6) + 1080] * (EXP_FRACTIONS[whole & 63] * p);
}

/** Scratch of the E-step, allocated once per (d, K). */
export class EStepWorkspace {
  /** The lower Cholesky factor L_k of each Σ_k, K × d × d row-major. */
  readonly choleskyFactors: Float64Array;
  readonly logDeterminants: Float64Array;
  readonly logWeights: Float64Array;
  readonly row: Float64Array;
  readonly logProbabilities: Float64Array;
  /** L_k⁻¹ (lower triangular), K × d × d: the Mahalanobis term is ‖L_k⁻¹ (x − μ_k)‖². */
  readonly inverseFactors: Float64Array;
  /** 1 / Σ_k,jj, K × d, used when every Σ_k is diagonal. */
  readonly precisions: Float64Array;
  /** True when every factored Σ_k is diagonal. */
  diagonal = false;

  constructor(
    readonly d: number,
    readonly k: number,
  ) {
    this.choleskyFactors = new Float64Array(k * d * d);
    this.logDeterminants = new Float64Array(k);
    this.logWeights = new Float64Array(k);
    this.row = new Float64Array(d);
    this.logProbabilities = new Float64Array(k);
    this.inverseFactors = new Float64Array(k * d * d);
    this.precisions = new Float64Array(k * d);
  }
}

/**
 * Factors every Σ_k; false when one is singular at mclust's rule for Cholesky factors (min |L_ii| / (1 + max |L_ii|)
 * ≤ √eps) or not positive definite.
 */
export function factorCovariances(covariances: Float64Array, workspace: EStepWorkspace, eps = Number.EPSILON): boolean {
  const { d, k, choleskyFactors, logDeterminants, inverseFactors, precisions } = workspace;
  const dd = d * d;
  const rootEps = Math.sqrt(eps);
  for (let e = 0; e < k * dd; e++) choleskyFactors[e] = covariances[e];
  let diagonal = true;
  for (let e = 0; e < k * dd && diagonal; e++) if (covariances[e] !== 0 && (e % dd) % (d + 1) !== 0) diagonal = false;
  for (let c = 0; c < k; c++) {
    const base = c * dd;
    if (!choleskyInPlace(choleskyFactors, d, base)) return false;
    let smallest = Infinity;
    let largest = 0;
    for (let j = 0; j < d; j++) {
      const l = Math.abs(choleskyFactors[base + j * d + j]);
      smallest = Math.min(smallest, l);
      largest = Math.max(largest, l);
    }
    if (!(smallest / (1 + largest) > rootEps)) return false;
    logDeterminants[c] = logDetFromCholesky(choleskyFactors, d, base);
    // Column col of L⁻¹ by forward substitution on e_col.
    for (let e = 0; e < dd; e++) inverseFactors[base + e] = 0;
    for (let col = 0; col < d; col++) {
      for (let r = col; r < d; r++) {
        let s = r === col ? 1 : 0;
        for (let p = col; p < r; p++) s -= choleskyFactors[base + r * d + p] * inverseFactors[base + p * d + col];
        inverseFactors[base + r * d + col] = s / choleskyFactors[base + r * d + r];
      }
    }
    for (let j = 0; j < d; j++) precisions[c * d + j] = 1 / covariances[base + j * d + j];
  }
  workspace.diagonal = diagonal;
  return true;
}

/**
 * Writes the n × K responsibilities into `z` and returns the log-likelihood, for covariances already factored by
 * `factorCovariances`. A component with weight 0 gets responsibility 0 (as mclust).
 */
export function mclustEStep(
  x: Float64Array,
  n: number,
  weights: Float64Array,
  means: Float64Array,
  workspace: EStepWorkspace,
  z: Float64Array,
  caseWeights?: Float64Array,
): number {
  const { d, k, logDeterminants, logWeights, precisions, inverseFactors, row, diagonal } = workspace;
  for (let c = 0; c < k; c++) logWeights[c] = weights[c] > 0 ? Math.log(weights[c]) - 0.5 * (d * LOG_2PI + logDeterminants[c]) : -Infinity;
  if (diagonal) diagonalLogDensities(x, n, d, k, means, precisions, logWeights, z);
  else fullLogDensities(x, n, d, k, means, inverseFactors, logWeights, row, z);
  let logLikelihood = 0;
  for (let i = 0; i < n; i++) {
    const base = i * k;
    let largest = -Infinity;
    let at = -1;
    for (let c = 0; c < k; c++) {
      if (z[base + c] > largest) {
        largest = z[base + c];
        at = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < k; c++) {
      // e^0 = 1 exactly: the largest term needs no exp. A term below 2^-53 of the largest is 0 (mclust keeps it): it
      // is below the rounding of the sum (≥ 1), and the M-step then skips its row.
      const v = z[base + c] - largest;
      const e = c === at ? 1 : v < NEGLIGIBLE_LOG_RATIO ? 0 : expNonPositive(v);
      z[base + c] = e;
      sum += e;
    }
    // Case weights: Σ_i w_i ln p(x_i) (a row of weight 0 adds nothing, even at density 0).
    if (!caseWeights) logLikelihood += Math.log(sum) + largest;
    else if (caseWeights[i] !== 0) logLikelihood += caseWeights[i] * (Math.log(sum) + largest);
    const scale = 1 / sum;
    for (let c = 0; c < k; c++) z[base + c] *= scale;
  }
  return logLikelihood;
}

// The density kernels run component by component (rows innermost), with that component's parameters in locals for
// two to four columns: V8 re-checks every typed array an inner loop touches on each pass, so the fewer arrays there,
// the faster. Each entry is computed with the same operations in the same order as the general loop (a zero's sign
// aside, which squaring removes).

/** ln π_k N(x_i | μ_k, Σ_k) into out (n × K) for diagonal Σ_k given by their precisions 1 / σ²_kj. */
function diagonalLogDensities(x: Float64Array, n: number, d: number, k: number, means: Float64Array, precisions: Float64Array, logWeights: Float64Array, out: Float64Array): void {
  for (let c = 0; c < k; c++) {
    const constant = logWeights[c];
    if (constant === -Infinity) {
      fillComponent(out, n, k, c, -Infinity);
      continue;
    }
    const mo = c * d;
    if (d === 2) {
      const m0 = means[mo];
      const m1 = means[mo + 1];
      const p0 = precisions[mo];
      const p1 = precisions[mo + 1];
      for (let i = 0, o = c; i < n; i++, o += k) {
        const v0 = x[2 * i] - m0;
        const v1 = x[2 * i + 1] - m1;
        out[o] = constant - 0.5 * (v0 * v0 * p0 + v1 * v1 * p1);
      }
      continue;
    }
    for (let i = 0, o = c; i < n; i++, o += k) {
      const xo = i * d;
      let mahalanobis = 0;
      for (let j = 0; j < d; j++) {
        const v = x[xo + j] - means[mo + j];
        mahalanobis += v * v * precisions[mo + j];
      }
      out[o] = constant - 0.5 * mahalanobis;
    }
  }
}

/** ln π_k N(x_i | μ_k, Σ_k) into out (n × K) through the inverse Cholesky factors L_k⁻¹. */
function fullLogDensities(x: Float64Array, n: number, d: number, k: number, means: Float64Array, inverseFactors: Float64Array, logWeights: Float64Array, centered: Float64Array, out: Float64Array): void {
  const dd = d * d;
  for (let c = 0; c < k; c++) {
    const constant = logWeights[c];
    if (constant === -Infinity) {
      fillComponent(out, n, k, c, -Infinity);
      continue;
    }
    const mo = c * d;
    const fo = c * dd;
    if (d === 2) {
      const m0 = means[mo];
      const m1 = means[mo + 1];
      const f00 = inverseFactors[fo];
      const f10 = inverseFactors[fo + 2];
      const f11 = inverseFactors[fo + 3];
      for (let i = 0, o = c; i < n; i++, o += k) {
        const c0 = x[2 * i] - m0;
        const c1 = x[2 * i + 1] - m1;
        const y0 = f00 * c0;
        const y1 = f10 * c0 + f11 * c1;
        out[o] = constant - 0.5 * (y0 * y0 + y1 * y1);
      }
      continue;
    }
    if (d === 3) {
      const m0 = means[mo];
      const m1 = means[mo + 1];
      const m2 = means[mo + 2];
      const f00 = inverseFactors[fo];
      const f10 = inverseFactors[fo + 3];
      const f11 = inverseFactors[fo + 4];
      const f20 = inverseFactors[fo + 6];
      const f21 = inverseFactors[fo + 7];
      const f22 = inverseFactors[fo + 8];
      for (let i = 0, o = c, xo = 0; i < n; i++, o += k, xo += 3) {
        const c0 = x[xo] - m0;
        const c1 = x[xo + 1] - m1;
        const c2 = x[xo + 2] - m2;
        const y0 = f00 * c0;
        const y1 = f10 * c0 + f11 * c1;
        const y2 = f20 * c0 + f21 * c1 + f22 * c2;
        out[o] = constant - 0.5 * (y0 * y0 + y1 * y1 + y2 * y2);
      }
      continue;
    }
    if (d === 4) {
      const m0 = means[mo];
      const m1 = means[mo + 1];
      const m2 = means[mo + 2];
      const m3 = means[mo + 3];
      const f00 = inverseFactors[fo];
      const f10 = inverseFactors[fo + 4];
      const f11 = inverseFactors[fo + 5];
      const f20 = inverseFactors[fo + 8];
      const f21 = inverseFactors[fo + 9];
      const f22 = inverseFactors[fo + 10];
      const f30 = inverseFactors[fo + 12];
      const f31 = inverseFactors[fo + 13];
      const f32 = inverseFactors[fo + 14];
      const f33 = inverseFactors[fo + 15];
      for (let i = 0, o = c, xo = 0; i < n; i++, o += k, xo += 4) {
        const c0 = x[xo] - m0;
        const c1 = x[xo + 1] - m1;
        const c2 = x[xo + 2] - m2;
        const c3 = x[xo + 3] - m3;
        const y0 = f00 * c0;
        const y1 = f10 * c0 + f11 * c1;
        const y2 = f20 * c0 + f21 * c1 + f22 * c2;
        const y3 = f30 * c0 + f31 * c1 + f32 * c2 + f33 * c3;
        out[o] = constant - 0.5 * (y0 * y0 + y1 * y1 + y2 * y2 + y3 * y3);
      }
      continue;
    }
    for (let i = 0, o = c; i < n; i++, o += k) {
      const xo = i * d;
      let mahalanobis = 0;
      for (let r = 0; r < d; r++) {
        centered[r] = x[xo + r] - means[mo + r];
        const ro = fo + r * d;
        let y = 0;
        for (let l = 0; l <= r; l++) y += inverseFactors[ro + l] * centered[l];
        mahalanobis += y * y;
      }
      out[o] = constant - 0.5 * mahalanobis;
    }
  }
}

function fillComponent(out: Float64Array, n: number, k: number, c: number, value: number): void {
  for (let i = 0, o = c; i < n; i++, o += k) out[o] = value;
}
