// Which view of a Gaussian fit the chart shows (the scatter, its uncertainty, the mixture density, the scatter-plot
// matrix) and the matrix's columns: part of the user's choices (UiState), persisted with them. Pure, no DOM.

/** The views of a Gaussian fit with two or more columns; "scatter" is the default. */
export const GAUSSIAN_VIEWS = ['scatter', 'uncertainty', 'density', 'pairs'] as const;
export type GaussianViewKind = (typeof GAUSSIAN_VIEWS)[number];

/** The picker's text for each view. */
export const GAUSSIAN_VIEW_NAMES: Record<GaussianViewKind, string> = {
  scatter: 'scatter',
  uncertainty: 'uncertainty',
  density: 'density contours',
  pairs: 'scatter-plot matrix',
};

/** Most columns in the scatter-plot matrix (8 × 8 cells). */
export const MAX_PAIR_COLUMNS = 8;

export function isGaussianView(value: unknown): value is GaussianViewKind {
  return typeof value === 'string' && (GAUSSIAN_VIEWS as readonly string[]).includes(value);
}

export function shownView(ui: { view?: GaussianViewKind }): GaussianViewKind {
  return isGaussianView(ui.view) ? ui.view : 'scatter';
}

/**
 * The matrix's columns for data with d columns: the chosen ones that exist (sorted, at most MAX_PAIR_COLUMNS), or the
 * first MAX_PAIR_COLUMNS when fewer than two of the chosen ones exist.
 */
export function pairColumns(chosen: readonly number[] | undefined, d: number): number[] {
  const valid = [...new Set((chosen ?? []).filter((j) => Number.isInteger(j) && j >= 0 && j < d))].sort((a, b) => a - b).slice(0, MAX_PAIR_COLUMNS);
  return valid.length >= 2 ? valid : Array.from({ length: Math.min(d, MAX_PAIR_COLUMNS) }, (_, j) => j);
}

/**
 * The matrix's columns after the user ticks or unticks column j: never fewer than two, never more than
 * MAX_PAIR_COLUMNS (ticking a ninth is refused: the list stays as it was).
 */
export function togglePairColumn(current: readonly number[], j: number, d: number): number[] {
  const shown = pairColumns(current, d);
  if (shown.includes(j)) return shown.length > 2 ? shown.filter((c) => c !== j) : shown;
  if (shown.length >= MAX_PAIR_COLUMNS || !Number.isInteger(j) || j < 0 || j >= d) return shown;
  return [...shown, j].sort((a, b) => a - b);
}

/** The view choices of a saved UI state (anything else in it is ignored; garbage gives the defaults). */
export function savedViewUi(ui: { view?: unknown; pairColumns?: unknown } | undefined): { view?: GaussianViewKind; pairColumns?: number[] } {
  const out: { view?: GaussianViewKind; pairColumns?: number[] } = {};
  if (isGaussianView(ui?.view) && ui.view !== 'scatter') out.view = ui.view;
  if (Array.isArray(ui?.pairColumns)) {
    const columns = ui.pairColumns.filter((j): j is number => Number.isInteger(j) && j >= 0).slice(0, MAX_PAIR_COLUMNS);
    if (columns.length >= 2) out.pairColumns = columns;
  }
  return out;
}
