// A saved model applied to a data file: the file is read by the same loaders (its columns matched by name), the
// saved preprocessing is repeated (standardisation with the fitted means and sds, binarisation with the fitted
// threshold and scale), and each family's own E-step gives the log-responsibilities, assignments and total
// log-likelihood. On the file the model was fitted to they equal the fit's. As the loader and the fit: a Gaussian
// model's rows with missing cells are kept and scored on their observed cells (their E-step marginalises the rest),
// unless the model's setting `missing` is "skip"; with the model's case-weights column in the file, the
// log-likelihood is Σ_i w_i ln p(x_i). A categorical or mixed model's categorical columns are read as categories and
// coded by the model's own categories (matched by name); a category the model never saw is an error naming the
// column, the value and its line, and a missing answer drops out of the row's product, as in the fit.

import type { Dataset, TableData } from '../data/dataset';
import { incompleteRows } from '../data/missing';
import { inspectDatasetAsync, loadDatasetAsync } from '../data/load';
import { argmaxRows } from '../em/em';
import { normalizeLogRows } from '../em/logsumexp';
import { DataError, FitError, OptionsError } from '../errors';
import { imagesForBernoulli } from '../families/bernoulli/entry';
import { binarizePixels } from '../families/bernoulli/binarize';
import { BernoulliFamily, missingPixels } from '../families/bernoulli/family';
import { imagesAsTable } from '../families/gaussian/entry';
import { GaussianFamily } from '../families/gaussian/family';
import { MclustGaussianFamily, mclustModelForColumns } from '../families/gaussian/mclust/family';
import { isMclustModelName } from '../families/gaussian/mclust/models';
import { asCountTable } from '../families/poisson/entry';
import { PoissonFamily } from '../families/poisson/family';
import { resolveCountColumns, splitCountColumns } from '../families/mixed/counts';
import { CategoricalFamily, type CategoricalColumns } from '../families/categorical/family';
import { SETTINGS, type NumberSpec } from '../../shared/settings';
import { observedLogProb } from '../families/gaussian/missing';
import { centreOffsetColumns } from '../families/gaussian/prepare';
import type { SklearnCovarianceType } from '../../shared/protocol';
import { missingRowsSkipped } from './fittedRows';
import type { SavedModel } from './schema';

/** The largest categoryLimit: a model's categorical columns are read with every value, so an unseen one can be named. */
const CATEGORY_LIMIT_MAX = (SETTINGS.find((s) => s.key === 'categoryLimit') as NumberSpec).max;

export interface Prediction {
  n: number;
  k: number;
  /** The most responsible component of each row (0 … K − 1). */
  assignments: Int32Array;
  /** Σ_i ln Σ_k π_k p(x_i | θ_k), natural log. */
  logLikelihood: number;
  /** n × K, row-major: ln r_ik. */
  logResponsibilities: Float64Array;
  /** The model's case-weights column, read from the file: the log-likelihood is weighted, Σ w = total. */
  caseWeights?: { column: string; total: number };
  /** Rows with missing cells, scored on their observed cells (Gaussian models). */
  incompleteRows?: number;
}

/**
 * Reads a data file as the model's fit read its file: the model's columns, by name; its image width; its case-weights
 * column when the file has one (otherwise every row weighs 1, as a note says); a Gaussian model's rows with missing
 * cells kept (its setting `missing`), other families' skipped, as their fits do. `labels`: an images file's labels
 * file, read as a fit reads it (the panel scores the clusters against them; the prediction never uses them).
 */
export async function loadForModel(model: SavedModel, fileName: string, bytes: Uint8Array, labels: { labelBytes?: Uint8Array; labelFileName?: string } = {}): Promise<Dataset> {
  // A model fitted to a table names its columns; one fitted to images (pixelScale set) uses every pixel.
  const counts = model.countColumns ?? [];
  const tableColumns = model.family !== 'bernoulli' && model.source.pixelScale === undefined && model.columns.length + counts.length > 0;
  const weightsColumn = model.preprocessing.weightsColumn ?? undefined;
  // A workbook: the sheet the fit read (models saved before sheets: the setting, else the loader's choice).
  const sheet = model.source.sheet ?? (model.settings?.sheet || undefined);
  const hasWeights = weightsColumn !== undefined && (await inspectDatasetAsync(bytes, fileName, { sheet })).columns.some((c) => c.name === weightsColumn);
  const categorical = model.categories?.map((c) => c.column) ?? [];
  const numeric = model.family === 'categorical' ? [] : model.columns;
  const dataset = await loadDatasetAsync(fileName, bytes, {
    columns: tableColumns ? [...numeric, ...counts, ...categorical] : undefined,
    ...(categorical.length > 0 ? { categorical, categoryLimit: CATEGORY_LIMIT_MAX, keepCategories: true } : {}),
    imageWidth: model.settings?.imageWidth || undefined,
    sheet,
    weightsColumn: hasWeights ? weightsColumn : undefined,
    // As the fit: rows with a missing numeric cell are skipped when it skipped them (a model selection, say).
    missing: model.family === 'categorical' || missingRowsSkipped(model) !== undefined ? 'skip' : (model.settings?.missing ?? 'marginalize'),
    ...(labels.labelBytes ? { labelBytes: labels.labelBytes, labelFileName: labels.labelFileName } : {}),
  });
  if (weightsColumn !== undefined && !hasWeights) {
    dataset.summary.notes.push(`the model was fitted with case weights (column "${weightsColumn}"); this file has no such column, so every row weighs 1`);
  }
  return dataset;
}

/** Applies the model to a loaded dataset. `modelFile` names the model in messages. */
export function predictDataset(model: SavedModel, dataset: Dataset, modelFile = 'the model'): Prediction {
  const out =
    model.family === 'gaussian'
      ? gaussianLogProb(model, dataset, modelFile)
      : model.family === 'poisson'
        ? poissonLogProb(model, dataset)
        : model.family === 'categorical'
          ? categoricalLogProb(model, dataset)
          : model.family === 'mixed'
            ? mixedLogProb(model, dataset, modelFile)
            : bernoulliLogProb(model, dataset);
  const { n, logProb } = out;
  const k = model.k;
  const table = dataset.kind === 'table' ? dataset : undefined;
  const weights = table?.weights;
  const rowLogNorm = weights ? new Float64Array(n) : undefined;
  let logLikelihood = normalizeLogRows(logProb, n, k, rowLogNorm);
  let caseWeights: Prediction['caseWeights'];
  if (weights) {
    // Σ_i w_i ln p(x_i); a row of weight 0 adds nothing, even at density 0.
    logLikelihood = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      total += weights[i];
      if (weights[i] !== 0) logLikelihood += weights[i] * rowLogNorm![i];
    }
    caseWeights = { column: table!.weightsColumn ?? 'weights', total };
  }
  const assignments = new Int32Array(n);
  argmaxRows(logProb, n, k, assignments);
  const incomplete = table?.missing ? incompleteRows(table).length : 0;
  return { n, k, assignments, logLikelihood, logResponsibilities: logProb, ...(caseWeights ? { caseWeights } : {}), ...(incomplete > 0 ? { incompleteRows: incomplete } : {}) };
}

export function sizeMismatch(file: string, what: string, model: SavedModel, d: number): DataError {
  return new DataError(`${file}: ${what} ${d} but the model was fitted to ${model.d} (${model.source.fileName}). Use a file with the model's ${model.family === 'bernoulli' ? 'image size' : 'columns'}.`, file);
}

function gaussianLogProb(model: SavedModel, dataset: Dataset, modelFile: string): { n: number; logProb: Float64Array } {
  const table: TableData = dataset.kind === 'table' ? dataset : imagesAsTable(dataset);
  const { n, d } = table;
  const file = table.summary.fileName;
  if (d !== model.d) throw sizeMismatch(file, dataset.kind === 'table' ? 'has columns' : 'has pixels per image', model, d);
  if (n === 0) throw new DataError(`${file}: no complete numeric rows to predict.`, file);
  const k = model.k;
  const values = Float64Array.from(table.values);
  const standardization = model.preprocessing.standardization;
  if (standardization) {
    const { mean, sd } = standardization;
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) values[i * d + j] = (values[i * d + j] - mean[j]) / sd[j];
  }
  const covariances = model.parameters.covariances!;
  const logProb = new Float64Array(n * k);
  const name = model.covarianceModel!;
  if (table.missing) {
    // Rows with missing cells: each scored on its observed cells (the full covariances serve every model).
    try {
      observedLogProb(values, n, d, table.missing, { weights: model.parameters.weights, means: model.parameters.means, covariances }, logProb);
    } catch (e) {
      if (e instanceof FitError) throw new DataError(`${modelFile}: its covariances cannot be used: ${e.message}`, modelFile);
      throw e;
    }
    return { n, logProb };
  }
  // As the fit: columns with a large offset are centred (every density is translation invariant).
  const centre = centreOffsetColumns(values, n, d);
  const means = model.parameters.means.map((row) => row.map((v, j) => v - (centre ? centre[j] : 0)));
  try {
    if (name === 'full' || name === 'diag' || name === 'spherical' || name === 'tied') {
      const family = new GaussianFamily(values, n, d, {
        covarianceType: name as SklearnCovarianceType,
        regularization: 0,
        init: 'params',
        initParams: { weights: model.parameters.weights, means, covariances },
      });
      family.weightedLogProb(family.givenParams(k), k, logProb);
    } else {
      // An mclust model, or a variational fit's expected parameters (its log-likelihood is that mixture's).
      const mclust = isMclustModelName(name) ? mclustModelForColumns(name, d) : d === 1 ? 'V' : 'VVV';
      const family = new MclustGaussianFamily(values, n, d, { model: mclust, regularization: 0, init: 'kmeans++' });
      const flatMeans = Float64Array.from(means.flat());
      const flatCovariances = Float64Array.from(covariances.flat(2));
      family.weightedLogProb(family.givenParams(k, model.parameters.weights, flatMeans, flatCovariances), k, logProb);
    }
  } catch (e) {
    // The parameters came from the model file, not from settings: say so.
    if (e instanceof OptionsError) throw new DataError(`${modelFile}: its parameters cannot be used: ${e.message.replace(/initParams\./g, 'parameters.')}`, modelFile);
    throw e;
  }
  return { n, logProb };
}

function bernoulliLogProb(model: SavedModel, dataset: Dataset): { n: number; logProb: Float64Array } {
  const images = imagesForBernoulli(dataset, model.settings);
  const { n, d } = images;
  if (d !== model.d) throw sizeMismatch(images.summary.fileName, 'has pixels per image', model, d);
  const image = model.preprocessing.image!;
  const binary = binarizePixels(images.pixels, n, d, image.pixelScale, image.threshold);
  const k = model.k;
  const missing = images.missing ? missingPixels(images.missing, n, d) : undefined;
  const family = new BernoulliFamily(binary, { init: 'params', betaPrior: model.settings.betaPrior ?? [2, 2], threads: 1, shardScript: null, missing });
  const logProb = new Float64Array(n * k);
  try {
    family.weightedLogProb({ weights: Float64Array.from(model.parameters.weights), means: Float64Array.from(model.parameters.means.flat()) }, k, logProb);
  } finally {
    family.dispose();
  }
  return { n, logProb };
}

function poissonLogProb(model: SavedModel, dataset: Dataset): { n: number; logProb: Float64Array } {
  const table = asCountTable(dataset);
  const { n, d } = table;
  if (d !== model.d) throw sizeMismatch(table.summary.fileName, 'has columns', model, d);
  const k = model.k;
  const family = new PoissonFamily(table.values, n, d, 'kmeans++');
  const logProb = new Float64Array(n * k);
  family.weightedLogProb({ weights: Float64Array.from(model.parameters.weights), rates: Float64Array.from(model.parameters.means.flat()) }, k, logProb);
  return { n, logProb };
}

/** A categorical model's columns of `dataset`, coded by the model's categories: a CategoricalFamily on them. */
function categoricalBlock(model: SavedModel, dataset: Dataset): { family: CategoricalFamily; probabilities: Float64Array } {
  const family = new CategoricalFamily(modelCodedCategories(model, dataset), 'kmeans++');
  return { family, probabilities: Float64Array.from(model.parameters.probabilities!.flat(2)) };
}

/**
 * A categorical or mixed model's categorical columns of `dataset`, found by name and coded by the model's own
 * categories (so the model's probabilities apply); a category the model never saw is a DataError naming its line.
 */
export function modelCodedCategories(model: SavedModel, dataset: Dataset): CategoricalColumns {
  const file = dataset.summary.fileName;
  const expected = model.categories!;
  if (dataset.kind !== 'table' || !dataset.categorical) {
    throw new DataError(`${file}: the model's categorical columns (${expected.map((c) => `"${c.column}"`).join(', ')}) were not found as text columns. Use a table with the model's columns.`, file);
  }
  const table = dataset;
  const read = dataset.categorical;
  const m = expected.length;
  const { n } = table;
  const codes = new Int32Array(n * m);
  const width = read.columns.length;
  expected.forEach((column, j) => {
    const source = read.columns.indexOf(column.column);
    if (source < 0) throw new DataError(`${file}: has no categorical column "${column.column}", which the model was fitted with (${model.source.fileName}). Use a file with the model's columns.`, file);
    const levelOf = new Map(column.levels.map((level, code) => [level, code]));
    const recode = read.categories[source].map((level) => levelOf.get(level) ?? -2);
    for (let i = 0; i < n; i++) {
      const code = read.codes[i * width + source];
      const mapped = code < 0 ? -1 : recode[code];
      if (mapped === -2) {
        const value = read.categories[source][code];
        const line = table.sourceLines?.[i];
        throw new DataError(
          `${file}: column "${column.column}" has the category "${value}" on ${line !== undefined ? `line ${line}` : `row ${i + 1}`}, which the model never saw (it knows ${column.levels.map((l) => `"${l}"`).join(', ')}). ` +
            'Recode the value to one of these, leave the cell empty (a missing answer), or fit a model to data that include it.',
          file,
          line,
        );
      }
      codes[i * m + j] = mapped;
    }
  });
  return { n, d: m, codes, levels: expected.map((c) => c.levels.length) };
}

function categoricalLogProb(model: SavedModel, dataset: Dataset): { n: number; logProb: Float64Array } {
  const { family, probabilities } = categoricalBlock(model, dataset);
  const logProb = new Float64Array(family.n * model.k);
  family.weightedLogProb({ weights: Float64Array.from(model.parameters.weights), probabilities }, model.k, logProb);
  return { n: family.n, logProb };
}

/**
 * Each block's log-density (the Gaussian block's ln N(x_num), the Poisson block's Σ_j ln Poisson(x_j | λ_kj), the
 * categorical block's Σ_j ln θ_kj[x_j]) added to ln π_k once, as the fit adds them; a missing count or answer drops
 * out of its block's product.
 */
function mixedLogProb(model: SavedModel, dataset: Dataset, modelFile: string): { n: number; logProb: Float64Array } {
  const file = dataset.summary.fileName;
  if (dataset.kind !== 'table') throw new DataError(`${file}: the file holds images, not the model's columns. Use a table with the model's columns.`, file);
  const k = model.k;
  const n = dataset.n;
  const weights = Float64Array.from(model.parameters.weights);
  const logWeights = Array.from(weights, Math.log);
  const logProb = new Float64Array(n * k);
  const block = new Float64Array(n * k);
  // Adds a block's ln π_k + ln p(x | block) less its ln π_k.
  const add = () => {
    for (let p = 0; p < n * k; p++) logProb[p] += block[p] - logWeights[p % k];
  };
  // In the fit's order (the first block's ln π_k kept), so that the sums round alike.
  const countNames = model.countColumns ?? [];
  const split = countNames.length > 0 ? splitCountColumns(dataset, resolveCountColumns(dataset, countNames)) : undefined;
  const continuous = split ? split.rest : dataset;
  let first = true;
  if (model.d > 0) {
    logProb.set(gaussianLogProb(model, continuous, modelFile).logProb);
    first = false;
  } else if (continuous.d > 0) {
    throw sizeMismatch(file, 'has numeric columns', model, continuous.d);
  }
  if (split) {
    const counts = split.counts;
    const family = new PoissonFamily(counts.values, n, counts.d, 'kmeans++', undefined, counts.missing);
    family.weightedLogProb({ weights, rates: Float64Array.from(model.parameters.rates!.flat()) }, k, first ? logProb : block);
    if (!first) add();
    first = false;
  }
  if (model.categories) {
    const { family, probabilities } = categoricalBlock(model, dataset);
    family.weightedLogProb({ weights, probabilities }, k, block);
    add();
  }
  return { n, logProb };
}
