// Delimited text tables: layouts (delimiters, preamble, header, comments, row index) and every bad-input case of
// issue 5. Expected values come from faithful.csv read the simplest way, or are written out in the test's input.

import * as assert from 'node:assert/strict';
import { loadDataset } from '../../../src/engine/data/load';
import type { Dataset, TableData } from '../../../src/engine/data/dataset';
import { column, expectDataError, faithfulReference, fixture, utf8 } from '../../fixtures/data/helpers';

function table(name: string, text: string | Uint8Array, options: Parameters<typeof loadDataset>[2] = {}): TableData {
  const d: Dataset = loadDataset(name, typeof text === 'string' ? utf8(text) : text, options);
  assert.equal(d.kind, 'table');
  return d as TableData;
}

function hasNote(d: Dataset, pattern: RegExp): void {
  assert.ok(d.summary.notes.some((n) => pattern.test(n)), `no note matches ${pattern}: ${JSON.stringify(d.summary.notes)}`);
}

describe('data: delimited text layouts (Old Faithful)', () => {
  const ref = faithfulReference();

  function assertFaithful(d: TableData): void {
    assert.equal(d.n, 272);
    assert.equal(d.d, 2);
    assert.deepEqual(d.columns, ['eruptions', 'waiting']);
    assert.deepEqual(column(d, 0), ref.eruptions);
    assert.deepEqual(column(d, 1), ref.waiting);
    assert.equal(d.summary.skippedRows, 0);
  }

  it('reads the plain faithful.csv', () => {
    const d = table('faithful.csv', fixture('faithful.csv'));
    assertFaithful(d);
    hasNote(d, /^delimiter: comma$/);
    hasNote(d, /header on line 1: eruptions, waiting/);
    assert.equal(d.sourceLines?.[0], 2);
    assert.equal(d.sourceLines?.[271], 273);
  });

  it('skips a 21-line free-text preamble before the header', () => {
    const d = table('faithful-preamble.csv', fixture('faithful-preamble.csv'));
    assertFaithful(d);
    hasNote(d, /skipped 21 preamble lines \(lines 1–21\)/);
    hasNote(d, /header on line 22/);
    assert.equal(d.sourceLines?.[0], 23);
  });

  it('reads faithful.dat: preamble, runs of spaces, a header one name short, row names 1..272', () => {
    const d = table('faithful-preamble.dat', fixture('faithful-preamble.dat'));
    assertFaithful(d);
    hasNote(d, /^delimiter: runs of spaces$/);
    hasNote(d, /skipped 21 preamble lines/);
    hasNote(d, /column 1 holds row names \(the header has one name fewer/);
    assert.equal(d.summary.droppedColumns.length, 1);
    assert.match(d.summary.droppedColumns[0].reason, /row names/);
  });

  it('takes the header from a "# eruptions,waiting" comment line (numpy.savetxt)', () => {
    const d = table('faithful-hash-header.csv', fixture('faithful-hash-header.csv'));
    assertFaithful(d);
    hasNote(d, /header from comment line 1: eruptions, waiting/);
  });

  it('leaves out a quoted 1..N row-index column (R write.csv), with CRLF line ends', () => {
    const d = table('faithful-rownames.csv', fixture('faithful-rownames.csv'));
    assertFaithful(d);
    hasNote(d, /column 1 is a row index \(1\.\.272\), left out/);
    assert.deepEqual(d.summary.droppedColumns, [{ name: 'row index', reason: 'row index (1..272)' }]);
  });

  it('reads European exports: semicolons, decimal commas, a UTF-8 byte-order mark', () => {
    const d = table('faithful-european.csv', fixture('faithful-european.csv'));
    assertFaithful(d);
    hasNote(d, /^delimiter: semicolon$/);
    hasNote(d, /decimal commas/);
    hasNote(d, /byte-order mark/);
  });

  it('leaves out a 0..N-1 index column (pandas to_csv)', () => {
    const d = table('x.csv', ',a,b\n0,1.5,2\n1,3.5,4\n2,5.5,6\n3,7.5,8\n');
    assert.deepEqual(d.columns, ['a', 'b']);
    assert.deepEqual(column(d, 0), [1.5, 3.5, 5.5, 7.5]);
    hasNote(d, /column 1 is a row index \(0\.\.3\)/);
  });

  it('leaves out a 1..N column named like an index (id, index, …) but keeps one named like data', () => {
    const a = table('x.csv', 'id,a\n1,5\n2,6\n3,7\n');
    assert.deepEqual(a.columns, ['a']);
    const b = table('x.csv', 'time,a\n1,5\n2,6\n3,7\n');
    assert.deepEqual(b.columns, ['time', 'a']);
    const c = table('x.csv', '1,5\n2,6\n3,7\n');
    assert.deepEqual(c.columns, ['x2']);
  });

  it('keeps a first column that is not exactly 1..N', () => {
    const d = table('x.csv', 'a,b\n1,5\n2,6\n4,7\n');
    assert.deepEqual(d.columns, ['a', 'b']);
    assert.deepEqual(column(d, 0), [1, 2, 4]);
  });

  it('reads tab-separated values and names the delimiter', () => {
    const d = table('x.tsv', 'a\tb\n1\t2\n3\t4\n');
    hasNote(d, /^delimiter: tab$/);
    assert.deepEqual(Array.from(d.values), [1, 2, 3, 4]);
  });

  it('treats tab runs and space runs alike in space-aligned files', () => {
    const d = table('x.txt', '  x    y\n  1.5 \t 2\n 10     20\n');
    hasNote(d, /runs of spaces/);
    assert.deepEqual(Array.from(d.values), [1.5, 2, 10, 20]);
  });

  it('reads one column of numbers (1-D data), with or without a header', () => {
    const a = table('x.txt', '3.6\n1.8\n3.333\n');
    assert.deepEqual(a.columns, ['x1']);
    assert.deepEqual(Array.from(a.values), [3.6, 1.8, 3.333]);
    const b = table('x.txt', 'eruptions\n3.6\n1.8\n3.333\n');
    assert.deepEqual(b.columns, ['eruptions']);
    assert.equal(b.n, 3);
  });

  it('ignores # and % comment lines and blank lines, and reports them', () => {
    const d = table('x.csv', '% made by hand\na,b\n1,2\n# a note\n\n3,4\n');
    assert.deepEqual(Array.from(d.values), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(d.sourceLines ?? []), [3, 6]);
    hasNote(d, /ignored 1 blank line and 1 comment line inside the table/);
    hasNote(d, /skipped 1 comment line before the table/);
  });

  it('names columns x1…xD when there is no header', () => {
    const d = table('x.csv', '1,2,3\n4,5,6\n');
    assert.deepEqual(d.columns, ['x1', 'x2', 'x3']);
    hasNote(d, /no header row/);
  });

  it('disambiguates duplicate header names', () => {
    const d = table('x.csv', 'a,a\n1,2\n3,4\n');
    assert.deepEqual(d.columns, ['a', 'a.2']);
  });
});

describe('data: columns, labels and non-numeric columns', () => {
  it('leaves out text columns and says why', () => {
    const d = table('iris.csv', 'sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,virginica\n');
    assert.deepEqual(d.columns, ['sepal', 'petal']);
    assert.equal(d.summary.droppedColumns.length, 1);
    assert.equal(d.summary.droppedColumns[0].name, 'species');
    assert.match(d.summary.droppedColumns[0].reason, /text, e\.g\. "setosa" on line 2/);
  });

  it('takes an integer label column out of the values into labels', () => {
    for (const name of ['label', 'Class', 'TARGET', 'y', 'digit']) {
      const d = table('x.csv', `a,${name},b\n1,0,2\n3,1,4\n5,1,6\n`);
      assert.deepEqual(d.columns, ['a', 'b'], name);
      assert.deepEqual(Array.from(d.values), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(Array.from(d.labels ?? []), [0, 1, 1]);
      assert.equal(d.summary.hasLabels, true);
    }
  });

  it('keeps a "y" column as a feature when it is not integers or has no repeated values (coordinates)', () => {
    const a = table('x.csv', 'x,y\n1,0.5\n2,1.5\n2,1.5\n');
    assert.deepEqual(a.columns, ['x', 'y']);
    assert.equal(a.labels, undefined);
    const b = table('x.csv', 'x,y\n1,10\n2,20\n3,30\n');
    assert.deepEqual(b.columns, ['x', 'y']);
    assert.equal(b.labels, undefined);
  });

  it('selects columns by name (any case) or 1-based position', () => {
    const text = 'a,b,c\n1,2,3\n4,5,6\n';
    assert.deepEqual(Array.from(table('x.csv', text, { columns: ['c', 'a'] }).values), [3, 1, 6, 4]);
    assert.deepEqual(Array.from(table('x.csv', text, { columns: ['B'] }).values), [2, 5]);
    const byPosition = table('x.csv', text, { columns: ['2'] });
    assert.deepEqual(byPosition.columns, ['b']);
    assert.deepEqual(
      byPosition.summary.droppedColumns.map((c) => c.reason),
      ['not selected', 'not selected'],
    );
  });

  it('refuses an unknown column and lists the available ones', () => {
    expectDataError(() => table('x.csv', 'eruptions,waiting\n1,2\n', { columns: ['duration'] }), /^x\.csv: /, /no column "duration"/, /Available columns: eruptions, waiting/);
  });

  it('refuses a selected text column and says which columns are numeric', () => {
    expectDataError(() => table('x.csv', 'a,name\n1,x\n2,y\n', { columns: ['name'] }), /column "name" cannot be fitted: it is text/, /Numeric columns: a/);
  });

  it('refuses a file whose columns are all text without a repeated value (identifiers), saying why for each', () => {
    expectDataError(
      () => table('x.csv', 'name,city\nann,paris\nbob,rome\n'),
      /^x\.csv: no column to fit\. Columns: "name" \(text, e\.g\. "ann" on line 2: every value distinct \(an identifier\)\), "city"/,
      /Expected at least one column of numbers, or a text column of 2–50 repeated values \(categories\)/,
    );
  });
});

describe('data: bad input in text files (issue 5)', () => {
  it('empty file', () => {
    expectDataError(() => table('empty.csv', ''), /^empty\.csv: the file is empty: expected a table of numbers/);
  });

  it('only blank lines or comments', () => {
    expectDataError(() => table('x.csv', '\n\n  \n'), /only blank lines/);
    expectDataError(() => table('x.csv', '# nothing here\n'), /only comment and blank lines/);
  });

  it('header only', () => {
    const e = expectDataError(() => table('h.csv', 'eruptions,waiting\n'), /^h\.csv: the file has a header \(line 1: eruptions, waiting\) but no data rows/);
    assert.equal(e.line, 1);
    assert.equal(e.fileName, 'h.csv');
  });

  it('one row', () => {
    const d = table('x.csv', 'a,b\n3.6,79\n');
    assert.equal(d.n, 1);
    assert.deepEqual(Array.from(d.values), [3.6, 79]);
  });

  it('text in a numeric column: the row is skipped and counted with its line', () => {
    const d = table('x.csv', 'a,b\n1,2\n3,oops\n5,6\n7,8\n');
    assert.deepEqual(Array.from(d.values), [1, 2, 5, 6, 7, 8]);
    assert.equal(d.summary.skippedRows, 1);
    assert.deepEqual(d.summary.skippedLines, [3]);
    hasNote(d, /1 row skipped: text in a numeric column at line 3 \(first: "oops" in b\)/);
  });

  it('a row between data rows is data even when every readable cell is missing or text ("NA,1e,NA"): skipped, not a header', () => {
    const d = table('x.csv', 'a,b,c\n.0,0,0\nNA,1e,NA\n.0,0,0.\n');
    assert.deepEqual(d.columns, ['a', 'b', 'c']);
    assert.deepEqual(Array.from(d.values), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(d.summary.skippedLines, [3]);
  });

  it('a header that names the columns under one delimiter decides it: "a,b,c" over "0,1 000,1 000" is a comma table with text cells', () => {
    const d = table('x.csv', 'a,b,c\n0,1 000,1 000\n');
    assert.deepEqual(d.columns, ['a']);
    assert.deepEqual(Array.from(d.values), [0]);
    hasNote(d, /delimiter: comma/);
  });

  it('quoted fields, with delimiters and doubled quotes inside', () => {
    const d = table('x.csv', 'name,"x, in cm","y"\n"a ""quoted"" name, with comma",1.5,"2"\n"b",3,4\n');
    assert.deepEqual(d.columns, ['x, in cm', 'y']);
    assert.deepEqual(Array.from(d.values), [1.5, 2, 3, 4]);
  });

  it('a quoted field over two lines', () => {
    const d = table('x.csv', 'note,x\n"two\nlines",1\nplain,2\n');
    assert.deepEqual(Array.from(d.values), [1, 2]);
    assert.deepEqual(Array.from(d.sourceLines ?? []), [2, 4]);
  });

  it('an unclosed quote: the row is skipped and counted', () => {
    const d = table('x.csv', 'a,b\n"1,2\n3,4\n5,6\n');
    assert.deepEqual(Array.from(d.values), [3, 4, 5, 6]);
    hasNote(d, /1 row skipped: unbalanced quotes at line 2/);
  });

  it('UTF-8 byte-order mark before the header', () => {
    const d = table('x.csv', '\ufeffa,b\n1,2\n');
    assert.deepEqual(d.columns, ['a', 'b']);
  });

  it('UTF-16 text with a byte-order mark (Excel "Unicode text")', () => {
    const text = 'a\tb\r\n1\t2\r\n3\t4\r\n';
    const bytes = new Uint8Array(2 + 2 * text.length);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) bytes[2 + 2 * i] = text.charCodeAt(i);
    const d = table('x.txt', bytes);
    assert.deepEqual(Array.from(d.values), [1, 2, 3, 4]);
    hasNote(d, /UTF-16 LE/);
  });

  it('CRLF and lone CR line ends', () => {
    assert.deepEqual(Array.from(table('x.csv', 'a,b\r\n1,2\r\n3,4\r\n').values), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(table('x.csv', 'a,b\r1,2\r3,4\r').values), [1, 2, 3, 4]);
  });

  it('a trailing delimiter on every line', () => {
    for (const text of ['a,b,\n1,2,\n3,4,\n', 'a,b\n1,2,\n3,4,\n']) {
      const d = table('x.csv', text);
      assert.deepEqual(d.columns, ['a', 'b']);
      assert.deepEqual(Array.from(d.values), [1, 2, 3, 4]);
      hasNote(d, /a delimiter ends every line/);
    }
  });

  it('a trailing delimiter on the header line only', () => {
    const d = table('x.csv', 'a,b,\n1,2\n3,4\n');
    assert.deepEqual(d.columns, ['a', 'b']);
    assert.deepEqual(Array.from(d.values), [1, 2, 3, 4]);
  });

  it('blank lines between rows and at the end', () => {
    const d = table('x.csv', 'a,b\n\n1,2\n\n\n3,4\n\n\n');
    assert.deepEqual(Array.from(d.values), [1, 2, 3, 4]);
    assert.equal(d.summary.skippedRows, 0);
  });

  it('ragged rows are skipped and counted with their lines (never silently)', () => {
    const d = table('x.csv', 'a,b\n1,2\n5\n6,7,8\n9,10\n');
    assert.deepEqual(Array.from(d.values), [1, 2, 9, 10]);
    assert.equal(d.summary.skippedRows, 2);
    assert.deepEqual(d.summary.skippedLines, [3, 4]);
    hasNote(d, /2 rows skipped: a different number of fields at lines 3, 4 \(expected 2 fields\)/);
  });

  // Found by the fuzz property "number cells are read exactly as Number() reads the same text": a row of missing
  // cells ("NA,NA,-") was taken for the header, and the rows above it for a preamble.
  for (const [text, skippedLine] of [
    ['a,b,c\n0,0,0\nNA,NA,-\n0,0,0.\n', 3],
    ['a,b,c\n0,0,0.\nNA,NA,.\n0,0,0\n', 3],
    ['a,b,c\nNA,NA,NA\n1,2,3\n4,5,6\n', 2],
  ] as const) {
    it(`a row of missing cells is data, not a header: ${JSON.stringify(text)}`, () => {
      const d = table('x.csv', text);
      assert.deepEqual(d.columns, ['a', 'b', 'c']);
      assert.equal(d.summary.n, 2);
      assert.deepEqual(d.summary.skippedLines, [skippedLine]);
      assert.ok(!d.summary.notes.some((n) => /preamble/.test(n)), d.summary.notes.join('; '));
    });
  }

  it('a header with more names than the rows have fields is not taken for the header, and that is reported', () => {
    const d = table('x.csv', 'a,b,c\n1,2\n3\n4,5\n');
    assert.deepEqual(d.columns, ['x1', 'x2']);
    hasNote(d, /skipped 1 preamble line/);
    hasNote(d, /1 row skipped: a different number of fields at line 3/);
  });

  it('European decimals with semicolons', () => {
    const d = table('x.csv', 'a;b\n3,6;79\n1,8;54\n-0,5;1e3\n');
    assert.deepEqual(Array.from(d.values), [3.6, 79, 1.8, 54, -0.5, 1000]);
  });

  it('decimal points with semicolons are not read as decimal commas', () => {
    const d = table('x.csv', 'a;b\n3.6;79\n1.8;54\n');
    assert.deepEqual(Array.from(d.values), [3.6, 79, 1.8, 54]);
    assert.ok(!d.summary.notes.some((n) => /decimal comma/.test(n)));
  });

  it('NaN, Inf, NA and empty cells: rows skipped and counted by kind', () => {
    const d = table('x.csv', 'a,b\nNaN,1\nInf,2\nNA,3\n,4\n-inf,5\n7,8\n?,9\n');
    assert.deepEqual(Array.from(d.values), [7, 8]);
    assert.equal(d.summary.skippedRows, 6);
    assert.deepEqual(d.summary.skippedLines, [2, 3, 4, 5, 6, 8]);
    hasNote(d, /4 rows skipped: missing values at lines 2, 4, 5, 8/);
    hasNote(d, /2 rows skipped: non-finite values \(NaN, Inf or too large\) at lines 3, 6/);
  });

  it('1e308 and -0 are read exactly; 1e309 overflows and is skipped', () => {
    const d = table('x.csv', 'a,b\n1e308,-0\n1e309,1\n-1.5E-3,+2\n');
    assert.equal(d.n, 2);
    assert.equal(d.values[0], 1e308);
    assert.ok(Object.is(d.values[1], -0));
    assert.equal(d.values[2], -0.0015);
    assert.equal(d.values[3], 2);
    hasNote(d, /non-finite values .* at line 3/);
  });

  it('numbers JavaScript would accept but a table does not (hex, underscores) are text', () => {
    const d = table('x.csv', 'a,b\n0x10,1\n1_0,2\n3,3\n4,4\n5,5\n');
    assert.deepEqual(column(d, 0), [3, 4, 5]);
    assert.equal(d.summary.skippedRows, 2);
  });

  it('every row unusable: a clear error listing why', () => {
    expectDataError(() => table('x.csv', 'a,b\n1,NA\nNA,2\n'), /^x\.csv: no complete row to fit: 2 rows skipped: missing values at lines 2, 3/);
    // A column with no value at all is left out rather than emptying the table.
    const d = table('x.csv', 'a,b\n1,NA\n2,\n');
    assert.deepEqual(d.summary.droppedColumns, [{ name: 'b', reason: 'empty' }]);
  });

  it('binary garbage named .csv: refused at the first non-text byte', () => {
    const bytes = utf8('a,b\n1,2\n3,4');
    const garbage = new Uint8Array(64);
    garbage.set(bytes);
    garbage[12] = 0x00;
    garbage[13] = 0x9c;
    const e = expectDataError(() => table('x.csv', garbage), /^x\.csv: the file does not look like text: byte 0x00 at offset 11/);
    assert.equal(e.fileName, 'x.csv');
  });

  it('invalid UTF-8 is refused with its offset', () => {
    expectDataError(() => table('x.csv', Uint8Array.from([0x61, 0x2c, 0x62, 0x0a, 0x31, 0x2c, 0xc3, 0x28])), /byte 0xC3 at offset 6/);
    expectDataError(() => table('x.csv', Uint8Array.from([0x31, 0x2c, 0xe2, 0x82, 0x0a, 0x32, 0x2c, 0x33])), /byte 0xE2 at offset 2/);
  });

  it('a character cut by the end of the bytes (a preview prefix) is dropped, not refused', () => {
    const bytes = utf8('a,b,note\n1,2,x\n3,4,€');
    const d = table('x.csv', bytes.subarray(0, bytes.length - 1));
    assert.deepEqual(Array.from(d.values), [1, 2, 3, 4]);
  });

  it('valid UTF-8 (accents, emoji) in headers and text columns is fine', () => {
    const d = table('x.csv', 'durée,温度,note\n1,2,ok 👍\n3,4,é\n');
    assert.deepEqual(d.columns, ['durée', '温度']);
  });

  it('a binary file gets a hint about what it is', () => {
    expectDataError(() => table('x.csv', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00])), /byte 0x03 at offset 2/, /zip archive/);
  });
});
