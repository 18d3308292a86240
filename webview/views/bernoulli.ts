// The Bernoulli family's view: the K cluster mean images (bitmaps, wrapped to the panel's width), member images
// of a clicked cluster, and the parameter table (the cluster × label heatmap is every family's: views/labels.ts).

import type { BernoulliSnapshot, ClusterExamples } from '../../src/shared/protocol';
import { clusterCaption, formatNumber } from '../controls';
import { DATA, imageGridData, imageGridLayout, imageGridSpec } from '../specs';
import type { ChartTheme } from '../theme';
import { shownCandidate, type PanelModel } from '../state/reducer';
import { candidateLabel } from '../state/selection';
import { finalShown, imageShape, shownSnapshot } from './common';
import type { FamilyView, ViewContext } from './context';
import { byId, cell, panelWidth, tableRow } from './dom';
import { majorityText } from './labels';

/** Card padding and border around the image grid, in pixels. */
const CARD_INSET = 20;

/** "#2 · n 30" and "π 0.300 · '7' 80%": the caption on two lines, so it stays readable in a narrow column. */
export function captionLines(caption: string): string {
  const parts = caption.split(' · ');
  return parts.length > 2 ? `${parts.slice(0, 2).join(' · ')}\n${parts.slice(2).join(' · ')}` : caption;
}

type Rgb = [number, number, number];

export function createBernoulliView(): FamilyView {
  const canvas = document.createElement('canvas');
  let colourProbe: CanvasRenderingContext2D | null | undefined;

  function parseColour(color: string): Rgb {
    colourProbe ??= document.createElement('canvas').getContext('2d');
    if (!colourProbe) return [128, 128, 128];
    colourProbe.fillStyle = '#000';
    colourProbe.fillStyle = color;
    const normalized = String(colourProbe.fillStyle);
    const hex = /^#([0-9a-f]{6})$/i.exec(normalized);
    if (hex) {
      const v = parseInt(hex[1], 16);
      return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
    }
    const rgb = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(normalized);
    return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : [128, 128, 128];
  }

  /** Paints pixel probabilities 0..1 from the background (0) to the foreground colour (1). */
  function paint(target: HTMLCanvasElement, pixels: ArrayLike<number>, shape: [number, number], theme: ChartTheme): void {
    const [h, w] = shape;
    target.width = w;
    target.height = h;
    const ctx = target.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(w, h);
    const fg = parseColour(theme.foreground);
    const bg = parseColour(theme.background);
    for (let p = 0; p < w * h; p++) {
      const v = Math.max(0, Math.min(1, pixels[p] ?? 0));
      img.data[4 * p] = bg[0] + (fg[0] - bg[0]) * v;
      img.data[4 * p + 1] = bg[1] + (fg[1] - bg[1]) * v;
      img.data[4 * p + 2] = bg[2] + (fg[2] - bg[2]) * v;
      img.data[4 * p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  function imageUrl(pixels: ArrayLike<number>, shape: [number, number], theme: ChartTheme): string {
    paint(canvas, pixels, shape, theme);
    return canvas.toDataURL('image/png');
  }

  function showColourBar(theme: ChartTheme): void {
    const bar = byId('images-scale-bar');
    // CSSOM (not a style attribute): allowed by the panel's CSP.
    bar.style.background = `linear-gradient(to right, ${theme.background}, ${theme.foreground})`;
  }

  async function draw(ctx: ViewContext): Promise<void> {
    const { state, theme } = ctx;
    const shown = shownSnapshot(state);
    const snapshot = shown.snapshot?.model === 'bernoulli' ? (shown.snapshot as BernoulliSnapshot) : undefined;
    const result = state.panel?.result;
    if (!snapshot) return;
    const k = snapshot.weights.length;
    const d = snapshot.means[0]?.length ?? 0;
    const shape = imageShape(state, d);
    const metrics = result?.labelMetrics;
    // Label statistics belong to the chosen fit, not to another candidate of a selection.
    const atEnd = result !== undefined && shown.atEnd && !shownCandidate(state);
    const labelOf = (j: number) => (atEnd && metrics?.clusters[j] ? { majorityLabel: majorityText(metrics, j), purity: metrics.clusters[j].purity } : undefined);
    const titles = snapshot.means.map((_, j) => captionLines(clusterCaption(j, snapshot.sizes[j], snapshot.weights[j], labelOf(j))));
    const rows = imageGridData(snapshot.means.map((m) => imageUrl(m, shape, theme)), titles);
    const layout = imageGridLayout(shape, k, panelWidth() - CARD_INSET);
    // Captions and bitmaps are data: a new iteration swaps the rows without rebuilding the view.
    const key = ['i', k, shape.join('x'), ctx.themeVersion, layout.columns, layout.width].join('|');
    await ctx.charts.draw('images', {
      key,
      build: () => imageGridSpec(rows, { layout, theme }),
      datasets: () => ({ [DATA.images]: rows }),
      onCreate: (view) =>
        view.addEventListener('click', (_event, item) => {
          const cluster = (item as { datum?: { cluster?: unknown } } | null | undefined)?.datum?.cluster;
          if (typeof cluster === 'number') ctx.act({ type: 'selectCluster', cluster });
        }),
    });
    showColourBar(theme);
    Object.assign(byId('images').dataset, { k: String(k), iteration: String(snapshot.iteration), renderer: 'svg', columns: String(layout.columns) });
    showExamples(ctx);
  }

  function showExamples(ctx: ViewContext): void {
    const { state } = ctx;
    const box = byId('examples');
    const cluster = state.ui.selectedCluster;
    if (cluster === undefined) {
      box.hidden = true;
      box.replaceChildren();
      delete box.dataset.cluster;
      return;
    }
    // Redraw only when the cluster or its members change (every progress message would otherwise rebuild them).
    const examples: ClusterExamples | undefined = state.panel?.examples?.find((e) => e.cluster === cluster);
    const signature = `${cluster}|${examples ? 'members' : state.phase}|${ctx.themeVersion}`;
    if (box.dataset.signature === signature && !box.hidden) return;
    box.dataset.signature = signature;
    box.hidden = false;
    box.dataset.cluster = String(cluster);
    const heading = document.createElement('div');
    heading.className = 'examples-heading';
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'secondary';
    close.textContent = 'Close';
    close.addEventListener('click', () => ctx.act({ type: 'selectCluster', cluster: undefined }));
    if (!examples) {
      heading.textContent = state.phase === 'running' ? `Cluster #${cluster + 1}: member images appear when the fit is done.` : `Cluster #${cluster + 1}: no member images were sent.`;
      box.replaceChildren(heading, close);
      return;
    }
    heading.textContent = `Cluster #${cluster + 1}: members`;
    const d = examples.typical[0]?.length ?? examples.atypical[0]?.length ?? 0;
    const shape = imageShape(state, d);
    const row = (label: string, cls: string, images: number[][]) => {
      const div = document.createElement('div');
      div.className = `example-row ${cls}`;
      const caption = document.createElement('span');
      caption.className = 'example-caption';
      caption.textContent = label;
      div.append(
        caption,
        ...images.map((px) => {
          const c = document.createElement('canvas');
          c.className = 'example';
          paint(c, px, shape, ctx.theme);
          return c;
        }),
      );
      return div;
    };
    box.replaceChildren(heading, close, row('most typical', 'typical', examples.typical), row('least typical', 'atypical', examples.atypical));
  }

  function params(ctx: ViewContext, table: HTMLTableElement): void {
    const state: PanelModel = ctx.state;
    const { t, snapshot } = shownSnapshot(state);
    const result = state.panel?.result;
    const final = finalShown(state);
    const source = final && result ? result : snapshot;
    if (!source) {
      table.replaceChildren();
      return;
    }
    const k = source.weights.length;
    const sizes = snapshot?.model === 'bernoulli' ? snapshot.sizes : undefined;
    const caption = document.createElement('caption');
    const candidate = shownCandidate(state);
    caption.textContent = candidate ? `Candidate ${candidateLabel(candidate.candidate)}: final parameters` : final ? 'Fitted parameters' : `Parameters at iteration ${t}`;
    const metrics = final ? result?.labelMetrics : undefined;
    const labels = metrics?.clusters;
    const head = document.createElement('thead');
    head.append(tableRow('th', ['cluster', 'weight π', 'size', ...(labels ? ['majority label', 'purity'] : [])]));
    const body = document.createElement('tbody');
    for (let j = 0; j < k; j++) {
      const tr = document.createElement('tr');
      tr.dataset.component = String(j + 1);
      tr.append(cell('td', String(j + 1)), cell('td', formatNumber(source.weights[j])), cell('td', sizes ? formatNumber(sizes[j]) : '—'));
      if (metrics && labels) tr.append(cell('td', majorityText(metrics, j)), cell('td', labels[j] ? `${(labels[j].purity * 100).toFixed(1)}%` : '—'));
      body.append(tr);
    }
    table.replaceChildren(caption, head, body);
  }

  return {
    model: 'bernoulli',
    sectionId: 'bernoulli-view',
    draw,
    params,
    clear: () => {
      const box = byId('examples');
      box.hidden = true;
      box.replaceChildren();
      delete box.dataset.signature;
    },
  };
}
