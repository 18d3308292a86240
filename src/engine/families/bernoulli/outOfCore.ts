// A Bernoulli mixture of a table of 0/1, [0, 1] or pixel values streamed from the out-of-core column store
// (outOfCore.ts parses the file): one fit with a fixed K, or a K sweep scored as in memory (BIC with n = the rows, ICL
// from Σ ln max r), each candidate's EM streamed (streamed.ts). The result is the in-memory family's, with the
// assignments of an evenly drawn sample of rows.

import type { DatasetSummary, FitOptions, FitResult } from '../../../shared/protocol';
import { informationCriteria } from '../../em/em';
import type { RowSource } from '../../em/streaming';
import { sumOfWeights, streamedLabelMetrics } from '../../em/streamedEm';
import { fitOrSweepK } from '../../select/kSweep';
import type { FitCallbacks, FitOutcome } from '../types';
import type { BinaryMatrix } from './binarize';
import { clusterExamples } from './examples';
import { EXAMPLES_PER_CLUSTER } from './family';
import { binarizeRow, runStreamedBernoulliEm, sparseChunk, type StreamedBernoulliInit } from './streamed';

export interface BernoulliOutOfCoreInput {
  file: string;
  options: FitOptions;
  ks: number[];
  reason: string;
  started: number;
  summary: DatasetSummary;
  source: RowSource;
  /** The value that stands for "fully on" and the images' height and width, as the in-memory loader reads them. */
  scale: number;
  imageShape: [number, number];
  /** Rows k-means++ seeds from (an evenly drawn sample; every row when it is the file). */
  start: { indices: number[]; values: Float64Array; weights?: Float64Array };
  plotIndices: number[];
  /** The case weights' column, when the source has weights. */
  weightsColumn?: string;
  /** Missing cells (NaN) per column, when the source holds any: left out of their rows' products. */
  missingPerColumn?: number[];
  notes: string[];
  /** Most bytes the fit's per-iteration snapshots may take (thinned beyond it). */
  snapshotBytes?: number;
  callbacks: FitCallbacks;
}

export function fitBernoulliOutOfCore(input: BernoulliOutOfCoreInput): FitOutcome {
  const { file, options, ks, source, callbacks, summary } = input;
  const { n, d } = source;
  // Σ_i w_i (n without case weights): BIC's n, as in memory.
  const total = source.weights ? sumOfWeights(source) : n;
  const imagesSummary: DatasetSummary = { ...summary, imageShape: input.imageShape, source: { format: summary.source?.format ?? 'delimited-text', ...summary.source, pixelScale: input.scale } };
  callbacks.onLoaded?.({ summary: imagesSummary, model: 'bernoulli', modelReason: input.reason });
  const run = (k: number, onProgress?: FitCallbacks['onProgress']) =>
    runStreamedBernoulliEm(
      source,
      {
        k,
        init: options.init as StreamedBernoulliInit,
        initParams: options.initParams,
        betaPrior: options.betaPrior,
        scale: input.scale,
        threshold: options.threshold,
        maxIterations: options.maxIterations,
        tolerance: options.tolerance,
        restarts: options.restarts,
        seed: options.seed,
        variant: options.emVariant,
        sample: { values: input.start.values, m: input.start.indices.length, weights: input.start.weights },
        plotIndices: input.plotIndices,
        snapshotBytes: input.snapshotBytes,
        total,
        missing: input.missingPerColumn !== undefined,
      },
      onProgress,
    );
  const cells = (input.missingPerColumn ?? []).reduce((a, b) => a + b, 0);
  const notes = [
    ...input.notes,
    ...(cells > 0 ? [`${cells} missing cell${cells === 1 ? '' : 's'} left out of their rows' products: each row is fitted on its observed cells, assuming the cells are missing at random.`] : []),
  ];
  const { fit, k, selection, notes: sweepNotes } = fitOrSweepK({
    file,
    n,
    rowsName: 'images',
    model: 'bernoulli',
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
    model: 'bernoulli',
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
    logLikelihoodTrace: fit.logLikelihoodTrace,
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
    imageShape: input.imageShape,
    ...(input.missingPerColumn ? { missingCells: input.missingPerColumn } : {}),
    elapsedMs: Date.now() - input.started,
    notes: [...fit.notes, ...notes, ...(fit.snapshotNote ? [fit.snapshotNote] : []), `cluster sizes over all ${n} rows: ${fit.sizes.join(', ')}`],
    ...(selection ? { selection } : {}),
  };
  // The panel's most and least typical members of each cluster, among the rows whose assignments are reported.
  const examples = clusterExamples(plottedImages(source, input.plotIndices, input.scale, options.threshold), fit.params, Int32Array.from(fit.plotAssignments), k, EXAMPLES_PER_CLUSTER);
  return { result, plotAssignments: fit.plotAssignments, examples };
}

/** The rows at `indices` (increasing) binarised as the fit binarises every row, read chunk by chunk. */
function plottedImages(source: RowSource, indices: number[], scale: number, threshold: number): BinaryMatrix {
  const { d, buffer } = source;
  const images = sparseChunk(indices.length, d);
  let nnz = 0;
  let p = 0;
  source.forEachChunk((rows, start) => {
    while (p < indices.length && indices[p] < start + rows) {
      nnz = binarizeRow(buffer, (indices[p] - start) * d, d, scale, threshold, images.colIdx, nnz);
      images.rowPtr[++p] = nnz;
    }
  });
  images.nnz = nnz;
  return images;
}
