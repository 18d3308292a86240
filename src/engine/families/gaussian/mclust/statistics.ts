// The sufficient statistics of mclust's M-steps, summed chunk by chunk (rows streamed from disk): per component
// N_k = Σ_i z_ik, S1_k = Σ_i z_ik (x_i − c_k) and S2_k = Σ_i z_ik (x_i − c_k)(x_i − c_k)ᵀ about a shift c_k (the
// current means, so that the centred scatter suffers no cancellation). From them μ_k = c_k + S1_k / N_k and
// W_k = S2_k − S1_k S1_kᵀ / N_k, which is all any of the 14 models' M-steps needs (MclustState.mStepFromScatter).

import type { MclustModelName } from './models';
import type { MStepControl, MStepFailure } from './mstep';
import type { MclustState } from './mstep';

/** The models whose M-step reads only the diagonals of W_k. */
export function usesDiagonalScatterOnly(model: MclustModelName): boolean {
  return model === 'E' || model === 'V' || model.endsWith('I');
}

export class MclustStatistics {
  readonly sizes: Float64Array;
  private readonly s1: Float64Array;
  /** Lower triangles of S2_k (the diagonals only when diagonalOnly), K × d × d. */
  private readonly s2: Float64Array;
  private readonly shift: Float64Array;
  private readonly y: Float64Array;
  private readonly means: Float64Array;
  private readonly scatter: Float64Array;

  constructor(
    readonly d: number,
    readonly k: number,
    /** Sum only the diagonals of the scatter (the spherical and diagonal models). */
    readonly diagonalOnly: boolean,
  ) {
    this.sizes = new Float64Array(k);
    this.s1 = new Float64Array(k * d);
    this.s2 = new Float64Array(k * d * d);
    this.shift = new Float64Array(k * d);
    this.y = new Float64Array(d);
    this.means = new Float64Array(k * d);
    this.scatter = new Float64Array(k * d * d);
  }

  /** Starts new sums about `shift` (K × d). */
  reset(shift: Float64Array): void {
    this.shift.set(shift);
    this.sizes.fill(0);
    this.s1.fill(0);
    this.s2.fill(0);
  }

  /** Adds `rows` rows of `values` (row-major) with their rows × K responsibilities `z`. */
  add(values: Float64Array, rows: number, z: Float64Array): void {
    const { d, k, sizes, s1, s2, shift, y } = this;
    const dd = d * d;
    for (let i = 0; i < rows; i++) {
      const xo = i * d;
      for (let j = 0; j < k; j++) {
        const r = z[i * k + j];
        if (r === 0) continue;
        sizes[j] += r;
        const so = j * d;
        for (let c = 0; c < d; c++) {
          const v = values[xo + c] - shift[so + c];
          y[c] = v;
          s1[so + c] += r * v;
        }
        const o = j * dd;
        if (this.diagonalOnly) {
          for (let c = 0; c < d; c++) s2[o + c * (d + 1)] += r * y[c] * y[c];
        } else {
          for (let a = 0; a < d; a++) {
            const ra = r * y[a];
            const ao = o + a * d;
            for (let b = 0; b <= a; b++) s2[ao + b] += ra * y[b];
          }
        }
      }
    }
  }

  /** Adds one row of class j with responsibility 1 times its case weight (a hard partition's statistics). */
  addRow(values: Float64Array, offset: number, j: number, weight = 1): void {
    if (weight === 0) return;
    const { d, sizes, s1, s2, shift, y } = this;
    sizes[j] += weight;
    const so = j * d;
    for (let c = 0; c < d; c++) {
      const v = values[offset + c] - shift[so + c];
      y[c] = v;
      s1[so + c] += weight * v;
    }
    const o = j * d * d;
    if (this.diagonalOnly) {
      for (let c = 0; c < d; c++) s2[o + c * (d + 1)] += weight * y[c] * y[c];
    } else {
      for (let a = 0; a < d; a++) {
        const wa = weight * y[a];
        for (let b = 0; b <= a; b++) s2[o + a * d + b] += wa * y[b];
      }
    }
  }

  /**
   * Means μ_k and full scatter matrices W_k (diagonals only, zeros elsewhere, when diagonalOnly) from the sums.
   * A component with N_k = 0 gets its shift as its mean (the M-step reports it empty).
   */
  moments(): { sizes: Float64Array; means: Float64Array; scatter: Float64Array } {
    const { d, k, sizes, s1, s2, shift, means, scatter } = this;
    const dd = d * d;
    scatter.fill(0);
    for (let j = 0; j < k; j++) {
      const size = sizes[j];
      const so = j * d;
      const o = j * dd;
      for (let c = 0; c < d; c++) means[so + c] = size > 0 ? shift[so + c] + s1[so + c] / size : shift[so + c];
      if (!(size > 0)) continue;
      for (let a = 0; a < d; a++) {
        const ma = s1[so + a] / size;
        if (this.diagonalOnly) {
          scatter[o + a * (d + 1)] = s2[o + a * (d + 1)] - ma * s1[so + a];
          continue;
        }
        for (let b = 0; b <= a; b++) {
          const value = s2[o + a * d + b] - ma * s1[so + b];
          scatter[o + a * d + b] = value;
          scatter[o + b * d + a] = value;
        }
      }
    }
    return { sizes, means, scatter };
  }

  /**
   * The model's M-step on `state` from these sums: `total` = Σ_ik z_ik (n). Returns why it failed, as
   * MclustState.mStep does.
   */
  mStep(state: MclustState, control: MStepControl, total: number): MStepFailure | undefined {
    const { sizes, means, scatter } = this.moments();
    return state.mStepFromScatter(sizes, means, scatter, total, control);
  }
}
