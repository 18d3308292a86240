// Model selection on data mclust's own start cannot take: a column that copies another (the hierarchical clustering's
// SVD is rank-deficient: k-means starts every candidate instead, and the result says so) and a column with one value
// (no model can be estimated along it without regularization: one clear error naming it).

import * as assert from 'node:assert/strict';
import type { Dataset } from '../../../src/engine/data/dataset';
import { loadDataset } from '../../../src/engine/data/load';
import { Rng } from '../../../src/engine/em/rng';
import { DataError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';

function csv(name: string, header: string, rows: number[][]): Dataset {
  return loadDataset(name, new Uint8Array(Buffer.from([header, ...rows.map((r) => r.join(','))].join('\n'), 'utf8')), { columns: [] });
}

/** Two separated groups in (a, c), with b a copy of a. */
function twins(): number[][] {
  const rng = new Rng(3);
  return Array.from({ length: 80 }, (_, i) => {
    const a = (i % 2) * 8 + rng.next();
    return [a, a, (i % 2) * 8 + rng.next()];
  });
}

describe('model selection on data the hierarchical clustering cannot start', function () {
  this.timeout(60_000);

  it('a column that copies another: every candidate starts from k-means, a usable model is chosen, and the notes say why', () => {
    const result = fitDataset(csv('twins.csv', 'a,b,c', twins()), { kRange: '1-4' });
    assert.ok(result.result.selection, 'a selection');
    assert.ok(result.result.selection!.chosen);
    assert.ok((result.result.notes ?? []).some((n) => /starts from k-means\+\+ .*linearly dependent/.test(n)), (result.result.notes ?? []).join(' | '));
  });

  it('a column with one value: one error naming it and what to do', () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i % 2 ? 10 + i / 40 : i / 40, 5]);
    assert.throws(
      () => fitDataset(csv('site.csv', 'x,site', rows), {}),
      (e: unknown) => e instanceof DataError && /site\.csv: column "site" has the same value in every row.*Leave the column out/.test(e.message),
    );
    // With a fixed K and one model, the regularization keeps the fit finite, as before.
    const single = fitDataset(csv('site.csv', 'x,site', rows), { k: 2, covarianceType: 'diag' });
    assert.equal(single.result.k, 2);
  });
});
