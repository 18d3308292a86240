// A model selection on one column out of core (mclust's E and V models) against in memory: the quantile classes that
// start each K are found from the streamed column (exact order statistics by radix selection), so the BIC table, the
// chosen model and its fit are the in-memory ones; a K that the column's distinct values cannot split has no start
// either way.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { Rng } from '../../../src/engine/em/rng';
import type { RowSource } from '../../../src/engine/em/streaming';
import { fitDataset } from '../../../src/engine/fit';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import { quantileClasses } from '../../../src/engine/select/starts';
import { orderStatistics, streamedQuantileBreaks } from '../../../src/engine/select/streamedQuantiles';
import { classifyByBreaks } from '../../../src/engine/select/starts';
import type { FitOptions, FitResult } from '../../../src/shared/protocol';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

function assertClose(actual: number, expected: number, what: string, relative = 1e-10): void {
  const tolerance = relative * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

function columnSource(values: Float64Array, chunkRows: number): RowSource {
  const n = values.length;
  const buffer = new Float64Array(chunkRows);
  return {
    n,
    d: 1,
    chunkRows,
    buffer,
    forEachChunk(visit) {
      for (let start = 0; start < n; start += chunkRows) {
        const rows = Math.min(chunkRows, n - start);
        buffer.set(values.subarray(start, start + rows));
        visit(rows, start);
      }
    },
  };
}

function assertSameSelection(actual: FitResult, expected: FitResult): void {
  const a = expected.selection!;
  const b = actual.selection!;
  assert.deepEqual(b.models, a.models);
  assert.deepEqual(b.ks, a.ks);
  assert.deepEqual(b.chosen, a.chosen);
  assert.deepEqual([actual.k, actual.covarianceType, actual.iterations, actual.converged], [expected.k, expected.covarianceType, expected.iterations, expected.converged]);
  a.entries.forEach((e, i) => {
    const f = b.entries[i];
    const name = `K = ${e.k} ${e.covariance}`;
    assert.deepEqual([f.k, f.covariance, f.iterations, f.converged, f.degenerate, f.reason], [e.k, e.covariance, e.iterations, e.converged, e.degenerate, e.reason], name);
    for (const key of ['logLikelihood', 'bic', 'icl', 'aic'] as const) {
      if (e[key] === null) assert.equal(f[key], null, `${name} ${key}`);
      else assertClose(f[key] as number, e[key] as number, `${name} ${key}`);
    }
  });
  actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
  for (let j = 0; j < expected.k; j++) {
    assertClose(actual.weights[j], expected.weights[j], `weight ${j}`);
    assertClose(actual.means[j][0], expected.means[j][0], `mean ${j}`);
    assertClose(actual.covariances![j][0][0], expected.covariances![j][0][0], `variance ${j}`);
  }
  assertClose(actual.bic, expected.bic, 'BIC');
}

describe('out-of-core model selection on one column equals the in-memory one', function () {
  this.timeout(120_000);
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-one-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const inMemory = (file: string, options: Partial<FitOptions>) =>
    fitDataset(loadDataset(path.basename(file), fs.readFileSync(file), { columns: options.columns, missing: 'skip' }), options).result;

  const cases: { name: string; options: Partial<FitOptions>; chunkRows: number }[] = [
    { name: 'faithful waiting, K 1-9, E and V', options: { model: 'gaussian', k: 'auto', columns: ['waiting'] }, chunkRows: 19 },
    { name: 'faithful eruptions standardised, K 2-5, V only, ICL', options: { model: 'gaussian', k: 'auto', kRange: '2-5', columns: ['eruptions'], covarianceModels: 'V', standardize: true, criterion: 'icl' }, chunkRows: 272 },
  ];
  for (const { name, options, chunkRows } of cases) {
    it(`${name}, chunks of ${chunkRows} rows`, async () => {
      const file = path.join(FIXTURES, 'faithful.csv');
      const expected = inMemory(file, options);
      let storeDir = '';
      const actual = (await fitOutOfCore(file, options, 1, {}, { chunkRows, tempParent: temp, onStore: (dir) => (storeDir = dir) })).result;
      assert.equal(actual.d, 1);
      assertSameSelection(actual, expected);
      assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    });
  }

  it('a column of few distinct values: the same quantile classes through ties, and no start for a K it cannot split', async () => {
    // 4,000 rows of 7 distinct values, most of them 0 (qclass takes extra quantiles to find K + 1 distinct ones).
    const rng = new Rng(11);
    const lines = ['x'];
    for (let i = 0; i < 4000; i++) {
      const u = rng.next();
      lines.push(String(u < 0.6 ? 0 : u < 0.75 ? 1 : u < 0.85 ? 2 : u < 0.92 ? 3 : u < 0.96 ? 5 : u < 0.99 ? 8 : 13));
    }
    const file = path.join(temp, 'ties.csv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const options: Partial<FitOptions> = { model: 'gaussian', k: 'auto', kRange: '1-8', regularization: 1e-3 };
    const expected = inMemory(file, options);
    assert.ok(expected.selection!.entries.some((e) => /no starting partition/.test(e.reason ?? '')), 'K = 7 and 8 have no start in memory');
    const actual = (await fitOutOfCore(file, options, 1, {}, { chunkRows: 333, tempParent: temp })).result;
    assertSameSelection(actual, expected);
  });
});

describe('order statistics of a streamed column', () => {
  const rng = new Rng(3);
  const n = 5000;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    // Both signs, ±0, ties, tiny and huge magnitudes.
    values[i] = u < 0.05 ? 0 : u < 0.08 ? -0 : u < 0.2 ? Math.round(rng.next() * 10) - 5 : u < 0.25 ? (rng.next() - 0.5) * 1e-300 : u < 0.3 ? (rng.next() - 0.5) * 1e300 : rng.normal() * 100;
  }
  const sorted = Float64Array.from(values).sort();
  const ranks = [0, 1, 2, 17, 250, 251, 2499, 2500, 4000, n - 2, n - 1];

  for (const limit of [1, 100, 1 << 20]) {
    it(`are the sorted values at the asked positions (at most ${limit} values held to sort)`, () => {
      const found = orderStatistics(columnSource(values, 333), ranks, limit);
      for (const r of ranks) assert.ok(Object.is(found.get(r), sorted[r]), `rank ${r}: ${found.get(r)} vs ${sorted[r]}`);
    });
  }

  it('give quantileClasses\' classes for every K', () => {
    const ks = [1, 2, 3, 5, 9];
    const breaks = streamedQuantileBreaks(columnSource(values, 700), ks, 64);
    ks.forEach((k, i) => {
      const classes = new Int32Array(n);
      classifyByBreaks(values, n, breaks[i]!, classes);
      assert.deepEqual(classes, quantileClasses(values, k), `K = ${k}`);
    });
  });
});
