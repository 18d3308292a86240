// Small dense linear algebra on D × D matrices stored row-major in Float64Arrays, in place, with an `offset` so that
// K matrices can live in one buffer. Nothing here allocates: callers pass scratch buffers.

/**
 * In-place Cholesky A = L Lᵀ of the symmetric D × D matrix at a[offset ..]. Only the lower triangle of A is read;
 * on success the lower triangle holds L and the strict upper triangle is zeroed. Returns false (leaving the matrix
 * partly overwritten) when A is not numerically positive definite.
 */
export function choleskyInPlace(a: Float64Array, d: number, offset = 0): boolean {
  for (let j = 0; j < d; j++) {
    const rowJ = offset + j * d;
    let diag = a[rowJ + j];
    for (let p = 0; p < j; p++) diag -= a[rowJ + p] * a[rowJ + p];
    if (!(diag > 0) || !Number.isFinite(diag)) return false;
    const ljj = Math.sqrt(diag);
    a[rowJ + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      const rowI = offset + i * d;
      let s = a[rowI + j];
      for (let p = 0; p < j; p++) s -= a[rowI + p] * a[rowJ + p];
      a[rowI + j] = s / ljj;
    }
    for (let c = j + 1; c < d; c++) a[rowJ + c] = 0;
  }
  return true;
}

/** Solves L y = b in place (b ← L⁻¹ b) for the lower-triangular L at l[lOffset ..]; b is D long at b[bOffset ..]. */
export function solveLowerInPlace(l: Float64Array, d: number, b: Float64Array, lOffset = 0, bOffset = 0): void {
  for (let i = 0; i < d; i++) {
    const row = lOffset + i * d;
    let s = b[bOffset + i];
    for (let p = 0; p < i; p++) s -= l[row + p] * b[bOffset + p];
    b[bOffset + i] = s / l[row + i];
  }
}

/** Solves Lᵀ x = y in place (y ← L⁻ᵀ y) for the lower-triangular L at l[lOffset ..]. */
export function solveLowerTransposeInPlace(l: Float64Array, d: number, y: Float64Array, lOffset = 0, yOffset = 0): void {
  for (let i = d - 1; i >= 0; i--) {
    let s = y[yOffset + i];
    for (let p = i + 1; p < d; p++) s -= l[lOffset + p * d + i] * y[yOffset + p];
    y[yOffset + i] = s / l[lOffset + i * d + i];
  }
}

/** ln det(A) = 2 Σ ln L_ii from the Cholesky factor L of A. */
export function logDetFromCholesky(l: Float64Array, d: number, offset = 0): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += Math.log(l[offset + i * d + i]);
  return 2 * s;
}

/**
 * Writes U = L⁻ᵀ (upper triangular) into out[outOffset ..], given the lower-triangular Cholesky factor L of a
 * covariance Σ = L Lᵀ. U is sklearn's "precision Cholesky": Σ⁻¹ = U Uᵀ, so the Mahalanobis term of x is
 * ‖(x − μ)ᵀ U‖². `out` must not overlap `l`.
 */
export function precisionCholeskyFromCovarianceCholesky(
  l: Float64Array,
  d: number,
  out: Float64Array,
  lOffset = 0,
  outOffset = 0,
): void {
  // Column c of L⁻¹ by forward substitution on e_c; U = (L⁻¹)ᵀ, so U[c][i] = (L⁻¹)[i][c].
  for (let i = 0; i < d * d; i++) out[outOffset + i] = 0;
  for (let c = 0; c < d; c++) {
    for (let i = c; i < d; i++) {
      const row = lOffset + i * d;
      let s = i === c ? 1 : 0;
      for (let p = c; p < i; p++) s -= l[row + p] * out[outOffset + c * d + p];
      out[outOffset + c * d + i] = s / l[row + i];
    }
  }
}

/** True when the D × D matrix at a[offset ..] is symmetric to a relative tolerance. */
export function isSymmetric(a: ArrayLike<number>, d: number, offset = 0, relTol = 1e-10): boolean {
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const x = a[offset + i * d + j];
      const y = a[offset + j * d + i];
      const scale = Math.max(Math.abs(x), Math.abs(y), Math.abs(a[offset + i * d + i]), Math.abs(a[offset + j * d + j]));
      if (Math.abs(x - y) > relTol * scale) return false;
    }
  }
  return true;
}

/** Lower triangle (m × m, m = used.length) of Σ_i (x_i − mean)(x_i − mean)ᵀ over the columns `used` of n × d `values`. */
export function columnScatter(values: Float64Array, n: number, d: number, used: readonly number[], mean: Float64Array): Float64Array {
  const m = used.length;
  const scatter = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < m; a++) {
      const za = values[i * d + used[a]] - mean[a];
      for (let b = 0; b <= a; b++) scatter[a * m + b] += za * (values[i * d + used[b]] - mean[b]);
    }
  }
  return scatter;
}

/**
 * Cholesky of the correlation matrix of a covariance (or scatter) matrix given by its lower triangle: the index of
 * the first column whose pivot is at most `floor` (it is a linear combination of the columns before it), or −1.
 * `lower` is left unchanged.
 */
export function firstDependentColumn(lower: Float64Array, m: number, floor: number): number {
  const r = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b <= a; b++) r[a * m + b] = lower[a * m + b] / Math.sqrt(lower[a * m + a] * lower[b * m + b]);
  }
  for (let a = 0; a < m; a++) {
    let pivot = r[a * m + a];
    for (let p = 0; p < a; p++) pivot -= r[a * m + p] * r[a * m + p];
    if (!(pivot > floor)) return a;
    const root = Math.sqrt(pivot);
    r[a * m + a] = root;
    for (let b = a + 1; b < m; b++) {
      let t = r[b * m + a];
      for (let p = 0; p < a; p++) t -= r[b * m + p] * r[a * m + p];
      r[b * m + a] = t / root;
    }
  }
  return -1;
}
