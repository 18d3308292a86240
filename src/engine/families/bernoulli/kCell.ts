// One K of a Bernoulli K sweep as a sweep thread fits it (select/kSweepParallel.ts): on one thread, from the binary
// matrix the sweep made once and shares (SharedArrayBuffers), so every K's fit is the one fitBernoulli gives alone.

import type { FitOptions } from '../../../shared/protocol';
import type { ImageData } from '../../data/dataset';
import type { BinaryMatrix } from './binarize';
import { fitBernoulli, type BernoulliFit } from './family';

/** What a sweep thread needs to fit any K: the images' description (labels, shape; no pixels), the matrix, the options. */
export interface BernoulliKTask {
  family: 'bernoulli';
  images: ImageData;
  binary: BinaryMatrix;
  options: FitOptions;
}

/** The task for `images` binarised as `binary`; its images carry no pixels (the threads read the shared matrix). */
export function bernoulliKTask(images: ImageData, binary: BinaryMatrix, options: FitOptions): BernoulliKTask {
  return { family: 'bernoulli', images: { ...images, pixels: new Float32Array(0) }, binary, options };
}

/** The fit of one K, single-threaded (the sweep's parallelism is across K). */
export function fitBernoulliK(task: BernoulliKTask, k: number): BernoulliFit {
  return fitBernoulli(task.images, { ...task.options, k, threads: 1 }, undefined, { binary: task.binary, shardScript: null });
}
