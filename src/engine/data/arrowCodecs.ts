// Decoders for compressed Arrow IPC buffers, registered with apache-arrow's compression registry when this module is
// first imported: ZSTD through fzstd (bundled by hyparquet-compressors) and LZ4 frames through the decoder below.
// pyarrow.feather.write_feather compresses with LZ4 by default, so most Feather files need it.
//
// Every buffer is decoded into exactly the size its 8-byte prefix declares, and must fill it: damaged data end in
// IpcDamage (the loader's DataError naming the file), never a read past an array, an unbounded allocation or a loop
// that does not consume its input.

import { CompressionType } from 'apache-arrow/fb/compression-type';
import { compressionRegistry } from 'apache-arrow/ipc/compression/registry';
import { decompressZstd } from 'hyparquet-compressors';
import { IpcDamage } from './arrowCheck';

const LZ4_FRAME_MAGIC = 0x184d2204;
/** Skippable frames (0x184D2A50 … 0x184D2A5F) carry no data and may sit between LZ4 frames. */
const LZ4_SKIPPABLE_MASK = 0xfffffff0;
const LZ4_SKIPPABLE = 0x184d2a50;
const LZ4_BLOCK_MAX = [0, 0, 0, 0, 1 << 16, 1 << 18, 1 << 20, 1 << 22];
/** An LZ4 sequence turns at least one input byte into at most 255 output bytes (per length byte of 255). */
const LZ4_MAX_RATIO = 256;
/** A ZSTD block of 3 header bytes and one RLE byte gives at most 128 KiB: no valid input expands further. */
const ZSTD_MAX_RATIO = (1 << 17) / 4;
/** One Arrow buffer becomes one typed array. */
const MAX_BUFFER_BYTES = 2 ** 31 - 1;

const PRIME1 = 2654435761;
const PRIME2 = 2246822519;
const PRIME3 = 3266489917;
const PRIME4 = 668265263;
const PRIME5 = 374761393;

function read32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function xxhRound(acc: number, input: number): number {
  return Math.imul(rotl((acc + Math.imul(input, PRIME2)) | 0, 13), PRIME1);
}

/** xxHash32 of b[start, end) with seed 0: the LZ4 frame format's header, block and content checksums. */
export function xxh32(b: Uint8Array, start = 0, end = b.length): number {
  let i = start;
  let h: number;
  if (end - start >= 16) {
    let v1 = (PRIME1 + PRIME2) | 0;
    let v2 = PRIME2 | 0;
    let v3 = 0;
    let v4 = -PRIME1 | 0;
    for (const limit = end - 16; i <= limit; i += 16) {
      v1 = xxhRound(v1, read32(b, i));
      v2 = xxhRound(v2, read32(b, i + 4));
      v3 = xxhRound(v3, read32(b, i + 8));
      v4 = xxhRound(v4, read32(b, i + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = PRIME5 | 0;
  }
  h = (h + (end - start)) | 0;
  for (; i + 4 <= end; i += 4) h = Math.imul(rotl((h + Math.imul(read32(b, i), PRIME3)) | 0, 17), PRIME4);
  for (; i < end; i++) h = Math.imul(rotl((h + Math.imul(b[i], PRIME5)) | 0, 11), PRIME1);
  h ^= h >>> 15;
  h = Math.imul(h, PRIME2);
  h ^= h >>> 13;
  h = Math.imul(h, PRIME3);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * One LZ4 block (the raw format: sequences of literals and matches) from src[s, sEnd) into out from `o`, never past
 * `oEnd`; matches reach back no further than `floor`. Returns the new output position.
 */
function lz4Block(src: Uint8Array, s: number, sEnd: number, out: Uint8Array, o: number, oEnd: number, floor: number): number {
  for (;;) {
    if (s >= sEnd) throw new IpcDamage('an LZ4 block ends inside a sequence');
    const token = src[s++];
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (s >= sEnd) throw new IpcDamage('an LZ4 block ends inside a literal length');
        b = src[s++];
        literals += b;
      } while (b === 255);
    }
    if (literals > sEnd - s) throw new IpcDamage('an LZ4 block has fewer literals than it declares');
    if (literals > oEnd - o) throw new IpcDamage('an LZ4 block decodes to more bytes than declared');
    // Short runs byte by byte: a subarray per sequence costs more than the copy.
    if (literals < 64) {
      for (const end = s + literals; s < end; ) out[o++] = src[s++];
    } else {
      out.set(src.subarray(s, s + literals), o);
      s += literals;
      o += literals;
    }
    if (s === sEnd) return o; // the last sequence has literals only
    if (sEnd - s < 2) throw new IpcDamage('an LZ4 block ends inside a match offset');
    const offset = src[s] | (src[s + 1] << 8);
    s += 2;
    if (offset === 0 || offset > o - floor) throw new IpcDamage(`an LZ4 match reaches ${offset} bytes back, before the start of the data`);
    let length = token & 15;
    if (length === 15) {
      let b: number;
      do {
        if (s >= sEnd) throw new IpcDamage('an LZ4 block ends inside a match length');
        b = src[s++];
        length += b;
      } while (b === 255);
    }
    length += 4;
    if (length > oEnd - o) throw new IpcDamage('an LZ4 block decodes to more bytes than declared');
    if (offset >= length && length >= 64) {
      out.copyWithin(o, o - offset, o - offset + length);
      o += length;
    } else {
      // Short or overlapping (repeating its last `offset` bytes): byte by byte.
      for (const end = o + length; o < end; o++) out[o] = out[o - offset];
    }
  }
}

/**
 * LZ4 frames (the format of the lz4 tool and of Arrow's LZ4_FRAME codec), one or more, possibly with skippable
 * frames between them, decoded into exactly `size` bytes. Checksums present in the frame are verified.
 */
export function decodeLz4Frames(src: Uint8Array, size: number): Uint8Array {
  if (size > LZ4_MAX_RATIO * src.length + 64) throw new IpcDamage(`an LZ4 buffer of ${src.length} bytes cannot hold the ${size} bytes it declares`);
  const out = new Uint8Array(size);
  let s = 0;
  let o = 0;
  for (let frame = 1; s < src.length; frame++) {
    if (src.length - s < 4) throw new IpcDamage('an LZ4 buffer ends inside a frame header');
    const magic = read32(src, s);
    if ((magic & LZ4_SKIPPABLE_MASK) >>> 0 === LZ4_SKIPPABLE) {
      if (src.length - s < 8) throw new IpcDamage('an LZ4 buffer ends inside a skippable frame');
      const skip = read32(src, s + 4);
      if (skip > src.length - s - 8) throw new IpcDamage('an LZ4 skippable frame runs past the end of its buffer');
      s += 8 + skip;
      continue;
    }
    if (magic !== LZ4_FRAME_MAGIC) throw new IpcDamage(`an LZ4 buffer's frame ${frame} does not start with the LZ4 frame magic number (found 0x${magic.toString(16)})`);
    const descriptor = s + 4;
    if (src.length - descriptor < 3) throw new IpcDamage('an LZ4 buffer ends inside a frame header');
    const flags = src[descriptor];
    const bd = src[descriptor + 1];
    if (flags >>> 6 !== 1) throw new IpcDamage(`an LZ4 frame of version ${flags >>> 6} (only version 1 exists)`);
    if ((flags & 0x02) !== 0 || (bd & 0x8f) !== 0) throw new IpcDamage('an LZ4 frame header sets reserved bits');
    if ((flags & 0x01) !== 0) throw new IpcDamage('an LZ4 frame needs a dictionary, which Arrow never writes');
    const independent = (flags & 0x20) !== 0;
    const blockChecksums = (flags & 0x10) !== 0;
    const hasContentSize = (flags & 0x08) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    const blockMax = LZ4_BLOCK_MAX[(bd >>> 4) & 7];
    if (blockMax === 0) throw new IpcDamage(`an LZ4 frame declares block size code ${(bd >>> 4) & 7} (4 to 7 exist)`);
    let p = descriptor + 2;
    let contentSize = -1;
    if (hasContentSize) {
      if (src.length - p < 9) throw new IpcDamage('an LZ4 buffer ends inside a frame header');
      const low = read32(src, p);
      const high = read32(src, p + 4);
      contentSize = high > 0x1fffff ? Number.MAX_SAFE_INTEGER : high * 2 ** 32 + low;
      p += 8;
    }
    if (p >= src.length) throw new IpcDamage('an LZ4 buffer ends inside a frame header');
    if (src[p] !== ((xxh32(src, descriptor, p) >>> 8) & 0xff)) throw new IpcDamage('an LZ4 frame header fails its checksum');
    p++;
    const frameStart = o;
    for (;;) {
      if (src.length - p < 4) throw new IpcDamage('an LZ4 frame ends without its end mark');
      const word = read32(src, p);
      p += 4;
      if (word === 0) break;
      const stored = word >>> 31 === 1;
      const length = word & 0x7fffffff;
      if (length > blockMax) throw new IpcDamage(`an LZ4 block of ${length} bytes, more than the frame's ${blockMax}`);
      if (length > src.length - p - (blockChecksums ? 4 : 0)) throw new IpcDamage('an LZ4 block runs past the end of its buffer');
      if (blockChecksums && read32(src, p + length) !== xxh32(src, p, p + length)) throw new IpcDamage('an LZ4 block fails its checksum');
      const blockEnd = Math.min(size, o + blockMax);
      if (stored) {
        if (length > blockEnd - o) throw new IpcDamage('an LZ4 block decodes to more bytes than declared');
        out.set(src.subarray(p, p + length), o);
        o += length;
      } else {
        o = lz4Block(src, p, p + length, out, o, blockEnd, independent ? o : frameStart);
      }
      p += length + (blockChecksums ? 4 : 0);
    }
    if (contentSize >= 0 && contentSize !== o - frameStart) throw new IpcDamage(`an LZ4 frame declares ${contentSize} bytes but holds ${o - frameStart}`);
    if (contentChecksum) {
      if (src.length - p < 4) throw new IpcDamage('an LZ4 frame ends inside its checksum');
      if (read32(src, p) !== xxh32(out, frameStart, o)) throw new IpcDamage('an LZ4 frame fails its content checksum');
      p += 4;
    }
    s = p;
  }
  if (o !== size) throw new IpcDamage(`an LZ4 buffer holds ${o} bytes where ${size} are declared`);
  return out;
}

const ZSTD_MAGIC = 0xfd2fb528;
const ZSTD_BLOCK_MAX = 1 << 17;
/** A window fzstd may allocate for a frame that does not declare its size (the largest zstd's levels use). */
const ZSTD_WINDOW_MAX = 1 << 27;

/**
 * ZSTD frames (with skippable frames between them) decoded into exactly `size` bytes. Each frame's extent is found
 * by walking its block headers, and each is decoded on its own by fzstd, without an output buffer (given one, it is
 * three times slower and restarts its output at each frame) once the allocation its header implies is bounded.
 */
export function decodeZstd(src: Uint8Array, size: number): Uint8Array {
  if (size > ZSTD_MAX_RATIO * src.length + 64) throw new IpcDamage(`a ZSTD buffer of ${src.length} bytes cannot hold the ${size} bytes it declares`);
  let out = new Uint8Array(0);
  let s = 0;
  let o = 0;
  for (let frame = 1; s < src.length; frame++) {
    if (src.length - s < 5) throw new IpcDamage('a ZSTD buffer ends inside a frame header');
    const magic = read32(src, s);
    if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) {
      if (src.length - s < 8) throw new IpcDamage('a ZSTD buffer ends inside a skippable frame');
      const skip = read32(src, s + 4);
      if (skip > src.length - s - 8) throw new IpcDamage('a ZSTD skippable frame runs past the end of its buffer');
      s += 8 + skip;
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw new IpcDamage(`a ZSTD buffer's frame ${frame} does not start with the ZSTD magic number (found 0x${magic.toString(16)})`);
    const fhd = src[s + 4];
    if ((fhd & 0x08) !== 0) throw new IpcDamage('a ZSTD frame header sets a reserved bit');
    const singleSegment = (fhd & 0x20) !== 0;
    const checksum = (fhd & 0x04) !== 0;
    const dictBytes = [0, 1, 2, 4][fhd & 3];
    const sizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][fhd >>> 6];
    let p = s + 5;
    let window = 0;
    if (!singleSegment) {
      if (p >= src.length) throw new IpcDamage('a ZSTD buffer ends inside a frame header');
      const base = 2 ** (10 + (src[p] >>> 3));
      window = base + (base / 8) * (src[p] & 7);
      p++;
    }
    if (src.length - p < dictBytes + sizeBytes) throw new IpcDamage('a ZSTD buffer ends inside a frame header');
    for (let k = 0; k < dictBytes; k++) if (src[p + k] !== 0) throw new IpcDamage('a ZSTD frame needs a dictionary, which Arrow never writes');
    p += dictBytes;
    let contentSize = -1;
    if (sizeBytes > 0) {
      contentSize = 0;
      for (let k = sizeBytes - 1; k >= 0; k--) contentSize = contentSize * 256 + src[p + k];
      if (sizeBytes === 2) contentSize += 256;
      p += sizeBytes;
    }
    for (let last = 0; !last; ) {
      if (src.length - p < 3) throw new IpcDamage('a ZSTD frame ends inside a block header');
      const header = src[p] | (src[p + 1] << 8) | (src[p + 2] << 16);
      last = header & 1;
      const type = (header >>> 1) & 3;
      const blockSize = header >>> 3;
      if (type === 3) throw new IpcDamage('a ZSTD block of the reserved type');
      if (blockSize > ZSTD_BLOCK_MAX) throw new IpcDamage(`a ZSTD block of ${blockSize} bytes, more than 128 KiB`);
      p += 3 + (type === 1 ? 1 : blockSize);
      if (p > src.length) throw new IpcDamage('a ZSTD block runs past the end of its buffer');
    }
    if (checksum) p += 4;
    if (p > src.length) throw new IpcDamage('a ZSTD frame ends inside its checksum');
    if (contentSize > size - o) throw new IpcDamage(`a ZSTD frame declares ${contentSize} bytes, more than the ${size} of its buffer`);
    // fzstd allocates the content size when the header gives one, else the window: bounded here first.
    if (contentSize <= 0 && window > Math.max(ZSTD_WINDOW_MAX, size - o)) throw new IpcDamage(`a ZSTD frame declares a window of ${window} bytes`);
    if (contentSize !== 0) {
      let decoded: Uint8Array;
      try {
        decoded = decompressZstd(src.subarray(s, p));
      } catch (error) {
        throw new IpcDamage(`a ZSTD buffer cannot be decoded (${error instanceof Error ? error.message : String(error)})`);
      }
      if (contentSize > 0 && decoded.length !== contentSize) throw new IpcDamage(`a ZSTD frame decodes to ${decoded.length} bytes where its header declares ${contentSize}`);
      if (decoded.length > size - o) throw new IpcDamage('a ZSTD buffer decodes to more bytes than declared');
      // Copied: fzstd's output starts 12 bytes into its allocation, and Arrow's typed arrays need 8-byte alignment.
      if (out.length !== size) out = new Uint8Array(size);
      out.set(decoded, o);
      o += decoded.length;
    }
    s = p;
  }
  if (o !== size) throw new IpcDamage(`a ZSTD buffer holds ${o} bytes where ${size} are declared`);
  return out.length === size ? out : new Uint8Array(size);
}

/**
 * The declared size of a buffer handed to a codec: apache-arrow's reader passes the bytes after the buffer's 8-byte
 * little-endian uncompressed length, as a view into the message body, so the length sits just before the view.
 */
function declaredSize(data: Uint8Array): number {
  if (data.byteOffset < 8) throw new IpcDamage('a compressed buffer without its length prefix');
  const size = Number(new DataView(data.buffer, data.byteOffset - 8, 8).getBigInt64(0, true));
  if (size < 0 || size > MAX_BUFFER_BYTES) throw new IpcDamage(`a compressed buffer declares ${size} bytes uncompressed`);
  return size;
}

let registered = false;

/** Registers the LZ4 frame and ZSTD decoders (once; importing this module does it). */
export function registerArrowCodecs(): void {
  if (registered) return;
  registered = true;
  compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: (data) => decodeLz4Frames(data, declaredSize(data)) });
  compressionRegistry.set(CompressionType.ZSTD, { decode: (data) => decodeZstd(data, declaredSize(data)) });
}

registerArrowCodecs();
