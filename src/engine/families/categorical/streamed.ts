// Exact EM for a latent class model (the categorical family) whose rows stream from disk in chunks: each chunk's
// E-step is the in-memory family's arithmetic (ln π_k + Σ_j ln θ_kj[x_ij], a missing cell left out), and the M-step's
// counts N_k, Σ_i r_ik [x_ij = l] and Σ_i r_ik [x_ij observed] add up in row order, so they are the in-memory sums
// exactly. Starts as in memory: random responsibilities and random assignments row by row; k-means++ seeds (Hamming
// distance, on an evenly drawn sample: every row when the sample is the file) or random-data's rows (read back by
// index), then every row in its nearest seed's cluster, which is the in-memory family's own rule.

import type { CategoricalSnapshot } from '../../../shared/protocol';
import type { EmProgress } from '../../em/em';
import { kmeansPlusPlus, randomResponsibilities } from '../../em/init';
import { normalizeLogRowsAndExp } from '../../em/logsumexp';
import { Rng } from '../../em/rng';
import { distinctRowsByIndex, sumOfWeights, weigh } from '../../em/streamedStarts';
import type { RowSource } from '../../em/streaming';
import { FitError, OptionsError } from '../../errors';
import { PROBABILITY_FLOOR, type CategoricalParams } from './family';

export type StreamedCategoricalInit = 'kmeans++' | 'random' | 'random-data' | 'random-assignment';

export interface StreamedCategoricalOptions {
  k: number;
  init: StreamedCategoricalInit;
  /** Categories per column. */
  levels: number[];
  maxIterations: number;
  tolerance: number;
  restarts: number;
  seed: number;
  /** Rows k-means++ seeds from (m × columns codes, with their case weights): every row, in order, when m = n. */
  sample: { codes: Int32Array; m: number; weights?: Float64Array };
  plotIndices: number[];
  /** The codes of the rows at `indices` into `out` (random-data's seed rows). */
  readRows(indices: Int32Array, out: Float64Array): void;
}

export interface StreamedCategoricalRun {
  params: CategoricalParams;
  converged: boolean;
  iterations: number;
  logLikelihood: number;
  trace: number[];
  snapshots: CategoricalSnapshot[];
  restartObjectives: number[];
  sumLogMaxResp: number;
  sizes: number[];
  plotAssignments: number[];
  parameters: number;
}

/** K − 1 weights and, per cluster and column, levels − 1 free probabilities (CategoricalFamily.parameterCount). */
export function categoricalParameterCount(levels: number[], k: number): number {
  let free = 0;
  for (const l of levels) free += l - 1;
  return k - 1 + k * free;
}

export function runStreamedCategoricalEm(source: RowSource, options: StreamedCategoricalOptions, onProgress?: (p: EmProgress) => void): StreamedCategoricalRun {
  const { k, levels } = options;
  const { n, chunkRows } = source;
  const d = levels.length;
  const codes = source.codes!;
  const caseWeights = source.weights;
  if (!Number.isInteger(k) || k < 1) throw new OptionsError(`K must be a whole number ≥ 1, got ${k}.`);
  if (k > n) throw new FitError(`K = ${k} components but only ${n} rows; K must not exceed the number of rows.`);
  const offsets = new Int32Array(d + 1);
  for (let j = 0; j < d; j++) offsets[j + 1] = offsets[j] + levels[j];
  const L = offsets[d];
  const logProb = new Float64Array(chunkRows * k);
  const resp = new Float64Array(chunkRows * k);
  const rowLogNorm = new Float64Array(chunkRows);
  const logP = new Float64Array(k * L);
  const total = caseWeights ? sumOfWeights(source) : n;
  const stats = new CategoricalStatistics(k, d, offsets, total);
  const rng = new Rng(options.seed);
  let best: StreamedCategoricalRun | undefined;
  const restartObjectives: number[] = [];

  const ePass = (params: CategoricalParams, plot: number[], sizes: number[]) => {
    stats.reset();
    for (let p = 0; p < k * L; p++) logP[p] = Math.log(params.probabilities[p]);
    let logLikelihood = 0;
    let sumLogMax = 0;
    let p = 0;
    sizes.fill(0);
    source.forEachChunk((rows, start) => {
      for (let i = 0; i < rows; i++) {
        const row = i * d;
        for (let c = 0; c < k; c++) {
          let s = Math.log(params.weights[c]);
          const base = c * L;
          for (let j = 0; j < d; j++) {
            const x = codes[row + j];
            if (x >= 0) s += logP[base + offsets[j] + x];
          }
          logProb[i * k + c] = s;
        }
      }
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
      stats.add(codes, rows, resp);
    });
    return { logLikelihood, sumLogMax };
  };

  for (let restart = 0; restart < Math.max(1, options.restarts); restart++) {
    let params = initialParams(options, source, stats, resp, rng);
    const trace: number[] = [];
    const snapshots: CategoricalSnapshot[] = [];
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
      const means: number[][] = [];
      for (let c = 0; c < k; c++) means.push(Array.from(params.probabilities.subarray(c * L, (c + 1) * L)));
      const snapshot: CategoricalSnapshot = { model: 'categorical', iteration, weights: Array.from(params.weights), means, sizes: [...sizes] };
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
        parameters: categoricalParameterCount(levels, k),
      };
    }
  }
  return best!;
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
