// What the Python and R emitters share: the model's one-line title, literals, which rows the fit kept (missing cells,
// case weights), and the refusal of what they cannot reproduce.

import { FORMAT_NAMES } from '../../data/formatNames';
import { OptionsError } from '../../errors';
import type { SavedModel } from '../schema';

export { missingRowsSkipped } from '../fittedRows';

/**
 * A text file's case weights are read from the field the fit read them from; a model saved before that field was
 * recorded cannot say which it is, so its script is refused with what to use instead.
 */
export function weightsField(model: SavedModel, language: string): number | undefined {
  const column = model.preprocessing.weightsColumn;
  if (!column || model.source.format !== 'delimited-text') return undefined;
  const field = model.source.text?.weightsField;
  if (field === undefined) {
    throw new OptionsError(
      `${model.source.fileName}: cannot write ${language} code for this fit with case weights (column "${column}"): the model does not record which field holds them (it was saved by an earlier Mixscope). ` +
        'Fit the file again with this version, or use mixscope predict M.json FILE (it reads the weights column by name).',
    );
  }
  return field;
}

/** An .npy table's weights column: the 0-based column of its name x1, x2, … (the loader's names). */
export function npyWeightsColumn(model: SavedModel): number | undefined {
  const column = model.preprocessing.weightsColumn;
  if (!column || model.source.format !== 'npy') return undefined;
  const match = /^x(\d+)$/.exec(column);
  if (!match) throw new OptionsError(`${model.source.fileName}: the model's weights column "${column}" is not a column of a .npy array (x1, x2, …).`);
  return Number(match[1]) - 1;
}

/** "Mixscope's Gaussian mixture (mclust model EEE, K = 3) of faithful.csv" */
export function modelTitle(model: SavedModel): string {
  const covariance = `${/^[EV]/.test(model.covarianceModel ?? '') ? 'mclust model ' : 'covariance '}${model.covarianceModel}`;
  const kind =
    model.family === 'gaussian'
      ? `Gaussian mixture (${covariance}, K = ${model.k})`
      : model.family === 'mixed'
        ? `mixed mixture (${mixedBlocks(model, covariance)}, K = ${model.k})`
        : `${{ poisson: 'Poisson', bernoulli: 'Bernoulli', categorical: 'categorical' }[model.family]} mixture (K = ${model.k})`;
  return `Mixscope's ${kind} of ${model.source.fileName}`;
}

/** "a Gaussian block, covariance full, a Poisson block and a categorical block" */
function mixedBlocks(model: SavedModel, covariance: string): string {
  const blocks = [model.d > 0 ? `a Gaussian block, ${covariance},` : '', model.countColumns ? 'a Poisson block' : '', model.categories ? 'a categorical block' : ''].filter(Boolean);
  if (blocks.length === 2) return `${blocks[0]} and ${blocks[1]}`;
  return `${blocks[0]} ${blocks[1]} and ${blocks[2]}`;
}

/** A number, string or nested list as Python (and JSON) writes it; numbers round-trip exactly. */
export function literal(value: unknown): string {
  return JSON.stringify(value);
}

export function emitError(model: SavedModel, language: string, what: string, supported = 'delimited text, IDX and .npy files'): OptionsError {
  return new OptionsError(`${model.source.fileName}: cannot write ${language} code for ${what}; it can for ${supported}.`);
}

/**
 * A format the scripts have no reader for (JSON, Excel, Arrow, Parquet): said by its name, with what to do instead
 * (predict reads every format; a CSV export of the table can be scripted).
 */
export function formatError(model: SavedModel, language: string, supported?: string): OptionsError {
  const format = Object.values(FORMAT_NAMES).find((f) => f.id === model.source.format)?.name ?? model.source.format;
  const e = emitError(model, language, `files read as ${format}`, supported);
  return new OptionsError(`${e.message.slice(0, -1)}. Use mixscope predict M.json FILE (it reads every format), or save the table as CSV and fit that.`);
}
