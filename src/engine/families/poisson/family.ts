// Mixtures of independent Poisson counts (as flexmix's FLXMCmvpois): p(x | θ) = Σ_k π_k Π_j λ_kj^x_j e^(−λ_kj) / x_j!.
//
// E-step in log space: ln π_k + Σ_j (x_ij ln λ_kj − λ_kj) − Σ_j ln x_ij!; the last sum is the same for every k, so it
// is computed once per row. M-step: λ_kj = Σ_i r_ik x_ij / N_k, π_k = N_k / n (maximum likelihood, no prior).
// A component whose rate for a column is 0 (it holds only zeros there) gives ln 0 = −∞ for a row with a positive
// count, which is a true zero density, not an error: the row simply does not belong there. Rates are floored at
// RATE_FLOOR so that 0 · ln 0 stays 0 and a row cannot be −∞ under every component.
// Case weights w_i: EM hands the M-step w_i r_ik, so N_k = Σ_i w_i r_ik and π_k = N_k / Σ_i w_i (a whole-number
// weight is the row repeated); the start is weighted the same way.
// Missing cells (the mixed family's Poisson block): a missing count drops out of its row's product, its exact
// marginal; λ_kj then divides by the responsibility of the rows that observe column j.

import type { InitMethod, PoissonSnapshot } from '../../../shared/protocol';
import { totalWeight, type MixtureFamily } from '../../em/em';
import { startingPoint, weighResponsibilities } from '../../em/init';
import { euclideanInitSpace } from '../../em/kmeans';
import type { Rng } from '../../em/rng';
import { lnGamma } from '../../em/special';
import { FitError, OptionsError } from '../../errors';

/** Far below any rate a count table can estimate (1 count in 1e12 rows), and ln of it is finite. */
export const RATE_FLOOR = 1e-12;

export interface PoissonParams {
  /** K mixing weights. */
  weights: Float64Array;
  /** K × D rates λ_kj, row-major. */
  rates: Float64Array;
}

export class PoissonFamily implements MixtureFamily<PoissonParams> {
  readonly model = 'poisson' as const;
  readonly n: number;
  readonly d: number;
  readonly caseWeights?: Float64Array;
  /** Σ_i w_i (n without case weights): the denominator of π. */
  private readonly total: number;
  /** Σ_j ln x_ij! per row. */
  private readonly logFactorials: Float64Array;
  private logRates = new Float64Array(0);
  private sizes = new Float64Array(0);

  /** `counts`: n × d non-negative whole numbers, row-major; `missing`: n × d, 1 where a count is missing (NaN). */
  constructor(
    readonly counts: Float64Array,
    n: number,
    d: number,
    private readonly init: InitMethod,
    caseWeights?: Float64Array,
    readonly missing?: Uint8Array,
  ) {
    this.n = n;
    this.d = d;
    this.caseWeights = caseWeights;
    this.total = caseWeights ? totalWeight(caseWeights) : n;
    this.logFactorials = new Float64Array(n);
    this.countsChanged();
  }

  /** Recomputes Σ_j ln x_ij! per row: after the counts were overwritten in place (a streamed chunk's rows). */
  countsChanged(): void {
    const { n, d, counts, missing } = this;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const x = counts[i * d + j];
        if (x > 1 && !missing?.[i * d + j]) s += lnGamma(x + 1);
      }
      this.logFactorials[i] = s;
    }
  }

  parameterCount(k: number): number {
    return k * this.d + k - 1;
  }

  initialize(k: number, rng: Rng): PoissonParams {
    if (!Number.isInteger(k) || k < 1) throw new OptionsError(`K must be a whole number ≥ 1, got ${k}.`);
    if (k > this.n) throw new FitError(`K = ${k} components but only ${this.n} rows; K must not exceed the number of rows.`);
    const start = startingPoint(this.init, euclideanInitSpace(this.counts, this.n, this.d, this.caseWeights), k, rng);
    if (start.kind === 'explicit') throw new OptionsError('a Poisson mixture starts from kmeans++, random, random-data or random-assignment.');
    if (this.missing) throw new Error('internal: a Poisson block with missing counts starts from another block');
    if (start.kind === 'responsibilities') return this.mStep(weighResponsibilities(start.resp, k, this.caseWeights), k);
    // random-data: every row to its nearest seed row (squared Euclidean distance), then the M-step of that partition.
    const resp = new Float64Array(this.n * k);
    const { counts, d } = this;
    for (let i = 0; i < this.n; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          const z = counts[i * d + j] - counts[start.rows[c] * d + j];
          s += z * z;
        }
        if (s < bestDistance) {
          bestDistance = s;
          best = c;
        }
      }
      resp[i * k + best] = this.caseWeights ? this.caseWeights[i] : 1;
    }
    return this.mStep(resp, k);
  }

  /** The parameters of a partition given as responsibilities (n × K; with case weights, w_i r_ik). */
  mStep(resp: Float64Array, k: number): PoissonParams {
    if (this.missing) return this.mStepMissing(resp, k);
    const { n, d, counts, total } = this;
    const weights = new Float64Array(k);
    const rates = new Float64Array(k * d);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) {
        const r = resp[i * k + c];
        if (r === 0) continue;
        weights[c] += r;
        for (let j = 0; j < d; j++) rates[c * d + j] += r * counts[i * d + j];
      }
    }
    for (let c = 0; c < k; c++) {
      const size = weights[c];
      if (!(size > 0)) throw new FitError(`component ${c + 1} of ${k} has no rows left: try a smaller K or another start.`);
      for (let j = 0; j < d; j++) rates[c * d + j] = Math.max(RATE_FLOOR, rates[c * d + j] / size);
      weights[c] = size / total;
    }
    return { weights, rates };
  }

  /** The M-step with missing counts: each rate over the rows that observe its column. */
  private mStepMissing(resp: Float64Array, k: number): PoissonParams {
    const { n, d, counts, total } = this;
    const missing = this.missing!;
    const weights = new Float64Array(k);
    const rates = new Float64Array(k * d);
    const observed = new Float64Array(k * d);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) {
        const r = resp[i * k + c];
        if (r === 0) continue;
        weights[c] += r;
        for (let j = 0; j < d; j++) {
          if (missing[i * d + j]) continue;
          rates[c * d + j] += r * counts[i * d + j];
          observed[c * d + j] += r;
        }
      }
    }
    for (let c = 0; c < k; c++) {
      if (!(weights[c] > 0)) throw new FitError(`component ${c + 1} of ${k} has no rows left: try a smaller K or another start.`);
      for (let j = 0; j < d; j++) {
        // A cluster that observes none of a column's counts keeps the floor there (its rows do not inform it).
        const seen = observed[c * d + j];
        rates[c * d + j] = Math.max(RATE_FLOOR, seen > 0 ? rates[c * d + j] / seen : 0);
      }
      weights[c] /= total;
    }
    return { weights, rates };
  }

  weightedLogProb(params: PoissonParams, k: number, out: Float64Array): void {
    const { n, d, counts, logFactorials } = this;
    if (this.logRates.length !== k * d) this.logRates = new Float64Array(k * d);
    const logRates = this.logRates;
    for (let p = 0; p < k * d; p++) logRates[p] = Math.log(params.rates[p]);
    // ln π_k − Σ_j λ_kj, the part of every row's term that does not depend on the row.
    if (this.sizes.length !== k) this.sizes = new Float64Array(k);
    const base = this.sizes;
    for (let c = 0; c < k; c++) {
      let s = Math.log(params.weights[c]);
      for (let j = 0; j < d; j++) s -= params.rates[c * d + j];
      base[c] = s;
    }
    const missing = this.missing;
    if (missing) {
      // Each row's own Σ_j over its observed counts (a missing count drops out of the product).
      for (let c = 0; c < k; c++) base[c] = Math.log(params.weights[c]);
      for (let i = 0; i < n; i++) {
        const row = i * d;
        for (let c = 0; c < k; c++) {
          let s = base[c] - logFactorials[i];
          const lr = c * d;
          for (let j = 0; j < d; j++) {
            if (missing[row + j]) continue;
            const x = counts[row + j];
            s -= params.rates[lr + j];
            if (x !== 0) s += x * logRates[lr + j];
          }
          out[i * k + c] = s;
        }
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      const row = i * d;
      for (let c = 0; c < k; c++) {
        let s = base[c] - logFactorials[i];
        const lr = c * d;
        for (let j = 0; j < d; j++) {
          const x = counts[row + j];
          if (x !== 0) s += x * logRates[lr + j];
        }
        out[i * k + c] = s;
      }
    }
  }

  snapshot(params: PoissonParams, k: number, iteration: number, assignments: Int32Array): PoissonSnapshot {
    const sizes = new Array<number>(k).fill(0);
    for (let i = 0; i < assignments.length; i++) sizes[assignments[i]]++;
    const means: number[][] = [];
    for (let c = 0; c < k; c++) means.push(Array.from(params.rates.subarray(c * this.d, (c + 1) * this.d)));
    return { model: 'poisson', iteration, weights: Array.from(params.weights), means, sizes };
  }
}
