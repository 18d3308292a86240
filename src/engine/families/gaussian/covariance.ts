// The compact covariance shapes of sklearn's four covariance types, their expansion to K × D × D, and the reading
// of explicit starting covariances (initParams.covariances) in any of them.

import type { SklearnCovarianceType } from '../../../shared/protocol';
import { OptionsError } from '../../errors';

export const COVARIANCE_TYPES: readonly SklearnCovarianceType[] = ['full', 'diag', 'spherical', 'tied'];

/** Size of the compact covariance array of a type. */
export function covarianceLength(type: SklearnCovarianceType, k: number, d: number): number {
  switch (type) {
    case 'full':
      return k * d * d;
    case 'tied':
      return d * d;
    case 'diag':
      return k * d;
    case 'spherical':
      return k;
  }
}

/**
 * Expands covariances stored in the compact shape of a covariance type into K × D × D matrices:
 * full K·D·D values, tied D·D (shared), diag K·D (variances), spherical K (one variance per component).
 */
export function expandCovariances(
  covarianceType: SklearnCovarianceType,
  covariances: ArrayLike<number>,
  k: number,
  d: number,
): number[][][] {
  const out: number[][][] = [];
  for (let j = 0; j < k; j++) {
    const m: number[][] = [];
    for (let r = 0; r < d; r++) {
      const row = new Array<number>(d).fill(0);
      for (let c = 0; c < d; c++) {
        switch (covarianceType) {
          case 'full':
            row[c] = covariances[(j * d + r) * d + c];
            break;
          case 'tied':
            row[c] = covariances[r * d + c];
            break;
          case 'diag':
            if (r === c) row[c] = covariances[j * d + r];
            break;
          case 'spherical':
            if (r === c) row[c] = covariances[j];
            break;
        }
      }
      m.push(row);
    }
    out.push(m);
  }
  return out;
}

export function describeShape(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return JSON.stringify(v) ?? String(v);
}

/** Reads initParams.covariances in the shape of the covariance type (or K × D × D consistent with it). */
export function parseInitCovariances(raw: unknown, type: SklearnCovarianceType, k: number, d: number): Float64Array {
  const depth = (v: unknown): number => (Array.isArray(v) ? 1 + (v.length > 0 ? depth(v[0]) : 0) : 0);
  const num = (v: unknown, path: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new OptionsError(`${path} must be a finite number, got ${JSON.stringify(v)}.`);
    return v;
  };
  const matrix = (v: unknown, path: string, out: Float64Array, o: number): void => {
    if (!Array.isArray(v) || v.length !== d) throw new OptionsError(`${path} must be a D × D matrix (${d} × ${d}), got ${describeShape(v)}.`);
    for (let r = 0; r < d; r++) {
      const row = v[r] as unknown;
      if (!Array.isArray(row) || row.length !== d) {
        throw new OptionsError(`${path}[${r}] must be a list of D = ${d} numbers, got ${describeShape(row)}.`);
      }
      for (let c = 0; c < d; c++) out[o + r * d + c] = num(row[c], `${path}[${r}][${c}]`);
    }
  };
  const base = 'initParams.covariances';
  const expected: Record<SklearnCovarianceType, string> = {
    full: `K × D × D (${k} × ${d} × ${d})`,
    tied: `D × D (${d} × ${d}) or K × D × D with K equal matrices`,
    diag: `K × D variances (${k} × ${d}) or K × D × D diagonal matrices`,
    spherical: `K variances (${k}) or K × D × D multiples of the identity`,
  };
  const depthOf = depth(raw);
  if (!Array.isArray(raw)) throw new OptionsError(`${base} must be ${expected[type]} for covarianceType "${type}".`);

  if (type === 'full' && depthOf !== 3) {
    throw new OptionsError(`${base} must be ${expected.full} for covarianceType "full", got ${describeShape(raw)}${depthOf > 1 ? ' of lists' : ' of numbers'}.`);
  }
  // K × D × D input, accepted by every type when consistent with it.
  if (depthOf === 3) {
    if (raw.length !== k) {
      throw new OptionsError(`${base} has ${raw.length} matrices but K = ${k} (expected ${expected[type]} for covarianceType "${type}").`);
    }
    const full = new Float64Array(k * d * d);
    for (let j = 0; j < k; j++) matrix(raw[j], `${base}[${j}]`, full, j * d * d);
    if (type === 'full') return full;
    if (type === 'tied') {
      for (let j = 1; j < k; j++) {
        for (let i = 0; i < d * d; i++) {
          if (full[j * d * d + i] !== full[i]) {
            throw new OptionsError(`${base}[${j}] differs from ${base}[0], but covarianceType "tied" shares one covariance matrix.`);
          }
        }
      }
      return full.slice(0, d * d);
    }
    for (let j = 0; j < k; j++) {
      for (let r = 0; r < d; r++) {
        for (let c = 0; c < d; c++) {
          if (r !== c && full[(j * d + r) * d + c] !== 0) {
            throw new OptionsError(`${base}[${j}][${r}][${c}] is ${full[(j * d + r) * d + c]}, but covarianceType "${type}" needs diagonal matrices.`);
          }
        }
      }
    }
    if (type === 'diag') {
      const out = new Float64Array(k * d);
      for (let j = 0; j < k; j++) for (let c = 0; c < d; c++) out[j * d + c] = full[(j * d + c) * d + c];
      return out;
    }
    const out = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      const v = full[j * d * d];
      for (let c = 1; c < d; c++) {
        if (full[(j * d + c) * d + c] !== v) {
          throw new OptionsError(`${base}[${j}] has unequal diagonal entries, but covarianceType "spherical" needs a multiple of the identity.`);
        }
      }
      out[j] = v;
    }
    return out;
  }
  switch (type) {
    case 'tied': {
      const out = new Float64Array(d * d);
      matrix(raw, base, out, 0);
      return out;
    }
    case 'diag': {
      if (raw.length !== k) throw new OptionsError(`${base} has ${raw.length} rows but K = ${k} (expected ${expected.diag}).`);
      const out = new Float64Array(k * d);
      for (let j = 0; j < k; j++) {
        const row = raw[j] as unknown;
        if (!Array.isArray(row) || row.length !== d) {
          throw new OptionsError(`${base}[${j}] must be a list of D = ${d} variances, got ${describeShape(row)}.`);
        }
        for (let c = 0; c < d; c++) out[j * d + c] = num(row[c], `${base}[${j}][${c}]`);
      }
      return out;
    }
    case 'spherical': {
      if (raw.length !== k || depthOf !== 1) {
        throw new OptionsError(`${base} must be ${expected.spherical} for covarianceType "spherical", got ${describeShape(raw)}${depthOf > 1 ? ' of lists' : ''}.`);
      }
      const out = new Float64Array(k);
      for (let j = 0; j < k; j++) out[j] = num(raw[j], `${base}[${j}]`);
      return out;
    }
    default:
      throw new OptionsError(`${base} must be ${expected[type]} for covarianceType "${type}".`);
  }
}
