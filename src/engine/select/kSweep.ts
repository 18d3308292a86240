// k "auto" for the families with one model per K (Bernoulli images, Poisson counts): a full fit (the settings' start,
// restarts and EM) for every K of kRange, one after the other, scored by BIC, ICL and AIC from its log-likelihood and
// parameter count; the chosen K's fit is the result. A K above the number of rows is skipped and named; a fit that
// fails is never chosen. (Gaussian mixtures sweep K × covariance models in sweep.ts, as mclust does.)

import type { Selection, SelectionCriterion, SelectionEntry, SelectionProgress } from '../../shared/protocol';
import { informationCriteria, type EmProgress } from '../em/em';
import { DataError, FitError } from '../errors';
import { selectionOutcomeNotes } from './product';

export interface KFit {
  logLikelihood: number;
  bic: number;
  aic: number;
  iterations: number;
  converged: boolean;
  /** Final log-responsibilities, n × K, for ICL. */
  logResp?: Float64Array;
  /** Or, when the rows were streamed, Σ_i w_i ln max_k r_ik itself. */
  sumLogMaxResp?: number;
}

export interface KSweepInput<F> {
  file: string;
  /** Rows, and what a row is called in messages ("images", "rows"). */
  n: number;
  rowsName: string;
  /** The model name in the selection table (one per family). */
  model: string;
  ks: readonly number[];
  criterion: SelectionCriterion;
  parameters(k: number): number;
  fit(k: number): F;
  summary(fit: F): KFit;
  /** Case weights of the rows: ICL's classification term is then Σ_i w_i ln max_k r_ik. */
  caseWeights?: Float64Array;
  onProgress?(progress: Omit<SelectionProgress, 'type' | 'runId'>): void;
}

export interface KSweepOutcome<F> {
  fit: F;
  selection: Selection;
  /** What to tell the user about the choice. */
  notes: string[];
}

/** How one K ended: its fit, or the FitError that stopped it (a candidate that is never chosen). */
export type KCellOutcome<F> = { fit: F } | { error: FitError };

/**
 * Fits every K of `ks` (each at most n) and reports each as it ends, in any order, by its index in `ks`. Errors other
 * than FitError propagate. The serial runner fits them in order on this thread; kSweepParallel.ts on worker threads.
 */
export type KRunner<F> = (ks: readonly number[], fitHere: (k: number) => F, onCell: (index: number, outcome: KCellOutcome<F>) => void) => void;

export const serialKRunner = <F>(ks: readonly number[], fitHere: (k: number) => F, onCell: (index: number, outcome: KCellOutcome<F>) => void): void => {
  ks.forEach((k, index) => onCell(index, fitCellHere(k, fitHere)));
};

/** One K fitted on this thread, a FitError kept as the cell's outcome. */
export function fitCellHere<F>(k: number, fitHere: (k: number) => F): KCellOutcome<F> {
  try {
    return { fit: fitHere(k) };
  } catch (error) {
    if (!(error instanceof FitError)) throw error;
    return { error };
  }
}

export function sweepK<F>(input: KSweepInput<F>, runner: KRunner<F> = serialKRunner): KSweepOutcome<F> {
  const { file, n, rowsName, model, ks, criterion } = input;
  if (ks.every((k) => k > n)) throw new DataError(`${file}: no candidate to fit: every K tried is more than the ${n} ${rowsName}. Set a smaller kRange.`, file);
  const models = [model];
  const entries = new Array<SelectionEntry>(ks.length);
  let done = 0;
  // The best fit so far by chooseEntry's rule (the lowest criterion; on a tie the smaller K), whatever order the
  // cells end in: the choice is the serial sweep's, and only one fit is held at a time.
  let best: { fit: F; index: number } | undefined;
  const blank = (k: number): SelectionEntry => ({ k, covariance: model, logLikelihood: null, parameters: input.parameters(k), bic: null, icl: null, aic: null, iterations: 0, converged: false, degenerate: false });
  const report = (index: number, entry: SelectionEntry) => {
    entries[index] = entry;
    done++;
    input.onProgress?.({ criterion, ks: [...ks], models, entry, done, total: ks.length });
  };
  const feasible = ks.map((k, index) => ({ k, index })).filter(({ k }) => k <= n);
  runner(
    feasible.map(({ k }) => k),
    input.fit,
    (at, outcome) => {
      const { k, index } = feasible[at];
      const entry = blank(k);
      if ('fit' in outcome) {
        const s = input.summary(outcome.fit);
        Object.assign(entry, { logLikelihood: s.logLikelihood, bic: s.bic, icl: s.bic - 2 * (s.sumLogMaxResp ?? sumOfRowMaxima(s.logResp!, n, k, input.caseWeights)), aic: s.aic, iterations: s.iterations, converged: s.converged });
        const value = entry[criterion] as number;
        const held = best ? (entries[best.index][criterion] as number) : undefined;
        if (held === undefined || value < held || (value === held && index < best!.index)) best = { fit: outcome.fit, index };
      } else {
        entry.reason = `EM failed: ${outcome.error.message}`;
      }
      report(index, entry);
    },
  );
  ks.forEach((k, index) => {
    if (k > n) report(index, { ...blank(k), reason: `skipped: K = ${k} is more than the ${n} ${rowsName}` });
  });
  if (!best) throw new FitError(`${file}: none of the ${ks.length} candidates could be fitted (${entries.find((e) => e.reason)?.reason ?? 'failed'}).`);
  const chosen = entries[best.index];
  const selection: Selection = { criterion, ks: [...ks], models, entries, chosen: { k: chosen.k, covariance: model } };
  return { fit: best.fit, selection, notes: selectionOutcomeNotes(selection, best.index, file, n) };
}

/** Σ_i w_i ln max_k r_ik (w_i = 1 without case weights): ICL = BIC − 2 × this (mclust's icl, in scikit-learn's sign). */
function sumOfRowMaxima(logResp: Float64Array, n: number, k: number, weights?: Float64Array): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    let m = -Infinity;
    for (let c = 0; c < k; c++) m = Math.max(m, logResp[i * k + c]);
    total += w * m;
  }
  return total;
}

/** What an out-of-core family's fit gives the K sweep (a streamed run). */
interface StreamedKFit {
  logLikelihood: number;
  parameters: number;
  iterations: number;
  converged: boolean;
  sumLogMaxResp: number;
}

export interface FitOrSweepInput<F extends StreamedKFit> {
  file: string;
  n: number;
  rowsName: string;
  model: string;
  ks: number[];
  criterion: SelectionCriterion;
  parameters: (k: number) => number;
  /** Σ w_i with case weights (BIC's n), n without. */
  total: number;
  /** The case weights' column, when the fit has them (the sweep's note names it). */
  weightsColumn?: string;
  /** One fit at K; the live progress of the single fit goes to onProgress. */
  run: (k: number, onProgress?: (p: EmProgress) => void) => F;
  onProgress?: (p: EmProgress) => void;
  onSelectionProgress?: (p: Omit<SelectionProgress, 'type' | 'runId'>) => void;
}

/**
 * An out-of-core family's one fit at K, or its K sweep over `ks` scored by BIC, ICL and AIC with n = Σ w: the fit,
 * its K, the selection table when there was one, and the notes to put first.
 */
export function fitOrSweepK<F extends StreamedKFit>(input: FitOrSweepInput<F>): { fit: F; k: number; selection?: Selection; notes: string[] } {
  const { ks, total } = input;
  if (ks.length === 1) return { fit: input.run(ks[0], input.onProgress), k: ks[0], notes: [] };
  const swept = sweepK({
    file: input.file,
    n: input.n,
    rowsName: input.rowsName,
    model: input.model,
    ks,
    criterion: input.criterion,
    parameters: input.parameters,
    fit: (k) => input.run(k),
    summary: (r) => ({ ...r, ...informationCriteria(r.logLikelihood, r.parameters, total) }),
    onProgress: input.onSelectionProgress,
  });
  const weighted = input.weightsColumn !== undefined ? [`Case weights (column "${input.weightsColumn}") weight every candidate's EM, BIC, ICL and AIC (n = Σ w).`] : [];
  return { fit: swept.fit, k: swept.selection.chosen!.k, selection: swept.selection, notes: [...swept.notes, ...weighted] };
}
