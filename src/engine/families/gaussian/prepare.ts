// How the Gaussian family prepares a table before EM: standardisation, refusals of data whose spread double precision
// cannot represent or that are singular without regularisation, centring of columns with a large offset, and notes on
// a regularisation that dwarfs a column's variance or on columns of very different scales under a spherical model.

import type { FitOptions } from '../../../shared/protocol';
import { DataError, FitError } from '../../errors';
import { columnScatter, firstDependentColumn } from './linalg';

/** Column-wise z-score in place (population sd, as sklearn's StandardScaler). Constant columns get sd 1 (and z = 0). */
export function standardizeColumns(values: Float64Array, n: number, d: number, caseWeights?: Float64Array, missing?: Uint8Array): { mean: number[]; sd: number[] } {
  if (missing) return standardizeObserved(values, n, d, missing, caseWeights);
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  // With case weights, the mean and sd of the rows repeated w_i times.
  let total = n;
  if (caseWeights) {
    total = 0;
    for (let i = 0; i < n; i++) total += caseWeights[i];
  }
  for (let i = 0; i < n; i++) {
    const w = caseWeights ? caseWeights[i] : 1;
    for (let j = 0; j < d; j++) mean[j] += w * values[i * d + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= total;
  for (let i = 0; i < n; i++) {
    const w = caseWeights ? caseWeights[i] : 1;
    for (let j = 0; j < d; j++) {
      const c = values[i * d + j] - mean[j];
      m2[j] += w * c * c;
    }
  }
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(m2[j] / total);
    const largest = columnStats(values, n, d, j).largest;
    // Values near 1e308 overflow these sums and subnormal ones underflow them (a column of 1e308s would become all
    // zeros, one of 1e-320s "constant"): recompute such a column in units of its largest magnitude.
    if (!Number.isFinite(mean[j]) || !Number.isFinite(s) || s <= 1e-100 * largest) {
      const scaled = columnStats(values, n, d, j);
      if (scaled.sdScaled === 0) {
        mean[j] = values[j];
        sd[j] = 1;
        for (let i = 0; i < n; i++) values[i * d + j] = 0;
      } else {
        mean[j] = scaled.meanScaled * scaled.largest;
        sd[j] = scaled.sdScaled * scaled.largest; // Infinity when the spread exceeds the largest double: fit.ts refuses it
        for (let i = 0; i < n; i++) values[i * d + j] = (values[i * d + j] / scaled.largest - scaled.meanScaled) / scaled.sdScaled;
      }
      continue;
    }
    sd[j] = s || 1;
    for (let i = 0; i < n; i++) values[i * d + j] = (values[i * d + j] - mean[j]) / sd[j];
  }
  return { mean: Array.from(mean), sd: Array.from(sd) };
}

/** standardizeColumns of a table with missing cells: each column's mean and sd over its observed cells. */
function standardizeObserved(values: Float64Array, n: number, d: number, missing: Uint8Array, caseWeights?: Float64Array): { mean: number[]; sd: number[] } {
  const mean: number[] = [];
  const sd: number[] = [];
  for (let j = 0; j < d; j++) {
    let total = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (missing[i * d + j]) continue;
      const w = caseWeights ? caseWeights[i] : 1;
      total += w;
      sum += w * values[i * d + j];
    }
    const m = total > 0 ? sum / total : 0;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      if (missing[i * d + j]) continue;
      const c = values[i * d + j] - m;
      m2 += (caseWeights ? caseWeights[i] : 1) * c * c;
    }
    const s = total > 0 ? Math.sqrt(m2 / total) || 1 : 1;
    for (let i = 0; i < n; i++) if (!missing[i * d + j]) values[i * d + j] = (values[i * d + j] - m) / s;
    mean.push(m);
    sd.push(s);
  }
  return { mean, sd };
}

/**
 * A column's mean and population sd in units of its largest magnitude (no overflow or underflow for any finite
 * values), that magnitude, and the largest |x − mean| in the column's own units (Infinity when it overflows).
 */
function columnStats(values: Float64Array, n: number, d: number, j: number): { largest: number; meanScaled: number; sdScaled: number; largestDeviation: number } {
  let largest = 0;
  for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(values[i * d + j]));
  if (largest === 0) return { largest: 0, meanScaled: 0, sdScaled: 0, largestDeviation: 0 };
  let meanScaled = 0;
  for (let i = 0; i < n; i++) meanScaled += values[i * d + j] / largest;
  meanScaled /= n;
  let m2 = 0;
  let deviation = 0;
  for (let i = 0; i < n; i++) {
    const c = values[i * d + j] / largest - meanScaled;
    m2 += c * c;
    deviation = Math.max(deviation, Math.abs(c));
  }
  return { largest, meanScaled, sdScaled: Math.sqrt(m2 / n), largestDeviation: deviation * largest };
}

/**
 * The engine squares deviations from the means: a column whose values lie more than ~1e154 from its mean overflows
 * (every covariance becomes Infinity, reported as a "collapsed" component), and without regularisation one that
 * varies by less than ~1e-154 underflows to a zero variance. Refuse both with the column and the fix.
 */
export function refuseUnrepresentableSpread(values: Float64Array, n: number, d: number, columns: string[], file: string, regularization: number): void {
  for (let j = 0; j < d; j++) {
    const { largest, sdScaled, largestDeviation } = columnStats(values, n, d, j);
    const name = `"${columns[j] ?? `x${j + 1}`}"`;
    if (largestDeviation > 1e150) {
      throw new DataError(
        `${file}: column ${name} has values as large as ${largest.toExponential(3)}, so its squared deviations overflow double precision. ` +
          'Turn on standardize (CLI: --standardize) or rescale the column.',
        file,
      );
    }
    if (regularization === 0 && sdScaled > 0 && sdScaled * largest < 1e-150) {
      throw new DataError(
        `${file}: column ${name} varies only by about ${(sdScaled * largest).toExponential(1)}, so with regularization 0 its variance underflows to 0. ` +
          'Turn on standardize (CLI: --standardize), rescale the column, or set regularization > 0.',
        file,
      );
    }
  }
}

/**
 * Without regularisation, data that lie in a lower-dimensional affine subspace make every component's covariance
 * exactly singular (each is a weighted scatter of the same points), and EM would then "fit" rounding noise: variances
 * of 1e-29 and a meaningless, unbounded log-likelihood. Refuse them up front, naming the column and what to change:
 * a constant column (every type but spherical; spherical only when every column is constant), and for full/tied a
 * column that copies or combines the others (a pivot of the correlation matrix's Cholesky below 1e-12).
 */
/** The columns that have one value in every row of the n × d values. */
export function constantColumns(values: Float64Array, n: number, d: number): number[] {
  const constant: number[] = [];
  for (let j = 0; j < d; j++) {
    const first = values[j];
    let same = true;
    for (let i = 1; i < n && same; i++) same = values[i * d + j] === first;
    if (same) constant.push(j);
  }
  return constant;
}

export function refuseSingularData(
  values: Float64Array,
  n: number,
  d: number,
  columns: string[],
  covarianceType: FitOptions['covarianceType'],
  file: string,
): void {
  const fix = 'Set regularization > 0 (e.g. 1e-6, the default)';
  const constant = constantColumns(values, n, d);
  const name = (j: number) => `"${columns[j] ?? `x${j + 1}`}"`;
  if (constant.length === d) {
    throw new FitError(
      `${file}: ${n === 1 ? 'there is only one row' : `all ${n} rows are the same point`}, so with regularization 0 every covariance is 0 and the likelihood is infinite. ${fix}.`,
    );
  }
  if (constant.length > 0 && covarianceType !== 'spherical') {
    const j = constant[0];
    throw new FitError(
      `${file}: column ${name(j)} has the same value (${values[j]}) in every row, so with regularization 0 every component's variance along it is 0. ` +
        `${fix}, or leave the column out (columns setting).`,
    );
  }
  if (covarianceType !== 'full' && covarianceType !== 'tied') return;
  // Correlation matrix of the non-constant columns, then Cholesky with a relative pivot tolerance.
  const isConstant = new Uint8Array(d);
  for (const j of constant) isConstant[j] = 1;
  const used = Array.from({ length: d }, (_, j) => j).filter((j) => !isConstant[j]);
  const m = used.length;
  const mean = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    const { largest, meanScaled } = columnStats(values, n, d, used[a]);
    mean[a] = meanScaled * largest;
  }
  const dependent = firstDependentColumn(columnScatter(values, n, d, used, mean), m, 1e-12);
  if (dependent < 0) return;
  const copyOf = used.slice(0, dependent).find((b) => {
    for (let i = 0; i < n; i++) if (values[i * d + b] !== values[i * d + used[dependent]]) return false;
    return true;
  });
  const what = copyOf !== undefined ? `is a copy of column ${name(copyOf)}` : `is a linear combination of the columns before it`;
  throw new FitError(
    `${file}: column ${name(used[dependent])} ${what}, so with regularization 0 every ${covarianceType === 'tied' ? 'shared ' : ''}covariance is singular. ` +
      `${fix}, use covarianceType "diag", or leave the column out (columns setting).`,
  );
}

/**
 * Subtracts the mean from every column whose offset dwarfs its spread (|mean| > 1000 sd, or a constant non-zero
 * column), in place, and returns the shift per column (0 for the others), or undefined when no column needs it.
 * EM's means carry a relative rounding error (and sklearn's 10ε added to every nk) that, on 1e14 ± 1 or a constant
 * 3e8 column, is as large as the spread itself: the covariances and the log-likelihood then measure rounding noise.
 * Centred, x − μ is computed exactly. Every density is translation invariant, so the fit is otherwise unchanged;
 * ordinary columns are left exactly as they are.
 */
export function centreOffsetColumns(values: Float64Array, n: number, d: number): Float64Array | undefined {
  const centre = new Float64Array(d);
  let any = false;
  for (let j = 0; j < d; j++) {
    // In units of the largest magnitude: a column of 1e308s has a finite mean (a plain sum would overflow).
    const { largest, meanScaled, sdScaled } = columnStats(values, n, d, j);
    const mean = meanScaled * largest;
    const sd = sdScaled * largest;
    if (mean !== 0 && Math.abs(mean) > 1000 * sd) {
      centre[j] = mean;
      any = true;
    }
  }
  if (!any) return undefined;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) values[i * d + j] -= centre[j];
  return centre;
}

/**
 * sklearn's regularisation is absolute: on a column whose variance is not far above it (values ~1e-3 and smaller,
 * unstandardised), the fitted covariances along it are mostly regularisation. Say so, with the fix.
 */
export function regularisationNotes(values: Float64Array, n: number, d: number, columns: string[], regularization: number): string[] {
  if (!(regularization > 0) || n < 2) return [];
  const small: { j: number; variance: number }[] = [];
  for (let j = 0; j < d; j++) {
    const { largest, sdScaled } = columnStats(values, n, d, j);
    const variance = (sdScaled * largest) ** 2;
    if (variance > 0 && regularization > 0.01 * variance) small.push({ j, variance });
  }
  if (small.length === 0) return [];
  const { j, variance } = small.reduce((a, b) => (b.variance < a.variance ? b : a));
  const others = small.length > 1 ? ` (and ${small.length - 1} other column${small.length > 2 ? 's' : ''})` : '';
  return [
    `regularization ${regularization} is ${formatRatio(regularization / variance)} the variance of column "${columns[j] ?? `x${j + 1}`}" ` +
      `(${variance.toExponential(2)})${others}: the fitted covariances there are mostly regularisation. ` +
      'Turn on standardize, rescale the column, or lower regularization.',
  ];
}

/**
 * Models with one variance for every column of a component: mclust's EII and VII (scikit-learn's spherical). Every
 * other model has a variance per column (the diagonal models' shape A, the ellipsoidal models' full Σ), so a column's
 * scale is fitted with it; these two alone must explain every column with the same spread.
 */
const SPHERICAL_MODELS: ReadonlySet<string> = new Set(['EII', 'VII', 'spherical']);

/** Column variances more than this many times apart are "different scales" for a spherical model. */
export const SPHERICAL_SCALE_RATIO = 100;

/**
 * A spherical model on columns whose variances differ more than SPHERICAL_SCALE_RATIO-fold: the one variance is set
 * by the widest column, so the clusters cut it into bands and the narrow columns barely count (Old Faithful's
 * waiting vs. eruptions: 142-fold). Standardised values have equal variances, so they never get this note.
 */
export function sphericalScaleNotes(values: Float64Array, n: number, d: number, columns: string[], model: string): string[] {
  if (!SPHERICAL_MODELS.has(model) || d < 2 || n < 2) return [];
  let low = -1;
  let high = -1;
  const variances = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const { largest, sdScaled } = columnStats(values, n, d, j);
    variances[j] = (sdScaled * largest) ** 2;
    if (!(variances[j] > 0) || !Number.isFinite(variances[j])) continue;
    if (low < 0 || variances[j] < variances[low]) low = j;
    if (high < 0 || variances[j] > variances[high]) high = j;
  }
  if (low < 0 || variances[high] <= SPHERICAL_SCALE_RATIO * variances[low]) return [];
  const name = (j: number) => `"${columns[j] ?? `x${j + 1}`}"`;
  const ratio = variances[high] / variances[low];
  return [
    `${model === 'spherical' ? 'spherical (VII)' : model} gives all columns one variance, but their variances differ ${ratio >= 1e4 ? ratio.toExponential(1) : Math.round(ratio)}-fold ` +
      `(${name(low)} ${variances[low].toPrecision(3)}, ${name(high)} ${variances[high].toPrecision(3)}): the clusters follow ${name(high)} in bands. ` +
      'Turn on standardize (CLI --standardize), or use a model with a variance per column (e.g. VVI, diag or full).',
  ];
}

function formatRatio(r: number): string {
  return r >= 1 ? `${r >= 100 ? r.toExponential(1) : r.toPrecision(2)} times` : `${Math.round(r * 100)}% of`;
}

/** initParams means in the centred frame; anything malformed is passed through for the family's own validation. */
export function shiftMeans(means: unknown, centre: Float64Array): number[][] {
  if (!Array.isArray(means)) return means as number[][];
  return means.map((row: unknown) =>
    Array.isArray(row) && row.length === centre.length ? row.map((v: unknown, j) => (typeof v === 'number' ? v - centre[j] : v)) : row,
  ) as number[][];
}
