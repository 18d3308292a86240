// The options of a saved model's run on a file (no `vscode` import): the panel shows them with the model's result,
// and its Re-run fits the file with them. They are the model's own settings (family, K, covariance model, the columns
// by name, standardisation, threshold…), so a re-run fits this file afresh as the model was fitted to its own; what
// only concerns this window (the points plotted, the engine's threads) stays the file's setting.

import { DataError } from '../engine/errors';
import type { SavedModel } from '../engine/model/schema';
import { validateFitOptions, type FitOptions } from '../shared/settings';

export function appliedRunOptions(model: SavedModel, modelFileName: string, settings: FitOptions): FitOptions {
  const gaussian = model.family === 'gaussian';
  // A model of a table names its columns (a categorical or mixed model's categorical ones too); one of images uses
  // every pixel (as predict.ts reads the file).
  const columns = [...model.columns, ...(model.countColumns ?? []), ...(model.categories ?? []).map((c) => c.column)];
  const tableColumns = model.family !== 'bernoulli' && model.source.pixelScale === undefined && columns.length > 0;
  const raw = {
    ...model.settings,
    model: model.family,
    k: model.k,
    // After a model selection: the chosen model alone, not the sweep again.
    ...(gaussian ? { covarianceType: model.covarianceModel, covarianceModels: 'auto', standardize: model.preprocessing.standardization !== null } : {}),
    ...(model.family === 'mixed' ? { covarianceType: model.covarianceModel, countColumns: model.countColumns ?? [] } : {}),
    ...(tableColumns ? { columns } : {}),
    ...(model.preprocessing.image ? { threshold: model.preprocessing.image.threshold } : {}),
    maxPlotPoints: settings.maxPlotPoints,
    threads: settings.threads,
  };
  const { options, problems } = validateFitOptions(raw, 'message');
  if (problems.length > 0) throw new DataError(`${modelFileName}: its settings cannot be used: ${problems.map((p) => p.message).join(' ')}`, modelFileName);
  return options;
}
