// Out of core against in memory: the same file fitted both ways gives the same EM trace (to 1e-9 relative) and the
// same parameters, for scikit-learn's four covariance types, with chunks that do not divide the rows.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import { DataError, OptionsError } from '../../../src/engine/errors';
import type { FitOptions } from '../../../src/shared/protocol';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

function inMemory(file: string, options: Partial<FitOptions>) {
  const dataset = loadDataset(path.basename(file), fs.readFileSync(file), { columns: options.columns, labelColumn: options.labelColumn, missing: 'skip' });
  return fitDataset(dataset, options).result;
}

function assertClose(actual: number, expected: number, what: string): void {
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

describe('out-of-core Gaussian EM equals the in-memory fit', () => {
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-test-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const cases: { file: string; options: Partial<FitOptions>; chunkRows: number }[] = [];
  for (const covarianceType of ['full', 'diag', 'spherical', 'tied'] as const) {
    cases.push({ file: 'faithful.csv', options: { model: 'gaussian', k: 2, covarianceType, seed: 3 }, chunkRows: 50 });
    cases.push({ file: 'iris.csv', options: { model: 'gaussian', k: 3, covarianceType, seed: 1, restarts: 2, tolerance: 1e-6 }, chunkRows: 7 });
  }
  cases.push({ file: 'iris.csv', options: { model: 'gaussian', k: 3, covarianceType: 'full', standardize: true, seed: 2 }, chunkRows: 11 });
  cases.push({ file: 'faithful.csv', options: { model: 'gaussian', k: 3, covarianceType: 'full', init: 'random', seed: 5 }, chunkRows: 13 });
  // random-data: K rows drawn as in memory, read back by index; params without covariances: one pass over the rows nearest each mean.
  for (const covarianceType of ['full', 'diag', 'spherical', 'tied'] as const) {
    cases.push({ file: 'iris.csv', options: { model: 'gaussian', k: 3, covarianceType, init: 'random-data', regularization: 1e-3, seed: 7, restarts: 2 }, chunkRows: 17 });
    cases.push({ file: 'faithful.csv', options: { model: 'gaussian', k: 2, covarianceType, init: 'params', initParams: { weights: [1, 3], means: [[2, 55], [4.4, 80]] } }, chunkRows: 31 });
  }
  cases.push({ file: 'faithful.csv', options: { model: 'gaussian', k: 3, covarianceType: 'full', init: 'random-data', standardize: true, seed: 11 }, chunkRows: 272 });

  for (const { file, options, chunkRows } of cases) {
    it(`${file}, ${options.covarianceType}${options.standardize ? ', standardised' : ''}${options.init ? `, init ${options.init}` : ''}, chunks of ${chunkRows} rows`, async () => {
      const full = path.join(FIXTURES, file);
      const expected = inMemory(full, options);
      let storeDir = '';
      const actual = (await fitOutOfCore(full, options, 1, {}, { chunkRows, tempParent: temp, onStore: (dir) => (storeDir = dir) })).result;
      assert.equal(actual.n, expected.n);
      assert.equal(actual.iterations, expected.iterations);
      assert.equal(actual.converged, expected.converged);
      assert.equal(actual.trace.length, expected.trace.length);
      actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
      assert.deepEqual(actual.restartObjectives.length, expected.restartObjectives.length);
      for (let j = 0; j < expected.k; j++) {
        assertClose(actual.weights[j], expected.weights[j], `weight ${j}`);
        expected.means[j].forEach((m, c) => assertClose(actual.means[j][c], m, `mean ${j},${c}`));
        expected.covariances![j].forEach((row, a) => row.forEach((v, b) => assertClose(actual.covariances![j][a][b], v, `cov ${j},${a},${b}`)));
      }
      assertClose(actual.bic, expected.bic, 'BIC');
      assertClose(actual.icl!, expected.icl!, 'ICL');
      // The store is gone once the fit ends.
      assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    });
  }

  it('removes the store when the fit fails after the parse, and refuses what it cannot do before reading', async () => {
    let storeDir = '';
    await assert.rejects(() => fitOutOfCore(path.join(FIXTURES, 'faithful.csv'), { model: 'gaussian', k: 300 }, 1, {}, { tempParent: temp, onStore: (dir) => (storeDir = dir) }), DataError);
    assert.ok(storeDir !== '' && !fs.existsSync(storeDir));
    // The variational mixture from random responsibilities is not fitted out of core: refused unread.
    await assert.rejects(
      () => fitOutOfCore(path.join(FIXTURES, 'faithful.csv'), { model: 'gaussian', k: 2, covarianceType: 'variational', init: 'random' }, 1, {}, { tempParent: temp }),
      (e: unknown) => e instanceof OptionsError && /over the 1 MB memory budget.*starts covarianceType "variational" from k-means .*not from init "random".*Set init to "kmeans\+\+"/.test((e as Error).message),
    );
    await assert.rejects(
      () => fitOutOfCore(path.join(FIXTURES, 'faithful.csv'), { model: 'gaussian', k: 'auto', initParams: { weights: [0.5, 0.5], means: [[0, 0], [1, 1]] } }, 1, {}, { tempParent: temp, settingPrefix: 'mixscope.' }),
      (e: unknown) => e instanceof OptionsError && /initParams fixes K = 2 and the start; set mixscope.k to 2/.test((e as Error).message),
    );
    assert.deepEqual(fs.readdirSync(temp), []);
  });
});

describe('out-of-core model selection equals the in-memory one', () => {
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-select-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  // faithful (272 rows: the hierarchical clustering of every row) in chunks that do not divide the rows; iris
  // standardised, with a K range past what the data hold.
  const cases: { file: string; options: Partial<FitOptions>; chunkRows: number }[] = [
    { file: 'faithful.csv', options: { model: 'gaussian', k: 'auto', kRange: '1-5' }, chunkRows: 19 },
    { file: 'iris.csv', options: { model: 'gaussian', k: 'auto', kRange: '2-4', covarianceModels: 'EII,VVI,EEE,VEV,EVE,VVE,VVV', standardize: true, criterion: 'icl' }, chunkRows: 64 },
  ];
  for (const { file, options, chunkRows } of cases) {
    it(`${file}, K ${options.kRange}, ${options.covarianceModels ?? 'all models'}${options.standardize ? ', standardised' : ''}, chunks of ${chunkRows} rows`, async () => {
      const full = path.join(FIXTURES, file);
      const expected = inMemory(full, options);
      const cells: string[] = [];
      let storeDir = '';
      const actual = (await fitOutOfCore(full, options, 1, { onSelectionProgress: (p) => cells.push(`${p.entry.k} ${p.entry.covariance} ${p.done}/${p.total}`) }, { chunkRows, tempParent: temp, onStore: (dir) => (storeDir = dir) })).result;
      const a = expected.selection!;
      const b = actual.selection!;
      assert.deepEqual(b.chosen, a.chosen);
      assert.equal(b.criterion, a.criterion);
      assert.deepEqual([actual.k, actual.covarianceType], [expected.k, expected.covarianceType]);
      assert.equal(cells.length, a.entries.length, 'one progress message per candidate');
      a.entries.forEach((e, i) => {
        const f = b.entries[i];
        const name = `K = ${e.k} ${e.covariance}`;
        assert.deepEqual([f.k, f.covariance, f.iterations, f.converged, f.degenerate, f.reason], [e.k, e.covariance, e.iterations, e.converged, e.degenerate, e.reason], name);
        for (const key of ['logLikelihood', 'bic', 'icl', 'aic'] as const) {
          if (e[key] === null) assert.equal(f[key], null, `${name} ${key}`);
          else assertClose(f[key] as number, e[key] as number, `${name} ${key}`);
        }
        e.params?.means.forEach((m, j) => m.forEach((v, c) => assertClose(f.params!.means[j][c], v, `${name} mean ${j},${c}`)));
      });
      assert.equal(actual.iterations, expected.iterations);
      assert.equal(actual.converged, expected.converged);
      assert.equal(actual.snapshots.length, expected.snapshots.length);
      actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
      for (let j = 0; j < expected.k; j++) {
        assertClose(actual.weights[j], expected.weights[j], `weight ${j}`);
        expected.means[j].forEach((m, c) => assertClose(actual.means[j][c], m, `mean ${j},${c}`));
        expected.covariances![j].forEach((row, r) => row.forEach((v, c) => assertClose(actual.covariances![j][r][c], v, `cov ${j},${r},${c}`)));
      }
      assertClose(actual.bic, expected.bic, 'BIC');
      assertClose(actual.icl!, expected.icl!, 'ICL');
      // (The parse's running means and deviations against the in-memory two passes: equal up to rounding.)
      expected.standardization?.mean.forEach((m, c) => assertClose(actual.standardization!.mean[c], m, `column mean ${c}`));
      expected.standardization?.sd.forEach((sd, c) => assertClose(actual.standardization!.sd[c], sd, `column sd ${c}`));
      assert.equal(actual.standardization === undefined, expected.standardization === undefined);
      assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    });
  }

  it('refitting the chosen candidate when its iterations were not kept gives the same result', async () => {
    const full = path.join(FIXTURES, 'faithful.csv');
    const options: Partial<FitOptions> = { model: 'gaussian', k: 'auto', kRange: '1-4', covarianceModels: 'EEE,VVV' };
    let keptPasses = 0;
    let refitPasses = 0;
    const kept = (await fitOutOfCore(full, options, 64, {}, { tempParent: temp, onPassProgress: (pass) => (keptPasses = pass) })).result;
    // Room for a few iterations' parameters only: the chosen candidate is fitted again, one pass per iteration more.
    const refitted = (await fitOutOfCore(full, options, 1, {}, { tempParent: temp, chunkRows: 50, snapshotBytes: 2000, onPassProgress: (pass) => (refitPasses = pass) })).result;
    assert.deepEqual(refitted.selection!.chosen, kept.selection!.chosen);
    assert.equal(refitted.snapshots.length, kept.snapshots.length);
    assert.equal(refitPasses, keptPasses + kept.snapshots.length);
    refitted.trace.forEach((v, i) => assertClose(v, kept.trace[i], `trace[${i}]`));
  });

  it('a selection on linearly dependent columns is refused after the parse (in memory k-means starts it), and the store is removed', async () => {
    const file = path.join(temp, 'dependent.csv');
    const lines = ['a,b,c'];
    // b copies a.
    for (let i = 0; i < 60; i++) lines.push(`${(i % 2) * 8 + ((i * 7) % 10) / 10},${(i % 2) * 8 + ((i * 7) % 10) / 10},${(i % 2) * 8 + ((i * 3) % 10) / 10}`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    let storeDir = '';
    await assert.rejects(
      () => fitOutOfCore(file, { model: 'gaussian', k: 'auto', kRange: '1-3' }, 1, {}, { tempParent: temp, onStore: (dir) => (storeDir = dir), settingPrefix: 'mixscope.' }),
      (e: unknown) => e instanceof DataError && /^dependent\.csv: the columns are linearly dependent .*Leave out the dependent column \(mixscope\.columns\), or raise mixscope\.memoryBudgetMB/.test((e as Error).message),
    );
    assert.ok(storeDir !== '' && !fs.existsSync(storeDir));
    fs.rmSync(file);
  });
});
