// The sums of mclust's M-step: component sizes, weighted means and scatter matrices W_k = Σ_i z_ik (x_i − μ_k)(x_i − μ_k)ᵀ.
// Component by component with rows innermost and the sums in locals, up to four at a time: V8 re-checks every typed
// array an inner loop touches on each pass, so few arrays and several sums per pass are fastest. Each sum adds the
// same terms in the same order (row by row) as a row-major pass would, so the results do not depend on this layout.
// Rows with z_ik = 0 add nothing to means or scatter and are skipped.

/** Sizes Σ_i z_ik, weights n_k / n and weighted means; false when a component's size is at or below √eps. */
/** `total`: Σ of the rows' case weights (n without weights), the denominator of the mixing weights. */
export function weightedMeans(x: Float64Array, n: number, d: number, k: number, z: Float64Array, means: Float64Array, sizes: Float64Array, weights: Float64Array, rootEps: number, total: number): boolean {
  for (let c = 0; c < k; c++) {
    let size = 0;
    for (let i = 0, o = c; i < n; i++, o += k) size += z[o];
    sizes[c] = size;
    for (let j = 0; j < d; j += 4) {
      const width = Math.min(4, d - j);
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0, o = c, xo = j; i < n; i++, o += k, xo += d) {
        const w = z[o];
        if (w === 0) continue;
        s0 += w * x[xo];
        if (width > 1) s1 += w * x[xo + 1];
        if (width > 2) s2 += w * x[xo + 2];
        if (width > 3) s3 += w * x[xo + 3];
      }
      const mo = c * d + j;
      means[mo] = s0;
      if (width > 1) means[mo + 1] = s1;
      if (width > 2) means[mo + 2] = s2;
      if (width > 3) means[mo + 3] = s3;
    }
  }
  for (let c = 0; c < k; c++) {
    const size = sizes[c];
    weights[c] = size / total;
    if (!(size > rootEps)) return false;
    for (let j = 0; j < d; j++) means[c * d + j] /= size;
  }
  return true;
}

/** The diagonals of the scatter matrices (all the diagonal models use). */
export function diagonalScatter(x: Float64Array, n: number, d: number, k: number, z: Float64Array, means: Float64Array, scatter: Float64Array): void {
  const dd = d * d;
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j += 4) {
      const width = Math.min(4, d - j);
      const mo = c * d + j;
      const m0 = means[mo];
      const m1 = width > 1 ? means[mo + 1] : 0;
      const m2 = width > 2 ? means[mo + 2] : 0;
      const m3 = width > 3 ? means[mo + 3] : 0;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0, o = c, xo = j; i < n; i++, o += k, xo += d) {
        const w = z[o];
        if (w === 0) continue;
        const v0 = x[xo] - m0;
        s0 += w * v0 * v0;
        if (width > 1) {
          const v1 = x[xo + 1] - m1;
          s1 += w * v1 * v1;
        }
        if (width > 2) {
          const v2 = x[xo + 2] - m2;
          s2 += w * v2 * v2;
        }
        if (width > 3) {
          const v3 = x[xo + 3] - m3;
          s3 += w * v3 * v3;
        }
      }
      const so = c * dd + j * (d + 1);
      scatter[so] = s0;
      if (width > 1) scatter[so + d + 1] = s1;
      if (width > 2) scatter[so + 2 * (d + 1)] = s2;
      if (width > 3) scatter[so + 3 * (d + 1)] = s3;
    }
  }
}

/** Lower triangles of the scatter matrices for two columns, unrolled. */
export function twoColumnScatter(x: Float64Array, n: number, k: number, z: Float64Array, means: Float64Array, scatter: Float64Array): void {
  for (let c = 0; c < k; c++) {
    const m0 = means[2 * c];
    const m1 = means[2 * c + 1];
    let s00 = 0;
    let s10 = 0;
    let s11 = 0;
    for (let i = 0, o = c; i < n; i++, o += k) {
      const w = z[o];
      if (w === 0) continue;
      const c0 = x[2 * i] - m0;
      const c1 = x[2 * i + 1] - m1;
      const w0 = w * c0;
      const w1 = w * c1;
      s00 += w0 * c0;
      s10 += w1 * c0;
      s11 += w1 * c1;
    }
    scatter[4 * c] = s00;
    scatter[4 * c + 2] = s10;
    scatter[4 * c + 3] = s11;
  }
}

/** Lower triangles of the scatter matrices: row r's entries (r, s ≤ r) up to four per pass, each Σ_i (z_ik (x_ir − μ_r)) (x_is − μ_s). */
export function fullScatter(x: Float64Array, n: number, d: number, k: number, z: Float64Array, means: Float64Array, scatter: Float64Array): void {
  const dd = d * d;
  for (let c = 0; c < k; c++) {
    const mo = c * d;
    for (let r = 0; r < d; r++) {
      const mr = means[mo + r];
      for (let s = 0; s <= r; s += 4) {
        const width = Math.min(4, r + 1 - s);
        const m0 = means[mo + s];
        const m1 = width > 1 ? means[mo + s + 1] : 0;
        const m2 = width > 2 ? means[mo + s + 2] : 0;
        const m3 = width > 3 ? means[mo + s + 3] : 0;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let i = 0, o = c, xo = 0; i < n; i++, o += k, xo += d) {
          const w = z[o];
          if (w === 0) continue;
          const wr = w * (x[xo + r] - mr);
          s0 += wr * (x[xo + s] - m0);
          if (width > 1) s1 += wr * (x[xo + s + 1] - m1);
          if (width > 2) s2 += wr * (x[xo + s + 2] - m2);
          if (width > 3) s3 += wr * (x[xo + s + 3] - m3);
        }
        const so = c * dd + r * d + s;
        scatter[so] = s0;
        if (width > 1) scatter[so + 1] = s1;
        if (width > 2) scatter[so + 2] = s2;
        if (width > 3) scatter[so + 3] = s3;
      }
    }
  }
}

export function mirrorLowerTriangles(matrices: Float64Array, d: number, k: number): void {
  const dd = d * d;
  for (let c = 0; c < k; c++) {
    const base = c * dd;
    for (let r = 0; r < d; r++) for (let s = 0; s < r; s++) matrices[base + s * d + r] = matrices[base + r * d + s];
  }
}
