// The compute shards (dist/shard.js, built by `npm run build`, which `npm test` runs first): the same fit on one
// and on two threads gives bit-identical results, the shards really take blocks, a missing shard script falls back
// to the calling thread, and terminating the engine worker mid-fit stops it at once.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BernoulliFamily, type BernoulliParams } from '../../src/engine/families/bernoulli/family';
import { binarize } from '../../src/engine/families/bernoulli/binarize';
import { runEm, type EmRun, type EmSettings } from '../../src/engine/em/em';
import { blockLayout } from '../../src/engine/families/bernoulli/shardKernels';
import { readMnist, MNIST_DIR } from '../unit/engine/bernoulli-mnist';

const DIST = path.join(__dirname, '..', '..', 'dist');
const SHARD = path.join(DIST, 'shard.js');

describe('Bernoulli E-/M-steps on worker-thread shards', function () {
  this.timeout(120_000);
  const binary = binarize(readMnist('t10k'), 0.5);
  const settings: EmSettings = { k: 10, maxIterations: 12, tolerance: 0, variant: 'soft', restarts: 1, seed: 4, keepSnapshots: false };

  before(() => {
    assert.ok(fs.existsSync(SHARD), `${SHARD} is missing: run \`npm run build\` (npm test does).`);
  });

  const fit = (threads: number, shardScript: string | null, over: Partial<EmSettings> = {}, init: 'kmeans++' | 'random-assignment' = 'kmeans++') => {
    const family = new BernoulliFamily(binary, { init, betaPrior: [2, 2], threads, shardScript });
    try {
      const run = runEm<BernoulliParams>(family, { ...settings, ...over });
      return { run, threads: family.threads, shardBlocks: family.shardBlocks };
    } finally {
      family.dispose();
    }
  };

  const assertSame = (a: EmRun<BernoulliParams>, b: EmRun<BernoulliParams>) => {
    assert.deepEqual(b.trace, a.trace);
    assert.deepEqual(b.logLikelihoodTrace, a.logLikelihoodTrace);
    assert.deepEqual(b.params.weights, a.params.weights);
    assert.deepEqual(b.params.means, a.params.means);
    assert.deepEqual(b.assignments, a.assignments);
    assert.deepEqual(b.logResp, a.logResp);
  };

  it('splits 10,000 rows into blocks that do not depend on the thread count', () => {
    const layout = blockLayout(binary.n, binary.d, 10);
    assert.ok(layout.blocks >= 8, `${layout.blocks} blocks`);
    assert.equal(layout.stride, 784 * 10 + 10);
  });

  it('soft EM: two threads give bit-identical traces and parameters to one, and the shard does part of the work', () => {
    const one = fit(1, SHARD);
    const two = fit(2, SHARD);
    assert.equal(one.threads, 1);
    assert.equal(two.threads, 2);
    assert.ok(two.shardBlocks > 0, 'the shard thread ran no block');
    assertSame(one.run, two.run);
  });

  it('hard EM: identical on one and two threads', () => {
    const one = fit(1, SHARD, { variant: 'hard', maxIterations: 200 }, 'random-assignment');
    const two = fit(2, SHARD, { variant: 'hard', maxIterations: 200 }, 'random-assignment');
    assert.ok(two.run.converged);
    assertSame(one.run, two.run);
  });

  it('more threads than cores or blocks still gives the same result', () => {
    const one = fit(1, null, { maxIterations: 3 });
    const many = fit(6, SHARD, { maxIterations: 3 });
    assert.equal(many.threads, 6);
    assertSame(one.run, many.run);
  });

  it('a shard script that cannot load leaves all blocks to the calling thread: same result, no hang', () => {
    const one = fit(1, null, { maxIterations: 3 });
    const broken = fit(2, path.join(DIST, 'no-such-shard.js'), { maxIterations: 3 });
    assert.equal(broken.shardBlocks, 0);
    assertSame(one.run, broken.run);
  });

  it('terminating the engine worker during a multi-threaded fit of all 60,000 digits stops it within a second', async () => {
    const workerScript = path.join(DIST, 'worker.js');
    assert.ok(fs.existsSync(workerScript), `${workerScript} is missing: run \`npm run build\`.`);
    const file = path.join(MNIST_DIR, 'train-images-idx3-ubyte');
    const worker = new Worker(workerScript);
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const firstProgress = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: { type: string; message?: string }) => {
        if (m.type === 'progress') resolve();
        if (m.type === 'error') reject(new Error(m.message));
        if (m.type === 'done') reject(new Error('the fit finished before it could be cancelled'));
      });
      worker.once('error', reject);
    });
    worker.postMessage({
      type: 'start',
      runId: 1,
      fileName: file,
      bytes: new Uint8Array(fs.readFileSync(file)),
      options: { model: 'bernoulli', k: 10, maxIterations: 100000, tolerance: 0, seed: 1, threads: 2, init: 'random' },
    });
    await firstProgress;
    const t0 = Date.now();
    await worker.terminate();
    await exited;
    assert.ok(Date.now() - t0 < 1000, `terminate took ${Date.now() - t0} ms`);
  });
});
