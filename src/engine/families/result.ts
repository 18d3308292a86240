// The parts of a FitResult that every family fills the same way from its EM run: the trace and the final parameters
// of the last snapshot, BIC and AIC, the assignments and their scores against known labels, the plotted sample's
// assignments. Each family adds its own fields (rates, categories, covariances…).

import type { FitResult } from '../../shared/protocol';
import { informationCriteria, type EmRun } from '../em/em';
import { labelMetrics } from '../em/metrics';
import { evenSample, type FixedFitOptions } from './types';

export type EmResultCore = Pick<
  FitResult,
  'k' | 'converged' | 'iterations' | 'logLikelihood' | 'trace' | 'weights' | 'means' | 'emVariant' | 'assignments' | 'bic' | 'aic' | 'parameters' | 'snapshots' | 'restartObjectives' | 'elapsedMs' | 'labelMetrics'
>;

/**
 * `parameters`: free parameters p; `sampleSize`: the n of BIC (Σ w with case weights); `scored`: the fitted rows'
 * labels (never used by the fit), when known.
 */
export function emResultCore(
  run: EmRun<unknown>,
  parameters: number,
  sampleSize: number,
  options: FixedFitOptions,
  started: number,
  scored: { labels?: Int32Array; labelNames?: string[] },
): { core: EmResultCore; plotAssignments: number[] } {
  const last = run.snapshots[run.snapshots.length - 1];
  const { bic, aic } = informationCriteria(run.logLikelihood, parameters, sampleSize);
  const n = run.assignments.length;
  const assignments = Array.from(run.assignments);
  const core: EmResultCore = {
    k: options.k,
    converged: run.converged,
    iterations: run.iterations,
    logLikelihood: run.logLikelihood,
    trace: run.trace,
    weights: last.weights,
    means: last.means,
    emVariant: options.emVariant,
    assignments,
    bic,
    aic,
    parameters,
    snapshots: run.snapshots,
    restartObjectives: run.restartObjectives,
    elapsedMs: Date.now() - started,
    labelMetrics: scored.labels && scored.labels.length === n ? labelMetrics(run.assignments, scored.labels, options.k, scored.labelNames) : undefined,
  };
  return { core, plotAssignments: evenSample(n, options.maxPlotPoints).map((i) => assignments[i]) };
}
