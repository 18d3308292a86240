// Vega-Lite spec of the categorical view: each cluster's answer profile. Pure (no DOM); tested in Node.
// Mark names:  profiles: profile_cells (one rect per cluster × column × category), profile_values

import type { TopLevelSpec } from 'vega-lite';
import type { ChartTheme } from '../theme';
import { vegaConfig } from '../theme';
import type { Row } from './index';

export const CATEGORICAL_DATA = { profiles: 'profiles' } as const;

/** One row per (cluster, column, category) from K × L probabilities (every column's categories in turn). */
export function profileRows(means: number[][], categories: { column: string; levels: string[] }[]): Row[] {
  const rows: Row[] = [];
  means.forEach((row, k) => {
    let offset = 0;
    for (const { column, levels } of categories) {
      levels.forEach((level, l) => rows.push({ cluster: `#${k + 1}`, column, category: level, probability: row[offset + l] ?? 0 }));
      offset += levels.length;
    }
  });
  return rows;
}

export function profilesSpec(rows: Row[], clusters: number, columns: string[], width: number, theme: ChartTheme): TopLevelSpec {
  const order = Array.from({ length: clusters }, (_, k) => `#${k + 1}`);
  const x = { field: 'category', type: 'nominal' as const, title: null, axis: { labelAngle: -30 } };
  const y = { field: 'cluster', type: 'ordinal' as const, title: 'cluster', sort: order };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: vegaConfig(theme),
    datasets: { [CATEGORICAL_DATA.profiles]: rows },
    data: { name: CATEGORICAL_DATA.profiles },
    facet: { field: 'column', type: 'nominal', title: null, sort: columns },
    columns: Math.max(1, Math.min(columns.length, Math.floor(width / 220))),
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: { step: 34 },
      height: Math.max(60, 22 * clusters),
      layer: [
        {
          name: 'profile_cells',
          mark: { type: 'rect' },
          encoding: {
            x,
            y,
            color: { field: 'probability', type: 'quantitative', title: 'P(category | cluster)', scale: { domain: [0, 1], range: [theme.background, theme.palette[0]] } },
            opacity: { value: 0.7 },
            tooltip: [
              { field: 'cluster', type: 'nominal' },
              { field: 'column', type: 'nominal' },
              { field: 'category', type: 'nominal' },
              { field: 'probability', type: 'quantitative', format: '.3f' },
            ],
          },
        },
        {
          name: 'profile_values',
          mark: { type: 'text', fontSize: Math.max(8, theme.fontSize - 4) },
          encoding: { x, y, text: { field: 'probability', type: 'quantitative', format: '.2f' }, color: { value: theme.foreground } },
        },
      ],
    },
  } as TopLevelSpec;
}
