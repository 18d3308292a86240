// From a loaded dataset and FitOptions to a FitResult: validates the options, asks the family registry which mixture
// family takes the data (families/registry.ts), and runs that family's fit, or its model selection when the options
// give more than one candidate (k "auto", several covariance models: select/product.ts). Pure: no vscode, no
// worker_threads of its own (the worker and the CLI both call this; a selection's sweep starts its own threads).

import type { FitOptions } from '../shared/protocol';
import type { Dataset, TableData } from './data/dataset';
import { withoutIncompleteRows } from './data/missing';
import { DataError, OptionsError } from './errors';
import { addGaussianViews } from './families/gaussian/views';
import { countColumnNames, resolveCountColumns } from './families/mixed/counts';
import { checkInit, chooseFamily, familyById, type FitCallbacks, type FitOutcome } from './families/registry';
import type { EngineEnvironment } from './families/types';
import { resolveOptions } from './options';
import { selectionCandidates } from './select/product';

export { resolveOptions };
export type { EngineEnvironment, FitCallbacks, FitOutcome };
export { evenSample } from './families/types';
export { centreOffsetColumns, refuseSingularData, regularisationNotes, standardizeColumns } from './families/gaussian/prepare';

/** Which family model "auto" (or the settings) picks for a dataset, its size in that family's form, and why. */
export function chooseModel(dataset: Dataset, options: FitOptions): { model: FitOptions['model']; n: number; d: number; reason: string } {
  const chosen = chooseFamily(dataset, options);
  return { model: chosen.id, n: chosen.n, d: chosen.d, reason: chosen.reason };
}

export function fitDataset(dataset: Dataset, partialOptions: Partial<FitOptions>, callbacks: FitCallbacks = {}, environment: EngineEnvironment = {}): FitOutcome {
  const options = resolveOptions(partialOptions);
  const started = Date.now();
  // Count columns are checked on the table as loaded: one message for an unknown name or a value that is no count.
  const countNames = countColumnNames(options);
  resolveCountColumns(dataset, countNames);
  const data = dataset.kind === 'table' && dataset.missing ? rowsToMarginalise(dataset, options) : dataset;
  if (data.kind === 'table') checkCategoricalFamily(data, options);
  const chosen = chooseFamily(data, options);
  const file = dataset.summary.fileName;
  if (data.kind === 'table' && data.categorical && chosen.id !== 'categorical' && chosen.id !== 'mixed') {
    data.summary.notes.push(`categorical columns ${data.categorical.columns.map((c) => `"${c}"`).join(', ')} are not used by a ${familyById(chosen.id).label} mixture (it fits the numeric columns)`);
  }
  if (countNames.length > 0 && chosen.id !== 'mixed' && chosen.id !== 'poisson') {
    data.summary.notes.push(`count columns ${countNames.map((c) => `"${c}"`).join(', ')} (countColumns) are read as counts by the mixed and Poisson families only; a ${familyById(chosen.id).label} mixture takes them as it takes the other numeric columns`);
  }
  const { n, d } = chosen;
  if (n === 0) throw new DataError(`${file}: no complete numeric rows to fit.`, file);
  const { ks, models } = selectionCandidates(options, chosen.id, n, d);
  checkInit(familyById(chosen.id), options.init);
  if (data.kind === 'table' && data.weights) {
    const weights = `case weights (column "${data.weightsColumn}")`;
    if (!data.weights.some((w) => w > 0)) throw new DataError(`${file}: every case weight in column "${data.weightsColumn}" is 0, so no row counts. Expected some weights above 0.`, file);
    if (models[0] === 'variational') throw new OptionsError(`${weights} are not supported by the variational mixture: use another covarianceType, or set weightsColumn to "".`);
  }
  if (ks.length * models.length > 1) {
    if (options.initParams) throw new OptionsError(`initParams fixes K = ${options.initParams.weights.length} and the start; set k to ${options.initParams.weights.length} (not "auto") and one covariance model, or leave initParams unset.`);
    return withViews(data, chosen.select({ options, started, callbacks, environment, ks, models }));
  }
  // One candidate: the single fit, exactly as with a fixed K and covariance type.
  const k = ks[0];
  if (n < k) {
    throw new DataError(`${file}: ${n} usable row${n === 1 ? '' : 's'} but K = ${k} components; K must not exceed the number of rows.`, file);
  }
  const single = chosen.id === 'gaussian' ? { ...options, k, covarianceType: models[0] as FitOptions['covarianceType'] } : { ...options, k };
  return withViews(data, chosen.fit({ options: single, started, callbacks }));
}

/** A table whose every feature is categorical takes the categorical family only: one message naming the columns. */
function checkCategoricalFamily(table: TableData, options: FitOptions): void {
  if (table.d > 0 || !table.categorical || options.model === 'auto' || options.model === 'categorical') return;
  const file = table.summary.fileName;
  throw new DataError(
    `${file}: every column to fit is categorical (${table.categorical.columns.map((c) => `"${c}"`).join(', ')}), but a ${familyById(options.model).label} mixture needs columns of numbers. Use model "categorical" or "auto".`,
    file,
  );
}

/** The panel's extra views of a Gaussian fit of a table (MclustDR directions, the most uncertain rows). */
function withViews(dataset: Dataset, outcome: FitOutcome): FitOutcome {
  if (dataset.kind === 'table') addGaussianViews(dataset, outcome.result);
  return outcome;
}

/**
 * The table as the fit will use it: every row when the fit marginalises missing cells (one Gaussian fit with a
 * scikit-learn type or an mclust model), otherwise without the rows that have a missing cell, saying why.
 */
function rowsToMarginalise(table: TableData, options: FitOptions): TableData {
  const skip = (why: string, fix: string): TableData => {
    const complete = withoutIncompleteRows(table, why);
    if (complete.n > 0) return complete;
    const file = table.summary.fileName;
    throw new DataError(`${file}: every usable row has a missing cell, and ${why}. ${fix}`, file);
  };
  if (options.missing === 'skip') return skip('missing is "skip"', 'Set missing to "marginalize" (CLI: --missing marginalize) to fit the rows on their observed cells.');
  const other = options.model !== 'auto' && options.model !== 'gaussian' ? familyById(options.model) : options.model === 'auto' ? takenByAnotherFamily(table, options) : undefined;
  // The categorical family fits the text columns' codes (their missing cells it marginalises itself), not these cells;
  // the mixed family's Gaussian block marginalises them (in its K sweep too).
  // The Bernoulli family leaves a missing cell out of its row's product.
  if (other?.id === 'categorical' || other?.id === 'mixed' || other?.id === 'bernoulli') return table;
  if (other) return skip(`a ${other.label} mixture does not marginalise missing cells`, 'Use model "gaussian".');
  if (options.covarianceType === 'variational') return skip('the variational mixture does not marginalise missing cells', 'Use another covarianceType.');
  const { ks, models } = selectionCandidates(options, 'gaussian', table.n, table.d);
  if (ks.length * models.length > 1) {
    return skip('a model selection fits complete rows only', 'Set k to a number (CLI: --k 2) to fit the rows on their observed cells.');
  }
  return table;
}

/** Under model "auto": the family other than the Gaussian the complete rows would go to (0/1 data: Bernoulli), if any. */
function takenByAnotherFamily(table: TableData, options: FitOptions): { id: string; label: string } | undefined {
  const complete = withoutIncompleteRows(table, '');
  if (complete.n === 0) return undefined;
  const chosen = chooseFamily(complete, options);
  return chosen.id !== 'gaussian' ? familyById(chosen.id) : undefined;
}
