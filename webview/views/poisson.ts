// The Poisson family's view: the K × column rates heatmap and each column's count histogram with the fitted
// mixture's probabilities, both at the scrubbed iteration, and the parameter table (weight, size, rates).

import type { PoissonSnapshot } from '../../src/shared/protocol';
import { formatNumber } from '../controls';
import { POISSON_DATA, countRows, countsSpec, rateRows, ratesSpec } from '../specs/poisson';
import { shownCandidate } from '../state/reducer';
import { candidateLabel } from '../state/selection';
import { columnNames, finalShown, shownSnapshot } from './common';
import type { FamilyView, ViewContext } from './context';
import { byId, cell, panelWidth, tableRow } from './dom';

export function createPoissonView(): FamilyView {
  function shown(ctx: ViewContext): PoissonSnapshot | undefined {
    const { snapshot } = shownSnapshot(ctx.state);
    return snapshot?.model === 'poisson' ? snapshot : undefined;
  }

  async function draw(ctx: ViewContext): Promise<void> {
    const snapshot = shown(ctx);
    if (!snapshot) return;
    const columns = columnNames(ctx.state);
    const k = snapshot.weights.length;
    const rows = rateRows(snapshot.means, columns);
    await ctx.charts.draw('rates', {
      key: ['r', k, columns.join(','), ctx.themeVersion].join('|'),
      build: () => ratesSpec(rows, k, columns, ctx.theme),
      datasets: () => ({ [POISSON_DATA.rates]: rows }),
    });
    byId('rates').dataset.k = String(k);
    const histograms = ctx.state.panel?.result?.countHistograms;
    byId('counts-card').hidden = !histograms;
    if (!histograms) return;
    const data = countRows(histograms, snapshot.weights, snapshot.means);
    const width = panelWidth();
    await ctx.charts.draw('counts', {
      key: ['c', columns.join(','), histograms.map((h) => h.frequencies.length).join(','), Math.floor(width / 240), ctx.themeVersion].join('|'),
      build: () => countsSpec(data, columns, width, ctx.theme),
      datasets: () => ({ [POISSON_DATA.bars]: data.bars, [POISSON_DATA.probabilities]: data.probabilities }),
    });
  }

  function params(ctx: ViewContext, table: HTMLTableElement): void {
    const { state } = ctx;
    const { t } = shownSnapshot(state);
    const snapshot = shown(ctx);
    if (!snapshot) {
      table.replaceChildren();
      return;
    }
    const columns = columnNames(state);
    const candidate = shownCandidate(state);
    const caption = document.createElement('caption');
    caption.textContent = candidate ? `Candidate ${candidateLabel(candidate.candidate)}: final parameters` : finalShown(state) ? 'Fitted parameters (rates λ: expected count per row)' : `Parameters at iteration ${t}`;
    const head = document.createElement('thead');
    head.append(tableRow('th', ['cluster', 'weight π', 'size', ...columns.map((c) => `λ ${c}`)]));
    const body = document.createElement('tbody');
    snapshot.weights.forEach((w, j) => {
      const tr = document.createElement('tr');
      tr.dataset.component = String(j + 1);
      tr.append(cell('td', String(j + 1)), cell('td', formatNumber(w)), cell('td', String(snapshot.sizes[j])), ...snapshot.means[j].map((r) => cell('td', formatNumber(r))));
      body.append(tr);
    });
    table.replaceChildren(caption, head, body);
  }

  return { model: 'poisson', sectionId: 'poisson-view', draw, params, clear: () => undefined };
}
