// Case weights in the Poisson family: a weighted fit must be the fit of the rows repeated w times (the same weighted
// k-means++ start, trace, rates, BIC and count histograms), also in its K sweep; rows with missing cells are skipped
// (the family does not marginalise them), saying why.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import type { FitOptions, FitResult } from '../../../src/shared/protocol';
import { utf8 } from '../../fixtures/data/helpers';

const lines = readFileSync(path.resolve(__dirname, '../../fixtures/counts.csv'), 'utf8').trim().split(/\r?\n/);
const header = lines[0];
const rows = lines.slice(1);

/** Whole-number weights 0..3 from a fixed linear congruential sequence (zero weights included). */
function weightsFor(count: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.floor((s / 2147483648) * 4);
  });
}

const w = weightsFor(rows.length, 11);
const total = w.reduce((a, b) => a + b, 0);
const weighted = utf8([`${header},w`, ...rows.map((r, i) => `${r},${w[i]}`)].join('\n'));
const repeated = utf8([header, ...rows.flatMap((r, i) => Array<string>(w[i]).fill(r))].join('\n'));

function fit(bytes: Uint8Array, options: Partial<FitOptions>, weightsColumn?: string): FitResult {
  return fitDataset(loadDataset('counts.csv', bytes, { weightsColumn, missing: 'marginalize' }), { model: 'poisson', ...options }).result;
}

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

describe('Poisson mixtures: case weights', () => {
  for (const emVariant of ['soft', 'hard'] as const) {
    it(`${emVariant} EM: whole-number weights give the fit of the rows repeated (start, trace, π, λ, BIC, histograms)`, () => {
      const a = fit(weighted, { k: 3, seed: 5, emVariant }, 'w');
      const b = fit(repeated, { k: 3, seed: 5, emVariant });
      assert.equal(a.n, rows.length);
      assert.equal(b.n, total);
      assert.deepEqual(a.caseWeights, { column: 'w', total });
      assert.equal(a.trace.length, b.trace.length);
      a.trace.forEach((v, t) => assert.ok(close(v, b.trace[t], 1e-12), `trace[${t}] ${v} vs ${b.trace[t]}`));
      a.weights.forEach((p, c) => assert.ok(close(p, b.weights[c], 1e-10), `π ${c}`));
      a.means.forEach((row, c) => row.forEach((l, j) => assert.ok(close(l, b.means[c][j], 1e-10), `λ ${c},${j}`)));
      assert.ok(close(a.bic, b.bic, 1e-12), `BIC ${a.bic} vs ${b.bic}`);
      assert.ok(close(a.aic, b.aic, 1e-12), `AIC ${a.aic} vs ${b.aic}`);
      assert.deepEqual(a.countHistograms, b.countHistograms);
    });
  }

  it('the K sweep weights every candidate: the same table of BIC and ICL as the rows repeated', () => {
    const a = fit(weighted, { k: 'auto', kRange: '1-4', seed: 3 }, 'w');
    const b = fit(repeated, { k: 'auto', kRange: '1-4', seed: 3 });
    assert.equal(a.k, b.k);
    a.selection!.entries.forEach((e, i) => {
      const f = b.selection!.entries[i];
      assert.ok(close(e.bic!, f.bic!, 1e-10), `K = ${e.k}: BIC ${e.bic} vs ${f.bic}`);
      assert.ok(close(e.icl!, f.icl!, 1e-10), `K = ${e.k}: ICL ${e.icl} vs ${f.icl}`);
    });
    assert.ok(a.notes!.some((note) => /Case weights \(column "w"\) weight every candidate/.test(note)));
  });

  it('rows with missing cells are skipped, saying that a Poisson mixture does not marginalise them', () => {
    const gaps = utf8([header, ...rows.map((r, i) => (i % 10 === 0 ? r.replace(/^\d+/, 'NA') : r))].join('\n'));
    let notes: string[] = [];
    const result = fitDataset(loadDataset('counts.csv', gaps, { missing: 'marginalize' }), { model: 'poisson', k: 2 }, { onLoaded: (info) => (notes = info.summary.notes) }).result;
    assert.equal(result.n, rows.length - Math.ceil(rows.length / 10));
    assert.equal(result.missingCells, undefined);
    assert.ok(notes.some((note) => /^30 rows skipped: missing values at lines 2, 12, .*\(a Poisson mixture does not marginalise missing cells\)$/.test(note)), notes.join('\n'));
  });
});
