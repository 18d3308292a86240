// Where the table is in the file: the first row of the table (after a free-text preamble), the header line above it
// (also one written as a `#` comment), and a delimiter that ends every line. Also the note on the lines skipped
// above the table.

import { clip, dataError, listSome, plural } from '../common';
import { commentBody, DELIMITER_NAMES, isBlank, isComment, isHeaderLike, NONFINITE, NUM, TEXT, tokenize, type Delimiter } from './cells';
import type { Layout, SampleLine } from './layout';

export interface TableFrame {
  /** 0-based line of the table's first row. */
  tableStart: number;
  /** Fields per row (without the empty field of a trailing delimiter). */
  c: number;
  header?: string[];
  /** 0-based line of the header, -1 without one. */
  headerLine: number;
  /** The header was a comment line (as numpy.savetxt writes it). */
  headerFromComment: boolean;
  /** A delimiter ends every line: the empty last field is not a column. */
  trailingDelimiter: boolean;
}


export function locateTable(fileName: string, lines: string[], layout: Layout): TableFrame {
  const start = findTableStart(fileName, layout);
  const tableStart = layout.sample[start].index;
  const { header, headerLine, headerFromComment } = findHeader(lines, tableStart, layout);
  const tableRows = layout.sample.slice(start).filter((l) => l.fields.length === layout.c);
  const frame: TableFrame = { tableStart, c: layout.c, header, headerLine, headerFromComment, trailingDelimiter: false };
  dropTrailingDelimiter(frame, layout.delimiter, tableRows);
  return frame;
}

/**
 * A table without a column of numbers (answers to a survey): its first row of the table's width is the header when it
 * names the columns (words, none of them met again as a value in its column below), as the loaders of R and pandas
 * read such files.
 */
export function locateTextTable(fileName: string, layout: Layout): TableFrame {
  const { sample, c, decimalComma, delimiter } = layout;
  const rows = sample.filter((l) => l.fields.length === c && !l.broken);
  if (rows.length < 2) throw noNumbers(fileName, sample, delimiter);
  const [first, ...below] = rows;
  const named = isHeaderLike(first.fields, decimalComma) && first.fields.every((f, j) => !below.some((l) => l.fields[j].trim() === f.trim()));
  const frame: TableFrame = named
    ? { tableStart: below[0].index, c, header: first.fields, headerLine: first.index, headerFromComment: false, trailingDelimiter: false }
    : { tableStart: first.index, c, header: undefined, headerLine: -1, headerFromComment: false, trailingDelimiter: false };
  dropTrailingDelimiter(frame, delimiter, named ? below : rows);
  return frame;
}

/** Index in the sample of the table's first row. */
function findTableStart(fileName: string, layout: Layout): number {
  const { sample, numericColumn, c, decimalComma, delimiter } = layout;
  // The table starts at the first row that fits its shape and is followed by another that fits (or ends the sample).
  const fits = (l: SampleLine) => l.fields.length === c && l.kinds.every((k, j) => !numericColumn[j] || k !== TEXT);
  const allNumeric = (l: SampleLine) => l.fields.length > 0 && l.numeric > 0 && l.text === 0;
  /** A row of the table's width that is no header: data whose cells are all missing or unreadable. */
  const unusableRow = (l: SampleLine) => l.fields.length === c && !isHeaderLike(l.fields, decimalComma);
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
    // A row of the table's width between two data rows is data, however much it looks like a header ("NA,1e,NA").
    const betweenDataRows = above.fields.length === c && start >= 2 && fits(sample[start - 2]);
    if (flawedRow || betweenDataRows || allNumeric(above) || above.broken) start--;
    else break;
  }
  return start;
}

/** The nearest line above the table that names its columns (a comment line may hold it, as numpy.savetxt writes it). */
function findHeader(lines: string[], tableStart: number, layout: Layout): Pick<TableFrame, 'header' | 'headerLine' | 'headerFromComment'> {
  const { c, delimiter, decimalComma } = layout;
  const headerFits = (fields: string[]) => (fields.length === c || (fields.length === c - 1 && c >= 2)) && isHeaderLike(fields, decimalComma);
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
      if (fields && headerFits(fields)) return { header: fields, headerLine: i, headerFromComment: true };
      continue;
    }
    const tokens = tokenize(line, delimiter);
    const fields = tokens && trimHeader(tokens);
    if (fields && headerFits(fields)) return { header: fields, headerLine: i, headerFromComment: false };
    break;
  }
  return { header: undefined, headerLine: -1, headerFromComment: false };
}

/** A delimiter at the end of every line makes an empty last field: not a column. */
function dropTrailingDelimiter(frame: TableFrame, delimiter: Delimiter, tableRows: SampleLine[]): void {
  const c = frame.c;
  if (delimiter === ' ' || c < 2 || tableRows.length === 0 || !tableRows.every((l) => l.fields[c - 1].trim() === '')) return;
  const header = frame.header;
  if (header && header.length !== c - 1 && header[c - 1].trim() !== '') return;
  frame.trailingDelimiter = true;
  frame.c = c - 1;
  if (header && header.length > frame.c) frame.header = header.slice(0, frame.c);
}

/** What was skipped above the table: everything above the header (or above the table when there is none). */
export function preambleNote(lines: string[], frame: TableFrame): string | undefined {
  const firstTableLine = frame.headerLine >= 0 ? frame.headerLine : frame.tableStart;
  if (firstTableLine <= 0) return undefined;
  let contentAbove = false;
  let commentAbove = 0;
  for (let i = 0; i < firstTableLine; i++) {
    if (isBlank(lines[i])) continue;
    if (isComment(lines[i])) commentAbove++;
    else contentAbove = true;
  }
  if (contentAbove) return `skipped ${plural(firstTableLine, 'preamble line')} (lines 1–${firstTableLine}) before the table`;
  if (commentAbove > 0) return `skipped ${plural(commentAbove, 'comment line')} before the table`;
  return undefined;
}

/** No numeric table found: header only, or text everywhere. */
export function noNumbers(fileName: string, sample: SampleLine[], delimiter: Delimiter) {
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
