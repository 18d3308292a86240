// mclust's hierarchical clustering as Mclust() starts EM — hc(X, modelName = "VVV", use = "SVD") then
// hclass(tree, K) — against R's mclust 6.0: the merge pairs must be R's, every one in order, and the partitions
// R's with R's own labels (label + 1). Reference values: test/reference/make_mclust_hc_reference.R →
// mclust_hc_{faithful,iris,diabetes}.json, and make_mclust_hc_edge_reference.R → mclust_hc_edge.json (duplicated
// rows, whose exactly tied criteria follow mclust's tie-breaking, and hclass for every K up to n).

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { hclass, hcPartitions, hcSvdTransform, hcVVV } from '../../../src/engine/families/gaussian/mclust/hc';

interface HcReference {
  dataset: string;
  n: number;
  d: number;
  modelName: string;
  use: string;
  data: number[][];
  merges: number[][];
  /** classification[q] = hclass(tree, K)[, K] for the q-th K listed (1..9, or 1..n for the edge case). */
  classification: number[][];
}

function load(name: string): HcReference {
  return JSON.parse(readFileSync(path.resolve(__dirname, `../../reference/mclust_hc_${name}.json`), 'utf8')) as HcReference;
}

const flat = (rows: number[][]) => Float64Array.from(rows.flat());
const pairs = (merges: Int32Array) => Array.from({ length: merges.length / 2 }, (_, t) => [merges[2 * t], merges[2 * t + 1]]);
/** 0-based labels as R's 1-based ones. */
const asR = (partition: Int32Array) => Array.from(partition, (l) => l + 1);
const oneToNine = [1, 2, 3, 4, 5, 6, 7, 8, 9];

function tree(ref: HcReference): Int32Array {
  const { z, p } = hcSvdTransform(flat(ref.data), ref.n, ref.d);
  return hcVVV(z, ref.n, p);
}

describe('mclust hc (VVV, use = "SVD") against R mclust 6.0', () => {
  for (const name of ['faithful', 'iris', 'diabetes']) {
    describe(name, () => {
      const ref = load(name);

      it("reference is mclust's default for Mclust (VVV, SVD)", () => {
        assert.equal(ref.modelName, 'VVV');
        assert.equal(ref.use, 'SVD');
        assert.equal(ref.merges.length, ref.n - 1);
      });

      it('every merge pair equals R', () => {
        assert.deepEqual(pairs(tree(ref)), ref.merges);
      });

      it('hclass(tree, 1:9) equals R, labels included', () => {
        const parts = hclass(tree(ref), ref.n, oneToNine);
        parts.forEach((part, q) => assert.deepEqual(asR(part), ref.classification[q], `K = ${q + 1}`));
      });

      it('hcPartitions (transform, tree, hclass) equals R for K in any order', () => {
        const ks = [9, 2, 5, 1];
        const parts = hcPartitions(flat(ref.data), ref.n, ref.d, ks);
        ks.forEach((k, q) => assert.deepEqual(asR(parts[q]), ref.classification[k - 1], `K = ${k}`));
      });
    });
  }

  describe('duplicated rows (tied criteria)', () => {
    const ref = load('edge');
    it('every merge pair equals R', () => {
      assert.deepEqual(pairs(tree(ref)), ref.merges);
    });
    it('hclass for every K from 1 to n equals R', () => {
      const ks = Array.from({ length: ref.n }, (_, q) => q + 1);
      const parts = hclass(tree(ref), ref.n, ks);
      parts.forEach((part, q) => assert.deepEqual(asR(part), ref.classification[q], `K = ${q + 1}`));
    });
    it('K = n is every row on its own, labelled in row order', () => {
      const [part] = hcPartitions(flat(ref.data), ref.n, ref.d, [ref.n]);
      assert.deepEqual(Array.from(part), Array.from({ length: ref.n }, (_, i) => i));
    });
  });
});

describe('mclust hc: options and edge cases', () => {
  const faithful = load('faithful');
  const x = flat(faithful.data);
  const { n, d } = faithful;

  it('minclus stops the same tree early', () => {
    const { z, p } = hcSvdTransform(x, n, d);
    const full = hcVVV(z, n, p);
    const partial = hcVVV(z, n, p, { minclus: 5 });
    assert.equal(partial.length, 2 * (n - 5));
    assert.deepEqual(Array.from(partial), Array.from(full.subarray(0, 2 * (n - 5))));
    // K = 5..9 come from the partial tree as from the full one; fewer clusters need merges it does not have.
    const ks = [5, 6, 7, 8, 9];
    assert.deepEqual(hclass(partial, n, ks).map(asR), ks.map((k) => faithful.classification[k - 1]));
    assert.throws(() => hclass(partial, n, [4]), RangeError);
  });

  it('n = 1: no merges, one partition [0]; K = 2 is a RangeError', () => {
    assert.equal(hcVVV(Float64Array.of(3, 4), 1, 2).length, 0);
    assert.deepEqual(hcPartitions(Float64Array.of(3, 4), 1, 2, [1]).map((p) => Array.from(p)), [[0]]);
    assert.throws(() => hcPartitions(Float64Array.of(3, 4), 1, 2, [2]), RangeError);
  });

  it('n = 2: the one tree', () => {
    const parts = hcPartitions(Float64Array.of(0, 0, 1, 2), 2, 2, [1, 2]);
    assert.deepEqual(parts.map((p) => Array.from(p)), [[0, 0], [0, 1]]);
  });

  it('K > n, K < 1 and fractional K are RangeErrors', () => {
    const merges = hcVVV(hcSvdTransform(x, n, d).z, n, d);
    assert.throws(() => hclass(merges, n, [n + 1]), /K = 273 is not in 1\.\.272/);
    assert.throws(() => hclass(merges, n, [0]), RangeError);
    assert.throws(() => hclass(merges, n, [2.5]), RangeError);
    assert.throws(() => hcPartitions(x, n, d, [3, n + 1]), RangeError);
  });

  it('non-finite data are a RangeError', () => {
    const bad = Float64Array.from(x);
    bad[7] = Number.NaN;
    assert.throws(() => hcPartitions(bad, n, d, [2]), RangeError);
    assert.throws(() => hcVVV(bad, n, d), RangeError);
  });

  it('a constant column is dropped, as mclust drops the columns that do not scale', () => {
    const withConstant = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) {
      withConstant[i * 3] = x[i * 2];
      withConstant[i * 3 + 1] = 7.25;
      withConstant[i * 3 + 2] = x[i * 2 + 1];
    }
    const t = hcSvdTransform(withConstant, n, 3);
    assert.deepEqual(t.columns, [0, 2]);
    assert.equal(t.p, 2);
    const parts = hcPartitions(withConstant, n, 3, oneToNine);
    parts.forEach((part, q) => assert.deepEqual(asR(part), faithful.classification[q], `K = ${q + 1}`));
  });

  it('the SVD transform whitens the scaled data: centred columns with ZᵀZ = diag(singular values)', () => {
    const iris = load('iris');
    const { z, p } = hcSvdTransform(flat(iris.data), iris.n, iris.d);
    assert.equal(p, 4);
    const gram = new Float64Array(p * p);
    const mean = new Float64Array(p);
    for (let i = 0; i < iris.n; i++) {
      for (let a = 0; a < p; a++) {
        mean[a] += z[i * p + a] / iris.n;
        for (let b = 0; b < p; b++) gram[a * p + b] += z[i * p + a] * z[i * p + b];
      }
    }
    for (let a = 0; a < p; a++) assert.ok(Math.abs(mean[a]) < 1e-12, `column ${a} mean ${mean[a]}`);
    // The singular values of scale(iris[, 1:4]), from R: svd(scale(iris[, 1:4]))$d.
    const singular = [20.853205381, 11.670070276, 4.676192304, 1.756846786];
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) {
        const want = a === b ? singular[a] : 0;
        assert.ok(Math.abs(gram[a * p + b] - want) < 1e-8, `ZᵀZ[${a}, ${b}] = ${gram[a * p + b]}, want ${want}`);
      }
    }
  });
});
