// A Poisson mixture of a count table streamed from the out-of-core column store (outOfCore.ts parses the file): one
// fit with a fixed K, or a K sweep scored as in memory (BIC with n = the rows, ICL from Σ ln max r), each candidate's
// EM streamed (streamed.ts). The result is the in-memory family's, with the plot and assignments of a sample of rows.

import type { DatasetSummary, FitOptions, FitResult, PlotSample } from '../../../shared/protocol';
import { informationCriteria } from '../../em/em';
import type { RowSource } from '../../em/streaming';
import { fitOrSweepK } from '../../select/kSweep';
import type { FitCallbacks, FitOutcome } from '../types';
import { sumOfWeights, streamedLabelMetrics } from '../../em/streamedEm';
import { runStreamedPoissonEm, streamedCountHistograms, type StreamedPoissonInit } from './streamed';

export interface PoissonOutOfCoreInput {
  file: string;
  options: FitOptions;
  ks: number[];
  reason: string;
  started: number;
  summary: DatasetSummary;
  source: RowSource;
  readRows(indices: Int32Array, out: Float64Array): void;
  /** Rows k-means++ starts from (an evenly drawn sample; every row when it is the file). */
  start: { indices: number[]; values: Float64Array; weights?: Float64Array };
  /** The case weights' column, when the store's rows have weights (RowSource.weights). */
  weightsColumn?: string;
  plotSample: PlotSample;
  notes: string[];
  /** Most bytes the fit's per-iteration snapshots may take (thinned beyond it). */
  snapshotBytes?: number;
  callbacks: FitCallbacks;
}

export function fitPoissonOutOfCore(input: PoissonOutOfCoreInput): FitOutcome {
  const { file, options, ks, source, callbacks, plotSample, summary } = input;
  const { n, d } = source;
  // BIC's n: the rows, or Σ w_i with case weights (the rows they stand for).
  const total = source.weights ? sumOfWeights(source) : n;
  callbacks.onLoaded?.({ summary, model: 'poisson', modelReason: input.reason, plotSample });
  const run = (k: number, onProgress?: FitCallbacks['onProgress']) =>
    runStreamedPoissonEm(
      source,
      {
        k,
        init: options.init as StreamedPoissonInit,
        maxIterations: options.maxIterations,
        tolerance: options.tolerance,
        restarts: options.restarts,
        seed: options.seed,
        variant: options.emVariant,
        sample: { values: input.start.values, m: input.start.indices.length, weights: input.start.weights },
        plotIndices: plotSample.indices,
        snapshotBytes: input.snapshotBytes,
        readRows: input.readRows,
      },
      onProgress,
    );
  const notes = [...input.notes];
  const { fit, k, selection, notes: sweepNotes } = fitOrSweepK({
    file,
    n,
    rowsName: 'rows',
    model: 'poisson',
    ks,
    criterion: options.criterion,
    parameters: (c) => c * d + c - 1,
    total,
    weightsColumn: source.weights ? (input.weightsColumn ?? 'weights') : undefined,
    run,
    onProgress: callbacks.onProgress,
    onSelectionProgress: callbacks.onSelectionProgress,
  });
  notes.unshift(...sweepNotes);
  const last = fit.snapshots[fit.snapshots.length - 1];
  const { bic, aic } = informationCriteria(fit.logLikelihood, fit.parameters, total);
  const result: FitResult = {
    model: 'poisson',
    modelReason: input.reason,
    k,
    n,
    d,
    columns: summary.columns,
    ...(source.weights ? { caseWeights: { column: input.weightsColumn ?? 'weights', total } } : {}),
    converged: fit.converged,
    iterations: fit.iterations,
    logLikelihood: fit.logLikelihood,
    trace: fit.trace,
    weights: last.weights,
    means: last.means,
    rates: last.means,
    emVariant: options.emVariant,
    assignments: fit.plotAssignments,
    assignedRows: plotSample.indices,
    bic,
    aic,
    parameters: fit.parameters,
    snapshots: fit.snapshots,
    labelMetrics: streamedLabelMetrics(source, fit.snapshots),
    restartObjectives: fit.restartObjectives,
    countHistograms: streamedCountHistograms(source, summary.columns),
    elapsedMs: Date.now() - input.started,
    notes: [...notes, ...(fit.snapshotNote ? [fit.snapshotNote] : []), `cluster sizes over all ${n} rows: ${fit.sizes.join(', ')}`],
    ...(selection ? { selection } : {}),
  };
  return { result, plotSample, plotAssignments: fit.plotAssignments };
}
