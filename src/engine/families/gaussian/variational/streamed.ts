// The variational Gaussian mixture (scikit-learn's BayesianGaussianMixture, fit.ts) over rows streamed from disk
// (files larger than memory, em/streaming.ts's RowSource). Its M-step needs only each component's Σ r, Σ r x and
// Σ r x xᵀ, so it streams exactly: each iteration is one pass, the E-step chunk by chunk, the statistics summed about
// a shift per component (the current means, so that the centred scatter suffers no cancellation), the lower bound
// from the pass's entropy. The same pass gives the log-likelihood of the previous iteration's expected parameters
// (the panel's second curve). Starts: k-means on every row when the sample is every row (the in-memory start),
// otherwise k-means on the sample and every row in its nearest centre's component.

import type { FitOptions, FitResult } from '../../../../shared/protocol';
import { informationCriteria, type EmProgress } from '../../../em/em';
import { kmeans } from '../../../em/kmeans';
import { Rng } from '../../../em/rng';
import { confusionRows, SnapshotKeeper } from '../../../em/streamedEm';
import { labelMetricsFromConfusion } from '../../../em/metrics';
import { StreamedGaussianStatistics, type RowSource } from '../../../em/streaming';
import type { GaussianSnapshot } from '../../../../shared/protocol';
import type { FitCallbacks } from '../../types';
import { nMclustParams } from '../mclust/models';
import { VariationalPosterior } from './posterior';
import { DEFAULT_EFFECTIVE_WEIGHT_THRESHOLD, type VariationalCovarianceType, type WeightConcentrationPriorType } from './fit';


export interface StreamedVariationalOptions {
  k: number;
  covarianceType?: VariationalCovarianceType;
  weightConcentrationPriorType: WeightConcentrationPriorType;
  regularization: number;
  /** Absolute change of the lower bound below which a run stops (sklearn's tol). */
  tolerance: number;
  maxIterations: number;
  /** Starts (sklearn's n_init); the run with the largest final lower bound is kept. */
  restarts: number;
  seed: number;
  /** Rows k-means starts from (m × d, row-major): every row, in order, when m = n. */
  sample: { values: Float64Array; m: number };
  /** Rows whose assignments are reported (increasing). */
  plotIndices: number[];
  /** Most bytes the kept per-iteration snapshots may take (em/streamedEm.ts's SnapshotKeeper); every one without it. */
  snapshotBytes?: number;
}

export interface StreamedVariationalRun {
  converged: boolean;
  iterations: number;
  /** The lower bound after each iteration. */
  lowerBounds: number[];
  lowerBound: number;
  /** Log-likelihood of each iteration's expected parameters taken as an ordinary mixture. */
  logLikelihoods: number[];
  /** That of the final parameters. */
  logLikelihood: number;
  /** The expected parameters after each iteration (iteration t − 1 for the t-th). */
  snapshots: GaussianSnapshot[];
  /** Said when the snapshots were thinned to stay within snapshotBytes. */
  snapshotNote?: string;
  /** Final lower bound of every restart. */
  restartObjectives: number[];
  effectiveComponents: number;
  effectiveWeightThreshold: number;
  /** Rows per component by largest responsibility, over every row. */
  sizes: number[];
  plotAssignments: number[];
  /** With labels: clusters × labels of the final assignments. */
  confusion?: number[][];
}

export interface VariationalOutOfCoreInput {
  file: string;
  options: FitOptions;
  /** The upper bound on components (the largest K of kRange under k "auto"). */
  k: number;
  reason: string;
  started: number;
  columns: string[];
  source: RowSource;
  /** Rows k-means starts from (m × d, transformed as the source's rows). */
  sample: { values: Float64Array; m: number };
  plotIndices: number[];
  /** Added back to every reported mean (columns centred for the fit), or undefined. */
  centre?: Float64Array;
  standardization?: { mean: number[]; sd: number[] };
  /** Notes of the out-of-core fit (start, sampling). */
  notes: string[];
  /** Most bytes the fit's per-iteration snapshots may take (thinned beyond it). */
  snapshotBytes?: number;
  callbacks: FitCallbacks;
}

/** covarianceType "variational" out of core: the streamed fit, its result as the in-memory one (entry.ts) makes it. */
export function fitVariationalOutOfCore(input: VariationalOutOfCoreInput): { result: FitResult; plotAssignments: number[] } {
  const { options, source, centre, callbacks } = input;
  const { n, d } = source;
  const { k } = input;
  const shift = (snapshot: GaussianSnapshot) => {
    if (centre) for (const mean of snapshot.means) for (let j = 0; j < d; j++) mean[j] += centre[j];
  };
  const run = runStreamedVariational(
    source,
    {
      k,
      weightConcentrationPriorType: options.weightPrior === 'dirichlet-distribution' ? 'dirichlet_distribution' : 'dirichlet_process',
      regularization: options.regularization,
      tolerance: options.tolerance,
      maxIterations: options.maxIterations,
      restarts: options.restarts,
      seed: options.seed,
      sample: input.sample,
      plotIndices: input.plotIndices,
      snapshotBytes: input.snapshotBytes,
    },
    (p) => {
      if (p.snapshot.model === 'gaussian') shift(p.snapshot);
      callbacks.onProgress?.(p);
    },
  );
  const last = run.snapshots[run.snapshots.length - 1];
  // Free parameters of the full-covariance mixture it amounts to (the same count as VVV), for BIC and AIC.
  const parameters = nMclustParams('VVV', d, k);
  const { bic, aic } = informationCriteria(run.logLikelihood, parameters, n);
  const result: FitResult = {
    model: 'gaussian',
    modelReason: input.reason,
    k,
    n,
    d,
    columns: input.columns,
    converged: run.converged,
    iterations: run.iterations,
    logLikelihood: run.logLikelihood,
    trace: run.lowerBounds,
    logLikelihoodTrace: run.logLikelihoods,
    weights: last.weights,
    means: last.means,
    covariances: last.covariances,
    covarianceType: 'variational',
    emVariant: 'soft',
    assignments: run.plotAssignments,
    assignedRows: input.plotIndices,
    bic,
    aic,
    parameters,
    standardization: input.standardization,
    snapshots: run.snapshots,
    labelMetrics: run.confusion && source.labels ? labelMetricsFromConfusion(run.confusion, source.labels.values, source.labels.names) : undefined,
    restartObjectives: run.restartObjectives,
    elapsedMs: Date.now() - input.started,
    notes: [
      ...input.notes,
      `Variational fit (scikit-learn's BayesianGaussianMixture, ${options.weightPrior} weight prior): ${run.effectiveComponents} of the ${k} components have a weight above ${run.effectiveWeightThreshold}; lower bound ${run.lowerBound.toFixed(3)}. The curve "objective" is the lower bound, "log-likelihood" that of the expected parameters.`,
      ...(run.snapshotNote ? [run.snapshotNote] : []),
      `cluster sizes over all ${n} rows: ${run.sizes.join(', ')}`,
    ],
    variational: { effectiveComponents: run.effectiveComponents, lowerBound: run.lowerBound, weightPrior: options.weightPrior },
  };
  return { result, plotAssignments: run.plotAssignments };
}

/** Runs the fit; `onProgress` sees each iteration once the next pass has computed its log-likelihood. */
export function runStreamedVariational(source: RowSource, options: StreamedVariationalOptions, onProgress?: (p: EmProgress) => void): StreamedVariationalRun {
  const { k } = options;
  const { n, d, chunkRows, buffer } = source;
  if (n < 2) throw new RangeError(`n (rows) must be a whole number ≥ 2; got ${n}`);
  if (k > n) throw new RangeError(`K = ${k} components need at least ${k} rows; got ${n}`);
  const covarianceType = options.covarianceType ?? 'full';
  const maxIterations = Math.max(1, options.maxIterations);
  const stats = new VariationalStatistics(covarianceType, d, k, options.regularization);
  const priors = defaultPriors(source, covarianceType, k);
  const posterior = new VariationalPosterior(d, k, covarianceType, options.weightConcentrationPriorType, priors);
  const resp = new Float64Array(chunkRows * k);
  const rowLog = new Float64Array(k);
  const logGauss = new Float64Array(k);
  const logW = new Float64Array(k);
  const weights = new Float64Array(k);
  const rng = new Rng(options.seed);
  const restartObjectives: number[] = [];
  let best: StreamedVariationalRun | undefined;

  /** One E-step over every row: the entropy, the plug-in log-likelihood, the statistics (when `accumulate`). */
  const labels = source.labels;
  const labelCount = labels ? labels.values.length : 0;
  const ePass = (accumulate: boolean, plot: number[] | undefined, sizes: number[] | undefined, contingency?: Float64Array) => {
    posterior.expectedWeights(weights);
    for (let c = 0; c < k; c++) logW[c] = Math.log(weights[c]);
    if (accumulate) stats.reset(posterior.means);
    let entropy = 0;
    let logLikelihood = 0;
    let p = 0;
    source.forEachChunk((rows, start) => {
      for (let i = 0; i < rows; i++) {
        const row = i * d;
        let max = Number.NEGATIVE_INFINITY;
        let plugMax = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < k; c++) {
          const g = posterior.logGauss(buffer, row, c);
          logGauss[c] = logW[c] + g;
          if (logGauss[c] > plugMax) plugMax = logGauss[c];
          const v = g + posterior.logLambdaTerm[c] + posterior.logWeights[c];
          rowLog[c] = v;
          if (v > max) max = v;
        }
        let plugSum = 0;
        for (let c = 0; c < k; c++) plugSum += Math.exp(logGauss[c] - plugMax);
        logLikelihood += Math.log(plugSum) + plugMax;
        // As fit.ts's eStep: exp(v − max) / Σ, with the entropy −Σ r (v − ln Σ exp v).
        let sum = 0;
        for (let c = 0; c < k; c++) {
          const e = Math.exp(rowLog[c] - max);
          resp[i * k + c] = e;
          sum += e;
        }
        const lpn = Math.log(sum) + max;
        const inv = 1 / sum;
        let top = 0;
        for (let c = 0; c < k; c++) {
          const r = resp[i * k + c] * inv;
          resp[i * k + c] = r;
          if (r > 0) entropy -= r * (rowLog[c] - lpn);
          if (r > resp[i * k + top]) top = c;
        }
        if (sizes) sizes[top]++;
        if (contingency) contingency[top * labelCount + labels!.codes[i]]++;
        if (plot) while (p < options.plotIndices.length && options.plotIndices[p] === start + i) plot[p++] = top;
      }
      if (accumulate) stats.add(buffer, rows, resp);
    });
    return { entropy, logLikelihood };
  };

  for (let restart = 0; restart < Math.max(1, options.restarts); restart++) {
    startStatistics(source, options, stats, resp, rng);
    stats.update(posterior);
    const lowerBounds: number[] = [];
    const logLikelihoods: number[] = [];
    const keeper = new SnapshotKeeper<GaussianSnapshot>(options.snapshotBytes === undefined ? undefined : options.restarts > 1 ? options.snapshotBytes / 2 : options.snapshotBytes);
    // The last iteration's bound and parameters, reported once the next pass has their log-likelihood.
    let pending: { iteration: number; bound: number; snapshot: GaussianSnapshot } | undefined;
    const settle = (logLikelihood: number) => {
      if (!pending) return;
      logLikelihoods.push(logLikelihood);
      keeper.add(pending.snapshot);
      onProgress?.({ restart, iteration: pending.iteration - 1, objective: pending.bound, logLikelihood, snapshot: pending.snapshot });
      pending = undefined;
    };
    let previous = Number.NEGATIVE_INFINITY;
    let converged = false;
    let iterations = 0;
    for (let iteration = 1; iteration <= maxIterations; iteration++) {
      const { entropy, logLikelihood } = ePass(true, undefined, undefined);
      settle(logLikelihood);
      stats.update(posterior);
      const bound = posterior.lowerBound(entropy);
      lowerBounds.push(bound);
      iterations = iteration;
      pending = { iteration, bound, snapshot: posterior.snapshot(iteration) };
      const change = bound - previous;
      previous = bound;
      if (Math.abs(change) < options.tolerance) {
        converged = true;
        break;
      }
    }
    // The final E-step: the returned parameters' log-likelihood, assignments and sizes.
    const plot = new Array<number>(options.plotIndices.length).fill(0);
    const sizes = new Array<number>(k).fill(0);
    // With labels: the clusters × labels of the final assignments, scored as in memory.
    const contingency = labels ? new Float64Array(k * labelCount) : undefined;
    const { logLikelihood } = ePass(false, plot, sizes, contingency);
    settle(logLikelihood);
    const lowerBound = lowerBounds[lowerBounds.length - 1];
    restartObjectives.push(lowerBound);
    // sklearn's n_init: the largest lower bound wins, the first on ties.
    if (!best || lowerBound > best.lowerBound) {
      posterior.expectedWeights(weights);
      let effectiveComponents = 0;
      for (let c = 0; c < k; c++) if (weights[c] > DEFAULT_EFFECTIVE_WEIGHT_THRESHOLD) effectiveComponents++;
      best = {
        converged,
        iterations,
        lowerBounds,
        lowerBound,
        logLikelihoods,
        logLikelihood,
        snapshots: keeper.snapshots(),
        ...(keeper.note() ? { snapshotNote: keeper.note() } : {}),
        restartObjectives,
        effectiveComponents,
        effectiveWeightThreshold: DEFAULT_EFFECTIVE_WEIGHT_THRESHOLD,
        sizes,
        plotAssignments: plot,
        ...(contingency ? { confusion: confusionRows(contingency, k, labelCount) } : {}),
      };
    }
  }
  return best!;
}

/**
 * sklearn's default priors from two passes, summed in row order as fit.ts sums them: the mean prior is the column
 * means, the covariance prior numpy's cov (divisor n − 1; its diagonal for 'diag', the mean of that for 'spherical').
 */
function defaultPriors(source: RowSource, covarianceType: VariationalCovarianceType, k: number) {
  const { n, d, buffer } = source;
  const mean = new Float64Array(d);
  source.forEachChunk((rows) => {
    for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) mean[j] += buffer[i * d + j];
  });
  for (let j = 0; j < d; j++) mean[j] /= n;
  const full = new Float64Array(d * d);
  source.forEachChunk((rows) => {
    for (let i = 0; i < rows; i++)
      for (let a = 0; a < d; a++) {
        const ea = buffer[i * d + a] - mean[a];
        for (let b = 0; b <= a; b++) full[a * d + b] += ea * (buffer[i * d + b] - mean[b]);
      }
  });
  for (let a = 0; a < d; a++)
    for (let b = 0; b <= a; b++) {
      full[a * d + b] /= n - 1;
      full[b * d + a] = full[a * d + b];
    }
  let covariancePrior: Float64Array;
  if (covarianceType === 'full' || covarianceType === 'tied') covariancePrior = full;
  else if (covarianceType === 'diag') covariancePrior = Float64Array.from({ length: d }, (_, j) => full[j * d + j]);
  else {
    let m = 0;
    for (let j = 0; j < d; j++) m += full[j * d + j];
    covariancePrior = Float64Array.of(m / d);
  }
  return { weightConcentrationPrior: 1 / k, meanPrecisionPrior: 1, meanPrior: mean, degreesOfFreedomPrior: d, covariancePrior };
}

/**
 * The start's statistics (sklearn's _initialize from the one-hot labels of k-means): k-means on the sample; every
 * row takes its own label when the sample is every row, otherwise its nearest centre's (the first on ties).
 */
function startStatistics(source: RowSource, options: StreamedVariationalOptions, stats: VariationalStatistics, resp: Float64Array, rng: Rng): void {
  const { k } = options;
  const { n, d, buffer } = source;
  const { values, m } = options.sample;
  const { labels, centers } = kmeans(values, m, d, k, rng);
  stats.reset(centers);
  source.forEachChunk((rows, first) => {
    resp.fill(0, 0, rows * k);
    for (let i = 0; i < rows; i++) {
      let j = 0;
      if (m === n) j = labels[first + i];
      else {
        let nearest = Infinity;
        for (let q = 0; q < k; q++) {
          let s = 0;
          for (let c = 0; c < d; c++) {
            const z = buffer[i * d + c] - centers[q * d + c];
            s += z * z;
          }
          if (s < nearest) {
            nearest = s;
            j = q;
          }
        }
      }
      resp[i * k + j] = 1;
    }
    stats.add(buffer, rows, resp);
  });
}

/**
 * The streamed sums of the Gaussian family (em/streaming.ts: Σ r, Σ r (x − s) and Σ r (x − s)(x − s)ᵀ about a shift
 * s), whose moments are scikit-learn's nk, xk and sk (_estimate_gaussian_parameters, as fit.ts's M-step), handed to
 * the posterior's update.
 */
class VariationalStatistics {
  private readonly sums: StreamedGaussianStatistics;

  constructor(
    type: VariationalCovarianceType,
    d: number,
    k: number,
    private readonly regularization: number,
  ) {
    this.sums = new StreamedGaussianStatistics(type, k, d);
  }

  reset(shift: Float64Array): void {
    this.sums.reset(shift);
  }

  add(values: Float64Array, rows: number, resp: Float64Array): void {
    this.sums.add(values, rows, resp);
  }

  update(posterior: VariationalPosterior): void {
    const { nk, means, covariances } = this.sums.moments(this.regularization);
    posterior.update(nk, means, covariances);
  }
}
