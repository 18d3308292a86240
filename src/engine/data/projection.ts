// The principal axes of a table, for the panel's default 2-D view of data with more than two columns: computed once
// per fit from the values the engine fits (standardised when the fit is), so the panel only projects its plotted
// sample and each snapshot's means and covariances onto them.

import { symmetricEigen } from '../families/gaussian/mclust/eigen';

/** Above this many columns the eigen-decomposition (cubic in d) costs more than a second; the panel shows columns. */
export const MAX_PROJECTED_COLUMNS = 200;

export interface PrincipalAxes {
  /** Column means (d). */
  mean: number[];
  /** The leading eigenvectors of the covariance, one per row (unit length; largest-magnitude loading positive). */
  axes: number[][];
  /** The fraction of the total variance along each axis. */
  explained: number[];
}

/**
 * The first `count` principal axes of the n × d row-major `values`: eigenvectors of the sample covariance in
 * decreasing order of eigenvalue. An eigenvector's sign is arbitrary; it is fixed so that its largest-magnitude
 * loading (the first of equal ones) is positive, as the panel's axes must not flip between fits of the same data.
 * Undefined when there is no spread to project (n < 2, or every column constant or not finite) or d exceeds
 * MAX_PROJECTED_COLUMNS.
 */
export function principalAxes(values: ArrayLike<number>, n: number, d: number, count = 2): PrincipalAxes | undefined {
  if (n < 2 || d < 1 || d > MAX_PROJECTED_COLUMNS) return undefined;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += values[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  // Centred cross products (two passes: columns with a large offset keep their small spread).
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = values[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      for (let b = a; b < d; b++) cov[a * d + b] += ra * row[b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      cov[a * d + b] /= n - 1;
      cov[b * d + a] = cov[a * d + b];
    }
  }
  const eigenvalues = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  symmetricEigen(cov, d, eigenvalues, vectors, new Float64Array(d * d));
  let total = 0;
  for (let j = 0; j < d; j++) total += Math.max(0, eigenvalues[j]);
  if (!(total > 0) || !Number.isFinite(total)) return undefined;
  const m = Math.min(count, d);
  const axes: number[][] = [];
  const explained: number[] = [];
  for (let r = 0; r < m; r++) {
    const axis = Array.from(vectors.subarray(r * d, (r + 1) * d));
    let largest = 0;
    for (let j = 1; j < d; j++) if (Math.abs(axis[j]) > Math.abs(axis[largest])) largest = j;
    if (axis[largest] < 0) for (let j = 0; j < d; j++) axis[j] = -axis[j] || 0;
    axes.push(axis);
    explained.push(Math.max(0, eigenvalues[r]) / total);
  }
  return { mean: Array.from(mean), axes, explained };
}
