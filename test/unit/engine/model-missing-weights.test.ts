// Saved models, prediction, the emitted scripts and the panel's views with case weights and missing cells: a model
// saved from such a fit, applied to its own file, gives the fit's rows, assignments and log-likelihood; a file
// without the weights column is scored unweighted, saying so; the scripts read the same weights and rows; the
// most uncertain rows of a fit with missing cells come from their observed cells' densities (checked here against
// the univariate normal densities of the one observed cell, computed directly); the weights column is never the
// labels, and a row without its label is skipped whatever `missing` says.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { withoutIncompleteRows } from '../../../src/engine/data/missing';
import type { TableData } from '../../../src/engine/data/dataset';
import { OptionsError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import { emitPython } from '../../../src/engine/model/emit/python';
import { emitR } from '../../../src/engine/model/emit/r';
import { loadForModel, predictDataset } from '../../../src/engine/model/predict';
import { buildSavedModel, parseSavedModel, savedModelJson, type SavedModel } from '../../../src/engine/model/schema';
import { resolveOptions } from '../../../src/engine/options';
import type { FitOptions } from '../../../src/shared/protocol';
import { expectDataError, utf8 } from '../../fixtures/data/helpers';

const fixtures = path.resolve(__dirname, '../../fixtures');
const faithful = readFileSync(path.join(fixtures, 'faithful.csv'), 'utf8').trim().split(/\r?\n/);
/** Old Faithful with every 9th row's waiting and every 13th row's eruptions missing (48 rows, 48 cells). */
const gaps = faithful.map((l, i) => (i > 0 && i % 9 === 0 ? `${l.split(',')[0]},NA` : i > 0 && i % 13 === 0 ? `,${l.split(',')[1]}` : l)).join('\n');
/** Old Faithful with whole-number case weights 1..3 in a column "w". */
const weighted = [`${faithful[0]},w`, ...faithful.slice(1).map((l, i) => `${l},${1 + (i % 3)}`)].join('\n');

/** Fit, save (through JSON, as a file would) and read back. */
function fitAndSave(file: string, text: string, options: Partial<FitOptions>, load: { weightsColumn?: string } = {}) {
  const dataset = loadDataset(file, utf8(text), { missing: options.missing ?? 'marginalize', ...load });
  const resolved = resolveOptions({ ...options, ...load });
  const outcome = fitDataset(dataset, resolved);
  const model = parseSavedModel(savedModelJson(buildSavedModel({ options: resolved, result: outcome.result, summary: dataset.summary })), 'm.json');
  return { result: outcome.result, model };
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('saved models with missing cells and case weights', () => {
  it('a fit that integrated missing cells out: predict on its file keeps every row and gives the fit', async () => {
    for (const covarianceType of ['full', 'diag', 'VEV'] as const) {
      for (const standardize of [false, true]) {
        const { result, model } = fitAndSave('gaps.csv', gaps, { k: 2, covarianceType, standardize, seed: 4 });
        assert.deepEqual(model.fit.missingCells, [18, 30]);
        const p = predictDataset(model, await loadForModel(model, 'gaps.csv', utf8(gaps)));
        assert.equal(p.n, 272);
        assert.equal(p.incompleteRows, 48);
        assert.deepEqual(Array.from(p.assignments), result.assignments, `${covarianceType}`);
        assert.ok(relative(p.logLikelihood, result.logLikelihood) <= 1e-12, `${covarianceType} standardize ${standardize}: ${p.logLikelihood} vs ${result.logLikelihood}`);
      }
    }
  });

  it('a model fitted with missing "skip" skips such rows in predict too', async () => {
    const { result, model } = fitAndSave('gaps.csv', gaps, { k: 2, covarianceType: 'full', missing: 'skip' });
    assert.equal(model.fit.missingCells, undefined);
    const p = predictDataset(model, await loadForModel(model, 'gaps.csv', utf8(gaps)));
    assert.equal(p.n, 272 - 48);
    assert.equal(p.n, result.n);
    assert.ok(relative(p.logLikelihood, result.logLikelihood) <= 1e-9);
  });

  it('case weights: predict on the weighted file gives the fit\'s weighted log-likelihood; a file without the column is unweighted', async () => {
    const { result, model } = fitAndSave('w.csv', weighted, { k: 2, covarianceType: 'full' }, { weightsColumn: 'w' });
    assert.equal(model.preprocessing.weightsColumn, 'w');
    assert.equal(model.fit.caseWeightTotal, result.caseWeights!.total);
    assert.deepEqual(model.columns, ['eruptions', 'waiting']);
    const p = predictDataset(model, await loadForModel(model, 'w.csv', utf8(weighted)));
    assert.deepEqual(p.caseWeights, { column: 'w', total: result.caseWeights!.total });
    assert.ok(relative(p.logLikelihood, result.logLikelihood) <= 1e-9, `${p.logLikelihood} vs ${result.logLikelihood}`);
    // The rows repeated w times score the same.
    const repeated = [faithful[0], ...faithful.slice(1).flatMap((l, i) => Array<string>(1 + (i % 3)).fill(l))].join('\n');
    const plain = await loadForModel(model, 'repeated.csv', utf8(repeated));
    assert.ok(plain.summary.notes.some((note) => note === 'the model was fitted with case weights (column "w"); this file has no such column, so every row weighs 1'));
    const q = predictDataset(model, plain);
    assert.equal(q.caseWeights, undefined);
    assert.ok(relative(q.logLikelihood, p.logLikelihood) <= 1e-12, `${q.logLikelihood} vs ${p.logLikelihood}`);
  });

  it('the Python and R scripts read the weights field and keep rows with missing cells as the fit did; a model that does not record the weights field is refused', () => {
    const weightedModel = fitAndSave('w.csv', weighted, { k: 2, covarianceType: 'full' }, { weightsColumn: 'w' }).model;
    assert.equal(weightedModel.source.text?.weightsField, 2);
    assert.match(emitPython(weightedModel, 'w.csv'), /^WEIGHTS_FIELD = 2  #/m);
    assert.match(emitR(weightedModel, 'w.csv'), /^weights_field <- 3  #/m);
    const gapModel = fitAndSave('gaps.csv', gaps, { k: 2, covarianceType: 'full' }).model;
    assert.match(emitPython(gapModel, 'gaps.csv'), /^KEEP_MISSING = True  #/m);
    assert.match(emitR(gapModel, 'gaps.csv'), /^keep_missing <- TRUE  #/m);
    // A model saved before the weights field was recorded: which field holds the weights is unknown.
    const older = JSON.parse(JSON.stringify(weightedModel)) as SavedModel;
    delete older.source.text!.weightsField;
    for (const emit of [emitPython, emitR]) {
      assert.throws(
        () => emit(older, 'w.csv'),
        (e: unknown) => e instanceof OptionsError && /^w\.csv: cannot write (Python|R) code for this fit with case weights \(column "w"\): the model does not record which field holds them.*mixscope predict/.test(e.message),
      );
    }
    // The rows the fit skipped are skipped, saying why: missing "skip", a model selection (which fits complete rows).
    const skipping = fitAndSave('gaps.csv', gaps, { k: 2, covarianceType: 'full', missing: 'skip' }).model;
    assert.match(emitPython(skipping, 'gaps.csv'), /^KEEP_MISSING = False  # rows with a missing numeric cell are skipped: missing is "skip"$/m);
    const selection = fitAndSave('gaps.csv', gaps, { k: 'auto', kRange: '1-3', covarianceModels: 'EII,VVV' }).model;
    assert.equal(selection.fit.missingCells, undefined);
    assert.match(emitR(selection, 'gaps.csv'), /^keep_missing <- FALSE  # rows with a missing cell are skipped: a model selection fits complete rows only$/m);
  });
});

describe('panel views of a fit with missing cells', () => {
  it('the most uncertain rows: responsibilities from the observed cell\'s normal densities', () => {
    const result = fitDataset(loadDataset('gaps.csv', utf8(gaps), { missing: 'marginalize' }), { k: 2, covarianceType: 'full', seed: 4 }).result;
    const rows = result.uncertainRows!;
    assert.equal(rows.length, 20);
    const normal = (x: number, m: number, v: number) => Math.exp(-0.5 * (x - m) ** 2 / v) / Math.sqrt(2 * Math.PI * v);
    let incomplete = 0;
    for (const r of rows) {
      const cells = gaps.split('\n')[r.line! - 1].split(',');
      const observed = [0, 1].filter((j) => cells[j] !== '' && cells[j] !== 'NA');
      let z: number[];
      if (observed.length === 1) {
        incomplete++;
        const j = observed[0];
        const x = Number(cells[j]);
        z = result.weights.map((p, c) => p * normal(x, result.means[c][j], result.covariances![c][j][j]));
      } else {
        const [a, b] = cells.map(Number);
        z = result.weights.map((p, c) => {
          const [[s11, s12], [, s22]] = result.covariances![c];
          const det = s11 * s22 - s12 * s12;
          const [da, db] = [a - result.means[c][0], b - result.means[c][1]];
          return (p * Math.exp(-0.5 * (s22 * da * da - 2 * s12 * da * db + s11 * db * db) / det)) / (2 * Math.PI * Math.sqrt(det));
        });
      }
      const top = Math.max(...z) / (z[0] + z[1]);
      assert.ok(Math.abs(r.uncertainty - (1 - top)) <= 1e-9, `line ${r.line}: ${r.uncertainty} vs ${1 - top}`);
      assert.equal(r.component, z[0] >= z[1] ? 0 : 1);
    }
    assert.ok(incomplete > 0, 'some of the most uncertain rows have a missing cell');
    assert.ok(result.dimensionReduction!.axes.every((axis) => axis.every(Number.isFinite)));
  });

  it('a weighted fit\'s MclustDR directions are those of the rows repeated', () => {
    const a = fitDataset(loadDataset('w.csv', utf8(weighted), { weightsColumn: 'w' }), { k: 3, covarianceType: 'full', seed: 2 }).result;
    const repeated = [faithful[0], ...faithful.slice(1).flatMap((l, i) => Array<string>(1 + (i % 3)).fill(l))].join('\n');
    const b = fitDataset(loadDataset('r.csv', utf8(repeated)), { k: 3, covarianceType: 'full', seed: 2 }).result;
    a.dimensionReduction!.axes.forEach((axis, r) => axis.forEach((v, j) => assert.ok(Math.abs(v - b.dimensionReduction!.axes[r][j]) <= 1e-8, `axis ${r}: ${axis} vs ${b.dimensionReduction!.axes[r]}`)));
  });
});

describe('labels beside case weights and missing cells', () => {
  it('a weights column named like labels is the weights, never the labels; naming it for both is refused', () => {
    const text = 'a,b,class\n' + Array.from({ length: 30 }, (_, i) => `${i % 5},${(i * 7) % 11},${1 + (i % 3)}`).join('\n');
    const table = loadDataset('t.csv', utf8(text), { weightsColumn: 'class' }) as TableData;
    assert.equal(table.labelColumn, undefined);
    assert.equal(table.labels, undefined);
    assert.deepEqual(table.columns, ['a', 'b']);
    assert.equal(table.weights!.length, 30);
    expectDataError(() => loadDataset('t.csv', utf8(text), { weightsColumn: 'class', labelColumn: 'class' }), /^t\.csv: column "class" is asked for both as the case weights \(mixscope\.weightsColumn\) and as the labels/);
  });

  it('iris with missing measurements keeps those rows with their species; a row without its species is skipped', () => {
    const iris = readFileSync(path.join(fixtures, 'iris.csv'), 'utf8').trim().split(/\r?\n/);
    const edited = iris.map((l, i) => (i === 5 ? l.replace(/^[^,]*/, 'NA') : i === 60 ? l.replace(/,[^,]*,/, ',,') : l));
    const labelled = loadDataset('iris.csv', utf8(edited.join('\n')), { missing: 'marginalize', labelColumn: 'Species' }) as TableData;
    assert.equal(labelled.n, 150);
    assert.deepEqual(labelled.missingPerColumn, [1, 1, 0, 0]);
    assert.deepEqual(labelled.labelNames, ['setosa', 'versicolor', 'virginica']);
    assert.equal(labelled.labels![4], 0);
    assert.equal(labelled.labels![59], 1);
    const unlabelled = edited.map((l, i) => (i === 120 ? l.replace(/"virginica"$/, 'NA') : l));
    const t = loadDataset('iris.csv', utf8(unlabelled.join('\n')), { missing: 'marginalize', labelColumn: 'Species' }) as TableData;
    assert.equal(t.n, 149);
    assert.ok(t.summary.notes.some((note) => /^1 row skipped: a missing label at line 121/.test(note)), t.summary.notes.join('\n'));
  });
});

describe('missing numeric cells beside categorical columns', () => {
  /** 40 rows: one numeric column with a missing cell every 8th row, and two answer columns coded 0..2 (−1: missing). */
  function mixedTable(): TableData {
    const n = 40;
    const values = Float64Array.from({ length: n }, (_, i) => (i % 8 === 3 ? NaN : i % 2 === 0 ? 1 + (i % 5) / 10 : 5 + (i % 3) / 10));
    const missing = Uint8Array.from(values, (v) => (Number.isNaN(v) ? 1 : 0));
    const codes = Int32Array.from({ length: 2 * n }, (_, p) => (p === 7 ? -1 : (Math.floor(p / 2) % 2) * 2 + (p % 2 === 0 && p % 6 === 0 ? -1 : 0)));
    const summary = { fileName: 'mixed.csv', n, d: 1, columns: ['x'], droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [] };
    return { kind: 'table', n, d: 1, values, columns: ['x'], missing, missingPerColumn: [5], summary, categorical: { columns: ['q1', 'q2'], categories: [['a', 'b', 'c'], ['a', 'b', 'c']], codes } };
  }

  it('dropping rows with missing numeric cells keeps the categorical codes of the rows kept', () => {
    const table = mixedTable();
    const kept = withoutIncompleteRows(table, 'test');
    assert.equal(kept.n, 35);
    const keptRows = Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 8 !== 3);
    assert.deepEqual(Array.from(kept.categorical!.codes), keptRows.flatMap((i) => [table.categorical!.codes[2 * i], table.categorical!.codes[2 * i + 1]]));
  });

  it('a categorical fit keeps every row: the numeric cells are not what it fits', () => {
    const result = fitDataset(mixedTable(), { model: 'categorical', k: 2 }).result;
    assert.equal(result.n, 40);
  });
});
