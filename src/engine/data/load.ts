// The one entry point for data files: recognises the format by name and by magic number, loads it with the
// matching loader and pairs a labels file. Pure: no `vscode` import, runs in the worker thread and the CLI.
// Every failure is a DataError naming the file, where (line / field / byte offset), what was expected and what to do.

import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors';
import { baseName, dataError, listSome } from './common';
import type { Dataset } from './dataset';
import { loadIdxImages, loadIdxLabels, looksLikeIdx } from './idx';
import { loadNpy, looksLikeNpy, readNpyHeader } from './npy';
import { loadDelimitedText } from './text';

export { asImages, imageShape } from './images';

export interface LoadOptions {
  /** Columns to fit, by name or 1-based position; empty or absent = every numeric column. */
  columns?: string[];
  /** Image width when the file does not give the shape. */
  imageWidth?: number;
  /** A labels file's bytes (IDX idx1, a 1-D .npy of integers, or a text file with one integer per row). */
  labelBytes?: Uint8Array;
  labelFileName?: string;
}

/** Largest size a .gz file may expand to. */
export const MAX_GUNZIPPED_BYTES = 1 << 30;

const TEXT_EXTENSIONS = /\.(csv|tsv|txt|dat|data)$/i;
const IDX_NAME = /[-.]idx(\d)-ubyte$/i;
const IDX_IMAGES_NAME = /^(.*?)images([-.])idx3([-.]ubyte(?:\.gz)?)$/i;

/** Files Mixscope can cluster: delimited text, .npy, IDX images (MNIST's extension-less names), and .gz of them. */
export function isDataFileName(name: string): boolean {
  const base = baseName(name).replace(/\.gz$/i, '');
  if (TEXT_EXTENSIONS.test(base) || /\.npy$/i.test(base)) return true;
  const idx = IDX_NAME.exec(base);
  return idx !== null && idx[1] !== '1'; // idx1 files are labels, read beside their images
}

/** The labels file that belongs to an IDX images file (train-images-idx3-ubyte → train-labels-idx1-ubyte), if any. */
export function companionLabelsFileName(imagesFileName: string): string | undefined {
  const slash = Math.max(imagesFileName.lastIndexOf('/'), imagesFileName.lastIndexOf('\\'));
  const dir = imagesFileName.slice(0, slash + 1);
  const m = IDX_IMAGES_NAME.exec(imagesFileName.slice(slash + 1));
  if (!m) return undefined;
  return `${dir}${m[1]}labels${m[2]}idx1${m[3]}`;
}

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

export function loadDataset(fileName: string, bytes: Uint8Array, options: LoadOptions = {}): Dataset {
  const extraNotes: string[] = [];
  const { name, bytes: content } = unwrap(fileName, bytes, extraNotes);
  const base = baseName(name);
  let dataset: Dataset;
  if (/\.npy$/i.test(base) || looksLikeNpy(content)) {
    dataset = loadNpy(fileName, content, { imageWidth: options.imageWidth });
  } else if (IDX_NAME.test(base) || (!TEXT_EXTENSIONS.test(base) && looksLikeIdx(content))) {
    dataset = loadIdxImages(fileName, content, options.imageWidth);
  } else {
    dataset = loadDelimitedText(fileName, content, { columns: options.columns, imageWidth: options.imageWidth });
  }
  if (extraNotes.length > 0) dataset.summary.notes.unshift(...extraNotes);
  if (dataset.kind === 'images' && options.columns && options.columns.some((c) => c.trim() !== '')) {
    dataset.summary.notes.push('the columns setting does not apply to images: every pixel is used');
  }
  if (options.labelBytes) {
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
export const SUPPORTED_FORMATS = listSome(['.csv', '.tsv', '.txt', '.dat', '.data', '.npy', '*-idx3-ubyte', '.gz of any of them']);

