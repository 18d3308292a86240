// One Gaussian fit of a table, in two steps: prepareGaussianTable (the data checks, standardising, the plotted
// sample, columns with a large offset centred) and runGaussianFit (EM with scikit-learn's formulas or an mclust
// model, packaged with its degenerate components and both BICs). The family's fit runs both; a model selection
// prepares once, sweeps its candidates on the prepared values and runs the chosen one from its starting partition.

import type { DegenerateComponent, FitResult, ParamsSnapshot, PlotSample, SklearnCovarianceType } from '../../../shared/protocol';
import type { TableData } from '../../data/dataset';
import { labelMetrics } from '../../em/metrics';
import { emSettingsFor, informationCriteria, partitionResponsibilities, runEm, startedFromPartition, totalWeight, type EmProgress, type EmRun, type EmSettings } from '../../em/em';
import { DataError } from '../../errors';
import { evenSample, type FitCallbacks, type FitContext, type FitOutcome, type FixedFitOptions } from '../types';
import { degeneracyNotes, findDegenerateComponents } from './degeneracy';
import { GaussianFamily } from './family';
import { findMclustDegenerateComponents } from './mclust/degeneracy';
import { MclustGaussianFamily, mclustModelForColumns } from './mclust/family';
import { isMclustModelName, mclustBic, mclustIcl, type MclustModelName } from './mclust/models';
import { runVariationalFit } from './variational/entry';
import { meanImputed, MissingGaussianFamily } from './missing';
import { principalAxes } from '../../data/projection';
import { centreOffsetColumns, refuseSingularData, refuseUnrepresentableSpread, regularisationNotes, shiftMeans, sphericalScaleNotes, standardizeColumns } from './prepare';

/**
 * The scikit-learn covariance type whose data checks (prepare.ts) suit an mclust model: the spherical models as
 * spherical, the diagonal ones as diag, a shared orientation as tied, the others as full.
 */
function sklearnCounterpart(model: MclustModelName): SklearnCovarianceType {
  if (model === 'E' || model === 'V' || model.endsWith('II')) return 'spherical';
  if (model.endsWith('I')) return 'diag';
  return model === 'EEE' ? 'tied' : 'full';
}

/** A table ready for EM: the values the engine fits (standardised, offset columns centred) and what to report. */
export interface PreparedTable {
  table: TableData;
  n: number;
  d: number;
  /** n × d, row-major; centred by `centre` when set. */
  values: Float64Array;
  standardization?: { mean: number[]; sd: number[] };
  /** Column offsets removed before EM (centreOffsetColumns); every reported mean is shifted back. */
  centre?: Float64Array;
  notes: string[];
  indices: number[];
  plotSample: PlotSample;
}

/**
 * Checks and prepares the table for fits with `regularization`. `singularCheck`: the covariance type whose
 * singular-data check applies (with regularisation 0); undefined skips it (a selection reports such fits as failed).
 * `given`: a saved model's standardisation, applied instead of the table's own (its parameters are in those units).
 */
export function prepareGaussianTable(
  table: TableData,
  options: FixedFitOptions | { standardize: boolean; maxPlotPoints: number },
  regularization: number,
  singularCheck?: SklearnCovarianceType,
  given?: { mean: number[]; sd: number[] },
): PreparedTable {
  const { n, d } = table;
  const file = table.summary.fileName;
  const values = Float64Array.from(table.values);
  const missing = table.missing;
  if (given) for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) values[i * d + j] = (values[i * d + j] - given.mean[j]) / given.sd[j];
  const standardization = given ?? (options.standardize ? standardizeColumns(values, n, d, table.weights, missing) : undefined);
  if (standardization) {
    const overflow = standardization.sd.findIndex((sd) => !Number.isFinite(sd));
    if (overflow >= 0) {
      throw new DataError(
        `${file}: column "${table.columns[overflow] ?? `x${overflow + 1}`}" spreads wider than the largest double (its standard deviation overflows). Rescale the column (divide it by a power of ten).`,
        file,
      );
    }
  } else if (!missing) {
    refuseUnrepresentableSpread(values, n, d, table.columns, file, regularization);
  }
  // (With missing cells these checks, which read every cell, are left to the fit's own singularity errors.)
  if (regularization === 0 && singularCheck && !missing) refuseSingularData(values, n, d, table.columns, singularCheck, file);
  const notes = missing ? [] : regularisationNotes(values, n, d, table.columns, regularization);

  const plotSample = gaussianPlotSample(values, n, d, options.maxPlotPoints, missing, table.weights);
  const indices = plotSample.indices;
  // The engine sees columns with a large offset centred (see centreOffsetColumns); every mean it reports is shifted
  // back, so callers never see the centring. (Not with missing cells: their NaNs have no offset to remove.)
  const centre = missing ? undefined : centreOffsetColumns(values, n, d);
  return { table, n, d, values, standardization, centre, notes, indices, plotSample };
}

/**
 * The rows the panel plots (an even sample of at most `maxPlotPoints`) of n × d values, with the principal axes for
 * d > 2. Rows with missing cells are plotted at their columns' observed means until the fit places them.
 */
export function gaussianPlotSample(values: Float64Array, n: number, d: number, maxPlotPoints: number, missing?: Uint8Array, weights?: Float64Array): PlotSample {
  const indices = evenSample(n, maxPlotPoints);
  const plotted = missing ? meanImputed(values, n, d, missing, weights) : values;
  const plotValues: number[] = new Array(indices.length * d);
  indices.forEach((row, s) => {
    for (let j = 0; j < d; j++) plotValues[s * d + j] = plotted[row * d + j];
  });
  const plotSample: PlotSample = { indices, values: plotValues, d };
  const projection = d > 2 ? principalAxes(plotted, n, d) : undefined;
  if (projection) plotSample.projection = projection;
  if (missing) plotSample.incompleteRows = indices.filter((row) => missing.subarray(row * d, (row + 1) * d).includes(1));
  return plotSample;
}

/** Summary, model and plotted sample for onLoaded. */
export function announce(prepared: PreparedTable, reason: string, callbacks: FitCallbacks): void {
  const { table, n, d, plotSample } = prepared;
  callbacks.onLoaded?.({ summary: { ...table.summary, n, d, columns: table.columns }, model: 'gaussian', modelReason: reason, plotSample });
}

/**
 * A selection's chosen candidate, refitted through this path: mclust's EM from the hard partition (as R's me()),
 * exactly `mSteps` M-steps (the sweep's count, the first one from the partition), soft EM, one start.
 */
export interface PartitionStart {
  partition: Int32Array;
  mSteps: number;
  /** Whether the sweep's run stopped by its convergence rule (the refit runs a fixed count and cannot tell). */
  converged: boolean;
}

export function fitGaussianTable(table: TableData, { options, reason, started, callbacks }: FitContext): FitOutcome {
  const { n, d } = table;
  const file = table.summary.fileName;
  const requested = options.covarianceType;
  // An mclust name is fitted as that model (on one column its E or V); E and V on several columns are refused here.
  const mclustModel = isMclustModelName(requested) ? mclustModelForColumns(requested, d) : undefined;
  const checkType: SklearnCovarianceType = mclustModel ? sklearnCounterpart(mclustModel) : requested === 'variational' ? 'full' : (requested as SklearnCovarianceType);
  // Without regularisation a full covariance needs more rows than columns; with it, the fit goes ahead as
  // scikit-learn's does (the degenerate-component check then says what the covariances rest on). (One column: "full"
  // is the same model as "diag", so that advice would not help; the singular-data check refuses one row.)
  if ((requested === 'full' || requested === 'variational' || mclustModel === 'VVV') && d > 1 && d >= n && options.regularization === 0) {
    throw new DataError(
      `${file}: ${d} columns but only ${n} row${n === 1 ? '' : 's'}: a full covariance per component cannot be estimated without regularization. ` +
        `Set regularization > 0 (e.g. 1e-6, the default), use covarianceType ${mclustModel ? '"VVI" (or "EEI", "VII")' : '"diag" (or "spherical")'}, or fewer columns.`,
      file,
    );
  }
  const prepared = prepareGaussianTable(table, options, options.regularization, checkType);
  announce(prepared, reason, callbacks);
  if (requested === 'variational') return runVariationalFit(prepared, options, reason, started, callbacks);
  return runGaussianFit(prepared, options, reason, started, callbacks);
}

/** EM on a prepared table with `options` (K and covarianceType fixed), from the settings' start or `start`. */
export function runGaussianFit(prepared: PreparedTable, options: FixedFitOptions, reason: string, started: number, callbacks: FitCallbacks, start?: PartitionStart): FitOutcome {
  const { table, n, d, values, centre, standardization, indices } = prepared;
  const caseWeights = table.weights;
  // With case weights the sample size of BIC (and of the convergence rule) is Σ w_i, the rows they stand for.
  const sampleSize = caseWeights ? totalWeight(caseWeights) : n;
  const notes = [...prepared.notes];
  const requested = options.covarianceType;
  const mclustModel = isMclustModelName(requested) ? mclustModelForColumns(requested, d) : undefined;
  if (start && !mclustModel) throw new Error('internal: a partition start needs an mclust model');
  const shifted = new WeakSet<object>();
  // Each snapshot is shifted once, when it is reported.
  const shiftBack = (snapshot: ParamsSnapshot) => {
    if (!centre || shifted.has(snapshot)) return;
    shifted.add(snapshot);
    for (const mean of snapshot.means) for (let j = 0; j < d; j++) mean[j] += centre[j];
  };
  const initParams = centre && options.initParams ? { ...options.initParams, means: shiftMeans(options.initParams.means, centre) } : options.initParams;
  // Known labels give each snapshot its clusters × labels counts (the panel's heatmap follows the scrubber).
  // From a selection's partition: exactly the candidate's M-steps, soft, one start.
  const settings: EmSettings = emSettingsFor(start ? { ...options, maxIterations: start.mSteps - 1, tolerance: 0, emVariant: 'soft', restarts: 1 } : options, n, table.labels);
  const onProgress = (progress: EmProgress) => {
    shiftBack(progress.snapshot);
    callbacks.onProgress?.(progress);
  };
  const { k } = options;
  let run: EmRun<unknown>;
  let parameters: number;
  let degenerate: DegenerateComponent[];
  let imputedPlot: FitResult['imputedPlot'];
  if (table.missing) {
    // Some cells are missing: EM on the observed cells of every row (missing.ts).
    const family = new MissingGaussianFamily(values, n, d, table.missing, {
      model: mclustModel ?? (requested as SklearnCovarianceType),
      regularization: options.regularization,
      init: options.init,
      initParams,
      caseWeights,
    });
    const missingRun = runEm(family, settings, onProgress);
    run = missingRun;
    parameters = family.parameterCount(k);
    degenerate = [];
    const rows = prepared.plotSample.incompleteRows ?? [];
    imputedPlot = { rows, values: Array.from(family.conditionalExpectations(missingRun.params, k, missingRun.logResp, rows)) };
    const per = table.missingPerColumn ?? [];
    const cells = per.reduce((a, b) => a + b, 0);
    notes.push(
      `${cells} missing cell${cells === 1 ? '' : 's'} (${per.map((count, j) => (count > 0 ? `${count} in ${table.columns[j]}` : '')).filter(Boolean).join(', ')}) ` +
        'integrated out: each row is fitted on its observed cells, assuming the cells are missing at random.',
    );
  } else if (mclustModel) {
    const family = new MclustGaussianFamily(values, n, d, {
      model: mclustModel,
      regularization: options.regularization,
      init: start ? 'kmeans++' : options.init,
      initParams: start ? undefined : initParams,
      caseWeights,
    });
    const mclustRun = runEm(start ? startedFromPartition(family, start.partition, (_, k) => family.fromResponsibilities(partitionResponsibilities(start.partition, k, family.caseWeights), k)) : family, settings, onProgress);
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
    const family = new GaussianFamily(values, n, d, { covarianceType: type, regularization: options.regularization, init: options.init, initParams, caseWeights });
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
  const { bic, aic } = informationCriteria(run.logLikelihood, parameters, sampleSize);
  const bicMclust = mclustBic(run.logLikelihood, parameters, sampleSize);
  const icl = mclustIcl(bicMclust, responsibilities(run.logResp), n, k, caseWeights);
  const assignments = Array.from(run.assignments);
  notes.push(...degeneracyNotes(degenerate, k), ...sphericalScaleNotes(values, n, d, table.columns, mclustModel ?? requested));
  const result: FitResult = {
    model: 'gaussian',
    modelReason: reason,
    k: options.k,
    n,
    caseWeights: caseWeights ? { column: table.weightsColumn ?? 'weights', total: sampleSize } : undefined,
    missingCells: table.missing ? table.missingPerColumn : undefined,
    imputedPlot,
    d,
    columns: table.columns,
    converged: start ? start.converged : run.converged,
    iterations: run.iterations,
    logLikelihood: run.logLikelihood,
    trace: run.trace,
    weights: last.weights,
    means: last.means,
    covariances: last.covariances,
    covarianceType: mclustModel ?? requested,
    emVariant: start ? 'soft' : options.emVariant,
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
    // A label column (named label, class, target…) never enters the fit; the clusters are scored against it.
    labelMetrics: table.labels && table.labels.length === n ? labelMetrics(run.assignments, table.labels, k, table.labelNames) : undefined,
  };
  return { result, plotSample: prepared.plotSample, plotAssignments: indices.map((i) => assignments[i]) };
}


/** exp of the n × K log-responsibilities. */
function responsibilities(logResp: Float64Array): Float64Array {
  const z = new Float64Array(logResp.length);
  for (let i = 0; i < z.length; i++) z[i] = Math.exp(logResp[i]);
  return z;
}
