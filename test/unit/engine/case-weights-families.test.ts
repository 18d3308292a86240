// Case weights in the Bernoulli, categorical and mixed families: whole-number weights give exactly the fit of the
// rows repeated (the same weighted k-means++ start, the same trace, weights, parameters, BIC and AIC; n = Σ w), also in
// their K sweeps (BIC and ICL per K); a saved model's prediction on the fitted file weighs the rows as the fit did.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset, resolveOptions } from '../../../src/engine/fit';
import { loadForModel, predictDataset } from '../../../src/engine/model/predict';
import { buildSavedModel, parseSavedModel, savedModelJson } from '../../../src/engine/model/schema';
import type { DatasetSummary, FitOptions, FitResult } from '../../../src/shared/protocol';
import { utf8 } from '../../fixtures/data/helpers';

const FIXTURES = path.resolve(__dirname, '../../fixtures');

/** A fixed linear congruential sequence in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** Whole-number weights 0..3 (zero weights included). */
function weightsFor(count: number, seed: number): number[] {
  const next = lcg(seed);
  return Array.from({ length: count }, () => Math.floor(next() * 4));
}

/** 0/1 answers to 10 questions from two profiles: a table the Bernoulli family takes ("every value is 0 or 1"). */
function binaryTable(): string[] {
  const next = lcg(7);
  const profiles = [
    [0.9, 0.8, 0.9, 0.7, 0.2, 0.1, 0.3, 0.2, 0.6, 0.5],
    [0.1, 0.3, 0.2, 0.2, 0.8, 0.9, 0.7, 0.9, 0.4, 0.5],
  ];
  const rows = [Array.from({ length: 10 }, (_, j) => `q${j + 1}`).join(',')];
  for (let i = 0; i < 160; i++) {
    const p = profiles[next() < 0.6 ? 0 : 1];
    rows.push(p.map((q) => (next() < q ? 1 : 0)).join(','));
  }
  return rows;
}

function weightedAndRepeated(lines: string[], seed: number) {
  const [header, ...rows] = lines;
  const w = weightsFor(rows.length, seed);
  return {
    total: w.reduce((a, b) => a + b, 0),
    rows: rows.length,
    weighted: utf8([`${header},w`, ...rows.map((r, i) => `${r},${w[i]}`)].join('\n')),
    repeated: utf8([header, ...rows.flatMap((r, i) => Array<string>(w[i]).fill(r))].join('\n')),
  };
}

function fit(name: string, bytes: Uint8Array, options: Partial<FitOptions>, weightsColumn?: string): { result: FitResult; summary: DatasetSummary } {
  let summary = undefined as unknown as DatasetSummary;
  const result = fitDataset(loadDataset(name, bytes, { weightsColumn }), options, { onLoaded: (info) => (summary = info.summary) }).result;
  return { result, summary };
}

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

function assertSameFit(a: FitResult, b: FitResult, tol = 1e-10): void {
  assert.equal(a.model, b.model);
  assert.equal(a.trace.length, b.trace.length, `iterations ${a.trace.length} vs ${b.trace.length}`);
  a.trace.forEach((v, t) => assert.ok(close(v, b.trace[t], tol), `trace[${t}] ${v} vs ${b.trace[t]}`));
  a.weights.forEach((p, c) => assert.ok(close(p, b.weights[c], tol), `π ${c}: ${p} vs ${b.weights[c]}`));
  a.means.forEach((row, c) => row.forEach((m, j) => assert.ok(close(m, b.means[c][j], tol), `means[${c}][${j}]`)));
  a.probabilities?.forEach((cluster, c) => cluster.forEach((row, j) => row.forEach((p, l) => assert.ok(close(p, b.probabilities![c][j][l], tol), `θ[${c}][${j}][${l}]`))));
  a.covariances?.forEach((m, c) => m.forEach((row, r) => row.forEach((v, s) => assert.ok(close(v, b.covariances![c][r][s], tol), `Σ[${c}][${r}][${s}]`))));
  assert.ok(close(a.bic, b.bic, tol), `BIC ${a.bic} vs ${b.bic}`);
  assert.ok(close(a.aic, b.aic, tol), `AIC ${a.aic} vs ${b.aic}`);
}

const cases: [string, string, string[], Partial<FitOptions>][] = [
  ['Bernoulli (a 0/1 table)', 'answers.csv', binaryTable(), { k: 2, seed: 3 }],
  ['categorical (survey answers, some missing)', 'survey.csv', readFileSync(path.join(FIXTURES, 'survey.csv'), 'utf8').trim().split('\n'), { k: 3, seed: 5 }],
  ['mixed, full', 'mixed.csv', readFileSync(path.join(FIXTURES, 'mixed.csv'), 'utf8').trim().split('\n'), { k: 3, seed: 2, covarianceType: 'full' }],
  ['mixed, mclust VVI', 'mixed.csv', readFileSync(path.join(FIXTURES, 'mixed.csv'), 'utf8').trim().split('\n'), { k: 2, seed: 6, covarianceType: 'VVI' }],
];

describe('case weights: Bernoulli, categorical and mixed mixtures', function () {
  this.timeout(60_000);
  for (const [label, name, lines, options] of cases) {
    for (const emVariant of ['soft', 'hard'] as const) {
      it(`${label}, ${emVariant} EM: whole-number weights give the fit of the rows repeated (trace, π, parameters, BIC with n = Σ w)`, () => {
        const data = weightedAndRepeated(lines, 11);
        const a = fit(name, data.weighted, { ...options, emVariant }, 'w').result;
        const b = fit(name, data.repeated, { ...options, emVariant }).result;
        assert.equal(a.model, label.split(/[ ,]/)[0].toLowerCase());
        assert.equal(a.n, data.rows);
        assert.equal(b.n, data.total);
        assert.deepEqual(a.caseWeights, { column: 'w', total: data.total });
        assertSameFit(a, b);
      });
    }
    it(`${label}: the K sweep weighs every candidate (BIC and ICL per K as the rows repeated)`, () => {
      const data = weightedAndRepeated(lines, 19);
      const a = fit(name, data.weighted, { ...options, k: 'auto', kRange: '1-3' }, 'w').result;
      const b = fit(name, data.repeated, { ...options, k: 'auto', kRange: '1-3' }).result;
      assert.equal(a.k, b.k);
      a.selection!.entries.forEach((e, i) => {
        const f = b.selection!.entries[i];
        assert.ok(close(e.bic!, f.bic!, 1e-10), `K = ${e.k}: BIC ${e.bic} vs ${f.bic}`);
        assert.ok(close(e.icl!, f.icl!, 1e-10), `K = ${e.k}: ICL ${e.icl} vs ${f.icl}`);
      });
      assert.ok(a.notes!.some((note) => /Case weights \(column "w"\) weight every candidate/.test(note)), a.notes!.join('\n'));
    });
    it(`${label}: the saved model weighs the fitted file's rows as the fit did`, async () => {
      const data = weightedAndRepeated(lines, 23);
      const { result, summary } = fit(name, data.weighted, options, 'w');
      const model = parseSavedModel(savedModelJson(buildSavedModel({ options: resolveOptions(options), result, summary })), 'm.json');
      assert.equal(model.preprocessing.weightsColumn, 'w');
      const p = predictDataset(model, await loadForModel(model, name, data.weighted));
      assert.deepEqual(p.caseWeights, { column: 'w', total: data.total });
      assert.deepEqual(Array.from(p.assignments), result.assignments);
      assert.ok(close(p.logLikelihood, result.logLikelihood, 1e-12), `${p.logLikelihood} vs ${result.logLikelihood}`);
    });
  }
});
