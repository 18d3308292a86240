// The Mixscope panel on the host side: one WebviewPanel per data file (viewType mixscope.panel), opened beside the
// editor and reused on re-run. Webview content is not kept alive while hidden (no retainContextWhenHidden): the
// webview restores itself from setState and, when it says `ready`, the host replays what it has — the running fit
// (fitStarted, loaded, every progress so far) or the last state. After a window reload the serializer recreates the
// panel from the webview's saved state. Every message from the webview is validated before it is acted on.
// VS Code web can restore several webviews at once and leave some without their script and CSS (its webview
// service worker races: "Found unexpected service worker controller", microsoft/vscode#326544): a restored panel
// that does not say `ready` within RESTORE_READY_TIMEOUT_MS of being visible is moved to a fresh WebviewPanel
// (a new webview registers its service worker afresh), at most MAX_RESTORE_REPLACEMENTS times.

import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { saveWithDialog } from './exporting';
import { exportFileName } from './files';
import { panelHtml } from './panelHtml';
import type { FitOptions, FitResult, HostToWebview, PanelState } from '../shared/protocol';
import type { DoneMessage, LoadedMessage, ProgressMessage } from './workerClient';
import { validatePanelState, validateWebviewMessage, type ValidatedExport } from './validation';

export const PANEL_VIEW_TYPE = 'mixscope.panel';
/** Progress messages kept to replay a running fit to a webview that (re)loads; older ones are dropped. */
const MAX_REPLAYED_PROGRESS = 5000;
/** At most one progress message per this many milliseconds to the webview (the newest wins). */
const PROGRESS_INTERVAL_MS = 250;
/** How long a restored, visible webview may take to say `ready` before it is replaced by a fresh one. */
const RESTORE_READY_TIMEOUT_MS = 5000;
/** Fresh webviews tried for one restored panel before giving up (and logging it). */
const MAX_RESTORE_REPLACEMENTS = 2;
/** Fresh webviews opened at the same moment race each other again: at least this long between two replacements. */
const REPLACEMENT_SPACING_MS = 2000;
let nextReplacementAt = 0;

/** What a panel needs from the rest of the extension. */
export interface PanelHost {
  readonly extensionUri: vscode.Uri;
  readonly output: vscode.LogOutputChannel;
  rerun(panel: FitPanel, k: number, maxIterations: number): void;
  cancel(panel: FitPanel): void;
  closed(panel: FitPanel): void;
  /** Something context keys depend on changed (a result arrived, the active panel changed). */
  changed(): void;
}

interface ReadyWatch {
  timer?: ReturnType<typeof setTimeout>;
  /** Fresh webviews opened so far for this restored panel. */
  replacements: number;
}

interface RunningFit {
  runId: number;
  started: HostToWebview;
  loaded?: HostToWebview;
  progress: HostToWebview[];
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
  private running?: RunningFit;
  /** The panel's state as the webview shows it: the last run, with its result if it finished. */
  private latest?: PanelState;
  /** The last error of a run that ended without a result, replayed after `restore`. */
  private lastError?: HostToWebview;
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
    this.readyWatch ??= { replacements: 0 };
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
    watch.timer ??= setTimeout(() => {
      watch.timer = undefined;
      if (this.disposed || this.webviewReady || this.readyWatch !== watch || !this.currentPanel.visible) return;
      // Panels restored together time out together: replace them one after the other.
      const now = Date.now();
      const wait = nextReplacementAt - now;
      nextReplacementAt = Math.max(now, nextReplacementAt) + REPLACEMENT_SPACING_MS;
      if (wait > 0) {
        watch.timer = setTimeout(() => {
          watch.timer = undefined;
          this.replaceIfStillNotReady(watch);
        }, wait);
        return;
      }
      this.replaceIfStillNotReady(watch);
    }, RESTORE_READY_TIMEOUT_MS);
  }

  private replaceIfStillNotReady(watch: ReadyWatch): void {
    if (this.disposed || this.webviewReady || this.readyWatch !== watch) return;
    if (!this.currentPanel.visible) return; // hidden meanwhile: the clock starts again when it is shown
    if (watch.replacements >= MAX_RESTORE_REPLACEMENTS) {
      this.readyWatch = undefined;
      this.host.output.warn(`${this.fileName}: the restored panel still did not load after ${watch.replacements} fresh webview(s); close it and run Cluster this dataset again`);
      return;
    }
    watch.replacements++;
    this.host.output.warn(`${this.fileName}: the restored panel did not load within ${RESTORE_READY_TIMEOUT_MS / 1000} s (VS Code web's webview service-worker race after a reload); showing it in a fresh webview (${watch.replacements} of ${MAX_RESTORE_REPLACEMENTS})`);
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
    return this.running !== undefined;
  }

  /** The options of the running or last fit (for a re-run from the panel). */
  get options(): FitOptions | undefined {
    return this.latest?.options;
  }

  /** The last finished result, for exports; undefined while a fit runs or after one failed. */
  get result(): { result: FitResult; options: FitOptions } | undefined {
    if (this.running || !this.latest?.result) return undefined;
    return { result: this.latest.result, options: this.latest.options };
  }

  reveal(): void {
    if (!this.disposed) this.webviewPanel.reveal(undefined, true);
  }

  dispose(): void {
    if (!this.disposed) this.webviewPanel.dispose();
  }

  // ------------------------------------------------------------------ fit events, forwarded to the webview

  fitStarted(runId: number, options: FitOptions): void {
    const started: HostToWebview = { type: 'fitStarted', runId, fileName: this.fileName, fileUri: this.key, options };
    this.running = { runId, started, progress: [] };
    this.latest = { fileName: this.fileName, fileUri: this.key, options };
    this.lastError = undefined;
    this.post(started);
    this.host.changed();
  }

  loaded(m: LoadedMessage): void {
    if (!this.running || this.running.runId !== m.runId) return;
    const message: HostToWebview = { type: 'loaded', runId: m.runId, summary: m.summary, model: m.model, modelReason: m.modelReason, plotSample: m.plotSample };
    this.running.loaded = message;
    if (this.latest) this.latest = { ...this.latest, summary: m.summary, model: m.model, plotSample: m.plotSample };
    this.post(message);
  }

  progress(m: ProgressMessage): void {
    if (!this.running || this.running.runId !== m.runId) return;
    const message: HostToWebview = { type: 'progress', runId: m.runId, restart: m.restart, iteration: m.iteration, objective: m.objective, logLikelihood: m.logLikelihood, snapshot: m.snapshot };
    // A new restart starts again from iteration 0; the webview shows only the current one.
    if (m.iteration === 0) this.running.progress = [];
    this.running.progress.push(message);
    if (this.running.progress.length > MAX_REPLAYED_PROGRESS) this.running.progress.shift();
    this.postProgressThrottled(message);
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
      if (pending && this.running) {
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

  done(m: DoneMessage): void {
    if (!this.running || this.running.runId !== m.runId) return;
    this.dropPendingProgress();
    this.running = undefined;
    if (this.latest) this.latest = { ...this.latest, result: m.result, model: m.result.model, plotAssignments: m.plotAssignments, examples: m.examples };
    this.post({ type: 'done', runId: m.runId, result: m.result, plotAssignments: m.plotAssignments, examples: m.examples });
    this.host.changed();
  }

  failed(runId: number, message: string): void {
    if (!this.running || this.running.runId !== runId) return;
    this.dropPendingProgress();
    this.running = undefined;
    this.lastError = { type: 'error', runId, message };
    this.post(this.lastError);
    this.host.changed();
  }

  cancelled(runId: number): void {
    if (!this.running || this.running.runId !== runId) return;
    this.dropPendingProgress();
    this.running = undefined;
    this.post({ type: 'cancelled', runId });
    this.host.changed();
  }

  // ------------------------------------------------------------------ webview side

  private post(message: HostToWebview): void {
    // Before the first `ready` the script is not listening yet; what matters is replayed on `ready`.
    if (this.disposed || !this.webviewReady) return;
    this.webviewPanel.webview.postMessage(message).then(
      (delivered) => {
        if (!delivered && message.type !== 'progress') this.host.output.debug(`${this.fileName}: panel hidden, ${message.type} will be replayed when it is shown`);
      },
      (error: unknown) => this.host.output.warn(`${this.fileName}: could not post ${message.type} to the panel: ${String(error)}`),
    );
  }

  /** The webview (re)loaded: bring it up to date. */
  private replay(): void {
    if (this.running) {
      this.post(this.running.started);
      if (this.running.loaded) this.post(this.running.loaded);
      for (const p of this.running.progress) this.post(p);
      return;
    }
    if (this.latest) this.post({ type: 'restore', state: this.latest });
    if (this.lastError) this.post(this.lastError);
  }

  private async onMessage(raw: unknown): Promise<void> {
    try {
      const checked = validateWebviewMessage(raw);
      if (!checked.ok) {
        this.host.output.warn(`${this.fileName}: panel message ignored: ${checked.error}`);
        const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
        if (type === 'rerun' || type === 'export') void vscode.window.showWarningMessage(`Mixscope: ${this.fileName}: ${checked.error}`);
        return;
      }
      const message = checked.value;
      switch (message.type) {
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
          this.host.cancel(this);
          break;
        case 'export':
          await this.saveChart(message);
          break;
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

  private async saveChart(e: ValidatedExport): Promise<void> {
    const chart = e.chart || 'chart';
    await saveWithDialog({
      dataUri: this.fileUri,
      protectedUris: this.protectedUris,
      defaultName: exportFileName(this.fileName, e.chart, e.format),
      filters: e.format === 'png' ? { 'PNG image': ['png'] } : { 'SVG image': ['svg'] },
      what: `the ${chart} chart`,
      bytes: e.bytes,
      output: this.host.output,
    });
  }

  private onDisposed(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.dropPendingProgress();
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

  /** After a window reload: recreate the panel from the state the webview saved (its `panel` field). */
  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, saved: unknown): Promise<void> {
    const candidate = typeof saved === 'object' && saved !== null && 'panel' in saved ? (saved as { panel: unknown }).panel : saved;
    const checked = validatePanelState(candidate);
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
      rerun: (p, k, it) => this.host.rerun(p, k, it),
      cancel: (p) => this.host.cancel(p),
      closed: (p) => {
        if (this.panels.get(p.key) === p) this.panels.delete(p.key);
        this.host.closed(p);
        this.host.changed();
      },
      changed: () => this.host.changed(),
    };
  }
}
