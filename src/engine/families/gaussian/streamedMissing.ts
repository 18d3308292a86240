// Missing cells integrated out of core (streamedModel.ts's pieces): rows streamed from disk with NaN in their missing
// cells, fitted as missing.ts fits them in memory (Ghahramani & Jordan). Per chunk, each row's pattern of missing
// cells keys a cache of what the current parameters give that pattern for every component: the Cholesky factor of
// Σ_k,oo with ln π_k − ½ ln det (2π Σ_k,oo), the regression B_k = Σ_k,mo Σ_k,oo⁻¹ and the conditional covariance
// C_k = Σ_k,mm − B_k Σ_k,om. The E-step is ln π_k + ln N(x_o | μ_k,o, Σ_k,oo); the sums add r·x̂ and r·(x̂ x̂ᵀ + C)
// about a shift (x̂ the row completed by component k), from which the M-step forms scikit-learn's covariances or the
// mclust model's. Nothing per row outlives its chunk; the cache holds one entry per pattern seen, refreshed when the
// parameters change. The start is the in-memory one: the complete-data start on the rows with each missing cell at
// its column's observed mean.

import type { GaussianSnapshot, SklearnCovarianceType } from '../../../shared/protocol';
import type { Rng } from '../../em/rng';
import { StreamedGaussianStatistics, streamedGaussianStart, type RowSource } from '../../em/streaming';
import { FitError } from '../../errors';
import { GaussianFamily } from './family';
import { choleskyInPlace, solveLowerInPlace } from './linalg';
import { isMclustModelName, nMclustParams, type MclustModelName } from './mclust/models';
import type { MStepControl } from './mclust/mstep';
import { MclustStatistics } from './mclust/statistics';
import { asMissingParams, fullSnapshot, mclustFromScatter, sklearnFromScatter, type MissingParams } from './missing';
import { mclustControl, streamedMclustStart } from './streamedMclust';
import { checkStreamedInit, startOptions, type StreamedGaussianModel, type StreamedModelOptions } from './streamedModel';

const LOG_2PI = Math.log(2 * Math.PI);
/** scikit-learn adds 10 × machine epsilon to every n_k (as family.ts). */
const NK_EPSILON = 10 * Number.EPSILON;
/** Patterns are keyed by a number (Σ 2^j over the missing columns j) up to this many columns, by a string beyond. */
const NUMERIC_KEY_COLUMNS = 52;

/** What one pattern of observed cells gives every component, for the parameters of `version`. */
interface Pattern {
  observed: Int32Array;
  missing: Int32Array;
  version: number;
  /** K Cholesky factors of Σ_k,oo (o × o each). */
  factors: Float64Array;
  /** ln π_k − ½ o ln 2π − ½ ln det Σ_k,oo. */
  constants: Float64Array;
  /** K regressions B_k (m × o each). */
  regressions: Float64Array;
  /** K conditional covariances C_k (m × m each). */
  conditionals: Float64Array;
}

export class StreamedMissingModel implements StreamedGaussianModel<MissingParams> {
  readonly k: number;
  readonly d: number;
  readonly parameters: number;
  private readonly mclust: boolean;
  private readonly control: MStepControl;
  /** scikit-learn's formulas (parameter count, given parameters, the start's M-step); reads no row. */
  private readonly formulas?: GaussianFamily;
  private readonly patterns: Pattern[] = [];
  private readonly keys = new Map<number | string, number>();
  private readonly powers: Float64Array;
  /** The pattern of each row of the current chunk. */
  private readonly rowPattern: Int32Array;
  private cachedFor: MissingParams | undefined;
  private version = 0;
  private observedMeans: Float64Array | undefined;
  // The sums about a shift per component, and scratch.
  private readonly sizes: Float64Array;
  private readonly s1: Float64Array;
  private readonly s2: Float64Array;
  private readonly shift: Float64Array;
  private readonly completed: Float64Array;
  private readonly y: Float64Array;
  private readonly diff: Float64Array;
  private readonly solved: Float64Array;

  constructor(
    private readonly source: RowSource,
    private readonly options: StreamedModelOptions,
  ) {
    const { k, model } = options;
    const { d, chunkRows } = source;
    checkStreamedInit(options);
    this.k = k;
    this.d = d;
    this.mclust = isMclustModelName(model);
    this.control = mclustControl(options.regularization);
    if (!this.mclust) {
      this.formulas = new GaussianFamily(new Float64Array(d), 1, d, { covarianceType: model as SklearnCovarianceType, regularization: options.regularization, init: options.init, initParams: options.initParams });
    }
    this.parameters = this.formulas ? this.formulas.parameterCount(k) : nMclustParams(model as MclustModelName, d, k);
    this.powers = Float64Array.from({ length: Math.min(d, NUMERIC_KEY_COLUMNS) }, (_, j) => 2 ** j);
    this.rowPattern = new Int32Array(chunkRows);
    this.sizes = new Float64Array(k);
    this.s1 = new Float64Array(k * d);
    this.s2 = new Float64Array(k * d * d);
    this.shift = new Float64Array(k * d);
    this.completed = new Float64Array(d);
    this.y = new Float64Array(d);
    this.diff = new Float64Array(d);
    this.solved = new Float64Array(d);
  }

  // ------------------------------------------------------------------------------------------------ start

  /** Per column, the (case-weighted) mean of its observed cells over every row, in row order (as missing.ts's observedColumnMeans). */
  columnMeans(): Float64Array {
    if (this.observedMeans) return this.observedMeans;
    const { d, buffer } = this.source;
    const sum = new Float64Array(d);
    const count = new Float64Array(d);
    const caseWeights = this.source.weights;
    this.source.forEachChunk((rows) => {
      for (let e = 0; e < rows * d; e++) {
        const v = buffer[e];
        if (v !== v) continue;
        const w = caseWeights ? caseWeights[Math.floor(e / d)] : 1;
        sum[e % d] += w * v;
        count[e % d] += w;
      }
    });
    for (let j = 0; j < d; j++) sum[j] = count[j] > 0 ? sum[j] / count[j] : 0;
    return (this.observedMeans = sum);
  }

  /** `values` (rows × d) with each missing cell at its column's observed mean, in place. */
  impute(values: Float64Array, rows: number): Float64Array {
    const { d } = this;
    const means = this.columnMeans();
    for (let e = 0; e < rows * d; e++) if (values[e] !== values[e]) values[e] = means[e % d];
    return values;
  }

  /** The complete-data start on the mean-imputed rows (missing.ts's initialize). */
  start(rng: Rng): MissingParams {
    const { k, d, options, source } = this;
    this.columnMeans();
    const imputed: RowSource = {
      n: source.n,
      d,
      chunkRows: source.chunkRows,
      buffer: source.buffer,
      weights: source.weights,
      forEachChunk: (visit) =>
        source.forEachChunk((rows, first) => {
          this.impute(source.buffer, rows);
          visit(rows, first);
        }),
    };
    const sample = { values: this.impute(Float64Array.from(options.sample.values), options.sample.m), m: options.sample.m, weights: options.sample.weights };
    const given = options.readRows;
    // random-data draws and compares the mean-imputed rows, as in memory.
    const readRows =
      given &&
      ((indices: Int32Array, out: Float64Array) => {
        given(indices, out);
        this.impute(out, indices.length);
      });
    const resp = new Float64Array(source.chunkRows * k);
    if (this.formulas) {
      const type = options.model as SklearnCovarianceType;
      const start = streamedGaussianStart({ ...startOptions(options, type), sample, readRows }, imputed, this.formulas, new StreamedGaussianStatistics(type, k, d), resp, rng);
      return asMissingParams(start, k, d);
    }
    return asMissingParams(streamedMclustStart(imputed, { ...options, sample, readRows }, new MclustStatistics(d, k, false), resp, rng), k, d);
  }

  // ------------------------------------------------------------------------------------------------ E-step

  /** The pattern of row `i` of `values` (its index in `patterns`, added when new). */
  private patternOf(values: Float64Array, i: number): number {
    const { d } = this;
    const o = i * d;
    let key: number | string;
    if (d <= NUMERIC_KEY_COLUMNS) {
      let bits = 0;
      for (let j = 0; j < d; j++) if (values[o + j] !== values[o + j]) bits += this.powers[j];
      key = bits;
    } else {
      key = '';
      for (let j = 0; j < d; j++) key += values[o + j] !== values[o + j] ? '1' : '0';
    }
    const known = this.keys.get(key);
    if (known !== undefined) return known;
    const observed: number[] = [];
    const absent: number[] = [];
    for (let j = 0; j < d; j++) (values[o + j] !== values[o + j] ? absent : observed).push(j);
    const { k } = this;
    const po = observed.length;
    const pm = absent.length;
    this.patterns.push({
      observed: Int32Array.from(observed),
      missing: Int32Array.from(absent),
      version: -1,
      factors: new Float64Array(k * po * po),
      constants: new Float64Array(k),
      regressions: new Float64Array(k * pm * po),
      conditionals: new Float64Array(k * pm * pm),
    });
    this.keys.set(key, this.patterns.length - 1);
    return this.patterns.length - 1;
  }

  /** The pattern's factors, regressions and conditional covariances under `params` (missing.ts's, per component). */
  private refresh(p: Pattern, params: MissingParams): void {
    const { k, d, solved } = this;
    const { weights, covariances } = params;
    const o = p.observed.length;
    const m = p.missing.length;
    const { factors, regressions, conditionals } = p;
    for (let c = 0; c < k; c++) {
      const base = c * d * d;
      const f = c * o * o;
      for (let a = 0; a < o; a++) for (let b = 0; b < o; b++) factors[f + a * o + b] = covariances[base + p.observed[a] * d + p.observed[b]];
      if (!choleskyInPlace(factors, o, f)) {
        throw new FitError(
          `The covariance of component ${c + 1} became singular on the observed columns of some rows (no spread left along some direction). ` +
            'Try fewer components (K), a larger regularization, or a covariance model with fewer free parameters.',
        );
      }
      let logDet = 0;
      for (let a = 0; a < o; a++) logDet += Math.log(factors[f + a * o + a]);
      p.constants[c] = Math.log(weights[c]) - 0.5 * o * LOG_2PI - logDet;
      for (let a = 0; a < m; a++) {
        // Row a of B: Σ_oo⁻¹ Σ_o,a by two triangular solves.
        for (let b = 0; b < o; b++) solved[b] = covariances[base + p.observed[b] * d + p.missing[a]];
        solveLowerInPlace(factors, o, solved, f);
        solveUpperFromLowerAt(factors, f, o, solved);
        regressions.set(solved.subarray(0, o), (c * m + a) * o);
      }
      for (let a = 0; a < m; a++) {
        for (let b = 0; b < m; b++) {
          let s = covariances[base + p.missing[a] * d + p.missing[b]];
          for (let e = 0; e < o; e++) s -= regressions[(c * m + a) * o + e] * covariances[base + p.observed[e] * d + p.missing[b]];
          conditionals[(c * m + a) * m + b] = s;
        }
      }
    }
    p.version = this.version;
  }

  /** ln π_c + ln N(x_o | μ_c,o, Σ_c,oo) of `rows` rows of `values` (rows × d); each row's pattern into rowPattern. */
  logProbOf(params: MissingParams, values: Float64Array, rows: number, out: Float64Array, patternOfRow: Int32Array): void {
    const { k, d, diff } = this;
    if (params !== this.cachedFor) {
      this.cachedFor = params;
      this.version++;
    }
    const { means } = params;
    for (let i = 0; i < rows; i++) {
      const q = this.patternOf(values, i);
      patternOfRow[i] = q;
      const p = this.patterns[q];
      if (p.version !== this.version) this.refresh(p, params);
      const o = p.observed.length;
      for (let c = 0; c < k; c++) {
        for (let a = 0; a < o; a++) diff[a] = values[i * d + p.observed[a]] - means[c * d + p.observed[a]];
        solveLowerInPlace(p.factors, o, diff, c * o * o);
        let maha = 0;
        for (let a = 0; a < o; a++) maha += diff[a] * diff[a];
        out[i * k + c] = p.constants[c] - 0.5 * maha;
      }
    }
  }

  chunkLogProb(params: MissingParams, rows: number, out: Float64Array): void {
    this.logProbOf(params, this.source.buffer, rows, out, this.rowPattern);
  }

  /** Row i of `values` completed by component c: its observed cells, the missing ones at their conditional mean. */
  private complete(values: Float64Array, i: number, p: Pattern, c: number, means: Float64Array, out: Float64Array): void {
    const { d } = this;
    const o = p.observed.length;
    const m = p.missing.length;
    for (let a = 0; a < o; a++) out[p.observed[a]] = values[i * d + p.observed[a]];
    for (let a = 0; a < m; a++) {
      let s = means[c * d + p.missing[a]];
      const row = (c * m + a) * o;
      for (let e = 0; e < o; e++) s += p.regressions[row + e] * (out[p.observed[e]] - means[c * d + p.observed[e]]);
      out[p.missing[a]] = s;
    }
  }

  // ------------------------------------------------------------------------------------------------ M-step

  beginPass(params: MissingParams): void {
    this.shift.set(params.means);
    this.sizes.fill(0);
    this.s1.fill(0);
    this.s2.fill(0);
  }

  /** Adds the chunk's rows (their patterns from the E-step just run on it): r·(x̂ − c) and r·((x̂ − c)(x̂ − c)ᵀ + C). */
  add(rows: number, resp: Float64Array): void {
    const { k, d, sizes, s1, s2, shift, completed, y } = this;
    const values = this.source.buffer;
    const means = this.cachedFor!.means;
    for (let i = 0; i < rows; i++) {
      const p = this.patterns[this.rowPattern[i]];
      const m = p.missing.length;
      for (let c = 0; c < k; c++) {
        const r = resp[i * k + c];
        if (r === 0) continue;
        this.complete(values, i, p, c, means, completed);
        sizes[c] += r;
        const so = c * d;
        for (let j = 0; j < d; j++) {
          const v = completed[j] - shift[so + j];
          y[j] = v;
          s1[so + j] += r * v;
        }
        const base = c * d * d;
        for (let a = 0; a < d; a++) {
          const ra = r * y[a];
          for (let b = 0; b <= a; b++) s2[base + a * d + b] += ra * y[b];
        }
        // The conditional covariance of the missing cells (their columns in increasing order: a ≥ b is on the lower side).
        for (let a = 0; a < m; a++) {
          const row = base + p.missing[a] * d;
          for (let b = 0; b <= a; b++) s2[row + p.missing[b]] += r * p.conditionals[(c * m + a) * m + b];
        }
      }
    }
  }

  /** μ_k and W_k = Σ r (x̂ − μ_k)(x̂ − μ_k)ᵀ + Σ r C from the sums about the shift, then the model's covariances. */
  mStep(previous: MissingParams): MissingParams {
    const { k, d, sizes, s1, s2, shift } = this;
    const nk = new Float64Array(k);
    const means = new Float64Array(k * d);
    const scatter = new Float64Array(k * d * d);
    for (let c = 0; c < k; c++) {
      nk[c] = this.mclust ? sizes[c] : sizes[c] + NK_EPSILON;
      const so = c * d;
      for (let j = 0; j < d; j++) means[so + j] = (sizes[c] * shift[so + j] + s1[so + j]) / nk[c];
      const base = c * d * d;
      for (let a = 0; a < d; a++) {
        const da = means[so + a] - shift[so + a];
        for (let b = 0; b <= a; b++) {
          const db = means[so + b] - shift[so + b];
          const v = s2[base + a * d + b] - s1[so + a] * db - da * s1[so + b] + sizes[c] * da * db;
          scatter[base + a * d + b] = v;
          scatter[base + b * d + a] = v;
        }
      }
    }
    if (this.formulas) return sklearnFromScatter(this.options.model as SklearnCovarianceType, nk, means, scatter, k, d, this.options.regularization);
    return mclustFromScatter(previous.mclust!, sizes, means, scatter, this.options.total ?? this.source.n, this.control, this.options.model);
  }

  // ------------------------------------------------------------------------------------------------ reporting

  snapshot(params: MissingParams, iteration: number): GaussianSnapshot {
    return fullSnapshot(params, this.k, this.d, iteration);
  }

  /**
   * E[x | x_o] under the mixture, Σ_k r_k x̂_k, of `rows` rows of `values` (rows × d, NaN where missing); the observed
   * cells as read (missing.ts's conditionalExpectations).
   */
  conditionalExpectations(params: MissingParams, values: Float64Array, rows: number): Float64Array {
    const { k, d, completed } = this;
    const logProb = new Float64Array(rows * k);
    const patternOfRow = new Int32Array(rows);
    this.logProbOf(params, values, rows, logProb, patternOfRow);
    const out = new Float64Array(rows * d);
    for (let i = 0; i < rows; i++) {
      let top = -Infinity;
      for (let c = 0; c < k; c++) top = Math.max(top, logProb[i * k + c]);
      let total = 0;
      for (let c = 0; c < k; c++) total += Math.exp(logProb[i * k + c] - top);
      const p = this.patterns[patternOfRow[i]];
      for (let c = 0; c < k; c++) {
        const z = Math.exp(logProb[i * k + c] - top) / total;
        if (z === 0) continue;
        this.complete(values, i, p, c, params.means, completed);
        for (let j = 0; j < d; j++) out[i * d + j] += z * completed[j];
      }
      for (let j = 0; j < d; j++) if (values[i * d + j] === values[i * d + j]) out[i * d + j] = values[i * d + j];
    }
    return out;
  }
}

/** Solves Lᵀ x = y in place, L lower triangular (o × o) at `offset` of `l`. */
function solveUpperFromLowerAt(l: Float64Array, offset: number, o: number, y: Float64Array): void {
  for (let i = o - 1; i >= 0; i--) {
    let s = y[i];
    for (let p = i + 1; p < o; p++) s -= l[offset + p * o + i] * y[p];
    y[i] = s / l[offset + i * o + i];
  }
}
