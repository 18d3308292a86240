// A Poisson mixture of a count file over the memory budget, through the real worker client and dist/worker.js: the
// panel's events are the in-memory fit's (loaded as a Poisson fit with a plot sample, one progress message with rates
// per iteration, the count histograms in the result), with parse and pass progress; a K sweep reports every candidate;
// a cell that is not a count is one message naming the file, the column and the line, and no store is left behind.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/engine/em/rng';
import { DEFAULT_FIT_OPTIONS, type FitOptions, type ParamsSnapshot, type PlotSample, type StreamProgress } from '../../src/shared/protocol';
import { startFit, type WorkerClientOptions } from '../../src/host/workerClient';

const root = path.resolve(__dirname, '..', '..');
const real: WorkerClientOptions = { workerPath: path.join(root, 'dist', 'worker.js') };
const options = (o: Partial<FitOptions> = {}): FitOptions => ({ ...DEFAULT_FIT_OPTIONS, ...o });
const storesIn = (dir: string) => fs.readdirSync(dir).filter((f) => f.startsWith('mixscope-store-'));

/** Three groups of independent Poisson counts in four columns (Knuth's draw), `rows` rows. */
function writeCounts(file: string, rows: number): void {
  const rng = new Rng(11);
  const poisson = (rate: number) => {
    const limit = Math.exp(-rate);
    let k = 0;
    for (let p = rng.next(); p > limit; p *= rng.next()) k++;
    return k;
  };
  const rates = [
    [1, 8, 0.5, 3],
    [6, 2, 4, 0.2],
    [12, 12, 1, 7],
  ];
  const lines = ['visits,calls,returns,complaints'];
  for (let i = 0; i < rows; i++) lines.push(rates[i % 3].map(poisson).join(','));
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('host worker client: Poisson mixtures out of core (dist/worker.js)', function () {
  this.timeout(120000);
  let temp: string;
  let savedTmp: string | undefined;
  let counts: string;

  before(function () {
    if (!fs.existsSync(real.workerPath)) throw new Error('dist/worker.js is missing: run `npm run build` (npm test does).');
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-poisson-worker-'));
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    counts = path.join(temp, 'counts.csv');
    writeCounts(counts, 150_000);
  });
  after(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    fs.rmSync(temp, { recursive: true, force: true });
  });

  it('streams a count file over the budget: the in-memory trace to 1e-9, Poisson progress and histograms, a plot sample, parse and pass progress', async () => {
    const size = fs.statSync(counts).size;
    assert.ok(size > 1024 * 1024, 'the file is over a 1 MB budget');
    // Random responsibilities are drawn row by row in file order, so the start is the in-memory one at any size.
    const fit = options({ model: 'poisson', k: 3, seed: 2, init: 'random', maxIterations: 40, maxPlotPoints: 1200 });
    const inMemory = await startFit(real, { fileName: 'counts.csv', bytes: new Uint8Array(fs.readFileSync(counts)), options: fit }).finished;
    assert.equal(inMemory.status, 'done', JSON.stringify(inMemory).slice(0, 300));

    let plotSample: PlotSample | undefined;
    let loadedModel = '';
    const snapshots: ParamsSnapshot[] = [];
    const stream: StreamProgress[] = [];
    const run = startFit(real, { fileName: 'counts.csv', outOfCore: { filePath: counts, memoryBudgetMB: 1 }, options: fit }, {
      onLoaded: (m) => {
        plotSample = m.plotSample;
        loadedModel = m.model;
      },
      onProgress: (m) => snapshots.push(m.snapshot),
      onStreamProgress: (m) => stream.push(m),
    });
    const outcome = await run.finished;
    assert.equal(outcome.status, 'done', JSON.stringify(outcome).slice(0, 300));
    if (outcome.status !== 'done' || inMemory.status !== 'done') return;
    const a = inMemory.message.result;
    const b = outcome.message.result;
    assert.equal(loadedModel, 'poisson');
    assert.equal(b.model, 'poisson');
    assert.equal(b.n, 150_000);
    assert.equal(b.trace.length, a.trace.length);
    a.trace.forEach((v, i) => assert.ok(Math.abs(b.trace[i] - v) <= 1e-9 * Math.abs(v), `trace[${i}] ${b.trace[i]} vs ${v}`));
    a.rates!.forEach((row, j) => row.forEach((v, c) => assert.ok(Math.abs(b.rates![j][c] - v) <= 1e-9 * v, `rate ${j},${c}`)));
    assert.deepEqual(b.countHistograms, a.countHistograms);
    // Three groups far apart: the fitted rates are the generating ones, in some order.
    const sorted = b.rates!.map((r) => r[0]).sort((x, y) => x - y);
    [1, 6, 12].forEach((rate, j) => assert.ok(Math.abs(sorted[j] - rate) < 0.1, `visits rate ${sorted[j]} ≈ ${rate}`));

    assert.equal(snapshots.length, b.trace.length, 'one progress message per iteration, as in memory');
    assert.ok(snapshots.every((s) => s.model === 'poisson' && s.means.length === 3 && s.sizes.reduce((x, y) => x + y, 0) === 150_000));

    assert.ok(plotSample && plotSample.indices.length <= 1200 && plotSample.indices.length > 0);
    assert.equal(plotSample.values.length, plotSample.indices.length * 4);
    assert.ok(plotSample.indices[plotSample.indices.length - 1] > 140_000, 'drawn over the whole file');
    assert.equal(outcome.message.plotAssignments?.length, plotSample.indices.length);
    assert.deepEqual(b.assignedRows, plotSample.indices);

    const parse = stream.filter((m) => m.phase === 'parse');
    const passes = stream.filter((m) => m.phase === 'pass');
    assert.ok(parse.length > 0 && parse[parse.length - 1].done === size);
    assert.ok(passes.length > 0 && passes.every((m) => m.total === 150_000));
    assert.ok(Math.max(...passes.map((m) => m.pass ?? 0)) >= b.iterations, 'at least one pass per iteration');
    await run.exited;
    assert.deepEqual(storesIn(temp), []);
  });

  it('a K sweep over the budget reports every candidate and ends with the chosen fit', async () => {
    const cells: string[] = [];
    const run = startFit(real, { fileName: 'counts.csv', outOfCore: { filePath: counts, memoryBudgetMB: 1 }, options: options({ model: 'poisson', k: 'auto', kRange: '2-4', seed: 1 }) }, {
      onSelectionProgress: (m) => cells.push(`${m.entry.k} ${m.entry.covariance} ${m.done}/${m.total}`),
    });
    const outcome = await run.finished;
    assert.equal(outcome.status, 'done', JSON.stringify(outcome).slice(0, 300));
    if (outcome.status !== 'done') return;
    const r = outcome.message.result;
    assert.deepEqual(cells, ['2 poisson 1/3', '3 poisson 2/3', '4 poisson 3/3']);
    assert.equal(r.selection?.entries.length, 3);
    assert.ok(r.selection!.entries.every((e) => e.logLikelihood !== null && e.bic !== null));
    // Three groups generated: BIC picks three.
    assert.equal(r.k, 3);
    assert.deepEqual(r.selection?.chosen, { k: 3, covariance: 'poisson' });
    await run.exited;
    assert.deepEqual(storesIn(temp), []);
  });

  it('a cell that is not a count is one message naming the file, the column and the line, and leaves nothing behind', async () => {
    const bad = path.join(temp, 'bad.csv');
    fs.copyFileSync(counts, bad);
    fs.appendFileSync(bad, '1,2,-3,4\n');
    const run = startFit(real, { fileName: 'bad.csv', outOfCore: { filePath: bad, memoryBudgetMB: 1 }, options: options({ model: 'poisson', k: 3 }) });
    const outcome = await run.finished;
    assert.equal(outcome.status, 'error');
    if (outcome.status !== 'error') return;
    assert.equal(outcome.kind, 'data');
    assert.equal(
      outcome.message,
      'bad.csv: a Poisson mixture needs counts (whole numbers ≥ 0) in every fitted column, but column "returns" has -3 on line 150002. Choose only count columns (columns setting / --columns) or use model "gaussian".',
    );
    await run.exited;
    assert.deepEqual(storesIn(temp), []);
    fs.rmSync(bad);
  });
});
