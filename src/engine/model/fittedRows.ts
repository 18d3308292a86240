// Which rows of a file a saved model's fit used: the fit kept rows with missing numeric cells and integrated those
// cells out, or left such rows out. predict.ts reads another file the same way, and the emitted scripts say so.

import { parseCovarianceModels, parseKRange } from '../../shared/settings';
import type { SavedModel } from './schema';

/**
 * Why the fit left out the rows with a missing numeric cell, or undefined when it kept them and integrated their
 * missing cells out (as the scripts then do). As the fit decides (engine/fit.ts): "skip" skips them; the Poisson
 * family, the variational mixture and a Gaussian model selection fit complete rows only; rows read as pixel rows
 * are skipped by the loader; the Gaussian, Bernoulli and mixed families marginalise the rest.
 */
export function missingRowsSkipped(model: SavedModel): string | undefined {
  const settings = model.settings;
  if (settings?.missing === 'skip') return 'missing is "skip"';
  if (model.family === 'poisson') return 'a Poisson mixture does not marginalise missing cells';
  if (model.source.text?.pixelRows) return 'pixel rows are read whole';
  if (model.family !== 'gaussian') return undefined;
  if (model.covarianceModel === 'variational') return 'the variational mixture does not marginalise missing cells';
  // A fit that integrated cells out says so; otherwise its settings tell whether it was a model selection.
  if ((model.fit.missingCells?.reduce((a, b) => a + b, 0) ?? 0) > 0 || !settings) return undefined;
  const range = settings.k === 'auto' ? parseKRange(settings.kRange ?? '') : undefined;
  const ks = !range ? 1 : range.ok ? range.ks.length : 2;
  const parsed = parseCovarianceModels(settings.covarianceModels ?? 'auto');
  const models = !parsed.ok ? 1 : parsed.models === 'all' || (parsed.models === 'auto' && settings.k === 'auto') ? 2 : parsed.models === 'auto' ? 1 : parsed.models.length;
  return ks * models > 1 ? 'a model selection fits complete rows only' : undefined;
}
