// Mixed mixtures out of core against in memory: the same file (numeric and categorical columns, with and without count
// columns) fitted both ways gives the same EM trace (to 1e-9 relative), weights, means, covariances, rates and
// category probabilities, from k-means++ and random starts and with restarts, with chunks that do not divide the rows;
// a K sweep picks the same K with the same per-K log-likelihoods; what out of core cannot do is refused naming the
// file and what to set.

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
const MIXED = path.join(FIXTURES, 'mixed.csv');
const COUNTS = path.join(FIXTURES, 'mixed-counts.csv');
const MISSING = path.join(FIXTURES, 'mixed-missing.csv');

function inMemory(file: string, options: Partial<FitOptions>): FitResult {
  const dataset = loadDataset(path.basename(file), fs.readFileSync(file), { columns: options.columns, missing: options.missing ?? 'marginalize' });
  return fitDataset(dataset, options).result;
}

function assertClose(actual: number | null | undefined, expected: number | null | undefined, what: string): void {
  assert.ok(actual != null && expected != null, `${what}: ${actual} vs ${expected}`);
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

function assertSameFit(actual: FitResult, expected: FitResult): void {
  assert.equal(expected.model, 'mixed');
  assert.equal(actual.model, 'mixed');
  assert.equal(actual.modelReason, expected.modelReason);
  assert.equal(actual.n, expected.n);
  assert.equal(actual.k, expected.k);
  assert.deepEqual(actual.columns, expected.columns);
  assert.equal(actual.iterations, expected.iterations);
  assert.equal(actual.converged, expected.converged);
  assert.equal(actual.trace.length, expected.trace.length);
  actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
  actual.restartObjectives.forEach((v, i) => assertClose(v, expected.restartObjectives[i], `restart ${i}`));
  assert.equal(actual.parameters, expected.parameters);
  for (let j = 0; j < expected.k; j++) {
    assertClose(actual.weights[j], expected.weights[j], `weight ${j}`);
    expected.means[j].forEach((m, c) => assertClose(actual.means[j][c], m, `mean ${j},${c}`));
    expected.covariances![j].forEach((row, a) => row.forEach((v, b) => assertClose(actual.covariances![j][a][b], v, `covariance ${j},${a},${b}`)));
    expected.rates?.[j].forEach((r, c) => assertClose(actual.rates![j][c], r, `rate ${j},${c}`));
    expected.probabilities?.[j].forEach((col, c) => col.forEach((p, l) => assertClose(actual.probabilities![j][c][l], p, `probability ${j},${c},${l}`)));
  }
  assert.deepEqual(actual.categories, expected.categories);
  assert.deepEqual(actual.countColumns, expected.countColumns);
  assert.deepEqual(actual.countHistograms, expected.countHistograms);
  assertClose(actual.bic, expected.bic, 'BIC');
  assertClose(actual.aic, expected.aic, 'AIC');
  // Every row is plotted at this size: the assignments are the in-memory ones.
  assert.deepEqual(actual.assignments, expected.assignments);
}

describe('out-of-core mixed EM equals the in-memory fit', () => {
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-mixed-test-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const counts = ['visits', 'calls'];
  const cases: { file: string; options: Partial<FitOptions>; chunkRows: number }[] = [
    { file: MIXED, options: { model: 'auto', k: 2, seed: 1 }, chunkRows: 7 },
    { file: MIXED, options: { model: 'mixed', k: 3, seed: 2, covarianceType: 'diag', restarts: 3 }, chunkRows: 64 },
    { file: MIXED, options: { model: 'mixed', k: 2, seed: 3, init: 'random', covarianceType: 'spherical' }, chunkRows: 13 },
    { file: MIXED, options: { model: 'mixed', k: 3, seed: 4, covarianceType: 'tied' }, chunkRows: 300 },
    { file: COUNTS, options: { model: 'auto', countColumns: counts, k: 2, seed: 1 }, chunkRows: 17 },
    { file: COUNTS, options: { model: 'mixed', countColumns: counts, k: 3, seed: 5, init: 'random', restarts: 2 }, chunkRows: 1 },
    { file: COUNTS, options: { model: 'mixed', countColumns: counts, columns: ['height', 'score', 'visits', 'calls'], k: 2, seed: 6 }, chunkRows: 50 },
    // countColumns naming some of the numeric columns: a Gaussian block on the others and a Poisson block.
    { file: path.join(FIXTURES, 'counts.csv'), options: { model: 'auto', countColumns: ['visits'], k: 2, seed: 7 }, chunkRows: 29 },
    // mclust's models for the Gaussian block (on one column: its E or V).
    { file: MIXED, options: { model: 'mixed', k: 3, seed: 2, covarianceType: 'VEV' }, chunkRows: 19 },
    { file: MIXED, options: { model: 'mixed', k: 2, seed: 3, init: 'random', covarianceType: 'EVE', restarts: 2 }, chunkRows: 64 },
    { file: COUNTS, options: { model: 'mixed', countColumns: counts, k: 2, seed: 1, covarianceType: 'VVI' }, chunkRows: 23 },
    { file: MIXED, options: { model: 'mixed', columns: ['height', 'smoker', 'commute'], k: 2, seed: 4, covarianceType: 'EEE' }, chunkRows: 31 },
    // Missing numeric cells integrated out by the Gaussian block (scikit-learn's types and mclust's models).
    { file: MISSING, options: { model: 'auto', k: 2, seed: 1 }, chunkRows: 7 },
    { file: MISSING, options: { model: 'mixed', k: 3, seed: 2, covarianceType: 'diag', init: 'random' }, chunkRows: 50 },
    { file: MISSING, options: { model: 'mixed', k: 2, seed: 5, covarianceType: 'VVV', restarts: 2 }, chunkRows: 13 },
    { file: MISSING, options: { model: 'mixed', k: 2, seed: 6, covarianceType: 'EVE' }, chunkRows: 300 },
    // random-data: the Gaussian block's rows drawn as in memory, read back by row number (mean-imputed when cells are missing).
    { file: MIXED, options: { model: 'mixed', k: 3, seed: 8, init: 'random-data', regularization: 1e-2, restarts: 2 }, chunkRows: 17 },
    { file: COUNTS, options: { model: 'mixed', countColumns: counts, k: 2, seed: 9, init: 'random-data', regularization: 1e-2, covarianceType: 'VVI' }, chunkRows: 23 },
    { file: MISSING, options: { model: 'mixed', k: 2, seed: 10, init: 'random-data', regularization: 1e-2, covarianceType: 'diag' }, chunkRows: 11 },
  ];
  for (const { file, options, chunkRows } of cases) {
    it(`${path.basename(file)}, model ${options.model}, K ${options.k}, ${options.covarianceType ?? 'full'}, init ${options.init ?? 'kmeans++'}${options.restarts ? `, ${options.restarts} restarts` : ''}${options.columns ? `, columns ${options.columns.join(', ')}` : ''}, chunks of ${chunkRows} rows`, async () => {
      const expected = inMemory(file, options);
      let storeDir = '';
      let loadedModel = '';
      let incomplete: number[] | undefined;
      const actual = (await fitOutOfCore(file, options, 1, { onLoaded: (info) => ((loadedModel = info.model), (incomplete = info.plotSample?.incompleteRows)) }, { chunkRows, tempParent: temp, onStore: (dir) => (storeDir = dir) })).result;
      assert.equal(loadedModel, 'mixed');
      assertSameFit(actual, expected);
      assert.equal(actual.covarianceType, expected.covarianceType);
      assert.deepEqual(actual.missingCells, expected.missingCells);
      if (expected.missingCells) {
        assert.ok(incomplete && incomplete.length > 0 && incomplete.every((i) => expected.imputedPlot!.rows.includes(i)), 'the plotted rows with missing cells are marked');
        const note = expected.notes!.find((n) => /integrated out by the Gaussian block/.test(n))!;
        assert.ok(actual.notes!.includes(note), note);
      }
      assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    });
  }

  for (const file of [MIXED, COUNTS, MISSING]) {
    it(`${path.basename(file)}: a K sweep picks the same K with the same per-K log-likelihoods, BIC, ICL and AIC`, async () => {
      for (const criterion of ['bic', 'icl'] as const) {
        // (mixed-missing.csv with an mclust model: its parameter count enters BIC.)
        const options: Partial<FitOptions> = { model: 'auto', countColumns: file === COUNTS ? counts : [], k: 'auto', kRange: '1-4', seed: 1, criterion, ...(file === MISSING ? { covarianceType: 'VEI' as const } : {}) };
        const expected = inMemory(file, options);
        const actual = (await fitOutOfCore(file, options, 1, {}, { chunkRows: 23, tempParent: temp })).result;
        const want = expected.selection!;
        const got = actual.selection!;
        assert.deepEqual(got.chosen, want.chosen);
        assert.equal(got.entries.length, want.entries.length);
        got.entries.forEach((e, i) => {
          const w = want.entries[i];
          assert.equal(e.k, w.k);
          assert.equal(e.iterations, w.iterations);
          assert.equal(e.parameters, w.parameters);
          assertClose(e.logLikelihood, w.logLikelihood, `K ${e.k} log-likelihood`);
          assertClose(e.bic, w.bic, `K ${e.k} BIC`);
          assertClose(e.icl, w.icl, `K ${e.k} ICL`);
          assertClose(e.aic, w.aic, `K ${e.k} AIC`);
        });
        assertSameFit(actual, expected);
      }
    });
  }

  it('refuses what it cannot fit as in memory, naming the file and what to set', async () => {
    const fit = (file: string, options: Partial<FitOptions>) => () => fitOutOfCore(file, options, 1, {}, { tempParent: temp });
    await assert.rejects(fit(path.join(FIXTURES, 'counts.csv'), { model: 'mixed', k: 2 }), (e: Error) => e instanceof DataError && /^counts\.csv: a mixed mixture needs numeric columns and text columns.*Use model "gaussian"/.test(e.message));
    await assert.rejects(fit(MIXED, { model: 'mixed', k: 2, covarianceType: 'variational' }), (e: Error) => e instanceof OptionsError && /mixed\.csv .*scikit-learn's four covariance types .* or mclust's models \(EII … VVV\) out of core, not "variational"/.test(e.message));
    // Explicit parameters: the in-memory family has none, and says so.
    const params: Partial<FitOptions> = { model: 'auto', k: 2, init: 'params', initParams: { weights: [0.5, 0.5], means: [[0, 0], [1, 1]] } };
    assert.throws(() => inMemory(MIXED, params), /^OptionsError: init "params" is for .*mixtures; a mixed mixture starts from kmeans\+\+, random, random-data\.$/);
    let message = '';
    try {
      inMemory(MIXED, params);
    } catch (e) {
      message = (e as Error).message;
    }
    await assert.rejects(fit(MIXED, params), (e: Error) => e instanceof OptionsError && e.message === message);
    // In memory a missing count drops out of its row's Poisson product; out of core it cannot.
    await assert.rejects(
      fit(path.join(FIXTURES, 'mixed-counts-missing.csv'), { model: 'auto', countColumns: counts, k: 2 }),
      (e: Error) => e instanceof DataError && /mixed-counts-missing\.csv: line \d+ has a missing cell in the count column "(visits|calls)".*missing to "skip"/.test(e.message),
    );
  });

  it('with missing "skip", the rows with missing numeric cells are left out both ways', async () => {
    const options: Partial<FitOptions> = { model: 'auto', k: 2, seed: 2, missing: 'skip' };
    const expected = inMemory(MISSING, options);
    const actual = (await fitOutOfCore(MISSING, options, 1, {}, { chunkRows: 11, tempParent: temp })).result;
    assert.ok(actual.n < 300);
    assertSameFit(actual, expected);
  });
});
