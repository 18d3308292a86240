// What the Python and R emitters share: the model's one-line title, literals, and the refusal of what they cannot
// reproduce.

import { OptionsError } from '../../errors';
import type { SavedModel } from '../schema';

/** "Mixscope's Gaussian mixture (mclust model EEE, K = 3) of faithful.csv" */
export function modelTitle(model: SavedModel): string {
  const kind = model.family === 'gaussian' ? `Gaussian mixture (${/^[EV]/.test(model.covarianceModel ?? '') ? 'mclust model ' : 'covariance '}${model.covarianceModel}, K = ${model.k})` : `Bernoulli mixture (K = ${model.k})`;
  return `Mixscope's ${kind} of ${model.source.fileName}`;
}

/** A number, string or nested list as Python (and JSON) writes it; numbers round-trip exactly. */
export function literal(value: unknown): string {
  return JSON.stringify(value);
}

export function emitError(model: SavedModel, language: string, what: string, supported = 'delimited text, IDX and .npy files'): OptionsError {
  return new OptionsError(`${model.source.fileName}: cannot write ${language} code for ${what}; it can for ${supported}.`);
}
