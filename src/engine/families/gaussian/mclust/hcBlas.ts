// Reference BLAS level-1 routines and mclust's rank-one update of a triangular factor (mclrup), as R's libblas and
// mclust's Fortran compute them: hc.ts needs their exact summation order to reproduce mclust's trees.

/** ddot(n, v, 1, v, 1): reference BLAS unrolls by five after the first n mod 5 terms. */
export function ddotSelf(nn: number, v: Float64Array, off: number): number {
  let t = 0;
  const m = nn % 5;
  for (let i = 0; i < m; i++) t += v[off + i] * v[off + i];
  if (nn < 5) return t;
  for (let i = m; i < nn; i += 5) {
    const a = v[off + i], b = v[off + i + 1], c = v[off + i + 2], d = v[off + i + 3], e = v[off + i + 4];
    t = t + a * a + b * b + c * c + d * d + e * e;
  }
  return t;
}

// drotg's c and s for the following drot (a typed array: module-level numbers would be boxed at every write).
const rot = new Float64Array(2);

/**
 * drotg(a, b, c, s) of LAPACK ≥ 3.10's reference BLAS: the Givens rotation zeroing b; a becomes r, b the
 * reconstruction value z; c and s go to rot[0] / rot[1].
 */
function drotg(av: Float64Array, ai: number, bv: Float64Array, bi: number): void {
  const a = av[ai];
  const b = bv[bi];
  const anorm = Math.abs(a);
  const bnorm = Math.abs(b);
  if (bnorm === 0) {
    rot[0] = 1;
    rot[1] = 0;
    bv[bi] = 0;
  } else if (anorm === 0) {
    rot[0] = 0;
    rot[1] = 1;
    av[ai] = b;
    bv[bi] = 1;
  } else {
    const scl = Math.min(SAFMAX, Math.max(SAFMIN, anorm, bnorm));
    const sigma = anorm > bnorm ? (a < 0 || Object.is(a, -0) ? -1 : 1) : b < 0 || Object.is(b, -0) ? -1 : 1;
    const as = a / scl;
    const bs = b / scl;
    const r = sigma * (scl * Math.sqrt(as * as + bs * bs));
    const c = a / r;
    const s = b / r;
    rot[0] = c;
    rot[1] = s;
    let z: number;
    if (anorm > bnorm) z = s;
    else if (c !== 0) z = 1 / c;
    else z = 1;
    av[ai] = r;
    bv[bi] = z;
  }
}
const SAFMIN = 2.2250738585072014e-308;
const SAFMAX = 1 / SAFMIN;

/** drot(nn, x, incx, y, incy, c, s) with the last drotg's c and s. */
function drot(nn: number, x: Float64Array, xo: number, incx: number, y: Float64Array, yo: number, incy: number): void {
  const c = rot[0];
  const s = rot[1];
  for (let i = 0; i < nn; i++) {
    const xi = x[xo + i * incx];
    const yi = y[yo + i * incy];
    y[yo + i * incy] = c * yi - s * xi;
    x[xo + i * incx] = c * xi + s * yi;
  }
}

/**
 * mclust's mclrup(l, n, v, r, lr): adds the row v (n entries, from v[0]) to the upper-triangular factor r (column-major
 * with leading dimension lr, r(1,1) at r[ro]) of l − 1 rows, by Givens rotations.
 */
export function mclrup(l: number, nn: number, v: Float64Array, r: Float64Array, ro: number, lr: number): void {
  if (l === 1) return;
  const k = l - 1;
  if (k <= nn) {
    for (let c = 0; c < nn; c++) r[ro + (k - 1) + c * lr] = v[c];
    if (k === 1) return;
    if (nn > 1) {
      let i = 1;
      let m = nn;
      for (let j = 2; j <= k; j++) {
        drotg(r, ro + (i - 1) + (i - 1) * lr, r, ro + (k - 1) + (i - 1) * lr);
        m--;
        drot(m, r, ro + (i - 1) + (j - 1) * lr, lr, r, ro + (k - 1) + (j - 1) * lr, lr);
        i = j;
      }
    } else {
      drotg(r, ro, r, ro + (k - 1));
    }
  } else {
    if (nn > 1) {
      let i = 1;
      let m = nn;
      for (let j = 2; j <= nn; j++) {
        drotg(r, ro + (i - 1) + (i - 1) * lr, v, i - 1);
        m--;
        drot(m, r, ro + (i - 1) + (j - 1) * lr, lr, v, j - 1, 1);
        i = j;
      }
    }
    drotg(r, ro + (nn - 1) + (nn - 1) * lr, v, nn - 1);
  }
}

