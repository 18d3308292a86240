// With known labels, every iteration's snapshot carries its clusters × labels counts (the panel's heatmap follows the
// scrubber). Gaussian: each snapshot's counts are recomputed here from that snapshot's parameters with a 2 × 2
// Gaussian density written out in closed form (no engine code); Bernoulli and Poisson: the counts' row sums are the
// family's own cluster sizes. The last snapshot's counts are the result's labelMetrics; without labels, none.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadDataset } from '../../../src/engine/data/load';
import { Rng } from '../../../src/engine/em/rng';
import { fitDataset } from '../../../src/engine/fit';
import type { GaussianSnapshot } from '../../../src/shared/protocol';
import { packForWebview, unpackFromHost } from '../../../src/shared/wire';

const faithful = readFileSync('test/fixtures/faithful.csv', 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
const labelOf = ([e]: number[]) => (e > 3 ? 1 : 0);
const faithfulCsv = (labels: boolean) =>
  new Uint8Array(Buffer.from([labels ? 'eruptions,waiting,class' : 'eruptions,waiting', ...faithful.map((r) => (labels ? `${r[0]},${r[1]},${labelOf(r)}` : `${r[0]},${r[1]}`))].join('\n')));

/** argmax_k ln π_k + ln N(x | μ_k, Σ_k) for a 2 × 2 Σ, written out. */
function assign2d(s: GaussianSnapshot, x: number[]): number {
  let best = 0;
  let bestValue = -Infinity;
  s.weights.forEach((w, k) => {
    const [[a, b], [, c]] = s.covariances[k];
    const det = a * c - b * b;
    const dx = x[0] - s.means[k][0];
    const dy = x[1] - s.means[k][1];
    const q = (c * dx * dx - 2 * b * dx * dy + a * dy * dy) / det;
    const value = Math.log(w) - 0.5 * (q + Math.log(det) + 2 * Math.log(2 * Math.PI));
    if (value > bestValue) {
      bestValue = value;
      best = k;
    }
  });
  return best;
}

describe('per-iteration clusters × labels counts', function () {
  this.timeout(60_000);

  it('Gaussian (Old Faithful with a class column): each iteration\'s counts are those of its own parameters', () => {
    const options = { model: 'gaussian' as const, k: 2, covarianceType: 'full' as const, standardize: false, seed: 4, maxIterations: 100 };
    const result = fitDataset(loadDataset('faithful-class.csv', faithfulCsv(true), { columns: [] }), options).result;
    assert.ok(result.snapshots.length > 3, `${result.snapshots.length} snapshots`);
    for (const s of result.snapshots as GaussianSnapshot[]) {
      const expected = [
        [0, 0],
        [0, 0],
      ];
      for (const row of faithful) expected[assign2d(s, row)][labelOf(row)]++;
      assert.deepEqual(s.confusion, expected, `iteration ${s.iteration}`);
    }
    assert.deepEqual(result.snapshots[result.snapshots.length - 1].confusion, result.labelMetrics!.confusion);
    assert.notDeepEqual(result.snapshots[0].confusion, result.labelMetrics!.confusion, 'the counts move with the fit');
    const plain = fitDataset(loadDataset('faithful.csv', faithfulCsv(false), { columns: [] }), options).result;
    assert.ok(plain.snapshots.every((s) => s.confusion === undefined), 'no labels, no counts');
  });

  it('Bernoulli and Poisson: each iteration\'s counts add up to the family\'s cluster sizes; the last are labelMetrics\'', () => {
    const rng = new Rng(5);
    const prototypes = [[1, 1, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0, 1, 1, 1]];
    const binary = Array.from({ length: 150 }, (_, i) => [...prototypes[i % 3].map((v) => (rng.next() < 0.15 ? 1 - v : v)), i % 3]);
    const counts = Array.from({ length: 150 }, (_, i) => [...[0, 1, 2].map((j) => Math.floor(rng.next() * (j === i % 3 ? 12 : 3))), i % 3]);
    const csv = (rows: number[][], d: number) => new Uint8Array(Buffer.from([[...Array.from({ length: d }, (_, j) => `x${j}`), 'class'].join(','), ...rows.map((r) => r.join(','))].join('\n')));
    for (const [model, bytes] of [['bernoulli', csv(binary, 9)], ['poisson', csv(counts, 3)]] as const) {
      const result = fitDataset(loadDataset(`${model}.csv`, bytes, { columns: [] }), { model, k: 3, seed: 2, maxIterations: 50 }).result;
      assert.ok(result.labelMetrics, `${model}: labels read`);
      for (const s of result.snapshots) {
        assert.ok(s.model !== 'gaussian' && s.confusion, `${model}: iteration ${s.iteration} has counts`);
        assert.deepEqual(s.confusion.map((row) => row.reduce((a, b) => a + b, 0)), s.sizes, `${model}: iteration ${s.iteration}`);
      }
      assert.deepEqual(result.snapshots[result.snapshots.length - 1].confusion, result.labelMetrics.confusion, model);
      // The counts cross to the webview packed with the snapshots and come back the same.
      const message = unpackFromHost(packForWebview({ type: 'done', runId: 1, result }));
      assert.ok(message.type === 'done');
      assert.deepEqual(message.result.snapshots, result.snapshots, `${model}: packed and unpacked`);
    }
  });
});
