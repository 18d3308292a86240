// The panel's state and its one pure transition: (state, message) → new state. No DOM, no vscode, no Vega: tested in
// plain mocha. Messages are the host's (HostToWebview) and the user's (PanelAction); main.ts feeds both through
// `reduce` and hands the result to the render scheduler.

import type { DatasetSummary, FitResult, HostToWebview, ModelKind, ParamsSnapshot, PanelState, RunSummary, SelectionEntry, StreamProgress } from '../../src/shared/protocol';
import { streamProgressText } from '../../src/shared/streamText';
import { clusterSizes } from '../controls';
import { PC_CODES, resolveAxes, type AxisSource, type PlotAxis } from '../projection';
import { isGaussianView, type GaussianViewKind } from './views';
import { toggleCompare } from './history';
import { CANCELLED_REASON, findEntry, fromResult, isModelSelection, sameCandidate, withProgress, type Candidate, type SelectionModel } from './selection';

export type Phase = 'idle' | 'loading' | 'running' | 'done' | 'error' | 'cancelled';

/** The user's choices: the only part of the state the webview persists itself (vscode.setState). */
export interface UiState {
  /** The scatter's axes: a column (0 … d − 1), a principal component (PC_CODES: −1, −2) or MclustDR direction (DR_CODES: −3, −4). */
  xColumn: number;
  yColumn: number;
  /** Scrubber position; undefined = follow the newest iteration. */
  iteration?: number;
  selectedCluster?: number;
  /** A candidate of a model selection shown instead of the chosen fit; undefined = the chosen one. */
  showCandidate?: Candidate;
  /** The Gaussian view shown (state/views.ts); undefined = the scatter. */
  view?: GaussianViewKind;
  /** The scatter-plot matrix's columns; undefined = the first eight. */
  pairColumns?: number[];
  /** The ids of the (at most two) runs of the history picked for comparison. */
  compareRuns?: number[];
}

/** The previous run's final means and the colour slot each component had: new components are matched to them. */
export interface ColourReference {
  means: number[][];
  colours: number[];
}

export interface PanelModel {
  panel?: PanelState;
  phase: Phase;
  message?: string;
  runId?: number;
  /** The current run ended (done, error, cancelled): its late messages are ignored. */
  runClosed: boolean;
  /** The current run applies this saved model (no fit). */
  applying?: string;
  restart: number;
  /** Per-iteration parameters of the current run (from progress, then the result). */
  snapshots: ParamsSnapshot[];
  objective: number[];
  logLikelihood: number[];
  ui: UiState;
  /** A re-run started and has not drawn yet: the previous fit's charts stay, dimmed. */
  stale: boolean;
  /** Set when the charts must be removed (error, another file): the views clear instead of keeping old charts. */
  clearCharts: boolean;
  colourReference?: ColourReference;
  /**
   * The colour slot of each component of this run, the same at every iteration: matched to colourReference from the
   * run's first snapshot, then once more from its final means when it is done (so a re-run's clusters keep the
   * previous fit's colours, and no component changes colour while the fit iterates).
   */
  runColours?: number[];
  /** What the new run loaded while the previous fit's charts are still shown: applied with its first snapshot. */
  incoming?: Pick<PanelState, 'summary' | 'model' | 'plotSample'>;
  /** The run's model selection: its candidates as they finish, then the result's. */
  selection?: SelectionModel;
  /** The cluster (0-based) under the pointer in any chart or table, highlighted in all of them; never persisted. */
  hoveredCluster?: number;
  /** The file's finished runs, oldest first, as the host keeps them (state/history.ts). */
  history: RunSummary[];
  /** Out of core: the newest progress of the parse or of a pass over the rows, for the status line. */
  stream?: Pick<StreamProgress, 'phase' | 'done' | 'total' | 'pass'>;
}

/** What the user does in the panel (and what the panel itself reports). */
export type PanelAction =
  | { type: 'scrub'; iteration: number | undefined }
  | { type: 'selectColumns'; xColumn: number; yColumn: number }
  | { type: 'selectCluster'; cluster: number | undefined }
  /** Show a candidate of the selection (its final parameters); undefined = back to the chosen model. */
  | { type: 'showCandidate'; candidate: Candidate | undefined }
  /** The Gaussian view: scatter, uncertainty, density or the scatter-plot matrix. */
  | { type: 'selectView'; view: GaussianViewKind }
  | { type: 'selectPairColumns'; columns: number[] }
  /** The pointer is over a cluster's mark or row (undefined: over none). */
  | { type: 'hoverCluster'; cluster: number | undefined }
  /** Tick or untick a run of the history for comparison (two at most). */
  | { type: 'compareRun'; run: number }
  | { type: 'drawFailed'; message: string }
  | { type: 'restoreUi'; saved: SavedUi };

export type PanelMessage = HostToWebview | PanelAction;

/** What vscode.setState keeps: which file, with which options, and the user's choices — never the snapshots. */
export interface SavedUi {
  fileName: string;
  fileUri: string;
  options: PanelState['options'];
  ui: UiState;
}

/** PC1 × PC2 where the engine sends principal axes (d > 2); the first two columns otherwise (resolveAxes). */
export const DEFAULT_UI: UiState = { xColumn: PC_CODES[0], yColumn: PC_CODES[1] };

export function initialModel(): PanelModel {
  return { phase: 'idle', runClosed: false, restart: 0, snapshots: [], objective: [], logLikelihood: [], ui: { ...DEFAULT_UI }, stale: false, clearCharts: false, history: [] };
}

export function reduce(state: PanelModel, message: PanelMessage): PanelModel {
  switch (message.type) {
    case 'restore':
      return restoreFromHost(state, message.state);
    case 'fitStarted': {
      const previous = state.panel;
      const sameFile = previous?.fileUri !== undefined && previous.fileUri === (message.fileUri ?? previous.fileUri) && previous.fileName === message.fileName;
      const hadCharts = sameFile && state.snapshots.length > 0;
      return {
        ...initialModel(),
        panel: {
          fileName: message.fileName,
          fileUri: message.fileUri ?? previous?.fileUri ?? '',
          options: message.options,
          // Keep the previous model so its (dimmed) charts stay in view until the new fit draws.
          model: hadCharts ? modelOf(state) : undefined,
        },
        runId: message.runId,
        ...(message.applying ? { applying: message.applying } : {}),
        phase: 'loading',
        ui: sameFile ? withCandidate({ ...state.ui, iteration: undefined, selectedCluster: undefined }, undefined) : { ...DEFAULT_UI },
        stale: hadCharts,
        clearCharts: !hadCharts,
        colourReference: hadCharts ? referenceOf(state) : undefined,
        // The previous snapshots stay drawable (dimmed) until the new run's first snapshot replaces them.
        snapshots: hadCharts ? state.snapshots : [],
        objective: hadCharts ? state.objective : [],
        logLikelihood: hadCharts ? state.logLikelihood : [],
        restart: 0,
        history: sameFile ? state.history : [],
      };
    }
    case 'loaded': {
      if (!isCurrentRun(state, message.runId) || !state.panel) return state;
      const loaded = { summary: message.summary, model: message.model, plotSample: capSample(message.plotSample, state.panel.options.maxPlotPoints) };
      // The previous fit's charts stay drawn with the previous data until the new run draws.
      if (state.stale) return { ...state, incoming: loaded, phase: 'running' };
      return { ...state, panel: { ...state.panel, ...loaded }, phase: 'running' };
    }
    case 'progress': {
      if (!isCurrentRun(state, message.runId) || !state.panel) return state;
      // The first snapshot of a run, or of a new restart, starts the series afresh (and ends the dimmed old charts).
      const fresh = state.stale || message.restart !== state.restart;
      const snapshots = fresh ? [] : state.snapshots.slice();
      const objective = fresh ? [] : state.objective.slice();
      const logLikelihood = fresh ? [] : state.logLikelihood.slice();
      snapshots[message.iteration] = message.snapshot;
      objective[message.iteration] = message.objective;
      logLikelihood[message.iteration] = message.logLikelihood;
      const panel = { ...state.panel, ...state.incoming, model: message.snapshot.model };
      const runColours = fresh || state.runColours?.length !== message.snapshot.means.length ? componentColours(state.colourReference, message.snapshot.means) : state.runColours;
      return { ...state, snapshots, objective, logLikelihood, restart: message.restart, phase: 'running', stale: false, clearCharts: false, incoming: undefined, panel, runColours };
    }
    case 'streamProgress': {
      if (!isCurrentRun(state, message.runId) || !state.panel) return state;
      return { ...state, stream: { phase: message.phase, done: message.done, total: message.total, pass: message.pass } };
    }
    case 'selectionProgress': {
      if (!isCurrentRun(state, message.runId) || !state.panel) return state;
      return { ...state, selection: withProgress(state.selection, message), phase: 'running' };
    }
    case 'done': {
      if (!isCurrentRun(state, message.runId) || !state.panel) return state;
      const panel: PanelState = { ...state.panel, ...state.incoming, result: message.result, model: message.result.model, plotAssignments: message.plotAssignments, examples: message.examples };
      const selection = selectionOfResult(message.result, state.selection);
      const ui = withCandidate(state.ui, shownCandidateOf(selection, state.ui.showCandidate));
      const runColours = componentColours(state.colourReference, message.result.means);
      return { ...state, ...seriesOfResult(message.result, state.stale ? [] : state.snapshots), panel, selection, ui, history: message.history ?? state.history, phase: 'done', runClosed: true, stale: false, clearCharts: false, incoming: undefined, runColours };
    }
    case 'error': {
      if (!isCurrentRun(state, message.runId)) return state;
      const panel = state.panel ? { ...state.panel, result: undefined, plotAssignments: undefined, examples: undefined } : undefined;
      // Never a half-drawn panel: the message, and no charts of the failed run.
      return { ...state, panel, phase: 'error', hoveredCluster: undefined, message: message.message, runClosed: true, stale: false, clearCharts: true, snapshots: [], objective: [], logLikelihood: [], selection: undefined, ui: withCandidate(state.ui, undefined) };
    }
    case 'cancelled': {
      if (!isCurrentRun(state, message.runId)) return state;
      // A stopped sweep keeps the candidates that finished.
      const selection = state.selection && { ...state.selection, finished: true, cancelled: true };
      const last = state.stale ? -1 : state.snapshots.length - 1;
      let text = last >= 0 ? `Cancelled at iteration ${last}. The charts show the parameters reached so far.` : 'Cancelled before the first iteration.';
      if (selection && last < 0) text = `Cancelled after ${selection.done} of ${selection.total} candidates. The chart shows the candidates that finished.`;
      if (last < 0) return { ...state, selection, phase: 'cancelled', message: text, runClosed: true, stale: false, clearCharts: true, snapshots: [], objective: [], logLikelihood: [] };
      return { ...state, selection, phase: 'cancelled', message: text, runClosed: true };
    }
    case 'scrub': {
      const last = state.snapshots.length - 1;
      // Back at the newest iteration: follow the fit again.
      const iteration = message.iteration === undefined || message.iteration >= last ? undefined : Math.max(0, Math.floor(message.iteration));
      return { ...state, ui: { ...state.ui, iteration } };
    }
    case 'selectColumns':
      return { ...state, ui: { ...state.ui, xColumn: message.xColumn, yColumn: message.yColumn } };
    case 'selectCluster':
      return { ...state, ui: { ...state.ui, selectedCluster: message.cluster } };
    case 'history':
      return { ...state, history: message.runs };
    case 'compareRun': {
      const compareRuns = toggleCompare(state.ui.compareRuns, message.run);
      const { compareRuns: _previous, ...rest } = state.ui;
      return { ...state, ui: compareRuns.length > 0 ? { ...rest, compareRuns } : rest };
    }
    case 'hoverCluster': {
      const cluster = Number.isInteger(message.cluster) && (message.cluster as number) >= 0 ? message.cluster : undefined;
      return cluster === state.hoveredCluster ? state : { ...state, hoveredCluster: cluster };
    }
    case 'selectView': {
      if (!isGaussianView(message.view)) return state;
      const { view: _previous, ...rest } = state.ui;
      // No key for the default, so saved states stay as before.
      return { ...state, ui: message.view === 'scatter' ? rest : { ...rest, view: message.view } };
    }
    case 'selectPairColumns':
      return { ...state, ui: { ...state.ui, pairColumns: message.columns.filter((j) => Number.isInteger(j) && j >= 0) } };
    case 'showCandidate': {
      const entry = findEntry(state.selection, message.candidate);
      if (message.candidate !== undefined && !entry?.params) return state;
      const showCandidate = shownCandidateOf(state.selection, entry && { k: entry.k, covariance: entry.covariance });
      if (sameCandidate(showCandidate, state.ui.showCandidate) || (!showCandidate && !state.ui.showCandidate)) return state;
      const ui = withCandidate({ ...state.ui, selectedCluster: undefined }, showCandidate);
      // A re-run's dimmed charts belong to the previous data: a candidate is drawn on the new run's points.
      if (showCandidate && state.stale && state.panel) {
        return { ...state, ui, hoveredCluster: undefined, panel: { ...state.panel, ...state.incoming }, incoming: undefined, stale: false, clearCharts: true, snapshots: [], objective: [], logLikelihood: [] };
      }
      return { ...state, ui, hoveredCluster: undefined };
    }
    case 'drawFailed':
      return { ...state, phase: 'error', message: `The panel could not draw the charts: ${message.message}`, clearCharts: true, stale: false, snapshots: [], objective: [], logLikelihood: [] };
    case 'restoreUi': {
      const saved = message.saved;
      return { ...state, panel: { fileName: saved.fileName, fileUri: saved.fileUri, options: saved.options }, ui: { ...DEFAULT_UI, ...saved.ui } };
    }
    default:
      return state;
  }
}

/** The status of a panel restored without a result (its last run failed, was cancelled, or never ended). */
export const NO_KEPT_RESULT = 'No result was kept from the last run of this file. Re-run to fit it.';

/** A state from the host (after a reload): the last result, or the identity of a panel without one. */
function restoreFromHost(state: PanelModel, panel: PanelState): PanelModel {
  const sameFile = state.panel?.fileUri === panel.fileUri;
  // Without a result, the host may go on with the running fit's messages: accept them (any run id).
  const base: PanelModel = { ...initialModel(), panel, history: panel.history ?? [], ui: sameFile ? state.ui : { ...DEFAULT_UI }, runClosed: panel.result !== undefined, clearCharts: true };
  if (!panel.result) return { ...base, ui: withCandidate(base.ui, undefined), message: NO_KEPT_RESULT };
  const selection = selectionOfResult(panel.result, undefined);
  return { ...base, ...seriesOfResult(panel.result, []), selection, ui: withCandidate(base.ui, shownCandidateOf(selection, base.ui.showCandidate)), phase: 'done' };
}

/** The UI state showing `candidate` (no key at all for the chosen model, so saved states stay as before). */
function withCandidate(ui: UiState, candidate: Candidate | undefined): UiState {
  const { showCandidate: _previous, ...rest } = ui;
  return candidate ? { ...rest, showCandidate: candidate } : rest;
}

/** The result's selection; a result without one keeps the entries that came live, its own fit as the choice. */
function selectionOfResult(result: FitResult, live: SelectionModel | undefined): SelectionModel | undefined {
  if (result.selection) return fromResult(result.selection);
  if (!live) return undefined;
  const chosen = result.covarianceType !== undefined ? { k: result.k, covariance: String(result.covarianceType) } : null;
  return { ...live, finished: true, chosen: findEntry(live, chosen) ? chosen : null };
}

/** The candidate to show: one with parameters that is not the chosen one (that is the default view), else none. */
function shownCandidateOf(selection: SelectionModel | undefined, candidate: Candidate | undefined): Candidate | undefined {
  if (!candidate || !isModelSelection(selection)) return undefined;
  const entry = findEntry(selection, candidate);
  if (!entry?.params || entry.reason === CANCELLED_REASON) return undefined;
  if (selection.finished && sameCandidate(candidate, selection.chosen)) return undefined;
  return { k: entry.k, covariance: entry.covariance };
}

function seriesOfResult(result: FitResult, live: ParamsSnapshot[]): Pick<PanelModel, 'snapshots' | 'objective' | 'logLikelihood'> {
  const snapshots = Array.isArray(result.snapshots) && result.snapshots.length > 0 ? atIterations(result.snapshots, result.trace.length) : live.length > 0 ? live : [finalSnapshot(result)];
  return { snapshots, objective: result.trace, logLikelihood: result.logLikelihoodTrace ?? result.trace };
}

/**
 * Snapshots indexed by iteration. A fit out of core may keep fewer snapshots than iterations (thinned to its memory
 * budget, each carrying its iteration): they are placed at their iterations, and snapshotAt shows the nearest kept one
 * at or before the scrubber's iteration.
 */
export function atIterations(snapshots: ParamsSnapshot[], iterations: number): ParamsSnapshot[] {
  if (snapshots.length >= iterations || !snapshots.every((s, i) => Number.isInteger(s.iteration) && s.iteration >= i && s.iteration < iterations)) return snapshots;
  const placed: ParamsSnapshot[] = new Array(iterations);
  for (const snapshot of snapshots) placed[snapshot.iteration] = snapshot;
  return placed;
}

/** When a result comes without per-iteration snapshots, its final parameters are the one snapshot to draw. */
export function finalSnapshot(result: FitResult): ParamsSnapshot {
  if (result.model === 'gaussian') {
    return { model: 'gaussian', iteration: result.iterations, weights: result.weights, means: result.means, covariances: result.covariances ?? [] };
  }
  if (result.model === 'mixed') {
    const probabilities = (result.probabilities ?? []).map((cluster) => cluster.flat());
    return { model: 'mixed', iteration: result.iterations, weights: result.weights, means: result.means, covariances: result.covariances ?? [], probabilities, ...(result.rates ? { rates: result.rates } : {}), sizes: clusterSizes(result).sizes };
  }
  return { model: result.model, iteration: result.iterations, weights: result.weights, means: result.means, sizes: clusterSizes(result).sizes };
}

/** The host samples the points; this second guard keeps the panel from ever drawing more than maxPlotPoints. */
export function capSample(sample: PanelState['plotSample'], maxPlotPoints: number | undefined): PanelState['plotSample'] {
  if (!sample || sample.d <= 0) return sample;
  const max = Number.isFinite(maxPlotPoints) && (maxPlotPoints as number) > 0 ? (maxPlotPoints as number) : 5000;
  const n = Math.floor(sample.values.length / sample.d);
  if (n <= max) return sample;
  const indices: number[] = [];
  const values: number[] = [];
  for (let s = 0; s < max; s++) {
    const i = Math.floor((s * n) / max);
    indices.push(sample.indices[i]);
    for (let j = 0; j < sample.d; j++) values.push(sample.values[i * sample.d + j]);
  }
  return { indices, values, d: sample.d, ...(sample.projection ? { projection: sample.projection } : {}), ...(sample.incompleteRows ? { incompleteRows: sample.incompleteRows } : {}) };
}

/** The scatter's two axes for the shown sample (undefined before the data are loaded). */
export function scatterAxes(state: PanelModel): { x: PlotAxis; y: PlotAxis } | undefined {
  const sample = viewSample(state);
  return sample && sample.d > 0 ? resolveAxes(state.ui.xColumn, state.ui.yColumn, sample) : undefined;
}

/**
 * The plotted sample with the shown fit's MclustDR directions (they come with the result, and with each candidate of a
 * model selection) when they are of its columns.
 */
export function viewSample(state: PanelModel): (NonNullable<PanelState['plotSample']> & AxisSource) | undefined {
  const sample = state.panel?.plotSample;
  const directions = shownCandidate(state)?.entry.dimensionReduction ?? state.panel?.result?.dimensionReduction;
  if (!sample || !directions || directions.mean.length !== sample.d) return sample;
  return { ...sample, directions };
}

/** Messages of a run that ended (done, error, cancelled) or of another run are ignored. */
export function isCurrentRun(state: PanelModel, runId: number): boolean {
  return !state.runClosed && (state.runId === undefined || runId === state.runId);
}

export function modelOf(state: PanelModel): ModelKind | undefined {
  return state.panel?.result?.model ?? state.panel?.model ?? state.snapshots[0]?.model;
}

/** The iteration the charts show: the scrubber's, or the newest. */
export function shownIteration(state: PanelModel): number {
  const last = state.snapshots.length - 1;
  if (state.ui.iteration === undefined) return Math.max(0, last);
  return Math.max(0, Math.min(last, state.ui.iteration));
}

/** A candidate of the selection shown instead of the chosen fit: its final parameters as the one snapshot. */
export interface ShownCandidate {
  candidate: Candidate;
  entry: SelectionEntry;
  snapshot: ParamsSnapshot;
}

export function shownCandidate(state: PanelModel): ShownCandidate | undefined {
  const candidate = shownCandidateOf(state.selection, state.ui.showCandidate);
  const entry = findEntry(state.selection, candidate);
  const params = entry?.params;
  if (!candidate || !entry || !params) return undefined;
  const model = modelOf(state) ?? (params.covariances ? 'gaussian' : 'bernoulli');
  const sizes = () => params.weights.map((w) => Math.round(w * (state.panel?.summary?.n ?? 0)));
  const snapshot: ParamsSnapshot =
    model === 'gaussian'
      ? { model, iteration: entry.iterations, weights: params.weights, means: params.means, covariances: params.covariances ?? [] }
      : model === 'mixed'
        ? { model, iteration: entry.iterations, weights: params.weights, means: params.means, covariances: params.covariances ?? [], probabilities: [], sizes: sizes() }
        : { model, iteration: entry.iterations, weights: params.weights, means: params.means, sizes: params.weights.map((w) => Math.round(w * (state.panel?.summary?.n ?? 0))) };
  return { candidate, entry, snapshot };
}

/** The snapshot at index t, or the nearest earlier one (the host may skip progress messages). */
export function snapshotAt(state: PanelModel, t: number): ParamsSnapshot | undefined {
  for (let i = Math.min(t, state.snapshots.length - 1); i >= 0; i--) if (state.snapshots[i]) return state.snapshots[i];
  return undefined;
}

/** The shown run's final means and colours, the reference the next run's components are matched to. */
function referenceOf(state: PanelModel): ColourReference | undefined {
  const last = snapshotAt(state, state.snapshots.length - 1);
  if (!last) return state.colourReference;
  return { means: last.means, colours: runColoursFor(state, last.means) };
}

/**
 * The colour slot of each component: matched to the reference run's components by the distance between means
 * (greedy, closest pair first), so a cluster keeps its colour across re-runs; unmatched components take the free
 * slots in order. Without a reference, component j has slot j.
 */
export function componentColours(reference: ColourReference | undefined, means: number[][]): number[] {
  const k = means.length;
  if (!reference || reference.means.length === 0) return Array.from({ length: k }, (_, j) => j);
  const pairs: { distance: number; current: number; previous: number }[] = [];
  for (let j = 0; j < k; j++) {
    for (let p = 0; p < reference.means.length; p++) {
      const a = means[j];
      const b = reference.means[p];
      if (!a || !b || a.length !== b.length) continue;
      let distance = 0;
      for (let c = 0; c < a.length; c++) distance += (a[c] - b[c]) ** 2;
      pairs.push({ distance, current: j, previous: p });
    }
  }
  pairs.sort((x, y) => x.distance - y.distance || x.current - y.current || x.previous - y.previous);
  const colours = new Array<number>(k).fill(-1);
  const usedPrevious = new Set<number>();
  const usedSlots = new Set<number>();
  for (const pair of pairs) {
    if (colours[pair.current] !== -1 || usedPrevious.has(pair.previous)) continue;
    const slot = reference.colours[pair.previous] ?? pair.previous;
    if (usedSlots.has(slot)) continue;
    colours[pair.current] = slot;
    usedPrevious.add(pair.previous);
    usedSlots.add(slot);
  }
  let free = 0;
  for (let j = 0; j < k; j++) {
    if (colours[j] !== -1) continue;
    while (usedSlots.has(free)) free++;
    colours[j] = free;
    usedSlots.add(free);
  }
  return colours;
}

/** The run's colour slots for its K components (matched afresh when the snapshots are not the run's own, e.g. K differs). */
function runColoursFor(state: PanelModel, means: number[][]): number[] {
  return state.runColours && state.runColours.length === means.length ? state.runColours : componentColours(state.colourReference, means);
}

/** The colours of the shown snapshot's components. */
export function shownColours(state: PanelModel, means: number[][]): number[] {
  const chosen = shownCandidate(state) ? snapshotAt(state, state.snapshots.length - 1) : undefined;
  // A candidate's components take the colours of the chosen fit's nearest components.
  if (chosen) return componentColours({ means: chosen.means, colours: runColoursFor(state, chosen.means) }, means);
  // While a re-run's first snapshot has not arrived, the previous fit's (dimmed) charts keep their own colours.
  if (state.stale) return componentColours(state.colourReference, means);
  return runColoursFor(state, means);
}

/** The status line: what is happening, or how the fit ended. */
export function statusText(state: PanelModel): string {
  switch (state.phase) {
    case 'idle':
      return state.message ?? 'Waiting for the fit…';
    case 'loading':
      return `Reading ${state.panel?.fileName ?? 'the file'}…${state.stream?.phase === 'parse' ? ` ${streamProgressText(state.stream)}` : ''}`;
    case 'running': {
      const selection = state.selection;
      // The sweep, then (when the engine sends its iterations) the chosen model's own fit.
      if (selection && (selection.done < selection.total || state.snapshots.length === 0 || state.stale)) return `Fitting candidates… ${selection.done} of ${selection.total}`;
      if (state.applying) return `Applying ${state.applying}…`;
      const fitting = state.snapshots.length && !state.stale ? `Fitting… iteration ${state.snapshots.length - 1}` : 'Fitting…';
      // Out of core every iteration is a pass over the file's rows: how far the current one has got.
      return state.stream?.phase === 'pass' && state.stream.done < state.stream.total ? `${fitting} (${streamProgressText(state.stream)})` : fitting;
    }
    case 'done': {
      const r = state.panel?.result;
      if (!r) return 'Done.';
      if (r.applied) return `Saved model ${r.applied.modelFile} applied: its parameters on this file, no EM iterations. Re-run fits this file afresh.`;
      if (r.degenerate && r.degenerate.length > 0) return `Degenerate after ${r.iterations} iterations: ${degenerateText(r)}`;
      return r.converged ? `Converged after ${r.iterations} iterations.` : `Stopped after ${r.iterations} iterations (maximum reached, not converged).`;
    }
    case 'cancelled':
      return state.message ?? 'Cancelled.';
    case 'error':
      return state.message ?? 'The fit failed.';
  }
}

/** "component 2: on 1 distinct point; …" — why the fit is degenerate. */
export function degenerateText(result: Pick<FitResult, 'degenerate'>): string {
  return (result.degenerate ?? []).map((c) => `${c.component < 0 ? 'the shared covariance' : `component ${c.component + 1}`}: ${c.reason}`).join('; ');
}

/** "showing 5,000 of 200,000 rows, sampled evenly" when the plot shows fewer rows than were fitted. */
export function sampleNote(summary: Pick<DatasetSummary, 'n'> | undefined, plotted: number): string | undefined {
  if (!summary || plotted <= 0 || plotted >= summary.n) return undefined;
  return `showing ${plotted.toLocaleString('en-US')} of ${summary.n.toLocaleString('en-US')} rows, sampled evenly`;
}

/** What the webview persists itself: small, no snapshots (the host keeps the fit and sends it back on restore). */
export function savedUi(state: PanelModel): SavedUi | undefined {
  const panel = state.panel;
  if (!panel) return undefined;
  return { fileName: panel.fileName, fileUri: panel.fileUri, options: panel.options, ui: state.ui };
}

/** What the webview tells the host when a fit ends: which file, with which options, and what model was shown. */
export function finishedPanelState(state: PanelModel): PanelState | undefined {
  const panel = state.panel;
  if (!panel) return undefined;
  return { fileName: panel.fileName, fileUri: panel.fileUri, options: panel.options, model: panel.model };
}
