import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adjustedRandIndex, labelMetrics, normalizedMutualInfo, oneToOneMatches } from '../../../src/engine/em/metrics';

interface MetricsCase {
  name: string;
  k: number;
  assignments: number[];
  labels: number[];
  adjustedRandIndex: number;
  normalizedMutualInfo: number;
  accuracy: number;
  oneToOneAccuracy?: number;
}

const reference = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'reference', 'sklearn_metrics_reference.json'), 'utf8'),
) as { cases: MetricsCase[] };

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-12 + 1e-10 * Math.abs(expected), `${what}: ${actual} vs sklearn ${expected}`);

describe('label metrics against sklearn.metrics', () => {
  it('has the reference cases', () => assert.ok(reference.cases.length >= 10));

  for (const c of reference.cases) {
    it(c.name, () => {
      const m = labelMetrics(c.assignments, c.labels, c.k);
      close(m.adjustedRandIndex, c.adjustedRandIndex, 'ARI');
      close(m.normalizedMutualInfo, c.normalizedMutualInfo, 'NMI');
      close(m.accuracy, c.accuracy, 'many-to-one accuracy');
      if (c.oneToOneAccuracy !== undefined) close(m.oneToOneAccuracy!, c.oneToOneAccuracy, 'one-to-one accuracy');
      else assert.equal(m.oneToOneAccuracy, undefined);
      assert.equal(m.confusion.length, c.k);
      assert.equal(m.confusion.flat().reduce((s, v) => s + v, 0), c.labels.length);
      assert.deepEqual(m.labelValues, [...new Set(c.labels)].sort((a, b) => a - b));
    });
  }
});

describe('label metrics: per-cluster summaries', () => {
  it('gives each cluster its majority label, purity and size; empty clusters get −1 and 0', () => {
    // cluster 0: labels 7,7,3 → 7 (2/3); cluster 1: empty; cluster 2: 3,3 → 3 (1).
    const m = labelMetrics([0, 0, 0, 2, 2], [7, 7, 3, 3, 3], 3);
    assert.deepEqual(m.labelValues, [3, 7]);
    assert.deepEqual(m.confusion, [[1, 2], [0, 0], [2, 0]]);
    assert.deepEqual(m.clusters[0], { majorityLabel: 7, purity: 2 / 3, size: 3 });
    assert.deepEqual(m.clusters[1], { majorityLabel: -1, purity: 0, size: 0 });
    assert.deepEqual(m.clusters[2], { majorityLabel: 3, purity: 1, size: 2 });
    assert.equal(m.accuracy, 4 / 5);
  });

  it('many-to-one accuracy can exceed one-to-one when two clusters share a label', () => {
    // Clusters 0 and 1 are both mostly label 0; one-to-one must give one of them label 1.
    const assignments = [0, 0, 0, 1, 1, 1];
    const labels = [0, 0, 1, 0, 0, 1];
    const m = labelMetrics(assignments, labels, 2);
    assert.equal(m.accuracy, 4 / 6);
    assert.equal(m.oneToOneAccuracy, 3 / 6);
  });

  it('Hungarian matching finds the best one-to-one total (checked against all permutations)', () => {
    const permutations = (n: number): number[][] =>
      n === 1 ? [[0]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
    let seed = 12345;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 30; trial++) {
      const size = 1 + (trial % 6);
      const counts = Array.from({ length: size }, () => Array.from({ length: size }, () => Math.floor(next() * 50)));
      const best = Math.max(...permutations(size).map((p) => p.reduce((s, col, row) => s + counts[row][col], 0)));
      assert.equal(oneToOneMatches(counts), best, JSON.stringify(counts));
    }
  });

  it('rejects mismatched lengths and out-of-range assignments', () => {
    assert.throws(() => labelMetrics([0, 1], [0], 2), /2 assignments but 1 labels/);
    assert.throws(() => labelMetrics([0, 2], [0, 1], 2), /outside 0..1/);
  });

  it('ARI and NMI are symmetric in clusters and labels', () => {
    const a = [0, 0, 1, 1, 2, 2, 2, 0];
    const b = [1, 1, 1, 0, 0, 2, 2, 2];
    const table = (x: number[], y: number[]) => {
      const t = Array.from({ length: 3 }, () => [0, 0, 0]);
      x.forEach((v, i) => t[v][y[i]]++);
      return t;
    };
    close(adjustedRandIndex(table(a, b), 8), adjustedRandIndex(table(b, a), 8), 'ARI symmetry');
    close(normalizedMutualInfo(table(a, b), 8), normalizedMutualInfo(table(b, a), 8), 'NMI symmetry');
  });
});
