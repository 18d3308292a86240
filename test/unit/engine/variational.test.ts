// The variational Bayesian Gaussian mixture against scikit-learn's BayesianGaussianMixture, from the same starting
// responsibilities (reference values: test/reference/make_sklearn_variational_reference.py →
// test/reference/sklearn_variational.json).

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FitError } from '../../../src/engine/errors';
import {
  digamma,
  fitVariational,
  lnBeta,
  lnGamma,
  type VariationalOptions,
  type VariationalResult,
} from '../../../src/engine/families/gaussian/variational';
import { assertClose, loadFaithful, maxAbs } from '../../fixtures/gaussian/helpers';

interface Settings {
  weightConcentrationPriorType?: 'dirichlet_process' | 'dirichlet_distribution';
  covarianceType?: 'full' | 'tied' | 'diag' | 'spherical';
  weightConcentrationPrior?: number;
  meanPrecisionPrior?: number;
  meanPrior?: number[];
  degreesOfFreedomPrior?: number;
  covariancePrior?: number | number[] | number[][];
  regularization?: number;
  tolerance?: number;
  maxIterations?: number;
}

interface ReferenceCase {
  name: string;
  data: 'faithful' | 'synthetic3d' | 'eruptions';
  k: number;
  settings: Settings;
  start: { labels?: number[]; resp?: number[][] };
  lowerBounds: number[];
  nIter: number;
  converged: boolean;
  final: {
    weights: number[];
    means: number[][];
    covariances: unknown;
    covariancesFull: number[][][];
    meanPrecision: number[];
    degreesOfFreedom: number[];
    weightConcentration: number[][];
    effectiveComponents: number;
    labels: number[];
    score: number;
    plugInLogLikelihood: number;
  };
  priors: {
    weightConcentrationPrior: number;
    meanPrecisionPrior: number;
    meanPrior: number[];
    degreesOfFreedomPrior: number;
    covariancePrior: number | number[] | number[][];
  };
}

interface Reference {
  effectiveWeightThreshold: number;
  data: { synthetic3d: number[][] };
  cases: ReferenceCase[];
  special: { x: number[]; gammaln: number[]; digamma: number[]; betaln: [number, number, number][] };
}

const reference = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../reference/sklearn_variational.json'), 'utf8'),
) as Reference;
const faithful = loadFaithful();
const datasets = {
  faithful,
  synthetic3d: { values: Float64Array.from(reference.data.synthetic3d.flat()), n: reference.data.synthetic3d.length, d: 3 },
  eruptions: { values: Float64Array.from({ length: faithful.n }, (_, i) => faithful.values[i * 2]), n: faithful.n, d: 1 },
};

function startOf(c: ReferenceCase, n: number): Float64Array {
  const z = new Float64Array(n * c.k);
  if (c.start.labels) c.start.labels.forEach((label, i) => (z[i * c.k + label] = 1));
  else c.start.resp!.forEach((row, i) => row.forEach((v, j) => (z[i * c.k + j] = v)));
  return z;
}

function optionsOf(c: ReferenceCase, n: number): VariationalOptions {
  const { covariancePrior, ...rest } = c.settings;
  return {
    ...rest,
    covariancePrior: covariancePrior === undefined || typeof covariancePrior === 'number' ? covariancePrior : covariancePrior.flat(),
    startResponsibilities: startOf(c, n),
  };
}

const fits = new Map<string, VariationalResult>();
function fitCase(c: ReferenceCase): VariationalResult {
  let r = fits.get(c.name);
  if (!r) {
    const data = datasets[c.data];
    r = fitVariational(data.values, data.n, data.d, c.k, optionsOf(c, data.n));
    fits.set(c.name, r);
  }
  return r;
}

describe('variational Gaussian mixture against sklearn.mixture.BayesianGaussianMixture', () => {
  it('the reference covers both weight priors, every covariance type, one column, given priors and a max_iter stop', () => {
    const names = reference.cases.map((c) => `${c.data} ${c.settings.weightConcentrationPriorType ?? 'dirichlet_process'} ${c.settings.covarianceType ?? 'full'}`);
    for (const prior of ['dirichlet_process', 'dirichlet_distribution'])
      for (const type of ['full', 'tied', 'diag', 'spherical']) assert.ok(names.includes(`faithful ${prior} ${type}`), `faithful ${prior} ${type}`);
    for (const prior of ['dirichlet_process', 'dirichlet_distribution']) assert.ok(names.includes(`synthetic3d ${prior} full`));
    assert.ok(reference.cases.some((c) => c.data === 'eruptions'));
    assert.ok(reference.cases.some((c) => c.start.resp !== undefined), 'a soft start');
    assert.ok(reference.cases.some((c) => c.settings.covariancePrior !== undefined && c.settings.meanPrior !== undefined));
    assert.ok(reference.cases.some((c) => !c.converged && c.nIter === (c.settings.maxIterations ?? 100)), 'a case stopped by max_iter');
  });

  for (const c of reference.cases) {
    describe(c.name, () => {
      it('has sklearn’s lower bound at every iteration, its iteration count and convergence', () => {
        const r = fitCase(c);
        assert.equal(r.iterations, c.nIter, 'iterations = sklearn n_iter_');
        assert.equal(r.converged, c.converged, 'converged = sklearn converged_');
        assert.equal(r.lowerBounds.length, c.lowerBounds.length);
        assertClose(r.lowerBounds, c.lowerBounds, 1e-8, 0, 'lowerBounds');
        assert.equal(r.lowerBound, r.lowerBounds[r.lowerBounds.length - 1]);
      });

      it('the lower bound never decreases', () => {
        const lb = fitCase(c).lowerBounds;
        for (let t = 1; t < lb.length; t++)
          assert.ok(lb[t] >= lb[t - 1] - 1e-9 * Math.abs(lb[t - 1]), `iteration ${t + 1}: ${lb[t]} < ${lb[t - 1]}`);
      });

      it('ends at sklearn’s weights, means, covariances and posterior parameters', () => {
        const r = fitCase(c);
        const { d } = datasets[c.data];
        assertClose(r.weights, c.final.weights, 1e-6, 1e-6, 'weights');
        assertClose(r.means, c.final.means.flat(), 1e-6, maxAbs(c.final.means) * 1e-3, 'means');
        assertClose(r.covariances, c.final.covariancesFull.flat(2), 1e-6, maxAbs(c.final.covariancesFull) * 1e-3, 'covariances');
        assertClose(r.posterior.meanPrecision, c.final.meanPrecision, 1e-6, 1, 'meanPrecision');
        assertClose(r.posterior.degreesOfFreedom, c.final.degreesOfFreedom, 1e-6, 1, 'degreesOfFreedom');
        assertClose(r.posterior.weightConcentration, c.final.weightConcentration[0], 1e-6, 1, 'weightConcentration');
        if (c.final.weightConcentration.length === 2) assertClose(r.posterior.weightConcentrationB, c.final.weightConcentration[1], 1e-6, 1, 'stick β');
        else assert.equal(r.posterior.weightConcentrationB, undefined);
        assert.equal(r.snapshot.iteration, c.nIter);
        assertClose(r.snapshot.weights, c.final.weights, 1e-6, 1e-6, 'snapshot weights');
        assertClose(r.snapshot.covariances, c.final.covariancesFull, 1e-6, maxAbs(c.final.covariancesFull) * 1e-3, 'snapshot covariances');
        assert.equal(r.snapshot.means[0].length, d);
      });

      it('uses sklearn’s priors (its defaults where none is given)', () => {
        const p = fitCase(c).priors;
        assertClose(p.weightConcentrationPrior, c.priors.weightConcentrationPrior, 1e-15, 0, 'weightConcentrationPrior');
        assert.equal(p.meanPrecisionPrior, c.priors.meanPrecisionPrior);
        assert.equal(p.degreesOfFreedomPrior, c.priors.degreesOfFreedomPrior);
        assertClose(p.meanPrior, c.priors.meanPrior, 1e-12, 0, 'meanPrior');
        assertClose(p.covariancePrior, [c.priors.covariancePrior].flat(2), 1e-12, 0, 'covariancePrior');
      });

      it('gives sklearn’s labels, effective components, score and plug-in log-likelihood', () => {
        const r = fitCase(c);
        assert.deepEqual(Array.from(r.assignments), c.final.labels);
        assert.equal(r.effectiveWeightThreshold, reference.effectiveWeightThreshold);
        assert.equal(r.effectiveComponents, c.final.effectiveComponents);
        assertClose(r.score, c.final.score, 1e-8, 0, 'score');
        assertClose(r.logLikelihood, c.final.plugInLogLikelihood, 1e-8, 0, 'logLikelihood');
        for (let i = 0; i < r.n; i++) {
          let s = 0;
          for (let j = 0; j < r.k; j++) s += r.responsibilities[i * r.k + j];
          assert.ok(Math.abs(s - 1) < 1e-12, `row ${i} responsibilities sum to ${s}`);
        }
      });
    });
  }

  it('Old Faithful with K = 6: both weight priors keep the two eruption clusters, as sklearn', () => {
    for (const prior of ['dp', 'dd']) {
      const c = reference.cases.find((x) => x.name === `faithful K=6 ${prior} full`)!;
      assert.equal(c.final.effectiveComponents, 2, 'sklearn');
      const r = fitCase(c);
      assert.equal(r.effectiveComponents, 2);
      const used = [...r.weights.keys()].filter((j) => r.weights[j] > 0.01).map((j) => Array.from(r.means.subarray(j * 2, j * 2 + 2)));
      used.sort((a, b) => a[0] - b[0]);
      // Short eruptions after short waits, long after long.
      assert.ok(Math.abs(used[0][0] - 2.04) < 0.1 && Math.abs(used[0][1] - 54.5) < 1.5, `short: ${used[0]}`);
      assert.ok(Math.abs(used[1][0] - 4.29) < 0.1 && Math.abs(used[1][1] - 80.0) < 1.5, `long: ${used[1]}`);
    }
  });

  it('the synthetic 3-D set drawn from three Gaussians is fitted with three components out of K = 8', () => {
    for (const c of reference.cases.filter((x) => x.data === 'synthetic3d' && x.k === 8)) assert.equal(fitCase(c).effectiveComponents, 3);
  });
});

describe('variational Gaussian mixture: behaviour', () => {
  const c = reference.cases.find((x) => x.name === 'faithful K=6 dp full')!;
  const { values, n, d } = faithful;

  it('is deterministic and leaves its inputs alone', () => {
    const options = optionsOf(c, n);
    const x = Float64Array.from(values);
    const z = Float64Array.from(options.startResponsibilities);
    const a = fitVariational(x, n, d, 6, options);
    const b = fitVariational(x, n, d, 6, options);
    assert.deepEqual(a.lowerBounds, b.lowerBounds);
    assert.deepEqual(a.covariances, b.covariances);
    assert.deepEqual(x, values);
    assert.deepEqual(options.startResponsibilities, z);
  });

  it('reports every iteration, with a snapshot on request', () => {
    const seen: { iteration: number; lowerBound: number }[] = [];
    let snapshotWeights: number[] = [];
    const r = fitVariational(values, n, d, 6, {
      ...optionsOf(c, n),
      onIteration: ({ iteration, lowerBound, snapshot }) => {
        seen.push({ iteration, lowerBound });
        if (iteration === 5) snapshotWeights = snapshot().weights;
      },
    });
    assert.deepEqual(seen.map((s) => s.iteration), Array.from({ length: r.iterations }, (_, i) => i + 1));
    assert.deepEqual(seen.map((s) => s.lowerBound), r.lowerBounds);
    const five = reference.cases.find((x) => x.name === 'faithful K=6 dp full, stopped at 5 iterations')!;
    assertClose(snapshotWeights, five.final.weights, 1e-6, 1e-6, 'weights after 5 iterations');
  });

  it('maxIterations = 0 returns the start: one M-step from the responsibilities', () => {
    // Dirichlet-distribution weights from a hard partition: E[π_k] = (γ + n_k) / (K γ + n).
    const labels = c.start.labels!;
    const r = fitVariational(values, n, d, 6, {
      ...optionsOf(c, n),
      weightConcentrationPriorType: 'dirichlet_distribution',
      maxIterations: 0,
    });
    assert.equal(r.iterations, 0);
    assert.equal(r.converged, false);
    assert.deepEqual(r.lowerBounds, []);
    assert.equal(r.lowerBound, Number.NEGATIVE_INFINITY);
    for (let j = 0; j < 6; j++) {
      const count = labels.filter((l) => l === j).length;
      assertClose(r.weights[j], (1 / 6 + count) / (1 + n), 1e-12, 0, `weight ${j}`);
      // Posterior mean: (β₀ m₀ + n_k x̄_k) / (β₀ + n_k) with β₀ = 1 and m₀ the data mean.
      for (let a = 0; a < d; a++) {
        let sum = 0;
        let all = 0;
        for (let i = 0; i < n; i++) {
          all += values[i * d + a];
          if (labels[i] === j) sum += values[i * d + a];
        }
        assertClose(r.means[j * d + a], (all / n + sum) / (1 + count), 1e-12, 0, `mean ${j},${a}`);
      }
    }
  });

  it('a component whose covariance is singular stops the fit with a FitError, as sklearn’s ValueError', () => {
    // A constant column with no regularization: the empty third component keeps the singular prior covariance.
    const x = Float64Array.from(values);
    for (let i = 0; i < n; i++) x[i * 2 + 1] = 70;
    const z = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) z[i * 3 + (x[i * 2] > 3 ? 1 : 0)] = 1;
    assert.throws(() => fitVariational(x, n, 2, 3, { startResponsibilities: z, regularization: 0 }), FitError);
  });

  it('rejects bad arguments with a RangeError that says what is wrong', () => {
    const z = optionsOf(c, n).startResponsibilities;
    const fit = (o: Partial<VariationalOptions>, k = 6, x = values, rows = n, cols = d) =>
      fitVariational(x, rows, cols, k, { startResponsibilities: z, ...o });
    const bad: [() => unknown, RegExp][] = [
      [() => fit({}, 6, values, n, 3), /data must be n × d/],
      [() => fit({}, 6, values.subarray(2), n, d), /data must be n × d/],
      [() => fit({}, 6, values, 1, 2), /n \(rows\)/],
      [() => fit({}, 6, values, n, 0), /d \(columns\)/],
      [() => fit({}, 0), /K .* whole number ≥ 1/],
      [() => fit({}, 2.5), /K .* whole number ≥ 1/],
      [() => fit({ startResponsibilities: new Float64Array(12) }, 6, values.subarray(0, 4), 2, 2), /need at least 6 rows/],
      [() => fit({ startResponsibilities: z.subarray(6) }), /startResponsibilities must be n × K/],
      [() => fit({ startResponsibilities: z.map((v) => v * 0.5) }), /rows must sum to 1/],
      [() => fit({ startResponsibilities: z.map((v, i) => (i === 0 ? -1 : v)) }), /must lie in \[0, 1\]/],
      [() => fit({ weightConcentrationPrior: 0 }), /weightConcentrationPrior must be a finite number > 0/],
      [() => fit({ meanPrecisionPrior: -1 }), /meanPrecisionPrior/],
      [() => fit({ degreesOfFreedomPrior: 1 }), /degreesOfFreedomPrior must be greater than d − 1 = 1/],
      [() => fit({ meanPrior: [1] }), /meanPrior must have d = 2 values/],
      [() => fit({ covariancePrior: [1, 0.5, 0, 1] }), /symmetric/],
      [() => fit({ covariancePrior: [1, 2, 2, 1] }), /positive definite/],
      [() => fit({ covariancePrior: [1, 1] }), /d × d = 2 × 2/],
      [() => fit({ covarianceType: 'diag', covariancePrior: [1, 0] }), /variances must be finite and > 0/],
      [() => fit({ covarianceType: 'spherical', covariancePrior: -2 }), /'spherical' must be one finite number > 0/],
      [() => fit({ covarianceType: 'banded' as never }), /covarianceType must be/],
      [() => fit({ weightConcentrationPriorType: 'pitman_yor' as never }), /weightConcentrationPriorType must be/],
      [() => fit({ regularization: -1e-6 }), /regularization must be/],
      [() => fit({ tolerance: Number.NaN }), /tolerance must be ≥ 0/],
      [() => fit({ maxIterations: 1.5 }), /maxIterations must be a whole number ≥ 0/],
      [() => fit({ effectiveWeightThreshold: 1 }), /effectiveWeightThreshold/],
      [() => fit({}, 6, values.map((v, i) => (i === 7 ? Number.NaN : v))), /row 4, column 2 is NaN/],
    ];
    for (const [call, message] of bad) assert.throws(call, (e: unknown) => e instanceof RangeError && message.test(e.message), String(message));
  });
});

describe('special functions against scipy.special', () => {
  const s = reference.special;
  it('lnGamma and digamma agree to 1e-14 (absolute near their zeros)', () => {
    s.x.forEach((x, i) => {
      assertClose(lnGamma(x), s.gammaln[i], 1e-14, 1, `gammaln(${x})`);
      assertClose(digamma(x), s.digamma[i], 1e-14, 1, `digamma(${x})`);
    });
  });
  it('lnBeta agrees to 1e-14', () => {
    for (const [a, b, v] of s.betaln) assertClose(lnBeta(a, b), v, 1e-14, 1, `betaln(${a}, ${b})`);
  });
  it('are NaN outside x > 0', () => {
    for (const x of [0, -1, Number.NaN]) {
      assert.ok(Number.isNaN(lnGamma(x)));
      assert.ok(Number.isNaN(digamma(x)));
    }
  });
});
