// The first lines of a table's text as strings, decoded from its bytes only as far as they are asked for: choosing
// the layout and finding the header look at the file's start, and the rest is walked as bytes (rows.ts).

import { bytesToString } from './numbers';

export class TextLines {
  /** The lines decoded so far. */
  readonly lines: string[] = [];
  private readonly starts: number[] = [];
  private next = 0;

  constructor(readonly bytes: Uint8Array) {}

  /** Line i (0-based), or undefined past the last line. */
  get(i: number): string | undefined {
    const src = this.bytes;
    const end = src.length;
    while (this.lines.length <= i && this.next < end) {
      const a = this.next;
      let e = a;
      while (e < end && src[e] !== 10 && src[e] !== 13) e++;
      this.starts.push(a);
      this.lines.push(bytesToString(src, a, e));
      this.next = e >= end ? end : src[e] === 13 && e + 1 < end && src[e + 1] === 10 ? e + 2 : e + 1;
    }
    return this.lines[i];
  }

  /** Byte offset where line i starts (the end of the bytes past the last line). */
  start(i: number): number {
    this.get(i);
    return i < this.starts.length ? this.starts[i] : this.bytes.length;
  }
}
