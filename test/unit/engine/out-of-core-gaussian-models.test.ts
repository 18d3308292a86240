// Out of core against in memory for one Gaussian fit with a fixed K beyond scikit-learn's four types on complete rows:
// mclust's models (k-means++, random and given starts, restarts, E and V on one column), and rows with missing cells
// integrated out (scikit-learn's types and mclust's models). The same file fitted both ways gives the same EM trace
// (to 1e-9 relative), parameters, BIC and ICL, and the plotted rows with missing cells at the same place.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import type { FitOptions, FitResult } from '../../../src/shared/protocol';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');
/** Where the missing cells go: the cells of the in-memory missing-data reference (numpy_missing.json). */
const reference = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'reference', 'numpy_missing.json'), 'utf8')) as {
  cases: { name: string; missing: [number, number][] }[];
};

function inMemory(file: string, options: Partial<FitOptions>, missing: 'skip' | 'marginalize'): FitResult {
  const dataset = loadDataset(path.basename(file), fs.readFileSync(file), { columns: options.columns, missing });
  return fitDataset(dataset, options).result;
}

function assertClose(actual: number, expected: number, what: string): void {
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

function assertSameFit(actual: FitResult, expected: FitResult): void {
  assert.equal(actual.n, expected.n);
  assert.equal(actual.covarianceType, expected.covarianceType);
  assert.equal(actual.iterations, expected.iterations);
  assert.equal(actual.converged, expected.converged);
  assert.equal(actual.trace.length, expected.trace.length);
  actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
  assert.equal(actual.restartObjectives.length, expected.restartObjectives.length);
  actual.restartObjectives.forEach((v, i) => assertClose(v, expected.restartObjectives[i], `restart ${i}`));
  assert.equal(actual.parameters, expected.parameters);
  for (let j = 0; j < expected.k; j++) {
    assertClose(actual.weights[j], expected.weights[j], `weight ${j}`);
    expected.means[j].forEach((m, c) => assertClose(actual.means[j][c], m, `mean ${j},${c}`));
    expected.covariances![j].forEach((row, a) => row.forEach((v, b) => assertClose(actual.covariances![j][a][b], v, `cov ${j},${a},${b}`)));
  }
  assertClose(actual.bic, expected.bic, 'BIC');
  assertClose(actual.mclustBic!, expected.mclustBic!, 'mclust BIC');
  assertClose(actual.icl!, expected.icl!, 'ICL');
  // Every row is plotted at this size: the assignments are the in-memory ones.
  assert.deepEqual(actual.assignments, expected.assignments);
}

describe('out-of-core mclust models at a fixed K equal the in-memory fit', () => {
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-mclust-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const iris = path.join(FIXTURES, 'iris.csv');
  const faithful = path.join(FIXTURES, 'faithful.csv');
  const given = {
    weights: [0.3, 0.3, 0.4],
    means: [
      [5, 3.4, 1.5, 0.2],
      [5.9, 2.8, 4.3, 1.3],
      [6.6, 3, 5.6, 2],
    ],
    covariances: [0.1, 0.1, 0.3].map((s) => [0, 1, 2, 3].map((a) => [0, 1, 2, 3].map((b) => (a === b ? s : a + b === 1 ? s / 4 : 0)))),
  };
  const cases: { file: string; options: Partial<FitOptions>; chunkRows: number }[] = [
    { file: iris, options: { model: 'gaussian', k: 3, covarianceType: 'EVE', seed: 1 }, chunkRows: 7 },
    { file: iris, options: { model: 'gaussian', k: 3, covarianceType: 'VVE', seed: 2, init: 'random' }, chunkRows: 11 },
    { file: iris, options: { model: 'gaussian', k: 3, covarianceType: 'VEV', seed: 3, standardize: true, restarts: 2 }, chunkRows: 64 },
    { file: iris, options: { model: 'gaussian', k: 3, covarianceType: 'EEV', init: 'params', initParams: given }, chunkRows: 13 },
    { file: iris, options: { model: 'gaussian', k: 2, covarianceType: 'VEI', seed: 4 }, chunkRows: 150 },
    { file: faithful, options: { model: 'gaussian', k: 2, covarianceType: 'EVV', seed: 3, restarts: 2 }, chunkRows: 50 },
    { file: faithful, options: { model: 'gaussian', k: 3, covarianceType: 'EII', seed: 5, init: 'random' }, chunkRows: 1 },
    // One column: a multivariate name is mclust's E or V there (with the in-memory note), E and V as themselves.
    { file: faithful, options: { model: 'gaussian', k: 2, covarianceType: 'VVV', columns: ['waiting'], seed: 3 }, chunkRows: 50 },
    { file: faithful, options: { model: 'gaussian', k: 2, covarianceType: 'E', columns: ['eruptions'], seed: 6 }, chunkRows: 29 },
    // random-data: the drawn rows read back by index; params without covariances: one M-step on the rows nearest each mean.
    { file: iris, options: { model: 'gaussian', k: 3, covarianceType: 'VVV', init: 'random-data', regularization: 1e-2, seed: 8, restarts: 2 }, chunkRows: 19 },
    { file: iris, options: { model: 'gaussian', k: 3, covarianceType: 'EEI', init: 'random-data', regularization: 1e-2, seed: 9 }, chunkRows: 150 },
    { file: faithful, options: { model: 'gaussian', k: 2, covarianceType: 'VVV', init: 'params', initParams: { weights: [0.5, 0.5], means: [[2, 50], [4.5, 80]] } }, chunkRows: 23 },
    { file: iris, options: { model: 'gaussian', k: 3, covarianceType: 'EVE', init: 'params', initParams: { ...given, covariances: undefined } }, chunkRows: 7 },
  ];
  for (const { file, options, chunkRows } of cases) {
    it(`${path.basename(file)}${options.columns ? ` (${options.columns.join(', ')})` : ''}, ${options.covarianceType}, K ${options.k}, init ${options.init ?? 'kmeans++'}${options.restarts ? `, ${options.restarts} restarts` : ''}${options.standardize ? ', standardised' : ''}, chunks of ${chunkRows} rows`, async () => {
      const expected = inMemory(file, options, 'skip');
      let storeDir = '';
      const actual = (await fitOutOfCore(file, options, 1, {}, { chunkRows, tempParent: temp, onStore: (dir) => (storeDir = dir) })).result;
      assertSameFit(actual, expected);
      const note = (expected.notes ?? []).find((n) => n.startsWith('covarianceType'));
      if (note) assert.ok(actual.notes!.includes(note), note);
      assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    });
  }

  it('init "random-data" with no regularization is refused as in memory, and the store is removed', async () => {
    let storeDir = '';
    await assert.rejects(
      () => fitOutOfCore(faithful, { model: 'gaussian', k: 2, covarianceType: 'VVV', init: 'random-data', regularization: 0 }, 1, {}, { tempParent: temp, onStore: (dir) => (storeDir = dir) }),
      (e: Error) => /init "random-data" starts every covariance at regularization × I .*needs regularization > 0/.test(e.message),
    );
    assert.ok(storeDir !== '' && !fs.existsSync(storeDir));
  });
});

describe('out-of-core Gaussian EM with missing cells equals the in-memory fit', () => {
  let temp: string;
  const files: Record<string, string> = {};
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-missing-'));
    // iris and faithful with "NA" in the reference's missing cells (and a blank cell, also missing).
    for (const name of ['faithful', 'iris']) {
      const d = name === 'faithful' ? 2 : 4;
      const lines = fs.readFileSync(path.join(FIXTURES, `${name}.csv`), 'utf8').trim().split(/\r?\n/);
      const cells = lines.slice(1).map((l) => l.split(',').slice(0, d));
      reference.cases.find((c) => c.name === name)!.missing.forEach(([i, j], q) => (cells[i][j] = q % 2 === 0 ? 'NA' : ''));
      files[name] = path.join(temp, `${name}-missing.csv`);
      fs.writeFileSync(files[name], [lines[0].split(',').slice(0, d).join(','), ...cells.map((row) => row.join(','))].join('\n') + '\n');
    }
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const cases: { name: string; options: Partial<FitOptions>; chunkRows: number }[] = [
    { name: 'faithful', options: { k: 2, covarianceType: 'full', seed: 4 }, chunkRows: 13 },
    { name: 'faithful', options: { k: 2, covarianceType: 'diag', seed: 4, init: 'random' }, chunkRows: 50 },
    { name: 'faithful', options: { k: 3, covarianceType: 'VVE', seed: 2 }, chunkRows: 272 },
    { name: 'iris', options: { k: 3, covarianceType: 'full', seed: 4 }, chunkRows: 7 },
    { name: 'iris', options: { k: 3, covarianceType: 'spherical', seed: 4, standardize: true }, chunkRows: 13 },
    { name: 'iris', options: { k: 3, covarianceType: 'tied', seed: 4, restarts: 2 }, chunkRows: 1 },
    { name: 'iris', options: { k: 3, covarianceType: 'VEV', seed: 4 }, chunkRows: 13 },
    { name: 'iris', options: { k: 3, covarianceType: 'EVE', seed: 4, init: 'random' }, chunkRows: 40 },
    { name: 'iris', options: { k: 3, covarianceType: 'EII', seed: 4 }, chunkRows: 13 },
    { name: 'iris', options: { k: 2, covarianceType: 'VVI', columns: ['Sepal.Length', 'Petal.Width'], seed: 1 }, chunkRows: 17 },
    { name: 'iris', options: { k: 3, covarianceType: 'full', init: 'random-data', regularization: 1e-2, seed: 5 }, chunkRows: 13 },
    { name: 'iris', options: { k: 3, covarianceType: 'VEV', init: 'random-data', regularization: 1e-2, seed: 6 }, chunkRows: 11 },
    { name: 'faithful', options: { k: 2, covarianceType: 'diag', init: 'params', initParams: { weights: [0.4, 0.6], means: [[2, 55], [4.4, 80]] } }, chunkRows: 29 },
    { name: 'faithful', options: { k: 2, covarianceType: 'EVV', init: 'params', initParams: { weights: [0.4, 0.6], means: [[2, 55], [4.4, 80]] } }, chunkRows: 29 },
  ];
  for (const { name, options: settings, chunkRows } of cases) {
    const options: Partial<FitOptions> = { model: 'gaussian', ...settings };
    it(`${name} with missing cells${settings.columns ? ` (${settings.columns.join(', ')})` : ''}, ${settings.covarianceType}, K ${settings.k}, init ${settings.init ?? 'kmeans++'}${settings.restarts ? `, ${settings.restarts} restarts` : ''}${settings.standardize ? ', standardised' : ''}, chunks of ${chunkRows} rows`, async () => {
      const expected = inMemory(files[name], options, 'marginalize');
      assert.ok(expected.missingCells && expected.missingCells.some((c) => c > 0), 'the in-memory fit has missing cells');
      let plotted: number[] | undefined;
      const actual = (await fitOutOfCore(files[name], options, 1, { onLoaded: (info) => (plotted = info.plotSample?.incompleteRows) }, { chunkRows, tempParent: temp })).result;
      assertSameFit(actual, expected);
      assert.deepEqual(actual.missingCells, expected.missingCells);
      const note = expected.notes!.find((n) => / integrated out: /.test(n))!;
      assert.ok(actual.notes!.includes(note), note);
      // The plotted rows with missing cells, then placed at E[x | observed cells] under the fit.
      assert.deepEqual(plotted, expected.imputedPlot!.rows);
      assert.deepEqual(actual.imputedPlot!.rows, expected.imputedPlot!.rows);
      actual.imputedPlot!.values.forEach((v, i) => assertClose(v, expected.imputedPlot!.values[i], `imputed value ${i}`));
    });
  }

  it('with missing "skip", the rows with missing cells are left out both ways', async () => {
    const options: Partial<FitOptions> = { model: 'gaussian', k: 3, covarianceType: 'VVV', seed: 1, missing: 'skip' };
    const expected = inMemory(files.iris, options, 'skip');
    const actual = (await fitOutOfCore(files.iris, options, 1, {}, { chunkRows: 9, tempParent: temp })).result;
    assert.ok(actual.n < 150 && actual.missingCells === undefined);
    assertSameFit(actual, expected);
  });

  it('a model selection skips the rows with missing cells, as in memory', async () => {
    const options: Partial<FitOptions> = { model: 'gaussian', k: 'auto', kRange: '1-3', covarianceModels: 'EII,VVV' };
    const expected = inMemory(files.faithful, options, 'marginalize');
    const actual = (await fitOutOfCore(files.faithful, options, 1, {}, { chunkRows: 50, tempParent: temp })).result;
    assert.equal(actual.n, expected.n);
    assert.deepEqual(actual.selection!.chosen, expected.selection!.chosen);
    actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
  });
});

describe('out-of-core fixed-K Gaussian fits with case weights or hard EM equal the in-memory fit (mclust models, missing cells)', () => {
  let temp: string;
  let file: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-weighted-'));
    // Iris with a weight per row (1 to 3) and a few cells left empty.
    const lines = fs.readFileSync(path.join(FIXTURES, 'iris.csv'), 'utf8').trim().split(/\r?\n/);
    const header = lines[0].split(',');
    const numeric = header.map((_, j) => j).filter((j) => !Number.isNaN(Number(lines[1].split(',')[j])));
    const out = [[...numeric.map((j) => header[j]), 'w'].join(',')];
    lines.slice(1).forEach((line, i) => {
      const cells = line.split(',');
      const row = numeric.map((j, c) => (i % 17 === 5 && c === i % numeric.length ? '' : cells[j]));
      out.push([...row, String(1 + (i % 3))].join(','));
    });
    file = path.join(temp, 'iris-weighted.csv');
    fs.writeFileSync(file, out.join('\n') + '\n');
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const cases: { name: string; options: Partial<FitOptions>; missing: 'skip' | 'marginalize' }[] = [
    { name: 'VEV, weighted, complete rows', options: { covarianceType: 'VEV', weightsColumn: 'w', seed: 1 }, missing: 'skip' },
    { name: 'EVE, weighted, missing cells integrated out', options: { covarianceType: 'EVE', weightsColumn: 'w', seed: 2 }, missing: 'marginalize' },
    { name: 'full, weighted, missing cells integrated out', options: { covarianceType: 'full', weightsColumn: 'w', seed: 3, init: 'random' }, missing: 'marginalize' },
    { name: 'VVI, hard EM, complete rows', options: { covarianceType: 'VVI', emVariant: 'hard', seed: 4 }, missing: 'skip' },
    { name: 'diag, hard EM and weights, missing cells integrated out', options: { covarianceType: 'diag', emVariant: 'hard', weightsColumn: 'w', seed: 5 }, missing: 'marginalize' },
    { name: 'tied, weighted, init params without covariances', options: { covarianceType: 'tied', weightsColumn: 'w', init: 'params', initParams: { weights: [1, 1, 1], means: [[5, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3, 5.6, 2]] } }, missing: 'skip' },
    { name: 'VVV, weighted, init params without covariances, missing cells integrated out', options: { covarianceType: 'VVV', weightsColumn: 'w', init: 'params', initParams: { weights: [1, 1, 1], means: [[5, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3, 5.6, 2]] } }, missing: 'marginalize' },
    { name: 'diag, weighted, init random-data', options: { covarianceType: 'diag', weightsColumn: 'w', init: 'random-data', regularization: 1e-2, seed: 6 }, missing: 'skip' },
  ];
  for (const { name, options: extra, missing } of cases) {
    it(name, async () => {
      const options: Partial<FitOptions> = { model: 'gaussian', k: 3, missing, ...extra };
      const dataset = loadDataset(path.basename(file), fs.readFileSync(file), { weightsColumn: options.weightsColumn, missing });
      const expected = fitDataset(dataset, options).result;
      const actual = (await fitOutOfCore(file, options, 1, {}, { chunkRows: 13, tempParent: temp })).result;
      assert.equal(actual.emVariant, expected.emVariant);
      assert.deepEqual(actual.caseWeights, expected.caseWeights);
      if (missing === 'marginalize') assert.deepEqual(actual.missingCells, expected.missingCells);
      assertSameFit(actual, expected);
    });
  }
});
