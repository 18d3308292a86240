// Degenerate data (collapsing and empty components) and validation of explicit starting parameters.

import * as assert from 'node:assert/strict';
import { runEm, type EmSettings } from '../../../src/engine/em/em';
import { FitError, OptionsError } from '../../../src/engine/errors';
import { GaussianFamily, type GaussianFamilyOptions } from '../../../src/engine/families/gaussian/family';
import { Rng } from '../../../src/engine/em/rng';
import type { CovarianceType, InitMethod, InitParams } from '../../../src/shared/protocol';

const TYPES: CovarianceType[] = ['full', 'diag', 'spherical', 'tied'];

function settings(overrides: Partial<EmSettings> = {}): EmSettings {
  return { k: 2, maxIterations: 100, tolerance: 1e-3, variant: 'soft', restarts: 1, seed: 0, keepSnapshots: true, ...overrides };
}

function family(values: Float64Array, n: number, d: number, options: Partial<GaussianFamilyOptions> = {}) {
  return new GaussianFamily(values, n, d, { covarianceType: 'full', regularization: 1e-6, init: 'kmeans++', ...options });
}

/** 5 distinct 2-D points, each repeated 8 times, optionally scaled. */
function duplicates(scale: number): Float64Array {
  const points = [[0, 0], [1, 2], [3, 1], [5, 5], [2, 8]];
  const rows: number[] = [];
  for (let r = 0; r < 8; r++) for (const p of points) rows.push(p[0] * scale, p[1] * scale);
  return Float64Array.from(rows);
}

function allFinite(...arrays: ArrayLike<number>[]): boolean {
  return arrays.every((a) => Array.from(a).every(Number.isFinite));
}

describe('Gaussian EM: collapsing and empty components never give NaN', () => {
  for (const covarianceType of TYPES) {
    it(`${covarianceType}: K = 12 on 5 distinct points (40 rows): finite parameters or a FitError naming the component`, () => {
      let finished = 0;
      let refused = 0;
      for (const scale of [1, 1e8]) {
        for (const regularization of [1e-6, 0]) {
          for (const init of ['kmeans++', 'random', 'random-data'] as InitMethod[]) {
            if (init === 'random-data' && regularization === 0) continue; // refused up front, tested below
            for (const variant of ['soft', 'hard'] as const) {
              try {
                const run = runEm(family(duplicates(scale), 40, 2, { covarianceType, regularization, init }), settings({ k: 12, seed: 1, variant }));
                assert.ok(allFinite(run.trace, run.params.weights, run.params.means, run.params.covariances, run.logResp), 'non-finite output');
                for (const s of run.snapshots) {
                  if (s.model !== 'gaussian') throw new Error('not a Gaussian snapshot');
                  assert.ok(allFinite(s.weights, s.means.flat(), s.covariances.flat(2)));
                }
                finished++;
              } catch (e) {
                if (!(e instanceof FitError)) throw e;
                if (covarianceType === 'tied') assert.match(e.message, /shared \(tied\) covariance/);
                else assert.match(e.message, /component \d+ of 12/);
                assert.match(e.message, /regularisation/);
                assert.doesNotMatch(e.message, /NaN/);
                refused++;
              }
            }
          }
        }
      }
      // Both outcomes occur: with regularisation 1e-6 the unscaled data fit; without it, single points collapse.
      assert.ok(finished > 0, 'no configuration finished');
      if (covarianceType !== 'tied') assert.ok(refused > 0, 'no configuration was refused');
    });
  }

  it('names the component and what to change when a component collapses onto one point', () => {
    // Two far groups plus one isolated point; started with a component on the lone point and no regularisation.
    const values = Float64Array.from([0, 0, 0.1, 0.2, -0.1, 0.1, 0.2, -0.2, 10, 10, 10.1, 9.9, 9.8, 10.2, 10.2, 10.1, 50, -50]);
    const initParams: InitParams = {
      weights: [0.45, 0.45, 0.1],
      means: [[0, 0], [10, 10], [50, -50]],
      covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]]],
    };
    assert.throws(
      () => runEm(family(values, 9, 2, { regularization: 0, init: 'params', initParams }), settings({ k: 3 })),
      (e: unknown) =>
        e instanceof FitError &&
        /component 3 of 3/.test(e.message) &&
        /fewer components/.test(e.message) &&
        /larger regularisation/.test(e.message) &&
        /standardising/.test(e.message) &&
        /covarianceType "diag"/.test(e.message),
    );
    // With sklearn's default regularisation the same start fits, with a tiny but finite covariance on the lone point.
    const run = runEm(family(values, 9, 2, { regularization: 1e-6, init: 'params', initParams }), settings({ k: 3 }));
    assert.ok(allFinite(run.trace, run.params.covariances));
    assert.ok(Math.abs(run.params.covariances[8] - 1e-6) < 1e-9, `lone point's variance ${run.params.covariances[8]}`);
  });

  it('an empty component (no responsibility anywhere) keeps finite parameters, as sklearn (nk += 10ε)', () => {
    const values = Float64Array.from([0, 1, 2, 3, 4, 5]);
    const fam = family(values, 6, 1, { covarianceType: 'diag' });
    const resp = new Float64Array(12);
    for (let i = 0; i < 6; i++) resp[i * 2] = 1; // component 2 gets nothing
    const p = fam.estimate(resp, 2);
    assert.ok(allFinite(p.weights, p.means, p.covariances, p.precisionsCholesky, p.logDetPrecisionCholesky));
    assert.ok(p.weights[1] > 0 && p.weights[1] < 1e-15);
    assert.equal(p.covariances[1], 1e-6);
    const out = new Float64Array(12);
    fam.weightedLogProb(p, 2, out);
    assert.ok(allFinite(out));
  });

  it('refuses random-data initialisation without regularisation (its covariances start at regularization × I)', () => {
    assert.throws(() => family(duplicates(1), 40, 2, { init: 'random-data', regularization: 0 }).initialize(2, new Rng(0)), /needs regularization > 0/);
  });

  it('random-data starts on K distinct rows even when rows repeat', () => {
    for (let seed = 0; seed < 20; seed++) {
      const p = family(duplicates(1), 40, 2, { init: 'random-data' }).initialize(5, new Rng(seed));
      // As sklearn: means = the rows / (1 + 10ε), covariances = 1e-6 · I, here with weights 1/K.
      const means = new Set([0, 1, 2, 3, 4].map((j) => `${p.means[j * 2].toFixed(9)},${p.means[j * 2 + 1].toFixed(9)}`));
      assert.equal(means.size, 5, `seed ${seed}: ${[...means]}`);
      for (const m of means) assert.ok(['0,0', '1,2', '3,1', '5,5', '2,8'].map((r) => r.split(',').map((v) => Number(v).toFixed(9)).join(',')).includes(m), m);
      assert.ok(Array.from(p.covariances).every((v, i) => Math.abs(v - (i % 4 === 0 || i % 4 === 3 ? 1e-6 : 0)) < 1e-20));
      assert.deepEqual(Array.from(p.weights), [0.2, 0.2, 0.2, 0.2, 0.2]);
    }
  });
});

describe('Gaussian family: options and initParams validation', () => {
  const values = Float64Array.from([0, 0, 1, 1, 2, 0, 5, 5, 6, 5, 5, 6]);
  const n = 6;
  const d = 2;
  const good: InitParams = { weights: [0.5, 0.5], means: [[0, 0], [5, 5]], covariances: [[[1, 0], [0, 1]], [[2, 0.5], [0.5, 1]]] };
  const init = (covarianceType: CovarianceType, initParams: InitParams, k = 2) =>
    family(values, n, d, { covarianceType, init: 'params', initParams }).initialize(k, new Rng(0));
  const rejects = (covarianceType: CovarianceType, initParams: InitParams, message: RegExp, k = 2) =>
    assert.throws(() => init(covarianceType, initParams, k), (e: unknown) => e instanceof OptionsError && message.test(e.message), `expected ${message}`);

  it('accepts good parameters and keeps them as given', () => {
    const p = init('full', good);
    assert.deepEqual(Array.from(p.means), [0, 0, 5, 5]);
    assert.deepEqual(Array.from(p.covariances), [1, 0, 0, 1, 2, 0.5, 0.5, 1]);
    assert.deepEqual(Array.from(p.weights), [0.5, 0.5]);
  });

  it('says which weight, mean or covariance is wrong', () => {
    rejects('full', { ...good, weights: [0.5, 0.3, 0.2] }, /initParams\.weights has 3 entries but K = 2/);
    rejects('full', { ...good, weights: [1, -1] }, /initParams\.weights\[1\] must be a positive number, got -1/);
    rejects('full', { ...good, means: [[0, 0]] }, /initParams\.means has 1 rows but K = 2/);
    rejects('full', { ...good, means: [[0, 0], [5]] }, /initParams\.means\[1\] must be a list of D = 2 numbers/);
    rejects('full', { ...good, means: [[0, 0], [5, 'x' as unknown as number]] }, /initParams\.means\[1\]\[1\] must be a finite number, got "x"/);
    rejects('full', { ...good, covariances: [[[1, 0], [0, 1]], [[1, 2], [2, 1]]] }, /initParams\.covariances\[1\] \(component 2\) is not symmetric positive definite/);
    rejects('full', { ...good, covariances: [[[1, 0], [0, 1]], [[1, 0.5], [0.4, 1]]] }, /initParams\.covariances\[1\] \(component 2\) is not symmetric positive definite \(it is not symmetric\)/);
    rejects('full', { ...good, covariances: [[[1, 0], [0, 1]]] }, /initParams\.covariances has 1 matrices but K = 2/);
    rejects('full', { ...good, covariances: [[1, 1], [1, 1]] }, /initParams\.covariances must be K × D × D \(2 × 2 × 2\) for covarianceType "full", got a list of 2 of lists/);
    rejects('full', { ...good, covariances: [[[1, 0], [0, 1]], [1, 0]] }, /initParams\.covariances\[1\]\[0\] must be a list of D = 2 numbers, got 1/);
    rejects('full', { ...good, covariances: [[[1, 0], [0, 1]], [[1, 0, 0], [0, 1, 0]]] }, /initParams\.covariances\[1\]\[0\] must be a list of D = 2 numbers/);
    rejects('diag', { ...good, covariances: [[1, 1], [1, -2]] }, /initParams\.covariances\[1\] \(component 2\) is not positive \(every variance must be > 0\)/);
    rejects('diag', { ...good, covariances: [[[1, 0], [0, 1]], [[2, 0.5], [0.5, 1]]] }, /initParams\.covariances\[1\]\[0\]\[1\] is 0\.5, but covarianceType "diag" needs diagonal matrices/);
    rejects('spherical', { ...good, covariances: [1, 0] }, /initParams\.covariances\[1\] \(component 2\) is not positive/);
    rejects('spherical', { ...good, covariances: [[1, 1], [2, 2]] }, /covarianceType "spherical"/);
    rejects('spherical', { ...good, covariances: [[[1, 0], [0, 1]], [[2, 0], [0, 3]]] }, /initParams\.covariances\[1\] has unequal diagonal entries/);
    rejects('tied', { ...good, covariances: [[1, 2], [2, 1]] }, /initParams\.covariances is not symmetric positive definite/);
    rejects('tied', good, /initParams\.covariances\[1\] differs from initParams\.covariances\[0\]/);
    rejects('tied', { ...good, covariances: 3 }, /initParams\.covariances must be D × D \(2 × 2\)/);
  });

  it('accepts each type’s own shape and K × D × D when consistent, with the same result', () => {
    const diagOwn = init('diag', { ...good, covariances: [[1, 2], [3, 4]] });
    const diagFull = init('diag', { ...good, covariances: [[[1, 0], [0, 2]], [[3, 0], [0, 4]]] });
    assert.deepEqual(Array.from(diagOwn.covariances), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(diagFull.covariances), [1, 2, 3, 4]);
    const sphOwn = init('spherical', { ...good, covariances: [2, 3] });
    const sphFull = init('spherical', { ...good, covariances: [[[2, 0], [0, 2]], [[3, 0], [0, 3]]] });
    assert.deepEqual(Array.from(sphOwn.covariances), [2, 3]);
    assert.deepEqual(Array.from(sphFull.covariances), [2, 3]);
    const m = [[2, 0.5], [0.5, 1]];
    const tiedOwn = init('tied', { ...good, covariances: m });
    const tiedFull = init('tied', { ...good, covariances: [m, m] });
    assert.deepEqual(Array.from(tiedOwn.covariances), [2, 0.5, 0.5, 1]);
    assert.deepEqual(Array.from(tiedFull.covariances), [2, 0.5, 0.5, 1]);
  });

  it('normalises positive weights and, without covariances, estimates them from the rows nearest each mean', () => {
    const p = init('full', { weights: [1, 3], means: [[1, 1 / 3], [16 / 3, 16 / 3]] });
    assert.deepEqual(Array.from(p.weights), [0.25, 0.75]);
    // Rows nearest (1, 1/3): (0,0), (1,1), (2,0): population covariance [[2/3, 0], [0, 2/9]] + 1e-6.
    assert.ok(Math.abs(p.covariances[0] - (2 / 3 + 1e-6)) < 1e-12 && Math.abs(p.covariances[1]) < 1e-12 && Math.abs(p.covariances[3] - (2 / 9 + 1e-6)) < 1e-12);
  });

  it('rejects bad options with OptionsError', () => {
    assert.throws(() => family(values, n, d, { covarianceType: 'banana' as CovarianceType }), /covarianceType must be one of full, diag, spherical, tied, got banana/);
    assert.throws(() => family(values, n, d, { regularization: -1 }), /regularization must be a finite number ≥ 0, got -1/);
    assert.throws(() => family(values, n, d, { init: 'params' }), /init is "params" but no initParams/);
    assert.throws(() => family(values, n, d).initialize(7, new Rng(0)), /K = 7 components but only 6 rows/);
    assert.throws(() => family(Float64Array.from([0, 1, NaN, 2]), 2, 2), /Row 2, column 1 of the data is NaN/);
  });

  it('parameterCount is sklearn’s _n_parameters', () => {
    const counts: Partial<Record<CovarianceType, number>> = { full: 3 * 6 + 3 * 3 + 2, diag: 3 * 3 + 3 * 3 + 2, spherical: 3 + 3 * 3 + 2, tied: 6 + 3 * 3 + 2 };
    for (const t of TYPES) assert.equal(new GaussianFamily(new Float64Array(30), 10, 3, { covarianceType: t, regularization: 1e-6, init: 'kmeans++' }).parameterCount(3), counts[t], t);
  });
});
