// Poisson mixtures out of core against in memory: the same count file fitted both ways gives the same EM trace (to
// 1e-9 relative), rates and weights, from each of the family's starts and with restarts, with chunks that do not
// divide the rows, with and without case weights; a K sweep picks the same K with the same per-K log-likelihoods; a cell that is not a count is the
// in-memory fit's message.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { DataError, OptionsError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import type { FitOptions, FitResult } from '../../../src/shared/protocol';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');
const COUNTS = path.join(FIXTURES, 'counts.csv');

function inMemory(file: string, options: Partial<FitOptions>): FitResult {
  const dataset = loadDataset(path.basename(file), fs.readFileSync(file), { columns: options.columns, weightsColumn: options.weightsColumn, missing: 'skip' });
  return fitDataset(dataset, options).result;
}

function assertClose(actual: number | null, expected: number | null, what: string): void {
  assert.ok(actual !== null && expected !== null, `${what}: ${actual} vs ${expected}`);
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

function assertSameFit(actual: FitResult, expected: FitResult): void {
  assert.equal(actual.model, 'poisson');
  assert.equal(actual.n, expected.n);
  assert.equal(actual.k, expected.k);
  assert.equal(actual.iterations, expected.iterations);
  assert.equal(actual.converged, expected.converged);
  assert.equal(actual.trace.length, expected.trace.length);
  actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
  assert.equal(actual.restartObjectives.length, expected.restartObjectives.length);
  actual.restartObjectives.forEach((v, i) => assertClose(v, expected.restartObjectives[i], `restart ${i}`));
  for (let j = 0; j < expected.k; j++) {
    assertClose(actual.weights[j], expected.weights[j], `weight ${j}`);
    expected.rates![j].forEach((r, c) => assertClose(actual.rates![j][c], r, `rate ${j},${c}`));
  }
  assertClose(actual.bic, expected.bic, 'BIC');
  assertClose(actual.aic, expected.aic, 'AIC');
  assert.deepEqual(actual.countHistograms, expected.countHistograms);
  assert.deepEqual(actual.caseWeights, expected.caseWeights);
  // Every row is plotted at this size: the assignments are the in-memory ones.
  assert.deepEqual(actual.assignments, expected.assignments);
}

describe('out-of-core Poisson EM equals the in-memory fit', () => {
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-poisson-test-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const cases: { options: Partial<FitOptions>; chunkRows: number }[] = [
    { options: { model: 'poisson', k: 3, seed: 1 }, chunkRows: 7 },
    { options: { model: 'poisson', k: 2, seed: 4, restarts: 3, tolerance: 1e-8 }, chunkRows: 64 },
    { options: { model: 'poisson', k: 3, seed: 2, init: 'random' }, chunkRows: 13 },
    { options: { model: 'poisson', k: 4, seed: 3, init: 'random-data', restarts: 2 }, chunkRows: 300 },
    { options: { model: 'poisson', k: 3, seed: 5, init: 'random-assignment' }, chunkRows: 1 },
    { options: { model: 'auto', countColumns: ['visits', 'calls', 'returns', 'complaints'], k: 3, seed: 6 }, chunkRows: 17 },
  ];
  for (const { options, chunkRows } of cases) {
    it(`counts.csv, model ${options.model}, K ${options.k}, init ${options.init ?? 'kmeans++'}${options.restarts ? `, ${options.restarts} restarts` : ''}, chunks of ${chunkRows} rows`, async () => {
      const expected = inMemory(COUNTS, options);
      let storeDir = '';
      let loadedModel = '';
      const actual = (await fitOutOfCore(COUNTS, options, 1, { onLoaded: (info) => (loadedModel = info.model) }, { chunkRows, tempParent: temp, onStore: (dir) => (storeDir = dir) })).result;
      assert.equal(expected.model, 'poisson');
      assert.equal(loadedModel, 'poisson');
      assertSameFit(actual, expected);
      assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    });
  }

  it('a K sweep picks the same K with the same per-K log-likelihoods, BIC, ICL and AIC', async () => {
    for (const criterion of ['bic', 'icl'] as const) {
      const options: Partial<FitOptions> = { model: 'poisson', k: 'auto', kRange: '1-5', seed: 1, criterion };
      const expected = inMemory(COUNTS, options);
      const progress: number[] = [];
      const actual = (await fitOutOfCore(COUNTS, options, 1, { onSelectionProgress: (p) => progress.push(p.done) }, { chunkRows: 23, tempParent: temp })).result;
      const want = expected.selection!;
      const got = actual.selection!;
      assert.deepEqual(got.chosen, want.chosen);
      assert.equal(got.entries.length, want.entries.length);
      got.entries.forEach((e, i) => {
        const w = want.entries[i];
        assert.equal(e.k, w.k);
        assert.equal(e.iterations, w.iterations);
        assertClose(e.logLikelihood, w.logLikelihood, `K ${e.k} log-likelihood`);
        assertClose(e.bic, w.bic, `K ${e.k} BIC`);
        assertClose(e.icl, w.icl, `K ${e.k} ICL`);
        assertClose(e.aic, w.aic, `K ${e.k} AIC`);
      });
      assert.deepEqual(progress, [1, 2, 3, 4, 5]);
      assertSameFit(actual, expected);
    }
  });

  describe('with case weights (whole and fractional, zeros included)', () => {
    let weighted: string;
    before(() => {
      // counts.csv with a weights column: 0, 0.5, 1, 2, 3 in a fixed pattern, so some rows are left out.
      const lines = fs.readFileSync(COUNTS, 'utf8').trim().split('\n');
      const pattern = [1, 2, 0, 3, 0.5, 1, 2];
      weighted = path.join(temp, 'weighted-counts.csv');
      fs.writeFileSync(weighted, [`${lines[0]},w`, ...lines.slice(1).map((line, i) => `${line},${pattern[(i * 5) % 7]}`)].join('\n') + '\n');
    });
    const weightedCases: { options: Partial<FitOptions>; chunkRows: number }[] = [
      { options: { model: 'poisson', k: 3, seed: 1, weightsColumn: 'w' }, chunkRows: 9 },
      { options: { model: 'poisson', k: 3, seed: 2, init: 'random', restarts: 2, weightsColumn: 'w' }, chunkRows: 31 },
      { options: { model: 'poisson', k: 2, seed: 3, init: 'random-data', weightsColumn: 'w' }, chunkRows: 100 },
      { options: { model: 'poisson', k: 4, seed: 4, init: 'random-assignment', weightsColumn: 'w' }, chunkRows: 16 },
    ];
    for (const { options, chunkRows } of weightedCases) {
      it(`K ${options.k}, init ${options.init ?? 'kmeans++'}${options.restarts ? `, ${options.restarts} restarts` : ''}, chunks of ${chunkRows} rows`, async () => {
        const expected = inMemory(weighted, options);
        assert.equal(expected.caseWeights?.column, 'w');
        const actual = (await fitOutOfCore(weighted, options, 1, {}, { chunkRows, tempParent: temp })).result;
        assertSameFit(actual, expected);
      });
    }
    it('a K sweep weights every candidate as in memory', async () => {
      const options: Partial<FitOptions> = { model: 'poisson', k: 'auto', kRange: '1-4', seed: 1, criterion: 'icl', weightsColumn: 'w' };
      const expected = inMemory(weighted, options);
      const actual = (await fitOutOfCore(weighted, options, 1, {}, { chunkRows: 41, tempParent: temp })).result;
      assert.deepEqual(actual.selection!.chosen, expected.selection!.chosen);
      actual.selection!.entries.forEach((e, i) => {
        const w = expected.selection!.entries[i];
        assertClose(e.logLikelihood, w.logLikelihood, `K ${e.k} log-likelihood`);
        assertClose(e.bic, w.bic, `K ${e.k} BIC`);
        assertClose(e.icl, w.icl, `K ${e.k} ICL`);
      });
      assertSameFit(actual, expected);
      assert.ok(actual.notes!.some((note) => /Case weights \(column "w"\) weight every candidate/.test(note)));
    });
    it('a negative weight is the in-memory message', async () => {
      const bad = path.join(temp, 'bad-weights.csv');
      fs.writeFileSync(bad, 'a,b,w\n1,2,1\n3,4,-2\n0,1,1\n');
      let message = '';
      try {
        inMemory(bad, { model: 'poisson', k: 1, weightsColumn: 'w' });
      } catch (e) {
        message = (e as Error).message;
      }
      assert.match(message, /line 3: the weight in column "w" is negative/);
      await assert.rejects(() => fitOutOfCore(bad, { model: 'poisson', k: 1, weightsColumn: 'w' }, 1, {}, { tempParent: temp }), (e: unknown) => e instanceof DataError && e.message === message);
    });
  });

  it('a sample of rows starts k-means++ on a file larger than it, and EM still runs on every row', async () => {
    // A budget this small leaves room for K start rows only; every row is then assigned to its nearest centre.
    const actual = (await fitOutOfCore(COUNTS, { model: 'poisson', k: 2, seed: 1 }, 0.0001, {}, { chunkRows: 50, tempParent: temp })).result;
    assert.equal(actual.n, 300);
    assert.ok(actual.notes!.includes('k-means++ started from 2 evenly drawn rows of 300; every row is then assigned to its nearest centre and EM runs on all rows'), actual.notes!.join('\n'));
    for (let i = 1; i < actual.trace.length; i++) assert.ok(actual.trace[i] >= actual.trace[i - 1] - 1e-9, `monotone at ${i}`);
    const sizes = actual.notes!.find((note) => note.startsWith('cluster sizes over all 300 rows: '))!;
    assert.equal(sizes.slice('cluster sizes over all 300 rows: '.length).split(', ').reduce((a, b) => a + Number(b), 0), 300);
  });

  it('names the file, the column and the line of a cell that is not a count, as in memory, and leaves no store', async () => {
    const file = path.join(temp, 'bad-counts.csv');
    fs.writeFileSync(file, 'a,b\n1,2\n3,4.5\n0,1\n');
    const message = (() => {
      try {
        inMemory(file, { model: 'poisson', k: 1 });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    assert.match(message, /column "b" has 4\.5 on line 3/);
    const before = fs.readdirSync(temp).length;
    await assert.rejects(() => fitOutOfCore(file, { model: 'poisson', k: 1 }, 1, {}, { tempParent: temp }), (e: unknown) => e instanceof DataError && e.message === message);
    assert.equal(fs.readdirSync(temp).length, before);
    await assert.rejects(
      () => fitOutOfCore(COUNTS, { model: 'poisson', k: 2, init: 'params', initParams: { weights: [0.5, 0.5], means: [[1], [2]] } }, 1, {}, { tempParent: temp }),
      (e: unknown) => e instanceof OptionsError && /starts a Poisson mixture from kmeans\+\+, random, random-data or random-assignment, not "params"/.test((e as Error).message),
    );
  });
});
