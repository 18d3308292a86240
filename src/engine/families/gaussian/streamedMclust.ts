// One of mclust's covariance models fitted out of core with a fixed K (streamedModel.ts's pieces): the E-step is
// MclustGaussianFamily's own kernel on each chunk, the M-step mclust's from the sufficient statistics N_k, Σ r (x − c_k)
// and Σ r (x − c_k)(x − c_k)ᵀ (mclust/statistics.ts, as the streamed model selection sums them), and the starts are
// the in-memory family's: k-means++ or random responsibilities (em/streaming.ts's streamedStartStatistics) then the
// model's M-step, or the given parameters.

import type { GaussianSnapshot } from '../../../shared/protocol';
import type { Rng } from '../../em/rng';
import { checkedGivenMeans, nearestMeanStatistics, randomDataRows, streamedStartStatistics, type RowSource } from '../../em/streaming';
import { FitError, OptionsError } from '../../errors';
import { EStepWorkspace, factorCovariances } from './mclust/estep';
import { MclustGaussianFamily, type MclustParams } from './mclust/family';
import { nMclustParams, type MclustModelName } from './mclust/models';
import { DEFAULT_MSTEP_CONTROL, MclustState, type MStepControl, type MStepFailure } from './mclust/mstep';
import { MclustStatistics, usesDiagonalScatterOnly } from './mclust/statistics';
import { checkStreamedInit, type StreamedGaussianModel, type StreamedModelOptions } from './streamedModel';

/** mclust's M-step control of a fit with this regularisation (as MclustGaussianFamily's, inner iterations at mclust's defaults). */
export function mclustControl(regularization: number): MStepControl {
  return { ...DEFAULT_MSTEP_CONTROL, regularization };
}

/** The FitError of an M-step (or start) that failed, as in memory. */
export function mclustFailure(model: string, k: number, failure: MStepFailure, mSteps: number, regularization: number): FitError {
  const when = mSteps <= 1 ? 'at the start' : `at M-step ${mSteps - 1}`;
  const regularize = regularization > 0 ? `a larger regularization (now ${regularization})` : 'regularization > 0 (e.g. 1e-6)';
  const what = failure === 'empty-component' ? 'a component lost all its points' : 'a covariance became singular (no spread left along some direction)';
  return new FitError(`mclust model ${model}, K = ${k}: ${what} ${when}. Try fewer components (K), another start (seed or init), or ${regularize}.`);
}

/**
 * The mclust start of `options` on `source`'s rows: given parameters as the in-memory family checks them, or one M-step
 * of the model from the k-means++ or random responsibilities (`resp`: chunkRows × K scratch).
 */
export function streamedMclustStart(source: RowSource, options: StreamedModelOptions, stats: MclustStatistics, resp: Float64Array, rng: Rng): MclustParams {
  const { k } = options;
  const { n, d } = source;
  const model = options.model as MclustModelName;
  const control = mclustControl(options.regularization);
  const factored = (params: MclustParams, mSteps: number) => {
    if (!factorCovariances(params.state.covariances, params.workspace, control.eps)) throw mclustFailure(model, k, 'singular', mSteps, options.regularization);
    return params;
  };
  if (options.init === 'params' && options.initParams?.covariances != null) {
    // The in-memory family reads the given weights, means and covariances (no row is read when covariances are given).
    return new MclustGaussianFamily(new Float64Array(k * d), k, d, { model, regularization: options.regularization, init: 'params', initParams: options.initParams }).initialize(k, rng);
  }
  const params: MclustParams = { state: new MclustState(model, d, k), workspace: new EStepWorkspace(d, k), mSteps: 1 };
  if (options.init === 'random-data') {
    // As scikit-learn's random_from_data: the K rows are the means, every covariance regularization × I, equal weights, no M-step.
    if (!(options.regularization > 0)) throw new OptionsError('init "random-data" starts every covariance at regularization × I (as scikit-learn\'s random_from_data), so it needs regularization > 0 (e.g. 1e-6).');
    const rows = randomDataRows(options, source, rng);
    const { state } = params;
    params.mSteps = 0;
    state.weights.fill(1 / k);
    state.means.set(rows);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) state.covariances[c * d * d + j * d + j] = options.regularization;
    return factored(params, 0);
  }
  // init "params" without covariances: one M-step of the model on the rows nearest each given mean, keeping the given weights and means.
  const given = options.init === 'params' ? checkedGivenMeans(options, d) : undefined;
  if (given) nearestMeanStatistics(source, given.means, k, stats, resp);
  else streamedStartStatistics(options, source, stats, resp, rng);
  const failure = stats.mStep(params.state, control, options.total ?? n);
  if (failure) throw mclustFailure(model, k, failure, 1, options.regularization);
  factored(params, 1);
  if (given) {
    params.state.weights.set(given.weights);
    params.state.means.set(given.means);
  }
  return params;
}

export class StreamedMclustModel implements StreamedGaussianModel<MclustParams> {
  readonly k: number;
  readonly d: number;
  readonly parameters: number;
  private readonly model: MclustModelName;
  private readonly full: MclustGaussianFamily;
  private readonly last: MclustGaussianFamily;
  private readonly stats: MclustStatistics;
  private readonly resp: Float64Array;
  private readonly control: MStepControl;

  constructor(
    private readonly source: RowSource,
    private readonly options: StreamedModelOptions,
  ) {
    const { k } = options;
    const { n, d, chunkRows, buffer } = source;
    checkStreamedInit(options);
    this.k = k;
    this.d = d;
    this.model = options.model as MclustModelName;
    const familyOptions = { model: this.model, regularization: options.regularization, init: 'kmeans++' as const };
    // One family per chunk length over the same buffer: its E-step reads the chunk the source has just filled.
    this.full = new MclustGaussianFamily(buffer, chunkRows, d, familyOptions);
    const tail = n % chunkRows;
    this.last = tail > 0 ? new MclustGaussianFamily(buffer.subarray(0, tail * d), tail, d, familyOptions) : this.full;
    this.stats = new MclustStatistics(d, k, usesDiagonalScatterOnly(this.model));
    this.resp = new Float64Array(chunkRows * k);
    this.control = mclustControl(options.regularization);
    this.parameters = nMclustParams(this.model, d, k);
  }

  start(rng: Rng): MclustParams {
    return streamedMclustStart(this.source, this.options, this.stats, this.resp, rng);
  }

  beginPass(params: MclustParams): void {
    this.stats.reset(params.state.means);
  }

  chunkLogProb(params: MclustParams, rows: number, out: Float64Array): void {
    (rows === this.source.chunkRows ? this.full : this.last).weightedLogProb(params, this.k, out);
  }

  add(rows: number, resp: Float64Array): void {
    this.stats.add(this.source.buffer, rows, resp);
  }

  /** The model's M-step in place (as MclustGaussianFamily.mStep), factored for the next E-step. */
  mStep(previous: MclustParams): MclustParams {
    previous.mSteps++;
    const failure = this.stats.mStep(previous.state, this.control, this.options.total ?? this.source.n) ?? (factorCovariances(previous.state.covariances, previous.workspace, this.control.eps) ? undefined : 'singular');
    if (failure) throw mclustFailure(this.model, this.k, failure, previous.mSteps, this.options.regularization);
    return previous;
  }

  snapshot(params: MclustParams, iteration: number): GaussianSnapshot {
    return this.full.snapshot(params, this.k, iteration);
  }
}
