// The model-selection chart, as mclust's plot of a BIC table: x = K, y = the criterion (scikit-learn's sign, lower
// is better), one line and one point symbol per covariance model. A candidate that failed or is degenerate is a gap
// in its model's line and a small × at the bottom of the plot (its tooltip says why); the chosen candidate is a
// larger point in a ring, a candidate shown instead of it a dashed ring. Pure: tested in Node like ../specs.ts.
//
// Mark names (→ SVG classes `<name>_marks`): selection_lines (one path per model, broken at missing K),
// selection_points (one per usable candidate), selection_missing (one × per failed or degenerate candidate),
// selection_chosen (the ring), selection_shown (the ring of a candidate shown instead of the chosen one).

import type { TopLevelSpec } from 'vega-lite';
import type { ChartTheme } from '../theme';
import { vegaConfig } from '../theme';
import type { Row } from './index';
import { bestCandidate, candidateLabel, criterionAxisTitle, criterionName, criterionValue, formatDelta, formatScore, rankCandidates, sameCandidate, type Candidate, type SelectionModel } from '../state/selection';

export const SELECTION_DATA = {
  points: 'selection_points',
  missing: 'selection_missing',
  chosen: 'selection_chosen',
  shown: 'selection_shown',
} as const;

/** The marks a click on which shows a candidate (lines and crosses are not candidates with parameters). */
export const SELECTION_CLICKABLE = ['selection_points_marks', 'selection_chosen_marks', 'selection_shown_marks'];

/** Symbols per covariance model (with the palette's colours, every model of mclust's 14 gets its own pair). */
const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'triangle-down', 'triangle-left', 'triangle-right', 'wedge'];
/** An × (Vega's 'cross' is a +), scaled by the symbol size. */
const X_SHAPE = 'M-1,-1L1,1M1,-1L-1,1';
/** Pixels between stacked crosses of one K, and from the plot's bottom edge. */
const MISSING_STEP = 8;
const MISSING_INSET = 5;

export interface SelectionData {
  points: Row[];
  missing: Row[];
  chosen: Row[];
  shown: Row[];
}

type NullableRow = Record<string, number | string | null>;

/**
 * Rows of the chart. `points` holds every fitted candidate (value null when missing: the line breaks there; the
 * point layer drops it); `missing` one row per failed or degenerate candidate, stacked upwards from the bottom.
 */
export function selectionData(selection: SelectionModel, height: number, shown?: Candidate): SelectionData {
  const ranked = rankCandidates(selection);
  const best = ranked[0]?.value;
  const chosen = bestCandidate(selection);
  const name = criterionName(selection.criterion);
  const points: NullableRow[] = [];
  const missing: Row[] = [];
  const stacked = new Map<number, number>();
  const modelOrder = (m: string) => selection.models.indexOf(m);
  const entries = [...selection.entries].sort((a, b) => modelOrder(a.covariance) - modelOrder(b.covariance) || a.k - b.k);
  for (const e of entries) {
    const value = criterionValue(e, selection.criterion);
    const isChosen = sameCandidate(e, chosen) ? 1 : 0;
    const label = `${candidateLabel(e)}: ${value === null ? 'missing' : `${name} ${formatScore(value)}`}`;
    points.push({
      k: e.k,
      covariance: e.covariance,
      value,
      delta: value === null || best === undefined ? null : formatDelta(value - best),
      logLikelihood: e.logLikelihood,
      parameters: e.parameters,
      chosen: isChosen,
      label,
    });
    if (value === null) {
      const slot = stacked.get(e.k) ?? 0;
      stacked.set(e.k, slot + 1);
      const reason = e.reason ?? (e.degenerate ? 'degenerate' : 'the fit failed');
      missing.push({ k: e.k, covariance: e.covariance, reason, y: height - MISSING_INSET - MISSING_STEP * slot, label: `${candidateLabel(e)}: missing — ${reason}` });
    }
  }
  const ring = (c: Candidate | null | undefined, what: string): Row[] => {
    const r = ranked.find((x) => sameCandidate(x.entry, c));
    return r ? [{ k: r.entry.k, covariance: r.entry.covariance, value: r.value, label: `${what}: ${candidateLabel(r.entry)}` }] : [];
  };
  return {
    points: points as Row[],
    missing,
    chosen: ring(chosen, selection.chosen ? 'chosen' : 'best so far'),
    shown: sameCandidate(shown, chosen) ? [] : ring(shown, 'shown'),
  };
}

export interface SelectionSpecOptions {
  theme: ChartTheme;
  width?: number;
  height?: number;
}

export function selectionSpec(selection: SelectionModel, data: SelectionData, o: SelectionSpecOptions): TopLevelSpec {
  const { theme } = o;
  const height = o.height ?? 280;
  const models = selection.models;
  const name = criterionName(selection.criterion);
  const colour = {
    field: 'covariance',
    type: 'nominal' as const,
    title: 'model',
    scale: { domain: models, range: models.map((_, j) => theme.palette[j % theme.palette.length]) },
  };
  const shape = { field: 'covariance', type: 'nominal' as const, title: 'model', scale: { domain: models, range: models.map((_, j) => SHAPES[j % SHAPES.length]) } };
  const ks = [...selection.ks].sort((a, b) => a - b);
  const x = {
    field: 'k',
    type: 'quantitative' as const,
    title: 'K (number of components)',
    scale: { domain: [ks[0], ks[ks.length - 1]], nice: false, padding: 14 },
    axis: { values: ks, format: 'd', tickMinStep: 1 },
  };
  const y = { field: 'value', type: 'quantitative' as const, title: criterionAxisTitle(selection.criterion), scale: { zero: false } };
  const tooltip = [
    { field: 'covariance', type: 'nominal' as const, title: 'model' },
    { field: 'k', type: 'quantitative' as const, title: 'K' },
    { field: 'value', type: 'quantitative' as const, title: name, format: ',.1f' },
    { field: 'delta', type: 'nominal' as const, title: `Δ ${name}` },
    { field: 'logLikelihood', type: 'quantitative' as const, title: 'log-likelihood', format: ',.2f' },
    { field: 'parameters', type: 'quantitative' as const, title: 'parameters' },
  ];
  const ring = (dataName: string, markName: string, dash: number[] | undefined, size: number) => ({
    name: markName,
    data: { name: dataName },
    mark: { type: 'point' as const, filled: false, size, strokeWidth: theme.lineWidth + 0.6, color: theme.foreground, opacity: 1, cursor: 'pointer', ...(dash ? { strokeDash: dash } : {}) },
    encoding: { x, y, description: { field: 'label', type: 'nominal' as const } },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: vegaConfig(theme),
    width: o.width ?? 420,
    height,
    datasets: { [SELECTION_DATA.points]: data.points, [SELECTION_DATA.missing]: data.missing, [SELECTION_DATA.chosen]: data.chosen, [SELECTION_DATA.shown]: data.shown },
    layer: [
      {
        name: 'selection_lines',
        data: { name: SELECTION_DATA.points },
        // A missing K breaks the model's line (no line drawn across a failed fit) and stays out of the y domain.
        mark: { type: 'line', strokeWidth: theme.lineWidth, invalid: 'break-paths-filter-domains' },
        encoding: { x, y, color: colour, description: { field: 'covariance', type: 'nominal' } },
      },
      {
        name: 'selection_points',
        data: { name: SELECTION_DATA.points },
        mark: { type: 'point', filled: true, opacity: 1, cursor: 'pointer' },
        encoding: {
          x,
          y,
          color: colour,
          shape,
          size: { field: 'chosen', type: 'ordinal', scale: { domain: [0, 1], range: [45, 150] }, legend: null },
          description: { field: 'label', type: 'nominal' },
          tooltip,
        },
      },
      {
        name: 'selection_missing',
        data: { name: SELECTION_DATA.missing },
        mark: { type: 'point', shape: X_SHAPE, filled: false, size: 30, strokeWidth: theme.lineWidth, opacity: 0.9 },
        encoding: {
          x,
          // Pixels from the top: a row of crosses along the plot's bottom edge, whatever the scores.
          y: { field: 'y', type: 'quantitative', scale: null },
          color: colour,
          description: { field: 'label', type: 'nominal' },
          tooltip: [
            { field: 'covariance', type: 'nominal', title: 'model' },
            { field: 'k', type: 'quantitative', title: 'K' },
            { field: 'reason', type: 'nominal', title: 'missing' },
          ],
        },
      },
      ring(SELECTION_DATA.shown, 'selection_shown', [3, 2], 260),
      ring(SELECTION_DATA.chosen, 'selection_chosen', undefined, 340),
    ],
  } as TopLevelSpec;
}
