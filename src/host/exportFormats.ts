// The contents of the result exports (pure: no vscode import, unit-tested).

import type { FitOptions, FitResult } from '../shared/protocol';

/**
 * One line per fitted row: its 1-based position among the rows used in the fit (rows skipped for missing values are
 * not counted: the log lists them) and its cluster, 0..K−1 as in the model JSON and the CLI's --json `assignments`.
 */
export function assignmentsCsv(result: FitResult): string {
  const lines = ['row,cluster'];
  for (let i = 0; i < result.assignments.length; i++) lines.push(`${i + 1},${result.assignments[i]}`);
  return lines.join('\n') + '\n';
}

/** The fitted model without the bulky per-row and per-iteration parts. */
export function modelJson(fileName: string, options: FitOptions, result: FitResult): string {
  const model = {
    file: fileName,
    model: result.model,
    modelReason: result.modelReason,
    k: result.k,
    n: result.n,
    d: result.d,
    columns: result.columns,
    converged: result.converged,
    iterations: result.iterations,
    logLikelihood: result.logLikelihood,
    bic: result.bic,
    aic: result.aic,
    weights: result.weights,
    means: result.means,
    ...(result.covariances ? { covariances: result.covariances, covarianceType: result.covarianceType } : {}),
    ...(result.emVariant ? { emVariant: result.emVariant } : {}),
    ...(result.standardization ? { standardization: result.standardization } : {}),
    ...(result.imageShape ? { imageShape: result.imageShape } : {}),
    ...(result.labelMetrics ? { labelMetrics: result.labelMetrics } : {}),
    trace: result.trace,
    restartObjectives: result.restartObjectives,
    options,
  };
  return JSON.stringify(model, null, 2) + '\n';
}
