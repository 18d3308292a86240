// From a loaded dataset and FitOptions to a FitResult: validates the options, asks the family registry which mixture
// family takes the data (families/registry.ts), and runs that family's fit. Pure: no vscode, no worker_threads (the
// worker and the CLI both call this).

import type { FitOptions } from '../shared/protocol';
import type { Dataset } from './data/dataset';
import { DataError } from './errors';
import { checkInit, chooseFamily, familyById, type FitCallbacks, type FitOutcome } from './families/registry';
import { resolveOptions } from './options';

export { resolveOptions };
export type { FitCallbacks, FitOutcome };
export { evenSample } from './families/types';
export { centreOffsetColumns, refuseSingularData, regularisationNotes, standardizeColumns } from './families/gaussian/prepare';

/** Which family model "auto" (or the settings) picks for a dataset, its size in that family's form, and why. */
export function chooseModel(dataset: Dataset, options: FitOptions): { model: FitOptions['model']; n: number; d: number; reason: string } {
  const chosen = chooseFamily(dataset, options);
  return { model: chosen.id, n: chosen.n, d: chosen.d, reason: chosen.reason };
}

export function fitDataset(dataset: Dataset, partialOptions: Partial<FitOptions>, callbacks: FitCallbacks = {}): FitOutcome {
  const options = resolveOptions(partialOptions);
  const started = Date.now();
  const chosen = chooseFamily(dataset, options);
  const file = dataset.summary.fileName;
  const { n } = chosen;
  if (n === 0) throw new DataError(`${file}: no complete numeric rows to fit.`, file);
  if (n < options.k) {
    throw new DataError(`${file}: ${n} usable row${n === 1 ? '' : 's'} but K = ${options.k} components; K must not exceed the number of rows.`, file);
  }
  checkInit(familyById(chosen.id), options.init);
  return chosen.fit({ options, started, callbacks });
}
