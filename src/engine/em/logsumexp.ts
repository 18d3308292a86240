/**
 * In place, for each row i of an n × k row-major matrix of log-values: row ← row − logsumexp(row), so the row
 * becomes log-responsibilities. Returns Σ_i logsumexp(row_i), the total log-likelihood.
 * `rowLogNorm`, if given, receives logsumexp(row_i).
 */
export function normalizeLogRows(logProb: Float64Array, n: number, k: number, rowLogNorm?: Float64Array): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) if (logProb[o + j] > max) max = logProb[o + j];
    let lse: number;
    if (max === -Infinity) {
      lse = -Infinity;
    } else if (max === Infinity) {
      lse = Infinity;
    } else {
      let s = 0;
      for (let j = 0; j < k; j++) s += Math.exp(logProb[o + j] - max);
      lse = max + Math.log(s);
    }
    for (let j = 0; j < k; j++) logProb[o + j] -= lse;
    if (rowLogNorm) rowLogNorm[i] = lse;
    total += lse;
  }
  return total;
}

// exp for x ≤ 0, about twice as fast as Math.exp (which V8 calls out of line) and within 2 ulps of it: x = (64m + j)
// ln2/64 + r with |r| ≤ ln2/128 (Cody–Waite, ln2/64 split in a 32-bit head and a tail), exp(r) by a degree-6
// polynomial (truncation < 1e-17), then the table value 2^(j/64) and 2^m.
const EXP_TABLE = Float64Array.from({ length: 64 }, (_, j) => Math.pow(2, j / 64));
const POW2_OFFSET = 1100;
const POW2 = Float64Array.from({ length: POW2_OFFSET + 1 }, (_, i) => Math.pow(2, i - POW2_OFFSET));
const INV_LN2_64 = 64 / Math.LN2;
const LN2_64_HI = Math.round((Math.LN2 / 64) * 2 ** 38) / 2 ** 38;
// ln 2 = 6.93147180369123816490e-01 + 1.90821492927058770002e-10 to ~1e-27 (fdlibm's split).
const LN2_64_LO = (6.9314718036912381649e-1 - 64 * LN2_64_HI + 1.90821492927058770002e-10) / 64;
/** Adding then subtracting 1.5·2⁵² rounds a double of magnitude < 2⁵¹ to the nearest integer. */
const ROUND_SHIFT = 6755399441055744;

/** e^x for x ≤ 0 (−∞ → 0, NaN → NaN); falls back to Math.exp for x > 0. */
export function expNonPositive(x: number): number {
  if (!(x >= -745.2)) return x === x ? 0 : x;
  if (x > 0) return Math.exp(x);
  const kf = x * INV_LN2_64 + ROUND_SHIFT - ROUND_SHIFT;
  const r = x - kf * LN2_64_HI - kf * LN2_64_LO;
  const ki = kf | 0;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720))))));
  return EXP_TABLE[ki & 63] * p * POW2[(ki >> 6) + POW2_OFFSET];
}

/**
 * normalizeLogRows fused with the exponential the M-step needs: as normalizeLogRows, and also resp[i·k + j] =
 * exp(logProb[i·k + j]) of the normalised row, from the exp(x − max) terms that the log-sum-exp already computes
 * (one exp per value instead of two). resp differs from Math.exp(row − lse) by a few ulps at most (and is closer
 * to the exact value: it does not inherit the rounding of row − lse).
 */
export function normalizeLogRowsAndExp(logProb: Float64Array, n: number, k: number, resp: Float64Array, rowLogNorm?: Float64Array): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) if (logProb[o + j] > max) max = logProb[o + j];
    let lse: number;
    if (max === -Infinity || max === Infinity) {
      // Degenerate row (no finite maximum): same values as normalizeLogRows (the caller reports the non-finite total).
      lse = max;
      for (let j = 0; j < k; j++) resp[o + j] = Math.exp((logProb[o + j] -= lse));
    } else {
      let s = 0;
      for (let j = 0; j < k; j++) {
        const e = expNonPositive(logProb[o + j] - max);
        resp[o + j] = e;
        s += e;
      }
      lse = max + Math.log(s);
      const inv = 1 / s;
      for (let j = 0; j < k; j++) {
        logProb[o + j] -= lse;
        resp[o + j] *= inv;
      }
    }
    if (rowLogNorm) rowLogNorm[i] = lse;
    total += lse;
  }
  return total;
}

/** log(Σ exp(values)) of a short array, stable. */
export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  if (!Number.isFinite(max)) return max;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.exp(values[i] - max);
  return max + Math.log(s);
}
