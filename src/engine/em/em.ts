// The one EM loop (in the spirit of sklearn/mixture/_base.py). Each mixture family fills in its E-step densities
// and its M-step; the loop owns initialisation order, log-space normalisation, convergence, restarts and the trace.

import type { EmVariant, FitOptions, ModelKind, ParamsSnapshot } from '../../shared/protocol';
import { FitError } from '../errors';
import { normalizeLogRows, normalizeLogRowsAndExp } from './logsumexp';
import { confusionCounts, labelCodes } from './metrics';
import { Rng } from './rng';

export interface MixtureFamily<Params> {
  readonly model: ModelKind;
  /** Rows. */
  readonly n: number;
  /** Features. */
  readonly d: number;
  /**
   * Case (frequency) weights w_i ≥ 0, when the rows have them: the loop then maximises Σ_i w_i ln p(x_i) and hands
   * the M-step w_i r_ik (so a whole-number weight is the row repeated); `initialize` weighs its own start.
   */
  readonly caseWeights?: Float64Array;
  /** Starting parameters for one restart; must be deterministic given the rng. */
  initialize(k: number, rng: Rng): Params;
  /** E-step densities: out[i*k + j] = ln π_j + ln p(x_i | θ_j). */
  weightedLogProb(params: Params, k: number, out: Float64Array): void;
  /** M-step from responsibilities resp (n × k row-major, rows sum to 1). Throws FitError when it cannot. */
  mStep(resp: Float64Array, k: number, previous: Params): Params;
  /** ln p(θ) of the prior, when the family has one: EM then maximises ln p(X|θ) + ln p(θ). */
  logPrior?(params: Params, k: number): number;
  /** Free parameters, for BIC/AIC. */
  parameterCount(k: number): number;
  /** Plain-data copy of the parameters for the trace / scrubber. `assignments` are argmax responsibilities. */
  snapshot(params: Params, k: number, iteration: number, assignments: Int32Array): ParamsSnapshot;
}

export interface EmSettings {
  k: number;
  maxIterations: number;
  /** Soft EM: stop when |Δ objective| / n < tolerance. Hard EM ignores it. */
  tolerance: number;
  variant: EmVariant;
  restarts: number;
  seed: number;
  /** Keep a parameter snapshot per iteration (for the scrubber). */
  keepSnapshots: boolean;
  /** Known labels (never used by the fit): each snapshot then carries its clusters × labels counts. */
  labels?: { codes: Int32Array; values: number[] };
}

/** The n × K responsibilities of a hard partition: 1 (or the row's case weight) in its component's column. */
export function partitionResponsibilities(partition: ArrayLike<number>, k: number, weights?: ArrayLike<number>): Float64Array {
  const z = new Float64Array(partition.length * k);
  for (let i = 0; i < partition.length; i++) z[i * k + partition[i]] = weights ? weights[i] : 1;
  return z;
}

/**
 * The family started from a hard partition whatever its own initialisation (as R's me() and flexmix's `cluster`):
 * its first parameters are `paramsOf` the partition's responsibilities, by default its own M-step.
 */
export function startedFromPartition<P>(
  family: MixtureFamily<P>,
  partition: ArrayLike<number>,
  paramsOf: (resp: Float64Array, k: number) => P = (resp, k) => family.mStep(resp, k, undefined as unknown as P),
): MixtureFamily<P> {
  return {
    model: family.model,
    n: family.n,
    d: family.d,
    caseWeights: family.caseWeights,
    initialize: (k) => paramsOf(partitionResponsibilities(partition, k), k),
    weightedLogProb: (params, k, out) => family.weightedLogProb(params, k, out),
    mStep: (resp, k, previous) => family.mStep(resp, k, previous),
    ...(family.logPrior ? { logPrior: (params: P, k: number) => family.logPrior!(params, k) } : {}),
    parameterCount: (k) => family.parameterCount(k),
    snapshot: (params, k, iteration, assignments) => family.snapshot(params, k, iteration, assignments),
  };
}

/**
 * The family started from `params` whatever its own initialisation: a saved model applied to a file is this start
 * with no M-step (maxIterations 0), so its result is the family's own packaging of one E-step at the saved parameters.
 */
export function startedFromParams<P>(family: MixtureFamily<P>, params: P): MixtureFamily<P> {
  return {
    model: family.model,
    n: family.n,
    d: family.d,
    caseWeights: family.caseWeights,
    initialize: () => params,
    weightedLogProb: (p, k, out) => family.weightedLogProb(p, k, out),
    mStep: (resp, k, previous) => family.mStep(resp, k, previous),
    ...(family.logPrior ? { logPrior: (p: P, k: number) => family.logPrior!(p, k) } : {}),
    parameterCount: (k) => family.parameterCount(k),
    snapshot: (p, k, iteration, assignments) => family.snapshot(p, k, iteration, assignments),
  };
}

/**
 * The EM settings of a fit at K = options.k, every snapshot kept. `labels` (one per fitted row; never used by the fit)
 * give each snapshot its clusters × labels counts; labels of another length are left out.
 */
export function emSettingsFor(options: Pick<FitOptions, 'maxIterations' | 'tolerance' | 'emVariant' | 'restarts' | 'seed'> & { k: number }, n: number, labels?: ArrayLike<number>): EmSettings {
  return {
    k: options.k,
    maxIterations: options.maxIterations,
    tolerance: options.tolerance,
    variant: options.emVariant,
    restarts: options.restarts,
    seed: options.seed,
    keepSnapshots: true,
    labels: labels && labels.length === n ? labelCodes(labels) : undefined,
  };
}

export interface EmProgress {
  restart: number;
  iteration: number;
  objective: number;
  logLikelihood: number;
  snapshot: ParamsSnapshot;
}

export interface EmRun<Params> {
  params: Params;
  converged: boolean;
  /** M-steps performed. */
  iterations: number;
  objective: number;
  logLikelihood: number;
  /** Objective of θ_0, θ_1, …, θ_iterations. */
  trace: number[];
  /** Plain log-likelihood of the same parameters. */
  logLikelihoodTrace: number[];
  snapshots: ParamsSnapshot[];
  /** Log-responsibilities of the final parameters (n × k). */
  logResp: Float64Array;
  assignments: Int32Array;
  /** Final objective of each restart, in order. */
  restartObjectives: number[];
}

/**
 * Runs EM `restarts` times from successive draws of one seeded generator and keeps the best final objective.
 * Iteration t evaluates θ_t (E-step), then forms θ_{t+1} (M-step). As in sklearn, convergence is decided on the
 * change between the last two E-steps, and one more M-step + E-step is then taken, so `iterations` and the final
 * parameters match sklearn's `n_iter_` and fitted parameters.
 */
export function runEm<P>(family: MixtureFamily<P>, settings: EmSettings, onProgress?: (p: EmProgress) => void): EmRun<P> {
  const { k } = settings;
  const rng = new Rng(settings.seed);
  let best: EmRun<P> | undefined;
  const restartObjectives: number[] = [];
  for (let restart = 0; restart < Math.max(1, settings.restarts); restart++) {
    const run = runOnce(family, settings, k, rng, restart, onProgress);
    restartObjectives.push(run.objective);
    if (!best || run.objective > best.objective) best = run;
  }
  best!.restartObjectives = restartObjectives;
  return best!;
}

function runOnce<P>(
  family: MixtureFamily<P>,
  settings: EmSettings,
  k: number,
  rng: Rng,
  restart: number,
  onProgress?: (p: EmProgress) => void,
): EmRun<P> {
  const n = family.n;
  const caseWeights = family.caseWeights;
  // Rows in the convergence rule: Σ w_i with case weights (the number of rows they stand for).
  const rows = caseWeights ? totalWeight(caseWeights) : n;
  const rowLogNorm = caseWeights ? new Float64Array(n) : undefined;
  const logResp = new Float64Array(n * k);
  const resp = new Float64Array(n * k);
  let assignments = new Int32Array(n);
  let previousAssignments = new Int32Array(n);
  const trace: number[] = [];
  const logLikelihoodTrace: number[] = [];
  const snapshots: ParamsSnapshot[] = [];

  let params = family.initialize(k, rng);
  let convergedAt = -1;
  let iteration = 0;
  let objective = -Infinity;
  let logLikelihood = -Infinity;
  for (; ; iteration++) {
    family.weightedLogProb(params, k, logResp);
    // Soft EM: the responsibilities exp(logResp) the M-step needs come out of the same pass as the normalisation.
    logLikelihood =
      settings.variant === 'hard' ? normalizeLogRows(logResp, n, k, rowLogNorm) : normalizeLogRowsAndExp(logResp, n, k, resp, rowLogNorm);
    if (caseWeights) logLikelihood = weighRows(caseWeights, rowLogNorm!, settings.variant === 'hard' ? undefined : resp, k);
    if (!Number.isFinite(logLikelihood)) {
      throw new FitError(
        `The log-likelihood became ${logLikelihood} at iteration ${iteration}: a component has collapsed or a point ` +
          `has zero density under every component. Try fewer components (K), a larger regularisation, or standardising the columns.`,
      );
    }
    objective = logLikelihood + (family.logPrior ? family.logPrior(params, k) : 0);
    argmaxRows(logResp, n, k, assignments);
    trace.push(objective);
    logLikelihoodTrace.push(logLikelihood);
    const snapshot = family.snapshot(params, k, iteration, assignments);
    if (settings.labels && settings.labels.codes.length === n) snapshot.confusion = confusionCounts(assignments, settings.labels.codes, k, settings.labels.values.length);
    if (settings.keepSnapshots) snapshots.push(snapshot);
    onProgress?.({ restart, iteration, objective, logLikelihood, snapshot });

    if (convergedAt >= 0 || iteration >= settings.maxIterations) break;
    if (iteration >= 1) {
      const stable =
        settings.variant === 'hard'
          ? sameAssignments(assignments, previousAssignments, caseWeights)
          : Math.abs(objective - trace[iteration - 1]) / rows < settings.tolerance;
      if (stable) convergedAt = iteration;
    }
    if (settings.variant === 'hard') {
      resp.fill(0);
      for (let i = 0; i < n; i++) resp[i * k + assignments[i]] = caseWeights ? caseWeights[i] : 1;
    }
    // (soft: resp = exp(logResp) was filled by normalizeLogRowsAndExp above)
    params = family.mStep(resp, k, params);
    const swap = previousAssignments;
    previousAssignments = assignments;
    assignments = swap;
  }
  return {
    params,
    converged: convergedAt >= 0,
    iterations: iteration,
    objective,
    logLikelihood,
    trace,
    logLikelihoodTrace,
    snapshots,
    logResp,
    assignments,
    restartObjectives: [],
  };
}

/** Σ w_i. */
export function totalWeight(weights: Float64Array): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  return total;
}

/**
 * Σ_i w_i ln p(x_i) from the rows' log-normalisers, and resp's rows multiplied by w_i (when given). A row of weight
 * 0 adds nothing, even when its density is 0 (0 · −∞ would be NaN).
 */
function weighRows(weights: Float64Array, rowLogNorm: Float64Array, resp: Float64Array | undefined, k: number): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (w === 0) {
      if (resp) resp.fill(0, i * k, (i + 1) * k);
      continue;
    }
    total += w * rowLogNorm[i];
    if (resp && w !== 1) for (let j = 0; j < k; j++) resp[i * k + j] *= w;
  }
  return total;
}

export function argmaxRows(values: Float64Array, n: number, k: number, out: Int32Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let bestJ = 0;
    let bestV = values[o];
    for (let j = 1; j < k; j++) {
      if (values[o + j] > bestV) {
        bestV = values[o + j];
        bestJ = j;
      }
    }
    out[i] = bestJ;
  }
}

/** Hard EM's convergence: no row moved (a row of case weight 0 stands for no row, so its moves do not count). */
function sameAssignments(a: Int32Array, b: Int32Array, weights?: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(weights && weights[i] === 0)) return false;
  return true;
}

/** BIC and AIC (lower is better), as sklearn: −2 ln L + p ln n, −2 ln L + 2p. */
export function informationCriteria(logLikelihood: number, parameters: number, n: number): { bic: number; aic: number } {
  return { bic: -2 * logLikelihood + parameters * Math.log(n), aic: -2 * logLikelihood + 2 * parameters };
}
