// Bernoulli mixtures out of core against in memory: tables of 0/1 values and of pixel values (with a header, and rows
// of pixels the loader reads as images), fitted both ways, give the same EM trace (ln p(X|θ) + ln p(θ), to 1e-9
// relative), plain log-likelihoods, weights and pixel probabilities, from each start the family has out of core and
// with restarts, with chunks that do not divide the rows and another Beta prior and threshold; a K sweep picks the
// same K with the same per-K log-likelihoods; what out of core cannot do is refused naming the file and what to set.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { Rng } from '../../../src/engine/em/rng';
import { DataError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import type { FitOptions, FitResult } from '../../../src/shared/protocol';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

function inMemory(file: string, options: Partial<FitOptions>): FitResult {
  const dataset = loadDataset(path.basename(file), fs.readFileSync(file), { columns: options.columns, missing: options.missing ?? 'marginalize' });
  return fitDataset(dataset, { threads: 1, ...options }).result;
}

function assertClose(actual: number | null | undefined, expected: number | null | undefined, what: string): void {
  assert.ok(actual != null && expected != null, `${what}: ${actual} vs ${expected}`);
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

function assertSameFit(actual: FitResult, expected: FitResult): void {
  assert.equal(expected.model, 'bernoulli');
  assert.equal(actual.model, 'bernoulli');
  assert.equal(actual.n, expected.n);
  assert.equal(actual.d, expected.d);
  assert.equal(actual.k, expected.k);
  assert.deepEqual(actual.imageShape, expected.imageShape);
  assert.equal(actual.iterations, expected.iterations);
  assert.equal(actual.converged, expected.converged);
  assert.equal(actual.trace.length, expected.trace.length);
  actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
  actual.logLikelihoodTrace!.forEach((v, i) => assertClose(v, expected.logLikelihoodTrace![i], `log-likelihood[${i}]`));
  actual.restartObjectives.forEach((v, i) => assertClose(v, expected.restartObjectives[i], `restart ${i}`));
  assertClose(actual.logLikelihood, expected.logLikelihood, 'log-likelihood');
  for (let j = 0; j < expected.k; j++) {
    assertClose(actual.weights[j], expected.weights[j], `weight ${j}`);
    expected.means[j].forEach((m, c) => assertClose(actual.means[j][c], m, `mean ${j},${c}`));
  }
  assertClose(actual.bic, expected.bic, 'BIC');
  assertClose(actual.aic, expected.aic, 'AIC');
  // Every row is assigned at this size: the assignments are the in-memory ones.
  assert.deepEqual(actual.assignments, expected.assignments);
}

describe('out-of-core Bernoulli EM equals the in-memory fit', () => {
  let temp: string;
  let binary: string;
  let pixels: string;
  let pixelRows: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-bernoulli-test-'));
    const rng = new Rng(3);
    // 0/1 answers of three latent classes, 12 columns.
    const profiles = [0.85, 0.5, 0.15];
    const lines = [Array.from({ length: 12 }, (_, j) => `q${j + 1}`).join(',')];
    for (let i = 0; i < 400; i++) {
      const c = i % 3;
      lines.push(Array.from({ length: 12 }, (_, j) => (rng.next() < (j % 2 === 0 ? profiles[c] : 1 - profiles[c]) ? 1 : 0)).join(','));
    }
    binary = path.join(temp, 'answers.csv');
    fs.writeFileSync(binary, lines.join('\n') + '\n');
    // 8×8 images of values 0..16 (two strokes), with a header: a table of 64 pixel columns.
    const image = (c: number) =>
      Array.from({ length: 64 }, (_, p) => {
        const on = c === 0 ? p % 8 === 3 || p % 8 === 4 : Math.floor(p / 8) === 3 || Math.floor(p / 8) === 4;
        return Math.min(16, Math.max(0, Math.round((on ? 13 : 2) + 4 * (rng.next() - 0.5) * 2)));
      });
    const pixelLines = [Array.from({ length: 64 }, (_, p) => `p${p}`).join(',')];
    const rowLines: string[] = [];
    for (let i = 0; i < 250; i++) {
      pixelLines.push(image(i % 2).join(','));
      rowLines.push(image((i * 7) % 3 === 0 ? 0 : 1).map((v) => v * 15).join(','));
    }
    pixels = path.join(temp, 'digits.csv');
    fs.writeFileSync(pixels, pixelLines.join('\n') + '\n');
    // No header, byte values: the loader reads the rows as 8×8 images itself.
    pixelRows = path.join(temp, 'bytes.csv');
    fs.writeFileSync(pixelRows, rowLines.join('\n') + '\n');
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const cases: { file: () => string; options: Partial<FitOptions>; chunkRows: number }[] = [
    { file: () => binary, options: { model: 'auto', k: 3, seed: 1 }, chunkRows: 7 },
    { file: () => binary, options: { model: 'bernoulli', k: 3, seed: 2, restarts: 3 }, chunkRows: 64 },
    { file: () => binary, options: { model: 'bernoulli', k: 2, seed: 3, init: 'random', betaPrior: [1, 1] }, chunkRows: 13 },
    { file: () => binary, options: { model: 'bernoulli', k: 4, seed: 4, init: 'random-assignment', betaPrior: [3, 2] }, chunkRows: 1 },
    { file: () => binary, options: { model: 'bernoulli', k: 2, seed: 5, init: 'params', initParams: { weights: [1, 2], means: [Array(12).fill(0.3), Array(12).fill(0.7)] } }, chunkRows: 400 },
    { file: () => pixels, options: { model: 'auto', k: 2, seed: 6 }, chunkRows: 17 },
    { file: () => pixels, options: { model: 'bernoulli', k: 3, seed: 7, threshold: 0.3, init: 'random' }, chunkRows: 50 },
    { file: () => pixelRows, options: { model: 'auto', k: 2, seed: 8, restarts: 2 }, chunkRows: 33 },
    // random-data: the drawn rows blended with the mean image of every row (two equal images drawn are pulled apart).
    { file: () => binary, options: { model: 'bernoulli', k: 4, seed: 9, init: 'random-data', restarts: 2 }, chunkRows: 19 },
    { file: () => pixels, options: { model: 'bernoulli', k: 3, seed: 10, init: 'random-data' }, chunkRows: 250 },
  ];
  for (const { file, options, chunkRows } of cases) {
    it(`model ${options.model}, K ${options.k}, init ${options.init ?? 'kmeans++'}${options.restarts ? `, ${options.restarts} restarts` : ''}${options.betaPrior ? `, Beta(${options.betaPrior})` : ''}${options.threshold ? `, threshold ${options.threshold}` : ''}, chunks of ${chunkRows} rows`, async () => {
      const expected = inMemory(file(), options);
      let storeDir = '';
      let loaded = { model: '', reason: '' };
      const actual = (await fitOutOfCore(file(), options, 1, { onLoaded: (info) => (loaded = { model: info.model, reason: info.modelReason }) }, { chunkRows, tempParent: temp, onStore: (dir) => (storeDir = dir) })).result;
      assert.equal(loaded.model, 'bernoulli');
      assert.equal(actual.modelReason, expected.modelReason);
      assertSameFit(actual, expected);
      assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    });
  }

  it('a K sweep picks the same K with the same per-K log-likelihoods, BIC, ICL and AIC', async () => {
    for (const criterion of ['bic', 'icl'] as const) {
      const options: Partial<FitOptions> = { model: 'bernoulli', k: 'auto', kRange: '1-5', seed: 1, criterion };
      const expected = inMemory(binary, options);
      const actual = (await fitOutOfCore(binary, options, 1, {}, { chunkRows: 23, tempParent: temp })).result;
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
      assertSameFit(actual, expected);
    }
  });

  it('refuses what it cannot fit, naming the file and what to set', async () => {
    const fit = (file: string, options: Partial<FitOptions>) => () => fitOutOfCore(file, options, 1, {}, { tempParent: temp });
    await assert.rejects(fit(path.join(FIXTURES, 'faithful.csv'), { model: 'bernoulli', k: 2 }), (e: Error) => e instanceof DataError && /^faithful\.csv: a Bernoulli mixture needs binary or image data .*but column ".+" has .+ at data row \d+\. Use model "gaussian"/.test(e.message));
    // In memory the rows with missing cells are fitted on their observed cells; model "auto" with k "auto" out of core
    // parsed the file for a Gaussian selection, which skips them.
    await assert.rejects(fit(path.join(FIXTURES, 'binary-missing.csv'), { model: 'auto', k: 'auto', kRange: '2-3' }), (e: Error) => e instanceof DataError && /binary-missing\.csv: line \d+ has a missing cell in column "q\d+".*Set model to "bernoulli", set missing to "skip"/.test(e.message));
  });

  it('model "auto" with one K keeps the missing cells, and the Bernoulli fit integrates them out as in memory', async () => {
    const file = path.join(FIXTURES, 'binary-missing.csv');
    const options: Partial<FitOptions> = { model: 'auto', k: 2, seed: 2 };
    const expected = inMemory(file, options);
    const actual = (await fitOutOfCore(file, options, 1, {}, { chunkRows: 11, tempParent: temp })).result;
    assert.equal(actual.model, 'bernoulli');
    assert.ok(actual.missingCells && actual.missingCells.some((c) => c > 0), 'missing cells reported');
    assertSameFit(actual, expected);
  });

  it('with missing "skip", the rows with missing cells are left out both ways', async () => {
    const file = path.join(FIXTURES, 'binary-missing.csv');
    const options: Partial<FitOptions> = { model: 'auto', k: 2, seed: 2, missing: 'skip' };
    const expected = inMemory(file, options);
    const actual = (await fitOutOfCore(file, options, 1, {}, { chunkRows: 11, tempParent: temp })).result;
    assertSameFit(actual, expected);
  });

  for (const { options, chunkRows } of [
    { options: { model: 'bernoulli', k: 3, seed: 4 }, chunkRows: 11 },
    { options: { model: 'bernoulli', k: 2, seed: 5, init: 'random', betaPrior: [1, 1], restarts: 2 }, chunkRows: 1 },
    { options: { model: 'bernoulli', k: 3, seed: 6, init: 'random-assignment', emVariant: 'hard' }, chunkRows: 40 },
    { options: { model: 'bernoulli', k: 3, seed: 7, init: 'random-data' }, chunkRows: 9 },
  ] as { options: Partial<FitOptions>; chunkRows: number }[]) {
    it(`model "bernoulli" fits rows with missing cells on their observed cells, as in memory (init ${options.init ?? 'kmeans++'}${options.emVariant ? ', hard EM' : ''}, chunks of ${chunkRows} rows)`, async () => {
      const file = path.join(FIXTURES, 'binary-missing.csv');
      const expected = inMemory(file, options);
      assert.ok(expected.missingCells!.some((c) => c > 0));
      const actual = (await fitOutOfCore(file, options, 1, {}, { chunkRows, tempParent: temp })).result;
      assertSameFit(actual, expected);
      assert.deepEqual(actual.missingCells, expected.missingCells);
      const cells = expected.missingCells!.reduce((x, y) => x + y, 0);
      assert.ok(actual.notes!.includes(`${cells} missing cells left out of their rows' products: each row is fitted on its observed cells, assuming the cells are missing at random.`), String(actual.notes));
    });
  }

  it('sends the example images of the rows it reports: every row at this size, so the in-memory examples', async () => {
    for (const [file, options] of [
      [binary, { model: 'bernoulli', k: 3, seed: 1 }],
      [pixels, { model: 'auto', k: 2, seed: 6, threshold: 0.4 }],
      [path.join(FIXTURES, 'binary-missing.csv'), { model: 'bernoulli', k: 2, seed: 3 }],
    ] as [string, Partial<FitOptions>][]) {
      const dataset = loadDataset(path.basename(file), fs.readFileSync(file), { missing: 'marginalize' });
      const expected = fitDataset(dataset, { threads: 1, ...options }).examples!;
      const actual = (await fitOutOfCore(file, options, 1, {}, { chunkRows: 37, tempParent: temp })).examples!;
      assert.equal(actual.length, options.k);
      assert.ok(actual.every((c) => c.typical.length > 0), 'every cluster has members to show');
      assert.deepEqual(actual, expected);
    }
    // A sample of the rows (maxPlotPoints): the examples are of its members, each one of the file's rows.
    const sampled = await fitOutOfCore(binary, { model: 'bernoulli', k: 3, seed: 1, maxPlotPoints: 100 }, 1, {}, { chunkRows: 37, tempParent: temp });
    const rows = new Set(fs.readFileSync(binary, 'utf8').trim().split('\n').slice(1));
    assert.equal(sampled.result.assignedRows!.length, 100);
    assert.equal(sampled.examples!.length, 3);
    for (const c of sampled.examples!) for (const image of [...c.typical, ...c.atypical]) assert.ok(rows.has(image.join(',')), `${image} is a row of the file`);
  });

  it('model "auto" on numbers that are not images stays Gaussian', async () => {
    let model = '';
    await fitOutOfCore(path.join(FIXTURES, 'faithful.csv'), { model: 'auto', k: 2 }, 1, { onLoaded: (info) => (model = info.model) }, { tempParent: temp });
    assert.equal(model, 'gaussian');
  });
});
