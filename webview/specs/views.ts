// Vega-Lite specs of the Gaussian fit's extra views. Pure: no DOM; tested in Node (compile + render to SVG).
//
// Mark names (→ SVG classes `<name>_marks`):
//   uncertainty: the scatter's `points` sized and shaded by 1 − max_k r_ik (mclust's uncertainty plot)
//   density:     `density` (one rule per contour segment of the mixture density on the two plotted axes) over the
//                scatter, its points faded
//   pairs:       a facet of cells, one per pair of chosen columns: pair_points, pair_contours (each component's
//                marginal ellipse, one line per component and radius), pair_names (the column's name on the diagonal)

import type { TopLevelSpec } from 'vega-lite';
import type { Cov2 } from '../geometry';
import { ellipsePoints } from '../geometry';
import type { ChartTheme } from '../theme';
import { vegaConfig } from '../theme';
import { componentColour, componentName, CONTOUR_RADII, type Row } from './index';

export const VIEW_DATA = { density: 'density', pairs: 'pairs' } as const;

type LayerSpec = Record<string, unknown> & { name?: string; encoding?: Record<string, unknown> };
type LayeredSpec = TopLevelSpec & { layer: LayerSpec[]; datasets: Record<string, unknown> };

/** The scatter spec with its points sized and shaded by their uncertainty 1 − max_k r_ik (0 … 1 − 1/K). */
export function uncertaintySpec(scatter: TopLevelSpec, k: number): TopLevelSpec {
  const spec = structuredClone(scatter) as LayeredSpec;
  const points = spec.layer.find((l) => l.name === 'points');
  if (!points?.encoding) return spec;
  // K = 2 rows carry r₁ − r₂ (1 − max r = (1 − |r₁ − r₂|)/2); others the largest responsibility.
  points.transform = [{ calculate: k === 2 ? '(1 - abs(datum.r)) / 2' : '1 - datum.rmax', as: 'uncertainty' }];
  const top = Math.max(1e-9, 1 - 1 / k);
  points.encoding = {
    ...points.encoding,
    size: { field: 'uncertainty', type: 'quantitative', title: 'uncertainty 1 − max r', scale: { domain: [0, top], range: [6, 200], clamp: true } },
    opacity: { field: 'uncertainty', type: 'quantitative', scale: { domain: [0, top], range: [0.25, 1], clamp: true }, legend: null },
    tooltip: [...((points.encoding.tooltip as unknown[]) ?? []), { field: 'uncertainty', type: 'quantitative', title: 'uncertainty', format: '.3f' }],
  };
  return spec;
}

/** Rows of the density view: one per contour segment, with the fraction of the shown mass its contour encloses. */
export function densityRows(levels: { fraction: number; segments: number[] }[]): Row[] {
  const rows: Row[] = [];
  for (const { fraction, segments } of levels) {
    const region = `${Math.round(fraction * 100)} %`;
    for (let s = 0; s + 3 < segments.length; s += 4) rows.push({ x: segments[s], y: segments[s + 1], x2: segments[s + 2], y2: segments[s + 3], region });
  }
  return rows;
}

/** The scatter spec with the mixture's density contours drawn over its (faded) points. */
export function densitySpec(scatter: TopLevelSpec, rows: Row[], fractions: readonly number[], theme: ChartTheme): TopLevelSpec {
  const spec = structuredClone(scatter) as LayeredSpec;
  spec.datasets = { ...spec.datasets, [VIEW_DATA.density]: rows };
  const points = spec.layer.find((l) => l.name === 'points');
  if (points?.encoding) points.encoding = { ...points.encoding, opacity: { value: 0.3 } };
  const regions = fractions.map((f) => `${Math.round(f * 100)} %`);
  const layer: LayerSpec = {
    name: 'density',
    data: { name: VIEW_DATA.density },
    mark: { type: 'rule', clip: true, strokeWidth: theme.lineWidth },
    encoding: {
      x: { field: 'x', type: 'quantitative' },
      y: { field: 'y', type: 'quantitative' },
      x2: { field: 'x2' },
      y2: { field: 'y2' },
      // The densest region darkest: the same colour, fading outwards.
      opacity: { field: 'region', type: 'ordinal', scale: { domain: regions, range: regions.map((_, i) => 1 - (0.7 * i) / Math.max(1, regions.length - 1)) }, title: 'density contour enclosing' },
      color: { value: theme.foreground },
      description: { field: 'region', type: 'nominal' },
    },
  };
  // Above the points, below the component means.
  const means = spec.layer.findIndex((l) => l.name === 'means');
  spec.layer.splice(means < 0 ? spec.layer.length : means, 0, layer);
  return spec;
}

// ------------------------------------------------------------------ scatter-plot matrix

export interface PairsInput {
  /** The matrix's columns (indices into the rows) and their names. */
  columns: number[];
  names: string[];
  /** Plotted rows (n × d, row-major) and each one's most likely component. */
  values: ArrayLike<number>;
  d: number;
  n: number;
  component: ArrayLike<number>;
  /** Every component's mean (d) and covariance (d × d) at the shown iteration. */
  means: number[][];
  covariances: number[][][];
}

/** How many of the plotted rows each cell gets: the maxPlotPoints budget shared over the m(m − 1) scatter cells. */
export function pairPointsPerCell(budget: number, m: number): number {
  return Math.max(1, Math.floor(budget / Math.max(1, m * (m - 1))));
}

/**
 * One dataset for the whole matrix: points (`kind` "point") and ellipses ("contour") of every off-diagonal cell,
 * the column's name in each diagonal cell ("name"); `row`/`col` name the cell. Rows beyond `perCell` are evenly
 * skipped so the matrix never draws more than perCell × m(m − 1) points.
 */
export function pairsData(input: PairsInput, perCell: number): Row[] {
  const { columns, names, values, d, n } = input;
  const rows: Row[] = [];
  const shown = Math.min(n, perCell);
  for (const a of columns) {
    for (const b of columns) {
      const cell = { row: names[b], col: names[a] };
      if (a === b) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = 0; i < n; i++) {
          lo = Math.min(lo, values[i * d + a]);
          hi = Math.max(hi, values[i * d + a]);
        }
        const mid = Number.isFinite(lo) ? (lo + hi) / 2 : 0;
        rows.push({ kind: 'name', ...cell, x: mid, y: mid, text: names[a] });
        continue;
      }
      for (let s = 0; s < shown; s++) {
        const i = Math.floor((s * n) / shown);
        rows.push({ kind: 'point', ...cell, x: values[i * d + a], y: values[i * d + b], component: componentName(input.component[i]) });
      }
      input.means.forEach((mean, j) => {
        const cov = input.covariances[j];
        const marginal: Cov2 = [cov[a][a], cov[a][b], cov[b][b]];
        for (const radius of CONTOUR_RADII) {
          const curve = ellipsePoints([mean[a], mean[b]], marginal, radius, 48);
          if (!curve) continue;
          const series = `${componentName(j)}, radius ${radius}`;
          curve.forEach(([x, y], order) => rows.push({ kind: 'contour', ...cell, x, y, component: componentName(j), radius, series, order }));
        }
      });
    }
  }
  return rows;
}

export interface PairsOptions {
  names: string[];
  k: number;
  title: string;
  theme: ChartTheme;
  colours?: number[];
  /** Width and height of one cell, in pixels. */
  cell: number;
}

export function pairsSpec(rows: Row[], o: PairsOptions): TopLevelSpec {
  const components = Array.from({ length: o.k }, (_, j) => componentName(j));
  const colour = { field: 'component', type: 'nominal', title: 'most likely', scale: { domain: components, range: components.map((_, j) => componentColour(o.theme, j, o.colours)) } };
  const x = { field: 'x', type: 'quantitative', title: null, scale: { zero: false, nice: false }, axis: { tickCount: 3, labelFontSize: 9, format: '~g' } };
  const y = { field: 'y', type: 'quantitative', title: null, scale: { zero: false, nice: false }, axis: { tickCount: 3, labelFontSize: 9, format: '~g' } };
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: vegaConfig(o.theme),
    params: [{ name: 'title', value: o.title }],
    title: { text: { expr: 'title' } },
    datasets: { [VIEW_DATA.pairs]: rows },
    data: { name: VIEW_DATA.pairs },
    facet: {
      row: { field: 'row', type: 'nominal', sort: o.names, title: null },
      column: { field: 'col', type: 'nominal', sort: o.names, title: null },
    },
    spec: {
      width: o.cell,
      height: o.cell,
      layer: [
        {
          name: 'pair_points',
          transform: only('point'),
          mark: { type: 'point', filled: true, size: 10, opacity: 0.7, clip: true },
          encoding: { x, y, color: colour },
        },
        {
          name: 'pair_contours',
          transform: only('contour'),
          mark: { type: 'line', clip: true, strokeWidth: o.theme.lineWidth, interpolate: 'linear' },
          encoding: {
            x,
            y,
            detail: { field: 'series', type: 'nominal' },
            order: { field: 'order', type: 'quantitative' },
            color: { ...colour, legend: null },
            strokeDash: { field: 'radius', type: 'ordinal', scale: { domain: [...CONTOUR_RADII], range: [[1, 0], [5, 3]] }, title: 'Mahalanobis radius' },
            description: { field: 'series', type: 'nominal' },
          },
        },
        {
          name: 'pair_names',
          transform: only('name'),
          mark: { type: 'text', fontSize: 12, fontWeight: 'bold', color: o.theme.foreground },
          encoding: { x, y, text: { field: 'text', type: 'nominal' } },
        },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as unknown as TopLevelSpec;
}
