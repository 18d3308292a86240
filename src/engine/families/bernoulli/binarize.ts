// Binary images, stored sparsely. MNIST binarised at 0.5 has about 13% of its pixels on, so a CSR list of on-pixel
// indices (Uint32 row pointers, Uint16 column indices when D ≤ 65,536) takes ~18 MB for 60,000 × 784 where a
// Float64 per pixel would take 376 MB, and every E-/M-step costs work in proportion to the on-pixels only.
// The arrays live on SharedArrayBuffers so that the compute shards (shardPool.ts) read them without copies.

import type { ImageData, TableData } from '../../data/dataset';
import { DataError, OptionsError } from '../../errors';

export interface BinaryMatrix {
  /** Rows (images). */
  n: number;
  /** Columns (pixels per image). */
  d: number;
  /** n + 1 offsets into `colIdx`: row i's on-pixels are colIdx[rowPtr[i] .. rowPtr[i+1]), in increasing order. */
  rowPtr: Uint32Array;
  /** Column index of every on-pixel. Uint16 when d ≤ 65,536, else Uint32. */
  colIdx: Uint16Array | Uint32Array;
  /** Number of on-pixels. */
  nnz: number;
}

/** A typed array on a SharedArrayBuffer when the runtime has one (Node), else on a plain ArrayBuffer. */
export function sharedArray<T extends Float64Array | Int32Array | Uint32Array | Uint16Array>(
  ctor: { new (buffer: ArrayBufferLike): T; BYTES_PER_ELEMENT: number },
  length: number,
): T {
  const bytes = Math.max(0, length) * ctor.BYTES_PER_ELEMENT;
  const buffer = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  return new ctor(buffer);
}

/**
 * Pixel value / scale > threshold → 1. Images carry their own scale (255 for bytes, 1 for 0..1 data); a table's
 * values must be 0..1 (scale 1) or 0..255 (scale 255, as a CSV of byte pixels).
 */
export function binarize(data: ImageData | TableData, threshold = 0.5): BinaryMatrix {
  if (!Number.isFinite(threshold)) throw new OptionsError(`threshold must be a finite number, got ${threshold}.`);
  if (data.kind === 'images') return binarizePixels(data.pixels, data.n, data.d, data.scale, threshold);
  return binarizePixels(data.values, data.n, data.d, tableScale(data), threshold);
}

function tableScale(t: TableData): number {
  let max = 0;
  const v = t.values;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!(x >= 0 && x <= 255)) {
      const row = Math.floor(i / t.d);
      const where = t.sourceLines ? `line ${t.sourceLines[row]}` : `row ${row + 1}`;
      throw new DataError(
        `${t.summary.fileName}: a Bernoulli mixture needs pixel values in 0..1 or 0..255, but column "${t.columns[i % t.d]}" has ${x} at ${where}.`,
        t.summary.fileName,
        t.sourceLines?.[row],
      );
    }
    if (x > max) max = x;
  }
  return max > 1 ? 255 : 1;
}

/** CSR of the on-pixels of an n × d row-major intensity matrix, in one pass. */
export function binarizePixels(
  pixels: ArrayLike<number>,
  n: number,
  d: number,
  scale: number,
  threshold: number,
): BinaryMatrix {
  if (pixels.length !== n * d) throw new DataError(`expected ${n} × ${d} = ${n * d} pixels, got ${pixels.length}.`);
  if (!(scale > 0)) throw new DataError(`pixel scale must be positive, got ${scale}.`);
  const rowPtr = sharedArray(Uint32Array, n + 1);
  const wide = d > 65536;
  // The comparison numpy makes, `v / scale > threshold` in doubles, is monotone in v: for bytes, find the first
  // value that passes it and compare integers.
  let cut = 0;
  while (cut < 256 && !(cut / scale > threshold)) cut++;
  const bytes = pixels instanceof Uint8Array ? pixels : undefined;
  // Column indices grow in a private buffer (no closure: the hot loop keeps its counters in registers), then move to
  // an exact-size shared one.
  let capacity = Math.max(1024, Math.ceil((n * d) / 8));
  let cols: Uint16Array | Uint32Array = wide ? new Uint32Array(capacity) : new Uint16Array(capacity);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    if (nnz + d > capacity) {
      capacity = Math.max(capacity * 2, nnz + d);
      const grown: Uint16Array | Uint32Array = wide ? new Uint32Array(capacity) : new Uint16Array(capacity);
      grown.set(cols.subarray(0, nnz));
      cols = grown;
    }
    nnz = bytes ? onPixelsOfByteRow(bytes, i * d, d, cut, cols, nnz) : onPixelsOfRow(pixels, i * d, d, scale, threshold, cols, nnz);
    rowPtr[i + 1] = nnz;
  }
  if (nnz > 0xffffffff) throw new DataError(`too many on-pixels (${nnz}) for one dataset.`);
  const colIdx = wide ? sharedArray(Uint32Array, nnz) : sharedArray(Uint16Array, nnz);
  colIdx.set(cols.subarray(0, nnz));
  return { n, d, rowPtr, colIdx, nnz };
}

function onPixelsOfByteRow(pixels: Uint8Array, o: number, d: number, cut: number, cols: Uint16Array | Uint32Array, nnz: number): number {
  for (let j = 0; j < d; j++) if (pixels[o + j] >= cut) cols[nnz++] = j;
  return nnz;
}

function onPixelsOfRow(
  pixels: ArrayLike<number>,
  o: number,
  d: number,
  scale: number,
  threshold: number,
  cols: Uint16Array | Uint32Array,
  nnz: number,
): number {
  for (let j = 0; j < d; j++) if (pixels[o + j] / scale > threshold) cols[nnz++] = j;
  return nnz;
}

/** Row i as 0/1 values (for example strips and tests). */
export function denseRow(m: BinaryMatrix, i: number, out: { [j: number]: number; length: number } = new Array<number>(m.d).fill(0)): typeof out {
  for (let j = 0; j < m.d; j++) out[j] = 0;
  for (let p = m.rowPtr[i]; p < m.rowPtr[i + 1]; p++) out[m.colIdx[p]] = 1;
  return out;
}

/** A CSR from explicit 0/1 rows (tests, small data). */
export function binaryFromRows(rows: ArrayLike<number>[]): BinaryMatrix {
  const n = rows.length;
  const d = n > 0 ? rows[0].length : 0;
  const flat = new Uint8Array(n * d);
  rows.forEach((r, i) => {
    if (r.length !== d) throw new DataError(`row ${i + 1} has ${r.length} values, expected ${d}.`);
    for (let j = 0; j < d; j++) flat[i * d + j] = r[j] ? 1 : 0;
  });
  return binarizePixels(flat, n, d, 1, 0.5);
}
