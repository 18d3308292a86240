// The side-by-side chart of two runs of the history (Gaussian fits of two or more columns): one cell per run, each
// with the plotted points and that run's final ellipses and means on the scatter's axes, components coloured by
// their pairing (the newer run's components take the colour of the older run's nearest). Pure: no DOM.
//
// Mark names: compare_points, compare_contours (one line per component per radius per run), compare_means

import type { TopLevelSpec } from 'vega-lite';
import type { Cov2 } from '../geometry';
import { ellipsePoints } from '../geometry';
import type { ChartTheme } from '../theme';
import { vegaConfig } from '../theme';
import { componentColour, componentName, CONTOUR_RADII, type Row } from './index';

export const HISTORY_DATA = 'history_compare';

export interface ComparedFit {
  /** The cell's title: "run 3 — VVV, K = 2". */
  label: string;
  /** Per component: its mean and 2 × 2 covariance on the plotted axes, and its colour slot (its pair). */
  means: [number, number][];
  covariances: Cov2[];
  slots: number[];
}

/** Rows of both cells: the points (in each cell, the same), each run's ellipses and means. */
export function compareData(fits: ComparedFit[], points?: { x: ArrayLike<number>; y: ArrayLike<number> }): Row[] {
  const rows: Row[] = [];
  for (const fit of fits) {
    if (points) for (let i = 0; i < points.x.length; i++) rows.push({ kind: 'point', run: fit.label, x: points.x[i], y: points.y[i] });
    fit.means.forEach((mean, j) => {
      const component = componentName(fit.slots[j] ?? j);
      rows.push({ kind: 'mean', run: fit.label, x: mean[0], y: mean[1], component, label: `${fit.label}: ${componentName(j)}` });
      for (const radius of CONTOUR_RADII) {
        const curve = ellipsePoints(mean, fit.covariances[j], radius, 48);
        if (!curve) continue;
        const series = `${fit.label}, ${componentName(j)}, radius ${radius}`;
        curve.forEach(([x, y], order) => rows.push({ kind: 'contour', run: fit.label, x, y, component, radius, series, order }));
      }
    });
  }
  return rows;
}

export interface CompareOptions {
  runs: string[];
  /** Colour slots used (the larger K of the two, or more when components are unpaired). */
  slots: number;
  xTitle: string;
  yTitle: string;
  xDomain: [number, number];
  yDomain: [number, number];
  theme: ChartTheme;
  /** Width of one cell, in pixels. */
  cell: number;
}

export function compareSpec(rows: Row[], o: CompareOptions): TopLevelSpec {
  const components = Array.from({ length: o.slots }, (_, j) => componentName(j));
  const colour = { field: 'component', type: 'nominal', title: 'component (paired)', scale: { domain: components, range: components.map((_, j) => componentColour(o.theme, j)) } };
  const x = { field: 'x', type: 'quantitative', title: o.xTitle, scale: { domain: o.xDomain, zero: false, nice: false } };
  const y = { field: 'y', type: 'quantitative', title: o.yTitle, scale: { domain: o.yDomain, zero: false, nice: false } };
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: vegaConfig(o.theme),
    datasets: { [HISTORY_DATA]: rows },
    data: { name: HISTORY_DATA },
    facet: { column: { field: 'run', type: 'nominal', sort: o.runs, title: null, header: { labelFontSize: o.theme.fontSize } } },
    spec: {
      width: o.cell,
      height: Math.round(o.cell * 0.8),
      layer: [
        { name: 'compare_points', transform: only('point'), mark: { type: 'point', filled: true, size: 10, opacity: 0.35, color: o.theme.muted, clip: true }, encoding: { x, y } },
        {
          name: 'compare_contours',
          transform: only('contour'),
          mark: { type: 'line', clip: true, strokeWidth: o.theme.lineWidth, interpolate: 'linear' },
          encoding: {
            x,
            y,
            detail: { field: 'series', type: 'nominal' },
            order: { field: 'order', type: 'quantitative' },
            color: colour,
            strokeDash: { field: 'radius', type: 'ordinal', scale: { domain: [...CONTOUR_RADII], range: [[1, 0], [5, 3]] }, title: 'Mahalanobis radius' },
            description: { field: 'series', type: 'nominal' },
          },
        },
        {
          name: 'compare_means',
          transform: only('mean'),
          mark: { type: 'point', shape: 'cross', filled: true, size: 160, stroke: o.theme.background, strokeWidth: 1, opacity: 1, clip: true },
          encoding: { x, y, color: { ...colour, legend: null }, description: { field: 'label', type: 'nominal' } },
        },
      ],
    },
  } as unknown as TopLevelSpec;
}
