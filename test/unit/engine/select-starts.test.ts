// Starting partitions of a model-selection sweep on more rows than the hierarchical clustering can take (its memory
// grows with n²): mclust's rule, a random subset of HC_SUBSET_ROWS rows clustered and the partition extended to all.

import * as assert from 'node:assert/strict';
import { Rng } from '../../../src/engine/em/rng';
import { defaultStartingPartitions, HC_SUBSET_ROWS, subsetHcPartitions } from '../../../src/engine/select/starts';
import { sweepModels } from '../../../src/engine/select/sweep';

/** n rows of three well-separated 2-D blobs; row i belongs to blob i mod 3. */
function blobs(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const centres = [[0, 0], [10, 0], [0, 10]];
  const x = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const c = centres[i % 3];
    // Box–Muller from the project's generator.
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const t = 2 * Math.PI * rng.next();
    x[i * 2] = c[0] + r * Math.cos(t);
    x[i * 2 + 1] = c[1] + r * Math.sin(t);
  }
  return x;
}

describe('model selection: starting partitions on more rows than the hierarchical clustering takes', () => {
  const n = 3 * HC_SUBSET_ROWS + 1;
  const x = blobs(n, 7);

  it('clusters a seeded subset and extends each K to every row: the same partitions twice, K classes each, the blobs found at K = 3', () => {
    const ks = [1, 2, 3, 4];
    const first = defaultStartingPartitions(x, n, 2, ks);
    const again = subsetHcPartitions(x, n, 2, ks);
    assert.deepEqual(first, again, 'deterministic');
    first.forEach((p, i) => {
      assert.equal(p.length, n);
      assert.equal(new Set(p).size, ks[i], `K = ${ks[i]}: every class used`);
    });
    // At K = 3 each blob is one class (rows i, i + 3, i + 6… share a blob).
    const three = first[2];
    let agree = 0;
    for (let i = 3; i < n; i++) if (three[i] === three[i % 3]) agree++;
    assert.ok(agree / (n - 3) > 0.99, `K = 3 recovers the blobs (${agree} of ${n - 3} rows)`);
  });

  it('the sweep on such data runs (no n² memory) and chooses K = 3', () => {
    const result = sweepModels(x, n, 2, { ks: [1, 2, 3, 4], models: ['EII', 'VVV'] });
    const best = result.best.bic;
    assert.ok(best, 'a usable candidate');
    assert.equal(best.cell.k, 3);
  });
});
