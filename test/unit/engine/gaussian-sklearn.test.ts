// The Gaussian family in the shared EM loop against scikit-learn's GaussianMixture on Old Faithful, from the same
// explicit starting parameters (reference values: test/reference/make_sklearn_reference.py →
// test/reference/sklearn_gaussian.json).

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { informationCriteria, runEm } from '../../../src/engine/em/em';
import { GaussianFamily } from '../../../src/engine/families/gaussian/family';
import type { CovarianceType, GaussianSnapshot } from '../../../src/shared/protocol';
import { assertClose, loadFaithful, maxAbs, REFERENCE_FILE, standardize } from '../../fixtures/gaussian/helpers';

interface ReferenceCase {
  name: string;
  standardized: boolean;
  k: number;
  covarianceType: CovarianceType;
  tol: number;
  maxIter: number;
  init: { weights: number[]; means: number[][]; covariances: unknown };
  trace: number[];
  nIter: number;
  converged: boolean;
  final: {
    weights: number[];
    means: number[][];
    covariances: unknown;
    covariancesExpanded: number[][][];
    logLikelihood: number;
    bic: number;
    aic: number;
  };
}

interface Reference {
  n: number;
  d: number;
  standardization: { mean: number[]; sd: number[]; ddof: number };
  settings: { tol: number; regCovar: number; maxIter: number };
  cases: ReferenceCase[];
}

const reference = JSON.parse(readFileSync(REFERENCE_FILE, 'utf8')) as Reference;
const faithful = loadFaithful();
const standardized = standardize(faithful.values, faithful.n, faithful.d);

function fitCase(c: ReferenceCase) {
  const values = c.standardized ? standardized.values : faithful.values;
  const family = new GaussianFamily(values, faithful.n, faithful.d, {
    covarianceType: c.covarianceType,
    regularization: reference.settings.regCovar,
    init: 'params',
    initParams: c.init,
  });
  const run = runEm(family, {
    k: c.k,
    maxIterations: c.maxIter,
    tolerance: c.tol,
    variant: 'soft',
    restarts: 1,
    seed: 0,
    keepSnapshots: true,
  });
  return { family, run, last: run.snapshots[run.snapshots.length - 1] as GaussianSnapshot };
}

describe('Gaussian family against sklearn.mixture.GaussianMixture (Old Faithful)', () => {
  it('the reference covers raw and standardised data, K = 2 and 3, every covariance type and fig. 11.11', () => {
    assert.equal(reference.n, faithful.n);
    const keys = new Set(reference.cases.map((c) => `${c.standardized}-${c.k}-${c.covarianceType}`));
    for (const s of [false, true]) for (const k of [2, 3]) for (const t of ['full', 'diag', 'spherical', 'tied']) assert.ok(keys.has(`${s}-${k}-${t}`));
    assert.ok(reference.cases.some((c) => c.name === 'murphy-fig-11.11'));
    assert.ok(reference.cases.some((c) => !c.converged && c.nIter === c.maxIter), 'a case stopped by max_iter');
  });

  it('standardises the data as the reference script did (population sd, ddof = 0)', () => {
    assert.equal(reference.standardization.ddof, 0);
    assertClose(standardized.mean, reference.standardization.mean, 1e-14, 0, 'mean');
    assertClose(standardized.sd, reference.standardization.sd, 1e-14, 0, 'sd');
  });

  for (const c of reference.cases) {
    describe(c.name, () => {
      it('has the same log-likelihood at every iteration, the same iteration count and convergence', () => {
        const { run } = fitCase(c);
        assert.equal(run.iterations, c.nIter, 'iterations = sklearn n_iter_');
        assert.equal(run.converged, c.converged);
        assert.equal(run.trace.length, c.trace.length);
        assertClose(run.trace, c.trace, 1e-8, 0, 'trace');
        assertClose(run.logLikelihood, c.final.logLikelihood, 1e-8, 0, 'logLikelihood');
      });

      it('ends at the same weights, means and covariances', () => {
        const { run, last } = fitCase(c);
        const p = run.params;
        assertClose(p.weights, c.final.weights, 1e-6, 0, 'weights');
        assertClose(last.weights, c.final.weights, 1e-6, 0, 'snapshot weights');
        assertClose(last.means, c.final.means, 1e-6, maxAbs(c.final.means) * 1e-3, 'means');
        // Compact covariances as sklearn stores them, and the snapshot's K × D × D expansion.
        const covScale = maxAbs(c.final.covariances) * 1e-3;
        assertClose(p.covariances, [c.final.covariances].flat(3), 1e-6, covScale, 'covariances');
        assertClose(last.covariances, c.final.covariancesExpanded, 1e-6, covScale, 'expanded covariances');
      });

      it('reports sklearn’s BIC and AIC through informationCriteria and parameterCount', () => {
        const { run, family } = fitCase(c);
        const { bic, aic } = informationCriteria(run.logLikelihood, family.parameterCount(c.k), faithful.n);
        assertClose(bic, c.final.bic, 1e-8, 0, 'bic');
        assertClose(aic, c.final.aic, 1e-8, 0, 'aic');
      });
    });
  }

  it('fig. 11.11: from means (−1.5, 1.5), (1.5, −1.5) and identity covariances, separates short and long eruptions', () => {
    // With the default tol both sklearn and we stop early near the origin (case murphy-fig-11.11 above); with a
    // tight tol the fit reaches the figure's two clusters.
    const c = reference.cases.find((x) => x.name === 'murphy-fig-11.11-tight')!;
    const { run, last } = fitCase(c);
    assert.ok(run.converged);
    assert.ok(run.iterations > 15, `took ${run.iterations} iterations`);
    // One component per cluster of Old Faithful: short eruptions / short waits, long eruptions / long waits.
    const [a, b] = last.means;
    assert.ok(Math.sign(a[0]) === Math.sign(a[1]) && Math.sign(b[0]) === Math.sign(b[1]) && Math.sign(a[0]) !== Math.sign(b[0]));
    assertClose(last.means, c.final.means, 1e-6, 1e-3, 'means');
  });
});
