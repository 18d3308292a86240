// scikit-learn's four covariance types are four of mclust's models (spherical = VII, diag = VVI, tied = EEE,
// full = VVV): from the same start, with regularisation 0, the mclust models and today's GaussianFamily (the
// scikit-learn engine, checked against scikit-learn in gaussian-sklearn.test.ts) give the same EM iterations.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runEm } from '../../../src/engine/em/em';
import { GaussianFamily } from '../../../src/engine/families/gaussian/family';
import { meFromResponsibilities } from '../../../src/engine/families/gaussian/mclust/me';
import { SKLEARN_COVARIANCE_ALIASES } from '../../../src/engine/families/gaussian/mclust/models';
import type { CovarianceType } from '../../../src/shared/protocol';
import { assertClose, maxAbs } from '../../fixtures/gaussian/helpers';

interface Reference {
  data: Record<string, { n: number; d: number; values: number[] }>;
  starts: Record<string, number[]>;
}

const reference = JSON.parse(readFileSync(path.resolve(__dirname, '../../reference/mclust_models.json'), 'utf8')) as Reference;
const ITERATIONS = 15;

function nestedCovariances(values: Float64Array, k: number, d: number): number[][][] {
  return Array.from({ length: k }, (_, c) => Array.from({ length: d }, (_, r) => Array.from(values.subarray(c * d * d + r * d, c * d * d + r * d + d))));
}

function nestedMeans(values: Float64Array, k: number, d: number): number[][] {
  return Array.from({ length: k }, (_, c) => Array.from(values.subarray(c * d, c * d + d)));
}

describe('scikit-learn covariance types are mclust models (same start, regularisation 0)', () => {
  for (const data of ['faithful', 'diabetes']) {
    for (const k of [2, 3]) {
      for (const [type, model] of Object.entries(SKLEARN_COVARIANCE_ALIASES) as [CovarianceType, 'VII' | 'VVI' | 'EEE' | 'VVV'][]) {
        it(`${data}, K = ${k}: ${type} = ${model} for ${ITERATIONS} iterations`, () => {
          const { n, d, values } = reference.data[data];
          const x = Float64Array.from(values);
          const z = new Float64Array(n * k);
          reference.starts[`${data}/${k}`].forEach((c, i) => (z[i * k + c - 1] = 1));
          const mclust = meFromResponsibilities(model, x, n, d, z, { maxIterations: ITERATIONS, tolerance: 0 });
          // The GaussianFamily starts from mclust's first M-step, θ₀; its log-likelihood trace is of θ₀, θ₁, ….
          const first = meFromResponsibilities(model, x, n, d, z, { maxIterations: 1 });
          const family = new GaussianFamily(x, n, d, {
            covarianceType: type,
            regularization: 0,
            init: 'params',
            initParams: {
              weights: Array.from(first.weights),
              means: nestedMeans(first.means, k, d),
              covariances: nestedCovariances(first.covariances, k, d),
            },
          });
          const run = runEm(family, { k, maxIterations: ITERATIONS - 1, tolerance: 1e-300, variant: 'soft', restarts: 1, seed: 0, keepSnapshots: true });
          assertClose(run.logLikelihoodTrace.slice(0, ITERATIONS), mclust.trace, 1e-10, 0, 'log-likelihood trace');
          const last = run.snapshots[run.snapshots.length - 1] as unknown as { weights: number[]; means: number[][]; covariances: number[][][] };
          // The snapshot after ITERATIONS − 1 M-steps is θ_{ITERATIONS−1}, mclust's parameters after ITERATIONS.
          assertClose(last.weights, Array.from(mclust.weights), 1e-8, 0, 'weights');
          assertClose(last.means, nestedMeans(mclust.means, k, d), 1e-8, 0, 'means');
          const covariances = nestedCovariances(mclust.covariances, k, d);
          assertClose(last.covariances, covariances, 1e-8, maxAbs(covariances), 'covariances');
        });
      }
    }
  }
});
