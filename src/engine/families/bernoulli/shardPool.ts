// Compute shards for the Bernoulli E- and M-steps: worker_threads that share the CSR matrix, the parameters, the
// log-probabilities, the responsibilities and the per-block partial sums through SharedArrayBuffers. The mixture
// family's interface is synchronous, so a phase is run synchronously: the calling thread publishes the phase,
// wakes the shards (Atomics.notify), takes blocks itself from the same atomic counter, and then waits (Atomics.wait)
// until every block is done. Blocks are claimed dynamically, so a shard that is slow to start, or never starts, only
// means the calling thread does more of the blocks: nothing waits for a shard to be ready.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { BinaryMatrix } from './binarize';
import { sharedArray } from './binarize';
import { FitError } from '../../errors';
import { accumulateBlock, blockRowRange, eStepRows, type BlockLayout } from './shardKernels';

/** Slots of the shared control array. */
export const CTRL = {
  /** Phase generation: shards sleep on it. */
  GEN: 0,
  /** (generation mod 2048) << 20 | next block to claim. */
  CLAIM: 1,
  /** Blocks finished in the current phase. */
  DONE: 2,
  PHASE: 3,
  /** Set by a shard whose kernel threw; the message comes on its port. */
  ERROR: 4,
  /** Shards that have started (informational). */
  READY: 5,
  STOP: 6,
  LENGTH: 8,
} as const;

export const PHASE_E_STEP = 1;
export const PHASE_M_STEP = 2;

/** Buffers of one phase: what a block reads and writes. */
export interface PhaseBuffers {
  rowPtr: Uint32Array;
  colIdx: Uint16Array | Uint32Array;
  wt: Float64Array;
  base: Float64Array;
  logProb: Float64Array;
  resp: Float64Array;
  partial: Float64Array;
  n: number;
  d: number;
  k: number;
  layout: BlockLayout;
}

/** What a shard receives as workerData: the phase buffers plus its control words and port. Typed arrays on
 * SharedArrayBuffers are shared, not copied. */
export interface ShardData extends PhaseBuffers {
  ctrl: Int32Array;
  port: MessagePort;
}

/** Claims the next block of generation `gen`, or −1 when there is none left (or the phase has moved on). */
export function claimBlock(ctrl: Int32Array, gen: number, blocks: number): number {
  const tag = (gen & 0x7ff) << 20;
  for (;;) {
    const v = Atomics.load(ctrl, CTRL.CLAIM);
    if ((v & ~0xfffff) !== tag) return -1;
    const b = v & 0xfffff;
    if (b >= blocks) return -1;
    if (Atomics.compareExchange(ctrl, CTRL.CLAIM, v, v + 1) === v) return b;
  }
}

/** Runs one block of the current phase (read after the claim: the phase cannot change before this block is done). */
export function runBlock(ctrl: Int32Array, buf: PhaseBuffers, b: number, scratchK: Int32Array, scratchR: Float64Array): void {
  const [r0, r1] = blockRowRange(buf.layout, buf.n, b);
  const phase = Atomics.load(ctrl, CTRL.PHASE);
  if (phase === PHASE_E_STEP) {
    eStepRows(buf.rowPtr, buf.colIdx, buf.wt, buf.base, buf.k, r0, r1, buf.logProb);
  } else if (phase === PHASE_M_STEP) {
    accumulateBlock(buf.rowPtr, buf.colIdx, buf.resp, buf.d, buf.k, r0, r1, buf.partial, b * buf.layout.stride, scratchK, scratchR);
  } else {
    throw new Error(`unknown shard phase ${phase}`);
  }
}

/**
 * Claims and runs blocks until none is left; returns how many this thread ran. A block that throws is still counted
 * as done (so that nobody waits for it), after the ERROR flag is set and `onError` has reported it; without
 * `onError` (the calling thread) the error is rethrown.
 */
export function workOnPhase(
  ctrl: Int32Array,
  gen: number,
  buf: PhaseBuffers,
  scratchK: Int32Array,
  scratchR: Float64Array,
  onError?: (error: unknown) => void,
): number {
  let ran = 0;
  for (;;) {
    const b = claimBlock(ctrl, gen, buf.layout.blocks);
    if (b < 0) return ran;
    let failure: unknown;
    try {
      runBlock(ctrl, buf, b, scratchK, scratchR);
    } catch (e) {
      failure = e ?? new Error('unknown error');
      onError?.(failure);
      Atomics.store(ctrl, CTRL.ERROR, 1);
    }
    if (Atomics.add(ctrl, CTRL.DONE, 1) + 1 === buf.layout.blocks) Atomics.notify(ctrl, CTRL.DONE);
    if (failure !== undefined && !onError) throw failure;
    ran++;
  }
}

/** The bundled shard script next to the running bundle (dist/shard.js), or undefined when there is none (tsx, mocha). */
export function defaultShardScript(): string | undefined {
  const candidate = path.join(__dirname, 'shard.js');
  return fs.existsSync(candidate) ? candidate : undefined;
}

/** How long the caller waits for the shards to finish one phase before giving up. */
const PHASE_TIMEOUT_MS = 120_000;

export class ShardPool {
  readonly buffers: PhaseBuffers;
  private readonly ctrl: Int32Array;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly scratchK: Int32Array;
  private readonly scratchR: Float64Array;
  private gen = 0;
  private disposed = false;
  /** Blocks run in all phases so far, and how many of them by the calling thread (the rest: by shards). */
  blocksRun = 0;
  callerBlocksRun = 0;
  /** Timing of the last phase on the calling thread: its own blocks, and the wait for the shards' blocks after. */
  lastPhase = { blocks: 0, callerBlocks: 0, workMs: 0, waitMs: 0 };

  /** Starts `shards` worker threads running `script`. Throws if a Worker cannot be created. */
  constructor(matrix: BinaryMatrix, k: number, layout: BlockLayout, shards: number, script: string) {
    const { n, d } = matrix;
    this.ctrl = sharedArray(Int32Array, CTRL.LENGTH);
    // One n × K buffer serves both phases: the E-step's log-probabilities are copied out before the M-step's
    // responsibilities are copied in.
    const rows = sharedArray(Float64Array, n * k);
    this.buffers = {
      rowPtr: matrix.rowPtr,
      colIdx: matrix.colIdx,
      wt: sharedArray(Float64Array, d * k),
      base: sharedArray(Float64Array, k),
      logProb: rows,
      resp: rows,
      partial: sharedArray(Float64Array, layout.blocks * layout.stride),
      n,
      d,
      k,
      layout,
    };
    this.scratchK = new Int32Array(k);
    this.scratchR = new Float64Array(k);
    if (!(matrix.rowPtr.buffer instanceof SharedArrayBuffer) || !(matrix.colIdx.buffer instanceof SharedArrayBuffer)) {
      throw new Error('the binary matrix must live on SharedArrayBuffers to be shared with compute shards');
    }
    try {
      for (let s = 0; s < shards; s++) {
        const { port1, port2 } = new MessageChannel();
        const data: ShardData = { ctrl: this.ctrl, ...this.buffers, port: port2 };
        const worker = new Worker(script, { workerData: data, transferList: [port2] });
        // A shard that fails to load just never claims a block; its error must not become an unhandled event.
        worker.on('error', () => undefined);
        worker.unref();
        port1.unref();
        this.workers.push(worker);
        this.ports.push(port1);
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Runs one phase over every block, on this thread and the shards; returns when all blocks are done. */
  run(phase: number): void {
    if (this.disposed) throw new Error('shard pool used after dispose');
    const ctrl = this.ctrl;
    const gen = ++this.gen;
    const blocks = this.buffers.layout.blocks;
    Atomics.store(ctrl, CTRL.PHASE, phase);
    Atomics.store(ctrl, CTRL.DONE, 0);
    Atomics.store(ctrl, CTRL.ERROR, 0);
    Atomics.store(ctrl, CTRL.CLAIM, (gen & 0x7ff) << 20);
    Atomics.store(ctrl, CTRL.GEN, gen);
    Atomics.notify(ctrl, CTRL.GEN);
    const started = performance.now();
    const ran = workOnPhase(ctrl, gen, this.buffers, this.scratchK, this.scratchR);
    const worked = performance.now();
    this.callerBlocksRun += ran;
    this.blocksRun += blocks;
    const deadline = Date.now() + PHASE_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(ctrl, CTRL.DONE);
      if (done >= blocks) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new FitError(`a compute thread stopped responding (${blocks - done} of ${blocks} blocks unfinished after ${PHASE_TIMEOUT_MS / 1000} s). Try threads = 1.`);
      }
      Atomics.wait(ctrl, CTRL.DONE, done, Math.min(left, 1000));
    }
    const finished = performance.now();
    this.lastPhase = { blocks, callerBlocks: ran, workMs: worked - started, waitMs: finished - worked };
    if (Atomics.load(ctrl, CTRL.ERROR) !== 0) {
      const messages: string[] = [];
      for (const port of this.ports) {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) messages.push(String((m.message as { error?: string }).error));
      }
      throw new Error(`a compute shard failed: ${messages.join('; ') || 'no message'}`);
    }
  }

  /** Shards that have started (for tests and logs). */
  readyShards(): number {
    return Atomics.load(this.ctrl, CTRL.READY);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ctrl, CTRL.STOP, 1);
    Atomics.add(this.ctrl, CTRL.GEN, 1);
    Atomics.notify(this.ctrl, CTRL.GEN);
    for (const w of this.workers) void w.terminate();
    for (const p of this.ports) p.close();
  }
}
