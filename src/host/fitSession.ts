// One fit run of one data file: it owns the engine worker and the run's latest state, and emits one stream of fit
// events — the worker's own `loaded` / `progress` / `selectionProgress` / `done` / `error` messages, forwarded unchanged, plus the host's
// `fitStarted` and `cancelled`. Panels and the progress notification subscribe to it; nothing else keeps fit state.
// No `vscode` import: unit-tested in plain mocha against the real engine worker.

import type { ApplyModelInput, FitOptions, HostToWebview } from '../shared/protocol';
import {
  allocateRunId,
  startFit,
  type DoneMessage,
  type FitOutcome,
  type FitRun,
  type LoadedMessage,
  type ProgressMessage,
  type SelectionProgressMessage,
  type StreamProgressMessage,
  type WorkerClientOptions,
} from './workerClient';

/** The events of a run, exactly as the webview receives them. */
export type FitEvent = Extract<HostToWebview, { type: 'fitStarted' | 'loaded' | 'progress' | 'selectionProgress' | 'streamProgress' | 'done' | 'error' | 'cancelled' }>;

export type StopReason = 'user' | 'superseded' | 'panel-closed' | 'shutdown';

/** What a (re)loading panel needs to catch up with a run: no history, only the newest of everything. */
export interface FitSessionState {
  started: Extract<FitEvent, { type: 'fitStarted' }>;
  loaded?: LoadedMessage;
  /** The newest progress of the current restart. */
  newest?: ProgressMessage;
  /** The newest candidate of a model selection (the result carries them all). */
  selection?: SelectionProgressMessage;
  /** Out of core: the newest parse or pass progress. */
  stream?: StreamProgressMessage;
  done?: DoneMessage;
  error?: Extract<FitEvent, { type: 'error' }>;
  cancelled?: Extract<FitEvent, { type: 'cancelled' }>;
}

/**
 * What a run fits: the data file's bytes and, for IDX images, its labels file; or, out of core, the path of a
 * delimited text, Parquet or Arrow file on this machine's disk that the worker streams itself.
 */
export interface FitInput {
  bytes?: Uint8Array;
  outOfCore?: { filePath: string; memoryBudgetMB: number };
  labelBytes?: Uint8Array;
  labelFileName?: string;
  /** A saved model shown on the file instead of a fit. */
  apply?: ApplyModelInput;
}

export type FitListener = (event: FitEvent) => void;

export class FitSession {
  readonly runId = allocateRunId();
  private readonly createdAt = Date.now();
  readonly state: FitSessionState;
  private stopReason?: StopReason;
  private run?: FitRun;
  private readonly listeners = new Set<FitListener>();
  private resolveEnded!: (outcome: FitOutcome) => void;
  private signalStop!: () => void;
  /** Resolves once with how the run ended (also when it was stopped before its worker started). */
  readonly ended = new Promise<FitOutcome>((resolve) => (this.resolveEnded = resolve));
  /** Resolves when the run is stopped, so that a file read in progress can be abandoned at once. */
  readonly stoppedSignal = new Promise<void>((resolve) => (this.signalStop = resolve));

  constructor(
    readonly key: string,
    readonly fileName: string,
    readonly options: FitOptions,
    /** The saved model's file name when the run applies it instead of fitting. */
    applying?: string,
  ) {
    this.state = { started: { type: 'fitStarted', runId: this.runId, fileName, fileUri: key, options, ...(applying ? { applying } : {}) } };
  }

  get stopped(): StopReason | undefined {
    return this.stopReason;
  }

  /** True until the run has ended (done, failed or cancelled). */
  get running(): boolean {
    return !this.state.done && !this.state.error && !this.state.cancelled;
  }

  /** Listens to every later event; returns the function that stops listening. */
  subscribe(listener: FitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The events that bring a newly opened or reloaded view up to date, in order. */
  catchUp(): FitEvent[] {
    const s = this.state;
    const events: FitEvent[] = [s.started];
    // Out of core: the parse's progress until the data are loaded, then the newest pass's.
    if (s.stream && !s.loaded && this.running) events.push(s.stream);
    if (s.loaded) events.push(s.loaded);
    if (s.selection) events.push(s.selection);
    if (s.newest) events.push(s.newest);
    if (s.stream?.phase === 'pass' && s.loaded && this.running) events.push(s.stream);
    const end = s.done ?? s.error ?? s.cancelled;
    if (end) events.push(end);
    return events;
  }

  /** Runs the engine on `input` in a fresh worker; resolves with how the run ended (as `ended` does). */
  start(client: WorkerClientOptions, input: FitInput): Promise<FitOutcome> {
    if (this.stopReason || this.run || !this.running) return this.ended;
    this.run = startFit(
      client,
      { runId: this.runId, fileName: this.fileName, bytes: input.bytes, outOfCore: input.outOfCore, options: this.options, labelBytes: input.labelBytes, labelFileName: input.labelFileName, apply: input.apply },
      {
        onLoaded: (message) => {
          this.state.loaded = message;
          this.emit(message);
        },
        onProgress: (message) => {
          this.state.newest = message;
          this.emit(message);
        },
        onSelectionProgress: (message) => {
          this.state.selection = message;
          this.emit(message);
        },
        onStreamProgress: (message) => {
          this.state.stream = message;
          this.emit(message);
        },
      },
    );
    void this.run.finished.then((outcome) => this.end(outcome));
    return this.ended;
  }

  /** Stops the run: its worker is terminated and `cancelled` emitted, both at once (unless it had ended already). */
  stop(reason: StopReason): void {
    if (this.stopReason || !this.running) return;
    this.stopReason = reason;
    this.signalStop();
    this.run?.cancel();
    // At once, not after the worker's exit: the panel shows "Cancelled" in the same tick as the click.
    this.end({ status: 'cancelled', elapsedMs: Date.now() - this.createdAt });
  }

  /** Ends a run that failed before the engine could start (the file could not be read). */
  fail(message: string): void {
    if (!this.running) return;
    this.signalStop();
    this.end({ status: 'error', kind: 'internal', message, elapsedMs: 0 });
  }

  private end(outcome: FitOutcome): void {
    if (!this.running) return;
    switch (outcome.status) {
      case 'done':
        this.state.done = outcome.message;
        this.emit(outcome.message);
        break;
      case 'error':
        this.state.error = { type: 'error', runId: this.runId, message: outcome.message };
        this.emit(this.state.error);
        break;
      case 'cancelled':
        this.state.cancelled = { type: 'cancelled', runId: this.runId };
        this.emit(this.state.cancelled);
        break;
    }
    this.resolveEnded(outcome);
  }

  private emit(event: FitEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A failing view must not stop the run or the other views; the view reports its own errors.
      }
    }
  }
}
