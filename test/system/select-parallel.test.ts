// The model-selection sweep on worker threads (dist/selectWorker.js, built by `npm run build`, which `npm test` runs
// first) gives exactly the serial sweep's table and best fits, whatever the number of threads, and the workers
// really fit cells.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AUTO_THREADS_MIN_WORK, autoThreads, SWEEP_CTRL, sweepModelsParallel, sweepWork, takeCell } from '../../src/engine/select/parallel';
import { sweepModels, type SweepCell, type SweepOptions } from '../../src/engine/select/sweep';
import { loadFaithful } from '../fixtures/gaussian/helpers';

const WORKER = path.join(__dirname, '..', '..', 'dist', 'selectWorker.js');

describe('model-selection sweep on worker threads', function () {
  this.timeout(300_000);
  const { values, n, d } = loadFaithful();
  const options: SweepOptions = { ks: [1, 2, 3, 4, 5, 6], columns: ['eruptions', 'waiting'] };

  before(() => {
    assert.ok(fs.existsSync(WORKER), `${WORKER} is missing: run \`npm run build\` (npm test does).`);
  });

  it('two and three threads give the serial table and best fits exactly, and the workers fit cells', () => {
    const serial = sweepModels(values, n, d, options);
    assert.equal(serial.cells.length, 6 * 14);
    for (const threads of [2, 3]) {
      const seen = new Set<SweepCell>();
      let byWorkers = 0;
      const parallel = sweepModelsParallel(values, n, d, options, { threads, workerScript: WORKER }, (cell, done, total, byWorker) => {
        seen.add(cell);
        if (byWorker) byWorkers++;
        assert.equal(total, serial.cells.length);
        assert.equal(done, seen.size);
      });
      assert.deepEqual(parallel, serial, `${threads} threads`);
      assert.equal(seen.size, serial.cells.length, 'onCell sees every cell once');
      assert.ok(byWorkers > 0 && byWorkers < serial.cells.length, `${threads} threads: the workers fitted ${byWorkers} of ${serial.cells.length} cells`);
    }
  });

  it('the queue hands out each cell once: the calling thread from the front (largest K), workers from the back', () => {
    const ctrl = new Int32Array(new SharedArrayBuffer(SWEEP_CTRL.LENGTH * 4));
    const taken = [takeCell(ctrl, 5, 'front'), takeCell(ctrl, 5, 'back'), takeCell(ctrl, 5, 'back'), takeCell(ctrl, 5, 'front'), takeCell(ctrl, 5, 'back')];
    assert.deepEqual(taken, [0, 4, 3, 1, 2]);
    assert.equal(takeCell(ctrl, 5, 'front'), -1);
    assert.equal(takeCell(ctrl, 5, 'back'), -1);
  });

  it('with case weights, two threads give the serial weighted table exactly', () => {
    const caseWeights = Float64Array.from({ length: n }, (_, i) => (i * 7) % 4);
    const weighted: SweepOptions = { ...options, ks: [1, 2, 3], caseWeights };
    const serial = sweepModels(values, n, d, weighted);
    const parallel = sweepModelsParallel(values, n, d, weighted, { threads: 2, workerScript: WORKER });
    assert.deepEqual(parallel, serial);
    assert.notDeepEqual(serial.cells.map((c) => c.logLikelihood), sweepModels(values, n, d, { ...options, ks: [1, 2, 3] }).cells.map((c) => c.logLikelihood));
  });

  it('threads 0 fits a sweep too small to pay for a worker on the calling thread alone, with the same result', () => {
    const serial = sweepModels(values, n, d, options);
    let byWorkers = 0;
    const auto = sweepModelsParallel(values, n, d, options, { threads: 0, workerScript: WORKER }, (_cell, _done, _total, byWorker) => {
      if (byWorker) byWorkers++;
    });
    assert.deepEqual(auto, serial);
    assert.equal(byWorkers, 0);
  });

  it('threads 0 means every core once the sweep is large: 2,000 rows × 6 columns, K = 1…9, 14 models', () => {
    const ks = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    assert.equal(sweepWork(272, 2, ks, 14), 272 * 11 * 45 * 14);
    assert.ok(sweepWork(272, 2, ks, 14) < AUTO_THREADS_MIN_WORK);
    assert.equal(autoThreads(sweepWork(272, 2, ks, 14), 8), 1);
    assert.equal(autoThreads(sweepWork(2000, 6, ks, 14), 8), 8);
    // K above n adds no components (those cells are not fitted).
    assert.equal(sweepWork(3, 2, ks, 14), sweepWork(3, 2, [1, 2, 3, 3, 3, 3, 3, 3, 3], 14));
  });

  it('without a worker script the calling thread fits every cell, with the same result', () => {
    const serial = sweepModels(values, n, d, { ...options, ks: [2, 3] });
    const alone = sweepModelsParallel(values, n, d, { ...options, ks: [2, 3] }, { threads: 4, workerScript: null });
    assert.deepEqual(alone, serial);
  });
});
