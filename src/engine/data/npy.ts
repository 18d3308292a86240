// NumPy .npy files (format versions 1.0, 2.0 and 3.0): magic "\x93NUMPY", version, header length, a Python dict
// literal {'descr': '<f8', 'fortran_order': False, 'shape': (n, d)}, then the C-order data.

import type { DatasetSummary } from '../../shared/protocol';
import { allocate, dataError, emptySummary, HOST_LITTLE_ENDIAN, listSome, plural } from './common';
import type { ImageData, TableData } from './dataset';
import { imageShape, pixelScale } from './images';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const MAX_HEADER_BYTES = 1 << 20;

export type NpyType = 'uint8' | 'bool' | 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint16' | 'uint32';

export interface NpyArray {
  type: NpyType;
  littleEndian: boolean;
  shape: number[];
  /** Element count (product of the shape). */
  count: number;
  dataOffset: number;
  itemSize: number;
}

export function looksLikeNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}

const SUPPORTED_DATA = "uint8 '|u1', bool '|b1', float32 '<f4' or float64 '<f8'";

/**
 * Parses the header; `integers` also accepts integer dtypes (for label arrays); `prefix`: the bytes are only the
 * start of the file, so their length is not checked against the shape.
 */
export function readNpyHeader(fileName: string, bytes: Uint8Array, integers = false, prefix = false, fileSize?: number): NpyArray {
  if (!looksLikeNpy(bytes)) {
    const shown = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw dataError(fileName, `wrong magic bytes at offset 0 (${shown || 'none: the file is empty'}): expected "\\x93NUMPY", the start of every .npy file. Save the array with numpy.save.`);
  }
  if (bytes.length < 10) throw dataError(fileName, `the file is truncated: ${bytes.length} bytes, shorter than a .npy header.`);
  const major = bytes[6];
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = bytes[8] | (bytes[9] << 8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw dataError(fileName, `the file is truncated: ${bytes.length} bytes, shorter than a .npy version ${major} header.`);
    headerLength = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24)) >>> 0;
    headerStart = 12;
  } else {
    throw dataError(fileName, `unsupported .npy format version ${major}.${bytes[7]} at offset 6: expected 1.0, 2.0 or 3.0.`);
  }
  if (headerLength > MAX_HEADER_BYTES || headerStart + headerLength > bytes.length) {
    throw dataError(fileName, `corrupt header: it claims ${headerLength} bytes (offset ${headerStart}) but the file has ${bytes.length}. Save the array again with numpy.save.`);
  }
  const headerBytes = bytes.subarray(headerStart, headerStart + headerLength);
  const header = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : String.fromCharCode(...headerBytes);
  const corrupt = (what: string) =>
    dataError(fileName, `corrupt header (${what}): expected a dict like {'descr': '<f8', 'fortran_order': False, 'shape': (272, 2)}, found "${header.trim().slice(0, 80)}".`);
  if (!/^\s*\{[\s\S]*\}\s*$/.test(header)) throw corrupt('not a dict');
  const descrMatch = /['"]descr['"]\s*:\s*(?:'([^']*)'|"([^"]*)"|(\[))/.exec(header);
  if (!descrMatch) throw corrupt("no 'descr'");
  if (descrMatch[3]) {
    throw dataError(fileName, `unsupported dtype: a structured array (record fields). Expected plain numbers: ${SUPPORTED_DATA}; save one field, e.g. numpy.save(path, a['x'].astype('float64')).`);
  }
  const descr = descrMatch[1] ?? descrMatch[2];
  const fortranMatch = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header);
  if (!fortranMatch) throw corrupt("no 'fortran_order'");
  if (fortranMatch[1] === 'True') {
    throw dataError(fileName, `fortran_order is True: the data are stored column by column. Expected C order; save with numpy.save(path, numpy.ascontiguousarray(a)).`);
  }
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  if (!shapeMatch) throw corrupt("no 'shape'");
  const parts = shapeMatch[1].split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!parts.every((s) => /^\d+L?$/.test(s))) throw corrupt(`shape (${shapeMatch[1]})`);
  const shape = parts.map((s) => Number.parseInt(s, 10));
  if (shape.some((s) => !Number.isSafeInteger(s))) throw corrupt(`shape (${shapeMatch[1]})`);

  const dtype = parseDescr(descr, integers);
  if (!dtype) {
    throw dataError(
      fileName,
      `unsupported dtype '${descr}': expected ${SUPPORTED_DATA}${integers ? ' or an integer type' : ''}. Convert it, e.g. numpy.save(path, a.astype('float64')).`,
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const dataOffset = headerStart + headerLength;
  const expected = dataOffset + count * dtype.itemSize;
  const what = `shape (${shape.join(', ')}) of ${descr}`;
  if (prefix && fileSize === undefined) return { ...dtype, shape, count, dataOffset };
  // `fileSize`: the bytes are the file's start, and the file has this many.
  const total = fileSize ?? bytes.length;
  if (total < expected) {
    throw dataError(fileName, `the file is truncated: expected ${expected} bytes for ${what}, found ${total}.`);
  }
  if (total > expected) {
    throw dataError(fileName, `size mismatch: the header announces ${what} (${expected} bytes) but the file has ${total} bytes (${total - expected} extra).`);
  }
  return { ...dtype, shape, count, dataOffset };
}

function parseDescr(descr: string, integers: boolean): { type: NpyType; littleEndian: boolean; itemSize: number } | undefined {
  const m = /^([<>|=]?)([a-z])(\d+)$/.exec(descr);
  if (!m) return undefined;
  const littleEndian = m[1] !== '>' || Number(m[3]) === 1;
  const code = m[2] + m[3];
  const table: Record<string, NpyType> = { u1: 'uint8', b1: 'bool', f4: 'float32', f8: 'float64' };
  const intTable: Record<string, NpyType> = { i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64', u2: 'uint16', u4: 'uint32' };
  const type = table[code] ?? (integers ? intTable[code] : undefined);
  if (!type) return undefined;
  if (m[1] === '=' && !HOST_LITTLE_ENDIAN) return undefined;
  return { type, littleEndian, itemSize: Number(m[3]) };
}

/** Element i of a numeric array as a double (any supported dtype, any byte order). */
function reader(bytes: Uint8Array, a: NpyArray): (i: number) => number {
  const view = new DataView(bytes.buffer, bytes.byteOffset + a.dataOffset, a.count * a.itemSize);
  const le = a.littleEndian;
  switch (a.type) {
    case 'uint8':
    case 'bool':
      return (i) => view.getUint8(i);
    case 'int8':
      return (i) => view.getInt8(i);
    case 'int16':
      return (i) => view.getInt16(2 * i, le);
    case 'uint16':
      return (i) => view.getUint16(2 * i, le);
    case 'int32':
      return (i) => view.getInt32(4 * i, le);
    case 'uint32':
      return (i) => view.getUint32(4 * i, le);
    case 'int64':
      return (i) => Number(view.getBigInt64(8 * i, le));
    case 'float32':
      return (i) => view.getFloat32(4 * i, le);
    case 'float64':
      return (i) => view.getFloat64(8 * i, le);
  }
}

/** The data as Float32 / Float64 without a copy when aligned and in host order, else a converted copy. */
function floats(fileName: string, bytes: Uint8Array, a: NpyArray, as: 'float32' | 'float64'): Float32Array | Float64Array {
  const offset = bytes.byteOffset + a.dataOffset;
  const nativeOrder = a.littleEndian === HOST_LITTLE_ENDIAN;
  if (a.type === as && nativeOrder && offset % a.itemSize === 0) {
    return as === 'float32' ? new Float32Array(bytes.buffer, offset, a.count) : new Float64Array(bytes.buffer, offset, a.count);
  }
  const out = allocate(fileName, 'the array', a.count * (as === 'float32' ? 4 : 8), () =>
    as === 'float32' ? new Float32Array(a.count) : new Float64Array(a.count),
  );
  const get = reader(bytes, a);
  for (let i = 0; i < a.count; i++) out[i] = get(i);
  return out;
}

export interface NpyOptions {
  imageWidth?: number;
  /** A column of case weights: x1…xD or its 1-based number. */
  weightsColumn?: string;
  /** 'marginalize': NaN cells are missing cells, fitted around; otherwise rows with NaN are skipped. */
  missing?: 'marginalize' | 'skip';
}

export function loadNpy(fileName: string, bytes: Uint8Array, options: NpyOptions): TableData | ImageData {
  const a = readNpyHeader(fileName, bytes);
  let shape = a.shape;
  const notes = [`NumPy array ${a.type}, shape (${shape.join(', ')})`];
  if (shape.length === 4 && shape[3] === 1) shape = shape.slice(0, 3); // one colour channel
  if (shape.length === 0) throw dataError(fileName, `the array is a single number (shape ()): expected rows × features (2-D) or images (3-D).`);
  if (shape.length > 3) {
    throw dataError(fileName, `shape (${a.shape.join(', ')}) has ${a.shape.length} dimensions: expected 2 (rows × features) or 3 (images × height × width); colour images are not supported.`);
  }
  if (a.count === 0) throw dataError(fileName, `the array is empty (shape (${a.shape.join(', ')})): there is nothing to fit.`);
  const n = shape[0];
  const d = a.count / n;
  const bytesLike = a.type === 'uint8' || a.type === 'bool';
  const base: DatasetSummary = { ...emptySummary(fileName), notes };

  // Images: 3-D arrays, and 2-D byte arrays.
  if (shape.length === 3 || (shape.length === 2 && bytesLike)) {
    let height: number;
    let width: number;
    if (shape.length === 3) {
      [, height, width] = shape;
    } else {
      const s = imageShape(d, options.imageWidth);
      [height, width] = s ?? [1, d];
      if (!s) notes.push(`${d} pixels per row is not a square: shown as 1×${d} strips (set mixscope.imageWidth)`);
    }
    if (bytesLike) return bytesAsImages(fileName, bytes, a, n, height, width, base);
    const pixels = floats(fileName, bytes, a, 'float32') as Float32Array;
    return floatImages(fileName, pixels, n, height, width, base);
  }

  // Tables: 1-D (one column) and 2-D arrays of numbers.
  const all = bytesLike ? uint8AsFloat64(bytes, a) : (floats(fileName, bytes, a, 'float64') as Float64Array);
  if (shape.length === 2 && d >= 64 && !bytesLike) {
    const s = imageShape(d, options.imageWidth);
    if (s && looksLikePixels(all)) {
      const pixels = a.type === 'float32' ? (floats(fileName, bytes, a, 'float32') as Float32Array) : Float32Array.from(all);
      return floatImages(fileName, pixels, n, s[0], s[1], base);
    }
  }
  return floatTable(all, n, d, base, options);
}

function uint8AsFloat64(bytes: Uint8Array, a: NpyArray): Float64Array {
  return Float64Array.from(bytes.subarray(a.dataOffset, a.dataOffset + a.count));
}

function looksLikePixels(v: Float64Array | Float32Array): boolean {
  let unit = true;
  let integral = true;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!(x >= 0 && x <= 255)) return false;
    if (x > 1) unit = false;
    if (integral && !Number.isInteger(x)) integral = false;
    if (!unit && !integral) return false;
  }
  return true;
}

function bytesAsImages(fileName: string, bytes: Uint8Array, a: NpyArray, n: number, height: number, width: number, summary: DatasetSummary): ImageData {
  let pixels = bytes.subarray(a.dataOffset, a.dataOffset + a.count);
  let max = 0;
  for (let i = 0; i < pixels.length; i++) if (pixels[i] > max) max = pixels[i];
  if (a.type === 'bool' && max > 1) {
    pixels = pixels.map((p) => (p ? 1 : 0)); // numpy writes 0/1, but any non-zero byte is True
    max = 1;
  }
  const d = height * width;
  summary.notes.push(`${n} images of ${height}×${width} pixels`);
  return { kind: 'images', n, d, height, width, pixels, scale: a.type === 'bool' ? 1 : pixelScale(max), summary: { ...summary, n, d, imageShape: [height, width] } };
}

function floatImages(fileName: string, pixels: Float32Array, n: number, height: number, width: number, summary: DatasetSummary): ImageData {
  let max = 0;
  for (let i = 0; i < pixels.length; i++) {
    const x = pixels[i];
    if (!(x >= 0 && x <= 255)) {
      const row = Math.floor(i / (height * width));
      throw dataError(
        fileName,
        `image ${row + 1} has the pixel value ${x} (element ${i}): images need values in [0, 1] or [0, 255]. ` +
          'For other numbers save a 2-D array (rows × features) to fit a Gaussian mixture.',
      );
    }
    if (x > max) max = x;
  }
  const d = height * width;
  const scale = max <= 1 ? 1 : 255;
  summary.notes.push(`${n} images of ${height}×${width} pixels (values in [0, ${scale}])`);
  return { kind: 'images', n, d, height, width, pixels, scale, summary: { ...summary, n, d, imageShape: [height, width] } };
}

function floatTable(all: Float64Array, n: number, width: number, summary: DatasetSummary, options: NpyOptions): TableData {
  const names = Array.from({ length: width }, (_, j) => `x${j + 1}`);
  const weightsName = (options.weightsColumn ?? '').trim();
  let weightsColumn = -1;
  if (weightsName !== '') {
    weightsColumn = names.indexOf(weightsName.toLowerCase());
    if (weightsColumn < 0 && /^\d+$/.test(weightsName) && Number(weightsName) >= 1 && Number(weightsName) <= width) weightsColumn = Number(weightsName) - 1;
    if (weightsColumn < 0) throw dataError(summary.fileName, `there is no weights column "${weightsName}": the array's columns are x1…x${width} (or their positions 1–${width}).`);
    if (width === 1) throw dataError(summary.fileName, `the weights column "${weightsName}" is the array's only column: nothing would be left to fit.`);
  }
  const d = weightsColumn >= 0 ? width - 1 : width;
  const marginalize = options.missing === 'marginalize';
  if (weightsColumn < 0 && all.every(Number.isFinite)) {
    // Every cell finite and every column a feature: the array itself (no copy).
    return { kind: 'table', n, d, values: all, columns: names, summary: { ...summary, n, d, columns: names } };
  }
  // Rows with ±Inf (or NaN when missing cells are skipped), or with no observed cell, are skipped and counted
  // (rows numbered from 1); NaN cells are missing cells when they are fitted.
  const bad: number[] = [];
  let badCount = 0;
  const values = new Float64Array(n * d);
  const weights = weightsColumn >= 0 ? new Float64Array(n) : undefined;
  let missing: Uint8Array | undefined;
  const missingPerColumn = new Array<number>(d).fill(0);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const o = i * width;
    if (weights) {
      const w = all[o + weightsColumn];
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw dataError(summary.fileName, `row ${i + 1}: the weight in column x${weightsColumn + 1} is ${w}. Case weights must be numbers ≥ 0 (0 leaves the row out); correct that row, or set weightsColumn to "".`);
      }
    }
    let observed = 0;
    let usable = true;
    for (let j = 0; j < width; j++) {
      if (j === weightsColumn) continue;
      const v = all[o + j];
      if (Number.isFinite(v)) observed++;
      else if (!(marginalize && Number.isNaN(v))) usable = false;
    }
    if (!usable || observed === 0) {
      badCount++;
      if (bad.length < 20) bad.push(i + 1);
      continue;
    }
    if (weights) weights[kept] = all[o + weightsColumn];
    let c = 0;
    for (let j = 0; j < width; j++) {
      if (j === weightsColumn) continue;
      const v = all[o + j];
      values[kept * d + c] = v;
      if (v !== v) {
        missing ??= new Uint8Array(n * d);
        missing[kept * d + c] = 1;
        missingPerColumn[c]++;
      }
      c++;
    }
    kept++;
  }
  if (badCount > 0) {
    summary.notes.push(`${plural(badCount, 'row')} skipped: ${marginalize ? 'infinite values or no finite value' : 'NaN or infinite values'} at rows ${listSome(bad)}`);
  }
  if (kept === 0) throw dataError(summary.fileName, `every row has NaN or infinite values: there is nothing to fit.`);
  const columns = names.filter((_, j) => j !== weightsColumn);
  if (weightsColumn >= 0) summary.notes.push(`case weights: column x${weightsColumn + 1} (not a feature)`);
  if (missing) {
    summary.notes.push(
      `missing cells (NaN): ${columns.map((name, j) => (missingPerColumn[j] > 0 ? `${missingPerColumn[j]} in ${name}` : '')).filter(Boolean).join(', ')}`,
    );
  }
  return {
    kind: 'table',
    n: kept,
    d,
    values: kept === n ? values : values.slice(0, kept * d),
    columns,
    weights: weights?.slice(0, kept),
    weightsColumn: weightsColumn >= 0 ? names[weightsColumn] : undefined,
    missing: missing?.slice(0, kept * d),
    missingPerColumn: missing ? missingPerColumn : undefined,
    summary: { ...summary, n: kept, d, columns, skippedRows: badCount, skippedLines: bad },
  };
}
