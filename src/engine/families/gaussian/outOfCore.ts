// A Gaussian fit with a fixed K streamed from the out-of-core column store (outOfCore.ts parses the file) with an
// scikit-learn's covariance type or an mclust model, missing cells integrated out when there are any: the streamed EM
// loop (em/streamedEm.ts: case weights, soft or hard EM, restarts) over the piece of the kind (streaming.ts,
// streamedMclust.ts, streamedMissing.ts), packaged as the in-memory fit packages it, with the plot and the
// assignments of an evenly drawn sample of rows.

import type { DatasetSummary, FitOptions, FitResult, PlotSample, SklearnCovarianceType } from '../../../shared/protocol';
import { informationCriteria } from '../../em/em';
import { runStreamedEm, streamedLabelMetrics } from '../../em/streamedEm';
import type { RowSource } from '../../em/streaming';
import { OptionsError } from '../../errors';
import type { FitCallbacks, FitOutcome } from '../types';
import { mclustBic, type MclustModelName } from './mclust/models';
import { StreamedMclustModel } from './streamedMclust';
import { StreamedMissingModel } from './streamedMissing';
import { streamedSklearnModel, type StreamedGaussianModel, type StreamedModelOptions } from './streamedModel';

/** The streamed piece of one Gaussian fit: with missing cells (any model), an mclust model, or scikit-learn's type. */
export function streamedGaussianModel(source: RowSource, options: StreamedModelOptions, missingCells: boolean, mclust: boolean): StreamedGaussianModel<unknown> {
  if (missingCells) return new StreamedMissingModel(source, options) as StreamedGaussianModel<unknown>;
  if (mclust) return new StreamedMclustModel(source, options) as StreamedGaussianModel<unknown>;
  return streamedSklearnModel(source, options);
}

export interface GaussianOutOfCoreInput {
  file: string;
  options: FitOptions;
  k: number;
  /** scikit-learn's type, or the mclust model for the columns. */
  model: SklearnCovarianceType | MclustModelName;
  reason: string;
  started: number;
  summary: DatasetSummary;
  /** The rows as the engine fits them (transformed), NaN in missing cells. */
  source: RowSource;
  /** The rows at `indices` as the source gives them (random-data's drawn rows). */
  readRows?: (indices: Int32Array, out: Float64Array) => void;
  /** initParams in the engine's units. */
  initParams?: FitOptions['initParams'];
  /** Rows k-means++ starts from, with their case weights. */
  start: { indices: number[]; values: Float64Array; weights?: Float64Array };
  /** Σ_i w_i (n without case weights): BIC's n and the rows of the convergence rule. */
  total: number;
  /** The case weights' column, when the source has weights. */
  weightsColumn?: string;
  plotSample: PlotSample;
  /** The plotted rows with missing cells, as stored (NaN where missing): placed at E[x | observed] once fitted. */
  incomplete?: { rows: number[]; values: Float64Array };
  /** Missing cells per column (when there are any). */
  missingCells?: number[];
  /** Added back to every reported mean (the columns centred for the fit). */
  centre?: Float64Array;
  standardization?: { mean: number[]; sd: number[] };
  notes: string[];
  /** Most bytes the fit's per-iteration snapshots may take (thinned beyond it). */
  snapshotBytes?: number;
  callbacks: FitCallbacks;
}

export function fitGaussianModelOutOfCore(input: GaussianOutOfCoreInput): FitOutcome {
  const { options, k, model, source, plotSample, callbacks, centre } = input;
  const { n, d } = source;
  const missing = (input.missingCells ?? []).some((c) => c > 0);
  const mclust = model !== 'full' && model !== 'diag' && model !== 'spherical' && model !== 'tied';
  const piece = streamedGaussianModel(
    source,
    { k, model, regularization: options.regularization, init: options.init as StreamedModelOptions['init'], initParams: input.initParams, sample: { values: input.start.values, m: input.start.indices.length, weights: input.start.weights }, readRows: input.readRows, total: input.total },
    missing,
    mclust,
  );
  const shiftBack = (means: number[][]) => {
    if (!centre) return;
    for (const mean of means) for (let j = 0; j < d; j++) mean[j] += centre[j];
  };
  if (k > n) throw new OptionsError(`K = ${k} components but only ${n} rows: K must not exceed the number of rows.`);
  const settings = { k, maxIterations: options.maxIterations, tolerance: options.tolerance, restarts: options.restarts, seed: options.seed, plotIndices: plotSample.indices, variant: options.emVariant, total: input.total, snapshotBytes: input.snapshotBytes };
  const run = runStreamedEm(source, piece, settings, (p) => {
    if (p.snapshot.model === 'gaussian') shiftBack(p.snapshot.means);
    callbacks.onProgress?.(p);
  });
  const last = run.snapshots[run.snapshots.length - 1];
  const { bic, aic } = informationCriteria(run.logLikelihood, run.parameters, input.total);
  const bicMclust = mclustBic(run.logLikelihood, run.parameters, input.total);
  const notes = [...input.notes];
  if (model !== options.covarianceType) notes.push(`covarianceType ${options.covarianceType} on one column is mclust's model ${model} (${model === 'E' ? 'equal' : 'variable'} variance).`);
  let imputedPlot: FitResult['imputedPlot'];
  if (missing) {
    const per = input.missingCells!;
    const cells = per.reduce((a, b) => a + b, 0);
    notes.push(
      `${cells} missing cell${cells === 1 ? '' : 's'} (${per.map((count, j) => (count > 0 ? `${count} in ${input.summary.columns[j]}` : '')).filter(Boolean).join(', ')}) ` +
        'integrated out: each row is fitted on its observed cells, assuming the cells are missing at random.',
    );
    if (input.incomplete && input.incomplete.rows.length > 0) {
      const values = (piece as unknown as StreamedMissingModel).conditionalExpectations(run.params as never, input.incomplete.values, input.incomplete.rows.length);
      imputedPlot = { rows: input.incomplete.rows, values: Array.from(values) };
    }
  }
  const result: FitResult = {
    model: 'gaussian',
    modelReason: input.reason,
    k,
    n,
    d,
    columns: input.summary.columns,
    ...(input.weightsColumn !== undefined ? { caseWeights: { column: input.weightsColumn, total: input.total } } : {}),
    ...(missing ? { missingCells: input.missingCells } : {}),
    ...(imputedPlot ? { imputedPlot } : {}),
    converged: run.converged,
    iterations: run.iterations,
    logLikelihood: run.logLikelihood,
    trace: run.trace,
    weights: last.weights,
    means: last.means,
    covariances: last.covariances,
    covarianceType: model,
    emVariant: options.emVariant,
    assignments: run.plotAssignments,
    assignedRows: plotSample.indices,
    bic,
    aic,
    mclustBic: bicMclust,
    icl: bicMclust + 2 * run.sumLogMaxResp,
    parameters: run.parameters,
    standardization: input.standardization,
    snapshots: run.snapshots,
    labelMetrics: streamedLabelMetrics(source, run.snapshots),
    restartObjectives: run.restartObjectives,
    elapsedMs: Date.now() - input.started,
    notes: [...notes, ...(run.snapshotNote ? [run.snapshotNote] : []), `cluster sizes over all ${n} rows: ${run.sizes.join(', ')}`],
  };
  return { result, plotSample, plotAssignments: run.plotAssignments };
}
