// E-step for any mclust model: log N(x_i | μ_k, Σ_k) through the Cholesky factor of each full Σ_k, plus ln π_k,
// normalised by log-sum-exp into responsibilities; returns the total log-likelihood Σ_i ln Σ_k π_k N(x_i | μ_k, Σ_k).

import { choleskyInPlace, logDetFromCholesky, solveLowerInPlace } from '../linalg';

const LOG_2PI = Math.log(2 * Math.PI);

/** Scratch of the E-step, allocated once per (d, K). */
export class EStepWorkspace {
  readonly choleskyFactors: Float64Array;
  readonly logDeterminants: Float64Array;
  readonly logWeights: Float64Array;
  readonly row: Float64Array;
  readonly logProbabilities: Float64Array;

  constructor(
    readonly d: number,
    readonly k: number,
  ) {
    this.choleskyFactors = new Float64Array(k * d * d);
    this.logDeterminants = new Float64Array(k);
    this.logWeights = new Float64Array(k);
    this.row = new Float64Array(d);
    this.logProbabilities = new Float64Array(k);
  }
}

/**
 * Factors every Σ_k; false when one is singular at mclust's rule for Cholesky factors (min |L_ii| / (1 + max |L_ii|)
 * ≤ √eps) or not positive definite.
 */
export function factorCovariances(covariances: Float64Array, workspace: EStepWorkspace, eps = Number.EPSILON): boolean {
  const { d, k, choleskyFactors, logDeterminants } = workspace;
  const dd = d * d;
  const rootEps = Math.sqrt(eps);
  choleskyFactors.set(covariances.subarray(0, k * dd));
  for (let c = 0; c < k; c++) {
    if (!choleskyInPlace(choleskyFactors, d, c * dd)) return false;
    let smallest = Infinity;
    let largest = 0;
    for (let j = 0; j < d; j++) {
      const l = Math.abs(choleskyFactors[c * dd + j * d + j]);
      smallest = Math.min(smallest, l);
      largest = Math.max(largest, l);
    }
    if (!(smallest / (1 + largest) > rootEps)) return false;
    logDeterminants[c] = logDetFromCholesky(choleskyFactors, d, c * dd);
  }
  return true;
}

/**
 * Writes the n × K responsibilities into `z` and returns the log-likelihood, for covariances already factored by
 * `factorCovariances`. A component with weight 0 gets responsibility 0 (as mclust).
 */
export function mclustEStep(
  x: Float64Array,
  n: number,
  weights: Float64Array,
  means: Float64Array,
  workspace: EStepWorkspace,
  z: Float64Array,
): number {
  const { d, k, choleskyFactors, logDeterminants, logWeights, row, logProbabilities } = workspace;
  const dd = d * d;
  for (let c = 0; c < k; c++) logWeights[c] = weights[c] > 0 ? Math.log(weights[c]) - 0.5 * (d * LOG_2PI + logDeterminants[c]) : -Infinity;
  let logLikelihood = 0;
  for (let i = 0; i < n; i++) {
    let largest = -Infinity;
    for (let c = 0; c < k; c++) {
      if (logWeights[c] === -Infinity) {
        logProbabilities[c] = -Infinity;
        continue;
      }
      for (let j = 0; j < d; j++) row[j] = x[i * d + j] - means[c * d + j];
      solveLowerInPlace(choleskyFactors, d, row, c * dd, 0);
      let mahalanobis = 0;
      for (let j = 0; j < d; j++) mahalanobis += row[j] * row[j];
      const value = logWeights[c] - 0.5 * mahalanobis;
      logProbabilities[c] = value;
      if (value > largest) largest = value;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logProbabilities[c] - largest);
    const logRow = largest + Math.log(sum);
    logLikelihood += logRow;
    for (let c = 0; c < k; c++) z[i * k + c] = Math.exp(logProbabilities[c] - logRow);
  }
  return logLikelihood;
}
