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

  for (const { file, options, chunkRows } of cases) {
    it(`${file}, ${options.covarianceType}${options.standardize ? ', standardised' : ''}${options.init ? `, init ${options.init}` : ''}, chunks of ${chunkRows} rows`, () => {
      const full = path.join(FIXTURES, file);
      const expected = inMemory(full, options);
      let storeDir = '';
      const actual = fitOutOfCore(full, options, 1, {}, { chunkRows, tempParent: temp, onStore: (dir) => (storeDir = dir) }).result;
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

  it('removes the store when the fit fails after the parse, and refuses what it cannot do before reading', () => {
    let storeDir = '';
    assert.throws(() => fitOutOfCore(path.join(FIXTURES, 'faithful.csv'), { model: 'gaussian', k: 300 }, 1, {}, { tempParent: temp, onStore: (dir) => (storeDir = dir) }), DataError);
    assert.ok(storeDir !== '' && !fs.existsSync(storeDir));
    assert.throws(
      () => fitOutOfCore(path.join(FIXTURES, 'faithful.csv'), { model: 'gaussian', k: 'auto' }, 1, {}, { tempParent: temp }),
      (e: unknown) => e instanceof OptionsError && /over the 1 MB memory budget.*fixed K.*Set k to a number/.test((e as Error).message),
    );
    assert.deepEqual(fs.readdirSync(temp), []);
  });
});
