// Count columns (the countColumns setting, CLI --counts): numeric columns read as counts. They are checked once,
// on the table as loaded (each name a numeric column, each observed cell a whole number ≥ 0), and split off the
// numeric columns: the mixed family fits them with a Poisson block, the others with its Gaussian block.

import type { FitOptions } from '../../../shared/protocol';
import type { Dataset, TableData } from '../../data/dataset';
import { DataError } from '../../errors';

/** The count columns of a table: n × d counts (NaN where missing), row-major. */
export interface CountColumns {
  names: string[];
  d: number;
  values: Float64Array;
  /** n × d, 1 where a count is missing; absent when every count is observed. */
  missing?: Uint8Array;
  missingPerColumn?: number[];
}

const SETTING = 'mixscope.countColumns, CLI --counts';

/** The count columns the options name, or [] (trimmed, without empty names). */
export function countColumnNames(options: Pick<FitOptions, 'countColumns'>): string[] {
  return (options.countColumns ?? []).map((c) => c.trim()).filter((c) => c !== '');
}

/**
 * The indices (in `table.columns`) of the count columns `names`, after checking them: each a numeric column of the
 * table and each observed cell a whole number ≥ 0; anything else is one DataError naming the file, the column and
 * (for a value) its line.
 */
export function resolveCountColumns(dataset: Dataset, names: string[]): number[] {
  const file = dataset.summary.fileName;
  if (names.length === 0) return [];
  if (dataset.kind !== 'table') throw new DataError(`${file}: count columns (${SETTING}) need a table, but the file holds images. Leave countColumns empty.`, file);
  const table = dataset;
  const indices = countColumnIndices(file, table.columns, names, (name) => notNumeric(table, name));
  const { n, d, values, missing } = table;
  for (const j of indices) {
    for (let i = 0; i < n; i++) {
      if (missing?.[i * d + j]) continue;
      const x = values[i * d + j];
      if (x >= 0 && Number.isInteger(x)) continue;
      const line = table.sourceLines?.[i];
      throw new DataError(
        `${file}: column "${table.columns[j]}" is read as counts (${SETTING}), but has ${x} on ${line !== undefined ? `line ${line}` : `row ${i + 1}`}; counts are whole numbers ≥ 0. ` +
          'Correct the value, leave the cell empty (a missing count), or remove the column from countColumns.',
        file,
        line,
      );
    }
  }
  return indices;
}

/** Why `name` is not a numeric column of the table (a categorical, label or weights column, or none at all). */
function notNumeric(table: TableData, name: string): string {
  const lower = name.toLowerCase();
  const is = (c: string | undefined) => c !== undefined && c.toLowerCase() === lower;
  if (table.categorical?.columns.some(is)) return `column "${name}" (${SETTING}) is read as categorical, not as numbers.`;
  if (is(table.labelColumn)) return `column "${name}" (${SETTING}) is the label column, which is never fitted.`;
  if (is(table.weightsColumn)) return `column "${name}" (${SETTING}) is the case-weights column, which is not a feature.`;
  const dropped = table.summary.droppedColumns.find((c) => is(c.name));
  if (dropped) return `column "${name}" (${SETTING}) is not fitted (${dropped.reason}).`;
  return `there is no numeric column "${name}" (${SETTING}).`;
}

/**
 * The indices in `columns` (numeric columns) of the count columns `names`, matched exactly or, when unambiguous, in
 * any case; a name that is no numeric column (`whyNot` says what it is) or one named twice is a DataError.
 */
export function countColumnIndices(file: string, columns: readonly string[], names: readonly string[], whyNot: (name: string) => string): number[] {
  const indices: number[] = [];
  for (const name of names) {
    let j = columns.indexOf(name);
    if (j < 0) {
      const matches = columns.map((c, q) => (c.toLowerCase() === name.toLowerCase() ? q : -1)).filter((q) => q >= 0);
      if (matches.length === 1) j = matches[0];
    }
    if (j < 0) throw new DataError(`${file}: ${whyNot(name)} Count columns must be numeric columns of the fit: ${columns.length > 0 ? columns.map((c) => `"${c}"`).join(', ') : 'the table has none'}.`, file);
    if (indices.includes(j)) throw new DataError(`${file}: column "${columns[j]}" is named twice in countColumns (${SETTING}).`, file);
    indices.push(j);
  }
  return indices;
}

/** The table's columns other than `countIndices` (the Gaussian block's), and the count columns themselves. */
export function splitCountColumns(table: TableData, countIndices: number[]): { rest: TableData; counts: CountColumns } {
  const { n, d } = table;
  const keep = Array.from({ length: d }, (_, j) => j).filter((j) => !countIndices.includes(j));
  const pick = (columns: number[]) => {
    const w = columns.length;
    const values = new Float64Array(n * w);
    const missing = table.missing ? new Uint8Array(n * w) : undefined;
    const perColumn = new Array<number>(w).fill(0);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < w; a++) {
        values[i * w + a] = table.values[i * d + columns[a]];
        if (missing && table.missing![i * d + columns[a]]) {
          missing[i * w + a] = 1;
          perColumn[a]++;
        }
      }
    }
    const any = perColumn.some((c) => c > 0);
    return { values, missing: any ? missing : undefined, missingPerColumn: any ? perColumn : undefined };
  };
  const kept = pick(keep);
  const counted = pick(countIndices);
  const rest: TableData = {
    ...table,
    d: keep.length,
    values: kept.values,
    columns: keep.map((j) => table.columns[j]),
    missing: kept.missing,
    missingPerColumn: kept.missingPerColumn,
  };
  return { rest, counts: { names: countIndices.map((j) => table.columns[j]), d: countIndices.length, ...counted } };
}
