// Excel workbooks (.xlsx) in memory, read by the project's own reader (excelBook.ts: fflate's inflate and a byte-level
// XML scan, the reader of out-of-core fits too). A sheet is a table: an optional header row (the first non-empty row,
// when it names the columns), then one row per record; empty rows are ignored. The sheet read is the one asked for
// (by name or 1-based number), else the first that holds a numeric table; the notes name the others.

import { DataError } from '../errors';
import { dataError, listSome, plural } from './common';
import type { ImageData, TableData } from './dataset';
import { loadCellTable, type CellColumn, type CellTable, type CellTableOptions } from './cellTable';
import { EXPECTED, openWorkbook, readSheetData, type Row } from './excelBook';
import { memorySource } from './excelZip';
import { isHeaderLike } from './text/cells';

export { EXPECTED, type Row } from './excelBook';

export interface ExcelOptions extends CellTableOptions {
  /** A sheet name or 1-based number; empty or absent: the first sheet that holds a numeric table. */
  sheet?: string;
}

export interface Sheet {
  sheet: string;
  data: Row[];
}

/** Every sheet of the workbook with its rows (every sheet is examined for a numeric table). */
function readSheets(fileName: string, bytes: Uint8Array): Sheet[] {
  const book = openWorkbook(fileName, memorySource(bytes));
  try {
    return book.sheets.map((sheet) => ({ sheet: sheet.sheet, data: readSheetData(fileName, book, sheet) }));
  } finally {
    book.zip.close();
  }
}

/** A sheet's rows as a cell table: leading empty rows skipped, a header row when the first row names the columns. */
export function sheetTable(sheet: Sheet): CellTable {
  const isEmpty = (row: Row) => row.every((cell) => cell === null || cell === undefined || cell === '');
  const kept: number[] = [];
  for (let r = 0; r < sheet.data.length; r++) if (!isEmpty(sheet.data[r])) kept.push(r);
  const first = kept.length > 0 ? sheet.data[kept[0]] : [];
  const header = first.every((cell) => cell === null || typeof cell === 'string') && isHeaderLike(first.map((cell) => String(cell ?? '')), false);
  const bodyRows = header ? kept.slice(1) : kept;
  // A loop, not Math.max(...rows): a spread of a sheet's rows overflows the stack beyond about 100,000 rows.
  let width = 0;
  for (const r of kept) width = Math.max(width, lastFilled(sheet.data[r]) + 1);
  const columns: CellColumn[] = Array.from({ length: width }, (_, j) => ({
    name: header ? String(first[j] ?? '') : '',
    cells: bodyRows.map((r) => sheet.data[r][j]),
  }));
  const notes = [`sheet "${sheet.sheet}"`];
  if (header) notes.push(`header on row ${kept[0] + 1}`);
  const skipped = sheet.data.length - kept.length;
  if (skipped > 0) notes.push(`ignored ${plural(skipped, 'empty row')}`);
  return { columns, rows: bodyRows.length, unit: 'row', rowNumber: (i) => bodyRows[i] + 1, notes };
}

function lastFilled(row: Row): number {
  for (let j = row.length - 1; j >= 0; j--) if (row[j] !== null && row[j] !== undefined && row[j] !== '') return j;
  return -1;
}

/** The sheet asked for: its exact name, then any case, then a 1-based number. */
export function findSheet<S extends { sheet: string }>(fileName: string, sheets: S[], wanted: string): S {
  const exact = sheets.find((s) => s.sheet === wanted) ?? sheets.find((s) => s.sheet.toLowerCase() === wanted.toLowerCase());
  if (exact) return exact;
  if (/^\d+$/.test(wanted) && Number(wanted) >= 1 && Number(wanted) <= sheets.length) return sheets[Number(wanted) - 1];
  throw dataError(fileName, `there is no sheet "${wanted}". Sheets: ${listSome(sheets.map((s) => `"${s.sheet}"`))} (or their numbers 1–${sheets.length}).`);
}

/** Loads one sheet; the error names it. */
function loadSheet(fileName: string, sheet: Sheet, options: CellTableOptions): TableData | ImageData {
  try {
    const dataset = loadCellTable(fileName, sheetTable(sheet), options);
    // Read again (predict, the emitted scripts) from the same sheet.
    dataset.summary.source = { format: 'xlsx', sheet: sheet.sheet };
    return dataset;
  } catch (error) {
    if (error instanceof DataError) throw inSheet(sheet.sheet, error);
    throw error;
  }
}

/** The sheets that hold a numeric table (the first is read when none is asked for). */
export function numericSheets(fileName: string, sheets: Sheet[]): { sheet: Sheet; dataset?: TableData | ImageData; why?: string }[] {
  return sheets.map((sheet) => {
    try {
      return { sheet, dataset: loadCellTable(fileName, sheetTable(sheet), {}) };
    } catch (error) {
      if (error instanceof DataError) return { sheet, why: error.message.replace(/^[^:]*: /, '') };
      throw error;
    }
  });
}

/** The note naming a workbook's sheets when one was asked for. */
export function workbookSheetsNote(names: string[]): string {
  return `${plural(names.length, 'sheet')} in the workbook: ${listSome(names.map((name) => `"${name}"`))}`;
}

/** The note naming the other sheets that hold a numeric table when the first was read. */
export function firstNumericSheetNote(others: string[]): string {
  const quoted = others.map((name) => `"${name}"`);
  return `the first sheet with a numeric table; ${listSome(quoted)} also ${quoted.length === 1 ? 'holds one' : 'hold one'}: choose with the sheet setting (CLI: --sheet NAME)`;
}

/** No sheet holds a numeric table: each sheet and why. */
export function noNumericSheet(fileName: string, tried: { name: string; why: string }[]): DataError {
  return dataError(fileName, `no sheet holds a numeric table: ${tried.map((t) => `"${t.name}" (${t.why})`).join('; ')}`);
}

/** A DataError of a sheet's table, the sheet named after the file (as every error of a sheet reads). */
export function inSheet(sheet: string, error: DataError): DataError {
  if (error.message.includes(`: sheet "${sheet}": `)) return error;
  return new DataError(error.message.replace(/^([^:]*): /, `$1: sheet "${sheet}": `), error.fileName, error.line);
}

export async function loadExcel(fileName: string, bytes: Uint8Array, options: ExcelOptions): Promise<TableData | ImageData> {
  const sheets = readSheets(fileName, bytes);
  if (sheets.length === 0) throw dataError(fileName, `the workbook has no sheet. ${EXPECTED}`);
  const wanted = options.sheet?.trim();
  if (wanted) {
    const dataset = loadSheet(fileName, findSheet(fileName, sheets, wanted), options);
    if (sheets.length > 1) dataset.summary.notes.push(workbookSheetsNote(sheets.map((s) => s.sheet)));
    return dataset;
  }
  const tried = numericSheets(fileName, sheets);
  const usable = tried.filter((t) => t.dataset);
  if (usable.length === 0) throw noNumericSheet(fileName, tried.map((t) => ({ name: t.sheet.sheet, why: t.why ?? '' })));
  const chosen = usable[0].sheet;
  const dataset = loadSheet(fileName, chosen, options);
  if (usable.length > 1) dataset.summary.notes.push(firstNumericSheetNote(usable.slice(1).map((t) => t.sheet.sheet)));
  return dataset;
}

/** The sheets of a workbook and whether each holds a numeric table, for "…with options" to offer. */
export async function inspectSheets(fileName: string, bytes: Uint8Array): Promise<{ name: string; numeric: boolean }[]> {
  const sheets = readSheets(fileName, bytes);
  return numericSheets(fileName, sheets).map((t) => ({ name: t.sheet.sheet, numeric: t.dataset !== undefined }));
}
