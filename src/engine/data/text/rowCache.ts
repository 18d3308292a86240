// What the first pass over a table saw of every row (its kinds and numbers, its line, whether it had the table's
// width), so that the second pass takes the values from here instead of parsing the text again. A row's text is
// read again only when a message or a label needs it: from the nearest checkpoint, at most CHECKPOINT_ROWS rows back.

import { allocate } from '../common';
import type { RowScanner } from './cells';
import type { TableFrame } from './frame';
import { walkRows, type WalkCounts } from './rows';

/** A row of the table's width, one with quotes that do not close, one with another number of fields. */
export const ROW_OF_WIDTH = 0;
export const ROW_BROKEN = 1;
export const ROW_RAGGED = 2;

/** Rows between two checkpoints (where a row's text can be found again): a power of two. */
const CHECKPOINT_ROWS = 256;

export class RowCache {
  /** Rows visited. */
  rows = 0;
  /** Rows of the table's width: `kinds` and `values` hold rowsOfWidth × c cells. */
  rowsOfWidth = 0;
  status: Uint8Array;
  /** 1-based line of each visited row. */
  lines: Uint32Array;
  kinds: Uint8Array;
  values: Float64Array;
  /** Byte offset and 0-based line of every CHECKPOINT_ROWS-th visited row. */
  private checkpoints: number[] = [];

  /** `capacity`: the rows expected (at most the lines from the table's start); more grow the arrays. */
  constructor(
    private readonly fileName: string,
    private readonly c: number,
    capacity: number,
  ) {
    const rows = Math.max(1, capacity);
    this.status = new Uint8Array(rows);
    this.lines = new Uint32Array(rows);
    this.kinds = allocate(fileName, 'the table', rows * c * 9, () => new Uint8Array(rows * c));
    this.values = allocate(fileName, 'the table', rows * c * 8, () => new Float64Array(rows * c));
  }

  /**
   * Records the row `row` holds (visited at `line`). For a row of the table's width, returns where its c cells go in
   * `kinds` and `values` (the caller copies them, in the loop that reads them anyway); -1 for another row.
   */
  add(row: RowScanner, line: number): number {
    const v = this.rows++;
    if (v === this.status.length) this.grow();
    if ((v & (CHECKPOINT_ROWS - 1)) === 0) this.checkpoints.push(row.rowStart, line - 1);
    this.lines[v] = line;
    const c = this.c;
    if (row.broken || row.count !== c) {
      this.status[v] = row.broken ? ROW_BROKEN : ROW_RAGGED;
      return -1;
    }
    this.status[v] = ROW_OF_WIDTH;
    const base = this.rowsOfWidth++ * c;
    if (base + c > this.values.length) this.growCells();
    return base;
  }

  /** Reads visited row v's text again into `row` (its cells' text for messages and labels). */
  rescan(v: number, bytes: Uint8Array, frame: TableFrame, row: RowScanner): void {
    const k = Math.floor(v / CHECKPOINT_ROWS);
    const target = this.lines[v];
    const at = { offset: this.checkpoints[2 * k], line: this.checkpoints[2 * k + 1] };
    const counts: WalkCounts = { blankInside: 0, commentInside: 0 };
    walkRows(bytes, bytes.length, true, at, 0, frame, row, (line) => line >= target, counts);
  }

  private grow(): void {
    const rows = Math.ceil(this.status.length * 1.5) + 16;
    const status = new Uint8Array(rows);
    status.set(this.status);
    this.status = status;
    const lines = new Uint32Array(rows);
    lines.set(this.lines);
    this.lines = lines;
  }

  private growCells(): void {
    const cells = Math.ceil(this.values.length * 1.5) + 16 * this.c;
    const kinds = allocate(this.fileName, 'the table', cells * 9, () => new Uint8Array(cells));
    kinds.set(this.kinds);
    this.kinds = kinds;
    const values = allocate(this.fileName, 'the table', cells * 8, () => new Float64Array(cells));
    values.set(this.values);
    this.values = values;
  }
}

/** Lines from `start` to the end of `bytes` (the rows at most, when lines end with \n, or all with \r; more grow the cache). */
export function countLines(bytes: Uint8Array, start: number): number {
  // Node's Buffer finds a byte several times faster than Uint8Array#indexOf.
  const view = typeof Buffer === 'function' ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) : bytes;
  const count = (byte: number) => {
    let n = 0;
    for (let i = view.indexOf(byte, start); i >= 0; i = view.indexOf(byte, i + 1)) n++;
    return n;
  };
  const newlines = count(10);
  const terminator = newlines > 0 ? 10 : 13;
  const ends = newlines > 0 ? newlines : count(13);
  // A last line without its line end is a line too; exact for a file that ends with one (the cache then becomes the
  // table without a copy).
  return ends + (bytes.length > start && bytes[bytes.length - 1] !== terminator ? 1 : 0);
}
