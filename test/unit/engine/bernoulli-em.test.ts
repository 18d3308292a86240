// Bernoulli EM behaviour: monotone objective, hard EM's stopping rule, constant pixels, symmetric starts,
// determinism, the packaged result, and option errors.

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BernoulliFamily,
  clusterExamples,
  fitBernoulli,
  kmeansPlusPlusBinary,
  MU_EPSILON,
  type BernoulliParams,
} from '../../../src/engine/families/bernoulli/family';
import { lnGamma } from '../../../src/engine/em/special';
import { binarize, binaryFromRows, type BinaryMatrix } from '../../../src/engine/families/bernoulli/binarize';
import type { ImageData } from '../../../src/engine/data/dataset';
import { argmaxRows, runEm, type EmSettings } from '../../../src/engine/em/em';
import { FitError, OptionsError } from '../../../src/engine/errors';
import { normalizeLogRows } from '../../../src/engine/em/logsumexp';
import { adjustedRandIndex } from '../../../src/engine/em/metrics';
import { Rng } from '../../../src/engine/em/rng';
import { DEFAULT_FIT_OPTIONS, type FitOptions, type InitMethod } from '../../../src/shared/protocol';
import { readMnist } from './bernoulli-mnist';

const settings = (over: Partial<EmSettings> = {}): EmSettings => ({
  k: 3,
  maxIterations: 50,
  tolerance: 0,
  variant: 'soft',
  restarts: 1,
  seed: 1,
  keepSnapshots: false,
  ...over,
});

const family = (m: BinaryMatrix, over: Partial<ConstructorParameters<typeof BernoulliFamily>[1]> = {}) =>
  new BernoulliFamily(m, { init: 'kmeans++', betaPrior: [2, 2], threads: 1, shardScript: null, ...over });

function assertNonDecreasing(trace: number[], what: string) {
  for (let t = 1; t < trace.length; t++) {
    const slack = 1e-9 * Math.max(1, Math.abs(trace[t - 1]));
    assert.ok(trace[t] >= trace[t - 1] - slack, `${what}: objective fell at iteration ${t}: ${trace[t - 1]} → ${trace[t]}`);
  }
}

function assertFiniteParams(p: BernoulliParams, k: number, d: number) {
  let sum = 0;
  for (let c = 0; c < k; c++) {
    assert.ok(Number.isFinite(p.weights[c]) && p.weights[c] >= 0, `weight ${c} = ${p.weights[c]}`);
    sum += p.weights[c];
  }
  assert.ok(Math.abs(sum - 1) < 1e-12, `weights sum to ${sum}`);
  for (let e = 0; e < k * d; e++) assert.ok(p.means[e] >= MU_EPSILON && p.means[e] <= 1 - MU_EPSILON, `μ[${e}] = ${p.means[e]}`);
}

/** n images from `prototypes` (0/1 rows), each pixel flipped with probability `noise`; returns rows and true labels. */
function planted(prototypes: number[][], n: number, noise: number, seed: number): { rows: number[][]; labels: number[] } {
  const rng = new Rng(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % prototypes.length;
    labels.push(c);
    rows.push(prototypes[c].map((v) => (rng.next() < noise ? 1 - v : v)));
  }
  return { rows, labels };
}

const PROTOTYPES = [
  [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1],
];

function contingency(a: ArrayLike<number>, b: ArrayLike<number>, k: number, l: number): number[][] {
  const t = Array.from({ length: k }, () => new Array<number>(l).fill(0));
  for (let i = 0; i < a.length; i++) t[a[i]][b[i]]++;
  return t;
}

describe('Bernoulli EM on MNIST digits', function () {
  const mnist = readMnist('t10k', 2000);
  const binary = binarize(mnist, 0.5);

  for (const init of ['kmeans++', 'random', 'random-assignment', 'random-data'] as InitMethod[]) {
    for (const beta of [[2, 2], [1, 1]] as [number, number][]) {
      it(`soft EM never decreases ln p(X|θ) + ln p(θ) (init ${init}, Beta(${beta}))`, () => {
        const run = runEm<BernoulliParams>(family(binary, { init, betaPrior: beta }), settings({ k: 10, maxIterations: 20 }));
        assert.equal(run.trace.length, 21);
        assertNonDecreasing(run.trace, init);
        assertFiniteParams(run.params, 10, 784);
        assert.ok(run.trace[20] > run.trace[0], 'EM made progress');
      });
    }
  }

  it('MNIST border pixels (never on) stay finite without a prior: μ = ε there, no NaN or −∞', () => {
    const run = runEm<BernoulliParams>(family(binary, { betaPrior: [1, 1] }), settings({ k: 10, maxIterations: 10 }));
    const everOn = new Uint8Array(784);
    for (let p = 0; p < binary.nnz; p++) everOn[binary.colIdx[p]] = 1;
    const blank = everOn.indexOf(0);
    assert.ok(blank >= 0, 'MNIST has blank border pixels');
    for (let c = 0; c < 10; c++) assert.equal(run.params.means[c * 784 + blank], MU_EPSILON);
    assert.ok(run.trace.every(Number.isFinite) && run.logResp.every(Number.isFinite));
    assert.equal(run.logLikelihood, run.trace[run.trace.length - 1], 'no prior: the objective is the log-likelihood');
  });

  it('with the default Beta(2,2) a never-on pixel gets (0 + 1) / (N_k + 2), the course smoothing', () => {
    const fam = family(binary);
    const rng = new Rng(3);
    const labels = Int32Array.from({ length: binary.n }, () => rng.int(10));
    const resp = new Float64Array(binary.n * 10);
    labels.forEach((c, i) => (resp[i * 10 + c] = 1));
    const p = fam.mStep(resp, 10, fam.initialize(10, new Rng(1)));
    const everOn = new Uint8Array(784);
    for (let q = 0; q < binary.nnz; q++) everOn[binary.colIdx[q]] = 1;
    const blank = everOn.indexOf(0);
    for (let c = 0; c < 10; c++) {
      const size = labels.filter((v) => v === c).length;
      assert.equal(p.means[c * 784 + blank], 1 / (size + 2));
      assert.equal(p.weights[c], size / binary.n);
      // And a pixel's (count + 1) / (size + 2) in general:
      const j = 400;
      let on = 0;
      labels.forEach((v, i) => {
        if (v !== c) return;
        for (let q = binary.rowPtr[i]; q < binary.rowPtr[i + 1]; q++) if (binary.colIdx[q] === j) on++;
      });
      assert.ok(Math.abs(p.means[c * 784 + j] - (on + 1) / (size + 2)) < 1e-15);
    }
  });

  it('hard EM (random assignment, the course algorithm) stops when no assignment changes, at a fixed point', () => {
    const fam = family(binary, { init: 'random-assignment' });
    const run = runEm<BernoulliParams>(fam, settings({ k: 10, maxIterations: 300, variant: 'hard' }));
    assert.ok(run.converged, 'converged');
    assert.ok(run.iterations < 300 && run.iterations > 2, `iterations ${run.iterations}`);
    assert.equal(run.trace.length, run.iterations + 1);
    // One more hard step from the final assignments changes nothing.
    const oneHot = new Float64Array(binary.n * 10);
    run.assignments.forEach((c, i) => (oneHot[i * 10 + c] = 1));
    const again = fam.mStep(oneHot, 10, run.params);
    const logProb = new Float64Array(binary.n * 10);
    fam.weightedLogProb(again, 10, logProb);
    const next = new Int32Array(binary.n);
    argmaxRows(logProb, binary.n, 10, next);
    assert.deepEqual(next, run.assignments);
    // And the stop is the first stable iteration: the run with one iteration fewer had not converged.
    const shorter = runEm<BernoulliParams>(family(binary, { init: 'random-assignment' }), settings({ k: 10, maxIterations: run.iterations - 2, variant: 'hard' }));
    assert.equal(shorter.converged, false);
  });

  it('is deterministic for a seed, and different seeds start differently', () => {
    for (const init of ['kmeans++', 'random', 'random-assignment', 'random-data'] as InitMethod[]) {
      const a = runEm<BernoulliParams>(family(binary, { init }), settings({ k: 5, maxIterations: 5, seed: 11 }));
      const b = runEm<BernoulliParams>(family(binary, { init }), settings({ k: 5, maxIterations: 5, seed: 11 }));
      const c = runEm<BernoulliParams>(family(binary, { init }), settings({ k: 5, maxIterations: 5, seed: 12 }));
      assert.deepEqual(a.trace, b.trace, init);
      assert.deepEqual(a.params.means, b.params.means, init);
      assert.notEqual(a.trace[0], c.trace[0], `${init}: seeds 11 and 12 gave the same start`);
    }
  });

  it('restarts keep the best final objective', () => {
    const run = runEm<BernoulliParams>(family(binary), settings({ k: 5, maxIterations: 10, restarts: 3 }));
    assert.equal(run.restartObjectives.length, 3);
    assert.equal(run.objective, Math.max(...run.restartObjectives));
  });
});

describe('Bernoulli EM on small random data (property)', () => {
  it('finite parameters, weights summing to 1, μ inside (0, 1), soft objective never decreasing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), { minLength: 4, maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom<[number, number]>([1, 1], [2, 2], [1.5, 3], [5, 1]),
        fc.constantFrom<InitMethod>('kmeans++', 'random', 'random-assignment', 'random-data'),
        fc.integer({ min: 0, max: 1000 }),
        (d, rows, k, beta, init, seed) => {
          const m = binaryFromRows(rows.map((r) => r.slice(0, d).map(Number)));
          const kk = Math.min(k, m.n);
          const run = runEm<BernoulliParams>(family(m, { init, betaPrior: beta }), settings({ k: kk, maxIterations: 15, seed }));
          assertFiniteParams(run.params, kk, d);
          assert.ok(run.trace.every(Number.isFinite));
          assertNonDecreasing(run.trace, `${init} Beta(${beta})`);
          for (const a of run.assignments) assert.ok(a >= 0 && a < kk);
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });
});

describe('Bernoulli EM: constant pixels and symmetric starts', () => {
  it('all-blank, all-on and constant columns give finite results with and without a prior', () => {
    const blank = binaryFromRows(Array.from({ length: 20 }, () => new Array(6).fill(0)));
    const full = binaryFromRows(Array.from({ length: 20 }, () => new Array(6).fill(1)));
    const rng = new Rng(5);
    const mixed = binaryFromRows(Array.from({ length: 30 }, () => [0, 1, ...Array.from({ length: 4 }, () => (rng.next() < 0.5 ? 1 : 0))]));
    for (const m of [blank, full, mixed]) {
      for (const beta of [[1, 1], [2, 2]] as [number, number][]) {
        for (const variant of ['soft', 'hard'] as const) {
          const run = runEm<BernoulliParams>(family(m, { betaPrior: beta, init: 'random' }), settings({ k: 2, maxIterations: 20, variant }));
          assert.ok(run.trace.every(Number.isFinite), `trace ${run.trace}`);
          assertFiniteParams(run.params, 2, 6);
        }
      }
    }
    // Column 0 is never on, column 1 always: without a prior they sit at ε and 1 − ε.
    const run = runEm<BernoulliParams>(family(mixed, { betaPrior: [1, 1] }), settings({ k: 2, maxIterations: 10 }));
    for (let c = 0; c < 2; c++) {
      assert.equal(run.params.means[c * 6], MU_EPSILON);
      assert.equal(run.params.means[c * 6 + 1], 1 - MU_EPSILON);
    }
  });

  it('components that start identical are pulled apart and separate the planted clusters', () => {
    const { rows, labels } = planted(PROTOTYPES, 300, 0.1, 9);
    const m = binaryFromRows(rows);
    const same = new Array(12).fill(0.4);
    const fam = family(m, { init: 'params', initParams: { weights: [1, 1, 1], means: [same, same, same] } });
    const run = runEm<BernoulliParams>(fam, settings({ k: 3, maxIterations: 100, tolerance: 1e-8 }));
    assert.ok(fam.notes.some((s) => /started identical/.test(s)), fam.notes.join('; '));
    const rowsOf = (c: number) => Array.from(run.params.means.subarray(c * 12, c * 12 + 12));
    for (let a = 0; a < 3; a++) {
      for (let b = a + 1; b < 3; b++) {
        const diff = Math.max(...rowsOf(a).map((v, j) => Math.abs(v - rowsOf(b)[j])));
        assert.ok(diff > 0.5, `components ${a} and ${b} differ by only ${diff}`);
      }
    }
    assert.ok(adjustedRandIndex(contingency(run.assignments, labels, 3, 3), 300) > 0.95);
  });

  it('nearly equal starts (random responsibilities on many rows) also separate, soft and hard', () => {
    const { rows, labels } = planted(PROTOTYPES, 3000, 0.15, 4);
    const m = binaryFromRows(rows);
    for (const variant of ['soft', 'hard'] as const) {
      const init = variant === 'soft' ? 'random' : 'random-assignment';
      const fam = family(m, { init });
      const start = fam.initialize(3, new Rng(2));
      // Averages over ~1000 random rows each: the starting components are within a few percent of each other.
      for (let j = 0; j < 12; j++) assert.ok(Math.abs(start.means[j] - start.means[12 + j]) < 0.1);
      const run = runEm<BernoulliParams>(family(m, { init }), settings({ k: 3, maxIterations: 200, variant, seed: 2, tolerance: 1e-9 }));
      const ari = adjustedRandIndex(contingency(run.assignments, labels, 3, 3), 3000);
      assert.ok(ari > 0.9, `${variant}: ARI ${ari}`);
    }
  });

  it('k-means++ on binary vectors picks distinct rows, and all the distinct rows when K equals their number', () => {
    const m = binaryFromRows([
      [1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 1, 1], [0, 1, 1], [1, 1, 1],
    ]);
    for (let seed = 0; seed < 20; seed++) {
      const centres = kmeansPlusPlusBinary(m, 3, new Rng(seed));
      const patterns = new Set(Array.from(centres).map((r) => (r < 3 ? 'a' : r < 5 ? 'b' : 'c')));
      assert.equal(patterns.size, 3, `seed ${seed}: ${centres}`);
    }
  });
});

describe('Bernoulli family: counts, snapshot, examples, errors', () => {
  const { rows, labels } = planted(PROTOTYPES, 90, 0.05, 1);
  const m = binaryFromRows(rows);

  it('parameterCount is K·D + K − 1', () => {
    assert.equal(family(m).parameterCount(3), 3 * 12 + 2);
    assert.equal(family(binaryFromRows([[1, 0]])).parameterCount(1), 2);
  });

  it('logPrior is the Beta log density summed over μ (with its normalising constant)', () => {
    const fam = family(m, { betaPrior: [3, 1.5] });
    const p = fam.initialize(2, new Rng(1));
    let expected = 0;
    const lnB = lnGamma(3) + lnGamma(1.5) - lnGamma(4.5);
    for (const mu of p.means) expected += 2 * Math.log(mu) + 0.5 * Math.log(1 - mu) - lnB;
    assert.ok(Math.abs(fam.logPrior(p, 2) - expected) < 1e-9 * Math.abs(expected));
    assert.equal(family(m, { betaPrior: [1, 1] }).logPrior(p, 2), 0);
    assert.ok(Math.abs(lnGamma(5) - Math.log(24)) < 1e-13 && Math.abs(lnGamma(0.5) - Math.log(Math.sqrt(Math.PI))) < 1e-13);
  });

  it('snapshot sizes are the hard counts of the assignments', () => {
    const fam = family(m);
    const p = fam.initialize(3, new Rng(1));
    const logProb = new Float64Array(90 * 3);
    fam.weightedLogProb(p, 3, logProb);
    normalizeLogRows(logProb, 90, 3);
    const assignments = new Int32Array(90);
    argmaxRows(logProb, 90, 3, assignments);
    const snap = fam.snapshot(p, 3, 0, assignments);
    assert.equal(snap.model, 'bernoulli');
    assert.equal(snap.means.length, 3);
    assert.equal(snap.means[0].length, 12);
    assert.deepEqual(snap.sizes, [0, 1, 2].map((c) => assignments.filter((a) => a === c).length));
  });

  it('cluster examples are members, 0/1 images, most typical first', () => {
    const run = runEm<BernoulliParams>(family(m), settings({ k: 3, maxIterations: 30 }));
    const examples = clusterExamples(m, run.params, run.assignments, 3, 4);
    assert.equal(examples.length, 3);
    for (const ex of examples) {
      assert.ok(ex.typical.length === 4 && ex.atypical.length === 4);
      for (const img of [...ex.typical, ...ex.atypical]) {
        assert.equal(img.length, 12);
        assert.ok(img.every((v) => v === 0 || v === 1));
      }
      // With 5% noise the most typical members are the prototype itself.
      const proto = ex.typical[0];
      assert.ok(PROTOTYPES.some((p) => p.every((v, j) => v === proto[j])), `typical ${proto}`);
      const flips = (img: number[]) => Math.min(...PROTOTYPES.map((p) => p.reduce((s, v, j) => s + (v !== img[j] ? 1 : 0), 0)));
      assert.ok(flips(ex.atypical[0]) >= flips(ex.typical[0]));
    }
  });

  it('a cluster with fewer members than asked gives each member once', () => {
    const examples = clusterExamples(m, runEm<BernoulliParams>(family(m), settings({ k: 3, maxIterations: 5 })).params, new Int32Array(90).fill(0), 3, 100);
    assert.equal(examples[0].typical.length, 90);
    assert.equal(examples[0].atypical.length, 0);
    assert.equal(examples[1].typical.length, 0);
  });

  it('rejects bad options with a message that says what to change', () => {
    assert.throws(() => family(m, { betaPrior: [0.5, 2] }), (e: Error) => e instanceof OptionsError && /betaPrior/.test(e.message));
    assert.throws(() => family(m).initialize(91, new Rng(1)), (e: Error) => e instanceof FitError && /K = 91.*90 images/.test(e.message));
    const bad = (initParams: unknown, pattern: RegExp) =>
      assert.throws(
        () => family(m, { init: 'params', initParams: initParams as never }).initialize(2, new Rng(1)),
        (e: Error) => e instanceof OptionsError && pattern.test(e.message),
      );
    bad({ weights: [1], means: [] }, /weights.*K = 2/);
    bad({ weights: [1, 1], means: [new Array(12).fill(0.5)] }, /means.*K = 2/);
    bad({ weights: [1, 1], means: [new Array(12).fill(0.5), new Array(11).fill(0.5)] }, /means\[1\].*D = 12/);
    bad({ weights: [1, 1], means: [new Array(12).fill(0.5), new Array(12).fill(1.5)] }, /means\[1\]\[0\].*probability/);
    bad({ weights: [1, -1], means: [new Array(12).fill(0.5), new Array(12).fill(0.5)] }, /weight 2/);
  });
});

describe('fitBernoulli: the packaged result', () => {
  const mnist = readMnist('t10k', 1000);
  const options: FitOptions = { ...DEFAULT_FIT_OPTIONS, k: 4, maxIterations: 15, tolerance: 0, seed: 3, threads: 1 };

  it('reports the objective trace, the plain log-likelihood beside it, BIC/AIC, labels metrics and examples', () => {
    const progress: number[] = [];
    const fit = fitBernoulli(mnist, options, (p) => progress.push(p.iteration), { shardScript: null, examplesPerCluster: 3 });
    const r = fit.result;
    assert.equal(r.model, 'bernoulli');
    assert.equal(r.n, 1000);
    assert.equal(r.d, 784);
    assert.deepEqual(r.imageShape, [28, 28]);
    assert.equal(r.iterations, 15);
    assert.equal(r.trace.length, 16);
    assert.deepEqual(progress, Array.from({ length: 16 }, (_, i) => i));
    assert.equal(r.logLikelihoodTrace!.length, 16);
    assert.equal(r.logLikelihood, r.logLikelihoodTrace![15]);
    // The prior adds a negative log density: the objective sits below the log-likelihood.
    r.trace.forEach((obj, t) => assert.ok(obj < r.logLikelihoodTrace![t]));
    assertNonDecreasing(r.trace, 'fitBernoulli');
    const p = 4 * 784 + 3;
    assert.ok(Math.abs(r.bic - (-2 * r.logLikelihood + p * Math.log(1000))) < 1e-6);
    assert.ok(Math.abs(r.aic - (-2 * r.logLikelihood + 2 * p)) < 1e-6);
    assert.equal(r.means.length, 4);
    assert.ok(r.means.every((row) => row.length === 784 && row.every((v) => v > 0 && v < 1)));
    assert.ok(Math.abs(r.weights.reduce((s, w) => s + w, 0) - 1) < 1e-12);
    assert.equal(r.assignments.length, 1000);
    assert.equal(r.snapshots.length, 16);
    const last = r.snapshots[15];
    assert.ok(last.model === 'bernoulli' && last.sizes.reduce((s, v) => s + v, 0) === 1000);
    assert.ok(r.labelMetrics && r.labelMetrics.confusion.length === 4 && r.labelMetrics.labelValues.length === 10);
    assert.equal(r.labelMetrics.oneToOneAccuracy, undefined, 'K = 4 ≠ 10 labels: many-to-one only');
    assert.equal(fit.examples.length, 4);
    assert.ok(fit.examples.every((e) => e.typical.length === 3 && e.typical[0].length === 784));
    assert.equal(fit.threads, 1);
  });

  it('binarises at the threshold: a higher threshold gives fewer on-pixels', () => {
    const low = fitBernoulli(mnist, { ...options, maxIterations: 1, threshold: 0.2 }, undefined, { shardScript: null });
    const high = fitBernoulli(mnist, { ...options, maxIterations: 1, threshold: 0.8 }, undefined, { shardScript: null });
    assert.ok(low.binary.nnz > high.binary.nnz);
  });

  it('images given as 0..1 floats fit the same as bytes / 255', () => {
    const floats: ImageData = { ...mnist, pixels: Float32Array.from(mnist.pixels, (v) => v / 255), scale: 1 };
    const a = fitBernoulli(mnist, { ...options, maxIterations: 3 }, undefined, { shardScript: null });
    const b = fitBernoulli(floats, { ...options, maxIterations: 3 }, undefined, { shardScript: null });
    // float32(v/255) > 0.5 and v/255 > 0.5 agree for every byte value.
    assert.equal(a.binary.nnz, b.binary.nnz);
    assert.deepEqual(a.result.trace, b.result.trace);
  });
});
