// How well clusters match known labels (never used by the fit): per-cluster majority label and purity, accuracy
// under the best cluster → label map, adjusted Rand index and normalised mutual information, as sklearn.metrics.

import type { LabelMetrics } from '../../shared/protocol';

/** The labels as codes 0 … L − 1 in the order of their sorted values (the confusion table's columns). */
export function labelCodes(labels: ArrayLike<number>): { codes: Int32Array; values: number[] } {
  const values = Array.from(new Set(Array.from(labels))).sort((x, y) => x - y);
  const index = new Map(values.map((v, i) => [v, i]));
  const codes = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) codes[i] = index.get(labels[i])!;
  return { codes, values };
}

/** confusion[c][l]: rows assigned to cluster c whose label has code l (assignments outside 0 … k − 1 are skipped). */
export function confusionCounts(assignments: ArrayLike<number>, codes: Int32Array, k: number, labelCount: number): number[][] {
  const confusion: number[][] = Array.from({ length: k }, () => new Array<number>(labelCount).fill(0));
  const n = Math.min(assignments.length, codes.length);
  for (let i = 0; i < n; i++) {
    const c = assignments[i];
    if (c >= 0 && c < k) confusion[c][codes[i]]++;
  }
  return confusion;
}

/**
 * `accuracy` is the many-to-one accuracy: every cluster is mapped to its majority label (several clusters may map
 * to the same label), which is the best map when clusters are free to share labels; it equals the overall purity.
 * When K equals the number of distinct labels, `oneToOneAccuracy` is also given: the best one-to-one map (each
 * label used by one cluster, found by the Hungarian algorithm), the usual "clustering accuracy" of the literature.
 * ARI is sklearn's adjusted_rand_score, NMI sklearn's normalized_mutual_info_score with arithmetic normalisation.
 * Empty clusters get majorityLabel −1 and purity 0. With `names` (text labels: label v is names[v]) the result also
 * carries each label's name and each cluster's majority label's name.
 */
export function labelMetrics(assignments: ArrayLike<number>, labels: ArrayLike<number>, k: number, names?: readonly string[]): LabelMetrics {
  const n = assignments.length;
  if (labels.length !== n) throw new Error(`labelMetrics: ${n} assignments but ${labels.length} labels`);
  for (let i = 0; i < n; i++) {
    const c = assignments[i];
    if (!(c >= 0 && c < k)) throw new Error(`labelMetrics: assignment ${c} of row ${i} is outside 0..${k - 1}`);
  }
  const { codes, values } = labelCodes(labels);
  return labelMetricsFromConfusion(confusionCounts(assignments, codes, k, values.length), values, names);
}

/**
 * labelMetrics from the K × L contingency of clusters and labels (confusion[c][l]: rows of cluster c whose label is
 * labelValues[l]), as a fit streamed from disk counts it pass by pass: the formulas exist once, here.
 */
export function labelMetricsFromConfusion(confusion: number[][], labelValues: readonly number[], names?: readonly string[]): LabelMetrics {
  const L = labelValues.length;
  let n = 0;
  let majorityTotal = 0;
  const clusters = confusion.map((row) => {
    let size = 0;
    let best = -1;
    let bestCount = 0;
    row.forEach((count, l) => {
      size += count;
      if (count > bestCount) {
        bestCount = count;
        best = l;
      }
    });
    n += size;
    majorityTotal += bestCount;
    const majorityLabel = best >= 0 ? labelValues[best] : -1;
    const named = names && best >= 0 ? { majorityLabelName: names[majorityLabel] ?? String(majorityLabel) } : {};
    return { majorityLabel, ...named, purity: size > 0 ? bestCount / size : 0, size };
  });
  const result: LabelMetrics = {
    accuracy: n > 0 ? majorityTotal / n : 0,
    adjustedRandIndex: adjustedRandIndex(confusion, n),
    normalizedMutualInfo: normalizedMutualInfo(confusion, n),
    clusters,
    confusion,
    labelValues: labelValues.slice(),
  };
  if (names) result.labelNames = labelValues.map((v) => names[v] ?? String(v));
  if (confusion.length === L && n > 0) result.oneToOneAccuracy = oneToOneMatches(confusion) / n;
  return result;
}

/** sklearn's adjusted_rand_score from the K × L contingency table (pair counts in doubles: exact below 2^53). */
export function adjustedRandIndex(contingency: number[][], n: number): number {
  let sumSquares = 0;
  const rowSums: number[] = [];
  const colSums = new Array<number>(contingency[0]?.length ?? 0).fill(0);
  for (const row of contingency) {
    let s = 0;
    row.forEach((v, l) => {
      s += v;
      sumSquares += v * v;
      colSums[l] += v;
    });
    rowSums.push(s);
  }
  // Pair confusion matrix (sklearn.metrics.cluster.pair_confusion_matrix), rows = clusters, columns = labels.
  let rowDotCol = 0;
  let colDotRow = 0;
  contingency.forEach((row, c) => {
    row.forEach((v, l) => {
      rowDotCol += v * colSums[l];
      colDotRow += v * rowSums[c];
    });
  });
  const tp = sumSquares - n;
  const fp = rowDotCol - sumSquares;
  const fn = colDotRow - sumSquares;
  const tn = n * n - fp - fn - sumSquares;
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

/** sklearn's normalized_mutual_info_score, average_method='arithmetic', natural log. */
export function normalizedMutualInfo(contingency: number[][], n: number): number {
  const rowSums = contingency.map((row) => row.reduce((s, v) => s + v, 0));
  const colSums = new Array<number>(contingency[0]?.length ?? 0).fill(0);
  for (const row of contingency) row.forEach((v, l) => (colSums[l] += v));
  const clustersPresent = rowSums.filter((v) => v > 0);
  const labelsPresent = colSums.filter((v) => v > 0);
  if ((clustersPresent.length === 1 && labelsPresent.length === 1) || n === 0) return 1;
  let mi = 0;
  if (clustersPresent.length > 1 && labelsPresent.length > 1) {
    const logN = Math.log(n);
    contingency.forEach((row, c) => {
      row.forEach((v, l) => {
        if (v === 0) return;
        const term = (v / n) * (Math.log(v) - logN) + (v / n) * (-Math.log(rowSums[c] * colSums[l]) + logN + logN);
        if (Math.abs(term) >= Number.EPSILON) mi += term;
      });
    });
    mi = Math.max(0, mi);
  }
  if (mi === 0) return 0;
  const entropy = (counts: number[]) => {
    if (counts.length === 1) return 0;
    let h = 0;
    for (const v of counts) h -= (v / n) * (Math.log(v) - Math.log(n));
    return h;
  };
  return mi / ((entropy(clustersPresent) + entropy(labelsPresent)) / 2);
}

/** Largest total of a one-to-one assignment on a square count matrix (Hungarian algorithm, O(n³)). */
export function oneToOneMatches(counts: number[][]): number {
  const size = counts.length;
  if (size === 0) return 0;
  let max = 0;
  for (const row of counts) for (const v of row) if (v > max) max = v;
  // Minimise cost = max − count; potentials u (rows), v (columns); 1-based as in the classic e-maxx formulation.
  const INF = Number.POSITIVE_INFINITY;
  const u = new Float64Array(size + 1);
  const v = new Float64Array(size + 1);
  const match = new Int32Array(size + 1); // match[column] = row
  const way = new Int32Array(size + 1);
  for (let i = 1; i <= size; i++) {
    match[0] = i;
    let j0 = 0;
    const minv = new Float64Array(size + 1).fill(INF);
    const used = new Uint8Array(size + 1);
    do {
      used[j0] = 1;
      const i0 = match[j0];
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= size; j++) {
        if (used[j]) continue;
        const cur = max - counts[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= size; j++) {
        if (used[j]) {
          u[match[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (match[j0] !== 0);
    do {
      const j1 = way[j0];
      match[j0] = match[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  let total = 0;
  for (let j = 1; j <= size; j++) total += counts[match[j] - 1][j - 1];
  return total;
}
