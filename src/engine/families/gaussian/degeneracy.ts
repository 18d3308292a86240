// Degenerate components of a finished Gaussian fit (as the model-selection literature and mclust treat "singular"
// fits): a component whose covariance is the regularisation floor along some direction, that sits on fewer distinct
// points than its covariance needs, or whose effective size is too small to estimate it. Such a component makes the
// likelihood grow without bound as the regularisation shrinks, so the log-likelihood of the fit is not a model.

import type { CovarianceType, DegenerateComponent } from '../../../shared/protocol';
import { columnScatter, firstDependentColumn } from './linalg';

/**
 * A variance whose data part (fitted variance − regularisation) is below (SPREAD_FLOOR · scale)² is no spread at all:
 * scale is the column's |mean| plus its standard deviation in the whole data, so the test is invariant to units and
 * offsets, and a real cluster 1e6 standard deviations away from the others (spread 1e-6 of the scale) is not flagged.
 */
const SPREAD_FLOOR = 1e-8;
/** Smallest pivot of a component's correlation matrix below which its points lie in a lower-dimensional subspace. */
const CORRELATION_FLOOR = 1e-10;
/**
 * A row counts among a component's points when the component holds more than this share of it: low enough that
 * components which overlap (or start nearly equal) count every row they share, high enough that a component
 * collapsed onto a spike does not count the far rows whose responsibility is exp(−huge).
 */
const MEMBER_RESPONSIBILITY = 1e-3;

export interface DegeneracyInput {
  /** n × d row-major, in the frame the engine fitted (centred or not: every test is translation invariant). */
  values: Float64Array;
  n: number;
  d: number;
  k: number;
  covarianceType: CovarianceType;
  regularization: number;
  /** K × D means. */
  means: Float64Array;
  /** Compact covariances of the type (full K·D·D, tied D·D, diag K·D, spherical K). */
  covariances: Float64Array;
  /** ln r_ik of the final parameters, n × k. */
  logResp: Float64Array;
  columns?: readonly string[];
  /** Per column, what the engine subtracted from the data (shown values are shifted back). */
  centre?: Float64Array;
}

/** The degenerate components of a fit (empty for a healthy one), each with a reason a person can act on. */
export function findDegenerateComponents(input: DegeneracyInput): DegenerateComponent[] {
  const { values, n, d, k, covarianceType: type, regularization: reg, means, covariances, logResp } = input;
  const columnName = (c: number) => `"${input.columns?.[c] ?? `x${c + 1}`}"`;
  const { scale, varies } = columnScales(values, n, d);
  // Only full and tied covariances have off-diagonal directions to check (and only they pay for the data's scatter).
  const checkDirections = (type === 'full' || type === 'tied') && !dataAreCollinear(values, n, d, varies);
  let varying = 0;
  for (let c = 0; c < d; c++) varying += varies[c];
  const found: DegenerateComponent[] = [];
  // One row, or rows that are all the same point: every covariance is the regularisation alone.
  if (varying === 0) {
    const why = n === 1 ? 'there is only one row' : `all ${n} rows are the same point`;
    for (let j = 0; j < (type === 'tied' ? 1 : k); j++) found.push({ component: type === 'tied' ? -1 : j, reason: `${why}: its covariance is the regularisation alone` });
    return found;
  }
  const nk = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) nk[j] += Math.exp(logResp[i * k + j]);
  const pointsNeeded = type === 'full' ? varying + 1 : type === 'tied' ? 1 : 2;
  const covarianceWord = type === 'tied' ? 'its mean' : `a ${type} covariance${type === 'full' ? ` in ${d} dimensions` : ''}`;

  for (let j = 0; j < k; j++) {
    const distinct = countDistinctMembers(values, n, d, k, j, logResp, pointsNeeded);
    if (type !== 'tied' && distinct < pointsNeeded) {
      found.push({
        component: j,
        reason: `it sits on ${distinct} distinct point${distinct === 1 ? '' : 's'}, fewer than the ${pointsNeeded} ${covarianceWord} needs`,
      });
      continue;
    }
    if (nk[j] < pointsNeeded) {
      found.push({
        component: j,
        reason: `its effective size n_k = ${nk[j].toPrecision(2)} is below the ${pointsNeeded} point${pointsNeeded === 1 ? '' : 's'} ${covarianceWord} needs`,
      });
      continue;
    }
    if (type === 'tied') continue;
    const reason = covarianceFloorReason(type, covariances, j, d, reg, means, scale, columnName, input.centre, varies, checkDirections);
    if (reason) found.push({ component: j, reason });
  }
  if (type === 'tied') {
    const reason = covarianceFloorReason(type, covariances, 0, d, reg, means, scale, columnName, input.centre, varies, checkDirections);
    if (reason) found.push({ component: -1, reason: `the shared covariance ${reason.replace(/^its /, '')}` });
  }
  return found;
}

/** One sentence per degenerate component, for the result's notes. */
export function degeneracyNotes(found: readonly DegenerateComponent[], k: number): string[] {
  return found.map((f) => {
    const who = f.component < 0 ? 'The fit is degenerate' : `Component ${f.component + 1} is degenerate`;
    const advice = f.component < 0 || k === 1 ? 'Try fewer columns or standardising them' : `Try a smaller K (now ${k})`;
    return `${who}: ${f.reason}, so its covariance is the regularisation floor in some direction; this log-likelihood is not a model. ${advice}.`;
  });
}

/**
 * Per column, in units of its largest magnitude so that values near 1e308 do not overflow: `scale` = |mean| + sd of
 * the whole data (the unit a spread is judged in) and whether the column varies at all.
 */
function columnScales(values: Float64Array, n: number, d: number): { scale: Float64Array; varies: Uint8Array } {
  const scale = new Float64Array(d);
  const varies = new Uint8Array(d);
  for (let c = 0; c < d; c++) {
    let largest = 0;
    for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(values[i * d + c]));
    if (largest === 0) continue;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += values[i * d + c] / largest;
    mean /= n;
    let m2 = 0;
    for (let i = 0; i < n; i++) m2 += (values[i * d + c] / largest - mean) ** 2;
    const sd = Math.sqrt(m2 / n);
    scale[c] = (Math.abs(mean) + sd) * largest;
    varies[c] = sd > SPREAD_FLOOR * Math.abs(mean) ? 1 : 0;
  }
  return { scale, varies };
}

/**
 * True when the data themselves lie in a lower-dimensional subspace (a column that copies or combines others): then
 * every component is singular there whatever K is, which is not a degenerate component but a property of the columns.
 */
function dataAreCollinear(values: Float64Array, n: number, d: number, varies: Uint8Array): boolean {
  const used: number[] = [];
  for (let c = 0; c < d; c++) if (varies[c]) used.push(c);
  const m = used.length;
  if (m < 2) return false;
  const mean = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    for (let i = 0; i < n; i++) mean[a] += values[i * d + used[a]];
    mean[a] /= n;
  }
  return firstDependentColumn(columnScatter(values, n, d, used, mean), m, CORRELATION_FLOOR) >= 0;
}

/** Distinct rows among the component's points (see MEMBER_RESPONSIBILITY), counting no further than `cap`. */
function countDistinctMembers(values: Float64Array, n: number, d: number, k: number, j: number, logResp: Float64Array, cap: number): number {
  const logThreshold = Math.log(MEMBER_RESPONSIBILITY);
  const distinct: number[] = [];
  for (let i = 0; i < n && distinct.length < cap; i++) {
    if (logResp[i * k + j] < logThreshold) continue;
    const seen = distinct.some((q) => {
      for (let c = 0; c < d; c++) if (values[q * d + c] !== values[i * d + c]) return false;
      return true;
    });
    if (!seen) distinct.push(i);
  }
  return distinct.length;
}

/**
 * Why component j's covariance (or the tied one) is at the regularisation floor, or undefined when it is not:
 * a variance with no data part (all its points share one value of a column), or, for full and tied covariances, a
 * correlation matrix that is singular (its points lie on a line or plane that mixes columns).
 */
function covarianceFloorReason(
  type: CovarianceType,
  covariances: Float64Array,
  j: number,
  d: number,
  reg: number,
  means: Float64Array,
  scale: Float64Array,
  columnName: (c: number) => string,
  centre: Float64Array | undefined,
  varies: Uint8Array,
  checkDirections: boolean,
): string | undefined {
  if (type === 'spherical') {
    let scaleSquare = 0;
    for (let c = 0; c < d; c++) scaleSquare += scale[c] * scale[c];
    if (!varies.some((v) => v === 1)) return undefined;
    const spread = covariances[j] - reg;
    return spread <= SPREAD_FLOOR * SPREAD_FLOOR * (scaleSquare / d) ? 'has no spread: its points are one point' : undefined;
  }
  const variance = (c: number) =>
    type === 'diag' ? covariances[j * d + c] : covariances[(type === 'full' ? j * d * d : 0) + c * d + c];
  for (let c = 0; c < d; c++) {
    if (!varies[c]) continue; // a constant column is the data's, not the component's
    const spread = variance(c) - reg;
    if (spread <= (SPREAD_FLOOR * scale[c]) ** 2) {
      const value = type === 'tied' ? '' : ` (${formatValue(means[j * d + c] + (centre ? centre[c] : 0))})`;
      return type === 'tied'
        ? `has no spread along column ${columnName(c)}: within every component its points share one value of it`
        : `all its points share one value of column ${columnName(c)}${value}`;
    }
  }
  if (type === 'diag' || d === 1) return undefined;
  if (!checkDirections) return undefined;
  // A vanishing pivot of the data part's correlation matrix is a direction with no spread.
  const o = type === 'full' ? j * d * d : 0;
  const used: number[] = [];
  for (let c = 0; c < d; c++) if (varies[c]) used.push(c);
  const m = used.length;
  if (m < 2) return undefined;
  const dataPart = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b <= a; b++) dataPart[a * m + b] = covariances[o + used[a] * d + used[b]] - (a === b ? reg : 0);
  }
  const dims = firstDependentColumn(dataPart, m, CORRELATION_FLOOR);
  if (dims < 0) return undefined;
  return `its points lie on a ${dims === 1 ? 'line' : `${dims}-dimensional subspace`} in the columns up to ${columnName(used[dims])} (its covariance is singular there)`;
}

function formatValue(v: number): string {
  return Number.isInteger(v) || Math.abs(v) >= 1e-3 ? String(Number(v.toPrecision(6))) : v.toExponential(3);
}
