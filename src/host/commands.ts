// The commands and the fits they start. A fit: resolve the file, refuse it early if it is over the memory budget,
// read it through workspace.fs (remote and virtual workspaces work; the file is only read, never written), read the
// IDX labels file beside it if there is one, and run the engine in a worker thread under a cancellable progress
// notification, forwarding everything to the file's panel. A new fit of the same file cancels the older one; fits
// of different files run side by side. Every command catches its errors: the extension host never sees a throw.

import { chooseTarget } from './commandTarget';
import * as vscode from 'vscode';
import { readSettings, reportSettingProblems } from './config';
import { companionLabelsFileName } from '../engine/data/load';
import { modelJson, assignmentsCsv } from './exportFormats';
import { saveWithDialog, siblingUri } from './exporting';
import { DATA_FILE_EXTENSIONS, exportFileName, inspectionBytes, matchesDataFileMenus, isIdxImagesFileName } from './files';
import { fileNameOf, type FitPanel, type PanelManager } from './panel';
import type { CovarianceType, FitOptions, FitResult, ModelChoice } from '../shared/protocol';
import { checkFileSize, describeValue, formatBytes, validateK, validateMaxIterations } from './validation';
import { DEFAULT_WORKER_MEMORY_LIMIT_MB, allocateRunId, inspectDataset, startFit, type FitOutcome, type FitRun, type WorkerClientOptions } from './workerClient';

/** A problem to tell the user as it is (no stack): missing file, too large, folder… */
export class UserFacingError extends Error {}

type StopReason = 'user' | 'superseded' | 'panel-closed' | 'shutdown';

interface Session {
  key: string;
  fileName: string;
  runId: number;
  run?: FitRun;
  stopped?: StopReason;
  /** Resolves when the session is stopped, to abandon a read in progress at once. */
  stoppedSignal: Promise<void>;
  signalStop(): void;
}

interface ReadFile {
  bytes: Uint8Array;
  size: number;
}

/** The user-visible text of an engine or host error, always naming the file once. */
export function userMessage(fileName: string, message: string): string {
  return message.startsWith(`${fileName}:`) || message.startsWith(fileName + ' ') ? `Mixscope: ${message}` : `Mixscope: ${fileName}: ${message}`;
}

function describeFsError(fileName: string, error: unknown): string {
  if (error instanceof vscode.FileSystemError) {
    switch (error.code) {
      case 'FileNotFound':
      case 'EntryNotFound':
        return `${fileName} was not found (was it moved or deleted?).`;
      case 'NoPermissions':
        return `${fileName} cannot be read: permission denied.`;
      case 'FileIsADirectory':
      case 'EntryIsADirectory':
        return `${fileName} is a folder, not a data file.`;
      case 'Unavailable':
        return `${fileName} is unavailable right now (${error.message}).`;
    }
  }
  return `${fileName} could not be read: ${error instanceof Error ? error.message : String(error)}`;
}

/** stat + the memory-budget check, before a single byte is read. */
async function statDataFile(uri: vscode.Uri, fileName: string, maxFileSizeMB: number): Promise<number> {
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch (error) {
    throw new UserFacingError(describeFsError(fileName, error));
  }
  if (stat.type & vscode.FileType.Directory) throw new UserFacingError(`${fileName} is a folder, not a data file.`);
  const refusal = checkFileSize(fileName, stat.size, maxFileSizeMB);
  if (refusal) throw new UserFacingError(refusal);
  return stat.size;
}

async function readDataFile(uri: vscode.Uri, fileName: string, maxFileSizeMB: number): Promise<ReadFile> {
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (error) {
    throw new UserFacingError(describeFsError(fileName, error));
  }
  // The file may have grown between stat and read.
  const refusal = checkFileSize(fileName, bytes.length, maxFileSizeMB);
  if (refusal) throw new UserFacingError(refusal);
  return { bytes, size: bytes.length };
}

export interface FitManagerEnv {
  extensionUri: vscode.Uri;
  output: vscode.LogOutputChannel;
  panels: PanelManager;
  /** Called when the set of running fits changes (context keys). */
  changed(): void;
}

/** Runs fits: one session per data file at a time, any number of files at once. */
export class FitManager {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly env: FitManagerEnv) {}

  private get client(): Omit<WorkerClientOptions, 'memoryLimitMb'> {
    return { workerPath: vscode.Uri.joinPath(this.env.extensionUri, 'dist', 'worker.js').fsPath };
  }

  isRunning(uri: vscode.Uri): boolean {
    return this.sessions.has(uri.toString());
  }

  running(): { key: string; fileName: string }[] {
    return [...this.sessions.values()].map((s) => ({ key: s.key, fileName: s.fileName }));
  }

  /** Stops the fit of this file (terminating its worker at once). Returns false when none was running. */
  cancel(key: string, reason: StopReason): boolean {
    const session = this.sessions.get(key);
    if (!session) return false;
    this.stop(session, reason);
    return true;
  }

  cancelAll(reason: StopReason): void {
    for (const session of [...this.sessions.values()]) this.stop(session, reason);
  }

  private stop(session: Session, reason: StopReason): void {
    if (session.stopped) return;
    session.stopped = reason;
    session.run?.cancel();
    session.signalStop();
    if (this.sessions.get(session.key) === session) this.sessions.delete(session.key);
    this.env.changed();
  }

  /**
   * Fits `uri` with `options`. Resolves when the fit has ended: with the result, or undefined when it failed or was
   * cancelled; never rejects — every problem is shown to the user naming the file. `preread`: bytes already read
   * (the options command inspects them first).
   */
  async fit(uri: vscode.Uri, options: FitOptions, maxFileSizeMB: number, preread?: ReadFile): Promise<FitResult | undefined> {
    const { output } = this.env;
    const fileName = fileNameOf(uri);
    const key = uri.toString();
    let size: number;
    try {
      size = preread ? preread.size : await statDataFile(uri, fileName, maxFileSizeMB);
    } catch (error) {
      this.reportFailure(fileName, error);
      return undefined;
    }

    let signalStop!: () => void;
    const stoppedSignal = new Promise<void>((resolve) => (signalStop = resolve));
    const session: Session = { key, fileName, runId: allocateRunId(), stoppedSignal, signalStop };
    const previous = this.sessions.get(key);
    this.sessions.set(key, session);
    if (previous) {
      this.stop(previous, 'superseded');
      output.info(`${fileName}: run ${previous.runId} cancelled: superseded by run ${session.runId}`);
      void vscode.window.showInformationMessage(`Mixscope: a new fit of ${fileName} was started, so the one still running was cancelled.`);
    }
    this.env.changed();

    let panel: FitPanel | undefined;
    let result: FitResult | undefined;
    try {
      panel = this.env.panels.open(uri);
      panel.fitStarted(session.runId, options);
      output.info(`${fileName}: fit started (run ${session.runId}) — ${uri.toString(true)}, ${formatBytes(size)}`);
      output.info(`  settings: ${describeOptions(options)}`);
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Mixscope: ${fileName}`, cancellable: true },
        (progress, token) => this.runSession(session, uri, options, maxFileSizeMB, preread, panel!, progress, token),
      );
    } catch (error) {
      if (!session.stopped) {
        const message = this.reportFailure(fileName, error);
        panel?.failed(session.runId, message);
      }
    } finally {
      if (this.sessions.get(key) === session) this.sessions.delete(key);
      this.env.changed();
    }
    return result;
  }

  private async runSession(
    session: Session,
    uri: vscode.Uri,
    options: FitOptions,
    maxFileSizeMB: number,
    preread: ReadFile | undefined,
    panel: FitPanel,
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    token: vscode.CancellationToken,
  ): Promise<FitResult | undefined> {
    const { output } = this.env;
    const { fileName } = session;
    const subscription = token.onCancellationRequested(() => this.stop(session, 'user'));
    try {
      progress.report({ message: 'reading the file…' });
      const readOrStop = <T>(p: Promise<T>) => Promise.race([p, session.stoppedSignal.then(() => undefined)]);
      const data = preread ?? (await readOrStop(readDataFile(uri, fileName, maxFileSizeMB)));
      if (!data || session.stopped) return this.finishCancelled(session, panel);

      const labels = isIdxImagesFileName(fileName) ? await readOrStop(this.readCompanionLabels(uri, fileName, maxFileSizeMB)) : undefined;
      if (session.stopped) return this.finishCancelled(session, panel);
      panel.protectedUris = labels ? [labels.uri] : [];

      progress.report({ message: 'loading…' });
      const totalSteps = Math.max(1, options.maxIterations * options.restarts);
      let reported = 0;
      let lastReport = 0;
      const run = startFit(
        { ...this.client, memoryLimitMb: Math.min(16384, Math.max(DEFAULT_WORKER_MEMORY_LIMIT_MB, 4 * maxFileSizeMB)) },
        { runId: session.runId, fileName, bytes: data.bytes, options, labelBytes: labels?.bytes, labelFileName: labels?.name },
        {
          onLoaded: (m) => {
            panel.loaded(m);
            const s = m.summary;
            output.info(`${fileName}: loaded ${s.n} × ${s.d} (${s.columns.length <= 12 ? s.columns.join(', ') : `${s.columns.slice(0, 12).join(', ')}, …`}); model ${m.model}: ${m.modelReason}`);
            if (s.skippedRows > 0) output.info(`  skipped ${s.skippedRows} rows (lines ${s.skippedLines.join(', ')}${s.skippedRows > s.skippedLines.length ? ', …' : ''})`);
            for (const d of s.droppedColumns) output.info(`  column ${d.name} left out: ${d.reason}`);
            for (const note of s.notes) output.info(`  ${note}`);
            progress.report({ message: `${s.n} × ${s.d}, ${m.model} mixture, K = ${options.k}` });
          },
          onProgress: (m) => {
            panel.progress(m);
            const done = Math.min(totalSteps, m.restart * options.maxIterations + m.iteration);
            const percent = (100 * done) / totalSteps;
            const now = Date.now();
            // Per-iteration messages, at most ~4 per second so a fast fit does not flood the notification.
            if (now - lastReport >= 250 || m.iteration === 0) {
              lastReport = now;
              const restart = options.restarts > 1 ? ` (restart ${m.restart + 1}/${options.restarts})` : '';
              progress.report({ message: `iteration ${m.iteration}${restart} · log-likelihood ${formatNumber(m.logLikelihood)}`, increment: Math.max(0, percent - reported) });
              reported = Math.max(reported, percent);
            }
          },
        },
      );
      session.run = run;
      if (session.stopped) run.cancel();
      const outcome = await run.finished;
      this.finish(session, panel, outcome);
      return outcome.status === 'done' ? outcome.message.result : undefined;
    } finally {
      subscription.dispose();
    }
  }

  private async readCompanionLabels(uri: vscode.Uri, fileName: string, maxFileSizeMB: number): Promise<{ uri: vscode.Uri; name: string; bytes: Uint8Array } | undefined> {
    const name = companionLabelsFileName(fileName);
    if (!name) return undefined;
    const labelsUri = siblingUri(uri, name);
    try {
      await statDataFile(labelsUri, name, maxFileSizeMB);
    } catch (error) {
      this.env.output.info(`${fileName}: no labels used (${error instanceof Error ? error.message : String(error)})`);
      return undefined;
    }
    try {
      const { bytes } = await readDataFile(labelsUri, name, maxFileSizeMB);
      this.env.output.info(`${fileName}: labels from ${name}`);
      return { uri: labelsUri, name, bytes };
    } catch (error) {
      // The images can be clustered without their labels; say why they are missing.
      this.env.output.warn(`${fileName}: labels not used: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  private finishCancelled(session: Session, panel: FitPanel): undefined {
    this.finish(session, panel, { status: 'cancelled', elapsedMs: 0 });
    return undefined;
  }

  private finish(session: Session, panel: FitPanel, outcome: FitOutcome): void {
    const { output } = this.env;
    const { fileName } = session;
    switch (outcome.status) {
      case 'done': {
        const r = outcome.message.result;
        panel.done(outcome.message);
        const how = r.converged ? `converged after ${r.iterations} iterations` : `stopped after ${r.iterations} iterations (not converged)`;
        output.info(`${fileName}: ${r.model} mixture, K = ${r.k}, ${how} in ${outcome.elapsedMs} ms; log-likelihood ${formatNumber(r.logLikelihood)}, BIC ${formatNumber(r.bic)}, AIC ${formatNumber(r.aic)}`);
        for (const note of r.notes ?? []) output.info(`  ${note}`);
        vscode.window.setStatusBarMessage(`Mixscope: ${fileName} — ${how}`, 8000);
        break;
      }
      case 'error': {
        const message = userMessage(fileName, outcome.message);
        output.error(`${fileName}: ${outcome.kind} error after ${outcome.elapsedMs} ms: ${outcome.message}`);
        panel.failed(session.runId, outcome.message);
        // The first line for the notification; internal errors carry a stack, which stays in the log.
        void vscode.window.showErrorMessage(message.split('\n')[0], 'Show Log').then((choice) => {
          if (choice) output.show(true);
        });
        break;
      }
      case 'cancelled': {
        const reason = session.stopped ?? 'user';
        output.info(`${fileName}: run ${session.runId} cancelled (${reason})`);
        if (reason === 'superseded') break; // the new run's panel state is not touched; the user was told already
        panel.cancelled(session.runId);
        if (reason === 'user') void vscode.window.showInformationMessage(`Mixscope: fit of ${fileName} cancelled.`);
        else if (reason === 'panel-closed') void vscode.window.showInformationMessage(`Mixscope: fit of ${fileName} cancelled (its panel was closed).`);
        break;
      }
    }
  }

  /** Shows and logs a failure outside the worker (reading the file, opening the panel). Returns the message. */
  private reportFailure(fileName: string, error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    if (!(error instanceof UserFacingError)) this.env.output.error(`${fileName}: ${error instanceof Error ? (error.stack ?? text) : text}`);
    else this.env.output.warn(`${fileName}: ${text}`);
    void vscode.window.showErrorMessage(userMessage(fileName, text));
    return text;
  }
}

function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e6 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(4) : x.toFixed(3);
}

export function describeOptions(o: FitOptions): string {
  const parts = [
    `model=${o.model}`,
    `k=${o.k}`,
    `maxIterations=${o.maxIterations}`,
    `tolerance=${o.tolerance}`,
    `seed=${o.seed}`,
    `init=${o.init}`,
    `restarts=${o.restarts}`,
    `covarianceType=${o.covarianceType}`,
    `regularization=${o.regularization}`,
    `standardize=${o.standardize}`,
    `columns=${o.columns.length ? o.columns.join(',') : '(all numeric)'}`,
    `emVariant=${o.emVariant}`,
  ];
  if (o.model !== 'gaussian') parts.push(`threshold=${o.threshold}`, `betaPrior=[${o.betaPrior.join(',')}]`, `imageWidth=${o.imageWidth}`);
  parts.push(`maxPlotPoints=${o.maxPlotPoints}`, `threads=${o.threads}`);
  return parts.join(' ');
}

// ------------------------------------------------------------------------------------------------ target files

function activeResource(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.uri.scheme !== 'untitled') return editor.document.uri;
  // Binary files (IDX, .npy, .gz) open in a custom or binary editor, not a text editor.
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return undefined;
}

/**
 * The files a command acts on: the Explorer's selection, else the clicked resource (context menus), else the active
 * editor's file if it is a data file, else a file picker. Empty when the user cancels the picker.
 */
export async function resolveTargets(arg?: unknown, selection?: unknown): Promise<vscode.Uri[]> {
  if (Array.isArray(selection) && selection.length > 1 && selection.every((u) => u instanceof vscode.Uri)) return selection as vscode.Uri[];
  if (arg instanceof vscode.Uri) return [arg];
  const active = activeResource();
  if (active && matchesDataFileMenus(fileNameOf(active))) return [active];
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    canSelectFiles: true,
    canSelectFolders: false,
    openLabel: 'Cluster',
    title: 'Mixscope: choose a data file to cluster',
    defaultUri: active ? siblingUri(active, '') : vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'Data files': [...DATA_FILE_EXTENSIONS], 'All files (IDX files have no extension)': ['*'] },
  });
  return picked ?? [];
}

// ------------------------------------------------------------------------------------------------ commands

export interface CommandEnv extends FitManagerEnv {
  fits: FitManager;
}

/** Wraps a command so that nothing it throws reaches the extension host. */
function safely(env: CommandEnv, name: string, body: (...args: unknown[]) => Promise<unknown>): (...args: unknown[]) => Promise<unknown> {
  return async (...args: unknown[]) => {
    try {
      return await body(...args);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      env.output.error(`${name} failed: ${error instanceof Error ? (error.stack ?? text) : text}`);
      void vscode.window.showErrorMessage(`Mixscope: ${text}`);
    }
  };
}

export function registerCommands(context: vscode.ExtensionContext, env: CommandEnv): void {
  const register = (id: string, body: (...args: unknown[]) => Promise<unknown>) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, safely(env, id, body)));

  // Returns the FitResult (undefined if the fit failed or was cancelled), or one per file for a multi-selection:
  // scripts and the integration tests use it.
  register('mixscope.clusterDataset', async (arg, selection) => {
    const targets = await resolveTargets(arg, selection);
    const results = await Promise.all(
      targets.map((uri) => {
        const settings = readSettings(uri);
        reportSettingProblems(settings.problems, env.output);
        return env.fits.fit(uri, settings.options, settings.maxFileSizeMB);
      }),
    );
    return targets.length > 1 ? results : results[0];
  });

  register('mixscope.clusterDatasetWithOptions', async (arg) => {
    const [uri] = await resolveTargets(arg);
    if (!uri) return undefined;
    return clusterWithOptions(env, uri);
  });

  register('mixscope.cancelFit', async (arg) => {
    const running = env.fits.running();
    const target = chooseTarget(arg, env.panels.active()?.key, running.map((r) => r.key));
    let key = target.kind === 'file' ? target.key : undefined;
    if (target.kind === 'choose') {
      const pick = await vscode.window.showQuickPick(
        running.map((r) => ({ label: r.fileName, description: r.key, key: r.key })),
        { title: 'Mixscope: cancel which fit?' },
      );
      key = pick?.key;
      if (!key) return;
    }
    if (!key || !env.fits.cancel(key, 'user')) void vscode.window.showInformationMessage('Mixscope: no fit is running.');
  });

  register('mixscope.exportResult', async (arg) => {
    const withResults = env.panels.all().filter((p) => p.result);
    const target = chooseTarget(arg, env.panels.active()?.key, withResults.map((p) => p.key));
    let panel = target.kind === 'file' ? withResults.find((p) => p.key === target.key) : undefined;
    if (target.kind === 'choose') {
      const pick = await vscode.window.showQuickPick(
        withResults.map((p) => ({ label: p.fileName, description: p.fileUri.toString(true), panel: p })),
        { title: 'Mixscope: export the result of which file?' },
      );
      if (!pick) return;
      panel = pick.panel;
    }
    if (!panel) {
      void vscode.window.showInformationMessage('Mixscope: there is no finished fit to export yet. Run "Cluster this dataset" first.');
      return;
    }
    const fitted = panel.result!;
    const format = await vscode.window.showQuickPick(
      [
        { label: 'Cluster assignments (CSV)', description: `${fitted.result.n} rows: row, cluster`, id: 'csv' as const },
        { label: 'Fitted model (JSON)', description: 'weights, means, covariances, log-likelihood, BIC, settings', id: 'json' as const },
      ],
      { title: `Mixscope: export the fit of ${panel.fileName}` },
    );
    if (!format) return;
    const text = format.id === 'csv' ? assignmentsCsv(fitted.result) : modelJson(panel.fileName, fitted.options, fitted.result);
    await saveWithDialog({
      dataUri: panel.fileUri,
      protectedUris: panel.protectedUris,
      defaultName: exportFileName(panel.fileName, format.id === 'csv' ? 'assignments' : 'model', format.id),
      filters: format.id === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
      what: format.id === 'csv' ? 'the cluster assignments' : 'the fitted model',
      bytes: new TextEncoder().encode(text),
      output: env.output,
    });
  });
}

/** Re-run from the panel: the panel's last options with the new K and iterations (already validated). */
export function rerunFromPanel(env: CommandEnv, panel: FitPanel, k: number, maxIterations: number): void {
  const settings = readSettings(panel.fileUri);
  const base = panel.options ?? settings.options;
  void env.fits.fit(panel.fileUri, { ...base, k, maxIterations }, settings.maxFileSizeMB);
}

// ------------------------------------------------------------------------------------------------ with options

async function clusterWithOptions(env: CommandEnv, uri: vscode.Uri): Promise<FitResult | undefined> {
  const fileName = fileNameOf(uri);
  const settings = readSettings(uri);
  reportSettingProblems(settings.problems, env.output);
  const o = settings.options;
  const steps = 5;
  const title = (step: number) => `Mixscope: cluster ${fileName} (${step}/${steps})`;

  const models: { label: string; description: string; id: ModelChoice }[] = [
    { label: 'auto', description: 'Bernoulli for binary or image data, Gaussian otherwise', id: 'auto' },
    { label: 'gaussian', description: 'Gaussian mixture on the numeric columns', id: 'gaussian' },
    { label: 'bernoulli', description: 'Bernoulli mixture on binarised values', id: 'bernoulli' },
  ];
  const model = await vscode.window.showQuickPick(
    models.map((m) => ({ ...m, picked: m.id === o.model, detail: m.id === o.model ? 'current setting' : undefined })),
    { title: title(1), placeHolder: 'Model' },
  );
  if (!model) return;

  const k = await askWholeNumber(title(2), 'Number of components K', o.k, validateK);
  if (k === undefined) return;
  const maxIterations = await askWholeNumber(title(3), 'Maximum EM iterations', o.maxIterations, (v) => validateMaxIterations(v, 'The number of iterations'));
  if (maxIterations === undefined) return;

  let covarianceType: CovarianceType = o.covarianceType;
  if (model.id !== 'bernoulli') {
    const types: { label: CovarianceType; description: string }[] = [
      { label: 'full', description: 'each component its own covariance matrix' },
      { label: 'diag', description: 'each component its own diagonal covariance' },
      { label: 'spherical', description: 'each component a single variance' },
      { label: 'tied', description: 'one covariance matrix shared by all components' },
    ];
    const pick = await vscode.window.showQuickPick(
      types.map((t) => ({ ...t, detail: t.label === o.covarianceType ? 'current setting' : undefined })),
      { title: title(4), placeHolder: 'Covariance type (Gaussian)' },
    );
    if (!pick) return;
    covarianceType = pick.label;
  }

  // Columns: read the file once (the fit reuses the bytes) and let the real loader list them from a prefix.
  let data: ReadFile;
  try {
    await statDataFile(uri, fileName, settings.maxFileSizeMB);
    data = await readDataFile(uri, fileName, settings.maxFileSizeMB);
  } catch (error) {
    void vscode.window.showErrorMessage(userMessage(fileName, error instanceof Error ? error.message : String(error)));
    return;
  }
  let columns = o.columns;
  const sample = isIdxImagesFileName(fileName) ? undefined : inspectionBytes(fileName, data.bytes);
  if (sample) {
    const inspected = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Mixscope: reading the columns of ${fileName}` },
      () => inspectDataset({ workerPath: vscode.Uri.joinPath(env.extensionUri, 'dist', 'worker.js').fsPath }, { fileName, bytes: sample, options: { ...o, model: model.id, columns: [] } }),
    );
    if (inspected.status === 'error') {
      void vscode.window.showErrorMessage(userMessage(fileName, inspected.message).split('\n')[0]);
      return;
    }
    if (inspected.status === 'loaded' && !inspected.message.summary.imageShape && inspected.message.summary.columns.length > 1) {
      const all = inspected.message.summary.columns;
      const wanted = new Set(o.columns.length ? o.columns : all);
      const dropped = inspected.message.summary.droppedColumns;
      const picks = await vscode.window.showQuickPick(
        all.map((c) => ({ label: c, picked: wanted.has(c) })),
        {
          title: title(5),
          canPickMany: true,
          placeHolder: `Columns to fit (${all.length} numeric${dropped.length ? `; not numeric: ${dropped.map((d) => d.name).join(', ')}` : ''})`,
        },
      );
      if (!picks) return;
      if (picks.length === 0) {
        void vscode.window.showWarningMessage(`Mixscope: no column chosen, so ${fileName} was not fitted.`);
        return;
      }
      columns = picks.length === all.length ? [] : picks.map((p) => p.label);
    } else if (inspected.status === 'timeout') {
      env.output.warn(`${fileName}: reading the columns took too long; fitting ${o.columns.length ? o.columns.join(', ') : 'every numeric column'}`);
    }
  }
  return env.fits.fit(uri, { ...o, model: model.id, k, maxIterations, covarianceType, columns }, settings.maxFileSizeMB, data);
}

async function askWholeNumber(
  title: string,
  prompt: string,
  current: number,
  validate: (v: unknown) => { ok: true; value: number } | { ok: false; error: string },
): Promise<number | undefined> {
  const parse = (text: string) => (text.trim() === '' ? NaN : Number(text.trim()));
  const answer = await vscode.window.showInputBox({
    title,
    prompt,
    value: String(current),
    validateInput: (text) => {
      const checked = validate(parse(text));
      return checked.ok ? undefined : checked.error.replace(/got NaN/, `got ${describeValue(text)}`);
    },
  });
  if (answer === undefined) return undefined;
  const checked = validate(parse(answer));
  return checked.ok ? checked.value : undefined;
}
