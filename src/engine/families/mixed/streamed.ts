// Exact EM for the mixed family (family.ts) whose rows stream from disk in chunks: every iteration is one pass over
// the rows. Each chunk's E-step is the in-memory family's own (a MixedFamily over the chunk's columns: the Gaussian
// block's kernels, the Poisson block's and the categorical block's, π counted once), and each block's M-step comes
// from its statistics summed over the chunks with the same responsibilities: the Gaussian block's N_k, Σ r (x − c_k)
// and Σ r (x − c_k)(x − c_k)ᵀ (the Gaussian family's streamed pieces, gaussian/streamedModel.ts: scikit-learn's types,
// mclust's models, missing cells integrated out), the Poisson block's Σ r x and the categorical block's counts. The
// start is the in-memory one: the Gaussian block's own (k-means++ on an evenly drawn sample, every row when the
// sample is the file; or random responsibilities row by row), then the other blocks' M-step from the Gaussian
// block's responsibilities.

import type { GaussianSnapshot, MixedSnapshot, SklearnCovarianceType } from '../../../shared/protocol';
import type { EmProgress } from '../../em/em';
import { normalizeLogRowsAndExp } from '../../em/logsumexp';
import { Rng } from '../../em/rng';
import type { RowSource } from '../../em/streaming';
import { FitError, OptionsError } from '../../errors';
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
  forEachChunk(visit: (rows: number, start: number) => void): void;
}

export interface StreamedMixedOptions {
  k: number;
  /** The Gaussian block's model: scikit-learn's type, or the mclust model for its columns. */
  covarianceType: SklearnCovarianceType | MclustModelName;
  /** The Gaussian block's rows have missing cells (NaN), integrated out. */
  missingCells?: boolean;
  regularization: number;
  init: 'kmeans++' | 'random';
  maxIterations: number;
  tolerance: number;
  restarts: number;
  seed: number;
  /** The Gaussian block's rows k-means++ starts from (m × gaussianColumns): every row, in order, when m = n. */
  sample: { values: Float64Array; m: number };
  plotIndices: number[];
}

export interface StreamedMixedRun {
  params: MixedParams<unknown>;
  converged: boolean;
  iterations: number;
  logLikelihood: number;
  trace: number[];
  snapshots: MixedSnapshot[];
  restartObjectives: number[];
  sumLogMaxResp: number;
  sizes: number[];
  plotAssignments: number[];
  parameters: number;
}

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
    snapshot: (params, _k, iteration): GaussianSnapshot => piece.snapshot(params, iteration),
  };
}

export function runStreamedMixedEm(source: MixedRowSource, options: StreamedMixedOptions, onProgress?: (p: EmProgress) => void): StreamedMixedRun {
  const { k } = options;
  const { n, chunkRows, gaussianColumns: dg, countColumns: dp, levels } = source;
  const dc = levels.length;
  if (dg === 0) throw new OptionsError('out of core, a mixed mixture needs numeric columns beside its count or categorical ones.');
  if (!Number.isInteger(k) || k < 1) throw new OptionsError(`K must be a whole number ≥ 1, got ${k}.`);
  if (k > n) throw new FitError(`K = ${k} components but only ${n} rows; K must not exceed the number of rows.`);
  const gaussianSource: RowSource = { n, d: dg, chunkRows, buffer: source.gaussian, forEachChunk: (visit) => source.forEachChunk(visit) };
  const piece = streamedGaussianModel(
    gaussianSource,
    { k, model: options.covarianceType, regularization: options.regularization, init: options.init, sample: options.sample },
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
  const poissonStats = dp > 0 ? new PoissonStatistics(k, dp, n) : undefined;
  const categoricalStats = dc > 0 ? new CategoricalStatistics(k, dc, offsets, n) : undefined;
  const logProb = new Float64Array(chunkRows * k);
  const resp = new Float64Array(chunkRows * k);
  const rng = new Rng(options.seed);
  const parameters = full.parameterCount(k);
  let best: StreamedMixedRun | undefined;
  const restartObjectives: number[] = [];

  const addOthers = (rows: number) => {
    poissonStats?.add(source.counts, rows, resp);
    categoricalStats?.add(source.codes, rows, resp);
  };

  /** As MixedFamily.initialize: the Gaussian block's start, then the others' M-step from its responsibilities. */
  const start = (): MixedParams<unknown> => {
    const gaussian = piece.start(rng);
    poissonStats?.reset();
    categoricalStats?.reset();
    source.forEachChunk((rows) => {
      const block = (rows === chunkRows ? full : last).gaussian!;
      block.weightedLogProb(gaussian, k, logProb);
      normalizeLogRowsAndExp(logProb, rows, k, resp);
      addOthers(rows);
    });
    return { gaussian, ...(poissonStats ? { poisson: poissonStats.mStep() } : {}), ...(categoricalStats ? { categorical: categoricalStats.mStep() } : {}) };
  };

  const ePass = (params: MixedParams<unknown>, plot: number[], sizes: number[]) => {
    piece.reset(params.gaussian);
    poissonStats?.reset();
    categoricalStats?.reset();
    let logLikelihood = 0;
    let sumLogMax = 0;
    let p = 0;
    sizes.fill(0);
    source.forEachChunk((rows, first) => {
      const family = rows === chunkRows ? full : last;
      family.poisson?.countsChanged();
      family.weightedLogProb(params, k, logProb);
      logLikelihood += normalizeLogRowsAndExp(logProb, rows, k, resp);
      for (let i = 0; i < rows; i++) {
        let bestJ = 0;
        for (let j = 1; j < k; j++) if (logProb[i * k + j] > logProb[i * k + bestJ]) bestJ = j;
        sizes[bestJ]++;
        const top = resp[i * k + bestJ];
        if (top > 0) sumLogMax += Math.log(top);
        while (p < options.plotIndices.length && options.plotIndices[p] === first + i) plot[p++] = bestJ;
      }
      piece.add(rows, resp);
      addOthers(rows);
    });
    return { logLikelihood, sumLogMax };
  };

  const mStep = (previous: MixedParams<unknown>): MixedParams<unknown> => ({
    gaussian: piece.mStep(previous.gaussian),
    ...(poissonStats ? { poisson: poissonStats.mStep() } : {}),
    ...(categoricalStats ? { categorical: categoricalStats.mStep() } : {}),
  });

  for (let restart = 0; restart < Math.max(1, options.restarts); restart++) {
    let params = start();
    const trace: number[] = [];
    const snapshots: MixedSnapshot[] = [];
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
      const snapshot = full.snapshot(params, k, iteration, new Int32Array(0));
      snapshot.sizes = [...sizes];
      snapshots.push(snapshot);
      onProgress?.({ restart, iteration, objective: logLikelihood, logLikelihood, snapshot });
      if (convergedAt >= 0 || iteration >= options.maxIterations) break;
      if (iteration >= 1 && Math.abs(logLikelihood - trace[iteration - 1]) / n < options.tolerance) convergedAt = iteration;
      params = mStep(params);
    }
    restartObjectives.push(logLikelihood);
    if (!best || logLikelihood > best.logLikelihood) {
      best = { params, converged: convergedAt >= 0, iterations: iteration, logLikelihood, trace, snapshots, restartObjectives, sumLogMaxResp: sumLogMax, sizes, plotAssignments: plot, parameters };
    }
  }
  return best!;
}
