// JSON (.json) and JSON Lines (.ndjson, .jsonl) files read group of records by group of records from disk, for
// out-of-core fits (store/cellStream.ts). Never the whole file in one string: a byte-level scan finds where each value
// of the top-level array (or each line) starts and ends, and only that value goes through JSON.parse.
//
// A first pass reads every record once, checks it as the in-memory loader does (json.ts: the same shapes, the same
// messages naming the line and column) and collects the columns (every key met, in the order first met), the rows,
// and where every CHECKPOINT-th record starts; the second pass (the store's) reads the groups from those places. An
// object of column arrays is read column by column: each column has its own cursor into its array.

import * as fs from 'node:fs';
import { dataError, plural } from './common';
import { EXPECTED_JSON, EXPECTED_LINES, isRecord, kindOf, parseError } from './json';
import type { GroupedFile } from './store/cellStream';

/** Records between two remembered starts (a group is a whole number of these). */
const CHECKPOINT = 1024;
/** About the most cells a group holds (a group is at least one checkpoint). */
const GROUP_CELLS = 1 << 21;
const READ_BYTES = 1 << 20;
/** Each column's cursor of an object of column arrays reads this much at a time. */
const COLUMN_READ_BYTES = 1 << 15;

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (b: number) => b === SPACE || b === TAB || b === LF || b === CR;
const decoder = new TextDecoder('utf-8');

/** Buffered bytes of the file from a place, with the line of the next byte; keeps the bytes from `mark` on a refill. */
class ByteReader {
  private buf: Uint8Array;
  /** The file offset of buf[0]. */
  private base: number;
  private end = 0;
  pos = 0;
  mark = -1;
  line: number;
  /** The file offset where the current line starts (for columns). */
  lineStart: number;

  constructor(
    private readonly fd: number,
    private readonly size: number,
    offset: number,
    line: number,
    bytes = READ_BYTES,
  ) {
    this.buf = new Uint8Array(bytes);
    this.base = offset;
    this.line = line;
    this.lineStart = offset;
  }

  get offset(): number {
    return this.base + this.pos;
  }

  /** The byte at the cursor, or −1 at the file's end. */
  peek(): number {
    if (this.pos >= this.end && !this.fill()) return -1;
    return this.buf[this.pos];
  }

  /** The byte at the cursor, moving past it (counting lines). */
  next(): number {
    const b = this.peek();
    if (b >= 0) {
      this.pos++;
      if (b === LF) {
        this.line++;
        this.lineStart = this.base + this.pos;
      }
    }
    return b;
  }

  /** The marked bytes up to the cursor, as text. */
  marked(): string {
    return decoder.decode(this.buf.subarray(this.mark, this.pos));
  }

  /** The marked bytes up to the cursor. */
  markedBytes(): Uint8Array {
    return this.buf.subarray(this.mark, this.pos);
  }

  private fill(): boolean {
    const keep = this.mark >= 0 ? this.mark : this.pos;
    if (keep > 0) {
      this.buf.copyWithin(0, keep, this.end);
      this.end -= keep;
      this.pos -= keep;
      if (this.mark >= 0) this.mark -= keep;
      this.base += keep;
    }
    if (this.end === this.buf.length) {
      const wider = new Uint8Array(this.buf.length * 2);
      wider.set(this.buf.subarray(0, this.end));
      this.buf = wider;
    }
    const at = this.base + this.end;
    if (at >= this.size) return false;
    const got = fs.readSync(this.fd, this.buf, this.end, Math.min(this.buf.length - this.end, this.size - at), at);
    this.end += got;
    return got > 0;
  }

  skipSpace(): number {
    for (;;) {
      const b = this.peek();
      if (b < 0 || !isSpace(b)) return b;
      this.next();
    }
  }
}

/** Where a value starts: its byte offset and line. */
interface Place {
  offset: number;
  line: number;
}

/** Opens the JSON Lines or JSON file at `filePath` for reading group by group; the first pass runs here. */
/** `groupRecords` fixes the records per group (tests cut small files into several groups). */
export function openJsonGroups(fileName: string, filePath: string, lines: boolean, groupRecords?: number): GroupedFile {
  const fd = fs.openSync(filePath, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const expected = lines ? EXPECTED_LINES : EXPECTED_JSON;
    if (size === 0) throw dataError(fileName, `the file is empty. ${expected}`);
    const head = new Uint8Array(3);
    fs.readSync(fd, head, 0, 3, 0);
    if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
      throw dataError(fileName, 'UTF-16 text cannot be fitted out of core. Save the file as UTF-8 (or raise memoryBudgetMB to fit it in memory).');
    }
    const start = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    const every = groupRecords !== undefined ? Math.max(1, Math.floor(groupRecords)) : undefined;
    const file = lines ? openLines(fileName, fd, size, start, every) : openJson(fileName, fd, size, start, every);
    return { ...file, close: () => fs.closeSync(fd) };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

type Opened = Omit<GroupedFile, 'close'>;

/** Columns from records or rows: every key met, in the order first met (json.ts's RecordColumns, without the cells). */
class ColumnNames {
  readonly keys = new Map<string, number>();
  width = 0;

  add(item: unknown): void {
    if (Array.isArray(item)) this.width = Math.max(this.width, item.length);
    else for (const key of Object.keys(item as object)) if (!this.keys.has(key)) this.keys.set(key, this.keys.size);
  }

  names(): string[] {
    return this.keys.size > 0 ? [...this.keys.keys()] : Array.from({ length: this.width }, (_, j) => `x${j + 1}`);
  }
}

/** Groups of `per` checkpoints over `rows` records whose starts are `starts` (one per `every` records). */
function groupsOf(rows: number, columns: number, starts: Place[], every: number, fixed: boolean): { count: number; per: number; rowsOf: (g: number) => number } {
  const per = fixed ? 1 : Math.max(1, Math.floor(GROUP_CELLS / (every * Math.max(1, columns))));
  const count = Math.ceil(starts.length / per);
  return { count, per, rowsOf: (g) => Math.max(0, Math.min(rows, (g + 1) * per * every) - g * per * every) };
}

/** The cells of `wanted` columns (by index into `names`) of parsed items, one array per column. */
function cellsOf(items: unknown[], names: string[], wanted: number[], byKey: boolean): unknown[][] {
  return wanted.map((j) => {
    const key = names[j];
    const out = new Array<unknown>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      out[i] = byKey ? (Object.prototype.hasOwnProperty.call(item, key) ? (item as Record<string, unknown>)[key] : undefined) : Array.isArray(item) ? item[j] : j === 0 ? item : undefined;
    }
    return out;
  });
}

// JSON Lines: one record (or one array) per line.

function openLines(fileName: string, fd: number, size: number, start: number, groupRecords?: number): Opened {
  const every = groupRecords ?? CHECKPOINT;
  const invalid = (lineNumber: number, error: unknown, text: string) => {
    const { where, detail } = parseError(fileName, error, text, lineNumber);
    return dataError(fileName, `line ${lineNumber} is not valid JSON (${where}): ${detail}. ${EXPECTED_LINES}`, lineNumber);
  };
  /** Reads lines from `place`, calling `visit` with each non-blank line's item and number until it returns false. */
  const walk = (place: Place, visit: (item: unknown, line: number, lineStart: number) => boolean, onBlank?: (counted: boolean) => void) => {
    const r = new ByteReader(fd, size, place.offset, place.line);
    for (;;) {
      const lineStart = r.offset;
      const lineNumber = r.line;
      r.mark = r.pos;
      let b = r.peek();
      if (b < 0) return;
      let blank = true;
      while (b >= 0 && b !== LF) {
        if (!isSpace(b)) blank = false;
        r.next();
        b = r.peek();
      }
      const bytes = r.markedBytes();
      const text = blank ? '' : decoder.decode(bytes);
      const ended = b === LF;
      r.mark = -1;
      if (ended) r.next();
      if (blank || text.trim() === '') {
        onBlank?.(ended);
        continue;
      }
      let item: unknown;
      try {
        item = JSON.parse(text);
      } catch (error) {
        throw invalid(lineNumber, error, text);
      }
      if (!visit(item, lineNumber, lineStart)) return;
    }
  };
  // Pass 1: the shape, the columns, the rows, the checkpoints.
  const columns = new ColumnNames();
  const starts: Place[] = [];
  let shape: 'records' | 'rows' | undefined;
  let firstLine = 0;
  let rows = 0;
  let blank = 0;
  walk(
    { offset: start, line: 1 },
    (item, lineNumber, lineStart) => {
      const itemShape = isRecord(item) ? 'records' : Array.isArray(item) ? 'rows' : undefined;
      if (!itemShape || (shape && itemShape !== shape)) {
        const expected = shape === 'rows' ? `an array like line ${firstLine}` : shape === 'records' ? `a record like line ${firstLine}` : 'a record or an array';
        throw dataError(fileName, `line ${lineNumber} holds ${kindOf(item)}: expected ${expected}. ${EXPECTED_LINES}`, lineNumber);
      }
      if (!shape) {
        shape = itemShape;
        firstLine = lineNumber;
      }
      if (rows % every === 0) starts.push({ offset: lineStart, line: lineNumber });
      columns.add(item);
      rows++;
      return true;
    },
    (counted) => {
      if (counted) blank++;
    },
  );
  if (rows === 0) throw dataError(fileName, `the file holds no record (only blank lines). ${EXPECTED_LINES}`);
  const names = columns.names();
  const groups = groupsOf(rows, names.length, starts, every, groupRecords !== undefined);
  const notes = [`JSON Lines: ${plural(rows, shape === 'rows' ? 'array' : 'record')}`];
  if (blank > 0) notes.push(`ignored ${plural(blank, 'blank line')}`);
  let lineNumbers = new Int32Array(0);
  let linesOf = -1;
  return {
    fileName,
    groupName: 'group of lines',
    unit: 'line',
    columns: names.map((name) => ({ name })),
    groupCount: groups.count,
    groupRows: groups.rowsOf,
    totalRows: rows,
    rowNumber: (g, i) => (g === linesOf ? lineNumbers[i] : i + 1),
    progress: (g) => ({ done: g + 1 < groups.count ? starts[(g + 1) * groups.per].offset : size, total: size }),
    notes,
    async readGroup(g, wanted) {
      const want = groups.rowsOf(g);
      const items: unknown[] = [];
      const numbers = new Int32Array(want);
      walk(starts[g * groups.per], (item, lineNumber) => {
        numbers[items.length] = lineNumber;
        items.push(item);
        return items.length < want;
      });
      if (items.length < want) throw dataError(fileName, `the file changed while it was read: ${rows} records were counted, fewer were read the second time. Fit it again.`);
      lineNumbers = numbers;
      linesOf = g;
      return { rows: want, cells: cellsOf(items, names, wanted, shape === 'records') };
    },
  };
}

// JSON: an array of records, rows or values; or an object of column arrays.

/** A DataError for bytes that are not JSON at the reader's place. */
function notJson(fileName: string, r: ByteReader, detail: string): Error {
  const where = `line ${r.line}, column ${r.offset - r.lineStart + 1}`;
  return dataError(fileName, `not valid JSON at ${where}: ${detail}. ${EXPECTED_JSON} For one record per line, name the file .ndjson or .jsonl.`, r.line);
}

function unexpected(fileName: string, r: ByteReader, expected: string): Error {
  const b = r.peek();
  return notJson(fileName, r, b < 0 ? 'the text ends too early' : `unexpected "${String.fromCharCode(b)}" where ${expected} should be`);
}

/** Moves the reader past one JSON value (its bytes are not checked: JSON.parse checks them); false at the end. */
function skipValue(fileName: string, r: ByteReader): void {
  const first = r.peek();
  if (first < 0) throw unexpected(fileName, r, 'a value');
  if (first === QUOTE) {
    r.next();
    skipString(fileName, r);
    return;
  }
  if (first === 0x5b || first === 0x7b) {
    let depth = 0;
    for (;;) {
      const b = r.next();
      if (b < 0) throw notJson(fileName, r, 'the text ends too early');
      if (b === QUOTE) skipString(fileName, r);
      else if (b === 0x5b || b === 0x7b) depth++;
      else if (b === 0x5d || b === 0x7d) {
        if (--depth === 0) return;
      }
    }
  }
  for (;;) {
    const b = r.peek();
    if (b < 0 || b === COMMA || b === 0x5d || b === 0x7d || isSpace(b)) return;
    r.next();
  }
}

function skipString(fileName: string, r: ByteReader): void {
  for (;;) {
    const b = r.next();
    if (b < 0) throw notJson(fileName, r, 'the text ends too early (in a string)');
    if (b === BACKSLASH) r.next();
    else if (b === QUOTE) return;
  }
}

/** The next value at the reader, parsed. */
function readValue(fileName: string, r: ByteReader): unknown {
  const line = r.line;
  const column = r.offset - r.lineStart;
  r.mark = r.pos;
  skipValue(fileName, r);
  const text = r.marked();
  r.mark = -1;
  try {
    return JSON.parse(text);
  } catch (error) {
    const { where, line: at, detail } = parseError(fileName, error, text, line);
    const shifted = at === line ? where.replace(/column (\d+)$/, (_, c) => `column ${Number(c) + column}`) : where;
    throw dataError(fileName, `not valid JSON at ${shifted}: ${detail}. ${EXPECTED_JSON} For one record per line, name the file .ndjson or .jsonl.`, at);
  }
}

/** After a value of an array: past the comma (true) or the closing bracket (false). */
function afterItem(fileName: string, r: ByteReader): boolean {
  const b = r.skipSpace();
  if (b === COMMA) {
    r.next();
    r.skipSpace();
    return true;
  }
  if (b === 0x5d) {
    r.next();
    return false;
  }
  throw unexpected(fileName, r, '"," or "]"');
}

function openJson(fileName: string, fd: number, size: number, start: number, groupRecords?: number): Opened {
  const r = new ByteReader(fd, size, start, 1);
  const first = r.skipSpace();
  if (first < 0) throw dataError(fileName, `the file is empty. ${EXPECTED_JSON}`);
  if (first !== 0x5b && first !== 0x7b) {
    const value = readValue(fileName, r);
    if (r.skipSpace() >= 0) throw unexpected(fileName, r, 'the end of the file');
    throw dataError(fileName, `the file holds ${kindOf(value)}, not a table. ${EXPECTED_JSON}`);
  }
  r.next();
  const opened = first === 0x5b ? openArray(fileName, fd, size, r, groupRecords) : openColumns(fileName, fd, size, r, groupRecords);
  if (r.skipSpace() >= 0) throw notJson(fileName, r, 'unexpected text after the end of the JSON value');
  return opened;
}

/** An array of records, of rows or of values, item by item. */
function openArray(fileName: string, fd: number, size: number, r: ByteReader, groupRecords?: number): Opened {
  const every = groupRecords ?? CHECKPOINT;
  const columns = new ColumnNames();
  const starts: Place[] = [];
  let rows = 0;
  let firstItem: unknown;
  let shape: 'records' | 'rows' | 'values' | undefined;
  let more = r.skipSpace() !== 0x5d;
  if (!more) r.next();
  while (more) {
    const place = { offset: r.offset, line: r.line };
    const item = readValue(fileName, r);
    if (!shape) {
      firstItem = item;
      shape = isRecord(item) ? 'records' : Array.isArray(item) ? 'rows' : 'values';
    }
    const fits = shape === 'records' ? isRecord(item) : shape === 'rows' ? Array.isArray(item) : !isRecord(item) && !Array.isArray(item);
    if (!fits) {
      const expected = shape === 'records' ? 'an object (a record)' : shape === 'rows' ? 'an array (a row)' : 'a value';
      throw dataError(fileName, `item ${rows + 1} of the top-level array is ${kindOf(item)}, but item 1 is ${kindOf(firstItem)}: expected ${expected} like item 1. ${EXPECTED_JSON}`);
    }
    if (rows % every === 0) starts.push(place);
    if (shape === 'values') columns.width = 1;
    else columns.add(item);
    rows++;
    more = afterItem(fileName, r);
  }
  const names = columns.names();
  if (names.length === 0) throw dataError(fileName, 'the file holds no columns: expected a table with at least one column of numbers.');
  const groups = groupsOf(rows, names.length, starts, every, groupRecords !== undefined);
  const what = shape === 'records' ? 'an array of records' : shape === 'rows' ? 'an array of rows' : 'an array of values';
  return {
    fileName,
    groupName: 'group of records',
    unit: 'record',
    columns: names.map((name) => ({ name })),
    groupCount: groups.count,
    groupRows: groups.rowsOf,
    totalRows: rows,
    progress: (g) => ({ done: g + 1 < groups.count ? starts[(g + 1) * groups.per].offset : size, total: size }),
    notes: [`JSON: ${what} (${plural(rows, 'record')})`],
    async readGroup(g, wanted) {
      const want = groups.rowsOf(g);
      const at = starts[g * groups.per];
      const reader = new ByteReader(fd, size, at.offset, at.line);
      const items: unknown[] = [];
      while (items.length < want) {
        items.push(readValue(fileName, reader));
        if (!afterItem(fileName, reader) && items.length < want) throw dataError(fileName, `the file changed while it was read: ${rows} records were counted, fewer were read the second time. Fit it again.`);
      }
      return { rows: want, cells: cellsOf(items, names, wanted, shape === 'records') };
    },
  };
}

/** An object of equal-length column arrays: each column read through its own cursor into its array. */
function openColumns(fileName: string, fd: number, size: number, r: ByteReader, groupRecords?: number): Opened {
  const found: { name: string; at: Place; length: number }[] = [];
  let more = r.skipSpace() !== 0x7d;
  if (!more) r.next();
  while (more) {
    if (r.peek() !== QUOTE) throw unexpected(fileName, r, 'a column name in quotes');
    const name = readValue(fileName, r) as string;
    if (r.skipSpace() !== COLON) throw unexpected(fileName, r, '":"');
    r.next();
    const b = r.skipSpace();
    if (b === 0x7b && found.length === 0) {
      throw dataError(
        fileName,
        `the value of "${name}" is an object keyed by row (pandas' to_json default), which is read in memory only: its rows are known only once every column is read. ` +
          `Save it with to_json(orient="records", lines=True) (JSON Lines) or orient="columns" of arrays (to_dict("list")), or as CSV, to fit it out of core; or raise memoryBudgetMB.`,
      );
    }
    if (b !== 0x5b) {
      const value = readValue(fileName, r);
      throw dataError(fileName, `the value of "${name}" is ${kindOf(value)}, not an array of the column's values. ${EXPECTED_JSON}`);
    }
    r.next();
    const at = { offset: r.offset, line: r.line };
    let length = 0;
    let items = r.skipSpace() !== 0x5d;
    if (!items) r.next();
    while (items) {
      skipValue(fileName, r);
      length++;
      items = afterItem(fileName, r);
    }
    found.push({ name, at, length });
    const next = r.skipSpace();
    if (next === COMMA) {
      r.next();
      r.skipSpace();
    } else if (next === 0x7d) {
      r.next();
      more = false;
    } else throw unexpected(fileName, r, '"," or "}"');
  }
  if (found.length === 0) throw dataError(fileName, `the top-level object is empty. ${EXPECTED_JSON}`);
  const rows = found[0].length;
  const other = found.findIndex((c) => c.length !== rows);
  if (other >= 0) {
    throw dataError(fileName, `the columns have different lengths: "${found[0].name}" has ${rows} values but "${found[other].name}" has ${found[other].length}. Expected an object of equal-length column arrays.`);
  }
  const groupRows = groupRecords ?? Math.max(1, Math.floor(GROUP_CELLS / (CHECKPOINT * found.length))) * CHECKPOINT;
  const count = Math.max(1, Math.ceil(rows / groupRows));
  const rowsOf = (g: number) => Math.max(0, Math.min(rows, (g + 1) * groupRows) - g * groupRows);
  // Each column's cursor: its reader and the index of the value it is at.
  const cursors = new Map<number, { reader: ByteReader; index: number }>();
  const lastOffset = Math.max(...found.map((c) => c.at.offset));
  return {
    fileName,
    groupName: 'group of records',
    unit: 'record',
    columns: found.map((c) => ({ name: c.name })),
    groupCount: count,
    groupRows: rowsOf,
    totalRows: rows,
    progress: (g) => ({ done: g + 1 < count ? Math.round(lastOffset + ((size - lastOffset) * (g + 1)) / count) : size, total: size }),
    notes: [`JSON: an object of ${plural(found.length, 'column')}`],
    async readGroup(g, wanted) {
      const want = rowsOf(g);
      const from = g * groupRows;
      const cells = wanted.map((j) => {
        let cursor = cursors.get(j);
        if (!cursor || cursor.index > from) {
          const reader = new ByteReader(fd, size, found[j].at.offset, found[j].at.line, COLUMN_READ_BYTES);
          reader.skipSpace();
          cursor = { reader, index: 0 };
          cursors.set(j, cursor);
        }
        const { reader } = cursor;
        const out = new Array<unknown>(want);
        for (; cursor.index < from + want; cursor.index++) {
          if (cursor.index < from) skipValue(fileName, reader);
          else out[cursor.index - from] = readValue(fileName, reader);
          if (!afterItem(fileName, reader) && cursor.index + 1 < rows) throw dataError(fileName, `the file changed while it was read: column "${found[j].name}" is shorter the second time. Fit it again.`);
        }
        return out;
      });
      return { rows: want, cells };
    },
  };
}
