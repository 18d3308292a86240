// A latent class model (the categorical family) of a file over the memory budget, through the real worker client and
// dist/worker.js: the panel's events are the in-memory fit's (loaded as a categorical fit naming its text columns,
// one progress message per iteration, the categories and probabilities in the result), with parse and pass
// progress, and a K sweep reports every candidate; no store is left behind.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/engine/em/rng';
import { DEFAULT_FIT_OPTIONS, type FitOptions, type ParamsSnapshot, type StreamProgress } from '../../src/shared/protocol';
import { startFit, type WorkerClientOptions } from '../../src/host/workerClient';

const root = path.resolve(__dirname, '..', '..');
const real: WorkerClientOptions = { workerPath: path.join(root, 'dist', 'worker.js') };
const options = (o: Partial<FitOptions> = {}): FitOptions => ({ ...DEFAULT_FIT_OPTIONS, labelColumn: 'none', ...o });
const storesIn = (dir: string) => fs.readdirSync(dir).filter((f) => f.startsWith('mixscope-store-'));

/** Two groups of answers to three questions (an empty answer now and then), `rows` rows. */
function writeSurvey(file: string, rows: number): void {
  const rng = new Rng(3);
  const pick = (levels: string[], likely: number) => (rng.next() < 0.75 ? levels[likely] : levels[rng.int(levels.length)]);
  const lines = ['smoker,exercise,commute'];
  for (let i = 0; i < rows; i++) {
    const g = i % 2;
    const exercise = rng.next() < 0.02 ? '' : pick(['daily', 'weekly', 'monthly', 'never'], g === 0 ? 0 : 3);
    lines.push([pick(['no', 'yes'], g), exercise, pick(['cycle', 'car', 'bus'], g === 0 ? 0 : 1)].join(','));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('host worker client: categorical mixtures out of core (dist/worker.js)', function () {
  this.timeout(120000);
  let temp: string;
  let savedTmp: string | undefined;
  let survey: string;

  before(function () {
    if (!fs.existsSync(real.workerPath)) throw new Error('dist/worker.js is missing: run `npm run build` (npm test does).');
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-categorical-worker-'));
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    survey = path.join(temp, 'survey.csv');
    writeSurvey(survey, 90_000);
  });
  after(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    fs.rmSync(temp, { recursive: true, force: true });
  });

  it('streams a file of categories over the budget: the in-memory trace to 1e-9, categorical progress, categories and probabilities', async () => {
    const size = fs.statSync(survey).size;
    assert.ok(size > 1024 * 1024, 'the file is over a 1 MB budget');
    // Random responsibilities are drawn row by row in file order, so the start is the in-memory one at any size.
    const fit = options({ model: 'categorical', k: 2, seed: 4, init: 'random', maxIterations: 40, maxPlotPoints: 1000 });
    const inMemory = await startFit(real, { fileName: 'survey.csv', bytes: new Uint8Array(fs.readFileSync(survey)), options: fit }).finished;
    assert.equal(inMemory.status, 'done', JSON.stringify(inMemory).slice(0, 300));

    let loaded: { model: string; columns: string[] } | undefined;
    const snapshots: ParamsSnapshot[] = [];
    const stream: StreamProgress[] = [];
    const run = startFit(real, { fileName: 'survey.csv', outOfCore: { filePath: survey, memoryBudgetMB: 1 }, options: fit }, {
      onLoaded: (m) => (loaded = { model: m.model, columns: m.summary.columns }),
      onProgress: (m) => snapshots.push(m.snapshot),
      onStreamProgress: (m) => stream.push(m),
    });
    const outcome = await run.finished;
    assert.equal(outcome.status, 'done', JSON.stringify(outcome).slice(0, 300));
    if (outcome.status !== 'done' || inMemory.status !== 'done') return;
    const a = inMemory.message.result;
    const b = outcome.message.result;
    assert.deepEqual(loaded, { model: 'categorical', columns: ['smoker', 'exercise', 'commute'] });
    assert.equal(b.model, 'categorical');
    assert.equal(b.n, 90_000);
    assert.deepEqual(b.categories, a.categories);
    assert.deepEqual(b.categories?.[1], { column: 'exercise', levels: ['daily', 'monthly', 'never', 'weekly'] });
    assert.equal(b.trace.length, a.trace.length);
    a.trace.forEach((v, i) => assert.ok(Math.abs(b.trace[i] - v) <= 1e-9 * Math.abs(v), `trace[${i}] ${b.trace[i]} vs ${v}`));
    a.probabilities!.forEach((cluster, c) => cluster.forEach((column, j) => column.forEach((p, l) => assert.ok(Math.abs(b.probabilities![c][j][l] - p) <= 1e-9, `θ ${c},${j},${l}`))));
    // Two groups of equal size: the fitted weights are near one half.
    b.weights.forEach((w) => assert.ok(Math.abs(w - 0.5) < 0.02, `weight ${w}`));

    assert.equal(snapshots.length, b.trace.length, 'one progress message per iteration, as in memory');
    assert.ok(snapshots.every((s) => s.model === 'categorical' && s.means.length === 2 && s.sizes.reduce((x, y) => x + y, 0) === 90_000));
    assert.equal(outcome.message.plotAssignments?.length, b.assignedRows?.length);
    assert.ok(b.assignedRows!.length <= 1000 && b.assignedRows![b.assignedRows!.length - 1] > 80_000, 'an evenly drawn sample of rows');

    const parse = stream.filter((m) => m.phase === 'parse');
    const passes = stream.filter((m) => m.phase === 'pass');
    assert.ok(parse.length > 0 && parse[parse.length - 1].done === size);
    assert.ok(passes.length > 0 && passes.every((m) => m.total === 90_000));
    assert.ok(Math.max(...passes.map((m) => m.pass ?? 0)) >= b.iterations, 'at least one pass per iteration');
    await run.exited;
    assert.deepEqual(storesIn(temp), []);
  });

  it('a K sweep over the budget reports every candidate and ends with the chosen fit', async () => {
    const cells: string[] = [];
    const run = startFit(real, { fileName: 'survey.csv', outOfCore: { filePath: survey, memoryBudgetMB: 1 }, options: options({ model: 'auto', k: 'auto', kRange: '1-3', seed: 1 }) }, {
      onSelectionProgress: (m) => cells.push(`${m.entry.k} ${m.entry.covariance} ${m.done}/${m.total}`),
    });
    const outcome = await run.finished;
    assert.equal(outcome.status, 'done', JSON.stringify(outcome).slice(0, 300));
    if (outcome.status !== 'done') return;
    const r = outcome.message.result;
    assert.equal(r.model, 'categorical');
    assert.deepEqual(cells, ['1 categorical 1/3', '2 categorical 2/3', '3 categorical 3/3']);
    assert.ok(r.selection!.entries.every((e) => e.logLikelihood !== null && e.bic !== null));
    assert.equal(r.k, r.selection!.chosen!.k);
    assert.ok(r.k >= 2, `two groups were generated; K = ${r.k} chosen`);
    await run.exited;
    assert.deepEqual(storesIn(temp), []);
  });
});
