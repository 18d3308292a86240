// The .xlsx reader, one for both paths: a workbook in memory (excel.ts) and a workbook read from disk a group of rows
// at a time for out-of-core fits (excelStream.ts). The zip's central directory lists its parts (excelZip.ts); a
// sheet's XML is inflated chunk by chunk and its <row> and <c> elements scanned byte by byte (excelXml.ts), so no
// sheet's XML is ever held whole and no parse recurses per chunk (read-excel-file's does, which overflows the stack on
// a sheet of about 150,000 rows). Cells are read as read-excel-file reads them (it is the tests' oracle): shared
// strings (t="s"), inline strings, numbers, booleans, formula text (t="str"), errors (#N/A…) as empty cells, strings
// trimmed, dates by their cell's number format, and a sheet's own row numbers from r="C5" (cells left out of the XML
// are empty). The workbook's shared strings are held whole (a cell refers to any of them by index): they are inflated
// and parsed as a stream, and only the strings themselves are kept.

import { dataError } from './common';
import { CLOSE, END, OPEN, TEXT, scanBytes, XmlScanner } from './excelXml';
import { DAMAGED, ZipFile, type ByteSource, type ZipEntry } from './excelZip';
import { looksLikeZip } from './magic';

export const EXPECTED = 'Expected an Excel workbook (.xlsx); an older .xls workbook must be saved as .xlsx first.';

/** A sheet's row as read-excel-file gives it: its cells from column 1 on, null where empty. */
export type Row = readonly unknown[];

/** Excel's last column (XFD). */
const MAX_COLUMNS = 16_384;

export interface SheetInfo {
  sheet: string;
  relationId: string;
}

/** What every sheet's cells need from the rest of the workbook. */
export interface Workbook {
  zip: ZipFile;
  sheets: SheetInfo[];
  /** Sheet part paths by relationship id. */
  sheetPaths: Map<string, string>;
  /** Held whole: a cell may refer to any of them. */
  sharedStrings: string[];
  /** Per cell style (cellXfs index): whether its number format shows a date; undefined without styles.xml. */
  dateStyles?: boolean[];
  epoch1904: boolean;
}

const RELATIONSHIPS = ['http://schemas.openxmlformats.org/officeDocument/2006/relationships/', 'http://purl.oclc.org/ooxml/officeDocument/relationships/'];

/** The number format ids Excel reserves for dates and times (read-excel-file's list). */
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81]);
const DATE_TOKENS = new Set(['s', 'ss', 'm', 'mm', 'h', 'hh', 'am', 'pm', 'a', 'p', 'd', 'dd', 'ddd', 'dddd', 'aaa', 'aaaa', 'aaaaa', 'mmm', 'mmmm', 'mmmmm', 'y', 'yy', 'yyyy', 'e', 'ee', 'eeee']);

/** Whether a custom number format shows a date (read-excel-file's rule: every token a date or time token). */
function isDateTemplate(template: string): boolean {
  const parts = template.toLowerCase().replace(/;@$/, '').replace(/\\./g, ' ').split(';');
  return parts.some((part) => {
    const t = part
      .replace(/"[^"]*"/g, ' ')
      .replace(/(\[?[smhd]{1,2}\]?)[.,]00?0?/g, '$1')
      .replace(/\[([smhd]{1,2})\]/g, '$1')
      .replace(/\[[^\]]*\]/g, '');
    const tokens = t.split(/[^a-z0#?%]+/).filter((x) => x);
    return tokens.length > 0 && tokens.every((x) => DATE_TOKENS.has(x));
  });
}

/** Decodes `_xHHHH_` escapes (characters XML cannot hold), as read-excel-file does. */
function unescapeXlsx(text: string): string {
  return text.indexOf('_x') < 0 ? text : text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Milliseconds since 1970 of an Excel serial date (read-excel-file's parseExcelTimestamp). */
function excelTimestamp(serial: number, epoch1904: boolean): number {
  const day = 86_400_000;
  if (epoch1904) serial += 4 * 365 + 2;
  return Math.floor((serial - (2 + 70 * 365 + 17)) * day);
}

function readWorkbook(fileName: string, zip: ZipFile): Workbook {
  const cannotRead = (what: string) => dataError(fileName, `the workbook cannot be read: ${what}. ${EXPECTED} ${DAMAGED}`);
  const part = (path: string, required: boolean): Uint8Array | undefined => {
    const entry = zip.entries.get(path);
    if (!entry) {
      if (required) throw cannotRead(`"${path}" file not found inside the .xlsx file`);
      return undefined;
    }
    return zip.readWhole(entry);
  };
  const failIn = (path: string) => (what: string) => cannotRead(`${path}: ${what}`);
  // Where the sheets, shared strings and styles are (their paths are not fixed).
  const rels = scanBytes(part('xl/_rels/workbook.xml.rels', true)!, failIn('xl/_rels/workbook.xml.rels'));
  const sheetPaths = new Map<string, string>();
  let sharedStringsPath = 'xl/sharedStrings.xml';
  let stylesPath = 'xl/styles.xml';
  for (let e = rels.next(); e !== END; e = rels.next()) {
    if (e !== OPEN || !rels.is('Relationship')) continue;
    const a = rels.attributeMap();
    const type = a.get('Type') ?? '';
    const base = RELATIONSHIPS.find((b) => type.startsWith(b));
    const target = a.get('Target') ?? '';
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
    const kind = base ? type.slice(base.length) : '';
    if (kind === 'styles') stylesPath = path;
    else if (kind === 'sharedStrings') sharedStringsPath = path;
    else if (kind === 'worksheet') sheetPaths.set(a.get('Id') ?? '', path);
  }
  const info = scanBytes(part('xl/workbook.xml', true)!, failIn('xl/workbook.xml'));
  const sheets: SheetInfo[] = [];
  let epoch1904: boolean | undefined;
  for (let e = info.next(); e !== END; e = info.next()) {
    if (e !== OPEN) continue;
    if (info.is('workbookPr') && epoch1904 === undefined) epoch1904 = info.attributeMap().get('date1904') === '1';
    else if (info.is('sheet')) {
      const a = info.attributeMap();
      const name = a.get('name');
      if (name) sheets.push({ sheet: unescapeXlsx(name), relationId: a.get('id') ?? '' });
    }
  }
  const stylesBytes = part(stylesPath, false);
  const dateStyles = stylesBytes ? readDateStyles(scanBytes(stylesBytes, failIn(stylesPath))) : undefined;
  const stringsEntry = zip.entries.get(sharedStringsPath);
  const sharedStrings = stringsEntry ? readSharedStrings(zip, stringsEntry, failIn(sharedStringsPath)) : [];
  return { zip, sheets, sheetPaths, sharedStrings, dateStyles, epoch1904: epoch1904 ?? false };
}

/** Each cell style's date-ness, from styles.xml's number formats and cell formats (read-excel-file's parseStyles). */
function readDateStyles(x: XmlScanner): boolean[] {
  const templates = new Map<number, string>();
  const base: (number | undefined)[] = [];
  const styles: { id?: number; template?: string }[] = [];
  let inBase = false;
  let inCells = false;
  for (let e = x.next(); e !== END; e = x.next()) {
    if (e === CLOSE) {
      if (x.is('cellStyleXfs')) inBase = false;
      else if (x.is('cellXfs')) inCells = false;
      continue;
    }
    if (e !== OPEN) continue;
    if (x.is('numFmt')) {
      const a = x.attributeMap();
      const id = Number(a.get('numFmtId'));
      if (id >= 100) templates.set(id, a.get('formatCode') ?? '');
    } else if (x.is('cellStyleXfs')) inBase = !x.selfClosing;
    else if (x.is('cellXfs')) inCells = !x.selfClosing;
    else if (x.is('xf') && (inBase || inCells)) {
      const a = x.attributeMap();
      const numFmt = a.get('numFmtId');
      const id = numFmt ? Number(numFmt) : undefined;
      if (inBase) base.push(id);
      else {
        const xfId = Number(a.get('xfId'));
        // A cell format without a number format of its own takes its cell style's.
        const resolved = id ?? (a.get('xfId') && xfId ? base[xfId] : undefined);
        styles.push({ id: resolved, template: resolved !== undefined && id !== undefined ? templates.get(resolved) : undefined });
      }
    }
  }
  return styles.map((s) => s.id !== undefined && (BUILT_IN_DATE_FORMATS.has(s.id) || (!!s.template && isDateTemplate(s.template))));
}

/** sharedStrings.xml inflated and parsed as a stream; each <si>'s text (rich text runs joined, phonetic runs left out). */
function readSharedStrings(zip: ZipFile, entry: ZipEntry, fail: (what: string) => Error): string[] {
  const stream = zip.open(entry);
  const x = new XmlScanner(() => stream.next(), fail);
  const strings: string[] = [];
  let inItem = false;
  let inText = false;
  let inRun = false;
  let inPhonetic = false;
  let text = '';
  for (let e = x.next(); e !== END; e = x.next()) {
    if (e === TEXT) {
      if (inItem && inText && !inPhonetic) text = inRun ? text + x.text() : x.text();
    } else if (e === OPEN) {
      if (x.is('si')) {
        if (x.selfClosing) strings.push('');
        else {
          inItem = true;
          text = '';
        }
      } else if (!inItem || x.selfClosing) continue;
      else if (x.is('t')) inText = true;
      else if (x.is('r')) inRun = true;
      else if (x.is('rPh')) inPhonetic = true;
    } else if (e === CLOSE) {
      if (x.is('si')) {
        strings.push(unescapeXlsx(text));
        inItem = inText = inRun = inPhonetic = false;
      } else if (x.is('t')) inText = false;
      else if (x.is('r')) inRun = false;
      else if (x.is('rPh')) inPhonetic = false;
    }
  }
  return strings;
}

/** Why a cell cannot be read (read-excel-file's codes, which fail the whole read in memory). */
const CELL_ERRORS: Record<string, string> = {
  VALUE_INVALID: 'its value does not fit its type',
  FORMAT_INVALID: 'its style is not among the workbook\'s cell styles',
  TYPE_INVALID: 'its type is not one of Excel\'s cell types',
};

/**
 * A sheet's rows in order, read from its XML: `next()` moves to the next <row>, filling `cells` (1-based columns;
 * null for empty) up to `filledTo`, and `number` (the sheet's row number).
 */
export class SheetRows {
  private readonly x: XmlScanner;
  private readonly stream: ReturnType<ZipFile['open']>;
  private inData = false;
  private done = false;
  /** The row's cells by column (index 0 unused), null where empty. */
  cells: unknown[] = [null];
  /** The last column of the row holding a value (0: none). */
  filledTo = 0;
  number = 0;
  private cursorRow = 0;
  private cursorColumn = 0;
  // A cell's parts.
  private cellType = '';
  private cellStyle = '';
  private v: string | undefined;
  private inline: string | undefined;

  constructor(
    private readonly fileName: string,
    private readonly book: Workbook,
    private readonly sheet: string,
    entry: ZipEntry,
  ) {
    this.stream = book.zip.open(entry);
    this.x = new XmlScanner(() => this.stream.next(), (what) => this.damaged(what));
  }

  /** Compressed bytes read so far. */
  get consumed(): number {
    return this.stream.consumed;
  }

  private damaged(what: string): Error {
    const where = this.number > 0 ? ` near row ${this.number}` : '';
    return dataError(this.fileName, `sheet "${this.sheet}": the sheet's XML cannot be read${where}: ${what}. ${EXPECTED} ${DAMAGED}`);
  }

  private cellError(row: number, column: number, code: string): Error {
    const why = CELL_ERRORS[code] ?? code;
    return dataError(this.fileName, `sheet "${this.sheet}": row ${row}, column ${columnName(column)} (cell ${columnName(column)}${row}): the cell cannot be read: ${why} (${code}). ${EXPECTED} ${DAMAGED}`);
  }

  next(): boolean {
    const { x } = this;
    for (let k = 1; k <= this.filledTo; k++) this.cells[k] = null;
    this.filledTo = 0;
    if (this.done) return false;
    for (;;) {
      const e = x.next();
      if (e === END) {
        if (this.inData) throw this.damaged('it ends before </sheetData>');
        this.done = true;
        return false;
      }
      if (!this.inData) {
        if (e === OPEN && x.is('sheetData')) {
          if (x.selfClosing) {
            this.done = true;
            return false;
          }
          this.inData = true;
        }
        continue;
      }
      if (e === CLOSE && x.is('sheetData')) {
        this.done = true;
        return false;
      }
      if (e === OPEN && x.is('row')) {
        this.readRow();
        return true;
      }
    }
  }

  private readRow(): void {
    const { x } = this;
    let declared = 0;
    x.attributes((ns, ne, vs, ve) => {
      if (ne - ns === 1 && x.byte(ns) === 0x72) declared = integerAt(x, vs, ve);
    });
    const previous = this.number;
    let number = declared > 0 ? declared : 0;
    let column = 0;
    if (!x.selfClosing) {
      for (;;) {
        const e = x.next();
        if (e === END) throw this.damaged('it ends inside a <row>');
        if (e === CLOSE && x.is('row')) break;
        if (e !== OPEN || !x.is('c')) continue;
        // A cell: its address (r="C5"), type (t) and style (s).
        let cellRow = 0;
        let cellColumn = 0;
        this.cellType = '';
        this.cellStyle = '';
        x.attributes((ns, ne, vs, ve) => {
          if (ne - ns !== 1) return;
          const a = x.byte(ns);
          if (a === 0x72) {
            let k = vs;
            let c = 0;
            for (; k < ve; k++) {
              const b = x.byte(k);
              if (b < 0x41 || b > 0x5a) break;
              c = c * 26 + (b - 0x40);
              if (c > MAX_COLUMNS) throw this.damaged(`cell "${x.string(vs, ve)}" lies beyond Excel's last column, XFD`);
            }
            const r = integerAt(x, k, ve);
            if (c === 0 || r <= 0) throw this.damaged(`a cell's address "${x.string(vs, ve)}" is not a column and a row like "C5"`);
            cellColumn = c;
            cellRow = r;
          } else if (a === 0x74) this.cellType = x.string(vs, ve);
          else if (a === 0x73) this.cellStyle = x.string(vs, ve);
        });
        // A cell without an address follows the previous one.
        if (cellColumn === 0) {
          cellColumn = column + 1;
          cellRow = number || previous + 1;
          if (cellColumn > MAX_COLUMNS) throw this.damaged(`a row has cells beyond Excel's last column, XFD`);
        }
        if (cellRow < this.cursorRow || (cellRow === this.cursorRow && cellColumn <= this.cursorColumn)) {
          throw this.damaged(`cell ${columnName(cellColumn)}${cellRow} comes after cell ${columnName(this.cursorColumn)}${this.cursorRow}, out of order`);
        }
        this.cursorRow = cellRow;
        this.cursorColumn = cellColumn;
        column = cellColumn;
        if (number === 0) number = cellRow;
        this.v = undefined;
        this.inline = undefined;
        if (!x.selfClosing) this.readCellParts();
        const value = this.cellValue(cellRow, cellColumn);
        if (value !== null) {
          while (this.cells.length <= cellColumn) this.cells.push(null);
          this.cells[cellColumn] = value;
          if (cellColumn > this.filledTo) this.filledTo = cellColumn;
        }
      }
    }
    if (number === 0) number = previous + 1;
    if (number <= previous) throw this.damaged(`row ${number} follows row ${previous}, out of order`);
    this.number = number;
  }

  /** Reads <v> and <is> up to </c>. */
  private readCellParts(): void {
    const { x } = this;
    let inValue = false;
    let inInline = false;
    let inText = false;
    let inRun = false;
    let inPhonetic = false;
    for (;;) {
      const e = x.next();
      if (e === END) throw this.damaged('it ends inside a cell');
      if (e === TEXT) {
        if (inValue) this.v = (this.v ?? '') + x.text();
        else if (inInline && inText && !inPhonetic) this.inline = inRun ? (this.inline ?? '') + x.text() : x.text();
        continue;
      }
      const open = e === OPEN;
      if (!open && x.is('c')) return;
      if (x.is('v')) {
        inValue = open && !x.selfClosing;
        this.v ??= '';
      } else if (x.is('is')) {
        if (open) this.inline = '';
        inInline = open && !x.selfClosing;
      } else if (x.is('t')) inText = open && !x.selfClosing;
      else if (x.is('r')) inRun = open && !x.selfClosing;
      else if (x.is('rPh')) inPhonetic = open && !x.selfClosing;
    }
  }

  /** The cell's value as read-excel-file gives it: string, number, boolean, Date, or null for an empty cell. */
  private cellValue(row: number, column: number): unknown {
    const type = this.cellType || 'n';
    const v = this.v;
    let text: string | undefined;
    switch (type) {
      case 'str':
        text = v ? unescapeXlsx(v) : undefined;
        break;
      case 'inlineStr':
        text = this.inline !== undefined ? unescapeXlsx(this.inline) : undefined;
        break;
      case 's': {
        if (!v) return null;
        const index = Number(v);
        const shared = Number.isInteger(index) && index >= 0 ? this.book.sharedStrings[index] : undefined;
        if (shared === undefined) throw this.cellError(row, column, 'VALUE_INVALID');
        text = shared;
        break;
      }
      case 'b':
        if (!v) return null;
        if (v === '1') return true;
        if (v === '0') return false;
        throw this.cellError(row, column, 'VALUE_INVALID');
      case 'e':
        return null;
      case 'd': {
        if (!v) return null;
        const date = new Date(v);
        if (Number.isNaN(date.valueOf())) throw this.cellError(row, column, 'VALUE_INVALID');
        return new Date(date.getTime());
      }
      case 'n': {
        if (!v) return null;
        if (this.cellStyle) {
          const style = Number(this.cellStyle);
          const isDate = Number.isInteger(style) && style >= 0 ? this.book.dateStyles?.[style] : undefined;
          if (isDate === undefined) throw this.cellError(row, column, 'FORMAT_INVALID');
          if (isDate) {
            const serial = Number(v);
            if (Number.isNaN(serial)) throw this.cellError(row, column, 'VALUE_INVALID');
            return new Date(excelTimestamp(serial, this.book.epoch1904));
          }
        }
        const number = Number(v);
        if (Number.isNaN(number)) throw this.cellError(row, column, 'VALUE_INVALID');
        return number;
      }
      default:
        throw this.cellError(row, column, 'TYPE_INVALID');
    }
    const trimmed = text?.trim();
    return trimmed ? trimmed : null;
  }

  close(): void {
    this.done = true;
  }
}

/** A positive decimal integer between buffer indices, or 0. */
function integerAt(x: XmlScanner, start: number, end: number): number {
  let n = 0;
  if (start >= end) return 0;
  for (let k = start; k < end; k++) {
    const b = x.byte(k) - 0x30;
    if (b < 0 || b > 9) return 0;
    n = n * 10 + b;
    if (n > 0x7fffffff) return 0;
  }
  return n;
}

/** "A", "Z", "AA": a column's letters. */
export function columnName(column: number): string {
  let name = '';
  for (let c = column; c > 0; c = Math.floor((c - 1) / 26)) name = String.fromCharCode(0x41 + ((c - 1) % 26)) + name;
  return name;
}

export function sheetEntry(fileName: string, book: Workbook, sheet: SheetInfo): ZipEntry {
  const path = book.sheetPaths.get(sheet.relationId);
  const entry = path !== undefined ? book.zip.entries.get(path) : undefined;
  if (!entry) throw dataError(fileName, `the workbook cannot be read: sheet "${sheet.sheet}"'s XML ${path ? `("${path}") ` : ''}is not inside the .xlsx file. ${EXPECTED} ${DAMAGED}`);
  return entry;
}

/** Opens a workbook: its zip directory, sheets, shared strings and styles. Closes `source` when it cannot. */
export function openWorkbook(fileName: string, source: ByteSource): Workbook {
  let zip: ZipFile | undefined;
  try {
    if (source.size === 0) throw dataError(fileName, `the file is empty. ${EXPECTED}`);
    const head = new Uint8Array(4);
    source.readInto(head, 0, Math.min(4, source.size), 0);
    if (!looksLikeZip(head)) throw dataError(fileName, `the file is not a zip archive (it does not start with "PK"), so not an .xlsx workbook. ${EXPECTED}`);
    zip = new ZipFile(fileName, source);
    return readWorkbook(fileName, zip);
  } catch (error) {
    if (zip) zip.close();
    else source.close();
    throw error;
  }
}

/**
 * A sheet's rows as read-excel-file gives them: row r of the sheet at index r - 1 (empty rows between as rows of
 * nulls, none after the last non-empty row), every row as wide as the sheet's last filled column. `limit`: stop after
 * that many non-empty rows (a sheet's first rows, to judge it).
 */
export function readSheetData(fileName: string, book: Workbook, sheet: SheetInfo, limit = Infinity): Row[] {
  const rows = new SheetRows(fileName, book, sheet.sheet, sheetEntry(fileName, book, sheet));
  const data: unknown[][] = [];
  let width = 0;
  let kept = 0;
  try {
    while (kept < limit && rows.next()) {
      if (rows.filledTo === 0) continue;
      while (data.length < rows.number - 1) data.push([]);
      data.push(rows.cells.slice(1, rows.filledTo + 1));
      kept++;
      if (rows.filledTo > width) width = rows.filledTo;
    }
  } finally {
    rows.close();
  }
  for (const row of data) while (row.length < width) row.push(null);
  return data;
}
