// The Gaussian family's registry entry: tables of numbers (images too, when the settings ask for it), prepared as
// prepare.ts says, fitted by GaussianFamily with sklearn's formulas (covarianceType full, diag, spherical, tied) or by
// MclustGaussianFamily (an mclust model name), and packaged with its degenerate components and both BICs.

import type { DegenerateComponent, FitResult, ParamsSnapshot, PlotSample, SklearnCovarianceType } from '../../../shared/protocol';
import type { ImageData, TableData } from '../../data/dataset';
import { informationCriteria, runEm, type EmProgress, type EmRun, type EmSettings } from '../../em/em';
import { DataError } from '../../errors';
import { defineFamily, evenSample, type FitContext, type FitOutcome } from '../types';
import { degeneracyNotes, findDegenerateComponents } from './degeneracy';
import { GaussianFamily } from './family';
import { findMclustDegenerateComponents } from './mclust/degeneracy';
import { MclustGaussianFamily, mclustModelForColumns } from './mclust/family';
import { isMclustModelName, mclustBic, mclustIcl, type MclustModelName } from './mclust/models';
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

/**
 * The scikit-learn covariance type whose data checks (prepare.ts) suit an mclust model: the spherical models as
 * spherical, the diagonal ones as diag, a shared orientation as tied, the others as full.
 */
function sklearnCounterpart(model: MclustModelName): SklearnCovarianceType {
  if (model === 'E' || model === 'V' || model.endsWith('II')) return 'spherical';
  if (model.endsWith('I')) return 'diag';
  return model === 'EEE' ? 'tied' : 'full';
}

function fitGaussianTable(table: TableData, { options, reason, started, callbacks }: FitContext): FitOutcome {
  const { n, d } = table;
  const file = table.summary.fileName;
  const requested = options.covarianceType;
  // An mclust name is fitted as that model (on one column its E or V); E and V on several columns are refused here.
  const mclustModel = isMclustModelName(requested) ? mclustModelForColumns(requested, d) : undefined;
  const checkType: SklearnCovarianceType = mclustModel ? sklearnCounterpart(mclustModel) : (requested as SklearnCovarianceType);
  // Without regularisation a full covariance needs more rows than columns; with it, the fit goes ahead as
  // scikit-learn's does (the degenerate-component check then says what the covariances rest on). (One column: "full"
  // is the same model as "diag", so that advice would not help; the singular-data check refuses one row.)
  if ((requested === 'full' || mclustModel === 'VVV') && d > 1 && d >= n && options.regularization === 0) {
    throw new DataError(
      `${file}: ${d} columns but only ${n} row${n === 1 ? '' : 's'}: a full covariance per component cannot be estimated without regularization. ` +
        `Set regularization > 0 (e.g. 1e-6, the default), use covarianceType ${mclustModel ? '"VVI" (or "EEI", "VII")' : '"diag" (or "spherical")'}, or fewer columns.`,
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
  if (options.regularization === 0) refuseSingularData(values, n, d, table.columns, checkType, file);
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
  const initParams = centre && options.initParams ? { ...options.initParams, means: shiftMeans(options.initParams.means, centre) } : options.initParams;
  const settings: EmSettings = {
    k: options.k,
    maxIterations: options.maxIterations,
    tolerance: options.tolerance,
    variant: options.emVariant,
    restarts: options.restarts,
    seed: options.seed,
    keepSnapshots: true,
  };
  const onProgress = (progress: EmProgress) => {
    shiftBack(progress.snapshot);
    callbacks.onProgress?.(progress);
  };
  const { k } = options;
  let run: EmRun<unknown>;
  let parameters: number;
  let degenerate: DegenerateComponent[];
  if (mclustModel) {
    const family = new MclustGaussianFamily(values, n, d, { model: mclustModel, regularization: options.regularization, init: options.init, initParams });
    const mclustRun = runEm(family, settings, onProgress);
    run = mclustRun;
    parameters = family.parameterCount(k);
    degenerate = findMclustDegenerateComponents({
      model: mclustModel,
      values,
      n,
      d,
      k,
      z: responsibilities(mclustRun.logResp),
      covariances: mclustRun.params.state.covariances,
      regularization: options.regularization,
      columns: table.columns,
    });
    if (mclustModel !== requested) notes.push(`covarianceType ${requested} on one column is mclust's model ${mclustModel} (${mclustModel === 'E' ? 'equal' : 'variable'} variance).`);
  } else {
    const type = requested as SklearnCovarianceType;
    const family = new GaussianFamily(values, n, d, { covarianceType: type, regularization: options.regularization, init: options.init, initParams });
    const sklearnRun = runEm(family, settings, onProgress);
    run = sklearnRun;
    // scikit-learn's _n_parameters: the same count as mclust's nMclustParams for the model the type is (VVV, VVI, VII, EEE).
    parameters = family.parameterCount(k);
    degenerate = findDegenerateComponents({
      values,
      n,
      d,
      k,
      covarianceType: type,
      regularization: options.regularization,
      means: sklearnRun.params.means,
      covariances: sklearnRun.params.covariances,
      logResp: sklearnRun.logResp,
      columns: table.columns,
      centre,
    });
  }
  run.snapshots.forEach(shiftBack);
  const last = run.snapshots[run.snapshots.length - 1];
  if (last.model !== 'gaussian') throw new Error('internal: Gaussian family returned a non-Gaussian snapshot');
  const { bic, aic } = informationCriteria(run.logLikelihood, parameters, n);
  const bicMclust = mclustBic(run.logLikelihood, parameters, n);
  const icl = mclustIcl(bicMclust, responsibilities(run.logResp), n, k);
  const assignments = Array.from(run.assignments);
  notes.push(...degeneracyNotes(degenerate, k));
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
    covarianceType: mclustModel ?? requested,
    emVariant: options.emVariant,
    assignments,
    bic,
    aic,
    mclustBic: bicMclust,
    icl,
    parameters,
    standardization,
    snapshots: run.snapshots,
    restartObjectives: run.restartObjectives,
    elapsedMs: Date.now() - started,
    notes: notes.length > 0 ? notes : undefined,
    degenerate: degenerate.length > 0 ? degenerate : undefined,
  };
  return { result, plotSample, plotAssignments: indices.map((i) => assignments[i]) };
}

/** exp of the n × K log-responsibilities. */
function responsibilities(logResp: Float64Array): Float64Array {
  const z = new Float64Array(logResp.length);
  for (let i = 0; i < z.length; i++) z[i] = Math.exp(logResp[i]);
  return z;
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
