// The M-steps of mclust's models from streamed sufficient statistics (N_k, S1, S2 about a shift, summed chunk by
// chunk) against the in-memory M-step from the same responsibilities: the same weights, means and covariances to
// 1e-12 relative, two M-steps in a row (the iterative models carry their inner state from one to the next).

import * as assert from 'node:assert/strict';
import { Rng } from '../../../src/engine/em/rng';
import { MCLUST_MULTIVARIATE_MODELS, MCLUST_UNIVARIATE_MODELS, type MclustModelName } from '../../../src/engine/families/gaussian/mclust/models';
import { DEFAULT_MSTEP_CONTROL, MclustState } from '../../../src/engine/families/gaussian/mclust/mstep';
import { MclustStatistics, usesDiagonalScatterOnly } from '../../../src/engine/families/gaussian/mclust/statistics';

function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** n × d rows around K centres far from the origin, and soft n × K responsibilities leaning to each row's centre. */
function problem(n: number, d: number, k: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d);
  const z = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const g = i % k;
    for (let c = 0; c < d; c++) x[i * d + c] = 100 + 4 * g * (c + 1) + (1 + 0.3 * c) * gaussian(rng) + (c > 0 ? 0.4 * x[i * d] : 0);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      z[i * k + j] = (j === g ? 3 : 0.2) * rng.next();
      sum += z[i * k + j];
    }
    for (let j = 0; j < k; j++) z[i * k + j] /= sum;
    // Some rows belong wholly to their component (z exactly 0 elsewhere), as from a hard partition.
    if (i % 7 === 0) for (let j = 0; j < k; j++) z[i * k + j] = j === g ? 1 : 0;
  }
  return { x, z };
}

function assertClose(actual: Float64Array, expected: Float64Array, what: string): void {
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-12 * Math.max(scale, 1e-300), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** The statistics of z over x in chunks of `chunk` rows, about `shift`. */
function streamed(x: Float64Array, n: number, d: number, k: number, z: Float64Array, chunk: number, shift: Float64Array, diagonal: boolean): MclustStatistics {
  const stats = new MclustStatistics(d, k, diagonal);
  stats.reset(shift);
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    stats.add(x.subarray(start * d, (start + rows) * d), rows, z.subarray(start * k, (start + rows) * k));
  }
  return stats;
}

describe('mclust M-steps from streamed sufficient statistics', () => {
  const cases: { model: MclustModelName; d: number }[] = [
    ...MCLUST_MULTIVARIATE_MODELS.map((model) => ({ model, d: 3 })),
    ...MCLUST_MULTIVARIATE_MODELS.map((model) => ({ model, d: 2 })),
    ...MCLUST_UNIVARIATE_MODELS.map((model) => ({ model, d: 1 })),
  ];
  for (const { model, d } of cases) {
    it(`${model} on ${d} column${d === 1 ? '' : 's'}: two M-steps equal the in-memory ones to 1e-12`, () => {
      const n = 503;
      const k = 3;
      const { x, z } = problem(n, d, k, 11 + d);
      const memory = new MclustState(model, d, k);
      const fromStats = new MclustState(model, d, k);
      // Shifts near the means, as streamed EM takes them (the previous M-step's means): first the means moved by
      // about half a standard deviation, then the previous step's means.
      let shift = new Float64Array(k * d);
      let zNow = z;
      for (let step = 0; step < 2; step++) {
        assert.equal(memory.mStep(x, n, zNow, DEFAULT_MSTEP_CONTROL), undefined);
        if (step === 0) shift = Float64Array.from(memory.means, (m, i) => m + (i % 2 === 0 ? 0.7 : -0.4));
        const stats = streamed(x, n, d, k, zNow, 37, shift, usesDiagonalScatterOnly(model));
        assert.equal(stats.mStep(fromStats, DEFAULT_MSTEP_CONTROL, n), undefined);
        assertClose(fromStats.weights, memory.weights, `step ${step} weights`);
        assertClose(fromStats.means, memory.means, `step ${step} means`);
        assertClose(fromStats.covariances, memory.covariances, `step ${step} covariances`);
        shift = Float64Array.from(memory.means);
        // A second set of responsibilities: the first, tilted towards component 0.
        zNow = Float64Array.from(z, (v, i) => (i % k === 0 ? v * 2 : v));
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < k; j++) s += zNow[i * k + j];
          for (let j = 0; j < k; j++) zNow[i * k + j] /= s;
        }
      }
    });
  }

  it('reports an emptied component as the in-memory M-step does', () => {
    const n = 40;
    const d = 2;
    const k = 2;
    const { x } = problem(n, d, k, 3);
    const z = new Float64Array(n * k);
    for (let i = 0; i < n; i++) z[i * k] = 1;
    const memory = new MclustState('VVV', d, k);
    const fromStats = new MclustState('VVV', d, k);
    assert.equal(memory.mStep(x, n, z), 'empty-component');
    assert.equal(streamed(x, n, d, k, z, 9, new Float64Array(k * d), false).mStep(fromStats, DEFAULT_MSTEP_CONTROL, n), 'empty-component');
  });
});
