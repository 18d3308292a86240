// A Gaussian mixture fitted out of core (rows streamed from disk in chunks, em/streaming.ts's RowSource) as pieces of
// the streamed EM loop (em/streamedEm.ts): the start, the chunk's log-probabilities ln π_k + ln p(x_i | θ_k), the
// M-step's sums (begin a pass, add a chunk with its responsibilities) and the M-step from them. One piece per kind of
// fit: scikit-learn's four types (em/streaming.ts), an mclust model (streamedMclust.ts), and either with missing cells
// integrated out (streamedMissing.ts).

import type { GaussianSnapshot, InitParams, SklearnCovarianceType } from '../../../shared/protocol';
import { type StreamedFamily } from '../../em/streamedEm';
import { streamedGaussianFamily, type RowSource, type StreamedEmOptions, type StreamedGaussianInit } from '../../em/streaming';
import { OptionsError } from '../../errors';
import type { MclustModelName } from './mclust/models';

/** One Gaussian fit's streamed pieces, over the chunk its source has just filled. */
export interface StreamedGaussianModel<P> extends StreamedFamily<P, GaussianSnapshot> {
  readonly k: number;
  readonly d: number;
}

export interface StreamedModelOptions {
  k: number;
  /** scikit-learn's type, or an mclust model valid for the columns (mclustModelForColumns). */
  model: SklearnCovarianceType | MclustModelName;
  regularization: number;
  init: StreamedGaussianInit;
  initParams?: InitParams;
  /** Rows k-means++ starts from (m × d, row-major, with their case weights): every row, in order, when m = n. */
  sample: { values: Float64Array; m: number; weights?: Float64Array };
  /** The rows at `indices`, as the source gives them (random-data reads its drawn rows back). */
  readRows?: (indices: Int32Array, out: Float64Array) => void;
  /** Σ_i w_i with case weights (mclust's M-step divides by it); n without. */
  total?: number;
}

/** init "params" needs initParams, as in memory. */
export function checkStreamedInit(options: Pick<StreamedModelOptions, 'init' | 'initParams'>): void {
  if (options.init === 'params' && !options.initParams) throw new OptionsError('init is "params" but no initParams (weights, means, covariances) were given.');
}

/** The options of em/streaming.ts's start and family for these. */
export function startOptions(options: StreamedModelOptions, covarianceType: SklearnCovarianceType): StreamedEmOptions {
  return { ...options, covarianceType, maxIterations: 0, tolerance: 0, restarts: 1, seed: 0, plotIndices: [] };
}

/** scikit-learn's four types on complete rows: em/streaming.ts's kernels of GaussianFamily and sums about the current means. */
export function streamedSklearnModel(source: RowSource, options: StreamedModelOptions): StreamedGaussianModel<unknown> {
  checkStreamedInit(options);
  const family = streamedGaussianFamily(source, startOptions(options, options.model as SklearnCovarianceType));
  return { ...family, k: options.k, d: source.d } as StreamedGaussianModel<unknown>;
}
