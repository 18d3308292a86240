// mclust's use = "SVD" transform before hc(): the scaled data rotated onto its singular vectors and divided by the
// singular values (Jacobi rotations here, LAPACK in R; equal to the last bits).

const EPSMAX = 2.220446049250313e-16;

/** The use = "SVD" data of `hcSvdTransform`: n × p, row-major. */
export interface HcTransformed {
  z: Float64Array;
  /** Columns of z: min(n, number of columns kept). */
  p: number;
  /** The input columns kept (those that vary; mclust drops columns that scale to non-finite values). */
  columns: number[];
}

/**
 * hc()'s use = "SVD" step: Z = scale(X) V diag(1/√d_j), with scale(X) centring each column and dividing it by its
 * standard deviation (n − 1), and V, d the right singular vectors and values of scale(X). Columns that do not vary
 * are dropped first (mclust drops the columns that scale to non-finite values). Only the scaling along the principal
 * axes matters to the VVV criterion (it is invariant under rotations and sign changes of Z), so the singular vectors'
 * signs need not match R's. `x` is n × d row-major; z is n × p row-major, p = min(n, columns kept).
 */
export function hcSvdTransform(x: Float64Array, n: number, d: number): HcTransformed {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(d) || d < 1) throw new RangeError(`hcSvdTransform: bad shape ${n} × ${d}`);
  if (x.length < n * d) throw new RangeError(`hcSvdTransform: x has ${x.length} values, n × d = ${n * d}`);
  for (let i = 0; i < n * d; i++) if (!Number.isFinite(x[i])) throw new RangeError('hcSvdTransform: the data have non-finite values');
  const columns: number[] = [];
  const scaled: Float64Array[] = [];
  const col = new Float64Array(n);
  for (let c = 0; c < d; c++) {
    let varies = false;
    for (let i = 1; i < n && !varies; i++) varies = x[i * d + c] !== x[c];
    if (!varies) continue;
    // R sums in extended precision; a compensated sum gives the same correctly rounded mean and deviation.
    for (let i = 0; i < n; i++) col[i] = x[i * d + c];
    const mean = compensatedSum(col, n, false) / n;
    for (let i = 0; i < n; i++) col[i] = col[i] - mean;
    const sd = Math.sqrt(compensatedSum(col, n, true) / Math.max(1, n - 1));
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = col[i] / sd;
    columns.push(c);
    scaled.push(out);
  }
  const m = columns.length;
  const p = Math.min(n, m);
  if (p === 0) return { z: new Float64Array(0), p: 0, columns };

  // One-sided Jacobi SVD: rotate column pairs of W = scale(X) V until they are orthogonal; then ‖w_j‖ = d_j.
  const w = scaled.map((a) => Float64Array.from(a));
  const V = new Float64Array(m * m); // column-major: V[r + j·m]
  for (let j = 0; j < m; j++) V[j + j * m] = 1;
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false;
    for (let j = 0; j < m - 1; j++) {
      for (let k = j + 1; k < m; k++) {
        const wj = w[j];
        const wk = w[k];
        let a = 0, b = 0, g = 0;
        for (let i = 0; i < n; i++) {
          a += wj[i] * wj[i];
          b += wk[i] * wk[i];
          g += wj[i] * wk[i];
        }
        if (g === 0 || Math.abs(g) <= EPSMAX * Math.sqrt(a * b)) continue;
        rotated = true;
        const zeta = (b - a) / (2 * g);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t);
        const sn = cs * t;
        for (let i = 0; i < n; i++) {
          const y = wj[i];
          const z = wk[i];
          wj[i] = cs * y - sn * z;
          wk[i] = sn * y + cs * z;
        }
        for (let r = 0; r < m; r++) {
          const y = V[r + j * m];
          const z = V[r + k * m];
          V[r + j * m] = cs * y - sn * z;
          V[r + k * m] = sn * y + cs * z;
        }
      }
    }
    if (!rotated) break;
  }
  const sv = w.map((a) => Math.sqrt(compensatedSum(a, n, true)));
  const order = sv.map((_, j) => j).sort((a, b) => sv[b] - sv[a] || a - b);

  // Z = scale(X) %*% V %*% diag(1/sqrt(d)), each product summed in column order as R's dgemm does.
  const z = new Float64Array(n * p);
  for (let q = 0; q < p; q++) {
    const j = order[q];
    if (!(sv[j] > 0)) throw new RangeError('hcSvdTransform: the scaled data are rank-deficient (a singular value is 0)');
    const inv = 1 / Math.sqrt(sv[j]);
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let r = 0; r < m; r++) t += scaled[r][i] * V[r + j * m];
      z[i * p + q] = t * inv;
    }
  }
  return { z, p, columns };
}

/** Neumaier-compensated Σ a_i (or Σ a_i² when `squares`). */
function compensatedSum(a: Float64Array, n: number, squares: boolean): number {
  let sum = 0;
  let comp = 0;
  for (let i = 0; i < n; i++) {
    const v = squares ? a[i] * a[i] : a[i];
    const t = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + comp;
}
