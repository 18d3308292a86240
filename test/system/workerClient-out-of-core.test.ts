// The extension's out-of-core fits through the real worker client and dist/worker.js: a delimited text, Parquet or
// Arrow file over the memory budget is streamed by the worker from its path (the host sends no bytes), with the in-memory fit's trace, an
// evenly drawn plot sample of at most maxPlotPoints rows, parse and pass progress; Cancel terminates the worker and
// the client removes the temporary store folder; what out of core cannot do is one message naming file and setting.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/engine/em/rng';
import { DEFAULT_FIT_OPTIONS, type FitOptions, type PlotSample, type StreamProgress } from '../../src/shared/protocol';
import { startFit, type WorkerClientOptions } from '../../src/host/workerClient';

const root = path.resolve(__dirname, '..', '..');
const real: WorkerClientOptions = { workerPath: path.join(root, 'dist', 'worker.js') };
const options = (o: Partial<FitOptions> = {}): FitOptions => ({ ...DEFAULT_FIT_OPTIONS, ...o });
const storesIn = (dir: string) => fs.readdirSync(dir).filter((f) => f.startsWith('mixscope-store-'));

/** Three Gaussian blobs in three columns, `rows` rows (60,000 rows ≈ 1.4 MB). */
function writeBlobs(file: string, rows: number): void {
  const rng = new Rng(7);
  const z = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const lines = ['a,b,c'];
  for (let i = 0; i < rows; i++) {
    const g = i % 3;
    lines.push([5 * g + z(), -3 * g + z(), g + 0.5 * z()].map((v) => v.toFixed(4)).join(','));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('host worker client: out of core (dist/worker.js)', function () {
  this.timeout(120000);
  let temp: string;
  let savedTmp: string | undefined;
  let small: string;

  before(function () {
    if (!fs.existsSync(real.workerPath)) throw new Error('dist/worker.js is missing: run `npm run build` (npm test does).');
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-worker-'));
    // The worker's store goes to the system temp folder: here, so that what is left behind can be seen.
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    small = path.join(temp, 'blobs.csv');
    writeBlobs(small, 60_000);
  });
  after(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    fs.rmSync(temp, { recursive: true, force: true });
  });

  it('streams a file over the budget from its path: the in-memory trace to 1e-9, a plot sample within maxPlotPoints, parse and pass progress', async () => {
    const size = fs.statSync(small).size;
    assert.ok(size > 1024 * 1024, 'the file is over a 1 MB budget');
    const fit = options({ model: 'gaussian', k: 3, covarianceType: 'full', seed: 1, init: 'random', maxIterations: 30, maxPlotPoints: 1500 });

    const inMemory = await startFit(real, { fileName: 'blobs.csv', bytes: new Uint8Array(fs.readFileSync(small)), options: fit }).finished;
    assert.equal(inMemory.status, 'done', JSON.stringify(inMemory).slice(0, 300));

    let plotSample: PlotSample | undefined;
    const stream: StreamProgress[] = [];
    const stores: string[] = [];
    let iterations = 0;
    const run = startFit(real, { fileName: 'blobs.csv', outOfCore: { filePath: small, memoryBudgetMB: 1 }, options: fit }, {
      onLoaded: (m) => (plotSample = m.plotSample),
      onProgress: () => iterations++,
      onStreamProgress: (m) => stream.push(m),
      onStoreCreated: (dir) => stores.push(dir),
    });
    const outcome = await run.finished;
    assert.equal(outcome.status, 'done', JSON.stringify(outcome).slice(0, 300));
    if (outcome.status !== 'done' || inMemory.status !== 'done') return;
    const a = inMemory.message.result;
    const b = outcome.message.result;
    assert.equal(b.n, 60_000);
    assert.ok(b.notes?.some((n) => /^cluster sizes over all 60000 rows: \d+, \d+, \d+$/.test(n)), JSON.stringify(b.notes));
    assert.equal(b.assignedRows?.length, b.assignments.length, 'the assignments are of the sampled rows, named');
    assert.equal(b.trace.length, a.trace.length);
    a.trace.forEach((v, i) => assert.ok(Math.abs(b.trace[i] - v) <= 1e-9 * Math.abs(v), `trace[${i}] ${b.trace[i]} vs ${v}`));
    assert.equal(iterations, b.trace.length, 'one progress message per iteration, as in memory');

    // The panel gets an evenly drawn sample, never the whole file; the assignments are of those rows.
    assert.ok(plotSample, 'loaded carries a plot sample');
    assert.ok(plotSample.indices.length <= 1500 && plotSample.indices.length > 0, `${plotSample.indices.length} plotted rows`);
    assert.equal(plotSample.values.length, plotSample.indices.length * 3);
    assert.ok(plotSample.indices.every((v, i) => i === 0 || v > plotSample!.indices[i - 1]), 'increasing row indices');
    assert.ok(plotSample.indices[plotSample.indices.length - 1] > 55_000, 'drawn over the whole file, not its start');
    assert.equal(outcome.message.plotAssignments?.length, plotSample.indices.length);

    const parse = stream.filter((m) => m.phase === 'parse');
    const passes = stream.filter((m) => m.phase === 'pass');
    assert.ok(parse.length > 0 && parse[parse.length - 1].done === size && parse.every((m) => m.total === size), 'the parse reports bytes of the file, to its end');
    assert.ok(passes.length > 0 && passes.every((m) => m.total === 60_000 && (m.pass ?? 0) >= 1), 'passes report rows of n');
    assert.ok(Math.max(...passes.map((m) => m.pass ?? 0)) >= b.iterations, 'at least one pass per iteration');

    await run.exited;
    assert.equal(stores.length, 1);
    assert.ok([temp, fs.realpathSync(temp)].includes(path.dirname(stores[0])), `${stores[0]} is in the temp folder`);
    assert.equal(fs.existsSync(stores[0]), false, 'the store folder is gone');
    assert.deepEqual(storesIn(temp), []);
  });

  it('streams Parquet and Arrow files row group by row group in the worker bundle (the typed readers loaded on first use), with the in-memory trace', async () => {
    const fit = options({ model: 'gaussian', k: 2, covarianceType: 'full', seed: 2, maxIterations: 20 });
    for (const [name, file] of [['faithful-groups.zstd.parquet', 'parquet'], ['faithful-batches.arrows', 'arrow']]) {
      const full = path.join(root, 'test', 'fixtures', 'data', file, name);
      const inMemory = await startFit(real, { fileName: name, bytes: new Uint8Array(fs.readFileSync(full)), options: fit }).finished;
      const stream: StreamProgress[] = [];
      const outcome = await startFit(real, { fileName: name, outOfCore: { filePath: full, memoryBudgetMB: 1 }, options: fit }, { onStreamProgress: (m) => stream.push(m) }).finished;
      assert.equal(outcome.status, 'done', JSON.stringify(outcome).slice(0, 300));
      if (outcome.status !== 'done' || inMemory.status !== 'done') return;
      const a = inMemory.message.result;
      const b = outcome.message.result;
      assert.equal(b.n, 272);
      assert.equal(b.trace.length, a.trace.length);
      a.trace.forEach((v, i) => assert.ok(Math.abs(b.trace[i] - v) <= 1e-9 * Math.abs(v), `${name} trace[${i}] ${b.trace[i]} vs ${v}`));
      const parse = stream.filter((m) => m.phase === 'parse');
      assert.ok(parse.length > 0 && parse[parse.length - 1].total === fs.statSync(full).size, `${name}: the parse reports bytes of the file`);
    }
    assert.deepEqual(storesIn(temp), []);
  });

  it('Cancel terminates the worker mid-parse and the client removes the store folder', async () => {
    const big = path.join(temp, 'big.csv');
    writeBlobs(big, 700_000); // ≈ 16 MB: the parse is still running when Cancel comes
    let existed = false;
    let storeDir: string | undefined;
    const run = startFit(real, { fileName: 'big.csv', outOfCore: { filePath: big, memoryBudgetMB: 1 }, options: options({ model: 'gaussian', k: 3 }) }, {
      onStoreCreated: (dir) => {
        storeDir = dir;
        existed = fs.existsSync(dir);
        run.cancel();
      },
    });
    const outcome = await run.finished;
    assert.equal(outcome.status, 'cancelled');
    await run.exited;
    assert.ok(storeDir, 'the worker named its store folder');
    assert.ok(existed, 'the folder existed when Cancel came');
    assert.equal(fs.existsSync(storeDir), false, 'removed after the worker was terminated');
    assert.deepEqual(storesIn(temp), []);
    fs.rmSync(big);
  });

  it('a model selection over the budget reports every candidate (the BIC chart) and ends with the chosen fit and its table', async () => {
    const cells: string[] = [];
    let iterations = 0;
    const run = startFit(real, { fileName: 'blobs.csv', outOfCore: { filePath: small, memoryBudgetMB: 1 }, options: options({ model: 'gaussian', k: 'auto', kRange: '2-4', covarianceModels: 'EII,EEE,VVV' }) }, {
      onSelectionProgress: (m) => cells.push(`${m.entry.k} ${m.entry.covariance} ${m.done}/${m.total}`),
      onProgress: () => iterations++,
    });
    const outcome = await run.finished;
    assert.equal(outcome.status, 'done', JSON.stringify(outcome).slice(0, 300));
    if (outcome.status !== 'done') return;
    const r = outcome.message.result;
    assert.equal(cells.length, 9);
    assert.deepEqual(cells.map((c) => c.split(' ')[2]).sort(), Array.from({ length: 9 }, (_, i) => `${i + 1}/9`).sort());
    assert.equal(r.selection?.entries.length, 9);
    // Three well-separated blobs of equal spread.
    assert.equal(r.k, 3);
    assert.deepEqual(r.selection?.chosen, { k: r.k, covariance: r.covarianceType });
    assert.equal(iterations, r.trace.length, 'the chosen fit\'s iterations reach the panel');
    assert.equal(outcome.message.plotAssignments?.length, r.assignedRows?.length);
    await run.exited;
    assert.deepEqual(storesIn(temp), []);
  });

  it('what out of core cannot do is one message naming the file and the setting, and leaves nothing behind', async () => {
    const run = startFit(real, { fileName: 'blobs.csv', outOfCore: { filePath: small, memoryBudgetMB: 1 }, options: options({ model: 'gaussian', k: 3, covarianceType: 'variational', init: 'random' }) });
    const outcome = await run.finished;
    assert.equal(outcome.status, 'error');
    if (outcome.status !== 'error') return;
    assert.equal(outcome.kind, 'data');
    assert.equal(
      outcome.message,
      'blobs.csv (1 MB, about 8 MB once read into memory) is over the 1 MB memory budget (mixscope.memoryBudgetMB), so it is fitted out of core, which starts covarianceType "variational" from k-means (as scikit-learn\'s BayesianGaussianMixture), not from init "random". ' +
        'Set mixscope.init to "kmeans++" and leave mixscope.initParams unset, or raise mixscope.memoryBudgetMB to fit it in memory.',
    );
    await run.exited;
    assert.deepEqual(storesIn(temp), []);
  });
});
