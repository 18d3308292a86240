// The model-selection view (every family): mclust's BIC plot of the candidates as they finish, the best five with
// their distance from the best, how clear the choice is, and a way to show any candidate instead of the chosen fit.
// Shown only for a sweep of more than one candidate.

import { formatNumber } from '../controls';
import { SELECTION_CLICKABLE, SELECTION_DATA, selectionData, selectionSpec } from '../specs/selection';
import { shownCandidate, type PanelAction, type PanelModel } from '../state/reducer';
import {
  bestCandidate,
  candidateLabel,
  clarityText,
  criterionName,
  formatDelta,
  formatScore,
  isModelSelection,
  rankCandidates,
  rankingText,
  sameCandidate,
  type SelectionModel,
} from '../state/selection';
import { candidateNote } from './common';
import type { ViewContext } from './context';
import { byId, cell, panelWidth, setText, tableRow } from './dom';

/** Rows of the ranking table. */
export const RANKING_ROWS = 5;

/** Room beside the plot for the y axis and the legend, in pixels. */
const SELECTION_MARGIN = 200;

export function selectionSize(available: number): { width: number; height: number } {
  const width = Math.max(260, Math.min(760, Math.floor((available - SELECTION_MARGIN) / 20) * 20));
  return { width, height: Math.max(220, Math.min(360, Math.round(width * 0.55))) };
}

/** "37 of 126 candidates fitted" while the sweep runs, then what became of them. */
export function progressText(selection: SelectionModel): string {
  const missing = selection.entries.length - rankCandidates(selection).length;
  const missingText = missing > 0 ? `, ${missing} missing (failed or degenerate: × at the bottom of the chart)` : '';
  if (!selection.finished) return `${selection.done} of ${selection.total} candidates fitted${missingText}`;
  if (selection.cancelled) return `Stopped after ${selection.done} of ${selection.total} candidates${missingText}.`;
  return `${selection.entries.length} candidates fitted${missingText}.`;
}

/** Text at once with every state: the progress line and the "back to the chosen model" link. */
export function showSelectionText(state: PanelModel): void {
  const selection = isModelSelection(state.selection) ? state.selection : undefined;
  byId('selection-view').hidden = !selection || state.phase === 'error';
  if (!selection) return;
  setText('selection-progress', progressText(selection));
  const note = candidateNote(state);
  byId('selection-shown').hidden = !note;
  byId('selection-back').hidden = !note;
  setText('selection-note', note ?? '');
}

export async function drawSelection(ctx: ViewContext): Promise<void> {
  const { state } = ctx;
  const selection = isModelSelection(state.selection) && state.phase !== 'error' ? state.selection : undefined;
  if (!selection) {
    if (ctx.charts.has('selection')) ctx.charts.clear('selection');
    byId('selection-ranking').replaceChildren();
    setText('selection-clarity', '');
    return;
  }
  const shown = shownCandidate(state)?.candidate;
  const size = selectionSize(panelWidth());
  const data = selectionData(selection, size.height, shown);
  const key = ['sel', selection.criterion, selection.models.join(), selection.ks.join(), ctx.themeVersion, size.width].join('|');
  await ctx.charts.draw('selection', {
    key,
    build: () => selectionSpec(selection, data, { theme: ctx.theme, ...size }),
    datasets: () => ({ [SELECTION_DATA.points]: data.points, [SELECTION_DATA.missing]: data.missing, [SELECTION_DATA.chosen]: data.chosen, [SELECTION_DATA.shown]: data.shown }),
    onCreate: (view) =>
      view.addEventListener('click', (_event, item) => {
        const picked = item as { mark?: { name?: string }; datum?: { k?: unknown; covariance?: unknown } } | null | undefined;
        if (!picked?.mark?.name || !SELECTION_CLICKABLE.includes(picked.mark.name)) return;
        const { k, covariance } = picked.datum ?? {};
        if (typeof k === 'number' && typeof covariance === 'string') ctx.act({ type: 'showCandidate', candidate: { k, covariance } });
      }),
  });
  const best = bestCandidate(selection);
  Object.assign(byId('selection').dataset, {
    points: String(data.points.filter((r) => r.value !== null).length),
    missing: String(data.missing.length),
    done: String(selection.done),
    total: String(selection.total),
    chosen: best ? `${best.covariance},${best.k}` : '',
    shown: shown ? `${shown.covariance},${shown.k}` : '',
  });
  showRanking(selection, shown);
  setText('selection-clarity', clarityText(selection));
}

function showRanking(selection: SelectionModel, shown: { k: number; covariance: string } | undefined): void {
  const table = byId('selection-ranking') as HTMLTableElement;
  const ranked = rankCandidates(selection).slice(0, RANKING_ROWS);
  const name = criterionName(selection.criterion);
  const chosen = bestCandidate(selection);
  const caption = document.createElement('caption');
  caption.textContent = `${selection.finished ? 'Best' : 'Best so far:'} ${ranked.length} of ${selection.entries.length} candidates by ${name} — click a row to show it`;
  const head = document.createElement('thead');
  head.append(tableRow('th', ['', 'candidate', name, `Δ ${name}`, 'log-likelihood', 'parameters']));
  const body = document.createElement('tbody');
  ranked.forEach((r, i) => {
    const tr = document.createElement('tr');
    tr.dataset.k = String(r.entry.k);
    tr.dataset.covariance = r.entry.covariance;
    tr.tabIndex = 0;
    tr.title = rankingText(r, selection.criterion);
    const isChosen = sameCandidate(r.entry, chosen);
    const isShown = shown ? sameCandidate(r.entry, shown) : isChosen;
    tr.classList.toggle('chosen', isChosen);
    tr.classList.toggle('shown', isShown);
    tr.setAttribute('aria-selected', String(isShown));
    if (!r.entry.params) {
      tr.classList.add('no-params');
      tr.title += ' (no parameters kept for this candidate)';
    }
    tr.append(
      cell('td', isChosen ? (selection.chosen ? 'chosen' : 'best') : `#${i + 1}`),
      cell('td', candidateLabel(r.entry)),
      cell('td', formatScore(r.value), 'mono'),
      cell('td', formatDelta(r.delta), 'mono'),
      cell('td', r.entry.logLikelihood === null ? '—' : formatNumber(r.entry.logLikelihood, 6), 'mono'),
      cell('td', String(r.entry.parameters), 'mono'),
    );
    body.append(tr);
  });
  table.replaceChildren(caption, head, body);
}

/** The ranking rows and the "back to the chosen model" link act through the reducer (wired once). */
export function wireSelection(act: (action: PanelAction) => void): void {
  const table = byId('selection-ranking');
  const pick = (target: EventTarget | null) => {
    const row = (target as HTMLElement | null)?.closest?.('tr[data-k]') as HTMLElement | null;
    if (row?.dataset.covariance) act({ type: 'showCandidate', candidate: { k: Number(row.dataset.k), covariance: row.dataset.covariance } });
  };
  table.addEventListener('click', (e) => pick(e.target));
  table.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      pick(e.target);
    }
  });
  byId('selection-back').addEventListener('click', () => act({ type: 'showCandidate', candidate: undefined }));
}
