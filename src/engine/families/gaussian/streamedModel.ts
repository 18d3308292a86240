// A Gaussian mixture fitted out of core (rows streamed from disk in chunks, em/streaming.ts's RowSource) as pieces of
// the streamed EM loop (em/streamedEm.ts): the start, the chunk's log-probabilities ln π_k + ln p(x_i | θ_k), the
// M-step's sums (begin a pass, add a chunk with its responsibilities) and the M-step from them. One piece per kind of
// fit: scikit-learn's four types (em/streaming.ts), an mclust model (streamedMclust.ts), and either with missing cells
// integrated out (streamedMissing.ts).

import type { GaussianSnapshot, InitParams, SklearnCovarianceType } from '../../../shared/protocol';
import { type StreamedFamily } from '../../em/streamedEm';
import { streamedGaussianFamily, type RowSource, type StreamedEmOptions } from '../../em/streaming';
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
  init: 'kmeans++' | 'random' | 'params';
  initParams?: InitParams;
  /** Rows k-means++ starts from (m × d, row-major, with their case weights): every row, in order, when m = n. */
  sample: { values: Float64Array; m: number; weights?: Float64Array };
  /** Σ_i w_i with case weights (mclust's M-step divides by it); n without. */
  total?: number;
}

/** init "params" out of core needs the covariances: without them the start would need every row's nearest mean first. */
export function checkStreamedInit(options: Pick<StreamedModelOptions, 'init' | 'initParams'>): void {
  if (options.init === 'params' && (!options.initParams || options.initParams.covariances == null)) {
    throw new OptionsError('out of core, init "params" needs initParams with covariances (weights, means and covariances).');
  }
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
