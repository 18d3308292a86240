// Symmetric eigen-decomposition and the orthogonal polar factor of small d × d row-major matrices, by Jacobi
// rotations (accurate to a few ulps for the d ≤ ~50 of a covariance). Callers pass every buffer: nothing allocates.

const MAX_SWEEPS = 100;

/**
 * Eigen-decomposition S = Vᵀ diag(values) V of the symmetric d × d matrix `a` (row-major; not modified), by cyclic
 * Jacobi. Writes the eigenvalues in decreasing order (the order of mclust's singular values) and the unit
 * eigenvectors as the ROWS of `vectors` (row j belongs to values[j]). `work` is d × d scratch.
 */
export function symmetricEigen(a: Float64Array, d: number, values: Float64Array, vectors: Float64Array, work: Float64Array, aOffset = 0): void {
  for (let i = 0; i < d * d; i++) work[i] = a[aOffset + i];
  // `vectors` accumulates the rotations with eigenvectors as columns; transposed at the end.
  for (let i = 0; i < d * d; i++) vectors[i] = 0;
  for (let i = 0; i < d; i++) vectors[i * d + i] = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = work[p * d + q];
        const app = work[p * d + p];
        const aqq = work[q * d + q];
        // An off-diagonal entry below an ulp of both diagonal entries is zero for the eigenvalues (Numerical Recipes).
        const g = 100 * Math.abs(apq);
        if (g === 0 || (Math.abs(app) + g === Math.abs(app) && Math.abs(aqq) + g === Math.abs(aqq))) {
          work[p * d + q] = 0;
          work[q * d + p] = 0;
          continue;
        }
        rotated = true;
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < d; r++) {
          const arp = work[r * d + p];
          const arq = work[r * d + q];
          work[r * d + p] = c * arp - s * arq;
          work[r * d + q] = s * arp + c * arq;
        }
        for (let r = 0; r < d; r++) {
          const apr = work[p * d + r];
          const aqr = work[q * d + r];
          work[p * d + r] = c * apr - s * aqr;
          work[q * d + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < d; r++) {
          const vrp = vectors[r * d + p];
          const vrq = vectors[r * d + q];
          vectors[r * d + p] = c * vrp - s * vrq;
          vectors[r * d + q] = s * vrp + c * vrq;
        }
      }
    }
    if (!rotated) break;
  }
  for (let i = 0; i < d; i++) values[i] = work[i * d + i];
  // Selection sort by decreasing eigenvalue, swapping eigenvector columns along; then transpose in place.
  for (let i = 0; i < d; i++) {
    let best = i;
    for (let j = i + 1; j < d; j++) if (values[j] > values[best]) best = j;
    if (best !== i) {
      const v = values[i];
      values[i] = values[best];
      values[best] = v;
      for (let r = 0; r < d; r++) {
        const x = vectors[r * d + i];
        vectors[r * d + i] = vectors[r * d + best];
        vectors[r * d + best] = x;
      }
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const x = vectors[i * d + j];
      vectors[i * d + j] = vectors[j * d + i];
      vectors[j * d + i] = x;
    }
  }
}

/**
 * The orthogonal polar factor P Qᵀ of F = P S Qᵀ (its SVD), written to `out`: the orthogonal matrix nearest to F, as
 * mclust forms it from LAPACK's dgesvd. One-sided Jacobi on the columns of F. `work` and `right` are d × d scratch.
 * Returns false when F is rank-deficient (the factor is then not unique, see below); the zero matrix gives I.
 */
export function orthogonalPolarFactor(f: Float64Array, d: number, out: Float64Array, work: Float64Array, right: Float64Array, warm?: PolarWarmStart): boolean {
  // LAPACK's SVD of the zero matrix has U = Vᵀ = I, so mclust's factor is then I (EVE's first step from A_k = I).
  let allZero = true;
  for (let i = 0; i < d * d; i++) if (f[i] !== 0) allZero = false;
  if (allZero) {
    for (let i = 0; i < d * d; i++) out[i] = 0;
    for (let i = 0; i < d; i++) out[i * d + i] = 1;
    return true;
  }
  if (warm?.ready) {
    // F V for the previous right vectors V: its columns are nearly orthogonal already, so fewer sweeps are needed.
    for (let r = 0; r < d; r++) {
      for (let c = 0; c < d; c++) {
        let sum = 0;
        for (let m = 0; m < d; m++) sum += f[r * d + m] * warm.vectors[m * d + c];
        work[r * d + c] = sum;
      }
    }
    for (let i = 0; i < d * d; i++) right[i] = warm.vectors[i];
    if (polarFromColumns(d, out, work, right)) {
      for (let i = 0; i < d * d; i++) warm.vectors[i] = right[i];
      return true;
    }
  }
  for (let i = 0; i < d * d; i++) work[i] = f[i];
  for (let i = 0; i < d * d; i++) right[i] = 0;
  for (let i = 0; i < d; i++) right[i * d + i] = 1;
  const fullRank = polarFromColumns(d, out, work, right);
  // A rank-deficient F leaves the warm start unset: the next one starts cold too, exactly as without a warm start.
  if (warm) {
    warm.ready = fullRank;
    if (fullRank) for (let i = 0; i < d * d; i++) warm.vectors[i] = right[i];
  }
  return fullRank;
}

/**
 * The right singular vectors of the last full-rank orthogonalPolarFactor of a sequence of nearby matrices (EVE and
 * VVE's inner iterations): the next one starts its Jacobi rotations from them. The polar factor of a full-rank F is
 * unique, so the start changes only the number of rotations (and the last bits of the result).
 */
export class PolarWarmStart {
  readonly vectors: Float64Array;
  ready = false;

  constructor(d: number) {
    this.vectors = new Float64Array(d * d);
  }
}

/**
 * One-sided Jacobi on the columns of `work` (F V₀), accumulating the rotations into `right` (V₀), then the polar
 * factor into `out`; false when F is rank-deficient.
 */
function polarFromColumns(d: number, out: Float64Array, work: Float64Array, right: Float64Array): boolean {
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let r = 0; r < d; r++) {
          const x = work[r * d + p];
          const y = work[r * d + q];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= Number.EPSILON * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let r = 0; r < d; r++) {
          const x = work[r * d + p];
          const y = work[r * d + q];
          work[r * d + p] = c * x - s * y;
          work[r * d + q] = s * x + c * y;
          const vx = right[r * d + p];
          const vy = right[r * d + q];
          right[r * d + p] = c * vx - s * vy;
          right[r * d + q] = s * vx + c * vy;
        }
      }
    }
    if (!rotated) break;
  }
  // Columns of `work` are σ_j u_j and columns of `right` are v_j: P Qᵀ = Σ_j u_j v_jᵀ. Columns with σ_j ≈ 0 get a
  // unit u_j orthogonal to the others (Gram–Schmidt from the coordinate axes): with one such column the choice is only
  // a sign, and flipping it flips one row of mclust's orientation, which leaves every covariance unchanged.
  let largest = 0;
  for (let j = 0; j < d; j++) {
    let norm = 0;
    for (let r = 0; r < d; r++) norm += work[r * d + j] * work[r * d + j];
    largest = Math.max(largest, Math.sqrt(norm));
  }
  let fullRank = true;
  const deficient = largest * d * Number.EPSILON;
  for (let j = 0; j < d; j++) {
    let norm = 0;
    for (let r = 0; r < d; r++) norm += work[r * d + j] * work[r * d + j];
    const sigma = Math.sqrt(norm);
    if (sigma > deficient) {
      for (let r = 0; r < d; r++) work[r * d + j] /= sigma;
    } else {
      fullRank = false;
      for (let r = 0; r < d; r++) work[r * d + j] = 0;
    }
  }
  if (!fullRank) completeOrthonormalColumns(work, d);
  for (let i = 0; i < d * d; i++) out[i] = 0;
  for (let j = 0; j < d; j++) {
    for (let r = 0; r < d; r++) {
      const u = work[r * d + j];
      for (let c = 0; c < d; c++) out[r * d + c] += u * right[c * d + j];
    }
  }
  return fullRank;
}

/** Replaces the zero columns of `u` (d × d, the other columns orthonormal) by unit vectors orthogonal to the rest. */
function completeOrthonormalColumns(u: Float64Array, d: number): void {
  for (let j = 0; j < d; j++) {
    let isZero = true;
    for (let r = 0; r < d; r++) if (u[r * d + j] !== 0) isZero = false;
    if (!isZero) continue;
    let bestNorm = -1;
    for (let axis = 0; axis < d; axis++) {
      // e_axis minus its projections on the nonzero columns; keep the candidate with the largest remainder.
      let norm = 0;
      for (let r = 0; r < d; r++) {
        let value = r === axis ? 1 : 0;
        for (let c = 0; c < d; c++) if (c !== j) value -= u[axis * d + c] * u[r * d + c];
        norm += value * value;
      }
      if (norm > bestNorm + 1e-12) {
        bestNorm = norm;
        const scale = 1 / Math.sqrt(norm);
        for (let r = 0; r < d; r++) {
          let value = r === axis ? 1 : 0;
          for (let c = 0; c < d; c++) if (c !== j) value -= u[axis * d + c] * u[r * d + c];
          u[r * d + j] = value * scale;
        }
      }
    }
  }
}
