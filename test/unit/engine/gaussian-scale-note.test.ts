// A spherical model (one variance for every column: mclust's EII and VII, scikit-learn's spherical) on columns of very
// different scales gets a note suggesting standardisation; models with a variance per column never do. Old Faithful's
// column variances (population) are 1.2979 and 184.14, 141.9-fold apart (pandas: DataFrame.var(ddof=0)).

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import type { CovarianceType } from '../../../src/shared/settings';

const root = path.resolve(__dirname, '../../..');
const faithful = () => loadDataset('faithful.csv', readFileSync(path.join(root, 'test/fixtures/faithful.csv')), {});
const iris = () => loadDataset('iris.csv', readFileSync(path.join(root, 'test/fixtures/iris.csv')), {});
const scaleNotes = (notes: string[] | undefined) => (notes ?? []).filter((n) => /gives all columns one variance/.test(n));

describe('Gaussian: a note on column scales under a spherical model', function () {
  this.timeout(60_000);

  for (const model of ['EII', 'VII', 'spherical'] as CovarianceType[]) {
    it(`${model} on Old Faithful (variances 142-fold apart): suggests standardize, naming both columns`, () => {
      const notes = scaleNotes(fitDataset(faithful(), { k: 2, covarianceType: model }).result.notes);
      assert.equal(notes.length, 1, JSON.stringify(notes));
      assert.match(notes[0], /variances differ 142-fold \("eruptions" 1\.30, "waiting" 184\): the clusters follow "waiting" in bands\. Turn on standardize/);
    });
  }

  it('no note with standardize, for models with a variance per column, or when the scales are close (iris, 16-fold)', () => {
    assert.deepEqual(scaleNotes(fitDataset(faithful(), { k: 2, covarianceType: 'EII', standardize: true }).result.notes), []);
    for (const model of ['VVI', 'EEI', 'diag', 'full', 'EEE'] as CovarianceType[]) {
      assert.deepEqual(scaleNotes(fitDataset(faithful(), { k: 2, covarianceType: model }).result.notes), [], model);
    }
    assert.deepEqual(scaleNotes(fitDataset(iris(), { k: 3, covarianceType: 'EII' }).result.notes), []);
  });

  it('a model selection that chooses a spherical model says it too', () => {
    const r = fitDataset(faithful(), { k: 'auto', kRange: '2', covarianceModels: 'EII' }).result;
    assert.equal(r.covarianceType, 'EII');
    assert.equal(scaleNotes(r.notes).length, 1);
  });
});
