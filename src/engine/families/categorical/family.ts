// Latent class analysis (as R's poLCA): per cluster, an independent categorical distribution for each column,
// p(x | θ) = Σ_k π_k Π_j θ_kj[x_j].
//
// E-step in log space: ln π_k + Σ_j ln θ_kj[x_ij]; a missing cell (code −1) drops out of the product, which is its
// exact marginal. M-step: θ_kjl = Σ_i r_ik [x_ij = l] / Σ_i r_ik [x_ij observed], π_k = N_k / n (maximum
// likelihood). A category a cluster never holds would get θ = 0 and a row with it −∞ under that cluster; θ is floored
// at PROBABILITY_FLOOR and each column's distribution renormalised, so that the log stays finite.
// Case weights w_i: EM hands the M-step w_i r_ik, so π_k = Σ_i w_i r_ik / Σ_i w_i and every count is weighted (a
// whole-number weight is the row repeated); the start is weighted the same way.

import type { CategoricalSnapshot, InitMethod } from '../../../shared/protocol';
import { totalWeight, type MixtureFamily } from '../../em/em';
import { startingPoint, weighResponsibilities, type InitSpace } from '../../em/init';
import type { Rng } from '../../em/rng';
import { FitError, OptionsError } from '../../errors';

export const PROBABILITY_FLOOR = 1e-10;

/** Columns of categories, each coded 0 … levels[j] − 1, −1 for a missing cell; n × d row-major. */
export interface CategoricalColumns {
  n: number;
  d: number;
  codes: Int32Array;
  /** Categories per column. */
  levels: number[];
}

export interface CategoricalParams {
  weights: Float64Array;
  /** K × L probabilities, L = Σ_j levels[j]: cluster k's distribution of column j at offsets[j] … offsets[j] + levels[j]. */
  probabilities: Float64Array;
}

export class CategoricalFamily implements MixtureFamily<CategoricalParams> {
  readonly model = 'categorical' as const;
  readonly n: number;
  readonly d: number;
  /** Start of each column's categories in a cluster's row of probabilities; offsets[d] = L. */
  readonly offsets: Int32Array;
  readonly caseWeights?: Float64Array;
  /** Σ_i w_i (n without case weights): the denominator of π. */
  private readonly total: number;
  private logProbabilities = new Float64Array(0);

  constructor(
    readonly data: CategoricalColumns,
    private readonly init: InitMethod,
    caseWeights?: Float64Array,
  ) {
    this.n = data.n;
    this.d = data.d;
    this.caseWeights = caseWeights;
    this.total = caseWeights ? totalWeight(caseWeights) : data.n;
    this.offsets = new Int32Array(data.d + 1);
    for (let j = 0; j < data.d; j++) this.offsets[j + 1] = this.offsets[j] + data.levels[j];
  }

  get totalLevels(): number {
    return this.offsets[this.d];
  }

  /** K − 1 weights and, per cluster and column, levels − 1 free probabilities (poLCA's count). */
  parameterCount(k: number): number {
    let free = 0;
    for (const l of this.data.levels) free += l - 1;
    return k - 1 + k * free;
  }

  initialize(k: number, rng: Rng): CategoricalParams {
    if (!Number.isInteger(k) || k < 1) throw new OptionsError(`K must be a whole number ≥ 1, got ${k}.`);
    if (k > this.n) throw new FitError(`K = ${k} components but only ${this.n} rows; K must not exceed the number of rows.`);
    const start = startingPoint(this.init, this.initSpace(), k, rng);
    if (start.kind === 'explicit') throw new OptionsError('a categorical mixture starts from kmeans++, random, random-data or random-assignment.');
    const resp = start.kind === 'responsibilities' ? start.resp : hard(this.nearestSeeds(start.rows, k), this.n, k);
    return this.mStep(weighResponsibilities(resp, k, this.caseWeights), k);
  }

  /** Rows as the shared initialisations see them: the number of columns on which two rows differ. */
  private initSpace(): InitSpace {
    const { n, d } = this;
    const codes = this.data.codes;
    const mismatches = (a: number, b: number) => {
      let s = 0;
      for (let j = 0; j < d; j++) if (codes[a * d + j] !== codes[b * d + j]) s++;
      return s;
    };
    return {
      n,
      distancesTo: (row, out) => {
        for (let i = 0; i < n; i++) out[i] = mismatches(i, row);
      },
      labelsFromSeeds: (seeds, k) => this.nearestSeeds(seeds, k),
      sameRow: (a, b) => mismatches(a, b) === 0,
      weights: this.caseWeights,
    };
  }

  private nearestSeeds(seeds: Int32Array, k: number): Int32Array {
    const { n, d } = this;
    const codes = this.data.codes;
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestCount = Infinity;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) if (codes[i * d + j] !== codes[seeds[c] * d + j]) s++;
        if (s < bestCount) {
          bestCount = s;
          best = c;
        }
      }
      labels[i] = best;
    }
    return labels;
  }

  mStep(resp: Float64Array, k: number): CategoricalParams {
    const { n, d, offsets } = this;
    const codes = this.data.codes;
    const L = this.totalLevels;
    const weights = new Float64Array(k);
    const probabilities = new Float64Array(k * L);
    // observed[k × d]: Σ_i r_ik over the rows whose column j is observed.
    const observed = new Float64Array(k * d);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) {
        const r = resp[i * k + c];
        if (r === 0) continue;
        weights[c] += r;
        for (let j = 0; j < d; j++) {
          const x = codes[i * d + j];
          if (x < 0) continue;
          probabilities[c * L + offsets[j] + x] += r;
          observed[c * d + j] += r;
        }
      }
    }
    for (let c = 0; c < k; c++) {
      if (!(weights[c] > 0)) throw new FitError(`component ${c + 1} of ${k} has no rows left: try a smaller K or another start.`);
      for (let j = 0; j < d; j++) {
        const total = observed[c * d + j];
        const from = c * L + offsets[j];
        const levels = offsets[j + 1] - offsets[j];
        let sum = 0;
        for (let l = 0; l < levels; l++) {
          // A cluster with no observed cell in a column keeps a uniform distribution there.
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

  weightedLogProb(params: CategoricalParams, k: number, out: Float64Array): void {
    const { n, d, offsets } = this;
    const codes = this.data.codes;
    const L = this.totalLevels;
    if (this.logProbabilities.length !== k * L) this.logProbabilities = new Float64Array(k * L);
    const logP = this.logProbabilities;
    for (let p = 0; p < k * L; p++) logP[p] = Math.log(params.probabilities[p]);
    for (let i = 0; i < n; i++) {
      const row = i * d;
      for (let c = 0; c < k; c++) {
        let s = Math.log(params.weights[c]);
        const base = c * L;
        for (let j = 0; j < d; j++) {
          const x = codes[row + j];
          if (x >= 0) s += logP[base + offsets[j] + x];
        }
        out[i * k + c] = s;
      }
    }
  }

  snapshot(params: CategoricalParams, k: number, iteration: number, assignments: Int32Array): CategoricalSnapshot {
    const sizes = new Array<number>(k).fill(0);
    for (let i = 0; i < assignments.length; i++) sizes[assignments[i]]++;
    const L = this.totalLevels;
    const means: number[][] = [];
    for (let c = 0; c < k; c++) means.push(Array.from(params.probabilities.subarray(c * L, (c + 1) * L)));
    return { model: 'categorical', iteration, weights: Array.from(params.weights), means, sizes };
  }
}

function hard(labels: Int32Array, n: number, k: number): Float64Array {
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) resp[i * k + labels[i]] = 1;
  return resp;
}
