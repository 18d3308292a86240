// From a loaded dataset and FitOptions to a FitResult: validates the options, asks the family registry which mixture
// family takes the data (families/registry.ts), and runs that family's fit, or its model selection when the options
// give more than one candidate (k "auto", several covariance models: select/product.ts). Pure: no vscode, no
// worker_threads of its own (the worker and the CLI both call this; a selection's sweep starts its own threads).

import type { FitOptions } from '../shared/protocol';
import type { Dataset } from './data/dataset';
import { DataError, OptionsError } from './errors';
import { addGaussianViews } from './families/gaussian/views';
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
  const chosen = chooseFamily(dataset, options);
  const file = dataset.summary.fileName;
  const { n, d } = chosen;
  if (n === 0) throw new DataError(`${file}: no complete numeric rows to fit.`, file);
  const { ks, models } = selectionCandidates(options, chosen.id, n, d);
  checkInit(familyById(chosen.id), options.init);
  if (ks.length * models.length > 1) {
    if (options.initParams) throw new OptionsError(`initParams fixes K = ${options.initParams.weights.length} and the start; set k to ${options.initParams.weights.length} (not "auto") and one covariance model, or leave initParams unset.`);
    return withViews(dataset, chosen.select({ options, started, callbacks, environment, ks, models }));
  }
  // One candidate: the single fit, exactly as with a fixed K and covariance type.
  const k = ks[0];
  if (n < k) {
    throw new DataError(`${file}: ${n} usable row${n === 1 ? '' : 's'} but K = ${k} components; K must not exceed the number of rows.`, file);
  }
  const single = chosen.id === 'gaussian' ? { ...options, k, covarianceType: models[0] as FitOptions['covarianceType'] } : { ...options, k };
  return withViews(dataset, chosen.fit({ options: single, started, callbacks }));
}

/** The panel's extra views of a Gaussian fit of a table (MclustDR directions, the most uncertain rows). */
function withViews(dataset: Dataset, outcome: FitOutcome): FitOutcome {
  if (dataset.kind === 'table') addGaussianViews(dataset, outcome.result);
  return outcome;
}
