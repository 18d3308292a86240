// Tables with missing cells (marked in TableData.missing, NaN in values): the rows a fit that cannot marginalise
// them leaves out, reported as the loader reports skipped rows.

import { listSome, plural } from './common';
import type { TableData } from './dataset';

/** Rows with at least one missing cell. */
export function incompleteRows(table: TableData): number[] {
  const { n, d, missing } = table;
  const rows: number[] = [];
  if (!missing) return rows;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      if (missing[i * d + j]) {
        rows.push(i);
        break;
      }
    }
  }
  return rows;
}

/** The table without its rows that have a missing cell (as `missing: skip` reads it), with `why` in its notes. */
export function withoutIncompleteRows(table: TableData, why: string): TableData {
  const drop = incompleteRows(table);
  if (drop.length === 0) return { ...table, missing: undefined, missingPerColumn: undefined };
  const { n, d } = table;
  const keep = n - drop.length;
  const values = new Float64Array(keep * d);
  const pick = <T extends Uint32Array | Int32Array | Float64Array>(a: T | undefined, make: (m: number) => T): T | undefined => (a ? make(keep) : undefined);
  const sourceLines = pick(table.sourceLines, (m) => new Uint32Array(m));
  const labels = pick(table.labels, (m) => new Int32Array(m));
  const weights = pick(table.weights, (m) => new Float64Array(m));
  const categorical = table.categorical;
  const codes = categorical ? new Int32Array(keep * categorical.columns.length) : undefined;
  let r = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    if (q < drop.length && drop[q] === i) {
      q++;
      continue;
    }
    values.set(table.values.subarray(i * d, (i + 1) * d), r * d);
    if (sourceLines) sourceLines[r] = table.sourceLines![i];
    if (labels) labels[r] = table.labels![i];
    if (weights) weights[r] = table.weights![i];
    if (codes) {
      const c = categorical!.columns.length;
      codes.set(categorical!.codes.subarray(i * c, (i + 1) * c), r * c);
    }
    r++;
  }
  const where = table.sourceLines ? `lines ${listSome(drop.map((i) => table.sourceLines![i]))}` : `rows ${listSome(drop.map((i) => i + 1))}`;
  const skippedLines = [...table.summary.skippedLines, ...drop.slice(0, 20).map((i) => (table.sourceLines ? table.sourceLines[i] : i + 1))].slice(0, 20);
  const notes = table.summary.notes.filter((note) => !note.startsWith('missing cells'));
  notes.push(`${plural(drop.length, 'row')} skipped: missing values at ${where} (${why})`);
  return {
    ...table,
    n: keep,
    values,
    sourceLines,
    labels,
    weights,
    ...(categorical ? { categorical: { ...categorical, codes: codes! } } : {}),
    missing: undefined,
    missingPerColumn: undefined,
    summary: { ...table.summary, n: keep, skippedRows: table.summary.skippedRows + drop.length, skippedLines, notes },
  };
}
