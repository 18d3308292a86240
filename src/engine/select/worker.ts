// A model-selection worker (dist/selectWorker.js): takes cells from the back of the shared queue until every cell is
// taken and posts each finished cell. Two kinds of sweep: the Gaussian K × covariance-model sweep (parallel.ts),
// which waits for the starting partitions the calling thread writes after starting the workers, and the K sweep of
// a family with one model per K (kSweepParallel.ts), which posts each K's whole fit.

import { workerData } from 'node:worker_threads';
import { FitError } from '../errors';
import { fitKTask, type KSweepWorkerData, type KSweepWorkerMessage } from './kSweepParallel';
import { SWEEP_CTRL, takeCell, type SweepWorkerData, type SweepWorkerMessage } from './parallel';
import { runPlannedCell, type SweepPlan } from './sweep';

const data = workerData as SweepWorkerData | KSweepWorkerData | null;
if (!data?.ctrl) throw new Error('selectWorker.js must be started by sweepModelsParallel or parallelKRunner');

function gaussianSweep({ x, n, d, ks, models, settings, partitions, queue, ctrl, port }: SweepWorkerData): void {
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
}

function kSweep({ ks, queue, ctrl, port, task }: KSweepWorkerData): void {
  const post = (message: KSweepWorkerMessage) => port.postMessage(message);
  for (let at = takeCell(ctrl, ks.length, 'back'); at >= 0 && Atomics.load(ctrl, SWEEP_CTRL.STOP) === 0; at = takeCell(ctrl, ks.length, 'back')) {
    const index = queue[at];
    try {
      // The matrix is not sent back: the calling thread shares it already.
      const { binary: _shared, ...fit } = fitKTask(task, ks[index]);
      post({ index, fit });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      post(error instanceof FitError ? { index, fitError: message } : { index, error: message });
    }
    Atomics.add(ctrl, SWEEP_CTRL.DONE, 1);
    Atomics.notify(ctrl, SWEEP_CTRL.DONE);
  }
  port.close();
}

if ('kind' in data && data.kind === 'k-sweep') kSweep(data);
else gaussianSweep(data as SweepWorkerData);
