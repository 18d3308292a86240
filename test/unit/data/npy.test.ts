// NumPy .npy: fixtures written by numpy itself (test/fixtures/data/make-fixtures.py) and bytes built in the test.

import * as assert from 'node:assert/strict';
import { loadDataset } from '../../../src/engine/data/load';
import type { Dataset, ImageData, TableData } from '../../../src/engine/data/dataset';
import { expectDataError, faithfulReference, fixture, float32Bytes, float64Bytes, npyBytes } from '../../fixtures/data/helpers';

function load(name: string, bytes: Uint8Array, options: Parameters<typeof loadDataset>[2] = {}): Dataset {
  return loadDataset(name, bytes, options);
}
function asTable(d: Dataset): TableData {
  assert.equal(d.kind, 'table');
  return d as TableData;
}
function asImages(d: Dataset): ImageData {
  assert.equal(d.kind, 'images');
  return d as ImageData;
}

describe('data: .npy written by numpy', () => {
  const ref = faithfulReference();

  it('float64 table (6 × 3) with a NaN row: rows × features, NaN row skipped and reported', () => {
    const d = asTable(load('table-f8.npy', fixture('table-f8.npy')));
    assert.equal(d.n, 5);
    assert.equal(d.d, 3);
    assert.deepEqual(d.columns, ['x1', 'x2', 'x3']);
    const expected: number[] = [];
    for (const i of [0, 1, 2, 3, 5]) expected.push(ref.eruptions[i], ref.waiting[i], (i % 7) / 2);
    assert.deepEqual(Array.from(d.values), expected);
    assert.equal(d.summary.skippedRows, 1);
    assert.deepEqual(d.summary.skippedLines, [5]);
    assert.ok(d.summary.notes.some((n) => /1 row skipped: NaN or infinite values at rows 5/.test(n)));
  });

  it('float32 table, format version 2.0', () => {
    const d = asTable(load('table-f4-v2.npy', fixture('table-f4-v2.npy')));
    assert.equal(d.n, 5);
    const expected: number[] = [];
    for (const i of [0, 1, 2, 3, 5]) expected.push(Math.fround(ref.eruptions[i]), Math.fround(ref.waiting[i]));
    assert.deepEqual(Array.from(d.values), expected);
  });

  it('big-endian float64', () => {
    const d = asTable(load('big-endian-f8.npy', fixture('big-endian-f8.npy')));
    assert.deepEqual(Array.from(d.values.subarray(0, 4)), [ref.eruptions[0], ref.waiting[0], ref.eruptions[1], ref.waiting[1]]);
  });

  it('uint8 images (5 × 4 × 4): bytes kept, scale 255, shape from the array', () => {
    const d = asImages(load('images-u1.npy', fixture('images-u1.npy')));
    assert.deepEqual([d.n, d.height, d.width, d.scale], [5, 4, 4, 255]);
    assert.ok(d.pixels instanceof Uint8Array);
    assert.deepEqual(Array.from(d.pixels), Array.from({ length: 80 }, (_, i) => (i * 3) % 256));
  });

  it('float32 images in [0, 1], format version 3.0: Float32Array pixels, scale 1', () => {
    const d = asImages(load('images-f4-v3.npy', fixture('images-f4-v3.npy')));
    assert.deepEqual([d.n, d.height, d.width, d.scale], [3, 4, 4, 1]);
    assert.ok(d.pixels instanceof Float32Array);
    assert.deepEqual(Array.from(d.pixels), Array.from({ length: 48 }, (_, i) => Math.fround(i / 47)));
  });

  it('bool 2-D (4 × 16): binary images 4×4, scale 1', () => {
    const d = asImages(load('bool-2d.npy', fixture('bool-2d.npy')));
    assert.deepEqual([d.n, d.d, d.height, d.width, d.scale], [4, 16, 4, 4, 1]);
    assert.deepEqual(Array.from(d.pixels), Array.from({ length: 64 }, (_, i) => (i % 3 === 0 ? 1 : 0)));
  });

  it('Fortran order is refused with the fix', () => {
    expectDataError(() => load('fortran.npy', fixture('fortran.npy')), /^fortran\.npy: fortran_order is True/, /ascontiguousarray/);
  });

  it('an unsupported dtype is refused with the supported ones and the fix', () => {
    expectDataError(() => load('int64.npy', fixture('int64.npy')), /^int64\.npy: unsupported dtype '<i8': expected uint8 '\|u1', bool '\|b1', float32 '<f4' or float64 '<f8'/, /astype/);
  });
});

describe('data: .npy bytes built in the test', () => {
  const table = [1.5, -2, 3.25, 4, 0, 1e300];

  for (const version of [1, 2, 3] as const) {
    it(`format version ${version}.0, float64 (3, 2)`, () => {
      const d = asTable(load('t.npy', npyBytes({ descr: '<f8', shape: [3, 2], data: float64Bytes(table), version })));
      assert.deepEqual([d.n, d.d], [3, 2]);
      assert.deepEqual(Array.from(d.values), table);
    });
  }

  it('reads aligned float64 data without a copy', () => {
    const bytes = npyBytes({ descr: '<f8', shape: [3, 2], data: float64Bytes(table) });
    const d = asTable(load('t.npy', bytes));
    assert.equal(d.values.buffer, bytes.buffer);
  });

  it('copies unaligned data correctly', () => {
    const bytes = npyBytes({ descr: '<f8', shape: [3, 2], data: float64Bytes(table) });
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    assert.deepEqual(Array.from(asTable(load('t.npy', shifted)).values), table);
  });

  it('1-D float array: one column', () => {
    const d = asTable(load('t.npy', npyBytes({ descr: '<f4', shape: [4], data: float32Bytes([1, 2, 3, 4.5]) })));
    assert.deepEqual([d.n, d.d], [4, 1]);
    assert.deepEqual(Array.from(d.values), [1, 2, 3, 4.5]);
  });

  it('3-D float images in [0, 255]: scale 255', () => {
    const d = asImages(load('t.npy', npyBytes({ descr: '<f8', shape: [2, 2, 2], data: float64Bytes([0, 10, 255, 3, 4, 5, 6, 7]) })));
    assert.equal(d.scale, 255);
    assert.ok(d.pixels instanceof Float32Array);
  });

  it('3-D float images outside [0, 255]: a clear error', () => {
    expectDataError(
      () => load('t.npy', npyBytes({ descr: '<f8', shape: [2, 2, 2], data: float64Bytes([0, 1, 2, 3, -4, 5, 6, 7]) })),
      /^t\.npy: image 2 has the pixel value -4 \(element 4\): images need values in \[0, 1\] or \[0, 255\]/,
    );
  });

  it('(n, h, w, 1): one channel is read as grey images; colour is refused', () => {
    const d = asImages(load('t.npy', npyBytes({ descr: '|u1', shape: [2, 3, 3, 1], data: new Uint8Array(18).fill(7) })));
    assert.deepEqual([d.n, d.height, d.width], [2, 3, 3]);
    expectDataError(() => load('t.npy', npyBytes({ descr: '|u1', shape: [2, 3, 3, 3], data: new Uint8Array(54) })), /4 dimensions/, /colour images are not supported/);
  });

  it('2-D uint8 rows: square images, or the given width, or 1 × d strips', () => {
    const data = Uint8Array.from({ length: 2 * 36 }, (_, i) => i);
    assert.deepEqual(((d) => [d.height, d.width])(asImages(load('t.npy', npyBytes({ descr: '|u1', shape: [2, 36], data })))), [6, 6]);
    assert.deepEqual(((d) => [d.height, d.width])(asImages(load('t.npy', npyBytes({ descr: '|u1', shape: [2, 36], data }), { imageWidth: 9 }))), [4, 9]);
    const strips = asImages(load('t.npy', npyBytes({ descr: '|u1', shape: [4, 18], data })));
    assert.deepEqual([strips.height, strips.width], [1, 18]);
    assert.ok(strips.summary.notes.some((n) => /not a square/.test(n)));
  });

  it('uint8 holding only 0/1 gets scale 1 (binary), not 255', () => {
    const d = asImages(load('t.npy', npyBytes({ descr: '|u1', shape: [2, 2, 2], data: Uint8Array.from([0, 1, 1, 0, 1, 1, 0, 0]) })));
    assert.equal(d.scale, 1);
  });

  it('bool bytes other than 0/1 are read as True', () => {
    const d = asImages(load('t.npy', npyBytes({ descr: '|b1', shape: [1, 2, 2], data: Uint8Array.from([0, 2, 255, 1]) })));
    assert.deepEqual(Array.from(d.pixels), [0, 1, 1, 1]);
  });

  it('2-D float pixels (d ≥ 64, values in [0, 1]) stay compact as images', () => {
    const values = Array.from({ length: 3 * 64 }, (_, i) => (i % 5) / 4);
    const d = asImages(load('t.npy', npyBytes({ descr: '<f4', shape: [3, 64], data: float32Bytes(values) })));
    assert.deepEqual([d.height, d.width, d.scale], [8, 8, 1]);
    assert.ok(d.pixels instanceof Float32Array);
  });

  it('corrupt headers', () => {
    const data = float64Bytes([1, 2]);
    expectDataError(() => load('t.npy', npyBytes({ descr: '<f8', shape: [2], data, header: "not a dict" })), /^t\.npy: corrupt header \(not a dict\)/);
    expectDataError(() => load('t.npy', npyBytes({ descr: '<f8', shape: [2], data, header: "{'fortran_order': False, 'shape': (2,)}" })), /corrupt header \(no 'descr'\)/);
    expectDataError(() => load('t.npy', npyBytes({ descr: '<f8', shape: [2], data, header: "{'descr': '<f8', 'fortran_order': False}" })), /corrupt header \(no 'shape'\)/);
    expectDataError(() => load('t.npy', npyBytes({ descr: '<f8', shape: [2], data, header: "{'descr': '<f8', 'shape': (2,)}" })), /corrupt header \(no 'fortran_order'\)/);
    expectDataError(() => load('t.npy', npyBytes({ descr: '<f8', shape: [2], data, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (two,)}" })), /corrupt header \(shape/);
    const bytes = npyBytes({ descr: '<f8', shape: [2], data });
    new DataView(bytes.buffer).setUint16(8, 60000, true);
    expectDataError(() => load('t.npy', bytes), /corrupt header: it claims 60000 bytes/);
  });

  it('wrong magic, unknown version, truncated header', () => {
    expectDataError(() => load('t.npy', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])), /^t\.npy: wrong magic bytes at offset 0 \(01 02 03 04 05 06\): expected "\\x93NUMPY"/);
    const v9 = npyBytes({ descr: '<f8', shape: [2], data: float64Bytes([1, 2]) });
    v9[6] = 9;
    expectDataError(() => load('t.npy', v9), /unsupported \.npy format version 9\.0 at offset 6/);
    expectDataError(() => load('t.npy', v9.subarray(0, 8)), /truncated/);
  });

  it('truncated data and size mismatch', () => {
    const bytes = npyBytes({ descr: '<f8', shape: [3, 2], data: float64Bytes(table) });
    expectDataError(() => load('t.npy', bytes.subarray(0, bytes.length - 8)), /^t\.npy: the file is truncated: expected 176 bytes for shape \(3, 2\) of <f8, found 168/);
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expectDataError(() => load('t.npy', longer), /size mismatch: .* \(4 extra\)/);
  });

  it('structured arrays, scalars and empty arrays are refused', () => {
    expectDataError(() => load('t.npy', npyBytes({ descr: '', shape: [1], data: new Uint8Array(16), header: "{'descr': [('a', '<f8'), ('b', '<f8')], 'fortran_order': False, 'shape': (1,), }" })), /structured array/);
    expectDataError(() => load('t.npy', npyBytes({ descr: '<f8', shape: [], data: float64Bytes([1]) })), /single number/);
    expectDataError(() => load('t.npy', npyBytes({ descr: '<f8', shape: [0, 2], data: new Uint8Array(0) })), /empty/);
  });

  it('every row with NaN: a clear error', () => {
    expectDataError(() => load('t.npy', npyBytes({ descr: '<f8', shape: [2, 1], data: float64Bytes([NaN, Infinity]) })), /every row has NaN or infinite values/);
  });
});
