// The Bernoulli K sweep (k "auto" for images) on the sweep workers (dist/selectWorker.js, built by `npm run build`,
// which `npm test` runs first): fitting the Ks side by side gives the serial sweep's table, choice and chosen fit,
// the workers really fit Ks, a worker that cannot start only leaves its Ks to the calling thread, and cancelling the
// engine worker (dist/worker.js) mid-sweep ends it and its sweep threads after the finished Ks were reported.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FitOptions, SelectionEntry } from '../../src/shared/protocol';
import { fitDataset } from '../../src/engine/fit';
import { binarize } from '../../src/engine/families/bernoulli/binarize';
import { bernoulliKTask, fitBernoulliK } from '../../src/engine/families/bernoulli/kCell';
import type { BernoulliFit } from '../../src/engine/families/bernoulli/family';
import { parallelKRunner } from '../../src/engine/select/kSweepParallel';
import { resolveOptions } from '../../src/engine/options';
import { startFit } from '../../src/host/workerClient';
import { DEFAULT_FIT_OPTIONS } from '../../src/shared/protocol';
import { MNIST_DIR, readMnist } from '../unit/engine/bernoulli-mnist';

const WORKER = path.join(__dirname, '..', '..', 'dist', 'selectWorker.js');

describe('Bernoulli K sweep on worker threads', function () {
  this.timeout(300_000);
  const images = readMnist('t10k', 1500);
  const given: Partial<FitOptions> = { model: 'bernoulli', k: 'auto', kRange: '1-6', maxIterations: 25, seed: 3 };

  before(() => {
    assert.ok(fs.existsSync(WORKER), `${WORKER} is missing: run \`npm run build\` (npm test does).`);
  });

  /** The sweep's outcome without its timings, and the entries its progress reported, by K. */
  const sweep = (threads: number, selectWorkerScript?: string) => {
    const reported: SelectionEntry[] = [];
    const outcome = fitDataset(images, { ...given, threads }, { onSelectionProgress: (p) => reported.push(p.entry) }, { selectWorkerScript });
    const { elapsedMs: _elapsed, ...result } = outcome.result;
    reported.sort((a, b) => a.k - b.k);
    return { result, examples: outcome.examples, reported };
  };

  it('two and three threads give the serial sweep’s entries, choice and chosen fit exactly', () => {
    const serial = sweep(1);
    assert.equal(serial.result.selection?.entries.length, 6);
    assert.ok(serial.result.selection?.entries.every((e) => e.bic !== null && e.reason === undefined));
    assert.deepEqual(serial.reported, serial.result.selection?.entries);
    for (const threads of [2, 3]) {
      const parallel = sweep(threads, WORKER);
      assert.deepEqual(parallel.result.selection, serial.result.selection, `${threads} threads: the table and the choice`);
      assert.deepEqual(parallel.result, serial.result, `${threads} threads: the chosen fit`);
      assert.deepEqual(parallel.examples, serial.examples, `${threads} threads: the example images`);
      assert.deepEqual(parallel.reported, serial.reported, `${threads} threads: every K reported once`);
    }
  });

  it('the workers fit Ks (the calling thread fits fewer than all), each K reported once', () => {
    const options = resolveOptions({ ...given, k: 2 });
    const task = bernoulliKTask(images, binarize(images, options.threshold), options);
    const ks = [1, 2, 3, 4, 5, 6];
    let here = 0;
    const seen: number[] = [];
    const fits = new Map<number, BernoulliFit>();
    parallelKRunner(task, { threads: 2, workerScript: WORKER })(
      ks,
      (k) => {
        here++;
        return fitBernoulliK(task, k);
      },
      (index, outcome) => {
        seen.push(index);
        assert.ok('fit' in outcome, `K = ${ks[index]} failed`);
        fits.set(ks[index], outcome.fit);
      },
    );
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5]);
    assert.ok(here > 0 && here < ks.length, `the calling thread fitted ${here} of ${ks.length} Ks`);
    // A worker's fit is the calling thread's fit of the same K, the shared matrix put back.
    const k = 1;
    const alone = fitBernoulliK(task, k);
    assert.deepEqual(fits.get(k)?.run.trace, alone.run.trace);
    assert.equal(fits.get(k)?.binary, task.binary);
  });

  it('a worker script that cannot load leaves every K to the calling thread, with the same result', () => {
    const serial = sweep(1);
    const broken = sweep(2, path.join(path.dirname(WORKER), 'no-such-worker.js'));
    assert.deepEqual(broken.result, serial.result);
  });

  it('cancelling the engine worker mid-sweep ends it and its sweep threads; the Ks reported before are whole entries', async function () {
    if (!fs.existsSync('/proc/self/status')) this.skip();
    const threads = () => Number(/Threads:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN);
    const imagesFile = path.join(MNIST_DIR, 't10k-images-idx3-ubyte');
    const before = threads();
    const reported: SelectionEntry[] = [];
    const run = startFit(
      { workerPath: path.join(path.dirname(WORKER), 'worker.js') },
      { fileName: 't10k-images-idx3-ubyte', bytes: new Uint8Array(fs.readFileSync(imagesFile)), options: { ...DEFAULT_FIT_OPTIONS, model: 'bernoulli', k: 'auto', kRange: '1-9', tolerance: 0, maxIterations: 60, threads: 2 } },
      { onSelectionProgress: (m) => reported.push(m.entry) },
    );
    for (let waited = 0; reported.length < 1 && waited < 120_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    assert.ok(reported.length >= 1 && reported.length < 9, `${reported.length} Ks reported before the cancel`);
    // The engine worker and its sweep thread.
    assert.ok(threads() >= before + 2, `threads during the sweep: ${threads()}, before: ${before}`);
    run.cancel();
    assert.equal((await run.finished).status, 'cancelled');
    await run.exited;
    for (let waited = 0; threads() > before && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    assert.ok(threads() <= before, `no thread left behind: ${threads()} threads, ${before} before the fit`);
    for (const entry of reported) {
      assert.equal(entry.covariance, 'bernoulli');
      assert.ok(Number.isFinite(entry.bic) && Number.isFinite(entry.logLikelihood) && entry.iterations === 60, JSON.stringify(entry));
    }
  });
});
