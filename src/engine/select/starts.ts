// The starting partition of each K in a model-selection sweep. R's Mclust() starts every model at K components from
// the same hard partition: for one column, mclust's quantile classes (qclass); for more, its model-based hierarchical
// clustering (hc(X, "VVV", use = "SVD")) cut at K. k-means partitions are offered for comparison.

import { kmeans } from '../em/kmeans';
import { Rng } from '../em/rng';
import { FitError } from '../errors';
import { hcPartitions } from '../families/gaussian/mclust/hc';

/** Partitions as Mclust() starts EM: qclass for one column, otherwise hclass of the hierarchical clustering. */
export function defaultStartingPartitions(x: Float64Array, n: number, d: number, ks: readonly number[]): Int32Array[] {
  // A K that one column's distinct values cannot split (R's qclass never ends there) gets no start: its cells are NA.
  if (d === 1) return ks.map((k) => (k === 1 || distinctValues(x) > k ? quantileClasses(x, k) : new Int32Array(0)));
  try {
    return hcPartitions(x, n, d, [...ks]);
  } catch (e) {
    if (e instanceof RangeError) throw new FitError(`the hierarchical clustering that starts each K cannot run on these data (${e.message}).`);
    throw e;
  }
}

/** k-means++ then Lloyd's iterations, seeded with `seed + K` for each K (deterministic). */
export function kmeansPartitions(x: Float64Array, n: number, d: number, ks: readonly number[], seed = 0): Int32Array[] {
  return ks.map((k) => kmeans(x, n, d, k, new Rng(seed + k)).labels);
}

/**
 * mclust's qclass(x, k) for one column, 0-based: classes between K + 1 distinct quantiles (R's default type 7), taking
 * more quantiles while ties merge some and then dropping the ones that close the smallest gaps.
 */
export function quantileClasses(x: Float64Array, k: number): Int32Array {
  const n = x.length;
  const sorted = Float64Array.from(x).sort();
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - mean) ** 2;
  const eps = (n > 1 ? Math.sqrt(ss / (n - 1)) : 0) * Math.sqrt(Number.EPSILON);
  let q: number[] = [];
  // With fewer than K + 1 distinct values no number of quantiles gives K classes.
  const distinct = distinctValues(x);
  if (distinct < k + 1 && k > 1) throw new RangeError(`one column with ${distinct} distinct values cannot start ${k} classes`);
  for (let count = k + 1; q.length < k + 1; count++) q = uniqueQuantiles(sorted, count);
  if (q.length > k + 1) {
    // Drop the left end of each of the smallest gaps (R: q[-order(diff(q))[1:nr]], a stable order).
    const gaps = q.slice(1).map((v, i) => ({ gap: v - q[i], i }));
    gaps.sort((a, b) => a.gap - b.gap || a.i - b.i);
    const drop = new Set(gaps.slice(0, q.length - k - 1).map((g) => g.i));
    q = q.filter((_, i) => !drop.has(i));
  }
  q[0] = sorted[0] - eps;
  q[q.length - 1] = sorted[n - 1] + eps;
  const classes = new Int32Array(n).fill(-1);
  for (let c = 0; c < k; c++) for (let i = 0; i < n; i++) if (x[i] >= q[c] && x[i] < q[c + 1]) classes[i] = c;
  return classes;
}

/** unique(quantile(x, seq(0, 1, length = count))) with R's type-7 quantiles of the sorted values. */
function uniqueQuantiles(sorted: Float64Array, count: number): number[] {
  const n = sorted.length;
  const out: number[] = [];
  for (let j = 0; j < count; j++) {
    // R's seq(0, 1, length = count): exact ends, j * (1 / (count − 1)) between.
    const p = j === 0 ? 0 : j === count - 1 ? 1 : j * (1 / (count - 1));
    const index = (n - 1) * p;
    const lo = Math.floor(index);
    const hi = Math.ceil(index);
    let value = sorted[lo];
    const h = index - lo;
    if (index > lo && sorted[hi] !== value) value = (1 - h) * value + h * sorted[hi];
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

function distinctValues(x: Float64Array): number {
  return new Set(x).size;
}
