// Excel workbooks out of core (data/excelStream.ts): the cells of every group are the in-memory reader's
// (read-excel-file) cells; every family fitted from a workbook streamed in several groups equals the in-memory fit
// (trace to 1e-9 relative); the sheet is chosen, and the notes and errors read, as in memory. The workbooks are
// test/fixtures/data/faithful.xlsx and workbook.xlsx (pandas/openpyxl) and excel/*.xlsx
// (make-excel-stream-fixtures.py: openpyxl, and one written part by part for inline strings, rich-text shared
// strings, sparse rows, error cells, booleans, formula text, dates by style and escapes).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import readXlsxFile from 'read-excel-file/universal';
import { loadDatasetAsync } from '../../../src/engine/data/load';
import { openExcelGroups } from '../../../src/engine/data/excelStream';
import { DataError } from '../../../src/engine/errors';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import type { DatasetSummary, FitOptions, FitResult } from '../../../src/shared/protocol';
import { assertSameFit, inMemoryFit } from './same-fit';

const DATA = path.join(__dirname, '..', '..', 'fixtures', 'data');
const FAITHFUL = path.join(DATA, 'faithful.xlsx');
const WORKBOOK = path.join(DATA, 'workbook.xlsx');
const STREAMED = path.join(DATA, 'excel', 'streamed.xlsx');
const HANDMADE = path.join(DATA, 'excel', 'handmade.xlsx');

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => assert.fail('expected an error'),
    (e: unknown) => e as Error,
  );
}

describe('out of core: Excel workbooks, as in memory', function () {
  this.timeout(60000);
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-excel-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  async function both(file: string, options: Partial<FitOptions>, groupRows = 23): Promise<{ actual: FitResult; expected: FitResult; summary: DatasetSummary; groups: number }> {
    const expected = await inMemoryFit(file, options);
    let summary: DatasetSummary | undefined;
    let storeDir = '';
    let groups = 0;
    const outcome = await fitOutOfCore(
      file,
      options,
      1,
      { onLoaded: (info) => (summary = info.summary) },
      { chunkRows: 37, groupRecords: groupRows, tempParent: temp, onStore: (dir) => (storeDir = dir), onGroup: () => groups++ },
    );
    assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    return { actual: outcome.result, expected, summary: summary!, groups };
  }

  it('reads every cell of a group as read-excel-file reads the sheet: strings, numbers, booleans, dates, empty cells, sparse rows', async () => {
    for (const [file, sheet] of [
      [HANDMADE, 'cells'],
      [STREAMED, 'mixed'],
      [WORKBOOK, 'dated'],
    ] as const) {
      const sheets = (await readXlsxFile(new Uint8Array(fs.readFileSync(file)).buffer)) as { sheet: string; data: unknown[][] }[];
      const data = sheets.find((s) => s.sheet === sheet)!.data;
      const grouped = openExcelGroups(path.basename(file), file, { sheet, groupRows: file === WORKBOOK ? 3 : 7 });
      try {
        const width = grouped.columns.length;
        assert.equal(width, Math.max(...data.map((row) => row.length)), `${file}: the sheet's width`);
        const all = Array.from({ length: width }, (_, j) => j);
        // Expected: the non-empty rows after the header, as the in-memory reader keeps them (sheetTable).
        const isEmpty = (row: unknown[]) => row.every((c) => c === null || c === undefined || c === '');
        const kept = data.map((row, r) => ({ row, number: r + 1 })).filter((r) => !isEmpty(r.row));
        const body = grouped.notes.some((n) => /^header on row/.test(n)) ? kept.slice(1) : kept;
        assert.equal(grouped.totalRows, body.length);
        assert.ok(grouped.groupCount >= 3, `${file}: several groups`);
        let i0 = 0;
        for (let g = 0; g < grouped.groupCount; g++) {
          const { rows, cells } = await grouped.readGroup(g, all);
          for (let i = 0; i < rows; i++) {
            const expected = body[i0 + i];
            assert.equal(grouped.rowNumber!(g, i), expected.number, `${file}: row number`);
            for (let j = 0; j < width; j++) {
              const want = expected.row[j] ?? null;
              const got = cells[j][i];
              if (want instanceof Date) assert.equal((got as Date).getTime(), want.getTime(), `${file} row ${expected.number} column ${j + 1}`);
              else assert.deepEqual(got, want, `${file} row ${expected.number} column ${j + 1}`);
            }
          }
          i0 += rows;
        }
        assert.equal(i0, body.length);
      } finally {
        grouped.close();
      }
    }
  });

  const cases: { name: string; file: string; options: Partial<FitOptions>; model: string; groupRows?: number }[] = [
    { name: 'faithful.xlsx, Gaussian full', file: FAITHFUL, options: { model: 'gaussian', k: 2, seed: 1 }, model: 'gaussian' },
    // Groups of 100 rows: the first group (sorted by species) then holds two species, so "Species" reads as the label
    // column there as in memory (a first group of one species would not tell a label from a constant).
    { name: 'workbook.xlsx sheet "iris" (by any case), Gaussian diag', file: WORKBOOK, options: { model: 'gaussian', k: 3, seed: 2, covarianceType: 'diag', sheet: 'IRIS' }, model: 'gaussian', groupRows: 100 },
    { name: 'workbook.xlsx sheet 4 (a date column dropped), mclust VVV', file: WORKBOOK, options: { model: 'gaussian', k: 2, seed: 3, covarianceType: 'VVV', sheet: '4' }, model: 'gaussian', groupRows: 4 },
    { name: 'the handmade sheet: missing and sparse cells integrated out', file: HANDMADE, options: { model: 'gaussian', k: 2, seed: 4 }, model: 'gaussian' },
    { name: 'the handmade sheet: rows with missing cells skipped', file: HANDMADE, options: { model: 'gaussian', k: 2, seed: 5, missing: 'skip', covarianceType: 'spherical' }, model: 'gaussian' },
    { name: 'model auto on numbers and shared-string categories: mixed', file: STREAMED, options: { model: 'auto', k: 2, seed: 6, covarianceType: 'diag' }, model: 'mixed' },
    { name: 'mixed with a count column', file: STREAMED, options: { model: 'mixed', k: 2, seed: 7, countColumns: ['visits'] }, model: 'mixed' },
    { name: 'categorical on a shared-string column, case weights', file: HANDMADE, options: { model: 'categorical', k: 2, seed: 8, columns: ['label'], labelColumn: 'none', weightsColumn: 'z&w', sheet: 'cells' }, model: 'categorical' },
    { name: 'Poisson on the counts', file: STREAMED, options: { model: 'poisson', k: 2, seed: 9, columns: ['visits'] }, model: 'poisson' },
    { name: 'Bernoulli on the 0/1 flag column (booleans, formula text)', file: HANDMADE, options: { model: 'bernoulli', k: 2, seed: 10, columns: ['flag'], init: 'random', missing: 'skip' }, model: 'bernoulli' },
  ];
  for (const { name, file, options, model, groupRows } of cases) {
    it(`${name}: the in-memory fit`, async () => {
      const { actual, expected, groups } = await both(file, options, groupRows);
      assert.ok(groups >= 2, `streamed in ${groups} groups`);
      assert.equal(expected.model, model);
      assertSameFit(actual, expected);
    });
  }

  it('the notes of the sheet read: its name, header, empty rows, columns, and the other sheets', async () => {
    const expectNotes = async (file: string, options: Partial<FitOptions>, notes: string[]) => {
      const dataset = await loadDatasetAsync(path.basename(file), fs.readFileSync(file), { sheet: options.sheet });
      const { summary } = await both(file, { k: 2, seed: 1, ...options });
      for (const note of notes) {
        assert.ok(dataset.summary.notes.includes(note), `in memory: ${note}\n${dataset.summary.notes.join('\n')}`);
        assert.ok(summary.notes.includes(note), `out of core: ${note}\n${summary.notes.join('\n')}`);
      }
      assert.deepEqual(summary.droppedColumns, dataset.summary.droppedColumns);
      assert.equal(summary.source?.sheet, dataset.summary.source?.sheet);
      assert.ok(summary.notes.some((n) => /^fitted out of core: \d+ rows streamed group of rows by group of rows/.test(n)), summary.notes.join('\n'));
    };
    await expectNotes(HANDMADE, { model: 'gaussian' }, ['sheet "cells"', 'header on row 2', 'ignored 10 empty rows', 'columns: x, y2, label, when, flag, z&w']);
    await expectNotes(STREAMED, { model: 'gaussian' }, ['sheet "mixed"', 'header on row 1', 'the first sheet with a numeric table; "other" also holds one: choose with the sheet setting (CLI: --sheet NAME)']);
    await expectNotes(STREAMED, { model: 'gaussian', sheet: 'other' }, ['sheet "other"', '3 sheets in the workbook: "readme", "mixed", "other"']);
    await expectNotes(WORKBOOK, { model: 'gaussian', sheet: 'dated' }, ['sheet "dated"']);
  });

  it('the same errors as in memory, naming the file and the sheet', async () => {
    const cases: { file: string; options: Partial<FitOptions>; pattern: RegExp }[] = [
      { file: STREAMED, options: { sheet: 'nope' }, pattern: /^streamed\.xlsx: there is no sheet "nope"\. Sheets: "readme", "mixed", "other" \(or their numbers 1–3\)\.$/ },
      { file: HANDMADE, options: { sheet: '1' }, pattern: /^handmade\.xlsx: sheet "Notes & data": / },
      { file: STREAMED, options: { model: 'poisson', columns: ['visits'], weightsColumn: 'x' }, pattern: /^streamed\.xlsx: sheet "mixed": row \d+: the weight in column "x" is / },
      { file: STREAMED, options: { model: 'categorical', columns: ['colour'], categoryLimit: 2 }, pattern: /^streamed\.xlsx: / },
    ];
    for (const { file, options, pattern } of cases) {
      const all = { model: 'gaussian' as const, k: 2, seed: 1, ...options };
      const inMemory = await rejection(inMemoryFit(file, all));
      const streamed = await rejection(fitOutOfCore(file, all, 1, {}, { tempParent: temp, groupRecords: 50 }));
      assert.ok(inMemory instanceof DataError, String(inMemory));
      assert.ok(streamed instanceof DataError, String(streamed));
      assert.match(inMemory.message, pattern);
      assert.equal(streamed.message, inMemory.message);
    }
  });

  it('a workbook whose sheets hold no numeric table: each sheet and why, as in memory', async () => {
    const file = path.join(temp, 'words.xlsx');
    // The handmade workbook's first sheet alone: rewrite the sheet list to name only it.
    const bytes = await textOnlyWorkbook();
    fs.writeFileSync(file, bytes);
    const inMemory = await rejection(inMemoryFit(file, { model: 'gaussian', k: 2 }));
    const streamed = await rejection(fitOutOfCore(file, { model: 'gaussian', k: 2 }, 1, {}, { tempParent: temp }));
    assert.match(inMemory.message, /^words\.xlsx: no sheet holds a numeric table: "readme" \(/);
    assert.equal(streamed.message, inMemory.message);
  });

  it('a sheet of 150,000 rows (read-excel-file overflows the stack on it) loads in memory with every value written, and its fit is the out-of-core fit', async () => {
    const file = path.join(temp, 'long.xlsx');
    const written = await longWorkbook(file, LONG_ROWS);
    const dataset = await loadDatasetAsync('long.xlsx', fs.readFileSync(file));
    assert.ok(dataset.kind === 'table');
    if (dataset.kind !== 'table') return;
    assert.deepEqual([dataset.n, dataset.d, dataset.columns], [LONG_ROWS, 5, ['a', 'b', 'c', 'd', 'e']]);
    for (let i = 0; i < written.length; i++) if (dataset.values[i] !== written[i]) assert.fail(`value ${i}: ${dataset.values[i]} vs ${written[i]}`);
    // From given parameters: out of core, k-means++ starts from a sample of the rows, in memory from every row.
    const options: Partial<FitOptions> = { model: 'gaussian', k: 2, seed: 11, maxIterations: 8, init: 'params', initParams: { weights: [0.5, 0.5], means: [Array(5).fill(0.5), Array(5).fill(3)], covariances: [identity(5), identity(5)] } };
    const { actual, expected, groups } = await both(file, options, 40_000);
    assert.equal(groups >= 4, true, `streamed in ${groups} groups`);
    assert.equal(expected.n, LONG_ROWS);
    assertSameFit(actual, expected);
  });

  it('damaged workbooks: one DataError naming the file, what is wrong and what to do', async () => {
    const bytes = new Uint8Array(fs.readFileSync(HANDMADE));
    const write = (name: string, b: Uint8Array) => {
      const file = path.join(temp, name);
      fs.writeFileSync(file, b);
      return file;
    };
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty.xlsx', new Uint8Array(0), /^empty\.xlsx: the file is empty\. Expected an Excel workbook/],
      ['text.xlsx', new TextEncoder().encode('a,b\n1,2\n'), /^text\.xlsx: the file is not a zip archive \(it does not start with "PK"\)/],
      ['cut.xlsx', bytes.slice(0, bytes.length - 100), /^cut\.xlsx: the workbook cannot be unpacked: .*save it again/],
    ];
    for (const [name, b, pattern] of cases) {
      const error = await rejection(fitOutOfCore(write(name, b), { model: 'gaussian', k: 2 }, 1, {}, { tempParent: temp }));
      assert.ok(error instanceof DataError, String(error));
      assert.match(error.message, pattern);
    }
  });
});

const LONG_ROWS = 150_000;
const identity = (d: number) => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));

/** Writes a workbook of one sheet, a header (shared strings) and `rows` rows of five numbers in two blobs, as openpyxl lays one out; returns the numbers row by row. */
async function longWorkbook(file: string, rows: number): Promise<Float64Array> {
  const { zipSync, strToU8 } = await import('fflate');
  const ns = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const values = new Float64Array(rows * 5);
  const parts = ['<worksheet><sheetData><row r="1">', ...['A', 'B', 'C', 'D', 'E'].map((c, j) => `<c r="${c}1" t="s"><v>${j}</v></c>`), '</row>'];
  let state = 12345;
  const uniform = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
  for (let i = 0; i < rows; i++) {
    const r = i + 2;
    parts.push(`<row r="${r}">`);
    for (let j = 0; j < 5; j++) {
      const text = ((i % 2) * 4 + Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())).toFixed(9);
      values[i * 5 + j] = Number(text);
      parts.push(`<c r="${'ABCDE'[j]}${r}"><v>${text}</v></c>`);
    }
    parts.push('</row>');
  }
  parts.push('</sheetData></worksheet>');
  fs.writeFileSync(
    file,
    zipSync({
      'xl/workbook.xml': strToU8(`<workbook xmlns:r="${ns}"><sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>`),
      'xl/_rels/workbook.xml.rels': strToU8(`<Relationships><Relationship Id="rId1" Type="${ns}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${ns}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`),
      'xl/sharedStrings.xml': strToU8(`<sst>${['a', 'b', 'c', 'd', 'e'].map((n) => `<si><t>${n}</t></si>`).join('')}</sst>`),
      'xl/worksheets/sheet1.xml': [strToU8(parts.join('')), { level: 1 }],
    }),
  );
  return values;
}

/** A workbook of one sheet of words (openpyxl's layout, written here with the zip the test reads). */
async function textOnlyWorkbook(): Promise<Uint8Array> {
  const { zipSync, strToU8 } = await import('fflate');
  const ns = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  return zipSync({
    'xl/workbook.xml': strToU8(`<workbook xmlns:r="${ns}"><sheets><sheet name="readme" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    'xl/_rels/workbook.xml.rels': strToU8(`<Relationships><Relationship Id="rId1" Type="${ns}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`),
    'xl/worksheets/sheet1.xml': strToU8('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>only words</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>here</t></is></c></row></sheetData></worksheet>'),
  });
}
