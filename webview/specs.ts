// Vega-Lite spec builders for the panel. Pure: no DOM, no vscode; tested in Node (compile + render to SVG).
// Each chart reads its rows from named datasets (`datasets` + `data: {name}`) so the webview can swap the rows
// with `view.data(name, rows)` while scrubbing, without rebuilding the view.
//
// Mark names (→ SVG classes `<name>_marks`, used by tests and the end-to-end suite):
//   scatter:    points, contours (one line per component per Mahalanobis radius), means
//   loglik:     loglik_line, loglik_points (one per iteration per series), converged (a rule)
//   histogram:  histogram_bars, density_lines (one per component + the mixture)
//   images:     image_pixels (one rect group per cluster)
//   confusion:  confusion_cells (K × L rects), confusion_counts

import type { TopLevelSpec } from 'vega-lite';
import type { ChartTheme } from './theme';
import { vegaConfig } from './theme';
import type { Cov2 } from './geometry';
import { ellipsePoints, linspace, normalPdf } from './geometry';

/** Mahalanobis radii of the drawn contours. */
export const CONTOUR_RADII = [1, 2] as const;

export const DATA = {
  points: 'points',
  contours: 'contours',
  means: 'means',
  loglik: 'loglik',
  converged: 'converged',
  bins: 'bins',
  densities: 'densities',
  pixels: 'pixels',
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
}

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
}

export function scatterSpec(data: ScatterData, o: ScatterOptions): TopLevelSpec {
  const components = Array.from({ length: o.k }, (_, j) => componentName(j));
  const componentScale = { domain: components, range: components.map((_, j) => o.theme.palette[j % o.theme.palette.length]) };
  const pointColor =
    o.k === 2
      ? {
          field: 'r',
          type: 'quantitative' as const,
          title: 'r₁ − r₂',
          scale: { domain: [-1, 0, 1], range: [o.theme.diverging[0], o.theme.diverging[1], o.theme.diverging[2]] },
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
        mark: { type: 'point', filled: true, size: o.pointSize ?? 22, clip: true },
        encoding: {
          x,
          y,
          color: pointColor,
          tooltip: [
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
  width?: number;
  height?: number;
}

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
    datasets: { [DATA.loglik]: loglikData(series), [DATA.converged]: converged },
    layer: [
      { name: 'loglik_line', data: { name: DATA.loglik }, mark: { type: 'line', strokeWidth: o.theme.lineWidth }, encoding: { x, y, color } },
      {
        name: 'loglik_points',
        data: { name: DATA.loglik },
        mark: { type: 'point', filled: true, size: 30 },
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
  const densities: Row[] = [];
  const total = new Array<number>(grid.length).fill(0);
  for (let k = 0; k < h.weights.length; k++) {
    grid.forEach((x, i) => {
      const d = h.weights[k] * normalPdf(x, h.means[k], h.variances[k]);
      total[i] += d;
      densities.push({ x, density: scale * d, series: componentName(k) });
    });
  }
  grid.forEach((x, i) => densities.push({ x, density: scale * total[i], series: MIXTURE_SERIES }));
  return { bins, densities };
}

export interface HistogramOptions {
  xTitle: string;
  k: number;
  title: string;
  theme: ChartTheme;
  width?: number;
  height?: number;
}

export function histogramSpec(data: HistogramData, o: HistogramOptions): TopLevelSpec {
  const names = [...Array.from({ length: o.k }, (_, j) => componentName(j)), MIXTURE_SERIES];
  const range = names.map((_, j) => (j < o.k ? o.theme.palette[j % o.theme.palette.length] : o.theme.foreground));
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

export interface ClusterCaption {
  /** e.g. "#1 · n 5,923 · π 0.099 · '0' 92%" */
  title: string;
}

/** Rows for the image grid: one per pixel per cluster; `title` is the facet header. */
export function imageGridData(means: ArrayLike<number>[], shape: [number, number], titles: string[]): Row[] {
  const [h, w] = shape;
  const rows: Row[] = [];
  for (let k = 0; k < means.length; k++) {
    const m = means[k];
    for (let p = 0; p < h * w && p < m.length; p++) rows.push({ cluster: k, title: titles[k] ?? `#${k + 1}`, row: Math.floor(p / w), col: p % w, p: m[p] });
  }
  return rows;
}

export interface ImageGridOptions {
  shape: [number, number];
  k: number;
  theme: ChartTheme;
  /** Pixels per image pixel. */
  cellSize?: number;
  columns?: number;
}

/** K small heatmaps (each pixel's probability), faceted by cluster, in cluster order. */
export function imageGridSpec(rows: Row[], o: ImageGridOptions): TopLevelSpec {
  const cell = o.cellSize ?? Math.max(2, Math.round(84 / Math.max(o.shape[0], o.shape[1])));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: { ...vegaConfig(o.theme), view: { stroke: null }, header: { ...vegaConfig(o.theme).header, labelFontSize: Math.max(9, o.theme.fontSize - 3) } },
    datasets: { [DATA.pixels]: rows },
    data: { name: DATA.pixels },
    facet: {
      field: 'title',
      type: 'nominal',
      sort: { field: 'cluster', op: 'min' },
      header: { title: null, labelOrient: 'bottom', labelLimit: 160 },
    },
    columns: o.columns ?? Math.min(o.k, 5),
    spacing: { row: 4, column: 8 },
    spec: {
      name: 'image_pixels',
      width: o.shape[1] * cell,
      height: o.shape[0] * cell,
      mark: { type: 'rect', strokeWidth: 0, cursor: 'pointer' },
      encoding: {
        x: { field: 'col', type: 'ordinal', axis: null, scale: { paddingInner: 0, paddingOuter: 0 } },
        y: { field: 'row', type: 'ordinal', axis: null, scale: { paddingInner: 0, paddingOuter: 0 } },
        color: {
          field: 'p',
          type: 'quantitative',
          title: 'P(pixel on)',
          scale: { domain: [0, 1], range: [o.theme.background, o.theme.foreground] },
          legend: { orient: 'right', gradientLength: 120 },
        },
      },
    },
  } as TopLevelSpec;
}

// ------------------------------------------------------------------ Bernoulli: confusion heatmap

export function confusionData(confusion: number[][], labelValues: number[]): Row[] {
  const rows: Row[] = [];
  confusion.forEach((counts, k) => labelValues.forEach((label, l) => rows.push({ cluster: `#${k + 1}`, clusterIndex: k, label: String(label), labelIndex: l, count: counts[l] ?? 0 })));
  return rows;
}

export function confusionSpec(confusion: number[][], labelValues: number[], theme: ChartTheme): TopLevelSpec {
  const rows = confusionData(confusion, labelValues);
  const max = Math.max(1, ...rows.map((r) => r.count as number));
  const clusters = confusion.map((_, k) => `#${k + 1}`);
  const labels = labelValues.map(String);
  const y = { field: 'cluster', type: 'ordinal' as const, title: 'cluster', sort: clusters };
  const x = { field: 'label', type: 'ordinal' as const, title: 'label', sort: labels, axis: { labelAngle: 0 } };
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
