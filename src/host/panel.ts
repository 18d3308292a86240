// The Mixscope panel on the host side: one WebviewPanel per data file (viewType mixscope.panel), opened beside the
// editor and reused on re-run. A panel follows the FitSession of its file's current run and forwards the session's
// events to the webview unchanged (progress at most one per PROGRESS_INTERVAL_MS, the newest; the end of a run at
// once). Webview content is not kept alive while hidden (no retainContextWhenHidden): when it says `ready`, the host
// sends what it has — the running fit's newest state or the last result. The host owns that state: the last finished
// result is kept in the workspace state (PanelStore), and after a window reload the serializer recreates the panel
// from it. Every message from the webview is validated before it is acted on.
// VS Code web can restore several webviews at once and leave some without their script and CSS (its webview
// service worker races: "Found unexpected service worker controller", microsoft/vscode#326544): a restored panel
// that does not say `ready` within RESTORE_READY_TIMEOUT_MS of being visible is moved to a fresh WebviewPanel
// (a new webview registers its service worker afresh), at most MAX_RESTORE_REPLACEMENTS times.

import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { saveWithDialog } from './exporting';
import { exportFileName } from './files';
import type { FitEvent, FitSession } from './fitSession';
import { panelHtml } from './panelHtml';
import { reproduceInCode } from './reproduce';
import { stateToRestore, type PanelStore } from './panelStore';
import { nextRunId, summarizeRun, withRun } from './runHistory';
import type { DatasetSummary, FitOptions, FitResult, HostToWebview, PanelState, RunSummary } from '../shared/protocol';
import { validateWebviewMessage, type ValidatedExport } from './validation';
import { packForWebview } from '../shared/wire';

export const PANEL_VIEW_TYPE = 'mixscope.panel';
/** At most one progress message per this many milliseconds to the webview (the newest wins). */
export const PROGRESS_INTERVAL_MS = 150;
/** How long a restored, visible webview may take to say `loading` (its document is alive) before it is replaced. */
const RESTORE_ALIVE_TIMEOUT_MS = 10_000;
/** How long a live webview may take to load its bundle and say `ready` (a loaded machine parses 2 MB slowly). */
const RESTORE_READY_TIMEOUT_MS = 60_000;
/** Fresh webviews tried for one restored panel before giving up (and logging it). */
const MAX_RESTORE_REPLACEMENTS = 2;
/** Fresh webviews opened at the same moment race each other again: at least this long between two replacements. */
const REPLACEMENT_SPACING_MS = 2000;
let nextReplacementAt = 0;

/** What a panel needs from the rest of the extension. */
export interface PanelHost {
  readonly extensionUri: vscode.Uri;
  readonly output: vscode.LogOutputChannel;
  /** Where finished results are kept across window reloads. */
  readonly store?: PanelStore;
  rerun(panel: FitPanel, k: number | 'auto', maxIterations: number): void;
  closed(panel: FitPanel): void;
  /** Something context keys depend on changed (a result arrived, the active panel changed). */
  changed(): void;
}

interface ReadyWatch {
  timer?: ReturnType<typeof setTimeout>;
  /** The webview's document said `loading`: only its bundle is awaited now. */
  alive: boolean;
  /** Fresh webviews opened so far for this restored panel. */
  replacements: number;
}

export function fileNameOf(uri: vscode.Uri): string {
  return path.posix.basename(uri.path) || uri.toString();
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    // Only our own bundles and styles: the webview cannot load the workspace's files or anything else.
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export class FitPanel {
  readonly key: string;
  readonly fileName: string;
  /** Files an export must never overwrite besides the data file (e.g. its labels file). */
  protectedUris: vscode.Uri[] = [];
  private webviewReady = false;
  private disposed = false;
  /** The run this panel shows (running or ended); the panel listens to it until the next run. */
  private session?: FitSession;
  private unsubscribe?: () => void;
  /** The panel's state as the webview shows it: the last run, with its result if it finished. */
  private latest?: PanelState;
  /** The file's finished runs, oldest first (bounded), kept with `latest` in the store. */
  private history: RunSummary[];
  /** Subscriptions to the current WebviewPanel (dropped when it is replaced by a fresh one). */
  private subscriptions: vscode.Disposable[] = [];
  private currentPanel: vscode.WebviewPanel;
  /** Restore watchdog: armed until the first `ready` after a window reload. */
  private readyWatch?: ReadyWatch;

  constructor(
    webviewPanel: vscode.WebviewPanel,
    readonly fileUri: vscode.Uri,
    private readonly host: PanelHost,
    restored?: PanelState,
  ) {
    this.key = fileUri.toString();
    this.fileName = fileNameOf(fileUri);
    this.latest = restored;
    this.history = restored?.history ?? [];
    this.currentPanel = webviewPanel;
    this.attach(webviewPanel);
  }

  /** The WebviewPanel currently showing this panel (a restored one may have been replaced by a fresh one). */
  get webviewPanel(): vscode.WebviewPanel {
    return this.currentPanel;
  }

  private attach(webviewPanel: vscode.WebviewPanel): void {
    const host = this.host;
    this.currentPanel = webviewPanel;
    this.webviewReady = false;
    const webview = webviewPanel.webview;
    webview.options = webviewOptions(host.extensionUri);
    webviewPanel.title = `Mixscope: ${this.fileName}`;
    webviewPanel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'icon.png');
    webview.html = panelHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(host.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(host.extensionUri, 'media', 'panel.css')).toString(),
      cspSource: webview.cspSource,
      nonce: crypto.randomBytes(18).toString('base64'),
      title: this.fileName,
    });
    this.subscriptions = [
      webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
      webviewPanel.onDidChangeViewState(() => {
        this.armReadyWatch();
        host.changed();
      }),
      webviewPanel.onDidDispose(() => this.onDisposed()),
    ];
  }

  /**
   * After a window reload: if this panel's webview is visible but has not said `ready` within
   * RESTORE_READY_TIMEOUT_MS, show the panel in a fresh WebviewPanel instead. A background tab has no webview
   * loaded yet, so the clock only runs while the panel is visible.
   */
  watchRestore(): void {
    if (this.disposed || this.webviewReady) return;
    this.readyWatch ??= { replacements: 0, alive: false };
    this.armReadyWatch();
  }

  private armReadyWatch(): void {
    const watch = this.readyWatch;
    if (!watch || this.disposed) return;
    if (this.webviewReady || !this.currentPanel.visible) {
      if (watch.timer) clearTimeout(watch.timer);
      watch.timer = undefined;
      return;
    }
    const timeout = watch.alive ? RESTORE_READY_TIMEOUT_MS : RESTORE_ALIVE_TIMEOUT_MS;
    watch.timer ??= setTimeout(() => {
      watch.timer = undefined;
      this.scheduleReplacement(watch, watch.alive ? `did not load its script within ${timeout / 1000} s` : `did not start within ${timeout / 1000} s`);
    }, timeout);
  }

  /** Panels restored together fail together: they are replaced one after the other, REPLACEMENT_SPACING_MS apart. */
  private scheduleReplacement(watch: ReadyWatch, why: string): void {
    if (this.disposed || this.webviewReady || this.readyWatch !== watch || !this.currentPanel.visible) return;
    const now = Date.now();
    const wait = nextReplacementAt - now;
    nextReplacementAt = Math.max(now, nextReplacementAt) + REPLACEMENT_SPACING_MS;
    if (wait <= 0) {
      this.replaceIfStillNotReady(watch, why);
      return;
    }
    watch.timer = setTimeout(() => {
      watch.timer = undefined;
      this.replaceIfStillNotReady(watch, why);
    }, wait);
  }

  /** The webview's boot script ran: its document is alive, its bundle on the way. */
  private onLoading(): void {
    const watch = this.readyWatch;
    if (!watch || watch.alive) return;
    watch.alive = true;
    if (watch.timer) clearTimeout(watch.timer);
    watch.timer = undefined;
    this.armReadyWatch();
  }

  /** The webview could not load its bundle (VS Code web's service-worker race): a fresh webview, now. */
  private onLoadFailed(): void {
    const watch = (this.readyWatch ??= { replacements: 0, alive: true });
    if (watch.timer) clearTimeout(watch.timer);
    watch.timer = undefined;
    this.scheduleReplacement(watch, 'could not load its script');
  }

  private replaceIfStillNotReady(watch: ReadyWatch, why: string): void {
    if (this.disposed || this.webviewReady || this.readyWatch !== watch) return;
    if (!this.currentPanel.visible) return; // hidden meanwhile: the clock starts again when it is shown
    if (watch.replacements >= MAX_RESTORE_REPLACEMENTS) {
      this.readyWatch = undefined;
      this.host.output.warn(`${this.fileName}: the panel still did not load after ${watch.replacements} fresh webview(s); close it and run Cluster this dataset again`);
      return;
    }
    watch.replacements++;
    this.host.output.warn(`${this.fileName}: the panel's webview ${why} (VS Code web's webview service-worker race); showing it in a fresh webview (${watch.replacements} of ${MAX_RESTORE_REPLACEMENTS})`);
    watch.alive = false;
    try {
      this.replaceWebviewPanel();
    } catch (error) {
      this.readyWatch = undefined;
      this.host.output.error(`${this.fileName}: could not open a fresh webview for the restored panel: ${String(error)}`);
      return;
    }
    this.armReadyWatch();
  }

  /** Moves this panel to a new WebviewPanel in the same column; the old one is closed without closing the panel. */
  private replaceWebviewPanel(): void {
    const old = this.currentPanel;
    const fresh = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      old.title,
      { viewColumn: old.viewColumn ?? vscode.ViewColumn.Active, preserveFocus: true },
      { ...webviewOptions(this.host.extensionUri), retainContextWhenHidden: false },
    );
    // Opened first, so the editor group stays; the old panel's dispose must not count as the user closing it.
    this.subscriptions.forEach((s) => s.dispose());
    this.subscriptions = [];
    try {
      this.attach(fresh);
    } catch (error) {
      fresh.dispose();
      this.currentPanel = old;
      this.subscriptions = [old.onDidDispose(() => this.onDisposed())];
      throw error;
    }
    old.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  get isActive(): boolean {
    return !this.disposed && this.webviewPanel.active;
  }

  get isRunning(): boolean {
    return this.session?.running ?? false;
  }

  /** The options of the running or last fit (for a re-run from the panel). */
  get options(): FitOptions | undefined {
    return this.latest?.options;
  }

  /** What the panel shows: the running or last run's options, summary and result (a copy of the host's own). */
  get state(): PanelState | undefined {
    return this.latest && { ...this.latest };
  }

  /** The last finished result, for exports; undefined while a fit runs or after one failed. */
  get result(): { result: FitResult; options: FitOptions; summary?: DatasetSummary } | undefined {
    if (this.isRunning || !this.latest?.result) return undefined;
    return { result: this.latest.result, options: this.latest.options, summary: this.latest.summary };
  }

  reveal(): void {
    if (!this.disposed) this.webviewPanel.reveal(undefined, true);
  }

  dispose(): void {
    if (!this.disposed) this.webviewPanel.dispose();
  }

  // ------------------------------------------------------------------ fit events, forwarded to the webview

  /** Shows `session` from now on: what it has so far at once, then each of its events as it comes. */
  follow(session: FitSession): void {
    this.unsubscribe?.();
    this.dropPendingProgress();
    this.session = session;
    this.latest = { fileName: this.fileName, fileUri: this.key, options: session.options, history: this.history };
    this.unsubscribe = session.subscribe((event) => this.onFitEvent(event));
    for (const event of session.catchUp()) this.onFitEvent(event);
    this.host.changed();
  }

  /** Stops the run this panel shows, at once. False when it is not running. */
  stopRun(reason: 'user' | 'panel-closed'): boolean {
    if (!this.session?.running) return false;
    this.session.stop(reason);
    return true;
  }

  private onFitEvent(event: FitEvent): void {
    switch (event.type) {
      case 'fitStarted':
        this.post(event);
        return;
      case 'loaded':
        if (this.latest) this.latest = { ...this.latest, summary: event.summary, model: event.model, plotSample: event.plotSample };
        this.post(event);
        return;
      case 'progress':
        this.postProgressThrottled(event);
        return;
      case 'done':
        if (this.latest) {
          this.history = withRun(this.history, summarizeRun(event.result, this.latest.options, nextRunId(this.history), Date.now()));
          this.latest = { ...this.latest, result: event.result, model: event.result.model, plotAssignments: event.plotAssignments, examples: event.examples, history: this.history };
          this.host.store?.save(this.latest);
        }
        this.dropPendingProgress();
        this.post({ ...event, history: this.history });
        this.host.changed();
        return;
      case 'error':
      case 'cancelled':
        break;
    }
    // The end of a run goes out at once, never behind a progress still waiting for its turn.
    this.dropPendingProgress();
    this.post(event);
    this.host.changed();
  }

  // A fast fit (MNIST: ~15 iterations a second, each snapshot K × 784 numbers) would otherwise queue messages faster
  // than a remote webview takes them, and the panel (and its Cancel) would lag seconds behind the fit. Post at most one
  // progress per PROGRESS_INTERVAL_MS, always the newest; `done` carries every snapshot for the scrubber anyway.
  private lastProgressPost = 0;
  private pendingProgress: HostToWebview | undefined;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;

  private postProgressThrottled(message: HostToWebview): void {
    const wait = this.lastProgressPost + PROGRESS_INTERVAL_MS - Date.now();
    if (wait <= 0 && !this.progressTimer) {
      this.lastProgressPost = Date.now();
      this.post(message);
      return;
    }
    this.pendingProgress = message;
    this.progressTimer ??= setTimeout(() => {
      this.progressTimer = undefined;
      const pending = this.pendingProgress;
      this.pendingProgress = undefined;
      if (pending && this.isRunning) {
        this.lastProgressPost = Date.now();
        this.post(pending);
      }
    }, Math.max(0, wait));
  }

  private dropPendingProgress(): void {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    this.pendingProgress = undefined;
  }

  // ------------------------------------------------------------------ webview side

  private post(message: HostToWebview): void {
    // Before the first `ready` the script is not listening yet; what matters is replayed on `ready`.
    if (this.disposed || !this.webviewReady) return;
    this.webviewPanel.webview.postMessage(packForWebview(message)).then(
      (delivered) => {
        if (!delivered && message.type !== 'progress') this.host.output.debug(`${this.fileName}: panel hidden, ${message.type} will be replayed when it is shown`);
      },
      (error: unknown) => this.host.output.warn(`${this.fileName}: could not post ${message.type} to the panel: ${String(error)}`),
    );
  }

  /** The webview (re)loaded: bring it up to date. */
  private replay(): void {
    if (this.session && !this.session.state.done) {
      for (const event of this.session.catchUp()) this.post(event);
      if (this.history.length > 0) this.post({ type: 'history', runs: this.history });
      return;
    }
    if (this.latest) this.post({ type: 'restore', state: this.latest });
  }

  private async onMessage(raw: unknown): Promise<void> {
    try {
      const checked = validateWebviewMessage(raw);
      if (!checked.ok) {
        this.host.output.warn(`${this.fileName}: panel message ignored: ${checked.error}`);
        const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
        if (type === 'rerun' || type === 'export' || type === 'script') void vscode.window.showWarningMessage(`Mixscope: ${this.fileName}: ${checked.error}`);
        return;
      }
      const message = checked.value;
      switch (message.type) {
        case 'loading':
          this.onLoading();
          break;
        case 'loadFailed':
          this.onLoadFailed();
          break;
        case 'ready':
          this.webviewReady = true;
          if (this.readyWatch) {
            if (this.readyWatch.timer) clearTimeout(this.readyWatch.timer);
            if (this.readyWatch.replacements) this.host.output.info(`${this.fileName}: the restored panel loaded in a fresh webview (after ${this.readyWatch.replacements} replacement(s))`);
            this.readyWatch = undefined;
          }
          this.replay();
          break;
        case 'rerun':
          this.host.rerun(this, message.k, message.maxIterations);
          break;
        case 'cancel':
          if (!this.stopRun('user')) this.host.output.info(`${this.fileName}: cancel from the panel, but no fit was running`);
          break;
        case 'export': {
          const requestId = (raw as { requestId?: unknown }).requestId;
          await this.saveChart(message, typeof requestId === 'number' && Number.isSafeInteger(requestId) ? requestId : undefined);
          break;
        }
        case 'script': {
          const requestId = (raw as { requestId?: unknown }).requestId;
          await this.reproduce(message.language, message.action, typeof requestId === 'number' && Number.isSafeInteger(requestId) ? requestId : undefined);
          break;
        }
        case 'state':
          // The host keeps its own state from the worker's messages; the webview's is only used if the host has none.
          if (!this.latest && message.state.fileUri === this.key) this.latest = message.state;
          break;
      }
    } catch (error) {
      this.host.output.error(`${this.fileName}: handling a panel message failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      void vscode.window.showErrorMessage(`Mixscope: ${this.fileName}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Saves a chart and tells the panel how it went (written, refused, failed or cancelled). */
  private async saveChart(e: ValidatedExport, requestId: number | undefined): Promise<void> {
    const chart = e.chart || 'chart';
    const saved = await saveWithDialog({
      dataUri: this.fileUri,
      protectedUris: this.protectedUris,
      defaultName: exportFileName(this.fileName, e.chart, e.format),
      filters: e.format === 'png' ? { 'PNG image': ['png'] } : { 'SVG image': ['svg'] },
      what: `the ${chart} chart`,
      bytes: e.bytes,
      output: this.host.output,
    });
    const fileName = saved.outcome === 'written' ? path.posix.basename(saved.uri.path) : undefined;
    this.post({ type: 'exported', requestId, outcome: saved.outcome, message: saved.message, fileName });
  }

  /** Copies the fit as a Python or R script, or opens it as a new file, and tells the panel how it went. */
  private async reproduce(language: 'python' | 'r' | 'ask', action: 'copy' | 'open', requestId: number | undefined): Promise<void> {
    const fitted = this.result;
    const done = fitted
      ? await reproduceInCode({ fileUri: this.fileUri, fileName: this.fileName, fitted }, language, action, this.webviewPanel.viewColumn)
      : { outcome: 'failed' as const, message: 'There is no finished fit to write as code yet.' };
    if (done.outcome === 'failed') this.host.output.warn(`${this.fileName}: ${action === 'copy' ? 'copy' : 'open'} as ${language} failed: ${done.message}`);
    else if (done.outcome !== 'cancelled') this.host.output.info(`${this.fileName}: ${done.message}`);
    this.post({ type: 'exported', requestId, outcome: done.outcome, message: done.message });
  }

  private onDisposed(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.dropPendingProgress();
    // Closing a panel while its fit runs terminates the worker.
    this.stopRun('panel-closed');
    this.unsubscribe?.();
    if (this.readyWatch?.timer) clearTimeout(this.readyWatch.timer);
    this.readyWatch = undefined;
    this.subscriptions.forEach((s) => s.dispose());
    this.host.closed(this);
  }
}

/** Creates, finds and restores panels; registered as the WebviewPanelSerializer of mixscope.panel. */
export class PanelManager implements vscode.WebviewPanelSerializer<unknown> {
  private readonly panels = new Map<string, FitPanel>();

  constructor(private readonly host: PanelHost) {}

  get(uri: vscode.Uri): FitPanel | undefined {
    return this.panels.get(uri.toString());
  }

  all(): FitPanel[] {
    return [...this.panels.values()];
  }

  active(): FitPanel | undefined {
    return this.all().find((p) => p.isActive);
  }

  /** The panel of this file, revealed; created beside the editor if there is none. */
  open(uri: vscode.Uri): FitPanel {
    const existing = this.panels.get(uri.toString());
    if (existing && !existing.isDisposed) {
      existing.reveal();
      return existing;
    }
    const webviewPanel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      `Mixscope: ${fileNameOf(uri)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { ...webviewOptions(this.host.extensionUri), retainContextWhenHidden: false },
    );
    try {
      return this.track(new FitPanel(webviewPanel, uri, this.wrapHost()));
    } catch (error) {
      // Never leave an empty, untracked panel behind.
      webviewPanel.dispose();
      throw error;
    }
  }

  /**
   * After a window reload: recreate the panel of the file the webview's saved state names, with the last result the
   * host kept for that file (PanelStore), else with the state the webview saved (older versions saved it all).
   */
  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, saved: unknown): Promise<void> {
    const checked = stateToRestore(saved, this.host.store);
    if (checked.ok && checked.warning) this.host.output.warn(checked.warning);
    if (!checked.ok) {
      this.host.output.warn(`a Mixscope panel could not be restored after the reload (${checked.error}); it was closed.`);
      webviewPanel.dispose();
      return;
    }
    let uri: vscode.Uri;
    try {
      uri = vscode.Uri.parse(checked.value.fileUri, true);
    } catch (error) {
      this.host.output.warn(`a Mixscope panel could not be restored: bad file URI ${checked.value.fileUri} (${String(error)}).`);
      webviewPanel.dispose();
      return;
    }
    if (this.panels.has(uri.toString())) {
      webviewPanel.dispose();
      return;
    }
    try {
      this.track(new FitPanel(webviewPanel, uri, this.wrapHost(), checked.value)).watchRestore();
    } catch (error) {
      this.host.output.error(`the panel of ${checked.value.fileName} could not be restored: ${String(error)}`);
      webviewPanel.dispose();
      return;
    }
    this.host.output.info(`restored the panel of ${checked.value.fileName}`);
    this.host.changed();
  }

  private track(panel: FitPanel): FitPanel {
    this.panels.set(panel.key, panel);
    return panel;
  }

  private wrapHost(): PanelHost {
    // Forget a panel once it is closed, before the rest of the extension hears of it.
    return {
      extensionUri: this.host.extensionUri,
      output: this.host.output,
      store: this.host.store,
      rerun: (p, k, it) => this.host.rerun(p, k, it),
      closed: (p) => {
        if (this.panels.get(p.key) === p) this.panels.delete(p.key);
        this.host.closed(p);
        this.host.changed();
      },
      changed: () => this.host.changed(),
    };
  }
}
