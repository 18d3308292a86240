// covarianceType "variational" in the product: scikit-learn's BayesianGaussianMixture (full covariances, its default
// priors, weight prior from mixscope.weightPrior) on a prepared table, started as scikit-learn starts it by default
// (init_params "kmeans": the one-hot labels of k-means). The panel's objective is the lower bound; its log-likelihood
// curve is that of the expected parameters taken as an ordinary mixture, computed at every iteration.

import type { FitResult, ParamsSnapshot } from '../../../../shared/protocol';
import { informationCriteria } from '../../../em/em';
import { labelMetrics } from '../../../em/metrics';
import { hardResponsibilities } from '../../../em/init';
import { kmeans } from '../../../em/kmeans';
import { Rng } from '../../../em/rng';
import { DataError } from '../../../errors';
import type { FitCallbacks, FitOutcome, FixedFitOptions } from '../../types';
import { EStepWorkspace, factorCovariances, mclustEStep } from '../mclust/estep';
import { nMclustParams } from '../mclust/models';
import type { PreparedTable } from '../single';
import { fitVariational, type VariationalResult } from './fit';

export function runVariationalFit(prepared: PreparedTable, options: FixedFitOptions, reason: string, started: number, callbacks: FitCallbacks): FitOutcome {
  const { table, n, d, values, centre, standardization, indices } = prepared;
  const { k } = options;
  const file = table.summary.fileName;
  if (options.init !== 'kmeans++' || options.initParams) {
    throw new DataError(`${file}: covarianceType "variational" starts from k-means (as scikit-learn's BayesianGaussianMixture); set init to "kmeans++" and leave initParams unset.`, file);
  }

  // The expected parameters' log-likelihood at each iteration (one E-step's cost), for the panel's second curve.
  const workspace = new EStepWorkspace(d, k);
  const weights = new Float64Array(k);
  const means = new Float64Array(k * d);
  const covariances = new Float64Array(k * d * d);
  const scratch = new Float64Array(n * k);
  const plugInLogLikelihood = (s: ParamsSnapshot): number => {
    if (s.model !== 'gaussian') return NaN;
    for (let c = 0; c < k; c++) {
      weights[c] = s.weights[c];
      for (let a = 0; a < d; a++) {
        means[c * d + a] = s.means[c][a];
        for (let b = 0; b < d; b++) covariances[(c * d + a) * d + b] = s.covariances[c][a][b];
      }
    }
    return factorCovariances(covariances, workspace) ? mclustEStep(values, n, weights, means, workspace, scratch) : NaN;
  };
  // Restarts as scikit-learn's n_init: each from k-means with the generator where the last left it, the largest
  // final lower bound kept (the first on ties).
  const rng = new Rng(options.seed);
  const restartObjectives: number[] = [];
  let best: { fit: VariationalResult; snapshots: ParamsSnapshot[]; logLikelihoods: number[] } | undefined;
  for (let restart = 0; restart < Math.max(1, options.restarts); restart++) {
    const start = hardResponsibilities(kmeans(values, n, d, k, rng).labels, n, k);
    const snapshots: ParamsSnapshot[] = [];
    const logLikelihoods: number[] = [];
    const fit = fitVariational(values, n, d, k, {
      startResponsibilities: start,
      weightConcentrationPriorType: options.weightPrior === 'dirichlet-distribution' ? 'dirichlet_distribution' : 'dirichlet_process',
      regularization: options.regularization,
      tolerance: options.tolerance,
      maxIterations: Math.max(1, options.maxIterations),
      onIteration: ({ iteration, lowerBound, snapshot }) => {
        const s = snapshot();
        const logLikelihood = plugInLogLikelihood(s);
        if (centre) for (const mean of s.means) for (let j = 0; j < d; j++) mean[j] += centre[j];
        snapshots.push(s);
        logLikelihoods.push(logLikelihood);
        callbacks.onProgress?.({ restart, iteration: iteration - 1, objective: lowerBound, logLikelihood, snapshot: s });
      },
    });
    restartObjectives.push(fit.lowerBound);
    if (!best || fit.lowerBound > best.fit.lowerBound) best = { fit, snapshots, logLikelihoods };
  }
  const { fit, snapshots, logLikelihoods } = best!;
  const last = snapshots[snapshots.length - 1];
  if (!last || last.model !== 'gaussian') throw new Error('internal: the variational fit ran no iteration');
  // Free parameters of the full-covariance mixture it amounts to (the same count as VVV), for BIC and AIC.
  const parameters = nMclustParams('VVV', d, k);
  const { bic, aic } = informationCriteria(fit.logLikelihood, parameters, n);
  const assignments = Array.from(fit.assignments);
  const notes = [
    ...prepared.notes,
    `Variational fit (scikit-learn's BayesianGaussianMixture, ${options.weightPrior} weight prior): ${fit.effectiveComponents} of the ${k} components have a weight above ${fit.effectiveWeightThreshold}; lower bound ${fit.lowerBound.toFixed(3)}. The curve "objective" is the lower bound, "log-likelihood" that of the expected parameters.`,
  ];
  const result: FitResult = {
    model: 'gaussian',
    modelReason: reason,
    k,
    n,
    d,
    columns: table.columns,
    converged: fit.converged,
    iterations: fit.iterations,
    logLikelihood: fit.logLikelihood,
    trace: fit.lowerBounds,
    logLikelihoodTrace: logLikelihoods,
    weights: last.weights,
    means: last.means,
    covariances: last.covariances,
    covarianceType: 'variational',
    emVariant: 'soft',
    assignments,
    bic,
    aic,
    parameters,
    standardization,
    snapshots,
    restartObjectives,
    elapsedMs: Date.now() - started,
    notes,
    variational: { effectiveComponents: fit.effectiveComponents, lowerBound: fit.lowerBound, weightPrior: options.weightPrior },
    labelMetrics: table.labels && table.labels.length === n ? labelMetrics(fit.assignments, table.labels, k, table.labelNames) : undefined,
  };
  return { result, plotSample: prepared.plotSample, plotAssignments: indices.map((i) => assignments[i]) };
}
