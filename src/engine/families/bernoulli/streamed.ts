// Exact EM for a Bernoulli mixture whose rows stream from disk in chunks (files larger than memory): every iteration is
// one pass over the rows. Each chunk is binarised as the in-memory loader and family do it (the value, as the float32
// pixel the loader keeps, over the pixel scale above the threshold) into a reused sparse row list, its E-step is the
// family's kernel (eStepRows: ln π_k + Σ_j ln(1 − μ_kj) plus, per on-pixel, ln μ_kj − ln(1 − μ_kj)), and the
// M-step's statistics N_k = Σ_i r_ik and Σ_i r_ik x_ij (leaving out r_ik below the family's floor) add up chunk by
// chunk; the M-step is the family's MAP update under the Beta(a, b) prior, and the trace is ln p(X|θ) + ln p(θ). The
// starts are the in-memory ones: random responsibilities and random assignments row by row, k-means++ seeds by
// Hamming distance on an evenly drawn sample (every row when the sample is the file: then the in-memory start
// exactly) with every row in its nearest seed's cluster, or given parameters.

import type { BernoulliSnapshot, InitParams } from '../../../shared/protocol';
import type { EmProgress } from '../../em/em';
import { kmeansPlusPlus, randomResponsibilities, sampleWithoutReplacement } from '../../em/init';
import type { Rng } from '../../em/rng';
import { lnGamma } from '../../em/special';
import { checkComponents, runStreamedEm, sumOfWeights, weigh, type StreamedEmSettings, type StreamedFamily, type StreamedRun } from '../../em/streamedEm';
import type { RowSource } from '../../em/streaming';
import { OptionsError } from '../../errors';
import type { BinaryMatrix } from './binarize';
import { hammingDistancesTo, nearestCentre } from './distance';
import { MU_EPSILON, type BernoulliParams } from './family';
import { eStepRows, RESPONSIBILITY_FLOOR } from './shardKernels';

export type StreamedBernoulliInit = 'kmeans++' | 'random' | 'random-data' | 'random-assignment' | 'params';

export interface StreamedBernoulliOptions extends StreamedEmSettings {
  init: StreamedBernoulliInit;
  initParams?: InitParams;
  betaPrior: [number, number];
  /** The value that stands for "fully on" (the loader's pixel scale) and the binarisation threshold. */
  scale: number;
  threshold: number;
  /** The source holds missing cells (NaN): each drops out of its row's product, as BernoulliFamily's `missing`. */
  missing?: boolean;
  /** Rows k-means++ seeds from (m × d values, row-major, with their case weights): every row, in order, when m = n. */
  sample: { values: Float64Array; m: number; weights?: Float64Array };
}

export type StreamedBernoulliRun = StreamedRun<BernoulliParams, BernoulliSnapshot> & { notes: string[] };

/** Two components closer than this (max |Δμ|) at the start are pulled apart (as BernoulliFamily). */
const IDENTICAL_TOLERANCE = 1e-12;

/** Binarises `rows` dense rows (d values each) into `out`, a sparse row list with room for rows × d on-pixels. */
export function binarizeChunk(values: Float64Array, rows: number, d: number, scale: number, threshold: number, out: BinaryMatrix): void {
  let nnz = 0;
  out.rowPtr[0] = 0;
  for (let i = 0; i < rows; i++) out.rowPtr[i + 1] = nnz = binarizeRow(values, i * d, d, scale, threshold, out.colIdx, nnz);
  out.n = rows;
  out.nnz = nnz;
}

/** The on-pixels of the row at `offset` appended to colIdx from `nnz`; returns the new count. */
export function binarizeRow(values: Float64Array, offset: number, d: number, scale: number, threshold: number, colIdx: BinaryMatrix['colIdx'], nnz: number): number {
  for (let j = 0; j < d; j++) if (Math.fround(values[offset + j]) / scale > threshold) colIdx[nnz++] = j;
  return nnz;
}

/** The missing cells (NaN) of `rows` dense rows into `out`, a sparse row list. */
function missingCellsOf(values: Float64Array, rows: number, d: number, out: BinaryMatrix): void {
  const { rowPtr, colIdx } = out;
  let nnz = 0;
  rowPtr[0] = 0;
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) if (values[o + j] !== values[o + j]) colIdx[nnz++] = j;
    rowPtr[i + 1] = nnz;
  }
  out.n = rows;
  out.nnz = nnz;
}

export function sparseChunk(rows: number, d: number): BinaryMatrix {
  return { n: rows, d, rowPtr: new Uint32Array(rows + 1), colIdx: d > 65536 ? new Uint32Array(rows * d) : new Uint16Array(rows * d), nnz: 0 };
}

export function runStreamedBernoulliEm(source: RowSource, options: StreamedBernoulliOptions, onProgress?: (p: EmProgress) => void): StreamedBernoulliRun {
  const { k } = options;
  const [a, b] = options.betaPrior;
  if (!(Number.isFinite(a) && Number.isFinite(b) && a >= 1 && b >= 1)) throw new OptionsError(`betaPrior must be two finite numbers ≥ 1 (a, b), got ${JSON.stringify(options.betaPrior)}.`);
  checkComponents(k, source.n, 'images');
  const notes: string[] = [];
  // Σ_i w_i (n without case weights): the denominator of π and the rows of the convergence rule.
  const total = source.weights ? sumOfWeights(source) : source.n;
  const run = runStreamedEm(source, streamedBernoulliFamily(source, options, total, notes), { ...options, total }, onProgress);
  return { ...run, notes };
}

/**
 * The Bernoulli family's part of the streamed loop: each chunk binarised into a sparse row list, the family's
 * E-step kernel, N_k and the per-pixel counts, the MAP M-step and the Beta prior.
 */
function streamedBernoulliFamily(source: RowSource, options: StreamedBernoulliOptions, total: number, notes: string[]): StreamedFamily<BernoulliParams, BernoulliSnapshot> {
  const { k, scale, threshold } = options;
  const { n, d, chunkRows, buffer } = source;
  const [a, b] = options.betaPrior;
  const logPriorConstant = -(lnGamma(a) + lnGamma(b) - lnGamma(a + b));
  const chunk = sparseChunk(chunkRows, d);
  // The chunk's missing cells, row by row (a NaN binarises to off, as the in-memory loader's 0).
  const missing = options.missing ? sparseChunk(chunkRows, d) : undefined;
  const missingMass = new Float64Array(missing ? d * k : 0);
  const resp = new Float64Array(chunkRows * k);
  const wt = new Float64Array(d * k);
  const base = new Float64Array(k);
  const nk = new Float64Array(k);
  const counts = new Float64Array(d * k);

  const visitBinary = (visit: (rows: number, start: number) => void) =>
    source.forEachChunk((rows, start) => {
      binarizeChunk(buffer, rows, d, scale, threshold, chunk);
      if (missing) missingCellsOf(buffer, rows, d, missing);
      visit(rows, start);
    });

  const reset = () => {
    nk.fill(0);
    counts.fill(0);
    missingMass.fill(0);
  };

  /**
   * N_k (every responsibility) and Σ r x per pixel (responsibilities at or above the floor), as accumulateBlock; with
   * missing cells also Σ_{i: x_ij missing} r_ik per pixel (BernoulliFamily's missingResponsibility).
   */
  const accumulate = (rows: number, r: Float64Array) => {
    const { rowPtr, colIdx } = chunk;
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < k; c++) {
        const ri = r[i * k + c];
        nk[c] += ri;
        if (ri < RESPONSIBILITY_FLOOR) continue;
        for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) counts[colIdx[p] * k + c] += ri;
      }
    }
    if (!missing) return;
    for (let i = 0; i < rows; i++) {
      for (let p = missing.rowPtr[i]; p < missing.rowPtr[i + 1]; p++) {
        const j = missing.colIdx[p];
        for (let c = 0; c < k; c++) missingMass[j * k + c] += r[i * k + c];
      }
    }
  };

  /** BernoulliFamily.mStep from the sums: a pixel's count over the responsibility of the rows that observe it. */
  const mStep = (previous: BernoulliParams | undefined): BernoulliParams => {
    const weights = new Float64Array(k);
    const means = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      weights[c] = nk[c] / total;
      for (let j = 0; j < d; j++) {
        const denominator = nk[c] - (missing ? missingMass[j * k + c] : 0) + a + b - 2;
        means[c * d + j] = denominator > 0 ? clampMu((counts[j * k + c] + a - 1) / denominator) : previous ? previous.means[c * d + j] : 0.5;
      }
    }
    return { weights, means };
  };

  /**
   * random-data (BernoulliFamily's): K rows drawn uniformly without replacement, each blended half-and-half with the
   * smoothed mean image of every row; one pass finds both.
   */
  const randomDataParams = (rng: Rng): BernoulliParams => {
    const drawn = sampleWithoutReplacement(n, k, rng);
    const componentOf = new Map<number, number>();
    drawn.forEach((row, c) => componentOf.set(row, c));
    const freq = new Float64Array(d);
    const means = new Float64Array(k * d);
    visitBinary((rows, first) => {
      const { rowPtr, colIdx } = chunk;
      for (let p = 0; p < rowPtr[rows]; p++) freq[colIdx[p]]++;
      for (let i = 0; i < rows; i++) {
        const c = componentOf.get(first + i);
        if (c !== undefined) for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) means[c * d + colIdx[p]] += 0.5;
      }
    });
    for (let j = 0; j < d; j++) freq[j] = (freq[j] + 1) / (n + 2);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] += 0.5 * freq[j];
    return { weights: new Float64Array(k).fill(1 / k), means };
  };

  const start = (rng: Rng): BernoulliParams => {
    let params: BernoulliParams;
    if (options.init === 'params') params = explicitParams(options.initParams, k, d);
    else if (options.init === 'random-data') params = randomDataParams(rng);
    else {
      reset();
      if (options.init === 'random') {
        visitBinary((rows) => {
          resp.set(randomResponsibilities(rows, k, rng));
          weigh(source, resp, rows, k);
          accumulate(rows, resp);
        });
      } else if (options.init === 'random-assignment') {
        visitBinary((rows) => {
          resp.fill(0, 0, rows * k);
          for (let i = 0; i < rows; i++) resp[i * k + rng.int(k)] = source.weights ? source.weights[i] : 1;
          accumulate(rows, resp);
        });
      } else {
        const { values, m, weights } = options.sample;
        const sample = sparseChunk(m, d);
        binarizeChunk(values, m, d, scale, threshold, sample);
        const seeds = kmeansPlusPlus(m, k, rng, hammingDistancesTo(sample), weights);
        const sampleLabels = nearestCentre(sample, seeds, k);
        // Every row in its nearest seed's cluster (Hamming distance, the first on ties): the sample's own labels when
        // the sample is every row.
        const member = new Uint8Array(d * k);
        const size = new Int32Array(k);
        for (let c = 0; c < k; c++) {
          const r = seeds[c];
          size[c] = sample.rowPtr[r + 1] - sample.rowPtr[r];
          for (let q = sample.rowPtr[r]; q < sample.rowPtr[r + 1]; q++) member[sample.colIdx[q] * k + c] = 1;
        }
        const common = new Int32Array(k);
        visitBinary((rows, first) => {
          resp.fill(0, 0, rows * k);
          for (let i = 0; i < rows; i++) {
            let label: number;
            if (m === n) label = sampleLabels[first + i];
            else {
              common.fill(0);
              for (let q = chunk.rowPtr[i]; q < chunk.rowPtr[i + 1]; q++) for (let c = 0; c < k; c++) common[c] += member[chunk.colIdx[q] * k + c];
              label = 0;
              let nearest = Infinity;
              for (let c = 0; c < k; c++) {
                const distance = size[c] - 2 * common[c];
                if (distance < nearest) {
                  nearest = distance;
                  label = c;
                }
              }
            }
            resp[i * k + label] = source.weights ? source.weights[i] : 1;
          }
          accumulate(rows, resp);
        });
      }
      params = mStep(undefined);
    }
    separateIdentical(params, k, d, rng, notes);
    return params;
  };

  return {
    parameters: k * d + k - 1,
    start,
    beginPass(params) {
      for (let c = 0; c < k; c++) {
        let c0 = Math.log(params.weights[c]);
        for (let j = 0; j < d; j++) {
          const m = params.means[c * d + j];
          const log1m = Math.log1p(-m);
          c0 += log1m;
          wt[j * k + c] = Math.log(m) - log1m;
        }
        base[c] = c0;
      }
      reset();
    },
    chunkLogProb(params, rows, out) {
      binarizeChunk(buffer, rows, d, scale, threshold, chunk);
      eStepRows(chunk.rowPtr, chunk.colIdx, wt, base, k, 0, rows, out);
      if (!missing) return;
      // As BernoulliFamily.dropMissingFromRows: a missing pixel (binarised off) takes its ln(1 − μ_kj) back out.
      missingCellsOf(buffer, rows, d, missing);
      const mu = params.means;
      for (let i = 0; i < rows; i++) {
        for (let p = missing.rowPtr[i]; p < missing.rowPtr[i + 1]; p++) {
          const j = missing.colIdx[p];
          for (let c = 0; c < k; c++) out[i * k + c] -= Math.log1p(-mu[c * d + j]);
        }
      }
    },
    add: accumulate,
    mStep,
    logPrior(params) {
      if (a === 1 && b === 1) return 0;
      let s = 0;
      for (let e = 0; e < k * d; e++) s += (a - 1) * Math.log(params.means[e]) + (b - 1) * Math.log1p(-params.means[e]);
      return s + k * d * logPriorConstant;
    },
    snapshot(params, iteration, sizes) {
      const means: number[][] = [];
      for (let c = 0; c < k; c++) means.push(Array.from(params.means.subarray(c * d, (c + 1) * d)));
      return { model: 'bernoulli', iteration, weights: Array.from(params.weights), means, sizes: [...sizes] };
    },
  };
}

function clampMu(v: number): number {
  return v < MU_EPSILON ? MU_EPSILON : v > 1 - MU_EPSILON ? 1 - MU_EPSILON : v;
}

/** BernoulliFamily's explicit start: K weights (normalised) and K × D pixel probabilities. */
function explicitParams(p: InitParams | undefined, k: number, d: number): BernoulliParams {
  if (!p) throw new OptionsError('init is "params" but no initial parameters were given.');
  if (!Array.isArray(p.weights) || p.weights.length !== k) throw new OptionsError(`initial parameters: "weights" must hold K = ${k} numbers, got ${Array.isArray(p.weights) ? p.weights.length : typeof p.weights}.`);
  if (!Array.isArray(p.means) || p.means.length !== k) throw new OptionsError(`initial parameters: "means" must be K = ${k} rows of ${d} pixel probabilities, got ${Array.isArray(p.means) ? p.means.length : typeof p.means} rows.`);
  const weights = new Float64Array(k);
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const w = p.weights[c];
    if (typeof w !== 'number' || !(w > 0) || !Number.isFinite(w)) throw new OptionsError(`initial parameters: weight ${c + 1} must be a positive number, got ${String(w)}.`);
    weights[c] = w;
    sum += w;
  }
  for (let c = 0; c < k; c++) weights[c] /= sum;
  const means = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const row = p.means[c];
    if (!Array.isArray(row) || row.length !== d) throw new OptionsError(`initial parameters: means[${c}] must hold D = ${d} pixel probabilities, got ${Array.isArray(row) ? row.length : typeof row}.`);
    for (let j = 0; j < d; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new OptionsError(`initial parameters: means[${c}][${j}] must be a probability in [0, 1], got ${String(v)}.`);
      means[c * d + j] = clampMu(v);
    }
  }
  return { weights, means };
}

/** As BernoulliFamily: a component equal to an earlier one is moved by a small seeded step in logit space. */
function separateIdentical(params: BernoulliParams, k: number, d: number, rng: Rng, notes: string[]): void {
  const mu = params.means;
  for (let c = 1; c < k; c++) {
    for (let e = 0; e < c; e++) {
      let maxDiff = 0;
      for (let j = 0; j < d && maxDiff <= IDENTICAL_TOLERANCE; j++) maxDiff = Math.max(maxDiff, Math.abs(mu[c * d + j] - mu[e * d + j]));
      if (maxDiff > IDENTICAL_TOLERANCE) continue;
      for (let j = 0; j < d; j++) {
        const m = mu[c * d + j];
        const logit = Math.log(m) - Math.log1p(-m) + 0.2 * (rng.next() - 0.5);
        mu[c * d + j] = clampMu(1 / (1 + Math.exp(-logit)));
      }
      notes.push(`components ${e + 1} and ${c + 1} started identical; component ${c + 1} was perturbed slightly so that EM can separate them.`);
      break;
    }
  }
}
