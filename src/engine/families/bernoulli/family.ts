// Mixtures of multivariate Bernoulli distributions on binary images (Murphy §11.2.2, fig. 11.12; the course's
// exercise 1). p(x | θ) = Σ_k π_k Π_j μ_kj^x_j (1 − μ_kj)^(1 − x_j).
//
// E-step, in log space and sparse: ln π_k + Σ_j [x_j ln μ_kj + (1 − x_j) ln(1 − μ_kj)]
//   = ln π_k + C_k + Σ_{j on} (ln μ_kj − ln(1 − μ_kj)),  C_k = Σ_j ln(1 − μ_kj),
// so a row costs K additions per on-pixel (~13% of MNIST's pixels) instead of K·D multiply-adds.
// M-step, MAP under a Beta(a, b) prior on every μ_kj: μ_kj = (Σ_i r_ik x_ij + a − 1) / (N_k + a + b − 2), π_k = N_k / N.
// The default Beta(2, 2) gives (counts + 1) / (n + 2), the course's Laplace smoothing, and keeps every μ strictly
// inside (0, 1), so MNIST's always-blank border pixels give ln μ finite. EM then maximises ln p(X|θ) + ln p(θ); that
// objective is what `trace` holds, and for soft EM it never decreases. The M-step's pixel counts leave out
// responsibilities below 1e-16 (RESPONSIBILITY_FLOOR in shardKernels.ts: a change below the sums' own rounding).
//
// Rows are split into fixed blocks (shardKernels.ts) that run on this thread and, when there are cores and the
// bundled dist/shard.js, on worker-thread shards (shardPool.ts); results are identical for any thread count.
// Starting points come from the shared em/init.ts with the Hamming distance of distance.ts; examples.ts picks each
// cluster's most and least typical images.
// Case weights w_i (a table's weights column): EM hands the M-step w_i r_ik, so N_k and the pixel counts are weighted
// and π_k = N_k / Σ_i w_i (a whole-number weight is the row repeated); the start is weighted the same way.
// Missing cells (a table's, stored as 0 and listed in `missing`) drop out of their row's product, their exact
// marginal: the E-step takes each missing pixel's ln(1 − μ_kj) back out of the row's sum, and the M-step divides
// each pixel's count by the responsibility of the rows that observe it, N_kj = N_k − Σ_{i: x_ij missing} r_ik.

import * as os from 'node:os';
import type { BernoulliSnapshot, ClusterExamples, FitOptions, FitResult, InitMethod, InitParams } from '../../../shared/protocol';
import { binarize, type BinaryMatrix } from './binarize';
import { hammingDistancesTo, nearestCentre } from './distance';
import { clusterExamples } from './examples';
import type { ImageData, TableData } from '../../data/dataset';
import { emSettingsFor, informationCriteria, runEm, totalWeight, type EmProgress, type EmRun, type MixtureFamily } from '../../em/em';
import { FitError, OptionsError } from '../../errors';
import { labelMetrics } from '../../em/metrics';
import { startingPoint, weighResponsibilities, type InitSpace } from '../../em/init';
import type { Rng } from '../../em/rng';
import { lnGamma } from '../../em/special';
import { accumulateBlock, blockLayout, blockRowRange, eStepRows, reduceBlocks, type BlockLayout } from './shardKernels';
import { defaultShardScript, PHASE_E_STEP, PHASE_M_STEP, ShardPool } from './shardPool';

// Callers and tests import these from here.
export { kmeansPlusPlusBinary, nearestCentre } from './distance';
export { clusterExamples } from './examples';

/** Most and least typical member images shown per cluster, by default. */
export const EXAMPLES_PER_CLUSTER = 6;

export interface BernoulliParams {
  /** K mixing weights π_k. */
  weights: Float64Array;
  /** K × D pixel probabilities μ_kj, row-major, strictly inside (0, 1). */
  means: Float64Array;
}

export interface BernoulliOptions {
  /**
   * kmeans++: k-means++ seeding on the binary vectors (Hamming distance), then the Voronoi partition's M-step;
   * random: random responsibilities; random-assignment: each row in a random cluster (the course's start);
   * random-data: K random images blended half-and-half with the mean image; params: `initParams`.
   */
  init: InitMethod;
  /** Beta(a, b) prior on each μ_kj, a, b ≥ 1. (1, 1) is plain maximum likelihood (see MU_EPSILON). */
  betaPrior: [number, number];
  initParams?: InitParams;
  /** Threads for the E-/M-steps including the calling one; 0 or undefined = all cores. */
  threads?: number;
  /** The shard script; undefined = dist/shard.js beside the running bundle if present; null = single-threaded. */
  shardScript?: string | null;
  /** Case (frequency) weights w_i ≥ 0 of the rows. */
  caseWeights?: Float64Array;
  /** The missing cells, row by row (missingPixels). */
  missing?: MissingPixels;
}

/** Missing cells as a compressed row list: row i's are colIdx[rowPtr[i] .. rowPtr[i+1]). */
export interface MissingPixels {
  rowPtr: Uint32Array;
  colIdx: Int32Array;
}

/** The missing cells of an n × d mask (1 = missing). */
export function missingPixels(mask: Uint8Array, n: number, d: number): MissingPixels {
  const rowPtr = new Uint32Array(n + 1);
  let count = 0;
  for (let e = 0; e < n * d; e++) if (mask[e]) count++;
  const colIdx = new Int32Array(count);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) if (mask[i * d + j]) colIdx[p++] = j;
    rowPtr[i + 1] = p;
  }
  return { rowPtr, colIdx };
}

/**
 * Without a prior (a = b = 1) the maximum-likelihood μ of a pixel that is never (or always) on in a component is
 * exactly 0 (or 1), and ln 0 = −∞ would then turn into NaN. So μ is clamped into [ε, 1 − ε]: ln ε ≈ −23, a large but
 * finite penalty. With any a, b > 1 the MAP estimate is already ≥ (a − 1) / (N + a + b − 2), far above ε.
 */
export const MU_EPSILON = 1e-10;

/** Two components closer than this (max |Δμ|) at the start are treated as identical and pulled apart. */
const IDENTICAL_TOLERANCE = 1e-12;

export class BernoulliFamily implements MixtureFamily<BernoulliParams> {
  readonly model = 'bernoulli' as const;
  readonly n: number;
  readonly d: number;
  /** Things the user should know (components pulled apart, threads). */
  readonly notes: string[] = [];
  readonly caseWeights?: Float64Array;
  readonly missing?: MissingPixels;
  /** Σ_i w_i (n without case weights): the denominator of π. */
  private readonly total: number;
  /** Per pixel and component, the responsibility of the rows that miss it (d × K; with missing cells). */
  private missingMass = new Float64Array(0);
  private readonly a: number;
  private readonly b: number;
  private readonly logPriorConstant: number;
  private pool: ShardPool | undefined;
  private poolFailed = false;
  private local: { k: number; layout: BlockLayout; partial: Float64Array; wt: Float64Array; base: Float64Array; scratchK: Int32Array; scratchR: Float64Array } | undefined;
  private totals: Float64Array | undefined;
  private readonly requestedThreads: number;
  private readonly shardScript: string | undefined;

  constructor(
    readonly matrix: BinaryMatrix,
    readonly options: BernoulliOptions,
  ) {
    this.n = matrix.n;
    this.d = matrix.d;
    this.caseWeights = options.caseWeights;
    this.missing = options.missing;
    this.total = options.caseWeights ? totalWeight(options.caseWeights) : matrix.n;
    const [a, b] = options.betaPrior;
    if (!(Number.isFinite(a) && Number.isFinite(b) && a >= 1 && b >= 1)) {
      throw new OptionsError(`betaPrior must be two finite numbers ≥ 1 (a, b), got ${JSON.stringify(options.betaPrior)}.`);
    }
    this.a = a;
    this.b = b;
    // ln p(θ) is a proper log density: −ln B(a, b) per pixel probability.
    this.logPriorConstant = -(lnGamma(a) + lnGamma(b) - lnGamma(a + b));
    const threads = options.threads && options.threads > 0 ? options.threads : availableCores();
    this.requestedThreads = Math.max(1, Math.floor(threads));
    this.shardScript = options.shardScript === null ? undefined : (options.shardScript ?? defaultShardScript());
  }

  /** Threads the E-/M-steps actually use (1 until the first step has been taken with K known). */
  get threads(): number {
    return this.pool ? this.pool.threads : 1;
  }

  /** Blocks run by the shards so far (the rest ran on the calling thread). */
  get shardBlocks(): number {
    return this.pool ? this.pool.blocksRun - this.pool.callerBlocksRun : 0;
  }

  /** Stops the shard threads. The family stays usable, single-threaded. */
  dispose(): void {
    this.pool?.dispose();
    this.pool = undefined;
    this.poolFailed = true;
  }

  parameterCount(k: number): number {
    return k * this.d + k - 1;
  }

  // ------------------------------------------------------------------ initialisation

  initialize(k: number, rng: Rng): BernoulliParams {
    const { n } = this;
    if (!Number.isInteger(k) || k < 1) throw new OptionsError(`K must be a whole number ≥ 1, got ${k}.`);
    if (k > n) throw new FitError(`K = ${k} components but only ${n} images; K must not exceed the number of rows.`);
    const start = startingPoint(this.options.init, this.initSpace(), k, rng);
    const params =
      start.kind === 'explicit'
        ? this.explicitParams(k)
        : start.kind === 'rows'
          ? this.randomDataParams(k, start.rows)
          : this.mStep(weighResponsibilities(start.resp, k, this.caseWeights), k, undefined);
    this.separateIdentical(params, k, rng);
    return params;
  }

  /** The binary rows as the shared initialisations see them: Hamming k-means++, nearest seed, uniform rows. */
  private initSpace(): InitSpace {
    const m = this.matrix;
    return {
      n: this.n,
      distancesTo: hammingDistancesTo(m),
      labelsFromSeeds: (seeds, k) => nearestCentre(m, seeds, k),
      weights: this.caseWeights,
    };
  }

  private explicitParams(k: number): BernoulliParams {
    const p = this.options.initParams;
    const d = this.d;
    if (!p) throw new OptionsError('init is "params" but no initial parameters were given.');
    if (!Array.isArray(p.weights) || p.weights.length !== k) {
      throw new OptionsError(`initial parameters: "weights" must hold K = ${k} numbers, got ${Array.isArray(p.weights) ? p.weights.length : typeof p.weights}.`);
    }
    if (!Array.isArray(p.means) || p.means.length !== k) {
      throw new OptionsError(`initial parameters: "means" must be K = ${k} rows of ${d} pixel probabilities, got ${Array.isArray(p.means) ? p.means.length : typeof p.means} rows.`);
    }
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
      if (!Array.isArray(row) || row.length !== d) {
        throw new OptionsError(`initial parameters: means[${c}] must hold D = ${d} pixel probabilities, got ${Array.isArray(row) ? row.length : typeof row}.`);
      }
      for (let j = 0; j < d; j++) {
        const v = row[j];
        if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new OptionsError(`initial parameters: means[${c}][${j}] must be a probability in [0, 1], got ${String(v)}.`);
        means[c * d + j] = clampMu(v);
      }
    }
    return { weights, means };
  }

  /** random-data: each of the K rows blended half-and-half with the (smoothed) mean image. */
  private randomDataParams(k: number, rows: Int32Array): BernoulliParams {
    const { n, d, matrix } = this;
    const freq = new Float64Array(d);
    for (let p = 0; p < matrix.nnz; p++) freq[matrix.colIdx[p]]++;
    for (let j = 0; j < d; j++) freq[j] = (freq[j] + 1) / (n + 2);
    const means = new Float64Array(k * d);
    const weights = new Float64Array(k).fill(1 / k);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) means[c * d + j] = 0.5 * freq[j];
      for (let p = matrix.rowPtr[rows[c]]; p < matrix.rowPtr[rows[c] + 1]; p++) means[c * d + matrix.colIdx[p]] += 0.5;
    }
    return { weights, means };
  }

  /**
   * EM cannot split components that are exactly equal (same μ, same π → same responsibilities → same update, for
   * ever). Any such duplicate is moved by a small seeded step in logit space (uniform ±0.1 per pixel) so it can
   * separate; distinct components are left untouched (an explicit start reproduces exactly).
   */
  private separateIdentical(params: BernoulliParams, k: number, rng: Rng): void {
    const { d } = this;
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
        this.notes.push(`components ${e + 1} and ${c + 1} started identical; component ${c + 1} was perturbed slightly so that EM can separate them.`);
        break;
      }
    }
  }

  // ------------------------------------------------------------------ E-step

  weightedLogProb(params: BernoulliParams, k: number, out: Float64Array): void {
    const { n } = this;
    const pool = this.ensurePool(k);
    const wt = pool ? pool.buffers.wt : this.ensureLocal(k).wt;
    const base = pool ? pool.buffers.base : this.ensureLocal(k).base;
    this.logParams(params, k, wt, base);
    if (pool) {
      pool.run(PHASE_E_STEP);
      out.set(pool.buffers.logProb.subarray(0, n * k));
    } else {
      eStepRows(this.matrix.rowPtr, this.matrix.colIdx, wt, base, k, 0, n, out);
    }
    if (this.missing) this.dropMissingFromRows(params, k, out);
  }

  /** base[k] summed ln(1 − μ_kj) over every pixel: a missing pixel (stored as 0) takes its term back out. */
  private dropMissingFromRows(params: BernoulliParams, k: number, out: Float64Array): void {
    const { rowPtr, colIdx } = this.missing!;
    const { n, d } = this;
    const mu = params.means;
    for (let i = 0; i < n; i++) {
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        const j = colIdx[p];
        for (let c = 0; c < k; c++) out[i * k + c] -= Math.log1p(-mu[c * d + j]);
      }
    }
  }

  /** missingMass[j·K + k] = Σ_{i: x_ij missing} r_ik. */
  private missingResponsibility(resp: Float64Array, k: number): Float64Array {
    const { rowPtr, colIdx } = this.missing!;
    const { n, d } = this;
    if (this.missingMass.length !== d * k) this.missingMass = new Float64Array(d * k);
    const mass = this.missingMass;
    mass.fill(0);
    for (let i = 0; i < n; i++) {
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        const j = colIdx[p];
        for (let c = 0; c < k; c++) mass[j * k + c] += resp[i * k + c];
      }
    }
    return mass;
  }

  /** wt[j·K + k] = ln μ_kj − ln(1 − μ_kj); base[k] = ln π_k + Σ_j ln(1 − μ_kj). */
  private logParams(params: BernoulliParams, k: number, wt: Float64Array, base: Float64Array): void {
    const { d } = this;
    const mu = params.means;
    for (let c = 0; c < k; c++) {
      let c0 = Math.log(params.weights[c]);
      for (let j = 0; j < d; j++) {
        const m = mu[c * d + j];
        const log1m = Math.log1p(-m);
        c0 += log1m;
        wt[j * k + c] = Math.log(m) - log1m;
      }
      base[c] = c0;
    }
  }

  // ------------------------------------------------------------------ M-step

  mStep(resp: Float64Array, k: number, previous: BernoulliParams | undefined): BernoulliParams {
    const { n, d, a, b } = this;
    const pool = this.ensurePool(k);
    const layout = pool ? pool.buffers.layout : this.ensureLocal(k).layout;
    if (!this.totals || this.totals.length !== layout.stride) this.totals = new Float64Array(layout.stride);
    const totals = this.totals;
    if (pool) {
      pool.buffers.resp.set(resp.subarray(0, n * k));
      pool.run(PHASE_M_STEP);
      reduceBlocks(pool.buffers.partial, layout, totals);
    } else {
      const local = this.ensureLocal(k);
      for (let blk = 0; blk < layout.blocks; blk++) {
        const [r0, r1] = blockRowRange(layout, n, blk);
        accumulateBlock(this.matrix.rowPtr, this.matrix.colIdx, resp, d, k, r0, r1, local.partial, blk * layout.stride, local.scratchK, local.scratchR);
      }
      reduceBlocks(local.partial, layout, totals);
    }
    const weights = new Float64Array(k);
    const means = new Float64Array(k * d);
    const nkOffset = d * k;
    const missingMass = this.missing ? this.missingResponsibility(resp, k) : undefined;
    for (let c = 0; c < k; c++) {
      const nk = totals[nkOffset + c];
      weights[c] = nk / this.total;
      for (let j = 0; j < d; j++) {
        const denominator = nk - (missingMass ? missingMass[j * k + c] : 0) + a + b - 2;
        // No prior and no row observing the pixel in this component: nothing to estimate from; it keeps its value.
        means[c * d + j] = denominator > 0 ? clampMu((totals[j * k + c] + a - 1) / denominator) : previous ? previous.means[c * d + j] : 0.5;
      }
    }
    return { weights, means };
  }

  /** ln p(θ) = Σ_kj (a − 1) ln μ_kj + (b − 1) ln(1 − μ_kj) − K·D·ln B(a, b): no prior on π. */
  logPrior(params: BernoulliParams, k: number): number {
    const { a, b, d } = this;
    if (a === 1 && b === 1) return 0;
    const mu = params.means;
    let s = 0;
    for (let e = 0; e < k * d; e++) s += (a - 1) * Math.log(mu[e]) + (b - 1) * Math.log1p(-mu[e]);
    return s + k * d * this.logPriorConstant;
  }

  snapshot(params: BernoulliParams, k: number, iteration: number, assignments: Int32Array): BernoulliSnapshot {
    const { d } = this;
    const sizes = new Array<number>(k).fill(0);
    for (let i = 0; i < assignments.length; i++) sizes[assignments[i]]++;
    const means: number[][] = [];
    for (let c = 0; c < k; c++) means.push(Array.from(params.means.subarray(c * d, (c + 1) * d)));
    return { model: 'bernoulli', iteration, weights: Array.from(params.weights), means, sizes };
  }

  // ------------------------------------------------------------------ threads

  private ensureLocal(k: number) {
    if (this.local && this.local.k === k) return this.local;
    const layout = blockLayout(this.n, this.d, k);
    this.local = {
      k,
      layout,
      partial: new Float64Array(layout.blocks * layout.stride),
      wt: new Float64Array(this.d * k),
      base: new Float64Array(k),
      scratchK: new Int32Array(k),
      scratchR: new Float64Array(k),
    };
    return this.local;
  }

  private ensurePool(k: number): ShardPool | undefined {
    if (this.pool && this.pool.buffers.k === k) return this.pool;
    if (this.pool) this.pool.dispose();
    this.pool = undefined;
    if (this.poolFailed || this.requestedThreads <= 1 || !this.shardScript) return undefined;
    const layout = blockLayout(this.n, this.d, k);
    if (layout.blocks < 2) return undefined;
    try {
      this.pool = new ShardPool(this.matrix, k, layout, Math.min(this.requestedThreads, layout.blocks) - 1, this.shardScript);
    } catch (e) {
      this.poolFailed = true;
      this.notes.push(`ran single-threaded: could not start compute threads (${e instanceof Error ? e.message : String(e)}).`);
      return undefined;
    }
    return this.pool;
  }
}

function availableCores(): number {
  const osWithParallelism = os as typeof os & { availableParallelism?: () => number };
  return osWithParallelism.availableParallelism ? osWithParallelism.availableParallelism() : os.cpus().length || 1;
}

function clampMu(v: number): number {
  return v < MU_EPSILON ? MU_EPSILON : v > 1 - MU_EPSILON ? 1 - MU_EPSILON : v;
}

// ------------------------------------------------------------------ the fit, for fit.ts / worker / CLI

export interface BernoulliEngineOptions {
  /** Shard script override (tests point it at dist/shard.js); null = single-threaded. */
  shardScript?: string | null;
  /** Member images per cluster in `examples` (most and least typical each). Default 6. */
  examplesPerCluster?: number;
  /** Keep a parameter snapshot per iteration in the result (default true). */
  keepSnapshots?: boolean;
  /** The data already binarised at options.threshold (a K sweep binarises once and shares it with its workers). */
  binary?: BinaryMatrix;
}

export interface BernoulliFit {
  /** Complete FitResult; fit.ts overrides modelReason, columns, imageShape and elapsedMs as it sees fit. */
  result: FitResult;
  run: EmRun<BernoulliParams>;
  binary: BinaryMatrix;
  examples: ClusterExamples[];
  /** Threads the E-/M-steps used. */
  threads: number;
  /** Notes for the log: initial components pulled apart, single-threaded fallback… */
  notes: string[];
}

/**
 * Binarises (pixel/scale > threshold), fits a Bernoulli mixture by soft or hard EM and packages the result.
 * The trace is ln p(X|θ) + ln p(θ) (the objective EM maximises), `logLikelihoodTrace` the plain log-likelihood, and
 * `logLikelihood`, BIC and AIC use the plain log-likelihood.
 */
export function fitBernoulli(
  data: ImageData | TableData,
  given: FitOptions,
  onProgress?: (p: EmProgress) => void,
  engine: BernoulliEngineOptions = {},
): BernoulliFit {
  if (given.k === 'auto') throw new Error('internal: fitBernoulli fits one K; a selection passes each K');
  const options = { ...given, k: given.k };
  const started = Date.now();
  const binary = engine.binary ?? binarize(data, options.threshold);
  const family = new BernoulliFamily(binary, {
    init: options.init,
    betaPrior: options.betaPrior,
    initParams: options.initParams,
    threads: options.threads,
    shardScript: engine.shardScript,
    caseWeights: data.weights,
    missing: data.missing ? missingPixels(data.missing, binary.n, binary.d) : undefined,
  });
  let run: EmRun<BernoulliParams>;
  let threads: number;
  try {
    run = runEm<BernoulliParams>(
      family,
      { ...emSettingsFor(options, binary.n, data.labels), keepSnapshots: engine.keepSnapshots ?? true },
      onProgress,
    );
    threads = family.threads;
  } finally {
    family.dispose();
  }
  const { k } = options;
  const { n, d } = binary;
  const params = run.params;
  const sampleSize = data.weights ? totalWeight(data.weights) : n;
  const { bic, aic } = informationCriteria(run.logLikelihood, family.parameterCount(k), sampleSize);
  const last = family.snapshot(params, k, run.iterations, run.assignments);
  const labels = data.labels && data.labels.length === n ? data.labels : undefined;
  const imageShape: [number, number] | undefined = data.kind === 'images' ? [data.height, data.width] : undefined;
  const result: FitResult = {
    model: 'bernoulli',
    modelReason: 'chosen by the caller',
    k,
    n,
    d,
    columns: data.kind === 'table' ? data.columns : data.summary.columns,
    ...(data.weights ? { caseWeights: { column: data.weightsColumn ?? 'weights', total: sampleSize } } : {}),
    ...(data.missing ? { missingCells: data.missingPerColumn } : {}),
    converged: run.converged,
    iterations: run.iterations,
    logLikelihood: run.logLikelihood,
    trace: run.trace,
    logLikelihoodTrace: run.logLikelihoodTrace,
    weights: last.weights,
    means: last.means,
    emVariant: options.emVariant,
    assignments: Array.from(run.assignments),
    bic,
    aic,
    snapshots: run.snapshots,
    restartObjectives: run.restartObjectives,
    labelMetrics: labels ? labelMetrics(run.assignments, labels, k, data.labelNames) : undefined,
    imageShape,
    elapsedMs: Date.now() - started,
  };
  const examples = clusterExamples(binary, params, run.assignments, k, engine.examplesPerCluster ?? EXAMPLES_PER_CLUSTER);
  return { result, run, binary, examples, threads, notes: family.notes };
}
