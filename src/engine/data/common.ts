// Small helpers shared by the loaders: file names in messages, summaries, number formatting.

import type { DatasetSummary } from '../../shared/protocol';
import { DataError } from '../errors';

/** The last path segment, for messages ("data/x.csv" and "C:\\d\\x.csv" both give "x.csv"). */
export function baseName(fileName: string): string {
  const parts = fileName.split(/[\\/]/);
  return parts[parts.length - 1] || fileName;
}

export function emptySummary(fileName: string): DatasetSummary {
  return { fileName: baseName(fileName), n: 0, d: 0, columns: [], droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [] };
}

/** A DataError whose message starts with the file's name. */
export function dataError(fileName: string, message: string, line?: number): DataError {
  const name = baseName(fileName);
  return new DataError(`${name}: ${message}`, name, line);
}

export function hex(value: number, digits = 2): string {
  return '0x' + value.toString(16).toUpperCase().padStart(digits, '0');
}

/** "a, b, c" with at most `max` items shown. */
export function listSome(items: readonly (string | number)[], max = 10): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown}, … (${items.length} in all)` : shown;
}

export function plural(count: number, one: string, many = one + 's'): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Allocates a typed array, turning an allocation failure into a DataError naming the size. */
export function allocate<T>(fileName: string, what: string, bytes: number, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof RangeError) {
      throw dataError(fileName, `${what} needs ${Math.round(bytes / 1e6)} MB, more than can be allocated; use a smaller file.`);
    }
    throw e;
  }
}

/** Little-endian host? (All supported platforms are; typed-array views of file bytes rely on it.) */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A cell's text shortened for a message. */
export function clip(s: string): string {
  return s.length > 30 ? s.slice(0, 27) + '…' : s;
}

/** An ArrayBuffer holding exactly these bytes (Buffer#slice shares memory, so copy through Uint8Array's). */
export function exactArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return Uint8Array.prototype.slice.call(bytes).buffer as ArrayBuffer;
}
