import * as assert from 'node:assert/strict';
import { rerunOptions } from '../../../src/host/rerun';
import { DEFAULT_FIT_OPTIONS, type FitResult } from '../../../src/shared/protocol';

describe('re-run from the panel', () => {
  const selected = { model: 'gaussian', selection: { criterion: 'bic', ks: [1, 2, 3], models: ['EEE', 'VVV'], entries: [], chosen: { k: 3, covariance: 'EEE' } } } as unknown as FitResult;

  it('after a model selection: the new K with the chosen covariance model (one candidate, no sweep)', () => {
    const o = rerunOptions({ ...DEFAULT_FIT_OPTIONS, k: 'auto' }, selected, 4, 50);
    assert.deepEqual([o.k, o.maxIterations, o.covarianceType, o.covarianceModels], [4, 50, 'EEE', 'EEE']);
  });

  it('"auto" chooses again, over the settings\' kRange and covariance models (not the model of the last re-run)', () => {
    const settings = { ...DEFAULT_FIT_OPTIONS, kRange: '2-6', covarianceModels: 'all' };
    const afterRerun = { ...DEFAULT_FIT_OPTIONS, k: 4, covarianceType: 'EEE' as const, covarianceModels: 'EEE' };
    const o = rerunOptions(afterRerun, selected, 'auto', 100, settings);
    assert.deepEqual([o.k, o.kRange, o.covarianceModels, o.covarianceType], ['auto', '2-6', 'all', DEFAULT_FIT_OPTIONS.covarianceType]);
  });

  it('after a single fit, or a Bernoulli selection: the last options with the new K', () => {
    const single = rerunOptions({ ...DEFAULT_FIT_OPTIONS, k: 2, covarianceType: 'diag' }, { model: 'gaussian' } as FitResult, 5, 100);
    assert.deepEqual([single.k, single.covarianceType, single.covarianceModels], [5, 'diag', DEFAULT_FIT_OPTIONS.covarianceModels]);
    const images = rerunOptions({ ...DEFAULT_FIT_OPTIONS, k: 'auto' }, { ...selected, model: 'bernoulli' } as FitResult, 10, 100);
    assert.deepEqual([images.k, images.covarianceType], [10, DEFAULT_FIT_OPTIONS.covarianceType]);
  });
});
