// The model-selection sweep against R's Mclust() (mclust 6.0): from Mclust()'s own starting partitions, every cell
// of the BIC and ICL tables (K = 1…9 × mclust's default models) equals R's to 1e-6 relative, the cells R reports as
// NA are failed or degenerate here, and the chosen model and K are R's. Reference values:
// test/reference/make_mclust_bic_reference.R → test/reference/mclust_bic.json.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultMclustModels, type MclustModelName } from '../../../src/engine/families/gaussian/mclust/models';
import { defaultStartingPartitions, quantileClasses } from '../../../src/engine/select/starts';
import type { MeResult } from '../../../src/engine/families/gaussian/mclust/me';
import { BestFitKeeper, bestCellIndex, describeFit, fitCell, isChoosable, planSweep, sweepModels, type SweepCell, type SweepResult } from '../../../src/engine/select/sweep';
import { assertClose } from '../../fixtures/gaussian/helpers';

interface DataReference {
  n: number;
  d: number;
  columns: string[];
  values: number[];
  models: MclustModelName[];
  /** Rows G = 1…9, columns `models`; null where mclust reports NA. */
  bic: (number | null)[][];
  icl: (number | null)[][];
  returnCodes: number[][];
  best: { model: MclustModelName; k: number; bic: number; logLikelihood: number; parameters: number };
  bestIcl: { model: MclustModelName; k: number; icl: number };
  /** The 1-based starting classes of each G (hclass of Mclust's hierarchical clustering; qclass for one column). */
  starts: number[][];
}

type Reference = { mclust: string; G: number[] } & Record<'faithful' | 'iris' | 'diabetes' | 'banknote' | 'waiting', DataReference>;

const reference = JSON.parse(readFileSync(path.resolve(__dirname, '../../reference/mclust_bic.json'), 'utf8')) as Reference;
const RTOL = 1e-6;

/**
 * Cells that R reports and this sweep marks NA as degenerate, and why. The fits themselves agree with R's (their
 * BIC and ICL are checked like every other cell's); only the verdict differs. mclust reports any fit whose
 * covariances pass its Cholesky threshold; this sweep also refuses a component whose effective size n_k is below
 * the points that the part of its covariance that is its own needs (findMclustDegenerateComponents). R chooses none
 * of these cells either.
 */
const KNOWN_DISAGREEMENTS: Record<string, string> = {
  'iris K=7 EEV': 'component 1 has n_k = 4.8, below the d + 1 = 5 points its own orientation needs',
  'diabetes K=6 EVI': 'component 2 has n_k = 1.5, below the 2 points its own diagonal shape needs',
  'diabetes K=8 EEV': 'component 5 has n_k = 3.3, below the d + 1 = 4 points its own orientation needs',
  'diabetes K=8 EVV': 'component 6 has n_k = 3.9, below the d + 1 = 4 points its own orientation needs',
  'banknote K=8 VEI': 'component 2 has n_k = 2.0 (just below 2), the 2 points its own volume needs',
  'banknote K=9 VEV': 'component 9 sits on 5 distinct rows, fewer than the d + 1 = 7 its own orientation needs',
};

/**
 * Cells that R fits and this sweep reports as failed, and why. R chooses none of them.
 */
const KNOWN_FAILURES: Record<string, string> = {
  // The start's class 9 has 5 rows in 6 columns, so its scatter matrix W_9 is singular. mclust's mevee refuses a
  // W_k that LAPACK's Cholesky (dpotrf) cannot factor; R's factorisation passes this one on rounding error, this
  // sweep's does not (a pivot ≤ 0), so the first M-step fails here as singular.
  'banknote K=9 VEE': 'singular',
};

function sweep(name: keyof Reference & string): { ref: DataReference; result: SweepResult } {
  const ref = reference[name as 'faithful'];
  const result = sweepModels(Float64Array.from(ref.values), ref.n, ref.d, {
    ks: reference.G,
    models: ref.models,
    starts: ref.starts.map((classes) => Int32Array.from(classes, (c) => c - 1)),
    columns: ref.columns,
  });
  return { ref, result };
}

describe('model selection against R mclust Mclust() (Old Faithful, iris, diabetes, banknote, waiting)', () => {
  it('the reference is mclust 6.0 over G = 1…9 with mclust’s default models', () => {
    assert.equal(reference.mclust, '6.0.0');
    assert.deepEqual(reference.G, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const name of ['faithful', 'iris', 'diabetes', 'banknote', 'waiting'] as const) {
      const ref = reference[name];
      assert.deepEqual(ref.models, defaultMclustModels(ref.n, ref.d), name);
      assert.equal(ref.bic.length, 9);
      assert.equal(ref.starts.length, 9);
    }
    // The case the model-selection issue names: Old Faithful picks EEE with 3 components.
    assert.equal(reference.faithful.best.model, 'EEE');
    assert.equal(reference.faithful.best.k, 3);
    assertClose(reference.faithful.best.bic, -2314.32, 1e-5, 0, 'faithful best BIC');
    assertClose(reference.faithful.best.logLikelihood, -1126.33, 1e-5, 0, 'faithful best log-likelihood');
  });

  for (const name of ['faithful', 'iris', 'diabetes', 'banknote', 'waiting'] as const) {
    describe(name, () => {
      let run: ReturnType<typeof sweep>;
      before(function () {
        this.timeout(120_000);
        run = sweep(name);
      });

      it('every cell R reports has R’s BIC and ICL (1e-6 relative); only the listed ones are degenerate or failed here', () => {
        const { ref, result } = run;
        const degenerate: string[] = [];
        const failed: string[] = [];
        let compared = 0;
        result.ks.forEach((k, i) => {
          ref.models.forEach((model, j) => {
            const cell = result.cells[i * ref.models.length + j];
            assert.equal(cell.k, k);
            assert.equal(cell.model, model);
            const expected = ref.bic[i][j];
            const where = `${name} K=${k} ${model}`;
            if (expected === null) return;
            if (where in KNOWN_FAILURES && cell.bic === null) {
              assert.equal(cell.status, KNOWN_FAILURES[where], where);
              failed.push(where);
              return;
            }
            if (cell.status === 'degenerate') degenerate.push(where);
            else assert.ok(isChoosable(cell), `${where}: R reports BIC ${expected}, here ${cell.status}`);
            assertClose(cell.bic, expected, RTOL, 0, `${where} BIC`);
            assertClose(cell.icl, ref.icl[i][j], RTOL, 0, `${where} ICL`);
            compared++;
          });
        });
        assert.equal(compared + failed.length, ref.bic.flat().filter((v) => v !== null).length);
        assert.deepEqual(degenerate, Object.keys(KNOWN_DISAGREEMENTS).filter((where) => where.startsWith(`${name} `)));
        assert.deepEqual(failed, Object.keys(KNOWN_FAILURES).filter((where) => where.startsWith(`${name} `)));
      });

      it('every cell R reports as NA failed or is degenerate here, and is never chosen', () => {
        const { ref, result } = run;
        result.ks.forEach((k, i) => {
          ref.models.forEach((model, j) => {
            if (ref.bic[i][j] !== null) return;
            const cell = result.cells[i * ref.models.length + j];
            assert.ok(!isChoosable(cell), `${name} K=${k} ${model}: NA in R (return code ${ref.returnCodes[i][j]}), here ${cell.status} with BIC ${cell.bic}`);
          });
        });
        for (const best of [result.best.bic, result.best.icl]) assert.ok(best && isChoosable(best.cell));
      });

      it('chooses R’s model and K, with its BIC, log-likelihood and parameter count; and mclustICL’s by ICL', () => {
        const { ref, result } = run;
        const best = result.best.bic!;
        assert.equal(best.cell.model, ref.best.model);
        assert.equal(best.cell.k, ref.best.k);
        assertClose(best.cell.bic, ref.best.bic, RTOL, 0, 'best BIC');
        assertClose(best.cell.logLikelihood, ref.best.logLikelihood, RTOL, 0, 'best log-likelihood');
        assert.equal(best.cell.parameters, ref.best.parameters);
        assert.equal(result.best.icl!.cell.model, ref.bestIcl.model);
        assert.equal(result.best.icl!.cell.k, ref.bestIcl.k);
        assertClose(result.best.icl!.cell.icl, ref.bestIcl.icl, RTOL, 0, 'best ICL');
      });

      it('reports the best fit’s parameters and a most-likely component for every row', () => {
        const { ref, result } = run;
        const best = result.best.bic!;
        const k = best.cell.k;
        assert.equal(best.weights.length, k);
        assertClose(best.weights.reduce((s, w) => s + w, 0), 1, 1e-12, 0, 'weights sum');
        assert.equal(best.means.length, k);
        assert.ok(best.means.every((m) => m.length === ref.d));
        assert.ok(best.covariances.every((c) => c.length === ref.d && c.every((row) => row.length === ref.d)));
        assert.equal(best.assignments.length, ref.n);
        const used = new Set(best.assignments);
        assert.ok([...used].every((c) => Number.isInteger(c) && c >= 0 && c < k));
      });
    });
  }

  it('exact ties go to the first cell in mclust’s order (model by model, K within each), as R’s pickBIC', () => {
    // K-major order would pick K = 1 EEE; mclust's column-major order reaches K = 2 VVV first.
    const cell = (k: number, model: MclustModelName, bic: number): SweepCell => ({ k, model, logLikelihood: bic, parameters: 1, bic, icl: bic, iterations: 1, status: 'converged' });
    const table = { ks: [1, 2], models: ['VVV', 'EEE'] as MclustModelName[], cells: [cell(1, 'VVV', -10), cell(1, 'EEE', -5), cell(2, 'VVV', -5), cell(2, 'EEE', -7)] };
    assert.equal(bestCellIndex(table, 'bic'), 2);
    // A failed or degenerate cell is never chosen, however high its value.
    table.cells[0] = { ...cell(1, 'VVV', 0), status: 'degenerate' };
    table.cells[3] = { ...cell(2, 'EEE', 0), status: 'singular' };
    assert.equal(bestCellIndex(table, 'icl'), 2);
  });

  it('the best fits kept during the sweep are the cells bestCellIndex chooses, ties included', () => {
    const cell = (k: number, model: MclustModelName, bic: number, icl: number): SweepCell => ({ k, model, logLikelihood: bic, parameters: 1, bic, icl, iterations: 1, status: 'converged' });
    const table = { ks: [1, 2], models: ['VVV', 'EEE'] as MclustModelName[], cells: [cell(1, 'VVV', -10, -3), cell(1, 'EEE', -5, -4), cell(2, 'VVV', -5, -9), cell(2, 'EEE', -7, -3)] };
    const fitOf = table.cells.map((c) => ({ model: c.model }) as unknown as MeResult);
    // Offered as the sweep takes them (largest K first): the tie on BIC (cells 1 and 2) goes to cell 2, on ICL to 0.
    const keeper = new BestFitKeeper(table);
    for (const index of [2, 3, 0, 1]) keeper.offer(index, table.cells[index], fitOf[index]);
    const kept = keeper.fits();
    assert.equal(bestCellIndex(table, 'bic'), 2);
    assert.equal(bestCellIndex(table, 'icl'), 0);
    assert.deepEqual(Object.keys(kept).map(Number), [0, 2]);
    assert.equal(kept[2], fitOf[2]);
    assert.equal(kept[0], fitOf[0]);
    // A cell that cannot be chosen is never kept.
    const other = new BestFitKeeper(table);
    other.offer(1, { ...table.cells[1], status: 'degenerate' }, fitOf[1]);
    assert.deepEqual(other.fits(), []);
  });

  it('the best fits are those of a refit of the chosen cells (diabetes: BIC and ICL)', () => {
    const ref = reference.diabetes;
    const x = Float64Array.from(ref.values);
    const result = sweepModels(x, ref.n, ref.d, { ks: reference.G });
    const plan = planSweep(x, ref.n, ref.d, { ks: reference.G });
    for (const criterion of ['bic', 'icl'] as const) {
      const best = result.best[criterion]!;
      const index = result.cells.indexOf(best.cell);
      const refit = fitCell(x, ref.n, ref.d, best.cell.k, best.cell.model, plan.partitions[reference.G.indexOf(best.cell.k)], plan.settings);
      assert.deepEqual(best, describeFit(result.cells[index], refit.fit!), criterion);
    }
  });

  it('one column: the starting partitions are mclust’s quantile classes (qclass)', () => {
    const ref = reference.waiting;
    const x = Float64Array.from(ref.values);
    reference.G.forEach((k, i) => assert.deepEqual(Array.from(quantileClasses(x, k), (c) => c + 1), ref.starts[i], `K = ${k}`));
  });

  it('the default starting partitions are Mclust()’s: its hierarchical clustering cut at each K, qclass for one column', function () {
    this.timeout(60_000);
    for (const name of ['faithful', 'iris', 'diabetes', 'banknote', 'waiting'] as const) {
      const ref = reference[name];
      const partitions = defaultStartingPartitions(Float64Array.from(ref.values), ref.n, ref.d, reference.G);
      partitions.forEach((p, i) => assert.deepEqual(Array.from(p, (c) => c + 1), ref.starts[i], `${name} K = ${reference.G[i]}`));
    }
  });

  it('a K with no start is NA, not an error: above n (too-few-rows), or more classes than one column has values (no-start)', () => {
    const x = Float64Array.of(1, 1, 1, 2);
    const result = sweepModels(x, 4, 1, { ks: [1, 2, 5] });
    assert.deepEqual(result.cells.map((c) => `${c.k}${c.model}:${c.status}`), ['1E:converged', '1V:converged', '2E:no-start', '2V:no-start', '5E:too-few-rows', '5V:too-few-rows']);
    assert.equal(result.best.bic!.cell.k, 1);
    assert.throws(() => sweepModels(x, 4, 1, { ks: [1], models: ['EII'] }), /model EII needs two or more columns/);
    assert.throws(() => sweepModels(x, 4, 1, { ks: [2], starts: [Int32Array.of(0, 0, 2, 1)] }), /has class 2 at row 3/);
  });

  it('is deterministic: the same data and starts give the same table', () => {
    const a = sweep('diabetes').result;
    const b = sweep('diabetes').result;
    assert.deepEqual(a, b);
  });
});
