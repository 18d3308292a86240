// The Gaussian family's registry entry: tables of numbers (images too, when the settings ask for it), prepared as
// prepare.ts says, fitted by GaussianFamily with sklearn's formulas, and packaged with its degenerate components.

import type { FitResult, ParamsSnapshot, PlotSample } from '../../../shared/protocol';
import type { ImageData, TableData } from '../../data/dataset';
import { informationCriteria, runEm } from '../../em/em';
import { DataError } from '../../errors';
import { defineFamily, evenSample, type FitContext, type FitOutcome } from '../types';
import { degeneracyNotes, findDegenerateComponents } from './degeneracy';
import { GaussianFamily } from './family';
import {
  centreOffsetColumns,
  refuseSingularData,
  refuseUnrepresentableSpread,
  regularisationNotes,
  shiftMeans,
  standardizeColumns,
} from './prepare';

export const gaussianFamily = defineFamily<TableData>({
  id: 'gaussian',
  label: 'Gaussian',
  inits: ['kmeans++', 'random', 'random-data', 'params'],
  // Asked last under model "auto": every table of numbers that no other family claimed.
  detect: (dataset) => (dataset.kind === 'table' ? { data: dataset, reason: 'the columns are continuous numbers' } : undefined),
  prepare: (dataset) => (dataset.kind === 'table' ? dataset : imagesAsTable(dataset)),
  fit: fitGaussianTable,
});

function fitGaussianTable(table: TableData, { options, reason, started, callbacks }: FitContext): FitOutcome {
  const { n, d } = table;
  const file = table.summary.fileName;
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
