// Bernoulli mixtures with missing cells: a missing cell drops out of its row's product. Against an independent numpy
// EM from the same hard start (test/reference/make_numpy_bernoulli_missing_reference.py): every iteration's
// observed-data log-likelihood (1e-8 relative) and the final parameters; model "auto" keeps the rows with missing
// cells, says how many cells it left out, and a saved model predicts the fit.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ImageData } from '../../../src/engine/data/dataset';
import { loadDataset } from '../../../src/engine/data/load';
import { runEm, startedFromPartition } from '../../../src/engine/em/em';
import { binarize } from '../../../src/engine/families/bernoulli/binarize';
import { imagesForBernoulli } from '../../../src/engine/families/bernoulli/entry';
import { BernoulliFamily, missingPixels } from '../../../src/engine/families/bernoulli/family';
import { fitDataset, resolveOptions } from '../../../src/engine/fit';
import { loadForModel, predictDataset } from '../../../src/engine/model/predict';
import { buildSavedModel, parseSavedModel, savedModelJson } from '../../../src/engine/model/schema';
import type { DatasetSummary } from '../../../src/shared/protocol';
import { DEFAULT_FIT_OPTIONS } from '../../../src/shared/settings';

const root = path.resolve(__dirname, '../../..');
const reference = JSON.parse(readFileSync(path.join(root, 'test/reference/numpy_bernoulli_missing.json'), 'utf8')) as {
  k: number;
  betaPrior: [number, number];
  missingCells: number[];
  start: number[];
  trace: number[];
  weights: number[];
  means: number[][];
};
const bytes = readFileSync(path.join(root, 'test/fixtures/binary-missing.csv'));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('Bernoulli mixtures with missing cells', () => {
  it('from numpy\'s start: every iteration\'s log-likelihood (1e-8 relative) and the final π and μ', () => {
    const images = imagesForBernoulli(loadDataset('binary-missing.csv', bytes, { missing: 'marginalize' }), DEFAULT_FIT_OPTIONS) as ImageData;
    assert.equal(images.n, reference.start.length);
    assert.deepEqual(images.missingPerColumn, reference.missingCells);
    const family = new BernoulliFamily(binarize(images), { init: 'kmeans++', betaPrior: reference.betaPrior, threads: 1, shardScript: null, missing: missingPixels(images.missing!, images.n, images.d) });
    const run = runEm(startedFromPartition(family, reference.start), { k: reference.k, maxIterations: reference.trace.length - 1, tolerance: 0, variant: 'soft', restarts: 1, seed: 0, keepSnapshots: false });
    assert.equal(run.logLikelihoodTrace.length, reference.trace.length);
    run.logLikelihoodTrace.forEach((ll, t) => assert.ok(rel(ll, reference.trace[t]) < 1e-8, `iteration ${t}: ${ll} vs numpy ${reference.trace[t]}`));
    const d = images.d;
    for (let c = 0; c < reference.k; c++) {
      assert.ok(rel(run.params!.weights[c], reference.weights[c]) < 1e-8, `π ${c}`);
      for (let j = 0; j < d; j++) assert.ok(Math.abs(run.params!.means[c * d + j] - reference.means[c][j]) < 1e-9, `μ ${c},${j}`);
    }
  });

  it('model auto fits every row on its observed cells, says so, and the saved model predicts the fit', async () => {
    let summary = undefined as unknown as DatasetSummary;
    const options = { k: 3, seed: 4 };
    const { result } = fitDataset(loadDataset('binary-missing.csv', bytes, { missing: 'marginalize' }), options, { onLoaded: (info) => (summary = info.summary) });
    assert.equal(result.model, 'bernoulli');
    assert.equal(result.n, reference.start.length);
    assert.deepEqual(result.missingCells, reference.missingCells);
    const cells = reference.missingCells.reduce((a, b) => a + b, 0);
    assert.ok(result.notes?.includes(`${cells} missing cells left out of their rows' products: each row is fitted on its observed cells, assuming the cells are missing at random.`), String(result.notes));
    for (let t = 1; t < result.trace.length; t++) assert.ok(result.trace[t] >= result.trace[t - 1] - 1e-9 * Math.abs(result.trace[t - 1]));
    const model = parseSavedModel(savedModelJson(buildSavedModel({ options: resolveOptions(options), result, summary })), 'm.json');
    const p = predictDataset(model, await loadForModel(model, 'binary-missing.csv', bytes));
    assert.equal(p.n, result.n);
    assert.deepEqual(Array.from(p.assignments), result.assignments);
    assert.ok(rel(p.logLikelihood, result.logLikelihood) < 1e-12, `${p.logLikelihood} vs ${result.logLikelihood}`);
  });

  it('missing "skip" leaves the rows with a missing cell out, as before', () => {
    const { result } = fitDataset(loadDataset('binary-missing.csv', bytes, { missing: 'marginalize' }), { k: 2, missing: 'skip' });
    const incomplete = bytes.toString('utf8').trim().split('\n').slice(1).filter((l) => l.includes('NA')).length;
    assert.equal(result.model, 'bernoulli');
    assert.equal(result.n, reference.start.length - incomplete);
    assert.equal(result.missingCells, undefined);
  });
});
