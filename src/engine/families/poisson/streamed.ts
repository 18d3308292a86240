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
import { normalizeLogRowsAndExp } from '../../em/logsumexp';
import { Rng } from '../../em/rng';
import { lnGamma } from '../../em/special';
import type { RowSource } from '../../em/streaming';
import { distinctRowsByIndex, sumOfWeights, weigh } from '../../em/streamedStarts';
import { FitError, OptionsError } from '../../errors';
import { HISTOGRAM_MAX_BARS } from './entry';
import { RATE_FLOOR, type PoissonParams } from './family';

export type StreamedPoissonInit = 'kmeans++' | 'random' | 'random-data' | 'random-assignment';

export interface StreamedPoissonOptions {
  k: number;
  init: StreamedPoissonInit;
  maxIterations: number;
  tolerance: number;
  restarts: number;
  seed: number;
  /** Rows k-means++ starts from (m × d, row-major, with their case weights): every row, in order, when m = n. */
  sample: { values: Float64Array; m: number; weights?: Float64Array };
  /** Rows whose assignments are reported (increasing). */
  plotIndices: number[];
  /** The rows at `indices` into `out` (random-data's seed rows). */
  readRows(indices: Int32Array, out: Float64Array): void;
}

export interface StreamedPoissonRun {
  params: PoissonParams;
  converged: boolean;
  iterations: number;
  logLikelihood: number;
  trace: number[];
  snapshots: PoissonSnapshot[];
  restartObjectives: number[];
  /** Σ_i ln max_k r_ik of the final parameters (ICL). */
  sumLogMaxResp: number;
  /** Rows per cluster by argmax responsibility. */
  sizes: number[];
  plotAssignments: number[];
  parameters: number;
}

export function runStreamedPoissonEm(source: RowSource, options: StreamedPoissonOptions, onProgress?: (p: EmProgress) => void): StreamedPoissonRun {
  const { k } = options;
  const { n, d, chunkRows, buffer } = source;
  const caseWeights = source.weights;
  if (!Number.isInteger(k) || k < 1) throw new OptionsError(`K must be a whole number ≥ 1, got ${k}.`);
  if (k > n) throw new FitError(`K = ${k} components but only ${n} rows; K must not exceed the number of rows.`);
  const logProb = new Float64Array(chunkRows * k);
  const resp = new Float64Array(chunkRows * k);
  const logFactorials = new Float64Array(chunkRows);
  const logRates = new Float64Array(k * d);
  const base = new Float64Array(k);
  const rowLogNorm = new Float64Array(chunkRows);
  // Σ_i w_i (n without case weights): the denominator of π, BIC's n and the rows of the convergence rule.
  const total = caseWeights ? sumOfWeights(source) : n;
  const stats = new PoissonStatistics(k, d, total);
  const rng = new Rng(options.seed);
  let best: StreamedPoissonRun | undefined;
  const restartObjectives: number[] = [];

  /** ln π_k + ln p(x_i | λ_k) of one chunk's rows, as PoissonFamily.weightedLogProb. */
  const chunkLogProb = (params: PoissonParams, rows: number) => {
    for (let p = 0; p < k * d; p++) logRates[p] = Math.log(params.rates[p]);
    for (let c = 0; c < k; c++) {
      let s = Math.log(params.weights[c]);
      for (let j = 0; j < d; j++) s -= params.rates[c * d + j];
      base[c] = s;
    }
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
        logProb[i * k + c] = s;
      }
    }
  };

  const ePass = (params: PoissonParams, plot: number[], sizes: number[]) => {
    stats.reset();
    let logLikelihood = 0;
    let sumLogMax = 0;
    let p = 0;
    sizes.fill(0);
    source.forEachChunk((rows, start) => {
      chunkLogProb(params, rows);
      const chunkLogLikelihood = normalizeLogRowsAndExp(logProb, rows, k, resp, rowLogNorm);
      if (!caseWeights) logLikelihood += chunkLogLikelihood;
      for (let i = 0; i < rows; i++) {
        let bestJ = 0;
        for (let j = 1; j < k; j++) if (logProb[i * k + j] > logProb[i * k + bestJ]) bestJ = j;
        sizes[bestJ]++;
        while (p < options.plotIndices.length && options.plotIndices[p] === start + i) plot[p++] = bestJ;
        const top = resp[i * k + bestJ];
        if (!caseWeights) {
          if (top > 0) sumLogMax += Math.log(top);
          continue;
        }
        // As em.ts's weighRows: Σ w_i ln p(x_i), and the M-step gets w_i r_ik; a row of weight 0 adds nothing.
        const w = caseWeights[i];
        if (w === 0) {
          resp.fill(0, i * k, (i + 1) * k);
          continue;
        }
        if (top > 0) sumLogMax += w * Math.log(top);
        logLikelihood += w * rowLogNorm[i];
        if (w !== 1) for (let j = 0; j < k; j++) resp[i * k + j] *= w;
      }
      stats.add(buffer, rows, resp);
    });
    return { logLikelihood, sumLogMax };
  };

  for (let restart = 0; restart < Math.max(1, options.restarts); restart++) {
    let params = initialParams(options, source, stats, resp, rng);
    const trace: number[] = [];
    const snapshots: PoissonSnapshot[] = [];
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
      const snapshot = poissonSnapshot(params, k, d, iteration, sizes);
      snapshots.push(snapshot);
      onProgress?.({ restart, iteration, objective: logLikelihood, logLikelihood, snapshot });
      if (convergedAt >= 0 || iteration >= options.maxIterations) break;
      if (iteration >= 1 && Math.abs(logLikelihood - trace[iteration - 1]) / total < options.tolerance) convergedAt = iteration;
      params = stats.mStep();
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
        parameters: k * d + k - 1,
      };
    }
  }
  return best!;
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
