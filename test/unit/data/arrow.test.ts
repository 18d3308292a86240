// Arrow IPC files and streams, Feather v2 (apache-arrow): the same table as the CSV; column types map as in the
// other formats; damaged and unsupported files give a DataError naming the file.

import * as assert from 'node:assert/strict';
import { loadDataset } from '../../../src/engine/data/load';
import { column, expectDataError, faithfulReference, fixture, utf8 } from '../../fixtures/data/helpers';

const faithful = faithfulReference();

describe('data: Arrow IPC and Feather', () => {
  for (const name of ['faithful.arrow', 'faithful.feather', 'faithful.arrows']) {
    it(`${name} gives the CSV's matrix`, () => {
      const d = loadDataset(name, fixture(`arrow/${name}`));
      const csv = loadDataset('faithful.csv', fixture('faithful.csv'));
      assert.equal(d.kind, 'table');
      if (d.kind !== 'table' || csv.kind !== 'table') return;
      assert.deepEqual(d.columns, ['eruptions', 'waiting']);
      assert.deepEqual(column(d, 1), faithful.waiting);
      assert.deepEqual(Array.from(d.values), Array.from(csv.values));
    });
  }

  it('every kind of column: int64 index left out, float with a null skipped, booleans 1/0, text, dates, lists left out', () => {
    const d = loadDataset('mixed.arrow', fixture('arrow/mixed.arrow'));
    assert.equal(d.kind, 'table');
    if (d.kind !== 'table') return;
    assert.deepEqual(d.columns, ['x', 'flag', 'y']);
    assert.deepEqual(Array.from(d.values), [0.5, 1, 10, 1.5, 0, 20, 3.5, 1, 40, 4.5, 0, 50, 5.5, 0, 60]);
    assert.deepEqual(d.summary.droppedColumns, [
      { name: 'id', reason: 'row index (1..6)' },
      { name: 'day', reason: 'dates or times (not used in a fit)' },
      { name: 'tags', reason: 'nested values (lists, structs, maps or unions)' },
    ]);
    assert.ok(d.summary.notes.includes('1 row skipped: missing values at row 3 (first: "null" in x)'), d.summary.notes.join('\n'));
    // Two text columns of repeated values: categorical features (as in a CSV), coded over the rows kept.
    assert.deepEqual(d.categorical?.columns, ['species', 'group']);
    assert.deepEqual(d.categorical?.categories, [['a', 'b'], ['p', 'q']]);
    assert.equal(d.categorical?.codes.length, 2 * d.n);
    expectDataError(() => loadDataset('mixed.arrow', fixture('arrow/mixed.arrow'), { columns: ['day'] }), /^mixed\.arrow: column "day" cannot be fitted: it is dates or times \(not used in a fit\)\./);
  });

  it('not Arrow, Feather v1, cut short: a DataError naming the file', () => {
    expectDataError(() => loadDataset('x.arrow', utf8('a,b\n1,2\n')), /^x\.arrow: the file starts with neither "ARROW1" nor an Arrow stream message\./);
    expectDataError(() => loadDataset('old.feather', utf8('FEA1\0\0\0\0')), /^old\.feather: the file is Feather version 1/);
    expectDataError(() => loadDataset('e.feather', new Uint8Array()), /^e\.feather: the file is empty\./);
    const whole = fixture('arrow/faithful.arrow');
    expectDataError(() => loadDataset('cut.arrow', whole.subarray(0, whole.length - 40)), /^cut\.arrow: /);
  });

  it('a footer block that points inside a message (8 bytes lost before it) is a DataError naming the block, not a runaway read', () => {
    // faithful-batches.arrow: batch messages at bytes 232, 2072 and 3912; 8 bytes deleted in the second batch's body.
    const whole = fixture('arrow/faithful-batches.arrow');
    const shifted = Uint8Array.from([...whole.subarray(0, 2500), ...whole.subarray(2508)]);
    expectDataError(() => loadDataset('shifted.arrow', shifted), /^shifted\.arrow: the Arrow data are damaged: record batch block 3 \(byte 3912\) does not point at the start of a message\./);
  });
});
