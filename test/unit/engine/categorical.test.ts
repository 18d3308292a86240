// The categorical mixture family (latent class analysis) against an independent numpy EM from the same start
// (test/reference/make_numpy_categorical_reference.py): the per-iteration observed-data log-likelihood, with missing
// cells dropped from each row's product, and the final weights and probabilities; its parameter count, its monotone
// EM and its refusals.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { runEm, startedFromPartition } from '../../../src/engine/em/em';
import { CategoricalFamily, type CategoricalColumns } from '../../../src/engine/families/categorical/family';

const root = path.resolve(__dirname, '../../..');
const reference = JSON.parse(readFileSync(path.join(root, 'test/reference/numpy_categorical.json'), 'utf8')) as {
  k: number;
  columns: string[];
  levels: string[][];
  start: number[];
  trace: number[];
  weights: number[];
  probabilities: number[][][];
  parameters: number;
};

/** The survey coded as the reference codes it (each column's answers in sorted order, empty = missing). */
function survey(): CategoricalColumns {
  const lines = readFileSync(path.join(root, 'test/fixtures/survey.csv'), 'utf8').trim().split('\n');
  assert.deepEqual(lines[0].split(','), reference.columns);
  const rows = lines.slice(1).map((l) => l.split(','));
  const d = reference.columns.length;
  const codes = new Int32Array(rows.length * d);
  rows.forEach((cells, i) => cells.forEach((cell, j) => (codes[i * d + j] = cell === '' ? -1 : reference.levels[j].indexOf(cell))));
  assert.ok(!codes.some((c, p) => c === -1 && rows[Math.floor(p / d)][p % d] !== ''), 'every answer is one of the reference levels');
  return { n: rows.length, d, codes, levels: reference.levels.map((l) => l.length) };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));

describe('categorical mixture family (latent class analysis)', function () {
  this.timeout(60_000);

  it('from the reference start: every iteration\'s log-likelihood (1e-10 relative) and the final parameters match numpy\'s EM', () => {
    const family = new CategoricalFamily(survey(), 'kmeans++');
    const iterations = reference.trace.length - 1;
    const run = runEm(startedFromPartition(family, reference.start), { k: reference.k, maxIterations: iterations, tolerance: 0, variant: 'soft', restarts: 1, seed: 0, keepSnapshots: false });
    assert.equal(run.trace.length, reference.trace.length);
    run.trace.forEach((ll, t) => assert.ok(rel(ll, reference.trace[t]) < 1e-10, `iteration ${t}: ${ll} vs numpy ${reference.trace[t]}`));
    // The parameters of the last iteration's log-likelihood.
    const L = family.totalLevels;
    for (let c = 0; c < reference.k; c++) {
      assert.ok(rel(run.params.weights[c], reference.weights[c]) < 1e-9, `weight ${c}`);
      reference.probabilities[c].flat().forEach((p, l) => assert.ok(Math.abs(run.params.probabilities[c * L + l] - p) < 1e-9, `probability ${c},${l}: ${run.params.probabilities[c * L + l]} vs ${p}`));
    }
    assert.equal(family.parameterCount(reference.k), reference.parameters);
  });

  it('never lowers the log-likelihood, keeps every distribution summing to 1 (random tables with missing cells, every start)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 40, maxLength: 160 }),
        fc.constantFrom('kmeans++' as const, 'random' as const, 'random-data' as const, 'random-assignment' as const),
        fc.nat({ max: 1000 }),
        (k, levels, cells, init, seed) => {
          const d = levels.length;
          const n = Math.floor(cells.length / d);
          const codes = Int32Array.from(cells.slice(0, n * d), (c, p) => (c < 0 ? -1 : c % levels[p % d]));
          const family = new CategoricalFamily({ n, d, codes, levels }, init);
          const run = runEm(family, { k: Math.min(k, n), maxIterations: 30, tolerance: 0, variant: 'soft', restarts: 1, seed, keepSnapshots: false });
          for (let t = 1; t < run.trace.length; t++) assert.ok(run.trace[t] >= run.trace[t - 1] - 1e-9 * Math.abs(run.trace[t - 1]), `iteration ${t}`);
          const L = family.totalLevels;
          for (let c = 0; c < Math.min(k, n); c++) {
            for (let j = 0; j < d; j++) {
              let s = 0;
              for (let l = family.offsets[j]; l < family.offsets[j + 1]; l++) {
                const p = run.params.probabilities[c * L + l];
                assert.ok(p > 0 && p < 1 + 1e-12);
                s += p;
              }
              assert.ok(Math.abs(s - 1) < 1e-12);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
