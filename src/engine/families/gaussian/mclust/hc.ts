// mclust's model-based agglomerative hierarchical clustering for the VVV model (Fraley 1998), as Mclust() uses it
// to start EM: hc(data, modelName = "VVV", use = "SVD"), then hclass(tree, K) for each K. Ported from mclust 6's
// R/mbahc.R (hc, hcVVV, hclass) and src/mclust.f (hcvvv, vvvtij, mclrup, wardsw, det2mc, mcltrw) step by step,
// in the same floating-point order, with the same ties (the last minimum in mclust's scan order wins) and the
// same storage of each cluster's triangular factor, so that the trees are mclust's merge for merge.
// Costs: memory 8·n(n−1)/2 bytes for the pair criteria (n = 2,000: 16 MB; n = 5,000: 100 MB); time about n²
// evaluations of the criterion, O(d³) each. mclust rescans all pairs for every merge (O(n³)); here the smallest
// criterion of each column is kept, which picks the same pair (ties included) in O(n) per merge.

/** Options of `hcVVV`, as mclust's hcVVV(): the criterion's regularisation and where merging stops. */
export interface HcOptions {
  /** Multiplies traceW(x / √(n·d)), the regularisation added to each cluster's trace (mclust's alpha); default 1. */
  alpha?: number;
  /** Weight of the trace term (mclust's beta); default 1. */
  beta?: number;
  /** Number of clusters left when merging stops (mclust's minclus); default 1. */
  minclus?: number;
}

/** The use = "SVD" data of `hcSvdTransform`: n × p, row-major. */
export interface HcTransformed {
  z: Float64Array;
  /** Columns of z: min(n, number of columns kept). */
  p: number;
  /** The input columns kept (those that vary; mclust drops columns that scale to non-finite values). */
  columns: number[];
}

const FLMAX = Number.MAX_VALUE;
const EPSMAX = 2.220446049250313e-16;
const RTHALF = 0.7071067811865476;

// ---------------------------------------------------------------------------------------------------------------
// Reference BLAS level-1 as R's libblas computes them (the summation order of ddot matters for exact agreement).

/** ddot(n, v, 1, v, 1): reference BLAS unrolls by five after the first n mod 5 terms. */
function ddotSelf(nn: number, v: Float64Array, off: number): number {
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
function mclrup(l: number, nn: number, v: Float64Array, r: Float64Array, ro: number, lr: number): void {
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

/** mclust's det2mc: log det of (s·R)ᵀ(s·R) from the diagonal of the p × p factor r; −FLMAX when singular. */
function det2mc(p: number, r: Float64Array, s: number): number {
  let det = 0;
  for (let k = 0; k < p; k++) {
    const q = r[k + k * p] * s;
    if (Math.abs(q) <= 0) return -FLMAX;
    det += Math.log(Math.abs(q));
  }
  return 2 * det;
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * mclust's hcVVV(x) with every observation its own starting cluster (hc()'s default): the agglomerative tree that
 * merges, at each step, the two clusters whose union least increases the VVV classification criterion.
 * `x` is n × d row-major. Returns the n − minclus merges as pairs, row t = [merges[2t], merges[2t+1]], each pair
 * sorted and 1-BASED exactly as mclust reports them: clusters are named by labels 1..n, and after merging (i, j)
 * with i < j the union is named i (what `hclass` relies on). n = 1 gives no merges.
 */
export function hcVVV(x: Float64Array, n: number, d: number, options: HcOptions = {}): Int32Array {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`hcVVV needs at least one row (n = ${n})`);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`hcVVV needs at least one column (d = ${d})`);
  if (x.length < n * d) throw new RangeError(`hcVVV: x has ${x.length} values, n × d = ${n * d}`);
  for (let i = 0; i < n * d; i++) if (!Number.isFinite(x[i])) throw new RangeError('hcVVV: the data have non-finite values');
  const minclus = options.minclus ?? 1;
  if (!Number.isInteger(minclus) || minclus < 1) throw new RangeError(`hcVVV: minclus must be a positive integer (${minclus})`);
  if (n <= minclus) return new Int32Array(0);
  const p = d;
  const ng = n;
  const ns = ng - minclus;
  const beta = options.beta ?? 1;
  // R: alpha <- alpha * traceW(data / sqrt(n * p)); max(alpha, eps) (twice, in R and in the Fortran).
  const alpha = Math.max(Math.max((options.alpha ?? 1) * traceW(x, n, p), EPSMAX), EPSMAX);
  const ablog = Math.log(beta * alpha);

  // The Fortran's x(n, p + 1), stored here row by row (a factor chain reads whole rows); 1-based indices below.
  // Row i of a cluster's slot holds √(size)·mean; column p + 1 holds the cluster's trace (at its own row) and its
  // criterion term (at the first row of its factor chain). ic(1..n): 1 marks a singleton; otherwise the chain of
  // rows holding the cluster's triangular factor, ended by n + (cluster size). Rows of merged-away slots are reused.
  const pp1 = p + 1;
  const X = new Float64Array(n * pp1);
  for (let i = 0; i < n; i++) for (let c = 0; c < p; c++) X[i * pp1 + c] = x[i * d + c];
  const ic = new Int32Array(n + 1);
  const v = new Float64Array(p);
  const u = new Float64Array(p * p);
  const s = new Float64Array(p * p);
  const r = new Float64Array(p * p);
  // Pair criteria d(ij), ij = (j−1)(j−2)/2 + i for i < j (1-based; stored at D[ij − 1]).
  const D = new Float64Array((ng * (ng - 1)) / 2);
  // Per column j: the smallest d(i, j), i < j, and the largest i that has it (the pair mclust's scan would pick).
  const colMin = new Float64Array(ng + 1);
  const colArg = new Int32Array(ng + 1);
  const histI = new Int32Array(ns + 1);
  const histJ = new Int32Array(ns + 1);

  const xi = (row: number, col: number) => (row - 1) * pp1 + col - 1;
  const vvvtij = (l: number, rr: Float64Array, sc: number, trac: number): number => {
    let t: number;
    if (l <= p) t = Math.log((beta * (trac + alpha)) / l);
    else if (trac === 0) t = Math.log((alpha * beta) / l);
    else {
      const detlog = det2mc(p, rr, sc);
      if (detlog === -FLMAX) t = Math.log((beta * (trac + alpha)) / l);
      else if (detlog <= 0) t = Math.log(Math.exp(detlog) + (beta * (trac + alpha)) / l);
      else t = Math.log(1 + Math.exp(-detlog) * ((beta * (trac + alpha)) / l)) + detlog;
    }
    return l * t;
  };
  /** Copies the first `rows` rows (upper parts) of the p × p factor a into b. */
  const copyRows = (a: Float64Array, b: Float64Array, rows: number) => {
    for (let k = 1; k <= rows; k++) for (let c = k; c <= p; c++) b[k - 1 + (c - 1) * p] = a[k - 1 + (c - 1) * p];
  };

  let iopt = 0, jopt = 0, niop = 0, njop = 0, nopt = 0;
  let siop = 0, sjop = 0, tmop = 0, trop = 0;
  let dopt = FLMAX;
  let lg = ng;

  // Every observation is a singleton.
  for (let k = 1; k <= ng; k++) ic[k] = 1;

  // Criterion change of every pair of singletons, and the smallest.
  {
    let ij = 0;
    const termj = ablog;
    for (let j = 2; j <= ng; j++) {
      let cmin = FLMAX;
      let carg = 0;
      for (let i = 1; i <= j - 1; i++) {
        for (let c = 1; c <= p; c++) {
          const t = X[xi(i, c)] + -1 * X[xi(j, c)];
          v[c - 1] = RTHALF * t;
        }
        const trcij = ddotSelf(p, v, 0);
        for (let c = 0; c < p; c++) u[c * p] = v[c];
        const trmij = 2 * Math.log((beta * (trcij + alpha)) / 2);
        const dij = trmij - (ablog + termj);
        D[ij++] = dij;
        if (dij <= cmin) {
          cmin = dij;
          carg = i;
        }
        if (dij <= dopt) {
          dopt = dij;
          trop = trcij;
          tmop = trmij;
          nopt = 2;
          niop = 1;
          njop = 1;
          siop = RTHALF;
          sjop = RTHALF;
          iopt = i;
          jopt = j;
          copyRows(u, r, 1);
        }
      }
      colMin[j] = cmin;
      colArg[j] = carg;
    }
  }

  if (ns === 1) {
    const out = new Int32Array(2);
    out[0] = Math.min(iopt, jopt);
    out[1] = Math.max(iopt, jopt);
    return out;
  }

  /** Recomputes column j's smallest criterion (the last one in scan order on ties). */
  const rescanColumn = (j: number) => {
    const base = ((j - 1) * (j - 2)) / 2;
    let cmin = D[base];
    let carg = 1;
    for (let i = 2; i < j; i++) {
      const q = D[base + i - 1];
      if (q <= cmin) {
        cmin = q;
        carg = i;
      }
    }
    colMin[j] = cmin;
    colArg[j] = carg;
  };

  let ls = 1;
  for (;;) {
    // Merge iopt and jopt into iopt; the cluster in the last slot lg moves to jopt.
    for (let c = 1; c <= p; c++) v[c - 1] = siop * X[xi(iopt, c)];
    for (let c = 1; c <= p; c++) v[c - 1] = v[c - 1] + sjop * X[xi(jopt, c)];

    const mergedJ = jopt;
    const oldLg = lg;
    if (jopt !== lg) {
      wardsw(jopt, lg, D);
      for (let c = 1; c <= p; c++) X[xi(jopt, c)] = X[xi(lg, c)];
      const m = ic[jopt];
      const icj = ic[lg];
      if (icj !== 1) X[xi(jopt, pp1)] = X[xi(lg, pp1)];
      ic[jopt] = icj;
      ic[lg] = m;
    }

    if (niop === 1) ic[iopt] = lg;
    else {
      let l = ic[iopt];
      let m = 0;
      const kk = Math.min(niop - 1, p);
      for (let k = 1; k <= kk; k++) {
        m = l;
        l = ic[l];
      }
      ic[m] = lg;
    }

    {
      let l = ic[iopt];
      let m = 0;
      const kk = Math.min(nopt - 1, p);
      for (let k = 1; k <= kk; k++) {
        // mclust copies the factor's FIRST row into every row of the chain (dcopy(p, r(1,1), p, x(l,1), n));
        // kept as is, because the trees must be mclust's.
        for (let c = 1; c <= p; c++) X[xi(l, c)] = r[(c - 1) * p];
        m = l;
        l = ic[l];
      }
      ic[m] = nopt + n;
    }

    X[xi(iopt, pp1)] = 0;
    if (nopt >= 2) {
      X[xi(iopt, pp1)] = trop;
      X[xi(ic[iopt], pp1)] = tmop;
    }
    for (let c = 1; c <= p; c++) X[xi(iopt, c)] = v[c - 1];

    histI[ls] = iopt;
    histJ[ls] = jopt;

    lg = lg - 1;

    const iold = iopt;
    dopt = FLMAX;
    const ni = nopt;
    const ri = ni;
    const termi = tmop;
    const traci = trop;

    // Criterion of the merged cluster with every other one: pairs (j, iold), j < iold, then (iold, j), j > iold.
    for (let j = 1; j <= lg; j++) {
      if (j === iold) continue;
      u.fill(0);
      copyRows(r, u, Math.min(ni - 1, p));
      let nj = 1;
      const icj = ic[j];
      let nij = 0, si = 0, sj = 0, sij = 0, trcij = 0, termj = 0;
      if (icj === 1) {
        nij = ni + 1;
        const rij = nij;
        const qij = 1 / rij;
        const qi = ri * qij;
        si = Math.sqrt(qi);
        sj = Math.sqrt(qij);
        sij = sj;
        for (let c = 1; c <= p; c++) v[c - 1] = si * X[xi(j, c)];
        for (let c = 1; c <= p; c++) v[c - 1] = v[c - 1] + -sj * X[xi(iold, c)];
        trcij = traci + ddotSelf(p, v, 0);
        termj = ablog;
      } else {
        let m = p;
        let l = icj;
        let k = ni + 1;
        do {
          for (let c = 0; c < m; c++) v[c] = X[xi(l, nj + c)];
          mclrup(k, m, v, u, nj - 1 + (nj - 1) * p, p);
          k++;
          nj++;
          m--;
          l = ic[l];
        } while (l <= n);
        nj = l - n;
        const tracj = X[xi(j, pp1)];
        termj = X[xi(ic[j], pp1)];
        const rj = nj;
        nij = ni + nj;
        const rij = nij;
        const qij = 1 / rij;
        const qi = ri * qij;
        const qj = rj * qij;
        si = Math.sqrt(qi);
        sj = Math.sqrt(qj);
        sij = Math.sqrt(qij);
        for (let c = 1; c <= p; c++) v[c - 1] = si * X[xi(j, c)];
        for (let c = 1; c <= p; c++) v[c - 1] = v[c - 1] + -sj * X[xi(iold, c)];
        trcij = traci + tracj + ddotSelf(p, v, 0);
      }
      mclrup(nij, p, v, u, 0, p);
      const trmij = vvvtij(nij, u, sij, trcij);
      const dij = trmij - (termi + termj);
      if (j < iold) D[((iold - 1) * (iold - 2)) / 2 + j - 1] = dij;
      else D[((j - 1) * (j - 2)) / 2 + iold - 1] = dij;
      if (dij <= dopt) {
        dopt = dij;
        trop = trcij;
        tmop = trmij;
        nopt = nij;
        if (j < iold) {
          niop = nj;
          njop = ni;
          siop = sj;
          sjop = si;
          iopt = j;
          jopt = iold;
        } else {
          niop = ni;
          njop = nj;
          siop = si;
          sjop = sj;
          iopt = iold;
          jopt = j;
        }
        copyRows(u, s, Math.min(nij - 1, p));
      }
    }

    // The per-column minima after this merge: columns iold and mergedJ changed wholly; in every other column only
    // the entries of rows iold and (after wardsw) mergedJ changed.
    updateColumns(iold, mergedJ, oldLg, lg);

    // The next merge: the smallest criterion, the last one in mclust's scan order on ties.
    jopt = 2;
    iopt = 1;
    dopt = D[0];
    if (lg === 2) break;
    {
      let best = 2;
      let bmin = colMin[2];
      for (let j = 3; j <= lg; j++) {
        if (colMin[j] <= bmin) {
          bmin = colMin[j];
          best = j;
        }
      }
      jopt = best;
      iopt = colArg[best];
      dopt = bmin;
    }

    r.fill(0);
    if (iopt !== iold && jopt !== iold) {
      // Neither is the cluster just formed: its factor is rebuilt from the two chains.
      const i = iopt;
      const j = jopt;
      let nj = 1;
      const icj = ic[j];
      let ni2 = 1;
      const ici = ic[i];
      let nij = 0, si = 0, sj = 0, trcij = 0, termi2 = 0, termj = 0;
      if (icj === 1) {
        termj = ablog;
        if (ici === 1) {
          nij = 2;
          si = RTHALF;
          sj = RTHALF;
          for (let c = 1; c <= p; c++) v[c - 1] = X[xi(i, c)] + -1 * X[xi(j, c)];
          for (let c = 0; c < p; c++) v[c] = RTHALF * v[c];
          trcij = ddotSelf(p, v, 0);
          for (let c = 0; c < p; c++) r[c * p] = v[c];
          termi2 = ablog;
        } else {
          let m = p;
          let l = ici;
          do {
            for (let c = 0; c < m; c++) r[ni2 - 1 + (ni2 - 1 + c) * p] = X[xi(l, ni2 + c)];
            ni2++;
            m--;
            l = ic[l];
          } while (l <= n);
          ni2 = l - n;
          const traci2 = X[xi(i, pp1)];
          termi2 = X[xi(ic[i], pp1)];
          const ri2 = ni2;
          nij = ni2 + 1;
          const rij = nij;
          const qij = 1 / rij;
          const qi = ri2 * qij;
          si = Math.sqrt(qi);
          sj = Math.sqrt(qij);
          for (let c = 1; c <= p; c++) v[c - 1] = sj * X[xi(i, c)];
          for (let c = 1; c <= p; c++) v[c - 1] = v[c - 1] + -si * X[xi(j, c)];
          trcij = traci2 + ddotSelf(p, v, 0);
          mclrup(nij, p, v, r, 0, p);
        }
      } else {
        let m = p;
        let l = icj;
        do {
          for (let c = 0; c < m; c++) r[nj - 1 + (nj - 1 + c) * p] = X[xi(l, nj + c)];
          nj++;
          m--;
          l = ic[l];
        } while (l <= n);
        nj = l - n;
        const tracj = X[xi(j, pp1)];
        termj = X[xi(ic[j], pp1)];
        const rj = nj;
        if (ici === 1) {
          nij = nj + 1;
          const rij = nij;
          const qij = 1 / rij;
          const qj = rj * qij;
          si = Math.sqrt(qij);
          sj = Math.sqrt(qj);
          for (let c = 1; c <= p; c++) v[c - 1] = sj * X[xi(i, c)];
          for (let c = 1; c <= p; c++) v[c - 1] = v[c - 1] + -si * X[xi(j, c)];
          trcij = tracj + ddotSelf(p, v, 0);
          termi2 = ablog;
        } else {
          m = p;
          l = ici;
          const k = nj + 1;
          do {
            for (let c = 0; c < m; c++) v[c] = X[xi(l, ni2 + c)];
            mclrup(k, m, v, r, ni2 - 1 + (ni2 - 1) * p, p);
            ni2++;
            m--;
            l = ic[l];
          } while (l <= n);
          ni2 = l - n;
          const traci2 = X[xi(i, pp1)];
          termi2 = X[xi(ic[i], pp1)];
          const ri2 = ni2;
          nij = ni2 + nj;
          const rij = nij;
          const qij = 1 / rij;
          const qi = ri2 * qij;
          const qj = rj * qij;
          si = Math.sqrt(qi);
          sj = Math.sqrt(qj);
          for (let c = 1; c <= p; c++) v[c - 1] = sj * X[xi(i, c)];
          for (let c = 1; c <= p; c++) v[c - 1] = v[c - 1] + -si * X[xi(j, c)];
          trcij = traci2 + tracj + ddotSelf(p, v, 0);
        }
        mclrup(nij, p, v, r, 0, p);
      }
      trop = trcij;
      tmop = dopt + (termi2 + termj);
      nopt = nij;
      niop = ni2;
      njop = nj;
      siop = si;
      sjop = sj;
    } else {
      copyRows(s, r, Math.min(nopt - 1, p));
      niop = clusterSize(ic, iopt, n);
      njop = clusterSize(ic, jopt, n);
      nopt = niop + njop;
    }

    ls++;
    if (ls === ns) break;
  }

  histI[ns] = iopt;
  histJ[ns] = jopt;

  // Name the clusters of each merge as mclust does: by the labels 1..n, the union keeping the smaller label.
  const out = new Int32Array(2 * ns);
  for (let i = 1; i <= ng; i++) ic[i] = i;
  {
    const si = histI[1];
    const sj = histJ[1];
    ic[sj] = ng;
    out[0] = Math.min(si, sj);
    out[1] = Math.max(si, sj);
  }
  const lgEnd = ng + 1;
  for (let k = 2; k <= ns; k++) {
    const i = histI[k];
    const ici = ic[i];
    const j = histJ[k];
    const icj = ic[j];
    if (ici > icj) ic[i] = icj;
    ic[j] = ic[lgEnd - k];
    out[2 * (k - 1)] = Math.min(ici, icj);
    out[2 * (k - 1) + 1] = Math.max(ici, icj);
  }
  return out;

  function updateColumns(iold: number, mergedJ: number, oldLg: number, newLg: number): void {
    for (let j = 2; j <= newLg; j++) {
      if (j === iold || j === mergedJ) {
        rescanColumn(j);
        continue;
      }
      const touchedJ = mergedJ !== oldLg && j > mergedJ;
      const touchedI = j > iold;
      if (!touchedI && !touchedJ) continue;
      const arg = colArg[j];
      if ((touchedI && arg === iold) || (touchedJ && arg === mergedJ)) {
        rescanColumn(j);
        continue;
      }
      // The unchanged entries' smallest is the old one; compare it with the changed entries (larger row wins ties).
      const base = ((j - 1) * (j - 2)) / 2;
      let cmin = colMin[j];
      let carg = arg;
      if (touchedI) {
        const q = D[base + iold - 1];
        if (q < cmin || (q === cmin && iold > carg)) {
          cmin = q;
          carg = iold;
        }
      }
      if (touchedJ) {
        const q = D[base + mergedJ - 1];
        if (q < cmin || (q === cmin && mergedJ > carg)) {
          cmin = q;
          carg = mergedJ;
        }
      }
      colMin[j] = cmin;
      colArg[j] = carg;
    }
  }
}

/** Size of the cluster in slot `slot`: 1 for a singleton, else n + the end marker of its factor chain. */
function clusterSize(ic: Int32Array, slot: number, n: number): number {
  let l = ic[slot];
  if (l === 1) return 1;
  while (l <= n) l = ic[l];
  return l - n;
}

/**
 * mclust's wardsw(i, n, d): moves column n of the packed pair array into column i — d(k, i) ↔ d(k, n) for k < i and
 * d(i, k) ↔ d(k, n) for i < k < n — when the cluster of the last slot n takes slot i.
 */
function wardsw(i: number, nn: number, D: Float64Array): void {
  const i1 = i - 1;
  let ii = (i1 * (i1 - 1)) / 2 + 1;
  const n1 = nn - 1;
  let nn2 = (n1 * (n1 - 1)) / 2 + 1;
  for (let t = 0; t < i1; t++) {
    const tmp = D[nn2 - 1 + t];
    D[nn2 - 1 + t] = D[ii - 1 + t];
    D[ii - 1 + t] = tmp;
  }
  ii = ii + i1 + i1;
  nn2 = nn2 + i;
  if (n1 === i) return;
  let k = i;
  do {
    const tmp = D[ii - 1];
    D[ii - 1] = D[nn2 - 1];
    D[nn2 - 1] = tmp;
    ii += k;
    nn2 += 1;
    k++;
  } while (k < n1);
}

/**
 * mclust's traceW(x / √(n·p)) (Fortran mcltrw): the within sum of squares of the scaled data, centred with the mean
 * accumulated as the Fortran does.
 */
function traceW(x: Float64Array, n: number, p: number): number {
  const scale = Math.sqrt(n * p);
  const col = new Float64Array(n);
  const fac = 1 / Math.sqrt(n);
  let ss = 0;
  for (let c = 0; c < p; c++) {
    let uc = 0;
    for (let i = 0; i < n; i++) uc = uc + fac * (x[i * p + c] / scale);
    for (let i = 0; i < n; i++) col[i] = x[i * p + c] / scale + -fac * uc;
    ss = ss + ddotSelf(n, col, 0);
  }
  return ss;
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

/**
 * mclust's hclass(tree, G): the partition into K clusters of the n observations for each K in `ks`, after the first
 * n − K merges of `merges` (1-based pairs as `hcVVV` returns them). Labels are 0-based and numbered as mclust
 * numbers them (partconv(consec = TRUE): in the order in which each cluster first appears among the rows), so
 * label + 1 is R's label. Throws a RangeError for a K that is not an integer in 1..n or needs more merges than
 * the tree has.
 */
export function hclass(merges: Int32Array, n: number, ks: number[]): Int32Array[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`hclass needs at least one observation (n = ${n})`);
  if (merges.length % 2 !== 0) throw new RangeError('hclass: merges must hold pairs');
  const nMerges = merges.length / 2;
  if (nMerges > n - 1) throw new RangeError(`hclass: ${nMerges} merges for ${n} observations`);
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`hclass: K = ${k} is not in 1..${n} (n = ${n} observations)`);
    if (n - k > nMerges) throw new RangeError(`hclass: K = ${k} needs ${n - k} merges; the tree has ${nMerges}`);
  }
  // Members of each label as linked lists, so that relabelling j → i touches only j's members.
  const label = new Int32Array(n);
  const head = new Int32Array(n + 1).fill(-1);
  const tail = new Int32Array(n + 1).fill(-1);
  const next = new Int32Array(n).fill(-1);
  for (let r = 0; r < n; r++) {
    label[r] = r + 1;
    head[r + 1] = r;
    tail[r + 1] = r;
  }
  const order = ks.map((_, q) => q).sort((a, b) => ks[b] - ks[a]);
  const result: Int32Array[] = new Array(ks.length);
  const renumber = new Int32Array(n + 1);
  let done = 0;
  for (const q of order) {
    const target = n - ks[q];
    for (; done < target; done++) {
      const a = merges[2 * done];
      const b = merges[2 * done + 1];
      const i = Math.min(a, b);
      const j = Math.max(a, b);
      if (i < 1 || j > n) throw new RangeError(`hclass: merge ${done + 1} (${a}, ${b}) is not a pair of labels in 1..${n}`);
      // As R's initial[initial == j] <- i: nothing happens when no observation has label j.
      if (i === j || head[j] < 0) continue;
      for (let r = head[j]; r >= 0; r = next[r]) label[r] = i;
      if (head[i] < 0) head[i] = head[j];
      else next[tail[i]] = head[j];
      tail[i] = tail[j];
      head[j] = -1;
      tail[j] = -1;
    }
    renumber.fill(-1);
    const part = new Int32Array(n);
    let nextLabel = 0;
    for (let r = 0; r < n; r++) {
      const l = label[r];
      if (renumber[l] < 0) renumber[l] = nextLabel++;
      part[r] = renumber[l];
    }
    result[q] = part;
  }
  return result;
}

/**
 * The starting partitions of Mclust(): hc(x, "VVV", use = "SVD") then hclass(tree, ks) — labels 0-based, numbered as
 * mclust numbers them. `x` is n × d row-major. One row gives the single partition [0] (mclust itself refuses n = 1).
 * Mclust() itself runs this on at most mclust.options("subset") rows (2,000 by default), a random subset beyond.
 */
export function hcPartitions(x: Float64Array, n: number, d: number, ks: number[]): Int32Array[] {
  // One or two rows have one possible tree (and two centred rows have no second singular value to scale by).
  if (n === 1) return hclass(new Int32Array(0), 1, ks);
  if (n === 2) return hclass(Int32Array.of(1, 2), 2, ks);
  const { z, p } = hcSvdTransform(x, n, d);
  if (p === 0) throw new RangeError('hcPartitions: no column of the data varies');
  return hclass(hcVVV(z, n, p), n, ks);
}
