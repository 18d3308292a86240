// The one entry point for data files: recognises the format by name and by magic number, loads it with the
// matching loader and pairs a labels file. Pure: no `vscode` import, runs in the worker thread and the CLI.
// Every failure is a DataError naming the file, where (line / field / byte offset), what was expected and what to do.

import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { DataError } from '../errors';
import { baseName, dataError, listSome } from './common';
import type { ColumnInspection, Dataset } from './dataset';
import { chooseFormat, DATA_FORMATS, type DataFormat, type FormatLoadOptions } from './formats';
import { loadIdxLabels } from './idx';
import { looksLikeNpy, readNpyHeader } from './npy';
import { loadDelimitedText } from './text';

export { asImages, imageShape } from './images';
export { companionLabelsFileName, isDataFileName } from './formatNames';
export type { ColumnInspection, InspectedColumn } from './dataset';

export interface LoadOptions extends FormatLoadOptions {
  /** A labels file's bytes (IDX idx1, a 1-D .npy of integers, or a text file with one integer per row). */
  labelBytes?: Uint8Array;
  labelFileName?: string;
}

/** Largest size a .gz file may expand to. */
export const MAX_GUNZIPPED_BYTES = 1 << 30;

const IDX_NAME = /[-.]idx(\d)-ubyte$/i;

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gunzip(fileName: string, bytes: Uint8Array): Uint8Array {
  try {
    const out = gunzipSync(bytes, { maxOutputLength: MAX_GUNZIPPED_BYTES });
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw dataError(fileName, `the file expands to more than ${MAX_GUNZIPPED_BYTES / (1 << 20)} MB when decompressed: too large to load.`);
    }
    throw dataError(fileName, `the gzip data are damaged (${(e as Error).message}): download or compress the file again.`);
  }
}

/**
 * The columns a user can pick, read from the start of a data file without fitting anything: their names, whether
 * they are numeric (with a few values), or why they are left out; for images, their shape. `bytes` may be only the
 * start of the file (a gzip stream cut short is read as far as it goes). Throws the loader's DataError when the start
 * of the file cannot be read as data.
 */
export function inspectDataset(bytes: Uint8Array, fileName: string, options: Pick<FormatLoadOptions, 'sheet'> = {}): ColumnInspection {
  const { inspection, notes, complete } = startInspection(bytes, fileName, options);
  if (isPromise(inspection)) throw asyncFormat(fileName);
  return finishInspection(inspection, notes, complete);
}

/** inspectDataset for every format, also those whose library reads asynchronously (Parquet, Excel). */
export async function inspectDatasetAsync(bytes: Uint8Array, fileName: string, options: Pick<FormatLoadOptions, 'sheet'> = {}): Promise<ColumnInspection> {
  const { inspection, notes, complete } = startInspection(bytes, fileName, options);
  return finishInspection(await inspection, notes, complete);
}

function startInspection(bytes: Uint8Array, fileName: string, options: Pick<FormatLoadOptions, 'sheet'>) {
  const notes: string[] = [];
  let name = fileName;
  let content = bytes;
  let complete = true;
  if (isGzip(bytes)) {
    ({ bytes: content, complete } = gunzipPrefix(fileName, bytes));
    notes.push(`decompressed from gzip (${bytes.length} → ${content.length} bytes${complete ? '' : ', the start only'})`);
  }
  if (/\.gz$/i.test(name)) name = name.slice(0, -3);
  const inspection = chooseFormat(name, content).quickInspect(content, fileName, !complete, options);
  return { inspection, notes, complete };
}

function finishInspection(inspection: ColumnInspection, notes: string[], complete: boolean): ColumnInspection {
  return { ...inspection, complete: inspection.complete && complete, notes: [...notes, ...inspection.notes] };
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

/** The synchronous entry points cannot wait for a format read asynchronously: a caller's mistake, not the file's. */
function asyncFormat(fileName: string): Error {
  return new Error(`${fileName}: this format is read asynchronously; call loadDatasetAsync / inspectDatasetAsync.`);
}

/** As much of a gzip stream as its bytes hold (the start of a large .gz file is enough to list its columns). */
function gunzipPrefix(fileName: string, bytes: Uint8Array): { bytes: Uint8Array; complete: boolean } {
  try {
    return { bytes: gunzip(fileName, bytes), complete: true };
  } catch (whole) {
    if (/expands to more than/.test((whole as Error).message)) throw whole;
    try {
      const out = gunzipSync(bytes, { maxOutputLength: MAX_GUNZIPPED_BYTES, finishFlush: zlibConstants.Z_SYNC_FLUSH });
      return { bytes: new Uint8Array(out.buffer, out.byteOffset, out.length), complete: false };
    } catch (e) {
      throw dataError(fileName, `the gzip data are damaged (${(e as Error).message}): download or compress the file again.`);
    }
  }
}

/** Content of a possibly gzip-compressed file, with the name it has inside (".gz" removed). */
function unwrap(fileName: string, bytes: Uint8Array, notes: string[]): { name: string; bytes: Uint8Array } {
  const gzName = /\.gz$/i.test(fileName);
  if (isGzip(bytes)) {
    const inner = gunzip(fileName, bytes);
    notes.push(`decompressed from gzip (${bytes.length} → ${inner.length} bytes)`);
    return { name: gzName ? fileName.slice(0, -3) : fileName, bytes: inner };
  }
  if (gzName) notes.push('named .gz but not compressed: read as is');
  return { name: gzName ? fileName.slice(0, -3) : fileName, bytes };
}

/**
 * Loads a data file whose format reads synchronously (delimited text, .npy, IDX, JSON, Arrow). The worker and the CLI
 * call loadDatasetAsync, which reads every format.
 */
export function loadDataset(fileName: string, bytes: Uint8Array, options: LoadOptions = {}): Dataset {
  const { loaded, notes, format, unwrapped } = startLoad(fileName, bytes, options);
  if (isPromise(loaded)) {
    loaded.catch(() => undefined);
    throw asyncFormat(fileName);
  }
  return finishLoad(fileName, loaded, notes, options, format, unwrapped);
}

/** Loads a data file of any format (Parquet and Excel are read asynchronously by their libraries). */
export async function loadDatasetAsync(fileName: string, bytes: Uint8Array, options: LoadOptions = {}): Promise<Dataset> {
  const { loaded, notes, format, unwrapped } = startLoad(fileName, bytes, options);
  return finishLoad(fileName, await loaded, notes, options, format, unwrapped);
}

function startLoad(fileName: string, bytes: Uint8Array, options: LoadOptions): { loaded: Dataset | Promise<Dataset>; notes: string[]; format: DataFormat; unwrapped: boolean } {
  const notes: string[] = [];
  const { name, bytes: content } = unwrap(fileName, bytes, notes);
  const format = chooseFormat(name, content);
  const loaded = format.load(content, fileName, {
    columns: options.columns,
    imageWidth: options.imageWidth,
    sheet: options.sheet,
    labelColumn: options.labelColumn,
    weightsColumn: options.weightsColumn,
    missing: options.missing,
    categorical: options.categorical,
    categoryLimit: options.categoryLimit,
    keepCategories: options.keepCategories,
  });
  return { loaded, notes, format, unwrapped: content !== bytes };
}

function finishLoad(fileName: string, dataset: Dataset, extraNotes: string[], options: LoadOptions, format: DataFormat, unwrapped: boolean): Dataset {
  if (options.weightsColumn && options.weightsColumn.trim() !== '' && !(dataset.kind === 'table' && dataset.weights)) {
    throw dataError(fileName, `weightsColumn "${options.weightsColumn.trim()}" applies to tables of numbers; this file was read as ${dataset.kind === 'images' ? 'images' : 'a table without it'}. Set weightsColumn to "".`);
  }
  if (extraNotes.length > 0) dataset.summary.notes.unshift(...extraNotes);
  dataset.summary.source = {
    ...dataset.summary.source,
    format: format.id,
    ...(unwrapped ? { gzip: true } : {}),
    ...(dataset.kind === 'images' ? { pixelScale: dataset.scale } : {}),
  };
  if (dataset.kind === 'images' && options.columns && options.columns.some((c) => c.trim() !== '')) {
    dataset.summary.notes.push('the columns setting does not apply to images: every pixel is used');
  }
  const labelRequest = (options.labelColumn ?? 'auto').trim();
  const namedColumn = !/^(auto|none)?$/i.test(labelRequest);
  if (namedColumn && !format.namedColumns) {
    dataset.summary.notes.push(`mixscope.labelColumn "${labelRequest}" names a column of a table with named columns; ${format.name} files take their labels from a labels file`);
  }
  // "none": no labels at all, not even a labels file beside the images.
  if (options.labelBytes && labelRequest.toLowerCase() !== 'none') {
    const labelName = options.labelFileName ?? 'labels file';
    let labels: Int32Array;
    try {
      labels = loadLabels(labelName, options.labelBytes);
    } catch (e) {
      // Say which data file these labels were for (and so keep callers from prefixing the data file's name).
      if (e instanceof DataError) throw new DataError(`${e.message} (the labels for ${baseName(fileName)})`, e.fileName, e.line);
      throw e;
    }
    if (labels.length !== dataset.n) {
      const skipped = dataset.summary.skippedRows > 0 ? ` (after ${dataset.summary.skippedRows} skipped rows)` : '';
      throw dataError(
        labelName,
        `holds ${labels.length} labels but ${baseName(fileName)} has ${dataset.n} ${dataset.kind === 'images' ? 'images' : 'rows'}${skipped}: ` +
          'expected one label per item. Use the labels file that belongs to this data file.',
      );
    }
    if (dataset.labels) dataset.summary.notes.push(`labels from ${baseName(labelName)} replace the label column`);
    dataset.labels = labels;
    if (dataset.kind === 'table') dataset.labelColumn = undefined;
    dataset.labelNames = undefined;
    dataset.summary.hasLabels = true;
    dataset.summary.notes.push(`labels: ${labels.length} from ${baseName(labelName)}`);
  }
  return dataset;
}

/** A labels file: IDX idx1, a 1-D .npy of integers, or text with one integer per row (optionally a header). */
export function loadLabels(fileName: string, bytes: Uint8Array): Int32Array {
  const { name, bytes: content } = unwrap(fileName, bytes, []);
  if (looksLikeNpy(content) || /\.npy$/i.test(name)) return npyLabels(fileName, content);
  if ((content.length >= 4 && content[0] === 0 && content[1] === 0) || IDX_NAME.test(name)) return loadIdxLabels(fileName, content);
  // labelsFile: a one-column file headed "label" (repeated class numbers) is the labels, not a table without features.
  const table = loadDelimitedText(fileName, content, { labelsFile: true });
  const column = table.kind === 'table' && table.d === 1 ? table.values : undefined;
  if (!column || table.summary.skippedRows > 0) {
    throw dataError(fileName, `expected one integer label per line (a single column${table.summary.skippedRows > 0 ? ', no missing values' : ''}), found ${table.d} columns.`);
  }
  const out = new Int32Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (!Number.isInteger(v) || Math.abs(v) > 2147483647) {
      const line = table.kind === 'table' && table.sourceLines ? table.sourceLines[i] : i + 1;
      throw dataError(fileName, `line ${line}: the label ${v} is not an integer. Expected class numbers such as 0–9.`, line);
    }
    out[i] = v;
  }
  return out;
}

function npyLabels(fileName: string, bytes: Uint8Array): Int32Array {
  const a = readNpyHeader(fileName, bytes, true);
  if (a.shape.length !== 1 && !(a.shape.length === 2 && a.shape[1] === 1)) {
    throw dataError(fileName, `labels must be a 1-D array, found shape (${a.shape.join(', ')}).`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + a.dataOffset, a.count * a.itemSize);
  const out = new Int32Array(a.count);
  for (let i = 0; i < a.count; i++) {
    const o = i * a.itemSize;
    let v: number;
    switch (a.type) {
      case 'uint8':
      case 'bool':
        v = view.getUint8(o);
        break;
      case 'int8':
        v = view.getInt8(o);
        break;
      case 'int16':
        v = view.getInt16(o, a.littleEndian);
        break;
      case 'uint16':
        v = view.getUint16(o, a.littleEndian);
        break;
      case 'int32':
        v = view.getInt32(o, a.littleEndian);
        break;
      case 'uint32':
        v = view.getUint32(o, a.littleEndian);
        break;
      case 'int64':
        v = Number(view.getBigInt64(o, a.littleEndian));
        break;
      case 'float32':
        v = view.getFloat32(o, a.littleEndian);
        break;
      case 'float64':
        v = view.getFloat64(o, a.littleEndian);
        break;
    }
    if (!Number.isInteger(v) || Math.abs(v) > 2147483647) {
      throw dataError(fileName, `element ${i}: the label ${v} is not an integer. Expected class numbers such as 0–9.`);
    }
    out[i] = v;
  }
  return out;
}

/** Names of the formats, for messages and the README. */
export const SUPPORTED_FORMATS = listSome([
  ...DATA_FORMATS.flatMap((f) => [...f.extensions.map((e) => `.${e}`), ...f.namePatterns.map((p) => p.glob)]),
  '.gz of any of them',
]);

