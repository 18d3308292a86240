// Densities of a Gaussian mixture snapshot (the plain data the panel holds): the 1-D component curves and the
// responsibilities at any iteration of the scrubber. Small and dependency-light: the webview bundles it.

import type { GaussianSnapshot } from '../../../shared/protocol';
import { FitError } from '../../errors';
import { normalizeLogRows } from '../../em/logsumexp';
import { choleskyInPlace, precisionCholeskyFromCovarianceCholesky } from './linalg';

export const LOG_2PI = Math.log(2 * Math.PI);

/** N(x | mean, variance) of a 1-D Gaussian (for the 1-D histogram overlay). */
export function gaussianDensity1D(x: number, mean: number, variance: number): number {
  const z = x - mean;
  return Math.exp(-0.5 * (LOG_2PI + Math.log(variance) + (z * z) / variance));
}

/**
 * Log-responsibilities ln r_ij (n × k, row-major, into `out`) of the n points `values` (n × d row-major) under a
 * snapshot with expanded covariances (what the scrubber shows at one iteration). Throws FitError if a covariance
 * of the snapshot is not positive definite (never the case for snapshots the engine produced).
 */
export function gaussianLogResponsibilities(
  values: ArrayLike<number>,
  n: number,
  d: number,
  snapshot: GaussianSnapshot,
  out: Float64Array,
): void {
  const k = snapshot.weights.length;
  const chol = new Float64Array(d * d);
  const precChol = new Float64Array(k * d * d);
  const constant = new Float64Array(k);
  const means = new Float64Array(k * d);
  for (let j = 0; j < k; j++) {
    const cov = snapshot.covariances[j];
    for (let r = 0; r < d; r++) {
      means[j * d + r] = snapshot.means[j][r];
      for (let c = 0; c < d; c++) chol[r * d + c] = cov[r][c];
    }
    if (!choleskyInPlace(chol, d)) {
      throw new FitError(`The covariance of component ${j + 1} at iteration ${snapshot.iteration} is not positive definite.`);
    }
    precisionCholeskyFromCovarianceCholesky(chol, d, precChol, 0, j * d * d);
    let logDet = 0;
    for (let r = 0; r < d; r++) logDet += Math.log(precChol[j * d * d + r * d + r]);
    constant[j] = Math.log(snapshot.weights[j]) - 0.5 * d * LOG_2PI + logDet;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const u = j * d * d;
      let maha = 0;
      // y_c = Σ_{r ≤ c} (x_r − μ_r) U[r][c]; U is upper triangular.
      for (let c = 0; c < d; c++) {
        let y = 0;
        for (let r = 0; r <= c; r++) y += (values[i * d + r] - means[j * d + r]) * precChol[u + r * d + c];
        maha += y * y;
      }
      out[i * k + j] = constant[j] - 0.5 * maha;
    }
  }
  normalizeLogRows(out, n, k);
}
