// mclust's MclustDR (Scrucca 2010, "Dimension reduction for model-based clustering"): the directions of the data
// space that best separate the fitted components, from the data's mean and covariance and the fitted weights, means
// and covariances. Follows R's MclustDR for an Mclust fit: Σ the data's covariance (divided by n), the kernel
// M = 2λ M_I Σ⁻¹ M_I + 2(1 − λ) M_II with M_I = Σ_k π_k (μ_k − μ)(μ_k − μ)ᵀ (the spread of the means) and
// M_II = Σ_k π_k (Σ_k − S) Σ⁻¹ (Σ_k − S), S = Σ_k π_k Σ_k (the spread of the covariances); the directions are
// Σ^{-1/2} times the eigenvectors of Σ^{-1/2} M Σ^{-1/2}, as many as its eigenvalues above √ε, each scaled to unit
// length. With λ = 1 (mclust's default) there are at most K − 1 of them.

import { symmetricEigen } from './mclust/eigen';

/** What the panel projects on: x ↦ (x − mean)·axis for each axis. */
export interface MclustDirections {
  /** Column means of the data (d). */
  mean: number[];
  /** The directions, one per row, unit length, most separating first (sign: largest-magnitude loading positive). */
  axes: number[][];
  /** Every eigenvalue of the kernel (d), decreasing, negative rounding clipped to 0; axes[r] has eigenvalues[r]. */
  eigenvalues: number[];
}

export interface FittedMixture {
  weights: ArrayLike<number>;
  means: ArrayLike<number>[];
  covariances: ArrayLike<ArrayLike<number>>[];
}

const SQRT_EPS = Math.sqrt(2.220446049250313e-16);

/**
 * MclustDR's directions of the n × d row-major `values` for the fitted mixture (its parameters in the same units as
 * the values). Undefined when the data have no spread or no direction separates the components (K = 1).
 */
export function mclustDirections(values: ArrayLike<number>, n: number, d: number, fit: FittedMixture, lambda = 1, caseWeights?: Float64Array): MclustDirections | undefined {
  if (n < 2 || d < 1) return undefined;
  const { mean, sigma } = dataMoments(values, n, d, caseWeights);
  return mclustDirectionsFromMoments(mean, sigma, d, fit, lambda);
}

/** The data's mean and covariance (divided by n, or by Σ w_i with case weights: the rows repeated w_i times). */
export function dataMoments(values: ArrayLike<number>, n: number, d: number, caseWeights?: Float64Array): { mean: Float64Array; sigma: Float64Array } {
  let total = 0;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const w = caseWeights ? caseWeights[i] : 1;
    total += w;
    for (let j = 0; j < d; j++) mean[j] += w * values[i * d + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= total;
  const sigma = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const w = caseWeights ? caseWeights[i] : 1;
    for (let j = 0; j < d; j++) row[j] = values[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) sigma[a * d + b] += w * row[a] * row[b];
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      sigma[a * d + b] /= total;
      sigma[b * d + a] = sigma[a * d + b];
    }
  }
  return { mean, sigma };
}

/** MclustDR's directions from the data's mean and covariance `sigma` (d × d, row-major). */
export function mclustDirectionsFromMoments(mean: Float64Array, sigma: Float64Array, d: number, fit: FittedMixture, lambda = 1): MclustDirections | undefined {
  const k = fit.weights.length;
  if (d < 1 || k < 1) return undefined;
  lambda = Math.max(0, Math.min(1, lambda));
  // Σ^{-1/2} and Σ⁻¹ on the eigen-directions of Σ above R's tolerance (√ε of the largest), as R's svd-based inverse.
  const sigmaValues = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  const work = new Float64Array(d * d);
  symmetricEigen(sigma, d, sigmaValues, vectors, work);
  if (!(sigmaValues[0] > 0) || !Number.isFinite(sigmaValues[0])) return undefined;
  const invSqrt = new Float64Array(d * d);
  const inv = new Float64Array(d * d);
  for (let r = 0; r < d; r++) {
    const s = sigmaValues[r];
    if (!(s > SQRT_EPS * sigmaValues[0])) continue;
    const v = r * d;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        const outer = vectors[v + a] * vectors[v + b];
        invSqrt[a * d + b] += outer / Math.sqrt(s);
        inv[a * d + b] += outer / s;
      }
    }
  }
  // M_I and, for λ < 1, S.
  const mI = new Float64Array(d * d);
  for (let c = 0; c < k; c++) {
    const f = fit.weights[c];
    for (let a = 0; a < d; a++) {
      const da = fit.means[c][a] - mean[a];
      for (let b = 0; b < d; b++) mI[a * d + b] += f * da * (fit.means[c][b] - mean[b]);
    }
  }
  const kernel = new Float64Array(d * d);
  addSandwich(kernel, mI, inv, d, 2 * lambda);
  if (lambda < 1) {
    const within = new Float64Array(d * d);
    for (let c = 0; c < k; c++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) within[a * d + b] += fit.weights[c] * fit.covariances[c][a][b];
    const diff = new Float64Array(d * d);
    for (let c = 0; c < k; c++) {
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) diff[a * d + b] = fit.covariances[c][a][b] - within[a * d + b];
      addSandwich(kernel, diff, inv, d, 2 * (1 - lambda) * fit.weights[c]);
    }
  }
  // A = Σ^{-1/2} M Σ^{-1/2}, symmetrised against rounding.
  const a = multiply(multiply(invSqrt, kernel, d), invSqrt, d);
  for (let r = 0; r < d; r++) {
    for (let c = r + 1; c < d; c++) {
      const s = 0.5 * (a[r * d + c] + a[c * d + r]);
      a[r * d + c] = s;
      a[c * d + r] = s;
    }
  }
  const ev = new Float64Array(d);
  const evec = new Float64Array(d * d);
  symmetricEigen(a, d, ev, evec, work);
  const eigenvalues = Array.from(ev, (l) => Math.max(0, l));
  let count = 0;
  while (count < d && eigenvalues[count] > SQRT_EPS) count++;
  if (count === 0) return undefined;
  const axes: number[][] = [];
  for (let r = 0; r < count; r++) {
    const axis = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += invSqrt[i * d + j] * evec[r * d + j];
      axis[i] = s;
    }
    let norm = 0;
    let largest = 0;
    for (let i = 0; i < d; i++) {
      norm += axis[i] * axis[i];
      if (Math.abs(axis[i]) > Math.abs(axis[largest])) largest = i;
    }
    const scale = (axis[largest] < 0 ? -1 : 1) / Math.sqrt(norm);
    axes.push(axis.map((v) => v * scale || 0));
  }
  return { mean: Array.from(mean), axes, eigenvalues };
}

/** out += factor · B Σ⁻¹ B for symmetric B (d × d, row-major). */
function addSandwich(out: Float64Array, b: Float64Array, inv: Float64Array, d: number, factor: number): void {
  if (factor === 0) return;
  const left = multiply(b, inv, d);
  const product = multiply(left, b, d);
  for (let i = 0; i < d * d; i++) out[i] += factor * product[i];
}

function multiply(x: Float64Array, y: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let l = 0; l < d; l++) {
      const xil = x[i * d + l];
      if (xil === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j] += xil * y[l * d + j];
    }
  }
  return out;
}
