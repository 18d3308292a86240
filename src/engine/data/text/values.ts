// Pass 2: the values of the selected columns, row by row, into one typed array (Float64, or bytes for pixel rows);
// rows that cannot be used are skipped and reported once each, with their cause and their line numbers.

import { allocate, clip, dataError, listSome, plural } from '../common';
import { MISSING, NONFINITE, NUM, type RowScanner } from './cells';
import type { ColumnSelection } from './columns';
import type { TableFrame } from './frame';
import { ROW_BROKEN, ROW_OF_WIDTH, type RowCache } from './rowCache';
import { walkTable, type TableBytes } from './rows';

/** Line numbers listed per kind of skipped row. */
const LINES_SHOWN = 10;
/** Skipped line numbers kept in the summary. */
const SKIPPED_LINES_KEPT = 20;

export type SkipCause = 'missing' | 'allMissing' | 'nonfinite' | 'text' | 'ragged' | 'quotes' | 'label' | 'textLabel';

const CAUSES: Record<SkipCause, string> = {
  missing: 'missing values',
  allMissing: 'no observed value in the fitted columns',
  nonfinite: 'non-finite values (NaN, Inf or too large)',
  text: 'text in a numeric column',
  ragged: 'a different number of fields',
  quotes: 'unbalanced quotes',
  label: 'a missing or non-integer label',
  textLabel: 'a missing label',
};

interface SkipKind {
  count: number;
  lines: number[];
  detail?: string;
}

/** The rows skipped, by cause (in the order the causes are first met). */
export class SkipLog {
  private readonly kinds = new Map<SkipCause, SkipKind>();
  /** The first skipped line numbers, whatever their cause. */
  readonly lines: number[] = [];
  count = 0;

  /** `unit`: what the numbers count ("line" in text files; "row" or "record" in typed files). */
  constructor(private readonly unit = 'line') {}

  /** Whether a row was skipped for this cause already (only the first one's detail is kept). */
  has(cause: SkipCause): boolean {
    return this.kinds.has(cause);
  }

  add(cause: SkipCause, line: number, detail?: string): void {
    let s = this.kinds.get(cause);
    if (!s) this.kinds.set(cause, (s = { count: 0, lines: [], detail }));
    s.count++;
    this.count++;
    if (s.lines.length < LINES_SHOWN) s.lines.push(line);
    if (this.lines.length < SKIPPED_LINES_KEPT) this.lines.push(line);
  }

  /** One note per cause: "2 rows skipped: missing values at lines 14, 99 (first: "NA" in waiting)". */
  notes(): string[] {
    const out: string[] = [];
    for (const [cause, s] of this.kinds) {
      const where = `${s.count === 1 ? this.unit : this.unit + 's'} ${listSome(s.lines, LINES_SHOWN)}${s.count > s.lines.length ? ', …' : ''}`;
      const example = cause === 'ragged' ? ` (${s.detail})` : s.detail ? ` (first: ${s.detail})` : '';
      out.push(`${plural(s.count, 'row')} skipped: ${CAUSES[cause]} at ${where}${example}`);
    }
    return out;
  }
}

export interface TableValues {
  /** n × d, row-major: Float64 for a table, bytes for pixel rows. */
  values: Float64Array | Uint8Array;
  /** Rows allocated for (rows of the table's width); `values` holds n of them. */
  capacity: number;
  /** Rows kept. */
  n: number;
  /** 1-based source line of each kept row. */
  sourceLines: Uint32Array;
  labels?: Int32Array;
  /** Case weights of the kept rows (the weights column), when there is one. */
  weights?: Float64Array;
  /** With missing cells fitted: 1 where a kept row's cell is missing (its value is NaN); absent when none is. */
  missing?: Uint8Array;
  /** Missing cells per selected column (with `missing`). */
  missingPerColumn?: number[];
  /** The categorical features' codes, n × selection.categorical.length (−1 = missing); absent without them. */
  codes?: Int32Array;
  /** Missing cells per categorical feature. */
  missingCategories?: number[];
  maxValue: number;
  skipped: SkipLog;
}

/**
 * Reads the selected columns of every row; `asPixels` stores bytes (the caller checked they are integers 0..255).
 * With the first pass's `cache` the numbers come from it, and a row's text is read again only for a message; text
 * labels and categories, which need every row's text, walk the table again.
 */
export function readValues(
  fileName: string,
  text: TableBytes,
  frame: TableFrame,
  row: RowScanner,
  rowsOfWidth: number,
  names: string[],
  selection: ColumnSelection,
  asPixels: boolean,
  keepMissing = false,
  cache?: RowCache,
): TableValues {
  const { c } = frame;
  const { selected, labelColumn, labelNames, weightsColumn } = selection;
  // Missing cells are kept (as NaN, marked in `missing`) only in Float64 tables.
  const marginalize = keepMissing && !asPixels;
  let missing: Uint8Array | undefined;
  const missingPerColumn = new Array<number>(selected.length).fill(0);
  const weights = weightsColumn >= 0 ? new Float64Array(rowsOfWidth) : undefined;
  // Text labels: a row's label is the index of its text among the sorted names.
  const labelCodes = labelNames ? new Map(labelNames.map((name, code) => [name, code])) : undefined;
  const d = selected.length;
  // Categorical features: a cell's code is the index of its text among the column's categories (−1 when missing).
  const categorical = selection.categorical;
  const dc = categorical.length;
  const useCache = cache !== undefined && dc === 0 && !labelCodes && cache.rowsOfWidth === rowsOfWidth;
  // The cache's numbers become the table in place when the selected columns keep their order (a row is never
  // written past where it is read).
  const inPlace = useCache && !asPixels && selected.every((j, k) => k === 0 || j > selected[k - 1]);
  const capacity = rowsOfWidth * d;
  const values: Float64Array | Uint8Array = inPlace
    ? cache.values
    : asPixels
      ? allocate(fileName, 'the pixels', capacity, () => new Uint8Array(capacity))
      : allocate(fileName, 'the table', capacity * 8, () => new Float64Array(capacity));
  const sourceLines = new Uint32Array(rowsOfWidth);
  const labels = labelColumn >= 0 ? new Int32Array(rowsOfWidth) : undefined;
  const categoryCodes = selection.categories.map((levels) => new Map(levels.map((level, code) => [level, code])));
  const codes = dc > 0 ? allocate(fileName, 'the categories', rowsOfWidth * dc * 4, () => new Int32Array(rowsOfWidth * dc)) : undefined;
  const missingCategories = new Array<number>(dc).fill(0);
  const skipped = new SkipLog();
  let n = 0;
  let maxValue = 0;
  /** One row of the table's width: its cells' kinds and numbers at kinds[o + j], vals[o + j]; text(j) their text. */
  const take = (line: number, kinds: Uint8Array, vals: Float64Array, o: number, text: (j: number) => string) => {
    const base = n * d;
    // Read before the row's numbers are written: in place, they may land on its other cells.
    const labelKind = kinds[o + labelColumn];
    const labelValue = vals[o + labelColumn];
    if (weights) weights[n] = readWeight(fileName, kinds[o + weightsColumn], vals[o + weightsColumn], text, weightsColumn, names[weightsColumn], line);
    let problem: SkipCause | undefined;
    let detail: string | undefined;
    let missingCells = 0;
    for (let k = 0; k < d; k++) {
      const j = selected[k];
      const kind = kinds[o + j];
      if (kind === NUM) {
        const v = vals[o + j];
        values[base + k] = v;
        if (v > maxValue) maxValue = v;
        continue;
      }
      if (kind === MISSING && marginalize) {
        missingCells++;
        continue;
      }
      problem = kind === MISSING ? 'missing' : kind === NONFINITE ? 'nonfinite' : 'text';
      // Only the first row of each cause shows its cell.
      if (!skipped.has(problem)) detail = `"${clip(text(j))}" in ${names[j]}`;
      break;
    }
    let missingCodes = 0;
    if (!problem && codes) {
      for (let k = 0; k < dc; k++) {
        const j = categorical[k];
        const code = kinds[o + j] === MISSING ? -1 : (categoryCodes[k].get(text(j)) ?? -1);
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
      const code = labelKind === MISSING ? undefined : labelCodes.get(text(labelColumn));
      if (code === undefined) {
        problem = 'textLabel';
        detail = `"${clip(text(labelColumn))}" in ${names[labelColumn]}`;
      } else {
        labels[n] = code;
      }
    } else if (!problem && labels) {
      const v = labelValue;
      if (labelKind !== NUM || !Number.isInteger(v)) {
        problem = 'label';
        if (!skipped.has(problem)) detail = `"${clip(text(labelColumn))}"`;
      } else {
        labels[n] = v;
      }
    }
    if (problem) {
      skipped.add(problem, line, detail);
      return;
    }
    if (missingCells > 0) {
      missing ??= allocate(fileName, 'the missing-cell mask', capacity, () => new Uint8Array(capacity));
      for (let k = 0; k < d; k++) {
        if (kinds[o + selected[k]] !== MISSING) continue;
        values[base + k] = NaN;
        missing[base + k] = 1;
        missingPerColumn[k]++;
      }
    }
    for (let k = 0; k < dc; k++) if (codes![n * dc + k] < 0) missingCategories[k]++;
    sourceLines[n] = line;
    n++;
  };
  const skipOther = (broken: boolean, line: number) => {
    if (broken) skipped.add('quotes', line);
    else skipped.add('ragged', line, `expected ${c} fields`);
  };
  if (useCache) {
    let v = 0;
    const textOf = (j: number) => {
      cache.rescan(v, text.bytes, frame, row);
      return row.text(j);
    };
    // Every column fitted, in order, with no labels or weights: a complete row is already where it belongs as long as
    // no row above it was skipped.
    const asIs = inPlace && d === c && !labels && !weights;
    const { kinds: cachedKinds, values: cachedValues, status: cachedStatus, lines: cachedLines } = cache;
    for (let w = 0; v < cache.rows; v++) {
      const status = cachedStatus[v];
      if (status !== ROW_OF_WIDTH) {
        skipOther(status === ROW_BROKEN, cachedLines[v]);
        continue;
      }
      const o = c * w++;
      if (asIs && n === w - 1) {
        let complete = true;
        for (let j = 0; j < c; j++) if (cachedKinds[o + j] !== NUM) complete = false;
        if (complete) {
          for (let j = 0; j < c; j++) if (cachedValues[o + j] > maxValue) maxValue = cachedValues[o + j];
          sourceLines[n++] = cachedLines[v];
          continue;
        }
      }
      take(cachedLines[v], cachedKinds, cachedValues, o, textOf);
    }
  } else {
    const textOf = (j: number) => row.text(j);
    walkTable(text, frame, row, (line) => {
      if (row.broken || row.count !== c) skipOther(row.broken, line);
      else take(line, row.kinds, row.values, 0, textOf);
    });
  }
  if (n === 0) {
    const expected = d > 0 ? `numbers in ${listSome(selected.map((j) => names[j]))}` : `a value in one of ${listSome(categorical.map((j) => names[j]))}`;
    throw dataError(fileName, `no complete row to fit: ${skipped.notes().join('; ')}. Expected ${expected}.`);
  }
  return {
    values,
    capacity: inPlace ? values.length : capacity,
    n,
    sourceLines,
    labels,
    weights: weights?.slice(0, n),
    missing: missing?.slice(0, n * d),
    missingPerColumn: missing ? missingPerColumn : undefined,
    codes: codes?.slice(0, n * dc),
    missingCategories: codes ? missingCategories : undefined,
    maxValue,
    skipped,
  };
}

/** A row's case weight: a finite number ≥ 0, or one DataError naming the line (a weight is never guessed). */
export function readWeight(fileName: string, kind: number, v: number, text: (j: number) => string, j: number, name: string, line: number): number {
  if (kind === NUM && v >= 0) return v;
  const cell = text(j);
  const what = kind === MISSING ? (cell === '' ? 'missing (empty)' : `missing ("${clip(cell)}")`) : kind === NUM ? `negative (${clip(cell)})` : `"${clip(cell)}", not a finite number`;
  throw dataError(
    fileName,
    `line ${line}: the weight in column "${name}" is ${what}. Case weights must be numbers ≥ 0 (0 leaves the row out); correct that line, or set weightsColumn to "".`,
    line,
  );
}
