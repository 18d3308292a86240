// The bootstrap likelihood-ratio test for the number of components against R's mclustBootstrapLRT (mclust 6.0):
// the observed statistics equal R's to 1e-6 relative (they are deterministic: Mclust()'s fits), and where the
// bootstrap leaves no doubt the p-values and the K chosen are R's. The bootstrap draws are our own, so the other
// p-values are only compared as decisions. Reference values: test/reference/make_mclust_lrt_reference.R →
// test/reference/mclust_lrt.json (nboot = 99, set.seed(0)).

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FitError, OptionsError } from '../../../src/engine/errors';
import type { MclustModelName } from '../../../src/engine/families/gaussian/mclust/models';
import { bootstrapLrt, type BootstrapLrtOptions } from '../../../src/engine/select/lrt';

interface LrtCase {
  data: 'faithful' | 'waiting';
  model: MclustModelName;
  nboot: number;
  level: number;
  G: number[];
  obs: number[];
  pValue: number[];
  bootMax: number[];
  chosenG: number;
  all: { G: number[]; obs: number[] };
}

const root = path.resolve(__dirname, '../../reference');
const reference = JSON.parse(readFileSync(path.join(root, 'mclust_lrt.json'), 'utf8')) as Record<string, LrtCase>;
const bic = JSON.parse(readFileSync(path.join(root, 'mclust_bic.json'), 'utf8')) as Record<string, { n: number; d: number; values: number[] }>;
const data = (name: 'faithful' | 'waiting') => ({ x: Float64Array.from(bic[name].values), n: bic[name].n, d: bic[name].d });
const RTOL = 1e-6;

const close = (actual: number, expected: number, where: string) =>
  assert.ok(Math.abs(actual - expected) <= RTOL * Math.max(1, Math.abs(expected)), `${where}: ${actual}, R ${expected}`);

describe('bootstrap likelihood-ratio test (mclustBootstrapLRT)', function () {
  this.timeout(120_000);

  for (const [name, ref] of Object.entries(reference)) {
    it(`${name}: R's observed statistics, p-values where the bootstrap is unambiguous, and R's K`, () => {
      const { x, n, d } = data(ref.data);
      const r = bootstrapLrt(x, n, d, { model: ref.model, nboot: ref.nboot, level: ref.level, seed: 0 });
      assert.equal(r.model, ref.model);
      assert.deepEqual(r.steps.map((s) => s.k0), ref.G);
      r.steps.forEach((s, i) => {
        assert.equal(s.k1, s.k0 + 1);
        close(s.lrts, ref.obs[i], `${name} ${s.k0} vs ${s.k1} LRTS`);
        close(s.lrts, 2 * (s.logLikelihood1 - s.logLikelihood0), `${name} ${s.k0} vs ${s.k1} LRTS from ℓ`);
        assert.equal(s.bootstrap.length, ref.nboot);
        assert.ok(s.bootstrap.every(Number.isFinite));
        assert.equal(s.pValue, (1 + s.bootstrap.filter((b) => b >= s.lrts).length) / (ref.nboot + 1));
        // Far above every bootstrap statistic in R's draws and ours: the smallest p-value, 1 / (nboot + 1).
        if (ref.obs[i] > 2 * ref.bootMax[i]) {
          assert.equal(ref.pValue[i], 1 / (ref.nboot + 1));
          assert.equal(s.pValue, ref.pValue[i], `${name} ${s.k0} vs ${s.k1} p-value`);
        }
        // The same decision at the level as R.
        assert.equal(s.pValue > ref.level, ref.pValue[i] > ref.level, `${name} ${s.k0} vs ${s.k1}: p ${s.pValue}, R ${ref.pValue[i]}`);
      });
      assert.equal(r.chosenK, ref.chosenG);
      assert.equal(r.stopped, 'p-value above level');
    });

    it(`${name}: without stopping at the level, R's statistics of every test up to 3 vs 4 (mclust's maxG = 3)`, () => {
      const { x, n, d } = data(ref.data);
      // With 9 samples the smallest p-value is 0.1: a level of 0.25 still tells the certain tests from the others.
      const r = bootstrapLrt(x, n, d, { model: ref.model, nboot: 9, level: 0.25, maxK: 4, stopAtLevel: false });
      assert.deepEqual(r.steps.map((s) => s.k0), ref.all.G);
      r.steps.forEach((s, i) => close(s.lrts, ref.all.obs[i], `${name} ${s.k0} vs ${s.k1} LRTS`));
      assert.equal(r.chosenK, ref.chosenG);
    });
  }

  it('faithful, EEE: the first test is certain (p = 1/(nboot + 1)) whatever the seed; the bootstrap statistics are chi-square-like', () => {
    const { x, n, d } = data('faithful');
    for (const seed of [1, 2, 3]) {
      const r = bootstrapLrt(x, n, d, { model: 'EEE', nboot: 49, maxK: 2, seed });
      assert.equal(r.steps[0].pValue, 1 / 50);
      // Under the one-component null, 1 vs 2 EEE components adds 3 parameters (a weight and a mean): a mean of
      // LRTS well below the observed 299 and of the order of a few units.
      const mean = r.steps[0].bootstrap.reduce((a, b) => a + b, 0) / 49;
      assert.ok(mean > 0.5 && mean < 15, `seed ${seed}: mean bootstrap LRTS ${mean}`);
      assert.equal(r.stopped, 'max-k');
      assert.equal(r.chosenK, 2);
      assert.match(r.note ?? '', /more components than 2 may be needed/);
    }
  });

  it('is deterministic for a seed, and the seed matters', () => {
    const { x, n, d } = data('faithful');
    const options: BootstrapLrtOptions = { model: 'VVV', nboot: 19, maxK: 3, seed: 7 };
    const a = bootstrapLrt(x, n, d, options);
    const b = bootstrapLrt(x, n, d, options);
    assert.deepEqual(a, b);
    const c = bootstrapLrt(x, n, d, { ...options, seed: 8 });
    assert.notDeepEqual(c.steps[1].bootstrap, a.steps[1].bootstrap);
    assert.equal(c.steps[0].lrts, a.steps[0].lrts);
  });

  it('reports every test as it ends', () => {
    const { x, n, d } = data('faithful');
    const seen: number[] = [];
    const r = bootstrapLrt(x, n, d, { model: 'EEE', nboot: 20, onStep: (p) => p.step && seen.push(p.step.k0) });
    assert.deepEqual(seen, r.steps.map((s) => s.k0));
  });

  it('refuses bad arguments with one clear message', () => {
    const { x, n, d } = data('faithful');
    const w = data('waiting');
    const cases: [Float64Array, number, number, Partial<BootstrapLrtOptions>, RegExp][] = [
      [x, n, d, { model: 'XYZ' as MclustModelName }, /one mclust covariance model/],
      [x, n, d, { model: 'V' }, /model V is for one column/],
      [w.x, w.n, w.d, { model: 'EEE' }, /model EEE needs two or more columns/],
      [x, n, d, { model: 'EEE', maxK: 1 }, /largest K must be a whole number ≥ 2/],
      [x, n, d, { model: 'EEE', maxK: 2.5 }, /largest K must be a whole number ≥ 2/],
      [x.subarray(0, 6), 3, 2, { model: 'EEE', maxK: 4 }, /largest K \(4\) is more than the 3 rows/],
      [x, n, d, { model: 'EEE', nboot: 0 }, /bootstrap samples must be a whole number ≥ 1/],
      [x, n, d, { model: 'EEE', level: 1 }, /level must be between 0 and 1/],
      [x, n, d, { model: 'EEE', level: NaN }, /level must be between 0 and 1/],
      [x, n, d, { model: 'EEE', seed: 1.5 }, /seed must be a whole number/],
      [x, n + 1, d, { model: 'EEE' }, /data must be n × d/],
    ];
    for (const [values, rows, cols, options, message] of cases) {
      assert.throws(() => bootstrapLrt(values, rows, cols, { model: 'EEE', ...options } as BootstrapLrtOptions), (e: unknown) => e instanceof OptionsError && message.test((e as Error).message));
    }
  });

  it('a model that cannot be fitted with one component is a FitError; one that fails at K1 ends the tests there', () => {
    // Two identical columns: every covariance is singular.
    const x = new Float64Array(40);
    for (let i = 0; i < 20; i++) x[2 * i] = x[2 * i + 1] = i % 7;
    assert.throws(() => bootstrapLrt(x, 20, 2, { model: 'EEE', nboot: 5 }), FitError);
    // A start of K = 2 with one row in its second class: VVV's covariance of one point is singular.
    const f = data('faithful');
    const starts = (_x: Float64Array, rows: number, _d: number, ks: readonly number[]) => ks.map((k) => Int32Array.from({ length: rows }, (_, i) => (k > 1 && i === 0 ? 1 : 0)));
    const r = bootstrapLrt(f.x, f.n, f.d, { model: 'VVV', nboot: 5, starts });
    assert.deepEqual(r.steps, []);
    assert.equal(r.stopped, 'fit failed');
    assert.equal(r.chosenK, 1);
    assert.match(r.note ?? '', /VVV with 2 components cannot be fitted/);
  });
});
