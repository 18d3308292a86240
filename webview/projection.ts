// The scatter's two axes for data with several columns: each is a column, a principal component of the fitted values
// (the engine sends the axes with the plotted sample) or an MclustDR direction of the fit (sent with the result). Points, means and each component's covariance
// are projected exactly: a point x ↦ (x − m)·a, a covariance Σ ↦ P Σ Pᵀ (pure, no DOM).

import type { PlotSample } from '../src/shared/protocol';
import type { Cov2 } from './geometry';

/** A plotted axis: column `index`, principal component `index` (0 = PC1), or MclustDR direction `index` (0 = DR1). */
export type PlotAxis = { kind: 'column'; index: number } | { kind: 'pc'; index: number } | { kind: 'dr'; index: number };

/** The x/y picker codes of the principal components (UiState.xColumn / yColumn); columns are 0 … d − 1. */
export const PC_CODES = [-1, -2] as const;
/** The picker codes of the first two MclustDR directions. */
export const DR_CODES = [-3, -4] as const;
/** The smallest valid picker code. */
export const MIN_AXIS_CODE = DR_CODES[1];

/** What the axes are computed from: the plotted sample's principal axes and the fit's MclustDR directions. */
export type AxisSource = Pick<PlotSample, 'd' | 'projection'> & { directions?: { mean: number[]; axes: number[][]; eigenvalues: number[] } };

export function axisCode(axis: PlotAxis): number {
  return axis.kind === 'pc' ? PC_CODES[axis.index] : axis.kind === 'dr' ? DR_CODES[axis.index] : axis.index;
}

/**
 * The axes a picker choice means for this sample. With principal axes (d > 2) the codes of PC1/PC2 are those
 * components and a column beyond d falls back to PC1/PC2; without them (d ≤ 2, or too many columns to decompose) a
 * principal component falls back to the first two columns.
 */
export function resolveAxes(xCode: number, yCode: number, sample: AxisSource): { x: PlotAxis; y: PlotAxis } {
  const d = sample.d;
  const pcs = sample.projection?.axes.length ?? 0;
  const drs = Math.min(DR_CODES.length, sample.directions?.axes.length ?? 0);
  const resolve = (code: number, fallback: number): PlotAxis => {
    const pc = PC_CODES.indexOf(code as -1 | -2);
    const dr = DR_CODES.indexOf(code as -3 | -4);
    if (Number.isInteger(code) && code >= 0 && code < d) return { kind: 'column', index: code };
    // A direction the fit lacks (before the result, or K = 2 has one): the default, as for a column beyond d.
    if (dr >= 0 && dr < drs) return { kind: 'dr', index: dr };
    if (pcs > fallback) return { kind: 'pc', index: pc >= 0 && pc < pcs ? pc : fallback };
    return { kind: 'column', index: Math.min(fallback, d - 1) };
  };
  return { x: resolve(xCode, 0), y: resolve(yCode, 1) };
}

/** "PC1 (72.8 % of variance)" for a component, "DR1 (MclustDR, eigenvalue 1.88)" for a direction; the column's own title otherwise. */
export function axisLabel(axis: PlotAxis, sample: Pick<AxisSource, 'projection' | 'directions'>, columnTitle: (j: number) => string): string {
  if (axis.kind === 'column') return columnTitle(axis.index);
  if (axis.kind === 'dr') return `DR${axis.index + 1} (MclustDR, eigenvalue ${Number((sample.directions?.eigenvalues[axis.index] ?? 0).toPrecision(3))})`;
  const explained = sample.projection?.explained[axis.index] ?? 0;
  return `PC${axis.index + 1} (${(100 * explained).toFixed(1)} % of variance)`;
}

/** The short name of an axis (the picker's text): "PC1" or the column's name. */
export function axisName(axis: PlotAxis, names: string[]): string {
  if (axis.kind === 'dr') return `DR${axis.index + 1}`;
  return axis.kind === 'pc' ? `PC${axis.index + 1}` : (names[axis.index] ?? `column ${axis.index + 1}`);
}

/** The axis as a linear map x ↦ (x − centre)·direction over the d columns. */
function linear(axis: PlotAxis, sample: AxisSource): { direction: ArrayLike<number>; centre: ArrayLike<number> } {
  const d = sample.d;
  if (axis.kind === 'pc' && sample.projection) return { direction: sample.projection.axes[axis.index], centre: sample.projection.mean };
  if (axis.kind === 'dr' && sample.directions) return { direction: sample.directions.axes[axis.index], centre: sample.directions.mean };
  const direction = new Float64Array(d);
  direction[axis.index] = 1;
  return { direction, centre: new Float64Array(d) };
}

/** Plotted coordinate of each of the first n sample rows along `axis` (a column's values as they are). */
export function projectPoints(sample: AxisSource & Pick<PlotSample, 'values'>, n: number, axis: PlotAxis, out: Float64Array): Float64Array {
  const { d, values } = sample;
  if (axis.kind === 'column') {
    for (let i = 0; i < n; i++) out[i] = values[i * d + axis.index];
    return out;
  }
  const { direction, centre } = linear(axis, sample);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (values[i * d + j] - centre[j]) * direction[j];
    out[i] = s;
  }
  return out;
}

/** A component's mean and covariance on the two plotted axes: (P(μ − m), P Σ Pᵀ) with P the 2 × d axis rows. */
export function projectComponent(mean: number[], cov: number[][], x: PlotAxis, y: PlotAxis, sample: AxisSource): { mean: [number, number]; cov: Cov2 } {
  if (x.kind === 'column' && y.kind === 'column') {
    // The marginal on two columns: read off, no arithmetic.
    return { mean: [mean[x.index], mean[y.index]], cov: [cov[x.index][x.index], cov[x.index][y.index], cov[y.index][y.index]] };
  }
  const u = linear(x, sample);
  const v = linear(y, sample);
  const d = sample.d;
  let mu = 0;
  let mv = 0;
  let uu = 0;
  let uv = 0;
  let vv = 0;
  for (let a = 0; a < d; a++) {
    mu += (mean[a] - u.centre[a]) * u.direction[a];
    mv += (mean[a] - v.centre[a]) * v.direction[a];
    // (Σ u)_a and (Σ v)_a.
    let su = 0;
    let sv = 0;
    for (let b = 0; b < d; b++) {
      su += cov[a][b] * u.direction[b];
      sv += cov[a][b] * v.direction[b];
    }
    uu += u.direction[a] * su;
    uv += u.direction[a] * sv;
    vv += v.direction[a] * sv;
  }
  return { mean: [mu, mv], cov: [uu, uv, vv] };
}

/** The pickers' choices: PC1, PC2 (d > 2), DR1, DR2 (when the fit has them), then the columns, as [code, text]. */
export function axisChoices(names: string[], sample: AxisSource): [string, string][] {
  const pcs = sample.projection?.axes.length ?? 0;
  const drs = Math.min(DR_CODES.length, sample.directions?.axes.length ?? 0);
  return [
    ...PC_CODES.slice(0, pcs).map((code, r): [string, string] => [String(code), `PC${r + 1}`]),
    ...DR_CODES.slice(0, drs).map((code, r): [string, string] => [String(code), `DR${r + 1}`]),
    ...names.map((name, j): [string, string] => [String(j), name]),
  ];
}
