// A saved model shown on a data file as the panel shows a fit: each family's own fit path, started from the model's
// parameters and stopped before the first M-step (maxIterations 0). The one E-step at those parameters gives the
// responsibilities, assignments and log-likelihood that predict.ts gives, and the family packages them as it packages
// a fit: the plotted sample and its projection, the components (ellipses, mean images, rates), the label scores, BIC.
// The file is read and preprocessed as the model's fit read its own (loadForModel): a Gaussian model's columns are
// standardised with the model's means and sds, a Bernoulli model's pixels binarised with its scale and threshold.

import type { FitOptions, FitResult } from '../../shared/protocol';
import type { Dataset } from '../data/dataset';
import { DataError, FitError, OptionsError } from '../errors';
import { fitBernoulliImages, imagesForBernoulli } from '../families/bernoulli/entry';
import { imagesAsTable } from '../families/gaussian/entry';
import { announce, prepareGaussianTable, runGaussianFit } from '../families/gaussian/single';
import { addGaussianViews } from '../families/gaussian/views';
import { fitCategorical, type CategoricalTable } from '../families/categorical/entry';
import type { CategoricalParams } from '../families/categorical/family';
import { resolveCountColumns, splitCountColumns } from '../families/mixed/counts';
import { fitMixed } from '../families/mixed/entry';
import { asCountTable, fitCounts } from '../families/poisson/entry';
import type { FitCallbacks, FitOutcome, FixedFitOptions } from '../families/types';
import { resolveOptions } from '../options';
import { modelCodedCategories, sizeMismatch } from './predict';
import type { SavedModel } from './schema';

type FamilyApply = (model: SavedModel, dataset: Dataset, options: FixedFitOptions, reason: string, started: number, callbacks: FitCallbacks) => FitOutcome;

/** Each family's run from a saved model's parameters. */
const APPLY: Record<SavedModel['family'], FamilyApply> = {
  gaussian: applyGaussian,
  bernoulli: applyBernoulli,
  poisson: applyPoisson,
  categorical: applyCategorical,
  mixed: applyMixed,
};

/** What the viewer decides, not the model: how many points the panel plots. */
export interface ApplyViewOptions {
  maxPlotPoints: number;
}

/**
 * The result of `model` on `dataset` (read by loadForModel), as a fit's outcome with `result.applied` set.
 * `modelFile` names the model in messages; a problem with its parameters is a DataError naming it.
 */
export function applyModel(model: SavedModel, dataset: Dataset, modelFile: string, view: ApplyViewOptions, callbacks: FitCallbacks = {}): FitOutcome {
  const started = Date.now();
  const options = appliedOptions(model, modelFile, view);
  const reason = `the saved model ${modelFile}, fitted to ${model.source.fileName}`;
  let outcome: FitOutcome;
  try {
    const familyApply = APPLY[model.family];
    if (!familyApply) throw new DataError(`${modelFile}: a ${String((model as { family: unknown }).family)} model cannot be applied.`, modelFile);
    outcome = familyApply(model, dataset, options, reason, started, callbacks);
  } catch (e) {
    // The parameters came from the model file, not from settings: say so, in the model's own names.
    if (e instanceof OptionsError) throw new DataError(`${modelFile}: its parameters cannot be used: ${e.message.replace(/initParams\.|initial parameters: /g, 'parameters.')}`, modelFile);
    if (e instanceof FitError) throw new FitError(`${dataset.summary.fileName} under ${modelFile}: ${e.message}`);
    throw e;
  }
  const result: FitResult = outcome.result;
  result.applied = {
    modelFile,
    fittedTo: model.source.fileName,
    fittedRows: model.source.n,
    fittedLogLikelihood: model.fit.logLikelihood,
    ...(model.covarianceModel ? { covarianceModel: model.covarianceModel } : {}),
  };
  result.elapsedMs = Date.now() - started;
  return outcome;
}

/**
 * The model's own settings with K fixed, its parameters as the start and no M-step; one start (nothing random is
 * drawn) and the viewer's plotted points. Settings the model file carries are checked as any settings are.
 */
function appliedOptions(model: SavedModel, modelFile: string, view: ApplyViewOptions): FixedFitOptions {
  let settings: FitOptions;
  try {
    settings = resolveOptions({ ...model.settings, k: model.k });
  } catch (e) {
    throw new DataError(`${modelFile}: its settings cannot be read: ${(e as Error).message}`, modelFile);
  }
  const p = model.parameters;
  return {
    ...settings,
    model: model.family,
    k: model.k,
    init: 'params',
    initParams: { weights: p.weights, means: p.means, ...(p.covariances ? { covariances: p.covariances } : {}) },
    maxIterations: 0,
    restarts: 1,
    emVariant: 'soft',
    maxPlotPoints: view.maxPlotPoints,
    // One E-step: the thread pool of the Bernoulli family would cost more than it saves.
    threads: 1,
  };
}

function applyGaussian(model: SavedModel, dataset: Dataset, options: FixedFitOptions, reason: string, started: number, callbacks: FitCallbacks): FitOutcome {
  const table = dataset.kind === 'table' ? dataset : imagesAsTable(dataset);
  const file = table.summary.fileName;
  if (table.d !== model.d) throw sizeMismatch(file, dataset.kind === 'table' ? 'has columns' : 'has pixels per image', model, table.d);
  if (table.n < 1) throw new DataError(`${file}: no complete numeric rows to apply the model to.`, file);
  const saved = model.covarianceModel!;
  // A variational fit's expected parameters are an ordinary mixture with full covariances (as predict.ts scores it).
  const covarianceType = (saved === 'variational' ? 'full' : saved) as FixedFitOptions['covarianceType'];
  const standardization = model.preprocessing.standardization ?? undefined;
  const gaussianOptions: FixedFitOptions = { ...options, covarianceType, standardize: standardization !== undefined };
  const prepared = prepareGaussianTable(table, gaussianOptions, options.regularization, undefined, standardization);
  announce(prepared, reason, callbacks);
  const outcome = runGaussianFit(prepared, gaussianOptions, reason, started, callbacks);
  if (saved === 'variational') outcome.result.notes = [...(outcome.result.notes ?? []), `${model.source.fileName}'s variational fit is applied through its expected parameters, as a mixture with full covariances.`];
  if (dataset.kind === 'table') addGaussianViews(table, outcome.result);
  return outcome;
}

function applyBernoulli(model: SavedModel, dataset: Dataset, options: FixedFitOptions, reason: string, started: number, callbacks: FitCallbacks): FitOutcome {
  const images = imagesForBernoulli(dataset, options);
  if (images.d !== model.d) throw sizeMismatch(images.summary.fileName, 'has pixels per image', model, images.d);
  const image = model.preprocessing.image!;
  // Binarised as the model's own file was: its pixel scale and threshold.
  return fitBernoulliImages({ ...images, scale: image.pixelScale }, { options: { ...options, threshold: image.threshold }, reason, started, callbacks });
}

function applyPoisson(model: SavedModel, dataset: Dataset, options: FixedFitOptions, reason: string, started: number, callbacks: FitCallbacks): FitOutcome {
  const table = asCountTable(dataset);
  if (table.d !== model.d) throw sizeMismatch(table.summary.fileName, 'has columns', model, table.d);
  if (table.n < 1) throw new DataError(`${table.summary.fileName}: no rows of counts to apply the model to.`, table.summary.fileName);
  const p = model.parameters;
  const given = { weights: Float64Array.from(p.weights), rates: Float64Array.from(p.means.flat()) };
  return fitCounts(table, { options: { ...options, init: 'kmeans++' }, reason, started, callbacks }, given);
}

/** The file's categorical columns as the model coded them (its categories, in its order), as the family fits them. */
function categoricalTableFor(model: SavedModel, dataset: Dataset): CategoricalTable {
  const file = dataset.summary.fileName;
  const columns = modelCodedCategories(model, dataset);
  if (dataset.kind !== 'table') throw new DataError(`${file}: the file holds images, not the model's categorical columns.`, file);
  if (columns.n < 1) throw new DataError(`${file}: no rows to apply the model to.`, file);
  const categories = model.categories!;
  return { table: dataset, n: columns.n, d: columns.d, columns, names: categories.map((c) => c.column), categories: categories.map((c) => c.levels) };
}

function categoricalParams(model: SavedModel): CategoricalParams {
  return { weights: Float64Array.from(model.parameters.weights), probabilities: Float64Array.from(model.parameters.probabilities!.flat(2)) };
}

function applyCategorical(model: SavedModel, dataset: Dataset, options: FixedFitOptions, reason: string, started: number, callbacks: FitCallbacks): FitOutcome {
  const data = categoricalTableFor(model, dataset);
  return fitCategorical(data, { options: { ...options, init: 'kmeans++' }, reason, started, callbacks }, categoricalParams(model));
}

function applyMixed(model: SavedModel, dataset: Dataset, options: FixedFitOptions, reason: string, started: number, callbacks: FitCallbacks): FitOutcome {
  const file = dataset.summary.fileName;
  if (dataset.kind !== 'table') throw new DataError(`${file}: the file holds images, not the model's columns. Use a table with the model's columns.`, file);
  const categorical = model.categories ? categoricalTableFor(model, dataset) : undefined;
  const countNames = model.countColumns ?? [];
  const split = countNames.length > 0 ? splitCountColumns(dataset, resolveCountColumns(dataset, countNames)) : undefined;
  const continuous = split ? split.rest : dataset;
  if (continuous.d !== model.d) throw sizeMismatch(file, 'has numeric columns', model, continuous.d);
  if (dataset.n < 1) throw new DataError(`${file}: no rows to apply the model to.`, file);
  const p = model.parameters;
  const weights = Float64Array.from(p.weights);
  const covarianceType = (model.covarianceModel ?? options.covarianceType) as FixedFitOptions['covarianceType'];
  return fitMixed(
    {
      table: dataset,
      n: dataset.n,
      d: dataset.d + (categorical?.d ?? 0),
      ...(model.d > 0 ? { gaussian: continuous } : {}),
      ...(split ? { counts: split.counts } : {}),
      ...(categorical ? { categorical } : {}),
    },
    { options: { ...options, covarianceType, init: 'kmeans++', initParams: undefined }, reason, started, callbacks },
    {
      ...(model.d > 0 ? { gaussian: { weights: p.weights, means: p.means, covariances: p.covariances! } } : {}),
      ...(split ? { poisson: { weights, rates: Float64Array.from(p.rates!.flat()) } } : {}),
      ...(categorical ? { categorical: categoricalParams(model) } : {}),
    },
  );
}
