// Choosing the delimiter: every candidate splits a sample of the file's lines, and the one whose rows give the most
// numeric cells in a consistent number of fields wins (decimal commas only when the sample writes numbers with one).

import { dataError } from '../common';
import { classify, countKinds, DELIMITERS, isBlank, isComment, isHeaderLike, NONFINITE, NUM, TEXT, tokenize, type CellKind, type Delimiter } from './cells';
import type { TextLines } from './lines';

/** Lines looked at to choose the delimiter and find the table. */
const SAMPLE_LINES = 2000;
/** …and at most about this many characters of them (wide pixel rows). */
const SAMPLE_CHARS = 1_000_000;

export interface SampleLine {
  /** 0-based physical line. */
  index: number;
  fields: string[];
  kinds: CellKind[];
  numeric: number;
  text: number;
  /** Its quotes do not close on the line. */
  broken: boolean;
}

export interface Layout {
  delimiter: Delimiter;
  decimalComma: boolean;
  /** Fields per row. */
  c: number;
  sample: SampleLine[];
  numericColumn: boolean[];
  score: number;
}

/** Indices of the lines with content (not blank, not a comment), the first SAMPLE_LINES of them, to choose the layout. */
export function sampleContentLines(fileName: string, text: TextLines): number[] {
  const contentIndex: number[] = [];
  let anyComment = false;
  let sampleChars = 0;
  let line: string | undefined;
  for (let i = 0; contentIndex.length < SAMPLE_LINES && (sampleChars < SAMPLE_CHARS || contentIndex.length < 50) && (line = text.get(i)) !== undefined; i++) {
    if (isBlank(line)) continue;
    if (isComment(line)) {
      anyComment = true;
      continue;
    }
    contentIndex.push(i);
    sampleChars += line.length;
  }
  if (contentIndex.length === 0) {
    throw dataError(fileName, anyComment ? 'the file holds only comment and blank lines: expected a table of numbers.' : 'the file holds only blank lines: expected a table of numbers.');
  }
  return contentIndex;
}

function analyse(lines: SampleLine[], c: number): { numericColumn: boolean[]; score: number } {
  const num = new Array<number>(c).fill(0);
  const text = new Array<number>(c).fill(0);
  let score = 0;
  for (const l of lines) {
    if (l.fields.length !== c) continue;
    // Lines of words (preamble, header) do not count, and a row of more text than numbers (a few measurements beside
    // answers in words) counts nothing rather than against its delimiter.
    if (l.numeric > 0) score += Math.max(0, l.numeric - l.text);
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
    const { numeric, text } = countKinds(kinds);
    sample.push({ index, fields, kinds, numeric, text, broken: tokens === undefined });
  }
  let c = modalCount(sample, (l) => l.numeric > 0 && l.numeric >= l.text);
  if (c === 0) c = modalCount(sample, () => true);
  const { numericColumn, score } = analyse(sample, c);
  // A first line that names exactly the data's columns under this delimiter is strong evidence for it: "a,b,c" over
  // "0,1 000,1 000" is a comma table with unreadable cells, not space-separated numbers with decimal commas.
  const first = sample[0];
  const headerFits = c >= 2 && first !== undefined && first.fields.length === c && isHeaderLike(first.fields, decimalComma);
  return { delimiter, decimalComma, c, sample, numericColumn, score: score + (headerFits ? 2 * c : 0) };
}

export function chooseLayout(rawLines: string[], contentIndex: number[]): Layout {
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
