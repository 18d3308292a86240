// mclust's model-based agglomerative hierarchical clustering for the VVV model (Fraley 1998), as Mclust() uses it
// to start EM: hc(data, modelName = "VVV", use = "SVD"), then hclass(tree, K) for each K. Ported from mclust 6's
// R/mbahc.R (hc, hcVVV, hclass) and src/mclust.f (hcvvv, vvvtij, mclrup, wardsw, det2mc, mcltrw) step by step,
// in the same floating-point order, with the same ties (the last minimum in mclust's scan order wins) and the
// same storage of each cluster's triangular factor, so that the trees are mclust's merge for merge.
// Costs: memory 8·n(n−1)/2 bytes for the pair criteria (n = 2,000: 16 MB; n = 5,000: 100 MB); time about n²
// evaluations of the criterion, O(d³) each (about 1 s for n = 2,000 and 6 s for n = 5,000 with d = 4).
// mclust rescans all pairs for every merge (O(n³)); here the smallest criterion of each column is kept, which
// picks the same pair (ties included) in about O(n) per merge.
// Pairs whose criteria tie exactly in the raw data (equal distances) differ in the last bits after the SVD transform,
// which R computes with LAPACK and this port by Jacobi rotations: on such data those merges can come in another
// order than R's. Duplicated rows stay exact ties and follow mclust's order.

import { ddotSelf, mclrup } from './hcBlas';
import { hcSvdTransform } from './hcSvd';

export { hcSvdTransform, type HcTransformed } from './hcSvd';

/** Options of `hcVVV`, as mclust's hcVVV(): the criterion's regularisation and where merging stops. */
export interface HcOptions {
  /** Multiplies traceW(x / √(n·d)), the regularisation added to each cluster's trace (mclust's alpha); default 1. */
  alpha?: number;
  /** Weight of the trace term (mclust's beta); default 1. */
  beta?: number;
  /** Number of clusters left when merging stops (mclust's minclus); default 1. */
  minclus?: number;
}

const FLMAX = Number.MAX_VALUE;
const EPSMAX = 2.220446049250313e-16;
const RTHALF = 0.7071067811865476;

// ---------------------------------------------------------------------------------------------------------------

/** Copies the first `rows` rows (upper parts) of the p × p column-major factor a into b. */
function copyRows(a: Float64Array, b: Float64Array, rows: number, p: number): void {
  for (let k = 0; k < rows; k++) for (let c = k; c < p; c++) b[k + c * p] = a[k + c * p];
}

// The merge chosen so far, kept in `HcWork.opt` (the Fortran's dopt, trop, tmop, siop, sjop, iopt, jopt, niop, njop,
// nopt): its criterion change, trace and term, the weights of the two means, the two slots and sizes, the union's size.
const DOPT = 0, TROP = 1, TMOP = 2, SIOP = 3, SJOP = 4, IOPT = 5, JOPT = 6, NIOP = 7, NJOP = 8, NOPT = 9;

/**
 * The Fortran's arrays, with its 1-based indices. X is its x(n, p + 1), stored row by row (a factor chain reads whole
 * rows): the row of a cluster's slot holds √(size)·mean; column p + 1 holds the cluster's trace (at its own row) and
 * its criterion term (at the first row of its factor chain). ic(1..n): 1 marks a singleton; otherwise the chain of
 * rows holding the cluster's triangular factor, ended by n + (cluster size); rows of merged-away slots are reused.
 * D holds the pair criteria d(ij), ij = (j−1)(j−2)/2 + i for i < j, at D[ij − 1]; colMin / colArg the smallest
 * d(i, j) of each column j and the largest i that has it (the pair mclust's scan would pick there) — exact unless
 * the column is marked stale, when colMin is only a lower bound (its smallest entry grew) and is recomputed the
 * first time it could be the smallest of all.
 */
interface HcWork {
  n: number;
  p: number;
  alpha: number;
  beta: number;
  ablog: number;
  X: Float64Array;
  ic: Int32Array;
  v: Float64Array;
  u: Float64Array;
  s: Float64Array;
  r: Float64Array;
  D: Float64Array;
  colMin: Float64Array;
  colArg: Int32Array;
  stale: Uint8Array;
  opt: Float64Array;
}

/**
 * mclust's hcVVV(x) with every observation its own starting cluster (hc()'s default): the agglomerative tree that
 * merges, at each step, the two clusters whose union least increases the VVV classification criterion.
 * `x` is n × d row-major. Returns the n − minclus merges as pairs, row t = [merges[2t], merges[2t+1]], each pair
 * sorted and 1-BASED exactly as mclust reports them: clusters are named by labels 1..n, and after merging (i, j)
 * with i < j the union is named i (what `hclass` relies on). n ≤ minclus gives no merges (mclust stops instead).
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
  const pp1 = p + 1;
  const X = new Float64Array(n * pp1);
  for (let i = 0; i < n; i++) for (let c = 0; c < p; c++) X[i * pp1 + c] = x[i * d + c];
  const w: HcWork = {
    n,
    p,
    alpha,
    beta,
    ablog: Math.log(beta * alpha),
    X,
    ic: new Int32Array(n + 1),
    v: new Float64Array(p),
    u: new Float64Array(p * p),
    s: new Float64Array(p * p),
    r: new Float64Array(p * p),
    D: new Float64Array((ng * (ng - 1)) / 2),
    colMin: new Float64Array(ng + 1),
    colArg: new Int32Array(ng + 1),
    stale: new Uint8Array(ng + 1),
    opt: new Float64Array(10),
  };
  const { ic, opt } = w;
  const histI = new Int32Array(ns + 1);
  const histJ = new Int32Array(ns + 1);

  // Every observation is a singleton.
  for (let k = 1; k <= ng; k++) ic[k] = 1;
  singletonPairs(w);

  if (ns === 1) return Int32Array.of(Math.min(opt[IOPT], opt[JOPT]), Math.max(opt[IOPT], opt[JOPT]));

  let lg = ng;
  for (let ls = 1; ; ls++) {
    const iold = opt[IOPT];
    const mergedJ = opt[JOPT];
    histI[ls] = iold;
    histJ[ls] = mergedJ;
    applyMerge(w, lg);
    lg--;
    mergedPairs(w, iold, lg);
    updateColumns(w, iold, mergedJ, lg + 1, lg);
    if (lg === 2) {
      // Two clusters left: the last merge is theirs.
      opt[IOPT] = 1;
      opt[JOPT] = 2;
      break;
    }
    nextMerge(w, iold, lg);
    if (ls + 1 === ns) break;
  }
  histI[ns] = opt[IOPT];
  histJ[ns] = opt[JOPT];

  // Name the clusters of each merge as mclust does: by the labels 1..n, the union keeping the smaller label.
  const out = new Int32Array(2 * ns);
  for (let i = 1; i <= ng; i++) ic[i] = i;
  ic[histJ[1]] = ng;
  out[0] = Math.min(histI[1], histJ[1]);
  out[1] = Math.max(histI[1], histJ[1]);
  for (let k = 2; k <= ns; k++) {
    const i = histI[k];
    const ici = ic[i];
    const j = histJ[k];
    const icj = ic[j];
    if (ici > icj) ic[i] = icj;
    ic[j] = ic[ng + 1 - k];
    out[2 * (k - 1)] = Math.min(ici, icj);
    out[2 * (k - 1) + 1] = Math.max(ici, icj);
  }
  return out;
}

/** The criterion change of every pair of singletons, the smallest of each column, and the first merge. */
function singletonPairs(w: HcWork): void {
  const { n: ng, p, X, v, u, r, D, colMin, colArg, opt, alpha, beta, ablog } = w;
  const pp1 = p + 1;
  let dopt = FLMAX;
  let trop = 0, tmop = 0, iopt = 0, jopt = 0;
  let ij = 0;
  const termj = ablog;
  for (let j = 2; j <= ng; j++) {
    let cmin = FLMAX;
    let carg = 0;
    const xj = (j - 1) * pp1;
    for (let i = 1; i <= j - 1; i++) {
      const xi = (i - 1) * pp1;
      for (let c = 0; c < p; c++) v[c] = RTHALF * (X[xi + c] + -1 * X[xj + c]);
      const trcij = ddotSelf(p, v, 0);
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
        iopt = i;
        jopt = j;
      }
    }
    colMin[j] = cmin;
    colArg[j] = carg;
  }
  // The factor of the chosen pair: its one row, the scaled difference.
  const xi = (iopt - 1) * pp1;
  const xj = (jopt - 1) * pp1;
  for (let c = 0; c < p; c++) {
    v[c] = RTHALF * (X[xi + c] + -1 * X[xj + c]);
    u[c * p] = v[c];
  }
  copyRows(u, r, 1, p);
  opt[DOPT] = dopt;
  opt[TROP] = trop;
  opt[TMOP] = tmop;
  opt[NOPT] = 2;
  opt[NIOP] = 1;
  opt[NJOP] = 1;
  opt[SIOP] = RTHALF;
  opt[SJOP] = RTHALF;
  opt[IOPT] = iopt;
  opt[JOPT] = jopt;
}

/**
 * Merges the chosen pair into slot iopt (its mean and its factor, whose rows come from r) and moves the cluster of
 * the last slot lg to jopt.
 */
function applyMerge(w: HcWork, lg: number): void {
  const { n, p, X, ic, v, r, D, opt } = w;
  const pp1 = p + 1;
  const iopt = opt[IOPT], jopt = opt[JOPT], niop = opt[NIOP], nopt = opt[NOPT];
  const siop = opt[SIOP], sjop = opt[SJOP];
  for (let c = 0; c < p; c++) v[c] = siop * X[(iopt - 1) * pp1 + c];
  for (let c = 0; c < p; c++) v[c] = v[c] + sjop * X[(jopt - 1) * pp1 + c];

  if (jopt !== lg) {
    wardsw(jopt, lg, D);
    for (let c = 0; c < p; c++) X[(jopt - 1) * pp1 + c] = X[(lg - 1) * pp1 + c];
    const m = ic[jopt];
    const icj = ic[lg];
    if (icj !== 1) X[(jopt - 1) * pp1 + p] = X[(lg - 1) * pp1 + p];
    ic[jopt] = icj;
    ic[lg] = m;
  }

  // iopt's chain, then row lg, then jopt's chain, cut at min(nopt − 1, p) rows.
  if (niop === 1) ic[iopt] = lg;
  else {
    let l = ic[iopt];
    let m = 0;
    const rows = Math.min(niop - 1, p);
    for (let k = 1; k <= rows; k++) {
      m = l;
      l = ic[l];
    }
    ic[m] = lg;
  }
  {
    let l = ic[iopt];
    let m = 0;
    const rows = Math.min(nopt - 1, p);
    for (let k = 1; k <= rows; k++) {
      // mclust copies the factor's FIRST row into every row of the chain (dcopy(p, r(1,1), p, x(l,1), n));
      // kept as is, because the trees must be mclust's.
      for (let c = 0; c < p; c++) X[(l - 1) * pp1 + c] = r[c * p];
      m = l;
      l = ic[l];
    }
    ic[m] = nopt + n;
  }

  X[(iopt - 1) * pp1 + p] = 0;
  if (nopt >= 2) {
    X[(iopt - 1) * pp1 + p] = opt[TROP];
    X[(ic[iopt] - 1) * pp1 + p] = opt[TMOP];
  }
  for (let c = 0; c < p; c++) X[(iopt - 1) * pp1 + c] = v[c];
}

/**
 * The criterion change of merging the cluster just formed (slot iold) with every other one, in mclust's order:
 * (j, iold) for j < iold, then (iold, j) for j > iold; the last smallest of them becomes the chosen merge, with its
 * factor in s.
 */
function mergedPairs(w: HcWork, iold: number, lg: number): void {
  const { n, p, X, ic, v, u, s, r, D, opt, alpha, beta, ablog } = w;
  const pp1 = p + 1;
  const ni = opt[NOPT];
  const ri = ni;
  const termi = opt[TMOP];
  const traci = opt[TROP];
  const xo = (iold - 1) * pp1;
  const factorRows = Math.min(ni - 1, p);
  let dopt = FLMAX;
  let trop = 0, tmop = 0, nopt = 0, niop = 0, njop = 0, siop = 0, sjop = 0, iopt = 0, jopt = 0;
  for (let j = 1; j <= lg; j++) {
    if (j === iold) continue;
    u.fill(0);
    copyRows(r, u, factorRows, p);
    const xj = (j - 1) * pp1;
    let nj = 1;
    const icj = ic[j];
    let nij = 0, si = 0, sj = 0, sij = 0, trcij = 0, termj = 0;
    if (icj === 1) {
      nij = ni + 1;
      const qij = 1 / nij;
      si = Math.sqrt(ri * qij);
      sj = Math.sqrt(qij);
      sij = sj;
      for (let c = 0; c < p; c++) v[c] = si * X[xj + c];
      for (let c = 0; c < p; c++) v[c] = v[c] + -sj * X[xo + c];
      trcij = traci + ddotSelf(p, v, 0);
      termj = ablog;
    } else {
      // j's factor rows join iold's in u. (mclust advances the row count k with each row here, unlike elsewhere.)
      let m = p;
      let l = icj;
      let k = ni + 1;
      do {
        for (let c = 0; c < m; c++) v[c] = X[(l - 1) * pp1 + nj - 1 + c];
        mclrup(k, m, v, u, nj - 1 + (nj - 1) * p, p);
        k++;
        nj++;
        m--;
        l = ic[l];
      } while (l <= n);
      nj = l - n;
      const tracj = X[xj + p];
      termj = X[(ic[j] - 1) * pp1 + p];
      nij = ni + nj;
      const qij = 1 / nij;
      si = Math.sqrt(ri * qij);
      sj = Math.sqrt(nj * qij);
      sij = Math.sqrt(qij);
      for (let c = 0; c < p; c++) v[c] = si * X[xj + c];
      for (let c = 0; c < p; c++) v[c] = v[c] + -sj * X[xo + c];
      trcij = traci + tracj + ddotSelf(p, v, 0);
    }
    mclrup(nij, p, v, u, 0, p);
    // mclust's vvvtij(nij, p, u, sij, trcij) and det2mc, written out here (the hot loop).
    let t: number;
    if (nij <= p) t = Math.log((beta * (trcij + alpha)) / nij);
    else if (trcij === 0) t = Math.log((alpha * beta) / nij);
    else {
      let detlog = 0;
      for (let k = 0; k < p; k++) {
        const q = u[k + k * p] * sij;
        if (Math.abs(q) <= 0) {
          detlog = -FLMAX;
          break;
        }
        detlog += Math.log(Math.abs(q));
      }
      if (detlog !== -FLMAX) detlog = 2 * detlog;
      if (detlog === -FLMAX) t = Math.log((beta * (trcij + alpha)) / nij);
      else if (detlog <= 0) t = Math.log(Math.exp(detlog) + (beta * (trcij + alpha)) / nij);
      else t = Math.log(1 + Math.exp(-detlog) * ((beta * (trcij + alpha)) / nij)) + detlog;
    }
    const trmij = nij * t;
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
      copyRows(u, s, Math.min(nij - 1, p), p);
    }
  }
  opt[DOPT] = dopt;
  opt[TROP] = trop;
  opt[TMOP] = tmop;
  opt[NOPT] = nopt;
  opt[NIOP] = niop;
  opt[NJOP] = njop;
  opt[SIOP] = siop;
  opt[SJOP] = sjop;
  opt[IOPT] = iopt;
  opt[JOPT] = jopt;
}

/**
 * Picks the next merge, the smallest criterion (the last one in mclust's scan order on ties), and puts its factor
 * in r: the one `mergedPairs` kept when it involves the cluster just formed, else rebuilt from the two chains.
 */
function nextMerge(w: HcWork, iold: number, lg: number): void {
  const { n, p, X, ic, v, s, r, colMin, colArg, stale, opt, ablog } = w;
  const pp1 = p + 1;
  // The column with the smallest bound (the last on ties) holds mclust's pair once its bound is exact: every other
  // column's entries are at least its bound, and those after it have larger bounds.
  let best = 2;
  let bmin = colMin[2];
  for (;;) {
    best = 2;
    bmin = colMin[2];
    for (let j = 3; j <= lg; j++) {
      if (colMin[j] <= bmin) {
        bmin = colMin[j];
        best = j;
      }
    }
    if (stale[best] === 0) break;
    rescanColumn(w, best);
  }
  const iopt = colArg[best];
  const jopt = best;
  const dopt = bmin;
  opt[IOPT] = iopt;
  opt[JOPT] = jopt;
  opt[DOPT] = dopt;

  r.fill(0);
  if (iopt === iold || jopt === iold) {
    copyRows(s, r, Math.min(opt[NOPT] - 1, p), p);
    opt[NIOP] = clusterSize(ic, iopt, n);
    opt[NJOP] = clusterSize(ic, jopt, n);
    opt[NOPT] = opt[NIOP] + opt[NJOP];
    return;
  }
  const i = iopt;
  const j = jopt;
  const xi = (i - 1) * pp1;
  const xj = (j - 1) * pp1;
  let nj = 1;
  const icj = ic[j];
  let ni = 1;
  const ici = ic[i];
  let nij = 0, si = 0, sj = 0, trcij = 0, termi = 0, termj = 0;
  if (icj === 1) {
    termj = ablog;
    if (ici === 1) {
      nij = 2;
      si = RTHALF;
      sj = RTHALF;
      for (let c = 0; c < p; c++) v[c] = X[xi + c] + -1 * X[xj + c];
      for (let c = 0; c < p; c++) v[c] = RTHALF * v[c];
      trcij = ddotSelf(p, v, 0);
      for (let c = 0; c < p; c++) r[c * p] = v[c];
      termi = ablog;
    } else {
      let m = p;
      let l = ici;
      do {
        for (let c = 0; c < m; c++) r[ni - 1 + (ni - 1 + c) * p] = X[(l - 1) * pp1 + ni - 1 + c];
        ni++;
        m--;
        l = ic[l];
      } while (l <= n);
      ni = l - n;
      const traci = X[xi + p];
      termi = X[(ic[i] - 1) * pp1 + p];
      nij = ni + 1;
      const qij = 1 / nij;
      si = Math.sqrt(ni * qij);
      sj = Math.sqrt(qij);
      for (let c = 0; c < p; c++) v[c] = sj * X[xi + c];
      for (let c = 0; c < p; c++) v[c] = v[c] + -si * X[xj + c];
      trcij = traci + ddotSelf(p, v, 0);
      mclrup(nij, p, v, r, 0, p);
    }
  } else {
    let m = p;
    let l = icj;
    do {
      for (let c = 0; c < m; c++) r[nj - 1 + (nj - 1 + c) * p] = X[(l - 1) * pp1 + nj - 1 + c];
      nj++;
      m--;
      l = ic[l];
    } while (l <= n);
    nj = l - n;
    const tracj = X[xj + p];
    termj = X[(ic[j] - 1) * pp1 + p];
    if (ici === 1) {
      nij = nj + 1;
      const qij = 1 / nij;
      si = Math.sqrt(qij);
      sj = Math.sqrt(nj * qij);
      for (let c = 0; c < p; c++) v[c] = sj * X[xi + c];
      for (let c = 0; c < p; c++) v[c] = v[c] + -si * X[xj + c];
      trcij = tracj + ddotSelf(p, v, 0);
      termi = ablog;
    } else {
      m = p;
      l = ici;
      const k = nj + 1;
      do {
        for (let c = 0; c < m; c++) v[c] = X[(l - 1) * pp1 + ni - 1 + c];
        mclrup(k, m, v, r, ni - 1 + (ni - 1) * p, p);
        ni++;
        m--;
        l = ic[l];
      } while (l <= n);
      ni = l - n;
      const traci = X[xi + p];
      termi = X[(ic[i] - 1) * pp1 + p];
      nij = ni + nj;
      const qij = 1 / nij;
      si = Math.sqrt(ni * qij);
      sj = Math.sqrt(nj * qij);
      for (let c = 0; c < p; c++) v[c] = sj * X[xi + c];
      for (let c = 0; c < p; c++) v[c] = v[c] + -si * X[xj + c];
      trcij = traci + tracj + ddotSelf(p, v, 0);
    }
    mclrup(nij, p, v, r, 0, p);
  }
  opt[TROP] = trcij;
  opt[TMOP] = dopt + (termi + termj);
  opt[NOPT] = nij;
  opt[NIOP] = ni;
  opt[NJOP] = nj;
  opt[SIOP] = si;
  opt[SJOP] = sj;
}

/** Recomputes column j's smallest criterion (the last one in scan order on ties). */
function rescanColumn(w: HcWork, j: number): void {
  const { D } = w;
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
  w.colMin[j] = cmin;
  w.colArg[j] = carg;
  w.stale[j] = 0;
}

/**
 * The per-column minima after a merge: columns iold and mergedJ changed wholly and are recomputed; in every other
 * column only the entries of row iold and (when wardsw moved the last column into mergedJ) row mergedJ changed.
 */
function updateColumns(w: HcWork, iold: number, mergedJ: number, oldLg: number, newLg: number): void {
  const { D } = w;
  for (let j = 2; j <= newLg; j++) {
    if (j === iold || j === mergedJ) {
      rescanColumn(w, j);
      continue;
    }
    const base = ((j - 1) * (j - 2)) / 2;
    if (j > iold) updateEntry(w, j, iold, D[base + iold - 1]);
    if (mergedJ !== oldLg && j > mergedJ) updateEntry(w, j, mergedJ, D[base + mergedJ - 1]);
  }
}

/** Column j's smallest entry after its entry in row `row` became q (the larger row wins ties, as in the scan). */
function updateEntry(w: HcWork, j: number, row: number, q: number): void {
  const { colMin, colArg, stale } = w;
  const cmin = colMin[j];
  if (stale[j] !== 0) {
    // The other entries are all above the bound: below it, q is the smallest.
    if (q < cmin) {
      colMin[j] = q;
      colArg[j] = row;
      stale[j] = 0;
    }
  } else if (colArg[j] === row) {
    // The smallest entry changed: still the smallest unless it grew; then the old value bounds the column.
    if (q <= cmin) colMin[j] = q;
    else stale[j] = 1;
  } else if (q < cmin || (q === cmin && row > colArg[j])) {
    colMin[j] = q;
    colArg[j] = row;
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
