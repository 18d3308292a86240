// The clusters × labels heatmap follows the scrubber: the engine counts each iteration's assignments against the
// known labels (snapshot.confusion). A run without them (a result kept by an older version, the variational fit)
// has the final counts only: while an earlier iteration is shown, the heatmap says so rather than passing for it.

import type { LabelMetrics } from '../../src/shared/protocol';
import { shownIteration, shownCandidate, snapshotAt, type PanelModel } from '../state/reducer';
import { byId } from './dom';

/** The counts of one iteration when they are K × L like the final ones. */
function countsOf(confusion: number[][] | undefined, metrics: LabelMetrics): number[][] | undefined {
  const labels = metrics.labelValues.length;
  return confusion && confusion.length === metrics.confusion.length && confusion.every((row) => row.length === labels) ? confusion : undefined;
}

/**
 * The heatmap's counts at the shown iteration (the final fit's when the run has no per-iteration counts, or a
 * selection's other candidate is shown), and the colour scale's top: the largest count of any iteration, so the
 * colours mean the same while scrubbing.
 */
export function labelConfusion(state: PanelModel, metrics: LabelMetrics): { counts: number[][]; max: number; final: boolean } {
  let max = 1;
  for (const row of metrics.confusion) for (const c of row) max = Math.max(max, c);
  for (const s of state.snapshots) for (const row of countsOf(s?.confusion, metrics) ?? []) for (const c of row) max = Math.max(max, c);
  const shown = shownCandidate(state) ? undefined : countsOf(snapshotAt(state, shownIteration(state))?.confusion, metrics);
  return { counts: shown ?? metrics.confusion, max, final: shown === undefined };
}

/** The note over the label heatmap while it shows the final counts and the charts an earlier iteration, else undefined. */
export function labelHeatmapNote(state: PanelModel): string | undefined {
  const result = state.panel?.result;
  if (!result?.labelMetrics || shownCandidate(state)) return undefined;
  const last = state.snapshots.length - 1;
  const t = shownIteration(state);
  if (t >= last || !labelConfusion(state, result.labelMetrics).final) return undefined;
  return `Clusters × labels of the final fit (iteration ${result.iterations}); the other charts show iteration ${t}.`;
}

/** Shown at once with every state (cheap text): the note, and the heatmap dimmed while it does not match. */
export function showIterationNotes(state: PanelModel): void {
  const card = document.getElementById('confusion-card');
  if (!card) return;
  const note = labelHeatmapNote(state);
  let p = document.getElementById('confusion-note');
  if (!p && note) {
    p = document.createElement('p');
    p.id = 'confusion-note';
    p.className = 'hint';
    card.insertBefore(p, byId('confusion'));
  }
  if (p) {
    p.textContent = note ?? '';
    p.hidden = !note;
  }
  card.classList.toggle('final-only', note !== undefined);
}
