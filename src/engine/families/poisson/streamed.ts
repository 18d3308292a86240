// Exact EM for a Poisson mixture whose rows stream from disk in chunks (files larger than memory): every iteration is
// one pass over the rows. Each chunk's E-step is the in-memory family's arithmetic (ln π_k − Σ_j λ_kj − Σ_j ln x_ij!
// + Σ_j x_ij ln λ_kj, in the same order), and the M-step's statistics N_k = Σ_i r_ik and Σ_i r_ik x_ij add up in row
// order, so they are the in-memory sums exactly; only the log-likelihood is summed chunk by chunk. The starts draw
// from the seeded generator in the in-memory order: random responsibilities and random assignments row by row,
// random-data's rows by a partial Fisher–Yates that remembers only the positions it moved (read back by index),
// k-means++ on an evenly drawn sample (every row when the sample is the file: then the in-memory start exactly).

import type { CountHistogram, PoissonSnapshot } from '../../../shared/protocol';
import type { EmProgress } from '../../em/em';
import { randomResponsibilities, startingPoint } from '../../em/init';
import { euclideanInitSpace } from '../../em/kmeans';
import type { Rng } from '../../em/rng';
import { lnGamma } from '../../em/special';
import type { RowSource } from '../../em/streaming';
import { checkComponents, runStreamedEm, sumOfWeights, weigh, type StreamedEmSettings, type StreamedFamily, type StreamedRun } from '../../em/streamedEm';
import { distinctRowsByIndex } from '../../em/streamedStarts';
import { FitError } from '../../errors';
import { HISTOGRAM_MAX_BARS } from './entry';
import { RATE_FLOOR, type PoissonParams } from './family';

export type StreamedPoissonInit = 'kmeans++' | 'random' | 'random-data' | 'random-assignment';

export interface StreamedPoissonOptions extends StreamedEmSettings {
  init: StreamedPoissonInit;
  /** Rows k-means++ starts from (m × d, row-major, with their case weights): every row, in order, when m = n. */
  sample: { values: Float64Array; m: number; weights?: Float64Array };
  /** The rows at `indices` into `out` (random-data's seed rows). */
  readRows(indices: Int32Array, out: Float64Array): void;
}

export type StreamedPoissonRun = StreamedRun<PoissonParams, PoissonSnapshot>;

export function runStreamedPoissonEm(source: RowSource, options: StreamedPoissonOptions, onProgress?: (p: EmProgress) => void): StreamedPoissonRun {
  const { k } = options;
  checkComponents(k, source.n);
  // Σ_i w_i (n without case weights): the denominator of π, BIC's n and the rows of the convergence rule.
  const total = source.weights ? sumOfWeights(source) : source.n;
  return runStreamedEm(source, streamedPoissonFamily(source, options, total), { ...options, total }, onProgress);
}

/** The Poisson family's part of the streamed loop: PoissonFamily.weightedLogProb's arithmetic per chunk, N_k and Σ r x. */
function streamedPoissonFamily(source: RowSource, options: StreamedPoissonOptions, total: number): StreamedFamily<PoissonParams, PoissonSnapshot> {
  const { k } = options;
  const { d, chunkRows, buffer } = source;
  const resp = new Float64Array(chunkRows * k);
  const logFactorials = new Float64Array(chunkRows);
  const logRates = new Float64Array(k * d);
  const base = new Float64Array(k);
  const stats = new PoissonStatistics(k, d, total);
  return {
    parameters: k * d + k - 1,
    start: (rng) => initialParams(options, source, stats, resp, rng),
    beginPass(params) {
      stats.reset();
      for (let p = 0; p < k * d; p++) logRates[p] = Math.log(params.rates[p]);
      for (let c = 0; c < k; c++) {
        let s = Math.log(params.weights[c]);
        for (let j = 0; j < d; j++) s -= params.rates[c * d + j];
        base[c] = s;
      }
    },
    /** ln π_k + ln p(x_i | λ_k) of one chunk's rows, as PoissonFamily.weightedLogProb. */
    chunkLogProb(_params, rows, out) {
      for (let i = 0; i < rows; i++) {
        let f = 0;
        for (let j = 0; j < d; j++) {
          const x = buffer[i * d + j];
          if (x > 1) f += lnGamma(x + 1);
        }
        logFactorials[i] = f;
      }
      for (let i = 0; i < rows; i++) {
        const row = i * d;
        for (let c = 0; c < k; c++) {
          let s = base[c] - logFactorials[i];
          const lr = c * d;
          for (let j = 0; j < d; j++) {
            const x = buffer[row + j];
            if (x !== 0) s += x * logRates[lr + j];
          }
          out[i * k + c] = s;
        }
      }
    },
    add: (rows, r) => stats.add(buffer, rows, r),
    mStep: () => stats.mStep(),
    snapshot: (params, iteration, sizes) => poissonSnapshot(params, k, d, iteration, sizes),
  };
}

function poissonSnapshot(params: PoissonParams, k: number, d: number, iteration: number, sizes: number[]): PoissonSnapshot {
  const means: number[][] = [];
  for (let c = 0; c < k; c++) means.push(Array.from(params.rates.subarray(c * d, (c + 1) * d)));
  return { model: 'poisson', iteration, weights: Array.from(params.weights), means, sizes: [...sizes] };
}

/**
 * λ_0, π_0 of one restart: the M-step of the start's responsibilities, as PoissonFamily.initialize. kmeans++ on a
 * sample larger than the file's rows is not possible, so a sample of m < n rows gives centres (its k-means labels'
 * means) and every row goes to its nearest centre.
 */
function initialParams(options: StreamedPoissonOptions, source: RowSource, stats: PoissonStatistics, resp: Float64Array, rng: Rng): PoissonParams {
  const { k } = options;
  const { n, d, buffer } = source;
  stats.reset();
  if (options.init === 'random') {
    source.forEachChunk((rows) => {
      resp.set(randomResponsibilities(rows, k, rng));
      weigh(source, resp, rows, k);
      stats.add(buffer, rows, resp);
    });
    return stats.mStep();
  }
  if (options.init === 'random-assignment') {
    source.forEachChunk((rows) => {
      resp.fill(0, 0, rows * k);
      for (let i = 0; i < rows; i++) resp[i * k + rng.int(k)] = source.weights ? source.weights[i] : 1;
      stats.add(buffer, rows, resp);
    });
    return stats.mStep();
  }
  // Centres every row is assigned to the nearest of (squared Euclidean distance, the first on ties).
  const centres = new Float64Array(k * d);
  let sampleLabels: Int32Array | undefined;
  if (options.init === 'random-data') {
    const seeds = distinctRowsByIndex(n, k, d, rng, options.readRows);
    const one = new Int32Array(1);
    const row = new Float64Array(d);
    for (let c = 0; c < k; c++) {
      one[0] = seeds[c];
      options.readRows(one, row);
      centres.set(row, c * d);
    }
  } else {
    const { values, m, weights } = options.sample;
    const start = startingPoint('kmeans++', euclideanInitSpace(values, m, d, weights), k, rng);
    if (start.kind !== 'responsibilities') throw new Error('internal: k-means++ gave no responsibilities');
    const labels = new Int32Array(m);
    const counts = new Float64Array(k);
    for (let i = 0; i < m; i++) {
      let j = 0;
      while (start.resp[i * k + j] === 0) j++;
      labels[i] = j;
      const w = weights ? weights[i] : 1;
      counts[j] += w;
      for (let c = 0; c < d; c++) centres[j * d + c] += w * values[i * d + c];
    }
    for (let j = 0; j < k; j++) if (counts[j] > 0) for (let c = 0; c < d; c++) centres[j * d + c] /= counts[j];
    if (m === n) sampleLabels = labels;
  }
  source.forEachChunk((rows, first) => {
    resp.fill(0, 0, rows * k);
    for (let i = 0; i < rows; i++) {
      let best = 0;
      if (sampleLabels) best = sampleLabels[first + i];
      else {
        let bestDistance = Infinity;
        for (let c = 0; c < k; c++) {
          let s = 0;
          for (let j = 0; j < d; j++) {
            const z = buffer[i * d + j] - centres[c * d + j];
            s += z * z;
          }
          if (s < bestDistance) {
            bestDistance = s;
            best = c;
          }
        }
      }
      resp[i * k + best] = source.weights ? source.weights[i] : 1;
    }
    stats.add(buffer, rows, resp);
  });
  return stats.mStep();
}

/** The M-step's sums N_k = Σ_i r_ik and S_kj = Σ_i r_ik x_ij, in row order. */
export class PoissonStatistics {
  private readonly nk: Float64Array;
  private readonly sums: Float64Array;

  constructor(
    private readonly k: number,
    private readonly d: number,
    private readonly total: number,
  ) {
    this.nk = new Float64Array(k);
    this.sums = new Float64Array(k * d);
  }

  reset(): void {
    this.nk.fill(0);
    this.sums.fill(0);
  }

  add(values: Float64Array, rows: number, resp: Float64Array): void {
    const { k, d, nk, sums } = this;
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < k; c++) {
        const r = resp[i * k + c];
        if (r === 0) continue;
        nk[c] += r;
        for (let j = 0; j < d; j++) sums[c * d + j] += r * values[i * d + j];
      }
    }
  }

  /** PoissonFamily.mStep's parameters from the sums. */
  mStep(): PoissonParams {
    const { k, d, nk, sums, total } = this;
    const weights = new Float64Array(k);
    const rates = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      const size = nk[c];
      if (!(size > 0)) throw new FitError(`component ${c + 1} of ${k} has no rows left: try a smaller K or another start.`);
      for (let j = 0; j < d; j++) rates[c * d + j] = Math.max(RATE_FLOOR, sums[c * d + j] / size);
      weights[c] = size / total;
    }
    return { weights, rates };
  }
}

/** Each column's count frequencies as countHistograms (entry.ts) gives them (a row counts w_i times), chunk by chunk. */
export function streamedCountHistograms(source: RowSource, columns: string[]): CountHistogram[] {
  const { d, buffer } = source;
  const frequencies = columns.map(() => new Array<number>(HISTOGRAM_MAX_BARS).fill(0));
  const max = new Float64Array(d);
  source.forEachChunk((rows) => {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < d; j++) {
        const x = buffer[i * d + j];
        if (x > max[j]) max[j] = x;
        frequencies[j][Math.min(x, HISTOGRAM_MAX_BARS - 1)] += source.weights ? source.weights[i] : 1;
      }
    }
  });
  return columns.map((column, j) => {
    const bars = Math.min(max[j] + 1, HISTOGRAM_MAX_BARS);
    return { column, frequencies: frequencies[j].slice(0, bars), tailFrom: max[j] + 1 > HISTOGRAM_MAX_BARS ? bars - 1 : undefined };
  });
}
