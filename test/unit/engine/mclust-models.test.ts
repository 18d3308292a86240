// mclust's 14 covariance models (and E / V for one column) against R's mclust 6.0: from the same starting
// responsibilities, `meFromResponsibilities` must give `me(modelName, data, z)`'s log-likelihood at every iteration,
// its iteration count and its final weights, means and covariances, and `nMclustParams` / BIC exactly as mclust.
// Reference values: test/reference/make_mclust_reference.R → test/reference/mclust_models.json.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { meFromResponsibilities } from '../../../src/engine/families/gaussian/mclust/me';
import {
  defaultMclustModels,
  MCLUST_MULTIVARIATE_MODELS,
  MCLUST_UNIVARIATE_MODELS,
  mclustBic,
  nMclustParams,
  type MclustModelName,
} from '../../../src/engine/families/gaussian/mclust/models';
import { assertClose, loadFaithful, maxAbs } from '../../fixtures/gaussian/helpers';

interface ReferenceCase {
  data: string;
  k: number;
  model: MclustModelName;
  nParams: number;
  returnCode: number;
  iterations: number;
  trace: number[];
  logLikelihood: number;
  bic: number;
  icl: number;
  weights: number[];
  means: number[][];
  covariances: number[][][];
}

interface Reference {
  mclust: string;
  control: { tol: number[]; eps: number };
  data: Record<string, { n: number; d: number; values: number[] }>;
  starts: Record<string, number[]>;
  nMclustParams: { model: MclustModelName; d: number; k: number; value: number }[];
  failing: { data: string; k: number; model: MclustModelName; classes: number[]; returnCode: number; logLikelihoodIsNA: boolean };
  cases: ReferenceCase[];
}

const reference = JSON.parse(readFileSync(path.resolve(__dirname, '../../reference/mclust_models.json'), 'utf8')) as Reference;

/** Agreement asked of every model: 1e-6 relative (the fits agree to about 1e-14). */
const RTOL = 1e-6;

/** The hard partition (1-based classes) as n × K responsibilities. */
function unmap(classes: number[], k: number): Float64Array {
  const z = new Float64Array(classes.length * k);
  classes.forEach((c, i) => (z[i * k + c - 1] = 1));
  return z;
}

function fitCase(c: { data: string; k: number; model: MclustModelName }, classes = reference.starts[`${c.data}/${c.k}`]) {
  const data = reference.data[c.data];
  return meFromResponsibilities(c.model, Float64Array.from(data.values), data.n, data.d, unmap(classes, c.k), { maxIterations: 100000 });
}

function nested(values: Float64Array, k: number, d: number): number[][][] {
  return Array.from({ length: k }, (_, c) => Array.from({ length: d }, (_, r) => Array.from(values.subarray(c * d * d + r * d, c * d * d + r * d + d))));
}

describe('mclust covariance models against R mclust me() (Old Faithful, diabetes, iris, banknote, waiting)', () => {
  it('the reference is mclust 6.0 with its default control, covering every model on each data set for K = 1, 2 and 3', () => {
    assert.equal(reference.mclust, '6.0.0');
    assert.deepEqual(reference.control.tol, [1e-5, Math.sqrt(Number.EPSILON)]);
    for (const data of ['faithful', 'diabetes', 'iris', 'banknote']) {
      for (const k of [1, 2, 3]) {
        for (const model of MCLUST_MULTIVARIATE_MODELS) {
          const c = reference.cases.find((x) => x.data === data && x.k === k && x.model === model);
          assert.ok(c?.trace, `${data} K=${k} ${model} has a reference fit`);
        }
      }
    }
    for (const k of [1, 2, 3]) for (const model of MCLUST_UNIVARIATE_MODELS) assert.ok(reference.cases.some((x) => x.data === 'waiting' && x.k === k && x.model === model));
  });

  it('the reference data are the committed Old Faithful file', () => {
    const faithful = loadFaithful();
    assert.deepEqual(reference.data.faithful.values, Array.from(faithful.values));
  });

  for (const c of reference.cases) {
    describe(`${c.data}, K = ${c.k}, ${c.model}`, () => {
      it('has mclust’s log-likelihood at every iteration and stops at the same iteration', () => {
        const fit = fitCase(c);
        assert.equal(fit.status, 'converged');
        assert.equal(fit.iterations, c.iterations, 'iterations = mclust info["iterations"]');
        assertClose(fit.trace, c.trace, RTOL, 0, 'trace');
        assertClose(fit.logLikelihood, c.logLikelihood, RTOL, 0, 'logLikelihood');
      });

      it('ends at mclust’s weights, means and covariances', () => {
        const fit = fitCase(c);
        const d = reference.data[c.data].d;
        assertClose(fit.weights, c.weights, RTOL, 0, 'weights');
        assertClose(fit.means, c.means.flat(), RTOL, 0, 'means');
        // Relative to the largest entry of each matrix: off-diagonal covariances can be near 0.
        for (let k = 0; k < c.k; k++) {
          assertClose(nested(fit.covariances, c.k, d)[k], c.covariances[k], RTOL, maxAbs(c.covariances[k]), `covariances[${k}]`);
        }
      });

      it('counts parameters and computes BIC and ICL as mclust', () => {
        const fit = fitCase(c);
        const d = reference.data[c.data].d;
        assert.equal(fit.parameters, c.nParams);
        assert.equal(nMclustParams(c.model, d, c.k), c.nParams);
        assertClose(fit.bic, c.bic, RTOL, 0, 'bic');
        assertClose(mclustBic(c.logLikelihood, c.nParams, reference.data[c.data].n), c.bic, 1e-12, 0, 'bic from mclust’s log-likelihood');
        assertClose(fit.icl, c.icl, RTOL, 0, 'icl');
        if (c.k > 1) assert.ok(fit.icl < fit.bic, 'ICL adds a negative entropy term');
        else assert.equal(fit.icl, fit.bic, 'one component: no entropy');
      });
    });
  }

  it('nMclustParams equals mclust’s for every model, d = 2…6 (1 for E, V) and K = 1…9', () => {
    assert.equal(reference.nMclustParams.length, 14 * 5 * 9 + 2 * 9);
    for (const row of reference.nMclustParams) assert.equal(nMclustParams(row.model, row.d, row.k), row.value, `${row.model} d=${row.d} K=${row.k}`);
  });

  it('mclust’s default candidate models: E, V for one column, the six spherical and diagonal ones when n ≤ d', () => {
    assert.deepEqual(defaultMclustModels(272, 1), ['E', 'V']);
    assert.deepEqual(defaultMclustModels(272, 2), [...MCLUST_MULTIVARIATE_MODELS]);
    assert.deepEqual(defaultMclustModels(5, 5), ['EII', 'VII', 'EEI', 'VEI', 'EVI', 'VVI']);
    assert.deepEqual(defaultMclustModels(6, 5).length, 14);
  });

  it('a start from which mclust’s V fit fails (variance below threshold) fails here too, with no log-likelihood', () => {
    const f = reference.failing;
    assert.equal(f.returnCode, -1);
    assert.ok(f.logLikelihoodIsNA);
    const fit = fitCase(f, f.classes);
    assert.equal(fit.status, 'singular');
    assert.equal(fit.converged, false);
    assert.ok(Number.isNaN(fit.logLikelihood) && Number.isNaN(fit.bic));
  });
});
