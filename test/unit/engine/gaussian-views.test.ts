// The panel's extra views of a Gaussian fit, computed in the worker (src/engine/families/gaussian/mclustDR.ts,
// views.ts), against R's mclust: MclustDR's directions and eigenvalues, and each row's uncertainty 1 − max_k z_ik,
// from the parameters of R's Mclust fits (test/reference/make_mclust_dr_reference.R → mclust_dr.json).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TableData } from '../../../src/engine/data/dataset';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import { mclustDirections } from '../../../src/engine/families/gaussian/mclustDR';
import { mostUncertainRows, rowUncertainty, UNCERTAIN_ROWS } from '../../../src/engine/families/gaussian/views';

interface Case {
  name: string;
  file: string;
  columns: string[];
  k: number;
  model: string;
  lambda: number;
  weights: number[];
  means: number[][];
  covariances: number[][][];
  numdir: number;
  evalues: number[];
  basis: number[][];
  uncertainty: number[];
}
const ref = JSON.parse(readFileSync(join(__dirname, '..', '..', 'reference', 'mclust_dr.json'), 'utf8')) as { cases: Case[] };

function table(file: string, columns: string[]): TableData {
  const dataset = loadDataset(file, readFileSync(join(__dirname, '..', '..', 'fixtures', file)), { columns });
  assert.equal(dataset.kind, 'table');
  return dataset as TableData;
}

function relClose(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

describe('MclustDR directions against R mclust', () => {
  for (const c of ref.cases) {
    it(`${c.name}: ${c.numdir} direction(s), eigenvalues to 1e-6 relative, directions up to sign`, () => {
      const t = table(c.file, c.columns);
      const dr = mclustDirections(t.values, t.n, t.d, c, c.lambda);
      assert.ok(dr);
      assert.equal(dr.axes.length, c.numdir);
      assert.equal(dr.eigenvalues.length, t.d);
      for (let r = 0; r < c.numdir; r++) relClose(dr.eigenvalues[r], c.evalues[r], 1e-6, `eigenvalue ${r + 1}`);
      // The eigenvalues past numdir are rounding in both (R: about 1e-15).
      for (let r = c.numdir; r < t.d; r++) assert.ok(dr.eigenvalues[r] < 1e-8, `eigenvalue ${r + 1} = ${dr.eigenvalues[r]}`);
      for (let r = 0; r < c.numdir; r++) {
        const expected = c.basis[r];
        const sign = Math.sign(dr.axes[r].reduce((s, v, j) => s + v * expected[j], 0));
        dr.axes[r].forEach((v, j) => assert.ok(Math.abs(sign * v - expected[j]) <= 1e-6, `direction ${r + 1}[${j}]: ${sign * v} vs ${expected[j]}`));
        // The sign rule: the largest-magnitude loading is positive.
        const largest = dr.axes[r].reduce((b, v, j) => (Math.abs(v) > Math.abs(dr.axes[r][b]) ? j : b), 0);
        assert.ok(dr.axes[r][largest] > 0);
      }
      dr.mean.forEach((m, j) => relClose(m, t.values.filter((_, i) => i % t.d === j).reduce((s, v) => s + v, 0) / t.n, 1e-12, `mean ${j}`));
    });
  }

  it('gives no direction for one component (nothing to separate)', () => {
    const c = ref.cases[0];
    const t = table(c.file, c.columns);
    const mean = Array.from({ length: t.d }, (_, j) => t.values.filter((_, i) => i % t.d === j).reduce((s, v) => s + v, 0) / t.n);
    assert.equal(mclustDirections(t.values, t.n, t.d, { weights: [1], means: [mean], covariances: [c.covariances[0]] }), undefined);
  });
});

describe('row uncertainty against R mclust', () => {
  for (const c of ref.cases.filter((x) => x.lambda === 1)) {
    it(`${c.name}: 1 − max z of every row, and the most uncertain rows with their file lines`, () => {
      const t = table(c.file, c.columns);
      const u = new Float64Array(t.n);
      const best = new Int32Array(t.n);
      rowUncertainty(t.values, t.n, t.d, { weights: c.weights, means: c.means, covariances: c.covariances, iterations: 0 }, u, best);
      u.forEach((v, i) => assert.ok(Math.abs(v - c.uncertainty[i]) <= 1e-9, `row ${i}: ${v} vs ${c.uncertainty[i]}`));
      const rows = mostUncertainRows(u, best, 10, t.sourceLines);
      const expected = c.uncertainty.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v || a.i - b.i).slice(0, 10);
      assert.deepEqual(rows.map((r) => r.row), expected.map((e) => e.i));
      // A header line, then one line per row: row i is on line i + 2.
      assert.deepEqual(rows.map((r) => r.line), expected.map((e) => e.i + 2));
    });
  }
});

describe('a Gaussian fit carries its views', () => {
  const fromR = (c: Case, standardize: boolean) =>
    fitDataset(table(c.file, c.columns), {
      model: 'gaussian',
      k: c.k,
      covarianceType: c.model as 'VVV',
      init: 'params',
      initParams: { weights: c.weights, means: c.means, covariances: c.covariances },
      standardize,
      regularization: 0,
    });

  it('iris, mclust VVV K = 3 started at R’s fit: the result holds MclustDR directions as R’s and the most uncertain rows', () => {
    const c = ref.cases[0];
    const { result } = fromR(c, false);
    assert.ok(result.dimensionReduction);
    assert.equal(result.dimensionReduction.axes.length, 2);
    // EM goes on from R's parameters (R stopped at its own tolerance): close, not equal (the exact check is above).
    for (let r = 0; r < 2; r++) relClose(result.dimensionReduction.eigenvalues[r], c.evalues[r], 5e-3, `eigenvalue ${r + 1}`);
    assert.equal(result.uncertainRows?.length, UNCERTAIN_ROWS);
    const top = c.uncertainty.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v)[0];
    assert.equal(result.uncertainRows?.[0].row, top.i);
    assert.equal(result.uncertainRows?.[0].line, top.i + 2);
  });

  it('standardised fits: directions in standardised units (the same separating direction, rescaled)', () => {
    const c = ref.cases[0];
    const sd = c.columns.map((_, j) => {
      const t = table(c.file, c.columns);
      const col = t.values.filter((_, i) => i % t.d === j);
      const m = col.reduce((s, v) => s + v, 0) / t.n;
      return { m, s: Math.sqrt(col.reduce((s, v) => s + (v - m) ** 2, 0) / t.n) };
    });
    // R's parameters in standardised units, as the start.
    const scaled: Case = {
      ...c,
      means: c.means.map((mu) => mu.map((v, j) => (v - sd[j].m) / sd[j].s)),
      covariances: c.covariances.map((cov) => cov.map((row, a) => row.map((v, b) => v / (sd[a].s * sd[b].s)))),
    };
    const { result } = fromR(scaled, true);
    assert.ok(result.dimensionReduction && result.standardization);
    // MclustDR is affine-equivariant: standardising scales the data's eigenproblem, not its eigenvalues.
    relClose(result.dimensionReduction.eigenvalues[0], ref.cases[0].evalues[0], 1e-3, 'eigenvalue 1');
    result.dimensionReduction.mean.forEach((m) => assert.ok(Math.abs(m) < 1e-12));
  });
});

describe('a model selection carries each candidate’s own MclustDR directions', () => {
  it('iris, K 2–3 × VVV, VEV (hc starts, as Mclust): the VEV K = 2 and VVV K = 3 candidates’ directions are R’s for those fits', () => {
    const c = ref.cases[0];
    const { result } = fitDataset(table(c.file, c.columns), { kRange: '2-3', covarianceModels: 'VVV,VEV' });
    const entries = result.selection!.entries;
    for (const name of ['iris VEV K=2', 'iris VVV K=3']) {
      const r = ref.cases.find((x) => x.name === name)!;
      const entry = entries.find((e) => e.k === r.k && e.covariance === r.model)!;
      const dr = entry.dimensionReduction;
      assert.ok(dr, `${name}: directions`);
      // At most K − 1 directions with λ = 1; the kernel's eigenvalues as R's for the same fit (both started from hc).
      assert.equal(dr.axes.length, r.numdir);
      for (let i = 0; i < r.numdir; i++) relClose(dr.eigenvalues[i], r.evalues[i], 5e-3, `${name}: eigenvalue ${i + 1}`);
      dr.axes.forEach((axis) => relClose(Math.hypot(...axis), 1, 1e-12, `${name}: unit axis`));
    }
    // The chosen candidate's directions are the result's.
    const chosen = entries.find((e) => e.k === result.k && e.covariance === result.covarianceType)!;
    assert.deepEqual(chosen.dimensionReduction, result.dimensionReduction);
    // Two candidates of different K differ: K = 2 has one direction, K = 3 two.
    assert.notEqual(entries.find((e) => e.k === 2)!.dimensionReduction!.axes.length, entries.find((e) => e.k === 3)!.dimensionReduction!.axes.length);
  });
});
