// Saved categorical and mixed models (src/engine/model/): applied to a new file they give numpy's assignments and
// log-likelihood from the same parameters (test/reference/make_numpy_predict_categorical_reference.py: the columns in
// another order, categories the file never holds, missing answers); on the fitted file, the fit's own; a category the
// model never saw, or a missing column, is one error naming it.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { DataError } from '../../../src/engine/errors';
import { fitDataset, resolveOptions } from '../../../src/engine/fit';
import { loadForModel, predictDataset } from '../../../src/engine/model/predict';
import { buildSavedModel, MODEL_FORMAT, parseSavedModel, savedModelJson, type SavedModel } from '../../../src/engine/model/schema';
import type { FitOptions } from '../../../src/shared/protocol';
import { DEFAULT_FIT_OPTIONS } from '../../../src/shared/settings';
import { modelJson } from '../../../src/host/exportFormats';
import { utf8 } from '../../fixtures/data/helpers';

const root = path.resolve(__dirname, '../../..');
const fixture = (name: string) => readFileSync(path.join(root, 'test/fixtures', name));
const reference = JSON.parse(readFileSync(path.join(root, 'test/reference/numpy_predict_categorical.json'), 'utf8'));

function baseModel(family: SavedModel['family'], fittedTo: string): Omit<SavedModel, 'k' | 'd' | 'columns' | 'parameters'> {
  return {
    format: MODEL_FORMAT,
    version: 1,
    family,
    preprocessing: { standardization: null, labelColumn: null, image: null },
    source: { format: 'delimited-text', fileName: fittedTo, n: 0 },
    fit: { logLikelihood: 0, bic: 0, aic: 0, iterations: 0, converged: true },
    settings: DEFAULT_FIT_OPTIONS,
  };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

async function predictFile(model: SavedModel, file: string, bytes: Uint8Array = fixture(file)) {
  const parsed = parseSavedModel(savedModelJson(model), 'model.json');
  return predictDataset(parsed, await loadForModel(parsed, file, bytes), 'model.json');
}

/** The fit of `file` with `options`, saved as a model (through its JSON) and applied to the same file. */
async function fitSaveAndPredict(file: string, options: Partial<FitOptions>) {
  const bytes = fixture(file);
  let summary = undefined as unknown as Parameters<typeof buildSavedModel>[0]['summary'];
  const dataset = loadDataset(file, bytes, { missing: 'marginalize' });
  const fit = fitDataset(dataset, options, { onLoaded: (info) => (summary = info.summary) }).result;
  const model = buildSavedModel({ options: resolveOptions(options), result: fit, summary });
  return { fit, model, prediction: await predictFile(model, file, bytes) };
}

describe('saved models: categorical and mixed', () => {
  it('categorical: numpy\'s assignments and log-likelihood on a new file (columns reordered, categories absent, answers missing)', async () => {
    const r = reference.categorical;
    const model: SavedModel = {
      ...baseModel('categorical', r.fittedTo),
      k: r.weights.length,
      d: r.columns.length,
      columns: r.columns,
      categories: r.columns.map((column: string, j: number) => ({ column, levels: r.levels[j] })),
      parameters: { weights: r.weights, means: [], probabilities: r.probabilities },
    };
    const p = await predictFile(model, r.file);
    assert.equal(p.n, r.assignments.length);
    assert.deepEqual(Array.from(p.assignments), r.assignments);
    assert.ok(rel(p.logLikelihood, r.logLikelihood) <= 1e-12, `${p.logLikelihood} vs ${r.logLikelihood}`);
  });

  it('mixed: numpy\'s assignments and log-likelihood on a new file (Gaussian block + categorical block)', async () => {
    const r = reference.mixed;
    const model: SavedModel = {
      ...baseModel('mixed', r.fittedTo),
      covarianceModel: 'full',
      k: r.weights.length,
      d: r.numeric.length,
      columns: r.numeric,
      categories: r.categorical.map((column: string, j: number) => ({ column, levels: r.levels[j] })),
      parameters: { weights: r.weights, means: r.means, covariances: r.covariances, probabilities: r.probabilities },
    };
    const p = await predictFile(model, r.file);
    assert.equal(p.n, r.assignments.length);
    assert.deepEqual(Array.from(p.assignments), r.assignments);
    assert.ok(rel(p.logLikelihood, r.logLikelihood) <= 1e-12, `${p.logLikelihood} vs ${r.logLikelihood}`);
  });

  const fits: [string, string, Partial<FitOptions>][] = [
    ['categorical, survey.csv, K = 3', 'survey.csv', { k: 3, seed: 2 }],
    ['mixed, mixed.csv, full, K = 3', 'mixed.csv', { k: 3, seed: 4, covarianceType: 'full' }],
    ['mixed, mixed.csv, mclust VEV, K = 2', 'mixed.csv', { k: 2, seed: 1, covarianceType: 'VEV' }],
  ];
  for (const [label, file, options] of fits) {
    it(`${label}: the saved model gives the fit's assignments and log-likelihood on the fitted file`, async () => {
      const { fit, model, prediction } = await fitSaveAndPredict(file, options);
      assert.equal(model.family, fit.model);
      assert.deepEqual(model.categories, fit.categories);
      assert.equal(prediction.n, fit.n);
      assert.deepEqual(Array.from(prediction.assignments), fit.assignments);
      assert.ok(rel(prediction.logLikelihood, fit.logLikelihood) <= 1e-12, `${prediction.logLikelihood} vs ${fit.logLikelihood}`);
    });
  }

  it('the panel\'s model export is the same model: applied to the fitted file it gives the fit (mixed, diag)', async () => {
    const bytes = fixture('mixed.csv');
    let summary = undefined as unknown as Parameters<typeof buildSavedModel>[0]['summary'];
    const options = resolveOptions({ k: 3, seed: 7, covarianceType: 'diag' });
    const fit = fitDataset(loadDataset('mixed.csv', bytes), options, { onLoaded: (info) => (summary = info.summary) }).result;
    const model = parseSavedModel(modelJson('mixed.csv', options, fit, summary), 'mixed.model.json');
    assert.equal(model.covarianceModel, 'diag');
    const p = predictDataset(model, await loadForModel(model, 'mixed.csv', bytes));
    assert.deepEqual(Array.from(p.assignments), fit.assignments);
    assert.ok(rel(p.logLikelihood, fit.logLikelihood) <= 1e-12);
  });

  it('a category the model never saw is one error naming the column, the value and its line', async () => {
    const { model } = await fitSaveAndPredict('survey.csv', { k: 2, seed: 1 });
    const lines = fixture('survey.csv').toString('utf8').trim().split('\n');
    lines[5] = lines[5].replace(/^no,|^yes,/, 'maybe,');
    await assert.rejects(predictFile(model, 'survey.csv', utf8(lines.join('\n'))), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.equal(e.line, 6);
      assert.match(e.message, /^survey\.csv: column "smoker" has the category "maybe" on line 6, which the model never saw \(it knows "no", "yes"\)\. Recode the value/);
      return true;
    });
  });

  it('a missing categorical column is one error naming it; a single row (every column one value) is predicted', async () => {
    const { model, fit } = await fitSaveAndPredict('mixed.csv', { k: 3, seed: 4 });
    const lines = fixture('mixed.csv').toString('utf8').trim().split('\n');
    const withoutCommute = lines.map((l) => l.split(',').slice(0, 3).join(',')).join('\n');
    await assert.rejects(predictFile(model, 'mixed.csv', utf8(withoutCommute)), /^DataError: mixed\.csv: there is no column "commute"/);
    const one = await predictFile(model, 'one.csv', utf8(`${lines[0]}\n${lines[1]}\n`));
    assert.equal(one.n, 1);
    assert.equal(one.assignments[0], fit.assignments[0]);
  });
});
