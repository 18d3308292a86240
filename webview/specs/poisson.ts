// Vega-Lite specs of the Poisson view. Pure (no DOM); tested in Node like the others.
// Mark names:  rates:  rate_cells (K × D rects), rate_values
//              counts: count_bars (observed share of rows per count, per column), count_probabilities (the fitted
//                      mixture's probability of each count, one line + points per column)

import type { TopLevelSpec } from 'vega-lite';
import type { ChartTheme } from '../theme';
import { vegaConfig } from '../theme';
import type { Row } from './index';

export const POISSON_DATA = { rates: 'rates', bars: 'count_bars', probabilities: 'count_probabilities' } as const;

/** One row per (cluster, column): the rate λ and the cluster's label "#k". */
export function rateRows(rates: number[][], columns: string[]): Row[] {
  const rows: Row[] = [];
  rates.forEach((r, k) => r.forEach((rate, j) => rows.push({ cluster: `#${k + 1}`, column: columns[j] ?? `x${j + 1}`, rate })));
  return rows;
}

export function ratesSpec(rows: Row[], clusters: number, columns: string[], theme: ChartTheme): TopLevelSpec {
  const max = Math.max(1e-12, ...rows.map((r) => r.rate as number));
  const order = Array.from({ length: clusters }, (_, k) => `#${k + 1}`);
  const x = { field: 'column', type: 'nominal' as const, title: null, sort: columns, axis: { labelAngle: -30 } };
  const y = { field: 'cluster', type: 'ordinal' as const, title: 'cluster', sort: order };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: vegaConfig(theme),
    width: Math.max(160, 64 * columns.length),
    height: Math.max(80, 24 * clusters),
    datasets: { [POISSON_DATA.rates]: rows },
    data: { name: POISSON_DATA.rates },
    layer: [
      {
        name: 'rate_cells',
        mark: { type: 'rect' },
        encoding: {
          x,
          y,
          color: { field: 'rate', type: 'quantitative', title: 'rate λ', scale: { domain: [0, max], range: [theme.background, theme.palette[0]] } },
          opacity: { value: 0.65 },
          tooltip: [
            { field: 'cluster', type: 'nominal' },
            { field: 'column', type: 'nominal' },
            { field: 'rate', type: 'quantitative', format: '.4~g', title: 'rate λ' },
          ],
        },
      },
      {
        name: 'rate_values',
        mark: { type: 'text', fontSize: Math.max(8, theme.fontSize - 3) },
        encoding: { x, y, text: { field: 'rate', type: 'quantitative', format: '.3~g' }, color: { value: theme.foreground } },
      },
    ],
  };
}

export interface CountHistogramInput {
  column: string;
  /** frequencies[x]: rows with count x (the last bar holds every count ≥ tailFrom when tailFrom is set). */
  frequencies: number[];
  tailFrom?: number;
}

/**
 * Observed share of rows per count beside the mixture's probability of that count, per column: Σ_k π_k Pois(x; λ_kj),
 * with the last bar's probability the tail P(X ≥ tailFrom) when the counts run past the bars.
 */
export function countRows(histograms: CountHistogramInput[], weights: number[], rates: number[][]): { bars: Row[]; probabilities: Row[] } {
  const bars: Row[] = [];
  const probabilities: Row[] = [];
  histograms.forEach((h, j) => {
    const total = h.frequencies.reduce((a, b) => a + b, 0) || 1;
    const pmf = mixturePmf(h.frequencies.length, weights, rates.map((r) => r[j]));
    h.frequencies.forEach((f, x) => {
      const tail = h.tailFrom !== undefined && x === h.frequencies.length - 1;
      const label = tail ? `≥${x}` : String(x);
      bars.push({ column: h.column, count: x, label, share: f / total });
      probabilities.push({ column: h.column, count: x, label, probability: tail ? Math.max(0, 1 - sum(pmf, x)) : pmf[x] });
    });
  });
  return { bars, probabilities };
}

/** P(X = x) for x = 0 … bars − 1 under the mixture of Poissons with these weights and rates (log space per term). */
export function mixturePmf(bars: number, weights: number[], rates: number[]): number[] {
  const out = new Array<number>(bars).fill(0);
  weights.forEach((w, k) => {
    const lambda = rates[k];
    let logP = -lambda; // ln Pois(0; λ)
    for (let x = 0; x < bars; x++) {
      if (x > 0) logP += Math.log(lambda) - Math.log(x);
      out[x] += w * Math.exp(logP);
    }
  });
  return out;
}

function sum(values: number[], upTo: number): number {
  let s = 0;
  for (let i = 0; i < upTo; i++) s += values[i];
  return s;
}

export function countsSpec(data: { bars: Row[]; probabilities: Row[] }, columns: string[], width: number, theme: ChartTheme): TopLevelSpec {
  const x = { field: 'count', type: 'quantitative' as const, title: 'count' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: vegaConfig(theme),
    datasets: { [POISSON_DATA.bars]: data.bars, [POISSON_DATA.probabilities]: data.probabilities },
    facet: { field: 'column', type: 'nominal', title: null, sort: columns },
    columns: Math.max(1, Math.min(columns.length, Math.floor(width / 240))),
    resolve: { scale: { x: 'independent', y: 'independent' } },
    data: { name: POISSON_DATA.bars },
    spec: {
      width: 200,
      height: 120,
      layer: [
        {
          name: 'count_bars',
          mark: { type: 'bar', opacity: 0.55, color: theme.palette[0] },
          encoding: {
            x,
            y: { field: 'share', type: 'quantitative', title: 'share of rows' },
            tooltip: [
              { field: 'label', type: 'nominal', title: 'count' },
              { field: 'share', type: 'quantitative', format: '.3f', title: 'share of rows' },
            ],
          },
        },
        {
          name: 'count_probabilities',
          data: { name: POISSON_DATA.probabilities },
          mark: { type: 'line', point: true, color: theme.foreground },
          encoding: {
            x,
            y: { field: 'probability', type: 'quantitative' },
            tooltip: [
              { field: 'label', type: 'nominal', title: 'count' },
              { field: 'probability', type: 'quantitative', format: '.3f', title: 'fitted probability' },
            ],
          },
        },
      ],
    },
  } as TopLevelSpec;
}
