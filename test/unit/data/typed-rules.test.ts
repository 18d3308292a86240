// The typed formats (JSON, JSON Lines, Arrow, Excel, Parquet) apply the delimited-text loader's rules for text labels,
// case weights and missing cells: the same table written as CSV and as each typed format reads the same, with the
// same notes; a bad weight names its record, line or row.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Float64, tableFromArrays, tableToIPC, Utf8, vectorFromArray, Table } from 'apache-arrow';
import { loadDataset, loadDatasetAsync, type LoadOptions } from '../../../src/engine/data/load';
import type { Dataset, TableData } from '../../../src/engine/data/dataset';
import { expectDataError, fixture, utf8 } from '../../fixtures/data/helpers';
import { DataError } from '../../../src/engine/errors';

const SPECIES = ['setosa', 'versicolor', 'virginica'];
const ROWS = 12;
/** Cells left empty: x on rows 3 and 7, y on row 5, both on row 9 (a row with nothing observed). */
const missingX = new Set([3, 7, 9]);
const missingY = new Set([5, 9]);
const x = (i: number) => (missingX.has(i) ? null : 0.5 * i + 1);
const y = (i: number) => (missingY.has(i) ? null : (i % 3) + 0.25 * i);
const w = (i: number) => i % 4;
const species = (i: number) => SPECIES[(i * 7) % 3];
const rows = Array.from({ length: ROWS }, (_, i) => i);

const csv = ['x,y,w,species', ...rows.map((i) => `${x(i) ?? ''},${y(i) ?? 'NA'},${w(i)},${species(i)}`)].join('\n') + '\n';
const records = JSON.stringify(rows.map((i) => ({ x: x(i), y: y(i), w: w(i), species: species(i) })));
// JSON Lines with the text loader's missing tokens as strings ("NA", "?") as well as null.
const lines = rows.map((i) => JSON.stringify({ x: x(i) ?? (i === 3 ? 'NA' : null), y: y(i) ?? '?', w: w(i), species: species(i) })).join('\n') + '\n';
const arrow = tableToIPC(
  new Table({
    x: vectorFromArray(rows.map(x), new Float64()),
    y: vectorFromArray(rows.map(y), new Float64()),
    w: vectorFromArray(rows.map(w), new Float64()),
    species: vectorFromArray(rows.map(species), new Utf8()),
  }),
  'file',
);

const TYPED: [string, Uint8Array][] = [
  ['t.json', utf8(records)],
  ['t.ndjson', utf8(lines)],
  ['t.arrow', arrow],
];

function table(d: Dataset): TableData {
  assert.equal(d.kind, 'table');
  return d as TableData;
}

/** The parts of a table the rules decide, with the notes that are not about the format. */
function ruled(d: TableData) {
  return {
    n: d.n,
    columns: d.columns,
    values: Array.from(d.values),
    missing: d.missing && Array.from(d.missing),
    missingPerColumn: d.missingPerColumn,
    weights: d.weights && Array.from(d.weights),
    weightsColumn: d.weightsColumn,
    labels: d.labels && Array.from(d.labels),
    labelColumn: d.labelColumn,
    labelNames: d.labelNames,
    skippedRows: d.summary.skippedRows,
    notes: d.summary.notes.filter((n) => /^(case weights|missing cells|labels|no labels taken)/.test(n)),
  };
}

describe('data: typed formats follow the text rules for labels, weights and missing cells', () => {
  const settings: [string, LoadOptions][] = [
    ['defaults (labels auto, missing skipped)', {}],
    ['missing cells marginalised, case weights', { missing: 'marginalize', weightsColumn: 'w' }],
    ['labels named by number, weights by number', { labelColumn: '4', weightsColumn: '3', missing: 'marginalize' }],
    ['labels "none"', { labelColumn: 'none', missing: 'skip' }],
  ];
  for (const [what, options] of settings) {
    it(`${what}: JSON, JSON Lines and Arrow read as the CSV`, () => {
      const expected = ruled(table(loadDataset('t.csv', utf8(csv), options)));
      for (const [name, bytes] of TYPED) assert.deepEqual(ruled(table(loadDataset(name, bytes, options))), expected, name);
    });
  }

  it('the CSV reference itself: text labels, weights, NaN where cells are missing, the empty row skipped', () => {
    const d = table(loadDataset('t.csv', utf8(csv), { missing: 'marginalize', weightsColumn: 'w' }));
    assert.deepEqual(d.labelNames, SPECIES);
    assert.equal(d.n, ROWS - 1);
    assert.deepEqual(d.missingPerColumn, [2, 1]);
    assert.ok(Number.isNaN(d.values[3 * 2]));
    assert.deepEqual(Array.from(d.weights!), rows.filter((i) => i !== 9).map(w));
    assert.ok(d.summary.notes.includes('case weights: column "w" (not a feature)'));
  });

  it('a negative weight is one error naming the record, line or row', () => {
    const bad = (i: number) => (i === 4 ? -1 : w(i));
    const cases: [string, Uint8Array, RegExp][] = [
      ['t.json', utf8(JSON.stringify(rows.map((i) => ({ x: i, w: bad(i) })))), /^t\.json: record 5: the weight in column "w" is negative \(-1\)/],
      ['t.ndjson', utf8(rows.map((i) => JSON.stringify({ x: i, w: bad(i) })).join('\n')), /^t\.ndjson: line 5: the weight in column "w" is negative \(-1\)/],
      ['t.arrow', tableToIPC(tableFromArrays({ x: Float64Array.from(rows), w: Float64Array.from(rows, bad) }), 'file'), /^t\.arrow: row 5: the weight in column "w" is negative \(-1\)/],
    ];
    for (const [name, bytes, pattern] of cases) {
      const error = expectDataError(() => loadDataset(name, bytes, { weightsColumn: 'w' }), pattern, /set weightsColumn to ""/);
      assert.equal(error.line, name === 't.ndjson' ? 5 : undefined, name);
    }
  });

  it('Excel: iris\'s species are the labels, a named weights column is read, a text one is refused naming the sheet', async () => {
    const iris = table(await loadDatasetAsync('workbook.xlsx', fixture('workbook.xlsx'), { sheet: 'iris', weightsColumn: 'Petal.Width', labelColumn: 'Species' }));
    assert.deepEqual(iris.labelNames, SPECIES);
    assert.equal(iris.weightsColumn, 'Petal.Width');
    assert.equal(iris.d, 3);
    const error = await loadDatasetAsync('workbook.xlsx', fixture('workbook.xlsx'), { sheet: 'iris', weightsColumn: 'Species' }).then(
      () => assert.fail('expected a DataError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DataError);
    assert.match(error.message, /^workbook\.xlsx: sheet "iris": the weights column "Species" holds no numbers/);
  });

  it('Parquet: a named text label column (a row without its label skipped) and a weights column', async () => {
    const d = table(await loadDatasetAsync('datapage_v2.snappy.parquet', fixture('parquet/datapage_v2.snappy.parquet'), { weightsColumn: 'b', labelColumn: 'a' }));
    assert.deepEqual(d.columns, ['c', 'd']);
    assert.deepEqual(Array.from(d.weights!), [1, 2, 3, 5]);
    assert.deepEqual(d.labelNames, ['abc']);
    assert.deepEqual(Array.from(d.labels!), [0, 0, 0, 0]);
    assert.ok(d.summary.notes.includes('1 row skipped: a missing label at row 4 (first: "null" in a)'), d.summary.notes.join('\n'));
    assert.deepEqual(d.summary.source, { format: 'parquet' });
  });
});

describe('typed formats: categorical columns as in a CSV', () => {
  it('the survey as JSON Lines gives the CSV\'s categories and codes', () => {
    const csvText = readFileSync(path.join(__dirname, '../../fixtures/survey.csv'), 'utf8').trim().split('\n');
    const header = csvText[0].split(',');
    const ndjson = csvText.slice(1).map((line) => JSON.stringify(Object.fromEntries(line.split(',').map((v, j) => [header[j], v === '' ? null : v])))).join('\n');
    const fromCsv = loadDataset('survey.csv', new Uint8Array(Buffer.from(csvText.join('\n'))));
    const fromJson = loadDataset('survey.ndjson', new Uint8Array(Buffer.from(ndjson)));
    assert.ok(fromCsv.kind === 'table' && fromJson.kind === 'table');
    assert.ok(fromCsv.categorical && fromJson.categorical);
    assert.deepEqual(fromJson.categorical.columns, fromCsv.categorical.columns);
    assert.deepEqual(fromJson.categorical.categories, fromCsv.categorical.categories);
    assert.deepEqual(Array.from(fromJson.categorical.codes), Array.from(fromCsv.categorical.codes));
  });
});
