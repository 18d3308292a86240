// Fitting a file larger than the memory budget: one streaming pass parses the file into a binary column store in a
// temporary folder (data/store/: delimited text line by line, Parquet row group by row group, Arrow record batch by
// record batch), then every EM iteration streams the store in chunks (em/streaming.ts): exact EM, not an
// approximation. Scope: Gaussian mixtures: one of scikit-learn's covariance types
// with a fixed K, or a model selection over K and mclust's models (select/outOfCoreSelection.ts). The folder is
// removed when the fit ends, fails or is interrupted (see removeStore's callers).

import * as fs from 'node:fs';
import type { FitOptions, FitResult, PlotSample, SklearnCovarianceType } from '../shared/protocol';
import { baseName } from './data/common';
import { principalAxes } from './data/projection';
import { checkFreeSpace, ColumnStoreReader, createStoreDir, removeStore, sweepStaleStores, type ColumnStoreInfo } from './data/store/columnStore';
import { streamGroupsToStore, type GroupedFile } from './data/store/cellStream';
import { streamTextToStore, type StreamedTable } from './data/store/textStream';
import { typedReaders } from './data/formats';
import { informationCriteria } from './em/em';
import { runStreamedGaussianEm, type RowSource } from './em/streaming';
import { DataError, OptionsError } from './errors';
import { mclustBic } from './families/gaussian/mclust/models';
import { evenSample, type FitCallbacks, type FitOutcome } from './families/types';
import { resolveOptions } from './options';
import { selectionCandidates } from './select/product';
import { selectOutOfCore } from './select/outOfCoreSelection';
import { isOutOfCoreFileName, STREAMED_FORMATS, streamedFormatOf } from './outOfCorePolicy';

const MB = 1024 * 1024;
/** Most rows k-means++ starts from (an evenly drawn sample of the file's rows). */
const MAX_START_ROWS = 200_000;
export { FORCE_OUT_OF_CORE_ENV, fitsOutOfCore, needsOutOfCore } from './outOfCorePolicy';

export interface OutOfCoreHooks {
  /** Folder the temporary store goes in (the system temp folder by default). */
  tempParent?: string;
  /** Rows per chunk (default: from the budget). */
  chunkRows?: number;
  /** Called with the store's folder once it exists (tests look at it). */
  onStore?: (dir: string) => void;
  /** Replaces the file system's free bytes (tests). */
  freeBytes?: number;
  /** The parse's progress: bytes read of the file's size. */
  onParseProgress?: (bytesRead: number, totalBytes: number) => void;
  /** How messages name the settings: "mixscope." in the editor, "" (plain names, CLI hints) by default. */
  settingPrefix?: string;
  /** Each pass over the stored rows: pass (1-based), rows streamed so far of n, after every chunk. */
  onPassProgress?: (pass: number, rowsDone: number, n: number) => void;
  /** A model selection: most bytes its candidates' per-iteration parameters may take (default an eighth of the budget). */
  snapshotBytes?: number;
  /** Parquet and Arrow: after each row group or record batch, with its index and the rows held while it was read. */
  onGroup?: (group: number, rowsHeld: number) => void;
}

/**
 * What out of core cannot do, refused before the file is read: one message naming the file and what to set instead.
 * `prefix` names the settings as the caller's user knows them ("mixscope." in the editor; the CLI's plain names).
 */
function refuseOutOfScope(options: FitOptions, file: string, sizeMB: number, budgetMB: number, prefix = ''): void {
  const budget = `${prefix}memoryBudgetMB`;
  const over = `${file} (${sizeMB.toFixed(0)} MB) is over the ${budgetMB} MB memory budget (${budget}), so it is fitted out of core`;
  const refuse = (what: string, fix: string) => {
    throw new OptionsError(`${over}, which ${what}. ${fix}, or raise ${budget} to fit it in memory.`);
  };
  if (!isOutOfCoreFileName(file)) refuse(`reads ${STREAMED_FORMATS} only`, 'Save it as CSV or Parquet');
  if (options.model !== 'auto' && options.model !== 'gaussian') refuse(`fits Gaussian mixtures only (model is "${options.model}")`, `Set ${prefix}model to "gaussian"`);
  if (options.emVariant === 'hard') refuse('runs soft EM only', `Set ${prefix}emVariant to "soft"`);
  if (options.weightsColumn && options.weightsColumn.trim() !== '') refuse('does not take case weights', `Set ${prefix}weightsColumn to ""`);
  if (isSelection(options)) {
    // As in memory: a selection starts every candidate from mclust's hierarchical clustering.
    if (options.initParams) throw new OptionsError(`initParams fixes K = ${options.initParams.weights.length} and the start; set ${prefix}k to ${options.initParams.weights.length} (not "auto") and one covariance model, or leave initParams unset.`);
    return;
  }
  if (!['full', 'diag', 'spherical', 'tied'].includes(options.covarianceType)) refuse(`fits one model with a fixed K in scikit-learn's four covariance types (full, diag, spherical, tied), not "${options.covarianceType}" (mclust's models are fitted out of core in a model selection: k "auto" or several covarianceModels)`, `Set ${prefix}covarianceType to one of them`);
  if (options.init !== 'kmeans++' && options.init !== 'random' && options.init !== 'params') refuse(`starts from kmeans++, random or params, not "${options.init}"`, `Set ${prefix}init to "kmeans++"`);
}

/** Whether the options ask for a model selection (more than one candidate), whatever the data's shape. */
function isSelection(options: FitOptions): boolean {
  const { ks, models } = selectionCandidates(options, 'gaussian', Number.MAX_SAFE_INTEGER, 2);
  return ks.length * models.length > 1;
}

/** One streaming pass over the file at `filePath` into a store in `dir`, by the file's format. */
async function streamToStore(filePath: string, dir: string, options: FitOptions, hooks: OutOfCoreHooks): Promise<StreamedTable> {
  const file = baseName(filePath);
  const beforeWrite = (bytes: number) => checkFreeSpace(dir, bytes, file, hooks.freeBytes);
  const format = streamedFormatOf(file);
  if (format === 'text') {
    return streamTextToStore(filePath, dir, { columns: options.columns, labelColumn: options.labelColumn, onProgress: hooks.onParseProgress, beforeWrite });
  }
  // The Parquet and Arrow readers live in their own bundle, loaded on first use (data/typedReaders.ts).
  const readers = typedReaders();
  const grouped: GroupedFile = format === 'parquet' ? await readers.openParquetGroups(file, filePath) : readers.openArrowGroups(file, filePath);
  return streamGroupsToStore(grouped, dir, {
    columns: options.columns,
    labelColumn: options.labelColumn,
    categorical: options.categorical,
    categoryLimit: options.categoryLimit,
    onProgress: hooks.onParseProgress,
    beforeWrite,
    onGroup: hooks.onGroup,
  });
}

/** Fits the file at `filePath` (delimited text, Parquet, Arrow IPC / Feather) out of core, as fitDataset does a loaded one. */
export async function fitOutOfCore(filePath: string, partialOptions: Partial<FitOptions>, budgetMB: number, callbacks: FitCallbacks = {}, hooks: OutOfCoreHooks = {}): Promise<FitOutcome> {
  const options = resolveOptions(partialOptions);
  const started = Date.now();
  const file = baseName(filePath);
  const size = fs.statSync(filePath).size;
  refuseOutOfScope(options, file, size / MB, budgetMB, hooks.settingPrefix);
  sweepStaleStores(hooks.tempParent);
  const dir = createStoreDir(hooks.tempParent);
  hooks.onStore?.(dir);
  let reader: ColumnStoreReader | undefined;
  try {
    const { store, summary } = await streamToStore(filePath, dir, options, hooks);
    const { n } = store;
    const d = store.columns.length;
    const { ks, models } = selectionCandidates(options, 'gaussian', n, d);
    const selecting = ks.length * models.length > 1;
    const k = selecting ? Math.max(...ks) : ks[0];
    if (!selecting && n < k) throw new DataError(`${file}: ${n} usable row${n === 1 ? '' : 's'} but K = ${k} components; K must not exceed the number of rows.`, file);
    reader = new ColumnStoreReader(store);
    // The data stay reachable through the open files: removing the folder now means a killed process leaves
    // nothing behind (where the system allows removing open files; elsewhere `finally` removes it).
    removeStore(dir);
    const transform = columnTransform(store, options.standardize);
    const budget = budgetMB * MB;
    const chunkRows = Math.max(1, Math.min(n, hooks.chunkRows ?? Math.max(256, Math.min(65_536, Math.floor(budget / 16 / (8 * (d + 2 * k)))))));
    const source = storeSource(reader, chunkRows, transform, hooks.onPassProgress);
    const plotIndices = evenSample(n, options.maxPlotPoints);
    const plotValues = gatherRows(source, plotIndices);
    const plotSample: PlotSample = { indices: plotIndices, values: Array.from(plotValues), d };
    const projection = d > 2 ? principalAxes(plotValues, plotIndices.length, d) : undefined;
    if (projection) plotSample.projection = projection;
    if (selecting) {
      const reason = options.model === 'auto' ? 'out-of-core fits are Gaussian mixtures of the numeric columns' : 'chosen by the user';
      callbacks.onLoaded?.({ summary, model: 'gaussian', modelReason: reason, plotSample });
      const openReader = reader;
      const { result, plotAssignments } = selectOutOfCore({
        file,
        options,
        reason,
        started,
        columns: summary.columns,
        source,
        readRows: (indices, out) => readRowsAt(openReader, indices, out, transform),
        ks,
        names: models,
        columnSd: store.columns.map((c) => c.sd),
        centre: transform.centresOnly && transform.shift.some((v) => v !== 0) ? transform.shift : undefined,
        standardization: transform.centresOnly ? undefined : { mean: Array.from(transform.shift), sd: Array.from(transform.scale) },
        plotIndices,
        plotValues,
        budgetBytes: budget,
        callbacks,
        notes: [`the plot and the assignments are of ${plotIndices.length} evenly drawn rows of ${n}`],
        settingPrefix: hooks.settingPrefix,
        snapshotBytes: hooks.snapshotBytes,
      });
      result.elapsedMs = Date.now() - started;
      return { result, plotSample, plotAssignments };
    }
    const startRows = Math.max(k, Math.min(MAX_START_ROWS, Math.floor(budget / 4 / (8 * (d + k + 3)))));
    const startIndices = evenSample(n, startRows);
    const startValues = gatherRows(source, startIndices);
    const notes = [
      startIndices.length < n
        ? `k-means++ started from ${startIndices.length} evenly drawn rows of ${n}; every row is then assigned to its nearest centre and EM runs on all rows`
        : '',
      `the plot and the assignments are of ${plotIndices.length} evenly drawn rows of ${n}`,
    ].filter(Boolean);
    const reason = options.model === 'auto' ? 'out-of-core fits are Gaussian mixtures of the numeric columns' : 'chosen by the user';
    callbacks.onLoaded?.({ summary, model: 'gaussian', modelReason: reason, plotSample });
    const type = options.covarianceType as SklearnCovarianceType;
    const centre = transform.shift;
    const shiftBack = (means: number[][]) => {
      if (!transform.centresOnly) return;
      for (const mean of means) for (let j = 0; j < d; j++) mean[j] += centre[j];
    };
    const run = runStreamedGaussianEm(
      source,
      {
        k,
        covarianceType: type,
        regularization: options.regularization,
        init: options.init as 'kmeans++' | 'random' | 'params',
        initParams: options.initParams ? { ...options.initParams, means: options.initParams.means.map((m) => m.map((v, j) => (transform.centresOnly ? v - centre[j] : v))) } : undefined,
        maxIterations: options.maxIterations,
        tolerance: options.tolerance,
        restarts: options.restarts,
        seed: options.seed,
        sample: { values: startValues, m: startIndices.length },
        plotIndices,
      },
      (p) => {
        if (p.snapshot.model === 'gaussian') shiftBack(p.snapshot.means);
        callbacks.onProgress?.(p);
      },
    );
    const last = run.snapshots[run.snapshots.length - 1];
    const { bic, aic } = informationCriteria(run.logLikelihood, run.parameters, n);
    const bicMclust = mclustBic(run.logLikelihood, run.parameters, n);
    const result: FitResult = {
      model: 'gaussian',
      modelReason: reason,
      k,
      n,
      d,
      columns: summary.columns,
      converged: run.converged,
      iterations: run.iterations,
      logLikelihood: run.logLikelihood,
      trace: run.trace,
      weights: last.weights,
      means: last.means,
      covariances: last.covariances,
      covarianceType: type,
      emVariant: 'soft',
      assignments: run.plotAssignments,
      assignedRows: plotIndices,
      bic,
      aic,
      mclustBic: bicMclust,
      icl: bicMclust + 2 * run.sumLogMaxResp,
      parameters: run.parameters,
      standardization: transform.centresOnly ? undefined : { mean: Array.from(transform.shift), sd: Array.from(transform.scale) },
      snapshots: run.snapshots,
      restartObjectives: run.restartObjectives,
      elapsedMs: Date.now() - started,
      notes: [...notes, `cluster sizes over all ${n} rows: ${run.sizes.join(', ')}`],
    };
    return { result, plotSample, plotAssignments: run.plotAssignments };
  } finally {
    reader?.close();
    removeStore(dir);
  }
}

interface ColumnTransform {
  shift: Float64Array;
  scale: Float64Array;
  /** No scaling: the shift only moves columns with a large offset (centreOffsetColumns' rule), reported back. */
  centresOnly: boolean;
}

/** standardize: z-scores; otherwise the in-memory fit's centring of columns whose offset dwarfs their spread. */
function columnTransform(store: ColumnStoreInfo, standardize: boolean): ColumnTransform {
  const d = store.columns.length;
  const shift = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  store.columns.forEach((c, j) => {
    if (standardize) {
      shift[j] = c.mean;
      scale[j] = c.sd || 1;
    } else if (c.mean !== 0 && Math.abs(c.mean) > 1000 * c.sd) {
      shift[j] = c.mean;
    }
  });
  return { shift, scale, centresOnly: !standardize };
}

function storeSource(reader: ColumnStoreReader, chunkRows: number, t: ColumnTransform, onPass?: OutOfCoreHooks['onPassProgress']): RowSource {
  const { n, d } = reader;
  let pass = 0;
  const buffer = new Float64Array(chunkRows * d);
  const identity = t.shift.every((s) => s === 0) && t.scale.every((s) => s === 1);
  return {
    n,
    d,
    chunkRows,
    buffer,
    forEachChunk(visit) {
      pass++;
      for (let start = 0; start < n; start += chunkRows) {
        const rows = Math.min(chunkRows, n - start);
        reader.read(start, rows, buffer);
        if (!identity) for (let i = 0; i < rows * d; i++) buffer[i] = (buffer[i] - t.shift[i % d]) / t.scale[i % d];
        visit(rows, start);
        onPass?.(pass, start + rows, n);
      }
    },
  };
}

/** The rows at `indices` (increasing), read from the store one by one and transformed as the source's rows. */
function readRowsAt(reader: ColumnStoreReader, indices: Int32Array, out: Float64Array, t: ColumnTransform): void {
  const d = reader.d;
  const row = new Float64Array(d);
  for (let p = 0; p < indices.length; p++) {
    reader.read(indices[p], 1, row);
    for (let c = 0; c < d; c++) out[p * d + c] = (row[c] - t.shift[c]) / t.scale[c];
  }
}

/** The rows at `indices` (increasing), in one pass. */
function gatherRows(source: RowSource, indices: number[]): Float64Array {
  const { d, buffer } = source;
  const out = new Float64Array(indices.length * d);
  let p = 0;
  source.forEachChunk((rows, start) => {
    while (p < indices.length && indices[p] < start + rows) {
      const i = indices[p] - start;
      for (let c = 0; c < d; c++) out[p * d + c] = buffer[i * d + c];
      p++;
    }
  });
  return out;
}
