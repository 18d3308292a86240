// JSON (.json) and JSON Lines (.ndjson, .jsonl) tables, parsed by the runtime's own JSON.parse.
//
// JSON: an array of records ([{"a": 1, "b": 2}, …]), an array of rows ([[1, 2], …]) or of numbers, an object of
// equal-length column arrays ({"a": [1, 2], "b": [3, 4]}), or pandas' default `to_json()` (an object of columns,
// each an object keyed by the row index). JSON Lines: one record (or one array) per line; blank lines are ignored.
// Records may lack keys (missing values) and hold nested values (counted as text, so their column is dropped).
// The cells then go through the column rules every format shares (cellTable.ts).

import { dataError, plural } from './common';
import type { ImageData, TableData } from './dataset';
import { decodeText } from './decode';
import { loadCellTable, type CellColumn, type CellTable, type CellTableOptions } from './cellTable';

export const EXPECTED_JSON =
  'Expected an array of records ([{"a": 1, "b": 2}, …]) or an object of equal-length column arrays ({"a": [1, 2], "b": [3, 4]}).';
export const EXPECTED_LINES = 'Expected one JSON record per line ({"a": 1, "b": 2}) or one array of numbers per line ([1, 2]).';

/** Where a JSON.parse error is: its message gives a character position; we say the line and column. */
export function parseError(fileName: string, error: unknown, text: string, firstLine = 1): { where: string; line: number; detail: string } {
  const message = error instanceof Error ? error.message : String(error);
  const at = /position (\d+)/.exec(message);
  const detail = message.replace(/\s*in JSON at position \d+.*$/, '').replace(/^Unexpected end of JSON input$/, 'the text ends too early');
  let position = at ? Number(at[1]) : text.length;
  if (position > text.length) position = text.length;
  let line = firstLine;
  let lineStart = 0;
  for (let i = 0; i < position; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { where: `line ${line}, column ${position - lineStart + 1}`, line, detail };
}

function decode(fileName: string, bytes: Uint8Array, expected: string): string {
  if (bytes.length === 0) throw dataError(fileName, `the file is empty. ${expected}`);
  return decodeText(fileName, bytes).text;
}

/** Columns from records: every key met, in the order first met. */
class RecordColumns {
  private readonly index = new Map<string, number>();
  readonly columns: unknown[][] = [];
  rows = 0;

  addRecord(record: Record<string, unknown>): void {
    const i = this.rows++;
    for (const key of Object.keys(record)) {
      let j = this.index.get(key);
      if (j === undefined) {
        j = this.columns.length;
        this.index.set(key, j);
        this.columns.push([]);
      }
      this.columns[j][i] = record[key];
    }
  }

  addRow(row: unknown[]): void {
    const i = this.rows++;
    for (let j = 0; j < row.length; j++) {
      if (j === this.columns.length) this.columns.push([]);
      this.columns[j][i] = row[j];
    }
  }

  names(): string[] {
    const names = [...this.index.keys()];
    return names.length === this.columns.length ? names : this.columns.map((_, j) => `x${j + 1}`);
  }

  toColumns(): CellColumn[] {
    const names = this.names();
    return this.columns.map((cells, j) => ({ name: names[j], cells: cells.length === this.rows ? cells : padded(cells, this.rows) }));
  }
}

function padded(cells: unknown[], rows: number): unknown[] {
  const out = cells.slice();
  out.length = rows;
  return out;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

export function loadJson(fileName: string, bytes: Uint8Array, options: CellTableOptions): TableData | ImageData {
  const text = decode(fileName, bytes, EXPECTED_JSON);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const { where, line, detail } = parseError(fileName, error, text);
    throw dataError(fileName, `not valid JSON at ${where}: ${detail}. ${EXPECTED_JSON} For one record per line, name the file .ndjson or .jsonl.`, line);
  }
  return loadCellTable(fileName, jsonTable(fileName, parsed), options);
}

function jsonTable(fileName: string, parsed: unknown): CellTable {
  if (Array.isArray(parsed)) {
    const table = new RecordColumns();
    const first = parsed[0];
    const shape = isRecord(first) ? 'records' : Array.isArray(first) ? 'rows' : 'values';
    for (let i = 0; i < parsed.length; i++) {
      const item = parsed[i];
      if (shape === 'records' && isRecord(item)) table.addRecord(item);
      else if (shape === 'rows' && Array.isArray(item)) table.addRow(item);
      else if (shape === 'values' && !isRecord(item) && !Array.isArray(item)) table.addRow([item]);
      else {
        const expected = shape === 'records' ? 'an object (a record)' : shape === 'rows' ? 'an array (a row)' : 'a value';
        throw dataError(fileName, `item ${i + 1} of the top-level array is ${kindOf(item)}, but item 1 is ${kindOf(first)}: expected ${expected} like item 1. ${EXPECTED_JSON}`);
      }
    }
    const what = shape === 'records' ? 'an array of records' : shape === 'rows' ? 'an array of rows' : 'an array of values';
    return { columns: table.toColumns(), rows: table.rows, unit: 'record', notes: [`JSON: ${what} (${plural(table.rows, 'record')})`] };
  }
  if (isRecord(parsed)) {
    const names = Object.keys(parsed);
    if (names.length === 0) throw dataError(fileName, `the top-level object is empty. ${EXPECTED_JSON}`);
    const columns = names.map((name) => ({ name, value: parsed[name] }));
    if (columns.every((c) => Array.isArray(c.value))) {
      const lengths = columns.map((c) => (c.value as unknown[]).length);
      const rows = lengths[0];
      const other = lengths.findIndex((l) => l !== rows);
      if (other >= 0) {
        throw dataError(
          fileName,
          `the columns have different lengths: "${names[0]}" has ${rows} values but "${names[other]}" has ${lengths[other]}. ` +
            'Expected an object of equal-length column arrays.',
        );
      }
      return { columns: columns.map((c) => ({ name: c.name, cells: c.value as unknown[] })), rows, unit: 'record', notes: [`JSON: an object of ${plural(names.length, 'column')}`] };
    }
    if (columns.every((c) => isRecord(c.value))) return indexedColumns(columns as { name: string; value: Record<string, unknown> }[]);
    const bad = columns.find((c) => !Array.isArray(c.value)) ?? columns[0];
    throw dataError(fileName, `the value of "${bad.name}" is ${kindOf(bad.value)}, not an array of the column's values. ${EXPECTED_JSON}`);
  }
  throw dataError(fileName, `the file holds ${kindOf(parsed)}, not a table. ${EXPECTED_JSON}`);
}

/** pandas' `to_json()` default: {"a": {"0": 1, "1": 2}, …}; the rows are the index keys, in the order first met. */
function indexedColumns(columns: { name: string; value: Record<string, unknown> }[]): CellTable {
  const rowOf = new Map<string, number>();
  for (const c of columns) for (const key of Object.keys(c.value)) if (!rowOf.has(key)) rowOf.set(key, rowOf.size);
  const rows = rowOf.size;
  const cells = columns.map((c) => {
    const out: unknown[] = new Array(rows);
    for (const [key, v] of Object.entries(c.value)) out[rowOf.get(key)!] = v;
    return { name: c.name, cells: out };
  });
  return { columns: cells, rows, unit: 'record', notes: [`JSON: an object of ${plural(columns.length, 'column')} keyed by row (pandas' to_json)`] };
}

export function loadJsonLines(fileName: string, bytes: Uint8Array, options: CellTableOptions): TableData | ImageData {
  return loadCellTable(fileName, jsonLinesTable(fileName, decode(fileName, bytes, EXPECTED_LINES)), options);
}

function jsonLinesTable(fileName: string, text: string): CellTable {
  const table = new RecordColumns();
  const lineOfRow: number[] = [];
  let shape: 'records' | 'rows' | undefined;
  let firstLine = 0;
  let blank = 0;
  let start = 0;
  for (let lineNumber = 1; start <= text.length; lineNumber++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') {
      if (end < text.length) blank++;
      continue;
    }
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch (error) {
      const { where, detail } = parseError(fileName, error, line, lineNumber);
      throw dataError(fileName, `line ${lineNumber} is not valid JSON (${where}): ${detail}. ${EXPECTED_LINES}`, lineNumber);
    }
    const itemShape = isRecord(item) ? 'records' : Array.isArray(item) ? 'rows' : undefined;
    if (!itemShape || (shape && itemShape !== shape)) {
      const expected = shape === 'rows' ? `an array like line ${firstLine}` : shape === 'records' ? `a record like line ${firstLine}` : 'a record or an array';
      throw dataError(fileName, `line ${lineNumber} holds ${kindOf(item)}: expected ${expected}. ${EXPECTED_LINES}`, lineNumber);
    }
    if (!shape) {
      shape = itemShape;
      firstLine = lineNumber;
    }
    if (isRecord(item)) table.addRecord(item);
    else table.addRow(item as unknown[]);
    lineOfRow.push(lineNumber);
  }
  if (table.rows === 0) throw dataError(fileName, `the file holds no record (only blank lines). ${EXPECTED_LINES}`);
  const notes = [`JSON Lines: ${plural(table.rows, shape === 'rows' ? 'array' : 'record')}`];
  if (blank > 0) notes.push(`ignored ${plural(blank, 'blank line')}`);
  return { columns: table.toColumns(), rows: table.rows, unit: 'line', rowNumber: (i) => lineOfRow[i], notes };
}
