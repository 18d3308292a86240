// The categorical family's view (latent class analysis): each cluster's answer profile (the probability of every
// category of every column) at the scrubbed iteration, and the parameter table (weight, size, each column's most
// likely category).

import type { CategoricalSnapshot } from '../../src/shared/protocol';
import { formatNumber } from '../controls';
import { CATEGORICAL_DATA, profileRows, profilesSpec } from '../specs/categorical';
import { shownCandidate } from '../state/reducer';
import { candidateLabel } from '../state/selection';
import { finalShown, shownSnapshot } from './common';
import type { FamilyView, ViewContext } from './context';
import { byId, cell, panelWidth, tableRow } from './dom';

export function createCategoricalView(): FamilyView {
  function shown(ctx: ViewContext): CategoricalSnapshot | undefined {
    const { snapshot } = shownSnapshot(ctx.state);
    return snapshot?.model === 'categorical' ? snapshot : undefined;
  }

  const categoriesOf = (ctx: ViewContext) => ctx.state.panel?.result?.categories;

  async function draw(ctx: ViewContext): Promise<void> {
    const snapshot = shown(ctx);
    const categories = categoriesOf(ctx);
    if (!snapshot || !categories) return;
    const k = snapshot.weights.length;
    const columns = categories.map((c) => c.column);
    const rows = profileRows(snapshot.means, categories);
    const width = panelWidth();
    await ctx.charts.draw('profiles', {
      key: ['p', k, columns.join(','), categories.map((c) => c.levels.length).join(','), Math.floor(width / 220), ctx.themeVersion].join('|'),
      build: () => profilesSpec(rows, k, columns, width, ctx.theme),
      datasets: () => ({ [CATEGORICAL_DATA.profiles]: rows }),
    });
    byId('profiles').dataset.k = String(k);
  }

  function params(ctx: ViewContext, table: HTMLTableElement): void {
    const { state } = ctx;
    const { t } = shownSnapshot(state);
    const snapshot = shown(ctx);
    const categories = categoriesOf(ctx);
    if (!snapshot || !categories) {
      table.replaceChildren();
      return;
    }
    const candidate = shownCandidate(state);
    const caption = document.createElement('caption');
    caption.textContent = candidate ? `Candidate ${candidateLabel(candidate.candidate)}: final parameters` : finalShown(state) ? 'Fitted parameters (each column: its most likely category in the cluster)' : `Parameters at iteration ${t}`;
    const head = document.createElement('thead');
    head.append(tableRow('th', ['cluster', 'weight π', 'size', ...categories.map((c) => c.column)]));
    const body = document.createElement('tbody');
    snapshot.weights.forEach((w, j) => {
      const tr = document.createElement('tr');
      tr.dataset.component = String(j + 1);
      let offset = 0;
      const modes = categories.map(({ levels }) => {
        const probs = snapshot.means[j].slice(offset, offset + levels.length);
        offset += levels.length;
        const best = probs.indexOf(Math.max(...probs));
        return `${levels[best]} (${formatNumber(probs[best], 2)})`;
      });
      tr.append(cell('td', String(j + 1)), cell('td', formatNumber(w)), cell('td', String(snapshot.sizes[j])), ...modes.map((m) => cell('td', m)));
      body.append(tr);
    });
    table.replaceChildren(caption, head, body);
  }

  return { model: 'categorical', sectionId: 'categorical-view', draw, params, clear: () => undefined };
}
