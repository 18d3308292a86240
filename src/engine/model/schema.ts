// The saved-model file (`mixscope fit --save-model`, the panel's model export): a fitted mixture with everything
// needed to apply it to another file (predict.ts) or to rebuild it in Python or R (emit/): the family and covariance
// model, the parameters, the columns, how the rows were read and preprocessed, and the settings of the fit.
// Versioned: a reader refuses a newer version instead of misreading it.

import type { DataSource, DatasetSummary, FitOptions, FitResult } from '../../shared/protocol';
import { DataError } from '../errors';
import { isMclustModelName } from '../families/gaussian/mclust/models';

export const MODEL_FORMAT = 'mixscope-model';
export const SAVED_FAMILIES = ['gaussian', 'bernoulli', 'poisson', 'categorical', 'mixed'] as const;
export type SavedFamily = (typeof SAVED_FAMILIES)[number];
export const MODEL_SCHEMA_VERSION = 1;

const SKLEARN_TYPES = ['full', 'diag', 'spherical', 'tied'];

export interface SavedModel {
  format: typeof MODEL_FORMAT;
  version: number;
  family: SavedFamily;
  /**
   * Gaussian (and a mixed model's Gaussian block): the covariance model fitted: scikit-learn's full, diag, spherical or tied, an mclust name (EII … VVV;
   * E, V for one column), or variational (its expected parameters, applied as an ordinary mixture).
   */
  covarianceModel?: string;
  k: number;
  d: number;
  /**
   * The fitted columns, matched by name in another file (images: empty, every pixel is used): a mixed model's
   * numeric columns (its categorical ones are in `categories`), a categorical model's categorical columns.
   */
  columns: string[];
  /** Categorical and mixed: each categorical column and its categories, in the order of `parameters.probabilities`. */
  categories?: { column: string; levels: string[] }[];
  /** Mixed with a Poisson block: its count columns, in the order of `parameters.rates`' columns (absent: none). */
  countColumns?: string[];
  parameters: {
    weights: number[];
    /**
     * Gaussian (and a mixed model's Gaussian block): K × D means (in standardised units when the columns were
     * standardised); Bernoulli: pixel probabilities; Poisson: rates λ. Empty in a categorical model.
     */
    means: number[][];
    /** Gaussian and mixed: K × D × D, whatever the covariance model. */
    covariances?: number[][][];
    /** Categorical and mixed: K × column × category probabilities. */
    probabilities?: number[][][];
    /** Mixed with count columns: K × countColumns Poisson rates λ. */
    rates?: number[][];
  };
  preprocessing: {
    /** Each column x becomes (x − mean) / sd before the model applies. */
    standardization: { mean: number[]; sd: number[] } | null;
    /** A column of class labels kept out of the fit. */
    labelColumn: string | null;
    /** The column of case weights the fit read (not a feature); absent in models saved before case weights. */
    weightsColumn?: string | null;
    /** Bernoulli: a pixel is 1 when value / pixelScale > threshold. */
    image: { threshold: number; pixelScale: number; shape: [number, number] | null } | null;
  };
  /** The file the model was fitted to and how it was read. */
  source: DataSource & { fileName: string; n: number };
  fit: {
    logLikelihood: number;
    bic: number;
    aic: number;
    iterations: number;
    converged: boolean;
    parameters?: number;
    emVariant?: string;
    /** With case weights: Σ w_i, the n of BIC. */
    caseWeightTotal?: number;
    /** Missing cells per column that the fit integrated out (its rows were scored on their observed cells). */
    missingCells?: number[];
    /** Mixed: missing cells per count column, left out of their rows' Poisson product. */
    missingCountCells?: number[];
  };
  /** The settings of the fit (after a model selection: k "auto" and the ranges it swept). */
  settings: FitOptions;
  createdBy?: string;
}

export interface SaveModelInput {
  options: FitOptions;
  result: FitResult;
  /** What the loader read (the fit's `loaded` summary). */
  summary: DatasetSummary;
  /** "mixscope 0.1.0" */
  createdBy?: string;
}

/** The saved model of a finished fit. */
export function buildSavedModel({ options, result, summary, createdBy }: SaveModelInput): SavedModel {
  const counts = result.model === 'mixed' && result.countColumns ? result.countColumns : undefined;
  const source = counts ? withCountFields(summary.source ?? { format: 'unknown' }, summary.columns, result.columns, counts) : (summary.source ?? { format: 'unknown' });
  // A mixed fit's blocks: a Gaussian one over its continuous columns (d > 0), a categorical one, a Poisson one.
  const gaussian = result.model === 'gaussian' || (result.model === 'mixed' && result.d > 0);
  const categorical = result.model === 'categorical' || (result.model === 'mixed' && result.categories !== undefined);
  if (gaussian && !result.covariances) throw new Error(`internal: a ${result.model} result without covariances`);
  if (categorical && (!result.categories || !result.probabilities)) throw new Error(`internal: a ${result.model} result without categories`);
  if (counts && !result.rates) throw new Error('internal: a mixed result with count columns but no rates');
  return {
    format: MODEL_FORMAT,
    version: MODEL_SCHEMA_VERSION,
    family: result.model,
    ...(gaussian ? { covarianceModel: result.covarianceType } : {}),
    k: result.k,
    d: result.model === 'categorical' ? result.categories!.length : result.d,
    columns: result.model === 'categorical' ? result.categories!.map((c) => c.column) : result.columns,
    ...(categorical ? { categories: result.categories } : {}),
    ...(counts ? { countColumns: counts } : {}),
    parameters: {
      weights: result.weights,
      means: result.model === 'categorical' ? [] : result.means,
      ...(gaussian ? { covariances: result.covariances } : {}),
      ...(categorical ? { probabilities: result.probabilities } : {}),
      ...(counts ? { rates: result.rates } : {}),
    },
    preprocessing: {
      standardization: result.standardization ?? null,
      labelColumn: source.text?.labelColumn ?? null,
      weightsColumn: result.caseWeights?.column ?? null,
      image: result.model !== 'bernoulli' ? null : { threshold: options.threshold, pixelScale: source.pixelScale ?? 1, shape: result.imageShape ?? summary.imageShape ?? null },
    },
    source: { ...source, fileName: summary.fileName, n: result.n },
    fit: {
      logLikelihood: result.logLikelihood,
      bic: result.bic,
      aic: result.aic,
      iterations: result.iterations,
      converged: result.converged,
      ...(result.parameters !== undefined ? { parameters: result.parameters } : {}),
      ...(result.emVariant ? { emVariant: result.emVariant } : {}),
      ...(result.caseWeights ? { caseWeightTotal: result.caseWeights.total } : {}),
      ...(result.missingCells ? { missingCells: result.missingCells } : {}),
      ...(result.missingCountCells ? { missingCountCells: result.missingCountCells } : {}),
    },
    settings: options,
    ...(createdBy ? { createdBy } : {}),
  };
}

/**
 * A text layout's fields split as a mixed fit with count columns splits the numeric columns it read (`read`, in
 * the order of columnFields): the continuous ones (`columns`) keep columnFields, the counts get countFields.
 */
function withCountFields(source: DataSource, read: string[], columns: string[], counts: string[]): DataSource {
  const text = source.text;
  if (!text || text.columnFields.length !== read.length) return source;
  const field = (name: string) => text.columnFields[read.indexOf(name)];
  return { ...source, text: { ...text, columnFields: columns.map(field), countFields: counts.map(field) } };
}

export function savedModelJson(model: SavedModel): string {
  return JSON.stringify(model, null, 2) + '\n';
}

/** Reads a saved model, checking every part the engine uses; anything else is one DataError naming the file. */
export function parseSavedModel(text: string, fileName: string): SavedModel {
  const fail = (what: string): never => {
    throw new DataError(`${fileName}: ${what}`, fileName);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(`is not valid JSON (${(e as Error).message}); expected a model saved by mixscope fit --save-model.`);
  }
  const m = raw as Partial<SavedModel> & Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || m.format !== MODEL_FORMAT) {
    return fail(`is not a Mixscope model (expected "format": "${MODEL_FORMAT}"): save one with mixscope fit FILE --save-model M.json or the panel's model export.`);
  }
  if (typeof m.version !== 'number' || !Number.isInteger(m.version) || m.version < 1) return fail('has no valid "version".');
  if (m.version > MODEL_SCHEMA_VERSION) {
    return fail(`is a version ${m.version} model, written by a newer Mixscope; this one reads version ${MODEL_SCHEMA_VERSION}. Update Mixscope.`);
  }
  if (!SAVED_FAMILIES.includes(m.family as SavedFamily)) return fail(`"family" must be one of ${SAVED_FAMILIES.map((f) => `"${f}"`).join(', ')}, got ${JSON.stringify(m.family)}.`);
  const k = m.k;
  const d = m.d;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) return fail(`"k" must be a whole number ≥ 1, got ${JSON.stringify(k)}.`);
  // A mixed model without a Gaussian block (count and categorical columns only) has d = 0.
  const counts = m.family === 'mixed' && m.countColumns !== undefined;
  if (counts && (!Array.isArray(m.countColumns) || m.countColumns.length === 0 || m.countColumns.some((c) => typeof c !== 'string'))) return fail('"countColumns" must list the count columns\' names.');
  const minD = counts ? 0 : 1;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < minD) return fail(`"d" must be a whole number ≥ ${minD}, got ${JSON.stringify(d)}.`);
  if (!Array.isArray(m.columns) || m.columns.some((c) => typeof c !== 'string') || (m.columns.length !== d && m.columns.length !== 0)) {
    return fail(`"columns" must list the ${d} fitted column names.`);
  }
  const p = m.parameters;
  if (typeof p !== 'object' || p === null) return fail('has no "parameters".');
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const vector = (v: unknown, length: number, path: string, ok: (x: number) => boolean, expected: string): void => {
    if (!Array.isArray(v) || v.length !== length) fail(`${path} must be a list of ${length} numbers.`);
    (v as unknown[]).forEach((x, i) => {
      if (!finite(x) || !ok(x)) fail(`${path}[${i}] must be ${expected}, got ${JSON.stringify(x)}.`);
    });
  };
  vector(p.weights, k, 'parameters.weights', (x) => x > 0, 'a positive number');
  const bernoulli = m.family === 'bernoulli';
  const poisson = m.family === 'poisson';
  if (m.family === 'categorical' || (m.family === 'mixed' && (!counts || m.categories !== undefined))) checkCategories(m, k, m.family === 'categorical' ? d : undefined, fail, vector);
  if (counts) {
    const columns = m.countColumns!.length;
    if (!Array.isArray(p.rates) || p.rates.length !== k) return fail(`parameters.rates must be K × count columns (${k} × ${columns}).`);
    p.rates.forEach((row, j) => vector(row, columns, `parameters.rates[${j}]`, (x) => x > 0, 'a positive rate'));
    if (d === 0 && m.categories === undefined) return fail('a mixed model needs two of: numeric columns, count columns and categorical columns.');
  }
  if (m.family === 'categorical') {
    if (m.columns.length !== d || m.columns.some((c, j) => c !== m.categories![j].column)) return fail('"columns" must name the categorical columns of "categories", in order.');
    p.means = [];
  } else {
    if (!Array.isArray(p.means) || p.means.length !== k) return fail(`parameters.means must be K × D (${k} × ${d}).`);
    const [meanOk, meanExpected] = bernoulli ? [(x: number) => x > 0 && x < 1, 'a probability strictly between 0 and 1'] : poisson ? [(x: number) => x > 0, 'a positive rate'] : [() => true, 'a finite number'];
    p.means.forEach((row, j) => vector(row, d, `parameters.means[${j}]`, meanOk, meanExpected));
  }
  const pre = m.preprocessing;
  if (typeof pre !== 'object' || pre === null) return fail('has no "preprocessing".');
  if (m.family === 'gaussian' || (m.family === 'mixed' && d > 0)) {
    const model = m.covarianceModel;
    if (typeof model !== 'string' || !(SKLEARN_TYPES.includes(model) || isMclustModelName(model) || model === 'variational')) {
      return fail(`"covarianceModel" must be full, diag, spherical, tied, variational or an mclust model name, got ${JSON.stringify(model)}.`);
    }
    if (!Array.isArray(p.covariances) || p.covariances.length !== k) return fail(`parameters.covariances must be K × D × D (${k} × ${d} × ${d}).`);
    p.covariances.forEach((matrix, j) => {
      if (!Array.isArray(matrix) || matrix.length !== d) fail(`parameters.covariances[${j}] must be a D × D matrix (${d} × ${d}).`);
      (matrix as unknown[]).forEach((row, r) => vector(row, d, `parameters.covariances[${j}][${r}]`, () => true, 'a finite number'));
    });
    const s = pre.standardization;
    if (s !== null && s !== undefined) {
      vector(s.mean, d, 'preprocessing.standardization.mean', () => true, 'a finite number');
      vector(s.sd, d, 'preprocessing.standardization.sd', (x) => x > 0, 'a positive number');
    }
  } else if (bernoulli) {
    const image = pre.image;
    if (typeof image !== 'object' || image === null || !finite(image.threshold) || !finite(image.pixelScale) || !(image.pixelScale > 0)) {
      return fail('preprocessing.image must give the binarisation: {"threshold": 0.5, "pixelScale": 255}.');
    }
  }
  const w = pre.weightsColumn;
  if (w !== undefined && w !== null && (typeof w !== 'string' || w.trim() === '')) return fail(`preprocessing.weightsColumn must be a column name or null, got ${JSON.stringify(w)}.`);
  if (typeof m.settings !== 'object' || m.settings === null) return fail('has no "settings".');
  if (typeof m.source !== 'object' || m.source === null || typeof m.source.format !== 'string') return fail('has no "source" (how the fitted file was read).');
  return m as SavedModel;
}

/**
 * A categorical or mixed model's `categories` (each column's distinct levels) and its K × column × level
 * `parameters.probabilities` (each cluster's distribution of a column: probabilities in (0, 1] summing to 1).
 */
function checkCategories(
  m: Partial<SavedModel>,
  k: number,
  columns: number | undefined,
  fail: (what: string) => never,
  vector: (v: unknown, length: number, path: string, ok: (x: number) => boolean, expected: string) => void,
): void {
  const categories = m.categories;
  if (!Array.isArray(categories) || categories.length === 0 || (columns !== undefined && categories.length !== columns)) {
    fail(`"categories" must list the ${columns ?? ''}${columns === undefined ? '' : ' '}categorical columns, each as {"column": name, "levels": [its categories]}.`);
  }
  categories!.forEach((c, j) => {
    const ok = typeof c === 'object' && c !== null && typeof c.column === 'string' && Array.isArray(c.levels) && c.levels.length > 0 && c.levels.every((l) => typeof l === 'string');
    if (!ok || new Set(c.levels).size !== c.levels.length) fail(`categories[${j}] must be {"column": name, "levels": [distinct category names]}.`);
  });
  const p = m.parameters!.probabilities;
  if (!Array.isArray(p) || p.length !== k) fail(`parameters.probabilities must be K × column × category (${k} clusters).`);
  p!.forEach((cluster, c) => {
    if (!Array.isArray(cluster) || cluster.length !== categories!.length) fail(`parameters.probabilities[${c}] must give each of the ${categories!.length} categorical columns' probabilities.`);
    cluster.forEach((row, j) => {
      const path = `parameters.probabilities[${c}][${j}]`;
      vector(row, categories![j].levels.length, path, (x) => x > 0 && x <= 1, 'a probability above 0 and at most 1');
      const sum = (row as number[]).reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > 1e-6) fail(`${path} must sum to 1 (the distribution of column "${categories![j].column}"), got ${sum}.`);
    });
  });
}
