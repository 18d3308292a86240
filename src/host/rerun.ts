// The options of a re-run from the panel (pure, no vscode import): the panel's last options with the K and iterations
// typed in the panel. After a model selection the panel shows the chosen model, so a re-run at another K keeps that
// covariance model rather than going back to the covariance type of the settings. "auto" chooses again: K over the
// settings' kRange, and the covariance models the settings name.

import type { CovarianceType, FitOptions, FitResult } from '../shared/protocol';

export function rerunOptions(base: FitOptions, last: FitResult | undefined, k: number | 'auto', maxIterations: number, settings: FitOptions = base): FitOptions {
  if (k === 'auto') {
    const { kRange, covarianceModels, covarianceType, criterion } = settings;
    return { ...base, k, maxIterations, kRange, covarianceModels, covarianceType, criterion };
  }
  const chosen = last?.selection?.chosen;
  if (!chosen || last?.model !== 'gaussian') return { ...base, k, maxIterations };
  const model = chosen.covariance as CovarianceType;
  return { ...base, k, maxIterations, covarianceType: model, covarianceModels: model };
}
