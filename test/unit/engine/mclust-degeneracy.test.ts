// Degenerate components of mclust-model fits, on constructed cases: a component on points that share one value of a
// column (as Old Faithful's integer `waiting` invites), one on too few distinct points, one flat along a direction
// that is not a column, and healthy fits of every model that must not be flagged.

import * as assert from 'node:assert/strict';
import { findMclustDegenerateComponents, pointsNeeded } from '../../../src/engine/families/gaussian/mclust/degeneracy';
import { meFromResponsibilities } from '../../../src/engine/families/gaussian/mclust/me';
import { MCLUST_MULTIVARIATE_MODELS, type MclustModelName } from '../../../src/engine/families/gaussian/mclust/models';
import { MclustState } from '../../../src/engine/families/gaussian/mclust/mstep';
import { loadFaithful } from '../../fixtures/gaussian/helpers';

const faithful = loadFaithful();
const COLUMNS = ['eruptions', 'waiting'];

/** The M-step of `model` from hard classes (0-based), with a ridge, and the degeneracy verdict on it. */
function verdict(model: MclustModelName, values: Float64Array, n: number, d: number, classes: number[], k: number, regularization: number) {
  const z = new Float64Array(n * k);
  classes.forEach((c, i) => (z[i * k + c] = 1));
  const state = new MclustState(model, d, k);
  const failure = state.mStep(values, n, z, { innerTolerance: 1.49e-8, innerMaxIterations: 1000, eps: Number.EPSILON, regularization });
  assert.equal(failure, undefined, `${model} M-step`);
  return findMclustDegenerateComponents({ model, values, n, d, k, z, covariances: state.covariances, regularization, columns: COLUMNS });
}

describe('mclust degenerate components', () => {
  it('a component on faithful rows that all wait 78 minutes is flat in "waiting" (VVI and VVV, ridge 1e-6)', () => {
    const classes = Array.from({ length: faithful.n }, (_, i) => (faithful.values[i * 2 + 1] === 78 ? 1 : 0));
    const members = classes.filter((c) => c === 1).length;
    assert.ok(members >= 10, `${members} rows wait 78 minutes`);
    const diag = verdict('VVI', faithful.values, faithful.n, 2, classes, 2, 1e-6);
    assert.deepEqual(diag.map((f) => f.component), [1]);
    assert.match(diag[0].reason, /share one value of "waiting"/);
    const full = verdict('VVV', faithful.values, faithful.n, 2, classes, 2, 1e-6);
    assert.deepEqual(full.map((f) => f.component), [1]);
    assert.match(full[0].reason, /flat along "waiting"/);
  });

  it('the same partition is not degenerate for models whose component has no shape of its own (EEE, EII, VII)', () => {
    const classes = Array.from({ length: faithful.n }, (_, i) => (faithful.values[i * 2 + 1] === 78 ? 1 : 0));
    for (const model of ['EEE', 'EII', 'VII'] as const) assert.deepEqual(verdict(model, faithful.values, faithful.n, 2, classes, 2, 0), [], model);
  });

  it('a component on two distinct points is too few for its own orientation in two columns (VVV needs 3)', () => {
    assert.equal(pointsNeeded('VVV', 2), 3);
    assert.equal(pointsNeeded('VII', 2), 2);
    assert.equal(pointsNeeded('EEE', 2), 1);
    const values = Float64Array.from([...faithful.values, 10, 200, 12, 180, 10, 200]);
    const n = faithful.n + 3;
    const classes = Array.from({ length: n }, (_, i) => (i >= faithful.n ? 1 : 0));
    const found = verdict('VVV', values, n, 2, classes, 2, 1e-6);
    assert.deepEqual(found.map((f) => f.component), [1]);
    assert.match(found[0].reason, /sits on 2 distinct points, fewer than the 3 that its own orientation needs/);
    // VII needs only two points for its own volume: the same component is healthy there.
    assert.deepEqual(verdict('VII', values, n, 2, classes, 2, 1e-6), []);
  });

  it('a component whose points lie on a slanted line is flat along a combination of the columns (VVV, ridge 1e-6)', () => {
    const line = Array.from({ length: 12 }, (_, i) => [2 + 0.1 * i, 60 + 2 * i]).flat();
    const values = Float64Array.from([...faithful.values, ...line]);
    const n = faithful.n + 12;
    const classes = Array.from({ length: n }, (_, i) => (i >= faithful.n ? 1 : 0));
    const found = verdict('VVV', values, n, 2, classes, 2, 1e-6);
    assert.deepEqual(found.map((f) => f.component), [1]);
    assert.match(found[0].reason, /flat along a combination of the columns/);
  });

  it('converged fits of every model on Old Faithful (K = 2, from short vs long eruptions) have no degenerate component', () => {
    const k = 2;
    const z = new Float64Array(faithful.n * k);
    for (let i = 0; i < faithful.n; i++) z[i * k + (faithful.values[i * 2] < 3 ? 0 : 1)] = 1;
    for (const model of MCLUST_MULTIVARIATE_MODELS) {
      const fit = meFromResponsibilities(model, faithful.values, faithful.n, 2, z, { maxIterations: 1000 });
      assert.equal(fit.status, 'converged', model);
      const found = findMclustDegenerateComponents({ model, values: faithful.values, n: faithful.n, d: 2, k, z: fit.z, covariances: fit.covariances, regularization: 0 });
      assert.deepEqual(found, [], model);
    }
  });
});
