// A model selection as the panel keeps it: the candidates (K × covariance model) fitted so far, their ranking by the
// criterion, and how clear the choice is. Pure (no DOM, no Vega): the reducer, the views and the tests share it.
// Scores are in scikit-learn's sign, lower is better (mclust reports BIC and ICL with the opposite sign).

import type { Selection, SelectionCriterion, SelectionEntry, SelectionProgress } from '../../src/shared/protocol';

/** One candidate of a selection: K and the covariance model's name (EII … VVV, E, V; 'bernoulli'). */
export interface Candidate {
  k: number;
  covariance: string;
}

export interface SelectionModel {
  criterion: SelectionCriterion;
  ks: number[];
  models: string[];
  /** The candidates finished so far (live), or all of them (from the result). */
  entries: SelectionEntry[];
  /** Candidates finished and candidates in the sweep. */
  done: number;
  total: number;
  /** The engine's choice, known when the run ends; null while the sweep runs or when nothing could be used. */
  chosen: Candidate | null;
  /** The run ended (done or cancelled): no more entries will come. */
  finished: boolean;
  /** The sweep was stopped: the entries are the candidates that finished. */
  cancelled: boolean;
}

/** What an entry of a stopped sweep says when its candidate was never fitted. */
export const CANCELLED_REASON = 'cancelled';

export function sameCandidate(a: Candidate | null | undefined, b: Candidate | null | undefined): boolean {
  return !!a && !!b && a.k === b.k && a.covariance === b.covariance;
}

/** "VVV, K = 4" */
export function candidateLabel(c: Candidate): string {
  return `${c.covariance}, K = ${c.k}`;
}

export function criterionName(criterion: SelectionCriterion): string {
  return criterion.toUpperCase();
}

/** The candidate's score, or null when it failed, is degenerate or was not fitted. */
export function criterionValue(entry: SelectionEntry, criterion: SelectionCriterion): number | null {
  const value = entry[criterion];
  return typeof value === 'number' && Number.isFinite(value) && !entry.degenerate ? value : null;
}

/** A sweep of more than one candidate: the panel shows its chart only then. */
export function isModelSelection(selection: SelectionModel | undefined): selection is SelectionModel {
  return selection !== undefined && selection.total > 1;
}

export function findEntry(selection: SelectionModel | undefined, c: Candidate | null | undefined): SelectionEntry | undefined {
  if (!selection || !c) return undefined;
  return selection.entries.find((e) => sameCandidate(e, c));
}

/** Adds one finished candidate of the current run (a repeated candidate replaces the earlier entry). */
export function withProgress(previous: SelectionModel | undefined, message: SelectionProgress): SelectionModel {
  const entries = previous ? previous.entries.filter((e) => !sameCandidate(e, message.entry)) : [];
  entries.push(message.entry);
  return {
    criterion: message.criterion,
    ks: message.ks,
    models: message.models,
    entries,
    done: Math.max(message.done, entries.length),
    total: message.total,
    chosen: null,
    finished: false,
    cancelled: false,
  };
}

/** The selection a finished result carries (a stopped sweep's entries of never-fitted candidates left out). */
export function fromResult(selection: Selection): SelectionModel {
  const entries = selection.entries.filter((e) => e.reason !== CANCELLED_REASON);
  return {
    criterion: selection.criterion,
    ks: selection.ks,
    models: selection.models,
    entries,
    done: entries.length,
    total: selection.ks.length * selection.models.length,
    chosen: selection.chosen,
    finished: true,
    cancelled: selection.cancelled === true,
  };
}

export interface RankedCandidate {
  entry: SelectionEntry;
  value: number;
  /** The score minus the best candidate's (≥ 0). */
  delta: number;
}

/**
 * The usable candidates from best to worst. Ties go to the first in mclust's order (model by model, K within each),
 * as R's pickBIC; the engine's choice, when known, comes first.
 */
export function rankCandidates(selection: SelectionModel): RankedCandidate[] {
  const order = (e: SelectionEntry) => {
    const m = selection.models.indexOf(e.covariance);
    const i = selection.ks.indexOf(e.k);
    return (m < 0 ? selection.models.length : m) * (selection.ks.length + 1) + (i < 0 ? selection.ks.length : i);
  };
  const usable: { entry: SelectionEntry; value: number }[] = [];
  for (const entry of selection.entries) {
    const value = criterionValue(entry, selection.criterion);
    if (value !== null) usable.push({ entry, value });
  }
  usable.sort((a, b) => a.value - b.value || order(a.entry) - order(b.entry));
  const chosen = usable.findIndex((u) => sameCandidate(u.entry, selection.chosen));
  if (chosen > 0) usable.unshift(...usable.splice(chosen, 1));
  const best = usable[0]?.value ?? 0;
  return usable.map((u) => ({ ...u, delta: u.value - best }));
}

/** The engine's choice once the run ended, else the best candidate so far. */
export function bestCandidate(selection: SelectionModel): Candidate | null {
  if (selection.chosen) return selection.chosen;
  const top = rankCandidates(selection)[0];
  return top ? { k: top.entry.k, covariance: top.entry.covariance } : null;
}

export type Evidence = 'weak' | 'positive' | 'strong' | 'very strong';

/** Kass & Raftery (1995), for a BIC difference: < 2 weak, 2–6 positive, 6–10 strong, > 10 very strong. */
export function evidence(delta: number): Evidence {
  if (delta < 2) return 'weak';
  if (delta < 6) return 'positive';
  if (delta <= 10) return 'strong';
  return 'very strong';
}

/** A score for tables and titles: one decimal ("2314.3"). */
export function formatScore(value: number): string {
  return (Math.round(value * 10) / 10).toFixed(1);
}

/** A difference of scores: "0" for the best, else one decimal. */
export function formatDelta(delta: number): string {
  return delta === 0 ? '0' : formatScore(delta);
}

/** "EEE, K = 3 — BIC 2314.3 — Δ 0": one row of the ranking, as text. */
export function rankingText(r: RankedCandidate, criterion: SelectionCriterion): string {
  return `${candidateLabel(r.entry)} — ${criterionName(criterion)} ${formatScore(r.value)} — Δ ${formatDelta(r.delta)}`;
}

/** How clear the choice is: the best against the next best, on Kass & Raftery's scale (a BIC scale; ICL is BIC-like). */
export function clarityText(selection: SelectionModel): string {
  const ranked = rankCandidates(selection);
  const name = criterionName(selection.criterion);
  const lead = selection.finished ? '' : 'So far: ';
  if (ranked.length === 0) return selection.finished ? 'No candidate could be fitted.' : 'No usable candidate yet.';
  if (ranked.length === 1) return `${lead}${candidateLabel(ranked[0].entry)} is the only usable candidate.`;
  const [best, next] = ranked;
  const delta = next.delta;
  const base = `${lead}${candidateLabel(best.entry)} over the next best, ${candidateLabel(next.entry)}: Δ ${name} ${formatDelta(delta)}`;
  if (selection.criterion === 'aic') return `${base} (Kass & Raftery's scale is for BIC differences).`;
  return `${base} — ${evidence(delta)} evidence (Kass & Raftery: Δ < 2 weak, 2–6 positive, 6–10 strong, > 10 very strong).`;
}

/** "K = 3, EEE (chosen by BIC among 126 candidates)" — the header's part for a finished selection. */
export function choiceText(selection: SelectionModel): string {
  const name = criterionName(selection.criterion);
  if (!selection.finished) return `choosing K and the covariance model by ${name} (${selection.total} candidates)`;
  if (!selection.chosen) return `no usable candidate among ${selection.done} fitted`;
  const among = selection.cancelled ? `the ${selection.done} candidates fitted before the sweep was stopped` : `${selection.total} candidates`;
  return `K = ${selection.chosen.k}, ${selection.chosen.covariance} (chosen by ${name} among ${among})`;
}

/** The y-axis title of the selection chart. */
export function criterionAxisTitle(criterion: SelectionCriterion): string {
  const name = criterionName(criterion);
  return criterion === 'aic' ? `${name} (lower is better)` : `${name} (lower is better; mclust's ${name} is its negative)`;
}
