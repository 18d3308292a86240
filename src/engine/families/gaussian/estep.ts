// E-step kernels of the Gaussian family: each writes out[i·k + j] = constant_j − ½ ‖(x_i − μ_j)ᵀ U_j‖², the same
// quantity in the same order of terms as the textbook loop, arranged for the JIT: no per-element branches, hoisted
// scalars, independent accumulators. Nothing here allocates.


/** D = 1, packed [μ, u, constant] per component. */
export function eStepD1(values: Float64Array, n: number, k: number, p: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const x = values[i];
    const o = i * k;
    for (let j = 0; j < k; j++) {
      const q = 3 * j;
      const y = (x - p[q]) * p[q + 1];
      out[o + j] = p[q + 2] - 0.5 * (y * y);
    }
  }
}

/** D = 2, packed [μ0, μ1, U00, U01, U11, constant] per component: y0 = U00 z0, y1 = U01 z0 + U11 z1. */
export function eStepD2(values: Float64Array, n: number, k: number, p: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const x0 = values[2 * i];
    const x1 = values[2 * i + 1];
    const o = i * k;
    for (let j = 0; j < k; j++) {
      const q = 6 * j;
      const z0 = x0 - p[q];
      const z1 = x1 - p[q + 1];
      const y0 = p[q + 2] * z0;
      const y1 = p[q + 3] * z0 + p[q + 4] * z1;
      out[o + j] = p[q + 5] - 0.5 * (y0 * y0 + y1 * y1);
    }
  }
}

/**
 * Full / tied, D ≥ 3, one component: maha_i = Σ_c (Σ_{r ≤ c} L⁻¹[c][r] z_ir)², with L⁻¹ = Uᵀ stored by rows at
 * lt[lo ..]. Register-blocked 4 rows × 2 output columns: each load of L⁻¹ serves 4 rows, each z serves 2 columns,
 * and the 8 sums are independent chains (a single dot product would wait on its own additions).
 */
export function eStepTriangular(
  values: Float64Array,
  n: number,
  d: number,
  means: Float64Array,
  mo: number,
  lt: Float64Array,
  lo: number,
  constant: number,
  out: Float64Array,
  k: number,
  j: number,
  z: Float64Array,
): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x0 = i * d;
    for (let r = 0; r < d; r++) {
      const m = means[mo + r];
      const p = 4 * r;
      z[p] = values[x0 + r] - m;
      z[p + 1] = values[x0 + d + r] - m;
      z[p + 2] = values[x0 + 2 * d + r] - m;
      z[p + 3] = values[x0 + 3 * d + r] - m;
    }
    let m0 = 0;
    let m1 = 0;
    let m2 = 0;
    let m3 = 0;
    let c = 0;
    for (; c + 1 < d; c += 2) {
      const ra = lo + c * d;
      const rb = ra + d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let r = 0; r <= c; r++) {
        const ua = lt[ra + r];
        const ub = lt[rb + r];
        const p = 4 * r;
        const z0 = z[p];
        const z1 = z[p + 1];
        const z2 = z[p + 2];
        const z3 = z[p + 3];
        a0 += ua * z0;
        a1 += ua * z1;
        a2 += ua * z2;
        a3 += ua * z3;
        b0 += ub * z0;
        b1 += ub * z1;
        b2 += ub * z2;
        b3 += ub * z3;
      }
      const ub = lt[rb + c + 1];
      const p = 4 * (c + 1);
      b0 += ub * z[p];
      b1 += ub * z[p + 1];
      b2 += ub * z[p + 2];
      b3 += ub * z[p + 3];
      m0 += a0 * a0 + b0 * b0;
      m1 += a1 * a1 + b1 * b1;
      m2 += a2 * a2 + b2 * b2;
      m3 += a3 * a3 + b3 * b3;
    }
    if (c < d) {
      const ra = lo + c * d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let r = 0; r <= c; r++) {
        const ua = lt[ra + r];
        const p = 4 * r;
        a0 += ua * z[p];
        a1 += ua * z[p + 1];
        a2 += ua * z[p + 2];
        a3 += ua * z[p + 3];
      }
      m0 += a0 * a0;
      m1 += a1 * a1;
      m2 += a2 * a2;
      m3 += a3 * a3;
    }
    out[i * k + j] = constant - 0.5 * m0;
    out[(i + 1) * k + j] = constant - 0.5 * m1;
    out[(i + 2) * k + j] = constant - 0.5 * m2;
    out[(i + 3) * k + j] = constant - 0.5 * m3;
  }
  for (; i < n; i++) {
    const xo = i * d;
    for (let r = 0; r < d; r++) z[r] = values[xo + r] - means[mo + r];
    let maha = 0;
    for (let c = 0; c < d; c++) {
      const row = lo + c * d;
      let y = 0;
      for (let r = 0; r <= c; r++) y += lt[row + r] * z[r];
      maha += y * y;
    }
    out[i * k + j] = constant - 0.5 * maha;
  }
}

/** Diagonal covariances, D ≥ 3: u = 1/σ per component and feature. */
export function eStepDiag(
  values: Float64Array,
  n: number,
  d: number,
  k: number,
  means: Float64Array,
  u: Float64Array,
  constant: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    for (let j = 0; j < k; j++) {
      const mo = j * d;
      let maha = 0;
      for (let c = 0; c < d; c++) {
        const y = (values[xo + c] - means[mo + c]) * u[mo + c];
        maha += y * y;
      }
      out[i * k + j] = constant[j] - 0.5 * maha;
    }
  }
}

/** Spherical covariances, D ≥ 3: u = 1/σ per component. */
export function eStepSpherical(
  values: Float64Array,
  n: number,
  d: number,
  k: number,
  means: Float64Array,
  u: Float64Array,
  constant: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    for (let j = 0; j < k; j++) {
      const mo = j * d;
      let maha = 0;
      for (let c = 0; c < d; c++) {
        const z = values[xo + c] - means[mo + c];
        maha += z * z;
      }
      out[i * k + j] = constant[j] - 0.5 * (maha * (u[j] * u[j]));
    }
  }
}
