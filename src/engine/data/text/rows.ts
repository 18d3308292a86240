// Walking the rows of the table: every line from the table's first row on, blank and comment lines counted and
// passed over, a quoted field that goes on over the next lines joined into one logical row.

import { countQuotes, isBlank, isComment, MISSING, type RowScanner } from './cells';
import type { TableFrame } from './frame';

/** A quoted field may span at most this many lines. */
const MAX_QUOTED_LINES = 100;

export interface WalkCounts {
  blankInside: number;
  commentInside: number;
}

/** Visits every row of the table with `row` holding its cells; `visit` gets the row's 1-based line number. */
export function walkTable(lines: string[], frame: TableFrame, row: RowScanner, visit: (line: number) => void): WalkCounts {
  const counts: WalkCounts = { blankInside: 0, commentInside: 0 };
  const c = frame.c;
  for (let i = frame.tableStart; i < lines.length; i++) {
    const raw = lines[i];
    if (isBlank(raw)) {
      counts.blankInside++;
      continue;
    }
    if (isComment(raw)) {
      counts.commentInside++;
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
    if (frame.trailingDelimiter && row.count === c + 1 && row.kinds[c] === MISSING) row.count = c;
    visit(lineNumber);
  }
  return counts;
}
