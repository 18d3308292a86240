// Files of cells too large for memory (Parquet, Arrow IPC / Feather, JSON, JSON Lines), parsed in one streaming pass
// into the column store, one group of rows (a Parquet row group, an Arrow record batch, a run of records) at a time.
// The first group that holds rows is read as the in-memory loader reads a whole file (the shared column rules of
// cellTable.ts: the names, the fitted columns, the label, weights and categorical columns, the columns dropped and
// why); every group is then read for the stored columns only, each row classified by the same cell rules, and a row
// that cannot be used is skipped and reported as in memory. Categorical cells are stored as codes in order of first
// appearance, recoded to the in-memory loader's sorted order once every row is read, as the text stream does. At
// most one group's cells are held at a time.

import type { DatasetSummary } from '../../../shared/protocol';
import { clip, dataError, listSome } from '../common';
import { categoricalNote } from '../text';
import { DEFAULT_CATEGORY_LIMIT } from '../text/columns';
import { classifiedValue, classifyCell, labelText as labelTextOf, loadCellTableSelecting, shown, type CellColumn, type CellTable } from '../cellTable';
import { MISSING, NONFINITE, NUM } from '../text/cells';
import { SkipLog } from '../text/values';
import { ColumnStoreWriter } from './columnStore';
import { LabelCollector } from './labelColumn';
import { categoriesInLoaderOrder, type StreamedTable } from './textStream';

/** A columnar file read group by group. */
export interface GroupedFile {
  fileName: string;
  /** What a group is called in messages: "row group", "record batch". */
  groupName: string;
  /** What a row is called in messages (default "row"). */
  unit?: CellTable['unit'];
  /** The 1-based number a user sees for row i of group g (a line of JSON Lines); the row's place in the file by default. */
  rowNumber?: (g: number, i: number) => number;
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
  imageWidth?: number;
  /** Store the categorical columns as codes after the numeric ones; without it they are left out (a Gaussian fit). */
  keepCategories?: boolean;
  /** A column of case weights: read as in memory (a bad weight is one DataError naming the row), stored last. */
  weightsColumn?: string;
  /** Store rows the loader reads as images (pixel rows) as columns of numbers, instead of refusing them. */
  pixelRows?: boolean;
  /** Called with each usable row's values (the stored numeric columns), its number and the columns' names; may throw. */
  checkRow?: (values: Float64Array, row: number, names: readonly string[]) => void;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Called before anything is written, with the bytes the store will take at most. */
  beforeWrite?: (storeBytes: number) => void;
  /** What the store's write buffers may take together (from the memory budget); unset: 512 KB per column. */
  memoryBytes?: number;
  /** Called after each group with its index and the rows held while it was read (tests check the peak). */
  onGroup?: (g: number, rowsHeld: number) => void;
  /** Whether the fit marginalises missing cells: rows are then stored with NaN in them (see StreamTextOptions). */
  keepMissing?: (numeric: string[], categorical: boolean) => boolean;
}

/** Parses `file` group by group into a store in `dir` (which the caller removes). Closes `file`. */
export async function streamGroupsToStore(file: GroupedFile, dir: string, options: StreamCellOptions = {}): Promise<StreamedTable> {
  const { fileName } = file;
  const unit = file.unit ?? 'row';
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
    const rowsBefore = (g: number) => {
      let sum = 0;
      for (let h = 0; h < g; h++) sum += file.groupRows(h) ?? 0;
      return sum;
    };
    let rowStart = rowsBefore(first);
    const numberOf = (g: number, i: number) => (file.rowNumber ? file.rowNumber(g, i) : rowStart + i + 1);
    const firstStart = rowStart;
    const columns: CellColumn[] = file.columns.map((c, j) => (c.unusable ? { name: c.name, cells: [], unusable: c.unusable } : { name: c.name, cells: headCells[all.indexOf(j)] }));
    const headTable: CellTable = { columns, rows: head.rows, unit, rowNumber: (i) => (file.rowNumber ? file.rowNumber(first, i) : firstStart + i + 1), notes: file.notes };
    const { data, selected, weights: weightsIndex, categorical: categoricalIndices, label: labelIndex } = loadCellTableSelecting(fileName, headTable, {
      columns: options.columns,
      labelColumn: options.labelColumn,
      weightsColumn: options.weightsColumn,
      categorical: options.categorical,
      categoryLimit: options.categoryLimit,
      imageWidth: options.imageWidth,
      missing: 'skip',
    });
    if (data.kind !== 'table' && !options.pixelRows) {
      throw dataError(fileName, 'its rows read as images (pixel values 0–255): out-of-core fits take tables of numbers. Raise memoryBudgetMB to fit it in memory, or convert it to IDX or .npy.');
    }
    const table = data.kind === 'table' ? data : undefined;
    const pixelShape = data.kind === 'images' ? ([data.height, data.width] as [number, number]) : undefined;
    const names = data.kind === 'table' ? data.columns : data.summary.columns;
    const d = selected.length;
    const categoryFields = options.keepCategories && table?.categorical ? categoricalIndices : [];
    const categoryNames = categoryFields.length > 0 ? table!.categorical!.columns : [];
    const dc = categoryFields.length;
    const weighted = weightsIndex >= 0;
    const weightsName = table?.weightsColumn ?? 'weights';
    const labelName = labelIndex >= 0 ? (table?.labelColumn ?? file.columns[labelIndex].name) : '';
    const labelText = data.labelNames !== undefined;
    const labelCollector = labelIndex >= 0 ? new LabelCollector(fileName, labelName, labelText, unit, labelText ? data.labelNames!.length : new Set(data.labels ?? []).size) : undefined;
    // The columns read from every group: the numeric ones, the categorical ones, the weights, the labels.
    const stored = [...selected, ...categoryFields, ...(weighted ? [weightsIndex] : []), ...(labelCollector ? [labelIndex] : [])];
    const labelAt = stored.length - 1;
    const levelCodes = categoryFields.map(() => new Map<string, number>());
    const levelLimit = Math.max(options.categoryLimit ?? DEFAULT_CATEGORY_LIMIT, 1);
    const missingCodes = new Array<number>(dc).fill(0);
    const estimate = file.totalRows ?? Math.ceil((headRows * file.progress(file.groupCount - 1).total) / Math.max(1, file.progress(first).done - (first > 0 ? file.progress(first - 1).done : 0)));
    options.beforeWrite?.(estimate * stored.length * 8);
    writer = new ColumnStoreWriter(dir, [...names, ...categoryNames, ...(weighted ? [weightsName] : []), ...(labelCollector ? [labelName] : [])], options.memoryBytes);
    const skipped = new SkipLog(unit);
    const row = new Float64Array(stored.length);
    let firstMissing: StreamedTable['firstMissing'];
    const keepMissing = options.keepMissing?.(names, dc > 0) ?? false;
    const firstMissingLines = new Array<number>(d).fill(0);
    for (let g = first; g < file.groupCount; g++) {
      const read = g === first ? { rows: headRows, cells: stored.map((j) => headCells[all.indexOf(j)]) } : await file.readGroup(g, stored);
      const { rows, cells } = read;
      rows: for (let i = 0; i < rows; i++) {
        // As the in-memory scan: every text of the label column names a label, whether or not its row is kept.
        if (labelCollector && labelText && classifyCell(cells[labelAt][i]) !== MISSING) {
          const text = labelTextOf(cells[labelAt][i]);
          if (text !== undefined) labelCollector.see(text, numberOf(g, i));
        }
        if (weighted) row[d + dc] = readWeight(fileName, cells[d + dc][i], weightsName, unit, numberOf(g, i));
        let missingCells = 0;
        for (let k = 0; k < d; k++) {
          const cell = cells[k][i];
          const kind = classifyCell(cell);
          if (kind !== NUM) {
            if (kind === MISSING && keepMissing) {
              const at = numberOf(g, i);
              firstMissing ??= { line: at, column: names[k], unit };
              if (firstMissingLines[k] === 0) firstMissingLines[k] = at;
              row[k] = NaN;
              missingCells++;
              continue;
            }
            const cause = kind === MISSING ? 'missing' : kind === NONFINITE ? 'nonfinite' : 'text';
            const at = numberOf(g, i);
            if (kind === MISSING && !firstMissing) firstMissing = { line: at, column: names[k], unit };
            skipped.add(cause, at, `"${clip(shown(cell))}" in ${names[k]}`);
            continue rows;
          }
          row[k] = classifiedValue();
        }
        let missing = 0;
        for (let k = 0; k < dc; k++) {
          const cell = cells[d + k][i];
          const text = classifyCell(cell) === MISSING ? undefined : labelTextOf(cell);
          if (text === undefined) {
            row[d + k] = -1;
            missing++;
            continue;
          }
          let code = levelCodes[k].get(text);
          if (code === undefined) {
            code = levelCodes[k].size;
            if (code >= levelLimit) {
              const at = numberOf(g, i);
              throw dataError(
                fileName,
                `${unit} ${at}: column "${categoryNames[k]}" has more than ${levelLimit} distinct values over the whole file (its first ${file.groupName} had ${table!.categorical!.categories[k].length}), so it is not a column of categories (categoryLimit). ` +
                  `Raise categoryLimit, leave the column out (columns setting), or raise memoryBudgetMB to fit the file in memory.`,
                unit === 'line' ? at : undefined,
              );
            }
            levelCodes[k].set(text, code);
          }
          row[d + k] = code;
        }
        // As the text stream: a row with no observed cell in the fitted columns is skipped.
        if (d + dc > 0 && missingCells === d && missing === dc) {
          skipped.add('allMissing', numberOf(g, i));
          continue;
        }
        // A label is not a fitted cell: a row without its label is skipped whatever the missing setting (as in memory).
        if (labelCollector) {
          const cell = cells[labelAt][i];
          const kind = classifyCell(cell);
          if (labelText) {
            const text = kind === MISSING ? undefined : labelTextOf(cell);
            if (text === undefined) {
              skipped.add('textLabel', numberOf(g, i), `"${clip(shown(cell))}" in ${labelName}`);
              continue;
            }
            row[labelAt] = labelCollector.code(text, numberOf(g, i));
          } else {
            const x = classifiedValue();
            if (kind !== NUM || !Number.isInteger(x)) {
              skipped.add('label', numberOf(g, i), `"${clip(shown(cell))}"`);
              continue;
            }
            row[labelAt] = labelCollector.code(x, numberOf(g, i));
          }
        }
        for (let k = 0; k < dc; k++) if (row[d + k] < 0) missingCodes[k]++;
        options.checkRow?.(row.subarray(0, d), numberOf(g, i), names);
        writer.push(row);
      }
      options.onGroup?.(g, rows);
      rowStart += rows;
      const at = file.progress(g);
      options.onProgress?.(at.done, at.total);
    }
    const store = writer.finish();
    if (store.n === 0) {
      throw dataError(fileName, `no complete row to fit: ${skipped.notes().join('; ')}. Expected numbers in ${listSome([...names, ...categoryNames])}.`);
    }
    const categorical = dc > 0 ? categoriesInLoaderOrder(categoryNames, levelCodes) : undefined;
    // The first group's own notes on skipped rows, labels, categories and images are replaced by the whole file's.
    const headNotes = data.summary.notes.filter((note) => !/rows? skipped|^labels:|missing cells|^categorical|^read as \d+ images/.test(note));
    const notes = [...headNotes];
    if (categorical) notes.push(categoricalNote({ columns: categorical.columns, categories: categorical.categories, codes: new Int32Array(0) }, missingCodes));
    notes.push(...skipped.notes());
    const fitted = store.columns.slice(0, d);
    const f32 = fitted.filter((c) => c.type === 'float32').map((c) => c.name);
    const f64 = fitted.filter((c) => c.type === 'float64').map((c) => c.name);
    notes.push(
      `fitted out of core: ${store.n} rows streamed ${file.groupName} by ${file.groupName} through a temporary column store (` +
        [
          f32.length > 0 ? `float32, exact for every value, for ${listSome(f32, 5)}` : '',
          f64.length > 0 ? `float64 for ${listSome(f64, 5)}` : '',
          dc > 0 ? `category codes for ${listSome(categoryNames, 5)}` : '',
        ]
          .filter(Boolean)
          .join('; ') +
        ')',
    );
    if (table?.categorical && dc === 0) notes.push(`categorical columns are not fitted out of core by this model: ${listSome(table.categorical.columns)} left out`);
    const labels = labelCollector?.finish();
    if (labels) notes.push(LabelCollector.note(labels));
    const summary: DatasetSummary = { ...data.summary, n: store.n, d, skippedRows: skipped.count, skippedLines: skipped.lines, notes, hasLabels: labels !== undefined };
    return {
      store,
      summary,
      ...(weighted ? { weightsColumn: weightsName } : {}),
      ...(categorical ? { categorical } : {}),
      ...(firstMissing ? { firstMissing } : {}),
      ...(keepMissing && firstMissing ? { firstMissingLines } : {}),
      ...(pixelShape ? { pixelShape } : {}),
      ...(labels ? { labels } : {}),
    };
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    file.close();
  }
}

/** A row's case weight: a finite number ≥ 0, or the in-memory loader's DataError naming the row. */
function readWeight(fileName: string, cell: unknown, name: string, unit: string, at: number): number {
  const kind = classifyCell(cell);
  const v = classifiedValue();
  if (kind === NUM && v >= 0) return v;
  const text = shown(cell);
  const what = kind === MISSING ? (text === '' ? 'missing (empty)' : `missing ("${clip(text)}")`) : kind === NUM ? `negative (${clip(text)})` : `"${clip(text)}", not a finite number`;
  throw dataError(
    fileName,
    `${unit} ${at}: the weight in column "${name}" is ${what}. Case weights must be numbers ≥ 0 (0 leaves the row out); correct that ${unit}, or set weightsColumn to "".`,
    unit === 'line' ? at : undefined,
  );
}
