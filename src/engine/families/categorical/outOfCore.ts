// A latent class model (the categorical family) of a table's categorical columns streamed from the out-of-core column
// store (outOfCore.ts parses the file, keeping each such column as codes in the in-memory loader's order): one fit
// with a fixed K, or a K sweep scored as in memory, each candidate's EM streamed (streamed.ts).

import type { DatasetSummary, FitOptions, FitResult } from '../../../shared/protocol';
import { informationCriteria } from '../../em/em';
import { sumOfWeights, streamedLabelMetrics } from '../../em/streamedEm';
import type { RowSource } from '../../em/streaming';
import { fitOrSweepK } from '../../select/kSweep';
import type { FitCallbacks, FitOutcome } from '../types';
import { categoryFields } from './entry';
import { categoricalParameterCount, runStreamedCategoricalEm, type StreamedCategoricalInit } from './streamed';

export interface CategoricalOutOfCoreInput {
  file: string;
  options: FitOptions;
  ks: number[];
  reason: string;
  started: number;
  summary: DatasetSummary;
  /** The categorical columns and their categories in the in-memory loader's order. */
  names: string[];
  categories: string[][];
  source: RowSource;
  readRows(indices: Int32Array, out: Float64Array): void;
  start: { indices: number[]; codes: Int32Array; weights?: Float64Array };
  plotIndices: number[];
  weightsColumn?: string;
  notes: string[];
  /** Most bytes the fit's per-iteration snapshots may take (thinned beyond it). */
  snapshotBytes?: number;
  callbacks: FitCallbacks;
}

export function fitCategoricalOutOfCore(input: CategoricalOutOfCoreInput): FitOutcome {
  const { file, options, ks, source, callbacks, names, categories } = input;
  const { n } = source;
  const levels = categories.map((c) => c.length);
  const total = source.weights ? sumOfWeights(source) : n;
  callbacks.onLoaded?.({ summary: { ...input.summary, n, d: names.length, columns: names }, model: 'categorical', modelReason: input.reason });
  const run = (k: number, onProgress?: FitCallbacks['onProgress']) =>
    runStreamedCategoricalEm(
      source,
      {
        k,
        init: options.init as StreamedCategoricalInit,
        levels,
        maxIterations: options.maxIterations,
        tolerance: options.tolerance,
        restarts: options.restarts,
        seed: options.seed,
        variant: options.emVariant,
        sample: { codes: input.start.codes, m: input.start.indices.length, weights: input.start.weights },
        plotIndices: input.plotIndices,
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
    model: 'categorical',
    ks,
    criterion: options.criterion,
    parameters: (c) => categoricalParameterCount(levels, c),
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
    model: 'categorical',
    modelReason: input.reason,
    k,
    n,
    d: names.length,
    columns: names,
    ...(source.weights ? { caseWeights: { column: input.weightsColumn ?? 'weights', total } } : {}),
    converged: fit.converged,
    iterations: fit.iterations,
    logLikelihood: fit.logLikelihood,
    trace: fit.trace,
    weights: last.weights,
    means: last.means,
    emVariant: options.emVariant,
    assignments: fit.plotAssignments,
    assignedRows: input.plotIndices,
    bic,
    aic,
    parameters: fit.parameters,
    snapshots: fit.snapshots,
    labelMetrics: streamedLabelMetrics(source, fit.snapshots),
    restartObjectives: fit.restartObjectives,
    ...categoryFields(names, categories, last.means),
    elapsedMs: Date.now() - input.started,
    notes: [...notes, ...(fit.snapshotNote ? [fit.snapshotNote] : []), `cluster sizes over all ${n} rows: ${fit.sizes.join(', ')}`],
    ...(selection ? { selection } : {}),
  };
  return { result, plotAssignments: fit.plotAssignments };
}
