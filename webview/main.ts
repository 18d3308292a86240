// The Mixscope panel (browser side, bundled by esbuild into dist/webview.js as an IIFE).
//
// Talks to the host with the typed protocol (src/shared/protocol.ts): posts {type:'ready'} at start, then handles
// restore | fitStarted | loaded | selectionProgress* | progress* | done | error | cancelled. Every message goes through the pure reducer
// (state/reducer.ts); the header and status show at once, the charts are drawn by the render scheduler
// (state/scheduler.ts: only the newest state, only when the previous draw is done) through the family's view
// (views/index.ts). vscode.setState keeps only the user's choices; {type:'state'} is posted when a fit ends.
//
// CSP: no eval. Vega runs its expressions through vega-interpreter (vega-embed `ast: true`, `expr:`), vega-embed's
// and vega-tooltip's injected <style> are disabled (their CSS is in media/panel.css).
//
// Stable selectors for tests (end-to-end and manual):
//   #title                       "<file> — Gaussian mixture, K = 2" (file name, model, K)
//   #subtitle                    n, d, converged (or degenerate)/iterations, log-likelihood, BIC, AIC
//   #status[data-state]          idle | loading | running | done | error | cancelled; text says what happened
//                                ("Converged after …", "Degenerate after …: component 2: …", "Cancelled at …")
//   #charts.stale                a re-run started: the previous fit's charts stay, dimmed, until the new fit draws
//   #history-view[data-runs]     the file's finished runs (hidden before the first): #history-runs tr[data-run] (newest
//                                first) with input[type=checkbox] to pick two; #history-compare[data-runs="3,4"]
//                                [data-delta][data-better]: #history-delta (Δ BIC), #history-a / #history-b (their
//                                parameters, tr[data-component] paired by means), #history[data-runs] svg (Gaussian,
//                                d ≥ 2: g.compare_contours_marks, g.compare_means_marks, one cell per run)
//   #charts[data-hovered]        the cluster (1-based) under the pointer in any chart or in #params, '' for none; its
//                                #params tr.hovered, and every chart's other clusters dimmed (signal hover_cluster)
//   #sample-note                 "showing 5,000 of 200,000 rows, sampled evenly" (when fewer rows are plotted)
//   #notes li                    loader notes (skipped rows, dropped columns, …)
//   #k, #max-iter, #rerun, #cancel, #control-error    re-run controls
//   body[data-model]             gaussian | bernoulli
//   #scatter[data-iteration][data-points][data-k]     scatter (SVG):
//     #scatter svg g.points_marks path                one per plotted point
//     #scatter svg g.contours_marks                   one group per contour series (K components × 2 radii),
//                                                     its path's aria-label = "component j, radius r"
//     #scatter svg g.means_marks path                 one per component
//   #x-col, #y-col               axis pickers: PC1, PC2 (d > 2), DR1, DR2 (MclustDR, once the fit is done), then the
//                                columns (Gaussian, d ≥ 2; in #scatter-toolbar, hidden for 1-D data)
//   #view-kind                   scatter | uncertainty | density | pairs (Gaussian, d ≥ 2); the scatter then has
//                                g.density_marks (density: one rule per contour segment), #uncertain-rows tr[data-row]
//                                (uncertainty: the fit's most uncertain rows by file line)
//   #pairs[data-columns][data-points] svg g.pair_points_marks, g.pair_contours_marks, g.pair_names_marks (pairs;
//                                #pair-columns input[type=checkbox] picks 2 to 8 columns)
//   #histogram[data-iteration] svg g.histogram_bars_marks path, g.density_lines_marks (K + 1: the mixture, then
//                                the components drawn above it)
//   #scrubber-bar: #scrubber (range), #play, #iteration-label   iteration scrubber (every model)
//   #loglik[data-points][data-shown] svg g.loglik_points_marks path   one per iteration (per series);
//                                g.converged_marks line; g.shown_iteration_marks line (the scrubbed iteration);
//                                a click on the chart shows the nearest iteration
//   #params                      table: tr[data-component] per component (weight, size, mean, covariance)
//   #selection-view              model selection (more than one candidate), [hidden] otherwise:
//     #selection[data-points][data-missing][data-done][data-total][data-chosen="EEE,3"][data-shown="VVV,4"]
//       svg g.selection_lines_marks path  one per covariance model (broken at a missing K)
//       svg g.selection_points_marks path one per usable candidate (click: show it)
//       svg g.selection_missing_marks path one × per failed or degenerate candidate (tooltip: why)
//       svg g.selection_chosen_marks path the ring around the chosen (or best so far); selection_shown_marks: the
//                                         dashed ring of a candidate shown instead
//     #selection-ranking tr[data-k][data-covariance]   the best five (click or Enter: show it); tr.chosen, tr.shown
//     #selection-clarity, #selection-progress, #selection-back (back to the chosen model), #selection-note
//   #scatter[data-candidate]     "VVV,4" while a selection's candidate is shown, '' for the chosen fit
//   #images[data-k][data-iteration][data-columns] svg g.image_pixels_marks   one per cluster (Bernoulli mean
//                                images, each one bitmap <image>; the grid wraps to the panel's width)
//   #examples[data-cluster] canvas.example                     member images of the clicked cluster
//   #confusion-card              the cluster × label heatmap (any family with labels), [hidden] without labels:
//     #confusion[data-k][data-labels] svg g.confusion_cells_marks path   K × L cells, aria-label
//                                  "cluster #1, label setosa: 50"; #label-metrics: accuracy, one-to-one, ARI, NMI
//   button.export[data-chart][data-format]                     export (chart: selection|scatter|histogram|loglik|images|confusion|pairs|rates|counts)
//   #selection-view, #gaussian-view, #bernoulli-view, #common-view   sections, [hidden] when not relevant (all after an error)
// Chart containers carry data-iteration (the snapshot's iteration number) once drawn: wait on it, e.g.
// `#scatter[data-iteration="15"]`, rather than on a timer.

import { createDispatcher, LIMITS, type HostToWebview, type WebviewToHost } from '../src/shared/protocol';
import { Charts, type ChartId } from './charts';
import { validateRerun } from './controls';
import { MIN_AXIS_CODE, PC_CODES } from './projection';
import { initialModel, finishedPanelState, modelOf, reduce, savedUi, shownCandidate, type PanelAction, type PanelMessage, type PanelModel, type SavedUi } from './state/reducer';
import { createRenderScheduler } from './state/scheduler';
import { savedViewUi } from './state/views';
import { chartTheme, themeKindFromClasses, type ChartTheme } from './theme';
import type { FamilyView, ViewContext } from './views/context';
import { byId, setText } from './views/dom';
import { showHeader, showStatusMessage } from './views/header';
import { wireGaussianViews } from './views/gaussianViews';
import { drawHistoryChart, showHistory, wireHistory } from './views/history';
import { createHighlighter, hoverHooks, wireTableHover } from './views/hover';
import { showIterationNotes } from './views/iteration';
import { createFamilyViews } from './views/index';
import { clearLabels, drawLabels } from './views/labels';
import { drawLoglik } from './views/loglik';
import { Player, showScrubber } from './views/scrubber';
import { drawSelection, showSelectionText, wireSelection } from './views/selection';
import { unpackFromHost } from '../src/shared/wire';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

function readTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  return chartTheme((name) => style.getPropertyValue(name), themeKindFromClasses(document.body.className.split(/\s+/)));
}

/** A saved UI state of this version (an older panel's saved state, or garbage, is ignored). */
function asSavedUi(value: unknown): SavedUi | undefined {
  const v = value as Partial<SavedUi> | undefined;
  if (!v || typeof v !== 'object' || typeof v.fileName !== 'string' || typeof v.fileUri !== 'string' || typeof v.options !== 'object' || !v.options) return undefined;
  const ui = v.ui && typeof v.ui === 'object' ? v.ui : undefined;
  const column = (n: unknown, fallback: number) => (Number.isInteger(n) && (n as number) >= 0 ? (n as number) : fallback);
  // A scatter axis is a column, a principal component or an MclustDR direction (a negative code).
  const axis = (n: unknown, fallback: number) => (Number.isInteger(n) && (n as number) >= MIN_AXIS_CODE ? (n as number) : fallback);
  const candidate = ui?.showCandidate as { k?: unknown; covariance?: unknown } | undefined;
  return {
    fileName: v.fileName,
    fileUri: v.fileUri,
    options: v.options,
    ui: {
      xColumn: axis(ui?.xColumn, PC_CODES[0]),
      yColumn: axis(ui?.yColumn, PC_CODES[1]),
      iteration: ui?.iteration === undefined ? undefined : column(ui.iteration, 0),
      selectedCluster: ui?.selectedCluster === undefined ? undefined : column(ui.selectedCluster, 0),
      showCandidate:
        candidate && Number.isInteger(candidate.k) && (candidate.k as number) >= 1 && typeof candidate.covariance === 'string'
          ? { k: candidate.k as number, covariance: candidate.covariance }
          : undefined,
      ...savedViewUi(ui as { view?: unknown; pairColumns?: unknown } | undefined),
      ...(Array.isArray(ui?.compareRuns) ? { compareRuns: ui.compareRuns.filter((id) => Number.isSafeInteger(id)).slice(-2) } : {}),
    },
  };
}

/** The panel: one state, one scheduler, one set of charts and views (no module-level mutable state). */
function startPanel(): void {
  const vscode: VsCodeApi =
    // The page's boot script (src/host/panelHtml.ts) acquired it already: it may be acquired once per page.
    (window as { mixscopeVsCodeApi?: VsCodeApi }).mixscopeVsCodeApi ??
    (typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage: () => undefined, getState: () => undefined, setState: () => undefined });
  const charts = new Charts(hoverHooks(() => state, (action) => act(action)));
  const highlighter = createHighlighter(charts, () => state);
  const views = createFamilyViews();
  const allViews: FamilyView[] = Object.values(views);
  let state: PanelModel = initialModel();
  let theme = readTheme();
  let themeVersion = 0;
  let drawnWidth = 0;

  const post = (message: WebviewToHost) => vscode.postMessage(message);

  const apply = (message: PanelMessage) => {
    if (message.type === 'hoverCluster') {
      // A hover changes no chart's data: only the highlight, on the next frame.
      const before = state;
      state = reduce(state, message);
      if (state !== before) highlighter.schedule();
      return;
    }
    state = reduce(state, message);
    saveUiIfChanged();
    if (message.type === 'fitStarted' || message.type === 'error' || message.type === 'cancelled' || message.type === 'drawFailed' || message.type === 'showCandidate') player.stop();
    if ((message.type === 'done' || message.type === 'error' || message.type === 'cancelled') && state.runClosed) {
      const finished = finishedPanelState(state);
      if (finished) post({ type: 'state', state: finished });
    }
    scheduler.update(state);
  };
  // VS Code hands this state back after a window reload: it names the file whose panel to restore. Saved whenever it
  // changes (a panel that got its result as a `restore` before it ever saw `done` must still name its file).
  let savedJson: string | undefined;
  const saveUiIfChanged = () => {
    const saved = savedUi(state);
    const json = saved === undefined ? undefined : JSON.stringify(saved);
    if (json === undefined || json === savedJson) return;
    savedJson = json;
    vscode.setState(saved);
  };
  const act = (action: PanelAction) => apply(action);
  const player = new Player(() => state, act);

  /** Shown at once with every state: text and controls, never a chart. */
  function immediate(s: PanelModel): void {
    showHeader(s);
    showScrubber(s);
    showSelectionText(s);
    showHistory(s);
    showIterationNotes(s);
    byId('charts').classList.toggle('stale', s.stale);
  }

  async function draw(s: PanelModel): Promise<void> {
    if (s.clearCharts) {
      charts.clearAll();
      for (const view of allViews) view.clear();
      clearLabels();
      byId('params').replaceChildren();
    }
    const model = s.phase === 'error' ? undefined : modelOf(s);
    // A selection's candidate can be shown before the chosen fit has a snapshot (while the sweep runs).
    const drawable = model !== undefined && (s.snapshots.length > 0 || shownCandidate(s) !== undefined);
    document.body.dataset.model = model ?? '';
    // A section may serve two families (the mixed view draws in the categorical and Gaussian ones): shown if the
    // model's view uses it.
    const uses = (v: FamilyView, id: string) => v.sectionId === id || (v.alsoShows?.includes(id) ?? false);
    for (const view of allViews) byId(view.sectionId).hidden = !allViews.some((v) => v.model === model && uses(v, view.sectionId));
    byId('common-view').hidden = !drawable;
    // A saved model applied to the file has no iterations to scrub.
    byId('scrubber-bar').hidden = !drawable || s.panel?.result?.applied !== undefined;
    const ctx: ViewContext = { state: s, charts, theme, themeVersion, act };
    drawnWidth = byId('charts').clientWidth;
    if (!drawable) {
      await Promise.all([drawSelection(ctx), drawHistoryChart(ctx)]);
      return;
    }
    const view = views[model];
    await Promise.all([drawSelection(ctx), drawLoglik(ctx), drawLabels(ctx), view.draw(ctx), drawHistoryChart(ctx)]);
    view.params(ctx, byId('params') as HTMLTableElement);
    // The newest hover (it may have changed while drawing) on the redrawn rows and charts.
    await highlighter.apply();
  }

  const scheduler = createRenderScheduler<PanelModel>({
    requestFrame: (callback) => requestAnimationFrame(() => callback()),
    now: () => performance.now(),
    delay: (ms, callback) => setTimeout(callback, ms),
    immediate,
    draw,
    onError: (error) => {
      console.error('Mixscope panel:', error);
      // A chart that cannot be drawn must not leave half a panel behind.
      apply({ type: 'drawFailed', message: error instanceof Error ? error.message : String(error) });
    },
  });

  const hostMessages = new Set<HostToWebview['type']>(['restore', 'fitStarted', 'loaded', 'selectionProgress', 'streamProgress', 'progress', 'done', 'error', 'cancelled', 'history']);
  // Exports are requests: the host answers each (written, refused, failed, cancelled) with its requestId.
  let nextExportId = 1;
  const pendingExports = new Set<number>();
  const onExported = (m: HostToWebview) => {
    if (m.type !== 'exported' || m.requestId === undefined || !pendingExports.delete(m.requestId)) return;
    if (m.outcome !== 'cancelled') showStatusMessage(m.message);
  };
  const dispatch = createDispatcher<HostToWebview>(
    { ...Object.fromEntries([...hostMessages].map((type) => [type, (m: HostToWebview) => apply(m)])), exported: onExported },
    (unknown) => console.warn('Mixscope panel: unknown message', unknown),
  );

  // VS Code flips the body class on a theme-kind change and rewrites <html style> (the variables) on any change.
  let rethemePending = false;
  const retheme = () => {
    if (rethemePending) return;
    rethemePending = true;
    requestAnimationFrame(() => {
      rethemePending = false;
      theme = readTheme();
      themeVersion++;
      scheduler.update(state);
    });
  };
  new MutationObserver(retheme).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  new MutationObserver(retheme).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  // The scatter and the image grid follow the panel's width.
  new ResizeObserver(() => {
    if (Math.abs(byId('charts').clientWidth - drawnWidth) >= 20) scheduler.update(state);
  }).observe(byId('charts'));

  wireControls();
  window.addEventListener('message', (event: MessageEvent) => {
    try {
      dispatch(unpackFromHost(event.data as HostToWebview));
    } catch (error) {
      scheduler.update(state);
      console.error('Mixscope panel:', error);
    }
  });
  const saved = asSavedUi(vscode.getState());
  if (saved) apply({ type: 'restoreUi', saved });
  fillControls();
  post({ type: 'ready' });

  function fillControls(): void {
    const options = state.panel?.options;
    if (!options) return;
    (byId('k') as HTMLInputElement).value = String(state.panel?.result?.k ?? options.k);
    (byId('max-iter') as HTMLInputElement).value = String(options.maxIterations);
  }

  function onRerun(): void {
    const k = byId('k') as HTMLInputElement;
    const maxIter = byId('max-iter') as HTMLInputElement;
    const check = validateRerun(k.value, maxIter.value);
    k.classList.toggle('invalid', !check.ok && check.field === 'k');
    maxIter.classList.toggle('invalid', !check.ok && check.field === 'max-iter');
    setText('control-error', check.ok ? '' : check.message);
    if (check.ok) post({ type: 'rerun', k: check.k, maxIterations: check.maxIterations });
  }

  function wireControls(): void {
    const k = byId('k') as HTMLInputElement;
    const maxIter = byId('max-iter') as HTMLInputElement;
    maxIter.min = String(LIMITS.maxIterationsMin);
    maxIter.max = String(LIMITS.maxIterationsMax);
    byId('rerun').addEventListener('click', onRerun);
    for (const input of [k, maxIter]) input.addEventListener('keydown', (e) => e.key === 'Enter' && onRerun());
    byId('cancel').addEventListener('click', () => post({ type: 'cancel' }));
    byId('scrubber').addEventListener('input', () => {
      player.stop();
      act({ type: 'scrub', iteration: Number((byId('scrubber') as HTMLInputElement).value) });
    });
    byId('play').addEventListener('click', () => player.toggle());
    wireSelection(act);
    wireTableHover(act);
    wireHistory(act);
    const columns = () => act({ type: 'selectColumns', xColumn: Number((byId('x-col') as HTMLSelectElement).value), yColumn: Number((byId('y-col') as HTMLSelectElement).value) });
    byId('x-col').addEventListener('change', columns);
    byId('y-col').addEventListener('change', columns);
    wireGaussianViews(act, () => state);
    const script = (language: 'python' | 'r' | 'ask', action: 'copy' | 'open') => {
      const requestId = nextExportId++;
      pendingExports.add(requestId);
      post({ type: 'script', language, action, requestId });
    };
    byId('copy-python').addEventListener('click', () => script('python', 'copy'));
    byId('copy-r').addEventListener('click', () => script('r', 'copy'));
    byId('open-script').addEventListener('click', () => script('ask', 'open'));
    for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('button.export'))) {
      button.addEventListener('click', () => {
        const chart = button.dataset.chart as ChartId;
        const format = button.dataset.format === 'svg' ? 'svg' : 'png';
        charts
          .exported(chart, format)
          .then((out) => {
            if (!('data' in out)) return showStatusMessage(out.problem);
            const requestId = nextExportId++;
            pendingExports.add(requestId);
            post({ type: 'export', format, chart, data: out.data, requestId });
          })
          .catch((err: unknown) => showStatusMessage(`Export failed: ${err instanceof Error ? err.message : String(err)}`));
      });
    }
  }

  // The controls show the options of the run a message starts or restores.
  const showOptions = (m: HostToWebview) => {
    if (m.type === 'fitStarted' || m.type === 'restore' || m.type === 'done') fillControls();
  };
  window.addEventListener('message', (event: MessageEvent) => showOptions(event.data as HostToWebview));
}

startPanel();
