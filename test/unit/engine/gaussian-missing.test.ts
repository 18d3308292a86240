// Gaussian EM with missing cells against an independent numpy implementation (make_numpy_missing_reference.py):
// from the same start, the observed-data log-likelihood at every iteration to 1e-8 relative and the final parameters,
// for scikit-learn's four types and mclust's closed-form models, with and without case weights. Then what does not
// need a reference: with no missing cell the result is today's fit; the loader's missing tokens; rows with no
// observed cell skipped and counted; model selections skip incomplete rows and say so; the plotted rows.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import type { CovarianceType, FitOptions, FitResult } from '../../../src/shared/protocol';
import { float64Bytes, npyBytes, utf8 } from '../../fixtures/data/helpers';

const FIXTURES = path.resolve(__dirname, '../../fixtures');

interface ReferenceFit {
  initCovariances: unknown;
  trace: number[];
  weights: number[];
  means: number[][];
  covariances: number[][][];
}
interface ReferenceCase {
  name: string;
  k: number;
  missing: [number, number][];
  caseWeights: number[] | null;
  start: { weights: number[]; means: number[][] };
  fits: Record<string, ReferenceFit>;
}
const reference = JSON.parse(readFileSync(path.resolve(__dirname, '../../reference/numpy_missing.json'), 'utf8')) as {
  iterations: number;
  regularization: number;
  cases: ReferenceCase[];
};

/** The case's data as a CSV: the fixture's numbers with "NA" in the reference's missing cells (and its weights). */
function caseCsv(c: ReferenceCase): Uint8Array {
  const file = c.name.startsWith('faithful') ? 'faithful.csv' : 'iris.csv';
  const lines = readFileSync(path.join(FIXTURES, file), 'utf8').trim().split(/\r?\n/).slice(1);
  const d = file === 'faithful.csv' ? 2 : 4;
  const cells = lines.map((l) => l.split(',').slice(0, d));
  for (const [i, j] of c.missing) cells[i][j] = 'NA';
  const header = Array.from({ length: d }, (_, j) => `x${j + 1}`).join(',') + (c.caseWeights ? ',w' : '');
  return utf8([header, ...cells.map((row, i) => row.join(',') + (c.caseWeights ? `,${c.caseWeights[i]}` : ''))].join('\n'));
}

function close(actual: number, expected: number, rtol: number, scale: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rtol * Math.max(Math.abs(expected), scale), `${what}: ${actual} vs ${expected}`);
}

describe('Gaussian EM with missing cells vs numpy', () => {
  for (const c of reference.cases) {
    for (const [model, expected] of Object.entries(c.fits)) {
      it(`${c.name}, K = ${c.k}, ${model}: observed-data log-likelihood at every iteration and the final parameters`, () => {
        const dataset = loadDataset(`${c.name}.csv`, caseCsv(c), { missing: 'marginalize', weightsColumn: c.caseWeights ? 'w' : undefined });
        assert.ok(dataset.kind === 'table' && dataset.missing);
        const options: Partial<FitOptions> = {
          k: c.k,
          covarianceType: model as CovarianceType,
          regularization: reference.regularization,
          tolerance: 0,
          maxIterations: reference.iterations,
          init: 'params',
          initParams: { weights: c.start.weights, means: c.start.means, covariances: expected.initCovariances },
        };
        const result = fitDataset(dataset, options).result;
        assert.equal(result.trace.length, expected.trace.length);
        let worst = 0;
        expected.trace.forEach((ll, t) => {
          const rel = Math.abs(result.trace[t] - ll) / Math.abs(ll);
          worst = Math.max(worst, rel);
          assert.ok(rel <= 1e-8, `iteration ${t}: ${result.trace[t]} vs ${ll} (relative ${rel.toExponential(2)})`);
        });
        expected.weights.forEach((w, j) => close(result.weights[j], w, 1e-6, 1e-6, `weight ${j}`));
        expected.means.forEach((m, j) => m.forEach((v, q) => close(result.means[j][q], v, 1e-6, 1, `mean ${j},${q}`)));
        expected.covariances.forEach((cov, j) =>
          cov.forEach((row, r) => row.forEach((v, q) => close(result.covariances![j][r][q], v, 1e-6, Math.abs(cov[r][r]), `covariance ${j} [${r}][${q}]`))),
        );
        assert.equal(result.n, dataset.n);
      });
    }
  }
});

describe('missing cells', () => {
  const faithful = readFileSync(path.join(FIXTURES, 'faithful.csv'), 'utf8').trim();

  it('without missing cells, marginalize is today\'s fit exactly', () => {
    for (const covarianceType of ['full', 'tied', 'VEV', 'EEE'] as CovarianceType[]) {
      const a = fitDataset(loadDataset('f.csv', utf8(faithful), { missing: 'marginalize' }), { k: 3, covarianceType }).result;
      const b = fitDataset(loadDataset('f.csv', utf8(faithful), { missing: 'skip' }), { k: 3, covarianceType }).result;
      assert.deepEqual(a.trace, b.trace);
      assert.equal(a.missingCells, undefined);
    }
  });

  it('empty, NA, NaN, null and ? are missing; Inf and overflowing numbers skip their row; a row with no observed cell is skipped', () => {
    const text = 'a,b,c\n1,2,3\n,2,3\n1,NA,3\n1,2,NaN\nnull,2,3\n1,?,3\n1,Inf,3\n1,2,1e999\nNA,,?\n4,5,6\n2,2,2\n';
    const table = loadDataset('t.csv', utf8(text), { missing: 'marginalize' });
    assert.ok(table.kind === 'table');
    assert.equal(table.n, 8);
    assert.deepEqual(table.missingPerColumn, [2, 2, 1]);
    assert.deepEqual(Array.from(table.sourceLines!), [2, 3, 4, 5, 6, 7, 11, 12]);
    assert.equal(table.summary.skippedRows, 3);
    assert.deepEqual(table.summary.skippedLines, [8, 9, 10]);
    assert.ok(table.summary.notes.some((n) => /no observed value/.test(n) && /line 10/.test(n)), table.summary.notes.join('\n'));
    assert.ok(table.summary.notes.some((n) => /non-finite/.test(n) && /lines 8, 9/.test(n)), table.summary.notes.join('\n'));
    assert.ok(table.summary.notes.includes('missing cells: 2 in a, 2 in b, 1 in c'), table.summary.notes.join('\n'));
    const skip = loadDataset('t.csv', utf8(text), { missing: 'skip' });
    assert.equal(skip.n, 3);
  });

  it('NumPy: NaN cells are missing, ±Inf skips the row', () => {
    const bytes = npyBytes({ descr: '<f8', shape: [4, 2], data: float64Bytes([1, NaN, 2, 3, NaN, NaN, Infinity, 1]) });
    const table = loadDataset('t.npy', bytes, { missing: 'marginalize' });
    assert.ok(table.kind === 'table');
    assert.equal(table.n, 2);
    assert.deepEqual(Array.from(table.missing!), [0, 1, 0, 0]);
    assert.deepEqual(table.summary.skippedLines, [3, 4]);
  });

  it('the result: n is the rows used, missing cells per column, the assumption said, incomplete plotted rows placed by the fit', () => {
    const lines = faithful.split('\n');
    const withGaps = lines.map((l, i) => (i > 0 && i % 9 === 0 ? `${l.split(',')[0]},NA` : i > 0 && i % 13 === 0 ? `,${l.split(',')[1]}` : l)).join('\n');
    const outcome = fitDataset(loadDataset('f.csv', utf8(withGaps), { missing: 'marginalize' }), { k: 2, covarianceType: 'full' });
    const r: FitResult = outcome.result;
    assert.equal(r.n, 272);
    assert.deepEqual(r.missingCells, [18, 30]);
    assert.ok(r.notes!.some((n) => /48 missing cells/.test(n) && /missing at random/.test(n)));
    const rows = outcome.plotSample!.incompleteRows!;
    assert.equal(rows.length, 48);
    assert.deepEqual(r.imputedPlot!.rows, rows);
    // Observed cells are kept; the missing ones lie between the two fitted means (a convex combination of
    // conditional means, each inside the data's range).
    rows.forEach((row, s) => {
      const [e, w] = lines[row + 1].split(',').map(Number);
      const [ie, iw] = r.imputedPlot!.values.slice(2 * s, 2 * s + 2);
      if ((row + 1) % 9 === 0) assert.equal(ie, e);
      else assert.equal(iw, w);
      assert.ok(ie > 1 && ie < 6 && iw > 40 && iw < 100, `${ie}, ${iw}`);
    });
  });

  it('0/1 data with missing cells stay Bernoulli under model "auto", every row fitted on its observed cells', () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i % 2, (i >> 1) % 2, (i >> 2) % 2].map((v, j) => (j === 1 && i % 7 === 0 ? 'NA' : String(v))).join(','));
    const result = fitDataset(loadDataset('b.csv', utf8(['a,b,c', ...rows].join('\n')), { missing: 'marginalize' }), { k: 2 }).result;
    assert.equal(result.model, 'bernoulli');
    assert.equal(result.n, 40);
    assert.deepEqual(result.missingCells, [0, 6, 0]);
  });

  it('a model selection and the variational mixture fit the complete rows and say why', () => {
    const text = 'a,b\n' + faithful.split('\n').slice(1).map((l, i) => (i % 10 === 0 ? `${l.split(',')[0]},` : l)).join('\n');
    const selected = fitDataset(loadDataset('f.csv', utf8(text), { missing: 'marginalize' }), { k: 'auto', kRange: '1-2', covarianceModels: 'EEE,VVV' }).result;
    assert.equal(selected.n, 272 - 28);
    const variational = fitDataset(loadDataset('f.csv', utf8(text), { missing: 'marginalize' }), { k: 2, covarianceType: 'variational' }).result;
    assert.equal(variational.n, 272 - 28);
  });
});
