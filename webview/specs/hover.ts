// Linked hover: the cluster under the pointer in any chart is highlighted in every other one. Each chart's spec gets
// one Vega signal (HOVER_SIGNAL, −1 = none) and the opacity of its per-cluster marks becomes a condition on it, so a
// hover is a signal change on a live view, never a rebuild. Pure: no DOM; tested in Node.

import type { TopLevelSpec } from 'vega-lite';
import { MIXTURE_SERIES } from './index';

/** The Vega signal holding the hovered cluster (0-based), −1 when none. */
export const HOVER_SIGNAL = 'hover_cluster';

/** How a mark's rows name their cluster. */
export type ClusterField =
  /** `component: "component 3"` (scatter contours and means, the matrix) */
  | 'component'
  /** the scatter's points: `component` for K ≠ 2, else r₁ − r₂ in `r` (its sign is the most likely component) */
  | 'points'
  /** `series: "component 3"`; the mixture's curve is never dimmed */
  | 'series'
  /** `cluster: 2` (0-based index) */
  | 'clusterIndex'
  /** `clusterIndex: 2` */
  | 'clusterIndexField'
  /** `cluster: "#3"` */
  | 'clusterLabel';

/** Per chart, the marks (by name) that belong to one cluster and how their rows name it. */
export const HOVER_MARKS: Readonly<Record<string, Readonly<Record<string, ClusterField>>>> = {
  scatter: { points: 'points', contours: 'component', means: 'component' },
  histogram: { density_lines: 'series' },
  pairs: { pair_points: 'component', pair_contours: 'component' },
  images: { image_pixels: 'clusterIndex' },
  confusion: { confusion_cells: 'clusterIndexField' },
  rates: { rate_cells: 'clusterLabel' },
};

/** Opacity of the marks of the other clusters while one is hovered. */
export const DIMMED_OPACITY = 0.12;

/** The Vega expression that is true for the rows of the hovered cluster (and for every row when none is). */
export function hoverTest(field: ClusterField): string {
  const h = HOVER_SIGNAL;
  const name = `'component ' + (${h} + 1)`;
  switch (field) {
    case 'component':
      return `${h} < 0 || datum.component === ${name}`;
    case 'points':
      return `${h} < 0 || (isString(datum.component) ? datum.component === ${name} : (datum.r >= 0 ? 0 : 1) === ${h})`;
    case 'series':
      return `${h} < 0 || datum.series === '${MIXTURE_SERIES}' || datum.series === ${name}`;
    case 'clusterIndex':
      return `${h} < 0 || datum.cluster === ${h}`;
    case 'clusterIndexField':
      return `${h} < 0 || datum.clusterIndex === ${h}`;
    case 'clusterLabel':
      return `${h} < 0 || datum.cluster === '#' + (${h} + 1)`;
  }
}

/** The same test in TypeScript, for a hovered item: the 0-based cluster a row belongs to, if it names one. */
export function clusterOfDatum(field: ClusterField, datum: unknown): number | undefined {
  if (typeof datum !== 'object' || datum === null) return undefined;
  const d = datum as Record<string, unknown>;
  const fromName = (value: unknown, prefix: string) => {
    if (typeof value !== 'string' || !value.startsWith(prefix)) return undefined;
    const j = Number(value.slice(prefix.length));
    return Number.isInteger(j) && j >= 1 ? j - 1 : undefined;
  };
  switch (field) {
    case 'component':
      return fromName(d.component, 'component ');
    case 'points':
      if (typeof d.component === 'string') return fromName(d.component, 'component ');
      return typeof d.r === 'number' ? (d.r >= 0 ? 0 : 1) : undefined;
    case 'series':
      return fromName(d.series, 'component ');
    case 'clusterIndex':
      return Number.isInteger(d.cluster) && (d.cluster as number) >= 0 ? (d.cluster as number) : undefined;
    case 'clusterIndexField':
      return Number.isInteger(d.clusterIndex) && (d.clusterIndex as number) >= 0 ? (d.clusterIndex as number) : undefined;
    case 'clusterLabel':
      return fromName(d.cluster, '#');
  }
}

/** The hovered cluster of an item of a chart's view (Vega's mark names end in `_marks`), if any. */
export function clusterOfItem(chart: string, item: unknown): number | undefined {
  const marks = HOVER_MARKS[chart];
  const picked = item as { mark?: { name?: unknown }; datum?: unknown } | null | undefined;
  const name = typeof picked?.mark?.name === 'string' ? picked.mark.name.replace(/_marks$/, '') : undefined;
  const field = name !== undefined ? marks?.[name] : undefined;
  return field ? clusterOfDatum(field, picked?.datum) : undefined;
}

type Json = Record<string, unknown>;

/** The mark's opacity as a condition on the hover: as it was for the hovered cluster, dimmed for the others. */
function conditionalOpacity(unit: Json, field: ClusterField): void {
  const mark = typeof unit.mark === 'object' && unit.mark !== null ? (unit.mark as Json) : { type: unit.mark };
  const encoding = (unit.encoding ?? {}) as Json;
  const base = (encoding.opacity as Json | undefined) ?? { value: typeof mark.opacity === 'number' ? mark.opacity : 1 };
  if ('condition' in base) return;
  const dim = typeof base.value === 'number' ? Math.min(base.value, DIMMED_OPACITY) : DIMMED_OPACITY;
  // The dimmed value is the condition, the mark's own opacity the default: legends keep showing the default.
  unit.encoding = { ...encoding, opacity: { ...base, condition: { test: `!(${hoverTest(field)})`, value: dim } } };
}

/** Every unit spec (a layer or a facet's inner spec) of a spec, with its name. */
function units(spec: Json, out: Json[] = []): Json[] {
  if (Array.isArray(spec.layer)) for (const l of spec.layer as Json[]) units(l, out);
  else if (spec.spec && typeof spec.spec === 'object') units(spec.spec as Json, out);
  else if (spec.mark !== undefined) out.push(spec);
  return out;
}

/**
 * The chart's spec with the hover signal (starting at `hovered`, −1 for none) and the opacity of its per-cluster
 * marks conditioned on it. A chart without per-cluster marks is returned as it was.
 */
export function withHover(chart: string, spec: TopLevelSpec, hovered = -1): TopLevelSpec {
  const marks = HOVER_MARKS[chart];
  if (!marks) return spec;
  const out = structuredClone(spec) as unknown as Json;
  let found = false;
  for (const unit of units(out)) {
    const field = typeof unit.name === 'string' ? marks[unit.name] : undefined;
    if (!field) continue;
    conditionalOpacity(unit, field);
    found = true;
  }
  if (!found) return spec;
  const params = Array.isArray(out.params) ? (out.params as Json[]) : [];
  out.params = [...params.filter((p) => p.name !== HOVER_SIGNAL), { name: HOVER_SIGNAL, value: hovered }];
  return out as unknown as TopLevelSpec;
}
