// The model-selection sweep on worker threads. The data, the starting partitions and the queue of cells are shared
// once (SharedArrayBuffers); every thread, the calling one included, takes cells from the queue and fits them with
// the same code as the serial sweep, so the table is identical to sweepModels'. The call is synchronous (as the CLI
// is): the calling thread fits cells itself and then collects the workers' cells with receiveMessageOnPort, sleeping
// on Atomics.wait. The queue runs from the largest K to the smallest; the calling thread takes from the front and
// the workers from the back, so a worker that is slow to start (or whose code is not yet optimised) holds only small
// cells, and the last cells anyone waits for are mid-sized. A worker that never starts only means the calling thread
// fits more of the cells.

import * as os from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import {
  BestFitKeeper,
  cellQueue,
  checkSweep,
  finishSweep,
  runPlannedCell,
  withPartitions,
  type CellSettings,
  type SweepCell,
  type SweepOptions,
  type SweepResult,
} from './sweep';
import type { MclustModelName } from '../families/gaussian/mclust/models';

/** Slots of the shared control array. */
export const SWEEP_CTRL = {
  /** Cells taken from the front of the queue (low 16 bits) and from its back (high 16 bits). */
  TAKEN: 0,
  /** Cells finished by workers (the calling thread sleeps on it). */
  DONE: 1,
  /** 1 once the partitions are written: workers wait for it. */
  READY: 2,
  /** 1 when the sweep is abandoned: workers stop. */
  STOP: 3,
  LENGTH: 4,
} as const;

/** What a sweep worker receives. Typed arrays on SharedArrayBuffers are shared, not copied. */
export interface SweepWorkerData {
  x: Float64Array;
  n: number;
  d: number;
  ks: number[];
  models: MclustModelName[];
  settings: CellSettings;
  /** ks.length × n classes, K by K. */
  partitions: Int32Array;
  /** Cell indices in the order they are taken. */
  queue: Int32Array;
  ctrl: Int32Array;
  port: MessagePort;
}

/** A worker's message: one finished cell, or the error that stopped it on a cell. */
export type SweepWorkerMessage = { index: number; cell: SweepCell } | { index: number; error: string };

export interface ParallelOptions {
  /**
   * Threads in all, the calling one included (0: every core when the sweep is large enough to pay for the workers'
   * start, see autoThreads; else one); never more than the cells.
   */
  threads?: number;
  /**
   * The worker script (the bundle dist/selectWorker.js; the caller finds it, so the engine reads no file). Without
   * one, this thread fits every cell.
   */
  workerScript?: string | null;
}

/** Most cells one sweep can queue (two 16-bit counters share one word). */
export const MAX_PARALLEL_CELLS = 0xffff;

/**
 * A worker costs its own start and its own compilation and optimisation of the engine (hundreds of milliseconds of
 * CPU), which a small sweep never wins back: with threads = 0 a sweep whose work (sweepWork) is below this runs on
 * the calling thread alone. About a second of one thread's fitting; Old Faithful's K = 1…9 sweep is 1.9e6.
 */
export const AUTO_THREADS_MIN_WORK = 8e6;

/**
 * The work of one EM iteration of every cell, in row × component terms weighted by the covariance entries each
 * touches (a term for the exp and weights, d(d + 1)/2 for the scatter and the density).
 */
export function sweepWork(n: number, d: number, ks: readonly number[], models: number): number {
  let components = 0;
  for (const k of ks) components += Math.min(k, n);
  return n * (8 + (d * (d + 1)) / 2) * components * models;
}

/** The threads a sweep of this much work runs on when asked for 0 (every core). */
export function autoThreads(work: number, cores: number): number {
  return work < AUTO_THREADS_MIN_WORK ? 1 : Math.max(1, cores);
}

/** Takes the next cell from one end of the queue: its position in the queue, or −1 when every cell is taken. */
export function takeCell(ctrl: Int32Array, total: number, end: 'front' | 'back'): number {
  for (;;) {
    const v = Atomics.load(ctrl, SWEEP_CTRL.TAKEN);
    const front = v & 0xffff;
    const back = v >>> 16;
    if (front + back >= total) return -1;
    const next = end === 'front' ? v + 1 : v + 0x10000;
    if (Atomics.compareExchange(ctrl, SWEEP_CTRL.TAKEN, v, next | 0) === v) return end === 'front' ? front : total - 1 - back;
  }
}

function sharedFloat64(values: Float64Array): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(values.length * 8));
  out.set(values);
  return out;
}

function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, length) * 4));
}

/**
 * sweepModels on min(cells, threads) threads. Same cells, same best fits; `onCell` sees each cell when this thread
 * learns of it, and whether a worker fitted it.
 */
export function sweepModelsParallel(
  x: Float64Array,
  n: number,
  d: number,
  options: SweepOptions,
  parallel: ParallelOptions = {},
  onCell?: (cell: SweepCell, done: number, total: number, byWorker: boolean) => void,
): SweepResult {
  const checked = checkSweep(x, n, d, options);
  const total = checked.ks.length * checked.models.length;
  if (total > MAX_PARALLEL_CELLS) throw new RangeError(`a sweep on threads takes at most ${MAX_PARALLEL_CELLS} cells; got ${total}`);
  const requested = parallel.threads || autoThreads(sweepWork(n, d, checked.ks, checked.models.length), os.availableParallelism());
  const threads = Math.max(1, Math.min(total, requested));
  const script = parallel.workerScript ?? undefined;

  const shared = sharedFloat64(x);
  const partitionBuffer = sharedInt32(checked.ks.length * n);
  const ctrl = sharedInt32(SWEEP_CTRL.LENGTH);
  const queueBuffer = sharedInt32(total);
  const workers: { worker: Worker; port: MessagePort }[] = [];
  try {
    // Workers start while the partitions are computed (a hierarchical clustering can take a while).
    if (script) {
      for (let w = 0; w < threads - 1; w++) {
        const channel = new MessageChannel();
        const workerData: SweepWorkerData = {
          x: shared,
          n,
          d,
          ks: checked.ks,
          models: checked.models,
          settings: checked.settings,
          partitions: partitionBuffer,
          queue: queueBuffer,
          ctrl,
          port: channel.port2,
        };
        const worker = new Worker(script, { workerData, transferList: [channel.port2] });
        worker.unref();
        // Errors come as messages; a worker that dies is covered by this thread taking the remaining cells.
        worker.on('error', () => undefined);
        workers.push({ worker, port: channel.port1 });
      }
    }
    const plan = withPartitions(shared, checked, options.starts);
    plan.partitions.forEach((p, i) => partitionBuffer.set(p, i * n));
    queueBuffer.set(cellQueue(plan));
    Atomics.store(ctrl, SWEEP_CTRL.READY, 1);
    Atomics.notify(ctrl, SWEEP_CTRL.READY);

    const cells = new Array<SweepCell>(total);
    let done = 0;
    let longest = 0;
    const record = (index: number, cell: SweepCell, byWorker: boolean) => {
      if (cells[index]) return; // fitted twice (see below): the same cell
      cells[index] = cell;
      done++;
      onCell?.(cell, done, total, byWorker);
    };
    const keeper = new BestFitKeeper(plan);
    const fitHere = (index: number) => {
      const started = Date.now();
      const { cell, fit } = runPlannedCell(shared, plan, index);
      keeper.offer(index, cell, fit);
      record(index, cell, false);
      longest = Math.max(longest, Date.now() - started);
    };
    const drain = () => {
      for (const { port } of workers) {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          const message = m.message as SweepWorkerMessage;
          // A cell a worker could not fit is fitted here: its error, if it has one, is thrown from this thread.
          if ('cell' in message) record(message.index, message.cell, true);
          else fitHere(message.index);
        }
      }
    };
    for (let at = takeCell(ctrl, total, 'front'); at >= 0; at = takeCell(ctrl, total, 'front')) {
      fitHere(queueBuffer[at]);
      drain();
    }
    // Every cell is taken; collect the workers' ones. A worker that died cannot say so to a blocked thread: when
    // nothing arrives for much longer than the longest cell took here, this thread fits the missing cells itself.
    let lastProgress = Date.now();
    while (done < total) {
      const before = done;
      const seen = Atomics.load(ctrl, SWEEP_CTRL.DONE);
      drain();
      if (done > before) lastProgress = Date.now();
      if (done >= total) break;
      if (Date.now() - lastProgress > Math.max(10_000, 4 * longest)) {
        const missing = queueBuffer.find((index) => !cells[index])!;
        fitHere(missing);
        lastProgress = Date.now();
        continue;
      }
      // The counter moves after a worker posts its cell: wake on it, and look again at least every 50 ms.
      Atomics.wait(ctrl, SWEEP_CTRL.DONE, seen, 50);
    }
    return finishSweep(shared, plan, cells, keeper.fits());
  } finally {
    Atomics.store(ctrl, SWEEP_CTRL.STOP, 1);
    Atomics.store(ctrl, SWEEP_CTRL.READY, 1);
    Atomics.notify(ctrl, SWEEP_CTRL.READY);
    for (const { worker, port } of workers) {
      port.close();
      void worker.terminate();
    }
  }
}
