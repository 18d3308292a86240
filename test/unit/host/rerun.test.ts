import * as assert from 'node:assert/strict';
import { rerunOptions } from '../../../src/host/rerun';
import { DEFAULT_FIT_OPTIONS, type FitResult } from '../../../src/shared/protocol';

describe('re-run from the panel', () => {
  const selected = { model: 'gaussian', selection: { criterion: 'bic', ks: [1, 2, 3], models: ['EEE', 'VVV'], entries: [], chosen: { k: 3, covariance: 'EEE' } } } as unknown as FitResult;

  it('after a model selection: the new K with the chosen covariance model (one candidate, no sweep)', () => {
    const o = rerunOptions({ ...DEFAULT_FIT_OPTIONS, k: 'auto' }, selected, 4, 50);
    assert.deepEqual([o.k, o.maxIterations, o.covarianceType, o.covarianceModels], [4, 50, 'EEE', 'EEE']);
  });

  it('after a single fit, or a Bernoulli selection: the last options with the new K', () => {
    const single = rerunOptions({ ...DEFAULT_FIT_OPTIONS, k: 2, covarianceType: 'diag' }, { model: 'gaussian' } as FitResult, 5, 100);
    assert.deepEqual([single.k, single.covarianceType, single.covarianceModels], [5, 'diag', DEFAULT_FIT_OPTIONS.covarianceModels]);
    const images = rerunOptions({ ...DEFAULT_FIT_OPTIONS, k: 'auto' }, { ...selected, model: 'bernoulli' } as FitResult, 10, 100);
    assert.deepEqual([images.k, images.covarianceType], [10, DEFAULT_FIT_OPTIONS.covarianceType]);
  });
});
