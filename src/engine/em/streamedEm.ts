// The one EM loop of every family fitted out of core (rows streamed from disk in chunks, files larger than memory),
// as runEm (em.ts) is the one loop in memory: restarts from one seeded generator, an E-pass per iteration (the
// family's chunk log-probabilities, log-space normalisation, case weights as em.ts's weighRows, soft or hard
// responsibilities handed to the family's statistics), argmax sizes, the plotted rows' assignments, Σ ln max r
// (ICL), the convergence rule, one snapshot per iteration and the best restart. A family supplies only its start,
// its chunk log-probabilities, its sufficient statistics (reset, add, M-step), its prior, snapshot and parameter count.
// Known labels (never used by the fit) are scored as in memory: each pass counts clusters × labels of its rows, put on
// the iteration's snapshot.

import type { EmVariant, LabelMetrics, ParamsSnapshot } from '../../shared/protocol';
import { FitError, OptionsError } from '../errors';
import type { EmProgress, EmRun } from './em';
import { normalizeLogRowsAndExp } from './logsumexp';
import { labelMetricsFromConfusion } from './metrics';
import { Rng } from './rng';

/** Rows in chunks: after each fill of the family's buffers, visit(rows, start); `weights` then hold the chunk's case weights. */
export interface ChunkSource {
  readonly n: number;
  readonly chunkRows: number;
  readonly weights?: Float64Array;
  /** Known labels of the rows, filled with each chunk (never used by the fit: scored). */
  readonly labels?: ChunkLabels;
  forEachChunk(visit: (rows: number, start: number) => void): void;
}

/** A chunk's labels as em/metrics.ts's labelCodes gives them in memory. */
export interface ChunkLabels {
  /** The chunk's labels as codes 0 … L − 1 (chunkRows). */
  readonly codes: Int32Array;
  /** The label of each code, increasing (labelCodes' `values`): L of them. */
  readonly values: number[];
  /** Text labels: label v is names[v]. */
  readonly names?: string[];
}

/** The label metrics of a streamed fit, from its last snapshot's clusters × labels counts (as labelMetrics in memory). */
export function streamedLabelMetrics(source: ChunkSource, snapshots: readonly ParamsSnapshot[]): LabelMetrics | undefined {
  const confusion = snapshots[snapshots.length - 1]?.confusion;
  return source.labels && confusion ? labelMetricsFromConfusion(confusion, source.labels.values, source.labels.names) : undefined;
}

/** A K × L count table (row-major) as confusion[c][l]. */
export function confusionRows(counts: Float64Array, k: number, labelCount: number): number[][] {
  return Array.from({ length: k }, (_, c) => Array.from(counts.subarray(c * labelCount, (c + 1) * labelCount)));
}

/** What a family gives the streamed loop. Its buffers are the source's: each call reads the chunk just filled. */
export interface StreamedFamily<P, S extends ParamsSnapshot = ParamsSnapshot> {
  /** Free parameters (BIC). */
  readonly parameters: number;
  /** θ_0 of one restart (it may stream the rows); deterministic given the generator. */
  start(rng: Rng): P;
  /** Before an E-pass with θ: whatever the chunks' log-probabilities need, and the statistics reset (about θ). */
  beginPass(params: P): void;
  /** out[i·k + j] = ln π_j + ln p(x_i | θ_j) for the chunk's `rows` rows. */
  chunkLogProb(params: P, rows: number, out: Float64Array): void;
  /** Adds the chunk's responsibilities (w_i r_ik with case weights) to the M-step's statistics. */
  add(rows: number, resp: Float64Array): void;
  /** θ from the statistics added since beginPass. Throws FitError when it cannot. */
  mStep(previous: P): P;
  /** ln p(θ), when the family has a prior: the trace then holds ln p(X|θ) + ln p(θ). */
  logPrior?(params: P): number;
  /** Plain-data parameters of iteration `iteration`, with the pass's rows per cluster. */
  snapshot(params: P, iteration: number, sizes: number[]): S;
}

export interface StreamedEmSettings {
  k: number;
  maxIterations: number;
  tolerance: number;
  restarts: number;
  seed: number;
  /** Rows whose assignments are reported (increasing). */
  plotIndices: number[];
  /** Soft EM (the default), or classification EM (each row all in its most responsible component; stops when no row moves). */
  variant?: EmVariant;
  /** Σ_i w_i when the family has already summed it (else summed here with case weights; n without). */
  total?: number;
  /** Most bytes the kept per-iteration snapshots may take (SnapshotKeeper); every one is kept without it. */
  snapshotBytes?: number;
}

/** The best restart, as runEm's EmRun, with what a streamed fit reports instead of the n rows' responsibilities. */
export interface StreamedRun<P, S extends ParamsSnapshot = ParamsSnapshot>
  extends Pick<EmRun<P>, 'params' | 'converged' | 'iterations' | 'objective' | 'logLikelihood' | 'trace' | 'logLikelihoodTrace' | 'restartObjectives'> {
  snapshots: S[];
  /** Said when the snapshots were thinned to stay within snapshotBytes. */
  snapshotNote?: string;
  /** Σ_i w_i ln max_k r_ik of the final parameters (ICL). */
  sumLogMaxResp: number;
  /** Rows per cluster by argmax responsibility. */
  sizes: number[];
  plotAssignments: number[];
  parameters: number;
}

/** K a whole number from 1 to the number of rows (named `rows`, e.g. "images"). */
export function checkComponents(k: number, n: number, rows = 'rows'): void {
  if (!Number.isInteger(k) || k < 1) throw new OptionsError(`K must be a whole number ≥ 1, got ${k}.`);
  if (k > n) throw new FitError(`K = ${k} components but only ${n} ${rows}; K must not exceed the number of rows.`);
}

/** Σ_i w_i over every row, in row order (as em.ts's totalWeight). */
export function sumOfWeights(source: ChunkSource): number {
  let total = 0;
  source.forEachChunk((rows) => {
    for (let i = 0; i < rows; i++) total += source.weights![i];
  });
  return total;
}

/** resp's rows multiplied by the chunk's case weights (init.ts's weighResponsibilities). */
export function weigh(source: ChunkSource, resp: Float64Array, rows: number, k: number): void {
  const weights = source.weights;
  if (!weights) return;
  for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) resp[i * k + j] *= weights[i];
}

/**
 * The snapshots of one run within a byte cap: while they fit, every iteration's; beyond it, every stride-th from the
 * first (the stride doubling each time they would exceed the cap, so they stay evenly spaced), and always the last
 * (in the place of the last strided one when the cap is full). Only the per-iteration parameters are thinned: the
 * loop keeps the whole trace.
 */
export class SnapshotKeeper<S extends object> {
  private kept: S[] = [];
  private stride = 1;
  private seen = 0;
  private last: S | undefined;
  private max = Infinity;

  /** `bytes`: the cap (undefined: no cap). */
  constructor(private readonly bytes?: number) {}

  add(snapshot: S): void {
    if (this.seen === 0 && this.bytes !== undefined) this.max = Math.max(2, Math.floor(this.bytes / snapshotBytes(snapshot)));
    if (this.seen % this.stride === 0) {
      this.kept.push(snapshot);
      if (this.kept.length > this.max) {
        this.kept = this.kept.filter((_, i) => i % 2 === 0);
        this.stride *= 2;
      }
    }
    this.last = snapshot;
    this.seen++;
  }

  /** The kept snapshots, the last one included. */
  snapshots(): S[] {
    const out = this.kept.slice();
    if (this.last === undefined || out[out.length - 1] === this.last) return out;
    if (out.length >= this.max) out.pop();
    out.push(this.last);
    return out;
  }

  /** What the result says when snapshots were left out (undefined when every one was kept). */
  note(): string | undefined {
    const kept = this.snapshots().length;
    if (kept === this.seen) return undefined;
    return `the parameters of ${kept} of the ${this.seen} iterations are kept for the panel (evenly spaced, the first and the last) to stay within the memory budget; the log-likelihood trace has every iteration`;
  }
}

/** Bytes of a snapshot's numbers (8 each, the plain-data size that matters at K × d² per iteration). */
export function snapshotBytes(value: unknown): number {
  if (typeof value === 'number') return 8;
  if (Array.isArray(value)) {
    let total = 0;
    for (const v of value) total += snapshotBytes(v);
    return total;
  }
  if (ArrayBuffer.isView(value)) return (value as unknown as ArrayLike<number>).length * 8;
  if (value !== null && typeof value === 'object') {
    let total = 0;
    for (const v of Object.values(value)) total += snapshotBytes(v);
    return total;
  }
  return 8;
}

export function runStreamedEm<P, S extends ParamsSnapshot>(
  source: ChunkSource,
  family: StreamedFamily<P, S>,
  settings: StreamedEmSettings,
  onProgress?: (p: EmProgress) => void,
): StreamedRun<P, S> {
  const { k, plotIndices } = settings;
  const { n, chunkRows } = source;
  const caseWeights = source.weights;
  const hard = settings.variant === 'hard';
  // Rows in the convergence rule: Σ w_i with case weights (the number of rows they stand for).
  const total = settings.total ?? (caseWeights ? sumOfWeights(source) : n);
  const logProb = new Float64Array(chunkRows * k);
  const resp = new Float64Array(chunkRows * k);
  const rowLogNorm = new Float64Array(chunkRows);
  const rng = new Rng(settings.seed);
  const labels = source.labels;
  const labelCount = labels ? labels.values.length : 0;
  // Clusters × labels of one pass (row-major); as confusionCounts in memory it counts rows, whatever their weight.
  const contingency = labels ? new Float64Array(k * labelCount) : undefined;
  let best: StreamedRun<P, S> | undefined;
  const restartObjectives: number[] = [];

  /**
   * One E-pass with θ. Hard EM's "no row moved" compares the assignments of two passes; holding n of them would not
   * fit out of core, so each pass keeps a 64-bit fingerprint instead: two sums of a mixed hash of (row, component)
   * over the rows of non-zero weight (a row of weight 0 stands for no row, as in em.ts).
   */
  const ePass = (params: P, plot: number[], sizes: number[]) => {
    family.beginPass(params);
    let logLikelihood = 0;
    let sumLogMax = 0;
    let fingerprintA = 0;
    let fingerprintB = 0;
    let p = 0;
    sizes.fill(0);
    contingency?.fill(0);
    source.forEachChunk((rows, start) => {
      const codes = labels?.codes;
      family.chunkLogProb(params, rows, logProb);
      const chunkLogLikelihood = normalizeLogRowsAndExp(logProb, rows, k, resp, rowLogNorm);
      if (!caseWeights) logLikelihood += chunkLogLikelihood;
      for (let i = 0; i < rows; i++) {
        const o = i * k;
        let bestJ = 0;
        for (let j = 1; j < k; j++) if (logProb[o + j] > logProb[o + bestJ]) bestJ = j;
        sizes[bestJ]++;
        if (codes) contingency![bestJ * labelCount + codes[i]]++;
        while (p < plotIndices.length && plotIndices[p] === start + i) plot[p++] = bestJ;
        const top = resp[o + bestJ];
        const w = caseWeights ? caseWeights[i] : 1;
        if (w === 0) {
          // As em.ts's weighRows: a row of weight 0 adds nothing, even when its density is 0.
          resp.fill(0, o, o + k);
          continue;
        }
        if (top > 0) sumLogMax += w * Math.log(top);
        if (caseWeights) logLikelihood += w * rowLogNorm[i];
        if (hard) {
          resp.fill(0, o, o + k);
          resp[o + bestJ] = w;
          const key = (start + i) * k + bestJ;
          fingerprintA = (fingerprintA + mix(key, 0x9e3779b9)) >>> 0;
          fingerprintB = (fingerprintB + mix(key, 0x85ebca6b)) >>> 0;
        } else if (w !== 1) for (let j = 0; j < k; j++) resp[o + j] *= w;
      }
      family.add(rows, resp);
    });
    return { logLikelihood, sumLogMax, fingerprint: fingerprintA * 2 ** 32 + fingerprintB };
  };

  // With restarts the best run's snapshots are held beside the current one's: each gets half the cap.
  const restarts = Math.max(1, settings.restarts);
  const capPerRun = settings.snapshotBytes === undefined ? undefined : restarts > 1 ? settings.snapshotBytes / 2 : settings.snapshotBytes;
  for (let restart = 0; restart < restarts; restart++) {
    let params = family.start(rng);
    const trace: number[] = [];
    const logLikelihoodTrace: number[] = [];
    const keeper = new SnapshotKeeper<S>(capPerRun);
    const plot = new Array<number>(plotIndices.length).fill(0);
    const sizes = new Array<number>(k).fill(0);
    let convergedAt = -1;
    let iteration = 0;
    let objective = -Infinity;
    let logLikelihood = -Infinity;
    let sumLogMax = 0;
    let fingerprint = 0;
    let previousFingerprint = -1;
    for (; ; iteration++) {
      ({ logLikelihood, sumLogMax, fingerprint } = ePass(params, plot, sizes));
      if (!Number.isFinite(logLikelihood)) {
        throw new FitError(
          `The log-likelihood became ${logLikelihood} at iteration ${iteration}: a component has collapsed or a point ` +
            `has zero density under every component. Try fewer components (K), a larger regularisation, or standardising the columns.`,
        );
      }
      objective = logLikelihood + (family.logPrior ? family.logPrior(params) : 0);
      trace.push(objective);
      logLikelihoodTrace.push(logLikelihood);
      const snapshot = family.snapshot(params, iteration, sizes);
      if (contingency) snapshot.confusion = confusionRows(contingency, k, labelCount);
      keeper.add(snapshot);
      onProgress?.({ restart, iteration, objective, logLikelihood, snapshot });
      if (convergedAt >= 0 || iteration >= settings.maxIterations) break;
      if (iteration >= 1) {
        const stable = hard ? fingerprint === previousFingerprint : Math.abs(objective - trace[iteration - 1]) / total < settings.tolerance;
        if (stable) convergedAt = iteration;
      }
      previousFingerprint = fingerprint;
      params = family.mStep(params);
    }
    restartObjectives.push(objective);
    if (!best || objective > best.objective) {
      const snapshotNote = keeper.note();
      best = { params, converged: convergedAt >= 0, iterations: iteration, objective, logLikelihood, trace, logLikelihoodTrace, snapshots: keeper.snapshots(), ...(snapshotNote ? { snapshotNote } : {}), restartObjectives, sumLogMaxResp: sumLogMax, sizes, plotAssignments: plot, parameters: family.parameters };
    }
  }
  return best!;
}

/** A 32-bit hash of `key` (murmur3's finaliser over key and a per-lane seed). */
function mix(key: number, seed: number): number {
  let h = (Math.imul(key | 0, 0xcc9e2d51) ^ seed ^ Math.floor(key / 2 ** 32)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
