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

/**
 * normalizeLogRows fused with the exponential the M-step needs: as normalizeLogRows, and also resp[i·k + j] =
 * exp(logProb[i·k + j]) of the normalised row, from the exp(x − max) terms that the log-sum-exp already computes
 * (one exp per value instead of two; the result differs from exp(row − lse) by a couple of ulps at most).
 */
export function normalizeLogRowsAndExp(logProb: Float64Array, n: number, k: number, resp: Float64Array): number {
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
        const e = Math.exp(logProb[o + j] - max);
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
