// From a loaded dataset and FitOptions to a FitResult: validates the options, picks the model, prepares the data
// (standardisation, binarisation), runs the shared EM loop and packages what the CLI, the worker and the panel need.
// Pure: no vscode, no worker_threads (the worker and the CLI both call this).

import type {
  ClusterExamples,
  DatasetSummary,
  FitOptions,
  FitResult,
  ModelKind,
  ParamsSnapshot,
  PlotSample,
} from '../shared/protocol';
import { DEFAULT_FIT_OPTIONS } from '../shared/protocol';
import { fitBernoulli } from './families/bernoulli/family';
import { asImages } from './data/load';
import type { Dataset, ImageData, TableData } from './data/dataset';
import { informationCriteria, runEm, type EmProgress } from './em/em';
import { DataError, FitError, OptionsError } from './errors';
import { GaussianFamily } from './families/gaussian/family';
import { degeneracyNotes, findDegenerateComponents } from './families/gaussian/degeneracy';

export interface FitCallbacks {
  /** Called once the data are prepared, before the first iteration. */
  onLoaded?(info: { summary: DatasetSummary; model: ModelKind; modelReason: string; plotSample?: PlotSample }): void;
  /** Called after every E-step (iteration 0 = the starting parameters). */
  onProgress?(progress: EmProgress): void;
}

export interface FitOutcome {
  result: FitResult;
  plotSample?: PlotSample;
  /** Hard assignments of the plotted sample's points. */
  plotAssignments?: number[];
  examples?: ClusterExamples[];
}

import { GAUSSIAN_INITS, resolveOptions } from './options';
export { resolveOptions };

/** Decides Gaussian or Bernoulli and prepares the data for it. */
export function chooseModel(
  dataset: Dataset,
  options: FitOptions,
): { model: 'gaussian'; table: TableData; reason: string } | { model: 'bernoulli'; images: ImageData; reason: string } {
  const file = dataset.summary.fileName;
  if (options.model === 'gaussian') {
    return { model: 'gaussian', table: dataset.kind === 'table' ? dataset : imagesAsTable(dataset), reason: 'chosen in the settings' };
  }
  if (dataset.kind === 'images') {
    return { model: 'bernoulli', images: dataset, reason: options.model === 'bernoulli' ? 'chosen in the settings' : `${file} holds images` };
  }
  const images = asImages(dataset, options.imageWidth || undefined) ?? unitIntervalAsImages(dataset);
  if (options.model === 'bernoulli') {
    if (!images) {
      throw new DataError(
        `${file}: a Bernoulli mixture needs binary or image data (values 0/1, 0..1 or 0..255 integers), but ${describeFirstOutOfRange(dataset)}. ` +
          `Use model "gaussian" or "auto".`,
        file,
      );
    }
    return { model: 'bernoulli', images, reason: 'chosen in the settings' };
  }
  if (images && isBinary(dataset)) return { model: 'bernoulli', images, reason: 'every value is 0 or 1' };
  // As the text loader: 64 or more columns of pixel values (8×8 and up). Fewer (e.g. 16 answers on a 1..5 scale)
  // are more likely features than a 4×4 image; model "bernoulli" still reads them as images.
  if (images && dataset.d >= 64) return { model: 'bernoulli', images, reason: `the ${dataset.d} columns look like image pixels` };
  return { model: 'gaussian', table: dataset, reason: 'the columns are continuous numbers' };
}

function isBinary(t: TableData): boolean {
  const v = t.values;
  for (let i = 0; i < v.length; i++) if (v[i] !== 0 && v[i] !== 1) return false;
  return v.length > 0;
}

function unitIntervalAsImages(t: TableData): ImageData | undefined {
  const v = t.values;
  if (v.length === 0) return undefined;
  for (let i = 0; i < v.length; i++) if (!(v[i] >= 0 && v[i] <= 1)) return undefined;
  return {
    kind: 'images',
    n: t.n,
    d: t.d,
    height: 1,
    width: t.d,
    pixels: Float32Array.from(v),
    scale: 1,
    labels: t.labels,
    summary: t.summary,
  };
}

function describeFirstOutOfRange(t: TableData): string {
  const v = t.values;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!(x >= 0 && x <= 255 && (x <= 1 || Number.isInteger(x)))) {
      const row = Math.floor(i / t.d);
      const line = t.sourceLines ? `line ${t.sourceLines[row]}` : `row ${row + 1}`;
      return `column "${t.columns[i % t.d]}" has ${x} at ${line}`;
    }
  }
  return 'its values are not binary';
}

function imagesAsTable(images: ImageData): TableData {
  const cells = images.n * images.d;
  if (cells > 50_000_000) {
    throw new DataError(
      `${images.summary.fileName}: a Gaussian mixture on ${images.n} images of ${images.d} pixels would need ${Math.round((cells * 8) / 1e6)} MB of doubles. ` +
        `Use model "bernoulli" (or "auto") for image data.`,
      images.summary.fileName,
    );
  }
  const values = new Float64Array(cells);
  for (let i = 0; i < cells; i++) values[i] = images.pixels[i] / images.scale;
  const columns = Array.from({ length: images.d }, (_, j) => `px${j}`);
  return { kind: 'table', n: images.n, d: images.d, values, columns, labels: images.labels, summary: { ...images.summary, d: images.d, columns } };
}

/** Column-wise z-score in place (population sd, as sklearn's StandardScaler). Constant columns get sd 1 (and z = 0). */
export function standardizeColumns(values: Float64Array, n: number, d: number): { mean: number[]; sd: number[] } {
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += values[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const c = values[i * d + j] - mean[j];
      m2[j] += c * c;
    }
  }
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(m2[j] / n);
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
function refuseUnrepresentableSpread(values: Float64Array, n: number, d: number, columns: string[], file: string, regularization: number): void {
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
export function refuseSingularData(
  values: Float64Array,
  n: number,
  d: number,
  columns: string[],
  covarianceType: FitOptions['covarianceType'],
  file: string,
): void {
  const fix = 'Set regularization > 0 (e.g. 1e-6, the default)';
  const constant: number[] = [];
  for (let j = 0; j < d; j++) {
    const first = values[j];
    let same = true;
    for (let i = 1; i < n && same; i++) same = values[i * d + j] === first;
    if (same) constant.push(j);
  }
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
  const c = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < m; a++) {
      const za = values[i * d + used[a]] - mean[a];
      for (let b = 0; b <= a; b++) c[a * m + b] += za * (values[i * d + used[b]] - mean[b]);
    }
  }
  const sd = new Float64Array(m);
  for (let a = 0; a < m; a++) sd[a] = Math.sqrt(c[a * m + a]);
  for (let a = 0; a < m; a++) for (let b = 0; b <= a; b++) c[a * m + b] /= sd[a] * sd[b];
  for (let a = 0; a < m; a++) {
    let pivot = c[a * m + a];
    for (let p = 0; p < a; p++) pivot -= c[a * m + p] * c[a * m + p];
    if (!(pivot > 1e-12)) {
      const copyOf = used.slice(0, a).find((b) => {
        for (let i = 0; i < n; i++) if (values[i * d + b] !== values[i * d + used[a]]) return false;
        return true;
      });
      const what = copyOf !== undefined ? `is a copy of column ${name(copyOf)}` : `is a linear combination of the columns before it`;
      throw new FitError(
        `${file}: column ${name(used[a])} ${what}, so with regularization 0 every ${covarianceType === 'tied' ? 'shared ' : ''}covariance is singular. ` +
          `${fix}, use covarianceType "diag", or leave the column out (columns setting).`,
      );
    }
    const root = Math.sqrt(pivot);
    c[a * m + a] = root;
    for (let r = a + 1; r < m; r++) {
      let t = c[r * m + a];
      for (let p = 0; p < a; p++) t -= c[r * m + p] * c[a * m + p];
      c[r * m + a] = t / root;
    }
  }
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

function formatRatio(r: number): string {
  return r >= 1 ? `${r >= 100 ? r.toExponential(1) : r.toPrecision(2)} times` : `${Math.round(r * 100)}% of`;
}

/** initParams means in the centred frame; anything malformed is passed through for the family's own validation. */
function shiftMeans(means: unknown, centre: Float64Array): number[][] {
  if (!Array.isArray(means)) return means as number[][];
  return means.map((row: unknown) =>
    Array.isArray(row) && row.length === centre.length ? row.map((v: unknown, j) => (typeof v === 'number' ? v - centre[j] : v)) : row,
  ) as number[][];
}

/** Evenly spaced row indices, at most `max` of them. */
export function evenSample(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor((i * n) / max));
}

export function fitDataset(dataset: Dataset, partialOptions: Partial<FitOptions>, callbacks: FitCallbacks = {}): FitOutcome {
  const options = resolveOptions(partialOptions);
  const started = Date.now();
  const choice = chooseModel(dataset, options);
  const file = dataset.summary.fileName;
  const n = choice.model === 'gaussian' ? choice.table.n : choice.images.n;
  const d = choice.model === 'gaussian' ? choice.table.d : choice.images.d;
  if (n === 0) throw new DataError(`${file}: no complete numeric rows to fit.`, file);
  if (n < options.k) {
    throw new DataError(`${file}: ${n} usable row${n === 1 ? '' : 's'} but K = ${options.k} components; K must not exceed the number of rows.`, file);
  }
  return choice.model === 'gaussian'
    ? fitGaussianTable(choice.table, options, choice.reason, started, callbacks)
    : fitBernoulliImages(choice.images, options, choice.reason, started, callbacks);
}

function fitGaussianTable(table: TableData, options: FitOptions, reason: string, started: number, callbacks: FitCallbacks): FitOutcome {
  const { n, d } = table;
  const file = table.summary.fileName;
  if (!(GAUSSIAN_INITS as readonly string[]).includes(options.init)) {
    throw new OptionsError(
      `init "${options.init}" is for Bernoulli mixtures; a Gaussian mixture starts from ${GAUSSIAN_INITS.filter((i) => i !== 'params').join(', ')} or explicit parameters.`,
    );
  }
  // (One column: "full" is the same model as "diag", so that advice would not help; the singular-data check below
  // refuses one row without regularisation.)
  if (options.covarianceType === 'full' && d > 1 && d >= n) {
    throw new DataError(
      `${file}: ${d} columns but only ${n} row${n === 1 ? '' : 's'}: a full covariance per component cannot be estimated. Use covarianceType "diag" (or "spherical"), or fewer columns.`,
      file,
    );
  }
  const values = Float64Array.from(table.values);
  const standardization = options.standardize ? standardizeColumns(values, n, d) : undefined;
  if (standardization) {
    const overflow = standardization.sd.findIndex((sd) => !Number.isFinite(sd));
    if (overflow >= 0) {
      throw new DataError(
        `${file}: column "${table.columns[overflow] ?? `x${overflow + 1}`}" spreads wider than the largest double (its standard deviation overflows). Rescale the column (divide it by a power of ten).`,
        file,
      );
    }
  } else {
    refuseUnrepresentableSpread(values, n, d, table.columns, file, options.regularization);
  }
  if (options.regularization === 0) refuseSingularData(values, n, d, table.columns, options.covarianceType, file);
  const notes = regularisationNotes(values, n, d, table.columns, options.regularization);

  const indices = evenSample(n, options.maxPlotPoints);
  const plotValues: number[] = new Array(indices.length * d);
  indices.forEach((row, s) => {
    for (let j = 0; j < d; j++) plotValues[s * d + j] = values[row * d + j];
  });
  const plotSample: PlotSample = { indices, values: plotValues, d };
  const summary = { ...table.summary, n, d, columns: table.columns };
  callbacks.onLoaded?.({ summary, model: 'gaussian', modelReason: reason, plotSample });

  // The engine sees columns with a large offset centred (see centreOffsetColumns); every mean it reports is shifted
  // back, so callers never see the centring. Each snapshot is shifted once, when it is reported.
  const centre = centreOffsetColumns(values, n, d);
  const shifted = new WeakSet<object>();
  const shiftBack = (snapshot: ParamsSnapshot) => {
    if (!centre || shifted.has(snapshot)) return;
    shifted.add(snapshot);
    for (const mean of snapshot.means) for (let j = 0; j < d; j++) mean[j] += centre[j];
  };
  const family = new GaussianFamily(values, n, d, {
    covarianceType: options.covarianceType,
    regularization: options.regularization,
    init: options.init,
    initParams: centre && options.initParams ? { ...options.initParams, means: shiftMeans(options.initParams.means, centre) } : options.initParams,
  });
  const run = runEm(
    family,
    { k: options.k, maxIterations: options.maxIterations, tolerance: options.tolerance, variant: options.emVariant, restarts: options.restarts, seed: options.seed, keepSnapshots: true },
    (progress) => {
      shiftBack(progress.snapshot);
      callbacks.onProgress?.(progress);
    },
  );
  run.snapshots.forEach(shiftBack);
  const last = run.snapshots[run.snapshots.length - 1];
  if (last.model !== 'gaussian') throw new Error('internal: Gaussian family returned a non-Gaussian snapshot');
  const { bic, aic } = informationCriteria(run.logLikelihood, family.parameterCount(options.k), n);
  const assignments = Array.from(run.assignments);
  const degenerate = findDegenerateComponents({
    values,
    n,
    d,
    k: options.k,
    covarianceType: options.covarianceType,
    regularization: options.regularization,
    means: run.params.means,
    covariances: run.params.covariances,
    logResp: run.logResp,
    columns: table.columns,
    centre,
  });
  notes.push(...degeneracyNotes(degenerate, options.k));
  const result: FitResult = {
    model: 'gaussian',
    modelReason: reason,
    k: options.k,
    n,
    d,
    columns: table.columns,
    converged: run.converged,
    iterations: run.iterations,
    logLikelihood: run.logLikelihood,
    trace: run.trace,
    weights: last.weights,
    means: last.means,
    covariances: last.covariances,
    covarianceType: options.covarianceType,
    emVariant: options.emVariant,
    assignments,
    bic,
    aic,
    standardization,
    snapshots: run.snapshots,
    restartObjectives: run.restartObjectives,
    elapsedMs: Date.now() - started,
    notes: notes.length > 0 ? notes : undefined,
    degenerate: degenerate.length > 0 ? degenerate : undefined,
  };
  return { result, plotSample, plotAssignments: indices.map((i) => assignments[i]) };
}

function fitBernoulliImages(images: ImageData, options: FitOptions, reason: string, started: number, callbacks: FitCallbacks): FitOutcome {
  const summary: DatasetSummary = {
    ...images.summary,
    n: images.n,
    d: images.d,
    imageShape: [images.height, images.width],
    hasLabels: images.labels !== undefined,
  };
  callbacks.onLoaded?.({ summary, model: 'bernoulli', modelReason: reason });
  const fitted = fitBernoulli(images, options, callbacks.onProgress);
  const result: FitResult = {
    ...fitted.result,
    modelReason: reason,
    columns: images.summary.columns,
    imageShape: [images.height, images.width],
    elapsedMs: Date.now() - started,
    notes: fitted.notes.length > 0 ? fitted.notes : undefined,
  };
  return { result, examples: fitted.examples };
}
