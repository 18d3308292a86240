// The Mixscope panel (browser side, bundled by esbuild into dist/webview.js as an IIFE).
//
// Talks to the host with the typed protocol (src/shared/protocol.ts): posts {type:'ready'} at start, then handles
// restore | fitStarted | loaded | progress* | done | error | cancelled. Keeps the last PanelState with
// vscode.setState() and posts {type:'state'} so the host's serializer can restore the panel after a reload.
//
// CSP: no eval. Vega runs its expressions through vega-interpreter (vega-embed `ast: true`, `expr:`), vega-embed's
// and vega-tooltip's injected <style> are disabled (their CSS is in media/panel.css).
//
// Stable selectors for tests (end-to-end and manual):
//   #title                       "<file> — Gaussian mixture, K = 2" (file name, model, K)
//   #subtitle                    n, d, converged/iterations, log-likelihood, BIC, AIC
//   #status[data-state]          idle | loading | running | done | error | cancelled; text says what happened
//   #notes li                    loader notes (skipped rows, dropped columns, …)
//   #k, #max-iter, #rerun, #cancel, #control-error    re-run controls
//   body[data-model]             gaussian | bernoulli
//   #scatter[data-iteration][data-points][data-k]     scatter (SVG):
//     #scatter svg g.points_marks path                one per plotted point
//     #scatter svg g.contours_marks                   one group per contour series (K components × 2 radii),
//                                                     its path's aria-label = "component j, radius r"
//     #scatter svg g.means_marks path                 one per component
//   #x-col, #y-col               column pickers (Gaussian, d ≥ 2; in #scatter-toolbar, hidden for 1-D data)
//   #histogram[data-iteration] svg g.histogram_bars_marks path, g.density_lines_marks (K + 1: components + mixture)
//   #scrubber-bar: #scrubber (range), #play, #iteration-label   iteration scrubber (every model)
//   #loglik[data-points] svg g.loglik_points_marks path   one per iteration (per series); g.converged_marks line
//   #params                      table: tr[data-component] per component (weight, size, mean, covariance)
//   #images[data-k][data-iteration][data-renderer] svg g.image_pixels_marks   one per cluster (Bernoulli mean
//                                images; canvas instead of svg past 40,000 pixels in total)
//   #examples[data-cluster] canvas.example                     member images of the clicked cluster
//   #confusion svg g.confusion_cells_marks path                K × L cells
//   button.export[data-chart][data-format]                     export (chart: scatter|histogram|loglik|images|confusion)
//   #gaussian-view, #bernoulli-view, #common-view              sections, [hidden] when not relevant (all after an error)
// Chart containers carry data-iteration (the snapshot's iteration number) once drawn: wait on it, e.g.
// `#scatter[data-iteration="15"]`, rather than on a timer.

import embed from 'vega-embed';
import type { Result as EmbedResult, VisualizationSpec } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import type { TopLevelSpec } from 'vega-lite';
import {
  createDispatcher,
  type BernoulliSnapshot,
  type ClusterExamples,
  type FitResult,
  type GaussianSnapshot,
  type HostToWebview,
  type ParamsSnapshot,
  type PanelState,
  type WebviewToHost,
  LIMITS,
} from '../src/shared/protocol';
import { gaussianLogResponsibilities } from '../src/engine/families/gaussian/family';
import { chartTheme, themeKindFromClasses, type ChartTheme } from './theme';
import { histogram, paddedExtent } from './geometry';
import type { Cov2 } from './geometry';
import {
  DATA,
  confusionSpec,
  histogramData,
  histogramSpec,
  imageGridData,
  imageGridSpec,
  loglikSpec,
  scatterData,
  scatterSpec,
  type TraceSeries,
} from './specs';
import { clusterCaption, clusterSizes, formatNumber, validateRerun } from './controls';

// ------------------------------------------------------------------ VS Code API

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode: VsCodeApi =
  typeof acquireVsCodeApi === 'function'
    ? acquireVsCodeApi()
    : { postMessage: () => undefined, getState: () => undefined, setState: () => undefined };

// ------------------------------------------------------------------ state

type Phase = 'idle' | 'loading' | 'running' | 'done' | 'error' | 'cancelled';

/** What the webview persists with setState: the host's PanelState plus the view choices. */
interface SavedState {
  panel: PanelState;
  phase: Phase;
  message?: string;
  ui: UiState;
}

interface UiState {
  xColumn: number;
  yColumn: number;
  /** Scrubber position; undefined = follow the newest iteration. */
  iteration?: number;
  selectedCluster?: number;
}

const app = {
  panel: undefined as PanelState | undefined,
  phase: 'idle' as Phase,
  message: undefined as string | undefined,
  runId: undefined as number | undefined,
  runClosed: false,
  restart: 0,
  /** Per-iteration parameters of the current run (from progress, then the result). */
  snapshots: [] as ParamsSnapshot[],
  objective: [] as number[],
  logLikelihood: [] as number[],
  ui: { xColumn: 0, yColumn: 1 } as UiState,
  theme: undefined as unknown as ChartTheme,
  themeVersion: 0,
};

// ------------------------------------------------------------------ DOM

function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`panel: missing #${id}`);
  return el;
}
const input = (id: string) => $(id) as HTMLInputElement;
const select = (id: string) => $(id) as HTMLSelectElement;

function setText(id: string, text: string): void {
  $(id).textContent = text;
}

function post(message: WebviewToHost): void {
  vscode.postMessage(message);
}

// ------------------------------------------------------------------ theme

function readTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  return chartTheme((name) => style.getPropertyValue(name), themeKindFromClasses(document.body.className.split(/\s+/)));
}

function watchTheme(): void {
  let pending = false;
  const retheme = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      app.theme = readTheme();
      app.themeVersion++;
      scheduleRender();
    });
  };
  // VS Code flips the body class on a theme-kind change and rewrites <html style> (the variables) on any change.
  new MutationObserver(retheme).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  new MutationObserver(retheme).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}

// ------------------------------------------------------------------ charts

type ChartId = 'scatter' | 'histogram' | 'loglik' | 'images' | 'confusion';

interface Chart {
  result: EmbedResult;
  /** Everything that needs a rebuild when it changes (structure, theme); data changes go through view.data. */
  key: string;
}

const charts = new Map<ChartId, Chart>();
/** Serialises embeds per chart so a slow embed never races a newer one. */
const chartQueue = new Map<ChartId, Promise<void>>();

function tooltipOptions() {
  return { disableDefaultStyle: true, theme: 'vscode', sanitize: (v: unknown) => escapeText(String(v)) };
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Draws `spec` in #id, or, when the chart already exists with the same key, swaps its datasets in place
 * (scrubbing redraws without rebuilding the view).
 */
function drawChart(
  id: ChartId,
  key: string,
  build: () => TopLevelSpec,
  datasets: () => Record<string, object[]>,
  signals: Record<string, unknown> = {},
  renderer: 'svg' | 'canvas' = 'svg',
): Promise<void> {
  if (app.phase === 'error') return Promise.resolve();
  const previous = chartQueue.get(id) ?? Promise.resolve();
  const epoch = chartEpoch;
  const next = previous.then(async () => {
    // The charts were cleared (error, new run) after this draw was asked for: drop it.
    if (epoch !== chartEpoch) return;
    const el = $(id);
    const existing = charts.get(id);
    if (existing && existing.key === key) {
      const view = existing.result.view;
      for (const [name, rows] of Object.entries(datasets())) view.data(name, rows);
      for (const [name, value] of Object.entries(signals)) view.signal(name, value);
      await view.runAsync();
      return;
    }
    const spec = build();
    const result = await embed(el, spec as VisualizationSpec, {
      mode: 'vega-lite',
      renderer,
      actions: false,
      defaultStyle: false,
      ast: true,
      expr: expressionInterpreter,
      tooltip: tooltipOptions(),
      logLevel: 1,
    });
    if (epoch !== chartEpoch) {
      // Cleared while embedding: never leave a chart of a run that failed or was replaced.
      result.finalize();
      el.replaceChildren();
      return;
    }
    existing?.result.finalize();
    charts.set(id, { result, key });
    if (id === 'images') result.view.addEventListener('click', onImageClick);
  });
  const settled = next.catch((err: unknown) => showInternalError(err));
  chartQueue.set(id, settled);
  return settled;
}

function clearChart(id: ChartId): void {
  const chart = charts.get(id);
  chart?.result.finalize();
  charts.delete(id);
  const el = $(id);
  el.replaceChildren();
  for (const attr of [...el.getAttributeNames()]) if (attr.startsWith('data-')) el.removeAttribute(attr);
}

/** Bumped whenever all charts are cleared; pending draws of an older epoch are dropped. */
let chartEpoch = 0;

function clearAllCharts(): void {
  chartEpoch++;
  for (const id of ['scatter', 'histogram', 'loglik', 'images', 'confusion'] as ChartId[]) clearChart(id);
  $('examples').replaceChildren();
  $('examples').hidden = true;
  $('params').replaceChildren();
  $('label-metrics').replaceChildren();
}

async function exportChart(chart: ChartId, format: 'png' | 'svg'): Promise<void> {
  const entry = charts.get(chart);
  if (!entry) return;
  const data = format === 'svg' ? await entry.result.view.toSVG() : await entry.result.view.toImageURL('png', 2);
  if (data.length > Math.ceil((LIMITS.exportBytesMax * 4) / 3) + 100) {
    setStatus(app.phase, `The ${chart} chart is too large to export (${formatNumber(data.length)} bytes).`);
    return;
  }
  post({ type: 'export', format, chart, data });
}

// ------------------------------------------------------------------ render scheduling

let renderQueued = false;
let rendering = false;
let renderAgain = false;

/** Coalesces bursts of progress messages into one render per animation frame. */
function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    void render();
  });
}

async function render(): Promise<void> {
  if (rendering) {
    renderAgain = true;
    return;
  }
  rendering = true;
  try {
    await renderNow();
  } catch (err) {
    showInternalError(err);
  } finally {
    rendering = false;
    if (renderAgain) {
      renderAgain = false;
      scheduleRender();
    }
  }
}

function modelOf(): 'gaussian' | 'bernoulli' | undefined {
  return app.panel?.result?.model ?? app.panel?.model ?? (app.snapshots[0]?.model as 'gaussian' | 'bernoulli' | undefined);
}

/** The iteration the charts show: the scrubber's, or the newest. */
function shownIteration(): number {
  const last = app.snapshots.length - 1;
  if (app.ui.iteration === undefined) return Math.max(0, last);
  return Math.max(0, Math.min(last, app.ui.iteration));
}

async function renderNow(): Promise<void> {
  renderHeader();
  if (app.phase === 'error') return;
  const model = modelOf();
  document.body.dataset.model = model ?? '';
  $('gaussian-view').hidden = model !== 'gaussian';
  $('bernoulli-view').hidden = model !== 'bernoulli';
  $('common-view').hidden = model === undefined;
  $('scrubber-bar').hidden = model === undefined || app.snapshots.length === 0;
  if (!model) return;
  updateScrubber();
  const jobs: Promise<void>[] = [renderLoglik()];
  if (model === 'gaussian') jobs.push(renderGaussian());
  else jobs.push(renderBernoulli());
  renderParams();
  await Promise.all(jobs);
}

// ------------------------------------------------------------------ header, status

const MODEL_NAMES = { gaussian: 'Gaussian mixture', bernoulli: 'Bernoulli mixture' } as const;

function renderHeader(): void {
  const panel = app.panel;
  const result = panel?.result;
  const model = modelOf();
  const k = result?.k ?? panel?.options.k;
  const file = panel?.fileName ?? '';
  const parts = [file];
  if (model) parts.push(`${MODEL_NAMES[model]}${model === 'gaussian' && (result?.covarianceType ?? panel?.options.covarianceType) ? ` (${result?.covarianceType ?? panel?.options.covarianceType})` : ''}`);
  if (k !== undefined) parts.push(`K = ${k}`);
  setText('title', parts.filter(Boolean).join(' — '));
  document.title = file || 'Mixscope';

  const summary = panel?.summary;
  const sub: string[] = [];
  const n = result?.n ?? summary?.n;
  const d = result?.d ?? summary?.d;
  if (n !== undefined) sub.push(`n = ${formatNumber(n)}`);
  if (d !== undefined) sub.push(`d = ${formatNumber(d)}`);
  if (result) {
    sub.push(result.converged ? `converged after ${result.iterations} iterations` : `not converged after ${result.iterations} iterations`);
    sub.push(`log-likelihood ${formatNumber(result.logLikelihood, 6)}`);
    sub.push(`BIC ${formatNumber(result.bic, 6)}`, `AIC ${formatNumber(result.aic, 6)}`);
    if (result.emVariant === 'hard') sub.push('hard EM');
    if (result.standardization) sub.push('standardised columns');
    sub.push(`${formatNumber(result.elapsedMs / 1000, 3)} s`);
  } else if (app.phase === 'running' && app.snapshots.length > 0) {
    sub.push(`iteration ${app.snapshots.length - 1}${app.restart > 0 ? ` (restart ${app.restart + 1})` : ''}`);
  }
  setText('subtitle', sub.join(' · '));

  const notes = $('notes');
  const items: string[] = [];
  const reason = result?.modelReason;
  if (reason) items.push(`Model: ${reason}`);
  if (summary) {
    // Skipped rows are reported once, by the loader's notes, each with its own cause and lines.
    for (const c of summary.droppedColumns) items.push(`Column "${c.name}" left out: ${c.reason}`);
    items.push(...summary.notes);
  }
  // What the engine noticed during the fit (regularisation vs tiny variances, threads, separated starts).
  if (result?.notes) items.push(...result.notes);
  notes.replaceChildren(
    ...items.map((t) => {
      const li = document.createElement('li');
      li.textContent = t;
      return li;
    }),
  );
}

function setStatus(phase: Phase, text: string): void {
  const status = $('status');
  status.dataset.state = phase;
  status.textContent = text;
  $('cancel').hidden = !(phase === 'loading' || phase === 'running');
  ($('rerun') as HTMLButtonElement).disabled = phase === 'loading' || phase === 'running';
}

function statusForPhase(): void {
  switch (app.phase) {
    case 'idle':
      setStatus('idle', 'Waiting for the fit…');
      break;
    case 'loading':
      setStatus('loading', `Reading ${app.panel?.fileName ?? 'the file'}…`);
      break;
    case 'running':
      setStatus('running', app.snapshots.length ? `Fitting… iteration ${app.snapshots.length - 1}` : 'Fitting…');
      break;
    case 'done': {
      const r = app.panel?.result;
      setStatus('done', r ? (r.converged ? `Converged after ${r.iterations} iterations.` : `Stopped after ${r.iterations} iterations (maximum reached, not converged).`) : 'Done.');
      break;
    }
    case 'cancelled':
      setStatus('cancelled', app.message ?? 'Cancelled.');
      break;
    case 'error':
      setStatus('error', app.message ?? 'The fit failed.');
      break;
  }
}

function showInternalError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  console.error('Mixscope panel:', err);
  // A chart that cannot be drawn must not leave half a panel behind.
  app.phase = 'error';
  app.message = `The panel could not draw the charts: ${message}`;
  clearAllCharts();
  hideViews();
  statusForPhase();
}

function hideViews(): void {
  $('gaussian-view').hidden = true;
  $('bernoulli-view').hidden = true;
  $('common-view').hidden = true;
  $('scrubber-bar').hidden = true;
}

// ------------------------------------------------------------------ scrubber

let playTimer: number | undefined;

function updateScrubber(): void {
  const scrubber = input('scrubber');
  const last = Math.max(0, app.snapshots.length - 1);
  scrubber.max = String(last);
  const shown = shownIteration();
  scrubber.value = String(shown);
  scrubber.disabled = app.snapshots.length < 2;
  $('play').toggleAttribute('disabled', app.snapshots.length < 2);
  setText('iteration-label', `iteration ${shown} of ${last}${app.ui.iteration === undefined && app.phase === 'running' ? ' (following)' : ''}`);
}

function onScrub(): void {
  const value = Number(input('scrubber').value);
  const last = app.snapshots.length - 1;
  // Back at the newest iteration: follow the fit again.
  app.ui.iteration = value >= last ? undefined : value;
  stopPlaying();
  scheduleRender();
}

function togglePlay(): void {
  if (playTimer !== undefined) {
    stopPlaying();
    return;
  }
  if (app.snapshots.length < 2) return;
  if (shownIteration() >= app.snapshots.length - 1) app.ui.iteration = 0;
  else app.ui.iteration = shownIteration();
  $('play').textContent = '⏸';
  $('play').setAttribute('aria-label', 'Pause');
  playTimer = window.setInterval(() => {
    const next = shownIteration() + 1;
    if (next >= app.snapshots.length) {
      app.ui.iteration = undefined;
      stopPlaying();
    } else {
      app.ui.iteration = next;
    }
    scheduleRender();
  }, playInterval());
  scheduleRender();
}

/** About six seconds for a whole fit, between 60 and 400 ms per iteration. */
function playInterval(): number {
  return Math.max(60, Math.min(400, Math.round(6000 / Math.max(1, app.snapshots.length))));
}

function stopPlaying(): void {
  if (playTimer !== undefined) window.clearInterval(playTimer);
  playTimer = undefined;
  $('play').textContent = '▶';
  $('play').setAttribute('aria-label', 'Play');
}

// ------------------------------------------------------------------ Gaussian

function columnNames(): string[] {
  const cols = app.panel?.result?.columns ?? app.panel?.summary?.columns ?? [];
  const d = app.panel?.plotSample?.d ?? cols.length;
  return Array.from({ length: d }, (_, j) => cols[j] ?? `column ${j + 1}`);
}

function standardised(): boolean {
  return Boolean(app.panel?.result?.standardization ?? app.panel?.options.standardize);
}

function axisTitle(j: number): string {
  return `${columnNames()[j]}${standardised() ? ' (standardised)' : ''}`;
}

function setupColumnPickers(): void {
  const names = columnNames();
  const xs = select('x-col');
  const ys = select('y-col');
  const same = xs.options.length === names.length && Array.from(xs.options).every((o, j) => o.textContent === names[j]);
  if (!same) {
    for (const s of [xs, ys]) {
      s.replaceChildren(
        ...names.map((name, j) => {
          const o = document.createElement('option');
          o.value = String(j);
          o.textContent = name;
          return o;
        }),
      );
    }
  }
  const d = names.length;
  if (app.ui.xColumn >= d) app.ui.xColumn = 0;
  if (app.ui.yColumn >= d || d < 2) app.ui.yColumn = Math.min(1, d - 1);
  xs.value = String(app.ui.xColumn);
  ys.value = String(app.ui.yColumn);
  xs.disabled = ys.disabled = d < 2;
}

/** The snapshot at index t, or the nearest earlier one (the host may skip progress messages). */
function snapshotAt(t: number): ParamsSnapshot | undefined {
  for (let i = Math.min(t, app.snapshots.length - 1); i >= 0; i--) if (app.snapshots[i]) return app.snapshots[i];
  return undefined;
}

function gaussianSnapshotAt(t: number): GaussianSnapshot | undefined {
  const s = snapshotAt(t);
  return s && s.model === 'gaussian' ? s : undefined;
}

let respBuffer = new Float64Array(0);

async function renderGaussian(): Promise<void> {
  const sample = app.panel?.plotSample;
  const t = shownIteration();
  const snapshot = gaussianSnapshotAt(t);
  const d = sample?.d ?? 0;
  const oneD = d === 1;
  $('scatter-toolbar').hidden = oneD;
  $('histogram-toolbar').hidden = !oneD;
  $('scatter').hidden = oneD;
  $('histogram').hidden = !oneD;
  if (!sample || !snapshot || d === 0) return;
  setupColumnPickers();
  const n = Math.min(Math.floor(sample.values.length / d), LIMITS_PLOT(app.panel?.options.maxPlotPoints));
  const k = snapshot.weights.length;
  let title = `Iteration ${snapshot.iteration}${app.phase === 'running' && t === app.snapshots.length - 1 ? ' (running)' : ''}`;

  if (oneD) {
    const values = sample.values.slice(0, n);
    const h = histogram(values);
    const data = histogramData({
      edges: h.edges,
      counts: h.counts,
      weights: snapshot.weights,
      means: snapshot.means.map((m) => m[0]),
      variances: snapshot.covariances.map((c) => c[0][0]),
      n,
    });
    const key = ['h', k, app.themeVersion, columnNames()[0], standardised()].join('|');
    await drawChart(
      'histogram',
      key,
      () => histogramSpec(data, { xTitle: axisTitle(0), k, title, theme: app.theme }),
      () => ({ [DATA.bins]: data.bins, [DATA.densities]: data.densities }),
      { title },
    );
    Object.assign($('histogram').dataset, { iteration: String(snapshot.iteration), k: String(k), points: String(n) });
    return;
  }

  const xj = app.ui.xColumn;
  const yj = app.ui.yColumn;
  if (respBuffer.length < n * k) respBuffer = new Float64Array(n * k);
  const logResp = respBuffer.subarray(0, n * k);
  let degenerate = false;
  try {
    gaussianLogResponsibilities(sample.values, n, d, snapshot, logResp);
  } catch {
    // A snapshot whose covariance is not positive definite (a collapsing component): draw the points neutral
    // rather than fail the panel; the engine reports the collapse itself.
    logResp.fill(-Math.log(k));
    degenerate = true;
  }
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = sample.values[i * d + xj];
    y[i] = sample.values[i * d + yj];
  }
  const covs: Cov2[] = snapshot.covariances.map((c) => [c[xj][xj], c[xj][yj], c[yj][yj]]);
  const means = snapshot.means.map((m) => [m[xj], m[yj]] as [number, number]);
  if (degenerate) title += ' — a covariance is not positive definite, responsibilities not shown';
  const data = scatterData({ x, y, logResp, k, means, covariances: covs });
  const xDomain = paddedExtent(x);
  const yDomain = paddedExtent(y);
  const key = ['s', k, xj, yj, app.themeVersion, n, xDomain.join(), yDomain.join(), standardised()].join('|');
  await drawChart(
    'scatter',
    key,
    () => scatterSpec(data, { xTitle: axisTitle(xj), yTitle: axisTitle(yj), k, xDomain, yDomain, title, theme: app.theme }),
    () => ({ [DATA.points]: data.points, [DATA.contours]: data.contours, [DATA.means]: data.means }),
    { title },
  );
  Object.assign($('scatter').dataset, { iteration: String(snapshot.iteration), k: String(k), points: String(n), x: columnNames()[xj], y: columnNames()[yj] });
}

/** Never draw more than maxPlotPoints points, whatever arrives. */
function LIMITS_PLOT(maxPlotPoints: number | undefined): number {
  return Number.isFinite(maxPlotPoints) && (maxPlotPoints as number) > 0 ? (maxPlotPoints as number) : 5000;
}

// ------------------------------------------------------------------ log-likelihood curve

function traceSeries(): { series: TraceSeries[]; yTitle: string } {
  const result = app.panel?.result;
  if (result) {
    const differs = result.logLikelihoodTrace && result.logLikelihoodTrace.some((v, i) => v !== result.trace[i]);
    if (differs) return { series: [{ name: 'objective', values: result.trace }, { name: 'log-likelihood', values: result.logLikelihoodTrace! }], yTitle: 'log-likelihood (+ log prior)' };
    return { series: [{ name: 'log-likelihood', values: result.trace }], yTitle: 'log-likelihood' };
  }
  const differs = app.objective.some((v, i) => v !== app.logLikelihood[i]);
  if (differs) return { series: [{ name: 'objective', values: app.objective }, { name: 'log-likelihood', values: app.logLikelihood }], yTitle: 'log-likelihood (+ log prior)' };
  return { series: [{ name: 'log-likelihood', values: app.objective }], yTitle: 'log-likelihood' };
}

async function renderLoglik(): Promise<void> {
  const { series, yTitle } = traceSeries();
  if (series[0].values.length === 0) return;
  const result = app.panel?.result;
  const converged = result?.converged ? result.iterations : undefined;
  const key = ['l', series.length, yTitle, app.themeVersion, converged ?? '-'].join('|');
  const spec = () => loglikSpec(series, { theme: app.theme, yTitle, convergedIteration: converged });
  const rows = () => {
    const s = spec() as { datasets: Record<string, object[]> };
    return s.datasets;
  };
  await drawChart('loglik', key, spec, rows);
  Object.assign($('loglik').dataset, { points: String(series[0].values.length), series: String(series.length) });
  setText('loglik-hint', series.length > 1 ? 'Objective (log-likelihood + log prior) and log-likelihood per iteration' : 'Log-likelihood per iteration');
}

// ------------------------------------------------------------------ Bernoulli

function bernoulliSnapshotAt(t: number): BernoulliSnapshot | undefined {
  const s = snapshotAt(t);
  return s && s.model === 'bernoulli' ? s : undefined;
}

function imageShape(d: number): [number, number] {
  const shape = app.panel?.result?.imageShape ?? app.panel?.summary?.imageShape;
  if (shape && shape[0] * shape[1] === d) return shape;
  const side = Math.round(Math.sqrt(d));
  if (side * side === d) return [side, side];
  if (d === 784) return [28, 28];
  return [1, d];
}

async function renderBernoulli(): Promise<void> {
  const t = shownIteration();
  const snapshot = bernoulliSnapshotAt(t);
  const result = app.panel?.result;
  if (!snapshot) return;
  const k = snapshot.weights.length;
  const d = snapshot.means[0]?.length ?? 0;
  const shape = imageShape(d);
  const labels = result?.labelMetrics?.clusters;
  const atEnd = result !== undefined && t === app.snapshots.length - 1;
  const titles = snapshot.means.map((_, j) =>
    clusterCaption(j, snapshot.sizes[j], snapshot.weights[j], atEnd && labels ? labels[j] : undefined),
  );
  const rows = imageGridData(snapshot.means, shape, titles);
  // Captions are data (the facet headers), so a new iteration swaps the rows without rebuilding the view.
  const key = ['i', k, shape.join('x'), app.themeVersion].join('|');
  // SVG keeps every pixel countable for tests; past ~40,000 rects (e.g. K = 50 on MNIST) canvas stays responsive.
  const renderer = rows.length > 40000 ? 'canvas' : 'svg';
  await drawChart('images', `${key}|${renderer}`, () => imageGridSpec(rows, { shape, k, theme: app.theme }), () => ({ [DATA.pixels]: rows }), {}, renderer);
  Object.assign($('images').dataset, { k: String(k), iteration: String(snapshot.iteration), renderer });

  const metrics = result?.labelMetrics;
  $('confusion-card').hidden = !metrics;
  if (metrics) {
    const ckey = ['c', app.themeVersion, metrics.confusion.length, metrics.labelValues.join()].join('|');
    await drawChart('confusion', ckey, () => confusionSpec(metrics.confusion, metrics.labelValues, app.theme), () => ({}));
    $('confusion').dataset.k = String(metrics.confusion.length);
    $('confusion').dataset.labels = String(metrics.labelValues.length);
    setText(
      'label-metrics',
      `Accuracy (best cluster → label map) ${formatNumber(metrics.accuracy, 3)} · adjusted Rand index ${formatNumber(metrics.adjustedRandIndex, 3)} · NMI ${formatNumber(metrics.normalizedMutualInfo, 3)}`,
    );
  } else {
    clearChart('confusion');
  }
  if (app.ui.selectedCluster !== undefined) renderExamples(app.ui.selectedCluster);
}

function onImageClick(_event: unknown, item: unknown): void {
  const datum = (item as { datum?: { cluster?: unknown } } | null | undefined)?.datum;
  const cluster = typeof datum?.cluster === 'number' ? datum.cluster : undefined;
  if (cluster === undefined) return;
  app.ui.selectedCluster = cluster;
  renderExamples(cluster);
  saveState();
}

function renderExamples(cluster: number): void {
  const box = $('examples');
  box.hidden = false;
  box.dataset.cluster = String(cluster);
  const examples: ClusterExamples | undefined = app.panel?.examples?.find((e) => e.cluster === cluster);
  const heading = document.createElement('div');
  heading.className = 'examples-heading';
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'secondary';
  close.textContent = 'Close';
  close.addEventListener('click', () => {
    app.ui.selectedCluster = undefined;
    box.hidden = true;
    box.replaceChildren();
    saveState();
  });
  if (!examples) {
    heading.textContent = app.phase === 'running' ? `Cluster #${cluster + 1}: member images appear when the fit is done.` : `Cluster #${cluster + 1}: no member images were sent.`;
    box.replaceChildren(heading, close);
    return;
  }
  heading.textContent = `Cluster #${cluster + 1}: members`;
  const d = examples.typical[0]?.length ?? examples.atypical[0]?.length ?? 0;
  const shape = imageShape(d);
  const row = (label: string, cls: string, images: number[][]) => {
    const div = document.createElement('div');
    div.className = `example-row ${cls}`;
    const caption = document.createElement('span');
    caption.className = 'example-caption';
    caption.textContent = label;
    div.append(caption, ...images.map((px) => imageCanvas(px, shape)));
    return div;
  };
  box.replaceChildren(heading, close, row('most typical', 'typical', examples.typical), row('least typical', 'atypical', examples.atypical));
}

/** A member image drawn in the theme's colours (foreground = ink). */
function imageCanvas(pixels: number[], shape: [number, number]): HTMLCanvasElement {
  const [h, w] = shape;
  const canvas = document.createElement('canvas');
  canvas.className = 'example';
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  const img = ctx.createImageData(w, h);
  const fg = parseColor(app.theme.foreground);
  const bg = parseColor(app.theme.background);
  for (let p = 0; p < w * h; p++) {
    const v = Math.max(0, Math.min(1, pixels[p] ?? 0));
    img.data[4 * p] = bg[0] + (fg[0] - bg[0]) * v;
    img.data[4 * p + 1] = bg[1] + (fg[1] - bg[1]) * v;
    img.data[4 * p + 2] = bg[2] + (fg[2] - bg[2]) * v;
    img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

let colorProbe: CanvasRenderingContext2D | null | undefined;
function parseColor(color: string): [number, number, number] {
  colorProbe ??= document.createElement('canvas').getContext('2d');
  if (!colorProbe) return [128, 128, 128];
  colorProbe.fillStyle = '#000';
  colorProbe.fillStyle = color;
  const normalized = String(colorProbe.fillStyle);
  const hex = /^#([0-9a-f]{6})$/i.exec(normalized);
  if (hex) {
    const v = parseInt(hex[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  const rgb = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(normalized);
  return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : [128, 128, 128];
}

// ------------------------------------------------------------------ parameter table

function cell(tag: 'td' | 'th', text: string, cls?: string): HTMLTableCellElement {
  const c = document.createElement(tag);
  c.textContent = text;
  if (cls) c.className = cls;
  return c;
}

function renderParams(): void {
  const table = $('params') as HTMLTableElement;
  const result = app.panel?.result;
  const t = shownIteration();
  const snapshot = snapshotAt(t);
  const source: { weights: number[]; means: number[][]; covariances?: number[][][] } | undefined =
    result && t === app.snapshots.length - 1 ? result : snapshot;
  if (!source) {
    table.replaceChildren();
    return;
  }
  const k = source.weights.length;
  const caption = document.createElement('caption');
  caption.textContent = result && t === app.snapshots.length - 1 ? 'Fitted parameters' : `Parameters at iteration ${t}`;
  const head = document.createElement('thead');
  const body = document.createElement('tbody');
  const model = modelOf();
  let sizes: number[] | undefined;
  let sizeNote = '';
  if (model === 'bernoulli' && snapshot?.model === 'bernoulli') sizes = snapshot.sizes;
  else if (result && t === app.snapshots.length - 1) {
    const s = clusterSizes(result, app.panel?.plotAssignments);
    sizes = s.sizes;
    sizeNote = s.source === 'all' ? '' : s.source === 'sample' ? ' (in plot sample)' : ' (≈ n·π)';
  }
  if (model === 'gaussian') {
    const names = columnNames();
    const d = source.means[0]?.length ?? 0;
    const showCov = d <= 6;
    head.append(row('th', ['component', 'weight π', `size${sizeNote}`, `mean (${names.join(', ')})`, showCov ? 'covariance' : 'variances (diagonal)']));
    for (let j = 0; j < k; j++) {
      const tr = document.createElement('tr');
      tr.dataset.component = String(j + 1);
      tr.append(
        cell('td', String(j + 1)),
        cell('td', formatNumber(source.weights[j])),
        cell('td', sizes ? formatNumber(sizes[j]) : '—'),
        cell('td', source.means[j].map((v) => formatNumber(v)).join(', '), 'mono'),
        covarianceCell(source.covariances?.[j], showCov),
      );
      body.append(tr);
    }
  } else {
    const labels = result && t === app.snapshots.length - 1 ? result.labelMetrics?.clusters : undefined;
    head.append(row('th', ['cluster', 'weight π', 'size', ...(labels ? ['majority label', 'purity'] : [])]));
    for (let j = 0; j < k; j++) {
      const tr = document.createElement('tr');
      tr.dataset.component = String(j + 1);
      tr.append(cell('td', String(j + 1)), cell('td', formatNumber(source.weights[j])), cell('td', sizes ? formatNumber(sizes[j]) : '—'));
      if (labels) tr.append(cell('td', String(labels[j]?.majorityLabel ?? '—')), cell('td', labels[j] ? `${(labels[j].purity * 100).toFixed(1)}%` : '—'));
      body.append(tr);
    }
  }
  table.replaceChildren(caption, head, body);
}

function row(tag: 'th' | 'td', texts: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.append(...texts.map((t) => cell(tag, t)));
  return tr;
}

function covarianceCell(cov: number[][] | undefined, full: boolean): HTMLTableCellElement {
  const td = document.createElement('td');
  td.className = 'mono';
  if (!cov) {
    td.textContent = '—';
    return td;
  }
  if (!full) {
    td.textContent = cov.map((r, i) => formatNumber(r[i])).join(', ');
    return td;
  }
  const m = document.createElement('table');
  m.className = 'matrix';
  for (const r of cov) m.append(row('td', r.map((v) => formatNumber(v))));
  td.append(m);
  return td;
}

// ------------------------------------------------------------------ messages

function saveState(): void {
  if (!app.panel) return;
  const saved: SavedState = { panel: app.panel, phase: app.phase, message: app.message, ui: app.ui };
  vscode.setState(saved);
}

function publishState(): void {
  saveState();
  if (app.panel) post({ type: 'state', state: app.panel });
}

function resetRun(): void {
  stopPlaying();
  app.snapshots = [];
  app.objective = [];
  app.logLikelihood = [];
  app.restart = 0;
  app.ui.iteration = undefined;
  app.ui.selectedCluster = undefined;
  app.message = undefined;
}

/** Messages of a run that ended (done, error, cancelled) or of an older run are ignored. */
function isCurrentRun(runId: number): boolean {
  return !app.runClosed && (app.runId === undefined || runId === app.runId);
}

function applyResult(result: FitResult): void {
  if (Array.isArray(result.snapshots) && result.snapshots.length > 0) app.snapshots = result.snapshots;
  else if (app.snapshots.length === 0) app.snapshots = [finalSnapshot(result)];
  app.objective = result.trace;
  app.logLikelihood = result.logLikelihoodTrace ?? result.trace;
}

function fillControls(): void {
  const options = app.panel?.options;
  if (!options) return;
  const k = app.panel?.result?.k ?? options.k;
  input('k').value = String(k);
  input('max-iter').value = String(options.maxIterations);
}

/** When a result comes without per-iteration snapshots, its final parameters are the one snapshot to draw. */
function finalSnapshot(result: FitResult): ParamsSnapshot {
  if (result.model === 'gaussian') {
    return { model: 'gaussian', iteration: result.iterations, weights: result.weights, means: result.means, covariances: result.covariances ?? [] };
  }
  const sizes = clusterSizes(result).sizes;
  return { model: 'bernoulli', iteration: result.iterations, weights: result.weights, means: result.means, sizes };
}

/** Shows a state from the host (restore) or from setState (webview reload). */
function restore(panel: PanelState, phase?: Phase, message?: string, ui?: UiState): void {
  resetRun();
  app.panel = panel;
  app.runId = undefined;
  app.runClosed = panel.result !== undefined || phase === 'error' || phase === 'cancelled';
  if (ui) app.ui = { ...ui };
  if (panel.result) {
    applyResult(panel.result);
    app.phase = phase === 'cancelled' || phase === 'error' ? phase : 'done';
  } else {
    app.phase = phase === 'error' || phase === 'cancelled' ? phase : 'idle';
  }
  app.message = message;
  if (app.phase === 'error') {
    clearAllCharts();
    hideViews();
  }
  fillControls();
  statusForPhase();
  scheduleRender();
}

const dispatch = createDispatcher<HostToWebview>(
  {
    restore: (m) => {
      const saved = vscode.getState() as SavedState | undefined;
      const sameFile = saved?.panel?.fileUri === m.state.fileUri;
      restore(m.state, sameFile ? saved?.phase : undefined, sameFile ? saved?.message : undefined, sameFile ? saved?.ui : undefined);
      publishState();
    },
    fitStarted: (m) => {
      const previous = app.panel;
      resetRun();
      app.runId = m.runId;
      app.runClosed = false;
      app.panel = { fileName: m.fileName, fileUri: m.fileUri ?? previous?.fileUri ?? '', options: m.options };
      if (previous?.fileName !== m.fileName) app.ui = { xColumn: 0, yColumn: 1 };
      app.phase = 'loading';
      clearAllCharts();
      hideViews();
      fillControls();
      statusForPhase();
      renderHeader();
    },
    loaded: (m) => {
      if (!isCurrentRun(m.runId) || !app.panel) return;
      app.panel = { ...app.panel, summary: m.summary, model: m.model, plotSample: capSample(m.plotSample) };
      app.phase = 'running';
      statusForPhase();
      publishState();
      scheduleRender();
    },
    progress: (m) => {
      if (!isCurrentRun(m.runId) || !app.panel) return;
      if (m.restart !== app.restart) {
        // A new restart starts again at iteration 0: show it from scratch.
        app.restart = m.restart;
        app.snapshots = [];
        app.objective = [];
        app.logLikelihood = [];
      }
      app.snapshots[m.iteration] = m.snapshot;
      app.objective[m.iteration] = m.objective;
      app.logLikelihood[m.iteration] = m.logLikelihood;
      app.phase = 'running';
      statusForPhase();
      scheduleRender();
    },
    done: (m) => {
      if (!isCurrentRun(m.runId) || !app.panel) return;
      app.panel = { ...app.panel, result: m.result, model: m.result.model, plotAssignments: m.plotAssignments, examples: m.examples };
      applyResult(m.result);
      app.phase = 'done';
      app.runClosed = true;
      fillControls();
      statusForPhase();
      publishState();
      scheduleRender();
    },
    error: (m) => {
      if (!isCurrentRun(m.runId)) return;
      stopPlaying();
      app.phase = 'error';
      app.runClosed = true;
      app.message = m.message;
      if (app.panel) app.panel = { ...app.panel, result: undefined, plotAssignments: undefined, examples: undefined };
      // Never a half-drawn panel: the message, and no charts of the failed run.
      clearAllCharts();
      hideViews();
      statusForPhase();
      renderHeader();
      publishState();
    },
    cancelled: (m) => {
      if (!isCurrentRun(m.runId)) return;
      stopPlaying();
      app.phase = 'cancelled';
      app.runClosed = true;
      const last = app.snapshots.length - 1;
      app.message = last >= 0 ? `Cancelled at iteration ${last}. The charts show the parameters reached so far.` : 'Cancelled before the first iteration.';
      if (last < 0) {
        clearAllCharts();
        hideViews();
      }
      statusForPhase();
      publishState();
      scheduleRender();
    },
  },
  (unknown) => console.warn('Mixscope panel: unknown message', unknown),
);

/** The host samples the points; this is a second guard so the panel never draws more than maxPlotPoints. */
function capSample(sample: PanelState['plotSample']): PanelState['plotSample'] {
  if (!sample || sample.d <= 0) return sample;
  const max = LIMITS_PLOT(app.panel?.options.maxPlotPoints);
  const n = Math.floor(sample.values.length / sample.d);
  if (n <= max) return sample;
  const indices: number[] = [];
  const values: number[] = [];
  for (let s = 0; s < max; s++) {
    const i = Math.floor((s * n) / max);
    indices.push(sample.indices[i]);
    for (let j = 0; j < sample.d; j++) values.push(sample.values[i * sample.d + j]);
  }
  return { indices, values, d: sample.d };
}

// ------------------------------------------------------------------ controls

function onRerun(): void {
  const check = validateRerun(input('k').value, input('max-iter').value);
  input('k').classList.toggle('invalid', !check.ok && check.field === 'k');
  input('max-iter').classList.toggle('invalid', !check.ok && check.field === 'max-iter');
  setText('control-error', check.ok ? '' : check.message);
  if (!check.ok) return;
  post({ type: 'rerun', k: check.k, maxIterations: check.maxIterations });
}

function wireControls(): void {
  input('k').min = String(LIMITS.kMin);
  input('k').max = String(LIMITS.kMax);
  input('max-iter').min = String(LIMITS.maxIterationsMin);
  input('max-iter').max = String(LIMITS.maxIterationsMax);
  $('rerun').addEventListener('click', onRerun);
  for (const id of ['k', 'max-iter']) {
    input(id).addEventListener('keydown', (e) => {
      if (e.key === 'Enter') onRerun();
    });
  }
  $('cancel').addEventListener('click', () => post({ type: 'cancel' }));
  input('scrubber').addEventListener('input', onScrub);
  $('play').addEventListener('click', togglePlay);
  select('x-col').addEventListener('change', () => {
    app.ui.xColumn = Number(select('x-col').value);
    saveState();
    scheduleRender();
  });
  select('y-col').addEventListener('change', () => {
    app.ui.yColumn = Number(select('y-col').value);
    saveState();
    scheduleRender();
  });
  for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('button.export'))) {
    button.addEventListener('click', () => {
      const chart = button.dataset.chart as ChartId;
      const format = button.dataset.format === 'svg' ? 'svg' : 'png';
      exportChart(chart, format).catch((err: unknown) => setStatus(app.phase, `Export failed: ${err instanceof Error ? err.message : String(err)}`));
    });
  }
}

// ------------------------------------------------------------------ start

function start(): void {
  app.theme = readTheme();
  watchTheme();
  wireControls();
  window.addEventListener('message', (event: MessageEvent) => {
    try {
      dispatch(event.data);
    } catch (err) {
      showInternalError(err);
    }
  });
  const saved = vscode.getState() as SavedState | undefined;
  if (saved && saved.panel && typeof saved.panel === 'object') restore(saved.panel, saved.phase, saved.message, saved.ui);
  post({ type: 'ready' });
}

start();
