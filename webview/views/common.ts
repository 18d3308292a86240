// Pieces of the panel every family shares: column names, image shapes, the shown snapshot.

import type { ParamsSnapshot } from '../../src/shared/protocol';
import { shownCandidate, shownIteration, snapshotAt, type PanelModel } from '../state/reducer';
import { candidateLabel } from '../state/selection';

export function columnNames(state: PanelModel): string[] {
  const cols = state.panel?.result?.columns ?? state.panel?.summary?.columns ?? [];
  const d = state.panel?.plotSample?.d ?? cols.length;
  return Array.from({ length: d }, (_, j) => cols[j] ?? `column ${j + 1}`);
}

export function standardised(state: PanelModel): boolean {
  return Boolean(state.panel?.result?.standardization ?? state.panel?.options.standardize);
}

export function axisTitle(state: PanelModel, j: number): string {
  return `${columnNames(state)[j]}${standardised(state) ? ' (standardised)' : ''}`;
}

/** The snapshot the charts show: the scrubbed (or newest) iteration, or a selection candidate's final parameters. */
export function shownSnapshot(state: PanelModel): { t: number; snapshot: ParamsSnapshot | undefined; atEnd: boolean } {
  const candidate = shownCandidate(state);
  if (candidate) return { t: candidate.snapshot.iteration, snapshot: candidate.snapshot, atEnd: true };
  const t = shownIteration(state);
  return { t, snapshot: snapshotAt(state, t), atEnd: t === state.snapshots.length - 1 };
}

/** The result's final parameters replace the last snapshot's when the fit is done and the newest iteration shown. */
export function finalShown(state: PanelModel): boolean {
  return state.panel?.result !== undefined && !shownCandidate(state) && shownIteration(state) === state.snapshots.length - 1;
}

/** "showing candidate VVV, K = 4 (final parameters only)" when a selection's candidate replaces the chosen fit. */
export function candidateNote(state: PanelModel): string | undefined {
  const candidate = shownCandidate(state);
  return candidate ? `showing candidate ${candidateLabel(candidate.candidate)} (final parameters only)` : undefined;
}

export function imageShape(state: PanelModel, d: number): [number, number] {
  const shape = state.panel?.result?.imageShape ?? state.panel?.summary?.imageShape;
  if (shape && shape[0] * shape[1] === d) return shape;
  const side = Math.round(Math.sqrt(d));
  if (side * side === d) return [side, side];
  return [1, d];
}

/** "Iteration 12 (running)" — the charts' title. */
export function iterationTitle(state: PanelModel, iteration: number, atEnd: boolean): string {
  const candidate = shownCandidate(state);
  if (candidate) return `Candidate ${candidateLabel(candidate.candidate)} (final parameters, ${candidate.entry.iterations} iterations)`;
  const applied = state.panel?.result?.applied;
  if (applied) return `The parameters of ${applied.modelFile} (no iterations)`;
  return `Iteration ${iteration}${state.phase === 'running' && atEnd ? ' (running)' : ''}`;
}
