// Cells and fields of delimited text: what one cell holds (a number, a non-finite number, a missing value, text),
// how a line splits into fields (papaparse for lines with quotes, a plain split otherwise), and RowScanner, which
// classifies one row's cells without a string per cell.

import Papa from 'papaparse';
import { bytesToString, EXACT_PATH, parsePlainNumber } from './numbers';

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

/** 10^0 … 10^15, exact doubles. */
const POW10_15 = Float64Array.from({ length: 16 }, (_, i) => Number(`1e${i}`));
/** Byte classes of RowScanner's cell loop. */
const ORDINARY = 0;
const SEPARATOR = 1;
const LINE_END = 2;
const QUOTE = 3;

/**
 * One row's cells, classified without a string per cell: lines without a quote are scanned in place, from the file's
 * bytes (scanBytes) or from a string (scan), plain decimals parsed from their digits; lines with quotes go through
 * papaparse. Reused for every row.
 */
export class RowScanner {
  count = 0;
  /** The quotes of the line do not close. */
  broken = false;
  /** scanBytes met a quote: the line is to be read as text (scan) instead. */
  quoted = false;
  /** scanBytes: offset of the byte that ends the line (\n, \r, or the end of the bytes scanned). */
  lineEnd = 0;
  /** walkRows: offset of the row's first byte. */
  rowStart = 0;
  kinds = new Uint8Array(64);
  values = new Float64Array(64);
  // Offsets in a file's bytes may pass 2^31.
  private starts = new Float64Array(64);
  private ends = new Float64Array(64);
  private line = '';
  private src: Uint8Array | undefined;
  private limit = 0;
  private asciiSource: Uint8Array | undefined;
  private asciiView: Buffer | undefined;
  private fields: string[] | undefined;
  private readonly classes = new Uint8Array(256);

  constructor(
    private readonly delimiter: Delimiter,
    private readonly decimalComma: boolean,
  ) {
    if (delimiter === ' ') this.classes[32] = this.classes[9] = SEPARATOR;
    else this.classes[delimiter.charCodeAt(0)] = SEPARATOR;
    this.classes[10] = this.classes[13] = LINE_END;
    this.classes[34] = QUOTE;
  }

  /** Raw text of field j (trimmed), for messages. */
  text(j: number): string {
    if (this.fields) return this.fields[j].trim();
    if (this.src) {
      // A cell read from bytes ends at the first separator or line end after its start (not stored: most are numbers).
      const src = this.src;
      const start = this.starts[j];
      let end = start;
      if (this.delimiter === ' ') while (end < this.limit && this.classes[src[end]] === ORDINARY) end++;
      else while (end < this.limit && this.classes[src[end]] !== SEPARATOR && this.classes[src[end]] !== LINE_END) end++;
      return bytesToString(src, start, end).trim();
    }
    return this.line.slice(this.starts[j], this.ends[j]).trim();
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
    this.starts = grow(this.starts, (k) => new Float64Array(k));
    this.ends = grow(this.ends, (k) => new Float64Array(k));
  }

  /**
   * Scans the line that starts at src[start] and ends at the first \n or \r before `limit` (or at `limit`), setting
   * lineEnd. A line with a quote is not split: `quoted` says it is to be read with scan() as text.
   */
  scanBytes(src: Uint8Array, start: number, limit: number): void {
    this.src = src;
    this.limit = limit;
    this.fields = undefined;
    this.broken = false;
    this.quoted = false;
    const classes = this.classes;
    let i = start;
    let j = 0;
    let k = ORDINARY;
    if (this.delimiter === ' ') {
      for (;;) {
        k = ORDINARY;
        while (i < limit && (k = classes[src[i]]) === SEPARATOR) i++;
        if (i >= limit || k === LINE_END) break;
        const cellStart = i;
        if (j === this.kinds.length) this.grow();
        const fast = this.shortDecimal(src, j, i, limit);
        if (fast >= 0) {
          j++;
          i = fast;
          if (i >= limit || classes[src[i]] === LINE_END) break;
          continue;
        }
        k = ORDINARY;
        while (i < limit && (k = classes[src[i]]) === ORDINARY) i++;
        if (k === QUOTE && i < limit) break;
        this.cellBytes(src, j++, cellStart, i);
        if (i >= limit || k === LINE_END) break;
      }
    } else {
      for (;;) {
        const cellStart = i;
        if (j === this.kinds.length) this.grow();
        const fast = this.shortDecimal(src, j, i, limit);
        if (fast >= 0) {
          j++;
          i = fast;
          if (i >= limit || classes[src[i]] === LINE_END) break;
          i++;
          continue;
        }
        k = ORDINARY;
        while (i < limit && (k = classes[src[i]]) === ORDINARY) i++;
        if (k === QUOTE && i < limit) break;
        this.cellBytes(src, j++, cellStart, i);
        if (i >= limit || k === LINE_END) break;
        i++;
      }
    }
    if (k === QUOTE && i < limit) {
      this.quoted = true;
      while (i < limit && src[i] !== 10 && src[i] !== 13) i++;
    }
    this.count = j;
    this.lineEnd = i;
  }

  /**
   * The common cell, read as the bytes go by: "-12.375" (at most 15 digits, no exponent) right before a separator or
   * the line's end. Returns the offset after it, or -1 for any other cell (then read by cellBytes).
   */
  private shortDecimal(src: Uint8Array, j: number, start: number, limit: number): number {
    let p = start;
    const negative = p < limit && src[p] === 45;
    if (negative) p++;
    let mantissa = 0;
    const intStart = p;
    let c = 0;
    while (p < limit && (c = src[p] - 48) >= 0 && c <= 9) {
      mantissa = mantissa * 10 + c;
      p++;
    }
    let digits = p - intStart;
    let fraction = 0;
    if (p < limit && src[p] === 46) {
      const fracStart = ++p;
      while (p < limit && (c = src[p] - 48) >= 0 && c <= 9) {
        mantissa = mantissa * 10 + c;
        p++;
      }
      fraction = p - fracStart;
      digits += fraction;
    }
    if (digits === 0 || (p < limit && this.classes[src[p]] !== SEPARATOR && this.classes[src[p]] !== LINE_END)) return -1;
    if (digits > 15) {
      // More digits than one rounding can take ("0.18905338179353307", as Python writes floats): Number() of the text.
      const exact = +this.asciiText(src, start, p);
      this.starts[j] = start;
      this.kinds[j] = Number.isFinite(exact) ? NUM : NONFINITE;
      this.values[j] = exact;
      return p;
    }
    // ≤ 15 digits and ≤ 15 decimals: the mantissa and the power of ten are exact, and one division rounds as Number().
    const value = fraction === 0 ? mantissa : mantissa / POW10_15[fraction];
    this.starts[j] = start;
    this.kinds[j] = NUM;
    this.values[j] = negative ? -value : value;
    return p;
  }

  /** src[a, b) as a string, for bytes known to be ASCII (a number's): Node's Buffer decodes them fastest. */
  private asciiText(src: Uint8Array, a: number, b: number): string {
    if (typeof Buffer !== 'function') return bytesToString(src, a, b);
    if (this.asciiSource !== src) {
      this.asciiSource = src;
      this.asciiView = Buffer.from(src.buffer, src.byteOffset, src.byteLength);
    }
    return this.asciiView!.toString('latin1', a, b);
  }

  /** Classifies src[start, end) as cell() does the same text. */
  private cellBytes(src: Uint8Array, j: number, start: number, end: number): void {
    this.starts[j] = start;
    let a = start;
    let b = end;
    while (a < b && src[a] <= 32) a++;
    while (b > a && src[b - 1] <= 32) b--;
    if (a === b) {
      this.kinds[j] = MISSING;
      return;
    }
    const plain = parsePlainNumber(src, a, b);
    if (plain === EXACT_PATH) {
      // A number too long for the fast path: Number() of its text, as classify() reads it.
      const value = +this.asciiText(src, a, b);
      this.kinds[j] = Number.isFinite(value) ? NUM : NONFINITE;
      this.values[j] = value;
      return;
    }
    if (plain === plain) {
      this.kinds[j] = NUM;
      this.values[j] = plain;
      return;
    }
    this.kinds[j] = classify(bytesToString(src, a, b), this.decimalComma);
    this.values[j] = cellValue;
  }

  scan(line: string): void {
    this.line = line;
    this.src = undefined;
    this.broken = false;
    this.quoted = false;
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

  /** Classifies line[start, end): a plain integer is parsed from the character codes, the rest by classify. */
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
