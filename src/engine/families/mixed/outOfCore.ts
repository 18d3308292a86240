// A mixed mixture (numeric, count and categorical columns) streamed from the out-of-core column store (outOfCore.ts
// parses the file): one fit with a fixed K, or a K sweep scored as in memory (entry.ts's select: BIC with n = the
// rows, ICL from Σ ln max r), each candidate's EM streamed (streamed.ts). The result is the in-memory family's, with
// the plot and assignments of an evenly drawn sample of rows.

import type { DatasetSummary, FitOptions, FitResult, PlotSample, SklearnCovarianceType } from '../../../shared/protocol';
import { informationCriteria } from '../../em/em';
import type { RowSource } from '../../em/streaming';
import { sumOfWeights, streamedLabelMetrics } from '../../em/streamedEm';
import { fitOrSweepK } from '../../select/kSweep';
import { categoryFields } from '../categorical/entry';
import { streamedCountHistograms } from '../poisson/streamed';
import type { FitCallbacks, FitOutcome } from '../types';
import { nMclustParams, type MclustModelName } from '../gaussian/mclust/models';
import { runStreamedMixedEm, type MixedRowSource, type StreamedMixedOptions } from './streamed';

export interface MixedOutOfCoreInput {
  file: string;
  options: FitOptions;
  ks: number[];
  reason: string;
  started: number;
  summary: DatasetSummary;
  source: MixedRowSource;
  /** The Gaussian block's columns, the count columns and the categorical columns (with their categories). */
  gaussianColumns: string[];
  countColumns: string[];
  categoryColumns: string[];
  categories: string[][];
  /** The Gaussian block's rows k-means++ starts from (an evenly drawn sample; every row when it is the file). */
  start: { indices: number[]; values: Float64Array; weights?: Float64Array };
  /** The Gaussian block's values of the rows at `indices` (random-data's drawn rows). */
  readRows?: (indices: Int32Array, out: Float64Array) => void;
  /** The case weights' column, when the source has weights. */
  weightsColumn?: string;
  /** Rows of the Gaussian block's columns the panel plots. */
  plotSample: PlotSample;
  /** The Gaussian block's model: scikit-learn's type, or the mclust model for its columns. */
  gaussianModel: SklearnCovarianceType | MclustModelName;
  /** Missing cells per Gaussian column (NaN in the source), when there are any: integrated out. */
  missingCells?: number[];
  notes: string[];
  /** Most bytes the fit's per-iteration snapshots may take (thinned beyond it). */
  snapshotBytes?: number;
  callbacks: FitCallbacks;
}

export function fitMixedOutOfCore(input: MixedOutOfCoreInput): FitOutcome {
  const { file, options, ks, source, callbacks, plotSample, summary } = input;
  const { n } = source;
  const covarianceType = input.gaussianModel;
  const missing = (input.missingCells ?? []).some((c) => c > 0);
  // Σ_i w_i (n without case weights): BIC's n, as in memory.
  const total = source.weights ? sumOfWeights(source) : n;
  callbacks.onLoaded?.({ summary: { ...summary, ...(input.countColumns.length > 0 ? { countColumns: input.countColumns } : {}) }, model: 'mixed', modelReason: input.reason, plotSample });
  const run = (k: number, onProgress?: FitCallbacks['onProgress']) =>
    runStreamedMixedEm(
      source,
      {
        k,
        covarianceType,
        missingCells: missing,
        regularization: options.regularization,
        init: options.init as StreamedMixedOptions['init'],
        maxIterations: options.maxIterations,
        tolerance: options.tolerance,
        restarts: options.restarts,
        seed: options.seed,
        variant: options.emVariant,
        sample: { values: input.start.values, m: input.start.indices.length, weights: input.start.weights },
        readRows: input.readRows,
        plotIndices: plotSample.indices,
        snapshotBytes: input.snapshotBytes,
        total,
      },
      onProgress,
    );
  const notes = [...input.notes];
  if (missing) {
    const per = input.missingCells!;
    const cells = per.reduce((a, b) => a + b, 0);
    const where = per.map((count, j) => (count > 0 ? `${count} in ${input.gaussianColumns[j]}` : '')).filter(Boolean).join(', ');
    notes.push(`${cells} missing numeric cell${cells === 1 ? '' : 's'} (${where}) integrated out by the Gaussian block: each row is fitted on its observed cells, assuming the cells are missing at random.`);
  }
  const { fit, k, selection, notes: sweepNotes } = fitOrSweepK({
    file,
    n,
    rowsName: 'rows',
    model: covarianceType,
    ks,
    criterion: options.criterion,
    parameters: (c) => mixedParameterCount(input, covarianceType, c),
    total,
    weightsColumn: source.weights ? (input.weightsColumn ?? 'weights') : undefined,
    run,
    onProgress: callbacks.onProgress,
    onSelectionProgress: callbacks.onSelectionProgress,
  });
  notes.unshift(...sweepNotes);
  const last = fit.snapshots[fit.snapshots.length - 1];
  const { bic, aic } = informationCriteria(fit.logLikelihood, fit.parameters, total);
  const counts = input.countColumns.length;
  const countSource: RowSource = { n, d: counts, chunkRows: source.chunkRows, buffer: source.counts, weights: source.weights, forEachChunk: (visit) => source.forEachChunk(visit) };
  const result: FitResult = {
    model: 'mixed',
    modelReason: input.reason,
    n,
    d: input.gaussianColumns.length,
    columns: input.gaussianColumns,
    ...(missing ? { missingCells: input.missingCells } : {}),
    ...(source.weights ? { caseWeights: { column: input.weightsColumn ?? 'weights', total } } : {}),
    k,
    converged: fit.converged,
    iterations: fit.iterations,
    logLikelihood: fit.logLikelihood,
    trace: fit.trace,
    weights: last.weights,
    means: last.means,
    emVariant: options.emVariant,
    assignments: fit.plotAssignments,
    assignedRows: plotSample.indices,
    bic,
    aic,
    parameters: fit.parameters,
    snapshots: fit.snapshots,
    labelMetrics: streamedLabelMetrics(source, fit.snapshots),
    restartObjectives: fit.restartObjectives,
    covariances: last.covariances,
    covarianceType,
    ...(counts > 0 ? { countColumns: input.countColumns, rates: last.rates, countHistograms: streamedCountHistograms(countSource, input.countColumns) } : {}),
    ...(input.categoryColumns.length > 0 ? categoryFields(input.categoryColumns, input.categories, last.probabilities) : {}),
    mclustBic: -bic,
    elapsedMs: Date.now() - input.started,
    notes: [...notes, ...(fit.snapshotNote ? [fit.snapshotNote] : []), `cluster sizes over all ${n} rows: ${fit.sizes.join(', ')}`],
    ...(selection ? { selection } : {}),
  };
  return { result, plotSample, plotAssignments: fit.plotAssignments };
}

/** MixedFamily.parameterCount without building one: every block's free parameters, the K − 1 weights counted once. */
function mixedParameterCount(input: MixedOutOfCoreInput, type: SklearnCovarianceType | MclustModelName, k: number): number {
  const d = input.gaussianColumns.length;
  const covariance = type === 'full' ? (k * d * (d + 1)) / 2 : type === 'diag' ? k * d : type === 'tied' ? (d * (d + 1)) / 2 : type === 'spherical' ? k : nMclustParams(type, d, k) - (k - 1 + k * d);
  let free = k - 1 + k * d + covariance;
  free += k * input.countColumns.length;
  for (const levels of input.categories) free += k * (levels.length - 1);
  return free;
}
