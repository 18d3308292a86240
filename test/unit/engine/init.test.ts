// The shared initialisations of em/init.ts: every method yields starting responsibilities, rows or "explicit" for
// any family, and k-means++ (one implementation) seeds by whatever distance the family supplies.

import * as assert from 'node:assert/strict';
import {
  distinctRows,
  kmeansPlusPlus,
  randomResponsibilities,
  sampleWithoutReplacement,
  startingPoint,
  type InitSpace,
} from '../../../src/engine/em/init';
import { kmeansPlusPlusIndices } from '../../../src/engine/em/kmeans';
import { kmeansPlusPlusBinary } from '../../../src/engine/families/bernoulli/family';
import { binaryFromRows } from '../../../src/engine/families/bernoulli/binarize';
import { Rng } from '../../../src/engine/em/rng';

/** Four tight groups of 25 points on a line, 100 apart: any sane k-means++ puts one seed in each. */
const GROUPS = 4;
const points = Float64Array.from({ length: 100 }, (_, i) => Math.floor(i / 25) * 100 + (i % 5) * 0.1);

function lineSpace(): InitSpace {
  return {
    n: points.length,
    distancesTo: (row, out) => {
      for (let i = 0; i < points.length; i++) out[i] = (points[i] - points[row]) ** 2;
    },
    labelsFromSeeds: (seeds, k) =>
      Int32Array.from(points, (x) => {
        let best = 0;
        for (let j = 1; j < k; j++) if (Math.abs(x - points[seeds[j]]) < Math.abs(x - points[seeds[best]])) best = j;
        return best;
      }),
  };
}

describe('shared initialisation (em/init.ts)', () => {
  it('k-means++ puts one seed in each of four far-apart groups, for every seed', () => {
    for (let seed = 0; seed < 20; seed++) {
      const seeds = kmeansPlusPlus(points.length, GROUPS, new Rng(seed), lineSpace().distancesTo);
      assert.deepEqual([...seeds].map((r) => Math.floor(r / 25)).sort(), [0, 1, 2, 3], `seed ${seed}`);
    }
  });

  it('the Euclidean and Hamming k-means++ are the shared one with their distance (same seeds from the same Rng)', () => {
    const values = Float64Array.from(points);
    assert.deepEqual(kmeansPlusPlusIndices(values, 100, 1, 4, new Rng(9)), kmeansPlusPlus(100, 4, new Rng(9), lineSpace().distancesTo));
    // 0/1 rows: squared Euclidean distance = Hamming distance.
    const rows = Array.from({ length: 60 }, (_, i) => Array.from({ length: 12 }, (_, j) => Number((i * 7 + j * 3) % 5 < 2)));
    const flat = Float64Array.from(rows.flat());
    assert.deepEqual(kmeansPlusPlusBinary(binaryFromRows(rows), 5, new Rng(4)), kmeansPlusPlusIndices(flat, 60, 12, 5, new Rng(4)));
  });

  it('kmeans++ yields hard responsibilities from the family\'s labelsFromSeeds: one group per component', () => {
    const start = startingPoint('kmeans++', lineSpace(), GROUPS, new Rng(1));
    assert.equal(start.kind, 'responsibilities');
    if (start.kind !== 'responsibilities') return;
    for (let g = 0; g < GROUPS; g++) {
      const components = new Set<number>();
      for (let i = g * 25; i < (g + 1) * 25; i++) components.add(start.resp.subarray(i * GROUPS, (i + 1) * GROUPS).indexOf(1));
      assert.equal(components.size, 1, `group ${g}`);
    }
  });

  it('random: each row a distribution over K; random-assignment: one-hot rows using every component', () => {
    const resp = randomResponsibilities(50, 3, new Rng(2));
    for (let i = 0; i < 50; i++) {
      const row = resp.subarray(i * 3, i * 3 + 3);
      assert.ok(Math.abs(row[0] + row[1] + row[2] - 1) < 1e-15 && row.every((r) => r > 0 && r < 1));
    }
    const start = startingPoint('random-assignment', lineSpace(), 3, new Rng(2));
    assert.equal(start.kind, 'responsibilities');
    if (start.kind !== 'responsibilities') return;
    const used = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const row: number[] = Array.from(start.resp.subarray(i * 3, i * 3 + 3));
      assert.deepEqual([...row].sort(), [0, 0, 1]);
      used.add(row.indexOf(1));
    }
    assert.equal(used.size, 3);
  });

  it('random-data: K distinct rows; with sameRow, rows of different values first, repeats only when there are too few', () => {
    for (const n of [10, 1000]) {
      const rows = sampleWithoutReplacement(n, 7, new Rng(3));
      assert.equal(new Set(rows).size, 7);
      assert.ok(rows.every((r) => r >= 0 && r < n));
    }
    // 30 rows holding only 3 distinct values.
    const value = (i: number) => i % 3;
    const three = distinctRows(30, 3, new Rng(5), (a, b) => value(a) === value(b));
    assert.deepEqual([...three].map(value).sort(), [0, 1, 2]);
    const five = distinctRows(30, 5, new Rng(5), (a, b) => value(a) === value(b));
    assert.equal(new Set(five).size, 5);
    assert.deepEqual([...new Set([...five].map(value))].sort(), [0, 1, 2]);
    const start = startingPoint('random-data', { ...lineSpace(), sameRow: (a, b) => points[a] === points[b] }, 4, new Rng(8));
    assert.equal(start.kind, 'rows');
  });

  it('params is explicit, and an unknown method is refused by name', () => {
    assert.deepEqual(startingPoint('params', lineSpace(), 2, new Rng(0)), { kind: 'explicit' });
    assert.throws(() => startingPoint('bogus' as never, lineSpace(), 2, new Rng(0)), /init must be one of kmeans\+\+, random, random-data, random-assignment, params, got bogus/);
  });
});
