// IDX files (LeCun's MNIST format): a big-endian header `00 00 <type> <ndim>`, ndim uint32 sizes, then the data.
// Images are idx3 (n × height × width) unsigned bytes; labels are idx1 (n) unsigned bytes.

import { dataError, emptySummary, hex } from './common';
import type { ImageData } from './dataset';
import { imageShape, pixelScale } from './images';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'short (16-bit)',
  0x0c: 'int (32-bit)',
  0x0d: 'float (32-bit)',
  0x0e: 'double (64-bit)',
};

/** Does the content start like an IDX file (two zero bytes, a known type code, 1–3 dimensions)? */
export function looksLikeIdx(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0 && TYPE_NAMES[bytes[2]] !== undefined && bytes[3] >= 1 && bytes[3] <= 3;
}

export interface IdxHeader {
  dims: number[];
  dataOffset: number;
}

function readMagic(bytes: Uint8Array): number {
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}

/** Checks the magic number and reads the sizes; `expect` is the kind of IDX file the caller wants. */
export function readIdxHeader(fileName: string, bytes: Uint8Array, expect: 'images' | 'labels'): IdxHeader {
  const wanted = expect === 'images' ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC;
  const wantedText = `${hex(wanted, 8)} (IDX ${expect === 'images' ? 'images: unsigned bytes, 3 dimensions' : 'labels: unsigned bytes, 1 dimension'})`;
  if (bytes.length < 4) {
    throw dataError(fileName, `the file has only ${bytes.length} bytes: expected an IDX header starting with the magic number ${wantedText}.`);
  }
  const magic = readMagic(bytes);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw dataError(
      fileName,
      `wrong magic number ${hex(magic, 8)} at offset 0: expected ${wantedText}. ` +
        (bytes[0] === 0x1f && bytes[1] === 0x8b ? 'The file is gzip-compressed: give it a .gz name.' : 'The file is not an IDX file or is damaged; download it again.'),
    );
  }
  const type = bytes[2];
  const ndim = bytes[3];
  if (type !== 0x08) {
    throw dataError(
      fileName,
      `unsupported IDX data type code ${hex(type)} (${TYPE_NAMES[type] ?? 'unknown'}) at offset 2: expected ${hex(0x08)} (unsigned byte), as MNIST's files use.`,
    );
  }
  if (expect === 'images' && ndim === 1) {
    throw dataError(fileName, `this is an IDX labels file (magic ${hex(magic, 8)}), not images: open the matching …-images-idx3-ubyte file; its labels are read from this one.`);
  }
  if (expect === 'labels' && ndim !== 1) {
    throw dataError(fileName, `wrong magic number ${hex(magic, 8)} for a labels file: expected ${wantedText}.`);
  }
  if (ndim < 1 || ndim > 3) {
    throw dataError(fileName, `unsupported IDX dimension count ${ndim} at offset 3: expected 3 (images) or 1 (labels).`);
  }
  const dataOffset = 4 + 4 * ndim;
  if (bytes.length < dataOffset) {
    throw dataError(fileName, `the file is truncated: the IDX header needs ${dataOffset} bytes, found ${bytes.length}.`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) {
    const o = 4 + 4 * i;
    dims.push(((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0);
  }
  return { dims, dataOffset };
}

function checkSize(fileName: string, bytes: Uint8Array, expected: number, what: string): void {
  checkFileSize(fileName, bytes.length, expected, what);
}

/** The file's size against the size its header announces: one DataError when they differ. */
export function checkFileSize(fileName: string, size: number, expected: number, what: string): void {
  const bytes = { length: size };
  if (bytes.length < expected) {
    throw dataError(fileName, `the file is truncated: expected ${expected} bytes for ${what}, found ${bytes.length}. Download it again.`);
  }
  if (bytes.length > expected) {
    throw dataError(
      fileName,
      `size mismatch: the header announces ${what} (${expected} bytes) but the file has ${bytes.length} bytes (${bytes.length - expected} extra). ` +
        'The header or the data is damaged.',
    );
  }
}

export function loadIdxImages(fileName: string, bytes: Uint8Array, imageWidth?: number): ImageData {
  const { dims, dataOffset } = readIdxHeader(fileName, bytes, 'images');
  const n = dims[0];
  let height: number;
  let width: number;
  const notes = ['IDX images (unsigned bytes)'];
  if (dims.length === 3) {
    height = dims[1];
    width = dims[2];
  } else {
    // 2-D IDX: n rows of d bytes; the shape comes from the settings or a square.
    const d = dims[1];
    const shape = imageShape(d, imageWidth) ?? [1, d];
    [height, width] = shape;
    if (!imageShape(d, imageWidth)) notes.push(`${d} pixels per row is not a square: shown as 1×${d} strips (set mixscope.imageWidth)`);
  }
  const d = height * width;
  const what = `${n} images of ${height}×${width}`;
  if (n === 0 || d === 0) throw dataError(fileName, `the header announces ${what}: there is nothing to fit.`);
  checkSize(fileName, bytes, dataOffset + n * d, what);
  const pixels = bytes.subarray(dataOffset, dataOffset + n * d);
  let max = 0;
  for (let i = 0; i < pixels.length && max < 255; i++) if (pixels[i] > max) max = pixels[i];
  notes.push(`${n} images of ${height}×${width} pixels`);
  return {
    kind: 'images',
    n,
    d,
    height,
    width,
    pixels,
    scale: pixelScale(max),
    summary: { ...emptySummary(fileName), n, d, columns: [], notes, imageShape: [height, width] },
  };
}

export function loadIdxLabels(fileName: string, bytes: Uint8Array): Int32Array {
  const { dims, dataOffset } = readIdxHeader(fileName, bytes, 'labels');
  const n = dims[0];
  checkSize(fileName, bytes, dataOffset + n, `${n} labels`);
  return Int32Array.from(bytes.subarray(dataOffset, dataOffset + n));
}
