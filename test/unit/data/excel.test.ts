// Excel workbooks in memory (the project's reader, excelBook.ts): the sheet written by pandas/openpyxl gives the CSV's matrix; the first sheet
// that holds a numeric table is read unless one is asked for; errors name the file and the sheet.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import readXlsxFile from 'read-excel-file/universal';
import { DataError } from '../../../src/engine/errors';
import { openWorkbook, readSheetData } from '../../../src/engine/data/excelBook';
import { memorySource } from '../../../src/engine/data/excelZip';
import { inspectDatasetAsync, loadDataset, loadDatasetAsync } from '../../../src/engine/data/load';
import { column, faithfulReference, fixture, utf8 } from '../../fixtures/data/helpers';

const faithful = faithfulReference();

async function rejectsWith(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<DataError> {
  const error = await promise.then(
    () => assert.fail('expected a DataError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
  for (const p of patterns) assert.match(error.message, p);
  return error;
}

describe('data: Excel workbooks', () => {
  it('every sheet of every fixture workbook reads cell by cell as read-excel-file (the oracle) reads it', async () => {
    const files = ['faithful.xlsx', 'workbook.xlsx', 'excel/streamed.xlsx', 'excel/handmade.xlsx'];
    let cells = 0;
    for (const file of files) {
      const bytes = fixture(file);
      const expected = (await readXlsxFile(Uint8Array.from(bytes).buffer)) as { sheet: string; data: unknown[][] }[];
      const book = openWorkbook(file, memorySource(bytes));
      try {
        assert.deepEqual(book.sheets.map((s) => s.sheet), expected.map((s) => s.sheet), `${file}: the sheets`);
        for (const [i, info] of book.sheets.entries()) {
          const want = expected[i].data;
          const got = readSheetData(file, book, info);
          assert.equal(got.length, want.length, `${file} "${info.sheet}": rows`);
          for (let r = 0; r < want.length; r++) {
            assert.equal(got[r].length, want[r].length, `${file} "${info.sheet}" row ${r + 1}: width`);
            for (let j = 0; j < want[r].length; j++) {
              const w = want[r][j];
              const g = got[r][j];
              const where = `${file} "${info.sheet}" row ${r + 1} column ${j + 1}`;
              if (w instanceof Date) assert.equal(g instanceof Date && g.getTime(), w.getTime(), where);
              else assert.deepEqual(g, w, where);
              cells++;
            }
          }
        }
      } finally {
        book.zip.close();
      }
    }
    assert.ok(cells > 5000, `${cells} cells compared`);
  });

  it('faithful.xlsx (written by pandas with openpyxl) gives the CSV\'s matrix', async () => {
    const d = await loadDatasetAsync('faithful.xlsx', fixture('faithful.xlsx'));
    const csv = loadDataset('faithful.csv', fixture('faithful.csv'));
    assert.equal(d.kind, 'table');
    if (d.kind !== 'table' || csv.kind !== 'table') return;
    assert.deepEqual(d.columns, ['eruptions', 'waiting']);
    assert.deepEqual(column(d, 0), faithful.eruptions);
    assert.deepEqual(Array.from(d.values), Array.from(csv.values));
    assert.deepEqual(d.summary.notes.slice(0, 2), ['sheet "faithful"', 'header on row 1']);
  });

  it('without a sheet asked for, the first sheet holding a numeric table is read and the others are named', async () => {
    const d = await loadDatasetAsync('workbook.xlsx', fixture('workbook.xlsx'));
    assert.equal(d.kind === 'table' && d.columns.join(','), 'eruptions,waiting');
    assert.ok(
      d.summary.notes.includes('the first sheet with a numeric table; "iris", "dated" also hold one: choose with the sheet setting (CLI: --sheet NAME)'),
      d.summary.notes.join('\n'),
    );
  });

  it('a sheet by name (any case) or number; text labels, date and index columns as in a CSV', async () => {
    const iris = await loadDatasetAsync('workbook.xlsx', fixture('workbook.xlsx'), { sheet: 'IRIS' });
    assert.equal(iris.kind, 'table');
    if (iris.kind !== 'table') return;
    assert.deepEqual([iris.n, iris.d], [150, 4]);
    // The lone class-like text column is the labels, as in iris.csv.
    assert.deepEqual(iris.summary.droppedColumns, []);
    assert.equal(iris.labelColumn, 'Species');
    assert.deepEqual(iris.labelNames, ['setosa', 'versicolor', 'virginica']);
    const csv = loadDataset('iris.csv', readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'iris.csv')));
    assert.deepEqual(Array.from(iris.labels!), Array.from(csv.labels!));
    assert.deepEqual(Array.from((iris as { values: Float64Array }).values), Array.from((csv as { values: Float64Array }).values));
    assert.equal(iris.summary.source?.sheet, 'iris');
    const dated = await loadDatasetAsync('workbook.xlsx', fixture('workbook.xlsx'), { sheet: '4' });
    assert.equal(dated.kind, 'table');
    if (dated.kind !== 'table') return;
    assert.deepEqual(dated.columns, ['eruptions', 'waiting']);
    assert.deepEqual(column(dated, 1), faithful.waiting.slice(0, 10));
    assert.deepEqual(dated.summary.droppedColumns, [
      { name: 'row index', reason: 'row index (0..9)' },
      { name: 'day', reason: 'dates (not used in a fit)' },
    ]);
  });

  it('a sheet that is not there, or holds no numbers, is refused naming the sheets', async () => {
    await rejectsWith(loadDatasetAsync('workbook.xlsx', fixture('workbook.xlsx'), { sheet: 'geyser' }), /^workbook\.xlsx: there is no sheet "geyser"\. Sheets: "notes", "faithful", "iris", "dated" \(or their numbers 1–4\)\.$/);
    await rejectsWith(loadDatasetAsync('workbook.xlsx', fixture('workbook.xlsx'), { sheet: 'notes' }), /^workbook\.xlsx: sheet "notes": no column to fit\. Columns: "about" \(text, e\.g\. "Old Faithful and iris" on row 2: every value distinct \(an identifier\)\)/);
    // A text column of repeated values asked for by name is fitted as categories, as in a CSV.
    const species = await loadDatasetAsync('workbook.xlsx', fixture('workbook.xlsx'), { columns: ['Species'], sheet: 'iris' });
    assert.ok(species.kind === 'table' && species.d === 0 && species.categorical?.columns[0] === 'Species');
    await rejectsWith(loadDatasetAsync('workbook.xlsx', fixture('workbook.xlsx'), { columns: ['about'], sheet: 'notes' }), /^workbook\.xlsx: sheet "notes": column "about" cannot be fitted/);
  });

  it('not a workbook: a clear message, never another exception', async () => {
    await rejectsWith(loadDatasetAsync('x.xlsx', utf8('eruptions,waiting\n1,2\n')), /^x\.xlsx: the file is not a zip archive/);
    await rejectsWith(loadDatasetAsync('x.xlsx', new Uint8Array()), /^x\.xlsx: the file is empty\./);
    const cut = fixture('faithful.xlsx').subarray(0, 2000);
    await rejectsWith(
      loadDatasetAsync('cut.xlsx', cut),
      /^cut\.xlsx: the workbook cannot be unpacked: its central directory \(the list of files at the end of a zip\) is missing, so the file is truncated or not a zip\. The workbook may be damaged: save it again \(as \.xlsx\) from its spreadsheet program\.$/,
    );
  });

  it('inspection lists the sheets and which hold numbers, and the columns of the sheet read', async () => {
    const i = await inspectDatasetAsync(fixture('workbook.xlsx'), 'workbook.xlsx', { sheet: 'iris' });
    assert.deepEqual(i.sheets, [
      { name: 'notes', numeric: false },
      { name: 'faithful', numeric: true },
      { name: 'iris', numeric: true },
      { name: 'dated', numeric: true },
    ]);
    assert.deepEqual(i.columns.filter((c) => c.numeric).map((c) => c.name), ['Sepal.Length', 'Sepal.Width', 'Petal.Length', 'Petal.Width']);
    assert.equal(i.format, 'xlsx');
  });

  it('the synchronous entry point refuses a format read asynchronously, as a caller mistake', () => {
    assert.throws(() => loadDataset('faithful.xlsx', fixture('faithful.xlsx')), (e: unknown) => !(e instanceof DataError) && /loadDatasetAsync/.test((e as Error).message));
  });
});
