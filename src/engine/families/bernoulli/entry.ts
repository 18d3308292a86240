// The Bernoulli family's registry entry: binary or image data (IDX, .npy images, rows of pixels, 0/1 tables), fitted
// by fitBernoulli (binarised, sharded over threads) and packaged with its label metrics and example images.

import * as os from 'node:os';
import type { DatasetSummary, FitOptions, FitResult } from '../../../shared/protocol';
import { asImages } from '../../data/load';
import type { Dataset, ImageData, TableData } from '../../data/dataset';
import { DataError } from '../../errors';
import { sweepK } from '../../select/kSweep';
import { parallelKRunner } from '../../select/kSweepParallel';
import { binarize } from './binarize';
import { bernoulliKTask, fitBernoulliK } from './kCell';
import { defineFamily, type FitContext, type FitOutcome, type SelectContext } from '../types';
import { fitBernoulli, type BernoulliFit } from './family';

export const bernoulliFamily = defineFamily<ImageData>({
  id: 'bernoulli',
  label: 'Bernoulli',
  inits: ['kmeans++', 'random', 'random-data', 'params', 'random-assignment'],
  detect(dataset, options) {
    if (dataset.kind === 'images') return { data: dataset, reason: `${dataset.summary.fileName} holds images` };
    const images = tableAsImages(dataset, options);
    if (images && isBinary(dataset)) return { data: images, reason: 'every value is 0 or 1' };
    // As the text loader: 64 or more columns of pixel values (8×8 and up). Fewer (e.g. 16 answers on a 1..5 scale)
    // are more likely features than a 4×4 image; model "bernoulli" still reads them as images.
    if (images && dataset.d >= 64) return { data: images, reason: `the ${dataset.d} columns look like image pixels` };
    return undefined;
  },
  prepare: imagesForBernoulli,
  fit: fitBernoulliImages,
  select: selectBernoulliK,
});

/** The dataset as the Bernoulli family fits it (images, or a table of pixel or 0..1 values), or a DataError. */
export function imagesForBernoulli(dataset: Dataset, options: FitOptions): ImageData {
  if (dataset.kind === 'images') return dataset;
  const images = tableAsImages(dataset, options);
  if (!images) {
    const file = dataset.summary.fileName;
    throw new DataError(
      `${file}: a Bernoulli mixture needs binary or image data (values 0/1, 0..1 or 0..255 integers), but ${describeFirstOutOfRange(dataset)}. ` +
        `Use model "gaussian" or "auto".`,
      file,
    );
  }
  return images;
}

/** A table read as images: pixel rows (0..255 integers or 0..1 values), or any table of values in [0, 1]. */
function tableAsImages(table: TableData, options: FitOptions): ImageData | undefined {
  // Missing cells are read as 0 and marked: the family leaves them out of each row's product.
  const { missing } = table;
  const filled = missing ? { ...table, values: table.values.map((v, i) => (missing[i] ? 0 : v)) } : table;
  const images = asImages(filled, options.imageWidth || undefined) ?? unitIntervalAsImages(filled);
  if (!images) return undefined;
  return {
    ...images,
    ...(table.weights ? { weights: table.weights, weightsColumn: table.weightsColumn } : {}),
    ...(missing ? { missing, missingPerColumn: table.missingPerColumn } : {}),
  };
}

function isBinary(t: TableData): boolean {
  const v = t.values;
  let observed = 0;
  for (let i = 0; i < v.length; i++) {
    if (t.missing?.[i]) continue;
    if (v[i] !== 0 && v[i] !== 1) return false;
    observed++;
  }
  return observed > 0;
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
    labelNames: t.labelNames,
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

function imagesSummary(images: ImageData): DatasetSummary {
  return {
    ...images.summary,
    n: images.n,
    d: images.d,
    imageShape: [images.height, images.width],
    hasLabels: images.labels !== undefined,
    // The scale the pixels were binarised with (a table read as images has its own), for a saved model.
    source: { format: images.summary.source?.format ?? 'unknown', ...images.summary.source, pixelScale: images.scale },
  };
}

/** The family's fit of images (a saved model's parameters: init "params" with maxIterations 0). */
export function fitBernoulliImages(images: ImageData, { options, reason, started, callbacks }: FitContext): FitOutcome {
  callbacks.onLoaded?.({ summary: imagesSummary(images), model: 'bernoulli', modelReason: reason });
  return packageFit(images, fitBernoulli(images, options, callbacks.onProgress), reason, started);
}

function packageFit(images: ImageData, fitted: BernoulliFit, reason: string, started: number): FitOutcome {
  const result: FitResult = {
    ...fitted.result,
    modelReason: reason,
    columns: images.summary.columns,
    imageShape: [images.height, images.width],
    elapsedMs: Date.now() - started,
    notes: [...fitted.notes, ...missingNote(images)],
  };
  if (result.notes!.length === 0) result.notes = undefined;
  return { result, examples: fitted.examples };
}

/** What the fit did with a table's missing cells. */
function missingNote(images: ImageData): string[] {
  const per = images.missingPerColumn;
  if (!images.missing || !per) return [];
  const cells = per.reduce((a, b) => a + b, 0);
  return [`${cells} missing cell${cells === 1 ? '' : 's'} left out of their rows' products: each row is fitted on its observed cells, assuming the cells are missing at random.`];
}

/** With a labels file: how the chosen K compares with the number of label values (the labels never enter the fit). */
function labelsNote(images: ImageData, k: number): string[] {
  if (!images.labels) return [];
  const classes = new Set(images.labels).size;
  const comparison = k === classes ? 'as many clusters as' : k < classes ? `fewer clusters than the` : `more clusters than the`;
  return [`The labels have ${classes} values; the criterion chose K = ${k}: ${comparison} ${k === classes ? 'label values' : 'label values (see the confusion heatmap for how they split or merge)'}.`];
}

/**
 * k "auto" for images: the shared K sweep (select/kSweep.ts). With the sweep worker and more than one thread, the Ks
 * are fitted side by side, one thread each, from one binary matrix (select/kSweepParallel.ts); otherwise one after
 * the other, each on the engine's threads. The fits are the same either way.
 */
function selectBernoulliK(images: ImageData, { options, reason, started, callbacks, ks, environment }: SelectContext): FitOutcome {
  callbacks.onLoaded?.({ summary: imagesSummary(images), model: 'bernoulli', modelReason: reason });
  const feasible = ks.filter((k) => k <= images.n).length;
  const threads = Math.min(feasible, options.threads || os.availableParallelism());
  const workerScript = environment.selectWorkerScript;
  const task = threads > 1 && workerScript ? bernoulliKTask(images, binarize(images, options.threshold), options) : undefined;
  const swept = sweepK({
    file: images.summary.fileName,
    n: images.n,
    rowsName: 'images',
    model: 'bernoulli',
    ks,
    criterion: options.criterion,
    parameters: (k) => k * images.d + k - 1,
    fit: (k) => (task ? fitBernoulliK(task, k) : fitBernoulli(images, { ...options, k })),
    summary: ({ result, run }) => ({ ...result, logResp: run.logResp }),
    caseWeights: images.weights,
    onProgress: callbacks.onSelectionProgress,
  }, task ? parallelKRunner(task, { threads, workerScript }) : undefined);
  const outcome = packageFit(images, swept.fit, reason, started);
  outcome.result.selection = swept.selection;
  const weighted = images.weights ? [`Case weights (column "${images.weightsColumn}") weight every candidate's EM, BIC, ICL and AIC (n = Σ w).`] : [];
  outcome.result.notes = [...swept.notes, ...weighted, ...labelsNote(images, swept.selection.chosen!.k), ...(outcome.result.notes ?? [])];
  return outcome;
}
