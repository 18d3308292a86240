// A Gaussian mixture fitted out of core (rows streamed from disk in chunks, em/streaming.ts's RowSource) in pieces any
// streamed EM loop can drive: the start, the chunk's log-probabilities ln π_k + ln p(x_i | θ_k), the M-step's sums
// (reset, add a chunk with its responsibilities) and the M-step from them. One piece per kind of fit: scikit-learn's
// four types (this file), an mclust model (streamedMclust.ts), and either with missing cells integrated out
// (streamedMissing.ts). runStreamedModelEm is the EM loop of runEm (em.ts) over such a piece: the same iteration order,
// convergence rule and restarts, so on data that fit in memory the trace is the in-memory one up to the order of sums.

import type { GaussianSnapshot, InitParams, SklearnCovarianceType } from '../../../shared/protocol';
import type { EmProgress } from '../../em/em';
import { normalizeLogRowsAndExp } from '../../em/logsumexp';
import { Rng } from '../../em/rng';
import { StreamedGaussianStatistics, streamedGaussianStart, type RowSource, type StreamedEmOptions } from '../../em/streaming';
import { FitError, OptionsError } from '../../errors';
import { GaussianFamily, type GaussianParams } from './family';
import type { MclustModelName } from './mclust/models';

/** One Gaussian fit's streamed pieces, over the chunk its source has just filled. */
export interface StreamedGaussianModel<P> {
  readonly k: number;
  readonly d: number;
  /** Free parameters (BIC). */
  readonly parameters: number;
  /** θ_0 of one restart (may take passes over the rows); deterministic given the generator. */
  start(rng: Rng): P;
  /** Starts the M-step's sums for an E-step under `params`. */
  reset(params: P): void;
  /** out[i*K + j] = ln π_j + ln p(x_i | θ_j) for the chunk's `rows` rows. */
  chunkLogProb(params: P, rows: number, out: Float64Array): void;
  /** Adds the chunk's rows with their responsibilities (rows × K) to the sums. */
  add(rows: number, resp: Float64Array): void;
  /** The parameters from the sums (may reuse `previous`' storage: its snapshot has been taken). */
  mStep(previous: P): P;
  snapshot(params: P, iteration: number): GaussianSnapshot;
}

export interface StreamedModelOptions {
  k: number;
  /** scikit-learn's type, or an mclust model valid for the columns (mclustModelForColumns). */
  model: SklearnCovarianceType | MclustModelName;
  regularization: number;
  init: 'kmeans++' | 'random' | 'params';
  initParams?: InitParams;
  /** Rows k-means++ starts from (m × d, row-major): every row, in order, when m = n. */
  sample: { values: Float64Array; m: number };
}

/** init "params" out of core needs the covariances: without them the start would need every row's nearest mean first. */
export function checkStreamedInit(options: Pick<StreamedModelOptions, 'init' | 'initParams'>): void {
  if (options.init === 'params' && (!options.initParams || options.initParams.covariances == null)) {
    throw new OptionsError('out of core, init "params" needs initParams with covariances (weights, means and covariances).');
  }
}

/** The options of em/streaming.ts's start for these. */
export function startOptions(options: StreamedModelOptions, covarianceType: SklearnCovarianceType): StreamedEmOptions {
  return { ...options, covarianceType, maxIterations: 0, tolerance: 0, restarts: 1, seed: 0, plotIndices: [] };
}

/** scikit-learn's four types on complete rows: the kernels of GaussianFamily, sums about the current means. */
export class StreamedSklearnModel implements StreamedGaussianModel<GaussianParams> {
  readonly k: number;
  readonly d: number;
  readonly parameters: number;
  private readonly full: GaussianFamily;
  private readonly last: GaussianFamily;
  private readonly stats: StreamedGaussianStatistics;
  private readonly resp: Float64Array;

  constructor(
    private readonly source: RowSource,
    private readonly options: StreamedModelOptions,
  ) {
    const { k } = options;
    const { n, d, chunkRows, buffer } = source;
    const type = options.model as SklearnCovarianceType;
    checkStreamedInit(options);
    this.k = k;
    this.d = d;
    const familyOptions = { covarianceType: type, regularization: options.regularization, init: options.init, initParams: options.initParams };
    // One family per chunk length over the same buffer: the kernels read the chunk the source has just filled.
    this.full = new GaussianFamily(buffer, chunkRows, d, familyOptions);
    const tail = n % chunkRows;
    this.last = tail > 0 ? new GaussianFamily(buffer.subarray(0, tail * d), tail, d, familyOptions) : this.full;
    this.stats = new StreamedGaussianStatistics(type, k, d);
    this.resp = new Float64Array(chunkRows * k);
    this.parameters = this.full.parameterCount(k);
  }

  start(rng: Rng): GaussianParams {
    return streamedGaussianStart(startOptions(this.options, this.options.model as SklearnCovarianceType), this.source, this.full, this.stats, this.resp, rng);
  }

  reset(params: GaussianParams): void {
    this.stats.reset(params.means);
  }

  chunkLogProb(params: GaussianParams, rows: number, out: Float64Array): void {
    (rows === this.source.chunkRows ? this.full : this.last).weightedLogProb(params, this.k, out);
  }

  add(rows: number, resp: Float64Array): void {
    this.stats.add(this.source.buffer, rows, resp);
  }

  mStep(): GaussianParams {
    return this.stats.mStep(this.full, this.options.regularization);
  }

  snapshot(params: GaussianParams, iteration: number): GaussianSnapshot {
    return this.full.snapshot(params, this.k, iteration);
  }
}

export interface StreamedLoopOptions {
  maxIterations: number;
  tolerance: number;
  restarts: number;
  seed: number;
  /** Rows whose assignments are reported (increasing). */
  plotIndices: number[];
}

export interface StreamedModelRun<P> {
  params: P;
  converged: boolean;
  iterations: number;
  logLikelihood: number;
  trace: number[];
  snapshots: GaussianSnapshot[];
  restartObjectives: number[];
  /** Σ_i ln max_k r_ik of the final parameters (mclust's ICL). */
  sumLogMaxResp: number;
  /** Rows per cluster by argmax responsibility. */
  sizes: number[];
  plotAssignments: number[];
  parameters: number;
}

/** EM over the rows of `source` with a streamed model: one pass per iteration, restarts from one seeded generator. */
export function runStreamedModelEm<P>(source: RowSource, model: StreamedGaussianModel<P>, options: StreamedLoopOptions, onProgress?: (p: EmProgress) => void): StreamedModelRun<P> {
  const { k } = model;
  const { n, chunkRows } = source;
  if (k > n) throw new OptionsError(`K = ${k} components but only ${n} rows: K must not exceed the number of rows.`);
  const logProb = new Float64Array(chunkRows * k);
  const resp = new Float64Array(chunkRows * k);
  const rng = new Rng(options.seed);
  let best: StreamedModelRun<P> | undefined;
  const restartObjectives: number[] = [];

  /** E-step over every row with θ: the log-likelihood, and the M-step's sums. */
  const ePass = (params: P, plot: number[], sizes: number[]) => {
    model.reset(params);
    let logLikelihood = 0;
    let sumLogMax = 0;
    let p = 0;
    sizes.fill(0);
    source.forEachChunk((rows, start) => {
      model.chunkLogProb(params, rows, logProb);
      logLikelihood += normalizeLogRowsAndExp(logProb, rows, k, resp);
      for (let i = 0; i < rows; i++) {
        let bestJ = 0;
        for (let j = 1; j < k; j++) if (logProb[i * k + j] > logProb[i * k + bestJ]) bestJ = j;
        sizes[bestJ]++;
        const top = resp[i * k + bestJ];
        if (top > 0) sumLogMax += Math.log(top);
        while (p < options.plotIndices.length && options.plotIndices[p] === start + i) plot[p++] = bestJ;
      }
      model.add(rows, resp);
    });
    return { logLikelihood, sumLogMax };
  };

  for (let restart = 0; restart < Math.max(1, options.restarts); restart++) {
    let params = model.start(rng);
    const trace: number[] = [];
    const snapshots: GaussianSnapshot[] = [];
    const plot = new Array<number>(options.plotIndices.length).fill(0);
    const sizes = new Array<number>(k).fill(0);
    let convergedAt = -1;
    let iteration = 0;
    let logLikelihood = -Infinity;
    let sumLogMax = 0;
    for (; ; iteration++) {
      ({ logLikelihood, sumLogMax } = ePass(params, plot, sizes));
      if (!Number.isFinite(logLikelihood)) {
        throw new FitError(
          `The log-likelihood became ${logLikelihood} at iteration ${iteration}: a component has collapsed or a point ` +
            `has zero density under every component. Try fewer components (K), a larger regularisation, or standardising the columns.`,
        );
      }
      trace.push(logLikelihood);
      const snapshot = model.snapshot(params, iteration);
      snapshots.push(snapshot);
      onProgress?.({ restart, iteration, objective: logLikelihood, logLikelihood, snapshot });
      if (convergedAt >= 0 || iteration >= options.maxIterations) break;
      if (iteration >= 1 && Math.abs(logLikelihood - trace[iteration - 1]) / n < options.tolerance) convergedAt = iteration;
      params = model.mStep(params);
    }
    restartObjectives.push(logLikelihood);
    if (!best || logLikelihood > best.logLikelihood) {
      best = {
        params,
        converged: convergedAt >= 0,
        iterations: iteration,
        logLikelihood,
        trace,
        snapshots,
        restartObjectives,
        sumLogMaxResp: sumLogMax,
        sizes,
        plotAssignments: plot,
        parameters: model.parameters,
      };
    }
  }
  return best!;
}
