// The zip container of an .xlsx workbook, read through random access to its bytes (a file on disk for out-of-core fits,
// the bytes in memory otherwise): the central directory (at the end) lists the entries; an entry is inflated a chunk
// at a time with fflate's streaming Inflate (small, pure JavaScript), so a sheet's XML is never held whole.

import * as fs from 'node:fs';
import { Inflate, inflateSync } from 'fflate';
import { DataError } from '../errors';
import { dataError } from './common';

/** Random access to a workbook's bytes. */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `position` into `out` at `offset`; the count read (0 at the end). */
  readInto(out: Uint8Array, offset: number, length: number, position: number): number;
  /** The bytes from `position`, when they are already in memory (no copy); undefined to read them into a buffer. */
  view?(position: number, length: number): Uint8Array;
  close(): void;
}

/** A file open for reading: its descriptor is closed with the source. */
export function fileSource(fd: number): ByteSource {
  return {
    size: fs.fstatSync(fd).size,
    readInto: (out, offset, length, position) => fs.readSync(fd, out, offset, length, position),
    close: () => fs.closeSync(fd),
  };
}

/** Bytes in memory, read in place. */
export function memorySource(bytes: Uint8Array): ByteSource {
  const view = (position: number, length: number) => bytes.subarray(Math.min(position, bytes.length), Math.min(position + length, bytes.length));
  return {
    size: bytes.length,
    readInto: (out, offset, length, position) => {
      const part = view(position, length);
      out.set(part, offset);
      return part.length;
    },
    view,
    close: () => undefined,
  };
}

export interface ZipEntry {
  name: string;
  /** 0: stored, 8: deflated. */
  method: number;
  compressedSize: number;
  size: number;
  /** Where the entry's local header starts. */
  headerOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** The end-of-central-directory record with the longest comment it may carry. */
const EOCD_SEARCH = 22 + 0xffff;
const READ_BYTES = 1 << 20;
export const DAMAGED = 'The workbook may be damaged: save it again (as .xlsx) from its spreadsheet program.';

/** An open zip file and its entries by name. */
export class ZipFile {
  readonly entries = new Map<string, ZipEntry>();
  readonly size: number;

  constructor(
    readonly fileName: string,
    private readonly source: ByteSource,
  ) {
    this.size = source.size;
    this.readDirectory();
  }

  private fail(what: string): Error {
    return dataError(this.fileName, `the workbook cannot be unpacked: ${what}. ${DAMAGED}`);
  }

  private read(position: number, length: number): Uint8Array {
    length = Math.max(0, length);
    const inPlace = this.source.view?.(position, length);
    if (inPlace) {
      if (inPlace.length < length) throw this.fail('the file ends inside its zip structures (it is truncated)');
      return inPlace;
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < out.length) {
      const got = this.source.readInto(out, done, out.length - done, position + done);
      if (got === 0) break;
      done += got;
    }
    if (done < out.length) throw this.fail('the file ends inside its zip structures (it is truncated)');
    return out;
  }

  private readDirectory(): void {
    const tailLength = Math.min(this.size, EOCD_SEARCH);
    const tail = this.read(this.size - tailLength, tailLength);
    const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (view.getUint32(i, true) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) throw this.fail('its central directory (the list of files at the end of a zip) is missing, so the file is truncated or not a zip');
    const count = view.getUint16(at + 10, true);
    const directorySize = view.getUint32(at + 12, true);
    const directoryOffset = view.getUint32(at + 16, true);
    if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      throw dataError(this.fileName, `the workbook is a zip64 archive, which Mixscope does not read. Save it again from its spreadsheet program, or save the sheet as CSV or Parquet.`);
    }
    if (directoryOffset + directorySize > this.size) throw this.fail('its central directory lies beyond the end of the file');
    const directory = this.read(directoryOffset, directorySize);
    const dir = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
    const decoder = new TextDecoder('utf-8');
    let p = 0;
    for (let e = 0; e < count; e++) {
      if (p + 46 > directory.length || dir.getUint32(p, true) !== CENTRAL) throw this.fail(`entry ${e + 1} of its central directory is damaged`);
      const nameLength = dir.getUint16(p + 28, true);
      const extraLength = dir.getUint16(p + 30, true);
      const commentLength = dir.getUint16(p + 32, true);
      if (p + 46 + nameLength > directory.length) throw this.fail(`entry ${e + 1} of its central directory is damaged`);
      const entry: ZipEntry = {
        name: decoder.decode(directory.subarray(p + 46, p + 46 + nameLength)),
        method: dir.getUint16(p + 10, true),
        compressedSize: dir.getUint32(p + 20, true),
        size: dir.getUint32(p + 24, true),
        headerOffset: dir.getUint32(p + 42, true),
      };
      if (!this.entries.has(entry.name)) this.entries.set(entry.name, entry);
      p += 46 + nameLength + extraLength + commentLength;
    }
  }

  /** Where the entry's compressed bytes start, after its local header. */
  private dataStart(entry: ZipEntry): number {
    const header = this.read(entry.headerOffset, 30);
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    if (view.getUint32(0, true) !== LOCAL) throw this.fail(`the local header of "${entry.name}" is damaged`);
    const start = entry.headerOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
    if (start + entry.compressedSize > this.size) throw this.fail(`"${entry.name}" runs past the end of the file`);
    return start;
  }

  private checkMethod(entry: ZipEntry): void {
    if (entry.method !== 0 && entry.method !== 8) throw this.fail(`"${entry.name}" is compressed by method ${entry.method}, not deflate`);
  }

  /** A small entry (workbook, relationships, styles) inflated whole. */
  readWhole(entry: ZipEntry): Uint8Array {
    this.checkMethod(entry);
    const raw = this.read(this.dataStart(entry), entry.compressedSize);
    if (entry.method === 0) return raw;
    let out: Uint8Array;
    try {
      out = inflateSync(raw, { out: new Uint8Array(entry.size) });
    } catch (error) {
      throw this.fail(`"${entry.name}" cannot be inflated (${error instanceof Error ? error.message : String(error)})`);
    }
    if (out.length !== entry.size) throw this.fail(`"${entry.name}" inflates to ${out.length} bytes, not the ${entry.size} its directory announces`);
    return out;
  }

  /** The entry's bytes, a chunk at a time. */
  open(entry: ZipEntry): EntryStream {
    this.checkMethod(entry);
    return new EntryStream(this, entry, this.dataStart(entry), (position, length) => this.read(position, length), (what) => this.fail(what));
  }

  close(): void {
    this.source.close();
  }
}

/** One entry inflated chunk by chunk: `next()` gives the next piece of its bytes, or undefined at its end. */
export class EntryStream {
  private readonly pending: Uint8Array[] = [];
  private readonly inflate?: Inflate;
  private position: number;
  private readonly end: number;
  private produced = 0;
  private finished = false;

  constructor(
    readonly zip: ZipFile,
    readonly entry: ZipEntry,
    start: number,
    private readonly read: (position: number, length: number) => Uint8Array,
    private readonly fail: (what: string) => Error,
  ) {
    this.position = start;
    this.end = start + entry.compressedSize;
    if (entry.method === 8) {
      this.inflate = new Inflate((chunk) => {
        this.produced += chunk.length;
        // Never more than the directory announces: a damaged stream cannot inflate without end.
        if (this.produced > entry.size) throw this.fail(`"${entry.name}" inflates to more than the ${entry.size} bytes its directory announces`);
        if (chunk.length > 0) this.pending.push(chunk);
      });
    }
  }

  /** Compressed bytes of the entry read so far (for progress). */
  get consumed(): number {
    return this.position - (this.end - this.entry.compressedSize);
  }

  next(): Uint8Array | undefined {
    while (this.pending.length === 0) {
      if (this.finished) return undefined;
      const length = Math.min(READ_BYTES, this.end - this.position);
      const raw = length > 0 ? this.read(this.position, length) : new Uint8Array(0);
      this.position += length;
      const last = this.position >= this.end;
      if (!this.inflate) {
        this.produced += raw.length;
        if (raw.length > 0) this.pending.push(raw);
      } else {
        try {
          this.inflate.push(raw, last);
        } catch (error) {
          if (error instanceof DataError) throw error;
          throw this.fail(`"${this.entry.name}" cannot be inflated (${error instanceof Error ? error.message : String(error)})`);
        }
      }
      if (last) {
        this.finished = true;
        if (this.produced !== this.entry.size) {
          this.pending.length = 0;
          throw this.fail(`"${this.entry.name}" inflates to ${this.produced} bytes, not the ${this.entry.size} its directory announces`);
        }
      }
    }
    return this.pending.shift();
  }
}
