// Fitting a file larger than the memory budget: one streaming pass parses the file into a binary column store in a
// temporary folder (data/store/: delimited text line by line, Parquet row group by row group, Arrow record batch by
// record batch), then every EM iteration streams the store in chunks (em/streaming.ts): exact EM, not an
// approximation. Scope: Gaussian mixtures: one of scikit-learn's covariance types or mclust's models with a fixed K
// (missing cells integrated out: families/gaussian/outOfCore.ts), its variational mixture
// (families/gaussian/variational/streamed.ts), or a model selection over K and mclust's models
// (select/outOfCoreSelection.ts); Poisson mixtures of count tables (families/poisson/outOfCore.ts), categorical
// mixtures (families/categorical/outOfCore.ts), the mixed family's Gaussian, Poisson and categorical blocks
// (families/mixed/outOfCore.ts) and Bernoulli mixtures of 0/1, [0, 1] or pixel columns (families/bernoulli/outOfCore.ts),
// from every streamed format. The folder is removed when the fit ends, fails or is interrupted (see removeStore's callers).

import * as fs from 'node:fs';
import type { DatasetSummary, FitOptions, PlotSample, SklearnCovarianceType } from '../shared/protocol';
import { baseName } from './data/common';
import { principalAxes } from './data/projection';
import { checkFreeSpace, ColumnStoreReader, createStoreDir, removeStore, sweepStaleStores, type ColumnStoreInfo } from './data/store/columnStore';
import { streamGroupsToStore, type GroupedFile } from './data/store/cellStream';
import { columnTransform, gatherRows, identityTransform, readRowsAt, storeSource, weightedStandardization, type StoreExtras, type StoredLabels } from './data/store/storeRows';
import { streamTextToStore, type StreamedTable } from './data/store/textStream';
import { companionLabelsFileName, typedReaders } from './data/formats';
import { openJsonGroups } from './data/jsonStream';
import { streamIdxToStore, streamNpyToStore } from './data/store/arrayStream';
import { sumOfWeights } from './em/streamedEm';
import type { RowSource } from './em/streaming';
import { DataError, OptionsError } from './errors';
import { isMclustModelName } from './families/gaussian/mclust/models';
import { mclustModelForColumns } from './families/gaussian/mclust/family';
import { fitGaussianModelOutOfCore } from './families/gaussian/outOfCore';
import { fitVariationalOutOfCore } from './families/gaussian/variational/streamed';
import { countColumnIndices, countColumnNames } from './families/mixed/counts';
import { nonCountMessage } from './families/poisson/entry';
import { fitPoissonOutOfCore } from './families/poisson/outOfCore';
import { fitCategoricalOutOfCore } from './families/categorical/outOfCore';
import { fitMixedOutOfCore } from './families/mixed/outOfCore';
import { mixedReason, type MixedTable } from './families/mixed/entry';
import { fitBernoulliOutOfCore } from './families/bernoulli/outOfCore';
import { imageShape, MIN_IMAGE_PIXELS, pixelScale } from './data/images';
import type { MixedRowSource } from './families/mixed/streamed';
import { evenSample, type FitCallbacks, type FitOutcome } from './families/types';
import { resolveOptions } from './options';
import { selectionCandidates } from './select/product';
import { selectOutOfCore } from './select/outOfCoreSelection';
import { checkInit, familyById } from './families/registry';
import { inMemoryFactor, isOutOfCoreFileName, STREAMED_FORMATS, streamedFormatOf } from './outOfCorePolicy';

const MB = 1024 * 1024;
/** Most rows k-means++ starts from (an evenly drawn sample of the file's rows). */
const MAX_START_ROWS = 200_000;
/** Fewest rows the plot shows, whatever the budget (when the file has them). */
const MIN_PLOT_ROWS = 500;

/**
 * Rows of the plot sample: maxPlotPoints, fewer when its values (a Float64Array and the copy sent to the panel, 16
 * bytes a value) would take more than an eighth of the budget, never fewer than MIN_PLOT_ROWS. At the default budget
 * this is maxPlotPoints for any table of up to 1,600 columns (28 × 28 images too).
 */
export function plotSampleRows(maxPlotPoints: number, budgetBytes: number, d: number): number {
  return Math.min(maxPlotPoints, Math.max(MIN_PLOT_ROWS, Math.floor(budgetBytes / 8 / (16 * Math.max(1, d)))));
}

/** Rows k-means++ starts from: as many as a quarter of the budget holds at `rowBytes` a row, at most MAX_START_ROWS, at least K. */
export function startSampleRows(k: number, budgetBytes: number, rowBytes: number): number {
  return Math.max(k, Math.min(MAX_START_ROWS, Math.floor(budgetBytes / 4 / rowBytes)));
}
export { FORCE_OUT_OF_CORE_ENV, fitsOutOfCore, needsOutOfCore } from './outOfCorePolicy';

export interface OutOfCoreHooks {
  /** Folder the temporary store goes in (the system temp folder by default). */
  tempParent?: string;
  /** A labels file named by the user (the CLI's --labels): IDX images read it with them; other formats refuse it. */
  labelsPath?: string;
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
  /** Most bytes a fit's (a model selection's candidates') per-iteration parameters may take (default an eighth of the budget). */
  snapshotBytes?: number;
  /** JSON, JSON Lines, NumPy, IDX and Excel: records (rows) per group read (by default from the sizes; tests cut small files into several). */
  groupRecords?: number;
  /** Parquet and Arrow: after each row group or record batch, with its index and the rows held while it was read. */
  onGroup?: (group: number, rowsHeld: number) => void;
}

/**
 * What out of core cannot do, refused before the file is read: one message naming the file and what to set instead.
 * `prefix` names the settings as the caller's user knows them ("mixscope." in the editor; the CLI's plain names).
 */
function refuseOutOfScope(options: FitOptions, file: string, sizeMB: number, budgetMB: number, prefix = ''): void {
  const budget = `${prefix}memoryBudgetMB`;
  const factor = inMemoryFactor(file);
  const asRead = factor === 1 ? '' : `, about ${(sizeMB * factor).toFixed(0)} MB once read into memory`;
  const over = `${file} (${sizeMB.toFixed(0)} MB${asRead}) is over the ${budgetMB} MB memory budget (${budget}), so it is fitted out of core`;
  const refuse = (what: string, fix: string) => {
    throw new OptionsError(`${over}, which ${what}. ${fix}, or raise ${budget} to fit it in memory.`);
  };
  if (!isOutOfCoreFileName(file)) refuse(`reads ${STREAMED_FORMATS} only`, 'Save it as CSV or Parquet');
  if (!OUT_OF_CORE_MODELS.includes(options.model)) refuse(`fits Gaussian, Poisson, categorical, mixed and Bernoulli mixtures only (model is "${options.model}")`, `Set ${prefix}model to "gaussian", "poisson", "categorical", "mixed" or "bernoulli"`);
  if (options.model === 'mixed') {
    refuseMixedScope(options, file, prefix);
    return;
  }
  if (options.model === 'bernoulli') {
    refuseBernoulliScope(options, file, prefix);
    return;
  }
  const counted = options.model === 'poisson' || options.model === 'categorical';
  if (counted) {
    if (!['kmeans++', 'random', 'random-data', 'random-assignment'].includes(options.init)) refuse(`starts a ${options.model === 'poisson' ? 'Poisson' : 'categorical'} mixture from kmeans++, random, random-data or random-assignment, not "${options.init}"`, `Set ${prefix}init to "kmeans++"`);
    return;
  }
  if (isSelection(options)) {
    // As in memory: a selection fits by standard EM, every candidate from mclust's hierarchical clustering.
    if (options.emVariant === 'hard') throw new OptionsError('a model selection (k "auto", or several covariance models) fits by standard EM; set emVariant to "soft", or k to a number for hard EM.');
    if (options.initParams) throw new OptionsError(`initParams fixes K = ${options.initParams.weights.length} and the start; set ${prefix}k to ${options.initParams.weights.length} (not "auto") and one covariance model, or leave initParams unset.`);
    return;
  }
  if (options.covarianceType === 'variational') {
    if (hasWeights(options)) throw new OptionsError(`case weights (column "${options.weightsColumn}") are not supported by the variational mixture: use another covarianceType, or set ${prefix}weightsColumn to "".`);
    if (options.init !== 'kmeans++' || options.initParams) refuse(`starts covarianceType "variational" from k-means (as scikit-learn's BayesianGaussianMixture), not from init "${options.init}"${options.initParams ? ' or initParams' : ''}`, `Set ${prefix}init to "kmeans++" and leave ${prefix}initParams unset`);
    return;
  }
  if (!['full', 'diag', 'spherical', 'tied'].includes(options.covarianceType) && !isMclustModelName(options.covarianceType)) refuse(`fits one model with a fixed K in scikit-learn's four covariance types (full, diag, spherical, tied), mclust's models (EII … VVV) or "variational", not "${options.covarianceType}"`, `Set ${prefix}covarianceType to one of them`);
  if (!['kmeans++', 'random', 'random-data', 'params'].includes(options.init)) refuse(`starts from kmeans++, random, random-data or params, not "${options.init}"`, `Set ${prefix}init to "kmeans++"`);
}

/**
 * What a mixed fit out of core cannot do (also checked when model "auto" turns out mixed): the variational mixture
 * for the Gaussian block, and the starts the in-memory family refuses (explicit parameters).
 */
function refuseMixedScope(options: FitOptions, file: string, prefix = ''): void {
  const why = `${file} is fitted out of core with the mixed family`;
  const fix = `, or raise ${prefix}memoryBudgetMB to fit it in memory.`;
  if (!['full', 'diag', 'spherical', 'tied'].includes(options.covarianceType) && !isMclustModelName(options.covarianceType)) {
    throw new OptionsError(`${why}, whose Gaussian block takes scikit-learn's four covariance types (full, diag, spherical, tied) or mclust's models (EII … VVV) out of core, not "${options.covarianceType}". Set ${prefix}covarianceType to one of them${fix}`);
  }
  // The in-memory family's starts (its Gaussian block's kmeans++, random or random-data), and its refusal of the others.
  checkInit(familyById('mixed'), options.init);
}

/** What a Bernoulli fit out of core cannot do (also checked when model "auto" turns out Bernoulli). */
function refuseBernoulliScope(options: FitOptions, file: string, prefix = ''): void {
  const why = `${file} is fitted out of core with the Bernoulli family`;
  const fix = `, or raise ${prefix}memoryBudgetMB to fit it in memory.`;
  if (!['kmeans++', 'random', 'random-data', 'random-assignment', 'params'].includes(options.init)) throw new OptionsError(`${why}, which starts from kmeans++, random, random-data, random-assignment or params, not "${options.init}". Set ${prefix}init to "kmeans++"${fix}`);
}

/** Whether the fit may use categorical columns (stored as codes): the categorical and mixed families, and model "auto". */
function keepsCategories(options: FitOptions): boolean {
  return options.model === 'categorical' || options.model === 'auto' || options.model === 'mixed';
}

function hasWeights(options: FitOptions): boolean {
  return !!options.weightsColumn && options.weightsColumn.trim() !== '';
}

/**
 * The families fitted out of core ("auto" is Gaussian; Poisson when countColumns names every column; categorical when
 * every column is categorical).
 */
const OUT_OF_CORE_MODELS: readonly FitOptions['model'][] = ['auto', 'gaussian', 'poisson', 'categorical', 'mixed', 'bernoulli'];

/** The family of an out-of-core fit of these stored columns, as model "auto" picks it in memory. */
function outOfCoreFamily(options: FitOptions, columns: readonly string[], categorical: boolean): 'gaussian' | 'poisson' | 'categorical' | 'mixed' {
  if (options.model === 'poisson' || options.model === 'categorical' || options.model === 'mixed') return options.model;
  if (options.model !== 'auto') return 'gaussian';
  if (columns.length === 0 && categorical) return 'categorical';
  const named = countColumnNames(options).map((c) => c.toLowerCase());
  if (categorical) return 'mixed';
  if (named.length === 0) return 'gaussian';
  if (columns.every((c) => named.includes(c.toLowerCase()))) return 'poisson';
  return 'mixed';
}

/** Whether the options ask for a model selection (more than one candidate), whatever the data's shape. */
function isSelection(options: FitOptions): boolean {
  const { ks, models } = selectionCandidates(options, 'gaussian', Number.MAX_SAFE_INTEGER, 2);
  return ks.length * models.length > 1;
}

/** One streaming pass over the file at `filePath` into a store in `dir`, by the file's format. */
/**
 * The rows of a slice of a Parquet row group or Arrow record batch, by usable columns: their cells (a JS value each,
 * about 32 bytes with hyparquet's decoded pages or apache-arrow's text cells) take at most a quarter of the budget
 * (at least 4,096 rows).
 */
export function sliceRowsFor(budgetBytes: number): (columns: number) => number {
  return (columns) => Math.max(4096, Math.floor(budgetBytes / 4 / (32 * Math.max(1, columns))));
}

async function streamToStore(filePath: string, dir: string, options: FitOptions, budgetBytes: number, hooks: OutOfCoreHooks): Promise<StreamedTable> {
  const file = baseName(filePath);
  // The parse's read-ahead and write buffers: an eighth of the budget (a file of many columns buffers each one).
  const memoryBytes = budgetBytes / 8;
  const beforeWrite = (bytes: number) => checkFreeSpace(dir, bytes, file, hooks.freeBytes);
  const format = streamedFormatOf(file);
  if (format === 'text') {
    return streamTextToStore(filePath, dir, {
      columns: options.columns,
      labelColumn: options.labelColumn,
      categories: keepsCategories(options) ? { columns: options.categorical, limit: options.categoryLimit } : undefined,
      weightsColumn: hasWeights(options) ? options.weightsColumn : undefined,
      onProgress: hooks.onParseProgress,
      beforeWrite,
      checkRow: options.model === 'poisson' ? (values, line, names) => checkCounts(file, values, line, names) : undefined,
      pixelRows: options.model === 'bernoulli' || options.model === 'auto',
      keepMissing: (columns, categorical) => marginalisesOutOfCore(options, columns, categorical),
      memoryBytes,
    });
  }
  if (format === 'npy' || format === 'idx') {
    const stream = format === 'npy' ? streamNpyToStore : streamIdxToStore;
    return stream(filePath, dir, {
      imageWidth: options.imageWidth,
      ...(format === 'idx' ? { labelsPath: hooks.labelsPath ?? labelsBeside(filePath, options) } : {}),
      weightsColumn: hasWeights(options) ? options.weightsColumn : undefined,
      pixelRows: options.model === 'bernoulli' || options.model === 'auto',
      checkRow: options.model === 'poisson' ? (values, row, names) => checkCounts(file, values, undefined, names, row - 1) : undefined,
      onProgress: hooks.onParseProgress,
      beforeWrite,
      blockRecords: hooks.groupRecords,
      keepMissing: (columns, categorical) => marginalisesOutOfCore(options, columns, categorical),
      memoryBytes,
    });
  }
  let grouped: GroupedFile;
  let sheet: string | undefined;
  if (format === 'json' || format === 'json-lines') grouped = openJsonGroups(file, filePath, format === 'json-lines', hooks.groupRecords);
  else {
    // The Parquet, Arrow and Excel readers live in their own bundle, loaded on first use (data/typedReaders.ts).
    const readers = typedReaders();
    const sliceRows = sliceRowsFor(budgetBytes);
    if (format === 'xlsx') {
      const workbook = readers.openExcelGroups(file, filePath, { sheet: options.sheet, groupRows: hooks.groupRecords });
      grouped = workbook;
      sheet = workbook.sheet;
    } else grouped = format === 'parquet' ? await readers.openParquetGroups(file, filePath, sliceRows) : readers.openArrowGroups(file, filePath, sliceRows);
  }
  const streamed = streamGroupsToStore(grouped, dir, {
    columns: options.columns,
    labelColumn: options.labelColumn,
    categorical: options.categorical,
    categoryLimit: options.categoryLimit,
    imageWidth: options.imageWidth,
    keepCategories: keepsCategories(options),
    weightsColumn: hasWeights(options) ? options.weightsColumn : undefined,
    pixelRows: options.model === 'bernoulli' || options.model === 'auto',
    checkRow: options.model === 'poisson' ? (values, row, names) => checkCounts(file, values, undefined, names, row - 1, `${grouped.unit ?? 'row'} ${row}`) : undefined,
    onProgress: hooks.onParseProgress,
    beforeWrite,
    onGroup: hooks.onGroup,
    keepMissing: (columns, categorical) => marginalisesOutOfCore(options, columns, categorical),
    memoryBytes,
  });
  if (sheet === undefined) return streamed;
  // As in memory: a sheet's errors name it, and the fit records it (to read the same sheet again).
  const table = await streamed.catch((error: unknown) => {
    throw error instanceof DataError ? typedReaders().inSheet(sheet, error) : error;
  });
  table.summary.source = { format: 'xlsx', sheet };
  return table;
}

/** The IDX labels file beside the images (…-labels-idx1-ubyte), as the editor and the CLI pair them in memory. */
function labelsBeside(filePath: string, options: FitOptions): string | undefined {
  if (options.labelColumn.trim().toLowerCase() === 'none') return undefined;
  const companion = companionLabelsFileName(filePath);
  return companion !== undefined && fs.existsSync(companion) ? companion : undefined;
}

/**
 * Whether the fit of these stored columns integrates missing numeric cells out, as in memory (one Gaussian fit with a
 * fixed K, or the mixed family's Gaussian block), so that the store keeps their rows with NaN in those cells.
 */
function marginalisesOutOfCore(options: FitOptions, columns: string[], categorical: boolean): boolean {
  if (options.missing === 'skip') return false;
  // The Bernoulli family leaves a missing cell out of its row's product, as in memory.
  if (options.model === 'bernoulli') return true;
  const family = outOfCoreFamily(options, columns, categorical);
  // As in memory, a model selection and the variational mixture skip rows with missing cells.
  return family === 'mixed' || (family === 'gaussian' && !isSelection(options) && options.covarianceType !== 'variational');
}

/** Fits the file at `filePath` (any of STREAMED_FORMATS) out of core, as fitDataset does a loaded one. */
export async function fitOutOfCore(filePath: string, partialOptions: Partial<FitOptions>, budgetMB: number, callbacks: FitCallbacks = {}, hooks: OutOfCoreHooks = {}): Promise<FitOutcome> {
  const options = resolveOptions(partialOptions);
  const started = Date.now();
  const file = baseName(filePath);
  const size = fs.statSync(filePath).size;
  refuseOutOfScope(options, file, size / MB, budgetMB, hooks.settingPrefix);
  if (hooks.labelsPath && streamedFormatOf(file) !== 'idx' && options.labelColumn.trim().toLowerCase() !== 'none') {
    throw new OptionsError(
      `${file} is fitted out of core, which reads a separate labels file (${baseName(hooks.labelsPath)}) beside IDX images only. ` +
        `Put the labels in a column of ${file} (labelColumn), fit without them, or raise the memory budget to fit it in memory.`,
    );
  }
  sweepStaleStores(hooks.tempParent);
  const dir = createStoreDir(hooks.tempParent);
  hooks.onStore?.(dir);
  let reader: ColumnStoreReader | undefined;
  try {
    const { store, summary, weightsColumn, categorical, firstMissing, firstMissingLines, missingCells: keptMissingCells, pixelShape, labels } = await streamToStore(filePath, dir, options, budgetMB * MB, hooks);
    reader = new ColumnStoreReader(store);
    const { n } = store;
    // The label column, stored last, is never fitted: every source reads it apart (RowSource.labels).
    const d = summary.columns.length || (pixelShape ? store.columns.length - (labels ? 1 : 0) : 0);
    const fittedColumns = store.columns.slice(0, d);
    let family: ReturnType<typeof outOfCoreFamily> | 'bernoulli' = outOfCoreFamily(options, summary.columns, categorical !== undefined);
    let pixels: PixelReading | undefined;
    // Images (NumPy, IDX) name no columns, as in memory: their pixels are the store's columns.
    const pixelNames = summary.columns.length > 0 || !pixelShape ? summary.columns : fittedColumns.map((c) => c.name);
    const d0 = pixelNames.length;
    if (pixelShape || options.model === 'bernoulli' || (family === 'gaussian' && options.model === 'auto' && countColumnNames(options).length === 0 && mayBeImages(store, d0, options.imageWidth))) {
      const scan = readAsImages(reader, pixelNames, options.imageWidth, budgetMB * MB, { weighted: weightsColumn !== undefined, labels }, pixelShape);
      if (options.model === 'bernoulli' && !scan.reading) {
        throw new DataError(`${file}: a Bernoulli mixture needs binary or image data (values 0/1, 0..1 or 0..255 integers), but ${scan.firstBad ?? 'its values are not binary'}. Use model "gaussian" or "auto".`, file);
      }
      // As model "auto" in memory: rows of pixels, a table of 0/1 values, or 64 columns and more of pixel values.
      if (scan.reading && (pixelShape || options.model === 'bernoulli' || scan.reading.binary || d0 >= 64)) {
        family = 'bernoulli';
        pixels = scan.reading;
      }
    }
    if (family === 'categorical' && !categorical) {
      throw new DataError(`${file}: a categorical mixture needs text columns of a few categories (at most the categoryLimit setting), but the table has none. Use model "gaussian" for numeric columns, or "auto".`, file);
    }
    const { ks, models } = selectionCandidates(options, family, n, d);
    const selecting = ks.length * models.length > 1;
    const k = selecting ? Math.max(...ks) : ks[0];
    if (!selecting && n < k) throw new DataError(`${file}: ${n} usable row${n === 1 ? '' : 's'} but K = ${k} components; K must not exceed the number of rows.`, file);
    // The data stay reachable through the open files: removing the folder now means a killed process leaves
    // nothing behind (where the system allows removing open files; elsewhere `finally` removes it).
    removeStore(dir);
    const budget = budgetMB * MB;
    if (family === 'bernoulli') return fitImagesOutOfCore(reader, summary, pixels!, firstMissing, keptMissingCells ?? 0, weightsColumn, labels, options, budget, started, file, callbacks, hooks);
    if (family === 'mixed') return fitMixedTableOutOfCore(reader, summary, categorical, firstMissingLines, weightsColumn, labels, options, budget, started, file, callbacks, hooks);
    if (family === 'categorical') return fitCategoriesOutOfCore(reader, store.n, summary, categorical!, weightsColumn, labels, options, budget, started, file, callbacks, hooks);
    if (family === 'poisson') return fitCountsOutOfCore(reader, store.n, d, summary, weightsColumn, labels, options, budget, started, file, callbacks, hooks);
    const weighted = weightsColumn !== undefined;
    const chunkRows = chunkRowsFor(n, budget, 8 * (d + 2 * k), hooks);
    // With case weights, standardize uses the weighted mean and sd, as in memory (the store's are unweighted).
    const transform =
      weighted && options.standardize ? weightedStandardization(storeSource(reader, chunkRows, identityTransform(d), undefined, { weighted, labels })) : columnTransform({ ...store, columns: fittedColumns }, options.standardize);
    const source = storeSource(reader, chunkRows, transform, hooks.onPassProgress, { weighted, labels });
    const plotIndices = evenSample(n, plotSampleRows(options.maxPlotPoints, budget, d));
    const plotValues = gatherRows(source, plotIndices);
    const missingCells = store.columns.slice(0, d).map((c) => c.missing ?? 0);
    const observedMeans = Float64Array.from(transform.shift, (shift, j) => (store.columns[j].mean - shift) / transform.scale[j]);
    const incomplete = missingCells.some((c) => c > 0) ? placeIncompleteRows(plotValues, plotIndices, observedMeans) : undefined;
    const plotSample: PlotSample = { indices: plotIndices, values: Array.from(plotValues), d };
    const projection = d > 2 ? principalAxes(plotValues, plotIndices.length, d) : undefined;
    if (projection) plotSample.projection = projection;
    if (incomplete) plotSample.incompleteRows = incomplete.rows;
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
        weightsColumn,
        readRows: (indices, out) => readRowsAt(openReader, indices, out, transform),
        ks,
        names: models,
        columnSd: fittedColumns.map((c) => c.sd),
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
    const startRows = startSampleRows(k, budget, 8 * (d + k + 3));
    // k-means++ starts from a sample (the variational mixture too); the other starts read no sample.
    const startIndices = options.init === 'kmeans++' ? evenSample(n, startRows) : [];
    const startWeights = source.weights ? new Float64Array(startIndices.length) : undefined;
    const startValues = gatherRows(source, startIndices, startWeights);
    const total = source.weights ? sumOfWeights(source) : n;
    const notes = sampleNotes(startIndices.length, plotIndices.length, n, 'centre', 'the plot and the assignments');
    const reason = options.model === 'auto' ? 'out-of-core fits are Gaussian mixtures of the numeric columns' : 'chosen by the user';
    callbacks.onLoaded?.({ summary, model: 'gaussian', modelReason: reason, plotSample });
    const standardization = transform.centresOnly ? undefined : { mean: Array.from(transform.shift), sd: Array.from(transform.scale) };
    if (options.covarianceType === 'variational') {
      const centre = transform.centresOnly && transform.shift.some((v) => v !== 0) ? transform.shift : undefined;
      const sample = { values: startValues, m: startIndices.length };
      const fitted = fitVariationalOutOfCore({ file, options, k, reason, started, columns: summary.columns, source, sample, plotIndices, centre, standardization, notes, snapshotBytes: snapshotCap(budget, hooks), callbacks });
      return { result: fitted.result, plotSample, plotAssignments: fitted.plotAssignments };
    }
    const centre = transform.shift;
    const openStore = reader;
    // The numeric columns' transform only (the store's weights column comes after them).
    const rowTransform = { ...transform, shift: transform.shift.subarray(0, d), scale: transform.scale.subarray(0, d) };
    const initParams = options.initParams ? { ...options.initParams, means: options.initParams.means.map((m) => m.map((v, j) => (transform.centresOnly ? v - centre[j] : v))) } : undefined;
    const mclustModel = isMclustModelName(options.covarianceType) ? mclustModelForColumns(options.covarianceType, d) : undefined;
    // One K and one covariance model (scikit-learn's or mclust's; missing cells integrated out): families/gaussian/outOfCore.ts.
    return fitGaussianModelOutOfCore({
      file,
      options,
      k,
      model: mclustModel ?? (options.covarianceType as SklearnCovarianceType),
      reason,
      started,
      summary,
      source,
      readRows: (indices, out) => readRowsAt(openStore, indices, out, rowTransform),
      initParams,
      start: { indices: startIndices, values: startValues, weights: startWeights },
      total,
      weightsColumn,
      plotSample,
      incomplete,
      missingCells: incomplete ? missingCells : undefined,
      centre: transform.centresOnly && centre.some((v) => v !== 0) ? centre : undefined,
      standardization,
      notes,
      snapshotBytes: snapshotCap(budget, hooks),
      callbacks,
    });
  } finally {
    reader?.close();
    removeStore(dir);
  }
}

/** The count table's Poisson fit (families/poisson/outOfCore.ts): the counts as stored, neither centred nor scaled. */
function fitCountsOutOfCore(
  reader: ColumnStoreReader,
  n: number,
  d: number,
  summary: DatasetSummary,
  weightsColumn: string | undefined,
  labels: StoredLabels | undefined,
  options: FitOptions,
  budget: number,
  started: number,
  file: string,
  callbacks: FitCallbacks,
  hooks: OutOfCoreHooks,
): FitOutcome {
  const { ks } = selectionCandidates(options, 'poisson', n, d);
  const k = Math.max(...ks);
  // A column named as counts under model "auto" is checked here (model "poisson" checks every row as it is parsed).
  const transform = identityTransform(d);
  const chunkRows = chunkRowsFor(n, budget, 8 * (d + 2 * k), hooks);
  const source = storeSource(reader, chunkRows, transform, hooks.onPassProgress, { weighted: weightsColumn !== undefined, labels });
  if (options.model !== 'poisson') source.forEachChunk((rows, start) => {
    for (let i = 0; i < rows; i++) checkCounts(file, source.buffer.subarray(i * d, (i + 1) * d), undefined, summary.columns, start + i);
  });
  const plotIndices = evenSample(n, plotSampleRows(options.maxPlotPoints, budget, d));
  const plotValues = gatherRows(source, plotIndices);
  const plotSample: PlotSample = { indices: plotIndices, values: Array.from(plotValues), d };
  const projection = d > 2 ? principalAxes(plotValues, plotIndices.length, d) : undefined;
  if (projection) plotSample.projection = projection;
  const startRows = startSampleRows(k, budget, 8 * (d + k + 3));
  const startIndices = options.init === 'kmeans++' ? evenSample(n, startRows) : [];
  const startWeights = source.weights ? new Float64Array(startIndices.length) : undefined;
  const startValues = gatherRows(source, startIndices, startWeights);
  const reason = options.model === 'auto' ? `every column is a count column (countColumns: ${summary.columns.map((c) => `"${c}"`).join(', ')}): independent Poisson counts` : 'chosen by the user';
  return fitPoissonOutOfCore({
    file,
    options,
    ks,
    reason,
    started,
    summary,
    source,
    readRows: (indices, out) => readRowsAt(reader, indices, out, transform),
    start: { indices: startIndices, values: startValues, weights: startWeights },
    weightsColumn,
    plotSample,
    notes: sampleNotes(startIndices.length, plotIndices.length, n, 'centre', 'the plot and the assignments'),
    snapshotBytes: snapshotCap(budget, hooks),
    callbacks,
  });
}

/** The latent class model of the categorical columns (families/categorical/outOfCore.ts); numeric columns are left out. */
function fitCategoriesOutOfCore(
  reader: ColumnStoreReader,
  n: number,
  summary: DatasetSummary,
  categorical: NonNullable<StreamedTable['categorical']>,
  weightsColumn: string | undefined,
  labels: StoredLabels | undefined,
  options: FitOptions,
  budget: number,
  started: number,
  file: string,
  callbacks: FitCallbacks,
  hooks: OutOfCoreHooks,
): FitOutcome {
  const d = summary.columns.length;
  const dc = categorical.columns.length;
  const { ks } = selectionCandidates(options, 'categorical', n, dc);
  const k = Math.max(...ks);
  const transform = identityTransform(d);
  const chunkRows = chunkRowsFor(n, budget, 8 * (d + dc + 2 * k), hooks);
  const source = storeSource(reader, chunkRows, transform, hooks.onPassProgress, { recode: categorical.recode, weighted: weightsColumn !== undefined, labels });
  const plotIndices = evenSample(n, plotSampleRows(options.maxPlotPoints, budget, dc));
  const startRows = startSampleRows(k, budget, 8 * (dc + k + 3));
  const startIndices = options.init === 'kmeans++' ? evenSample(n, startRows) : [];
  const startCodes = new Int32Array(startIndices.length * dc);
  const startWeights = source.weights ? new Float64Array(startIndices.length) : undefined;
  let p = 0;
  source.forEachChunk((rows, start) => {
    while (p < startIndices.length && startIndices[p] < start + rows) {
      const i = startIndices[p] - start;
      startCodes.set(source.codes!.subarray(i * dc, (i + 1) * dc), p * dc);
      if (startWeights) startWeights[p] = source.weights![i];
      p++;
    }
  });
  const reason = options.model === 'auto' ? `every column is categorical (${dc} text columns of a few categories)` : 'chosen by the user';
  return fitCategoricalOutOfCore({
    file,
    options,
    ks,
    reason,
    started,
    summary,
    names: categorical.columns,
    categories: categorical.categories,
    source,
    readRows: (indices, out) => readRowsAt(reader, indices, out, transform, categorical.recode),
    start: { indices: startIndices, codes: startCodes, weights: startWeights },
    plotIndices,
    weightsColumn,
    notes: sampleNotes(startIndices.length, plotIndices.length, n, 'seed', 'the assignments'),
    snapshotBytes: snapshotCap(budget, hooks),
    callbacks,
  });
}

/**
 * Rows per chunk of a streamed pass: a sixteenth of the budget at `rowBytes` a row (from 256 to 65,536 rows, at most
 * n), or the caller's chunkRows (tests cut small files into many chunks).
 */
function chunkRowsFor(n: number, budget: number, rowBytes: number, hooks?: OutOfCoreHooks): number {
  return Math.max(1, Math.min(n, hooks?.chunkRows ?? Math.max(256, Math.min(65_536, Math.floor(budget / 16 / rowBytes)))));
}

/** Most bytes a fit's per-iteration snapshots may take: an eighth of the budget, as a model selection's. */
function snapshotCap(budget: number, hooks: OutOfCoreHooks): number {
  return hooks.snapshotBytes ?? budget / 8;
}

/** What a fit from sampled rows says: where k-means++ started (when not from every row) and which rows are shown. */
function sampleNotes(startRows: number, plotRows: number, n: number, start: 'centre' | 'seed', shown: string): string[] {
  return [
    ...(startRows > 0 && startRows < n
      ? [`k-means++ ${start === 'centre' ? 'started' : 'seeded'} from ${startRows} evenly drawn rows of ${n}; every row is then assigned to its nearest ${start} and EM runs on all rows`]
      : []),
    `${shown} are of ${plotRows} evenly drawn rows of ${n}`,
  ];
}

/** A DataError, as the in-memory Poisson family's, for the first cell that is not a count (a whole number ≥ 0). */
function checkCounts(file: string, values: Float64Array, line: number | undefined, columns: readonly string[], row = 0, place?: string): void {
  for (let j = 0; j < values.length; j++) {
    const x = values[j];
    if (!(x >= 0 && Number.isInteger(x))) throw new DataError(nonCountMessage(file, columns[j], x, place ?? (line !== undefined ? `line ${line}` : `data row ${row + 1}`)), file);
  }
}

/**
 * The mixed family's fit (families/mixed/outOfCore.ts): the Gaussian block on the numeric columns other than the count
 * columns, the Poisson block on the count columns, the categorical block on the codes; the values as stored (the
 * in-memory mixed family neither centres nor scales them).
 */
function fitMixedTableOutOfCore(
  reader: ColumnStoreReader,
  summary: DatasetSummary,
  categorical: StreamedTable['categorical'],
  firstMissingLines: StreamedTable['firstMissingLines'],
  weightsColumn: string | undefined,
  labels: StoredLabels | undefined,
  options: FitOptions,
  budget: number,
  started: number,
  file: string,
  callbacks: FitCallbacks,
  hooks: OutOfCoreHooks,
): FitOutcome {
  const prefix = hooks.settingPrefix ?? '';
  refuseMixedScope(options, file, prefix);
  const fix = `, or raise ${prefix}memoryBudgetMB to fit the file in memory`;
  const columns = summary.columns;
  const d = columns.length;
  const countIndices = countColumnIndices(file, columns, countColumnNames(options), (name) =>
    categorical?.columns.some((c) => c.toLowerCase() === name.toLowerCase()) ? `column "${name}" (countColumns) is read as categorical, not as numbers.` : `there is no numeric column "${name}" (countColumns).`,
  );
  // Missing numeric cells were kept (NaN) for the Gaussian block to integrate out; the Poisson block cannot out of core.
  const missingCount = countIndices.find((j) => (reader.info.columns[j].missing ?? 0) > 0);
  if (missingCount !== undefined) {
    const line = firstMissingLines?.[missingCount] ?? 0;
    throw new DataError(
      `${file}: ${line > 0 ? `line ${line}` : 'a row'} has a missing cell in the count column "${columns[missingCount]}". In memory the mixed family leaves it out of the row's Poisson product; out of core it cannot. ` +
        `Set ${prefix}missing to "skip" to leave rows with missing numeric cells out, fill the cells${fix}.`,
      file,
      line > 0 ? line : undefined,
    );
  }
  const gaussianIndices = columns.map((_, j) => j).filter((j) => !countIndices.includes(j));
  const dg = gaussianIndices.length;
  const dp = countIndices.length;
  const dc = categorical?.columns.length ?? 0;
  if (Number(dg > 0) + Number(dp > 0) + Number(dc > 0) < 2) {
    throw new DataError(`${file}: a mixed mixture needs numeric columns and text columns of a few categories (at most the categoryLimit setting), or count columns (countColumns) beside either, but the table has ${dc > 0 ? 'only categorical columns' : dp > 0 ? 'only count columns' : 'no categorical column'}. Use model "${dc > 0 ? 'categorical' : dp > 0 ? 'poisson' : 'gaussian'}", or "auto".`, file);
  }
  if (dg === 0) {
    throw new OptionsError(`${file} is fitted out of core with the mixed family, which starts from its Gaussian block, but every numeric column is a count column. Set ${prefix}model to "poisson" (the counts) or "categorical" (the categorical columns)${fix}.`);
  }
  const { ks } = selectionCandidates(options, 'mixed', reader.n, d);
  const k = Math.max(...ks);
  const n = reader.n;
  const identity = identityTransform(d);
  const chunkRows = chunkRowsFor(n, budget, 8 * (2 * d + 2 * dc + 2 * k), hooks);
  const base = storeSource(reader, chunkRows, identity, hooks.onPassProgress, { ...(categorical ? { recode: categorical.recode } : {}), weighted: weightsColumn !== undefined, labels });
  const gaussian = new Float64Array(chunkRows * dg);
  const counts = new Float64Array(chunkRows * dp);
  const codes = base.codes ?? new Int32Array(0);
  const source: MixedRowSource = {
    n,
    chunkRows,
    gaussian,
    gaussianColumns: dg,
    counts,
    countColumns: dp,
    codes,
    levels: categorical ? categorical.categories.map((c) => c.length) : [],
    weights: base.weights,
    labels: base.labels,
    forEachChunk(visit) {
      base.forEachChunk((rows, start) => {
        const x = base.buffer;
        for (let i = 0; i < rows; i++) {
          for (let a = 0; a < dg; a++) gaussian[i * dg + a] = x[i * d + gaussianIndices[a]];
          for (let a = 0; a < dp; a++) counts[i * dp + a] = x[i * d + countIndices[a]];
        }
        visit(rows, start);
      });
    },
  };
  if (dp > 0) {
    const names = countIndices.map((j) => columns[j]);
    source.forEachChunk((rows, start) => {
      for (let i = 0; i < rows; i++) checkCounts(file, counts.subarray(i * dp, (i + 1) * dp), undefined, names, start + i);
    });
  }
  const gaussianSource: RowSource = { n, d: dg, chunkRows, buffer: gaussian, weights: base.weights, forEachChunk: (visit) => source.forEachChunk(visit) };
  const plotIndices = evenSample(n, plotSampleRows(options.maxPlotPoints, budget, dg));
  const plotValues = gatherRows(gaussianSource, plotIndices);
  const missingCells = gaussianIndices.map((j) => reader.info.columns[j].missing ?? 0);
  const observedMeans = Float64Array.from(gaussianIndices, (j) => reader.info.columns[j].mean);
  const incomplete = missingCells.some((c) => c > 0) ? placeIncompleteRows(plotValues, plotIndices, observedMeans) : undefined;
  const plotSample: PlotSample = { indices: plotIndices, values: Array.from(plotValues), d: dg };
  const projection = dg > 2 ? principalAxes(plotValues, plotIndices.length, dg) : undefined;
  if (projection) plotSample.projection = projection;
  if (incomplete) plotSample.incompleteRows = incomplete.rows;
  const startRows = startSampleRows(k, budget, 8 * (dg + k + 3));
  const startIndices = options.init === 'kmeans++' ? evenSample(n, startRows) : [];
  const startWeights = base.weights ? new Float64Array(startIndices.length) : undefined;
  const startValues = gatherRows(gaussianSource, startIndices, startWeights);
  // The in-memory reason, from the blocks' columns only (mixedReason reads nothing else).
  const blocks = {
    gaussian: { d: dg },
    ...(dp > 0 ? { counts: { d: dp, names: countIndices.map((j) => columns[j]) } } : {}),
    ...(dc > 0 ? { categorical: { d: dc, names: categorical!.columns } } : {}),
  } as unknown as MixedTable;
  const reason = options.model === 'auto' ? mixedReason(blocks) : 'chosen in the settings';
  return fitMixedOutOfCore({
    file,
    options,
    ks,
    reason,
    started,
    summary,
    source,
    gaussianColumns: gaussianIndices.map((j) => columns[j]),
    countColumns: countIndices.map((j) => columns[j]),
    categoryColumns: categorical?.columns ?? [],
    categories: categorical?.categories ?? [],
    start: { indices: startIndices, values: startValues, weights: startWeights },
    readRows: (indices, out) => {
      const rows = new Float64Array(indices.length * d);
      readRowsAt(reader, indices, rows, identity);
      for (let p = 0; p < indices.length; p++) for (let a = 0; a < dg; a++) out[p * dg + a] = rows[p * d + gaussianIndices[a]];
    },
    weightsColumn,
    plotSample,
    gaussianModel: isMclustModelName(options.covarianceType) ? mclustModelForColumns(options.covarianceType, dg) : (options.covarianceType as SklearnCovarianceType),
    ...(incomplete ? { missingCells } : {}),
    notes: [
      startIndices.length > 0 && startIndices.length < n
        ? `k-means++ started the Gaussian block from ${startIndices.length} evenly drawn rows of ${n}; every row is then assigned to its nearest centre and EM runs on all rows`
        : '',
      `the plot and the assignments are of ${plotIndices.length} evenly drawn rows of ${n}`,
    ].filter(Boolean),
    snapshotBytes: snapshotCap(budget, hooks),
    callbacks,
  });
}

/** How the in-memory loader and the Bernoulli family read the stored values as images. */
interface PixelReading {
  /** The value that stands for "fully on" (pixel / scale > threshold is on). */
  scale: number;
  shape: [number, number];
  /** Every value is 0 or 1. */
  binary: boolean;
  /** The file's rows were read as rows of pixels by the loader itself. */
  pixelRows: boolean;
  /** Missing cells (stored as NaN) per column. */
  missingPerColumn: number[];
}

/**
 * Whether the columns' means and spreads allow values in [0, 1] (binary data) or 0..255 on 64 columns and more
 * (pixels), so that a pass over the store may find images; model "auto" skips that pass otherwise.
 */
function mayBeImages(store: ColumnStoreInfo, d: number, imageWidth: number): boolean {
  if (d === 0) return false;
  const unit = store.columns.slice(0, d).every((c) => c.mean >= 0 && c.mean <= 1 && c.sd <= 0.5 + 1e-9);
  const wide = d >= 64 || (imageWidth > 0 && d % imageWidth === 0);
  return unit || (wide && store.columns.slice(0, d).every((c) => c.mean >= 0 && c.mean <= 255));
}

/**
 * One pass over the stored values: the images the in-memory Bernoulli family would fit (its tableAsImages: pixel
 * values, integers 0..255 on an image shape with the scale of their maximum, or values in [0, 1] with scale 1), or,
 * when there are none, the first value that rules them out.
 */
function readAsImages(reader: ColumnStoreReader, columns: readonly string[], imageWidth: number, budget: number, extras: StoreExtras, pixelShape?: [number, number]): { reading?: PixelReading; firstBad?: string } {
  const d = columns.length;
  // Chunks as the fits size theirs: a sixteenth of the budget (784 pixel columns make 6 KB a row).
  const chunkRows = chunkRowsFor(reader.n, budget, 8 * d);
  const source = storeSource(reader, chunkRows, identityTransform(d), undefined, extras);
  let max = 0;
  let integral = true;
  let unit = true;
  let binary = true;
  let inRange = true;
  let firstBad: string | undefined;
  const missingPerColumn = new Array<number>(d).fill(0);
  source.forEachChunk((rows, start) => {
    const x = source.buffer;
    for (let e = 0; e < rows * d; e++) {
      const v = x[e];
      if (v !== v) {
        // A missing cell (kept for a fit that integrates it out) says nothing about the values.
        missingPerColumn[e % d]++;
        continue;
      }
      if (v > max) max = v;
      if (!(v >= 0 && v <= 1)) unit = false;
      if (v !== 0 && v !== 1) binary = false;
      if (integral && !Number.isInteger(v)) integral = false;
      if (!(v >= 0 && v <= 255)) inRange = false;
      if (firstBad === undefined && !(v >= 0 && v <= 255 && (v <= 1 || Number.isInteger(v)))) firstBad = `column "${columns[e % d]}" has ${v} at data row ${start + Math.floor(e / d) + 1}`;
    }
  });
  if (pixelShape) return { reading: { scale: pixelScale(max), shape: pixelShape, binary, pixelRows: true, missingPerColumn } };
  const widthGiven = imageWidth > 0 && d % imageWidth === 0;
  const shape = (d >= MIN_IMAGE_PIXELS || widthGiven) && inRange && (integral || unit) ? imageShape(d, imageWidth || undefined) : undefined;
  if (shape) return { reading: { scale: integral ? pixelScale(max) : 1, shape, binary, pixelRows: false, missingPerColumn } };
  if (unit) return { reading: { scale: 1, shape: [1, d], binary, pixelRows: false, missingPerColumn } };
  return { firstBad: firstBad ?? (unit ? undefined : 'its values are not binary') };
}

/** The Bernoulli family's fit (families/bernoulli/outOfCore.ts) of the stored values read as images. */
function fitImagesOutOfCore(
  reader: ColumnStoreReader,
  summary: DatasetSummary,
  pixels: PixelReading,
  firstMissing: StreamedTable['firstMissing'],
  missingCells: number,
  weightsColumn: string | undefined,
  labels: StoredLabels | undefined,
  options: FitOptions,
  budget: number,
  started: number,
  file: string,
  callbacks: FitCallbacks,
  hooks: OutOfCoreHooks,
): FitOutcome {
  const prefix = hooks.settingPrefix ?? '';
  refuseBernoulliScope(options, file, prefix);
  // Rows with missing cells were skipped by the parse (kept cells would be counted in missingCells).
  if (firstMissing && missingCells === 0 && options.missing !== 'skip') {
    throw new DataError(
      `${file}: ${firstMissing.unit ?? 'line'} ${firstMissing.line} has a missing cell in column "${firstMissing.column}". In memory the Bernoulli family fits such rows on their observed cells; out of core it does so when ${prefix}model is "bernoulli" (model "auto" with k "auto" reads the file before it knows the family, and skipped such rows). ` +
        `Set ${prefix}model to "bernoulli", set ${prefix}missing to "skip" to leave rows with missing cells out, or raise ${prefix}memoryBudgetMB to fit the file in memory.`,
      file,
      firstMissing.unit ? undefined : firstMissing.line,
    );
  }
  const n = reader.n;
  const d = summary.columns.length || reader.d;
  const { ks } = selectionCandidates(options, 'bernoulli', n, d);
  const k = Math.max(...ks);
  const identity = identityTransform(d);
  const chunkRows = chunkRowsFor(n, budget, 8 * (d + 2 * k) + 2 * d, hooks);
  const source = storeSource(reader, chunkRows, identity, hooks.onPassProgress, { weighted: weightsColumn !== undefined, labels });
  const plotIndices = evenSample(n, plotSampleRows(options.maxPlotPoints, budget, d));
  const startRows = startSampleRows(k, budget, 8 * d + 8);
  const startIndices = options.init === 'kmeans++' ? evenSample(n, startRows) : [];
  const startWeights = source.weights ? new Float64Array(startIndices.length) : undefined;
  const startValues = gatherRows(source, startIndices, startWeights);
  const reason =
    options.model === 'bernoulli' ? 'chosen in the settings' : pixels.pixelRows ? `${file} holds images` : pixels.binary ? 'every value is 0 or 1' : `the ${d} columns look like image pixels`;
  return fitBernoulliOutOfCore({
    file,
    options,
    ks,
    reason,
    started,
    summary,
    source,
    scale: pixels.scale,
    imageShape: pixels.shape,
    start: { indices: startIndices, values: startValues, weights: startWeights },
    plotIndices,
    weightsColumn,
    missingPerColumn: missingCells > 0 ? pixels.missingPerColumn : undefined,
    notes: sampleNotes(startIndices.length, plotIndices.length, n, 'seed', 'the assignments'),
    snapshotBytes: snapshotCap(budget, hooks),
    callbacks,
  });
}

/**
 * The plotted rows with missing cells: their indices and stored values (NaN where missing), each such cell of
 * `plotValues` then set to its column's observed mean (in the fit's units), where the panel draws it until the fit
 * places it (as the in-memory Gaussian family's plotted sample).
 */
function placeIncompleteRows(plotValues: Float64Array, plotIndices: number[], observedMeans: Float64Array): { rows: number[]; values: Float64Array } {
  const d = observedMeans.length;
  const rows: number[] = [];
  const values: number[] = [];
  plotIndices.forEach((row, s) => {
    const cells = plotValues.subarray(s * d, (s + 1) * d);
    if (!cells.some((v) => v !== v)) return;
    rows.push(row);
    values.push(...cells);
    for (let j = 0; j < d; j++) if (cells[j] !== cells[j]) cells[j] = observedMeans[j];
  });
  return { rows, values: Float64Array.from(values) };
}
