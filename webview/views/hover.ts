// Linked hover in the panel: the pointer over a cluster's mark (scatter point or ellipse, density curve, mean image,
// confusion or rates row) or its row of the parameter table sets the state's hoveredCluster; every chart then dims
// the other clusters through its hover signal and the table marks the row. A hover never rebuilds a chart: the
// newest hover is applied once per animation frame.

import type { View } from 'vega';
import type { ChartHooks, ChartId, Charts } from '../charts';
import { clusterOfItem, HOVER_MARKS, HOVER_SIGNAL, withHover } from '../specs/hover';
import type { PanelAction, PanelModel } from '../state/reducer';
import { shownSnapshot } from './common';
import { byId } from './dom';

/** The hovered cluster if the shown parameters have it (a hover left over from more components shows nothing). */
export function shownHover(state: PanelModel): number | undefined {
  const h = state.hoveredCluster;
  if (h === undefined) return undefined;
  const k = shownSnapshot(state).snapshot?.weights.length ?? 0;
  return h < k ? h : undefined;
}

/** The charts' hooks: every new view starts at the current hover and reports the pointer's cluster. */
export function hoverHooks(current: () => PanelModel, act: (action: PanelAction) => void): ChartHooks {
  return {
    decorate: (id, spec) => withHover(id, spec, shownHover(current()) ?? -1),
    created: (id, view) => {
      if (HOVER_MARKS[id]) listen(id, view, act);
    },
  };
}

function listen(id: ChartId, view: View, act: (action: PanelAction) => void): void {
  view.addEventListener('mouseover', (_event, item) => {
    const cluster = clusterOfItem(id, item);
    if (cluster !== undefined) act({ type: 'hoverCluster', cluster });
  });
  view.addEventListener('mouseout', () => act({ type: 'hoverCluster', cluster: undefined }));
}

/** The parameter table's rows report the hover too (wired once; rows carry data-component, 1-based). */
export function wireTableHover(act: (action: PanelAction) => void): void {
  const table = byId('params');
  table.addEventListener('mouseover', (event) => {
    const row = (event.target as HTMLElement | null)?.closest?.('tr[data-component]') as HTMLElement | null;
    const j = Number(row?.dataset.component);
    act({ type: 'hoverCluster', cluster: Number.isInteger(j) && j >= 1 ? j - 1 : undefined });
  });
  table.addEventListener('mouseleave', () => act({ type: 'hoverCluster', cluster: undefined }));
}

/** Applies the newest hover on the next frame: the charts' signal, the table's row, #charts[data-hovered]. */
export function createHighlighter(charts: Charts, current: () => PanelModel): { schedule(): void; apply(): Promise<void> } {
  let requested = false;
  const apply = async () => {
    const h = shownHover(current());
    byId('charts').dataset.hovered = h === undefined ? '' : String(h + 1);
    for (const tr of Array.from(byId('params').querySelectorAll<HTMLElement>('tr[data-component]'))) tr.classList.toggle('hovered', h !== undefined && tr.dataset.component === String(h + 1));
    await charts.setSignal(HOVER_SIGNAL, h ?? -1);
  };
  return {
    apply,
    schedule() {
      if (requested) return;
      requested = true;
      requestAnimationFrame(() => {
        requested = false;
        apply().catch((error: unknown) => console.error('Mixscope panel: hover', error));
      });
    },
  };
}
