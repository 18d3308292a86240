// Typed files (JSON, NDJSON, Excel, Arrow/Feather, Parquet) as one intermediate shape: a table of named columns of
// cells. Each loader reads its file into a CellTable; from here on every format goes through the delimited-text
// loader's column rules (text/columns.ts): the typing of each column, the names, a row-index column, the label
// column (integers by name, a lone class-like text column, or the labelColumn setting), the weights column, missing
// cells (kept for EM to marginalise, or skipped), the columns asked for, the rows skipped with their reasons. So a
// column means the same in every format.
//
// Cells: numbers (and bigints) are numbers, NaN is a missing value, ±Infinity non-finite; true/false are 1/0;
// strings are classified as text cells are ("3.5" is a number, "NA" missing, "setosa" text); null/undefined are
// missing; dates and nested values (lists, objects) count as text and name the column's reason when dropped.

import type { DatasetSummary } from '../../shared/protocol';
import { allocate, baseName, clip, dataError, emptySummary, listSome } from './common';
import type { ImageData, TableData } from './dataset';
import { pixelScale } from './images';
import { classify, cellNumber, MISSING, NONFINITE, NUM, TEXT } from './text/cells';
import { DEFAULT_CATEGORY_LIMIT, indexColumnOf, isLabelKeyword, LABEL_COLUMN, MAX_LABEL_VALUES, selectColumns, uniqueNames, type CategoryRequest, type ColumnScan, type ColumnStats } from './text/columns';
import { categoricalNote, pixelShape } from './text';
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
  /** The labelColumn setting: "auto", "none", or a column's name or 1-based number. */
  labelColumn?: string;
  /** A column of case weights, by name or 1-based number. */
  weightsColumn?: string;
  /** 'marginalize': rows with missing cells are kept (NaN, marked in `missing`); default: skipped. */
  missing?: 'marginalize' | 'skip';
  /** The categorical setting: columns read as categories even when they hold numbers. */
  categorical?: string[];
  /** The categoryLimit setting: most distinct values of a text column read as categories. */
  categoryLimit?: number;
  /** A saved model's categorical columns: each is kept whatever its number of values (one, or above categoryLimit). */
  keepCategories?: boolean;
}

/** Cell kinds beyond the text ones, counted among the text cells. */
const DATE = 4;
const NESTED = 5;
type Kind = typeof NUM | typeof NONFINITE | typeof MISSING | typeof TEXT | typeof DATE | typeof NESTED;

/** The value of the last cell classified as NUM or NONFINITE (no allocation per cell). */
let value = 0;

export function classifyCell(cell: unknown): Kind {
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

/** The number of the cell classifyCell last read as NUM or NONFINITE. */
export function classifiedValue(): number {
  return value;
}

/** A cell shown in a message. */
export function shown(cell: unknown): string {
  if (cell === undefined) return '';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? 'Invalid Date' : cell.toISOString().replace(/T00:00:00\.000Z$/, '');
  if (typeof cell === 'string') return cell;
  if (Array.isArray(cell) || ArrayBuffer.isView(cell)) return '[…]';
  if (typeof cell === 'object' && cell !== null) return '{…}';
  return String(cell);
}

/** A cell as a label's text (as a text file's cell reads): the same text in the scan and in the rows. */
export function labelText(cell: unknown): string | undefined {
  if (typeof cell === 'string') return cell.trim();
  if (typeof cell === 'number' || typeof cell === 'bigint' || typeof cell === 'boolean') return String(cell);
  if (cell instanceof Date) return shown(cell);
  return undefined;
}

/** The kinds and numbers of every column (pass 1), the stats the column rules need. */
interface Scanned {
  kinds: Uint8Array[];
  values: Float64Array[];
  scan: ColumnScan;
}

function scanCells(fileName: string, table: CellTable, names: string[], labelRequest: string, categories: CategoryRequest): Scanned {
  const { rows } = table;
  const rowNumber = table.rowNumber ?? ((i: number) => i + 1);
  const kinds: Uint8Array[] = [];
  const values: Float64Array[] = [];
  const stats: ColumnStats[] = [];
  let seqFrom1 = true;
  let seqFrom0 = true;
  const request = labelRequest.trim();
  const isRequested = (j: number) => !isLabelKeyword(request) && (names[j].toLowerCase() === request.toLowerCase() || (/^\d+$/.test(request) && Number(request) === j + 1));
  // Columns named in the categorical setting keep the texts of their numbers too (coded answers 1..5).
  const asked = (categories.columns ?? []).map((r) => r.trim()).filter((r) => r !== '');
  const isAsked = (j: number) => asked.some((r) => names[j].toLowerCase() === r.toLowerCase() || (/^\d+$/.test(r) && Number(r) === j + 1));
  const textCap = Math.max(MAX_LABEL_VALUES, categories.limit ?? DEFAULT_CATEGORY_LIMIT);
  table.columns.forEach((column, j) => {
    const requested = isRequested(j);
    const keepNumberTexts = requested || isAsked(j);
    const st: ColumnStats = { numeric: 0, nonFinite: 0, missing: 0, text: 0, integral: true, min: Infinity, max: -Infinity, dates: 0, nested: 0, texts: new Set<string>(), requested };
    if (LABEL_COLUMN.test(names[j]) || requested) st.distinct = new Set<number>();
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
        if (keepNumberTexts && st.texts.size <= textCap) st.texts.add(labelText(cells[i])!);
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
        if (keepNumberTexts && st.texts.size <= textCap) st.texts.add(labelText(cells[i])!);
      } else if (kind === MISSING) st.missing++;
      else {
        st.text++;
        if (kind === DATE) st.dates!++;
        if (kind === NESTED) st.nested!++;
        const text = labelText(cells[i]);
        if (text !== undefined && st.texts.size <= textCap) st.texts.add(text);
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
  return loadCellTableSelecting(fileName, table, options).data;
}

/**
 * loadCellTable, with the table's column indices of the fitted columns, the weights column (−1 when none) and the
 * categorical columns (a streamed read reads only those).
 */
export function loadCellTableSelecting(fileName: string, table: CellTable, options: CellTableOptions): { data: TableData | ImageData; selected: number[]; weights: number; categorical: number[]; label: number } {
  const { rows } = table;
  const c = table.columns.length;
  if (c === 0) throw dataError(fileName, 'the file holds no columns: expected a table with at least one column of numbers.');
  if (rows === 0) {
    throw dataError(fileName, `the file has columns (${listSome(table.columns.map((col) => col.name))}) but no rows. Expected at least one row of numbers.`);
  }
  const header = table.columns.map((col) => col.name);
  const pre = scanCells(fileName, table, uniqueNames(header, c, false), options.labelColumn ?? 'auto', { columns: options.categorical, limit: options.categoryLimit });
  const index = indexColumnOf(header, c, pre.scan);
  const names = uniqueNames(header, c, index.indexColumn);
  const notes = [...table.notes, `columns: ${listSome(names.slice(index.indexColumn ? 1 : 0))}`];
  if (index.indexColumn) notes.push(index.indexNote);
  const naming = { names, indexColumn: index.indexColumn, indexReason: index.indexReason, notes: [] };
  // A column the schema rules out is explained by its type, not by its cells.
  const selection = selectColumns(fileName, pre.scan, naming, {
    columns: options.columns,
    weightsColumn: options.weightsColumn,
    labelColumn: options.labelColumn,
    categorical: options.categorical,
    categoryLimit: options.categoryLimit,
    keepCategories: options.keepCategories,
  });
  const { selected, labelColumn, labelNames, weightsColumn } = selection;
  const d = selected.length;
  const rowNumber = table.rowNumber ?? ((i: number) => i + 1);
  const cellsOf = (j: number) => table.columns[j].cells;

  const shape = pixelShape(pre.scan, selection, options.imageWidth);
  const weightsName = weightsColumn >= 0 ? names[weightsColumn] : undefined;
  if (weightsName !== undefined && shape) throw dataError(fileName, `case weights (column "${weightsName}") apply to tables of numbers, not to pixel rows. Set weightsColumn to "".`);
  // Missing cells are kept (as NaN, marked in `missing`) only in Float64 tables.
  const marginalize = options.missing === 'marginalize' && !shape;
  const out: Float64Array | Uint8Array = shape
    ? allocate(fileName, 'the pixels', rows * d, () => new Uint8Array(rows * d))
    : allocate(fileName, 'the table', rows * d * 8, () => new Float64Array(rows * d));
  const labels = labelColumn >= 0 ? new Int32Array(rows) : undefined;
  // Text labels: a row's label is the index of its text among the sorted names.
  const labelCodes = labelNames ? new Map(labelNames.map((name, code) => [name, code])) : undefined;
  const weights = weightsColumn >= 0 ? new Float64Array(rows) : undefined;
  // Categorical features: a cell's code is the index of its text among the column's categories (−1 when missing).
  const categorical = selection.categorical;
  const dc = categorical.length;
  const categoryCodes = selection.categories.map((levels) => new Map(levels.map((level, code) => [level, code])));
  const codes = dc > 0 ? allocate(fileName, 'the categories', rows * dc * 4, () => new Int32Array(rows * dc)) : undefined;
  const missingCategories = new Array<number>(dc).fill(0);
  let missing: Uint8Array | undefined;
  const missingPerColumn = new Array<number>(d).fill(0);
  const sourceLines = table.unit === 'line' ? new Uint32Array(rows) : undefined;
  const skipped = new SkipLog(table.unit);
  let n = 0;
  let maxValue = 0;
  for (let i = 0; i < rows; i++) {
    const base = n * d;
    if (weights) weights[n] = readWeight(fileName, table, pre, weightsColumn, names[weightsColumn], i);
    let problem: SkipCause | undefined;
    let detail: string | undefined;
    let missingCells = 0;
    for (let k = 0; k < d; k++) {
      const j = selected[k];
      const kind = pre.kinds[j][i];
      if (kind === NUM) {
        const x = pre.values[j][i];
        out[base + k] = x;
        if (x > maxValue) maxValue = x;
        continue;
      }
      if (kind === MISSING && marginalize) {
        missingCells++;
        continue;
      }
      problem = CAUSE_OF[kind];
      detail = `"${clip(shown(cellsOf(j)[i]))}" in ${names[j]}`;
      break;
    }
    // As the text loader: a row needs one observed cell among the fitted ones, numeric or categorical.
    let missingCodes = 0;
    if (!problem && codes) {
      for (let k = 0; k < dc; k++) {
        const j = categorical[k];
        const code = pre.kinds[j][i] === MISSING ? -1 : (categoryCodes[k].get(labelText(cellsOf(j)[i]) ?? '') ?? -1);
        codes[n * dc + k] = code;
        if (code < 0) missingCodes++;
      }
    }
    if (!problem && missingCells === d && missingCodes === dc) {
      problem = 'allMissing';
      detail = undefined;
    }
    // A label is not a fitted cell: a row without its label is skipped whatever the missing setting.
    if (!problem && labels && labelCodes) {
      const cell = cellsOf(labelColumn)[i];
      const text = pre.kinds[labelColumn][i] === MISSING ? undefined : labelText(cell);
      const code = text === undefined ? undefined : labelCodes.get(text);
      if (code === undefined) {
        problem = 'textLabel';
        detail = `"${clip(shown(cell))}" in ${names[labelColumn]}`;
      } else labels[n] = code;
    } else if (!problem && labels) {
      const x = pre.values[labelColumn][i];
      if (pre.kinds[labelColumn][i] !== NUM || !Number.isInteger(x)) {
        problem = 'label';
        detail = `"${clip(shown(cellsOf(labelColumn)[i]))}"`;
      } else labels[n] = x;
    }
    if (problem) {
      skipped.add(problem, rowNumber(i), detail);
      continue;
    }
    if (codes) for (let k = 0; k < dc; k++) if (codes[n * dc + k] < 0) missingCategories[k]++;
    if (missingCells > 0) {
      missing ??= allocate(fileName, 'the missing-cell mask', rows * d, () => new Uint8Array(rows * d));
      for (let k = 0; k < d; k++) {
        if (pre.kinds[selected[k]][i] !== MISSING) continue;
        out[base + k] = NaN;
        missing[base + k] = 1;
        missingPerColumn[k]++;
      }
    }
    if (sourceLines) sourceLines[n] = rowNumber(i);
    n++;
  }
  if (n === 0) {
    throw dataError(fileName, `no complete row to fit: ${skipped.notes().join('; ')}. Expected numbers in ${listSome(selected.map((j) => names[j]))}.`);
  }
  const categoricalFeatures: TableData['categorical'] = codes ? { columns: categorical.map((j) => names[j]), categories: selection.categories, codes: codes.slice(0, n * dc) } : undefined;
  if (categoricalFeatures) notes.push(categoricalNote(categoricalFeatures, missingCategories));
  notes.push(...skipped.notes());
  if (weightsName !== undefined) notes.push(`case weights: column "${weightsName}" (not a feature)`);
  if (missing) {
    const per = selected.map((j, k) => ({ name: names[j], count: missingPerColumn[k] })).filter((x) => x.count > 0);
    notes.push(`missing cells: ${per.map((x) => `${x.count} in ${x.name}`).join(', ')}`);
  }
  const labelColumnName = labels ? names[labelColumn] : undefined;
  if (labelColumnName !== undefined && labelNames) {
    notes.push(`labels: text column "${labelColumnName}", ${labelNames.length} values (${listSome(labelNames.map((v) => clip(v)), 10)}), not used in the fit`);
  } else if (labelColumnName !== undefined) notes.push(`labels: column "${labelColumnName}" (not used in the fit)`);
  if (selection.labelNote) notes.push(selection.labelNote);
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
    return { selected, weights: weightsColumn, categorical, label: labels ? labelColumn : -1, data: { kind: 'images', n, d, height: shape[0], width: shape[1], pixels, scale, labels: labels?.slice(0, n), labelNames: labels ? labelNames : undefined, summary } };
  }
  const data: TableData = {
    kind: 'table',
    n,
    d,
    values: n === rows ? (out as Float64Array) : (out as Float64Array).slice(0, n * d),
    columns,
    sourceLines: sourceLines?.slice(0, n),
    labels: labels?.slice(0, n),
    labelColumn: labelColumnName,
    labelNames: labels ? labelNames : undefined,
    weights: weights?.slice(0, n),
    weightsColumn: weightsName,
    missing: missing?.slice(0, n * d),
    missingPerColumn: missing ? missingPerColumn : undefined,
    ...(categoricalFeatures ? { categorical: categoricalFeatures } : {}),
    summary,
  };
  return { data, selected, weights: weightsColumn, categorical, label: labels ? labelColumn : -1 };
}

/** A row's case weight: a finite number ≥ 0, or one DataError naming the row (a weight is never guessed). */
function readWeight(fileName: string, table: CellTable, pre: Scanned, j: number, name: string, i: number): number {
  const kind = pre.kinds[j][i];
  const v = pre.values[j][i];
  if (kind === NUM && v >= 0) return v;
  const cell = shown(table.columns[j].cells[i]);
  const what = kind === MISSING ? (cell === '' ? 'missing (empty)' : `missing ("${clip(cell)}")`) : kind === NUM ? `negative (${clip(cell)})` : `"${clip(cell)}", not a finite number`;
  const at = (table.rowNumber ?? ((r: number) => r + 1))(i);
  throw dataError(
    fileName,
    `${table.unit} ${at}: the weight in column "${name}" is ${what}. Case weights must be numbers ≥ 0 (0 leaves the row out); correct that ${table.unit}, or set weightsColumn to "".`,
    table.unit === 'line' ? at : undefined,
  );
}
