// The Bernoulli E- and M-step kernels over blocks of rows of a sparse binary matrix. The same code runs on the main
// thread (single-threaded path) and in the compute shards (shard.ts), block by block. Every block writes only its
// own rows (E-step) or its own partial sums (M-step), and the partial sums are added block by block in a fixed
// order, so the result is bit-for-bit the same whatever the number of threads and whichever thread ran a block.

/** Block layout: depends on n, d and k only (never on the thread count), so results do not either. */
export interface BlockLayout {
  /** Rows per block (the last block may be shorter). */
  blockRows: number;
  blocks: number;
  /** Doubles per block in the partial-sum buffer: D·K pixel counts then K soft counts. */
  stride: number;
}

const TARGET_BLOCK_ROWS = 1024;
const MAX_BLOCKS = 128;
/** Budget for all partial sums together (bytes). */
const PARTIAL_BUDGET = 32 * 1024 * 1024;

export function blockLayout(n: number, d: number, k: number): BlockLayout {
  const stride = d * k + k;
  const byBudget = Math.max(1, Math.floor(PARTIAL_BUDGET / (8 * stride)));
  const blocks = Math.max(1, Math.min(Math.ceil(n / TARGET_BLOCK_ROWS), MAX_BLOCKS, byBudget));
  const blockRows = Math.max(1, Math.ceil(n / blocks));
  return { blockRows, blocks: Math.max(1, Math.ceil(n / blockRows)), stride };
}

/**
 * E-step for rows [r0, r1): out[i·K + k] = base[k] + Σ_{j on in row i} wt[j·K + k], where base[k] = ln π_k + Σ_j ln(1−μ_kj)
 * and wt[j·K + k] = ln μ_kj − ln(1−μ_kj) (pixel-major, so one on-pixel reads K consecutive doubles).
 * Components are taken ten, then four, then one at a time with the running sums in locals (V8 keeps them in
 * registers; a loop over K in memory is 3–4× slower). Each sum is formed in the same order whatever the chunking.
 */
export function eStepRows(
  rowPtr: Uint32Array,
  colIdx: Uint16Array | Uint32Array,
  wt: Float64Array,
  base: Float64Array,
  k: number,
  r0: number,
  r1: number,
  out: Float64Array,
): void {
  if (k === 10) {
    eStepRows10(rowPtr, colIdx, wt, base, r0, r1, out);
    return;
  }
  let c = 0;
  for (; c + 10 <= k; c += 10) eStepChunk10(rowPtr, colIdx, wt, base, k, c, r0, r1, out);
  for (; c + 4 <= k; c += 4) eStepChunk4(rowPtr, colIdx, wt, base, k, c, r0, r1, out);
  for (; c < k; c++) {
    const b = base[c];
    for (let i = r0; i < r1; i++) {
      let s = b;
      const p1 = rowPtr[i + 1];
      for (let p = rowPtr[i]; p < p1; p++) s += wt[colIdx[p] * k + c];
      out[i * k + c] = s;
    }
  }
}

/** K = 10 exactly (MNIST's digits): constant stride, two on-pixels per loop turn (~15% faster, same sums). */
function eStepRows10(
  rowPtr: Uint32Array,
  colIdx: Uint16Array | Uint32Array,
  wt: Float64Array,
  base: Float64Array,
  r0: number,
  r1: number,
  out: Float64Array,
): void {
  const b0 = base[0], b1 = base[1], b2 = base[2], b3 = base[3], b4 = base[4];
  const b5 = base[5], b6 = base[6], b7 = base[7], b8 = base[8], b9 = base[9];
  for (let i = r0; i < r1; i++) {
    let s0 = b0, s1 = b1, s2 = b2, s3 = b3, s4 = b4, s5 = b5, s6 = b6, s7 = b7, s8 = b8, s9 = b9;
    const p1 = rowPtr[i + 1];
    let p = rowPtr[i];
    for (; p + 1 < p1; p += 2) {
      const w = colIdx[p] * 10;
      const v = colIdx[p + 1] * 10;
      s0 += wt[w];
      s1 += wt[w + 1];
      s2 += wt[w + 2];
      s3 += wt[w + 3];
      s4 += wt[w + 4];
      s5 += wt[w + 5];
      s6 += wt[w + 6];
      s7 += wt[w + 7];
      s8 += wt[w + 8];
      s9 += wt[w + 9];
      s0 += wt[v];
      s1 += wt[v + 1];
      s2 += wt[v + 2];
      s3 += wt[v + 3];
      s4 += wt[v + 4];
      s5 += wt[v + 5];
      s6 += wt[v + 6];
      s7 += wt[v + 7];
      s8 += wt[v + 8];
      s9 += wt[v + 9];
    }
    if (p < p1) {
      const w = colIdx[p] * 10;
      s0 += wt[w];
      s1 += wt[w + 1];
      s2 += wt[w + 2];
      s3 += wt[w + 3];
      s4 += wt[w + 4];
      s5 += wt[w + 5];
      s6 += wt[w + 6];
      s7 += wt[w + 7];
      s8 += wt[w + 8];
      s9 += wt[w + 9];
    }
    const o = i * 10;
    out[o] = s0;
    out[o + 1] = s1;
    out[o + 2] = s2;
    out[o + 3] = s3;
    out[o + 4] = s4;
    out[o + 5] = s5;
    out[o + 6] = s6;
    out[o + 7] = s7;
    out[o + 8] = s8;
    out[o + 9] = s9;
  }
}

/** Components c .. c+9. */
function eStepChunk10(
  rowPtr: Uint32Array,
  colIdx: Uint16Array | Uint32Array,
  wt: Float64Array,
  base: Float64Array,
  k: number,
  c: number,
  r0: number,
  r1: number,
  out: Float64Array,
): void {
  const b0 = base[c], b1 = base[c + 1], b2 = base[c + 2], b3 = base[c + 3], b4 = base[c + 4];
  const b5 = base[c + 5], b6 = base[c + 6], b7 = base[c + 7], b8 = base[c + 8], b9 = base[c + 9];
  for (let i = r0; i < r1; i++) {
    let s0 = b0, s1 = b1, s2 = b2, s3 = b3, s4 = b4, s5 = b5, s6 = b6, s7 = b7, s8 = b8, s9 = b9;
    const p1 = rowPtr[i + 1];
    for (let p = rowPtr[i]; p < p1; p++) {
      const w = colIdx[p] * k + c;
      s0 += wt[w];
      s1 += wt[w + 1];
      s2 += wt[w + 2];
      s3 += wt[w + 3];
      s4 += wt[w + 4];
      s5 += wt[w + 5];
      s6 += wt[w + 6];
      s7 += wt[w + 7];
      s8 += wt[w + 8];
      s9 += wt[w + 9];
    }
    const o = i * k + c;
    out[o] = s0;
    out[o + 1] = s1;
    out[o + 2] = s2;
    out[o + 3] = s3;
    out[o + 4] = s4;
    out[o + 5] = s5;
    out[o + 6] = s6;
    out[o + 7] = s7;
    out[o + 8] = s8;
    out[o + 9] = s9;
  }
}

/** Components c .. c+3. */
function eStepChunk4(
  rowPtr: Uint32Array,
  colIdx: Uint16Array | Uint32Array,
  wt: Float64Array,
  base: Float64Array,
  k: number,
  c: number,
  r0: number,
  r1: number,
  out: Float64Array,
): void {
  const b0 = base[c], b1 = base[c + 1], b2 = base[c + 2], b3 = base[c + 3];
  for (let i = r0; i < r1; i++) {
    let s0 = b0, s1 = b1, s2 = b2, s3 = b3;
    const p1 = rowPtr[i + 1];
    for (let p = rowPtr[i]; p < p1; p++) {
      const w = colIdx[p] * k + c;
      s0 += wt[w];
      s1 += wt[w + 1];
      s2 += wt[w + 2];
      s3 += wt[w + 3];
    }
    const o = i * k + c;
    out[o] = s0;
    out[o + 1] = s1;
    out[o + 2] = s2;
    out[o + 3] = s3;
  }
}

/**
 * Responsibilities below this are left out of the M-step's pixel counts (never out of N_k). A count Σ_i r_ik x_ij
 * then moves by less than n · 1e-16 — for 60,000 rows 6e-12, at the level of the rounding of the sum itself, and
 * relative to a numerator (count + a − 1) that is ≥ 1 under the default Beta(2, 2) prior. It matters for speed: after
 * a few iterations about half of MNIST's rows have a single responsibility above 1e-16 and most of the rest two, so
 * a row costs one or two additions per on-pixel instead of K.
 */
export const RESPONSIBILITY_FLOOR = 1e-16;

/**
 * M-step sums of one block, rows [r0, r1), into partial[off .. off + stride): counts[j·K + k] = Σ_i r_ik x_ij (Rᵀ X
 * through the CSR, skipping r_ik < RESPONSIBILITY_FLOOR) and soft counts N_k = Σ_i r_ik (all of them).
 * `scratchK`/`scratchR` have length ≥ K.
 */
export function accumulateBlock(
  rowPtr: Uint32Array,
  colIdx: Uint16Array | Uint32Array,
  resp: Float64Array,
  d: number,
  k: number,
  r0: number,
  r1: number,
  partial: Float64Array,
  off: number,
  scratchK: Int32Array,
  scratchR: Float64Array,
): void {
  const dk = d * k;
  partial.fill(0, off, off + dk + k);
  const nk = off + dk;
  for (let i = r0; i < r1; i++) {
    const ro = i * k;
    let m = 0;
    for (let c = 0; c < k; c++) {
      const r = resp[ro + c];
      partial[nk + c] += r;
      if (r >= RESPONSIBILITY_FLOOR) {
        scratchK[m] = c;
        scratchR[m] = r;
        m++;
      }
    }
    const p0 = rowPtr[i];
    const p1 = rowPtr[i + 1];
    if (m === 1) {
      const c = off + scratchK[0];
      const r = scratchR[0];
      for (let p = p0; p < p1; p++) partial[c + colIdx[p] * k] += r;
    } else if (m === 2) {
      const c0 = off + scratchK[0];
      const c1 = off + scratchK[1];
      const q0 = scratchR[0];
      const q1 = scratchR[1];
      for (let p = p0; p < p1; p++) {
        const w = colIdx[p] * k;
        partial[c0 + w] += q0;
        partial[c1 + w] += q1;
      }
    } else if (m === 3) {
      const c0 = off + scratchK[0];
      const c1 = off + scratchK[1];
      const c2 = off + scratchK[2];
      const q0 = scratchR[0];
      const q1 = scratchR[1];
      const q2 = scratchR[2];
      for (let p = p0; p < p1; p++) {
        const w = colIdx[p] * k;
        partial[c0 + w] += q0;
        partial[c1 + w] += q1;
        partial[c2 + w] += q2;
      }
    } else if (m === 10 && k === 10) {
      addRow10(rowPtr, colIdx, resp, ro, p0, p1, partial, off);
    } else if (m > 3) {
      for (let p = p0; p < p1; p++) {
        const w = off + colIdx[p] * k;
        for (let t = 0; t < m; t++) partial[w + scratchK[t]] += scratchR[t];
      }
    }
  }
}

/** All ten responsibilities of row `ro` onto its on-pixels, with the ten values in locals. */
function addRow10(
  rowPtr: Uint32Array,
  colIdx: Uint16Array | Uint32Array,
  resp: Float64Array,
  ro: number,
  p0: number,
  p1: number,
  partial: Float64Array,
  off: number,
): void {
  const q0 = resp[ro], q1 = resp[ro + 1], q2 = resp[ro + 2], q3 = resp[ro + 3], q4 = resp[ro + 4];
  const q5 = resp[ro + 5], q6 = resp[ro + 6], q7 = resp[ro + 7], q8 = resp[ro + 8], q9 = resp[ro + 9];
  for (let p = p0; p < p1; p++) {
    const w = off + colIdx[p] * 10;
    partial[w] += q0;
    partial[w + 1] += q1;
    partial[w + 2] += q2;
    partial[w + 3] += q3;
    partial[w + 4] += q4;
    partial[w + 5] += q5;
    partial[w + 6] += q6;
    partial[w + 7] += q7;
    partial[w + 8] += q8;
    partial[w + 9] += q9;
  }
}

/** Adds the blocks' partial sums in block order into `total` (length stride): the one fixed summation order. */
export function reduceBlocks(partial: Float64Array, layout: BlockLayout, total: Float64Array): void {
  const { blocks, stride } = layout;
  total.set(partial.subarray(0, stride));
  for (let b = 1; b < blocks; b++) {
    const off = b * stride;
    for (let e = 0; e < stride; e++) total[e] += partial[off + e];
  }
}

/** Rows of block b. */
export function blockRowRange(layout: BlockLayout, n: number, b: number): [number, number] {
  const r0 = b * layout.blockRows;
  return [r0, Math.min(n, r0 + layout.blockRows)];
}
