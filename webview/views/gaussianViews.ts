// The Gaussian fit's extra views beside the plain scatter (picked in #view-kind, kept in the UI state): the
// uncertainty scatter with the fit's most uncertain rows listed by file line, the mixture's density contours on the two
// plotted axes, and the scatter-plot matrix of up to eight columns. gaussian.ts calls these hooks around its scatter.

import type { TopLevelSpec } from 'vega-lite';
import type { GaussianSnapshot } from '../../src/shared/protocol';
import { gaussianLogResponsibilities } from '../../src/engine/families/gaussian/density';
import { contourSegments, highestDensityLevels, mixtureDensityGrid } from '../../src/engine/families/gaussian/densityGrid';
import { formatNumber } from '../controls';
import type { Cov2 } from '../geometry';
import { componentName } from '../specs';
import { densityRows, densitySpec, pairPointsPerCell, pairsData, pairsSpec, uncertaintySpec, VIEW_DATA } from '../specs/views';
import type { PanelModel } from '../state/reducer';
import { GAUSSIAN_VIEW_NAMES, GAUSSIAN_VIEWS, MAX_PAIR_COLUMNS, pairColumns, shownView, togglePairColumn, type GaussianViewKind } from '../state/views';
import { columnNames } from './common';
import type { PanelAction } from '../state/reducer';
import type { ViewContext } from './context';
import { byId, cell, panelWidth, tableRow } from './dom';

/** The density grid's resolution and the mass fractions its contours enclose. */
const GRID = 60;
export const DENSITY_FRACTIONS = [0.25, 0.5, 0.75, 0.9, 0.95] as const;

/** The controls' listeners (main.ts calls this once). */
export function wireGaussianViews(act: (action: PanelAction) => void, state: () => PanelModel): void {
  const select = byId('view-kind') as HTMLSelectElement;
  select.replaceChildren(
    ...GAUSSIAN_VIEWS.map((view) => {
      const o = document.createElement('option');
      o.value = view;
      o.textContent = GAUSSIAN_VIEW_NAMES[view];
      return o;
    }),
  );
  select.addEventListener('change', () => act({ type: 'selectView', view: select.value as GaussianViewKind }));
  byId('pair-columns').addEventListener('change', (event) => {
    const box = event.target as HTMLInputElement;
    const s = state();
    const d = s.panel?.plotSample?.d ?? 0;
    act({ type: 'selectPairColumns', columns: togglePairColumn(pairColumns(s.ui.pairColumns, d), Number(box.value), d) });
  });
}

/** What the scatter's draw needs from the chosen view: a key part, the spec around the scatter's, its datasets. */
export interface ScatterDecoration {
  key: string;
  decorate: (spec: TopLevelSpec) => TopLevelSpec;
  datasets: Record<string, object[]>;
}

/**
 * The decoration of the scatter for the shown view. Density: the mixture on the two plotted axes (the marginal, or
 * the projected mixture) on a 60 × 60 grid over the plotted domain, contoured at the levels enclosing 25 … 95 % of
 * its mass there. It needs only the K projected 2 × 2 covariances, so it follows the scrubber and the candidates.
 */
export function scatterDecoration(ctx: ViewContext, fit: { weights: number[]; means: [number, number][]; covariances: Cov2[]; k: number; xDomain: [number, number]; yDomain: [number, number] }): ScatterDecoration {
  const view = shownView(ctx.state.ui);
  if (view === 'uncertainty') return { key: 'uncertainty', decorate: (spec) => uncertaintySpec(spec, fit.k), datasets: {} };
  if (view !== 'density') return { key: 'scatter', decorate: (spec) => spec, datasets: {} };
  const grid = mixtureDensityGrid(fit.weights, fit.means, fit.covariances, fit.xDomain, fit.yDomain, GRID, GRID);
  const levels = highestDensityLevels(grid, DENSITY_FRACTIONS);
  const rows = densityRows(levels.map((level, i) => ({ fraction: DENSITY_FRACTIONS[i], segments: level > 0 ? contourSegments(grid, level) : [] })));
  return { key: 'density', decorate: (spec) => densitySpec(spec, rows, DENSITY_FRACTIONS, ctx.theme), datasets: { [VIEW_DATA.density]: rows } };
}

/** Shows the view picker, and the most uncertain rows of the fit under the uncertainty view. */
export function showViewControls(state: PanelModel, twoD: boolean): void {
  const view = shownView(state.ui);
  const select = byId('view-kind') as HTMLSelectElement;
  select.value = view;
  select.disabled = !twoD;
  const pairs = view === 'pairs' && twoD;
  byId('scatter').hidden = !twoD || pairs;
  byId('pairs-card').hidden = !pairs;
  showUncertainRows(state, twoD && view === 'uncertainty');
}

function showUncertainRows(state: PanelModel, shown: boolean): void {
  const table = byId('uncertain-rows') as HTMLTableElement;
  const rows = state.panel?.result?.uncertainRows;
  table.hidden = !shown || !rows || rows.length === 0;
  if (table.hidden || !rows) return table.replaceChildren();
  const caption = document.createElement('caption');
  caption.textContent = `The ${rows.length} most uncertain of all ${(state.panel?.result?.n ?? 0).toLocaleString('en-US')} rows (final parameters)`;
  const head = document.createElement('thead');
  head.append(tableRow('th', ['line', 'uncertainty 1 − max r', 'most likely']));
  const body = document.createElement('tbody');
  for (const r of rows) {
    const tr = document.createElement('tr');
    tr.dataset.row = String(r.row);
    tr.append(cell('td', r.line !== undefined ? String(r.line) : `row ${r.row + 1}`), cell('td', formatNumber(r.uncertainty)), cell('td', componentName(r.component)));
    body.append(tr);
  }
  table.replaceChildren(caption, head, body);
}

/** Cell size of the matrix for the panel's width. */
function cellSize(m: number): number {
  return Math.max(70, Math.min(200, Math.floor((panelWidth() - 160) / Math.max(1, m) / 10) * 10));
}

/**
 * Draws the scatter-plot matrix when it is the shown view (returns false otherwise): the chosen columns' pairs, each
 * cell with its share of the plotted rows (maxPlotPoints over the m(m − 1) cells) and every component's marginal
 * ellipses; points coloured by their most likely component under the full-dimensional mixture.
 */
export async function drawPairsView(ctx: ViewContext, sample: { values: number[]; d: number }, snapshot: GaussianSnapshot, n: number, budget: number, colours: number[], title: string): Promise<boolean> {
  const { state } = ctx;
  if (shownView(state.ui) !== 'pairs' || sample.d < 2) return false;
  const names = columnNames(state);
  const columns = pairColumns(state.ui.pairColumns, sample.d);
  showPairPicker(names, columns);
  // The matrix has no x and y to pick.
  for (const id of ['x-col', 'y-col']) (byId(id) as HTMLSelectElement).disabled = true;
  const k = snapshot.weights.length;
  const perCell = pairPointsPerCell(budget, columns.length);
  // Responsibilities only for the rows the cells draw.
  const shown = Math.min(n, perCell);
  const picked = Array.from({ length: shown }, (_, s) => Math.floor((s * n) / shown));
  const values = new Float64Array(shown * sample.d);
  picked.forEach((i, s) => {
    for (let j = 0; j < sample.d; j++) values[s * sample.d + j] = sample.values[i * sample.d + j];
  });
  const resp = new Float64Array(shown * k);
  const component = new Int32Array(shown);
  try {
    gaussianLogResponsibilities(values, shown, sample.d, snapshot, resp);
    for (let s = 0; s < shown; s++) for (let j = 1; j < k; j++) if (resp[s * k + j] > resp[s * k + component[s]]) component[s] = j;
  } catch {
    // A covariance that is not positive definite: every point in the first colour, as the scatter draws it neutral.
  }
  const rows = pairsData({ columns, names, values, d: sample.d, n: shown, component, means: snapshot.means, covariances: snapshot.covariances }, perCell);
  const size = cellSize(columns.length);
  const key = ['p', k, columns.join(), names.join(), ctx.themeVersion, colours.join(), size].join('|');
  await ctx.charts.draw('pairs', {
    key,
    build: () => pairsSpec(rows, { names: columns.map((j) => names[j]), k, title, theme: ctx.theme, colours, cell: size }),
    datasets: () => ({ [VIEW_DATA.pairs]: rows }),
    signals: { title },
    marks: shown * columns.length * (columns.length - 1),
  });
  Object.assign(byId('pairs').dataset, { iteration: String(snapshot.iteration), k: String(k), columns: String(columns.length), points: String(shown * columns.length * (columns.length - 1)) });
  return true;
}

/** One checkbox per column; at most MAX_PAIR_COLUMNS ticked. */
function showPairPicker(names: string[], columns: number[]): void {
  const box = byId('pair-columns');
  if (box.dataset.names !== names.join('\u0000')) {
    box.replaceChildren(
      ...names.map((name, j) => {
        const label = document.createElement('label');
        const input = document.createElement('input');
        input.type = 'checkbox';
        input.value = String(j);
        label.append(input, ` ${name}`);
        return label;
      }),
    );
    box.dataset.names = names.join('\u0000');
  }
  const full = columns.length >= MAX_PAIR_COLUMNS;
  box.querySelectorAll<HTMLInputElement>('input').forEach((input) => {
    input.checked = columns.includes(Number(input.value));
    input.disabled = (full && !input.checked) || (input.checked && columns.length <= 2);
  });
}
