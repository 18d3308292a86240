// k-means on Float64 rows: greedy k-means++ seeding (as sklearn's kmeans_plusplus, 2 + ⌊ln K⌋ local trials per
// centre) then Lloyd iterations until no label changes. Used to initialise the Gaussian mixture as sklearn's
// init_params='kmeans' does. Deterministic for a given Rng state.

import { kmeansPlusPlus, type InitSpace } from './init';
import type { Rng } from './rng';

export interface KMeansResult {
  /** K × D row-major. */
  centers: Float64Array;
  /** Cluster of each row, 0..K−1. */
  labels: Int32Array;
  /** Lloyd iterations performed. */
  iterations: number;
  /** True when the labels stopped changing before maxIterations. */
  converged: boolean;
  /** Σ squared distance of each row to its centre. */
  inertia: number;
}

function squaredDistance(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) {
    const z = a[ao + c] - b[bo + c];
    s += z * z;
  }
  return s;
}

/**
 * Greedy k-means++ seeding by squared Euclidean distance (the shared kmeansPlusPlus of init.ts). Returns the chosen
 * row indices (length K).
 */
export function kmeansPlusPlusIndices(values: ArrayLike<number>, n: number, d: number, k: number, rng: Rng): Int32Array {
  return kmeansPlusPlus(n, k, rng, (row, out) => {
    for (let i = 0; i < n; i++) out[i] = squaredDistance(values, i * d, values, row * d, d);
  });
}

/** Assigns each row to its nearest centre; returns the number of labels that changed and writes distances. */
function assign(
  values: ArrayLike<number>,
  n: number,
  d: number,
  k: number,
  centers: Float64Array,
  labels: Int32Array,
  distances: Float64Array,
): number {
  let changed = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDist = Infinity;
    for (let j = 0; j < k; j++) {
      const dist = squaredDistance(values, i * d, centers, j * d, d);
      if (dist < bestDist) {
        bestDist = dist;
        best = j;
      }
    }
    if (labels[i] !== best) changed++;
    labels[i] = best;
    distances[i] = bestDist;
  }
  return changed;
}

/** k-means++ seeding, then Lloyd iterations until no label changes (or maxIterations). */
export function kmeans(
  values: ArrayLike<number>,
  n: number,
  d: number,
  k: number,
  rng: Rng,
  maxIterations = 100,
): KMeansResult {
  return lloydFromSeeds(values, n, d, k, kmeansPlusPlusIndices(values, n, d, k, rng), maxIterations);
}

/** Lloyd iterations from K seed rows until no label changes (or maxIterations). */
export function lloydFromSeeds(
  values: ArrayLike<number>,
  n: number,
  d: number,
  k: number,
  seeds: Int32Array,
  maxIterations = 100,
  weights?: Float64Array,
): KMeansResult {
  const centers = new Float64Array(k * d);
  for (let j = 0; j < k; j++) for (let c = 0; c < d; c++) centers[j * d + c] = values[seeds[j] * d + c];
  const labels = new Int32Array(n).fill(-1);
  const distances = new Float64Array(n);
  const counts = new Float64Array(k);
  const taken = new Uint8Array(n);
  assign(values, n, d, k, centers, labels, distances);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    // Update step.
    centers.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = labels[i];
      // Case weights: weighted means (a row of weight w counts w times).
      const w = weights ? weights[i] : 1;
      counts[j] += w;
      for (let c = 0; c < d; c++) centers[j * d + c] += w * values[i * d + c];
    }
    taken.fill(0);
    for (let j = 0; j < k; j++) {
      if (counts[j] > 0) {
        for (let c = 0; c < d; c++) centers[j * d + c] /= counts[j];
        continue;
      }
      // Empty cluster: move its centre to the row farthest from its own centre (as sklearn relocates empties).
      let far = -1;
      for (let i = 0; i < n; i++) if (!taken[i] && (!weights || weights[i] > 0) && (far < 0 || distances[i] > distances[far])) far = i;
      if (far < 0) far = 0;
      taken[far] = 1;
      for (let c = 0; c < d; c++) centers[j * d + c] = values[far * d + c];
    }
    if (assign(values, n, d, k, centers, labels, distances) === 0) {
      converged = true;
      break;
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += weights ? weights[i] * distances[i] : distances[i];
  return { centers, labels, iterations, converged, inertia };
}

/** Rows of n × d numbers as the shared initialisations see them: Euclidean k-means++, Lloyd's k-means, distinct points. */
export function euclideanInitSpace(values: ArrayLike<number>, n: number, d: number, weights?: Float64Array): InitSpace {
  return {
    n,
    weights,
    distancesTo: (row, out) => {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let c = 0; c < d; c++) {
          const z = values[i * d + c] - values[row * d + c];
          s += z * z;
        }
        out[i] = s;
      }
    },
    labelsFromSeeds: (seeds, k) => lloydFromSeeds(values, n, d, k, seeds, 100, weights).labels,
    sameRow: (a, b) => {
      for (let c = 0; c < d; c++) if (values[a * d + c] !== values[b * d + c]) return false;
      return true;
    },
  };
}
