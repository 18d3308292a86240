// JSON and JSON Lines: every shape pandas and hand-written files use gives the CSV's matrix; the cells follow the
// delimited-text loader's column rules; errors name the file and the line, column or record.

import * as assert from 'node:assert/strict';
import { loadDataset } from '../../../src/engine/data/load';
import { column, expectDataError, faithfulReference, fixture, utf8 } from '../../fixtures/data/helpers';

const faithful = faithfulReference();

function assertFaithful(name: string): void {
  const d = loadDataset(name, fixture(name));
  assert.equal(d.kind, 'table');
  if (d.kind !== 'table') return;
  assert.deepEqual(d.columns, ['eruptions', 'waiting']);
  assert.deepEqual(column(d, 0), faithful.eruptions);
  assert.deepEqual(column(d, 1), faithful.waiting);
  const csv = loadDataset('faithful.csv', fixture('faithful.csv'));
  assert.deepEqual(Array.from(d.values), csv.kind === 'table' ? Array.from(csv.values) : []);
}

describe('data: JSON and JSON Lines', () => {
  for (const name of ['faithful-records.json', 'faithful-columns.json', 'faithful-pandas.json', 'faithful.ndjson', 'faithful.jsonl']) {
    it(`${name} (written by pandas) gives the CSV's matrix`, () => assertFaithful(name));
  }

  it('records: missing keys and nulls are missing values, strings are read as text cells are, booleans are 1/0', () => {
    const text = JSON.stringify([
      { x: 1, y: '2.5', flag: true, name: 'a' },
      { x: 2, y: null, flag: false, name: 'b' },
      { x: 3, flag: true, name: 'c' },
      { x: 4, y: 'NA', flag: false, name: 'd' },
      { x: 5, y: 6, flag: true, name: 'e' },
    ]);
    const d = loadDataset('r.json', utf8(text));
    assert.equal(d.kind, 'table');
    if (d.kind !== 'table') return;
    assert.deepEqual(d.columns, ['x', 'y', 'flag']);
    assert.deepEqual(Array.from(d.values), [1, 2.5, 1, 5, 6, 1]);
    assert.deepEqual(d.summary.droppedColumns, [{ name: 'name', reason: 'text, e.g. "a" on record 1: every value distinct (an identifier)' }]);
    assert.ok(d.summary.notes.includes('3 rows skipped: missing values at records 2, 3, 4 (first: "null" in y)'), d.summary.notes.join('\n'));
  });

  it('dates and nested values leave their column out with the reason; integer class columns become labels', () => {
    const rows = Array.from({ length: 6 }, (_, i) => `{"a": ${i * 1.5}, "tags": [${i}], "meta": {"k": ${i}}, "label": ${i % 2}}`);
    const d = loadDataset('n.ndjson', utf8(rows.join('\n') + '\n'));
    assert.equal(d.kind, 'table');
    if (d.kind !== 'table') return;
    assert.deepEqual(d.columns, ['a']);
    assert.deepEqual(Array.from(d.labels ?? []), [0, 1, 0, 1, 0, 1]);
    assert.deepEqual(d.summary.droppedColumns, [
      { name: 'tags', reason: 'nested values (lists or objects)' },
      { name: 'meta', reason: 'nested values (lists or objects)' },
    ]);
    assert.deepEqual(Array.from(d.sourceLines ?? []), [1, 2, 3, 4, 5, 6]);
  });

  it('an array of rows, and of values, are columns x1…xD', () => {
    const rows = loadDataset('rows.json', utf8('[[1, 2], [3, 4], [5, 6.5]]'));
    assert.deepEqual(rows.kind === 'table' ? [rows.columns, Array.from(rows.values)] : [], [['x1', 'x2'], [1, 2, 3, 4, 5, 6.5]]);
    const values = loadDataset('v.json', utf8('[0.5, 2, 7]'));
    assert.deepEqual(values.kind === 'table' ? [values.columns, Array.from(values.values)] : [], [['x1'], [0.5, 2, 7]]);
  });

  it('columns and positions are chosen as in a CSV', () => {
    const d = loadDataset('faithful.ndjson', fixture('faithful.ndjson'), { columns: ['waiting'] });
    assert.deepEqual(d.kind === 'table' ? column(d, 0) : [], faithful.waiting);
    expectDataError(() => loadDataset('faithful.ndjson', fixture('faithful.ndjson'), { columns: ['duration'] }), /^faithful\.ndjson: there is no column "duration"\. Available columns: eruptions, waiting/);
  });

  it('NDJSON errors give the line and column; blank lines are ignored and counted', () => {
    const e = expectDataError(() => loadDataset('bad.ndjson', utf8('{"a": 1}\n\n{"a": 2,}\n')), /^bad\.ndjson: line 3 is not valid JSON \(line 3, column 9\)/);
    assert.equal(e.line, 3);
    expectDataError(() => loadDataset('mix.jsonl', utf8('{"a": 1}\n[2]\n')), /^mix\.jsonl: line 2 holds an array: expected a record like line 1\./);
    expectDataError(() => loadDataset('s.jsonl', utf8('{"a": 1}\n"text"\n')), /^s\.jsonl: line 2 holds a string: expected a record like line 1/);
    const d = loadDataset('blank.ndjson', utf8('{"a": 1}\n\n{"a": 2}\n\n{"a": 3}\n'));
    assert.ok(d.summary.notes.includes('ignored 2 blank lines'), d.summary.notes.join('\n'));
    expectDataError(() => loadDataset('empty.ndjson', utf8('\n\n')), /^empty\.ndjson: the file holds no record/);
  });

  it('JSON errors give the line and column of a syntax error, and what shape was expected', () => {
    const e = expectDataError(() => loadDataset('bad.json', utf8('[\n  {"a": 1},\n  {"a": 2,}\n]')), /^bad\.json: not valid JSON at line 3, column 11: /, /\.ndjson or \.jsonl/);
    assert.equal(e.line, 3);
    expectDataError(() => loadDataset('t.json', utf8('[1, 2')), /^t\.json: not valid JSON at line 1, column 6: /);
    expectDataError(() => loadDataset('o.json', utf8('{"a": [1, 2], "b": [3]}')), /^o\.json: the columns have different lengths: "a" has 2 values but "b" has 1\./);
    expectDataError(() => loadDataset('m.json', utf8('[{"a": 1}, 2]')), /^m\.json: item 2 of the top-level array is a number, but item 1 is an object/);
    expectDataError(() => loadDataset('n.json', utf8('42')), /^n\.json: the file holds a number, not a table\. Expected an array of records/);
    expectDataError(() => loadDataset('e.json', new Uint8Array()), /^e\.json: the file is empty\./);
    expectDataError(() => loadDataset('s.json', utf8('[{"name": "a"}, {"name": "b"}]')), /^s\.json: no column to fit\. Columns: "name" \(text, e\.g\. "a" on record 1: every value distinct \(an identifier\)\)/);
    expectDataError(() => loadDataset('z.json', utf8('[]')), /^z\.json: the file holds no columns/);
  });
});
