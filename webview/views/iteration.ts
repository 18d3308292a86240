// What the scrubber cannot move: the clusters × labels heatmap compares the labels with the final assignments only
// (the per-iteration record keeps parameters, not assignments). While an earlier iteration is shown, the heatmap
// says so rather than passing for that iteration's.

import { shownIteration, shownCandidate, type PanelModel } from '../state/reducer';
import { byId } from './dom';

/** The note over the label heatmap while the charts show an earlier iteration than the final fit's, else undefined. */
export function labelHeatmapNote(state: PanelModel): string | undefined {
  const result = state.panel?.result;
  if (!result?.labelMetrics || shownCandidate(state)) return undefined;
  const last = state.snapshots.length - 1;
  const t = shownIteration(state);
  if (t >= last) return undefined;
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
