// The M-step's guard against a component collapsed onto one point with regularisation 0: its variance is then
// rounding noise (positive, so Cholesky succeeds) and the log-likelihood would climb on pure noise. Refused with a
// message that says which component and what to change.

import type { CovarianceType } from '../../../shared/protocol';
import { FitError } from '../../errors';
import type { GaussianParams } from './family';

/**
 * A variance below (NOISE_RELATIVE·μ)² + NOISE_FLOOR, recomputed exactly, is rounding noise (x − μ of points equal to
 * μ is a few ulps of μ); 64ε leaves room for the ulps and still refuses only spreads 1e-14 of the mean or less.
 */
const NOISE_RELATIVE = 64 * Number.EPSILON;
/** Absolute floor for means near 0, where (NOISE_RELATIVE·μ)² underflows: (1e-150)², far below any measured spread. */
const NOISE_FLOOR = 1e-300;
/**
 * Below (NOISE_GATE·μ)² a variance is recomputed exactly before judging it: wide enough for the rounding of Σ r x over
 * many duplicate points (up to ~10⁶ ulps), narrow enough that real data (spread above 2e-10 of the mean) never pays.
 */
const NOISE_GATE = 2 ** 20 * Number.EPSILON;

/**
 * Throws a FitError when a variance of the estimate is rounding noise rather than spread in the data: a component
 * collapsed onto one point (or onto one value in some column). With regularization 0 its variance is then about
 * (10ε·μ)² (sklearn's 10ε on nk biases μ) or the rounding error of Σ r x: positive, so Cholesky and 1/σ succeed,
 * and ln L jumps on a spike of pure noise. Full covariance usually fails its Cholesky there; this makes every type
 * end the same way. A cheap gate on the estimate's own variances keeps non-degenerate fits untouched; only past
 * it is the spread recomputed exactly (mean corrected by a second pass) and compared with (64ε·μ)².
 */
export function refuseRoundingNoise(
  values: Float64Array,
  n: number,
  d: number,
  type: CovarianceType,
  reg: number,
  nk: Float64Array,
  resp: Float64Array,
  k: number,
  params: GaussianParams,
): GaussianParams {
  const { means, covariances } = params;
  const variance = (j: number, c: number): number =>
    type === 'full' ? covariances[(j * d + c) * d + c] : type === 'diag' ? covariances[j * d + c] : type === 'tied' ? covariances[c * d + c] : covariances[j];
  const gated = (v: number, meanSquare: number): boolean => v < NOISE_GATE * NOISE_GATE * meanSquare + NOISE_FLOOR;
  const collapsed = (spread: number, meanSquare: number): boolean => spread + reg < NOISE_RELATIVE * NOISE_RELATIVE * meanSquare + NOISE_FLOOR;
  const fail = (component: number, column: number, v: number): never => {
    const empty = component >= 0 && nk.length === k && nk[component] < 1e-3;
    throw new FitError(collapseMessage(type, component, k, reg, empty, { column, variance: v }));
  };
  if (type === 'tied') {
    for (let c = 0; c < d; c++) {
      let meanSquare = 0;
      let total = 0;
      for (let j = 0; j < k; j++) {
        meanSquare += nk[j] * means[j * d + c] * means[j * d + c];
        total += nk[j];
      }
      if (!gated(variance(0, c), meanSquare / total)) continue;
      let w = 0;
      let s = 0;
      let m2 = 0;
      for (let j = 0; j < k; j++) {
        const e = exactSpread(values, n, d, resp, k, j, c, means[j * d + c]);
        w += e.weight;
        s += e.sumSquares;
        m2 += e.weight * e.mean * e.mean;
      }
      if (w > 0 && collapsed(s / w, m2 / w)) fail(-1, c, variance(0, c));
    }
    return params;
  }
  for (let j = 0; j < k; j++) {
    if (type === 'spherical') {
      let meanSquare = 0;
      for (let c = 0; c < d; c++) meanSquare += means[j * d + c] * means[j * d + c];
      if (!gated(variance(j, 0), meanSquare / d)) continue;
      let s = 0;
      let m2 = 0;
      let w = 0;
      for (let c = 0; c < d; c++) {
        const e = exactSpread(values, n, d, resp, k, j, c, means[j * d + c]);
        w = e.weight;
        s += e.sumSquares;
        m2 += e.mean * e.mean;
      }
      if (w > 0 && collapsed(s / w / d, m2 / d)) fail(j, -1, variance(j, 0));
      continue;
    }
    for (let c = 0; c < d; c++) {
      const mu = means[j * d + c];
      if (!gated(variance(j, c), mu * mu)) continue;
      const e = exactSpread(values, n, d, resp, k, j, c, mu);
      if (e.weight > 0 && collapsed(e.sumSquares / e.weight, e.mean * e.mean)) fail(j, c, variance(j, c));
    }
  }
  return params;
}

/**
 * `noise`: the covariance is positive but a variance in it (column `column`, or −1 for the one spherical variance)
 * is rounding noise; otherwise it is not positive definite.
 */
export function collapseMessage(
  type: CovarianceType,
  component: number,
  k: number,
  reg: number,
  empty: boolean,
  noise?: { column: number; variance: number },
): string {
  const which = component < 0 ? 'The shared (tied) covariance' : `The covariance of component ${component + 1} of ${k}`;
  const problem = noise
    ? `has a variance of ${noise.variance.toPrecision(2)}${noise.column >= 0 ? ` in column ${noise.column + 1}` : ''}, rounding noise rather than spread in the data`
    : 'is not positive definite';
  const why = empty
    ? 'the component has lost (almost) all its points'
    : noise
      ? component < 0
        ? 'every component has collapsed onto a single value of that column'
        : 'the component has collapsed onto a single point (or a single value of that column)'
      : 'the component has collapsed onto too few distinct points (or the columns are nearly collinear)';
  const advice = [
    component < 0 ? undefined : `fewer components (K = ${k} now)`,
    `a larger regularisation (now ${reg}; try ${reg > 0 ? Math.max(reg * 1000, 1e-3) : 1e-6})`,
    'standardising the columns',
    (type === 'full' || type === 'tied') && !noise ? 'covarianceType "diag"' : undefined,
  ].filter((s): s is string => s !== undefined);
  return `${which} ${problem}: ${why}. Try ${advice.slice(0, -1).join(', ')} or ${advice[advice.length - 1]}.`;
}

/**
 * Σ_i r_ij, the weighted mean of column c (m1 corrected by one pass: m1 + Σ r (x − m1) / Σ r, exact to an ulp or
 * two even when every point equals the mean) and Σ_i r_ij (x_ic − mean)² about it. Only for the collapse check.
 */
function exactSpread(
  values: Float64Array,
  n: number,
  d: number,
  resp: Float64Array,
  k: number,
  j: number,
  c: number,
  m1: number,
): { weight: number; mean: number; sumSquares: number } {
  let weight = 0;
  let shift = 0;
  for (let i = 0; i < n; i++) {
    const r = resp[i * k + j];
    if (r === 0) continue;
    weight += r;
    shift += r * (values[i * d + c] - m1);
  }
  if (!(weight > 0)) return { weight: 0, mean: m1, sumSquares: 0 };
  const mean = m1 + shift / weight;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const r = resp[i * k + j];
    if (r === 0) continue;
    const z = values[i * d + c] - mean;
    sumSquares += r * z * z;
  }
  return { weight, mean, sumSquares };
}
