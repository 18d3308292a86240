// Latent class models (the categorical family) out of core against in memory: the column store keeps each text column
// of a few categories as codes in the in-memory loader's order, so the same file fitted both ways gives the same EM
// trace (to 1e-9 relative), probabilities and weights, from each start, with restarts, missing cells, case weights
// and chunks that do not divide the rows; a K sweep picks the same K with the same per-K log-likelihoods.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { Rng } from '../../../src/engine/em/rng';
import { DataError, OptionsError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import type { FitOptions, FitResult } from '../../../src/shared/protocol';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');
const SURVEY = path.join(FIXTURES, 'survey.csv');
/** The synthetic file's settings: its column of numbers read as categories, and no label column. */
const ORDER: Partial<FitOptions> = { categorical: ['size'], labelColumn: 'none' };

function inMemory(file: string, options: Partial<FitOptions>): FitResult {
  const dataset = loadDataset(path.basename(file), fs.readFileSync(file), {
    columns: options.columns,
    weightsColumn: options.weightsColumn,
    categorical: options.categorical,
    categoryLimit: options.categoryLimit,
    labelColumn: options.labelColumn,
    missing: 'skip',
  });
  return fitDataset(dataset, options).result;
}

function assertClose(actual: number | null, expected: number | null, what: string): void {
  assert.ok(actual !== null && expected !== null, `${what}: ${actual} vs ${expected}`);
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

function assertSameFit(actual: FitResult, expected: FitResult): void {
  assert.equal(expected.model, 'categorical');
  assert.equal(actual.model, 'categorical');
  assert.equal(actual.n, expected.n);
  assert.equal(actual.k, expected.k);
  assert.deepEqual(actual.columns, expected.columns);
  assert.deepEqual(actual.categories, expected.categories);
  assert.equal(actual.iterations, expected.iterations);
  assert.equal(actual.converged, expected.converged);
  assert.equal(actual.trace.length, expected.trace.length);
  actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
  actual.restartObjectives.forEach((v, i) => assertClose(v, expected.restartObjectives[i], `restart ${i}`));
  assert.equal(actual.restartObjectives.length, expected.restartObjectives.length);
  for (let c = 0; c < expected.k; c++) {
    assertClose(actual.weights[c], expected.weights[c], `weight ${c}`);
    expected.probabilities![c].forEach((column, j) => column.forEach((p, l) => assertClose(actual.probabilities![c][j][l], p, `θ ${c},${j},${l}`)));
  }
  assertClose(actual.bic, expected.bic, 'BIC');
  assertClose(actual.aic, expected.aic, 'AIC');
  assert.equal(actual.parameters, expected.parameters);
  assert.deepEqual(actual.caseWeights, expected.caseWeights);
  assert.deepEqual(actual.assignments, expected.assignments);
}

describe('out-of-core categorical EM equals the in-memory fit', () => {
  let temp: string;
  let shuffled: string;
  let weighted: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-categorical-test-'));
    // Levels whose first appearance is not their sorted order (a column of numbers read as categories: by value;
    // texts by code unit), with missing cells.
    const rng = new Rng(5);
    const sizes = ['10', '9', '2', '30'];
    const colours = ['red', 'blue', 'green', 'Yellow'];
    const lines = ['size,colour,grade'];
    for (let i = 0; i < 240; i++) {
      const g = i % 2;
      const size = rng.next() < 0.05 ? '' : sizes[g === 0 ? rng.int(3) : 1 + rng.int(3)];
      const colour = colours[g === 0 ? (rng.next() < 0.8 ? 0 : 1) : rng.next() < 0.8 ? 2 : rng.int(4)];
      const grade = rng.next() < 0.05 ? 'NA' : g === 0 ? (rng.next() < 0.7 ? 'b' : 'a') : rng.next() < 0.7 ? 'a' : 'c';
      lines.push([size, colour, grade].join(','));
    }
    shuffled = path.join(temp, 'shuffled.csv');
    fs.writeFileSync(shuffled, lines.join('\n') + '\n');
    const survey = fs.readFileSync(SURVEY, 'utf8').trim().split('\n');
    const pattern = [1, 2, 0, 3, 0.5, 1, 2];
    weighted = path.join(temp, 'weighted-survey.csv');
    fs.writeFileSync(weighted, [`${survey[0]},w`, ...survey.slice(1).map((line, i) => `${line},${pattern[(i * 3) % 7]}`)].join('\n') + '\n');
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const cases: { file: () => string; name: string; options: Partial<FitOptions>; chunkRows: number }[] = [
    { file: () => SURVEY, name: 'survey.csv', options: { model: 'categorical', k: 3, seed: 1 }, chunkRows: 7 },
    { file: () => SURVEY, name: 'survey.csv', options: { model: 'categorical', k: 2, seed: 2, restarts: 3, tolerance: 1e-8 }, chunkRows: 64 },
    { file: () => SURVEY, name: 'survey.csv', options: { model: 'categorical', k: 3, seed: 3, init: 'random' }, chunkRows: 13 },
    { file: () => SURVEY, name: 'survey.csv', options: { model: 'categorical', k: 4, seed: 4, init: 'random-data', restarts: 2 }, chunkRows: 400 },
    { file: () => SURVEY, name: 'survey.csv', options: { model: 'categorical', k: 3, seed: 5, init: 'random-assignment' }, chunkRows: 1 },
    { file: () => SURVEY, name: 'survey.csv', options: { model: 'auto', k: 3, seed: 6 }, chunkRows: 17 },
    { file: () => shuffled, name: 'levels out of order', options: { ...ORDER, model: 'auto', k: 2, seed: 1 }, chunkRows: 11 },
    { file: () => shuffled, name: 'levels out of order', options: { ...ORDER, model: 'categorical', k: 3, seed: 7, init: 'random-data' }, chunkRows: 50 },
    { file: () => weighted, name: 'case weights', options: { model: 'categorical', k: 3, seed: 1, weightsColumn: 'w' }, chunkRows: 9 },
    { file: () => weighted, name: 'case weights', options: { model: 'categorical', k: 3, seed: 2, init: 'random', weightsColumn: 'w' }, chunkRows: 31 },
    { file: () => weighted, name: 'case weights', options: { model: 'categorical', k: 2, seed: 3, init: 'random-assignment', weightsColumn: 'w' }, chunkRows: 100 },
  ];
  for (const { file, name, options, chunkRows } of cases) {
    it(`${name}, model ${options.model}, K ${options.k}, init ${options.init ?? 'kmeans++'}${options.restarts ? `, ${options.restarts} restarts` : ''}, chunks of ${chunkRows} rows`, async () => {
      const expected = inMemory(file(), options);
      let storeDir = '';
      let loaded = '';
      const actual = (await fitOutOfCore(file(), options, 1, { onLoaded: (info) => (loaded = info.model) }, { chunkRows, tempParent: temp, onStore: (dir) => (storeDir = dir) })).result;
      assert.equal(loaded, 'categorical');
      assertSameFit(actual, expected);
      assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    });
  }

  it('the levels are in the in-memory loader\'s order: numbers by value, then texts', async () => {
    const actual = (await fitOutOfCore(shuffled, { ...ORDER, model: 'categorical', k: 2, seed: 1 }, 1, {}, { tempParent: temp })).result;
    assert.deepEqual(actual.categories, [
      { column: 'size', levels: ['2', '9', '10', '30'] },
      { column: 'colour', levels: ['Yellow', 'blue', 'green', 'red'] },
      { column: 'grade', levels: ['a', 'b', 'c'] },
    ]);
  });

  it('a K sweep picks the same K with the same per-K log-likelihoods, BIC, ICL and AIC (with and without weights)', async () => {
    for (const [file, extra] of [
      [SURVEY, {}],
      [weighted, { weightsColumn: 'w' }],
    ] as const) {
      const options: Partial<FitOptions> = { model: 'categorical', k: 'auto', kRange: '1-4', seed: 1, criterion: 'icl', ...extra };
      const expected = inMemory(file, options);
      const actual = (await fitOutOfCore(file, options, 1, {}, { chunkRows: 23, tempParent: temp })).result;
      assert.deepEqual(actual.selection!.chosen, expected.selection!.chosen);
      assert.equal(actual.selection!.entries.length, expected.selection!.entries.length);
      actual.selection!.entries.forEach((e, i) => {
        const w = expected.selection!.entries[i];
        assert.equal(e.iterations, w.iterations);
        assertClose(e.logLikelihood, w.logLikelihood, `K ${e.k} log-likelihood`);
        assertClose(e.bic, w.bic, `K ${e.k} BIC`);
        assertClose(e.icl, w.icl, `K ${e.k} ICL`);
        assertClose(e.aic, w.aic, `K ${e.k} AIC`);
      });
      assertSameFit(actual, expected);
    }
  });

  it('a level first seen after the file\'s start takes its place in the order; too many levels are one message naming the line', async function () {
    this.timeout(60000);
    // Over 4 MB, so the loader's first look at the columns ends before the rows that bring the new levels.
    const rows = ['c,d'];
    for (let i = 0; i < 1_200_000; i++) rows.push(i % 2 === 0 ? 'p,x' : 'q,y');
    const big = path.join(temp, 'late-levels.csv');
    fs.writeFileSync(big, [...rows, 'a,x', 'a,z', 'q,z', 'a,y'].join('\n') + '\n');
    const options: Partial<FitOptions> = { model: 'categorical', k: 2, seed: 1, init: 'random', maxIterations: 4, labelColumn: 'none' };
    const expected = inMemory(big, options);
    const actual = (await fitOutOfCore(big, options, 1, {}, { tempParent: temp })).result;
    assert.deepEqual(actual.categories, [
      { column: 'c', levels: ['a', 'p', 'q'] },
      { column: 'd', levels: ['x', 'y', 'z'] },
    ]);
    assertSameFit({ ...actual, assignments: [] }, { ...expected, assignments: [] });
    const many = path.join(temp, 'many-levels.csv');
    fs.writeFileSync(many, [...rows, ...Array.from({ length: 30 }, (_, i) => `v${i},x`)].join('\n') + '\n');
    await assert.rejects(
      () => fitOutOfCore(many, { model: 'categorical', k: 2, categoryLimit: 20, labelColumn: 'none' }, 1, {}, { tempParent: temp }),
      (e: unknown) =>
        e instanceof DataError &&
        /^many-levels\.csv: line 1200020: column "c" has more than 20 distinct values over the whole file \(the file's start had 2\), so it is not a column of categories \(categoryLimit\)\. Raise categoryLimit/.test((e as Error).message),
    );
    fs.rmSync(big);
    fs.rmSync(many);
  });

  it('a table without categorical columns is one clear message, and model "auto" on numeric and categorical columns fits the mixed family', async () => {
    await assert.rejects(
      () => fitOutOfCore(path.join(FIXTURES, 'counts.csv'), { model: 'categorical', k: 2 }, 1, {}, { tempParent: temp }),
      (e: unknown) => e instanceof DataError && /^counts\.csv: a categorical mixture needs text columns of a few categories/.test((e as Error).message),
    );
    // Model "auto" on numeric and categorical columns is the mixed family, as in memory (out-of-core-mixed.test.ts).
    let model = '';
    await fitOutOfCore(path.join(FIXTURES, 'mixed.csv'), { model: 'auto', k: 2 }, 1, { onLoaded: (info) => (model = info.model) }, { tempParent: temp });
    assert.equal(model, 'mixed');
    assert.deepEqual(fs.readdirSync(temp).filter((f) => f.startsWith('mixscope-store-')), []);
  });
});
