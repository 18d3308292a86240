// Case weights and hard (classification) EM out of core against in memory: the same file fitted both ways gives the
// same EM trace (to 1e-9 relative), weights and parameters, BIC, ICL and assignments, for every family the streamed
// loop serves (Gaussian, Bernoulli and mixed with case weights; all five with hard EM; the Bernoulli fits with missing
// cells left out of their rows' products), with chunks that do not divide the rows.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import type { FitOptions, FitResult } from '../../../src/shared/protocol';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

function inMemory(file: string, options: Partial<FitOptions>): FitResult {
  const dataset = loadDataset(path.basename(file), fs.readFileSync(file), { columns: options.columns, weightsColumn: options.weightsColumn, missing: options.missing ?? 'skip' });
  return fitDataset(dataset, { threads: 1, ...options }).result;
}

function assertClose(actual: number | null | undefined, expected: number | null | undefined, what: string): void {
  assert.ok(actual != null && expected != null, `${what}: ${actual} vs ${expected}`);
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

function assertSameFit(actual: FitResult, expected: FitResult): void {
  assert.equal(actual.model, expected.model);
  assert.equal(actual.n, expected.n);
  assert.equal(actual.k, expected.k);
  assert.equal(actual.emVariant, expected.emVariant);
  assert.deepEqual(actual.caseWeights, expected.caseWeights);
  assert.equal(actual.iterations, expected.iterations);
  assert.equal(actual.converged, expected.converged);
  assert.equal(actual.trace.length, expected.trace.length);
  actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
  if (expected.logLikelihoodTrace) actual.logLikelihoodTrace!.forEach((v, i) => assertClose(v, expected.logLikelihoodTrace![i], `log-likelihood[${i}]`));
  assert.equal(actual.restartObjectives.length, expected.restartObjectives.length);
  actual.restartObjectives.forEach((v, i) => assertClose(v, expected.restartObjectives[i], `restart ${i}`));
  assertClose(actual.logLikelihood, expected.logLikelihood, 'log-likelihood');
  for (let j = 0; j < expected.k; j++) {
    assertClose(actual.weights[j], expected.weights[j], `weight ${j}`);
    expected.means[j].forEach((m, c) => assertClose(actual.means[j][c], m, `mean ${j},${c}`));
    expected.covariances?.[j].forEach((row, a) => row.forEach((v, b) => assertClose(actual.covariances![j][a][b], v, `covariance ${j},${a},${b}`)));
    expected.rates?.[j].forEach((r, c) => assertClose(actual.rates![j][c], r, `rate ${j},${c}`));
    expected.probabilities?.[j].forEach((col, c) => col.forEach((p, l) => assertClose(actual.probabilities![j][c][l], p, `probability ${j},${c},${l}`)));
  }
  assert.deepEqual(actual.countHistograms, expected.countHistograms);
  assertClose(actual.bic, expected.bic, 'BIC');
  assertClose(actual.aic, expected.aic, 'AIC');
  if (expected.icl != null) assertClose(actual.icl, expected.icl, 'ICL');
  // Every row is assigned at this size: the assignments are the in-memory ones.
  assert.deepEqual(actual.assignments, expected.assignments);
}

/** `file` with a weights column w: 0, 0.5, 1, 2, 3 in a fixed pattern, so some rows are left out. */
function withWeights(file: string, dir: string): string {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const pattern = [1, 2, 0, 3, 0.5, 1, 2];
  const out = path.join(dir, `weighted-${path.basename(file)}`);
  fs.writeFileSync(out, [`${lines[0]},w`, ...lines.slice(1).map((line, i) => `${line},${pattern[(i * 5) % 7]}`)].join('\n') + '\n');
  return out;
}

describe('out of core with case weights and hard EM equals the in-memory fit', () => {
  let temp: string;
  const files: Record<string, string> = {};
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-weights-test-'));
    for (const name of ['faithful.csv', 'iris.csv', 'mixed.csv', 'mixed-missing.csv', 'mixed-counts.csv', 'counts.csv', 'survey.csv', 'binary-missing.csv']) files[name] = withWeights(path.join(FIXTURES, name), temp);
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const counts = ['visits', 'calls'];
  const weighted: { file: string; options: Partial<FitOptions>; chunkRows: number }[] = [
    { file: 'faithful.csv', options: { model: 'gaussian', k: 2, covarianceType: 'full', seed: 3 }, chunkRows: 50 },
    { file: 'iris.csv', options: { model: 'gaussian', k: 3, covarianceType: 'diag', seed: 1, restarts: 2, tolerance: 1e-6 }, chunkRows: 7 },
    { file: 'iris.csv', options: { model: 'gaussian', k: 3, covarianceType: 'tied', standardize: true, seed: 2 }, chunkRows: 11 },
    { file: 'faithful.csv', options: { model: 'gaussian', k: 3, covarianceType: 'spherical', init: 'random', seed: 5 }, chunkRows: 13 },
    { file: 'binary-missing.csv', options: { model: 'bernoulli', missing: 'marginalize', k: 3, seed: 1 }, chunkRows: 7 },
    { file: 'binary-missing.csv', options: { model: 'bernoulli', missing: 'marginalize', k: 2, seed: 3, init: 'random', betaPrior: [1, 1], restarts: 2 }, chunkRows: 13 },
    { file: 'binary-missing.csv', options: { model: 'bernoulli', missing: 'marginalize', k: 4, seed: 4, init: 'random-assignment', betaPrior: [3, 2] }, chunkRows: 1 },
    { file: 'binary-missing.csv', options: { model: 'bernoulli', missing: 'marginalize', k: 3, seed: 9, init: 'random-data', restarts: 2 }, chunkRows: 11 },
    { file: 'mixed.csv', options: { model: 'mixed', k: 2, seed: 1 }, chunkRows: 7 },
    { file: 'mixed.csv', options: { model: 'mixed', k: 2, seed: 3, init: 'random', covarianceType: 'diag' }, chunkRows: 13 },
    { file: 'mixed.csv', options: { model: 'mixed', k: 2, seed: 4, init: 'random-data', regularization: 1e-2, covarianceType: 'EEV' }, chunkRows: 13 },
    { file: 'mixed-counts.csv', options: { model: 'mixed', countColumns: counts, k: 3, seed: 5 }, chunkRows: 17 },
    // The Gaussian block with an mclust model, and with missing numeric cells integrated out.
    { file: 'mixed.csv', options: { model: 'mixed', k: 2, seed: 6, covarianceType: 'VEV' }, chunkRows: 19 },
    { file: 'mixed-missing.csv', options: { model: 'mixed', missing: 'marginalize', k: 2, seed: 7, covarianceType: 'EVE' }, chunkRows: 11 },
  ];
  for (const { file, options, chunkRows } of weighted) {
    it(`case weights: ${file}, model ${options.model}, K ${options.k}${options.covarianceType ? `, ${options.covarianceType}` : ''}${options.standardize ? ', standardised' : ''}, init ${options.init ?? 'kmeans++'}, chunks of ${chunkRows} rows`, async () => {
      const all = { ...options, weightsColumn: 'w' };
      const expected = inMemory(files[file], all);
      assert.equal(expected.caseWeights?.column, 'w');
      const actual = (await fitOutOfCore(files[file], all, 1, {}, { chunkRows, tempParent: temp })).result;
      assertSameFit(actual, expected);
    });
  }

  it('case weights: a Bernoulli and a mixed K sweep weigh every candidate as in memory', async () => {
    for (const [file, options] of [
      ['binary-missing.csv', { model: 'bernoulli', missing: 'marginalize', k: 'auto', kRange: '1-4', seed: 1, criterion: 'icl' }],
      ['mixed.csv', { model: 'mixed', k: 'auto', kRange: '1-3', seed: 1, criterion: 'bic' }],
    ] as const) {
      const all: Partial<FitOptions> = { ...options, weightsColumn: 'w' };
      const expected = inMemory(files[file], all);
      const actual = (await fitOutOfCore(files[file], all, 1, {}, { chunkRows: 23, tempParent: temp })).result;
      assert.deepEqual(actual.selection!.chosen, expected.selection!.chosen);
      actual.selection!.entries.forEach((e, i) => {
        const w = expected.selection!.entries[i];
        assertClose(e.logLikelihood, w.logLikelihood, `${file} K ${e.k} log-likelihood`);
        assertClose(e.bic, w.bic, `${file} K ${e.k} BIC`);
        assertClose(e.icl, w.icl, `${file} K ${e.k} ICL`);
      });
      assertSameFit(actual, expected);
    }
  });

  // Classification EM: each row all in its most responsible component, stopping when no row moves.
  const hard: { file: string; options: Partial<FitOptions>; chunkRows: number }[] = [
    { file: 'faithful.csv', options: { model: 'gaussian', k: 2, covarianceType: 'full', seed: 3 }, chunkRows: 50 },
    { file: 'iris.csv', options: { model: 'gaussian', k: 3, covarianceType: 'diag', seed: 1, restarts: 3 }, chunkRows: 7 },
    { file: 'faithful.csv', options: { model: 'gaussian', k: 3, covarianceType: 'tied', init: 'random', seed: 5, weightsColumn: 'w' }, chunkRows: 13 },
    { file: 'counts.csv', options: { model: 'poisson', k: 3, seed: 1 }, chunkRows: 9 },
    { file: 'counts.csv', options: { model: 'poisson', k: 2, seed: 2, init: 'random-assignment', weightsColumn: 'w' }, chunkRows: 31 },
    { file: 'survey.csv', options: { model: 'categorical', k: 3, seed: 1 }, chunkRows: 11 },
    { file: 'survey.csv', options: { model: 'categorical', k: 2, seed: 4, init: 'random', restarts: 2 }, chunkRows: 64 },
    { file: 'binary-missing.csv', options: { model: 'bernoulli', missing: 'marginalize', k: 3, seed: 1 }, chunkRows: 7 },
    { file: 'binary-missing.csv', options: { model: 'bernoulli', missing: 'marginalize', k: 2, seed: 3, init: 'random', betaPrior: [2, 2], weightsColumn: 'w' }, chunkRows: 13 },
    { file: 'mixed.csv', options: { model: 'mixed', k: 2, seed: 1 }, chunkRows: 7 },
    { file: 'mixed-counts.csv', options: { model: 'mixed', countColumns: counts, k: 3, seed: 5, init: 'random', weightsColumn: 'w' }, chunkRows: 17 },
  ];
  for (const { file, options, chunkRows } of hard) {
    it(`hard EM: ${file}, model ${options.model}, K ${options.k}${options.covarianceType ? `, ${options.covarianceType}` : ''}, init ${options.init ?? 'kmeans++'}${options.restarts ? `, ${options.restarts} restarts` : ''}${options.weightsColumn ? ', case weights' : ''}, chunks of ${chunkRows} rows`, async () => {
      const all: Partial<FitOptions> = { ...options, emVariant: 'hard', maxIterations: 200 };
      const source = options.weightsColumn ? files[file] : path.join(FIXTURES, file);
      const expected = inMemory(source, all);
      assert.equal(expected.emVariant, 'hard');
      assert.ok(expected.converged, 'the in-memory hard EM converged (no row moved)');
      const actual = (await fitOutOfCore(source, all, 1, {}, { chunkRows, tempParent: temp })).result;
      assertSameFit(actual, expected);
    });
  }
});
