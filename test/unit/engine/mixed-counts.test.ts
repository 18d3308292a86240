// Count columns (the countColumns setting, CLI --counts): the names and values are checked on the table as loaded,
// each with one message naming the file, the column and, for a value, its line. The mixed family's Poisson block
// against an independent numpy EM from the same start (test/reference/make_numpy_mixed_reference.py, "counts"):
// every iteration's log-likelihood and the final parameters with all three blocks ("full", "diag"), the Poisson and
// categorical blocks alone, the Gaussian and Poisson blocks alone, and with missing counts; model "auto"; the result's
// named rates; property tests (finite parameters, rates > 0, a log-likelihood that never falls).

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { TableData } from '../../../src/engine/data/dataset';
import { loadDataset } from '../../../src/engine/data/load';
import { runEm, type MixtureFamily } from '../../../src/engine/em/em';
import { DataError } from '../../../src/engine/errors';
import type { GaussianFamily } from '../../../src/engine/families/gaussian/family';
import { asMixedTable, mixedFamilyFor } from '../../../src/engine/families/mixed/entry';
import { MixedFamily, type MixedParams } from '../../../src/engine/families/mixed/family';
import { chooseModel, fitDataset } from '../../../src/engine/fit';
import { emitPython } from '../../../src/engine/model/emit/python';
import { emitR } from '../../../src/engine/model/emit/r';
import { buildSavedModel, parseSavedModel, savedModelJson } from '../../../src/engine/model/schema';
import type { DatasetSummary } from '../../../src/shared/protocol';
import { DEFAULT_FIT_OPTIONS } from '../../../src/shared/settings';
import { utf8 } from '../../fixtures/data/helpers';

const root = path.resolve(__dirname, '../../..');
export const countsBytes = readFileSync(path.join(root, 'test/fixtures/mixed-counts.csv'));
const countsMissingBytes = readFileSync(path.join(root, 'test/fixtures/mixed-counts-missing.csv'));

interface CountRun {
  blocks: ('gaussian' | 'poisson' | 'categorical')[];
  trace: number[];
  weights: number[];
  means?: number[][];
  covariances?: number[][][];
  rates?: number[][];
  probabilities?: number[][][];
  parameters: number;
}
const reference = JSON.parse(readFileSync(path.join(root, 'test/reference/numpy_mixed.json'), 'utf8')) as {
  k: number;
  regularization: number;
  start: number[];
  counts: { numeric: string[]; countColumns: string[]; categorical: string[]; missingCountCells: number[]; runs: Record<string, CountRun> };
};
const ref = reference.counts;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));
const COUNTS = { countColumns: ['visits', 'calls'] };

/** The mixed family of `bytes` restricted to the reference run's blocks, started from the reference's hard partition. */
function fromReferenceStart(bytes: Buffer, run: CountRun, covarianceType: 'full' | 'diag'): { family: MixedFamily<unknown>; start: MixtureFamily<MixedParams<unknown>> } {
  const table = loadDataset('mixed-counts.csv', bytes, { missing: 'marginalize' }) as TableData;
  const all = mixedFamilyFor(asMixedTable(table, COUNTS.countColumns), { covarianceType, regularization: reference.regularization, init: 'kmeans++' });
  const has = (b: CountRun['blocks'][number]) => run.blocks.includes(b);
  const family = new MixedFamily({ gaussian: has('gaussian') ? all.gaussian : undefined, poisson: has('poisson') ? all.poisson : undefined, categorical: has('categorical') ? all.categorical : undefined });
  const k = reference.k;
  const start: MixtureFamily<MixedParams<unknown>> = {
    model: family.model,
    n: family.n,
    d: family.d,
    initialize: () => {
      const z = new Float64Array(family.n * k);
      reference.start.forEach((c, i) => (z[i * k + c] = 1));
      return {
        ...(family.gaussian ? { gaussian: (family.gaussian as unknown as GaussianFamily).estimate(z, k) } : {}),
        ...(family.poisson ? { poisson: family.poisson.mStep(z, k) } : {}),
        ...(family.categorical ? { categorical: family.categorical.mStep(z, k) } : {}),
      };
    },
    weightedLogProb: (p, kk, out) => family.weightedLogProb(p, kk, out),
    mStep: (resp, kk, previous) => family.mStep(resp, kk, previous),
    parameterCount: (kk) => family.parameterCount(kk),
    snapshot: (p, kk, t, a) => family.snapshot(p, kk, t, a),
  };
  return { family, start };
}

describe('count columns: the countColumns setting', function () {
  this.timeout(60_000);

  it('a named column with a value that is not a whole number ≥ 0 stops the fit naming the file, column, line and value', () => {
    const text = 'x,visits,answer\n0.5,1,a\n1.5,2,b\n2.5,2.5,a\n3.5,-1,b\n';
    const fit = () => fitDataset(loadDataset('v.csv', utf8(text)), { ...DEFAULT_FIT_OPTIONS, k: 1, countColumns: ['visits'] });
    assert.throws(fit, (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.equal(e.message, 'v.csv: column "visits" is read as counts (mixscope.countColumns, CLI --counts), but has 2.5 on line 4; counts are whole numbers ≥ 0. Correct the value, leave the cell empty (a missing count), or remove the column from countColumns.');
      assert.equal(e.line, 4);
      return true;
    });
    const negative = 'x,visits,answer\n0.5,1,a\n1.5,-1,b\n';
    assert.throws(() => fitDataset(loadDataset('n.csv', utf8(negative)), { ...DEFAULT_FIT_OPTIONS, k: 1, countColumns: ['visits'] }), /^DataError: n\.csv: column "visits" is read as counts .* but has -1 on line 3;/);
  });

  it('an unknown name, a categorical column or the label column is refused naming the file and the numeric columns', () => {
    const table = () => loadDataset('mixed-counts.csv', countsBytes);
    const fit = (countColumns: string[]) => () => fitDataset(table(), { ...DEFAULT_FIT_OPTIONS, k: 2, countColumns });
    assert.throws(fit(['visitz']), /^DataError: mixed-counts\.csv: there is no numeric column "visitz" \(mixscope\.countColumns, CLI --counts\)\. Count columns must be numeric columns of the fit: "height", "score", "visits", "calls"\.$/);
    assert.throws(fit(['smoker']), /^DataError: mixed-counts\.csv: column "smoker" \(mixscope\.countColumns, CLI --counts\) is read as categorical, not as numbers\./);
    assert.throws(fit(['visits', 'Visits']), /column "visits" is named twice in countColumns/);
    const labelled = loadDataset('l.csv', utf8('x,n,label\n0.5,1,1\n1.5,2,2\n2.5,3,1\n'));
    assert.throws(() => fitDataset(labelled, { ...DEFAULT_FIT_OPTIONS, k: 1, countColumns: ['label'] }), /^DataError: l\.csv: column "label" \(mixscope\.countColumns, CLI --counts\) is the label column, which is never fitted\./);
  });

  it('a missing cell in a count column is no error (it drops out of its row\'s product)', () => {
    const text = 'x,visits,answer\n0.5,1,a\n1.5,,b\n2.5,3,a\n3.5,0,b\n';
    const { result } = fitDataset(loadDataset('m.csv', utf8(text), { missing: 'marginalize' }), { ...DEFAULT_FIT_OPTIONS, k: 1, countColumns: ['visits'] });
    assert.equal(result.n, 4);
    assert.deepEqual(result.missingCountCells, [1]);
  });

  const cases: [string, Buffer, 'full' | 'diag'][] = [
    ['full', countsBytes, 'full'],
    ['diag', countsBytes, 'diag'],
    ['poisson+categorical', countsBytes, 'full'],
    ['gaussian+poisson', countsBytes, 'full'],
    ['missing counts', countsMissingBytes, 'full'],
  ];
  for (const [name, bytes, covarianceType] of cases) {
    it(`${name}: from the reference start, every iteration's log-likelihood (1e-8 relative) and the final parameters match numpy's EM`, () => {
      const expected = ref.runs[name];
      const { family, start } = fromReferenceStart(bytes, expected, covarianceType);
      const k = reference.k;
      const run = runEm(start, { k, maxIterations: expected.trace.length - 1, tolerance: 0, variant: 'soft', restarts: 1, seed: 0, keepSnapshots: false });
      assert.equal(run.trace.length, expected.trace.length);
      run.trace.forEach((ll, t) => assert.ok(rel(ll, expected.trace[t]) < 1e-8, `iteration ${t}: ${ll} vs numpy ${expected.trace[t]}`));
      const snapshot = family.snapshot(run.params, k, 0, run.assignments);
      for (let c = 0; c < k; c++) {
        assert.ok(rel(snapshot.weights[c], expected.weights[c]) < 1e-7, `weight ${c}`);
        expected.means?.[c].forEach((v, j) => assert.ok(Math.abs(snapshot.means[c][j] - v) < 1e-7, `mean ${c},${j}`));
        expected.covariances?.[c].flat().forEach((v, j) => assert.ok(Math.abs(snapshot.covariances[c].flat()[j] - v) < 1e-7, `covariance ${c},${j}`));
        expected.rates?.[c].forEach((v, j) => assert.ok(rel(snapshot.rates![c][j], v) < 1e-7, `rate ${c},${j}: ${snapshot.rates![c][j]} vs ${v}`));
        expected.probabilities?.[c].flat().forEach((v, l) => assert.ok(Math.abs(snapshot.probabilities[c][l] - v) < 1e-7, `probability ${c},${l}`));
      }
      assert.equal(snapshot.rates === undefined, expected.rates === undefined);
      assert.equal(family.parameterCount(k), expected.parameters);
    });
  }

  it('model auto: count columns beside numeric and categorical ones make a mixed fit with a Poisson block, said in the reason; --json names the rates', () => {
    const table = loadDataset('mixed-counts.csv', countsBytes);
    const chosen = chooseModel(table, { ...DEFAULT_FIT_OPTIONS, k: 3, ...COUNTS });
    assert.equal(chosen.model, 'mixed');
    assert.equal(chosen.reason, '2 numeric columns, 2 count columns ("visits", "calls") and 2 categorical columns ("smoker", "commute"): a Gaussian block, a Poisson block and a categorical block');
    // Without the setting, whole numbers stay continuous: a Gaussian block over four columns.
    assert.equal(chooseModel(table, { ...DEFAULT_FIT_OPTIONS, k: 3 }).reason, '4 numeric and 2 categorical columns ("smoker", "commute"): a Gaussian block and a categorical block');
    const { result } = fitDataset(loadDataset('mixed-counts.csv', countsBytes), { ...DEFAULT_FIT_OPTIONS, k: 3, seed: 4, ...COUNTS });
    assert.equal(result.model, 'mixed');
    assert.deepEqual(result.columns, ['height', 'score']);
    assert.deepEqual(result.countColumns, ['visits', 'calls']);
    assert.equal(result.rates?.length, 3);
    assert.ok(result.rates!.every((row) => row.length === 2 && row.every((r) => r > 0)));
    assert.equal(result.means[0].length, 2);
    assert.deepEqual(result.countHistograms?.map((h) => h.column), ['visits', 'calls']);
    assert.equal(result.countHistograms![0].frequencies.reduce((a, b) => a + b, 0), 300);
    // The true rates (numpy's draw: [1, 4], [6, 0.5], [2.5, 2.5]) are each near one fitted cluster's.
    for (const truth of [[1, 4], [6, 0.5], [2.5, 2.5]]) assert.ok(result.rates!.some((row) => Math.abs(row[0] - truth[0]) < 0.8 && Math.abs(row[1] - truth[1]) < 0.8), `rates ${JSON.stringify(result.rates)}`);
    for (let t = 1; t < result.trace.length; t++) assert.ok(result.trace[t] >= result.trace[t - 1] - 1e-9 * Math.abs(result.trace[t - 1]));
    assert.equal(result.parameters, ref.runs.full.parameters);
  });

  it('model auto: only count columns → the Poisson family; counts beside answers → a Poisson and a categorical block', () => {
    const counts = loadDataset('c.csv', utf8('a,b\n1,0\n0,1\n3,2\n1,1\n'));
    const chosen = chooseModel(counts, { ...DEFAULT_FIT_OPTIONS, k: 1, countColumns: ['a', 'b'] });
    assert.equal(chosen.model, 'poisson');
    assert.equal(chosen.reason, 'every column is a count column (countColumns: "a", "b"): independent Poisson counts');
    assert.equal(chooseModel(counts, { ...DEFAULT_FIT_OPTIONS, k: 1 }).model, 'gaussian');
    // A lone text column beside numbers is the labels unless named categorical.
    const mixed = loadDataset('p.csv', utf8('a,b,answer\n1,0,x\n0,1,y\n3,2,x\n1,1,y\n'), { categorical: ['answer'] });
    const both = chooseModel(mixed, { ...DEFAULT_FIT_OPTIONS, k: 1, countColumns: ['a', 'b'] });
    assert.equal(both.model, 'mixed');
    assert.equal(both.reason, '2 count columns ("a", "b") and 1 categorical column ("answer"): a Poisson block and a categorical block');
    assert.throws(() => fitDataset(counts, { ...DEFAULT_FIT_OPTIONS, model: 'mixed', k: 1, countColumns: ['a', 'b'] }), /c\.csv: a mixed mixture needs .* but every numeric column is a count column and the table has no categorical column\. Use model "poisson", or "auto"\./);
  });

  it('missing counts: every row kept, the note says how many cells dropped out of their rows\' product', () => {
    const { result } = fitDataset(loadDataset('mixed-counts-missing.csv', countsMissingBytes, { missing: 'marginalize' }), { ...DEFAULT_FIT_OPTIONS, k: 3, seed: 1, ...COUNTS });
    assert.equal(result.n, 300);
    assert.deepEqual(result.missingCountCells, ref.missingCountCells);
    const [a, b] = ref.missingCountCells;
    assert.ok(result.notes?.includes(`${a + b} missing count cells (${a} in visits, ${b} in calls) left out of their rows' Poisson product, assuming the cells are missing at random.`), (result.notes ?? []).join('\n'));
    assert.equal(result.countHistograms![0].frequencies.reduce((x, y) => x + y, 0), 300 - a);
    const skipped = fitDataset(loadDataset('mixed-counts-missing.csv', countsMissingBytes, { missing: 'marginalize' }), { ...DEFAULT_FIT_OPTIONS, k: 3, seed: 1, missing: 'skip', ...COUNTS }).result;
    assert.ok(skipped.n < 300 && skipped.n >= 300 - a - b);
  });

  it('K auto sweeps K with the Poisson block, by BIC', () => {
    const { result } = fitDataset(loadDataset('mixed-counts.csv', countsBytes), { ...DEFAULT_FIT_OPTIONS, k: 'auto', kRange: '1-4', covarianceType: 'full', ...COUNTS });
    assert.deepEqual(result.selection?.entries.map((e) => e.k), [1, 2, 3, 4]);
    const bics = result.selection!.entries.map((e) => e.bic!);
    assert.equal(result.k, [1, 2, 3, 4][bics.indexOf(Math.min(...bics))]);
    assert.equal(result.k, 3);
    assert.deepEqual(result.countColumns, ['visits', 'calls']);
  });

  it('property: finite parameters, rates > 0, probabilities in (0, 1) and a log-likelihood that never decreases (random tables, any two or three blocks)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('full', 'diag', 'VVV', 'EII'),
        fc.constantFrom('gpc', 'gp', 'pc'),
        fc.array(fc.tuple(fc.double({ min: -5, max: 5, noNaN: true }), fc.integer({ min: -1, max: 12 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: -1, max: 2 })), { minLength: 30, maxLength: 80 }),
        fc.nat({ max: 1000 }),
        (k, covarianceType, blocks, rows, seed) => {
          // A spread by row keeps the continuous column off a single point (where the regularisation floor, not the
          // data, would set the variance and EM's monotonicity no longer holds); −1 is a missing count or answer.
          const text = ['x,u,v,a', ...rows.map(([x, u, v, a], i) => `${x + 0.37 * i},${u < 0 ? '' : u},${v},${a < 0 ? '' : ['p', 'q', 'r'][a]}`)].join('\n');
          const table = loadDataset('r.csv', utf8(text), { missing: 'marginalize', categorical: ['a'] }) as TableData;
          const all = mixedFamilyFor(asMixedTable(table, ['u', 'v']), { covarianceType, regularization: 1e-6, init: 'kmeans++' });
          const family = new MixedFamily({ gaussian: blocks.includes('g') ? all.gaussian : undefined, poisson: all.poisson, categorical: blocks.includes('c') ? all.categorical : undefined });
          const run = runEm(family, { k, maxIterations: 25, tolerance: 0, variant: 'soft', restarts: 1, seed, keepSnapshots: false });
          for (let t = 1; t < run.trace.length; t++) assert.ok(run.trace[t] >= run.trace[t - 1] - 1e-7 * Math.abs(run.trace[t - 1]), `${blocks} ${covarianceType} iteration ${t}: ${run.trace[t]} < ${run.trace[t - 1]}`);
          const s = family.snapshot(run.params, k, 0, run.assignments);
          assert.ok([...s.weights, ...s.means.flat(), ...s.covariances.flat(2), ...s.rates!.flat()].every(Number.isFinite));
          for (const r of run.params.poisson!.rates) assert.ok(r > 0, `rate ${r}`);
          for (const p of run.params.categorical?.probabilities ?? []) assert.ok(p > 0 && p < 1, `probability ${p}`);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('saved models: the count columns and their rates round-trip; the Python script of a fit with missing counts and R code are refused, saying what to use', () => {
    const save = (bytes: Buffer, name: string) => {
      let summary = undefined as unknown as DatasetSummary;
      const options = { ...DEFAULT_FIT_OPTIONS, k: 3, seed: 1, ...COUNTS };
      const { result } = fitDataset(loadDataset(name, bytes, { missing: 'marginalize' }), options, { onLoaded: (info) => (summary = info.summary) });
      return { result, model: parseSavedModel(savedModelJson(buildSavedModel({ options, result, summary })), 'm.json') };
    };
    const { result, model } = save(countsBytes, 'mixed-counts.csv');
    assert.deepEqual(model.countColumns, ['visits', 'calls']);
    assert.deepEqual(model.parameters.rates, result.rates);
    assert.deepEqual(model.columns, ['height', 'score']);
    // The fields of the file: height 0, score 1, visits 2, calls 3, smoker 4, commute 5.
    assert.deepEqual(model.source.text?.columnFields, [0, 1]);
    assert.deepEqual(model.source.text?.countFields, [2, 3]);
    const script = emitPython(model, 'mixed-counts.csv');
    assert.match(script, /^COUNT_FIELDS = \[2, 3\]  # "visits", "calls"$/m);
    assert.match(script, /Mixscope's mixed mixture \(a Gaussian block, covariance full, a Poisson block and a categorical block, K = 3\) of mixed-counts\.csv/);
    assert.throws(() => emitR(model, 'mixed-counts.csv'), /cannot write R code for a mixed mixture; it can for Gaussian mixtures, as mclust; use --emit-python for a mixed mixture\./);
    const missing = save(countsMissingBytes, 'mixed-counts-missing.csv').model;
    const [a, b] = ref.missingCountCells;
    assert.throws(() => emitPython(missing, 'mixed-counts-missing.csv'), new RegExp(`cannot write Python code for a fit that integrated out ${a + b} missing count cells\\. Use mixscope predict M\\.json FILE`));
    const broken = JSON.parse(savedModelJson(model));
    broken.parameters.rates[1][0] = 0;
    assert.throws(() => parseSavedModel(JSON.stringify(broken), 'bad.json'), /^DataError: bad\.json: parameters\.rates\[1\]\[0\] must be a positive rate, got 0\.$/);
  });
});
