// The mixed family (a Gaussian block and a categorical block, independent given the cluster) against an independent
// numpy EM from the same start (test/reference/make_numpy_mixed_reference.py): every iteration's log-likelihood and
// the final parameters for the covariance types "full" and "diag"; its parameter count; model "auto" on a table of
// numbers and answers; property tests (finite parameters, probabilities in (0, 1), a log-likelihood that never falls)
// for scikit-learn's types and mclust's models.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { TableData } from '../../../src/engine/data/dataset';
import { loadDataset } from '../../../src/engine/data/load';
import { runEm, type MixtureFamily } from '../../../src/engine/em/em';
import type { GaussianFamily } from '../../../src/engine/families/gaussian/family';
import { asMixedTable, mixedFamilyFor } from '../../../src/engine/families/mixed/entry';
import type { MixedParams } from '../../../src/engine/families/mixed/family';
import { chooseModel, fitDataset } from '../../../src/engine/fit';
import { DEFAULT_FIT_OPTIONS } from '../../../src/shared/settings';
import type { DatasetSummary } from '../../../src/shared/protocol';
import { loadForModel, predictDataset } from '../../../src/engine/model/predict';
import { buildSavedModel, parseSavedModel, savedModelJson } from '../../../src/engine/model/schema';
import { utf8 } from '../../fixtures/data/helpers';

const root = path.resolve(__dirname, '../../..');
interface Run {
  trace: number[];
  weights: number[];
  means: number[][];
  covariances: number[][][];
  probabilities: number[][][];
  parameters: number;
}
const reference = JSON.parse(readFileSync(path.join(root, 'test/reference/numpy_mixed.json'), 'utf8')) as {
  k: number;
  numeric: string[];
  categorical: string[];
  levels: string[][];
  regularization: number;
  start: number[];
  runs: Record<'full' | 'diag', Run>;
  missing: { cells: number[]; runs: Record<'full' | 'diag', Run & { start: Omit<Run, 'trace' | 'parameters'> }> };
};
const mixedBytes = readFileSync(path.join(root, 'test/fixtures/mixed.csv'));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));

/** Rows of a mixed CSV with a missing numeric cell (height or score empty). */
function table3(bytes: Buffer): number {
  return bytes.toString('utf8').trim().split('\n').slice(1).filter((l) => /^,|^[^,]+,,/.test(l)).length;
}

function mixedTable(): TableData {
  return loadDataset('mixed.csv', mixedBytes) as TableData;
}

describe('mixed mixture family (Gaussian and categorical blocks)', function () {
  this.timeout(60_000);

  it('mixed.csv loads as 2 numeric and 2 categorical columns, coded as the reference codes them', () => {
    const table = mixedTable();
    assert.deepEqual(table.columns, reference.numeric);
    assert.deepEqual(table.categorical?.columns, reference.categorical);
    assert.deepEqual(table.categorical?.categories, reference.levels);
  });

  for (const covarianceType of ['full', 'diag'] as const) {
    it(`${covarianceType}: from the reference start, every iteration's log-likelihood (1e-8 relative) and the final parameters match numpy's EM`, () => {
      const expected = reference.runs[covarianceType];
      const data = asMixedTable(mixedTable());
      const family = mixedFamilyFor(data, { covarianceType, regularization: reference.regularization, init: 'kmeans++' });
      const k = reference.k;
      const fromStart: MixtureFamily<MixedParams<unknown>> = {
        model: family.model,
        n: family.n,
        d: family.d,
        initialize: () => {
          const z = new Float64Array(family.n * k);
          reference.start.forEach((c, i) => (z[i * k + c] = 1));
          return { gaussian: (family.gaussian as unknown as GaussianFamily).estimate(z, k), categorical: family.categorical!.mStep(z, k) };
        },
        weightedLogProb: (p, kk, out) => family.weightedLogProb(p, kk, out),
        mStep: (resp, kk, previous) => family.mStep(resp, kk, previous),
        parameterCount: (kk) => family.parameterCount(kk),
        snapshot: (p, kk, t, a) => family.snapshot(p, kk, t, a),
      };
      const run = runEm(fromStart, { k, maxIterations: expected.trace.length - 1, tolerance: 0, variant: 'soft', restarts: 1, seed: 0, keepSnapshots: false });
      assert.equal(run.trace.length, expected.trace.length);
      run.trace.forEach((ll, t) => assert.ok(rel(ll, expected.trace[t]) < 1e-8, `iteration ${t}: ${ll} vs numpy ${expected.trace[t]}`));
      const snapshot = family.snapshot(run.params, k, 0, run.assignments);
      const L = family.categorical!.totalLevels;
      for (let c = 0; c < k; c++) {
        assert.ok(rel(snapshot.weights[c], expected.weights[c]) < 1e-7, `weight ${c}`);
        snapshot.means[c].forEach((v, j) => assert.ok(Math.abs(v - expected.means[c][j]) < 1e-7, `mean ${c},${j}: ${v} vs ${expected.means[c][j]}`));
        snapshot.covariances[c].flat().forEach((v, j) => assert.ok(Math.abs(v - expected.covariances[c].flat()[j]) < 1e-7, `covariance ${c},${j}`));
        expected.probabilities[c].flat().forEach((p, l) => assert.ok(Math.abs((run.params.categorical!.probabilities[c * L + l]) - p) < 1e-7, `probability ${c},${l}`));
      }
      assert.equal(family.parameterCount(k), expected.parameters);
    });
  }

  for (const covarianceType of ['full', 'diag'] as const) {
    it(`${covarianceType}, rows with missing numeric cells: the Gaussian block marginalises them; every iteration's log-likelihood (1e-8 relative) and the final parameters match numpy's EM`, () => {
      const expected = reference.missing.runs[covarianceType];
      const table = loadDataset('mixed-missing.csv', readFileSync(path.join(root, 'test/fixtures/mixed-missing.csv')), { missing: 'marginalize' }) as TableData;
      assert.equal(table.n, 300);
      assert.deepEqual(table.missingPerColumn, reference.missing.cells);
      const data = asMixedTable(table);
      const family = mixedFamilyFor(data, { covarianceType, regularization: reference.regularization, init: 'kmeans++' });
      const k = reference.k;
      const { start } = expected;
      const L = family.categorical!.totalLevels;
      const fromStart: MixtureFamily<MixedParams<unknown>> = {
        model: family.model,
        n: family.n,
        d: family.d,
        initialize: () => ({
          gaussian: { weights: Float64Array.from(start.weights), means: Float64Array.from(start.means.flat()), covariances: Float64Array.from(start.covariances.flat(2)) },
          categorical: { weights: Float64Array.from(start.weights), probabilities: Float64Array.from(start.probabilities.flat(2)) },
        }),
        weightedLogProb: (p, kk, out) => family.weightedLogProb(p, kk, out),
        mStep: (resp, kk, previous) => family.mStep(resp, kk, previous),
        parameterCount: (kk) => family.parameterCount(kk),
        snapshot: (p, kk, t, a) => family.snapshot(p, kk, t, a),
      };
      const run = runEm(fromStart, { k, maxIterations: expected.trace.length - 1, tolerance: 0, variant: 'soft', restarts: 1, seed: 0, keepSnapshots: false });
      assert.equal(run.trace.length, expected.trace.length);
      run.trace.forEach((ll, t) => assert.ok(rel(ll, expected.trace[t]) < 1e-8, `iteration ${t}: ${ll} vs numpy ${expected.trace[t]}`));
      const snapshot = family.snapshot(run.params, k, 0, run.assignments);
      for (let c = 0; c < k; c++) {
        assert.ok(rel(snapshot.weights[c], expected.weights[c]) < 1e-7, `weight ${c}`);
        snapshot.means[c].forEach((v, j) => assert.ok(Math.abs(v - expected.means[c][j]) < 1e-7, `mean ${c},${j}: ${v} vs ${expected.means[c][j]}`));
        snapshot.covariances[c].flat().forEach((v, j) => assert.ok(Math.abs(v - expected.covariances[c].flat()[j]) < 1e-7, `covariance ${c},${j}`));
        expected.probabilities[c].flat().forEach((p, l) => assert.ok(Math.abs(run.params.categorical!.probabilities[c * L + l] - p) < 1e-7, `probability ${c},${l}`));
      }
    });
  }

  it('a fit of mixed-missing.csv keeps every row, says how many cells it integrated out, and its saved model predicts the fit', async () => {
    const bytes = readFileSync(path.join(root, 'test/fixtures/mixed-missing.csv'));
    let summary = undefined as unknown as DatasetSummary;
    const options = { ...DEFAULT_FIT_OPTIONS, k: 3, seed: 2 };
    const { result } = fitDataset(loadDataset('mixed-missing.csv', bytes, { missing: 'marginalize' }), options, { onLoaded: (info) => (summary = info.summary) });
    assert.equal(result.model, 'mixed');
    assert.equal(result.n, 300);
    assert.deepEqual(result.missingCells, reference.missing.cells);
    const cells = reference.missing.cells[0] + reference.missing.cells[1];
    assert.ok(result.notes!.includes(`${cells} missing numeric cells (${reference.missing.cells[0]} in height, ${reference.missing.cells[1]} in score) integrated out by the Gaussian block: each row is fitted on its observed cells, assuming the cells are missing at random.`), result.notes!.join('\n'));
    for (let t = 1; t < result.trace.length; t++) assert.ok(result.trace[t] >= result.trace[t - 1] - 1e-9 * Math.abs(result.trace[t - 1]));
    const model = parseSavedModel(savedModelJson(buildSavedModel({ options, result, summary })), 'm.json');
    const p = predictDataset(model, await loadForModel(model, 'mixed-missing.csv', bytes));
    assert.equal(p.incompleteRows, table3(bytes));
    assert.deepEqual(Array.from(p.assignments), result.assignments);
    assert.ok(rel(p.logLikelihood, result.logLikelihood) < 1e-12, `${p.logLikelihood} vs ${result.logLikelihood}`);
    const skipped = fitDataset(loadDataset('mixed-missing.csv', bytes, { missing: 'marginalize' }), { ...options, missing: 'skip' }).result;
    assert.equal(skipped.n, 300 - table3(bytes));
    // The panel places the plotted rows with missing cells at E[x_missing | x_observed] under the fit, as for the
    // Gaussian family: observed cells as read, missing ones Σ_k r_ik (μ_km + Σ_mo Σ_oo⁻¹ (x_o − μ_ko)).
    const table = loadDataset('mixed-missing.csv', bytes, { missing: 'marginalize' }) as TableData;
    const placed = result.imputedPlot!;
    const incomplete = Array.from({ length: table.n }, (_, i) => i).filter((i) => table.missing!.subarray(i * table.d, (i + 1) * table.d).includes(1));
    assert.deepEqual(placed.rows, incomplete, 'every row with a missing cell is plotted (300 rows ≤ maxPlotPoints)');
    placed.rows.forEach((i, r) => {
      for (let j = 0; j < table.d; j++) {
        const v = placed.values[r * table.d + j];
        if (table.missing![i * table.d + j]) {
          // Two numeric columns: a weighted sum of the components' regression lines on the other one, within their span.
          const o = 1 - j;
          const x = table.values[i * table.d + o];
          // (Both missing: a weighted sum of the components' means.)
          const lines = result.means.map((mu, k) => (Number.isNaN(x) ? mu[j] : mu[j] + (result.covariances![k][j][o] / result.covariances![k][o][o]) * (x - mu[o])));
          assert.ok(v >= Math.min(...lines) - 1e-9 && v <= Math.max(...lines) + 1e-9, `row ${i}: ${v} within ${lines}`);
        } else assert.equal(v, table.values[i * table.d + j]);
      }
    });
  });

  it('K auto on mixed-missing.csv sweeps every row (the Gaussian block marginalises the missing cells in each candidate)', () => {
    const bytes = readFileSync(path.join(root, 'test/fixtures/mixed-missing.csv'));
    const { result } = fitDataset(loadDataset('mixed-missing.csv', bytes, { missing: 'marginalize' }), { ...DEFAULT_FIT_OPTIONS, k: 'auto', kRange: '1-3', covarianceType: 'full' });
    assert.equal(result.n, 300);
    assert.deepEqual(result.missingCells, reference.missing.cells);
    assert.deepEqual(result.selection?.entries.map((e) => e.k), [1, 2, 3]);
    assert.ok(result.selection!.entries.every((e) => Number.isFinite(e.bic)));
  });

  it('model auto takes numbers beside answers as mixed and says why; --json fields: categories and K × column × level probabilities', () => {
    const table = mixedTable();
    const chosen = chooseModel(table, { ...DEFAULT_FIT_OPTIONS, k: 3 });
    assert.equal(chosen.model, 'mixed');
    assert.equal(chosen.reason, '2 numeric and 2 categorical columns ("smoker", "commute"): a Gaussian block and a categorical block');
    const { result } = fitDataset(table, { ...DEFAULT_FIT_OPTIONS, k: 3, seed: 1 });
    assert.equal(result.model, 'mixed');
    assert.deepEqual(result.categories, [{ column: 'smoker', levels: ['no', 'yes'] }, { column: 'commute', levels: ['bike', 'bus', 'car'] }]);
    assert.equal(result.probabilities?.length, 3);
    result.probabilities!.forEach((cluster) => cluster.forEach((column) => assert.ok(Math.abs(column.reduce((a, b) => a + b, 0) - 1) < 1e-12)));
    assert.equal(result.covariances?.length, 3);
    for (let t = 1; t < result.trace.length; t++) assert.ok(result.trace[t] >= result.trace[t - 1] - 1e-9 * Math.abs(result.trace[t - 1]));
  });

  it('K auto sweeps K with the chosen covariance model (mclust VVV) by BIC', () => {
    const { result } = fitDataset(mixedTable(), { ...DEFAULT_FIT_OPTIONS, k: 'auto', kRange: '1-4', covarianceType: 'VVV' });
    assert.deepEqual(result.selection?.models, ['VVV']);
    assert.deepEqual(result.selection?.entries.map((e) => e.k), [1, 2, 3, 4]);
    const bics = result.selection!.entries.map((e) => e.bic!);
    assert.equal(result.k, [1, 2, 3, 4][bics.indexOf(Math.min(...bics))]);
  });

  it('refuses a mixed mixture without categorical columns, or without numeric ones, naming the file', () => {
    const numbers = loadDataset('n.csv', utf8('a,b\n1,2\n3,4\n5,7\n'));
    assert.throws(() => fitDataset(numbers, { ...DEFAULT_FIT_OPTIONS, model: 'mixed', k: 1 }), /^DataError: n\.csv: a mixed mixture needs numeric columns and text columns of a few categories .* but the table has no categorical column\. Use model "gaussian", or "auto"\.$/);
    const answers = loadDataset('survey.csv', readFileSync(path.join(root, 'test/fixtures/survey.csv')));
    assert.throws(() => fitDataset(answers, { ...DEFAULT_FIT_OPTIONS, model: 'mixed', k: 2 }), /survey\.csv: every column to fit is categorical .* Use model "categorical" or "auto"\./);
  });

  it('property: finite parameters, probabilities in (0, 1) and a log-likelihood that never decreases (random tables, several covariance models)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('full', 'diag', 'spherical', 'tied', 'VVV', 'EII', 'VEI'),
        fc.array(fc.tuple(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), fc.integer({ min: -1, max: 2 }), fc.integer({ min: 0, max: 1 })), { minLength: 30, maxLength: 80 }),
        fc.nat({ max: 1000 }),
        (k, covarianceType, rows, seed) => {
          // A spread by row keeps the numeric columns off a single point (where the regularisation floor, not the
          // data, would set the covariances and EM's monotonicity no longer holds).
          const text = ['x,y,a,b', ...rows.map(([x, y, a, b], i) => `${x + 0.37 * i},${y + 3 * Math.sin(i)},${a < 0 ? '' : ['p', 'q', 'r'][a]},${['u', 'v'][b]}`)].join('\n');
          const table = loadDataset('r.csv', utf8(text), { categorical: ['a', 'b'] }) as TableData;
          if (!table.categorical || table.categorical.columns.length === 0) return;
          const data = asMixedTable(table);
          const family = mixedFamilyFor(data, { covarianceType, regularization: 1e-6, init: 'kmeans++' });
          const run = runEm(family, { k, maxIterations: 25, tolerance: 0, variant: 'soft', restarts: 1, seed, keepSnapshots: false });
          for (let t = 1; t < run.trace.length; t++) assert.ok(run.trace[t] >= run.trace[t - 1] - 1e-7 * Math.abs(run.trace[t - 1]), `${covarianceType} iteration ${t}: ${run.trace[t]} < ${run.trace[t - 1]}`);
          const s = family.snapshot(run.params, k, 0, run.assignments);
          assert.ok([...s.weights, ...s.means.flat(), ...s.covariances.flat(2)].every(Number.isFinite));
          for (const p of run.params.categorical!.probabilities) assert.ok(p > 0 && p < 1, `probability ${p}`);
        },
      ),
      { numRuns: 40 },
    );
  });
});
