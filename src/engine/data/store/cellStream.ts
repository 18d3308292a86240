// Columnar files too large for memory (Parquet, Arrow IPC / Feather), parsed in one streaming pass into the column
// store, one group of rows (a Parquet row group, an Arrow record batch) at a time. The first group that holds rows
// is read as the in-memory loader reads a whole file (the shared column rules of cellTable.ts: the names, the
// fitted columns, the columns dropped and why); every group is then read for the fitted columns only, each row
// classified by the same cell rules, and a row that cannot be used is skipped and reported as in memory. At most one
// group's cells are held at a time.

import type { DatasetSummary } from '../../../shared/protocol';
import { clip, dataError, listSome } from '../common';
import { classifiedValue, classifyCell, loadCellTableSelecting, shown, type CellColumn } from '../cellTable';
import { MISSING, NONFINITE, NUM } from '../text/cells';
import { SkipLog } from '../text/values';
import { ColumnStoreWriter } from './columnStore';
import type { StreamedTable } from './textStream';

/** A columnar file read group by group. */
export interface GroupedFile {
  fileName: string;
  /** What a group is called in messages: "row group", "record batch". */
  groupName: string;
  /** The schema's columns: name, and why it can never be fitted (left unread). */
  columns: { name: string; unusable?: string }[];
  groupCount: number;
  /** Rows of group g, known before it is read (Parquet), or undefined (Arrow: known once read). */
  groupRows(g: number): number | undefined;
  /** The file's rows, when the metadata say (for the free-space check); otherwise estimated from the first group. */
  totalRows?: number;
  /** Bytes of the file up to the end of group g (the parse's progress) and the file's size. */
  progress(g: number): { done: number; total: number };
  /** The cells of the given columns (schema indices) in group g, one array per column; errors name the group. */
  readGroup(g: number, columns: number[]): Promise<{ rows: number; cells: ArrayLike<unknown>[] }>;
  /** What the reader noticed (format, groups, codecs), first among the notes. */
  notes: string[];
  close(): void;
}

export interface StreamCellOptions {
  columns?: string[];
  labelColumn?: string;
  categorical?: string[];
  categoryLimit?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Called before anything is written, with the bytes the store will take at most. */
  beforeWrite?: (storeBytes: number) => void;
  /** What the store's write buffers may take together (from the memory budget); unset: 512 KB per column. */
  memoryBytes?: number;
  /** Called after each group with its index and the rows held while it was read (tests check the peak). */
  onGroup?: (g: number, rowsHeld: number) => void;
}

/** Parses `file` group by group into a store in `dir` (which the caller removes). Closes `file`. */
export async function streamGroupsToStore(file: GroupedFile, dir: string, options: StreamCellOptions = {}): Promise<StreamedTable> {
  const { fileName } = file;
  let writer: ColumnStoreWriter | undefined;
  try {
    const all = file.columns.map((_, j) => j).filter((j) => !file.columns[j].unusable);
    // The first group with rows decides the columns, as the whole file does in memory.
    let first = -1;
    let head: { rows: number; cells: ArrayLike<unknown>[] } | undefined;
    for (let g = 0; g < file.groupCount && !head; g++) {
      if (file.groupRows(g) === 0) continue;
      const read = await file.readGroup(g, all);
      if (read.rows > 0) {
        first = g;
        head = read;
      }
    }
    if (!head) {
      throw dataError(fileName, `the file has columns (${listSome(file.columns.map((c) => c.name))}) but no rows. Expected at least one row of numbers.`);
    }
    const headCells = head.cells;
    const headRows = head.rows;
    const columns: CellColumn[] = file.columns.map((c, j) => (c.unusable ? { name: c.name, cells: [], unusable: c.unusable } : { name: c.name, cells: headCells[all.indexOf(j)] }));
    const { data, selected } = loadCellTableSelecting(fileName, { columns, rows: head.rows, unit: 'row', notes: file.notes }, {
      columns: options.columns,
      labelColumn: options.labelColumn,
      categorical: options.categorical,
      categoryLimit: options.categoryLimit,
      missing: 'skip',
    });
    if (data.kind !== 'table') {
      throw dataError(fileName, 'its rows read as images (pixel values 0–255): out-of-core fits take tables of numbers. Raise memoryBudgetMB to fit it in memory, or convert it to IDX or .npy.');
    }
    const names = data.columns;
    const d = selected.length;
    const rowsBefore = (g: number) => {
      let sum = 0;
      for (let h = 0; h < g; h++) sum += file.groupRows(h) ?? 0;
      return sum;
    };
    const estimate = file.totalRows ?? Math.ceil((headRows * file.progress(file.groupCount - 1).total) / Math.max(1, file.progress(first).done - (first > 0 ? file.progress(first - 1).done : 0)));
    options.beforeWrite?.(estimate * d * 8);
    writer = new ColumnStoreWriter(dir, names, options.memoryBytes);
    const skipped = new SkipLog('row');
    const row = new Float64Array(d);
    let rowStart = rowsBefore(first);
    for (let g = first; g < file.groupCount; g++) {
      const read = g === first ? { rows: headRows, cells: selected.map((j) => headCells[all.indexOf(j)]) } : await file.readGroup(g, selected);
      const { rows, cells } = read;
      for (let i = 0; i < rows; i++) {
        let k = 0;
        for (; k < d; k++) {
          const cell = cells[k][i];
          const kind = classifyCell(cell);
          if (kind !== NUM) {
            const cause = kind === MISSING ? 'missing' : kind === NONFINITE ? 'nonfinite' : 'text';
            skipped.add(cause, rowStart + i + 1, `"${clip(shown(cell))}" in ${names[k]}`);
            break;
          }
          row[k] = classifiedValue();
        }
        if (k === d) writer.push(row);
      }
      options.onGroup?.(g, rows);
      rowStart += rows;
      const at = file.progress(g);
      options.onProgress?.(at.done, at.total);
    }
    const store = writer.finish();
    if (store.n === 0) {
      throw dataError(fileName, `no complete row to fit: ${skipped.notes().join('; ')}. Expected numbers in ${listSome(names)}.`);
    }
    // The first group's own notes on skipped rows, labels and categories are replaced by the whole file's.
    const headNotes = data.summary.notes.filter((note) => !/rows? skipped|^labels:|missing cells|^categorical/.test(note));
    const notes = [...headNotes, ...skipped.notes()];
    const f32 = store.columns.filter((c) => c.type === 'float32').map((c) => c.name);
    const f64 = store.columns.filter((c) => c.type === 'float64').map((c) => c.name);
    notes.push(
      `fitted out of core: ${store.n} rows streamed ${file.groupName} by ${file.groupName} through a temporary column store (` +
        [f32.length > 0 ? `float32, exact for every value, for ${listSome(f32, 5)}` : '', f64.length > 0 ? `float64 for ${listSome(f64, 5)}` : ''].filter(Boolean).join('; ') +
        ')',
    );
    if (data.categorical) notes.push(`categorical columns are not fitted out of core: ${listSome(data.categorical.columns)} left out`);
    if (data.labelColumn !== undefined) notes.push('labels are not scored out of core: the label column is left out of the fit');
    const summary: DatasetSummary = { ...data.summary, n: store.n, d, skippedRows: skipped.count, skippedLines: skipped.lines, notes, hasLabels: false };
    return { store, summary, ...(data.categorical ? { categoricalLeftOut: data.categorical.columns } : {}) };
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    file.close();
  }
}
