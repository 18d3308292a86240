// The format registry: one entry per data file format Mixscope reads. Everything that depends on the list of
// formats derives from it: which loader reads a file (load.ts), which file names are data files, the `when` clause of
// the context menus (package.json, generated), the file picker's filters and the column inspection of
// "Cluster this dataset with options…". Adding a format = its names in formatNames.ts (what the extension host sees,
// without the readers), one entry here and its loader file.
// gzip is not a format but a wrapper around any of them (load.ts unwraps it first).

import { baseName } from './common';
import { FORMAT_NAMES, formatNamesFor, type FormatNames } from './formatNames';

// Callers that need the formats' loaders too import the names from here.
export { GZIP_EXTENSION, companionLabelsFileName, dataFileExtensions, dataFileWhenClause, fileDialogFilters, isDataFileName, menuFileExtensions, menuFileNamePattern, type NamePattern } from './formatNames';
import type { ColumnInspection, Dataset, InspectedColumn } from './dataset';
import { loadIdxImages, looksLikeIdx, readIdxHeader } from './idx';
import { imageShape } from './images';
import { loadJson, loadJsonLines } from './json';
import { loadNpy, looksLikeNpy, readNpyHeader } from './npy';
import { looksLikeArrow, looksLikeParquet, looksLikeZip } from './magic';
import { loadDelimitedText } from './text';
import type * as TypedReaders from './typedReaders';

/** The Excel, Arrow and Parquet readers, loaded on first use (see typedReaders.ts). */
const typed = (): typeof TypedReaders => require('./typedReaders');
/** The same, for the out-of-core streaming pass (only this module's require is kept out of the bundles). */
export const typedReaders = typed;

/** Options every format's loader accepts. */
export interface FormatLoadOptions {
  /** Columns to fit, by name or 1-based position; empty or absent = every numeric column. */
  columns?: string[];
  /** Image width when the file does not give the shape. */
  imageWidth?: number;
  /** Workbooks: the sheet to read, by name or 1-based number (empty: the first with a numeric table). */
  sheet?: string;
  /** The labelColumn setting ("auto", "none", a column's name or number): tables with named columns only. */
  labelColumn?: string;
  /** A column of case weights (tables), by name or 1-based number. */
  weightsColumn?: string;
  /** 'marginalize': rows with missing cells are kept (NaN, marked in the table's `missing`); default: skipped. */
  missing?: 'marginalize' | 'skip';
  /** Tables: columns read as categories even when they hold numbers (the categorical setting). */
  categorical?: string[];
  /** Tables: most distinct values of a text column read as categories (the categoryLimit setting). */
  categoryLimit?: number;
  /** A saved model's categorical columns: each is kept whatever its number of values (one, or above categoryLimit). */
  keepCategories?: boolean;
}

/**
 * What the first bytes say: 'magic' = a signature no other format starts with (wins over the file's name);
 * 'plausible' = could be this format (used when the name says nothing); undefined = not this format.
 */
export type SniffResult = 'magic' | 'plausible' | undefined;

/** A format of the registry: its names (formatNames.ts) and how to recognise, load and inspect its bytes. */
export interface DataFormat extends FormatNames {
  sniff(bytes: Uint8Array): SniffResult;
  /**
   * `fileName` is the name as the user gave it (with `.gz`), for messages. Formats whose library only reads
   * asynchronously (Parquet, Excel) return a promise: callers that take every format use `loadDatasetAsync`.
   */
  load(bytes: Uint8Array, fileName: string, options: FormatLoadOptions): Dataset | Promise<Dataset>;
  /**
   * The columns a user can pick, read from the start of the file. `isPrefix`: the bytes are known to stop before
   * the file's end (a gzip stream cut short); a prefix is also recognised by its length where the format tells it.
   */
  quickInspect(bytes: Uint8Array, fileName: string, isPrefix?: boolean, options?: FormatLoadOptions): ColumnInspection | Promise<ColumnInspection>;
}

/** Bytes of delimited text read to list the columns (the header and enough rows to type the columns). */
export const INSPECT_TEXT_BYTES = 256 * 1024;
/** Values shown per column in an inspection. */
const INSPECT_VALUES = 5;

// ---------------------------------------------------------------- the formats

const delimitedText: DataFormat = {
  ...FORMAT_NAMES['delimited-text'],
  sniff: (bytes) => (looksLikeText(bytes) ? 'plausible' : undefined),
  load: (bytes, fileName, options) =>
    loadDelimitedText(fileName, bytes, {
      columns: options.columns,
      imageWidth: options.imageWidth,
      labelColumn: options.labelColumn,
      weightsColumn: options.weightsColumn,
      missing: options.missing,
      categorical: options.categorical,
      categoryLimit: options.categoryLimit,
      keepCategories: options.keepCategories,
    }),
  quickInspect(bytes, fileName, isPrefix = false) {
    const prefix = textPrefix(bytes, isPrefix ? Math.min(bytes.length - 1, INSPECT_TEXT_BYTES) : INSPECT_TEXT_BYTES);
    const dataset = loadDelimitedText(fileName, prefix, {});
    return describe(this, fileName, dataset, !isPrefix && prefix.length === bytes.length);
  },
};

const npy: DataFormat = {
  ...FORMAT_NAMES['npy'],
  sniff: (bytes) => (looksLikeNpy(bytes) ? 'magic' : undefined),
  load: (bytes, fileName, options) => loadNpy(fileName, bytes, { imageWidth: options.imageWidth, weightsColumn: options.weightsColumn, missing: options.missing }),
  quickInspect(bytes, fileName) {
    const header = readNpyHeader(fileName, bytes, false, true);
    if (bytes.length === header.dataOffset + header.count * header.itemSize) return describe(this, fileName, loadNpy(fileName, bytes, {}), true);
    // Only the start of a large array: its shape says the columns (named as the loader names them).
    const shape = header.shape.length === 4 && header.shape[3] === 1 ? header.shape.slice(0, 3) : header.shape;
    const rows = shape[0] ?? 0;
    const perRow = rows > 0 ? header.count / rows : 0;
    const bytesLike = header.type === 'uint8' || header.type === 'bool';
    if (shape.length === 3 || (shape.length === 2 && bytesLike)) {
      const imageShapeGuess: [number, number] = shape.length === 3 ? [shape[1], shape[2]] : (imageShape(perRow) ?? [1, perRow]);
      return { ...base(this, fileName), kind: 'images', imageShape: imageShapeGuess, rowsRead: rows, complete: false };
    }
    const columns = Array.from({ length: shape.length === 1 ? 1 : perRow }, (_, j): InspectedColumn => ({ name: `x${j + 1}`, numeric: true, values: [] }));
    return { ...base(this, fileName), columns, rowsRead: rows, complete: false };
  },
};

const idxImages: DataFormat = {
  ...FORMAT_NAMES['idx'],
  sniff: (bytes) => (looksLikeIdx(bytes) ? 'plausible' : undefined),
  load: (bytes, fileName, options) => loadIdxImages(fileName, bytes, options.imageWidth),
  quickInspect(bytes, fileName) {
    if (bytes.length < 4 + 4 * 3) return describe(this, fileName, loadIdxImages(fileName, bytes), true); // its message
    const { dims, dataOffset } = readIdxHeader(fileName, bytes, 'images');
    const n = dims[0];
    const perImage = dims.length === 3 ? dims[1] * dims[2] : (dims[1] ?? 0);
    if (bytes.length === dataOffset + n * perImage) return describe(this, fileName, loadIdxImages(fileName, bytes), true);
    const shape: [number, number] = dims.length === 3 ? [dims[1], dims[2]] : (imageShape(perImage) ?? [1, perImage]);
    return { ...base(this, fileName), kind: 'images', imageShape: shape, rowsRead: n, complete: false };
  },
};

const json: DataFormat = {
  ...FORMAT_NAMES['json'],
  sniff: () => undefined,
  load: (bytes, fileName, options) => loadJson(fileName, bytes, options),
  quickInspect(bytes, fileName, isPrefix = false) {
    return describe(this, fileName, loadJson(fileName, bytes, {}), !isPrefix);
  },
};

const jsonLines: DataFormat = {
  ...FORMAT_NAMES['json-lines'],
  sniff: () => undefined,
  load: (bytes, fileName, options) => loadJsonLines(fileName, bytes, options),
  quickInspect(bytes, fileName, isPrefix = false) {
    // A prefix: its whole lines.
    const prefix = isPrefix ? textPrefix(bytes, bytes.length - 1) : bytes;
    return describe(this, fileName, loadJsonLines(fileName, prefix, {}), !isPrefix);
  },
};

const excel: DataFormat = {
  ...FORMAT_NAMES['xlsx'],
  sniff: (bytes) => (looksLikeZip(bytes) ? 'plausible' : undefined),
  load: (bytes, fileName, options) => typed().loadExcel(fileName, bytes, options),
  async quickInspect(bytes, fileName, _isPrefix, options) {
    const dataset = await typed().loadExcel(fileName, bytes, { sheet: options?.sheet });
    return { ...describe(this, fileName, dataset, true), sheets: await typed().inspectSheets(fileName, bytes) };
  },
};

const arrow: DataFormat = {
  ...FORMAT_NAMES['arrow'],
  sniff: (bytes) => (looksLikeArrow(bytes) ? 'plausible' : undefined),
  load: (bytes, fileName, options) => typed().loadArrow(fileName, bytes, options),
  quickInspect(bytes, fileName) {
    return describe(this, fileName, typed().loadArrow(fileName, bytes, {}), true);
  },
};

const parquet: DataFormat = {
  ...FORMAT_NAMES['parquet'],
  sniff: (bytes) => (looksLikeParquet(bytes) ? 'magic' : undefined),
  load: (bytes, fileName, options) => typed().loadParquet(fileName, bytes, options),
  async quickInspect(bytes, fileName) {
    return describe(this, fileName, await typed().loadParquet(fileName, bytes, {}), true);
  },
};

/**
 * A 'plausible' sniff is tried in this order (text's needs no NUL byte, IDX starts with two, Arrow with "ARROW1" or
 * 0xFFFFFFFF, a workbook with "PK"); text is the fallback.
 */
export const DATA_FORMATS: readonly DataFormat[] = [delimitedText, npy, idxImages, json, jsonLines, excel, arrow, parquet];
// Every named format has exactly one entry (checked when the module loads, so names without a reader fail every test).
for (const id of Object.keys(FORMAT_NAMES)) {
  if (DATA_FORMATS.filter((f) => f.id === id).length !== 1) throw new Error(`internal: format "${id}" must have exactly one registry entry`);
}
const FALLBACK_FORMAT = delimitedText;

// ---------------------------------------------------------------- choosing a format

/** The format a file name offers it as (its extension or a name pattern); `.gz` is looked through. */
export function formatForFileName(fileName: string): DataFormat | undefined {
  const names = formatNamesFor(fileName);
  return names && DATA_FORMATS.find((f) => f.id === names.id);
}

/**
 * The loader for decompressed content named `name`: a magic number first (a .npy file named .csv is still an array),
 * then the name, then a plausible sniff, then delimited text (whose loader explains what a binary file is).
 */
export function chooseFormat(name: string, content: Uint8Array): DataFormat {
  const sniffs = DATA_FORMATS.map((f) => f.sniff(content));
  const magic = DATA_FORMATS.find((_, i) => sniffs[i] === 'magic');
  if (magic) return magic;
  const byName = formatForFileName(name) ?? DATA_FORMATS.find((f) => f.alsoLoadsName?.test(baseName(name)));
  if (byName) return byName;
  return DATA_FORMATS.find((_, i) => sniffs[i] === 'plausible') ?? FALLBACK_FORMAT;
}

// ---------------------------------------------------------------- inspection helpers

/** Text (UTF-8 or UTF-16 with a byte-order mark): no NUL byte in the first 4 KB. */
function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) return true;
  const end = Math.min(bytes.length, 4096);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return false;
  return true;
}

/** At most `maxBytes` of the text, cut after the last line end in them. */
function textPrefix(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  while (end > 0 && bytes[end - 1] !== 0x0a) end--;
  return bytes.subarray(0, end > 0 ? end : maxBytes);
}

function base(format: DataFormat, fileName: string): ColumnInspection {
  return { fileName: baseName(fileName), format: format.id, formatName: format.name, kind: 'table', columns: [], rowsRead: 0, complete: true, notes: [] };
}

/** An inspection from a loaded dataset: its columns with their first values, then the columns left out and why. */
export function describe(format: DataFormat, fileName: string, dataset: Dataset, complete: boolean): ColumnInspection {
  const inspection: ColumnInspection = { ...base(format, fileName), rowsRead: dataset.n, complete, notes: [...dataset.summary.notes] };
  if (dataset.kind === 'images') return { ...inspection, kind: 'images', imageShape: [dataset.height, dataset.width] };
  const rows = Math.min(dataset.n, INSPECT_VALUES);
  const columns: InspectedColumn[] = dataset.columns.map((name, j) => ({
    name,
    numeric: true,
    values: Array.from({ length: rows }, (_, i) => dataset.values[i * dataset.d + j]),
  }));
  if (dataset.labelColumn !== undefined) columns.push({ name: dataset.labelColumn, numeric: false, reason: 'labels (not used in the fit)', values: [] });
  dataset.categorical?.columns.forEach((name, j) => columns.push({ name, numeric: false, reason: `categorical, ${dataset.categorical!.categories[j].length} categories`, values: [] }));
  for (const c of dataset.summary.droppedColumns) columns.push({ name: c.name, numeric: false, reason: c.reason, values: [] });
  return { ...inspection, columns };
}
