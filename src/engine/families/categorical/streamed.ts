// Exact EM for a latent class model (the categorical family) whose rows stream from disk in chunks: each chunk's
// E-step is the in-memory family's arithmetic (ln π_k + Σ_j ln θ_kj[x_ij], a missing cell left out), and the M-step's
// counts N_k, Σ_i r_ik [x_ij = l] and Σ_i r_ik [x_ij observed] add up in row order, so they are the in-memory sums
// exactly. Starts as in memory: random responsibilities and random assignments row by row; k-means++ seeds (Hamming
// distance, on an evenly drawn sample: every row when the sample is the file) or random-data's rows (read back by
// index), then every row in its nearest seed's cluster, which is the in-memory family's own rule.

import type { CategoricalSnapshot } from '../../../shared/protocol';
import type { EmProgress } from '../../em/em';
import { kmeansPlusPlus, randomResponsibilities } from '../../em/init';
import type { Rng } from '../../em/rng';
import { checkComponents, runStreamedEm, sumOfWeights, weigh, type StreamedEmSettings, type StreamedFamily, type StreamedRun } from '../../em/streamedEm';
import { distinctRowsByIndex } from '../../em/streamedStarts';
import type { RowSource } from '../../em/streaming';
import { FitError } from '../../errors';
import { PROBABILITY_FLOOR, type CategoricalParams } from './family';

export type StreamedCategoricalInit = 'kmeans++' | 'random' | 'random-data' | 'random-assignment';

export interface StreamedCategoricalOptions extends StreamedEmSettings {
  init: StreamedCategoricalInit;
  /** Categories per column. */
  levels: number[];
  /** Rows k-means++ seeds from (m × columns codes, with their case weights): every row, in order, when m = n. */
  sample: { codes: Int32Array; m: number; weights?: Float64Array };
  /** The codes of the rows at `indices` into `out` (random-data's seed rows). */
  readRows(indices: Int32Array, out: Float64Array): void;
}

export type StreamedCategoricalRun = StreamedRun<CategoricalParams, CategoricalSnapshot>;

/** K − 1 weights and, per cluster and column, levels − 1 free probabilities (CategoricalFamily.parameterCount). */
export function categoricalParameterCount(levels: number[], k: number): number {
  let free = 0;
  for (const l of levels) free += l - 1;
  return k - 1 + k * free;
}

export function runStreamedCategoricalEm(source: RowSource, options: StreamedCategoricalOptions, onProgress?: (p: EmProgress) => void): StreamedCategoricalRun {
  const { k } = options;
  checkComponents(k, source.n);
  const total = source.weights ? sumOfWeights(source) : source.n;
  return runStreamedEm(source, streamedCategoricalFamily(source, options, total), { ...options, total }, onProgress);
}

/** The categorical family's part of the streamed loop: ln π_k + Σ_j ln θ_kj[x_ij] per chunk, and its counts. */
function streamedCategoricalFamily(source: RowSource, options: StreamedCategoricalOptions, total: number): StreamedFamily<CategoricalParams, CategoricalSnapshot> {
  const { k, levels } = options;
  const { chunkRows } = source;
  const d = levels.length;
  const codes = source.codes!;
  const offsets = new Int32Array(d + 1);
  for (let j = 0; j < d; j++) offsets[j + 1] = offsets[j] + levels[j];
  const L = offsets[d];
  const resp = new Float64Array(chunkRows * k);
  const logP = new Float64Array(k * L);
  const logWeights = new Float64Array(k);
  const stats = new CategoricalStatistics(k, d, offsets, total);
  return {
    parameters: categoricalParameterCount(levels, k),
    start: (rng) => initialParams(options, source, stats, resp, rng),
    beginPass(params) {
      stats.reset();
      for (let p = 0; p < k * L; p++) logP[p] = Math.log(params.probabilities[p]);
      for (let c = 0; c < k; c++) logWeights[c] = Math.log(params.weights[c]);
    },
    chunkLogProb(_params, rows, out) {
      for (let i = 0; i < rows; i++) {
        const row = i * d;
        for (let c = 0; c < k; c++) {
          let s = logWeights[c];
          const base = c * L;
          for (let j = 0; j < d; j++) {
            const x = codes[row + j];
            if (x >= 0) s += logP[base + offsets[j] + x];
          }
          out[i * k + c] = s;
        }
      }
    },
    add: (rows, r) => stats.add(codes, rows, r),
    mStep: () => stats.mStep(),
    snapshot(params, iteration, sizes) {
      const means: number[][] = [];
      for (let c = 0; c < k; c++) means.push(Array.from(params.probabilities.subarray(c * L, (c + 1) * L)));
      return { model: 'categorical', iteration, weights: Array.from(params.weights), means, sizes: [...sizes] };
    },
  };
}

/** The number of columns on which two code rows differ (CategoricalFamily's distance). */
function mismatches(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) if (a[ao + j] !== b[bo + j]) s++;
  return s;
}

/** θ_0, π_0 of one restart: the M-step of the start's (weighted) responsibilities, as CategoricalFamily.initialize. */
function initialParams(options: StreamedCategoricalOptions, source: RowSource, stats: CategoricalStatistics, resp: Float64Array, rng: Rng): CategoricalParams {
  const { k } = options;
  const d = options.levels.length;
  const { n } = source;
  const codes = source.codes!;
  stats.reset();
  if (options.init === 'random') {
    source.forEachChunk((rows) => {
      resp.set(randomResponsibilities(rows, k, rng));
      weigh(source, resp, rows, k);
      stats.add(codes, rows, resp);
    });
    return stats.mStep();
  }
  if (options.init === 'random-assignment') {
    source.forEachChunk((rows) => {
      resp.fill(0, 0, rows * k);
      for (let i = 0; i < rows; i++) resp[i * k + rng.int(k)] = source.weights ? source.weights[i] : 1;
      stats.add(codes, rows, resp);
    });
    return stats.mStep();
  }
  // The seed rows' codes; every row then goes to the nearest seed (fewest differing columns, the first on ties).
  const seeds = new Float64Array(k * d);
  if (options.init === 'random-data') {
    const rows = distinctRowsByIndex(n, k, d, rng, options.readRows);
    const one = new Int32Array(1);
    const row = new Float64Array(d);
    for (let c = 0; c < k; c++) {
      one[0] = rows[c];
      options.readRows(one, row);
      seeds.set(row, c * d);
    }
  } else {
    const { codes: sample, m, weights } = options.sample;
    const picked = kmeansPlusPlus(
      m,
      k,
      rng,
      (row, out) => {
        for (let i = 0; i < m; i++) out[i] = mismatches(sample, i * d, sample, row * d, d);
      },
      weights,
    );
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) seeds[c * d + j] = sample[picked[c] * d + j];
  }
  source.forEachChunk((rows) => {
    resp.fill(0, 0, rows * k);
    for (let i = 0; i < rows; i++) {
      let best = 0;
      let bestCount = Infinity;
      for (let c = 0; c < k; c++) {
        const s = mismatches(codes, i * d, seeds, c * d, d);
        if (s < bestCount) {
          bestCount = s;
          best = c;
        }
      }
      resp[i * k + best] = source.weights ? source.weights[i] : 1;
    }
    stats.add(codes, rows, resp);
  });
  return stats.mStep();
}

/** The M-step's counts, in row order: N_k, Σ_i r_ik [x_ij = l] and Σ_i r_ik [x_ij observed]. */
export class CategoricalStatistics {
  private readonly weights: Float64Array;
  private readonly counts: Float64Array;
  private readonly observed: Float64Array;
  private readonly L: number;

  constructor(
    private readonly k: number,
    private readonly d: number,
    private readonly offsets: Int32Array,
    private readonly total: number,
  ) {
    this.L = offsets[d];
    this.weights = new Float64Array(k);
    this.counts = new Float64Array(k * this.L);
    this.observed = new Float64Array(k * d);
  }

  reset(): void {
    this.weights.fill(0);
    this.counts.fill(0);
    this.observed.fill(0);
  }

  add(codes: Int32Array, rows: number, resp: Float64Array): void {
    const { k, d, offsets, L, weights, counts, observed } = this;
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < k; c++) {
        const r = resp[i * k + c];
        if (r === 0) continue;
        weights[c] += r;
        for (let j = 0; j < d; j++) {
          const x = codes[i * d + j];
          if (x < 0) continue;
          counts[c * L + offsets[j] + x] += r;
          observed[c * d + j] += r;
        }
      }
    }
  }

  /** CategoricalFamily.mStep's parameters from the counts. */
  mStep(): CategoricalParams {
    const { k, d, offsets, L } = this;
    const weights = Float64Array.from(this.weights);
    const probabilities = Float64Array.from(this.counts);
    for (let c = 0; c < k; c++) {
      if (!(weights[c] > 0)) throw new FitError(`component ${c + 1} of ${k} has no rows left: try a smaller K or another start.`);
      for (let j = 0; j < d; j++) {
        const total = this.observed[c * d + j];
        const from = c * L + offsets[j];
        const levels = offsets[j + 1] - offsets[j];
        let sum = 0;
        for (let l = 0; l < levels; l++) {
          const p = total > 0 ? probabilities[from + l] / total : 1 / levels;
          probabilities[from + l] = Math.max(PROBABILITY_FLOOR, p);
          sum += probabilities[from + l];
        }
        for (let l = 0; l < levels; l++) probabilities[from + l] /= sum;
      }
      weights[c] /= this.total;
    }
    return { weights, probabilities };
  }
}
