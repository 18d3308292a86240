// The fast paths of the Gaussian engine against plain textbook formulas: the unrolled D ≤ 2 kernels, the
// register-blocked JavaScript kernels and the WebAssembly SIMD kernels (D ≥ 3), and the fused normalise-and-exp.
import { strict as assert } from 'node:assert';
import { runEm } from '../../../src/engine/em/em';
import { GaussianFamily, expandCovariances, type GaussianParams } from '../../../src/engine/families/gaussian/family';
import { GaussianSimd } from '../../../src/engine/families/gaussian/simd';
import { choleskyInPlace, logDetFromCholesky, solveLowerInPlace } from '../../../src/engine/families/gaussian/linalg';
import { expNonPositive, normalizeLogRows, normalizeLogRowsAndExp } from '../../../src/engine/em/logsumexp';
import { Rng } from '../../../src/engine/em/rng';
import type { SklearnCovarianceType } from '../../../src/shared/protocol';

const TYPES: SklearnCovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

/** n rows of D correlated, shifted features (never a multiple of the kernels' block sizes when n is odd). */
function data(n: number, d: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const cluster = i % 3;
    let previous = 0;
    for (let c = 0; c < d; c++) {
      const v = 0.6 * previous + rng.normal() + 3 * cluster * (c % 2 === 0 ? 1 : -1) + 10;
      x[i * d + c] = v;
      previous = v - 10;
    }
  }
  return x;
}

function randomResp(n: number, k: number, seed: number, zeroEvery = 0): Float64Array {
  const rng = new Rng(seed);
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += resp[i * k + j] = rng.next() + 0.01;
    for (let j = 0; j < k; j++) resp[i * k + j] /= s;
    if (zeroEvery > 0 && i % zeroEvery === 0 && k > 1) {
      resp[i * k] = 0;
      resp[i * k + 1] = 0;
    }
  }
  return resp;
}

/** ln π_j + ln N(x_i | μ_j, Σ_j) by the textbook route: Cholesky of Σ_j, one triangular solve per point. */
function referenceLogProb(x: Float64Array, n: number, d: number, p: GaussianParams, k: number): Float64Array {
  const cov = expandCovariances(p.covarianceType, p.covariances, k, d);
  const out = new Float64Array(n * k);
  const l = new Float64Array(d * d);
  const z = new Float64Array(d);
  for (let j = 0; j < k; j++) {
    for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) l[r * d + c] = cov[j][r][c];
    assert.ok(choleskyInPlace(l, d));
    const logDet = logDetFromCholesky(l, d);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < d; c++) z[c] = x[i * d + c] - p.means[j * d + c];
      solveLowerInPlace(l, d, z);
      let maha = 0;
      for (let c = 0; c < d; c++) maha += z[c] * z[c];
      out[i * k + j] = Math.log(p.weights[j]) - 0.5 * (d * Math.log(2 * Math.PI) + logDet + maha);
    }
  }
  return out;
}

/** The M-step by its definition (means, centred weighted scatter), in the compact shape of the type. */
function referenceCovariances(x: Float64Array, n: number, d: number, resp: Float64Array, k: number, type: SklearnCovarianceType, reg: number) {
  const nk = new Array<number>(k).fill(0);
  const means = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      nk[j] += resp[i * k + j];
      for (let c = 0; c < d; c++) means[j * d + c] += resp[i * k + j] * x[i * d + c];
    }
  }
  for (let j = 0; j < k; j++) for (let c = 0; c < d; c++) means[j * d + c] /= nk[j];
  const scatter = new Float64Array(k * d * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      for (let a = 0; a < d; a++) {
        for (let b = 0; b < d; b++) {
          scatter[(j * d + a) * d + b] += resp[i * k + j] * (x[i * d + a] - means[j * d + a]) * (x[i * d + b] - means[j * d + b]);
        }
      }
    }
  }
  const total = nk.reduce((s, v) => s + v, 0);
  switch (type) {
    case 'full':
      return scatter.map((v, idx) => {
        const j = Math.floor(idx / (d * d));
        const a = Math.floor((idx % (d * d)) / d);
        return v / nk[j] + (a === idx % d ? reg : 0);
      });
    case 'tied': {
      const out = new Float64Array(d * d);
      for (let j = 0; j < k; j++) for (let e = 0; e < d * d; e++) out[e] += scatter[j * d * d + e];
      return out.map((v, e) => v / total + (Math.floor(e / d) === e % d ? reg : 0));
    }
    case 'diag': {
      const out = new Float64Array(k * d);
      for (let j = 0; j < k; j++) for (let c = 0; c < d; c++) out[j * d + c] = scatter[(j * d + c) * d + c] / nk[j] + reg;
      return out;
    }
    case 'spherical': {
      const out = new Float64Array(k);
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += scatter[(j * d + c) * d + c] / nk[j] + reg;
        out[j] = s / d;
      }
      return out;
    }
  }
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relTol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    assert.ok(err <= relTol * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (|Δ| ${err.toExponential(2)}, scale ${scale})`);
  }
}

describe('Gaussian kernels (fast paths against the textbook formulas)', () => {
  it('WebAssembly SIMD kernels are available in this Node', () => {
    assert.ok(GaussianSimd.create(5, 3), 'the SIMD module did not validate or instantiate');
  });

  for (const d of [1, 2, 3, 5, 8]) {
    for (const type of TYPES) {
      for (const simd of d >= 3 && (type === 'full' || type === 'tied') ? [true, false] : [true]) {
        it(`D = ${d}, ${type}${d >= 3 && (type === 'full' || type === 'tied') ? (simd ? ', SIMD' : ', JavaScript') : ''}: E-step and M-step`, () => {
          const n = 203;
          const k = 3;
          const x = data(n, d, 10 * d + TYPES.indexOf(type));
          const family = new GaussianFamily(x, n, d, { covarianceType: type, regularization: 1e-6, init: 'kmeans++', simd });
          const resp = randomResp(n, k, d, 7);
          const params = family.mStep(resp, k, family.initialize(k, new Rng(3)));
          assertClose(params.covariances, referenceCovariances(x, n, d, resp, k, type, 1e-6), 1e-12, 'covariances');
          const out = new Float64Array(n * k);
          family.weightedLogProb(params, k, out);
          assertClose(out, referenceLogProb(x, n, d, params, k), 1e-12, 'log-probabilities');
        });
      }
    }
  }

  it('SIMD and JavaScript kernels give the same EM trace (D = 6, full and tied)', () => {
    const n = 301;
    const d = 6;
    const x = data(n, d, 99);
    for (const type of ['full', 'tied'] as const) {
      const settings = { k: 3, maxIterations: 15, tolerance: 0, variant: 'soft' as const, restarts: 1, seed: 4, keepSnapshots: false };
      const fit = (simd: boolean) =>
        runEm(new GaussianFamily(x, n, d, { covarianceType: type, regularization: 1e-6, init: 'kmeans++', simd }), settings);
      const a = fit(true);
      const b = fit(false);
      assert.equal(a.iterations, b.iterations);
      assertClose(a.trace, b.trace, 1e-12, `${type} trace`);
      assertClose(a.params.covariances, b.params.covariances, 1e-10, `${type} covariances`);
    }
  });

  it('expNonPositive is within 2 ulps of Math.exp on (−708, 0], underflows like it, and passes −∞ and NaN', () => {
    const rng = new Rng(5);
    let worst = 0;
    for (let t = 0; t < 200_000; t++) {
      const x = t % 4 === 0 ? -708 * rng.next() : -40 * rng.next() * rng.next();
      const e = Math.exp(x);
      worst = Math.max(worst, Math.abs(expNonPositive(x) - e) / e);
    }
    assert.ok(worst <= 2 * Number.EPSILON, `worst relative difference ${worst}`);
    for (const x of [0, -0, -1e-300, -Math.LN2, -1, -0.5 * Math.LN2 / 64]) assert.ok(Math.abs(expNonPositive(x) - Math.exp(x)) <= Number.EPSILON * Math.exp(x), `x = ${x}`);
    for (const x of [-720, -740, -745]) assert.ok(Math.abs(expNonPositive(x) - Math.exp(x)) <= 1e-3 * Math.exp(x) + 2 ** -1070, `x = ${x}`);
    assert.equal(expNonPositive(-746), 0);
    assert.equal(expNonPositive(-Infinity), 0);
    assert.ok(Number.isNaN(expNonPositive(NaN)));
    assert.equal(expNonPositive(1), Math.exp(1));
  });

  it('normalizeLogRowsAndExp = normalizeLogRows then exp, including rows with −∞ entries', () => {
    const n = 50;
    const k = 4;
    const rng = new Rng(8);
    const logProb = new Float64Array(n * k);
    for (let i = 0; i < n * k; i++) logProb[i] = -1000 * rng.next() - 300;
    logProb[5] = -Infinity;
    const expected = logProb.slice();
    const rowNorm = new Float64Array(n);
    const totalExpected = normalizeLogRows(expected, n, k, rowNorm);
    const resp = new Float64Array(n * k);
    const total = normalizeLogRowsAndExp(logProb, n, k, resp);
    assert.ok(Math.abs(total - totalExpected) <= 1e-15 * Math.abs(totalExpected));
    assert.deepEqual(Array.from(logProb), Array.from(expected));
    // exp(ℓ) of a log-responsibility ℓ = x − lse carries the rounding of that subtraction (≈ (|ℓ| + |lse|)·ε
    // relative); the fused form divides by Σ exp(x − max) instead and is at least as accurate.
    for (let i = 0; i < n * k; i++) {
      const e = Math.exp(expected[i]);
      if (e === 0) assert.equal(resp[i], 0);
      else assert.ok(Math.abs(resp[i] - e) <= 4 * Number.EPSILON * (1 + Math.abs(expected[i]) + Math.abs(rowNorm[Math.floor(i / k)])) * e, `resp[${i}] ${resp[i]} vs ${e}`);
    }
    assert.equal(resp[5], 0);
    // A row with no finite value: same (non-finite) total as normalizeLogRows, which the EM loop reports.
    const deadTotal = normalizeLogRows(new Float64Array([-Infinity, -Infinity]), 1, 2);
    assert.equal(deadTotal, -Infinity);
    assert.equal(normalizeLogRowsAndExp(new Float64Array([-Infinity, -Infinity]), 1, 2, new Float64Array(2)), deadTotal);
  });
});
