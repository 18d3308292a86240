// The run-length / bit-packed hybrid streams of a Parquet data page (definition levels, dictionary indices, RLE
// booleans), walked before hyparquet decodes them. hyparquet writes each run into an array sized by the page's value
// count without checking the run against it, so a damaged run length (billions of values) grows the array until V8
// aborts the process. Here every run must fit the values still expected and the bytes of its stream; the walk reads
// each header once and allocates nothing.

/** Encodings whose values hyparquet reads as a hybrid stream. */
const HYBRID_VALUES = new Set(['RLE', 'PLAIN_DICTIONARY', 'RLE_DICTIONARY']);

/** What the walk needs to know of a flat column and its page. */
export interface PageLevels {
  /** 1 for an OPTIONAL column (one bit of definition level per value), 0 for a REQUIRED one. */
  maxDefinitionLevel: 0 | 1;
  /** BOOLEAN values in an RLE page carry a 4-byte length; dictionary indices a bit-width byte. */
  boolean: boolean;
}

/** The first thing wrong with a hybrid stream of `count` values in view[start, end), or undefined. */
function walkHybrid(view: DataView, start: number, end: number, bitWidth: number, count: number, what: string, ones?: { n: number }): string | undefined {
  if (!(bitWidth >= 0 && bitWidth <= 32)) return `${what}: a bit width of ${bitWidth}`;
  const width = (bitWidth + 7) >> 3;
  let at = start;
  let seen = 0;
  while (seen < count) {
    // The run header, a varint read as hyparquet reads it (32-bit arithmetic).
    let header = 0;
    let shift = 0;
    for (;;) {
      if (at >= end) return `${what} end after ${seen} of ${count} values`;
      const byte = view.getUint8(at++);
      header |= (byte & 0x7f) << shift;
      if (!(byte & 0x80)) break;
      shift += 7;
      if (shift > 35) return `${what}: a run header longer than 5 bytes`;
    }
    if (header & 1) {
      const groups = (header >> 1) & 0x7fffffff;
      const bytes = groups * bitWidth;
      if (at + bytes > end) return `${what}: a bit-packed run of ${groups * 8} values needs ${bytes} bytes, ${end - at} are left`;
      if (ones) {
        const n = Math.min(groups * 8, count - seen);
        for (let i = 0; i < n; i++) if ((view.getUint8(at + (i >> 3)) >> (i & 7)) & 1) ones.n++;
      }
      at += bytes;
      seen += groups * 8;
    } else {
      const run = header >>> 1;
      if (seen + run > count) return `${what}: a run of ${run} values where ${count - seen} are left`;
      if (at + width > end) return `${what} end inside a run`;
      if (ones && width > 0 && view.getUint8(at) === 1) ones.n += run;
      at += width;
      seen += run;
    }
  }
  return undefined;
}

/**
 * A version 1 data page, decompressed: its definition levels (a 4-byte length, then the levels), then its values
 * when they are a hybrid stream. Returns what is wrong, or undefined.
 */
export function checkDataPageV1(page: Uint8Array, numValues: number, encoding: string, column: PageLevels): string | undefined {
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  let at = 0;
  let present = numValues;
  if (column.maxDefinitionLevel) {
    if (page.length < 4) return 'the definition levels are cut short';
    const length = view.getUint32(0, true);
    if (length > page.length - 4) return `the definition levels claim ${length} bytes, the page holds ${page.length - 4}`;
    const ones = { n: 0 };
    const problem = walkHybrid(view, 4, 4 + length, 1, numValues, 'the definition levels', ones);
    if (problem) return problem;
    present = Math.min(ones.n, numValues);
    at = 4 + length;
  }
  return checkValues(view, at, page.length, present, encoding, column, false);
}

/**
 * A version 2 data page: its definition levels (uncompressed, at the start of the page) and, when its values are a
 * hybrid stream, those values (`values`: the decompressed rest of the page, or undefined when it is not needed).
 */
export function checkDataPageV2Levels(page: Uint8Array, numValues: number, repetitionBytes: number, definitionBytes: number, column: PageLevels): string | undefined {
  if (!column.maxDefinitionLevel) return undefined;
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  return walkHybrid(view, repetitionBytes, repetitionBytes + definitionBytes, 1, numValues, 'the definition levels');
}

export function checkDataPageV2Values(values: Uint8Array, present: number, encoding: string, column: PageLevels): string | undefined {
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  return checkValues(view, 0, values.length, present, encoding, column, true);
}

/** Whether a page's values are a hybrid stream (and so must be walked). */
export function hybridValues(encoding: string): boolean {
  return HYBRID_VALUES.has(encoding);
}

function checkValues(view: DataView, at: number, end: number, present: number, encoding: string, column: PageLevels, v2: boolean): string | undefined {
  if (!HYBRID_VALUES.has(encoding) || present <= 0) return undefined;
  // hyparquet reads a 4-byte length, then one bit per value: version 1 booleans, version 2 RLE pages.
  if (v2 ? encoding === 'RLE' : column.boolean) {
    if (end - at < 4) return 'the boolean values are cut short';
    const length = view.getUint32(at, true);
    if (length > end - at - 4) return `the boolean values claim ${length} bytes, the page holds ${end - at - 4}`;
    return walkHybrid(view, at + 4, at + 4 + length, 1, present, 'the boolean values');
  }
  if (at >= end) return 'the dictionary indices are missing';
  const bitWidth = view.getUint8(at);
  // Version 1 with a width of 0: every index is 0 and nothing more is read.
  if (bitWidth === 0 && !v2) return undefined;
  return walkHybrid(view, at + 1, end, bitWidth, present, 'the dictionary indices');
}
