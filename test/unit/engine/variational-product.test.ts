// covarianceType "variational" through the product's entry point: scikit-learn's BayesianGaussianMixture (checked
// against scikit-learn in variational.test.ts) started from k-means labels, as scikit-learn starts it; K is an upper
// bound (k "auto": the largest K of kRange) and the result says how many components the data kept.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { hardResponsibilities } from '../../../src/engine/em/init';
import { kmeans } from '../../../src/engine/em/kmeans';
import { Rng } from '../../../src/engine/em/rng';
import { DataError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import { fitVariational } from '../../../src/engine/families/gaussian/variational';

const root = path.resolve(__dirname, '../../..');
const faithful = () => loadDataset('faithful.csv', readFileSync(path.join(root, 'test/fixtures/faithful.csv')), { columns: [] });

describe('covarianceType "variational" in fitDataset', function () {
  this.timeout(60_000);

  it('is the variational fit from the k-means start: the same lower bounds, 2 components kept of 6 on Old Faithful', () => {
    const { result } = fitDataset(faithful(), { k: 6, covarianceType: 'variational' });
    const data = faithful();
    if (data.kind !== 'table') throw new Error('table expected');
    const start = hardResponsibilities(kmeans(data.values, data.n, data.d, 6, new Rng(0)).labels, data.n, 6);
    const direct = fitVariational(Float64Array.from(data.values), data.n, data.d, 6, { startResponsibilities: start, tolerance: 1e-3, maxIterations: 100, regularization: 1e-6 });
    assert.deepEqual(result.trace, direct.lowerBounds);
    assert.equal(result.covarianceType, 'variational');
    assert.deepEqual(result.variational, { effectiveComponents: 2, lowerBound: direct.lowerBound, weightPrior: 'dirichlet-process' });
    assert.equal(result.snapshots.length, result.trace.length);
    assert.equal(result.logLikelihoodTrace?.length, result.trace.length);
    for (let i = 1; i < result.trace.length; i++) assert.ok(result.trace[i] >= result.trace[i - 1] - 1e-9 * Math.abs(result.trace[i]), `lower bound at ${i}`);
    assert.ok(Math.abs(result.logLikelihood - direct.logLikelihood) < 1e-9 * Math.abs(direct.logLikelihood));
  });

  it('k "auto": one fit at the largest K of kRange (no sweep); the Dirichlet-distribution prior is used when asked', () => {
    const { result } = fitDataset(faithful(), { k: 'auto', kRange: '2-5', covarianceType: 'variational', weightPrior: 'dirichlet-distribution' });
    assert.equal(result.k, 5);
    assert.equal(result.selection, undefined);
    assert.equal(result.variational?.weightPrior, 'dirichlet-distribution');
  });

  it('starts only from k-means, as scikit-learn: another init is one clear error', () => {
    assert.throws(() => fitDataset(faithful(), { k: 3, covarianceType: 'variational', init: 'random' }), (e: unknown) => e instanceof DataError && /variational.*k-means/.test(e.message));
  });
});
