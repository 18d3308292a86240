// The Gaussian family in the shared EM loop: monotone log-likelihood, recovery of known parameters, the course's
// 1-D closed-form M-step, determinism, and the webview helpers against the family's own E-step.

import * as assert from 'node:assert/strict';
import { runEm, type EmSettings } from '../../../src/engine/em/em';
import {
  expandCovariances,
  gaussianDensity1D,
  gaussianLogResponsibilities,
  GaussianFamily,
  type GaussianFamilyOptions,
} from '../../../src/engine/families/gaussian/family';
import { normalizeLogRows } from '../../../src/engine/em/logsumexp';
import { Rng } from '../../../src/engine/em/rng';
import type { CovarianceType, GaussianSnapshot, InitMethod } from '../../../src/shared/protocol';
import { assertClose, loadFaithful, sampleMixture, standardize } from '../../fixtures/gaussian/helpers';

const TYPES: CovarianceType[] = ['full', 'diag', 'spherical', 'tied'];
const RANDOM_INITS: InitMethod[] = ['kmeans++', 'random', 'random-data'];
const faithful = loadFaithful();
const faithfulZ = standardize(faithful.values, faithful.n, faithful.d).values;

function settings(overrides: Partial<EmSettings> = {}): EmSettings {
  return { k: 2, maxIterations: 200, tolerance: 1e-3, variant: 'soft', restarts: 1, seed: 0, keepSnapshots: false, ...overrides };
}

function family(values: Float64Array, n: number, d: number, options: Partial<GaussianFamilyOptions> = {}) {
  return new GaussianFamily(values, n, d, { covarianceType: 'full', regularization: 1e-6, init: 'kmeans++', ...options });
}

describe('Gaussian EM: the log-likelihood never decreases (soft EM)', () => {
  // 3 covariance-type × init combinations per seed would be slow on 2 cores; every combination still gets 5 seeds.
  for (const covarianceType of TYPES) {
    for (const init of RANDOM_INITS) {
      it(`${covarianceType}, init ${init}: 5 seeds × K = 1..4, raw and standardised Old Faithful`, () => {
        for (const values of [faithful.values, faithfulZ]) {
          for (let seed = 0; seed < 5; seed++) {
            for (let k = 1; k <= 4; k++) {
              const run = runEm(family(values, faithful.n, 2, { covarianceType, init }), settings({ k, seed, tolerance: 0, maxIterations: 60 }));
              for (let t = 1; t < run.trace.length; t++) {
                // The regularisation makes the M-step a hair short of the exact maximiser; allow rounding only.
                const slack = 1e-9 * Math.abs(run.trace[t - 1]);
                assert.ok(
                  run.trace[t] >= run.trace[t - 1] - slack,
                  `seed ${seed}, K = ${k}: trace[${t}] = ${run.trace[t]} < trace[${t - 1}] = ${run.trace[t - 1]}`,
                );
              }
              assert.ok(run.trace.every(Number.isFinite));
            }
          }
        }
      });
    }
  }

  it('holds on 5-D synthetic data with overlapping components for every covariance type', () => {
    const rng = new Rng(11);
    const d = 5;
    const means = [0, 1, 2].map((j) => Array.from({ length: d }, (_, c) => (c === j ? 1.5 : 0)));
    const cov = Array.from({ length: d }, (_, r) => Array.from({ length: d }, (_, c) => (r === c ? 1 : 0.3)));
    const { values } = sampleMixture(rng, 600, [0.5, 0.3, 0.2], means, [cov, cov, cov]);
    for (const covarianceType of TYPES) {
      for (let seed = 0; seed < 3; seed++) {
        const run = runEm(family(values, 600, d, { covarianceType, init: 'random' }), settings({ k: 3, seed, tolerance: 0, maxIterations: 80 }));
        for (let t = 1; t < run.trace.length; t++) assert.ok(run.trace[t] >= run.trace[t - 1] - 1e-9 * Math.abs(run.trace[t - 1]), `${covarianceType} seed ${seed} t ${t}`);
      }
    }
  });
});

describe('Gaussian EM: recovers a known mixture', () => {
  const trueWeights = [0.5, 0.3, 0.2];
  const trueMeans = [
    [0, 0],
    [6, 1],
    [2, 7],
  ];
  const trueCovs = [
    [
      [1, 0.5],
      [0.5, 1],
    ],
    [
      [0.5, 0],
      [0, 2],
    ],
    [
      [1.5, -0.6],
      [-0.6, 0.8],
    ],
  ];
  const n = 3000;
  const { values } = sampleMixture(new Rng(2024), n, trueWeights, trueMeans, trueCovs);

  for (const init of RANDOM_INITS) {
    it(`3 well-separated 2-D Gaussians, 3000 points, init ${init}: means within 0.1, weights within 0.03, covariances within 0.2`, () => {
      // A tight tol: from random responsibilities all means start at the data mean and the first changes are tiny
      // (sklearn stops there too with its default tol 1e-3).
      const run = runEm(family(values, n, 2, { init }), settings({ k: 3, seed: 5, restarts: 3, tolerance: 1e-6, maxIterations: 1000 }));
      assert.ok(run.converged);
      const p = run.params;
      // Match each true component to the nearest fitted mean (order is arbitrary).
      const used = new Set<number>();
      for (let t = 0; t < 3; t++) {
        let best = -1;
        let bestDist = Infinity;
        for (let j = 0; j < 3; j++) {
          const dist = Math.hypot(p.means[j * 2] - trueMeans[t][0], p.means[j * 2 + 1] - trueMeans[t][1]);
          if (dist < bestDist) [best, bestDist] = [j, dist];
        }
        assert.ok(!used.has(best), 'two true components matched the same fitted one');
        used.add(best);
        assert.ok(bestDist < 0.1, `component ${t}: mean off by ${bestDist}`);
        assert.ok(Math.abs(p.weights[best] - trueWeights[t]) < 0.03, `component ${t}: weight ${p.weights[best]}`);
        for (let r = 0; r < 2; r++) {
          for (let c = 0; c < 2; c++) {
            const got = p.covariances[best * 4 + r * 2 + c];
            assert.ok(Math.abs(got - trueCovs[t][r][c]) < 0.2, `component ${t}: cov[${r}][${c}] = ${got}`);
          }
        }
      }
    });
  }
});

describe('Gaussian EM in 1-D (the course exercise)', () => {
  // x from 0.4·N(−2, 0.5²) + 0.6·N(3, 1.5²).
  const n = 500;
  const rng = new Rng(7);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.next() < 0.4 ? -2 + 0.5 * rng.normal() : 3 + 1.5 * rng.normal();

  for (const covarianceType of TYPES) {
    it(`${covarianceType}: the M-step is the closed form a_k = Σr x / Σr, σ_k² = Σr (x − a_k)² / Σr, π_k = Σr / N`, () => {
      const fam = family(x, n, 1, { covarianceType, regularization: 0, init: 'random' });
      const k = 2;
      const start = fam.initialize(k, new Rng(1));
      const logResp = new Float64Array(n * k);
      fam.weightedLogProb(start, k, logResp);
      normalizeLogRows(logResp, n, k);
      const resp = logResp.map(Math.exp);
      const next = fam.mStep(resp, k, start);
      assert.deepEqual(next, fam.estimate(resp, k));
      const a: number[] = [];
      const s2: number[] = [];
      for (let j = 0; j < k; j++) {
        let nk = 0;
        let sx = 0;
        for (let i = 0; i < n; i++) {
          nk += resp[i * k + j];
          sx += resp[i * k + j] * x[i];
        }
        a.push(sx / nk);
        let ss = 0;
        for (let i = 0; i < n; i++) ss += resp[i * k + j] * (x[i] - a[j]) ** 2;
        s2.push(ss / nk);
        assert.ok(Math.abs(next.weights[j] - nk / n) < 1e-12, `π_${j}`);
        assert.ok(Math.abs(next.means[j] - a[j]) < 1e-12 * Math.max(1, Math.abs(a[j])), `a_${j}`);
      }
      if (covarianceType === 'tied') {
        // One variance for both: Σ_k Σ_μ r (x − a_k)² / N.
        const pooled = (s2[0] * next.weights[0] + s2[1] * next.weights[1]);
        assert.ok(Math.abs(next.covariances[0] - pooled) < 1e-12 * pooled);
      } else {
        for (let j = 0; j < k; j++) assert.ok(Math.abs(next.covariances[j] - s2[j]) < 1e-12 * s2[j], `σ²_${j}`);
      }
      // And the E-step is r_k(x) = π_k N(x|a_k, σ_k²) / Σ_j π_j N(x|a_j, σ_j²).
      fam.weightedLogProb(next, k, logResp);
      normalizeLogRows(logResp, n, k);
      const variance = (j: number) => (covarianceType === 'tied' ? next.covariances[0] : next.covariances[j]);
      for (const i of [0, 17, 250, 499]) {
        const p = [0, 1].map((j) => next.weights[j] * gaussianDensity1D(x[i], next.means[j], variance(j)));
        assert.ok(Math.abs(Math.exp(logResp[i * k]) - p[0] / (p[0] + p[1])) < 1e-12);
      }
    });
  }

  it('recovers the two 1-D components', () => {
    const run = runEm(family(x, n, 1, { covarianceType: 'full' }), settings({ k: 2, seed: 3, tolerance: 1e-8 }));
    const order = run.params.means[0] < run.params.means[1] ? [0, 1] : [1, 0];
    const m = order.map((j) => run.params.means[j]);
    const sd = order.map((j) => Math.sqrt(run.params.covariances[j]));
    const w = order.map((j) => run.params.weights[j]);
    assert.ok(Math.abs(m[0] + 2) < 0.15 && Math.abs(m[1] - 3) < 0.3, `means ${m}`);
    assert.ok(Math.abs(sd[0] - 0.5) < 0.1 && Math.abs(sd[1] - 1.5) < 0.2, `sds ${sd}`);
    assert.ok(Math.abs(w[0] - 0.4) < 0.06, `weights ${w}`);
  });
});

describe('Gaussian EM: determinism', () => {
  for (const init of RANDOM_INITS) {
    it(`init ${init}: the same seed gives an identical fit, another seed another start`, () => {
      const fit = (seed: number) => runEm(family(faithful.values, faithful.n, 2, { init, covarianceType: 'full' }), settings({ k: 3, seed, keepSnapshots: true }));
      const a = fit(42);
      const b = fit(42);
      assert.deepEqual(a.trace, b.trace);
      assert.deepEqual(Array.from(a.params.means), Array.from(b.params.means));
      assert.deepEqual(Array.from(a.params.covariances), Array.from(b.params.covariances));
      assert.deepEqual(a.snapshots, b.snapshots);
      const c = fit(43);
      assert.notDeepEqual(c.snapshots[0], a.snapshots[0], 'seeds 42 and 43 gave the same starting parameters');
    });
  }

  it('restarts keep the best final log-likelihood', () => {
    const run = runEm(family(faithfulZ, faithful.n, 2, { init: 'random' }), settings({ k: 3, seed: 9, restarts: 4 }));
    assert.equal(run.restartObjectives.length, 4);
    assert.equal(run.objective, Math.max(...run.restartObjectives));
  });
});

describe('gaussianLogResponsibilities and gaussianDensity1D (webview helpers)', () => {
  for (const covarianceType of TYPES) {
    it(`${covarianceType}: responsibilities of an expanded snapshot equal the family's E-step`, () => {
      const fam = family(faithful.values, faithful.n, 2, { covarianceType, init: 'random' });
      const run = runEm(fam, settings({ k: 3, seed: 1, keepSnapshots: true, maxIterations: 5 }));
      const snap = run.snapshots[run.snapshots.length - 1] as GaussianSnapshot;
      const out = new Float64Array(faithful.n * 3);
      gaussianLogResponsibilities(Array.from(faithful.values), faithful.n, 2, snap, out);
      assertClose(out.map(Math.exp), run.logResp.map(Math.exp), 1e-10, 1e-12, 'responsibilities');
      for (let i = 0; i < faithful.n; i++) {
        const s = Math.exp(out[i * 3]) + Math.exp(out[i * 3 + 1]) + Math.exp(out[i * 3 + 2]);
        assert.ok(Math.abs(s - 1) < 1e-12);
      }
    });
  }

  it('gaussianDensity1D is the normal density and integrates to 1', () => {
    assert.ok(Math.abs(gaussianDensity1D(0, 0, 1) - 1 / Math.sqrt(2 * Math.PI)) < 1e-15);
    assert.ok(Math.abs(gaussianDensity1D(3, 1, 4) - Math.exp(-0.5) / Math.sqrt(8 * Math.PI)) < 1e-15);
    let integral = 0;
    for (let x = -20; x <= 20; x += 0.001) integral += gaussianDensity1D(x, 1.3, 2.5) * 0.001;
    assert.ok(Math.abs(integral - 1) < 1e-6);
  });

  it('expandCovariances writes every type as K × D × D', () => {
    assert.deepEqual(expandCovariances('spherical', [2, 3], 2, 2), [
      [[2, 0], [0, 2]],
      [[3, 0], [0, 3]],
    ]);
    assert.deepEqual(expandCovariances('diag', [1, 2, 3, 4], 2, 2), [
      [[1, 0], [0, 2]],
      [[3, 0], [0, 4]],
    ]);
    assert.deepEqual(expandCovariances('tied', [1, 0.5, 0.5, 2], 2, 2), [
      [[1, 0.5], [0.5, 2]],
      [[1, 0.5], [0.5, 2]],
    ]);
    assert.deepEqual(expandCovariances('full', [1, 0, 0, 1, 2, 1, 1, 2], 2, 2), [
      [[1, 0], [0, 1]],
      [[2, 1], [1, 2]],
    ]);
  });
});
