// The small dense kernels behind the mclust M-steps: the Jacobi eigen-decomposition reconstructs its matrix with
// orthonormal axes in decreasing order, and the polar factor meets the definition of the polar decomposition
// (F = P H with P orthogonal and H = Pᵀ F symmetric positive semi-definite), including LAPACK's answer for F = 0
// and a rank-deficient F.

import * as assert from 'node:assert/strict';
import { orthogonalPolarFactor, symmetricEigen } from '../../../src/engine/families/gaussian/mclust/eigen';
import { Rng } from '../../../src/engine/em/rng';

function randomMatrix(rng: Rng, d: number): Float64Array {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d * d; i++) m[i] = rng.next() * 2 - 1;
  return m;
}

function multiply(a: Float64Array, b: Float64Array, d: number, transposeA = false): Float64Array {
  const out = new Float64Array(d * d);
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) {
    let s = 0;
    for (let p = 0; p < d; p++) s += (transposeA ? a[p * d + r] : a[r * d + p]) * b[p * d + c];
    out[r * d + c] = s;
  }
  return out;
}

function assertOrthogonal(q: Float64Array, d: number, where: string): void {
  const qtq = multiply(q, q, d, true);
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) assert.ok(Math.abs(qtq[r * d + c] - (r === c ? 1 : 0)) < 1e-13, `${where}: QᵀQ[${r}][${c}] = ${qtq[r * d + c]}`);
}

describe('mclust eigen kernels', () => {
  it('symmetricEigen: A = Vᵀ diag(λ) V, V orthogonal, λ decreasing (d = 1…8, random symmetric matrices)', () => {
    const rng = new Rng(7);
    for (let d = 1; d <= 8; d++) {
      const b = randomMatrix(rng, d);
      const a = multiply(b, b, d, true); // BᵀB: symmetric positive semi-definite
      for (let i = 0; i < d; i++) a[i * d + i] -= 0.5; // and some negative eigenvalues
      const values = new Float64Array(d);
      const vectors = new Float64Array(d * d);
      symmetricEigen(a, d, values, vectors, new Float64Array(d * d));
      assertOrthogonal(vectors, d, `d=${d}`);
      for (let i = 1; i < d; i++) assert.ok(values[i] <= values[i - 1]);
      for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += values[j] * vectors[j * d + r] * vectors[j * d + c];
        assert.ok(Math.abs(s - a[r * d + c]) < 1e-12, `d=${d}: reconstruction [${r}][${c}] ${s} vs ${a[r * d + c]}`);
      }
    }
  });

  it('symmetricEigen of a diagonal matrix returns its diagonal, sorted, with the coordinate axes', () => {
    const a = Float64Array.from([2, 0, 0, 0, 5, 0, 0, 0, 3]);
    const values = new Float64Array(3);
    const vectors = new Float64Array(9);
    symmetricEigen(a, 3, values, vectors, new Float64Array(9));
    assert.deepEqual(Array.from(values), [5, 3, 2]);
    assert.deepEqual(Array.from(vectors).map(Math.abs), [0, 1, 0, 0, 0, 1, 1, 0, 0]);
  });

  it('orthogonalPolarFactor: P orthogonal and Pᵀ F symmetric positive definite (d = 1…8, random F)', () => {
    const rng = new Rng(11);
    for (let d = 1; d <= 8; d++) {
      const f = randomMatrix(rng, d);
      const p = new Float64Array(d * d);
      assert.ok(orthogonalPolarFactor(f, d, p, new Float64Array(d * d), new Float64Array(d * d)));
      assertOrthogonal(p, d, `d=${d}`);
      const h = multiply(p, f, d, true);
      for (let r = 0; r < d; r++) for (let c = 0; c < r; c++) assert.ok(Math.abs(h[r * d + c] - h[c * d + r]) < 1e-12, `d=${d}: H not symmetric`);
      const values = new Float64Array(d);
      symmetricEigen(h, d, values, new Float64Array(d * d), new Float64Array(d * d));
      assert.ok(values[d - 1] > 0, `d=${d}: H has eigenvalue ${values[d - 1]}`);
    }
  });

  it('orthogonalPolarFactor of the zero matrix is I (as LAPACK’s SVD gives), of a rank-deficient F still orthogonal with Pᵀ F ⪰ 0', () => {
    const p = new Float64Array(9);
    assert.ok(orthogonalPolarFactor(new Float64Array(9), 3, p, new Float64Array(9), new Float64Array(9)));
    assert.deepEqual(Array.from(p), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    // Second column zero, as in EVE's orientation step when every component's smallest shape is on the same axis.
    const f = Float64Array.from([3, 0, 1, 1, 0, 2, -2, 0, 1]);
    assert.equal(orthogonalPolarFactor(f, 3, p, new Float64Array(9), new Float64Array(9)), false);
    assertOrthogonal(p, 3, 'rank 2');
    const h = multiply(p, f, 3, true);
    for (let r = 0; r < 3; r++) for (let c = 0; c < r; c++) assert.ok(Math.abs(h[r * 3 + c] - h[c * 3 + r]) < 1e-12);
    const values = new Float64Array(3);
    symmetricEigen(h, 3, values, new Float64Array(9), new Float64Array(9));
    assert.ok(values[2] > -1e-12);
  });
});
