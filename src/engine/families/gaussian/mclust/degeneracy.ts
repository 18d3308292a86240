// Degenerate components of a fit of an mclust model (model selection must never choose one; mclust reports such fits
// as missing). A component is degenerate when the part of the covariance that is its own (its volume, shape or
// orientation, by model) cannot be estimated from its points:
// - it sits on fewer distinct points than that part needs (one for the equal-covariance models, two for a volume of
//   its own, one varying value per column for a diagonal shape of its own, d + 1 for an orientation of its own);
// - its effective size Σ_i z_ik is below that same number;
// - its covariance, less the regularisation, is flat along some direction relative to the data's spread there
//   (a generalised eigenvalue against the data covariance, so the test is invariant to units and rotations).
// For the equal-covariance models (E, EII, EEI, EEE) the shared matrix is checked once, reported as component −1.

import type { DegenerateComponent } from '../../../../shared/protocol';
import { choleskyInPlace, solveLowerInPlace } from '../linalg';
import { symmetricEigen } from './eigen';
import type { MclustModelName } from './models';

/** Variance ratio (component direction / data in that direction) at or below which a direction has no spread. */
export const FLAT_VARIANCE_RATIO = 1e-10;
/** A row is among a component's points when its responsibility exceeds this share. */
const MEMBER_RESPONSIBILITY = 1e-3;

const SHARED_COVARIANCE_MODELS: ReadonlySet<MclustModelName> = new Set<MclustModelName>(['E', 'EII', 'EEI', 'EEE']);
const OWN_ORIENTATION_MODELS: ReadonlySet<MclustModelName> = new Set<MclustModelName>(['EEV', 'VEV', 'EVV', 'VVV']);
const OWN_DIAGONAL_SHAPE_MODELS: ReadonlySet<MclustModelName> = new Set<MclustModelName>(['EVI', 'VVI']);

/** Distinct points a component needs for the part of its covariance that is its own. */
export function pointsNeeded(model: MclustModelName, d: number): number {
  if (SHARED_COVARIANCE_MODELS.has(model)) return 1;
  if (OWN_ORIENTATION_MODELS.has(model)) return d + 1;
  return 2;
}

export interface MclustDegeneracyInput {
  model: MclustModelName;
  /** n × d row-major data as fitted. */
  values: Float64Array;
  n: number;
  d: number;
  k: number;
  /** n × K responsibilities of the final parameters. */
  z: Float64Array;
  /** K × d × d full covariances (MclustState.covariances, MeResult.covariances). */
  covariances: Float64Array;
  /** The ridge that was added to every covariance's diagonal (0 for mclust). */
  regularization: number;
  columns?: readonly string[];
}

/** The degenerate components of a fit, each with a reason a person can act on (empty for a healthy fit). */
export function findMclustDegenerateComponents(input: MclustDegeneracyInput): DegenerateComponent[] {
  const { model, values, n, d, k, z } = input;
  const members = new MemberSummary(model, d, k);
  members.add(values, n, z);
  return degenerateFromSummary(model, members, input.covariances, input.regularization, dataCovarianceFactor(values, n, d), input.columns);
}

/**
 * What the degeneracy rules need of the rows, summed chunk by chunk (so rows streamed from disk are judged exactly as
 * rows in memory): each component's effective size, its first distinct member rows (up to the number its model needs)
 * and, for the models with a diagonal shape of their own, whether its members vary in each column.
 */
export class MemberSummary {
  readonly sizes: Float64Array;
  /** Distinct member rows found per component (capped at `needed`). */
  readonly distinct: Int32Array;
  readonly needed: number;
  private readonly rows: Float64Array;
  private readonly first: Float64Array;
  /** Per component and column: 0 no member yet, 1 one value so far, 2 varies. */
  private readonly seen: Uint8Array;
  private readonly checkColumns: boolean;

  constructor(
    readonly model: MclustModelName,
    readonly d: number,
    readonly k: number,
  ) {
    this.needed = pointsNeeded(model, d);
    this.sizes = new Float64Array(k);
    this.distinct = new Int32Array(k);
    this.rows = new Float64Array(k * this.needed * d);
    this.first = new Float64Array(k * d);
    this.seen = new Uint8Array(k * d);
    this.checkColumns = OWN_DIAGONAL_SHAPE_MODELS.has(model);
  }

  reset(): void {
    this.sizes.fill(0);
    this.distinct.fill(0);
    this.seen.fill(0);
  }

  /** Adds `rows` rows of `values` (row-major) with their rows × K responsibilities `z`, in row order. */
  add(values: Float64Array, rows: number, z: Float64Array): void {
    const { d, k, needed, sizes, distinct, first, seen } = this;
    for (let j = 0; j < k; j++) {
      let size = 0;
      for (let i = 0; i < rows; i++) size += z[i * k + j];
      sizes[j] += size;
      for (let i = 0; i < rows; i++) {
        if (!(z[i * k + j] > MEMBER_RESPONSIBILITY)) continue;
        if (distinct[j] < needed && !this.isKnown(values, i, j)) {
          this.rows.set(values.subarray(i * d, i * d + d), (j * needed + distinct[j]) * d);
          distinct[j]++;
        }
        if (this.checkColumns) {
          for (let c = 0; c < d; c++) {
            const o = j * d + c;
            if (seen[o] === 0) {
              first[o] = values[i * d + c];
              seen[o] = 1;
            } else if (seen[o] === 1 && values[i * d + c] !== first[o]) seen[o] = 2;
          }
        }
      }
    }
  }

  /** The first column in which all of component j's members share one value, or −1. */
  constantColumn(j: number): number {
    for (let c = 0; c < this.d; c++) if (this.seen[j * this.d + c] !== 2) return c;
    return -1;
  }

  private isKnown(values: Float64Array, i: number, j: number): boolean {
    const { d, needed, rows } = this;
    for (let p = 0; p < this.distinct[j]; p++) {
      const o = (j * needed + p) * d;
      let same = true;
      for (let c = 0; c < d && same; c++) same = rows[o + c] === values[i * d + c];
      if (same) return true;
    }
    return false;
  }
}

/**
 * The degenerate components from the rows' summary, the K × d × d covariances and the Cholesky factor of the data's
 * covariance (undefined when the columns are collinear: then no flatness test).
 */
export function degenerateFromSummary(
  model: MclustModelName,
  members: MemberSummary,
  covariances: Float64Array,
  regularization: number,
  dataFactor: Float64Array | undefined,
  columns?: readonly string[],
): DegenerateComponent[] {
  const { d, k, needed } = members;
  const columnName = (c: number) => `"${columns?.[c] ?? `x${c + 1}`}"`;
  const shared = SHARED_COVARIANCE_MODELS.has(model);
  const flatInput = { d, covariances, regularization };
  const found: DegenerateComponent[] = [];
  for (let j = 0; j < k; j++) {
    const size = members.sizes[j];
    const distinct = members.distinct[j];
    const what = shared ? 'a mean' : `its own ${ownPart(model)}`;
    if (distinct < needed) {
      found.push({ component: j, reason: `it sits on ${distinct} distinct point${distinct === 1 ? '' : 's'}, fewer than the ${needed} that ${what} needs` });
      continue;
    }
    if (size < needed) {
      found.push({ component: j, reason: `its effective size n_k = ${size.toPrecision(2)} is below the ${needed} point${needed === 1 ? '' : 's'} that ${what} needs` });
      continue;
    }
    if (OWN_DIAGONAL_SHAPE_MODELS.has(model)) {
      const constant = members.constantColumn(j);
      if (constant >= 0) {
        found.push({ component: j, reason: `all its points share one value of ${columnName(constant)}, so its variance there is the regularisation floor` });
        continue;
      }
    }
    if (!shared && dataFactor) {
      const flat = flatDirection(flatInput, j, dataFactor, columnName);
      if (flat) found.push({ component: j, reason: `its covariance is flat ${flat}` });
    }
  }
  if (shared && dataFactor) {
    const flat = flatDirection(flatInput, 0, dataFactor, columnName);
    if (flat) found.push({ component: -1, reason: `the shared covariance is flat ${flat}` });
  }
  return found;
}

function ownPart(model: MclustModelName): string {
  if (OWN_ORIENTATION_MODELS.has(model)) return 'orientation';
  if (OWN_DIAGONAL_SHAPE_MODELS.has(model) || model === 'EVE' || model === 'VVE') return 'shape';
  return 'volume';
}

/** Cholesky factor of the data covariance, or undefined when the columns are collinear (a property of the data). */
export function dataCovarianceFactor(values: Float64Array, n: number, d: number): Float64Array | undefined {
  return dataCovarianceFactorOfChunks((visit) => visit(values, n), n, d);
}

/** Chunks of rows, in order: calls visit(values, rows) for each (row-major). */
export type ChunkPass = (visit: (values: Float64Array, rows: number) => void) => void;

/** dataCovarianceFactor of rows that come in chunks: two passes (the mean, then the centred sums), the same sums in the same order. */
export function dataCovarianceFactorOfChunks(pass: ChunkPass, n: number, d: number): Float64Array | undefined {
  const mean = new Float64Array(d);
  pass((values, rows) => {
    for (let i = 0; i < rows; i++) for (let c = 0; c < d; c++) mean[c] += values[i * d + c];
  });
  for (let c = 0; c < d; c++) mean[c] /= n;
  const cov = new Float64Array(d * d);
  pass((values, rows) => {
    for (let i = 0; i < rows; i++) {
      for (let a = 0; a < d; a++) {
        const da = values[i * d + a] - mean[a];
        for (let b = 0; b <= a; b++) cov[a * d + b] += (da * (values[i * d + b] - mean[b])) / n;
      }
    }
  });
  return choleskyInPlace(cov, d) ? cov : undefined;
}

/**
 * Where component j's covariance less the ridge has no spread relative to the data: the smallest eigenvalue of
 * L⁻¹ (Σ_j − r I) L⁻ᵀ for the data covariance S = L Lᵀ. Returns a phrase naming the direction, or undefined.
 */
function flatDirection(input: { d: number; covariances: Float64Array; regularization: number }, j: number, dataFactor: Float64Array, columnName: (c: number) => string): string | undefined {
  const { d, covariances, regularization } = input;
  const m = new Float64Array(d * d);
  const column = new Float64Array(d);
  // m = L⁻¹ A L⁻ᵀ with A = Σ_j − r I: columns of L⁻¹ A, then rows of the result likewise.
  for (let c = 0; c < d; c++) {
    for (let r = 0; r < d; r++) column[r] = covariances[j * d * d + r * d + c] - (r === c ? regularization : 0);
    solveLowerInPlace(dataFactor, d, column);
    for (let r = 0; r < d; r++) m[r * d + c] = column[r];
  }
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) column[c] = m[r * d + c];
    solveLowerInPlace(dataFactor, d, column);
    for (let c = 0; c < d; c++) m[r * d + c] = column[c];
  }
  for (let r = 0; r < d; r++) for (let c = 0; c < r; c++) m[r * d + c] = m[c * d + r] = (m[r * d + c] + m[c * d + r]) / 2;
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  symmetricEigen(m, d, values, vectors, new Float64Array(d * d));
  if (values[d - 1] > FLAT_VARIANCE_RATIO) return undefined;
  if (d === 1) return `in ${columnName(0)}: its variance is the regularisation floor`;
  // The flat direction in data coordinates is L⁻ᵀ v; name a column when it dominates.
  for (let c = 0; c < d; c++) column[c] = vectors[(d - 1) * d + c];
  for (let r = d - 1; r >= 0; r--) {
    let s = column[r];
    for (let p = r + 1; p < d; p++) s -= dataFactor[p * d + r] * column[p];
    column[r] = s / dataFactor[r * d + r];
  }
  // Judge the direction in standard deviations of each column (S_cc = Σ_p L_cp²), not in the columns' units.
  for (let c = 0; c < d; c++) {
    let variance = 0;
    for (let p = 0; p <= c; p++) variance += dataFactor[c * d + p] * dataFactor[c * d + p];
    column[c] *= Math.sqrt(variance);
  }
  let norm = 0;
  let largest = 0;
  for (let c = 0; c < d; c++) {
    norm += column[c] * column[c];
    if (Math.abs(column[c]) > Math.abs(column[largest])) largest = c;
  }
  const share = Math.abs(column[largest]) / Math.sqrt(norm);
  return share > 0.99
    ? `along ${columnName(largest)}: its variance there is the regularisation floor`
    : 'along a combination of the columns: its points lie on a lower-dimensional subspace';
}
