// The Poisson mixture family against R's flexmix (FLXMCmvpois) from the same start, its EM's monotone
// log-likelihood, its BIC, its K sweep and its refusals (test/reference/make_flexmix_poisson_reference.R).

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { loadDataset } from '../../../src/engine/data/load';
import type { TableData } from '../../../src/engine/data/dataset';
import { runEm, startedFromPartition } from '../../../src/engine/em/em';
import { DataError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import { PoissonFamily } from '../../../src/engine/families/poisson/family';
import { countHistograms, HISTOGRAM_MAX_BARS } from '../../../src/engine/families/poisson/entry';

const root = path.resolve(__dirname, '../../..');
const reference = JSON.parse(readFileSync(path.join(root, 'test/reference/flexmix_poisson.json'), 'utf8')) as {
  k: number;
  start: number[];
  logLikelihood: number;
  parameters: number;
  bicSklearnSign: number;
  weights: number[];
  rates: number[][];
};
const counts = () => loadDataset('counts.csv', new Uint8Array(readFileSync(path.join(root, 'test/fixtures/counts.csv'))), { columns: [] }) as TableData;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));

describe('Poisson mixture family', function () {
  this.timeout(60_000);

  it('from flexmix\'s start, converges to flexmix\'s fit: log-likelihood, weights and rates (1e-6 relative)', () => {
    const table = counts();
    assert.deepEqual(table.columns, ['visits', 'calls', 'returns', 'complaints']);
    const family = new PoissonFamily(table.values, table.n, table.d, 'kmeans++');
    const run = runEm(startedFromPartition(family, reference.start.map((c) => c - 1)), { k: reference.k, maxIterations: 5000, tolerance: 1e-14, variant: 'soft', restarts: 1, seed: 0, keepSnapshots: false });
    assert.ok(rel(run.logLikelihood, reference.logLikelihood) < 1e-9, `log-likelihood ${run.logLikelihood} vs flexmix ${reference.logLikelihood}`);
    for (let c = 0; c < reference.k; c++) {
      assert.ok(rel(run.params.weights[c], reference.weights[c]) < 1e-6, `weight ${c}: ${run.params.weights[c]} vs ${reference.weights[c]}`);
      for (let j = 0; j < table.d; j++) {
        const rate = run.params.rates[c * table.d + j];
        assert.ok(rel(rate, reference.rates[c][j]) < 1e-6, `rate ${c},${j}: ${rate} vs ${reference.rates[c][j]}`);
      }
    }
    assert.equal(family.parameterCount(reference.k), reference.parameters);
  });

  it('reports BIC as −2 ln L + p ln n with p = K·D + K − 1 (flexmix\'s BIC, same sign)', () => {
    const { result } = fitDataset(counts(), { model: 'poisson', k: 3, tolerance: 1e-12, maxIterations: 5000, seed: 1 });
    assert.equal(result.model, 'poisson');
    assert.equal(result.parameters, reference.parameters);
    assert.ok(rel(result.logLikelihood, reference.logLikelihood) < 1e-8, `${result.logLikelihood}`);
    assert.ok(rel(result.bic, reference.bicSklearnSign) < 1e-8, `${result.bic} vs ${reference.bicSklearnSign}`);
    assert.deepEqual(result.rates, result.means);
    assert.equal(result.countHistograms?.length, 4);
  });

  it('never lowers the log-likelihood from one iteration to the next (random count tables, every start)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.nat({ max: 30 }), { minLength: 24, maxLength: 120 }),
        fc.constantFrom('kmeans++' as const, 'random' as const, 'random-data' as const, 'random-assignment' as const),
        fc.integer({ min: 0, max: 1000 }),
        (k, d, cells, init, seed) => {
          const n = Math.floor(cells.length / d);
          const values = Float64Array.from(cells.slice(0, n * d));
          const run = runEm(new PoissonFamily(values, n, d, init), { k, maxIterations: 40, tolerance: 0, variant: 'soft', restarts: 1, seed, keepSnapshots: false });
          for (let t = 1; t < run.trace.length; t++) assert.ok(run.trace[t] >= run.trace[t - 1] - 1e-9 * Math.abs(run.trace[t - 1]), `iteration ${t}: ${run.trace[t]} < ${run.trace[t - 1]}`);
          for (const r of run.params.rates) assert.ok(Number.isFinite(r) && r > 0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('k auto sweeps K by BIC and finds the three clusters the counts were drawn from', () => {
    const { result } = fitDataset(counts(), { model: 'poisson', k: 'auto', kRange: '1-6', seed: 1 });
    assert.equal(result.k, 3);
    assert.deepEqual(result.selection?.models, ['poisson']);
    assert.equal(result.selection?.entries.length, 6);
    const bics = result.selection!.entries.map((e) => e.bic!);
    assert.equal(Math.min(...bics), result.bic);
  });

  it('is never chosen by model auto, and refuses columns that are not counts, naming the column and line', () => {
    assert.equal(fitDataset(counts(), { k: 2 }).result.model, 'gaussian');
    const csv = new Uint8Array(Buffer.from('a,b\n1,2\n3,4.5\n2,2\n'));
    assert.throws(
      () => fitDataset(loadDataset('mixed.csv', csv, { columns: [] }), { model: 'poisson', k: 1 }),
      (e: unknown) => e instanceof DataError && /mixed\.csv/.test(e.message) && /column "b" has 4\.5 on line 3/.test(e.message) && /gaussian/.test(e.message),
    );
    const negative = new Uint8Array(Buffer.from('a,b\n1,2\n-3,4\n'));
    assert.throws(() => fitDataset(loadDataset('neg.csv', negative, { columns: [] }), { model: 'poisson', k: 1 }), /column "a" has -3 on line 3/);
  });

  it('count histograms: one bar per count, the rest in a last bar past HISTOGRAM_MAX_BARS', () => {
    const rows = ['x,y', ...Array.from({ length: 50 }, (_, i) => `${i % 4},${i * 3}`)].join('\n');
    const table = loadDataset('h.csv', new Uint8Array(Buffer.from(rows)), { columns: [] }) as TableData;
    const [x, y] = countHistograms(table);
    assert.deepEqual(x.frequencies, [13, 13, 12, 12]);
    assert.equal(x.tailFrom, undefined);
    assert.equal(y.frequencies.length, HISTOGRAM_MAX_BARS);
    assert.equal(y.frequencies.reduce((a, b) => a + b, 0), 50);
    assert.equal(y.tailFrom, HISTOGRAM_MAX_BARS - 1);
    assert.equal(y.frequencies[HISTOGRAM_MAX_BARS - 1], 50 - 20); // 0, 3, …, 57 below 59: 20 values
  });
});
