// The Gaussian family's view: the scatter on two chosen axes (PC1 × PC2 by default for d > 2, or any two columns)
// coloured by responsibility with each component's contours and mean (d ≥ 2), or the histogram with the component
// densities (d = 1); and its parameter table (with labels, each component's majority label and purity).

import type { GaussianSnapshot, PlotSample } from '../../src/shared/protocol';
import { CANVAS_MARKS } from '../charts';
import { gaussianLogResponsibilities } from '../../src/engine/families/gaussian/density';
import { clusterSizes, formatNumber } from '../controls';
import { histogram, paddedExtent, type Cov2 } from '../geometry';
import { axisChoices, axisCode, axisLabel, axisName, projectComponent, projectPoints, type AxisSource, type PlotAxis } from '../projection';
import { DATA, histogramData, histogramSpec, scatterData, scatterSpec } from '../specs';
import { sampleNote, scatterAxes, shownCandidate, shownColours, viewSample, type PanelModel } from '../state/reducer';
import { candidateLabel } from '../state/selection';
import { axisTitle, columnNames, finalShown, iterationTitle, shownSnapshot, standardised } from './common';
import type { FamilyView, ViewContext } from './context';
import { byId, cell, panelWidth, tableRow } from './dom';
import { drawPairsView, scatterDecoration, showViewControls } from './gaussianViews';
import { majorityText } from './labels';

/** Room beside the plot for the y axis and the legend, in pixels. */
const SCATTER_MARGIN = 190;

/** Scatter size for the panel's width: as wide as the panel allows (in 20-pixel steps, so a resize rebuilds rarely). */
export function scatterSize(available: number): { width: number; height: number } {
  const width = Math.max(240, Math.min(1000, Math.floor((available - SCATTER_MARGIN) / 20) * 20));
  return { width, height: Math.max(220, Math.min(560, Math.round(width * 0.75))) };
}

/** Never draw more than maxPlotPoints points, whatever arrives. */
function plotLimit(state: PanelModel): number {
  const max = state.panel?.options.maxPlotPoints;
  return Number.isFinite(max) && (max as number) > 0 ? (max as number) : 5000;
}

export function createGaussianView(): FamilyView {
  let logResp = new Float64Array(0);

  const gaussianShown = (state: PanelModel) => {
    const shown = shownSnapshot(state);
    return { ...shown, snapshot: shown.snapshot?.model === 'gaussian' ? (shown.snapshot as GaussianSnapshot) : undefined };
  };

  /** The pickers offer PC1 and PC2 first when the sample has principal axes, then the columns. */
  function setupAxisPickers(state: PanelModel, x: PlotAxis, y: PlotAxis, source: AxisSource): void {
    const names = columnNames(state);
    const choices = axisChoices(names, source);
    const xs = byId('x-col') as HTMLSelectElement;
    const ys = byId('y-col') as HTMLSelectElement;
    const same = xs.options.length === choices.length && Array.from(xs.options).every((o, j) => o.value === choices[j][0] && o.textContent === choices[j][1]);
    if (!same) {
      for (const s of [xs, ys]) {
        s.replaceChildren(
          ...choices.map(([value, text]) => {
            const o = document.createElement('option');
            o.value = value;
            o.textContent = text;
            return o;
          }),
        );
      }
    }
    xs.value = String(axisCode(x));
    ys.value = String(axisCode(y));
    xs.disabled = ys.disabled = names.length < 2;
  }

  async function draw(ctx: ViewContext): Promise<void> {
    const { state } = ctx;
    const sample = viewSample(state);
    const { snapshot, atEnd } = gaussianShown(state);
    const d = sample?.d ?? 0;
    const oneD = d === 1;
    byId('scatter-toolbar').hidden = oneD;
    byId('histogram-toolbar').hidden = !oneD;
    byId('scatter').hidden = oneD;
    byId('histogram').hidden = !oneD;
    showViewControls(state, d >= 2);
    if (!sample || !snapshot || d === 0) return;
    const n = Math.min(Math.floor(sample.values.length / d), plotLimit(state));
    const note = sampleNote(state.panel?.summary, n);
    byId('sample-note').hidden = !note;
    byId('sample-note').textContent = note ?? '';
    const k = snapshot.weights.length;
    const colours = shownColours(state, snapshot.means);
    let title = iterationTitle(state, snapshot.iteration, atEnd);

    if (oneD) {
      const values = sample.values.slice(0, n);
      const h = histogram(values);
      const data = histogramData({ edges: h.edges, counts: h.counts, weights: snapshot.weights, means: snapshot.means.map((m) => m[0]), variances: snapshot.covariances.map((c) => c[0][0]), n });
      const size = scatterSize(panelWidth());
      const key = ['h', k, ctx.themeVersion, columnNames(state)[0], standardised(state), colours.join(), size.width].join('|');
      await ctx.charts.draw('histogram', {
        key,
        build: () => histogramSpec(data, { xTitle: axisTitle(state, 0), k, title, theme: ctx.theme, colours, width: size.width, height: Math.round(size.height * 0.75) }),
        datasets: () => ({ [DATA.bins]: data.bins, [DATA.densities]: data.densities }),
        signals: { title },
      });
      Object.assign(byId('histogram').dataset, { iteration: String(snapshot.iteration), k: String(k), points: String(n), candidate: candidateId(state) });
      return;
    }

    const axes = scatterAxes(state)!;
    setupAxisPickers(state, axes.x, axes.y, sample);
    const placed = placeIncompleteRows(state, sample);
    // The matrix draws the incomplete rows where the scatter places them.
    if (await drawPairsView(ctx, placed.sample, snapshot, n, plotLimit(state), colours, title)) return;
    if (logResp.length < n * k) logResp = new Float64Array(n * k);
    const resp = logResp.subarray(0, n * k);
    let degenerate = false;
    try {
      gaussianLogResponsibilities(placed.sample.values, n, d, snapshot, resp);
    } catch {
      // A snapshot whose covariance is not positive definite (a collapsing component): draw the points neutral
      // rather than fail the panel; the engine reports the collapse itself.
      resp.fill(-Math.log(k));
      degenerate = true;
    }
    // Responsibilities above are those of the full d columns; only the drawing is projected.
    const x = projectPoints(placed.sample, n, axes.x, new Float64Array(n));
    const y = projectPoints(placed.sample, n, axes.y, new Float64Array(n));
    const projected = snapshot.means.map((m, j) => projectComponent(m, snapshot.covariances[j], axes.x, axes.y, sample));
    const covs: Cov2[] = projected.map((p) => p.cov);
    const means = projected.map((p) => p.mean);
    if (degenerate) title += ' — a covariance is not positive definite, responsibilities not shown';
    const data = scatterData({ x, y, logResp: resp, k, means, covariances: covs, incomplete: placed.incomplete, incompletePlacement: placed.placement });
    const xDomain = paddedExtent(x);
    const yDomain = paddedExtent(y);
    const size = scatterSize(panelWidth());
    const xTitle = axisLabel(axes.x, sample, (j) => axisTitle(state, j));
    const yTitle = axisLabel(axes.y, sample, (j) => axisTitle(state, j));
    const view = scatterDecoration(ctx, { weights: snapshot.weights, means, covariances: covs, k, xDomain, yDomain });
    const key = ['s', view.key, k, axisCode(axes.x), axisCode(axes.y), xTitle, yTitle, ctx.themeVersion, n, xDomain.join(), yDomain.join(), standardised(state), colours.join(), size.width, placed.placement ?? ''].join('|');
    await ctx.charts.draw('scatter', {
      key,
      build: () => view.decorate(scatterSpec(data, { xTitle, yTitle, k, xDomain, yDomain, title, theme: ctx.theme, colours, manyPoints: n > CANVAS_MARKS, ...size })),
      datasets: () => ({ [DATA.points]: data.points, [DATA.contours]: data.contours, [DATA.means]: data.means, ...view.datasets }),
      signals: { title },
      marks: n,
    });
    const names = columnNames(state);
    Object.assign(byId('scatter').dataset, { iteration: String(snapshot.iteration), k: String(k), points: String(n), x: axisName(axes.x, names), y: axisName(axes.y, names), candidate: candidateId(state) });
  }

  function params(ctx: ViewContext, table: HTMLTableElement): void {
    const { state } = ctx;
    const { t, snapshot } = gaussianShown(state);
    const result = state.panel?.result;
    const final = finalShown(state);
    const source = final && result ? result : snapshot;
    if (!source) {
      table.replaceChildren();
      return;
    }
    const k = source.weights.length;
    const caption = document.createElement('caption');
    const candidate = shownCandidate(state);
    caption.textContent = candidate ? `Candidate ${candidateLabel(candidate.candidate)}: final parameters` : final ? 'Fitted parameters' : `Parameters at iteration ${t}`;
    let sizes: number[] | undefined;
    let sizeNote = '';
    if (final && result) {
      const s = clusterSizes(result, state.panel?.plotAssignments);
      sizes = s.sizes;
      sizeNote = s.source === 'all' ? '' : s.source === 'sample' ? ' (in plot sample)' : ' (≈ n·π)';
    }
    const names = columnNames(state);
    const d = source.means[0]?.length ?? 0;
    const showCov = d <= 6;
    // One column: the "covariance" is a variance.
    const spreadTitle = d === 1 ? 'variance' : showCov ? 'covariance' : 'variances (diagonal)';
    // Label statistics belong to the chosen fit's final assignments.
    const metrics = final ? result?.labelMetrics : undefined;
    const head = document.createElement('thead');
    head.append(tableRow('th', ['component', 'weight π', `size${sizeNote}`, ...(metrics ? ['majority label', 'purity'] : []), `mean (${names.join(', ')})`, spreadTitle]));
    const body = document.createElement('tbody');
    for (let j = 0; j < k; j++) {
      const tr = document.createElement('tr');
      tr.dataset.component = String(j + 1);
      tr.append(
        cell('td', String(j + 1)),
        cell('td', formatNumber(source.weights[j])),
        cell('td', sizes ? formatNumber(sizes[j]) : '—'),
        ...(metrics ? [cell('td', majorityText(metrics, j)), cell('td', metrics.clusters[j]?.size ? `${(metrics.clusters[j].purity * 100).toFixed(1)}%` : '—')] : []),
        cell('td', source.means[j].map((v) => formatNumber(v)).join(', '), 'mono'),
        covarianceCell(source.covariances?.[j], d === 1 || !showCov ? 'diagonal' : 'matrix'),
      );
      body.append(tr);
    }
    table.replaceChildren(caption, head, body);
  }

  return {
    model: 'gaussian',
    sectionId: 'gaussian-view',
    draw,
    params,
    clear: () => {
      byId('sample-note').hidden = true;
    },
  };
}

function covarianceCell(cov: number[][] | undefined, form: 'matrix' | 'diagonal'): HTMLTableCellElement {
  const td = document.createElement('td');
  td.className = 'mono';
  if (!cov) {
    td.textContent = '—';
    return td;
  }
  if (form === 'diagonal') {
    td.textContent = cov.map((r, i) => formatNumber(r[i])).join(', ');
    return td;
  }
  const m = document.createElement('table');
  m.className = 'matrix';
  for (const r of cov) m.append(tableRow('td', r.map((v) => formatNumber(v))));
  td.append(m);
  return td;
}

/** The shown selection candidate as "VVV,4" (data-candidate of the charts), or '' for the chosen fit. */
function candidateId(state: PanelModel): string {
  const candidate = shownCandidate(state);
  return candidate ? `${candidate.candidate.covariance},${candidate.candidate.k}` : '';
}

/**
 * The plotted rows with missing cells: at their conditional expectation once the fit has placed them (the result's
 * imputedPlot), at their columns' observed means (as the engine sent them) before; which points they are.
 */
function placeIncompleteRows(state: PanelModel, sample: PlotSample): { sample: PlotSample; incomplete?: boolean[]; placement?: string } {
  const rows = sample.incompleteRows;
  if (!rows || rows.length === 0) return { sample };
  const imputed = state.panel?.result?.imputedPlot;
  const position = new Map(sample.indices.map((row, s) => [row, s]));
  const incomplete = sample.indices.map(() => false);
  for (const row of rows) {
    const s = position.get(row);
    if (s !== undefined) incomplete[s] = true;
  }
  if (!imputed) return { sample, incomplete, placement: 'at column means until the fit ends' };
  const values = sample.values.slice();
  const d = sample.d;
  imputed.rows.forEach((row, r) => {
    const s = position.get(row);
    if (s === undefined) return;
    for (let j = 0; j < d; j++) values[s * d + j] = imputed.values[r * d + j];
  });
  return { sample: { ...sample, values }, incomplete, placement: 'at E[x | observed cells]' };
}
