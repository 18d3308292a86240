// Starting points shared by every mixture family, as sklearn's BaseMixture._initialize_parameters: each method yields
// starting responsibilities (n × K, rows summing to 1), K data rows, or "explicit" (the family reads initParams); the
// family turns that into parameters with its own M-step. k-means++ seeding exists only here; a family supplies the
// distance it seeds by. Deterministic for a given Rng state.

import type { InitMethod } from '../../shared/protocol';
import { OptionsError } from '../errors';
import type { Rng } from './rng';

/** What a family's data offer the initialisation methods. */
export interface InitSpace {
  readonly n: number;
  /** out[i] = squared distance from row i to row `row`, the metric k-means++ seeds by (Euclidean, Hamming…). */
  distancesTo(row: number, out: Float64Array): void;
  /** Hard labels from K seed rows: Lloyd's k-means from them (sklearn's 'kmeans'), or simply the nearest seed. */
  labelsFromSeeds(seeds: Int32Array, k: number): Int32Array;
  /**
   * When given, random-data prefers rows whose values differ (two components started on identical points stay
   * identical for ever); without it, K rows are drawn uniformly without replacement.
   */
  sameRow?(a: number, b: number): boolean;
  /** Case weights w_i ≥ 0: k-means++ draws rows ∝ w_i (× D²), as if each row were repeated w_i times. */
  weights?: Float64Array;
}

export type InitStart =
  | { kind: 'responsibilities'; resp: Float64Array }
  | { kind: 'rows'; rows: Int32Array }
  | { kind: 'explicit' };

/** Every method a family may accept; each family lists the ones it does. */
export const INIT_METHODS: readonly InitMethod[] = ['kmeans++', 'random', 'random-data', 'random-assignment', 'params'];

/**
 * The start of one restart:
 * kmeans++ → hard responsibilities from k-means++ seeds (then the family's labelsFromSeeds);
 * random → uniform random responsibilities, each row normalised (sklearn's 'random');
 * random-assignment → every row in a uniformly random component;
 * random-data → K data rows, one per component (sklearn's 'random_from_data');
 * params → explicit.
 */
export function startingPoint(method: InitMethod, space: InitSpace, k: number, rng: Rng): InitStart {
  const { n } = space;
  switch (method) {
    case 'kmeans++': {
      const seeds = kmeansPlusPlus(n, k, rng, (row, out) => space.distancesTo(row, out), space.weights);
      return { kind: 'responsibilities', resp: hardResponsibilities(space.labelsFromSeeds(seeds, k), n, k) };
    }
    case 'random':
      return { kind: 'responsibilities', resp: randomResponsibilities(n, k, rng) };
    case 'random-assignment': {
      const labels = new Int32Array(n);
      for (let i = 0; i < n; i++) labels[i] = rng.int(k);
      return { kind: 'responsibilities', resp: hardResponsibilities(labels, n, k) };
    }
    case 'random-data':
      return { kind: 'rows', rows: space.sameRow ? distinctRows(n, k, rng, (a, b) => space.sameRow!(a, b)) : sampleWithoutReplacement(n, k, rng) };
    case 'params':
      return { kind: 'explicit' };
  }
  throw new OptionsError(`init must be one of ${INIT_METHODS.join(', ')}, got ${String(method)}.`);
}

/** Uniform random responsibilities, each row normalised (sklearn's init_params='random'). */
export function randomResponsibilities(n: number, k: number, rng: Rng): Float64Array {
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += resp[i * k + j] = rng.next();
    for (let j = 0; j < k; j++) resp[i * k + j] = sum > 0 ? resp[i * k + j] / sum : 1 / k;
  }
  return resp;
}

/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii; as sklearn's kmeans_plusplus): the first seed is a uniformly
 * random row; each next one is the best (lowest resulting potential) of 2 + ⌊ln K⌋ rows drawn with probability
 * ∝ the squared distance to the nearest seed so far. `distancesTo(row, out)` fills out[i] with the squared distance
 * from row i to `row`. Returns the K seed rows.
 */
export function kmeansPlusPlus(n: number, k: number, rng: Rng, distancesTo: (row: number, out: Float64Array) => void, weights?: Float64Array): Int32Array {
  const seeds = new Int32Array(k);
  const closest = new Float64Array(n);
  const candidateDist = new Float64Array(n);
  const bestDist = new Float64Array(n);
  // With case weights every sum and draw counts row i w_i times: the first seed ∝ w_i, the next ones ∝ w_i D²_i.
  const drawWeights = weights ? new Float64Array(n) : closest;
  const trials = 2 + Math.floor(Math.log(k));
  seeds[0] = weights ? sampleProportional(weights, sum(weights), rng) : rng.int(n);
  distancesTo(seeds[0], closest);
  let potential = 0;
  for (let i = 0; i < n; i++) potential += weights ? weights[i] * closest[i] : closest[i];
  for (let c = 1; c < k; c++) {
    let bestCandidate = -1;
    let bestPotential = Infinity;
    if (weights) for (let i = 0; i < n; i++) drawWeights[i] = weights[i] * closest[i];
    for (let t = 0; t < trials; t++) {
      const candidate = sampleProportional(drawWeights, potential, rng);
      distancesTo(candidate, candidateDist);
      let candidatePotential = 0;
      if (weights) for (let i = 0; i < n; i++) candidatePotential += weights[i] * Math.min(closest[i], candidateDist[i]);
      else for (let i = 0; i < n; i++) candidatePotential += Math.min(closest[i], candidateDist[i]);
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        bestCandidate = candidate;
        bestDist.set(candidateDist);
      }
    }
    seeds[c] = bestCandidate;
    for (let i = 0; i < n; i++) if (bestDist[i] < closest[i]) closest[i] = bestDist[i];
    potential = bestPotential;
  }
  return seeds;
}

function sum(values: Float64Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

/** Picks an index with probability proportional to weights[i] (all ≥ 0), or uniformly when the total is 0. */
function sampleProportional(weights: Float64Array, total: number, rng: Rng): number {
  const n = weights.length;
  if (!(total > 0)) return rng.int(n);
  let target = rng.next() * total;
  for (let i = 0; i < n; i++) {
    target -= weights[i];
    if (target < 0) return i;
  }
  // Rounding left a sliver: take the last row with weight.
  for (let i = n - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return n - 1;
}

/** k distinct integers from [0, n), in draw order. */
export function sampleWithoutReplacement(n: number, k: number, rng: Rng): Int32Array {
  const out = new Int32Array(k);
  if (k * 2 > n) {
    const all = Int32Array.from({ length: n }, (_, i) => i);
    for (let c = 0; c < k; c++) {
      const r = c + rng.int(n - c);
      const t = all[c];
      all[c] = all[r];
      all[r] = t;
      out[c] = all[c];
    }
    return out;
  }
  const seen = new Set<number>();
  for (let c = 0; c < k; ) {
    const r = rng.int(n);
    if (seen.has(r)) continue;
    seen.add(r);
    out[c++] = r;
  }
  return out;
}

/** resp's rows multiplied by the case weights, in place (a family's start, weighted as EM's M-steps are). */
export function weighResponsibilities(resp: Float64Array, k: number, weights: Float64Array | undefined): Float64Array {
  if (!weights) return resp;
  for (let i = 0; i < weights.length; i++) for (let j = 0; j < k; j++) resp[i * k + j] *= weights[i];
  return resp;
}

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
export function distinctRows(n: number, k: number, rng: Rng, sameRow: (a: number, b: number) => boolean): Int32Array {
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
    for (let q = 0; q < count && !repeated; q++) repeated = sameRow(row, chosen[q]);
    if (repeated) duplicates.push(row);
    else chosen[count++] = row;
  }
  for (let q = 0; count < k; q++) chosen[count++] = duplicates[q];
  return chosen;
}
