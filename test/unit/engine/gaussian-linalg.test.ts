// The small dense linear algebra and the k-means initialiser behind the Gaussian family.

import * as assert from 'node:assert/strict';
import { kmeans, kmeansPlusPlusIndices } from '../../../src/engine/em/kmeans';
import {
  choleskyInPlace,
  isSymmetric,
  logDetFromCholesky,
  precisionCholeskyFromCovarianceCholesky,
  solveLowerInPlace,
  solveLowerTransposeInPlace,
} from '../../../src/engine/families/gaussian/linalg';
import { Rng } from '../../../src/engine/em/rng';
import { sampleMixture } from '../../fixtures/gaussian/helpers';

/** A random symmetric positive definite D × D matrix B Bᵀ + D·I. */
function randomSpd(rng: Rng, d: number): Float64Array {
  const b = Array.from({ length: d * d }, () => rng.normal());
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = i === j ? d : 0;
      for (let p = 0; p < d; p++) s += b[i * d + p] * b[j * d + p];
      a[i * d + j] = s;
    }
  }
  return a;
}

function matVec(a: Float64Array, d: number, x: Float64Array): Float64Array {
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) y[i] += a[i * d + j] * x[j];
  return y;
}

describe('linalg', () => {
  it('Cholesky reproduces A = L Lᵀ with L lower triangular (D = 1..8)', () => {
    const rng = new Rng(1);
    for (let d = 1; d <= 8; d++) {
      const a = randomSpd(rng, d);
      const l = Float64Array.from(a);
      assert.ok(choleskyInPlace(l, d));
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          if (j > i) assert.equal(l[i * d + j], 0);
          let s = 0;
          for (let p = 0; p < d; p++) s += l[i * d + p] * l[j * d + p];
          assert.ok(Math.abs(s - a[i * d + j]) < 1e-12 * Math.abs(a[i * d + i]), `d = ${d} (${i}, ${j})`);
        }
      }
    }
  });

  it('works at an offset inside a larger buffer and leaves the rest alone', () => {
    const buf = Float64Array.from([9, 9, 4, 2, 2, 3, 9]);
    assert.ok(choleskyInPlace(buf, 2, 2));
    assert.deepEqual(Array.from(buf), [9, 9, 2, 0, 1, Math.sqrt(2), 9]);
  });

  it('returns false for matrices that are not positive definite', () => {
    assert.equal(choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2), false); // indefinite
    assert.equal(choleskyInPlace(Float64Array.from([1, 1, 1, 1]), 2), false); // singular
    assert.equal(choleskyInPlace(Float64Array.from([0]), 1), false);
    assert.equal(choleskyInPlace(Float64Array.from([NaN]), 1), false);
    assert.equal(choleskyInPlace(Float64Array.from([-1, 0, 0, 1]), 2), false);
  });

  it('triangular solves invert L and Lᵀ; log-determinant and precision Cholesky agree with A', () => {
    const rng = new Rng(2);
    const d = 5;
    const a = randomSpd(rng, d);
    const l = Float64Array.from(a);
    choleskyInPlace(l, d);
    const b = Float64Array.from({ length: d }, () => rng.normal());
    // A x = b through L y = b, Lᵀ x = y.
    const x = Float64Array.from(b);
    solveLowerInPlace(l, d, x);
    solveLowerTransposeInPlace(l, d, x);
    const back = matVec(a, d, x);
    for (let i = 0; i < d; i++) assert.ok(Math.abs(back[i] - b[i]) < 1e-10);
    // ln det A by cofactor-free check: det of a 2 × 2 and of a diagonal matrix.
    const two = Float64Array.from([4, 2, 2, 3]);
    choleskyInPlace(two, 2);
    assert.ok(Math.abs(logDetFromCholesky(two, 2) - Math.log(8)) < 1e-14);
    // U = L⁻ᵀ is upper triangular and U Uᵀ = A⁻¹, i.e. A U Uᵀ = I.
    const u = new Float64Array(d * d);
    precisionCholeskyFromCovarianceCholesky(l, d, u);
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) assert.equal(u[i * d + j], 0);
    const uut = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let p = 0; p < d; p++) uut[i * d + j] += u[i * d + p] * u[j * d + p];
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let p = 0; p < d; p++) s += a[i * d + p] * uut[p * d + j];
        assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-10, `(A U Uᵀ)[${i}][${j}] = ${s}`);
      }
    }
    // Σ ln U_ii = −½ ln det A.
    let s = 0;
    for (let i = 0; i < d; i++) s += Math.log(u[i * d + i]);
    assert.ok(Math.abs(s + 0.5 * logDetFromCholesky(l, d)) < 1e-12);
  });

  it('isSymmetric', () => {
    assert.ok(isSymmetric([1, 2, 2, 1], 2));
    assert.ok(!isSymmetric([1, 2, 2.1, 1], 2));
  });
});

describe('k-means', () => {
  const means = [
    [0, 0],
    [8, 0],
    [0, 8],
    [8, 8],
  ];
  const eye = [
    [1, 0],
    [0, 1],
  ];
  const { values, labels } = sampleMixture(new Rng(5), 800, [0.25, 0.25, 0.25, 0.25], means, [eye, eye, eye, eye]);

  it('finds 4 well-separated clusters (each cluster is one true component)', () => {
    const r = kmeans(values, 800, 2, 4, new Rng(3));
    assert.ok(r.converged);
    for (let j = 0; j < 4; j++) {
      const members = Array.from(labels).filter((_, i) => r.labels[i] === j);
      const majority = Math.max(...[0, 1, 2, 3].map((t) => members.filter((m) => m === t).length));
      assert.ok(majority / members.length > 0.98, `cluster ${j} purity ${majority / members.length}`);
      const c = [r.centers[j * 2], r.centers[j * 2 + 1]];
      assert.ok(means.some((m) => Math.hypot(m[0] - c[0], m[1] - c[1]) < 0.2), `centre ${c}`);
    }
  });

  it('is deterministic for an Rng state and seeds on distinct rows while they exist', () => {
    const a = kmeans(values, 800, 2, 4, new Rng(8));
    const b = kmeans(values, 800, 2, 4, new Rng(8));
    assert.deepEqual(Array.from(a.labels), Array.from(b.labels));
    assert.deepEqual(Array.from(a.centers), Array.from(b.centers));
    const idx = kmeansPlusPlusIndices(values, 800, 2, 10, new Rng(1));
    assert.equal(new Set(idx).size, 10);
  });

  it('handles fewer distinct rows than K (no NaN centres, every label valid)', () => {
    const dup = Float64Array.from([1, 1, 1, 1, 1, 1, 2, 2, 2, 2]);
    const r = kmeans(dup, 5, 2, 4, new Rng(0));
    assert.ok(Array.from(r.centers).every(Number.isFinite));
    assert.ok(Array.from(r.labels).every((l) => l >= 0 && l < 4));
    assert.equal(r.inertia, 0);
  });
});
