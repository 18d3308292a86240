// The table's columns: a first pass over the rows that types every column (numbers, non-finite, missing, text),
// then their names (header, `x1…xD`, duplicates made unique), a leading row-index column, the columns to fit and a
// column of class labels kept apart from the fit (integers under a label-like name, a lone text column of a few
// repeated values such as iris's species, or the column the labelColumn setting names), and the categorical features:
// other text columns of a few repeated values (at most the categoryLimit setting), or the columns the categorical
// setting names (coded answers 1..5).

import { clip, dataError, listSome, plural } from '../common';
import { MISSING, NONFINITE, NUM, RowScanner } from './cells';
import type { TableFrame } from './frame';
import type { RowCache } from './rowCache';
import { walkTable, type TableBytes } from './rows';

/** Header names that mark a column of class labels (taken out of the fit when they are integers). */
export const LABEL_COLUMN = /^(labels?|class|target|y|digit)$/i;
/** Header names of a row-index column (a column named "x" or "time" that counts 1..N is data, not an index). */
const INDEX_NAME = /^(|id|idx|index|row|rows|rownames?|row\.names|row_id|no\.?|nr|num|obs|#|unnamed: ?0)$/i;
/** A label column has at most this many distinct values (and repeats some): "x,y" coordinates are not labels. */
export const MAX_LABEL_VALUES = 100;
/** Default of the categoryLimit setting: most distinct values of a text column read as categories. */
export const DEFAULT_CATEGORY_LIMIT = 50;

/** The categorical and categoryLimit settings, as the column scan needs them. */
export interface CategoryRequest {
  /** Columns read as categories even when they hold numbers, by name or 1-based number. */
  columns?: string[];
  /** Most distinct values of a categorical column. */
  limit?: number;
}

export interface ColumnStats {
  numeric: number;
  nonFinite: number;
  missing: number;
  text: number;
  firstText?: { value: string; line: number };
  integral: boolean;
  min: number;
  max: number;
  /** Distinct values, counted up to MAX_LABEL_VALUES + 1 (only for columns named like labels or asked for as labels). */
  distinct?: Set<number>;
  /** Typed files: cells that are dates or nested values (lists, objects), counted among the text cells. */
  dates?: number;
  nested?: number;
  /** Typed files: the file's schema rules the column out (a date or list type); this says why. */
  reason?: string;
  /**
   * Distinct texts, counted up to max(MAX_LABEL_VALUES, categoryLimit) + 1: of the text cells, and for a column asked
   * for as labels or as categories of every non-missing cell (a column of labels such as "1", "2", "x" is then read
   * as text).
   */
  texts: Set<string>;
  /** The column is the one the labelColumn setting names (matched against the header or its 1-based position). */
  requested: boolean;
  /** The categorical setting names the column. */
  categoryRequested?: boolean;
}

export interface ColumnScan {
  stats: ColumnStats[];
  /** Rows with the table's number of fields (and closed quotes). */
  rowsOfWidth: number;
  /** The first column counts 1..N / 0..N−1. */
  seqFrom1: boolean;
  seqFrom0: boolean;
  /** "ignored 2 blank lines inside the table", when there are any. */
  note?: string;
  /** Where a cell is, for messages ("line 12"; typed files say "row 12", "record 12"). */
  place?: (n: number) => string;
}

/**
 * Pass 1: the type of every column, from every row of the table's width. `labelRequest`: the labelColumn setting;
 * `categories`: the categorical and categoryLimit settings; `cache` keeps every row's cells for pass 2.
 */
export function scanColumns(text: TableBytes, frame: TableFrame, row: RowScanner, labelRequest = 'auto', categories: CategoryRequest = {}, cache?: RowCache): ColumnScan {
  const { c, header } = frame;
  const headerName = (j: number) => (header?.[j - (header.length === c - 1 ? 1 : 0)] ?? '').trim();
  const names = (j: number, request: string) =>
    (header ? headerName(j) : `x${j + 1}`).toLowerCase() === request.toLowerCase() || (/^\d+$/.test(request) && Number(request) === j + 1);
  const request = labelRequest.trim();
  const isRequested = (j: number) => !isLabelKeyword(request) && names(j, request);
  const categoryRequests = (categories.columns ?? []).map((r) => r.trim()).filter((r) => r !== '');
  const textCap = Math.max(MAX_LABEL_VALUES, categories.limit ?? DEFAULT_CATEGORY_LIMIT);
  const stats: ColumnStats[] = Array.from({ length: c }, (_, j) => ({
    numeric: 0,
    nonFinite: 0,
    missing: 0,
    text: 0,
    integral: true,
    min: Infinity,
    max: -Infinity,
    distinct: (header && LABEL_COLUMN.test(headerName(j))) || isRequested(j) ? new Set<number>() : undefined,
    texts: new Set<string>(),
    requested: isRequested(j),
    categoryRequested: categoryRequests.some((r) => names(j, r)),
  }));
  let rowsOfWidth = 0;
  let seqFrom1 = true;
  let seqFrom0 = true;
  // The counts every numeric cell updates, in typed arrays (the hot loop), copied into the stats after the walk.
  const numeric = new Float64Array(c);
  const min = new Float64Array(c).fill(Infinity);
  const max = new Float64Array(c).fill(-Infinity);
  const integral = new Uint8Array(c).fill(1);
  /** Columns that also keep the distinct values or texts of their numbers. */
  const keepsValues = Uint8Array.from(stats, (st) => (st.distinct || st.requested || st.categoryRequested ? 1 : 0));
  const anyKeepsValues = keepsValues.includes(1);
  /** The numeric counts of row r of the table's width, its cells at kinds[o + j], vals[o + j]. */
  const countNumbers = (kinds: Uint8Array, vals: Float64Array, o: number, r: number) => {
    if (kinds[o] !== NUM) seqFrom1 = seqFrom0 = false;
    else {
      if (vals[o] !== r + 1) seqFrom1 = false;
      if (vals[o] !== r) seqFrom0 = false;
    }
    for (let j = 0; j < c; j++) {
      if (kinds[o + j] !== NUM) continue;
      const v = vals[o + j];
      numeric[j]++;
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
      if (integral[j] === 1 && !Number.isInteger(v)) integral[j] = 0;
    }
  };
  const { blankInside, commentInside } = walkTable(text, frame, row, (line) => {
    const base = cache ? cache.add(row, line) : 0;
    if (row.broken || row.count !== c) return;
    const kinds = row.kinds;
    const vals = row.values;
    // With a cache the numbers are counted after the walk, from the cache, in one tight loop; a row of numbers alone
    // needs nothing more here unless a column keeps its values.
    if (cache) {
      const cachedKinds = cache.kinds;
      const cachedValues = cache.values;
      let allNumbers = true;
      for (let j = 0; j < c; j++) {
        const kind = kinds[j];
        cachedKinds[base + j] = kind;
        cachedValues[base + j] = vals[j];
        if (kind !== NUM) allNumbers = false;
      }
      rowsOfWidth++;
      if (allNumbers && !anyKeepsValues) return;
    } else countNumbers(kinds, vals, 0, rowsOfWidth++);
    for (let j = 0; j < c; j++) {
      const kind = kinds[j];
      if (kind === NUM) {
        if (keepsValues[j] === 1) {
          const st = stats[j];
          if (st.distinct && st.distinct.size <= MAX_LABEL_VALUES) st.distinct.add(vals[j]);
          if ((st.requested || st.categoryRequested) && st.texts.size <= textCap) st.texts.add(row.text(j));
        }
        continue;
      }
      const st = stats[j];
      if (kind === NONFINITE) {
        st.nonFinite++;
        if ((st.requested || st.categoryRequested) && st.texts.size <= textCap) st.texts.add(row.text(j));
      } else if (kind === MISSING) st.missing++;
      else {
        st.text++;
        if (!st.firstText) st.firstText = { value: row.text(j), line };
        if (st.texts.size <= textCap) st.texts.add(row.text(j));
      }
    }
  });
  if (cache) for (let r = 0; r < rowsOfWidth; r++) countNumbers(cache.kinds, cache.values, r * c, r);
  stats.forEach((st, j) => {
    st.numeric = numeric[j];
    st.min = min[j];
    st.max = max[j];
    st.integral = integral[j] === 1;
  });
  let note: string | undefined;
  if (blankInside > 0 || commentInside > 0) {
    const parts = [];
    if (blankInside > 0) parts.push(plural(blankInside, 'blank line'));
    if (commentInside > 0) parts.push(plural(commentInside, 'comment line'));
    note = `ignored ${parts.join(' and ')} inside the table`;
  }
  return { stats, rowsOfWidth, seqFrom1, seqFrom0, note };
}

export interface ColumnNames {
  /** Unique names of the c columns. */
  names: string[];
  /** Column 1 is a row index (or R's row names), left out. */
  indexColumn: boolean;
  /** Why it is left out. */
  indexReason: string;
  /** The header line (or the names given) and the index column, said once each. */
  notes: string[];
}

export function nameColumns(frame: TableFrame, scan: ColumnScan): ColumnNames {
  const c = frame.c;
  let header = frame.header;
  const index = indexColumnOf(header, c, scan);
  if (index.fromHeader && header) header = ['', ...header];
  const names = uniqueNames(header, c, index.indexColumn);
  const notes: string[] = [];
  if (header) {
    const shown = listSome(names.slice(index.indexColumn ? 1 : 0));
    notes.push(frame.headerFromComment ? `header from comment line ${frame.headerLine + 1}: ${shown}` : `header on line ${frame.headerLine + 1}: ${shown}`);
  } else {
    notes.push(c === 1 ? 'no header row: the column is named x1' : `no header row: columns are named x1…x${c}`);
  }
  if (index.indexColumn) notes.push(index.indexNote);
  return { names, indexColumn: index.indexColumn, indexReason: index.indexReason, notes };
}

/**
 * Whether column 1 is a row index: R's row names (the header has one name fewer than the rows have fields,
 * `fromHeader`), or a column that counts 1..N / 0..N−1 with no name or an index-like one.
 */
export function indexColumnOf(
  header: string[] | undefined,
  c: number,
  scan: Pick<ColumnScan, 'rowsOfWidth' | 'seqFrom1' | 'seqFrom0'>,
): { indexColumn: boolean; fromHeader: boolean; indexReason: string; indexNote: string } {
  const { rowsOfWidth, seqFrom1, seqFrom0 } = scan;
  if (header && header.length === c - 1 && c >= 2) {
    return {
      indexColumn: true,
      fromHeader: true,
      indexReason: 'row names (the header has one name fewer than the rows have fields)',
      indexNote: 'column 1 holds row names (the header has one name fewer than the rows have fields), left out',
    };
  }
  if (c >= 2 && rowsOfWidth >= 3 && (seqFrom1 || seqFrom0) && (!header || INDEX_NAME.test(header[0].trim()))) {
    const indexReason = seqFrom1 ? `row index (1..${rowsOfWidth})` : `row index (0..${rowsOfWidth - 1})`;
    return { indexColumn: true, fromHeader: false, indexReason, indexNote: `column 1 is a ${indexReason}, left out` };
  }
  return { indexColumn: false, fromHeader: false, indexReason: '', indexNote: '' };
}

/** Unique names for c columns: the header's (trimmed), `x1…xD` where there is none, `.2`, `.3` for repeats. */
export function uniqueNames(header: string[] | undefined, c: number, indexColumn: boolean): string[] {
  const names: string[] = [];
  const used = new Set<string>();
  for (let j = 0; j < c; j++) {
    let name = header ? header[j].trim() : '';
    if (name === '') name = j === 0 && indexColumn ? 'row index' : `x${j + 1}`;
    let unique = name;
    for (let k = 2; used.has(unique); k++) unique = `${name}.${k}`;
    used.add(unique);
    names.push(unique);
  }
  return names;
}

export interface ColumnSelection {
  /** Numeric columns to fit, in order. */
  selected: number[];
  /** Categorical features (text columns of a few categories, or named by the categorical setting), in order. */
  categorical: number[];
  /** Each categorical feature's categories in code order (numbers by value, then texts by code unit). */
  categories: string[][];
  /** The column of class labels kept apart from the fit, -1 without one. */
  labelColumn: number;
  /** Text labels: the label names, sorted (a row's label is the index of its text here); absent for integer labels. */
  labelNames?: string[];
  /** The column of case weights (weightsColumn), -1 without one. */
  weightsColumn: number;
  dropped: { name: string; reason: string }[];
  /** What was decided about labels when it needs saying (several text columns could be labels). */
  labelNote?: string;
}

export interface SelectionOptions {
  columns?: string[];
  labelsFile?: boolean;
  /** A column of case weights, by name or 1-based number: kept apart from the features. */
  weightsColumn?: string;
  /** The labelColumn setting: "auto" (by name or a lone class-like text column), "none", or a column's name or number. */
  labelColumn?: string;
  /** The categorical setting: columns read as categories even when they hold numbers. */
  categorical?: string[];
  /** The categoryLimit setting: most distinct values of a categorical column. */
  categoryLimit?: number;
  /** A saved model's categorical columns: each is kept whatever its number of values (one, or above categoryLimit). */
  keepCategories?: boolean;
}

/** "auto" and "none" of the labelColumn setting (any case); anything else names a column. */
export function isLabelKeyword(request: string): boolean {
  const r = request.trim().toLowerCase();
  return r === '' || r === 'auto' || r === 'none';
}

/**
 * The columns to fit: those asked for, or every numeric column but the index and the labels; and the categorical
 * features: the columns the categorical setting names, and text columns of 2…categoryLimit repeated values.
 */
export function selectColumns(fileName: string, scan: ColumnScan, naming: ColumnNames, options: SelectionOptions): ColumnSelection {
  const { stats, rowsOfWidth } = scan;
  const { names, indexColumn, indexReason } = naming;
  const c = names.length;
  const limit = options.categoryLimit ?? DEFAULT_CATEGORY_LIMIT;
  const isNumericColumn = (j: number) => stats[j].numeric + stats[j].nonFinite > 0 && stats[j].numeric + stats[j].nonFinite > stats[j].text;
  const dropped: { name: string; reason: string }[] = [];
  const whyNotNumeric = (j: number): string => {
    const st = stats[j];
    if (st.reason) return st.reason;
    if (st.numeric + st.nonFinite + st.text === 0) return 'empty';
    if (st.numeric + st.nonFinite === 0 && st.dates === st.text) return 'dates (not used in a fit)';
    if (st.numeric + st.nonFinite === 0 && (st.nested ?? 0) > 0 && (st.nested ?? 0) + (st.dates ?? 0) === st.text) return 'nested values (lists or objects)';
    const place = scan.place ?? ((n: number) => `line ${n}`);
    const example = st.firstText ? `, e.g. "${clip(st.firstText.value)}" on ${place(st.firstText.line)}` : '';
    return st.numeric + st.nonFinite === 0 ? `text${example}` : `text in ${st.text} of ${rowsOfWidth} cells${example}`;
  };
  /** Why a text column is no categorical feature (undefined: it is one). */
  const whyNotCategorical = (j: number): string | undefined => {
    const st = stats[j];
    // Typed files: dates, nested values and columns their schema rules out are never categories.
    if (st.numeric + st.nonFinite > 0 || st.text === 0 || st.reason || (st.dates ?? 0) > 0 || (st.nested ?? 0) > 0) return whyNotNumeric(j);
    if (st.texts.size === 1) return `a single value ("${clip(st.texts.values().next().value as string)}") in every row`;
    if (st.texts.size === st.text) return `${whyNotNumeric(j)}: every value distinct (an identifier)`;
    if (st.texts.size > limit) return `${whyNotNumeric(j)}: more than ${limit} distinct values (categoryLimit)`;
    return undefined;
  };

  let selected: number[];
  const requested = (options.columns ?? []).filter((s) => s.trim() !== '');
  const weightsName = (options.weightsColumn ?? '').trim();
  const weightsColumn = weightsName === '' ? -1 : resolveColumn(fileName, weightsName, names, 'mixscope.weightsColumn, CLI --weights', 'weights column');
  if (weightsColumn >= 0 && stats[weightsColumn].numeric === 0) {
    throw dataError(
      fileName,
      `the weights column "${names[weightsColumn]}" holds no numbers (it is ${whyNotNumeric(weightsColumn)}). Expected a column of case weights ≥ 0; set weightsColumn to such a column or to "".`,
    );
  }
  const categoryAsked = new Uint8Array(c);
  for (const r of (options.categorical ?? []).filter((s) => s.trim() !== '')) {
    const j = resolveColumn(fileName, r, names, 'mixscope.categorical, CLI --categorical');
    if (j === weightsColumn) throw dataError(fileName, `column "${names[j]}" is asked for both as the case weights (mixscope.weightsColumn) and as categorical (mixscope.categorical): remove it from one of them.`);
    categoryAsked[j] = 1;
  }
  let categorical: number[] = [];
  if (requested.length > 0) {
    selected = requested.map((r) => resolveColumn(fileName, r, names));
    const seen = new Set<number>();
    selected = selected.filter((j) => (seen.has(j) ? false : (seen.add(j), true)));
    if (weightsColumn >= 0 && seen.has(weightsColumn)) {
      throw dataError(fileName, `column "${names[weightsColumn]}" is the weights column, so it cannot also be fitted: leave it out of columns, or set weightsColumn to "".`);
    }
    for (const j of selected) {
      if (categoryAsked[j] || isNumericColumn(j)) continue;
      const why = whyNotCategorical(j);
      if (why === undefined) continue;
      throw dataError(
        fileName,
        `column "${names[j]}" cannot be fitted: it is ${why}. Numeric columns: ${listSome(names.filter((_, k) => isNumericColumn(k))) || 'none'}; text columns of 2–${limit} repeated values are fitted as categories.`,
      );
    }
    categorical = selected.filter((j) => categoryAsked[j] || !isNumericColumn(j));
    selected = selected.filter((j) => !categoryAsked[j] && isNumericColumn(j));
  } else {
    selected = [];
    for (let j = 0; j < c; j++) if (isNumericColumn(j) && !(j === 0 && indexColumn) && j !== weightsColumn && !categoryAsked[j]) selected.push(j);
  }
  const labels = options.labelsFile
    ? { labelColumn: -1 }
    : chooseLabelColumn(fileName, scan, naming, options.labelColumn ?? 'auto', requested.length > 0 ? [...selected, ...categorical] : [], weightsColumn, isNumericColumn, categoryAsked, selected.length > 0);
  const { labelColumn } = labels;
  if (labelColumn >= 0) selected = selected.filter((j) => j !== labelColumn);
  // Text columns of a few repeated values are categorical features (the label column apart).
  const textReason = new Map<number, string>();
  // labelColumn "none" turns the labels off without fitting them: the column "auto" would take stays out of the fit.
  if (!options.labelsFile && (options.labelColumn ?? '').trim().toLowerCase() === 'none') {
    const auto = chooseLabelColumn(fileName, scan, naming, 'auto', requested.length > 0 ? [...selected, ...categorical] : [], weightsColumn, isNumericColumn, categoryAsked, selected.length > 0);
    if (auto.labelColumn >= 0 && auto.labelNames) textReason.set(auto.labelColumn, `${whyNotNumeric(auto.labelColumn)}: class labels, left out (labelColumn "none"; name it in categorical to fit it)`);
  }
  if (requested.length === 0 && !options.labelsFile) {
    for (let j = 0; j < c; j++) {
      if (categoryAsked[j] || j === labelColumn || j === weightsColumn || (j === 0 && indexColumn) || isNumericColumn(j) || textReason.has(j)) continue;
      const why = whyNotCategorical(j);
      if (why === undefined) categorical.push(j);
      else textReason.set(j, why);
    }
    for (let j = 0; j < c; j++) if (categoryAsked[j] && j !== labelColumn) categorical.push(j);
    categorical.sort((a, b) => a - b);
  }
  categorical = categorical.filter((j) => j !== labelColumn);
  // A named categorical column: every non-missing value is a category; one value carries nothing, too many are refused.
  const categories: string[][] = [];
  categorical = categorical.filter((j) => {
    const st = stats[j];
    if (categoryAsked[j] && options.keepCategories) {
      categories.push(sortedTexts(st.texts));
      return true;
    }
    if (categoryAsked[j] && st.texts.size > limit) {
      throw dataError(fileName, `column "${names[j]}" (mixscope.categorical) holds more than ${limit} distinct values: raise categoryLimit (CLI: --category-limit N) or leave the column out of categorical.`);
    }
    if (st.texts.size < 2) {
      textReason.set(j, st.texts.size === 0 ? 'empty' : `a single value ("${clip(st.texts.values().next().value as string)}") in every row`);
      return false;
    }
    categories.push(sortedTexts(st.texts));
    return true;
  });
  // A mask, not selected.includes(j): a one-line file of a million numbers would otherwise take minutes (c²).
  const isSelected = new Uint8Array(c);
  for (const j of selected) isSelected[j] = 1;
  for (const j of categorical) isSelected[j] = 1;
  for (let j = 0; j < c; j++) {
    if (isSelected[j] || j === labelColumn || j === weightsColumn) continue;
    if (j === 0 && indexColumn) dropped.push({ name: names[j], reason: indexReason });
    else if (textReason.has(j)) dropped.push({ name: names[j], reason: textReason.get(j)! });
    else if (requested.length > 0) dropped.push({ name: names[j], reason: 'not selected' });
    else if (!isNumericColumn(j)) dropped.push({ name: names[j], reason: whyNotNumeric(j) });
  }
  if (selected.length === 0 && categorical.length === 0) {
    const reasons = dropped.map((x) => `"${x.name}" (${x.reason})`);
    throw dataError(
      fileName,
      `no column to fit. Columns: ${listSome(reasons)}${labelColumn >= 0 ? `; "${names[labelColumn]}" holds labels` : ''}. ` +
        `Expected at least one column of numbers, or a text column of 2–${limit} repeated values (categories).`,
    );
  }
  return { selected, categorical, categories, weightsColumn, dropped, ...labels };
}

/** Integer labels fit in an Int32Array, without a non-finite or text cell. */
function integerLabels(st: ColumnStats): boolean {
  return st.numeric > 0 && st.text === 0 && st.nonFinite === 0 && st.integral && st.min >= -2147483648 && st.max <= 2147483647;
}

/**
 * Numbers by value ("2" before "10"), then texts by code unit: the same order on every machine, so label codes never
 * depend on the locale.
 */
export function sortedTexts(texts: Set<string>): string[] {
  const key = (t: string) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : Number.NaN);
  return Array.from(texts).sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (!Number.isNaN(x) || !Number.isNaN(y)) return Number.isNaN(x) ? 1 : Number.isNaN(y) ? -1 : x - y || (a < b ? -1 : a > b ? 1 : 0);
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * The label column. "none": none. A name or number: that column (integers, or else every distinct text a label; at
 * most MAX_LABEL_VALUES of them), which must not also be fitted. "auto": a column named like labels holding a few
 * repeated integers, else the one complete text column of a few repeated values (at most MAX_LABEL_VALUES, each seen
 * twice on average: iris's species); several such text columns are ambiguous, so none is taken and the note says how
 * to choose.
 */
function chooseLabelColumn(
  fileName: string,
  scan: ColumnScan,
  naming: ColumnNames,
  request: string,
  fittedOnRequest: number[],
  weightsColumn: number,
  isNumericColumn: (j: number) => boolean,
  categoryAsked: Uint8Array,
  besideNumeric: boolean,
): Omit<ColumnSelection, 'selected' | 'dropped' | 'weightsColumn' | 'categorical' | 'categories'> {
  const { stats } = scan;
  const { names, indexColumn } = naming;
  const c = names.length;
  const keyword = request.trim().toLowerCase();
  if (keyword === 'none') return { labelColumn: -1 };
  if (!isLabelKeyword(request)) {
    const j = resolveColumn(fileName, request, names, 'mixscope.labelColumn, CLI --labels');
    if (fittedOnRequest.includes(j)) {
      throw dataError(fileName, `column "${names[j]}" is asked for both as a column to fit (mixscope.columns) and as the labels (mixscope.labelColumn): remove it from one of them.`);
    }
    if (j === weightsColumn) {
      throw dataError(fileName, `column "${names[j]}" is asked for both as the case weights (mixscope.weightsColumn) and as the labels (mixscope.labelColumn): remove it from one of them.`);
    }
    if (categoryAsked[j]) {
      throw dataError(fileName, `column "${names[j]}" is asked for both as categorical (mixscope.categorical) and as the labels (mixscope.labelColumn): remove it from one of them.`);
    }
    const st = stats[j];
    if (integerLabels(st)) {
      if (st.distinct && st.distinct.size > MAX_LABEL_VALUES) throw tooManyLabels(fileName, names[j]);
      return { labelColumn: j };
    }
    if (st.texts.size === 0) throw dataError(fileName, `column "${names[j]}" (mixscope.labelColumn) is empty: expected a class label in every row.`);
    if (st.texts.size > MAX_LABEL_VALUES) throw tooManyLabels(fileName, names[j]);
    return { labelColumn: j, labelNames: sortedTexts(st.texts) };
  }
  for (let j = 0; j < c; j++) {
    if (!LABEL_COLUMN.test(names[j]) || fittedOnRequest.includes(j) || j === weightsColumn) continue;
    const st = stats[j];
    const fewValues = st.distinct !== undefined && st.distinct.size <= MAX_LABEL_VALUES && st.distinct.size < st.numeric;
    // A few text cells are allowed here (their rows are skipped as rows without a label).
    if (isNumericColumn(j) && integerLabels({ ...st, text: 0 }) && fewValues) return { labelColumn: j };
  }
  const classLike: number[] = [];
  for (let j = 0; j < c; j++) {
    const st = stats[j];
    if ((j === 0 && indexColumn) || j === weightsColumn || categoryAsked[j]) continue;
    // Complete columns only: a row without its label would be skipped, and a guess must never change the fit.
    // Typed files: a column of dates, or with nested values, is no column of class names.
    if (st.numeric + st.nonFinite > 0 || st.text === 0 || st.missing > 0 || st.reason || (st.nested ?? 0) > 0) continue;
    if (st.texts.size >= 2 && st.texts.size <= MAX_LABEL_VALUES && 2 * st.texts.size <= st.text) classLike.push(j);
  }
  // Beside numeric columns, a lone class-like column is the classes (iris's species); several, or text columns alone,
  // are the answers a categorical or mixed model fits.
  if (classLike.length === 1 && besideNumeric) return { labelColumn: classLike[0], labelNames: sortedTexts(stats[classLike[0]].texts) };
  if (classLike.length > 1 && besideNumeric) {
    return {
      labelColumn: -1,
      labelNote: `no labels taken: the text columns ${listSome(classLike.map((j) => `"${names[j]}"`))} could each be class labels, so they are fitted as categorical features; set mixscope.labelColumn (CLI: --labels COLUMN) to score the clusters against one of them instead`,
    };
  }
  return { labelColumn: -1 };
}

function tooManyLabels(fileName: string, name: string): Error {
  return dataError(
    fileName,
    `column "${name}" (mixscope.labelColumn) holds more than ${MAX_LABEL_VALUES} distinct values: expected class labels (a few values, each repeated). Name a column of classes, or set mixscope.labelColumn to "none".`,
  );
}

/** A column by name (exact, then ignoring case) or by 1-based position. */
function resolveColumn(fileName: string, request: string, names: string[], setting?: string, what = 'column'): number {
  const r = request.trim();
  let j = names.indexOf(r);
  if (j >= 0) return j;
  const lower = r.toLowerCase();
  const matches = names.map((n, k) => (n.toLowerCase() === lower ? k : -1)).filter((k) => k >= 0);
  if (matches.length === 1) return matches[0];
  if (/^\d+$/.test(r)) {
    j = Number(r) - 1;
    if (j >= 0 && j < names.length) return j;
  }
  throw dataError(fileName, `there is no ${what} "${r}"${setting ? ` (${setting})` : ''}. Available columns: ${listSome(names, 40)} (or their positions 1–${names.length}).`);
}
