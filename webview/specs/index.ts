// Vega-Lite spec builders for the panel. Pure: no DOM, no vscode; tested in Node (compile + render to SVG).
// Each chart reads its rows from named datasets (`datasets` + `data: {name}`) so the webview can swap the rows
// with `view.data(name, rows)` while scrubbing, without rebuilding the view.
//
// Mark names (→ SVG classes `<name>_marks`, used by tests and the end-to-end suite):
//   scatter:    points, contours (one line per component per Mahalanobis radius), means
//   loglik:     loglik_line, loglik_points (one per iteration per series), converged (a rule), shown_iteration (a rule
//               at the scrubbed iteration; a click picks the nearest iteration through the `pick` selection)
//   histogram:  histogram_bars, density_lines (the mixture first, then one per component, drawn above it)
//   images:     image_pixels (one bitmap image per cluster)
//   confusion:  confusion_cells (K × L rects), confusion_counts (every family, with labels)

import type { TopLevelSpec } from 'vega-lite';
import type { ChartTheme } from '../theme';
import { vegaConfig } from '../theme';
import type { Cov2 } from '../geometry';
import { ellipsePoints, linspace, normalPdf } from '../geometry';

/** Mahalanobis radii of the drawn contours. */
export const CONTOUR_RADII = [1, 2] as const;

export const DATA = {
  points: 'points',
  contours: 'contours',
  means: 'means',
  loglik: 'loglik',
  converged: 'converged',
  shownIteration: 'shown_iteration',
  bins: 'bins',
  densities: 'densities',
  images: 'images',
  confusion: 'confusion',
} as const;

export type Row = Record<string, number | string>;

// ------------------------------------------------------------------ scatter with contours

export interface ScatterData {
  points: Row[];
  contours: Row[];
  means: Row[];
}

export interface ScatterInput {
  /** Plotted coordinates of the n points. */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** n × k log-responsibilities of the same points (row-major). */
  logResp: ArrayLike<number>;
  k: number;
  /** Per component: the mean and the 2 × 2 covariance of its marginal on the two plotted columns. */
  means: [number, number][];
  covariances: Cov2[];
  /** Per point, whether its row has missing cells (drawn with their own shape); absent when none has. */
  incomplete?: ArrayLike<boolean>;
  /** Where those rows are placed, for the legend ("at E[x | observed cells]"). */
  incompletePlacement?: string;
}

/** The legend's two kinds of rows when some have missing cells. */
export const OBSERVED_ROWS = 'every cell observed';

export function componentName(j: number): string {
  return `component ${j + 1}`;
}

/**
 * Rows for the scatter. K = 2: each point gets `r` = r₁ − r₂ (Murphy fig. 11.11). K ≠ 2: `component` = argmax
 * responsibility and `rmax` = that responsibility (drawn as opacity). Contours: one series per component and radius,
 * with `order` along the curve.
 */
export function scatterData(input: ScatterInput): ScatterData {
  const { x, y, logResp, k } = input;
  const n = Math.min(x.length, y.length, Math.floor(logResp.length / Math.max(1, k)));
  const points: Row[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    if (k === 2) {
      points[i] = { x: x[i], y: y[i], r: Math.exp(logResp[o]) - Math.exp(logResp[o + 1]) };
    } else {
      let best = 0;
      for (let j = 1; j < k; j++) if (logResp[o + j] > logResp[o + best]) best = j;
      points[i] = { x: x[i], y: y[i], component: componentName(best), rmax: Math.exp(logResp[o + best]) };
    }
    if (input.incomplete) points[i].cells = input.incomplete[i] ? `missing cells, ${input.incompletePlacement ?? 'placed'}` : OBSERVED_ROWS;
  }
  const contours: Row[] = [];
  const means: Row[] = [];
  for (let j = 0; j < input.means.length; j++) {
    const mean = input.means[j];
    means.push({ x: mean[0], y: mean[1], component: componentName(j) });
    for (const radius of CONTOUR_RADII) {
      const curve = ellipsePoints(mean, input.covariances[j], radius);
      if (!curve) continue;
      const series = `${componentName(j)}, radius ${radius}`;
      curve.forEach(([cx, cy], order) => contours.push({ x: cx, y: cy, component: componentName(j), radius, series, order }));
    }
  }
  return { points, contours, means };
}

export interface ScatterOptions {
  xTitle: string;
  yTitle: string;
  k: number;
  /** Fixed axis domains (from the data) so the axes do not jump while scrubbing; contours are clipped. */
  xDomain: [number, number];
  yDomain: [number, number];
  /** Chart title (a signal `title` the webview can change without rebuilding). */
  title: string;
  theme: ChartTheme;
  width?: number;
  height?: number;
  pointSize?: number;
  /**
   * Many points (drawn on a canvas): no per-point ARIA label, which Vega would evaluate for every point on every
   * update and which a canvas has no element to carry.
   */
  manyPoints?: boolean;
  /** Palette slot of each component (kept across re-runs); default: component j → slot j. */
  colours?: number[];
}

/** The colour of component j: its palette slot (matched across re-runs), or j. */
export function componentColour(theme: ChartTheme, j: number, colours?: number[]): string {
  const slot = colours?.[j] ?? j;
  return theme.palette[slot % theme.palette.length];
}

export function scatterSpec(data: ScatterData, o: ScatterOptions): TopLevelSpec {
  const components = Array.from({ length: o.k }, (_, j) => componentName(j));
  const componentScale = { domain: components, range: components.map((_, j) => componentColour(o.theme, j, o.colours)) };
  // r₁ − r₂ runs from component 2's colour (−1) through the muted midpoint to component 1's (+1).
  const diverging = o.colours ? [componentColour(o.theme, 1, o.colours), o.theme.diverging[1], componentColour(o.theme, 0, o.colours)] : o.theme.diverging;
  const pointColor =
    o.k === 2
      ? {
          field: 'r',
          type: 'quantitative' as const,
          title: 'r₁ − r₂',
          scale: { domain: [-1, 0, 1], range: [diverging[0], diverging[1], diverging[2]] },
        }
      : { field: 'component', type: 'nominal' as const, title: 'most likely', scale: componentScale };
  const x = { field: 'x', type: 'quantitative' as const, title: o.xTitle, scale: { domain: o.xDomain, zero: false, nice: false } };
  const y = { field: 'y', type: 'quantitative' as const, title: o.yTitle, scale: { domain: o.yDomain, zero: false, nice: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: vegaConfig(o.theme),
    width: o.width ?? 420,
    height: o.height ?? 340,
    params: [{ name: 'title', value: o.title }],
    title: { text: { expr: 'title' } },
    datasets: { [DATA.points]: data.points, [DATA.contours]: data.contours, [DATA.means]: data.means },
    layer: [
      {
        name: 'points',
        data: { name: DATA.points },
        mark: { type: 'point', filled: true, size: o.pointSize ?? 22, clip: true, ...(o.manyPoints ? { aria: false } : {}) },
        encoding: {
          x,
          y,
          color: pointColor,
          // Many points: the component only (a formatted tooltip per point costs more than the rest of the encoding).
          tooltip: o.manyPoints ? [{ field: 'component', type: 'nominal', title: 'most likely' }] : [
            { field: 'x', type: 'quantitative', title: o.xTitle, format: '.3~f' },
            { field: 'y', type: 'quantitative', title: o.yTitle, format: '.3~f' },
            ...(o.k === 2
              ? [{ field: 'r', type: 'quantitative' as const, title: 'r₁ − r₂', format: '.3f' }]
              : [
                  { field: 'component', type: 'nominal' as const, title: 'most likely' },
                  { field: 'rmax', type: 'quantitative' as const, title: 'responsibility', format: '.3f' },
                ]),
          ],
          ...(o.k === 2
            ? { opacity: { value: 0.85 } }
            : { opacity: { field: 'rmax', type: 'quantitative' as const, scale: { domain: [0, 1], range: [0.1, 1] }, legend: null } }),
          // Rows with missing cells: their own shape, and a legend that says where they are placed.
          ...(data.points.some((p) => p.cells !== undefined)
            ? {
                shape: { field: 'cells', type: 'nominal' as const, title: 'rows', scale: { range: ['circle', 'triangle-up'] }, sort: [OBSERVED_ROWS], legend: { labelLimit: 0 } },
                size: { field: 'cells', type: 'nominal' as const, scale: { range: [o.pointSize ?? 22, 3 * (o.pointSize ?? 22)] }, sort: [OBSERVED_ROWS], legend: null },
              }
            : {}),
        },
      },
      {
        name: 'contours',
        data: { name: DATA.contours },
        mark: { type: 'line', clip: true, strokeWidth: o.theme.lineWidth, interpolate: 'linear' },
        encoding: {
          x,
          y,
          detail: { field: 'series', type: 'nominal' },
          order: { field: 'order', type: 'quantitative' },
          color: { field: 'component', type: 'nominal', scale: componentScale, title: 'component', legend: o.k === 2 ? {} : null },
          strokeDash: {
            field: 'radius',
            type: 'ordinal',
            scale: { domain: [...CONTOUR_RADII], range: [[1, 0], [5, 3]] },
            title: 'Mahalanobis radius',
          },
          description: { field: 'series', type: 'nominal' },
        },
      },
      {
        name: 'means',
        data: { name: DATA.means },
        mark: { type: 'point', shape: 'cross', filled: true, size: 200, stroke: o.theme.background, strokeWidth: 1, opacity: 1, clip: true },
        encoding: {
          x,
          y,
          color: { field: 'component', type: 'nominal', scale: componentScale, legend: null },
          description: { field: 'component', type: 'nominal' },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}

// ------------------------------------------------------------------ log-likelihood curve

export interface TraceSeries {
  name: string;
  values: ArrayLike<number>;
}

export function loglikData(series: TraceSeries[]): Row[] {
  const rows: Row[] = [];
  for (const s of series) {
    for (let i = 0; i < s.values.length; i++) {
      const value = s.values[i];
      // `label` (the point's aria-label) keeps the full value, for screen readers and end-to-end tests.
      if (Number.isFinite(value)) rows.push({ iteration: i, value, series: s.name, label: `iteration: ${i}; ${s.name}: ${value}` });
    }
  }
  return rows;
}

export interface LoglikOptions {
  theme: ChartTheme;
  /** The iteration where the fit converged (a vertical rule), if it did. */
  convergedIteration?: number;
  /** y-axis title. */
  yTitle?: string;
  /** The iteration the other charts show (a rule; the webview moves it with view.data while scrubbing). */
  shownIteration?: number;
  width?: number;
  height?: number;
}

/** The rows of the shown-iteration rule. */
export function shownIterationData(iteration: number | undefined): Row[] {
  return iteration === undefined ? [] : [{ iteration, label: `shown: iteration ${iteration}` }];
}

/** The selection a click on the log-likelihood chart sets: `{iteration: [t]}` (read with view.signal, no eval). */
export const LOGLIK_PICK = 'pick';

/** One point per iteration per series, joined by a line; the converged iteration as a rule. */
export function loglikSpec(series: TraceSeries[], o: LoglikOptions): TopLevelSpec {
  const names = series.map((s) => s.name);
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    scale: { domain: names, range: names.map((_, j) => o.theme.palette[j % o.theme.palette.length]) },
    legend: names.length > 1 ? { orient: 'bottom' as const } : null,
  };
  const x = { field: 'iteration', type: 'quantitative' as const, title: 'iteration', axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'value', type: 'quantitative' as const, title: o.yTitle ?? 'log-likelihood', scale: { zero: false } };
  const converged = o.convergedIteration !== undefined ? [{ iteration: o.convergedIteration, label: 'converged' }] : [];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: vegaConfig(o.theme),
    width: o.width ?? 420,
    height: o.height ?? 200,
    datasets: { [DATA.loglik]: loglikData(series), [DATA.converged]: converged, [DATA.shownIteration]: shownIterationData(o.shownIteration) },
    layer: [
      {
        name: 'shown_iteration',
        data: { name: DATA.shownIteration },
        mark: { type: 'rule', color: o.theme.foreground, strokeWidth: o.theme.lineWidth, opacity: 0.5 },
        encoding: { x: { field: 'iteration', type: 'quantitative' }, description: { field: 'label', type: 'nominal' } },
      },
      { name: 'loglik_line', data: { name: DATA.loglik }, mark: { type: 'line', strokeWidth: o.theme.lineWidth }, encoding: { x, y, color } },
      {
        name: 'loglik_points',
        data: { name: DATA.loglik },
        // A click anywhere picks the nearest iteration (a Voronoi layer); the webview reads the selection's signal.
        params: [{ name: LOGLIK_PICK, select: { type: 'point', fields: ['iteration'], on: 'click', nearest: true, clear: false, toggle: false } }],
        mark: { type: 'point', filled: true, size: 30, cursor: 'pointer' },
        encoding: {
          x,
          y,
          color,
          description: { field: 'label', type: 'nominal' },
          tooltip: [
            { field: 'series', type: 'nominal' },
            { field: 'iteration', type: 'quantitative' },
            { field: 'value', type: 'quantitative', format: ',.4f' },
          ],
        },
      },
      {
        name: 'converged',
        data: { name: DATA.converged },
        mark: { type: 'rule', strokeDash: [4, 3], color: o.theme.muted, strokeWidth: o.theme.lineWidth },
        encoding: { x: { field: 'iteration', type: 'quantitative' }, description: { field: 'label', type: 'nominal' } },
      },
    ],
  } as TopLevelSpec;
}

// ------------------------------------------------------------------ 1-D histogram with component densities

export interface HistogramInput {
  edges: number[];
  counts: number[];
  /** Per component: weight π, mean μ, variance σ². */
  weights: number[];
  means: number[];
  variances: number[];
  /** Number of values in the histogram (densities are scaled to counts: n × bin width × density). */
  n: number;
  gridPoints?: number;
}

export interface HistogramData {
  bins: Row[];
  densities: Row[];
}

export const MIXTURE_SERIES = 'mixture';

/** Bars, and π_k N(x|μ_k, σ_k²) per component plus their sum, scaled to the histogram's counts. */
export function histogramData(h: HistogramInput): HistogramData {
  const bins: Row[] = h.counts.map((count, j) => ({ x0: h.edges[j], x1: h.edges[j + 1], count }));
  const lo = h.edges[0];
  const hi = h.edges[h.edges.length - 1];
  const binWidth = (hi - lo) / Math.max(1, h.counts.length);
  const scale = h.n * binWidth;
  const grid = linspace(lo, hi, h.gridPoints ?? 200);
  const components: Row[] = [];
  const total = new Array<number>(grid.length).fill(0);
  for (let k = 0; k < h.weights.length; k++) {
    grid.forEach((x, i) => {
      const d = h.weights[k] * normalPdf(x, h.means[k], h.variances[k]);
      total[i] += d;
      components.push({ x, density: scale * d, series: componentName(k), z: k + 1 });
    });
  }
  // The mixture first (z = 0): drawn below the component curves, which would otherwise hide under it.
  const densities: Row[] = grid.map((x, i) => ({ x, density: scale * total[i], series: MIXTURE_SERIES, z: 0 }));
  densities.push(...components);
  return { bins, densities };
}

export interface HistogramOptions {
  xTitle: string;
  k: number;
  title: string;
  theme: ChartTheme;
  /** Palette slot of each component (kept across re-runs). */
  colours?: number[];
  width?: number;
  height?: number;
}

export function histogramSpec(data: HistogramData, o: HistogramOptions): TopLevelSpec {
  const names = [MIXTURE_SERIES, ...Array.from({ length: o.k }, (_, j) => componentName(j))];
  const range = [o.theme.foreground, ...Array.from({ length: o.k }, (_, j) => componentColour(o.theme, j, o.colours))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: vegaConfig(o.theme),
    width: o.width ?? 420,
    height: o.height ?? 260,
    params: [{ name: 'title', value: o.title }],
    title: { text: { expr: 'title' } },
    datasets: { [DATA.bins]: data.bins, [DATA.densities]: data.densities },
    layer: [
      {
        name: 'histogram_bars',
        data: { name: DATA.bins },
        mark: { type: 'rect', color: o.theme.muted, opacity: 0.35, stroke: o.theme.background, strokeWidth: 0.5 },
        encoding: {
          x: { field: 'x0', type: 'quantitative', title: o.xTitle, scale: { zero: false, nice: false } },
          x2: { field: 'x1' },
          y: { field: 'count', type: 'quantitative', title: 'count' },
        },
      },
      {
        name: 'density_lines',
        data: { name: DATA.densities },
        mark: { type: 'line', strokeWidth: o.theme.lineWidth },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'density', type: 'quantitative' },
          color: { field: 'series', type: 'nominal', title: null, scale: { domain: names, range } },
          strokeDash: {
            field: 'series',
            type: 'nominal',
            scale: { domain: names, range: names.map((s) => (s === MIXTURE_SERIES ? [6, 3] : [1, 0])) },
            title: null,
          },
          description: { field: 'series', type: 'nominal' },
        },
      },
    ],
  } as TopLevelSpec;
}

// ------------------------------------------------------------------ Bernoulli: cluster mean images

/** One row per cluster: its caption (the facet header; lines separated by "\n") and its mean image as a data URL. */
export interface ImageGridRow extends Row {
  cluster: number;
  title: string;
  url: string;
}

export function imageGridData(urls: string[], titles: string[]): ImageGridRow[] {
  return urls.map((url, cluster) => ({ cluster, title: titles[cluster] ?? `#${cluster + 1}`, url }));
}

/** Widest caption line of the grid, in pixels (the headers must fit their column, never clip). */
export const IMAGE_CAPTION_WIDTH = 112;
const IMAGE_SPACING = 10;

export interface ImageGridLayout {
  columns: number;
  /** Displayed image size in pixels. */
  width: number;
  height: number;
}

/**
 * Columns and image size for a panel `available` pixels wide: as many columns as fit (at most K, at least 1), each
 * as wide as its caption needs, images 2–4 screen pixels per image pixel.
 */
export function imageGridLayout(shape: [number, number], k: number, available: number): ImageGridLayout {
  const [h, w] = shape;
  const scale = Math.max(1, Math.min(4, Math.floor(96 / Math.max(h, w)) || 1));
  const width = w * scale;
  const height = h * scale;
  const column = Math.max(width, IMAGE_CAPTION_WIDTH) + IMAGE_SPACING;
  const columns = Math.max(1, Math.min(k, Math.floor((Math.max(0, available) + IMAGE_SPACING) / column)));
  return { columns, width, height };
}

export interface ImageGridOptions {
  layout: ImageGridLayout;
  theme: ChartTheme;
}

/**
 * K mean images (each a bitmap: one image mark per cluster, not one shape per pixel), faceted by cluster in
 * cluster order, wrapped to `layout.columns`; captions under each image, one line per "\n".
 */
export function imageGridSpec(rows: ImageGridRow[], o: ImageGridOptions): TopLevelSpec {
  const { layout } = o;
  const base = vegaConfig(o.theme);
  const column = Math.max(layout.width, IMAGE_CAPTION_WIDTH);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: { ...base, view: { stroke: null }, header: { ...base.header, labelFontSize: Math.max(10, o.theme.fontSize - 2) } },
    datasets: { [DATA.images]: rows },
    data: { name: DATA.images },
    facet: {
      field: 'title',
      type: 'nominal',
      sort: { field: 'cluster', op: 'min' },
      header: { title: null, labelOrient: 'bottom', labelLimit: column, labelExpr: "split(datum.value, '\\n')", labelPadding: 4 },
    },
    columns: layout.columns,
    spacing: { row: 6, column: IMAGE_SPACING },
    spec: {
      name: 'image_pixels',
      width: column,
      height: layout.height,
      mark: { type: 'image', width: layout.width, height: layout.height, aspect: false, align: 'center', baseline: 'top', cursor: 'pointer' },
      encoding: {
        url: { field: 'url', type: 'nominal' },
        x: { value: column / 2 },
        y: { value: 0 },
        tooltip: [{ field: 'title', type: 'nominal', title: 'cluster' }],
        description: { field: 'title', type: 'nominal' },
      },
    },
  } as TopLevelSpec;
}

// ------------------------------------------------------------------ every family: cluster × label heatmap

/** Label names longer than this are drawn at an angle. */
const UPRIGHT_LABEL_CHARS = 4;

/** One row per cluster × label; `labelNames` (text labels) name the labels, else their values do. */
export function confusionData(confusion: number[][], labelValues: number[], labelNames?: readonly string[]): Row[] {
  const rows: Row[] = [];
  const names = labelValues.map((v, l) => labelNames?.[l] ?? String(v));
  confusion.forEach((counts, k) => names.forEach((label, l) => rows.push({ cluster: `#${k + 1}`, clusterIndex: k, label, labelIndex: l, count: counts[l] ?? 0, description: `cluster #${k + 1}, label ${label}: ${counts[l] ?? 0}` })));
  return rows;
}

/** `maxCount`: the colour scale's top (default: the largest count), fixed so rows swapped in later keep their colours. */
export function confusionSpec(confusion: number[][], labelValues: number[], theme: ChartTheme, labelNames?: readonly string[], maxCount?: number): TopLevelSpec {
  const rows = confusionData(confusion, labelValues, labelNames);
  const max = maxCount ?? Math.max(1, ...rows.map((r) => r.count as number));
  const clusters = confusion.map((_, k) => `#${k + 1}`);
  const labels = labelValues.map((v, l) => labelNames?.[l] ?? String(v));
  const longest = Math.max(0, ...labels.map((l) => l.length));
  const y = { field: 'cluster', type: 'ordinal' as const, title: 'cluster', sort: clusters };
  const x = { field: 'label', type: 'ordinal' as const, title: 'label', sort: labels, axis: { labelAngle: longest > UPRIGHT_LABEL_CHARS ? -35 : 0, labelLimit: 160 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: vegaConfig(theme),
    width: Math.max(160, 26 * labels.length),
    height: Math.max(120, 22 * clusters.length),
    datasets: { [DATA.confusion]: rows },
    data: { name: DATA.confusion },
    layer: [
      {
        name: 'confusion_cells',
        mark: { type: 'rect' },
        encoding: {
          x,
          y,
          color: { field: 'count', type: 'quantitative', title: 'count', scale: { domain: [0, max], range: [theme.background, theme.palette[0]] } },
          // Translucent cells keep the counts (in the foreground colour) readable on every cell in every theme.
          opacity: { value: 0.65 },
          tooltip: [
            { field: 'cluster', type: 'nominal' },
            { field: 'label', type: 'nominal' },
            { field: 'count', type: 'quantitative', format: ',d' },
          ],
          description: { field: 'description', type: 'nominal' },
        },
      },
      {
        name: 'confusion_counts',
        mark: { type: 'text', fontSize: Math.max(8, theme.fontSize - 4) },
        encoding: {
          x,
          y,
          text: { field: 'count', type: 'quantitative', format: 'd' },
          color: { value: theme.foreground },
        },
      },
    ],
  } as TopLevelSpec;
}
