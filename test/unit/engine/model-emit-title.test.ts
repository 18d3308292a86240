// The emitted scripts say which model they rebuild: the family (and covariance model) and K, for every family.

import * as assert from 'node:assert/strict';
import { modelTitle } from '../../../src/engine/model/emit/common';
import type { SavedModel } from '../../../src/engine/model/schema';

const model = (family: SavedModel['family'], covarianceModel?: string) => ({ family, covarianceModel, k: 3, source: { fileName: 'f.csv' } }) as unknown as SavedModel;

describe('emitted scripts: the model title', () => {
  it('names the family, the covariance model and K', () => {
    assert.equal(modelTitle(model('gaussian', 'EEE')), "Mixscope's Gaussian mixture (mclust model EEE, K = 3) of f.csv");
    assert.equal(modelTitle(model('gaussian', 'full')), "Mixscope's Gaussian mixture (covariance full, K = 3) of f.csv");
    assert.equal(modelTitle(model('bernoulli')), "Mixscope's Bernoulli mixture (K = 3) of f.csv");
    assert.equal(modelTitle(model('poisson')), "Mixscope's Poisson mixture (K = 3) of f.csv");
  });
});
