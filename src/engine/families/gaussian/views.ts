// What the panel's extra views of a Gaussian fit need from the whole table, computed once in the worker after the fit
// (the panel only ever holds maxPlotPoints rows): MclustDR's directions and the rows whose cluster is least certain.

import type { FitResult, UncertainRow } from '../../../shared/protocol';
import type { TableData } from '../../data/dataset';
import { MAX_PROJECTED_COLUMNS } from '../../data/projection';
import { normalizeLogRows } from '../../em/logsumexp';
import { gaussianLogResponsibilities } from './density';
import { dataMoments, mclustDirectionsFromMoments } from './mclustDR';
import { observedLogProb } from './missing';

/** How many of the most uncertain rows the result lists. */
export const UNCERTAIN_ROWS = 20;
/** Rows per E-step block: bounds the responsibilities held at once whatever n is. */
const BLOCK = 4096;

/**
 * The table's values in the units of the fit's parameters (standardised when the fit was), or undefined when the
 * result does not describe these columns.
 */
function fittedValues(table: TableData, result: FitResult): Float64Array | undefined {
  const { n, d } = table;
  if (result.d !== d || result.n !== n) return undefined;
  const s = result.standardization;
  if (!s) return table.values;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = (table.values[i * d + j] - s.mean[j]) / s.sd[j];
  return out;
}

/**
 * Each row's uncertainty 1 − max_k r_ik under the fitted parameters (mclust's `uncertainty`), into `out` (n), and the
 * component it is most likely in, into `best` when given.
 */
export function rowUncertainty(values: ArrayLike<number>, n: number, d: number, fit: Pick<FitResult, 'weights' | 'means' | 'covariances' | 'iterations'>, out: Float64Array, best?: Int32Array): void {
  const k = fit.weights.length;
  const snapshot = { model: 'gaussian' as const, iteration: fit.iterations, weights: fit.weights, means: fit.means, covariances: fit.covariances ?? [] };
  const logResp = new Float64Array(Math.min(n, BLOCK) * k);
  for (let start = 0; start < n; start += BLOCK) {
    const rows = Math.min(BLOCK, n - start);
    const block = ArrayBuffer.isView(values) ? (values as Float64Array).subarray(start * d, (start + rows) * d) : Array.prototype.slice.call(values, start * d, (start + rows) * d);
    gaussianLogResponsibilities(block, rows, d, snapshot, logResp);
    for (let i = 0; i < rows; i++) {
      let top = 0;
      for (let j = 1; j < k; j++) if (logResp[i * k + j] > logResp[i * k + top]) top = j;
      out[start + i] = 1 - Math.exp(logResp[i * k + top]);
      if (best) best[start + i] = top;
    }
  }
}

/** The `count` rows of largest uncertainty, largest first (ties: the earlier row first). */
export function mostUncertainRows(uncertainty: Float64Array, best: Int32Array, count: number, sourceLines?: Uint32Array): UncertainRow[] {
  const n = uncertainty.length;
  // A bounded insertion list: count is small, so this is O(n · count) at worst and usually O(n).
  const top: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = uncertainty[i];
    if (top.length === count && !(u > uncertainty[top[top.length - 1]])) continue;
    let at = top.length;
    while (at > 0 && u > uncertainty[top[at - 1]]) at--;
    top.splice(at, 0, i);
    if (top.length > count) top.pop();
  }
  return top.map((row) => ({ row, ...(sourceLines ? { line: sourceLines[row] } : {}), uncertainty: uncertainty[row], component: best[row] }));
}

/**
 * Adds MclustDR's directions (d ≥ 2) and the most uncertain rows (K ≥ 2) to a Gaussian table's result. Skipped
 * quietly when the parameters do not allow it (no covariances, a covariance not positive definite): these are
 * extra views, never a reason to fail a fit.
 */
export function addGaussianViews(table: TableData, result: FitResult): void {
  const { n, d } = table;
  if (result.model !== 'gaussian' || !result.covariances || result.k < 2 || n === 0) return;
  const values = fittedValues(table, result);
  if (!values) return;
  const fit = { weights: result.weights, means: result.means, covariances: result.covariances };
  if (d >= 2 && d <= MAX_PROJECTED_COLUMNS) {
    // With missing cells the data's moments are the fitted mixture's (EM's estimate of them); with case weights,
    // the rows' weighted moments.
    const [mean, sigma] = table.missing ? mixtureMoments(result) : momentsOf(dataMoments(values, n, d, table.weights));
    const directions = mclustDirectionsFromMoments(mean, sigma, d, fit);
    if (directions) result.dimensionReduction = directions;
    // Each candidate of a model selection gets its own directions: the panel shows any candidate on its DR axes.
    for (const entry of result.selection?.entries ?? []) {
      const p = entry.params;
      if (!p?.covariances || p.weights.length < 2 || p.means[0]?.length !== d) continue;
      try {
        const own = mclustDirectionsFromMoments(mean, sigma, d, { weights: p.weights, means: p.means, covariances: p.covariances });
        if (own) entry.dimensionReduction = own;
      } catch {
        // A degenerate candidate's covariances: it is shown on the principal axes instead.
      }
    }
  }
  try {
    const uncertainty = new Float64Array(n);
    const best = new Int32Array(n);
    if (table.missing) observedUncertainty(values, n, d, table.missing, result, uncertainty, best);
    else rowUncertainty(values, n, d, result, uncertainty, best);
    result.uncertainRows = mostUncertainRows(uncertainty, best, UNCERTAIN_ROWS, table.sourceLines);
  } catch {
    // A covariance that is not positive definite: the fit itself reports the degenerate component.
  }
}

/** rowUncertainty of rows with missing cells: their responsibilities from the observed cells' densities. */
function observedUncertainty(values: Float64Array, n: number, d: number, missing: Uint8Array, result: FitResult, out: Float64Array, best: Int32Array): void {
  const k = result.weights.length;
  const logResp = new Float64Array(n * k);
  observedLogProb(values, n, d, missing, { weights: result.weights, means: result.means, covariances: result.covariances! }, logResp);
  normalizeLogRows(logResp, n, k);
  for (let i = 0; i < n; i++) {
    let top = 0;
    for (let j = 1; j < k; j++) if (logResp[i * k + j] > logResp[i * k + top]) top = j;
    out[i] = 1 - Math.exp(logResp[i * k + top]);
    best[i] = top;
  }
}

/** The mixture's mean Σ π_k μ_k and covariance Σ π_k (Σ_k + (μ_k − μ)(μ_k − μ)ᵀ). */
function momentsOf(m: { mean: Float64Array; sigma: Float64Array }): [Float64Array, Float64Array] {
  return [m.mean, m.sigma];
}

function mixtureMoments(result: FitResult): [Float64Array, Float64Array] {
  const d = result.d;
  const mean = new Float64Array(d);
  const sigma = new Float64Array(d * d);
  result.weights.forEach((p, c) => {
    for (let a = 0; a < d; a++) mean[a] += p * result.means[c][a];
  });
  result.weights.forEach((p, c) => {
    const m = result.means[c];
    const cov = result.covariances![c];
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) sigma[a * d + b] += p * (cov[a][b] + (m[a] - mean[a]) * (m[b] - mean[b]));
  });
  return [mean, sigma];
}
