// The panel's run history (the host's list of the file's finished runs) and the comparison of two of them: which
// two are picked (a UI choice, saved with the others), their ΔBIC and how strong it is, and their components
// matched to each other by their means so the side-by-side tables pair like with like. Pure: no DOM.

import type { RunSummary } from '../../src/shared/protocol';
import { FAMILY_TITLES } from '../../src/engine/families/ids';
import { componentColours } from './reducer';
import { evidence, formatScore, type Evidence } from './selection';

/** The runs picked for comparison after the user ticks or unticks `run`: at most two, the newest pick replacing the older. */
export function toggleCompare(current: readonly number[] | undefined, run: number): number[] {
  const picked = (current ?? []).filter((id) => Number.isInteger(id));
  if (picked.includes(run)) return picked.filter((id) => id !== run);
  return [...picked, run].slice(-2);
}

/** The two runs compared, older first; undefined unless both are in the history. */
export function comparedRuns(history: readonly RunSummary[], picked: readonly number[] | undefined): [RunSummary, RunSummary] | undefined {
  if (!picked || picked.length !== 2) return undefined;
  const runs = picked.map((id) => history.find((r) => r.id === id));
  if (!runs[0] || !runs[1]) return undefined;
  return runs[0].id < runs[1].id ? [runs[0], runs[1]] : [runs[1], runs[0]];
}

/** "Gaussian mixture (VVV), K = 3" — the model of a run. */
export function runModel(run: RunSummary): string {
  const covariance = run.model === 'gaussian' && run.covariance ? ` (${run.covariance})` : '';
  return `${FAMILY_TITLES[run.model]}${covariance}, K = ${run.k}${run.chosenBy ? ` (chosen by ${run.chosenBy.toUpperCase()})` : ''}`;
}

/** "run 3" */
export function runName(run: RunSummary): string {
  return `run ${run.id}`;
}

/** "14:05:09" in the panel's local time. */
export function runTime(run: RunSummary): string {
  const t = new Date(run.finishedAt);
  return [t.getHours(), t.getMinutes(), t.getSeconds()].map((v) => String(v).padStart(2, '0')).join(':');
}

/** How a run ended: "converged, 12 iterations". */
export function runOutcome(run: RunSummary): string {
  if (run.appliedModel !== undefined) return `${run.appliedModel} applied, no iterations`;
  const how = run.degenerate ? 'degenerate' : run.converged ? 'converged' : 'not converged';
  return `${how}, ${run.iterations} iteration${run.iterations === 1 ? '' : 's'}`;
}

export interface RunComparison {
  /** BIC of the newer run minus the older's (lower is better). */
  delta: number;
  /** The run with the lower BIC; undefined when they tie or cannot be compared. */
  better?: RunSummary;
  evidence?: Evidence;
  /** Why the two BICs do not compare (other rows or columns), if so. */
  incomparable?: string;
  text: string;
}

/** ΔBIC of two runs (b − a; lower is better) and what it says, as the selection view says it (Kass & Raftery). */
export function compareRuns(a: RunSummary, b: RunSummary): RunComparison {
  const delta = b.bic - a.bic;
  const sameData = a.n === b.n && a.d === b.d && a.columns.join('\u0000') === b.columns.join('\u0000') && a.standardized === b.standardized;
  const head = `${runName(b)} − ${runName(a)}: Δ BIC ${delta > 0 ? '+' : ''}${formatScore(delta)} (lower is better)`;
  if (!sameData) {
    const incomparable = 'the two runs fitted different rows or columns, so their BICs do not compare';
    return { delta, incomparable, text: `${head} — ${incomparable}.` };
  }
  if (Math.abs(delta) < 1e-9) return { delta, text: `${head} — the same score.` };
  const better = delta < 0 ? b : a;
  const strength = evidence(Math.abs(delta));
  return { delta, better, evidence: strength, text: `${head} — ${strength} evidence for ${runName(better)} (${runModel(better)}).` };
}

/**
 * Rows of the side-by-side parameter tables: each of run b's components paired with run a's nearest (by the distance
 * between means, greedy closest pair first, as colours are kept across re-runs); unpaired components get a row of
 * their own. Without means, components pair by index.
 */
export function pairedComponents(a: RunSummary, b: RunSummary): { a?: number; b?: number }[] {
  const am = a.params.means;
  const bm = b.params.means;
  const slots = am && bm && am[0]?.length === bm[0]?.length ? componentColours({ means: am, colours: am.map((_, j) => j) }, bm) : b.params.weights.map((_, j) => j);
  const rows = Math.max(a.k, ...slots.map((s) => s + 1));
  return Array.from({ length: rows }, (_, s) => {
    const j = slots.indexOf(s);
    return { ...(s < a.k ? { a: s } : {}), ...(j >= 0 ? { b: j } : {}) };
  }).filter((r) => r.a !== undefined || r.b !== undefined);
}
