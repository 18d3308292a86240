// What the Python and R emitters share: the model's one-line title, literals, and the refusal of what they cannot
// reproduce.

import { FORMAT_NAMES } from '../../data/formatNames';
import { OptionsError } from '../../errors';
import type { SavedModel } from '../schema';

/**
 * The scripts score each complete row once: a fit with case weights, or one that integrated missing cells out, is
 * not what they would reproduce, so they are refused with what to use instead.
 */
export function refuseUnreproducible(model: SavedModel, language: string): void {
  const file = model.source.fileName;
  const weights = model.preprocessing.weightsColumn;
  if (weights) {
    throw new OptionsError(
      `${file}: cannot write ${language} code for a fit with case weights (column "${weights}"): the script would count every row once. ` +
        'Use mixscope predict M.json FILE (it reads the weights column), or fit without weightsColumn.',
    );
  }
  const missing = [...(model.fit.missingCells ?? []), ...(model.fit.missingCountCells ?? [])].reduce((a, b) => a + b, 0);
  if (missing > 0) {
    throw new OptionsError(
      `${file}: cannot write ${language} code for a fit that integrated out ${missing} missing cell${missing === 1 ? '' : 's'}: the script reads complete rows only. ` +
        'Use mixscope predict M.json FILE (it scores such rows on their observed cells), or fit with missing "skip" (CLI: --missing skip).',
    );
  }
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
