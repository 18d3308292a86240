// Case (frequency) weights: a weighted fit must be the fit of the rows repeated — the same start (weighted k-means++
// and Lloyd means), the same trace and the same BIC — for scikit-learn's four types and every mclust model; the
// weights column is never a feature; bad weights are one DataError naming the line.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { OptionsError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import { meFromResponsibilities } from '../../../src/engine/families/gaussian/mclust/me';
import type { MclustModelName } from '../../../src/engine/families/gaussian/mclust/models';
import { unmap } from '../../../src/engine/select/sweep';
import type { CovarianceType, FitOptions, FitResult } from '../../../src/shared/protocol';
import { expectDataError, float64Bytes, npyBytes, utf8 } from '../../fixtures/data/helpers';

const FIXTURES = path.resolve(__dirname, '../../fixtures');

/** Data rows of a CSV fixture (header dropped) and its header. */
function csv(name: string): { header: string; rows: string[] } {
  const lines = readFileSync(path.join(FIXTURES, name), 'utf8').trim().split(/\r?\n/);
  return { header: lines[0], rows: lines.slice(1) };
}

/** Whole-number weights 0..3 from a fixed linear congruential sequence (zero weights included). */
function weightsFor(count: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.floor((s / 2147483648) * 4);
  });
}

/** The same data twice: with a weights column, and with every row repeated w times. */
function weightedAndRepeated(name: string, seed: number): { weighted: Uint8Array; repeated: Uint8Array; weights: number[] } {
  const { header, rows } = csv(name);
  const weights = weightsFor(rows.length, seed);
  const weighted = [`${header},w`, ...rows.map((r, i) => `${r},${weights[i]}`)].join('\n');
  const repeated = [header, ...rows.flatMap((r, i) => Array<string>(weights[i]).fill(r))].join('\n');
  return { weighted: utf8(weighted), repeated: utf8(repeated), weights };
}

function fit(bytes: Uint8Array, options: Partial<FitOptions>, weightsColumn?: string): FitResult {
  return fitDataset(loadDataset('data.csv', bytes, { weightsColumn, missing: 'marginalize' }), options).result;
}

function assertSameFit(a: FitResult, b: FitResult, label: string): void {
  assert.equal(a.trace.length, b.trace.length, `${label}: iterations`);
  for (let t = 0; t < b.trace.length; t++) {
    const rel = Math.abs(a.trace[t] - b.trace[t]) / Math.abs(b.trace[t]);
    assert.ok(rel <= 1e-12, `${label}: trace[${t}] ${a.trace[t]} vs ${b.trace[t]} (relative ${rel.toExponential(2)})`);
  }
  assert.ok(Math.abs(a.bic - b.bic) <= 1e-9 * Math.abs(b.bic), `${label}: BIC ${a.bic} vs ${b.bic}`);
  assert.ok(Math.abs(a.mclustBic! - b.mclustBic!) <= 1e-9 * Math.abs(b.mclustBic!), `${label}: mclust BIC`);
  assert.ok(Math.abs(a.icl! - b.icl!) <= 1e-9 * Math.abs(b.icl!), `${label}: ICL`);
  for (let j = 0; j < a.k; j++) {
    assert.ok(Math.abs(a.weights[j] - b.weights[j]) <= 1e-10, `${label}: weight ${j}`);
    a.means[j].forEach((m, c) => assert.ok(Math.abs(m - b.means[j][c]) <= 1e-9 * (1 + Math.abs(m)), `${label}: mean ${j},${c}`));
  }
}

describe('case weights', () => {
  const faithful = weightedAndRepeated('faithful.csv', 7);
  const total = faithful.weights.reduce((s, w) => s + w, 0);
  const types: CovarianceType[] = ['full', 'diag', 'spherical', 'tied', 'EII', 'VII', 'EEI', 'VEI', 'EVI', 'VVI', 'EEE', 'VEE', 'EVE', 'VVE', 'EEV', 'VEV', 'EVV', 'VVV'];

  for (const covarianceType of types) {
    it(`Old Faithful, K = 3, ${covarianceType}: whole-number weights give the fit of the repeated rows (k-means++ start)`, () => {
      const options: Partial<FitOptions> = { k: 3, covarianceType, tolerance: 1e-8, maxIterations: 60 };
      const a = fit(faithful.weighted, options, 'w');
      const b = fit(faithful.repeated, options);
      assertSameFit(a, b, covarianceType);
      assert.equal(a.n, 272);
      assert.equal(b.n, total);
      assert.deepEqual(a.caseWeights, { column: 'w', total });
      assert.deepEqual(a.columns, ['eruptions', 'waiting']);
    });
  }

  it('iris (4 columns: the blocked and SIMD kernels), standardised, full, tied, VVV and EVE, soft and hard EM', () => {
    const { header, rows } = csv('iris.csv');
    const numeric = rows.map((r) => r.split(',').slice(1, 5).join(','));
    const head = header.split(',').slice(1, 5).join(',');
    const weights = weightsFor(rows.length, 11);
    const weighted = utf8([`${head},"freq"`, ...numeric.map((r, i) => `${r},${weights[i]}`)].join('\n'));
    const repeated = utf8([head, ...numeric.flatMap((r, i) => Array<string>(weights[i]).fill(r))].join('\n'));
    for (const covarianceType of ['full', 'tied', 'VVV', 'EVE'] as CovarianceType[]) {
      for (const emVariant of ['soft', 'hard'] as const) {
        const options: Partial<FitOptions> = { k: 3, covarianceType, standardize: true, emVariant, tolerance: 1e-8, maxIterations: 40 };
        assertSameFit(fit(weighted, options, 'freq'), fit(repeated, options), `${covarianceType} ${emVariant}`);
      }
    }
  });

  it('weights of 1 change nothing', () => {
    const { header, rows } = csv('faithful.csv');
    const ones = utf8([`${header},w`, ...rows.map((r) => `${r},1`)].join('\n'));
    const plain = utf8([header, ...rows].join('\n'));
    const a = fit(ones, { k: 2, covarianceType: 'full' }, 'w');
    const b = fit(plain, { k: 2, covarianceType: 'full' });
    assert.deepEqual(a.trace, b.trace);
    assert.equal(a.bic, b.bic);
  });

  it('a negative, text or missing weight is one DataError naming the line; zero is allowed', () => {
    const table = (cell: string) => utf8(`x,y,w\n1,2,1\n2,3,${cell}\n3,1,2\n`);
    expectDataError(() => loadDataset('t.csv', table('-1'), { weightsColumn: 'w' }), /line 3/, /negative \(-1\)/, /≥ 0/);
    expectDataError(() => loadDataset('t.csv', table('heavy'), { weightsColumn: 'w' }), /line 3/, /"heavy"/);
    expectDataError(() => loadDataset('t.csv', table(''), { weightsColumn: 'w' }), /line 3/, /missing/);
    expectDataError(() => loadDataset('t.csv', table('NA'), { weightsColumn: 'w' }), /line 3/, /missing \("NA"\)/);
    expectDataError(() => loadDataset('t.csv', table('Inf'), { weightsColumn: 'w' }), /line 3/, /not a finite number/);
    const zero = loadDataset('t.csv', table('0'), { weightsColumn: 'w' });
    assert.ok(zero.kind === 'table');
    assert.deepEqual(Array.from(zero.weights!), [1, 0, 2]);
    assert.deepEqual(zero.columns, ['x', 'y']);
    assert.equal(zero.d, 2);
  });

  it('weights that are all 0: one DataError', () => {
    const zeros = loadDataset('z.csv', utf8('x,y,w\n1,2,0\n2,3,0\n3,1,0\n'), { weightsColumn: 'w' });
    expectDataError(() => fitDataset(zeros, { k: 1 }), /every case weight in column "w" is 0/);
  });

  it('the weights column by number, never among the features, and refused in columns or when absent', () => {
    const bytes = utf8('x,y,w\n1,2,1\n2,3,4\n3,1,2\n');
    const byNumber = loadDataset('t.csv', bytes, { weightsColumn: '3' });
    assert.ok(byNumber.kind === 'table');
    assert.deepEqual(Array.from(byNumber.weights!), [1, 4, 2]);
    expectDataError(() => loadDataset('t.csv', bytes, { weightsColumn: 'w', columns: ['x', 'w'] }), /weights column/, /cannot also be fitted/);
    expectDataError(() => loadDataset('t.csv', bytes, { weightsColumn: 'mass' }), /no weights column "mass"/);
  });

  it('NumPy tables: the weights column by x-name or number', () => {
    const bytes = npyBytes({ descr: '<f8', shape: [3, 3], data: float64Bytes([1, 2, 1, 2, 3, 4, 3, 1, 2]) });
    const table = loadDataset('t.npy', bytes, { weightsColumn: 'x3' });
    assert.ok(table.kind === 'table');
    assert.deepEqual(Array.from(table.weights!), [1, 4, 2]);
    assert.deepEqual(Array.from(table.values), [1, 2, 2, 3, 3, 1]);
    const negative = npyBytes({ descr: '<f8', shape: [2, 2], data: float64Bytes([1, 1, 2, -3]) });
    expectDataError(() => loadDataset('t.npy', negative, { weightsColumn: '2' }), /row 2/, /-3/);
  });

  it("mclust's EM as a model selection runs it (me from a partition): weights give the fit of the repeated rows, every model", () => {
    const rows = csv('faithful.csv').rows.map((r) => r.split(',').map(Number));
    const x = Float64Array.from(rows.flat());
    const caseWeights = Float64Array.from(faithful.weights);
    const repeatedRows = rows.flatMap((r, i) => Array<number[]>(faithful.weights[i]).fill(r));
    const xr = Float64Array.from(repeatedRows.flat());
    const partition = Int32Array.from(rows, (r) => (r[0] < 2.5 ? 0 : r[1] < 80 ? 1 : 2));
    const repeatedPartition = Int32Array.from(rows.flatMap((_, i) => Array<number>(faithful.weights[i]).fill(partition[i])));
    for (const model of types.filter((t) => t.length === 3) as MclustModelName[]) {
      const a = meFromResponsibilities(model, x, rows.length, 2, unmap(partition, 3), { maxIterations: 200, caseWeights });
      const b = meFromResponsibilities(model, xr, repeatedRows.length, 2, unmap(repeatedPartition, 3), { maxIterations: 200 });
      assert.equal(a.status, b.status, model);
      assert.equal(a.trace.length, b.trace.length, model);
      a.trace.forEach((ll, t) => assert.ok(Math.abs(ll - b.trace[t]) <= 1e-12 * Math.abs(b.trace[t]), `${model} iteration ${t}: ${ll} vs ${b.trace[t]}`));
      assert.ok(Math.abs(a.bic - b.bic) <= 1e-9 * Math.abs(b.bic), `${model} BIC`);
      assert.ok(Math.abs(a.icl - b.icl) <= 1e-9 * Math.abs(b.icl), `${model} ICL`);
    }
  });

  it('a model selection weights every candidate; the chosen fit, refitted from its partition, is its candidate', () => {
    const dataset = loadDataset('w.csv', faithful.weighted, { weightsColumn: 'w' });
    const result = fitDataset(dataset, { k: 'auto', kRange: '1-4' }).result;
    const chosen = result.selection!.entries.find((e) => e.k === result.k && e.covariance === result.covarianceType)!;
    assert.ok(Math.abs(result.logLikelihood - chosen.logLikelihood!) <= 1e-9 * Math.abs(chosen.logLikelihood!), `${result.logLikelihood} vs ${chosen.logLikelihood}`);
    assert.ok(Math.abs(-result.mclustBic! - chosen.bic!) <= 1e-6, `BIC ${-result.mclustBic!} vs ${chosen.bic}`);
    assert.deepEqual(result.caseWeights, { column: 'w', total });
    assert.ok(result.notes!.some((note) => /Case weights \(column "w"\) weight every candidate/.test(note)));
  });

  it('the variational mixture refuses weights with what to change; Bernoulli takes them', () => {
    const dataset = () => loadDataset('w.csv', faithful.weighted, { weightsColumn: 'w' });
    assert.throws(() => fitDataset(dataset(), { k: 2, covarianceType: 'variational' }), (e: unknown) => e instanceof OptionsError && /variational/.test(e.message));
    const binary = loadDataset('b.csv', utf8('a,b,w\n0,1,1\n1,0,2\n1,1,1\n0,0,3\n'), { weightsColumn: 'w' });
    assert.deepEqual(fitDataset(binary, { k: 2, model: 'bernoulli' }).result.caseWeights, { column: 'w', total: 7 });
  });
});
