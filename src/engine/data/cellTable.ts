// Typed files (JSON, NDJSON, Excel, Arrow/Feather, Parquet) as one intermediate shape: a table of named columns of
// cells. Each loader reads its file into a CellTable; from here on every format goes through the delimited-text
// loader's column rules (text/columns.ts): the typing of each column, the names, a row-index column, the label
// column, the columns asked for, the rows skipped with their reasons. So a column means the same in every format.
//
// Cells: numbers (and bigints) are numbers, NaN is a missing value, ±Infinity non-finite; true/false are 1/0;
// strings are classified as text cells are ("3.5" is a number, "NA" missing, "setosa" text); null/undefined are
// missing; dates and nested values (lists, objects) count as text and name the column's reason when dropped.

import type { DatasetSummary } from '../../shared/protocol';
import { allocate, baseName, clip, dataError, emptySummary, listSome } from './common';
import type { ImageData, TableData } from './dataset';
import { pixelScale } from './images';
import { classify, cellNumber, MISSING, NONFINITE, NUM, TEXT } from './text/cells';
import { indexColumnOf, LABEL_COLUMN, MAX_LABEL_VALUES, selectColumns, uniqueNames, type ColumnScan, type ColumnStats } from './text/columns';
import { pixelShape } from './text';
import { SkipLog, type SkipCause } from './text/values';

export interface CellColumn {
  name: string;
  /** The column's cells, one per row. */
  cells: ArrayLike<unknown>;
  /**
   * The file's schema says the column can never be fitted (dates, nested values, binary): its reason, and its
   * cells are not read.
   */
  unusable?: string;
}

export interface CellTable {
  columns: CellColumn[];
  rows: number;
  /** What a row is called in messages: a line (NDJSON), a record (JSON), a row (a sheet, Arrow, Parquet). */
  unit: 'line' | 'record' | 'row';
  /** The 1-based number a user sees for row i (a sheet's row, a file's line); i + 1 when absent. */
  rowNumber?: (i: number) => number;
  /** What the loader noticed (sheet, row groups, columns read), before the column notes. */
  notes: string[];
}

export interface CellTableOptions {
  columns?: string[];
  imageWidth?: number;
}

/** Cell kinds beyond the text ones, counted among the text cells. */
const DATE = 4;
const NESTED = 5;
type Kind = typeof NUM | typeof NONFINITE | typeof MISSING | typeof TEXT | typeof DATE | typeof NESTED;

/** The value of the last cell classified as NUM or NONFINITE (no allocation per cell). */
let value = 0;

function classifyCell(cell: unknown): Kind {
  switch (typeof cell) {
    case 'number':
      value = cell;
      return Number.isFinite(cell) ? NUM : Number.isNaN(cell) ? MISSING : NONFINITE;
    case 'bigint':
      value = Number(cell);
      return NUM;
    case 'boolean':
      value = cell ? 1 : 0;
      return NUM;
    case 'string': {
      const kind = classify(cell, false);
      if (kind === NUM || kind === NONFINITE) value = cellNumber();
      return kind;
    }
    case 'undefined':
      return MISSING;
    case 'object':
      if (cell === null) return MISSING;
      if (cell instanceof Date) return DATE;
      return NESTED;
    default:
      return NESTED;
  }
}

/** A cell shown in a message. */
function shown(cell: unknown): string {
  if (cell === undefined) return '';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? 'Invalid Date' : cell.toISOString().replace(/T00:00:00\.000Z$/, '');
  if (typeof cell === 'string') return cell;
  if (Array.isArray(cell) || ArrayBuffer.isView(cell)) return '[…]';
  if (typeof cell === 'object' && cell !== null) return '{…}';
  return String(cell);
}

/** The kinds and numbers of every column (pass 1), the stats the column rules need. */
interface Scanned {
  kinds: Uint8Array[];
  values: Float64Array[];
  scan: ColumnScan;
}

function scanCells(fileName: string, table: CellTable, names: string[]): Scanned {
  const { rows } = table;
  const rowNumber = table.rowNumber ?? ((i: number) => i + 1);
  const kinds: Uint8Array[] = [];
  const values: Float64Array[] = [];
  const stats: ColumnStats[] = [];
  let seqFrom1 = true;
  let seqFrom0 = true;
  table.columns.forEach((column, j) => {
    const st: ColumnStats = { numeric: 0, nonFinite: 0, missing: 0, text: 0, integral: true, min: Infinity, max: -Infinity, dates: 0, nested: 0 };
    if (LABEL_COLUMN.test(names[j])) st.distinct = new Set<number>();
    stats.push(st);
    const k = allocate(fileName, 'the table', rows * 9, () => new Uint8Array(rows));
    const v = new Float64Array(column.unusable ? 0 : rows);
    kinds.push(k);
    values.push(v);
    if (column.unusable) {
      // Counted as text so the column rules leave it out, with the schema's reason.
      k.fill(NESTED);
      st.text = rows;
      st.reason = column.unusable;
      if (j === 0) seqFrom1 = seqFrom0 = false;
      return;
    }
    const cells = column.cells;
    for (let i = 0; i < rows; i++) {
      const kind = classifyCell(cells[i]);
      k[i] = kind;
      if (kind === NUM) {
        const x = value;
        v[i] = x;
        st.numeric++;
        if (x < st.min) st.min = x;
        if (x > st.max) st.max = x;
        if (st.integral && !Number.isInteger(x)) st.integral = false;
        if (st.distinct && st.distinct.size <= MAX_LABEL_VALUES) st.distinct.add(x);
        if (j === 0) {
          if (x !== i + 1) seqFrom1 = false;
          if (x !== i) seqFrom0 = false;
        }
        continue;
      }
      if (j === 0) seqFrom1 = seqFrom0 = false;
      if (kind === NONFINITE) {
        v[i] = value;
        st.nonFinite++;
      } else if (kind === MISSING) st.missing++;
      else {
        st.text++;
        if (kind === DATE) st.dates!++;
        if (kind === NESTED) st.nested!++;
        if (!st.firstText) st.firstText = { value: shown(cells[i]), line: rowNumber(i) };
      }
    }
  });
  const unit = table.unit;
  return { kinds, values, scan: { stats, rowsOfWidth: rows, seqFrom1, seqFrom0, place: (n) => `${unit} ${n}` } };
}

const CAUSE_OF: Record<number, SkipCause> = { [MISSING]: 'missing', [NONFINITE]: 'nonfinite', [TEXT]: 'text', [DATE]: 'text', [NESTED]: 'text' };

/** The dataset of a cell table: the text loader's column rules, then the selected columns' values row by row. */
export function loadCellTable(fileName: string, table: CellTable, options: CellTableOptions): TableData | ImageData {
  const { rows } = table;
  const c = table.columns.length;
  if (c === 0) throw dataError(fileName, 'the file holds no columns: expected a table with at least one column of numbers.');
  if (rows === 0) {
    throw dataError(fileName, `the file has columns (${listSome(table.columns.map((col) => col.name))}) but no rows. Expected at least one row of numbers.`);
  }
  const header = table.columns.map((col) => col.name);
  const pre = scanCells(fileName, table, uniqueNames(header, c, false));
  const index = indexColumnOf(header, c, pre.scan);
  const names = uniqueNames(header, c, index.indexColumn);
  const notes = [...table.notes, `columns: ${listSome(names.slice(index.indexColumn ? 1 : 0))}`];
  if (index.indexColumn) notes.push(index.indexNote);
  const naming = { names, indexColumn: index.indexColumn, indexReason: index.indexReason, notes: [] };
  // A column the schema rules out is explained by its type, not by its cells.
  const selection = selectColumns(fileName, pre.scan, naming, { columns: options.columns });
  const { selected, labelColumn } = selection;
  const d = selected.length;
  const rowNumber = table.rowNumber ?? ((i: number) => i + 1);

  const shape = pixelShape(pre.scan, selection, options.imageWidth);
  const out: Float64Array | Uint8Array = shape
    ? allocate(fileName, 'the pixels', rows * d, () => new Uint8Array(rows * d))
    : allocate(fileName, 'the table', rows * d * 8, () => new Float64Array(rows * d));
  const labels = labelColumn >= 0 ? new Int32Array(rows) : undefined;
  const sourceLines = table.unit === 'line' ? new Uint32Array(rows) : undefined;
  const skipped = new SkipLog(table.unit);
  let n = 0;
  let maxValue = 0;
  for (let i = 0; i < rows; i++) {
    const base = n * d;
    let problem: SkipCause | undefined;
    let detail: string | undefined;
    for (let k = 0; k < d; k++) {
      const j = selected[k];
      const kind = pre.kinds[j][i];
      if (kind === NUM) {
        const x = pre.values[j][i];
        out[base + k] = x;
        if (x > maxValue) maxValue = x;
        continue;
      }
      problem = CAUSE_OF[kind];
      detail = `"${clip(shown(table.columns[j].cells[i]))}" in ${names[j]}`;
      break;
    }
    if (!problem && labels) {
      const x = pre.values[labelColumn][i];
      if (pre.kinds[labelColumn][i] !== NUM || !Number.isInteger(x)) {
        problem = 'label';
        detail = `"${clip(shown(table.columns[labelColumn].cells[i]))}"`;
      } else labels[n] = x;
    }
    if (problem) {
      skipped.add(problem, rowNumber(i), detail);
      continue;
    }
    if (sourceLines) sourceLines[n] = rowNumber(i);
    n++;
  }
  if (n === 0) {
    throw dataError(fileName, `no complete row to fit: ${skipped.notes().join('; ')}. Expected numbers in ${listSome(selected.map((j) => names[j]))}.`);
  }
  notes.push(...skipped.notes());
  const labelColumnName = labels ? names[labelColumn] : undefined;
  if (labelColumnName !== undefined) notes.push(`labels: column "${labelColumnName}" (not used in the fit)`);
  const columns = selected.map((j) => names[j]);
  const summary: DatasetSummary = {
    ...emptySummary(baseName(fileName)),
    n,
    d,
    columns,
    droppedColumns: selection.dropped,
    skippedRows: skipped.count,
    skippedLines: skipped.lines,
    notes,
    hasLabels: labels !== undefined,
  };
  if (shape) {
    const scale = pixelScale(maxValue);
    summary.imageShape = shape;
    notes.push(`read as ${n} images of ${shape[0]}×${shape[1]} pixels (values 0..${maxValue}${scale > 1 ? `, ${scale} = fully on` : ''})`);
    const pixels = n === rows ? (out as Uint8Array) : (out as Uint8Array).slice(0, n * d);
    return { kind: 'images', n, d, height: shape[0], width: shape[1], pixels, scale, labels: labels?.slice(0, n), summary };
  }
  return {
    kind: 'table',
    n,
    d,
    values: n === rows ? (out as Float64Array) : (out as Float64Array).slice(0, n * d),
    columns,
    sourceLines: sourceLines?.slice(0, n),
    labels: labels?.slice(0, n),
    labelColumn: labelColumnName,
    summary,
  };
}
