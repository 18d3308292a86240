// A compact binary column store for fitting files larger than memory: one file per column in a temporary folder,
// little-endian float32 when every value of the column is exactly a float32 (nothing the fit could use is lost),
// float64 otherwise. Written once by a streaming parse, then read back in chunks of rows by every EM pass.
// The folder is the caller's to remove (removeStore); stale folders of killed runs are swept by sweepStaleStores.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataError } from '../../errors';

/** Temporary folders start with this, so a sweep can tell ours from anything else in the temp folder. */
export const STORE_PREFIX = 'mixscope-store-';
/** A store folder older than this belongs to a run that was killed before it could remove it. */
export const STALE_STORE_MS = 24 * 60 * 60 * 1000;
/** Values buffered per column before they are written. */
const WRITE_BUFFER_VALUES = 1 << 16;

export type StoredType = 'float32' | 'float64';

export interface StoreColumn {
  name: string;
  type: StoredType;
  /** Mean and standard deviation (population) of the stored values, from the parse. */
  mean: number;
  sd: number;
}

export interface ColumnStoreInfo {
  dir: string;
  n: number;
  columns: StoreColumn[];
}

/** Makes a fresh store folder under `parent` (the system temp folder by default). */
export function createStoreDir(parent = os.tmpdir()): string {
  return fs.mkdtempSync(path.join(parent, STORE_PREFIX));
}

/** Removes a store folder and everything in it; never throws (a cleanup must not hide the fit's own error). */
export function removeStore(dir: string | undefined): void {
  if (!dir) return;
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // Left for the next sweep.
  }
}

/** Removes store folders older than a day (runs killed before their own cleanup); returns how many. */
export function sweepStaleStores(parent = os.tmpdir(), now = Date.now()): number {
  let removed = 0;
  let entries: string[];
  try {
    entries = fs.readdirSync(parent);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.startsWith(STORE_PREFIX)) continue;
    const dir = path.join(parent, entry);
    try {
      if (now - fs.statSync(dir).mtimeMs > STALE_STORE_MS) {
        fs.rmSync(dir, { recursive: true, force: true });
        removed++;
      }
    } catch {
      // Another process's folder, or already gone.
    }
  }
  return removed;
}

const MB = 1024 * 1024;

/**
 * Refuses before writing when the folder's file system has less free space than `neededBytes`: one message with the
 * numbers and what to do. `freeBytes` replaces the file system's answer (tests).
 */
export function checkFreeSpace(dir: string, neededBytes: number, fileName: string, freeBytes?: number): void {
  let free = freeBytes;
  if (free === undefined) {
    try {
      const s = fs.statfsSync(dir);
      free = Number(s.bavail) * Number(s.bsize);
    } catch {
      return; // A file system that cannot say: the writes themselves will report a full disk.
    }
  }
  if (free < neededBytes) {
    throw new DataError(
      `${fileName}: fitting it out of core needs about ${Math.ceil(neededBytes / MB)} MB of temporary disk space in ${dir}, but only ` +
        `${Math.floor(free / MB)} MB are free. Free some space there (or point TMPDIR at a larger disk), or raise the memory budget (memoryBudgetMB) to fit it in memory.`,
      fileName,
    );
  }
}

function columnPath(dir: string, j: number, type: StoredType): string {
  return path.join(dir, `col-${j}.${type === 'float32' ? 'f32' : 'f64'}`);
}

/** Writes rows into the store, column by column; `finish` picks each column's type and converts what can be float32. */
export class ColumnStoreWriter {
  n = 0;
  private readonly fds: number[];
  private readonly buffers: Float64Array[];
  private fill = 0;
  private readonly exactF32: boolean[];
  // Welford's running mean and M2 per column.
  private readonly means: Float64Array;
  private readonly m2: Float64Array;
  /** Values per column other than NaN (a missing cell some fits keep). */
  private readonly observed: Float64Array;

  constructor(
    readonly dir: string,
    readonly names: string[],
  ) {
    const d = names.length;
    this.fds = names.map((_, j) => fs.openSync(columnPath(dir, j, 'float64'), 'w'));
    this.buffers = names.map(() => new Float64Array(WRITE_BUFFER_VALUES));
    this.exactF32 = new Array<boolean>(d).fill(true);
    this.means = new Float64Array(d);
    this.m2 = new Float64Array(d);
    this.observed = new Float64Array(d);
  }

  /** One row of d finite values, or NaN for a missing cell (read from `row` at `offset`); the statistics skip NaN. */
  push(row: ArrayLike<number>, offset = 0): void {
    const d = this.names.length;
    this.n++;
    for (let j = 0; j < d; j++) {
      const v = row[offset + j];
      this.buffers[j][this.fill] = v;
      if (v !== v) continue;
      const count = ++this.observed[j];
      if (this.exactF32[j] && Math.fround(v) !== v) this.exactF32[j] = false;
      const delta = v - this.means[j];
      this.means[j] += delta / count;
      this.m2[j] += delta * (v - this.means[j]);
    }
    if (++this.fill === WRITE_BUFFER_VALUES) this.flush();
  }

  private flush(): void {
    for (let j = 0; j < this.fds.length; j++) {
      const b = this.buffers[j];
      writeAll(this.fds[j], new Uint8Array(b.buffer, 0, this.fill * 8));
    }
    this.fill = 0;
  }

  /** Closes the files and narrows every column whose values are all float32 to float32. */
  finish(): ColumnStoreInfo {
    this.flush();
    for (const fd of this.fds) fs.closeSync(fd);
    const columns = this.names.map((name, j): StoreColumn => {
      const type: StoredType = this.exactF32[j] ? 'float32' : 'float64';
      if (type === 'float32') narrowToFloat32(columnPath(this.dir, j, 'float64'), columnPath(this.dir, j, 'float32'));
      return { name, type, mean: this.means[j], sd: this.observed[j] > 0 ? Math.sqrt(this.m2[j] / this.observed[j]) : 0 };
    });
    const info: ColumnStoreInfo = { dir: this.dir, n: this.n, columns };
    fs.writeFileSync(path.join(this.dir, 'store.json'), JSON.stringify({ n: info.n, columns }));
    return info;
  }

  /** Closes the files without finishing (the parse failed; the folder is removed by the caller). */
  abort(): void {
    for (const fd of this.fds) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

function narrowToFloat32(from: string, to: string): void {
  const inFd = fs.openSync(from, 'r');
  const outFd = fs.openSync(to, 'w');
  try {
    const wide = new Float64Array(WRITE_BUFFER_VALUES);
    const narrow = new Float32Array(WRITE_BUFFER_VALUES);
    const wideBytes = new Uint8Array(wide.buffer);
    for (;;) {
      const got = readFully(inFd, wideBytes, wideBytes.length, -1);
      const count = got >> 3;
      if (count === 0) break;
      for (let i = 0; i < count; i++) narrow[i] = wide[i];
      writeAll(outFd, new Uint8Array(narrow.buffer, 0, count * 4));
      if (got < wideBytes.length) break;
    }
  } finally {
    fs.closeSync(inFd);
    fs.closeSync(outFd);
  }
  fs.rmSync(from);
}

/** Reads up to `length` bytes (at `position`, or the current position when -1); returns how many. */
function readFully(fd: number, into: Uint8Array, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const got = fs.readSync(fd, into, done, length - done, position < 0 ? null : position + done);
    if (got === 0) break;
    done += got;
  }
  return done;
}

/** Reads rows back as row-major float64, chunk by chunk; reuses its buffers. */
export class ColumnStoreReader {
  readonly n: number;
  readonly d: number;
  private readonly fds: number[];
  private readonly types: StoredType[];
  private bytes = new Uint8Array(0);

  constructor(readonly info: ColumnStoreInfo) {
    this.n = info.n;
    this.d = info.columns.length;
    this.types = info.columns.map((c) => c.type);
    this.fds = info.columns.map((c, j) => fs.openSync(columnPath(info.dir, j, c.type), 'r'));
  }

  /** Rows [start, start + count) into out (count × d, row-major). */
  read(start: number, count: number, out: Float64Array): void {
    const d = this.d;
    if (this.bytes.length < count * 8) this.bytes = new Uint8Array(count * 8);
    for (let j = 0; j < d; j++) {
      const wide = this.types[j] === 'float64';
      const size = wide ? 8 : 4;
      const got = readFully(this.fds[j], this.bytes, count * size, start * size);
      if (got !== count * size) throw new Error(`internal: the column store's column ${j} ended early (${got} of ${count * size} bytes)`);
      if (wide) {
        const values = new Float64Array(this.bytes.buffer, 0, count);
        for (let i = 0; i < count; i++) out[i * d + j] = values[i];
      } else {
        const values = new Float32Array(this.bytes.buffer, 0, count);
        for (let i = 0; i < count; i++) out[i * d + j] = values[i];
      }
    }
  }

  close(): void {
    for (const fd of this.fds) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}

/** Bytes the store takes on disk at most (every column float64), for the free-space check. */
export function storeBytesUpperBound(rows: number, d: number): number {
  return rows * d * 8;
}
