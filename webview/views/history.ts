// The run history in the panel (every family): the file's finished runs (K, model, BIC, log-likelihood, time), a
// tick box on each to pick two, and the two compared side by side: their ΔBIC, their parameters with components
// paired across runs, and their main chart side by side: for Gaussian fits of two or more columns their ellipses on
// the scatter's axes, for Bernoulli images their mean images.

import { formatNumber } from '../controls';
import { paddedExtent } from '../geometry';
import { axisLabel, projectComponent, projectPoints } from '../projection';
import { compareData, compareSpec, HISTORY_DATA, type ComparedFit } from '../specs/history';
import { comparedRuns, compareRuns, pairedComponents, runModel, runName, runOutcome, runTime } from '../state/history';
import { scatterAxes, viewSample, type PanelAction, type PanelModel } from '../state/reducer';
import { formatDelta, formatScore } from '../state/selection';
import type { RunSummary } from '../../src/shared/protocol';
import { axisTitle, imageShape } from './common';
import type { ViewContext } from './context';
import { byId, cell, panelWidth, setText, tableRow } from './dom';

/** Mean values shown per component in the comparison tables (more columns are cut with "…"). */
const MEAN_VALUES_SHOWN = 8;

/** The history list and the comparison's text and tables: cheap DOM, shown with every state (skipped when unchanged). */
export function showHistory(state: PanelModel): void {
  const history = state.history;
  const section = byId('history-view');
  section.hidden = history.length === 0;
  const compared = comparedRuns(history, state.ui.compareRuns);
  const signature = JSON.stringify([history.map((r) => r.id), state.ui.compareRuns ?? [], history.length > 0 ? history[history.length - 1].finishedAt : 0]);
  if (section.dataset.signature === signature) return;
  section.dataset.signature = signature;
  section.dataset.runs = String(history.length);
  showRuns(history, state.ui.compareRuns ?? []);
  byId('history-compare').hidden = !compared;
  setText('history-hint', history.length < 2 ? 'Runs of this file — re-run with another K to compare' : 'Runs of this file — tick two to compare them side by side');
  if (!compared) {
    byId('history-a').replaceChildren();
    byId('history-b').replaceChildren();
    setText('history-delta', '');
    for (const key of ['runs', 'delta', 'better']) delete byId('history-compare').dataset[key];
    return;
  }
  const [a, b] = compared;
  const comparison = compareRuns(a, b);
  setText('history-delta', comparison.text);
  Object.assign(byId('history-compare').dataset, { runs: `${a.id},${b.id}`, delta: formatScore(comparison.delta), better: comparison.better ? String(comparison.better.id) : '' });
  const pairs = pairedComponents(a, b);
  paramsTable(byId('history-a') as HTMLTableElement, a, pairs.map((p) => p.a));
  paramsTable(byId('history-b') as HTMLTableElement, b, pairs.map((p) => p.b));
}

function showRuns(history: RunSummary[], picked: number[]): void {
  const table = byId('history-runs') as HTMLTableElement;
  const best = Math.min(...history.map((r) => r.bic));
  const head = document.createElement('thead');
  head.append(tableRow('th', ['compare', 'run', 'finished', 'model', 'BIC', 'Δ BIC', 'log-likelihood', 'fit', 'time']));
  const body = document.createElement('tbody');
  // Newest first.
  for (const run of [...history].reverse()) {
    const tr = document.createElement('tr');
    tr.dataset.run = String(run.id);
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = String(run.id);
    box.checked = picked.includes(run.id);
    box.setAttribute('aria-label', `compare ${runName(run)}`);
    const tick = document.createElement('td');
    tick.append(box);
    tr.classList.toggle('shown', box.checked);
    tr.append(
      tick,
      cell('td', String(run.id)),
      cell('td', runTime(run), 'mono'),
      cell('td', runModel(run)),
      cell('td', formatScore(run.bic), 'mono'),
      cell('td', formatDelta(run.bic - best), 'mono'),
      cell('td', formatNumber(run.logLikelihood, 6), 'mono'),
      cell('td', runOutcome(run)),
      cell('td', `${formatNumber(run.elapsedMs / 1000, 3)} s`, 'mono'),
    );
    body.append(tr);
  }
  const caption = document.createElement('caption');
  caption.textContent = `${history.length} run${history.length === 1 ? '' : 's'} of this file (BIC: lower is better)`;
  table.replaceChildren(caption, head, body);
}

/** One run's parameters, a row per paired component (an empty row where the other run has a component this one lacks). */
function paramsTable(table: HTMLTableElement, run: RunSummary, components: (number | undefined)[]): void {
  const caption = document.createElement('caption');
  caption.textContent = `${runName(run)}: ${runModel(run)} · BIC ${formatScore(run.bic)} · log-likelihood ${formatNumber(run.logLikelihood, 6)}`;
  const meanTitle = run.model === 'poisson' ? 'rates λ' : run.model === 'bernoulli' ? 'mean P(on)' : `mean${run.standardized ? ' (standardised)' : ''}`;
  const head = document.createElement('thead');
  head.append(tableRow('th', ['component', 'weight π', meanTitle]));
  const body = document.createElement('tbody');
  for (const j of components) {
    const tr = document.createElement('tr');
    if (j === undefined) {
      tr.className = 'unpaired';
      tr.append(cell('td', '—'), cell('td', ''), cell('td', ''));
    } else {
      tr.dataset.component = String(j + 1);
      const mean = run.params.means?.[j];
      const shown = mean ? mean.slice(0, MEAN_VALUES_SHOWN).map((v) => formatNumber(v)).join(', ') + (mean.length > MEAN_VALUES_SHOWN ? ', …' : '') : 'not kept';
      tr.append(cell('td', String(j + 1)), cell('td', formatNumber(run.params.weights[j])), cell('td', shown, 'mono'));
    }
    body.append(tr);
  }
  table.replaceChildren(caption, head, body);
}

/** The tick boxes act through the reducer (wired once). */
export function wireHistory(act: (action: PanelAction) => void): void {
  byId('history-runs').addEventListener('change', (event) => {
    const box = event.target as HTMLInputElement;
    const run = Number(box.value);
    if (box.type === 'checkbox' && Number.isInteger(run)) act({ type: 'compareRun', run });
  });
}

/**
 * The two compared Gaussian runs side by side on the scatter's axes, over the plotted points, when both kept their
 * covariances and fitted the columns now plotted; nothing otherwise (the tables and ΔBIC still compare them).
 */
export async function drawHistoryChart(ctx: ViewContext): Promise<void> {
  const { state } = ctx;
  showImagePairs(ctx);
  const compared = comparedRuns(state.history, state.ui.compareRuns);
  const sample = viewSample(state);
  const axes = scatterAxes(state);
  const columns = state.panel?.result?.columns ?? state.panel?.summary?.columns;
  const drawable =
    compared && sample && axes && sample.d >= 2 && compared.every((r) => r.model === 'gaussian' && r.params.means && r.params.covariances && r.d === sample.d && (!columns || r.columns.join('\u0000') === columns.join('\u0000')));
  byId('history-chart-card').hidden = !drawable;
  if (!drawable || !compared || !sample || !axes) {
    if (ctx.charts.has('history')) ctx.charts.clear('history');
    return;
  }
  const [a, b] = compared;
  const pairs = pairedComponents(a, b);
  const slotOf = (side: 'a' | 'b', run: RunSummary) => Array.from({ length: run.k }, (_, j) => pairs.findIndex((p) => p[side] === j));
  const fits: ComparedFit[] = [
    [a, slotOf('a', a)],
    [b, slotOf('b', b)],
  ].map(([run, slots]) => {
    const r = run as RunSummary;
    const projected = r.params.means!.map((m, j) => projectComponent(m, r.params.covariances![j], axes.x, axes.y, sample));
    return { label: `${runName(r)} — ${runModel(r)}`, means: projected.map((p) => p.mean), covariances: projected.map((p) => p.cov), slots: slots as number[] };
  });
  const n = Math.floor(sample.values.length / sample.d);
  const x = projectPoints(sample, n, axes.x, new Float64Array(n));
  const y = projectPoints(sample, n, axes.y, new Float64Array(n));
  const rows = compareData(fits, { x, y });
  const cellWidth = Math.max(180, Math.min(420, Math.floor((panelWidth() - 220) / 2 / 20) * 20));
  const xTitle = axisLabel(axes.x, sample, (j) => axisTitle(state, j));
  const yTitle = axisLabel(axes.y, sample, (j) => axisTitle(state, j));
  const xDomain = paddedExtent(x);
  const yDomain = paddedExtent(y);
  const runs = fits.map((f) => f.label);
  const key = ['h', runs.join('|'), xTitle, yTitle, n, xDomain.join(), yDomain.join(), ctx.themeVersion, cellWidth].join('|');
  await ctx.charts.draw('history', {
    key,
    build: () => compareSpec(rows, { runs, slots: pairs.length, xTitle, yTitle, xDomain, yDomain, theme: ctx.theme, cell: cellWidth }),
    datasets: () => ({ [HISTORY_DATA]: rows }),
  });
  Object.assign(byId('history').dataset, { runs: `${a.id},${b.id}`, points: String(n) });
}

/** Screen pixels per image pixel of the side-by-side mean images. */
const IMAGE_SCALE = 3;

/** "rgb(…)" or "#rrggbb" → [r, g, b], through a canvas (it normalises any CSS colour). */
function rgb(probe: CanvasRenderingContext2D, colour: string): [number, number, number] {
  probe.fillStyle = '#000';
  probe.fillStyle = colour;
  const text = String(probe.fillStyle);
  const hex = /^#([0-9a-f]{6})$/i.exec(text);
  if (hex) {
    const v = parseInt(hex[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [128, 128, 128];
}

/**
 * Bernoulli runs: their mean images side by side, one pair per row (each component beside its nearest in the other
 * run), painted from the background (P = 0) to the foreground colour (P = 1) as the panel's grid is.
 */
export function showImagePairs(ctx: ViewContext): void {
  const { state } = ctx;
  const box = byId('history-images');
  const compared = comparedRuns(state.history, state.ui.compareRuns);
  const d = compared?.[0].d ?? 0;
  const shape = imageShape(state, d);
  const usable = compared && compared.every((r) => r.model === 'bernoulli' && r.params.means && r.d === d) && shape[0] > 1;
  box.hidden = !usable;
  if (!usable || !compared) {
    box.replaceChildren();
    delete box.dataset.signature;
    return;
  }
  const signature = `${compared.map((r) => r.id).join()}|${shape.join('x')}|${ctx.themeVersion}`;
  if (box.dataset.signature === signature) return;
  box.dataset.signature = signature;
  const probe = document.createElement('canvas').getContext('2d');
  const fg = probe ? rgb(probe, ctx.theme.foreground) : [0, 0, 0];
  const bg = probe ? rgb(probe, ctx.theme.background) : [255, 255, 255];
  const [h, w] = shape;
  const paint = (pixels: number[] | undefined, label: string) => {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    canvas.className = 'history-image';
    canvas.title = label;
    // CSSOM, not a style attribute: allowed by the panel's CSP.
    canvas.style.width = `${w * IMAGE_SCALE}px`;
    canvas.style.height = `${h * IMAGE_SCALE}px`;
    const c = canvas.getContext('2d');
    if (!c || !pixels) return canvas;
    const img = c.createImageData(w, h);
    for (let p = 0; p < w * h; p++) {
      const v = Math.max(0, Math.min(1, pixels[p] ?? 0));
      for (let ch = 0; ch < 3; ch++) img.data[4 * p + ch] = bg[ch] + (fg[ch] - bg[ch]) * v;
      img.data[4 * p + 3] = 255;
    }
    c.putImageData(img, 0, 0);
    return canvas;
  };
  const [a, b] = compared;
  const rows = pairedComponents(a, b).map((pair) => {
    const row = document.createElement('div');
    row.className = 'history-image-pair';
    const caption = document.createElement('span');
    caption.className = 'hint';
    caption.textContent = [pair.a !== undefined ? `${runName(a)} #${pair.a + 1}` : '', pair.b !== undefined ? `${runName(b)} #${pair.b + 1}` : ''].filter(Boolean).join(' · ');
    const side = (run: RunSummary, j: number | undefined) => (j === undefined ? paint(undefined, `${runName(run)}: no such component`) : paint(run.params.means![j], `${runName(run)} #${j + 1}`));
    row.append(side(a, pair.a), side(b, pair.b), caption);
    return row;
  });
  box.replaceChildren(...rows);
  box.dataset.pairs = String(rows.length);
}
