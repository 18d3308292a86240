// M-step kernels of the Gaussian family (sklearn's _estimate_gaussian_parameters): weighted sums, the blocked
// scatter of full/tied covariances, and the one-pass D = 2 covariances. Nothing here allocates but the scratch.

import type { CovarianceType } from '../../../shared/protocol';


/** nk_j = Σ_i r_ij and sums_j = Σ_i r_ij x_i (K × D). */
export function weightedSums(values: Float64Array, n: number, d: number, resp: Float64Array, k: number, nk: Float64Array, sums: Float64Array): void {
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

export interface ScatterScratch {
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
export function accumulateScatter(
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
export function finishCovariance(c: Float64Array, o: number, d: number, count: number, reg: number): void {
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
 * D = 2, every type: the centred weighted sums s00, s01, s11 per component in one pass over the rows (no branch
 * on zero responsibilities: a zero weight adds exactly zero), then the type's covariance from them.
 */
export function covariancesD2(
  values: Float64Array,
  n: number,
  type: CovarianceType,
  reg: number,
  resp: Float64Array,
  k: number,
  nk: Float64Array,
  means: Float64Array,
  covariances: Float64Array,
): void {
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

/** Scratch for accumulateScatter, sized for D features. */
export function createScatterScratch(d: number): ScatterScratch {
  const dp = Math.ceil(d / 4) * 4;
  return {
    dp,
    sums: new Float64Array(dp * dp),
    centred: new Float64Array(dp * SCATTER_BLOCK),
    weighted: new Float64Array(dp * SCATTER_BLOCK),
  };
}
