// The run history of a panel, on the host side: each finished run of the file is summarised (K, model, BIC,
// log-likelihood, time, final parameters; never snapshots) and the last MAX_HISTORY_RUNS are kept, oldest first.
// The panel persists them with its state (PanelStore) and sends them to the webview. No `vscode` import.

import type { FitOptions, FitResult, RunSummary } from '../shared/protocol';
import { isFamilyId } from '../engine/families/ids';

/** Runs kept per panel; the oldest is dropped first. */
export const MAX_HISTORY_RUNS = 10;
/** Numbers of one run's final parameters kept at most (MNIST K = 10: 7,850), covariances then means left out beyond it: ten runs stay within half of PanelStore's snapshot budget. */
export const MAX_HISTORY_PARAM_NUMBERS = 10_000;

const count = (rows: number[][] | undefined) => (rows ?? []).reduce((sum, r) => sum + r.length, 0);

/** The summary of a finished run: its scores and its final parameters within MAX_HISTORY_PARAM_NUMBERS. */
export function summarizeRun(result: FitResult, options: Pick<FitOptions, 'standardize'>, id: number, finishedAt: number): RunSummary {
  const weights = result.weights.slice();
  const means = result.means.map((m) => m.slice());
  const covariances = result.covariances?.map((c) => c.map((r) => r.slice()));
  const covNumbers = (covariances ?? []).reduce((sum, c) => sum + count(c), 0);
  const params: RunSummary['params'] = { weights };
  if (weights.length + count(means) <= MAX_HISTORY_PARAM_NUMBERS) {
    params.means = means;
    if (covariances && weights.length + count(means) + covNumbers <= MAX_HISTORY_PARAM_NUMBERS) params.covariances = covariances;
  }
  return {
    id,
    finishedAt,
    model: result.model,
    k: result.k,
    ...(result.covarianceType !== undefined ? { covariance: String(result.covarianceType) } : {}),
    ...(result.selection && result.selection.entries.length > 1 ? { chosenBy: result.selection.criterion } : {}),
    ...(result.applied ? { appliedModel: result.applied.modelFile } : {}),
    bic: result.bic,
    aic: result.aic,
    logLikelihood: result.logLikelihood,
    ...(result.parameters !== undefined ? { parameters: result.parameters } : {}),
    iterations: result.iterations,
    converged: result.converged,
    degenerate: (result.degenerate?.length ?? 0) > 0,
    elapsedMs: result.elapsedMs,
    n: result.n,
    d: result.d,
    columns: result.columns.slice(),
    standardized: result.standardization !== undefined || Boolean(options.standardize),
    params,
  };
}

/** The history with `run` appended, the oldest runs dropped beyond MAX_HISTORY_RUNS. */
export function withRun(history: readonly RunSummary[], run: RunSummary): RunSummary[] {
  return [...history, run].slice(-MAX_HISTORY_RUNS);
}

/** The id of the next run: one more than any kept. */
export function nextRunId(history: readonly RunSummary[]): number {
  return history.reduce((max, r) => Math.max(max, r.id), 0) + 1;
}

const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
const isMatrix = (v: unknown): v is number[][] => Array.isArray(v) && v.every(isNumberArray);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** One kept run as read back (from the workspace state or a message): a RunSummary, or undefined if damaged. */
export function validRun(raw: unknown): RunSummary | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (!Number.isSafeInteger(r.id) || (r.id as number) < 1 || !finite(r.finishedAt) || !isFamilyId(r.model)) return undefined;
  if (!Number.isSafeInteger(r.k) || (r.k as number) < 1 || !Number.isSafeInteger(r.n) || !Number.isSafeInteger(r.d) || !Number.isSafeInteger(r.iterations)) return undefined;
  if (!finite(r.bic) || !finite(r.aic) || !finite(r.logLikelihood) || !finite(r.elapsedMs)) return undefined;
  if (typeof r.converged !== 'boolean' || typeof r.degenerate !== 'boolean' || typeof r.standardized !== 'boolean') return undefined;
  if (!Array.isArray(r.columns) || !r.columns.every((c) => typeof c === 'string')) return undefined;
  if (r.covariance !== undefined && typeof r.covariance !== 'string') return undefined;
  if (r.chosenBy !== undefined && r.chosenBy !== 'bic' && r.chosenBy !== 'icl' && r.chosenBy !== 'aic') return undefined;
  if (r.appliedModel !== undefined && typeof r.appliedModel !== 'string') return undefined;
  if (r.parameters !== undefined && !finite(r.parameters)) return undefined;
  const p = r.params as Record<string, unknown> | undefined;
  if (typeof p !== 'object' || p === null || !isNumberArray(p.weights) || p.weights.length !== r.k) return undefined;
  if (p.means !== undefined && (!isMatrix(p.means) || p.means.length !== r.k)) return undefined;
  if (p.covariances !== undefined && (!Array.isArray(p.covariances) || p.covariances.length !== r.k || !p.covariances.every(isMatrix))) return undefined;
  return raw as RunSummary;
}

/** A kept history as read back: its valid runs (a damaged one is dropped, never the whole history), at most the bound. */
export function validHistory(raw: unknown): RunSummary[] {
  if (!Array.isArray(raw)) return [];
  const runs = raw.map(validRun).filter((r): r is RunSummary => r !== undefined);
  const seen = new Set<number>();
  return runs.filter((r) => !seen.has(r.id) && seen.add(r.id)).slice(-MAX_HISTORY_RUNS);
}
