// The K sweep of a family with one model per K (kSweep.ts) on worker threads: every K is one cell of a shared queue
// (the largest K first), taken by this thread from the front and by the sweep workers (dist/selectWorker.js, the
// Gaussian sweep's) from the back, each fitting its K on one thread from the data shared once. A worker posts the
// whole fit of its K; the sweep keeps only the best so far. Synchronous, like the serial sweep: this thread fits cells
// and collects the workers' with receiveMessageOnPort. Cancelling is terminating the calling thread (its workers end
// with it); the cells reported so far stay reported.

import * as os from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { FitError } from '../errors';
import { fitBernoulliK, type BernoulliKTask } from '../families/bernoulli/kCell';
import type { BernoulliFit } from '../families/bernoulli/family';
import { fitCellHere, serialKRunner, type KRunner } from './kSweep';
import { SWEEP_CTRL, takeCell } from './parallel';

/** The family-specific part of a cell, as a worker receives it. */
export type KTask = BernoulliKTask;

/** What a sweep worker receives for a K sweep (typed arrays on SharedArrayBuffers are shared, not copied). */
export interface KSweepWorkerData {
  kind: 'k-sweep';
  ks: number[];
  /** Indices into ks in the order they are taken. */
  queue: Int32Array;
  ctrl: Int32Array;
  port: MessagePort;
  task: KTask;
}

/** A worker's message: the fit of ks[index], the FitError that ended it, or another error (refitted here to throw). */
export type KSweepWorkerMessage = { index: number; fit: PostedFit } | { index: number; fitError: string } | { index: number; error: string };

/** A fit as a worker posts it: without the shared matrix, which the calling thread puts back. */
export type PostedFit = Omit<BernoulliFit, 'binary'>;

/** The fit of one K of a task (on whichever thread). */
export function fitKTask(task: KTask, k: number): BernoulliFit {
  return fitBernoulliK(task, k);
}

export interface ParallelKOptions {
  /** Threads in all, the calling one included; 0 = every core. */
  threads?: number;
  /** dist/selectWorker.js; without it (or with one thread) the serial runner. */
  workerScript?: string;
}

/** A KRunner that fits the cells of `task` on min(threads, cells) threads; results as the serial runner's. */
export function parallelKRunner(task: KTask, parallel: ParallelKOptions): KRunner<BernoulliFit> {
  return (ks, fitHere, onCell) => {
    const total = ks.length;
    const threads = Math.max(1, Math.min(total, parallel.threads || os.availableParallelism()));
    if (threads <= 1 || !parallel.workerScript) return serialKRunner(ks, fitHere, onCell);
    const ctrl = new Int32Array(new SharedArrayBuffer(SWEEP_CTRL.LENGTH * 4));
    const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => ks[b] - ks[a] || a - b);
    const queue = new Int32Array(new SharedArrayBuffer(Math.max(1, total) * 4));
    queue.set(order);
    Atomics.store(ctrl, SWEEP_CTRL.READY, 1);
    const workers: { worker: Worker; port: MessagePort }[] = [];
    const seen = new Uint8Array(total);
    let done = 0;
    let longest = 0;
    const record = (index: number, outcome: Parameters<typeof onCell>[1]) => {
      if (seen[index]) return; // fitted twice (see below): the same cell
      seen[index] = 1;
      done++;
      onCell(index, outcome);
    };
    const fitHereTimed = (index: number) => {
      const started = Date.now();
      const outcome = fitCellHere(ks[index], fitHere);
      longest = Math.max(longest, Date.now() - started);
      record(index, outcome);
    };
    const drain = () => {
      for (const { port } of workers) {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          const message = m.message as KSweepWorkerMessage;
          if ('fit' in message) record(message.index, { fit: { ...message.fit, binary: task.binary } });
          else if ('fitError' in message) record(message.index, { error: new FitError(message.fitError) });
          else if (!seen[message.index]) fitHereTimed(message.index);
        }
      }
    };
    try {
      for (let w = 0; w < threads - 1; w++) {
        const channel = new MessageChannel();
        const workerData: KSweepWorkerData = { kind: 'k-sweep', ks: [...ks], queue, ctrl, port: channel.port2, task };
        const worker = new Worker(parallel.workerScript, { workerData, transferList: [channel.port2] });
        worker.unref();
        // A worker that dies only leaves its cells to this thread (below).
        worker.on('error', () => undefined);
        workers.push({ worker, port: channel.port1 });
      }
      for (let at = takeCell(ctrl, total, 'front'); at >= 0; at = takeCell(ctrl, total, 'front')) {
        fitHereTimed(queue[at]);
        drain();
      }
      let lastProgress = Date.now();
      while (done < total) {
        const before = done;
        const posted = Atomics.load(ctrl, SWEEP_CTRL.DONE);
        drain();
        if (done > before) lastProgress = Date.now();
        if (done >= total) break;
        if (Date.now() - lastProgress > Math.max(30_000, 4 * longest)) {
          // Nothing for much longer than this thread's longest cell: a worker died; fit what is missing here.
          fitHereTimed(order.find((index) => !seen[index])!);
          lastProgress = Date.now();
          continue;
        }
        Atomics.wait(ctrl, SWEEP_CTRL.DONE, posted, 50);
      }
    } finally {
      Atomics.store(ctrl, SWEEP_CTRL.STOP, 1);
      for (const { worker, port } of workers) {
        port.close();
        void worker.terminate();
      }
    }
  };
}
