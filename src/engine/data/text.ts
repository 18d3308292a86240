// Delimited text tables (.csv .tsv .txt .dat .data).
//
// papaparse tokenises every line that holds a quote (quoted fields, doubled quotes, delimiters inside quotes);
// lines without a quote take the plain split that papaparse's own fast mode uses. What no library does is written
// here: choosing the delimiter by how numeric the resulting columns are (comma, tab, semicolon, bar, runs of
// spaces, with decimal commas), finding the table after a free-text preamble, a header line (also one written as a
// `#` comment), comment lines, a trailing delimiter and a leading row-index column. Rows that cannot be used are
// skipped and reported with their line numbers.
//
// Two passes over the table (types, then values) keep memory at the size of the result, never a string per cell.

import Papa from 'papaparse';
import type { DatasetSummary } from '../../shared/protocol';
import { allocate, baseName, dataError, emptySummary, listSome, plural } from './common';
import type { ImageData, TableData } from './dataset';
import { decodeText } from './decode';
import { imageShape, MIN_IMAGE_PIXELS, pixelScale } from './images';

export interface TextOptions {
  columns?: string[];
  imageWidth?: number;
  /** The file is itself a labels file: its column named "label" is the data, never set apart as labels. */
  labelsFile?: boolean;
}

/** ' ' stands for runs of spaces and tabs. */
type Delimiter = ',' | '\t' | ';' | '|' | ' ';
const DELIMITERS: Delimiter[] = [',', '\t', ';', '|', ' '];
const DELIMITER_NAMES: Record<Delimiter, string> = {
  ',': 'comma',
  '\t': 'tab',
  ';': 'semicolon',
  '|': 'vertical bar',
  ' ': 'runs of spaces',
};

/** Lines looked at to choose the delimiter and find the table. */
const SAMPLE_LINES = 2000;
/** …and at most about this many characters of them (wide pixel rows). */
const SAMPLE_CHARS = 1_000_000;
/** A quoted field may span at most this many lines. */
const MAX_QUOTED_LINES = 100;
/** Line numbers listed per kind of skipped row. */
const LINES_SHOWN = 10;
/** Header names that mark a column of class labels (taken out of the fit when they are integers). */
export const LABEL_COLUMN = /^(labels?|class|target|y|digit)$/i;
/** Header names of a row-index column (a column named "x" or "time" that counts 1..N is data, not an index). */
const INDEX_NAME = /^(|id|idx|index|row|rows|rownames?|row\.names|row_id|no\.?|nr|num|obs|#|unnamed: ?0)$/i;
/** A label column has at most this many distinct values (and repeats some): "x,y" coordinates are not labels. */
const MAX_LABEL_VALUES = 100;

// ---------------------------------------------------------------- cells

const NUM = 0;
const NONFINITE = 1;
const MISSING = 2;
const TEXT = 3;
type CellKind = typeof NUM | typeof NONFINITE | typeof MISSING | typeof TEXT;

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const MISSING_TOKENS = new Set(['na', 'n/a', 'nan', '-nan', 'null', 'none', '?', '#n/a']);
const INFINITY_TOKENS = new Map<string, number>([
  ['inf', Infinity],
  ['+inf', Infinity],
  ['-inf', -Infinity],
  ['infinity', Infinity],
  ['+infinity', Infinity],
  ['-infinity', -Infinity],
]);

/** Value of the last cell classified as NUM or NONFINITE (avoids an allocation per cell). */
let cellValue = 0;

function classify(raw: string, decimalComma: boolean): CellKind {
  let s = raw;
  if (s.length === 0) return MISSING;
  if (s.charCodeAt(0) <= 32 || s.charCodeAt(s.length - 1) <= 32) {
    s = s.trim();
    if (s.length === 0) return MISSING;
  }
  if (decimalComma) {
    const comma = s.indexOf(',');
    if (comma >= 0) {
      // "3,6" and ",5" but not "39," (a word followed by a comma) nor "1.234,5".
      const next = s.charCodeAt(comma + 1);
      if (s.indexOf('.') >= 0 || !(next >= 48 && next <= 57)) return TEXT;
      s = s.replace(',', '.');
    }
  }
  if (NUMBER_RE.test(s)) {
    cellValue = +s;
    return Number.isFinite(cellValue) ? NUM : NONFINITE; // 1e309 overflows to Infinity
  }
  const lower = s.toLowerCase();
  if (MISSING_TOKENS.has(lower)) return MISSING;
  const inf = INFINITY_TOKENS.get(lower);
  if (inf !== undefined) {
    cellValue = inf;
    return NONFINITE;
  }
  return TEXT;
}

// ---------------------------------------------------------------- lines and fields

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) > 32) return false;
  return true;
}

/** First non-blank character is # or %. */
function isComment(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c > 32) return c === 0x23 || c === 0x25;
  }
  return false;
}

function countQuotes(line: string): number {
  let count = 0;
  for (let i = line.indexOf('"'); i >= 0; i = line.indexOf('"', i + 1)) count++;
  return count;
}

/** Fields of one (logical) line, or undefined when its quotes are broken. */
function tokenize(line: string, delimiter: Delimiter): string[] | undefined {
  if (line.indexOf('"') < 0) {
    if (delimiter === ' ') {
      const t = line.trim();
      return t.length === 0 ? [] : t.split(/[ \t]+/);
    }
    return line.split(delimiter);
  }
  const input = delimiter === ' ' ? line.trim().replace(/\t/g, ' ') : line;
  const parsed = Papa.parse<string[]>(input, { delimiter, quoteChar: '"', header: false, skipEmptyLines: false, dynamicTyping: false });
  if (parsed.errors.length > 0 || parsed.data.length !== 1) return undefined;
  const fields = parsed.data[0];
  return delimiter === ' ' ? fields.filter((f) => f !== '') : fields;
}

/** Text after the comment marks of a comment line ("# a,b" → "a,b"). */
function commentBody(line: string): string {
  return line.replace(/^\s*[#%]+\s*/, '');
}

// ---------------------------------------------------------------- rows of the table

/**
 * One row's cells, classified without a string per cell: lines without a quote are scanned in place (numbers parsed
 * from the character codes), lines with quotes go through papaparse. Reused for every row.
 */
class RowScanner {
  count = 0;
  /** The quotes of the line do not close. */
  broken = false;
  kinds = new Uint8Array(64);
  values = new Float64Array(64);
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private line = '';
  private fields: string[] | undefined;

  constructor(
    private readonly delimiter: Delimiter,
    private readonly decimalComma: boolean,
  ) {}

  /** Raw text of field j (trimmed), for messages. */
  text(j: number): string {
    return (this.fields ? this.fields[j] : this.line.slice(this.starts[j], this.ends[j])).trim();
  }

  private grow(): void {
    const size = this.kinds.length * 2;
    const grow = <T extends Uint8Array | Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.kinds = grow(this.kinds, (k) => new Uint8Array(k));
    this.values = grow(this.values, (k) => new Float64Array(k));
    this.starts = grow(this.starts, (k) => new Int32Array(k));
    this.ends = grow(this.ends, (k) => new Int32Array(k));
  }

  scan(line: string): void {
    this.line = line;
    this.broken = false;
    if (line.indexOf('"') >= 0) {
      const fields = tokenize(line, this.delimiter);
      this.fields = fields;
      if (!fields) {
        this.broken = true;
        this.count = 0;
        return;
      }
      while (fields.length > this.kinds.length) this.grow();
      for (let j = 0; j < fields.length; j++) {
        this.kinds[j] = classify(fields[j], this.decimalComma);
        this.values[j] = cellValue;
      }
      this.count = fields.length;
      return;
    }
    this.fields = undefined;
    const len = line.length;
    let i = 0;
    let j = 0;
    if (this.delimiter === ' ') {
      for (;;) {
        while (i < len && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
        if (i >= len) break;
        const start = i;
        while (i < len && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 9) i++;
        if (j === this.kinds.length) this.grow();
        this.cell(j++, start, i);
      }
    } else {
      const d = this.delimiter.charCodeAt(0);
      for (;;) {
        const start = i;
        while (i < len && line.charCodeAt(i) !== d) i++;
        if (j === this.kinds.length) this.grow();
        this.cell(j++, start, i);
        if (i >= len) break;
        i++;
      }
    }
    this.count = j;
  }

  /** Classifies line[start, end): a plain decimal number is parsed from the character codes, the rest by classify. */
  private cell(j: number, start: number, end: number): void {
    const line = this.line;
    this.starts[j] = start;
    this.ends[j] = end;
    let a = start;
    let b = end;
    while (a < b && line.charCodeAt(a) <= 32) a++;
    while (b > a && line.charCodeAt(b - 1) <= 32) b--;
    if (a === b) {
      this.kinds[j] = MISSING;
      return;
    }
    let i = a;
    let c = line.charCodeAt(i);
    let negative = false;
    if (c === 45 || c === 43) {
      negative = c === 45;
      i++;
    }
    let intValue = 0;
    let digits = 0;
    while (i < b && (c = line.charCodeAt(i)) >= 48 && c <= 57) {
      intValue = intValue * 10 + (c - 48);
      digits++;
      i++;
    }
    if (i === b && digits > 0 && digits <= 15) {
      // A plain integer: exact without parsing a string (−0 keeps its sign).
      this.kinds[j] = NUM;
      this.values[j] = negative ? -intValue : intValue;
      return;
    }
    const kind = classify(line.slice(a, b), this.decimalComma);
    this.kinds[j] = kind;
    this.values[j] = cellValue;
  }
}

// ---------------------------------------------------------------- choosing the delimiter and finding the table

interface SampleLine {
  /** 0-based physical line. */
  index: number;
  fields: string[];
  kinds: CellKind[];
  numeric: number;
  text: number;
  /** Its quotes do not close on the line. */
  broken: boolean;
}

interface Layout {
  delimiter: Delimiter;
  decimalComma: boolean;
  /** Fields per row. */
  c: number;
  sample: SampleLine[];
  numericColumn: boolean[];
  score: number;
}

function analyse(lines: SampleLine[], c: number): { numericColumn: boolean[]; score: number } {
  const num = new Array<number>(c).fill(0);
  const text = new Array<number>(c).fill(0);
  let score = 0;
  for (const l of lines) {
    if (l.fields.length !== c) continue;
    if (l.numeric > 0) score += l.numeric - l.text; // lines of words (preamble, header) do not count
    for (let j = 0; j < c; j++) {
      const k = l.kinds[j];
      if (k === NUM || k === NONFINITE) num[j]++;
      else if (k === TEXT) text[j]++;
    }
  }
  return { numericColumn: num.map((v, j) => v >= 1 && v >= text[j]), score };
}

function modalCount(lines: SampleLine[], accept: (l: SampleLine) => boolean): number {
  const counts = new Map<number, number>();
  let best = 0;
  let bestCount = 0;
  for (const l of lines) {
    if (!accept(l) || l.fields.length === 0) continue;
    const v = (counts.get(l.fields.length) ?? 0) + 1;
    counts.set(l.fields.length, v);
    if (v > bestCount || (v === bestCount && l.fields.length > best)) {
      best = l.fields.length;
      bestCount = v;
    }
  }
  return best;
}

function layoutFor(delimiter: Delimiter, rawLines: string[], contentIndex: number[], decimalComma: boolean): Layout {
  const sample: SampleLine[] = [];
  for (const index of contentIndex) {
    const tokens = tokenize(rawLines[index], delimiter);
    const fields = tokens ?? [];
    const kinds = fields.map((f) => classify(f, decimalComma));
    let numeric = 0;
    let text = 0;
    for (const k of kinds) {
      if (k === NUM || k === NONFINITE) numeric++;
      else if (k === TEXT) text++;
    }
    sample.push({ index, fields, kinds, numeric, text, broken: tokens === undefined });
  }
  let c = modalCount(sample, (l) => l.numeric > 0 && l.numeric >= l.text);
  if (c === 0) c = modalCount(sample, () => true);
  const { numericColumn, score } = analyse(sample, c);
  return { delimiter, decimalComma, c, sample, numericColumn, score };
}

function chooseLayout(rawLines: string[], contentIndex: number[]): Layout {
  let best: Layout | undefined;
  for (const delimiter of DELIMITERS) {
    const layout = layoutFor(delimiter, rawLines, contentIndex, delimiter !== ',');
    if (!best || layout.score > best.score || (layout.score === best.score && layout.c > best.c)) best = layout;
  }
  const chosen = best as Layout;
  // Decimal commas only when the sample really has numbers written with one.
  if (chosen.delimiter !== ',') {
    const uses = chosen.sample.some(
      (l) => l.fields.length === chosen.c && l.fields.some((f, j) => (l.kinds[j] === NUM || l.kinds[j] === NONFINITE) && f.indexOf(',') >= 0),
    );
    if (!uses) return layoutFor(chosen.delimiter, rawLines, contentIndex, false);
  }
  return chosen;
}

// ---------------------------------------------------------------- the loader

interface ColumnStats {
  numeric: number;
  nonFinite: number;
  missing: number;
  text: number;
  firstText?: { value: string; line: number };
  integral: boolean;
  min: number;
  max: number;
  /** Distinct values, counted up to MAX_LABEL_VALUES + 1 (only for columns named like labels). */
  distinct?: Set<number>;
}

interface SkipKind {
  count: number;
  lines: number[];
  detail?: string;
}

export function loadDelimitedText(fileName: string, bytes: Uint8Array, options: TextOptions): TableData | ImageData {
  const file = baseName(fileName);
  const { text, encodingNote } = decodeText(fileName, bytes);
  const notes: string[] = [];
  if (encodingNote) notes.push(encodingNote);
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop(); // the newline that ends the last line

  // Lines with content (not blank, not a comment), the first SAMPLE_LINES of them, to choose the layout.
  const contentIndex: number[] = [];
  let anyComment = false;
  let sampleChars = 0;
  for (let i = 0; i < lines.length && contentIndex.length < SAMPLE_LINES && (sampleChars < SAMPLE_CHARS || contentIndex.length < 50); i++) {
    if (isBlank(lines[i])) continue;
    if (isComment(lines[i])) {
      anyComment = true;
      continue;
    }
    contentIndex.push(i);
    sampleChars += lines[i].length;
  }
  if (contentIndex.length === 0) {
    throw dataError(fileName, anyComment ? 'the file holds only comment and blank lines: expected a table of numbers.' : 'the file holds only blank lines: expected a table of numbers.');
  }

  const layout = chooseLayout(lines, contentIndex);
  const { delimiter, decimalComma, sample, numericColumn } = layout;
  let c = layout.c;
  if (!numericColumn.some(Boolean)) throw noNumbers(fileName, sample, delimiter);

  // The table starts at the first row that fits its shape and is followed by another that fits (or ends the sample).
  const fits = (l: SampleLine) => l.fields.length === c && l.kinds.every((k, j) => !numericColumn[j] || k !== TEXT);
  const allNumeric = (l: SampleLine) => l.fields.length > 0 && l.numeric > 0 && l.text === 0;
  // A header names columns: text cells only, at least one with a letter that is not a missing-value token ("NA,NA,-"
  // is a row of missing cells, not a header).
  const isHeaderLike = (fields: string[]) => {
    let named = false;
    for (const f of fields) {
      const k = classify(f, decimalComma);
      if (k !== TEXT && k !== MISSING) return false;
      if (k === TEXT && /\p{L}/u.test(f)) named = true;
    }
    return named;
  };
  /** A row of the table's width that is no header: data whose cells are all missing or unreadable. */
  const unusableRow = (l: SampleLine) => l.fields.length === c && !isHeaderLike(l.fields);
  let start = -1;
  for (let s = 0; s < sample.length; s++) {
    const next = sample[s + 1];
    if (fits(sample[s]) && (s === sample.length - 1 || fits(next) || allNumeric(next) || unusableRow(next))) {
      start = s;
      break;
    }
  }
  if (start < 0) start = sample.findIndex(fits);
  if (start < 0) throw noNumbers(fileName, sample, delimiter);
  // Rows just above the start that are data with a flaw (a text cell, a missing field) belong to the table.
  while (start > 0) {
    const above = sample[start - 1];
    const flawedRow = above.fields.length === c && above.kinds.some((k, j) => numericColumn[j] && (k === NUM || k === NONFINITE));
    if (flawedRow || allNumeric(above) || above.broken) start--;
    else break;
  }
  const tableStart = sample[start].index;

  // Header: the nearest line above the table (a comment line may hold it, as numpy.savetxt writes it).
  let header: string[] | undefined;
  let headerLine = -1;
  let headerFromComment = false;
  const headerFits = (fields: string[]) => (fields.length === c || (fields.length === c - 1 && c >= 2)) && isHeaderLike(fields);
  /** A header line may end with delimiters the rows do not have ("a,b," over "1,2"). */
  const trimHeader = (fields: string[]) => {
    const f = fields.slice();
    while (f.length > c && f[f.length - 1].trim() === '') f.pop();
    return f;
  };
  for (let i = tableStart - 1; i >= 0; i--) {
    const line = lines[i];
    if (isBlank(line)) continue;
    if (isComment(line)) {
      const tokens = tokenize(commentBody(line), delimiter);
      const fields = tokens && trimHeader(tokens);
      if (fields && headerFits(fields)) {
        header = fields;
        headerLine = i;
        headerFromComment = true;
        break;
      }
      continue;
    }
    const tokens = tokenize(line, delimiter);
    const fields = tokens && trimHeader(tokens);
    if (fields && headerFits(fields)) {
      header = fields;
      headerLine = i;
    }
    break;
  }
  const tableRows = sample.slice(start).filter((l) => l.fields.length === c);

  // A delimiter at the end of every line makes an empty last field: not a column.
  let trailingDelimiter = false;
  if (delimiter !== ' ' && c >= 2 && tableRows.length > 0 && tableRows.every((l) => l.fields[c - 1].trim() === '')) {
    if (!header || header.length === c - 1 || header[c - 1].trim() === '') {
      trailingDelimiter = true;
      c -= 1;
      if (header && header.length > c) header = header.slice(0, c);
      notes.push('a delimiter ends every line: the empty last field is ignored');
    }
  }

  notes.unshift(c === 1 ? 'one column per line (no delimiter)' : `delimiter: ${DELIMITER_NAMES[delimiter]}`);
  if (decimalComma) notes.push('decimal commas (3,6 is read as 3.6)');

  // Preamble: everything above the header (or above the table when there is none).
  const firstTableLine = headerLine >= 0 ? headerLine : tableStart;
  if (firstTableLine > 0) {
    let contentAbove = false;
    let commentAbove = 0;
    for (let i = 0; i < firstTableLine; i++) {
      if (isBlank(lines[i])) continue;
      if (isComment(lines[i])) commentAbove++;
      else contentAbove = true;
    }
    if (contentAbove) notes.push(`skipped ${plural(firstTableLine, 'preamble line')} (lines 1–${firstTableLine}) before the table`);
    else if (commentAbove > 0) notes.push(`skipped ${plural(commentAbove, 'comment line')} before the table`);
  }

  // ---- pass 1: shape and type of every column
  const stats: ColumnStats[] = Array.from({ length: c }, (_, j) => ({
    numeric: 0,
    nonFinite: 0,
    missing: 0,
    text: 0,
    integral: true,
    min: Infinity,
    max: -Infinity,
    distinct: header && LABEL_COLUMN.test((header[j - (header.length === c - 1 ? 1 : 0)] ?? '').trim()) ? new Set<number>() : undefined,
  }));
  let rowsOfWidth = 0;
  let seqFrom1 = true;
  let seqFrom0 = true;
  let blankInside = 0;
  let commentInside = 0;
  const row = new RowScanner(delimiter, decimalComma);
  /** Visits every row of the table (from tableStart) with `row` holding its cells. */
  const walk = (visit: (line: number) => void) => {
    blankInside = 0;
    commentInside = 0;
    for (let i = tableStart; i < lines.length; i++) {
      const raw = lines[i];
      if (isBlank(raw)) {
        blankInside++;
        continue;
      }
      if (isComment(raw)) {
        commentInside++;
        continue;
      }
      const lineNumber = i + 1;
      let logical = raw;
      if (raw.indexOf('"') >= 0 && (countQuotes(raw) & 1) === 1) {
        // A quoted field that goes on over the next lines.
        let joined = raw;
        for (let j = i + 1; j < lines.length && j <= i + MAX_QUOTED_LINES; j++) {
          joined += '\n' + lines[j];
          if ((countQuotes(lines[j]) & 1) === 1) {
            logical = joined;
            i = j;
            break;
          }
        }
      }
      row.scan(logical);
      if (trailingDelimiter && row.count === c + 1 && row.kinds[c] === MISSING) row.count = c;
      visit(lineNumber);
    }
  };
  walk((line) => {
    if (row.broken || row.count !== c) return;
    const r = rowsOfWidth++;
    const kinds = row.kinds;
    const vals = row.values;
    for (let j = 0; j < c; j++) {
      const st = stats[j];
      const kind = kinds[j];
      if (kind === NUM) {
        st.numeric++;
        const v = vals[j];
        if (v < st.min) st.min = v;
        if (v > st.max) st.max = v;
        if (st.integral && !Number.isInteger(v)) st.integral = false;
        if (st.distinct && st.distinct.size <= MAX_LABEL_VALUES) st.distinct.add(v);
        if (j === 0) {
          if (v !== r + 1) seqFrom1 = false;
          if (v !== r) seqFrom0 = false;
        }
      } else {
        if (j === 0) seqFrom1 = seqFrom0 = false;
        if (kind === NONFINITE) st.nonFinite++;
        else if (kind === MISSING) st.missing++;
        else {
          st.text++;
          if (!st.firstText) st.firstText = { value: row.text(j), line };
        }
      }
    }
  });
  if (blankInside > 0 || commentInside > 0) {
    const parts = [];
    if (blankInside > 0) parts.push(plural(blankInside, 'blank line'));
    if (commentInside > 0) parts.push(plural(commentInside, 'comment line'));
    notes.push(`ignored ${parts.join(' and ')} inside the table`);
  }
  if (rowsOfWidth === 0) {
    throw dataError(fileName, `no row has the table's ${c} fields: the rows are ragged. Check the delimiter (${DELIMITER_NAMES[delimiter]}).`);
  }

  // ---- columns: names, row index, labels, types
  const names: string[] = [];
  let indexColumn = false;
  let indexReason = '';
  let indexNote = '';
  if (header && header.length === c - 1 && c >= 2) {
    indexColumn = true;
    indexReason = 'row names (the header has one name fewer than the rows have fields)';
    indexNote = 'column 1 holds row names (the header has one name fewer than the rows have fields), left out';
    header = ['', ...header];
  } else if (c >= 2 && rowsOfWidth >= 3 && (seqFrom1 || seqFrom0) && (!header || INDEX_NAME.test(header[0].trim()))) {
    indexColumn = true;
    indexReason = seqFrom1 ? `row index (1..${rowsOfWidth})` : `row index (0..${rowsOfWidth - 1})`;
    indexNote = `column 1 is a ${indexReason}, left out`;
  }
  const used = new Set<string>();
  for (let j = 0; j < c; j++) {
    let name = header ? header[j].trim() : '';
    if (name === '') name = j === 0 && indexColumn ? 'row index' : `x${j + 1}`;
    let unique = name;
    for (let k = 2; used.has(unique); k++) unique = `${name}.${k}`;
    used.add(unique);
    names.push(unique);
  }
  if (header) {
    const shown = listSome(names.slice(indexColumn ? 1 : 0));
    notes.push(headerFromComment ? `header from comment line ${headerLine + 1}: ${shown}` : `header on line ${headerLine + 1}: ${shown}`);
  } else {
    notes.push(c === 1 ? 'no header row: the column is named x1' : `no header row: columns are named x1…x${c}`);
  }
  if (indexColumn) notes.push(indexNote);

  const isNumericColumn = (j: number) => stats[j].numeric + stats[j].nonFinite > 0 && stats[j].numeric + stats[j].nonFinite > stats[j].text;
  const dropped: { name: string; reason: string }[] = [];
  const whyNotNumeric = (j: number): string => {
    const st = stats[j];
    if (st.numeric + st.nonFinite + st.text === 0) return 'empty';
    const example = st.firstText ? `, e.g. "${clip(st.firstText.value)}" on line ${st.firstText.line}` : '';
    return st.numeric + st.nonFinite === 0 ? `text${example}` : `text in ${st.text} of ${rowsOfWidth} cells${example}`;
  };

  let selected: number[];
  const requested = (options.columns ?? []).filter((s) => s.trim() !== '');
  if (requested.length > 0) {
    selected = requested.map((r) => resolveColumn(fileName, r, names));
    const seen = new Set<number>();
    selected = selected.filter((j) => (seen.has(j) ? false : (seen.add(j), true)));
    for (const j of selected) {
      if (!isNumericColumn(j)) {
        throw dataError(
          fileName,
          `column "${names[j]}" cannot be fitted: it is ${whyNotNumeric(j)}. Numeric columns: ${listSome(names.filter((_, k) => isNumericColumn(k))) || 'none'}.`,
        );
      }
    }
  } else {
    selected = [];
    for (let j = 0; j < c; j++) if (isNumericColumn(j) && !(j === 0 && indexColumn)) selected.push(j);
  }
  // A label column (by name, integers) is kept apart from the fit.
  let labelColumn = -1;
  for (let j = 0; j < c; j++) {
    if (options.labelsFile || !LABEL_COLUMN.test(names[j]) || (requested.length > 0 && selected.includes(j))) continue;
    const st = stats[j];
    const fewValues = st.distinct !== undefined && st.distinct.size <= MAX_LABEL_VALUES && st.distinct.size < st.numeric;
    if (isNumericColumn(j) && st.integral && fewValues && st.nonFinite === 0 && st.min >= -2147483648 && st.max <= 2147483647) {
      labelColumn = j;
      break;
    }
  }
  if (labelColumn >= 0) selected = selected.filter((j) => j !== labelColumn);
  // A mask, not selected.includes(j): a one-line file of a million numbers would otherwise take minutes (c²).
  const isSelected = new Uint8Array(c);
  for (const j of selected) isSelected[j] = 1;
  for (let j = 0; j < c; j++) {
    if (isSelected[j] || j === labelColumn) continue;
    if (j === 0 && indexColumn) dropped.push({ name: names[j], reason: indexReason });
    else if (requested.length > 0) dropped.push({ name: names[j], reason: 'not selected' });
    else if (!isNumericColumn(j)) dropped.push({ name: names[j], reason: whyNotNumeric(j) });
  }
  if (selected.length === 0) {
    const reasons = dropped.map((x) => `"${x.name}" (${x.reason})`);
    throw dataError(
      fileName,
      `no numeric column to fit. Columns: ${listSome(reasons)}${labelColumn >= 0 ? `; "${names[labelColumn]}" holds labels` : ''}. ` +
        'Expected at least one column of numbers.',
    );
  }
  const d = selected.length;

  // Pixel rows (all selected columns integers in 0..255, a known image shape) go straight to bytes.
  const pixelLike = selected.every((j) => stats[j].integral && stats[j].nonFinite === 0 && (stats[j].numeric === 0 || (stats[j].min >= 0 && stats[j].max <= 255)));
  const widthGiven = options.imageWidth !== undefined && options.imageWidth > 0 && d % options.imageWidth === 0;
  const shape = pixelLike && (d >= 64 || (widthGiven && d >= MIN_IMAGE_PIXELS)) ? imageShape(d, options.imageWidth) : undefined;

  // ---- pass 2: values
  const capacity = rowsOfWidth * d;
  const values: Float64Array | Uint8Array = shape
    ? allocate(fileName, 'the pixels', capacity, () => new Uint8Array(capacity))
    : allocate(fileName, 'the table', capacity * 8, () => new Float64Array(capacity));
  const sourceLines = new Uint32Array(rowsOfWidth);
  const labels = labelColumn >= 0 ? new Int32Array(rowsOfWidth) : undefined;
  const skips = new Map<string, SkipKind>();
  const skip = (kind: string, line: number, detail?: string) => {
    let s = skips.get(kind);
    if (!s) skips.set(kind, (s = { count: 0, lines: [], detail }));
    s.count++;
    if (s.lines.length < LINES_SHOWN) s.lines.push(line);
  };
  const allSkippedLines: number[] = [];
  let n = 0;
  let maxValue = 0;
  walk((line) => {
    if (row.broken) {
      skip('quotes', line);
      if (allSkippedLines.length < 20) allSkippedLines.push(line);
      return;
    }
    if (row.count !== c) {
      skip('ragged', line, `expected ${c} fields`);
      if (allSkippedLines.length < 20) allSkippedLines.push(line);
      return;
    }
    const base = n * d;
    const kinds = row.kinds;
    const vals = row.values;
    let problem: string | undefined;
    let detail: string | undefined;
    for (let k = 0; k < d; k++) {
      const j = selected[k];
      const kind = kinds[j];
      if (kind === NUM) {
        const v = vals[j];
        values[base + k] = v;
        if (v > maxValue) maxValue = v;
        continue;
      }
      problem = kind === MISSING ? 'missing' : kind === NONFINITE ? 'nonfinite' : 'text';
      detail = `"${clip(row.text(j))}" in ${names[j]}`;
      break;
    }
    if (!problem && labels) {
      const v = vals[labelColumn];
      if (kinds[labelColumn] !== NUM || !Number.isInteger(v)) {
        problem = 'label';
        detail = `"${clip(row.text(labelColumn))}"`;
      } else {
        labels[n] = v;
      }
    }
    if (problem) {
      skip(problem, line, detail);
      if (allSkippedLines.length < 20) allSkippedLines.push(line);
      return;
    }
    sourceLines[n] = line;
    n++;
  });
  let skippedRows = 0;
  const skipTexts: string[] = [];
  const describe: Record<string, string> = {
    missing: 'missing values',
    nonfinite: 'non-finite values (NaN, Inf or too large)',
    text: 'text in a numeric column',
    ragged: 'a different number of fields',
    quotes: 'unbalanced quotes',
    label: 'a missing or non-integer label',
  };
  for (const [kind, s] of skips) {
    skippedRows += s.count;
    const where = `${s.count === 1 ? 'line' : 'lines'} ${listSome(s.lines, LINES_SHOWN)}${s.count > s.lines.length ? ', …' : ''}`;
    const example = kind === 'ragged' ? ` (${s.detail})` : s.detail ? ` (first: ${s.detail})` : '';
    skipTexts.push(`${plural(s.count, 'row')} skipped: ${describe[kind]} at ${where}${example}`);
  }
  if (n === 0) {
    throw dataError(fileName, `no complete row to fit: ${skipTexts.join('; ')}. Expected numbers in ${listSome(selected.map((j) => names[j]))}.`);
  }
  notes.push(...skipTexts);
  if (labels) {
    notes.push(`labels: column "${names[labelColumn]}" (not used in the fit)`);
  }

  const columns = selected.map((j) => names[j]);
  const summary: DatasetSummary = {
    ...emptySummary(file),
    n,
    d,
    columns,
    droppedColumns: dropped,
    skippedRows,
    skippedLines: allSkippedLines,
    notes,
    hasLabels: labels !== undefined,
  };
  if (shape) {
    const pixels = n * d === capacity ? (values as Uint8Array) : (values as Uint8Array).slice(0, n * d);
    summary.imageShape = shape;
    const scale = pixelScale(maxValue);
    notes.push(`read as ${n} images of ${shape[0]}×${shape[1]} pixels (values 0..${maxValue}${scale > 1 ? `, ${scale} = fully on` : ''})`);
    return { kind: 'images', n, d, height: shape[0], width: shape[1], pixels, scale, labels: labels?.slice(0, n), summary };
  }
  return {
    kind: 'table',
    n,
    d,
    values: n * d === capacity ? (values as Float64Array) : (values as Float64Array).slice(0, n * d),
    columns,
    sourceLines: sourceLines.slice(0, n),
    labels: labels?.slice(0, n),
    labelColumn: labels ? names[labelColumn] : undefined,
    summary,
  };
}

function clip(s: string): string {
  return s.length > 30 ? s.slice(0, 27) + '…' : s;
}

/** A column by name (exact, then ignoring case) or by 1-based position. */
function resolveColumn(fileName: string, request: string, names: string[]): number {
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
  throw dataError(fileName, `there is no column "${r}". Available columns: ${listSome(names, 40)} (or their positions 1–${names.length}).`);
}

/** No numeric table found: header only, or text everywhere. */
function noNumbers(fileName: string, sample: SampleLine[], delimiter: Delimiter) {
  if (sample.length === 1) {
    return dataError(fileName, `the file has a header (line ${sample[0].index + 1}: ${listSome(sample[0].fields.map((f) => f.trim()))}) but no data rows.`, sample[0].index + 1);
  }
  const first = sample.slice(0, 2).map((l) => `line ${l.index + 1}: ${listSome(l.fields.map((f) => clip(f.trim())), 6)}`);
  return dataError(
    fileName,
    `no column holds numbers (delimiter: ${DELIMITER_NAMES[delimiter]}; ${first.join('; ')}). Expected a table with at least one column of numbers.`,
    sample[0].index + 1,
  );
}
