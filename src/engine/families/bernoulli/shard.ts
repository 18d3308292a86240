// A compute shard (bundled as dist/shard.js): sleeps on the shared generation counter, and on each new phase claims
// and runs blocks of rows until none is left (see shardPool.ts). Purely synchronous: it never needs its event loop.

import { workerData } from 'node:worker_threads';
import { CTRL, workOnPhase, type ShardData } from './shardPool';

const data = workerData as ShardData;
if (!data || !(data.ctrl instanceof Int32Array)) throw new Error('shard.js must be started by ShardPool with its workerData');

const { ctrl, port } = data;
const scratchK = new Int32Array(data.k);
const scratchR = new Float64Array(data.k);
Atomics.add(ctrl, CTRL.READY, 1);

let seen = 0;
for (;;) {
  Atomics.wait(ctrl, CTRL.GEN, seen);
  const gen = Atomics.load(ctrl, CTRL.GEN);
  seen = gen;
  if (Atomics.load(ctrl, CTRL.STOP) !== 0) break;
  workOnPhase(ctrl, gen, data, scratchK, scratchR, (e) => port.postMessage({ error: e instanceof Error ? e.message : String(e) }));
}
port.close();
