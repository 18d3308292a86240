// An Excel workbook (.xlsx) read from disk a group of rows at a time, for out-of-core fits (store/cellStream.ts), by
// the reader the in-memory path uses (excelBook.ts). A first pass over the sheet finds its width, its header row and
// its rows, as the in-memory reader sees the whole sheet; the store's pass then reads the rows again a group at a
// time. Without a sheet asked for, the sheet read is the first whose first group holds a numeric table (the whole of
// a sheet of one group, so small workbooks choose as in memory).

import * as fs from 'node:fs';
import { DataError } from '../errors';
import { dataError, plural } from './common';
import { findSheet, firstNumericSheetNote, noNumericSheet, sheetTable, workbookSheetsNote } from './excel';
import { EXPECTED, openWorkbook, readSheetData, sheetEntry, SheetRows, type Row, type SheetInfo, type Workbook } from './excelBook';
import { fileSource } from './excelZip';
import { loadCellTable } from './cellTable';
import { isHeaderLike } from './text/cells';
import type { GroupedFile } from './store/cellStream';

/** About the most cells a group holds: each is a JavaScript value until stored, so a group stays a few megabytes. */
const GROUP_CELLS = 1 << 17;

/** A row as read-excel-file gives it: its cells from column 1 to `width`, null where empty. */
function rowOf(rows: SheetRows, width: number): Row {
  const out = new Array<unknown>(width).fill(null);
  for (let k = 1; k <= Math.min(rows.filledTo, width); k++) out[k - 1] = rows.cells[k] ?? null;
  return out;
}

/** The first rows of a sheet (up to `bodyRows` non-empty rows after the first), as the in-memory reader's rows. */
function probeSheet(fileName: string, book: Workbook, sheet: SheetInfo, bodyRows: number): { sheet: string; data: Row[] } {
  return { sheet: sheet.sheet, data: readSheetData(fileName, book, sheet, bodyRows + 1) };
}

export interface ExcelStreamOptions {
  /** A sheet name or 1-based number; empty or absent: the first sheet whose first group holds a numeric table. */
  sheet?: string;
  /** Rows per group (tests cut small sheets into several groups); by default from the sheet's width. */
  groupRows?: number;
}

/** Opens the workbook at `filePath` and its sheet for reading group of rows by group of rows. */
export function openExcelGroups(fileName: string, filePath: string, options: ExcelStreamOptions = {}): GroupedFile & { sheet: string } {
  const book = openWorkbook(fileName, fileSource(fs.openSync(filePath, 'r')));
  const zip = book.zip;
  const size = zip.size;
  try {
    if (book.sheets.length === 0) throw dataError(fileName, `the workbook has no sheet. ${EXPECTED}`);
    const fixedRows = options.groupRows !== undefined ? Math.max(1, Math.floor(options.groupRows)) : undefined;
    const wanted = options.sheet?.trim();
    const notes: string[] = [];
    let chosen: SheetInfo;
    if (wanted) {
      chosen = findSheet(fileName, book.sheets, wanted);
      if (book.sheets.length > 1) notes.push(workbookSheetsNote(book.sheets.map((s) => s.sheet)));
    } else {
      // As in memory: the first sheet that holds a numeric table, judged here from its first group's rows.
      const probeRows = fixedRows ?? 4096;
      const tried = book.sheets.map((sheet) => {
        try {
          loadCellTable(fileName, sheetTable(probeSheet(fileName, book, sheet, probeRows)), {});
          return { sheet, why: undefined };
        } catch (error) {
          if (error instanceof DataError) return { sheet, why: error.message.replace(/^[^:]*: /, '') };
          throw error;
        }
      });
      const usable = tried.filter((t) => t.why === undefined);
      if (usable.length === 0) throw noNumericSheet(fileName, tried.map((t) => ({ name: t.sheet.sheet, why: t.why ?? '' })));
      chosen = usable[0].sheet;
      if (usable.length > 1) notes.push(firstNumericSheetNote(usable.slice(1).map((t) => t.sheet.sheet)));
    }
    const entry = sheetEntry(fileName, book, chosen);
    // Pass 1: the sheet's width, its first non-empty row (the header when it names the columns), its rows.
    const scan = new SheetRows(fileName, book, chosen.sheet, entry);
    let width = 0;
    let kept = 0;
    let lastRow = 0;
    let first: { number: number; row: Row } | undefined;
    let firstBody = 0;
    while (scan.next()) {
      if (scan.filledTo === 0) continue;
      kept++;
      lastRow = scan.number;
      width = Math.max(width, scan.filledTo);
      if (!first) first = { number: scan.number, row: rowOf(scan, scan.filledTo) };
      else if (firstBody === 0) firstBody = scan.number;
    }
    const firstRow = first ? [...first.row, ...new Array<unknown>(width - first.row.length).fill(null)] : [];
    const header = first !== undefined && firstRow.every((cell) => cell === null || typeof cell === 'string') && isHeaderLike(firstRow.map((cell) => String(cell ?? '')), false);
    const bodyRows = kept - (header ? 1 : 0);
    const sheetNotes = [`sheet "${chosen.sheet}"`];
    if (header) sheetNotes.push(`header on row ${first!.number}`);
    if (lastRow - kept > 0) sheetNotes.push(`ignored ${plural(lastRow - kept, 'empty row')}`);
    if (bodyRows === 0) {
      // Nothing to stream: the in-memory reader's own message for this sheet.
      const data: Row[] = first ? [...Array.from({ length: first.number - 1 }, () => [] as Row), firstRow] : [];
      loadCellTable(fileName, sheetTable({ sheet: chosen.sheet, data }), {});
      throw dataError(fileName, `the sheet has no rows below its header. Expected rows of numbers.`);
    }
    const perGroup = fixedRows ?? Math.max(64, Math.floor(GROUP_CELLS / Math.max(1, width)));
    const groupCount = Math.ceil(bodyRows / perGroup);
    const rowsOf = (g: number) => (g >= 0 && g < groupCount ? Math.min(perGroup, bodyRows - g * perGroup) : 0);
    const headerRow = header ? first!.number : 0;
    const names = Array.from({ length: width }, (_, j) => (header ? String(firstRow[j] ?? '') : ''));
    // Pass 2 (the store's): the rows again, group by group, in order.
    let cursor: SheetRows | undefined;
    let nextGroup = 0;
    const numbers = new Map<number, Int32Array>();
    const file: GroupedFile & { sheet: string } = {
      fileName,
      sheet: chosen.sheet,
      groupName: 'group of rows',
      unit: 'row',
      columns: names.map((name) => ({ name })),
      groupCount,
      groupRows: rowsOf,
      totalRows: bodyRows,
      rowNumber: (g, i) => numbers.get(g)?.[i] ?? i + 1,
      progress: (g) => ({ done: Math.round((size * Math.min(bodyRows, (g + 1) * perGroup)) / bodyRows), total: size }),
      notes: [...sheetNotes, ...notes],
      async readGroup(g, wantedColumns) {
        if (!cursor || g < nextGroup) {
          cursor?.close();
          cursor = new SheetRows(fileName, book, chosen.sheet, entry);
          nextGroup = 0;
        }
        const rows = cursor;
        const cells = wantedColumns.map(() => new Array<unknown>(rowsOf(g)));
        const at = new Int32Array(rowsOf(g));
        for (; nextGroup <= g; nextGroup++) {
          const want = rowsOf(nextGroup);
          let i = 0;
          while (i < want) {
            if (!rows.next()) throw dataError(fileName, `sheet "${chosen.sheet}": the file changed while it was read: ${bodyRows} rows were counted, fewer were read the second time. Fit it again.`);
            if (rows.filledTo === 0 || rows.number === headerRow) continue;
            if (nextGroup === g) {
              at[i] = rows.number;
              for (let k = 0; k < wantedColumns.length; k++) cells[k][i] = rows.cells[wantedColumns[k] + 1] ?? null;
            }
            i++;
          }
        }
        numbers.set(g, at);
        // The row numbers of the group read before this one stay for its messages; older ones go.
        numbers.delete(g - 2);
        return { rows: rowsOf(g), cells };
      },
      close: () => {
        cursor?.close();
        zip.close();
      },
    };
    return file;
  } catch (e) {
    zip.close();
    throw e;
  }
}
