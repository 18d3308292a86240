// The opening bytes of the formats read by the heavier readers (Excel, Arrow, Parquet): the registry recognises a
// file by them without loading those readers (typedReaders.ts), which a delimited text file never needs.

/** Zip archives start with "PK\x03\x04" (an .xlsx workbook is one). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4;
}

/** "ARROW1" opens an IPC file; a stream opens with a continuation marker 0xFFFFFFFF. */
export function looksLikeArrow(bytes: Uint8Array): boolean {
  const file = bytes.length >= 6 && String.fromCharCode(...bytes.subarray(0, 6)) === 'ARROW1';
  const stream = bytes.length >= 8 && bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff;
  return file || stream;
}

/** Parquet files start (and end) with "PAR1". */
export function looksLikeParquet(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31; // PAR1
}
