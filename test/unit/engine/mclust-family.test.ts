// mclust's covariance models as a product setting: MclustGaussianFamily in the shared EM loop, and covarianceType
// naming any of them. From the same starting responsibilities and with regularisation 0, the loop must reproduce
// meFromResponsibilities (R's me(), checked against mclust 6.0 in mclust-models.test.ts) iteration by iteration,
// and a fit through the product (fitDataset) from the same start must report R's log-likelihood, BIC and ICL.
// Reference values: test/reference/make_mclust_reference.R → test/reference/mclust_models.json.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { TableData } from '../../../src/engine/data/dataset';
import { runEm } from '../../../src/engine/em/em';
import { FitError, OptionsError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import { GaussianFamily } from '../../../src/engine/families/gaussian/family';
import { MclustGaussianFamily, mclustModelForColumns, type MclustParams } from '../../../src/engine/families/gaussian/mclust/family';
import { meFromResponsibilities } from '../../../src/engine/families/gaussian/mclust/me';
import {
  MCLUST_MULTIVARIATE_MODELS,
  MCLUST_UNIVARIATE_MODELS,
  mclustIcl,
  nMclustParams,
  SKLEARN_COVARIANCE_ALIASES,
  type MclustModelName,
} from '../../../src/engine/families/gaussian/mclust/models';
import type { CovarianceType, FitOptions, FitResult } from '../../../src/shared/protocol';
import { settingSpec, validateFitOptions, type EnumSpec } from '../../../src/shared/settings';
import { assertClose, maxAbs } from '../../fixtures/gaussian/helpers';

interface ReferenceCase {
  data: string;
  k: number;
  model: MclustModelName;
  nParams: number;
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
  data: Record<string, { n: number; d: number; values: number[] }>;
  starts: Record<string, number[]>;
  failing: { data: string; k: number; model: MclustModelName; classes: number[] };
  cases: ReferenceCase[];
}

const reference = JSON.parse(readFileSync(path.resolve(__dirname, '../../reference/mclust_models.json'), 'utf8')) as Reference;

/** Old Faithful (2 columns), diabetes (3 columns), waiting (one column: E and V). */
const CASES = reference.cases.filter((c) => (c.data === 'faithful' || c.data === 'diabetes' || c.data === 'waiting') && c.k > 1);

function unmap(classes: number[], k: number): Float64Array {
  const z = new Float64Array(classes.length * k);
  classes.forEach((c, i) => (z[i * k + c - 1] = 1));
  return z;
}

function nested(values: ArrayLike<number>, k: number, d: number): number[][][] {
  return Array.from({ length: k }, (_, c) => Array.from({ length: d }, (_, r) => Array.from({ length: d }, (_, s) => values[c * d * d + r * d + s])));
}

/** The family started from given responsibilities, as R's me() is. */
class StartedFamily extends MclustGaussianFamily {
  constructor(
    values: Float64Array,
    n: number,
    d: number,
    model: MclustModelName,
    private readonly z0: Float64Array,
  ) {
    super(values, n, d, { model, regularization: 0, init: 'random' });
  }

  override initialize(k: number): MclustParams {
    return this.fromResponsibilities(this.z0, k);
  }
}

function table(fileName: string, values: ArrayLike<number>, n: number, d: number, columns = Array.from({ length: d }, (_, j) => `x${j + 1}`)): TableData {
  return {
    kind: 'table',
    n,
    d,
    values: Float64Array.from(values),
    columns,
    summary: { fileName, n, d, columns, notes: [], droppedColumns: [], skippedRows: 0, skippedLines: [] },
  };
}

function fit(data: TableData, options: Partial<FitOptions>): FitResult {
  return fitDataset(data, { model: 'gaussian', ...options }).result;
}

describe('MclustGaussianFamily in the EM loop against meFromResponsibilities (R me(), regularisation 0)', () => {
  for (const c of CASES) {
    it(`${c.data}, K = ${c.k}, ${c.model}: the same log-likelihood at each of mclust's ${c.iterations} iterations, and its final parameters`, () => {
      const { n, d, values } = reference.data[c.data];
      const x = Float64Array.from(values);
      const z0 = unmap(reference.starts[`${c.data}/${c.k}`], c.k);
      // me() takes `iterations` M-steps; the loop's start is the first, then iterations − 1 more. Tolerance 0: the
      // loop never stops early (its rule differs from mclust's relative change), so both take the same steps.
      const me = meFromResponsibilities(c.model, x, n, d, z0, { maxIterations: c.iterations, tolerance: 0 });
      const family = new StartedFamily(x, n, d, c.model, z0);
      const run = runEm(family, { k: c.k, maxIterations: c.iterations - 1, tolerance: 0, variant: 'soft', restarts: 1, seed: 0, keepSnapshots: false });
      assert.equal(run.logLikelihoodTrace.length, c.iterations);
      assertClose(run.logLikelihoodTrace, me.trace, 1e-12, 0, 'trace vs meFromResponsibilities');
      assertClose(run.logLikelihoodTrace, c.trace, 1e-6, 0, 'trace vs R');
      const { state } = run.params;
      assertClose(state.weights, me.weights, 1e-10, 0, 'weights');
      assertClose(state.means, me.means, 1e-10, maxAbs(Array.from(me.means)), 'means');
      assertClose(state.covariances, me.covariances, 1e-9, maxAbs(Array.from(me.covariances)), 'covariances');
      assertClose(state.means, c.means.flat(), 1e-6, 0, 'means vs R');
      for (let j = 0; j < c.k; j++) assertClose(nested(state.covariances, c.k, d)[j], c.covariances[j], 1e-6, maxAbs(c.covariances[j]), `covariances[${j}] vs R`);
      // BIC and ICL of the loop's final parameters and responsibilities, in mclust's sign, are R's.
      const z = run.logResp.map(Math.exp);
      const bic = 2 * run.logLikelihood - family.parameterCount(c.k) * Math.log(n);
      assert.equal(family.parameterCount(c.k), c.nParams);
      assertClose(bic, c.bic, 1e-9, 0, 'BIC');
      assertClose(mclustIcl(bic, z, n, c.k), c.icl, 1e-9, 0, 'ICL');
    });
  }
});

describe('covarianceType = an mclust model, through fitDataset', () => {
  // From R's start: θ₀ is mclust's first M-step (given as initParams); the fit then takes R's remaining M-steps.
  // EVE and VVE carry their common orientation from one M-step to the next, and their inner iterations stop at a
  // relative change of √ε in their target, not at the exact orientation: from θ₀ they start it at the identity
  // instead of where R's first M-step left it, which moves the fit by up to 6e-7 relative (diabetes EVE's ICL).
  // Every other model matches R to 1e-10 here.
  for (const c of CASES.filter((x) => x.data !== 'diabetes' || x.k === 3)) {
    const rtol = c.model === 'EVE' || c.model === 'VVE' ? 2e-6 : 1e-9;
    it(`${c.data}, K = ${c.k}, ${c.model}: R's log-likelihood, BIC and ICL (mclust's sign), parameters and sklearn's BIC = −BIC`, () => {
      const { n, d, values } = reference.data[c.data];
      const x = Float64Array.from(values);
      const first = meFromResponsibilities(c.model, x, n, d, unmap(reference.starts[`${c.data}/${c.k}`], c.k), { maxIterations: 1 });
      const result = fit(table(`${c.data}.csv`, x, n, d), {
        k: c.k,
        covarianceType: c.model,
        regularization: 0,
        tolerance: 0,
        maxIterations: c.iterations - 1,
        init: 'params',
        initParams: {
          weights: Array.from(first.weights),
          means: Array.from({ length: c.k }, (_, j) => Array.from(first.means.subarray(j * d, (j + 1) * d))),
          covariances: nested(first.covariances, c.k, d),
        },
      });
      assert.equal(result.covarianceType, c.model);
      assert.equal(result.parameters, c.nParams);
      assertClose(result.logLikelihood, c.logLikelihood, rtol, 0, 'log-likelihood');
      assertClose(result.mclustBic!, c.bic, rtol, 0, 'mclustBic');
      assertClose(result.icl!, c.icl, rtol, 0, 'icl');
      assert.equal(result.bic, -result.mclustBic!);
      assert.ok(result.icl! <= result.mclustBic!);
      assert.equal(result.covariances!.length, c.k);
      for (const cov of result.covariances!) assert.equal(cov.length, d);
      assert.equal(result.degenerate, undefined);
    });
  }

  it('every mclust model fits Old Faithful from k-means++ with the default regularisation; the panel gets full K × d × d matrices', () => {
    const { n, d, values } = reference.data.faithful;
    for (const model of MCLUST_MULTIVARIATE_MODELS) {
      const result = fit(table('faithful.csv', values, n, d), { k: 3, covarianceType: model, seed: 1 });
      assert.equal(result.covarianceType, model);
      assert.equal(result.parameters, nMclustParams(model, d, 3));
      assert.ok(result.mclustBic! < 2 * result.logLikelihood && result.icl! <= result.mclustBic!, model);
      for (const snapshot of result.snapshots) {
        assert.ok(snapshot.model === 'gaussian');
        assert.deepEqual(snapshot.covariances.map((m) => m.map((r) => r.length)), [[2, 2], [2, 2], [2, 2]]);
      }
      // EM never lowers the log-likelihood (up to the inner iterations' tolerance).
      for (let t = 1; t < result.trace.length; t++) assert.ok(result.trace[t] >= result.trace[t - 1] - 1e-7 * Math.abs(result.trace[t]), `${model} iteration ${t}`);
    }
  });

  it('the model constrains the covariances: EEE one matrix, EII one multiple of I, VVI diagonal, EEV equal determinants', () => {
    const { n, d, values } = reference.data.diabetes;
    const data = table('diabetes.csv', values, n, d);
    const det3 = (m: number[][]) =>
      m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    const eee = fit(data, { k: 3, covarianceType: 'EEE' }).covariances!;
    assertClose(eee[1], eee[0], 1e-12, maxAbs(eee[0]), 'EEE');
    assertClose(eee[2], eee[0], 1e-12, maxAbs(eee[0]), 'EEE');
    const eii = fit(data, { k: 3, covarianceType: 'EII' }).covariances!;
    for (const m of eii) assertClose(m, [[eii[0][0][0], 0, 0], [0, eii[0][0][0], 0], [0, 0, eii[0][0][0]]], 1e-12, eii[0][0][0], 'EII');
    const vvi = fit(data, { k: 3, covarianceType: 'VVI' }).covariances!;
    for (const m of vvi) for (let r = 0; r < 3; r++) for (let s = 0; s < 3; s++) if (r !== s) assert.equal(m[r][s], 0);
    const eev = fit(data, { k: 3, covarianceType: 'EEV' }).covariances!;
    assertClose(eev.map(det3), [det3(eev[0]), det3(eev[0]), det3(eev[0])], 1e-9, 0, 'EEV determinants');
  });

  it('one column: a multivariate name is fitted as E or V (by its volume letter) and says so', () => {
    const { n, values } = reference.data.waiting;
    const data = table('waiting.csv', values, n, 1, ['waiting']);
    const e = fit(data, { k: 2, covarianceType: 'E', seed: 4 });
    const v = fit(data, { k: 2, covarianceType: 'V', seed: 4 });
    assert.equal(e.covarianceType, 'E');
    for (const model of MCLUST_MULTIVARIATE_MODELS) {
      const expected = model[0] === 'E' ? e : v;
      assert.equal(mclustModelForColumns(model, 1), model[0]);
      const result = fit(data, { k: 2, covarianceType: model, seed: 4 });
      assert.equal(result.covarianceType, model[0]);
      assert.equal(result.logLikelihood, expected.logLikelihood, model);
      assert.deepEqual(result.covariances, expected.covariances);
      assert.ok(result.notes?.some((note) => note.includes(`covarianceType ${model} on one column is mclust's model ${model[0]}`)), model);
    }
  });

  it('E and V on several columns are refused, naming the models to use', () => {
    const { n, d, values } = reference.data.faithful;
    for (const model of MCLUST_UNIVARIATE_MODELS) {
      assert.throws(
        () => fit(table('faithful.csv', values, n, d), { k: 2, covarianceType: model }),
        (e: unknown) => e instanceof OptionsError && /covarianceType "[EV]" is mclust's model for one column, but the data have 2 columns/.test(e.message) && /Use a multivariate model/.test(e.message),
      );
    }
  });

  it('VVV with no more rows than columns is refused without regularization, as "full" is', () => {
    const rows = [1, 2, 3, 4, 2, 7, 1, 9, 3];
    assert.throws(() => fit(table('few.csv', rows, 3, 3), { k: 1, covarianceType: 'VVV', regularization: 0 }), /3 columns but only 3 rows: a full covariance per component cannot be estimated without regularization\. Set regularization > 0 \(e\.g\. 1e-6, the default\), use covarianceType "VVI"/);
  });

  it('a component on too few points is reported degenerate (mclust rules), the others are not', () => {
    // Old Faithful and three copies of one far point: the third component sits on one distinct point.
    const { n, d, values } = reference.data.faithful;
    const data = table('spike.csv', [...values, 10, 10, 10, 10, 10, 10], n + 3, d);
    const result = fit(data, {
      k: 3,
      covarianceType: 'VVV',
      init: 'params',
      initParams: { weights: [0.35, 0.6, 0.05], means: [[2, 55], [4.3, 80], [10, 10]] },
    });
    assert.deepEqual(result.degenerate?.map((c) => c.component), [2]);
    assert.match(result.degenerate![0].reason, /sits on 1 distinct point, fewer than the 3 that its own orientation needs/);
    assert.ok(result.notes?.some((note) => /Component 3 is degenerate/.test(note)));
  });

  it('an M-step that fails is a FitError naming the model, what failed and what to change (R: NA from the same start)', () => {
    const f = reference.failing;
    const { n, d, values } = reference.data[f.data];
    const family = new StartedFamily(Float64Array.from(values), n, d, f.model, unmap(f.classes, f.k));
    assert.throws(
      () => runEm(family, { k: f.k, maxIterations: 100, tolerance: 0, variant: 'soft', restarts: 1, seed: 0, keepSnapshots: false }),
      (e: unknown) =>
        e instanceof FitError &&
        /^mclust model V, K = 2: (the covariance of component \d|a covariance) became singular at M-step \d+/.test(e.message) &&
        /Set regularization > 0 \(e\.g\. 1e-6\), try fewer components \(K\)/.test(e.message),
    );
  });

  it('an emptied component is a FitError naming the component', () => {
    // Component 2 starts with no row at all.
    const { n, d, values } = reference.data.faithful;
    const z0 = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) z0[i * 2] = 1;
    assert.throws(
      () => runEm(new StartedFamily(Float64Array.from(values), n, d, 'VVV', z0), { k: 2, maxIterations: 5, tolerance: 0, variant: 'soft', restarts: 1, seed: 0, keepSnapshots: false }),
      (e: unknown) => e instanceof FitError && /^mclust model VVV, K = 2: component 2 lost all its points at M-step 1 .*Try fewer components \(K\)/.test(e.message),
    );
  });

  it('every start works: kmeans++, random, random-data (covariances regularization × I), params without covariances; hard EM; restarts', () => {
    const { n, d, values } = reference.data.faithful;
    const data = table('faithful.csv', values, n, d);
    for (const init of ['kmeans++', 'random', 'random-data'] as const) {
      const result = fit(data, { k: 2, covarianceType: 'VEV', init, seed: 2, restarts: 2 });
      assert.equal(result.restartObjectives.length, 2);
      assert.ok(Number.isFinite(result.logLikelihood));
    }
    const randomData = fit(data, { k: 2, covarianceType: 'EVE', init: 'random-data', seed: 2, maxIterations: 0 });
    for (const m of randomData.covariances!) assert.deepEqual(m, [[1e-6, 0], [0, 1e-6]]);
    const noCovariances = fit(data, { k: 2, covarianceType: 'EEV', init: 'params', initParams: { weights: [0.3, 0.7], means: [[2, 54], [4.3, 80]] }, maxIterations: 0 });
    assert.deepEqual(noCovariances.weights, [0.3, 0.7]);
    assert.deepEqual(noCovariances.means, [[2, 54], [4.3, 80]]);
    const hard = fit(data, { k: 2, covarianceType: 'VVE', emVariant: 'hard' });
    assert.ok(hard.converged);
    // Seeded: the same settings give the same fit.
    const once = fit(data, { k: 3, covarianceType: 'VEE', seed: 9 });
    const again = fit(data, { k: 3, covarianceType: 'VEE', seed: 9 });
    assert.deepEqual({ ...again, elapsedMs: 0 }, { ...once, elapsedMs: 0 });
  });
});

describe('scikit-learn covariance types alongside the mclust models', () => {
  it('their parameter count is nMclustParams of the model they are (spherical VII, diag VVI, tied EEE, full VVV), for d = 1…6 and K = 1…5', () => {
    for (const [type, model] of Object.entries(SKLEARN_COVARIANCE_ALIASES) as [CovarianceType, MclustModelName][]) {
      for (let d = 1; d <= 6; d++) {
        for (let k = 1; k <= 5; k++) {
          const family = new GaussianFamily(new Float64Array(10 * d), 10, d, { covarianceType: type, regularization: 1e-6, init: 'kmeans++' });
          assert.equal(family.parameterCount(k), nMclustParams(mclustModelForColumns(model, d), d, k), `${type} d=${d} K=${k}`);
        }
      }
    }
  });

  it('a scikit-learn fit reports mclustBic = −bic, its ICL and its parameter count; the fit itself is the scikit-learn family’s', () => {
    const { n, d, values } = reference.data.faithful;
    const data = table('faithful.csv', values, n, d);
    for (const type of ['full', 'diag', 'spherical', 'tied'] as const) {
      const result = fit(data, { k: 3, covarianceType: type, seed: 5 });
      assert.equal(result.covarianceType, type);
      const family = new GaussianFamily(Float64Array.from(values), n, d, { covarianceType: type, regularization: 1e-6, init: 'kmeans++' });
      const run = runEm(family, { k: 3, maxIterations: 100, tolerance: 1e-3, variant: 'soft', restarts: 1, seed: 5, keepSnapshots: false });
      assert.equal(result.logLikelihood, run.logLikelihood, 'bit-identical to the scikit-learn family');
      assert.equal(result.parameters, family.parameterCount(3));
      assert.equal(result.bic, -2 * run.logLikelihood + result.parameters! * Math.log(n));
      assert.equal(result.mclustBic, 2 * run.logLikelihood - result.parameters! * Math.log(n));
      assert.equal(result.icl, mclustIcl(result.mclustBic!, run.logResp.map(Math.exp), n, 3));
    }
  });
});

describe('the covarianceType setting', () => {
  const spec = settingSpec('covarianceType') as EnumSpec;

  it('offers scikit-learn’s four types, all of mclust’s models and the variational mixture, default full', () => {
    assert.equal(spec.default, 'full');
    assert.deepEqual([...spec.values], ['full', 'diag', 'spherical', 'tied', ...MCLUST_MULTIVARIATE_MODELS, ...MCLUST_UNIVARIATE_MODELS, 'variational']);
    assert.equal(spec.valueDescriptions.length, spec.values.length);
    for (const name of spec.values) {
      const { options, problems } = validateFitOptions({ covarianceType: name }, 'engine');
      assert.deepEqual(problems, []);
      assert.equal(options.covarianceType, name);
    }
  });

  it('a wrong name is refused with every choice listed (the settings file falls back to full)', () => {
    const { problems } = validateFitOptions({ covarianceType: 'vvv' }, 'engine');
    assert.equal(problems.length, 1);
    assert.equal(problems[0].message, `covarianceType must be one of full, diag, spherical, tied, ${MCLUST_MULTIVARIATE_MODELS.join(', ')}, E, V, variational, got "vvv".`);
    const fromSettings = validateFitOptions({ covarianceType: 'XYZ' }, 'settings');
    assert.equal(fromSettings.options.covarianceType, 'full');
    assert.match(fromSettings.problems[0].message, /^mixscope\.covarianceType must be one of full, diag, spherical, tied, EII, .*, VVV, E, V, variational; got "XYZ"/);
  });
});
