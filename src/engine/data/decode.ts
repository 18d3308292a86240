// Bytes → text for the delimited-text loader, refusing binary files early with the offending byte and its offset.

import { dataError, hex } from './common';

/** Largest text decoded into one string (V8 strings stop a little above 2^29 characters): JSON, and UTF-16 tables. */
export const MAX_TEXT_BYTES = 500_000_000;

export interface DecodedText {
  text: string;
  /** 'UTF-8 byte-order mark', 'UTF-16 LE', … for the notes; undefined for plain UTF-8 / ASCII. */
  encodingNote?: string;
}

/** Control bytes that never occur in a text table: everything below 0x20 except tab, LF, VT, FF, CR and Ctrl-Z. */
function isBadControl(b: number): boolean {
  return b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1a;
}

/** A 32-bit word of four bytes 0x20…0x7E: printable ASCII, nothing to check byte by byte. */
function printableWord(w: number): boolean {
  // Bit tricks from "Bit Twiddling Hacks": a byte < 0x20 (hasless), a byte > 0x7E (hasmore).
  return (((w - 0x20202020) & ~w) | ((w + 0x01010101) | w)) & 0x80808080 ? false : true;
}

/** Offset of the first byte that is not valid UTF-8 text (or a stray control byte), or -1. */
export function firstNonTextByte(bytes: Uint8Array, start: number): number {
  const n = bytes.length;
  // Four bytes at a time where they are aligned words of printable ASCII (most of a text table).
  const aligned = (4 - ((bytes.byteOffset + start) & 3)) & 3;
  const wordStart = start + aligned;
  const words = wordStart < n ? new Uint32Array(bytes.buffer, bytes.byteOffset + wordStart, Math.floor((n - wordStart) / 4)) : new Uint32Array(0);
  let i = start;
  while (i < n) {
    if (i >= wordStart && ((i - wordStart) & 3) === 0) {
      let w = (i - wordStart) / 4;
      while (w < words.length && printableWord(words[w])) w++;
      i = wordStart + 4 * w;
      if (i >= n) break;
    }
    const b = bytes[i];
    if (b < 0x80) {
      if (isBadControl(b) || b === 0x7f) return i;
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + need >= n) return i; // sequence cut off by the end of the file
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Is the invalid sequence at `i` only a multi-byte character whose last bytes are missing at the end of the data? */
function isCutOffAtEnd(bytes: Uint8Array, i: number): boolean {
  const b = bytes[i];
  const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
  if (need === 0 || i + need < bytes.length) return false;
  for (let k = i + 1; k < bytes.length; k++) if ((bytes[k] & 0xc0) !== 0x80) return false;
  return true;
}

/** What a binary file that is not text probably is, from its first bytes (for the hint in the message). */
function binaryHint(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return ' It looks like a gzip file: give it a .gz name.';
  if (bytes.length >= 6 && bytes[0] === 0x93 && String.fromCharCode(...bytes.subarray(1, 6)) === 'NUMPY') {
    return ' It looks like a NumPy array: give it a .npy name.';
  }
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0x08) {
    return ' It looks like an IDX file: name it like train-images-idx3-ubyte.';
  }
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4) {
    return ' It looks like a zip archive (an .xlsx workbook?): give it an .xlsx name.';
  }
  return '';
}

export function decodeText(fileName: string, bytes: Uint8Array): DecodedText {
  checkTextSize(fileName, bytes, MAX_TEXT_BYTES);
  const { text, bytes: utf8, encodingNote } = decodeTextBytes(fileName, bytes);
  return { text: text ?? new TextDecoder('utf-8', { ignoreBOM: true }).decode(utf8), encodingNote };
}

function checkTextSize(fileName: string, bytes: Uint8Array, limit: number): void {
  if (bytes.length === 0) {
    throw dataError(fileName, 'the file is empty: expected a table of numbers (one row per line, columns separated by commas, tabs, semicolons or spaces).');
  }
  if (bytes.length > limit) {
    throw dataError(
      fileName,
      `the file is ${Math.round(bytes.length / 1e6)} MB, more than the ${limit / 1e6} MB a text table may have; ` + 'save it as a NumPy .npy file or split it.',
    );
  }
}

export interface DecodedBytes {
  /** The text as UTF-8 bytes, without a byte-order mark (a view of the input for UTF-8 files). */
  bytes: Uint8Array;
  /** The whole text as a string, when it had to be decoded to one (UTF-16). */
  text?: string;
  encodingNote?: string;
}

/**
 * The file's text as UTF-8 bytes, checked as decodeText checks it: UTF-8 stays bytes (never one string, so no limit
 * but memory), UTF-16 is decoded (at most MAX_TEXT_BYTES) and written back as UTF-8.
 */
export function decodeTextBytes(fileName: string, bytes: Uint8Array): DecodedBytes {
  checkTextSize(fileName, bytes, Infinity);
  // UTF-16 with a byte-order mark (Excel's "Unicode text").
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    checkTextSize(fileName, bytes, MAX_TEXT_BYTES);
    const le = bytes[0] === 0xff;
    // An odd last byte is half a character cut by the end (a prefix read for a preview): dropped.
    const text = new TextDecoder(le ? 'utf-16le' : 'utf-16be').decode(bytes.subarray(2, bytes.length - (bytes.length % 2)));
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if ((c < 0x20 && isBadControl(c)) || c === 0xfffd) {
        throw dataError(fileName, `the file does not look like text: character ${hex(c, 4)} at UTF-16 offset ${2 + 2 * i}. Expected a text table.`);
      }
    }
    return { bytes: new TextEncoder().encode(text), text, encodingNote: le ? 'UTF-16 LE text' : 'UTF-16 BE text' };
  }
  let bom = hasUtf8Bom(bytes, 0) ? 3 : 0;
  let end = bytes.length;
  let bad = firstNonTextByte(bytes, bom);
  if (bad >= 0 && isCutOffAtEnd(bytes, bad)) {
    // A character cut by the end of the bytes (a prefix read for a preview): drop it rather than refuse the file.
    end = bad;
    bad = -1;
  }
  if (bad >= 0) {
    throw dataError(
      fileName,
      `the file does not look like text: byte ${hex(bytes[bad])} at offset ${bad}. Expected a UTF-8 text table (CSV, TSV or space-separated).` +
        binaryHint(bytes),
    );
  }
  const note = bom ? 'UTF-8 byte-order mark ignored' : undefined;
  // A UTF-8 decoder drops one more mark right after the first, as it always has for these files.
  if (bom && bom + 3 <= end && hasUtf8Bom(bytes, bom)) bom += 3;
  return { bytes: bytes.subarray(bom, end), encodingNote: note };
}

function hasUtf8Bom(bytes: Uint8Array, at: number): boolean {
  return bytes.length >= at + 3 && bytes[at] === 0xef && bytes[at + 1] === 0xbb && bytes[at + 2] === 0xbf;
}
