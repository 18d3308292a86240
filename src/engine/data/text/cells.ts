// Cells and fields of delimited text: what one cell holds (a number, a non-finite number, a missing value, text),
// how a line splits into fields (papaparse for lines with quotes, a plain split otherwise), and RowScanner, which
// classifies one row's cells without a string per cell.

import Papa from 'papaparse';

/** ' ' stands for runs of spaces and tabs. */
export type Delimiter = ',' | '\t' | ';' | '|' | ' ';
export const DELIMITERS: Delimiter[] = [',', '\t', ';', '|', ' '];
export const DELIMITER_NAMES: Record<Delimiter, string> = {
  ',': 'comma',
  '\t': 'tab',
  ';': 'semicolon',
  '|': 'vertical bar',
  ' ': 'runs of spaces',
};

// ---------------------------------------------------------------- cells

export const NUM = 0;
export const NONFINITE = 1;
export const MISSING = 2;
export const TEXT = 3;
export type CellKind = typeof NUM | typeof NONFINITE | typeof MISSING | typeof TEXT;

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

/** The number of the last cell `classify` found NUM or NONFINITE. */
export function cellNumber(): number {
  return cellValue;
}

export function classify(raw: string, decimalComma: boolean): CellKind {
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

/** Number of cells of `kinds` that hold numbers (finite or not) and text: how a line looks. */
export function countKinds(kinds: readonly CellKind[]): { numeric: number; text: number } {
  let numeric = 0;
  let text = 0;
  for (const k of kinds) {
    if (k === NUM || k === NONFINITE) numeric++;
    else if (k === TEXT) text++;
  }
  return { numeric, text };
}

// ---------------------------------------------------------------- lines and fields

export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) > 32) return false;
  return true;
}

/** First non-blank character is # or %. */
export function isComment(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c > 32) return c === 0x23 || c === 0x25;
  }
  return false;
}

export function countQuotes(line: string): number {
  let count = 0;
  for (let i = line.indexOf('"'); i >= 0; i = line.indexOf('"', i + 1)) count++;
  return count;
}

/** Fields of one (logical) line, or undefined when its quotes are broken. */
export function tokenize(line: string, delimiter: Delimiter): string[] | undefined {
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
export function commentBody(line: string): string {
  return line.replace(/^\s*[#%]+\s*/, '');
}

// ---------------------------------------------------------------- rows of the table

/**
 * One row's cells, classified without a string per cell: lines without a quote are scanned in place (numbers parsed
 * from the character codes), lines with quotes go through papaparse. Reused for every row.
 */
export class RowScanner {
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

/**
 * A header names columns: text cells only, at least one with a letter that is not a missing-value token ("NA,NA,-"
 * is a row of missing cells, not a header).
 */
export function isHeaderLike(fields: string[], decimalComma: boolean): boolean {
  let named = false;
  for (const f of fields) {
    const k = classify(f, decimalComma);
    if (k !== TEXT && k !== MISSING) return false;
    if (k === TEXT && /\p{L}/u.test(f)) named = true;
  }
  return named;
}
