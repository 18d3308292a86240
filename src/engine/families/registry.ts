// The one list of mixture families. fit.ts asks it which family takes a dataset (named in the settings, or chosen by
// model "auto") and runs that family's fit. Adding a family: one folder beside gaussian/ and bernoulli/ with an
// entry made by defineFamily (types.ts), its id in ids.ts, and one line below.

import type { FitOptions, InitMethod } from '../../shared/protocol';
import type { Dataset } from '../data/dataset';
import { OptionsError } from '../errors';
import { bernoulliFamily } from './bernoulli/entry';
import { categoricalFamily } from './categorical/entry';
import { gaussianFamily } from './gaussian/entry';
import { mixedFamily } from './mixed/entry';
import { poissonFamily } from './poisson/entry';
import { FAMILY_IDS, isFamilyId, type FamilyId } from './ids';
import type { ChosenFamily, RegisteredFamily } from './types';

export { FAMILY_IDS, isFamilyId, type FamilyId };
export type { ChosenFamily, FitCallbacks, FitContext, FitOutcome, RegisteredFamily } from './types';

/**
 * In the order model "auto" asks them: the first whose detect() takes the dataset fits it, so the more specific
 * families come first and the last one takes any table.
 */
export const FAMILIES: readonly RegisteredFamily[] = [categoricalFamily, mixedFamily, poissonFamily, bernoulliFamily, gaussianFamily];

// Every id has exactly one entry (checked when the module loads, so a family added to ids.ts alone fails every test).
for (const id of FAMILY_IDS) {
  if (FAMILIES.filter((f) => f.id === id).length !== 1) throw new Error(`internal: family "${id}" must have exactly one registry entry`);
}

export function familyById(id: FamilyId): RegisteredFamily {
  const family = FAMILIES.find((f) => f.id === id);
  if (!family) throw new OptionsError(`model must be "auto" or one of ${FAMILY_IDS.join(', ')}, got ${JSON.stringify(id)}.`);
  return family;
}

/** The family that fits `dataset` under `options.model`, bound to the dataset in that family's form, and why. */
export function chooseFamily(dataset: Dataset, options: FitOptions): ChosenFamily {
  if (options.model !== 'auto') return familyById(options.model).prepare(dataset, options, 'chosen in the settings');
  for (const family of FAMILIES) {
    const chosen = family.detect(dataset, options);
    if (chosen) return chosen;
  }
  throw new OptionsError(`no mixture family takes ${dataset.summary.fileName}; set model to one of ${FAMILY_IDS.join(', ')}.`);
}

/** Refuses an initialisation the family does not have, naming the families that do and the family's own. */
export function checkInit(family: RegisteredFamily, init: InitMethod): void {
  if (family.inits.includes(init)) return;
  // Alphabetical, so the message does not depend on the order model "auto" asks the families in.
  const others = FAMILIES.filter((f) => f.inits.includes(init)).map((f) => f.label).sort((a, b) => a.localeCompare(b, 'en'));
  const list = others.length > 1 ? `${others.slice(0, -1).join(', ')} and ${others[others.length - 1]}` : others.join('');
  const own = family.inits.filter((i) => i !== 'params');
  throw new OptionsError(
    `init "${init}" is for ${list} mixtures; a ${family.label} mixture starts from ${own.join(', ')}` +
      `${family.inits.includes('params') ? ' or explicit parameters' : ''}.`,
  );
}
