// Delimited text too large for memory, parsed in one streaming pass into the column store. The start of the file is
// read by the in-memory loader (delimiter, decimal commas, preamble, header, column types and names, the selected
// columns): every later line is split and classified from its bytes by the same RowScanner and walked by the same
// rules (walkRows: blank and comment lines, quoted fields over several lines), and a row that cannot be used is
// skipped and reported as the in-memory loader does. Only the selected columns are stored.

import * as fs from 'node:fs';
import type { DatasetSummary } from '../../../shared/protocol';
import { baseName, clip, dataError, listSome } from '../common';
import { loadDelimitedText } from '../text';
import { NUM, MISSING, NONFINITE, RowScanner, type Delimiter } from '../text/cells';
import { DEFAULT_CATEGORY_LIMIT, sortedTexts } from '../text/columns';
import { walkRows } from '../text/rows';
import { readWeight, SkipLog } from '../text/values';
import { ColumnStoreWriter, type ColumnStoreInfo } from './columnStore';
import { LabelCollector } from './labelColumn';
import type { StoredLabels } from './storeRows';

/** Bytes of the file's start the in-memory loader reads to learn the table's layout and columns. */
export const HEAD_BYTES = 4 * 1024 * 1024;
/** Most bytes read per streaming step (fewer under a small memory budget: StreamTextOptions.memoryBytes). */
const READ_BYTES = 8 * 1024 * 1024;
/** Fewest bytes read per streaming step. */
const MIN_READ_BYTES = 256 * 1024;

export interface StreamTextOptions {
  columns?: string[];
  labelColumn?: string;
  /**
   * Keep the text columns of a few categories (the categorical and categoryLimit settings) as integer codes, stored
   * after the numeric columns; without it (or, with onlyWithoutNumbers, when the table has numeric columns) they are
   * left out, as a Gaussian fit leaves them (after `onMixed`, which may refuse the table, is told the columns).
   */
  categories?: { columns?: string[]; limit?: number; onlyWithoutNumbers?: boolean; onMixed?: (numeric: string[], categorical: string[]) => void };
  /** A column of case weights: read as in memory (a bad weight is one DataError naming the line), stored last. */
  weightsColumn?: string;
  /** Called as the parse goes, with bytes read and the file's size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Called before anything is written, with the bytes the store will take at most (estimated from the file's start). */
  beforeWrite?: (storeBytes: number) => void;
  /** Bytes per read (default 8 MB, or from memoryBytes; tests read a few bytes at a time to cut rows across reads). */
  readBytes?: number;
  /**
   * What the pass's buffers may take (from the memory budget): half for the read-ahead (256 KB to 8 MB), half for the
   * store's write buffers. Unset: 8 MB reads and 512 KB per column.
   */
  memoryBytes?: number;
  /** Called with each usable row's values (in the stored columns' order), its line and the columns' names; may throw. */
  checkRow?: (values: Float64Array, line: number, names: readonly string[]) => void;
  /** Store rows the loader reads as images (pixel rows) as columns of numbers, instead of refusing them. */
  pixelRows?: boolean;
  /**
   * Whether the fit of these columns marginalises missing numeric cells (asked once the columns are known): such rows
   * are then stored with NaN in those cells instead of skipped (a row with no observed cell at all is still skipped).
   */
  keepMissing?: (numeric: string[], categorical: boolean) => boolean;
}

export interface StreamedTable {
  /** The fitted columns, then the case weights when there is a weights column, then the label codes with labels. */
  store: ColumnStoreInfo;
  summary: DatasetSummary;
  /** The weights column's name: the store's last column holds the rows' case weights. */
  weightsColumn?: string;
  /**
   * The categorical columns (StreamTextOptions.categories), stored after the numeric ones as codes in order of first
   * appearance (−1 for a missing cell); `recode[j][code]` is the code in the in-memory loader's order of `categories[j]`.
   */
  categorical?: { columns: string[]; categories: string[][]; recode: Int32Array[] };
  /** The first row with a missing numeric cell (skipped, or kept with NaN): its line and column. */
  firstMissing?: { line: number; column: string; /** What the number counts when not a line ("row", "record"). */ unit?: string };
  /** Per numeric column, the line (or row) of its first missing cell (0: none), when missing cells were kept. */
  firstMissingLines?: number[];
  /** With keepMissing, the missing numeric cells stored as NaN. */
  missingCells?: number;
  /** The file's start read as rows of pixels (StreamTextOptions.pixelRows): the images' height and width. */
  pixelShape?: [number, number];
  /** The label column (never fitted): the store's last column holds its codes. */
  labels?: StoredLabels;
}

/** Parses the delimited text file at `filePath` into a store in `dir` (which the caller removes). */
export function streamTextToStore(filePath: string, dir: string, options: StreamTextOptions = {}): StreamedTable {
  const fileName = baseName(filePath);
  const fd = fs.openSync(filePath, 'r');
  let writer: ColumnStoreWriter | undefined;
  try {
    const size = fs.fstatSync(fd).size;
    const head = readHead(fd, size);
    if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) {
      throw dataError(fileName, 'UTF-16 text cannot be fitted out of core. Save the file as UTF-8 (or raise memoryBudgetMB to fit it in memory).');
    }
    // The layout and the columns, as the in-memory loader reads them from the file's start.
    const loaded = loadDelimitedText(fileName, head, { columns: options.columns, labelColumn: options.labelColumn, weightsColumn: options.weightsColumn, missing: 'skip', categorical: options.categories?.columns, categoryLimit: options.categories?.limit });
    if (loaded.kind !== 'table' && !options.pixelRows) {
      throw dataError(fileName, 'its rows read as images (pixel values 0–255): out-of-core fits take tables of numbers. Raise memoryBudgetMB to fit it in memory, or convert it to IDX or .npy.');
    }
    // Rows of pixels (a Bernoulli fit): stored as columns of numbers, the image shape reported back.
    const table = loaded.kind === 'table' ? loaded : { n: loaded.n, summary: loaded.summary, columns: loaded.summary.columns, weightsColumn: undefined, categorical: undefined, labels: loaded.labels };
    const pixelShape = loaded.kind === 'images' ? ([loaded.height, loaded.width] as [number, number]) : undefined;
    const layout = table.summary.source?.text;
    if (!layout) throw new Error('internal: the text loader did not report its layout');
    const selected = layout.columnFields;
    const d = selected.length;
    const names = table.columns;
    const weightsField = layout.weightsField;
    const weightsName = table.weightsColumn;
    const labelField = layout.labelField;
    const labelText = layout.labelText === true;
    const labelName = layout.labelColumn ?? '';
    const labelCollector = labelField !== undefined ? new LabelCollector(fileName, labelName, labelText, 'line', labelText ? (loaded.labelNames?.length ?? 0) : new Set(table.labels ?? []).size) : undefined;
    if (options.categories?.onlyWithoutNumbers && d > 0 && (layout.categoricalFields ?? []).length > 0) options.categories.onMixed?.(names, table.categorical!.columns);
    const categoryFields = options.categories && !(options.categories.onlyWithoutNumbers && d > 0) ? (layout.categoricalFields ?? []) : [];
    const categoryNames = categoryFields.length > 0 ? table.categorical!.columns : [];
    const dc = categoryFields.length;
    const keepMissing = options.keepMissing?.(names, dc > 0) ?? false;
    const firstMissingLines = new Array<number>(d).fill(0);
    // Codes in order of first appearance over the whole file; the levels are sorted as in memory once every row is read.
    const levelCodes = categoryFields.map(() => new Map<string, number>());
    const levelLimit = Math.max(options.categories?.limit ?? DEFAULT_CATEGORY_LIMIT, 1);
    // Rows estimated from the start's bytes per row; the store holds at most 8 bytes per value.
    const rows = size <= head.length ? table.n : Math.ceil((size / head.length) * Math.max(1, table.n + table.summary.skippedRows));
    const stored = d + dc + (weightsField !== undefined ? 1 : 0) + (labelCollector ? 1 : 0);
    options.beforeWrite?.(rows * stored * 8);
    writer = new ColumnStoreWriter(dir, [...names, ...categoryNames, ...(weightsField !== undefined ? [weightsName ?? 'weights'] : []), ...(labelCollector ? [labelName] : [])], options.memoryBytes === undefined ? undefined : options.memoryBytes / 2);
    const scanner = new RowScanner(layout.delimiter as Delimiter, layout.decimalComma);
    // A cell's text, read only for a bad weight's message (one function for every row).
    const cellText = (j: number) => scanner.text(j);
    const frame = { tableStart: 0, c: layout.fields, header: undefined, headerLine: -1, headerFromComment: false, trailingDelimiter: layout.trailingDelimiter };
    const skipped = new SkipLog();
    const rowValues = new Float64Array(stored);
    const w = writer;
    let firstMissing: StreamedTable['firstMissing'];
    let missingCells = 0;
    const visit = (line: number) => {
      if (scanner.broken) return skipped.add('quotes', line);
      if (scanner.count !== layout.fields) return skipped.add('ragged', line, `expected ${layout.fields} fields`);
      // As the in-memory scan: every text of the label column names a label, whether or not its row is kept.
      if (labelCollector && labelText && scanner.kinds[labelField!] !== MISSING) labelCollector.see(scanner.text(labelField!), line);
      // As in memory, a row's weight is read (and a bad one refused) before its cells are looked at.
      if (weightsField !== undefined) rowValues[d + dc] = readWeight(fileName, scanner.kinds[weightsField], scanner.values[weightsField], cellText, weightsField, weightsName ?? 'weights', line);
      let missingInRow = 0;
      for (let k = 0; k < d; k++) {
        const j = selected[k];
        const kind = scanner.kinds[j];
        if (kind === NUM) {
          rowValues[k] = scanner.values[j];
          continue;
        }
        const cause = kind === MISSING ? 'missing' : kind === NONFINITE ? 'nonfinite' : 'text';
        if (kind === MISSING && !firstMissing) firstMissing = { line, column: names[k] };
        if (kind === MISSING && keepMissing) {
          rowValues[k] = NaN;
          missingInRow++;
          if (firstMissingLines[k] === 0) firstMissingLines[k] = line;
          continue;
        }
        return skipped.add(cause, line, `"${clip(scanner.text(j))}" in ${names[k]}`);
      }
      let missingCodes = 0;
      for (let k = 0; k < dc; k++) {
        const j = categoryFields[k];
        if (scanner.kinds[j] === MISSING) {
          rowValues[d + k] = -1;
          missingCodes++;
          continue;
        }
        const text = scanner.text(j);
        let code = levelCodes[k].get(text);
        if (code === undefined) {
          code = levelCodes[k].size;
          if (code >= levelLimit) {
            throw dataError(
              fileName,
              `line ${line}: column "${categoryNames[k]}" has more than ${levelLimit} distinct values over the whole file (the file's start had ${table.categorical!.categories[k].length}), so it is not a column of categories (categoryLimit). ` +
                `Raise categoryLimit, leave the column out (columns setting), or raise memoryBudgetMB to fit the file in memory.`,
              line,
            );
          }
          levelCodes[k].set(text, code);
        }
        rowValues[d + k] = code;
      }
      // As the in-memory loader: a row needs one observed cell among the fitted ones.
      if (d + dc > 0 && missingInRow === d && missingCodes === dc) return skipped.add('allMissing', line);
      // A label is not a fitted cell: a row without its label is skipped whatever the missing setting (as in memory).
      if (labelCollector) {
        const kind = scanner.kinds[labelField!];
        if (labelText) {
          if (kind === MISSING) return skipped.add('textLabel', line, `"${clip(scanner.text(labelField!))}" in ${labelName}`);
          rowValues[stored - 1] = labelCollector.code(scanner.text(labelField!), line);
        } else {
          const v = scanner.values[labelField!];
          if (kind !== NUM || !Number.isInteger(v)) return skipped.add('label', line, `"${clip(scanner.text(labelField!))}"`);
          rowValues[stored - 1] = labelCollector.code(v, line);
        }
      }
      missingCells += missingInRow;
      options.checkRow?.(rowValues.subarray(0, d), line, names);
      w.push(rowValues);
    };
    // Whole lines only: a read's bytes are walked up to the last line known whole, the rest moves to the buffer's start
    // and the next read follows it (the buffer grows when one row does not fit).
    const readAhead = options.memoryBytes === undefined ? READ_BYTES : Math.max(MIN_READ_BYTES, Math.min(READ_BYTES, Math.floor(options.memoryBytes / 2)));
    let buffer = new Uint8Array(Math.max(1, options.readBytes ?? readAhead));
    let filled = 0;
    let position = 0;
    const counts = { blankInside: 0, commentInside: 0 };
    const at = { offset: 0, line: 0 };
    let bomChecked = false;
    for (;;) {
      if (filled === buffer.length) {
        const wider = new Uint8Array(buffer.length * 2);
        wider.set(buffer);
        buffer = wider;
      }
      const got = fs.readSync(fd, buffer, filled, buffer.length - filled, position);
      position += got;
      filled += got;
      const last = got === 0 || position >= size;
      at.offset = 0;
      if (!bomChecked) {
        // The first three bytes tell whether a UTF-8 byte-order mark (not text) starts the file.
        if (filled < 3 && !last) continue;
        bomChecked = true;
        if (filled >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) at.offset = 3;
      }
      walkRows(buffer, filled, last, at, layout.tableStart, frame, scanner, visit, counts);
      options.onProgress?.(position, size);
      if (last) break;
      buffer.copyWithin(0, at.offset, filled);
      filled -= at.offset;
    }
    const store = writer.finish();
    if (store.n === 0) {
      throw dataError(fileName, `no complete row to fit: ${skipped.notes().join('; ')}. Expected numbers in ${listSome(names)}.`);
    }
    const headNotes = table.summary.notes.filter((note) => !/rows? skipped|^labels:|missing cells|^read as \d+ images/.test(note));
    const notes = [...headNotes, ...skipped.notes()];
    const fitted = store.columns.slice(0, d);
    const f32 = fitted.filter((c) => c.type === 'float32').map((c) => c.name);
    const f64 = fitted.filter((c) => c.type === 'float64').map((c) => c.name);
    notes.push(
      `fitted out of core: ${store.n} rows streamed through a temporary column store (` +
        [
          f32.length > 0 ? `float32, exact for every value, for ${listSome(f32, 5)}` : '',
          f64.length > 0 ? `float64 for ${listSome(f64, 5)}` : '',
          dc > 0 ? `category codes for ${listSome(categoryNames, 5)}` : '',
        ]
          .filter(Boolean)
          .join('; ') +
        ')',
    );
    const labels = labelCollector?.finish();
    if (labels) notes.push(LabelCollector.note(labels));
    const summary: DatasetSummary = {
      ...table.summary,
      n: store.n,
      d,
      skippedRows: skipped.count,
      skippedLines: skipped.lines,
      notes,
      hasLabels: labels !== undefined,
    };
    const categorical = dc > 0 ? categoriesInLoaderOrder(categoryNames, levelCodes) : undefined;
    return { store, summary, ...(weightsField !== undefined ? { weightsColumn: weightsName ?? 'weights' } : {}), ...(categorical ? { categorical } : {}), ...(firstMissing ? { firstMissing } : {}), ...(keepMissing && firstMissing ? { firstMissingLines } : {}), ...(missingCells > 0 ? { missingCells } : {}), ...(pixelShape ? { pixelShape } : {}), ...(labels ? { labels } : {}) };
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/** The file's first HEAD_BYTES, cut after the last whole line when the file goes on. */
function readHead(fd: number, size: number): Uint8Array {
  const length = Math.min(size, HEAD_BYTES);
  const head = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const got = fs.readSync(fd, head, done, length - done, done);
    if (got === 0) break;
    done += got;
  }
  if (size <= HEAD_BYTES) return head.subarray(0, done);
  const newline = head.lastIndexOf(0x0a);
  return head.subarray(0, newline > 0 ? newline + 1 : done);
}

/**
 * The categorical columns' levels, coded during the parse in order of first appearance, put in the in-memory loader's
 * order (sorted texts: numbers by value, then texts); `recode[j][code]` maps a stored code to that order.
 */
export function categoriesInLoaderOrder(columns: string[], levelCodes: Map<string, number>[]): NonNullable<StreamedTable['categorical']> {
  const categories = levelCodes.map((codes) => sortedTexts(new Set(codes.keys())));
  const recode = levelCodes.map((codes, k) => {
    const order = new Map(categories[k].map((level, code) => [level, code]));
    const out = new Int32Array(codes.size);
    for (const [level, code] of codes) out[code] = order.get(level)!;
    return out;
  });
  return { columns, categories, recode };
}
