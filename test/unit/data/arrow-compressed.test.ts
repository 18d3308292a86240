// Compressed Arrow IPC buffers (LZ4 frame, ZSTD): the Apache Arrow integration files written by Arrow C++ read to the
// values of their JSON twins, in the file and the stream formats; the LZ4 frame and ZSTD decoders against frames
// made by the lz4 and zstd tools (test/fixtures/data/compressed/make-frames.sh); damaged buffers give a DataError
// naming the file.

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import { tableFromIPC } from 'apache-arrow/ipc/serialization';
import { CompressionType } from 'apache-arrow/fb/compression-type';
import { compressionRegistry } from 'apache-arrow/ipc/compression/registry';
import { decodeLz4Frames, decodeZstd, xxh32 } from '../../../src/engine/data/arrowCodecs';
import { IpcDamage } from '../../../src/engine/data/arrowCheck';
import { loadDataset } from '../../../src/engine/data/load';
import { column, expectDataError, fixture, utf8 } from '../../fixtures/data/helpers';

interface JsonColumn { name: string; count: number; VALIDITY: number[]; DATA: (string | number)[] }
interface JsonFile { batches: { count: number; columns: JsonColumn[] }[] }

/** A column of the JSON twin over every batch, null where VALIDITY is 0. */
function jsonColumn(name: string, j: number): (string | null)[] {
  const json = JSON.parse(gunzipSync(fixture(`arrow/${name}.json.gz`)).toString()) as JsonFile;
  return json.batches.flatMap((b) => b.columns[j].DATA.map((v, i) => (b.columns[j].VALIDITY[i] ? String(v) : null)));
}

const faithful30 = utf8(new TextDecoder().decode(fixture('faithful.csv')).repeat(30));
const random = fixture('compressed/random.bin');

function throwsDamage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof IpcDamage && pattern.test(e.message));
}

describe('data: compressed Arrow IPC (LZ4 frame, ZSTD)', () => {
  for (const codec of ['lz4', 'zstd']) {
    for (const ext of ['arrow', 'arrows']) {
      const name = `generated_${codec}.${ext}`;
      it(`${name} (Arrow C++, ${ext === 'arrow' ? 'file' : 'stream'} format): the JSON twin's values, nulls included`, () => {
        const ints = jsonColumn(`generated_${codec}`, 0);
        const strs = jsonColumn(`generated_${codec}`, 1);
        assert.equal(ints.length, 60);
        // The loader: int64 numbers as the feature, the text column as a categorical feature with its nulls missing.
        const d = loadDataset(name, fixture(`arrow/${name}`));
        assert.equal(d.kind, 'table');
        if (d.kind !== 'table') return;
        assert.deepEqual(d.columns, ['ints']);
        assert.deepEqual(column(d, 0), ints.map(Number));
        assert.deepEqual(d.categorical?.columns, ['strs']);
        const categories = d.categorical!.categories[0];
        assert.deepEqual(categories, [...new Set(strs.filter((s) => s !== null))].sort());
        assert.deepEqual(Array.from(d.categorical!.codes, (c) => (c < 0 ? null : categories[c])), strs);
        assert.equal(d.summary.notes[0], 'Arrow IPC: 60 rows in 2 record batches');
        // apache-arrow's table, every cell.
        const table = tableFromIPC(fixture(`arrow/${name}`));
        assert.deepEqual(Array.from({ length: 60 }, (_, i) => table.getChild('ints')!.get(i)?.toString() ?? null), ints);
        assert.deepEqual(Array.from({ length: 60 }, (_, i) => table.getChild('strs')!.get(i)), strs);
      });
    }
  }

  it('buffers left uncompressed (length prefix −1) inside an LZ4 file: the JSON twin\'s values', () => {
    const d = loadDataset('u.arrow', fixture('arrow/generated_uncompressible_lz4.arrow'));
    assert.equal(d.kind, 'table');
    assert.deepEqual(column(d, 0), jsonColumn('generated_uncompressible_lz4', 0).map(Number));
  });

  it('LZ4 frames from the lz4 tool: dependent and independent blocks, stored blocks, checksums, content size, frames in a row', () => {
    assert.deepEqual(decodeLz4Frames(fixture('compressed/faithful30.dependent.lz4'), faithful30.length), faithful30);
    assert.deepEqual(decodeLz4Frames(fixture('compressed/faithful30.independent.lz4'), faithful30.length), faithful30);
    assert.deepEqual(decodeLz4Frames(fixture('compressed/random.lz4'), random.length), Uint8Array.from(random));
    const two = Uint8Array.from([...fixture('compressed/random.lz4'), ...fixture('compressed/faithful30.independent.lz4')]);
    assert.deepEqual(decodeLz4Frames(two, random.length + faithful30.length), Uint8Array.from([...random, ...faithful30]));
    // A skippable frame (magic 0x184D2A5F, 3 bytes) before the data.
    const skippable = Uint8Array.from([0x5f, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3, ...fixture('compressed/random.lz4')]);
    assert.deepEqual(decodeLz4Frames(skippable, random.length), Uint8Array.from(random));
  });

  it('ZSTD frames from the zstd tool: with and without the content size, frames in a row', () => {
    assert.deepEqual(decodeZstd(fixture('compressed/faithful30.zst'), faithful30.length), faithful30);
    assert.deepEqual(decodeZstd(fixture('compressed/random.zst'), random.length), Uint8Array.from(random));
    const two = Uint8Array.from([...fixture('compressed/random.zst'), ...fixture('compressed/faithful30.zst')]);
    assert.deepEqual(decodeZstd(two, random.length + faithful30.length), Uint8Array.from([...random, ...faithful30]));
  });

  it('xxHash32: the reference implementation\'s values', () => {
    // From xxhash's own test vectors (seed 0).
    assert.equal(xxh32(new Uint8Array()), 0x02cc5d05);
    assert.equal(xxh32(utf8('a')), 0x550d7456);
    assert.equal(xxh32(utf8('abc')), 0x32d153ff);
    assert.equal(xxh32(utf8('Nobody inspects the spammish repetition')), 0xe2293b2f);
  });

  it('damaged frames: a wrong declared size, a checksum, a match before the start, a cut, a bomb', () => {
    const dependent = fixture('compressed/faithful30.dependent.lz4');
    throwsDamage(() => decodeLz4Frames(dependent, faithful30.length + 1), /holds 73980 bytes where 73981 are declared/);
    throwsDamage(() => decodeLz4Frames(dependent, faithful30.length - 1), /more bytes than declared/);
    const flipped = Uint8Array.from(dependent);
    flipped[40] ^= 0x55;
    throwsDamage(() => decodeLz4Frames(flipped, faithful30.length), /checksum/);
    throwsDamage(() => decodeLz4Frames(dependent.subarray(0, 500), faithful30.length), /runs past the end|ends/);
    // One compressed block: 2 literals, a match of 6 bytes 2 back (overlapping), 1 literal; then the match 9 back.
    const frame = (block: number[]) => {
      const header = [0x60, 0x40];
      return Uint8Array.from([0x04, 0x22, 0x4d, 0x18, ...header, (xxh32(Uint8Array.from(header)) >>> 8) & 0xff, block.length, 0, 0, 0, ...block, 0, 0, 0, 0]);
    };
    throwsDamage(() => decodeLz4Frames(frame([0x20, 65, 66, 9, 0, 0x10, 67]), 10), /reaches 9 bytes back/);
    assert.deepEqual(decodeLz4Frames(frame([0x22, 65, 66, 2, 0, 0x10, 67]), 9), utf8('ABABABABC'));
    throwsDamage(() => decodeLz4Frames(frame([0x22, 65, 66, 2, 0, 0x10, 67]), 1e9), /cannot hold/);
    throwsDamage(() => decodeZstd(fixture('compressed/faithful30.zst'), faithful30.length + 1), /holds 73980 bytes where 73981 are declared/);
    throwsDamage(() => decodeZstd(fixture('compressed/faithful30.zst').subarray(0, 400), faithful30.length), /runs past the end|ends/);
    throwsDamage(() => decodeZstd(fixture('compressed/random.lz4'), random.length), /does not start with the ZSTD magic number/);
  });

  it('a damaged compressed buffer in a file, or a codec that is not read: a DataError naming the file', () => {
    const bytes = Uint8Array.from(fixture('arrow/generated_lz4.arrows'));
    // The first LZ4 frame's header checksum byte.
    const at = Buffer.from(bytes).indexOf(Buffer.from([0x04, 0x22, 0x4d, 0x18])) + 6;
    bytes[at] ^= 0xff;
    expectDataError(() => loadDataset('bad.arrows', bytes), /^bad\.arrows: the Arrow data are damaged: an LZ4 frame header fails its checksum\./);
    // The second record batch's length (30) raised to 989,855,774: refused before a cell is allocated. Its buffers hold
    // 444 bytes uncompressed: 240 of int64 values (no validity bitmap: no nulls), a 4-byte bitmap, 124 of offsets, 76 of text.
    const rows = Uint8Array.from(fixture('arrow/generated_lz4.arrows'));
    assert.equal(rows[827], 0);
    rows[827] = 59;
    expectDataError(() => loadDataset('rows.arrows', rows), /^rows\.arrows: the Arrow data are damaged: a record batch claims 989855774 rows, more than its 444 bytes of buffers hold\./);
    // The second record batch's message type (3) changed to 39: apache-arrow's file reader would reread it forever.
    const type = Uint8Array.from(fixture('arrow/generated_lz4.arrow'));
    assert.equal(type[785], 3);
    type[785] = 39;
    expectDataError(() => loadDataset('type.feather', type), /^type\.feather: the Arrow data are damaged: record batch block 2 points to a message of type 39, not a record batch\./);
    // The high byte of that message's vtable size (12 → 43,788): its custom metadata would be read from the body, a
    // vector of millions of entries.
    const vtable = Uint8Array.from(fixture('arrow/generated_lz4.arrow'));
    assert.equal(vtable[769], 0);
    vtable[769] = 171;
    expectDataError(() => loadDataset('vtable.arrow', vtable), /^vtable\.arrow: the Arrow data are damaged: the message custom metadata: outside the metadata\./);
    const zstd = compressionRegistry.get(CompressionType.ZSTD);
    try {
      compressionRegistry.set(CompressionType.ZSTD, {});
      expectDataError(() => loadDataset('z.feather', fixture('arrow/generated_zstd.arrow')), /^z\.feather: the Arrow data are compressed with a codec that is not read/);
    } finally {
      compressionRegistry.set(CompressionType.ZSTD, zstd!);
    }
  });

  it('mutated and random frames: the declared bytes exactly, or IpcDamage (fast-check)', () => {
    const runs = Number(process.env.MIXSCOPE_FUZZ_RUNS) || 150;
    const frames: [string, number, (b: Uint8Array, n: number) => Uint8Array][] = [
      ['faithful30.dependent.lz4', faithful30.length, decodeLz4Frames],
      ['faithful30.independent.lz4', faithful30.length, decodeLz4Frames],
      ['random.lz4', random.length, decodeLz4Frames],
      ['faithful30.zst', faithful30.length, decodeZstd],
      ['random.zst', random.length, decodeZstd],
    ];
    const decodes = (decode: (b: Uint8Array, n: number) => Uint8Array, bytes: Uint8Array, size: number) => {
      try {
        assert.equal(decode(bytes, size).length, size);
      } catch (e) {
        if (!(e instanceof IpcDamage)) throw new Error(`not IpcDamage but ${(e as Error)?.stack ?? String(e)}`);
      }
    };
    fc.assert(
      fc.property(fc.constantFrom(...frames), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), fc.integer({ min: -2, max: 2 }), ([name, size, decode], flips, cut, sizeDelta) => {
        const bytes = Uint8Array.from(fixture(`compressed/${name}`));
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        decodes(decode, bytes.subarray(0, bytes.length - (cut % 8)), Math.max(0, size + sizeDelta));
      }),
      { numRuns: runs },
    );
    const magic = [Uint8Array.from([0x04, 0x22, 0x4d, 0x18]), Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd])];
    fc.assert(
      fc.property(fc.constantFrom(0, 1), fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 5000 }), (which, tail, size) => {
        decodes(which === 0 ? decodeLz4Frames : decodeZstd, Uint8Array.from([...magic[which], ...tail]), size);
      }),
      { numRuns: runs },
    );
  });
});
