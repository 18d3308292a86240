// NumPy .npy and IDX (MNIST) files too large for memory, parsed in one streaming pass into the column store. Both are
// a header and then fixed-size records, so the file is read a block of records at a time: the header is checked by
// the in-memory reader (npy.ts, idx.ts: the same messages), each record is decoded as the in-memory loader decodes
// it (images, tables, case weights, rows with NaN or ±Inf skipped and reported) and only the store is written.

import * as fs from 'node:fs';
import type { DatasetSummary } from '../../../shared/protocol';
import { baseName, dataError, emptySummary, listSome, plural } from '../common';
import { checkFileSize, readIdxHeader } from '../idx';
import { imageShape } from '../images';
import { readNpyHeader, type NpyArray } from '../npy';
import { DataError } from '../../errors';
import { ColumnStoreWriter } from './columnStore';
import type { StoredLabels } from './storeRows';
import type { StreamedTable } from './textStream';

/** Bytes of one block as read (and, for .npy, as decoded to float64), so that a block of bytes is not eight times its size. */
const BLOCK_BYTES = 8 * 1024 * 1024;
/** Most bytes of a .npy header (npy.ts reads at most 1 MB of it). */
const HEAD_BYTES = (1 << 20) + 16;
/** Row numbers kept for the note on skipped rows (as npy.ts). */
const SKIPPED_SHOWN = 20;

export interface StreamArrayOptions {
  imageWidth?: number;
  /** A column of case weights (x1…xD or its number), for a .npy table. */
  weightsColumn?: string;
  /** Store images as columns of pixel values, instead of refusing them (a Bernoulli fit). */
  pixelRows?: boolean;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Called before anything is written, with the bytes the store will take at most. */
  beforeWrite?: (storeBytes: number) => void;
  /** Called with each usable row's values, its row number (1-based) and the columns' names; may throw. */
  checkRow?: (values: Float64Array, row: number, names: readonly string[]) => void;
  /** Records per block read (tests cut small files into several). */
  blockRecords?: number;
  /** What the store's write buffers may take together (from the memory budget); unset: 512 KB per column. */
  memoryBytes?: number;
  /** Whether the fit marginalises missing cells: NaN cells are then stored (see StreamTextOptions), as in memory. */
  keepMissing?: (numeric: string[], categorical: boolean) => boolean;
  /** IDX images: the labels file beside them (…-labels-idx1-ubyte), read record by record with the images. */
  labelsPath?: string;
}

function readAt(fd: number, into: Uint8Array, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const got = fs.readSync(fd, into, done, length - done, position + done);
    if (got === 0) break;
    done += got;
  }
  return done;
}

/** Decodes `count` elements of `a`'s type from `bytes` into `out`. */
function decode(bytes: Uint8Array, a: NpyArray, count: number, out: Float64Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * a.itemSize);
  const le = a.littleEndian;
  switch (a.type) {
    case 'uint8':
      for (let i = 0; i < count; i++) out[i] = bytes[i];
      return;
    case 'bool':
      // numpy writes 0/1, but any non-zero byte is True.
      for (let i = 0; i < count; i++) out[i] = bytes[i] ? 1 : 0;
      return;
    case 'float32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, le);
      return;
    case 'float64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, le);
      return;
    default:
      throw new Error(`internal: unexpected .npy type ${a.type}`);
  }
}

const imagesOnly = (fileName: string, n: number) =>
  dataError(fileName, `its ${n} images are fitted out of core by the Bernoulli family only. Set model to "bernoulli" or "auto", or raise memoryBudgetMB to fit it in memory.`);

/** Parses the .npy file at `filePath` into a store in `dir` (which the caller removes). */
export function streamNpyToStore(filePath: string, dir: string, options: StreamArrayOptions = {}): StreamedTable {
  const fileName = baseName(filePath);
  const fd = fs.openSync(filePath, 'r');
  let writer: ColumnStoreWriter | undefined;
  try {
    const size = fs.fstatSync(fd).size;
    const head = new Uint8Array(Math.min(size, HEAD_BYTES));
    readAt(fd, head, head.length, 0);
    const a = readNpyHeader(fileName, head, false, true, size);
    // The shapes and their messages as loadNpy's.
    let shape = a.shape;
    const notes = [`NumPy array ${a.type}, shape (${shape.join(', ')})`];
    if (shape.length === 4 && shape[3] === 1) shape = shape.slice(0, 3);
    if (shape.length === 0) throw dataError(fileName, `the array is a single number (shape ()): expected rows × features (2-D) or images (3-D).`);
    if (shape.length > 3) {
      throw dataError(fileName, `shape (${a.shape.join(', ')}) has ${a.shape.length} dimensions: expected 2 (rows × features) or 3 (images × height × width); colour images are not supported.`);
    }
    if (a.count === 0) throw dataError(fileName, `the array is empty (shape (${a.shape.join(', ')})): there is nothing to fit.`);
    const n = shape[0];
    const width = a.count / n;
    const bytesLike = a.type === 'uint8' || a.type === 'bool';
    let images: [number, number] | undefined;
    if (shape.length === 3) images = [shape[1], shape[2]];
    else if (shape.length === 2 && bytesLike) {
      const s = imageShape(width, options.imageWidth);
      images = s ?? [1, width];
      if (!s) notes.push(`${width} pixels per row is not a square: shown as 1×${width} strips (set mixscope.imageWidth)`);
    }
    if (images && !options.pixelRows) throw imagesOnly(fileName, n);
    // A 2-D float array of 64 columns and more with an image shape is images when every value is a pixel value.
    const maybeImages = !images && options.pixelRows && shape.length === 2 && width >= 64 && !bytesLike ? imageShape(width, options.imageWidth) : undefined;
    const names = Array.from({ length: width }, (_, j) => `x${j + 1}`);
    let weightsColumn = -1;
    const weightsName = (options.weightsColumn ?? '').trim();
    if (!images && weightsName !== '') {
      weightsColumn = names.indexOf(weightsName.toLowerCase());
      if (weightsColumn < 0 && /^\d+$/.test(weightsName) && Number(weightsName) >= 1 && Number(weightsName) <= width) weightsColumn = Number(weightsName) - 1;
      if (weightsColumn < 0) throw dataError(fileName, `there is no weights column "${weightsName}": the array's columns are x1…x${width} (or their positions 1–${width}).`);
      if (width === 1) throw dataError(fileName, `the weights column "${weightsName}" is the array's only column: nothing would be left to fit.`);
    }
    const columns = names.filter((_, j) => j !== weightsColumn);
    const d = columns.length;
    options.beforeWrite?.(n * width * 8);
    writer = new ColumnStoreWriter(dir, weightsColumn >= 0 ? [...columns, names[weightsColumn]] : images ? names.map((_, j) => `p${j + 1}`) : columns, options.memoryBytes);
    const recordBytes = width * a.itemSize;
    const perBlock = Math.max(1, Math.min(n, options.blockRecords ?? Math.floor(BLOCK_BYTES / Math.max(recordBytes, width * 8))));
    const bytes = new Uint8Array(perBlock * recordBytes);
    const values = new Float64Array(perBlock * width);
    const row = new Float64Array(width);
    const bad: number[] = [];
    let badCount = 0;
    let firstMissing: StreamedTable['firstMissing'];
    const keepMissing = !images && (options.keepMissing?.(columns, false) ?? false);
    const firstMissingLines = new Array<number>(d).fill(0);
    const missingPerColumn = new Array<number>(d).fill(0);
    let max = 0;
    let pixelsOnly = true;
    for (let start = 0; start < n; start += perBlock) {
      const rows = Math.min(perBlock, n - start);
      const position = a.dataOffset + start * recordBytes;
      if (readAt(fd, bytes, rows * recordBytes, position) < rows * recordBytes) throw dataError(fileName, `the file is truncated at byte ${position}: it changed while it was read. Fit it again.`);
      decode(bytes, a, rows * width, values);
      for (let i = 0; i < rows; i++) {
        const o = i * width;
        if (images) {
          for (let j = 0; j < width; j++) {
            // Float images are read as float32 pixels, as in memory.
            const x = bytesLike ? values[o + j] : Math.fround(values[o + j]);
            if (!(x >= 0 && x <= 255)) {
              throw dataError(
                fileName,
                `image ${start + i + 1} has the pixel value ${x} (element ${(start + i) * width + j}): images need values in [0, 1] or [0, 255]. ` +
                  'For other numbers save a 2-D array (rows × features) to fit a Gaussian mixture.',
              );
            }
            if (x > max) max = x;
            row[j] = x;
          }
          writer.push(row);
          continue;
        }
        if (weightsColumn >= 0) {
          const w = values[o + weightsColumn];
          if (!(w >= 0) || !Number.isFinite(w)) {
            throw dataError(fileName, `row ${start + i + 1}: the weight in column x${weightsColumn + 1} is ${w}. Case weights must be numbers ≥ 0 (0 leaves the row out); correct that row, or set weightsColumn to "".`);
          }
        }
        let usable = true;
        let observed = 0;
        let c = 0;
        for (let j = 0; j < width; j++) {
          if (j === weightsColumn) continue;
          const v = values[o + j];
          if (!Number.isFinite(v)) {
            if (Number.isNaN(v) && !firstMissing) firstMissing = { line: start + i + 1, column: names[j], unit: 'row' };
            // As npy.ts in memory: a NaN cell is a missing cell when the fit marginalises them, ±Inf skips the row.
            if (keepMissing && Number.isNaN(v)) {
              row[c++] = NaN;
              continue;
            }
            usable = false;
            break;
          }
          if (maybeImages && pixelsOnly && !(v >= 0 && v <= 255 && (v <= 1 || Number.isInteger(v)))) pixelsOnly = false;
          observed++;
          row[c++] = v;
        }
        if (usable && observed === 0) usable = false;
        else if (usable && observed < d) {
          for (let q = 0; q < d; q++) {
            if (!Number.isNaN(row[q])) continue;
            missingPerColumn[q]++;
            if (firstMissingLines[q] === 0) firstMissingLines[q] = start + i + 1;
          }
        }
        if (!usable) {
          badCount++;
          if (bad.length < SKIPPED_SHOWN) bad.push(start + i + 1);
          continue;
        }
        if (weightsColumn >= 0) row[d] = values[o + weightsColumn];
        options.checkRow?.(row.subarray(0, d), start + i + 1, columns);
        writer.push(row);
      }
      options.onProgress?.(Math.min(size, position + rows * recordBytes), size);
    }
    const store = writer.finish();
    if (store.n === 0) throw dataError(fileName, `every row has NaN or infinite values: there is nothing to fit.`);
    if (maybeImages && pixelsOnly && badCount === 0) images = maybeImages;
    const summary: DatasetSummary = { ...emptySummary(fileName), n: store.n, d, columns: images ? [] : columns, skippedRows: badCount, skippedLines: bad, notes, hasLabels: false };
    if (images) {
      summary.imageShape = images;
      notes.push(bytesLike ? `${n} images of ${images[0]}×${images[1]} pixels` : `${n} images of ${images[0]}×${images[1]} pixels (values in [0, ${max <= 1 ? 1 : 255}])`);
    }
    if (badCount > 0) notes.push(`${plural(badCount, 'row')} skipped: ${keepMissing ? 'infinite values or no finite value' : 'NaN or infinite values'} at rows ${listSome(bad)}`);
    if (weightsColumn >= 0) notes.push(`case weights: column x${weightsColumn + 1} (not a feature)`);
    if (missingPerColumn.some((m) => m > 0)) {
      notes.push(`missing cells (NaN): ${columns.map((name, j) => (missingPerColumn[j] > 0 ? `${missingPerColumn[j]} in ${name}` : '')).filter(Boolean).join(', ')}`);
    }
    notes.push(storedNote(store.n, store.columns.slice(0, images ? width : d)));
    return { store, summary, ...(weightsColumn >= 0 ? { weightsColumn: names[weightsColumn] } : {}), ...(firstMissing ? { firstMissing } : {}), ...(keepMissing && firstMissing ? { firstMissingLines } : {}), ...(images ? { pixelShape: images } : {}) };
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/** Parses the IDX images file at `filePath` into a store in `dir` (which the caller removes). */
export function streamIdxToStore(filePath: string, dir: string, options: StreamArrayOptions = {}): StreamedTable {
  const fileName = baseName(filePath);
  const fd = fs.openSync(filePath, 'r');
  let writer: ColumnStoreWriter | undefined;
  let labelsFd: number | undefined;
  try {
    const size = fs.fstatSync(fd).size;
    const head = new Uint8Array(Math.min(size, 16));
    readAt(fd, head, head.length, 0);
    const { dims, dataOffset } = readIdxHeader(fileName, head, 'images');
    // The shape and its messages as loadIdxImages's.
    const n = dims[0];
    const notes = ['IDX images (unsigned bytes)'];
    let height: number;
    let width: number;
    if (dims.length === 3) [, height, width] = dims;
    else {
      const s = imageShape(dims[1], options.imageWidth);
      [height, width] = s ?? [1, dims[1]];
      if (!s) notes.push(`${dims[1]} pixels per row is not a square: shown as 1×${dims[1]} strips (set mixscope.imageWidth)`);
    }
    const d = height * width;
    const what = `${n} images of ${height}×${width}`;
    if (n === 0 || d === 0) throw dataError(fileName, `the header announces ${what}: there is nothing to fit.`);
    checkFileSize(fileName, size, dataOffset + n * d, what);
    if (!options.pixelRows) throw imagesOnly(fileName, n);
    const labelled = options.labelsPath !== undefined ? openIdxLabels(options.labelsPath, fileName, n) : undefined;
    labelsFd = labelled?.fd;
    const stored = d + (labelled ? 1 : 0);
    options.beforeWrite?.(n * stored * 8);
    writer = new ColumnStoreWriter(dir, [...Array.from({ length: d }, (_, j) => `p${j + 1}`), ...(labelled ? ['label'] : [])], options.memoryBytes);
    const perBlock = Math.max(1, Math.min(n, options.blockRecords ?? Math.floor(BLOCK_BYTES / d)));
    const bytes = new Uint8Array(perBlock * d);
    const labelBytes = new Uint8Array(labelled ? perBlock : 0);
    const seen = new Uint8Array(256);
    const row = new Float64Array(stored);
    for (let start = 0; start < n; start += perBlock) {
      const rows = Math.min(perBlock, n - start);
      const position = dataOffset + start * d;
      if (readAt(fd, bytes, rows * d, position) < rows * d) throw dataError(fileName, `the file is truncated at byte ${position}: it changed while it was read. Fit it again.`);
      if (labelled && readAt(labelled.fd, labelBytes, rows, labelled.offset + start) < rows) throw dataError(labelled.name, `the file is truncated at byte ${labelled.offset + start}: it changed while it was read. Fit it again.`);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < d; j++) row[j] = bytes[i * d + j];
        if (labelled) {
          row[d] = labelBytes[i];
          seen[labelBytes[i]] = 1;
        }
        writer.push(row);
      }
      options.onProgress?.(position + rows * d, size);
    }
    const store = writer.finish();
    notes.push(`${n} images of ${height}×${width} pixels`);
    notes.push(storedNote(store.n, store.columns.slice(0, d)));
    let labels: StoredLabels | undefined;
    if (labelled) {
      // As in memory: each label is its byte; the codes are the distinct bytes in increasing order.
      const values = Array.from({ length: 256 }, (_, v) => v).filter((v) => seen[v] === 1);
      const recode = new Int32Array(256);
      values.forEach((v, code) => (recode[v] = code));
      labels = { column: 'label', recode, values };
      notes.push(`labels: ${n} from ${labelled.name}`);
    }
    const summary: DatasetSummary = { ...emptySummary(fileName), n, d, columns: [], notes, hasLabels: labels !== undefined, imageShape: [height, width] };
    return { store, summary, pixelShape: [height, width], ...(labels ? { labels } : {}) };
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    fs.closeSync(fd);
    if (labelsFd !== undefined) fs.closeSync(labelsFd);
  }
}

/** The IDX labels file at `labelsPath`, its header checked as the in-memory loader checks it, for `n` images. */
function openIdxLabels(labelsPath: string, imagesName: string, n: number): { fd: number; offset: number; name: string } {
  const name = baseName(labelsPath);
  const fd = fs.openSync(labelsPath, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = new Uint8Array(Math.min(size, 8));
    readAt(fd, head, head.length, 0);
    let header: ReturnType<typeof readIdxHeader>;
    try {
      header = readIdxHeader(name, head, 'labels');
    } catch (e) {
      // As in memory: say which images these labels were for.
      if (e instanceof DataError) throw new DataError(`${e.message} (the labels for ${imagesName})`, e.fileName, e.line);
      throw e;
    }
    const count = header.dims[0];
    if (count !== n) throw dataError(name, `holds ${count} labels but ${imagesName} has ${n} images: expected one label per item. Use the labels file that belongs to this data file.`);
    checkFileSize(name, size, header.dataOffset + n, `${n} labels`);
    return { fd, offset: header.dataOffset, name };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

function storedNote(n: number, columns: { name: string; type: string }[]): string {
  const f32 = columns.filter((c) => c.type === 'float32').length;
  const f64 = columns.length - f32;
  return `fitted out of core: ${n} records streamed block by block through a temporary column store (${[f32 > 0 ? `float32, exact for every value, for ${plural(f32, 'column')}` : '', f64 > 0 ? `float64 for ${plural(f64, 'column')}` : ''].filter(Boolean).join('; ')})`;
}
