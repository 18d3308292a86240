// Runs one fit in its own engine worker thread (dist/worker.js) and turns what happens to it into typed events.
// One worker per fit: cancelling terminates the thread at once (no cooperative checks in the engine), and a crash,
// an exit or an out-of-memory ends only that worker, never the extension host; the next fit starts a fresh one.
// No `vscode` import: unit-tested with mocha against the real dist/worker.js and fixture workers.

import { Worker } from 'node:worker_threads';
import { removeStore } from '../engine/data/store/columnStore';
import type { ApplyModelInput, ColumnListing, FitOptions, HostToWorker, InspectRequest, SelectionProgress, StreamProgress, WorkerReply, WorkerToHost } from '../shared/protocol';
import { describeValue, validateWorkerMessage, type Validated } from './validation';

export type LoadedMessage = Extract<WorkerToHost, { type: 'loaded' }>;
export type ProgressMessage = Extract<WorkerToHost, { type: 'progress' }>;
export type DoneMessage = Extract<WorkerToHost, { type: 'done' }>;
export type SelectionProgressMessage = SelectionProgress;
export type StreamProgressMessage = StreamProgress;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isScore = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));

/**
 * A model selection's progress from the engine: the candidate it finished (K, model, scores or null) and how many
 * of how many are done. Checked here, before it reaches a panel.
 */
export function validateSelectionProgress(raw: Record<string, unknown>, runId: number): Validated<SelectionProgress> {
  const fail = (why: string): Validated<SelectionProgress> => ({ ok: false, error: `the engine sent a selectionProgress message ${why}.` });
  if (raw.runId !== runId) return { ok: false, error: `the engine sent a message for run ${describeValue(raw.runId)} while running ${runId}.` };
  if (raw.criterion !== 'bic' && raw.criterion !== 'icl' && raw.criterion !== 'aic') return fail(`with criterion ${describeValue(raw.criterion)}`);
  if (!Array.isArray(raw.ks) || raw.ks.length === 0 || !raw.ks.every((k) => isCount(k) && k >= 1)) return fail('without its K values');
  if (!Array.isArray(raw.models) || raw.models.length === 0 || !raw.models.every((m) => typeof m === 'string')) return fail('without its models');
  if (!isCount(raw.done) || !isCount(raw.total) || raw.done < 1 || raw.done > raw.total) return fail(`with ${describeValue(raw.done)} of ${describeValue(raw.total)} done`);
  const e = raw.entry as Record<string, unknown> | null;
  if (typeof e !== 'object' || e === null || !isCount(e.k) || e.k < 1 || typeof e.covariance !== 'string') return fail('without a valid candidate');
  if (!isScore(e.logLikelihood) || !isScore(e.bic) || !isScore(e.icl) || !isScore(e.aic) || !isCount(e.parameters) || !isCount(e.iterations)) {
    return fail(`with malformed scores for K = ${e.k}, ${e.covariance}`);
  }
  if (typeof e.converged !== 'boolean' || typeof e.degenerate !== 'boolean' || (e.reason !== undefined && typeof e.reason !== 'string')) return fail('with a malformed candidate status');
  return { ok: true, value: raw as unknown as SelectionProgress };
}

export interface FitRequest {
  /** From allocateRunId(), when the caller needs the id before the worker starts (e.g. to tell the panel). */
  runId?: number;
  fileName: string;
  /** The file's bytes (a copy is transferred to the worker). Absent for an out-of-core fit. */
  bytes?: Uint8Array;
  /** A delimited text, Parquet or Arrow file over the memory budget: the worker streams it from this path, the host never reads it. */
  outOfCore?: { filePath: string; memoryBudgetMB: number };
  options: FitOptions;
  labelBytes?: Uint8Array;
  labelFileName?: string;
  /** Show this saved model on the file instead of fitting (the same events, a result with `applied`). */
  apply?: ApplyModelInput;
}

export interface FitEvents {
  onLoaded?(message: LoadedMessage): void;
  onProgress?(message: ProgressMessage): void;
  /** A model selection finished one more candidate. */
  onSelectionProgress?(message: SelectionProgressMessage): void;
  /** Out of core: the parse's or a pass's progress. */
  onStreamProgress?(message: StreamProgressMessage): void;
  /** Out of core: the worker made its temporary store folder (removed by this client once the worker has ended). */
  onStoreCreated?(dir: string): void;
}

/**
 * How a run ended. `error.kind`: data / fit / internal come from the engine; `crash` is a worker that threw, exited
 * or sent garbage; `memory` is a worker that hit its heap limit.
 */
export type FitOutcome =
  | { status: 'done'; message: DoneMessage; elapsedMs: number }
  | { status: 'error'; kind: 'data' | 'fit' | 'internal' | 'crash' | 'memory'; message: string; elapsedMs: number }
  | { status: 'cancelled'; elapsedMs: number };

export interface WorkerClientOptions {
  /** Absolute path of the bundled engine worker (`<extension>/dist/worker.js`). */
  workerPath: string;
  /** V8 old-generation heap limit of the worker; past it the worker (only) is killed with an out-of-memory error. */
  memoryLimitMb?: number;
}

export const DEFAULT_WORKER_MEMORY_LIMIT_MB = 4096;

let nextRunId = 1;

/** A fresh run id, unique in this extension host. */
export function allocateRunId(): number {
  return nextRunId++;
}

export interface FitRun {
  readonly runId: number;
  readonly fileName: string;
  /** Resolves once, with how the run ended; never rejects. */
  readonly finished: Promise<FitOutcome>;
  /**
   * Resolves when the worker thread has exited (after done, error, crash or cancel), with its exit code; an
   * out-of-core run's temporary store folder is removed by then.
   */
  readonly exited: Promise<number>;
  /** Terminates the worker at once; `finished` resolves as cancelled unless the run had already ended. */
  cancel(): void;
  readonly settled: boolean;
}

/**
 * The bytes to transfer to the worker: always a copy. What `workspace.fs.readFile` returns may be the very memory a
 * FileSystemProvider keeps its file in (a memfs provider holding a whole-buffer Node Buffer does): transferring it
 * would empty that file. A memcpy (~10 ms for MNIST's 47 MB) is cheap next to any fit. An empty or detached view
 * becomes a fresh empty array (postMessage would drop a detached buffer silently).
 */
export function ownBuffer(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength === 0) return new Uint8Array(0);
  return Uint8Array.prototype.slice.call(bytes);
}

export function startFit(client: WorkerClientOptions, request: FitRequest, events: FitEvents = {}): FitRun {
  const runId = request.runId ?? allocateRunId();
  const started = Date.now();
  const memoryLimitMb = client.memoryLimitMb ?? DEFAULT_WORKER_MEMORY_LIMIT_MB;
  let settled = false;
  let resolveFinished!: (outcome: FitOutcome) => void;
  const finished = new Promise<FitOutcome>((resolve) => (resolveFinished = resolve));
  let resolveExited!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExited = resolve));
  let stderrTail = '';
  // Out of core: the store folder the worker made. A worker terminated mid-parse cannot remove it, so it is
  // removed here once the thread has ended, however the run ended.
  let storeDir: string | undefined;

  let worker: Worker | undefined;
  const terminate = () => {
    worker?.terminate().catch(() => undefined);
  };
  const settle = (outcome: FitOutcome) => {
    if (settled) return;
    settled = true;
    resolveFinished(outcome);
    terminate();
  };
  const elapsed = () => Date.now() - started;
  const crash = (message: string) => settle({ status: 'error', kind: 'crash', message, elapsedMs: elapsed() });
  const detail = () => (stderrTail.trim() ? ` Worker output: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : '');

  try {
    worker = new Worker(client.workerPath, {
      resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb },
      stderr: true,
    });
  } catch (error) {
    crash(`could not start the engine worker (${client.workerPath}): ${(error as Error).message}`);
    resolveExited(-1);
    return { runId, fileName: request.fileName, finished, exited, cancel: () => undefined, get settled() { return settled; } };
  }
  const w = worker;

  // Keep the last lines the worker wrote to stderr, to explain a crash.
  w.stderr.setEncoding('utf8');
  w.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
  });

  w.on('message', (raw: unknown) => {
    if (settled) {
      // A late storeCreated still names a folder to remove.
      const late = validateWorkerMessage(raw, runId);
      if (late.ok && late.value.type === 'storeCreated') storeDir = late.value.dir;
      return;
    }
    const checked =
      typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'selectionProgress'
        ? validateSelectionProgress(raw as Record<string, unknown>, runId)
        : validateWorkerMessage(raw, runId);
    if (!checked.ok) {
      crash(checked.error);
      return;
    }
    const message = checked.value;
    try {
      switch (message.type) {
        case 'loaded':
          events.onLoaded?.(message);
          break;
        case 'progress':
          events.onProgress?.(message);
          break;
        case 'selectionProgress':
          events.onSelectionProgress?.(message);
          break;
        case 'streamProgress':
          events.onStreamProgress?.(message);
          break;
        case 'storeCreated':
          storeDir = message.dir;
          events.onStoreCreated?.(message.dir);
          break;
        case 'done':
          settle({ status: 'done', message, elapsedMs: elapsed() });
          break;
        case 'error':
          settle({ status: 'error', kind: message.kind, message: message.message, elapsedMs: elapsed() });
          break;
      }
    } catch (error) {
      // A throwing listener must not leave the run hanging.
      settle({ status: 'error', kind: 'internal', message: `the host failed to handle the engine's ${message.type} message: ${(error as Error).message}`, elapsedMs: elapsed() });
    }
  });
  w.on('messageerror', (error) => crash(`a message from the engine worker could not be read: ${error.message}`));
  w.on('error', (error: Error & { code?: string }) => {
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      settle({
        status: 'error',
        kind: 'memory',
        message: `the fit ran out of memory (the engine worker's limit is ${memoryLimitMb} MB). Try fewer columns, a smaller K, or a sample of the file.`,
        elapsedMs: elapsed(),
      });
    } else {
      crash(`the engine worker crashed: ${error.message}`);
    }
  });
  w.on('exit', (code) => {
    crash(`the engine worker stopped unexpectedly (exit code ${code}) before the fit finished.${detail()}`);
    removeStore(storeDir);
    resolveExited(code);
  });

  if (request.outOfCore) {
    const { filePath, memoryBudgetMB } = request.outOfCore;
    try {
      w.postMessage({ type: 'startOutOfCore', runId, fileName: request.fileName, filePath, options: request.options, memoryBudgetMB } satisfies HostToWorker);
    } catch (error) {
      crash(`could not send ${request.fileName} to the engine worker: ${(error as Error).message}`);
    }
    return runOf();
  }

  try {
    const start: HostToWorker = {
      type: 'start',
      runId,
      fileName: request.fileName,
      bytes: ownBuffer(request.bytes ?? new Uint8Array(0)),
      options: request.options,
      ...(request.labelBytes ? { labelBytes: ownBuffer(request.labelBytes), labelFileName: request.labelFileName } : {}),
      ...(request.apply ? { apply: request.apply } : {}),
    };
    const transfer: ArrayBuffer[] = [start.bytes.buffer as ArrayBuffer];
    if (start.labelBytes) transfer.push(start.labelBytes.buffer as ArrayBuffer);
    w.postMessage(start, transfer);
  } catch (error) {
    crash(`could not send ${request.fileName} to the engine worker: ${(error as Error).message}`);
  }
  return runOf();

  function runOf(): FitRun {
    return {
      runId,
      fileName: request.fileName,
      finished,
      exited,
      cancel: () => settle({ status: 'cancelled', elapsedMs: elapsed() }),
      get settled() {
        return settled;
      },
    };
  }
}

let nextRequestId = 1;

export type ColumnListingOutcome =
  | { status: 'listed'; listing: ColumnListing; elapsedMs: number }
  | RequestFailure;

export type RequestFailure =
  | { status: 'error'; kind: 'data' | 'fit' | 'internal' | 'crash' | 'memory'; message: string; elapsedMs: number }
  | { status: 'timeout'; elapsedMs: number };

/**
 * Asks a fresh engine worker which columns the loader finds in (the start of) a file: one `inspect` request, one
 * reply with the same requestId, nothing fitted. The worker is terminated once it has answered, failed or timed out.
 */
export async function requestColumnListing(client: WorkerClientOptions, request: { fileName: string; bytes: Uint8Array; options: FitOptions }, timeoutMs = 30000): Promise<ColumnListingOutcome> {
  const outcome = await requestOnce(
    client,
    (requestId): InspectRequest => ({ type: 'inspect', requestId, fileName: request.fileName, bytes: ownBuffer(request.bytes), options: request.options }),
    (reply) => (reply.type === 'inspected' && isColumnListing(reply.listing) ? reply.listing : undefined),
    { doing: 'reading the columns', done: 'listed the columns', reply: 'the column inspection' },
    timeoutMs,
  );
  return outcome.status === 'answered' ? { status: 'listed', listing: outcome.value, elapsedMs: outcome.elapsedMs } : outcome;
}

/** One request to a fresh worker and its one reply (accepted when `accept` returns a value), then the worker ends. */
async function requestOnce<T>(
  client: WorkerClientOptions,
  build: (requestId: number) => InspectRequest,
  accept: (reply: Partial<WorkerReply> & Record<string, unknown>) => T | undefined,
  words: { doing: string; done: string; reply: string },
  timeoutMs: number,
): Promise<{ status: 'answered'; value: T; elapsedMs: number } | RequestFailure> {
  const requestId = nextRequestId++;
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  let worker: Worker;
  try {
    worker = new Worker(client.workerPath, { resourceLimits: { maxOldGenerationSizeMb: client.memoryLimitMb ?? DEFAULT_WORKER_MEMORY_LIMIT_MB } });
  } catch (error) {
    return { status: 'error', kind: 'crash', message: `could not start the engine worker (${client.workerPath}): ${(error as Error).message}`, elapsedMs: elapsed() };
  }
  type Outcome = { status: 'answered'; value: T; elapsedMs: number } | RequestFailure;
  const outcome = await new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve({ status: 'timeout', elapsedMs: elapsed() }), timeoutMs);
    const answer = (o: Outcome) => {
      clearTimeout(timer);
      resolve(o);
    };
    worker.on('message', (raw: unknown) => {
      const reply = raw as (Partial<WorkerReply> & Record<string, unknown>) | null;
      if (typeof reply !== 'object' || reply === null || reply.requestId !== requestId) return;
      const value = accept(reply);
      if (value !== undefined) answer({ status: 'answered', value, elapsedMs: elapsed() });
      else if (reply.type === 'requestFailed' && typeof reply.message === 'string') {
        const kind = reply.kind === 'data' || reply.kind === 'fit' ? reply.kind : 'internal';
        answer({ status: 'error', kind, message: reply.message, elapsedMs: elapsed() });
      } else answer({ status: 'error', kind: 'crash', message: `the engine sent a malformed reply to ${words.reply} (${String(reply.type)}).`, elapsedMs: elapsed() });
    });
    worker.on('error', (error: Error & { code?: string }) =>
      answer({ status: 'error', kind: error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash', message: `the engine worker crashed while ${words.doing}: ${error.message}`, elapsedMs: elapsed() }),
    );
    worker.on('exit', (code) => answer({ status: 'error', kind: 'crash', message: `the engine worker stopped (exit code ${code}) before it ${words.done}.`, elapsedMs: elapsed() }));
    const message = build(requestId);
    worker.postMessage(message, [message.bytes.buffer as ArrayBuffer]);
  });
  worker.terminate().catch(() => undefined);
  return outcome;
}

function isColumnListing(v: unknown): v is ColumnListing {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Partial<ColumnListing>;
  const sheetsOk = l.sheets === undefined || (Array.isArray(l.sheets) && l.sheets.every((s) => typeof s?.name === 'string' && typeof s?.numeric === 'boolean'));
  return Array.isArray(l.columns) && l.columns.every((c) => typeof c === 'string') && Array.isArray(l.droppedColumns) && Array.isArray(l.notes) && sheetsOk;
}
