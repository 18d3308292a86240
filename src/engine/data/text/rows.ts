// Walking the rows of the table, straight over the file's UTF-8 bytes: every line from the table's first row on,
// blank and comment lines counted and passed over, a quoted field that goes on over the next lines joined into one
// logical row (read as text, as papaparse reads it). Lines end at \n, \r\n or a lone \r.

import { bytesToString } from './numbers';
import { countQuotes, MISSING, type RowScanner } from './cells';
import type { TableFrame } from './frame';

/** A quoted field may span at most this many lines. */
const MAX_QUOTED_LINES = 100;

export interface WalkCounts {
  blankInside: number;
  commentInside: number;
}

/** A table's text for the walk: its bytes and where its first row (line frame.tableStart) starts. */
export interface TableBytes {
  bytes: Uint8Array;
  start: number;
}

/** Where a walk is: a byte offset at the start of a line, and that line's 0-based number. */
export interface WalkPosition {
  offset: number;
  line: number;
}

/** Visits every row of the table with `row` holding its cells; `visit` gets the row's 1-based line number. */
export function walkTable(text: TableBytes, frame: TableFrame, row: RowScanner, visit: (line: number) => void): WalkCounts {
  const counts: WalkCounts = { blankInside: 0, commentInside: 0 };
  const at: WalkPosition = { offset: text.start, line: frame.tableStart };
  walkRows(text.bytes, text.bytes.length, true, at, frame.tableStart, frame, row, visit, counts);
  return counts;
}

/** Offset of the line after the one ending at `e`; -1 when that is not known before more bytes are read. */
function lineAfter(src: Uint8Array, e: number, end: number, final: boolean): number {
  if (e >= end) return final ? end : -1;
  if (src[e] === 13) {
    if (e + 1 < end) return src[e + 1] === 10 ? e + 2 : e + 1;
    return final ? end : -1; // a \r at the end of what is read may be half of \r\n
  }
  return e + 1;
}

function lineEnd(src: Uint8Array, from: number, end: number): number {
  let e = from;
  while (e < end && src[e] !== 10 && src[e] !== 13) e++;
  return e;
}

/**
 * Walks the rows of src[at.offset, end) and moves `at` past them (a visit that returns true stops the walk after its
 * row); lines numbered below `tableStart` are passed over. Unless `final` (the bytes go on to the end of the file), it stops before a line it cannot know whole yet:
 * one without its line end, or one that opens a quoted field which may close in bytes not read yet.
 */
export function walkRows(
  src: Uint8Array,
  end: number,
  final: boolean,
  at: WalkPosition,
  tableStart: number,
  frame: Pick<TableFrame, 'c' | 'trailingDelimiter'>,
  row: RowScanner,
  visit: (line: number) => boolean | void,
  counts: WalkCounts,
): void {
  const c = frame.c;
  let i = at.offset;
  let line = at.line;
  walk: while (i < end) {
    const lineStart = i;
    if (line < tableStart) {
      const next = lineAfter(src, lineEnd(src, i, end), end, final);
      if (next < 0) break;
      i = next;
      line++;
      continue;
    }
    // A blank line holds only bytes ≤ 32; a comment line's first other byte is # or %.
    let p = i;
    while (p < end && src[p] <= 32 && src[p] !== 10 && src[p] !== 13) p++;
    const first = p < end ? src[p] : 10;
    if (first === 10 || first === 13 || first === 0x23 || first === 0x25) {
      const next = lineAfter(src, lineEnd(src, p, end), end, final);
      if (next < 0) break;
      if (first === 0x23 || first === 0x25) counts.commentInside++;
      else counts.blankInside++;
      i = next;
      line++;
      continue;
    }
    row.scanBytes(src, i, end);
    const next = lineAfter(src, row.lineEnd, end, final);
    if (next < 0) break;
    const lineNumber = line + 1;
    if (row.quoted) {
      const raw = bytesToString(src, lineStart, row.lineEnd);
      let logical = raw;
      let after = next;
      let lines = 1;
      if ((countQuotes(raw) & 1) === 1) {
        // A quoted field that goes on over the next lines.
        let joined = raw;
        let q = next;
        for (let k = 1; k <= MAX_QUOTED_LINES; k++) {
          if (q >= end) {
            if (!final) break walk;
            break;
          }
          const e = lineEnd(src, q, end);
          const qNext = lineAfter(src, e, end, final);
          if (qNext < 0) break walk;
          const text = bytesToString(src, q, e);
          joined += '\n' + text;
          if ((countQuotes(text) & 1) === 1) {
            logical = joined;
            after = qNext;
            lines = k + 1;
            break;
          }
          q = qNext;
        }
      }
      row.scan(logical);
      i = after;
      line += lines;
    } else {
      i = next;
      line++;
    }
    if (frame.trailingDelimiter && row.count === c + 1 && row.kinds[c] === MISSING) row.count = c;
    row.rowStart = lineStart;
    if (visit(lineNumber) === true) break;
  }
  at.offset = i;
  at.line = line;
}
