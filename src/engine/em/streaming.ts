// Exact EM for a Gaussian mixture whose rows stream from disk in chunks (files larger than memory): every iteration
// is one pass over the rows, the E-step of each chunk by the in-memory family's own kernels, accumulating the M-step's
// statistics N_k, Σ r (x − c_k) and Σ r (x − c_k)(x − c_k)ᵀ about a shift c_k (the current means, so that the
// centred covariance suffers no cancellation); the M-step then gives scikit-learn's parameters from them. The loop is
// streamedEm.ts's (runEm's order, convergence rule and restarts): on data that fit in memory the trace is the
// in-memory one up to the order of the sums.

import type { GaussianSnapshot, InitParams, SklearnCovarianceType } from '../../shared/protocol';
import { OptionsError } from '../errors';
import { GaussianFamily, type GaussianParams } from '../families/gaussian/family';
import { finishCovariance } from '../families/gaussian/mstep';
import type { EmProgress } from './em';
import { runStreamedEm, weigh, type ChunkSource, type StreamedEmSettings, type StreamedFamily, type StreamedRun } from './streamedEm';
import { randomResponsibilities, startingPoint } from './init';
import { euclideanInitSpace } from './kmeans';
import type { Rng } from './rng';
import { distinctRowsByIndex } from './streamedStarts';

/** Rows delivered in chunks into one reused buffer (chunkRows × d, row-major). */
export interface RowSource extends ChunkSource {
  readonly d: number;
  readonly buffer: Float64Array;
  /** The chunk's case weights (chunkRows), filled with `buffer`, when the rows have them. */
  readonly weights?: Float64Array;
  /** The chunk's categorical codes (chunkRows × categoryColumns, −1 missing), filled with `buffer`, when there are any. */
  readonly codes?: Int32Array;
  readonly categoryColumns?: number;
  /** Fills `buffer` with consecutive chunks and calls visit(rows, start) after each. */
  forEachChunk(visit: (rows: number, start: number) => void): void;
}

export interface StreamedEmOptions extends StreamedEmSettings {
  covarianceType: SklearnCovarianceType;
  regularization: number;
  init: StreamedGaussianInit;
  initParams?: InitParams;
  /** Rows k-means++ starts from (m × d, row-major, with their case weights): every row, in order, when m = n. */
  sample: { values: Float64Array; m: number; weights?: Float64Array };
  /** The rows at `indices`, read back one by one (random-data's drawn rows). */
  readRows?: (indices: Int32Array, out: Float64Array) => void;
}

/** The starts a streamed Gaussian fit takes (all of the in-memory family's). */
export type StreamedGaussianInit = 'kmeans++' | 'random' | 'random-data' | 'params';

export type StreamedGaussianRun = StreamedRun<GaussianParams, GaussianSnapshot>;

/** sklearn adds 10 × machine epsilon to every nk (as estimate in families/gaussian/family.ts). */
const NK_EPSILON = 10 * Number.EPSILON;

export function runStreamedGaussianEm(source: RowSource, options: StreamedEmOptions, onProgress?: (p: EmProgress) => void): StreamedGaussianRun {
  const { k } = options;
  if (k > source.n) throw new OptionsError(`K = ${k} components but only ${source.n} rows: K must not exceed the number of rows.`);
  return runStreamedEm(source, streamedGaussianFamily(source, options), options, onProgress);
}

/** The Gaussian family's part of the streamed loop: scikit-learn's E-step kernels per chunk, the moments' sums. */
export function streamedGaussianFamily(source: RowSource, options: StreamedEmOptions): StreamedFamily<GaussianParams, GaussianSnapshot> {
  const { k, covarianceType: type } = options;
  const { n, d, chunkRows, buffer } = source;
  const familyOptions = { covarianceType: type, regularization: options.regularization, init: options.init, initParams: options.initParams };
  // One family per chunk length over the same buffer: the kernels read the chunk the source has just filled.
  const full = new GaussianFamily(buffer, chunkRows, d, familyOptions);
  const tail = n % chunkRows;
  const last = tail > 0 ? new GaussianFamily(buffer.subarray(0, tail * d), tail, d, familyOptions) : full;
  const resp = new Float64Array(chunkRows * k);
  const stats = new StreamedGaussianStatistics(type, k, d);
  return {
    parameters: full.parameterCount(k),
    start: (rng) => streamedGaussianStart(options, source, full, stats, resp, rng),
    beginPass: (params) => stats.reset(params.means),
    chunkLogProb: (params, rows, out) => (rows === chunkRows ? full : last).weightedLogProb(params, k, out),
    add: (rows, r) => stats.add(buffer, rows, r),
    mStep: () => stats.mStep(full, options.regularization),
    snapshot: (params, iteration) => full.snapshot(params, k, iteration),
  };
}

/**
 * θ_0 of one restart. kmeans++: k-means++ and Lloyd on the sample, then every row in its nearest centre's
 * component (the sample's own labels when the sample is every row), then the M-step from those hard
 * responsibilities; random: sklearn's random responsibilities, drawn row by row in file order; random-data: K distinct
 * rows drawn as init.ts draws them, read back by index, each the only row of its component (sklearn's
 * random_from_data); params: as given, or without covariances each estimated from the rows nearest its given mean.
 * With case weights every row's responsibilities are multiplied by its weight, as GaussianFamily.initialize does.
 */
export function streamedGaussianStart(options: StreamedEmOptions, source: RowSource, family: GaussianFamily, stats: StreamedGaussianStatistics, resp: Float64Array, rng: Rng): GaussianParams {
  const { k } = options;
  if (options.init === 'params') {
    if (options.initParams?.covariances != null) return family.givenParams(k);
    const given = checkedGivenMeans(options, source.d);
    nearestMeanStatistics(source, given.means, k, stats, resp);
    const fitted = stats.mStep(family, options.regularization);
    return family.startFromCovariances(given.weights, given.means, fitted.covariances, k);
  }
  if (options.init === 'random-data') {
    const rows = randomDataRows(options, source, rng);
    // Each drawn row about itself: its component's mean is the row, its covariance regularization × I.
    stats.reset(rows);
    stats.add(rows, k, identityResponsibilities(k));
    return stats.mStep(family, options.regularization);
  }
  streamedStartStatistics(options, source, stats, resp, rng);
  return stats.mStep(family, options.regularization);
}

/** random-data's K rows (K × d), drawn as the in-memory start draws them (distinct values preferred), read back by index. */
export function randomDataRows(options: Pick<StreamedEmOptions, 'k' | 'regularization' | 'readRows'>, source: RowSource, rng: Rng): Float64Array {
  const { k } = options;
  const { n, d } = source;
  if (!(options.regularization > 0)) {
    throw new OptionsError('init "random-data" starts every covariance at regularization × I (as sklearn\'s random_from_data), so it needs regularization > 0 (e.g. 1e-6).');
  }
  if (!options.readRows) throw new Error('internal: init "random-data" out of core needs the rows by index');
  const indices = distinctRowsByIndex(n, k, d, rng, options.readRows);
  const rows = new Float64Array(k * d);
  options.readRows(indices, rows);
  return rows;
}

/** K × K one-hot responsibilities: row j in component j. */
function identityResponsibilities(k: number): Float64Array {
  const resp = new Float64Array(k * k);
  for (let j = 0; j < k; j++) resp[j * k + j] = 1;
  return resp;
}

/**
 * initParams' weights (normalised) and means, checked as the in-memory start checks them (the full-covariance family
 * reads them, with identity matrices standing in for the covariances not given).
 */
export function checkedGivenMeans(options: Pick<StreamedEmOptions, 'k' | 'regularization' | 'initParams'>, d: number): { weights: Float64Array; means: Float64Array } {
  const { k } = options;
  const identity = Array.from({ length: k }, () => Array.from({ length: d }, (_, r) => Array.from({ length: d }, (_, c) => (r === c ? 1 : 0))));
  const checker = new GaussianFamily(new Float64Array(d), 1, d, { covarianceType: 'full', regularization: options.regularization, init: 'params', initParams: { ...options.initParams!, covariances: identity } });
  const { weights, means } = checker.givenParams(k);
  return { weights, means };
}

/** One pass: every row in the component of its nearest given mean (first on ties, as init.ts's nearestMeanLabels), weighted, summed into `stats`. */
export function nearestMeanStatistics(source: RowSource, means: Float64Array, k: number, stats: StreamedSums, resp: Float64Array): void {
  const { d, buffer } = source;
  stats.reset(means);
  source.forEachChunk((rows) => {
    resp.fill(0, 0, rows * k);
    for (let i = 0; i < rows; i++) resp[i * k + nearestCentre(buffer, i, d, means, k)] = source.weights ? source.weights[i] : 1;
    stats.add(buffer, rows, resp);
  });
}

/** The centre nearest row i of `values` (squared Euclidean distance, first on ties). */
function nearestCentre(values: Float64Array, i: number, d: number, centres: Float64Array, k: number): number {
  let j = 0;
  let nearest = Infinity;
  for (let q = 0; q < k; q++) {
    let s = 0;
    for (let c = 0; c < d; c++) {
      const z = values[i * d + c] - centres[q * d + c];
      s += z * z;
    }
    if (s < nearest) {
      nearest = s;
      j = q;
    }
  }
  return j;
}

/** Sums over the rows that any covariance model's M-step reads (scikit-learn's, mclust's). */
export interface StreamedSums {
  reset(shift: Float64Array): void;
  add(values: Float64Array, rows: number, resp: Float64Array): void;
}

/**
 * The starting responsibilities of kmeans++ and random (as streamedGaussianStart draws them) summed into `stats`, one
 * pass over the rows: the start's M-step is then the model's own from those sums.
 */
export function streamedStartStatistics(options: Pick<StreamedEmOptions, 'k' | 'init' | 'sample'>, source: RowSource, stats: StreamedSums, resp: Float64Array, rng: Rng): void {
  const { k } = options;
  const { n, d, buffer } = source;
  if (options.init === 'random') {
    stats.reset(new Float64Array(k * d));
    source.forEachChunk((rows) => {
      resp.set(randomResponsibilities(rows, k, rng));
      weigh(source, resp, rows, k);
      stats.add(buffer, rows, resp);
    });
    return;
  }
  const { values, m, weights } = options.sample;
  const start = startingPoint('kmeans++', euclideanInitSpace(values, m, d, weights), k, rng);
  if (start.kind !== 'responsibilities') throw new Error('internal: k-means++ gave no responsibilities');
  const labels = new Int32Array(m);
  const centres = new Float64Array(k * d);
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
  stats.reset(centres);
  source.forEachChunk((rows, first) => {
    resp.fill(0, 0, rows * k);
    for (let i = 0; i < rows; i++) {
      const j = m === n ? labels[first + i] : nearestCentre(buffer, i, d, centres, k);
      resp[i * k + j] = source.weights ? source.weights[i] : 1;
    }
    stats.add(buffer, rows, resp);
  });
}

/** The M-step's sums over the rows, about a shift per component. */
export class StreamedGaussianStatistics {
  private readonly nk: Float64Array;
  private readonly s1: Float64Array;
  private readonly s2: Float64Array;
  private readonly shift: Float64Array;
  private readonly y: Float64Array;
  private readonly square: boolean;

  constructor(
    private readonly type: SklearnCovarianceType,
    private readonly k: number,
    private readonly d: number,
  ) {
    this.square = type === 'full' || type === 'tied';
    this.nk = new Float64Array(k);
    this.s1 = new Float64Array(k * d);
    this.s2 = new Float64Array(this.square ? k * d * d : k * d);
    this.shift = new Float64Array(k * d);
    this.y = new Float64Array(d);
  }

  reset(shift: Float64Array): void {
    this.shift.set(shift);
    this.nk.fill(0);
    this.s1.fill(0);
    this.s2.fill(0);
  }

  add(values: Float64Array, rows: number, resp: Float64Array): void {
    const { k, d, nk, s1, s2, shift, y } = this;
    for (let i = 0; i < rows; i++) {
      const xo = i * d;
      for (let j = 0; j < k; j++) {
        const r = resp[i * k + j];
        if (r === 0) continue;
        nk[j] += r;
        const so = j * d;
        for (let c = 0; c < d; c++) {
          const v = values[xo + c] - shift[so + c];
          y[c] = v;
          s1[so + c] += r * v;
        }
        if (this.square) {
          const o = j * d * d;
          for (let a = 0; a < d; a++) {
            const ra = r * y[a];
            for (let b = 0; b <= a; b++) s2[o + a * d + b] += ra * y[b];
          }
        } else {
          for (let c = 0; c < d; c++) s2[so + c] += r * y[c] * y[c];
        }
      }
    }
  }

  /** scikit-learn's M-step from the sums: the mixing weights nk / Σ nk, then the family's parameters from the moments. */
  mStep(family: GaussianFamily, reg: number): GaussianParams {
    const { k } = this;
    const { nk, means, covariances } = this.moments(reg);
    let total = 0;
    for (let j = 0; j < k; j++) total += nk[j];
    const weights = new Float64Array(k);
    for (let j = 0; j < k; j++) weights[j] = nk[j] / total;
    return family.fromMoments(weights, means, covariances, nk, k);
  }

  /**
   * scikit-learn's _estimate_gaussian_parameters from the sums (also the variational mixture's nk, xk and sk): nk with
   * 10 ε added, the means, and the covariances of the type with `reg` on the diagonal, where
   * Σ r (x − μ)(x − μ)ᵀ = S2 − S1 δᵀ − δ S1ᵀ + N δ δᵀ with δ = μ − shift.
   */
  moments(reg: number): { nk: Float64Array; means: Float64Array; covariances: Float64Array } {
    const { k, d, nk, s1, s2, shift, type } = this;
    const nkE = new Float64Array(k);
    const means = new Float64Array(k * d);
    let total = 0;
    for (let j = 0; j < k; j++) {
      nkE[j] = nk[j] + NK_EPSILON;
      total += nkE[j];
      for (let c = 0; c < d; c++) means[j * d + c] = (s1[j * d + c] + nk[j] * shift[j * d + c]) / nkE[j];
    }
    const delta = (j: number, c: number) => means[j * d + c] - shift[j * d + c];
    let covariances: Float64Array;
    if (this.square) {
      covariances = new Float64Array(type === 'full' ? k * d * d : d * d);
      for (let j = 0; j < k; j++) {
        const o = j * d * d;
        const co = type === 'full' ? o : 0;
        for (let a = 0; a < d; a++) {
          const da = delta(j, a);
          for (let b = 0; b <= a; b++) {
            const db = delta(j, b);
            covariances[co + a * d + b] += s2[o + a * d + b] - s1[j * d + a] * db - da * s1[j * d + b] + nk[j] * da * db;
          }
        }
        if (type === 'full') finishCovariance(covariances, co, d, nkE[j], reg);
      }
      if (type === 'tied') finishCovariance(covariances, 0, d, total, reg);
    } else {
      const variances = new Float64Array(k * d);
      for (let j = 0; j < k; j++) {
        for (let c = 0; c < d; c++) {
          const dc = delta(j, c);
          const o = j * d + c;
          variances[o] = (s2[o] - 2 * s1[o] * dc + nk[j] * dc * dc) / nkE[j] + reg;
        }
      }
      if (type === 'diag') covariances = variances;
      else {
        covariances = new Float64Array(k);
        for (let j = 0; j < k; j++) {
          let s = 0;
          for (let c = 0; c < d; c++) s += variances[j * d + c];
          covariances[j] = s / d;
        }
      }
    }
    return { nk: nkE, means, covariances };
  }
}
