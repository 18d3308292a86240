// The shared EM loop, exercised with a tiny family written here (1-D Gaussians with unit variance), so the loop's
// own contract is tested independently of the real families: trace semantics, convergence, restarts, hard EM.
import { strict as assert } from 'node:assert';
import { runEm, type MixtureFamily, informationCriteria } from '../../../src/engine/em/em';
import { normalizeLogRows, logSumExp } from '../../../src/engine/em/logsumexp';
import { Rng } from '../../../src/engine/em/rng';
import { createDispatcher, type WebviewToHost } from '../../../src/shared/protocol';
import type { ParamsSnapshot } from '../../../src/shared/protocol';

interface UnitParams {
  weights: number[];
  means: number[];
}

class UnitVarianceFamily implements MixtureFamily<UnitParams> {
  readonly model = 'gaussian' as const;
  readonly d = 1;
  mSteps = 0;
  constructor(readonly x: Float64Array, private readonly start?: UnitParams) {}
  get n() {
    return this.x.length;
  }
  initialize(k: number, rng: Rng): UnitParams {
    if (this.start) return this.start;
    return { weights: new Array(k).fill(1 / k), means: Array.from({ length: k }, () => this.x[rng.int(this.x.length)]) };
  }
  weightedLogProb(p: UnitParams, k: number, out: Float64Array): void {
    for (let i = 0; i < this.n; i++) {
      for (let j = 0; j < k; j++) {
        const z = this.x[i] - p.means[j];
        out[i * k + j] = Math.log(p.weights[j]) - 0.5 * Math.log(2 * Math.PI) - 0.5 * z * z;
      }
    }
  }
  mStep(resp: Float64Array, k: number): UnitParams {
    this.mSteps++;
    const nk = new Array(k).fill(0);
    const sx = new Array(k).fill(0);
    for (let i = 0; i < this.n; i++) {
      for (let j = 0; j < k; j++) {
        nk[j] += resp[i * k + j];
        sx[j] += resp[i * k + j] * this.x[i];
      }
    }
    return { weights: nk.map((v) => v / this.n), means: sx.map((v, j) => v / nk[j]) };
  }
  parameterCount(k: number): number {
    return 2 * k - 1;
  }
  snapshot(p: UnitParams, k: number, iteration: number): ParamsSnapshot {
    return { model: 'gaussian', iteration, weights: [...p.weights], means: p.means.map((m) => [m]), covariances: p.means.map(() => [[1]]) };
  }
}

function twoClusters(seed: number, n = 400): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -3 : 3) + rng.normal());
}

const settings = { k: 2, maxIterations: 200, tolerance: 1e-8, variant: 'soft' as const, restarts: 1, seed: 1, keepSnapshots: true };

describe('EM loop', () => {
  it('records the objective of θ_0 … θ_T, never decreasing, and recovers the two means', () => {
    const family = new UnitVarianceFamily(twoClusters(3), { weights: [0.5, 0.5], means: [-0.5, 0.5] });
    const run = runEm(family, settings);
    assert.equal(run.trace.length, run.iterations + 1);
    assert.equal(run.snapshots.length, run.iterations + 1);
    assert.equal(family.mSteps, run.iterations);
    for (let t = 1; t < run.trace.length; t++) assert.ok(run.trace[t] >= run.trace[t - 1] - 1e-9, `trace decreased at ${t}`);
    assert.ok(run.converged);
    const means = run.snapshots[run.snapshots.length - 1].means.map((m) => m[0]).sort((a, b) => a - b);
    assert.ok(Math.abs(means[0] + 3) < 0.2 && Math.abs(means[1] - 3) < 0.2, `means ${means}`);
    assert.equal(run.logLikelihood, run.trace[run.trace.length - 1]);
  });

  it('takes one more M-step after the change falls below tol (sklearn n_iter_ semantics)', () => {
    const family = new UnitVarianceFamily(twoClusters(4), { weights: [0.5, 0.5], means: [-1, 1] });
    const run = runEm(family, { ...settings, tolerance: 1e-3 });
    const n = family.n;
    const T = run.iterations;
    // The decision was made on θ_{T-1} vs θ_{T-2}; no earlier pair was below tol.
    assert.ok(Math.abs(run.trace[T - 1] - run.trace[T - 2]) / n < 1e-3);
    for (let t = 1; t < T - 1; t++) assert.ok(Math.abs(run.trace[t] - run.trace[t - 1]) / n >= 1e-3, `stopped late at ${t}`);
  });

  it('stops at maxIterations without claiming convergence', () => {
    const family = new UnitVarianceFamily(twoClusters(5), { weights: [0.5, 0.5], means: [-0.1, 0.1] });
    const run = runEm(family, { ...settings, maxIterations: 2, tolerance: 0 });
    assert.equal(run.iterations, 2);
    assert.equal(run.trace.length, 3);
    assert.equal(run.converged, false);
  });

  it('hard EM stops when no assignment changes', () => {
    const family = new UnitVarianceFamily(twoClusters(6), { weights: [0.5, 0.5], means: [-0.5, 0.5] });
    const run = runEm(family, { ...settings, variant: 'hard' });
    assert.ok(run.converged);
    const last = run.snapshots[run.snapshots.length - 1];
    const before = run.snapshots[run.snapshots.length - 2];
    assert.deepEqual(last.means, before.means, 'the extra M-step on stable assignments changes nothing');
  });

  it('keeps the best of several restarts and is deterministic for a seed', () => {
    const x = twoClusters(7);
    const a = runEm(new UnitVarianceFamily(x), { ...settings, k: 3, restarts: 4, seed: 11 });
    const b = runEm(new UnitVarianceFamily(x), { ...settings, k: 3, restarts: 4, seed: 11 });
    assert.equal(a.restartObjectives.length, 4);
    assert.equal(a.objective, Math.max(...a.restartObjectives));
    assert.deepEqual(a.trace, b.trace);
  });

  it('reports a collapsed model as a FitError, not NaN', () => {
    const family = new UnitVarianceFamily(twoClusters(8), { weights: [1, 0], means: [0, 0] });
    family.weightedLogProb = (_p, k, out) => out.fill(-Infinity);
    assert.throws(() => runEm(family, settings), (e: Error) => e.name === 'FitError' && /regularisation|components/.test(e.message));
  });
});

describe('log-sum-exp and criteria', () => {
  it('normalises rows stably far from zero', () => {
    const rows = Float64Array.from([-1000, -1001, 1000, 1000]);
    const total = normalizeLogRows(rows, 2, 2);
    assert.ok(Math.abs(total - (-1000 + Math.log(1 + Math.exp(-1)) + 1000 + Math.log(2))) < 1e-9);
    assert.ok(Math.abs(Math.exp(rows[0]) + Math.exp(rows[1]) - 1) < 1e-12);
    assert.equal(logSumExp([-Infinity, -Infinity]), -Infinity);
  });
  it('BIC/AIC follow sklearn: −2 ln L + p ln n, −2 ln L + 2p', () => {
    const { bic, aic } = informationCriteria(-100, 5, 50);
    assert.ok(Math.abs(bic - (200 + 5 * Math.log(50))) < 1e-12);
    assert.equal(aic, 210);
  });
});

describe('typed dispatcher', () => {
  it('routes by type and hands anything else to onUnknown', () => {
    const seen: string[] = [];
    const dispatch = createDispatcher<WebviewToHost>({ rerun: (m) => seen.push(`rerun ${m.k}`), ready: () => seen.push('ready') }, () => seen.push('unknown'));
    dispatch({ type: 'ready' });
    dispatch({ type: 'rerun', k: 3, maxIterations: 10 });
    dispatch({ type: 'nope' });
    dispatch(null);
    dispatch('ready');
    assert.deepEqual(seen, ['ready', 'rerun 3', 'unknown', 'unknown', 'unknown']);
  });
});
