// Starting points shared by every mixture family (in the spirit of sklearn's BaseMixture._initialize_parameters):
// each initialisation method yields starting responsibilities (n × K, rows summing to 1) or row choices, which the
// family turns into parameters with its own M-step. Deterministic for a given Rng state.

import type { Rng } from './rng';

/** One-hot responsibilities from hard labels (0..K−1). */
export function hardResponsibilities(labels: Int32Array, n: number, k: number): Float64Array {
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) resp[i * k + labels[i]] = 1;
  return resp;
}

/** For each row, the nearest of K means (squared Euclidean distance, first on ties). */
export function nearestMeanLabels(values: Float64Array, n: number, d: number, means: Float64Array, k: number): Int32Array {
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
export function distinctRows(values: Float64Array, n: number, d: number, k: number, rng: Rng): Int32Array {
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
