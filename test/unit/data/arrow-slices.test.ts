// Out of core, an uncompressed Arrow record batch is read in slices of rows made from its buffers alone: every kind of
// column read (floats and integers with and without nulls, 64-bit integers, booleans, text, large text, dictionary
// codes, the null type) gives, slice after slice, the cells the in-memory reader gives for the whole file, in a file
// and in a stream, across batches of uneven lengths; a compressed batch (LZ4 frame, ZSTD) too, decompressing one
// column buffer at a time.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Bool,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  LargeUtf8,
  Null,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { columnCells, decodeIpc } from '../../../src/engine/data/arrow';
import { openArrowGroups } from '../../../src/engine/data/arrowStream';
import { fixture } from '../../fixtures/data/helpers';
import { compressStream } from '../../fixtures/data/compressIpc';
import { CompressionType } from 'apache-arrow/fb/compression-type';
import { compressionRegistry } from 'apache-arrow/ipc/compression/registry';

const LEVELS = ['red', 'green', 'blue'];

/** A table of `rows` rows in batches of the given lengths, every column kind the loaders read. */
function makeTable(batchRows: number[]): Table {
  const fields = [
    new Field('f64', new Float64(), true),
    new Field('f32', new Float32(), false),
    new Field('i32', new Int32(), true),
    new Field('i64', new Int64(), false),
    new Field('flag', new Bool(), true),
    new Field('text', new Utf8(), true),
    new Field('large', new LargeUtf8(), false),
    new Field('level', new Dictionary(new Utf8(), new Int32(), 0), true),
    new Field('nothing', new Null(), true),
  ];
  const schema = new Schema(fields);
  const dictionary = vectorFromArray(LEVELS, new Utf8());
  let start = 0;
  const batches = batchRows.map((n) => {
    const rows = Array.from({ length: n }, (_, k) => start + k);
    start += n;
    const children = [
      vectorFromArray(rows.map((i) => (i % 7 === 3 ? null : i * 0.25 - 10)), new Float64()).data[0],
      vectorFromArray(rows.map((i) => i / 8), new Float32()).data[0],
      vectorFromArray(rows.map((i) => (i % 11 === 5 ? null : i - 500)), new Int32()).data[0],
      vectorFromArray(rows.map((i) => BigInt(i * 3)), new Int64()).data[0],
      vectorFromArray(rows.map((i) => (i % 13 === 0 ? null : i % 3 === 0)), new Bool()).data[0],
      vectorFromArray(rows.map((i) => (i % 17 === 2 ? null : `t${i % 50}é`)), new Utf8()).data[0],
      vectorFromArray(rows.map((i) => `L${i}`), new LargeUtf8()).data[0],
      makeData({
        type: fields[7].type as Dictionary<Utf8, Int32>,
        length: n,
        nullCount: rows.filter((i) => i % 19 === 4).length,
        nullBitmap: vectorFromArray(rows.map((i) => (i % 19 === 4 ? null : true)), new Bool()).data[0].nullBitmap,
        data: Int32Array.from(rows, (i) => i % LEVELS.length),
        dictionary,
      }),
      makeData({ type: new Null(), length: n }),
    ];
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, children }));
  });
  return new Table(schema, batches);
}

/** Every column's cells over all groups of the opened file, read in order. */
async function readAll(file: string, name: string, sliceRows?: number): Promise<{ cells: unknown[][]; groups: number; rows: number[] }> {
  const grouped = openArrowGroups(name, file, sliceRows === undefined ? undefined : () => sliceRows);
  try {
    const wanted = grouped.columns.map((_, j) => j);
    const cells: unknown[][] = wanted.map(() => []);
    const rows: number[] = [];
    for (let g = 0; g < grouped.groupCount; g++) {
      const read = await grouped.readGroup(g, wanted);
      assert.equal(grouped.groupRows(g) ?? read.rows, read.rows);
      rows.push(read.rows);
      read.cells.forEach((column, k) => cells[k].push(...Array.from(column)));
    }
    return { cells, groups: grouped.groupCount, rows };
  } finally {
    grouped.close();
  }
}

describe('data: Arrow record batches read in slices of rows (out of core)', () => {
  let temp: string;
  before(() => (temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-arrow-slices-'))));
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  for (const format of ['file', 'stream'] as const) {
    it(`an Arrow ${format}: slices of 64 rows give the in-memory reader's cells for every column kind`, async () => {
      const table = makeTable([300, 1000, 1]);
      const bytes = tableToIPC(table, format);
      const name = format === 'file' ? 'all.arrow' : 'all.arrows';
      const file = path.join(temp, name);
      fs.writeFileSync(file, bytes);
      const whole = decodeIpc(name, bytes, '');
      const expected = whole.schema.fields.map((_, j) => Array.from(columnCells(name, whole, j, '')));
      const sliced = await readAll(file, name, 64);
      // 300 rows: 5 slices (4 × 64 + 44); 1000: 16 (15 × 64 + 40); 1: 1.
      assert.equal(sliced.groups, 5 + 16 + 1);
      assert.deepEqual(sliced.rows.slice(0, 5), [64, 64, 64, 64, 44]);
      assert.equal(sliced.rows.reduce((a, b) => a + b, 0), 1301);
      assert.deepEqual(sliced.cells, expected);
      // The values themselves, independently of the reader: a null every 7th float, the dictionary's levels, the text.
      assert.equal(sliced.cells[0][3], null);
      assert.equal(sliced.cells[0][301], 301 * 0.25 - 10);
      assert.equal(sliced.cells[3][1000], 3000n);
      assert.equal(sliced.cells[5][291], null);
      assert.equal(sliced.cells[5][1299], `t${1299 % 50}é`);
      assert.equal(sliced.cells[6][777], 'L777');
      assert.equal(sliced.cells[7][4], null);
      assert.equal(sliced.cells[7][1300], LEVELS[1300 % 3]);
      assert.equal(sliced.cells[4][13], null);
      assert.equal(sliced.cells[4][12], true);
      assert.ok(sliced.cells[8].every((v) => v === null));
      // Without slices, one group per batch, the same cells.
      const batches = await readAll(file, name);
      assert.equal(batches.groups, 3);
      assert.deepEqual(batches.cells, expected);
    });
  }

  it('a slice of a few wanted columns reads those columns only, with their dictionary', async () => {
    const table = makeTable([500]);
    const file = path.join(temp, 'few.arrow');
    const bytes = tableToIPC(table, 'file');
    fs.writeFileSync(file, bytes);
    const whole = decodeIpc('few.arrow', bytes, '');
    const grouped = openArrowGroups('few.arrow', file, () => 128);
    try {
      const read = await grouped.readGroup(2, [7, 1]);
      assert.equal(read.rows, 128);
      assert.deepEqual(Array.from(read.cells[0]), Array.from(columnCells('few.arrow', whole, 7, '')).slice(256, 384));
      assert.deepEqual(Array.from(read.cells[1]), Array.from(columnCells('few.arrow', whole, 1, '')).slice(256, 384));
    } finally {
      grouped.close();
    }
  });

  it('a compressed batch of Arrow C++ (LZ4) smaller than a slice: the in-memory cells', async () => {
    const file = fixture('arrow/generated_lz4.arrow');
    const copy = path.join(temp, 'lz4.arrow');
    fs.writeFileSync(copy, file);
    const whole = decodeIpc('lz4.arrow', file, '');
    const expected = whole.schema.fields.map((_, j) => Array.from(columnCells('lz4.arrow', whole, j, '')));
    const sliced = await readAll(copy, 'lz4.arrow', 64);
    assert.equal(sliced.groups, whole.batches.length);
    assert.deepEqual(sliced.cells, expected);
  });

  for (const codec of ['lz4', 'zstd'] as const) {
    it(`large ${codec === 'lz4' ? 'LZ4' : 'ZSTD'}-compressed batches are read in slices, one column buffer decompressed at a time: the in-memory cells`, async () => {
      const table = makeTable([20000, 6000]);
      const plain = tableToIPC(table, 'stream');
      const bytes = compressStream(plain, codec);
      const name = `big-${codec}.arrows`;
      const file = path.join(temp, name);
      fs.writeFileSync(file, bytes);
      const whole = decodeIpc(name, bytes, '');
      const expected = whole.schema.fields.map((_, j) => Array.from(columnCells(name, whole, j, '')));
      // The in-memory reader decodes the compressed file to the uncompressed one's cells.
      const reference = decodeIpc(name, plain, '');
      assert.deepEqual(expected, reference.schema.fields.map((_, j) => Array.from(columnCells(name, reference, j, ''))));

      // Every decompression is seen: its output's size, and the slice being read.
      const type = codec === 'lz4' ? CompressionType.LZ4_FRAME : CompressionType.ZSTD;
      const original = compressionRegistry.get(type)!;
      const decoded: { slice: number; bytes: number }[] = [];
      let slice = -1;
      compressionRegistry.set(type, { decode: (data) => {
        const out = original.decode!(data);
        decoded.push({ slice, bytes: out.length });
        return out;
      } });
      let sliced: { cells: unknown[][]; groups: number; rows: number[] };
      let perSlice: number[];
      try {
        const grouped = openArrowGroups(name, file, () => 4096);
        const wanted = grouped.columns.map((_, j) => j);
        const cells: unknown[][] = wanted.map(() => []);
        const rows: number[] = [];
        perSlice = [];
        for (let g = 0; g < grouped.groupCount; g++) {
          slice = g;
          const before = decoded.length;
          const read = await grouped.readGroup(g, wanted);
          perSlice.push(decoded.length - before);
          rows.push(read.rows);
          read.cells.forEach((column, k) => cells[k].push(...Array.from(column)));
        }
        grouped.close();
        sliced = { cells, groups: grouped.groupCount, rows };
      } finally {
        compressionRegistry.set(type, original);
      }
      // 20,000 rows: 5 slices (4 × 4,096 + 3,616); 6,000: 2 (4,096 + 1,904).
      assert.deepEqual(sliced.rows, [4096, 4096, 4096, 4096, 3616, 4096, 1904]);
      assert.deepEqual(sliced.cells, expected);
      // A slice decompresses each non-empty buffer of its columns once, one after the other, column by column (15:
      // two for f64, one for f32, two for i32, one for i64, two for flag, three for text, two for large, two for
      // level), then the library decodes the dictionary's two: the same buffers for every slice of a batch, none
      // larger than the batch's largest column buffer (8 bytes a row, and a 64-bit offset more).
      assert.deepEqual(perSlice, [17, 17, 17, 17, 17, 17, 17]);
      const sizes = (s: number) => decoded.filter((d) => d.slice === s).map((d) => d.bytes);
      for (let s = 0; s < 7; s++) {
        const n = s < 5 ? 20000 : 6000;
        assert.deepEqual(sizes(s), sizes(s < 5 ? 0 : 5), `slice ${s}`);
        assert.equal(sizes(s)[1], n * 8, 'the f64 values, decompressed whole for the slice');
        assert.ok(Math.max(...sizes(s)) <= n * 8 + 8, `slice ${s}: ${sizes(s).join(', ')}`);
      }
    });
  }
});
