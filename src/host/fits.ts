// The fits that run: one FitSession per data file at a time, any number of files at once. A fit: refuse the file
// early if it is over mixscope.maxFileSizeMB; within the memory budget read it (and the IDX labels beside it) and run
// the engine in a worker thread; a local delimited text, Parquet or Arrow file over the budget is never read here: the worker streams
// it from its path (out of core), and anything else over the budget is refused with why (fitPlan.ts). The file's
// panel and a cancellable progress notification subscribe to the session; the log is written here. A new fit of
// the same file stops the older one. Nothing here ever throws at a caller: every problem is shown to the user
// naming the file.

import * as vscode from 'vscode';
import { readCompanionLabels, readDataFile, statDataFile, userMessage, UserFacingError, type ReadFile } from './dataFile';
import { planHostFit, type FileLimits } from './fitPlan';
import { streamProgressText } from '../shared/streamText';
import { isIdxImagesFileName } from './files';
import { FitSession, type StopReason } from './fitSession';
import { describeEnding, describeOptions, doneLogLines, loadedLogLines, progressReport } from './output';
import { fileNameOf, type FitPanel } from './panel';
import type { ApplyModelInput as ModelToApply, FitOptions, FitResult } from '../shared/protocol';

/** A saved model to show on the file, and where it is (an export from its panel must not overwrite it). */
export type ApplyModelInput = ModelToApply & { modelUri?: vscode.Uri };
import { formatBytes } from './validation';
import { DEFAULT_WORKER_MEMORY_LIMIT_MB, type FitOutcome } from './workerClient';

/** The engine worker's heap limit: the data within the budget, with room for the fit's own arrays (≈ 4 × the data). */
function workerMemoryLimitMb(memoryBudgetMB: number): number {
  return Math.min(16384, Math.max(DEFAULT_WORKER_MEMORY_LIMIT_MB, 4 * memoryBudgetMB));
}

/** The progress notification shows at most this many updates a second, so a fast fit does not flood it. */
const NOTIFICATION_INTERVAL_MS = 250;

export interface FitRegistryEnv {
  extensionUri: vscode.Uri;
  output: vscode.LogOutputChannel;
  /** The panel of a file, opened (or revealed) for a run. */
  openPanel(uri: vscode.Uri): FitPanel;
  /** Called when the set of running fits changes (context keys). */
  changed(): void;
}

export class FitRegistry {
  private readonly sessions = new Map<string, FitSession>();
  /** Runs that failed before their worker started: the user was told when it happened. */
  private readonly toldAlready = new WeakSet<FitSession>();

  constructor(private readonly env: FitRegistryEnv) {}

  get workerPath(): string {
    return vscode.Uri.joinPath(this.env.extensionUri, 'dist', 'worker.js').fsPath;
  }

  /** The running session of this file, if any. */
  session(key: string): FitSession | undefined {
    return this.sessions.get(key);
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
    session.stop(reason);
    return true;
  }

  cancelAll(reason: StopReason): void {
    for (const session of [...this.sessions.values()]) session.stop(reason);
  }

  /**
   * Fits `uri` with `options`. Resolves when the fit has ended: with the result, or undefined when it failed or was
   * cancelled; never rejects. `preread`: bytes already read (the options command reads them to list the columns).
   * `apply`: show this saved model on the file instead of fitting it (a run like a fit, whose result is the model's).
   */
  async fit(uri: vscode.Uri, options: FitOptions, limits: FileLimits, preread?: ReadFile, apply?: ApplyModelInput): Promise<FitResult | undefined> {
    const { output } = this.env;
    const key = uri.toString();
    const fileName = fileNameOf(uri);
    let panel: FitPanel;
    let size: number;
    let outOfCore: boolean;
    try {
      size = preread ? preread.size : await statDataFile(uri, fileName, limits.maxFileSizeMB);
      const plan = planHostFit(uri, fileName, size, limits);
      if (plan.kind === 'refused') throw new UserFacingError(plan.message);
      outOfCore = !preread && plan.kind === 'outOfCore';
      // A saved model is shown on a file read into memory (applyModel.ts refuses larger files first).
      if (outOfCore && apply) throw new UserFacingError(`${fileName} is over the memory budget (mixscope.memoryBudgetMB): a saved model is applied to a file read into memory. Raise mixscope.memoryBudgetMB, or apply the model to a smaller sample of the file.`);
      panel = this.env.openPanel(uri);
    } catch (error) {
      this.reportFailure(fileName, error);
      return undefined;
    }
    const session = new FitSession(key, fileName, options, apply?.modelFileName);
    const previous = this.sessions.get(key);
    this.sessions.set(key, session);
    // The panel follows the new run first: the older run's `cancelled` is then not shown over it.
    panel.follow(session);
    if (previous) {
      previous.stop('superseded');
      output.info(`${fileName}: run ${previous.runId} cancelled: superseded by run ${session.runId}`);
      void vscode.window.showInformationMessage(`Mixscope: a new fit of ${fileName} was started, so the one still running was cancelled.`);
    }
    this.env.changed();
    const what = apply ? `${apply.modelFileName} applied` : 'fit started';
    output.info(`${fileName}: ${what} (run ${session.runId}) — ${uri.toString(true)}, ${formatBytes(size)}${outOfCore ? `, out of core (over the ${limits.memoryBudgetMB} MB memory budget)` : ''}`);
    output.info(`  settings: ${describeOptions(options)}`);

    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: apply ? `Mixscope: ${apply.modelFileName} on ${fileName}` : `Mixscope: ${fileName}`, cancellable: true },
      async (progress, token) => {
        const cancelled = token.onCancellationRequested(() => session.stop('user'));
        const unsubscribe = this.reportProgress(session, progress);
        try {
          if (outOfCore) this.startOutOfCore(session, uri, limits, progress);
          else await this.readAndStart(session, uri, limits, preread, panel, progress, apply);
          return await session.ended;
        } finally {
          unsubscribe();
          cancelled.dispose();
        }
      },
    );
    if (this.sessions.get(key) === session) this.sessions.delete(key);
    this.env.changed();
    this.logEnding(session, outcome);
    return outcome.status === 'done' ? outcome.message.result : undefined;
  }

  /** Out of core: the worker streams the file from its path; the host never reads it. */
  private startOutOfCore(session: FitSession, uri: vscode.Uri, limits: FileLimits, progress: vscode.Progress<{ message?: string }>): void {
    progress.report({ message: 'reading the file (out of core)…' });
    const memoryLimitMb = workerMemoryLimitMb(limits.memoryBudgetMB);
    void session.start({ workerPath: this.workerPath, memoryLimitMb }, { outOfCore: { filePath: uri.fsPath, memoryBudgetMB: limits.memoryBudgetMB } });
  }

  /** Reads the file (abandoned at once if the run is stopped meanwhile) and hands it to the session's worker. */
  private async readAndStart(
    session: FitSession,
    uri: vscode.Uri,
    limits: FileLimits,
    preread: ReadFile | undefined,
    panel: FitPanel,
    progress: vscode.Progress<{ message?: string }>,
    apply?: ApplyModelInput,
  ): Promise<void> {
    const { fileName } = session;
    const readOrStop = <T>(p: Promise<T>) => Promise.race([p, session.stoppedSignal.then(() => undefined)]);
    try {
      progress.report({ message: 'reading the file…' });
      const data = preread ?? (await readOrStop(readDataFile(uri, fileName, limits.maxFileSizeMB)));
      if (!data || session.stopped) return;
      // mixscope.labelColumn "none": the labels file beside the images is not read either.
      const labels = isIdxImagesFileName(fileName) && session.options.labelColumn.trim().toLowerCase() !== 'none' ? await readOrStop(readCompanionLabels(uri, fileName, limits.maxFileSizeMB, this.env.output)) : undefined;
      if (session.stopped) return;
      panel.protectedUris = [...(labels ? [labels.uri] : []), ...(apply?.modelUri ? [apply.modelUri] : [])];
      progress.report({ message: 'loading…' });
      const memoryLimitMb = workerMemoryLimitMb(limits.memoryBudgetMB);
      void session.start({ workerPath: this.workerPath, memoryLimitMb }, { bytes: data.bytes, labelBytes: labels?.bytes, labelFileName: labels?.name, apply: apply && { modelFileName: apply.modelFileName, modelText: apply.modelText } });
    } catch (error) {
      this.toldAlready.add(session);
      session.fail(this.reportFailure(fileName, error));
    }
  }

  /** The notification follows the session too: the loaded shape, then the iterations, at most 4 a second. */
  private reportProgress(session: FitSession, progress: vscode.Progress<{ message?: string; increment?: number }>): () => void {
    let reported = 0;
    let lastReport = 0;
    return session.subscribe((event) => {
      if (event.type === 'loaded') {
        const s = event.summary;
        progress.report({ message: `${s.n} × ${s.d}, ${event.model} mixture, K = ${session.options.k}` });
        for (const line of loadedLogLines(session.fileName, event)) this.env.output.info(line);
      } else if (event.type === 'streamProgress') {
        const now = Date.now();
        if (now - lastReport < NOTIFICATION_INTERVAL_MS) return;
        lastReport = now;
        progress.report({ message: streamProgressText(event) });
      } else if (event.type === 'progress') {
        const now = Date.now();
        if (now - lastReport < NOTIFICATION_INTERVAL_MS && event.iteration !== 0) return;
        lastReport = now;
        const { message, percent } = progressReport(event, session.options);
        progress.report({ message, increment: Math.max(0, percent - reported) });
        reported = Math.max(reported, percent);
      }
    });
  }

  private logEnding(session: FitSession, outcome: FitOutcome): void {
    const { output } = this.env;
    const { fileName } = session;
    switch (outcome.status) {
      case 'done': {
        for (const line of doneLogLines(fileName, outcome.message.result, outcome.elapsedMs)) output.info(line);
        vscode.window.setStatusBarMessage(`Mixscope: ${fileName} — ${describeEnding(outcome.message.result)}`, 8000);
        break;
      }
      case 'error': {
        if (this.toldAlready.has(session)) break;
        output.error(`${fileName}: ${outcome.kind} error after ${outcome.elapsedMs} ms: ${outcome.message}`);
        // The first line for the notification; internal errors carry a stack, which stays in the log.
        void vscode.window.showErrorMessage(userMessage(fileName, outcome.message).split('\n')[0], 'Show Log').then((choice) => {
          if (choice) output.show(true);
        });
        break;
      }
      case 'cancelled': {
        const reason = session.stopped ?? 'user';
        output.info(`${fileName}: run ${session.runId} cancelled (${reason})`);
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
