// A saved model applied to a file (src/engine/model/predict.ts) against scikit-learn: given scikit-learn's fitted
// parameters, the engine's prediction gives scikit-learn's predict() and its total log-likelihood score(X) × n
// (reference values: test/reference/make_sklearn_predict_reference.py → test/reference/sklearn_predict.json).
// Also the schema's refusals of files that are not usable models.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../../../src/engine/errors';
import { loadForModel, predictDataset } from '../../../src/engine/model/predict';
import { MODEL_FORMAT, parseSavedModel, type SavedModel } from '../../../src/engine/model/schema';
import { DEFAULT_FIT_OPTIONS } from '../../../src/shared/protocol';

const root = path.resolve(__dirname, '../../..');
const reference = JSON.parse(readFileSync(path.join(root, 'test/reference/sklearn_predict.json'), 'utf8')) as {
  cases: {
    name: string;
    file: string;
    columns: string[];
    covarianceType: string;
    standardization: { mean: number[]; sd: number[] } | null;
    weights: number[];
    means: number[][];
    covariances: number[][][];
    assignments: number[];
    logLikelihood: number;
  }[];
};

function modelOf(c: (typeof reference.cases)[number]): SavedModel {
  return {
    format: MODEL_FORMAT,
    version: 1,
    family: 'gaussian',
    covarianceModel: c.covarianceType,
    k: c.weights.length,
    d: c.columns.length,
    columns: c.columns,
    parameters: { weights: c.weights, means: c.means, covariances: c.covariances },
    preprocessing: { standardization: c.standardization, labelColumn: null, image: null },
    source: { format: 'delimited-text', fileName: c.file, n: c.assignments.length },
    fit: { logLikelihood: c.logLikelihood, bic: 0, aic: 0, iterations: 0, converged: true },
    settings: DEFAULT_FIT_OPTIONS,
  };
}

describe('saved models: prediction against scikit-learn', () => {
  for (const c of reference.cases) {
    it(`${c.name}: scikit-learn's predict() and score(X) × n from its parameters`, async () => {
      const model = parseSavedModel(JSON.stringify(modelOf(c)), 'model.json');
      const bytes = readFileSync(path.join(root, 'test/fixtures', c.file));
      const p = predictDataset(model, await loadForModel(model, c.file, bytes));
      assert.equal(p.n, c.assignments.length);
      assert.deepEqual(Array.from(p.assignments), c.assignments);
      assert.ok(Math.abs(p.logLikelihood - c.logLikelihood) <= 1e-9 * Math.abs(c.logLikelihood), `${p.logLikelihood} vs ${c.logLikelihood}`);
    });
  }

  it('the same parameters as an mclust model (VVV) give the same prediction', async () => {
    const c = reference.cases.find((x) => x.covarianceType === 'full' && x.file === 'faithful.csv')!;
    const model = { ...modelOf(c), covarianceModel: 'VVV' };
    const p = predictDataset(model, await loadForModel(model, c.file, readFileSync(path.join(root, 'test/fixtures', c.file))));
    assert.deepEqual(Array.from(p.assignments), c.assignments);
    assert.ok(Math.abs(p.logLikelihood - c.logLikelihood) <= 1e-9 * Math.abs(c.logLikelihood));
  });

  it('a file without one of the model\'s columns is one error naming the column', async () => {
    const c = reference.cases[0];
    const model = { ...modelOf(c), columns: ['eruptions', 'duration'] };
    await assert.rejects(
      () => loadForModel(model, 'faithful.csv', readFileSync(path.join(root, 'test/fixtures/faithful.csv'))),
      (e: unknown) => e instanceof DataError && /faithful\.csv: there is no column "duration"\. Available columns: eruptions, waiting/.test(e.message),
    );
  });

  it('a covariance that is not positive definite is refused, naming the model file', async () => {
    const c = reference.cases[0];
    const covariances = c.covariances.map((m) => m.map((row) => row.slice()));
    covariances[1] = [[1, 2], [2, 1]];
    const model = { ...modelOf(c), parameters: { ...modelOf(c).parameters, covariances } };
    const dataset = await loadForModel(model, c.file, readFileSync(path.join(root, 'test/fixtures', c.file)));
    assert.throws(
      () => predictDataset(model, dataset, 'm.json'),
      (e: unknown) => e instanceof DataError && /^m\.json: its parameters cannot be used: parameters\.covariances\[1\] \(component 2\) is not symmetric positive definite/.test(e.message),
    );
  });
});

describe('saved models: the schema', () => {
  const good = JSON.stringify(modelOf(reference.cases[0]));
  const refused = (text: string, pattern: RegExp) =>
    assert.throws(() => parseSavedModel(text, 'm.json'), (e: unknown) => e instanceof DataError && e.fileName === 'm.json' && pattern.test(e.message));

  it('reads a model it wrote', () => {
    assert.equal(parseSavedModel(good, 'm.json').k, 3);
  });
  it('refuses text that is not JSON, or JSON that is not a model', () => {
    refused('{"weights": [1', /^m\.json: is not valid JSON/);
    refused('{"weights": [1]}', /^m\.json: is not a Mixscope model \(expected "format": "mixscope-model"\)/);
  });
  it('refuses a newer version, saying what to do', () => {
    refused(good.replace('"version":1', '"version":2'), /version 2 model, written by a newer Mixscope; this one reads version 1\. Update Mixscope\./);
  });
  it('names the part of the parameters that is wrong', () => {
    const m = JSON.parse(good);
    m.parameters.weights[2] = -0.1;
    refused(JSON.stringify(m), /parameters\.weights\[2\] must be a positive number, got -0\.1/);
    const n = JSON.parse(good);
    n.parameters.covariances[0][1] = [1];
    refused(JSON.stringify(n), /parameters\.covariances\[0\]\[1\] must be a list of 2 numbers/);
    const b = { ...JSON.parse(good), family: 'bernoulli' };
    refused(JSON.stringify(b), /parameters\.means\[0\]\[0\] must be a probability strictly between 0 and 1/);
    refused(JSON.stringify({ ...JSON.parse(good), covarianceModel: 'XYZ' }), /"covarianceModel" must be full, diag, spherical, tied, variational or an mclust model name, got "XYZ"/);
  });
});
