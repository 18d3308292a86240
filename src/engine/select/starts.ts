// The starting partition of each K in a model-selection sweep. R's Mclust() starts every model at K components from
// the same hard partition: for one column, mclust's quantile classes (qclass); for more, its model-based hierarchical
// clustering (hc(X, "VVV", use = "SVD")) cut at K. k-means partitions are offered for comparison.

import { kmeans } from '../em/kmeans';
import { Rng } from '../em/rng';
import { FitError } from '../errors';
import { sampleWithoutReplacement } from '../em/init';
import { EStepWorkspace, factorCovariances, mclustEStep } from '../families/gaussian/mclust/estep';
import { hcPartitions } from '../families/gaussian/mclust/hc';
import { DEFAULT_MSTEP_CONTROL, MclustState } from '../families/gaussian/mclust/mstep';

/**
 * Rows the hierarchical clustering is run on at most (mclust.options("subset")): its memory grows with n², so Mclust()
 * clusters a random subset of larger data and extends the partition to every row.
 */
export const HC_SUBSET_ROWS = 2000;

/** Partitions as Mclust() starts EM: qclass for one column, otherwise hclass of the hierarchical clustering. */
export function defaultStartingPartitions(x: Float64Array, n: number, d: number, ks: readonly number[]): Int32Array[] {
  // A K that one column's distinct values cannot split (R's qclass never ends there) gets no start: its cells are NA.
  if (d === 1) return ks.map((k) => (k === 1 || distinctValues(x) > k ? quantileClasses(x, k) : new Int32Array(0)));
  try {
    if (n > HC_SUBSET_ROWS) return subsetHcPartitions(x, n, d, ks);
    return hcPartitions(x, n, d, [...ks]);
  } catch (e) {
    if (e instanceof RangeError) throw new FitError(`the hierarchical clustering that starts each K cannot run on these data (${e.message}).`);
    throw e;
  }
}

/**
 * As Mclust() on more than HC_SUBSET_ROWS rows: the hierarchical clustering of a random subset of that many rows
 * (seeded, so the same data give the same starts), each cut at K, extended to every row by the Gaussian (VVV) fitted
 * to the subset's classes — each row joins its most probable class. (mclust extends it with each model's own
 * M-step and keeps the soft probabilities; one hard partition per K keeps every model's start the same here.)
 */
export function subsetHcPartitions(x: Float64Array, n: number, d: number, ks: readonly number[], seed = 0): Int32Array[] {
  const rows = hcSubsetRows(n, seed);
  const m = rows.length;
  const subset = new Float64Array(m * d);
  for (let a = 0; a < m; a++) for (let j = 0; j < d; j++) subset[a * d + j] = x[rows[a] * d + j];
  const partitions = hcPartitions(subset, m, d, [...ks]);
  return partitions.map((labels, index) => {
    const out = new Int32Array(n);
    subsetExtension(subset, m, d, ks[index], labels).classify(x, n, out);
    return out;
  });
}

/** The rows (increasing) of the random subset the hierarchical clustering of n > HC_SUBSET_ROWS rows runs on. */
export function hcSubsetRows(n: number, seed = 0): Int32Array {
  return sampleWithoutReplacement(n, HC_SUBSET_ROWS, new Rng(seed)).sort();
}

/** How the subset's K classes reach every row: each row's class, for rows that may come in chunks. */
export interface PartitionExtension {
  readonly k: number;
  /** Centres of the classes (K × d): the fitted means, or the subset's class means. */
  readonly centres: Float64Array;
  /** Writes the class of each of `rows` rows of `x` (row-major) into `out`. */
  classify(x: Float64Array, rows: number, out: Int32Array): void;
}

/**
 * The extension of the subset's classes to other rows: each row's most probable class under the VVV Gaussian
 * mixture fitted to the subset's classes (its nearest class mean if that cannot be fitted). Row by row, so rows may
 * come in chunks.
 */
export function subsetExtension(subset: Float64Array, m: number, d: number, k: number, labels: Int32Array): PartitionExtension {
  const means = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let a = 0; a < m; a++) {
    counts[labels[a]]++;
    for (let j = 0; j < d; j++) means[labels[a] * d + j] += subset[a * d + j];
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] /= Math.max(1, counts[c]);
  if (k === 1) return { k, centres: means, classify: (_x, rows, out) => out.fill(0, 0, rows) };
  const z = new Float64Array(m * k);
  for (let a = 0; a < m; a++) z[a * k + labels[a]] = 1;
  const state = new MclustState('VVV', d, k);
  const workspace = new EStepWorkspace(d, k);
  // A small class of the subset may have a singular covariance: a ridge relative to the data's scale keeps it usable.
  const control = { ...DEFAULT_MSTEP_CONTROL, regularization: 1e-6 * meanVariance(subset, m, d) };
  if (state.mStep(subset, m, z, control) === undefined && factorCovariances(state.covariances, workspace, control.eps)) {
    let scratch = new Float64Array(0);
    return {
      k,
      centres: state.means,
      classify(x, rows, out) {
        if (scratch.length < rows * k) scratch = new Float64Array(rows * k);
        mclustEStep(x, rows, state.weights, state.means, workspace, scratch);
        for (let i = 0; i < rows; i++) {
          let best = 0;
          for (let c = 1; c < k; c++) if (scratch[i * k + c] > scratch[i * k + best]) best = c;
          out[i] = best;
        }
      },
    };
  }
  return {
    k,
    centres: means,
    classify(x, rows, out) {
      for (let i = 0; i < rows; i++) {
        let best = 0;
        let bestDistance = Infinity;
        for (let c = 0; c < k; c++) {
          let distance = 0;
          for (let j = 0; j < d; j++) distance += (x[i * d + j] - means[c * d + j]) ** 2;
          if (distance < bestDistance) {
            best = c;
            bestDistance = distance;
          }
        }
        out[i] = best;
      }
    },
  };
}

function meanVariance(x: Float64Array, n: number, d: number): number {
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * d + j];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i * d + j] - mean) ** 2;
    total += ss / Math.max(1, n - 1);
  }
  return total / d || 1;
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
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  let q: number[] = [];
  // With fewer than K + 1 distinct values no number of quantiles gives K classes.
  const distinct = distinctValues(x);
  if (distinct < k + 1 && k > 1) throw new RangeError(`one column with ${distinct} distinct values cannot start ${k} classes`);
  const at = (i: number) => sorted[i];
  for (let count = k + 1; q.length < k + 1; count++) q = uniqueQuantiles(at, n, count);
  q = quantileBreaks(q, k, sorted[0], sorted[n - 1], sd);
  const classes = new Int32Array(n);
  classifyByBreaks(x, n, q, classes);
  return classes;
}

/**
 * The K + 1 breaks of qclass from unique quantiles (at least K + 1 of them): the left ends of the smallest gaps
 * dropped, the ends moved out by sd × √ε so that the smallest and largest values fall inside.
 */
export function quantileBreaks(unique: readonly number[], k: number, min: number, max: number, sd: number): number[] {
  let q = unique.slice();
  const eps = sd * Math.sqrt(Number.EPSILON);
  if (q.length > k + 1) {
    // Drop the left end of each of the smallest gaps (R: q[-order(diff(q))[1:nr]], a stable order).
    const gaps = q.slice(1).map((v, i) => ({ gap: v - q[i], i }));
    gaps.sort((a, b) => a.gap - b.gap || a.i - b.i);
    const drop = new Set(gaps.slice(0, q.length - k - 1).map((g) => g.i));
    q = q.filter((_, i) => !drop.has(i));
  }
  q[0] = min - eps;
  q[q.length - 1] = max + eps;
  return q;
}

/** Each value's class c with q[c] ≤ x < q[c + 1] (−1 outside every class). */
export function classifyByBreaks(x: Float64Array, rows: number, q: readonly number[], out: Int32Array): void {
  const k = q.length - 1;
  for (let i = 0; i < rows; i++) {
    const v = x[i];
    let c = -1;
    for (let j = 0; j < k; j++) if (v >= q[j] && v < q[j + 1]) c = j;
    out[i] = c;
  }
}

/** The positions in sorted order that uniqueQuantiles reads for `count` quantiles of n values (R's type 7). */
export function quantilePositions(n: number, count: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < count; j++) {
    const index = (n - 1) * quantileProbability(j, count);
    out.push(Math.floor(index));
    if (index > Math.floor(index)) out.push(Math.ceil(index));
  }
  return out;
}

/** R's seq(0, 1, length = count): exact ends, j * (1 / (count − 1)) between. */
function quantileProbability(j: number, count: number): number {
  return j === 0 ? 0 : j === count - 1 ? 1 : j * (1 / (count - 1));
}

/** unique(quantile(x, seq(0, 1, length = count))) with R's type-7 quantiles; `at(i)` is the i-th smallest value. */
export function uniqueQuantiles(at: (i: number) => number, n: number, count: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < count; j++) {
    const index = (n - 1) * quantileProbability(j, count);
    const lo = Math.floor(index);
    const hi = Math.ceil(index);
    let value = at(lo);
    const h = index - lo;
    if (index > lo && at(hi) !== value) value = (1 - h) * value + h * at(hi);
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

function distinctValues(x: Float64Array): number {
  return new Set(x).size;
}
