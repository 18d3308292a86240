// Exact EM for the mixed family (family.ts) whose rows stream from disk in chunks, in the streamed EM loop
// (em/streamedEm.ts): every iteration is one pass over the rows. Each chunk's E-step is the in-memory family's own
// (a MixedFamily over the chunk's columns: the Gaussian block's kernels, the Poisson block's and the categorical block's, π counted once), and each block's M-step comes
// from its statistics summed over the chunks with the same responsibilities: the Gaussian block's N_k, Σ r (x − c_k)
// and Σ r (x − c_k)(x − c_k)ᵀ (the Gaussian family's streamed pieces, gaussian/streamedModel.ts: scikit-learn's types,
// mclust's models, missing cells integrated out), the Poisson block's Σ r x and the categorical block's counts. The
// start is the in-memory one: the Gaussian block's own (k-means++ on an evenly drawn sample, every row when the
// sample is the file; or random responsibilities row by row), then the other blocks' M-step from the Gaussian
// block's responsibilities.

import type { GaussianSnapshot, MixedSnapshot, SklearnCovarianceType } from '../../../shared/protocol';
import type { EmProgress } from '../../em/em';
import { normalizeLogRowsAndExp } from '../../em/logsumexp';
import { checkComponents, runStreamedEm, sumOfWeights, weigh, type ChunkLabels, type StreamedEmSettings, type StreamedFamily, type StreamedRun } from '../../em/streamedEm';
import type { RowSource } from '../../em/streaming';
import { OptionsError } from '../../errors';
import { CategoricalStatistics } from '../categorical/streamed';
import { CategoricalFamily } from '../categorical/family';
import { isMclustModelName, type MclustModelName } from '../gaussian/mclust/models';
import { streamedGaussianModel } from '../gaussian/outOfCore';
import type { StreamedGaussianModel } from '../gaussian/streamedModel';
import { PoissonStatistics } from '../poisson/streamed';
import { PoissonFamily } from '../poisson/family';
import { MixedFamily, type GaussianBlock, type MixedParams } from './family';

/** The mixed table's rows in chunks: the Gaussian block's columns, the count columns and the categorical codes. */
export interface MixedRowSource {
  readonly n: number;
  readonly chunkRows: number;
  /** chunkRows × gaussianColumns. */
  readonly gaussian: Float64Array;
  readonly gaussianColumns: number;
  /** chunkRows × countColumns. */
  readonly counts: Float64Array;
  readonly countColumns: number;
  /** chunkRows × categories per row (−1 missing). */
  readonly codes: Int32Array;
  /** Categories per categorical column. */
  readonly levels: number[];
  /** The chunk's case weights (chunkRows), when the rows have them. */
  readonly weights?: Float64Array;
  /** The chunk's known labels (scored, never fitted), when the rows have them. */
  readonly labels?: ChunkLabels;
  forEachChunk(visit: (rows: number, start: number) => void): void;
}

export interface StreamedMixedOptions extends StreamedEmSettings {
  /** The Gaussian block's model: scikit-learn's type, or the mclust model for its columns. */
  covarianceType: SklearnCovarianceType | MclustModelName;
  /** The Gaussian block's rows have missing cells (NaN), integrated out. */
  missingCells?: boolean;
  regularization: number;
  /** The Gaussian block's start (the mixed family has no explicit parameters). */
  init: 'kmeans++' | 'random' | 'random-data';
  /** The Gaussian block's rows k-means++ starts from (m × gaussianColumns, with their case weights): every row, in order, when m = n. */
  sample: { values: Float64Array; m: number; weights?: Float64Array };
  /** The Gaussian block's values of the rows at `indices` (random-data's drawn rows). */
  readRows?: (indices: Int32Array, out: Float64Array) => void;
}

export type StreamedMixedRun = StreamedRun<MixedParams<unknown>, MixedSnapshot>;

type Mixed = MixedFamily<unknown>;

/** The streamed Gaussian piece as a MixedFamily block over a chunk of `rows` rows (its E-step and snapshot). */
function chunkBlock(piece: StreamedGaussianModel<unknown>, rows: number): GaussianBlock<unknown> {
  const unused = () => {
    throw new Error('internal: the streamed Gaussian block starts and steps through its piece');
  };
  return {
    model: 'gaussian',
    n: rows,
    d: piece.d,
    initialize: unused,
    mStep: unused,
    weightedLogProb: (params, _k, out) => piece.chunkLogProb(params, rows, out),
    parameterCount: () => piece.parameters,
    snapshot: (params, _k, iteration): GaussianSnapshot => piece.snapshot(params, iteration, []),
  };
}

export function runStreamedMixedEm(source: MixedRowSource, options: StreamedMixedOptions, onProgress?: (p: EmProgress) => void): StreamedMixedRun {
  const { k } = options;
  if (source.gaussianColumns === 0) throw new OptionsError('out of core, a mixed mixture needs numeric columns beside its count or categorical ones.');
  checkComponents(k, source.n);
  // Σ_i w_i (n without case weights): the denominator of π and the rows of the convergence rule.
  const total = source.weights ? sumOfWeights(source) : source.n;
  return runStreamedEm(source, streamedMixedFamily(source, options, total), { ...options, total }, onProgress);
}

/** The mixed family's part of the streamed loop: MixedFamily's E-step per chunk, each block's statistics. */
function streamedMixedFamily(source: MixedRowSource, options: StreamedMixedOptions, total: number): StreamedFamily<MixedParams<unknown>, MixedSnapshot> {
  const { k } = options;
  const { n, chunkRows, gaussianColumns: dg, countColumns: dp, levels } = source;
  const dc = levels.length;
  const gaussianSource: RowSource = { n, d: dg, chunkRows, buffer: source.gaussian, weights: source.weights, forEachChunk: (visit) => source.forEachChunk(visit) };
  const piece = streamedGaussianModel(
    gaussianSource,
    { k, model: options.covarianceType, regularization: options.regularization, init: options.init, sample: options.sample, readRows: options.readRows, total },
    options.missingCells === true,
    isMclustModelName(options.covarianceType),
  );
  // One family per chunk length over the source's buffers: its kernels read the chunk just filled.
  const familyFor = (rows: number): Mixed =>
    new MixedFamily<unknown>({
      gaussian: chunkBlock(piece, rows),
      poisson: dp > 0 ? new PoissonFamily(source.counts.subarray(0, rows * dp), rows, dp, options.init) : undefined,
      categorical: dc > 0 ? new CategoricalFamily({ n: rows, d: dc, codes: source.codes.subarray(0, rows * dc), levels }, options.init) : undefined,
    });
  const full = familyFor(chunkRows);
  const tail = n % chunkRows;
  const last = tail > 0 ? familyFor(tail) : full;
  const offsets = new Int32Array(dc + 1);
  for (let j = 0; j < dc; j++) offsets[j + 1] = offsets[j] + levels[j];
  const poissonStats = dp > 0 ? new PoissonStatistics(k, dp, total) : undefined;
  const categoricalStats = dc > 0 ? new CategoricalStatistics(k, dc, offsets, total) : undefined;
  const logProb = new Float64Array(chunkRows * k);
  const resp = new Float64Array(chunkRows * k);

  const addOthers = (rows: number, r: Float64Array) => {
    poissonStats?.add(source.counts, rows, r);
    categoricalStats?.add(source.codes, rows, r);
  };

  return {
    parameters: full.parameterCount(k),
    /** As MixedFamily.initialize: the Gaussian block's start, then the others' M-step from its responsibilities. */
    start(rng) {
      const gaussian = piece.start(rng);
      poissonStats?.reset();
      categoricalStats?.reset();
      source.forEachChunk((rows) => {
        const block = (rows === chunkRows ? full : last).gaussian!;
        block.weightedLogProb(gaussian, k, logProb);
        normalizeLogRowsAndExp(logProb, rows, k, resp);
        weigh(source, resp, rows, k);
        addOthers(rows, resp);
      });
      return { gaussian, ...(poissonStats ? { poisson: poissonStats.mStep() } : {}), ...(categoricalStats ? { categorical: categoricalStats.mStep() } : {}) };
    },
    beginPass(params) {
      piece.beginPass(params.gaussian);
      poissonStats?.reset();
      categoricalStats?.reset();
    },
    chunkLogProb(params, rows, out) {
      const family = rows === chunkRows ? full : last;
      family.poisson?.countsChanged();
      family.weightedLogProb(params, k, out);
    },
    add(rows, r) {
      piece.add(rows, r);
      addOthers(rows, r);
    },
    mStep: (previous) => ({
      gaussian: piece.mStep(previous.gaussian),
      ...(poissonStats ? { poisson: poissonStats.mStep() } : {}),
      ...(categoricalStats ? { categorical: categoricalStats.mStep() } : {}),
    }),
    snapshot(params, iteration, sizes) {
      const snapshot = full.snapshot(params, k, iteration, new Int32Array(0));
      snapshot.sizes = [...sizes];
      return snapshot;
    },
  };
}
