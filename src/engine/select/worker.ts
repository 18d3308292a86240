// A model-selection worker (dist/selectWorker.js): takes cells from the back of the shared queue until every cell is
// taken and posts each finished cell (see parallel.ts). It waits for the starting partitions, which the calling thread writes after the
// workers are started.

import { workerData } from 'node:worker_threads';
import { SWEEP_CTRL, takeCell, type SweepWorkerData, type SweepWorkerMessage } from './parallel';
import { runPlannedCell, type SweepPlan } from './sweep';

const data = workerData as SweepWorkerData | null;
if (!data?.ctrl) throw new Error('selectWorker.js must be started by sweepModelsParallel');
const { x, n, d, ks, models, settings, partitions, queue, ctrl, port } = data;

while (Atomics.load(ctrl, SWEEP_CTRL.READY) === 0) Atomics.wait(ctrl, SWEEP_CTRL.READY, 0);
const plan: SweepPlan = { n, d, ks, models, settings, partitions: ks.map((_, i) => partitions.subarray(i * n, i * n + n)) };
const total = ks.length * models.length;
const post = (message: SweepWorkerMessage) => port.postMessage(message);

for (let at = takeCell(ctrl, total, 'back'); at >= 0 && Atomics.load(ctrl, SWEEP_CTRL.STOP) === 0; at = takeCell(ctrl, total, 'back')) {
  const index = queue[at];
  try {
    post({ index, cell: runPlannedCell(x, plan, index).cell });
  } catch (error) {
    post({ index, error: error instanceof Error ? error.message : String(error) });
  }
  Atomics.add(ctrl, SWEEP_CTRL.DONE, 1);
  Atomics.notify(ctrl, SWEEP_CTRL.DONE);
}
port.close();
