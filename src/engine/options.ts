// Fills a fit's options with their defaults and rejects values out of range, naming the setting: the schema's one
// validator (src/shared/settings.ts), with the engine's rule that any invalid value stops the fit.

import { OptionsError } from './errors';
import { validateFitOptions, type FitOptions } from '../shared/settings';

/** Fills defaults and rejects anything out of range with a message naming the setting and what is allowed. */
export function resolveOptions(partial: Partial<FitOptions>): FitOptions {
  const { options, problems } = validateFitOptions(partial, 'engine');
  if (problems.length > 0) throw new OptionsError(problems.map((p) => p.message).join(' '));
  return options;
}
