// The out-of-core column store: values come back exactly, float32 only for columns it holds exactly; the free-space
// refusal; stale folders of killed runs swept, fresh ones kept.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkFreeSpace, ColumnStoreReader, ColumnStoreWriter, createStoreDir, STORE_PREFIX, sweepStaleStores, writeBufferValues } from '../../../src/engine/data/store/columnStore';
import { streamTextToStore } from '../../../src/engine/data/store/textStream';
import { DataError } from '../../../src/engine/errors';

describe('column store', () => {
  let temp: string;
  beforeEach(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-store-test-'));
  });
  afterEach(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('round-trips every value, float32 for columns of float32 values, float64 for the others', () => {
    const dir = createStoreDir(temp);
    const writer = new ColumnStoreWriter(dir, ['count', 'half', 'tenth']);
    const rows: number[][] = [];
    // 70 000 rows: more than one write buffer.
    for (let i = 0; i < 70_000; i++) rows.push([i - 35_000, (i % 9) / 2 - 1e6, i / 10]);
    for (const row of rows) writer.push(row);
    const info = writer.finish();
    assert.deepEqual(info.columns.map((c) => c.type), ['float32', 'float32', 'float64']);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['col-0.f32', 'col-1.f32', 'col-2.f64', 'store.json']);
    assert.equal(fs.statSync(path.join(dir, 'col-0.f32')).size, 70_000 * 4);
    const reader = new ColumnStoreReader(info);
    const out = new Float64Array(3 * 1000);
    for (const start of [0, 33_333, 69_000]) {
      reader.read(start, 1000, out);
      for (let i = 0; i < 1000; i++) assert.deepEqual(Array.from(out.subarray(i * 3, i * 3 + 3)), rows[start + i]);
    }
    reader.close();
    // The running (Welford) mean against the exact one.
    assert.ok(Math.abs(info.columns[2].mean / (69_999 / 20) - 1) < 1e-11, String(info.columns[2].mean));
  });

  it('sizes its write buffers from the bytes they may take (many columns, small buffers) and still round-trips every value', () => {
    // 784 pixel columns under 1 MB: the floor of 1,024 values a column, not 65,536 (400 MB).
    assert.equal(writeBufferValues(784, 1024 * 1024), 1024);
    assert.equal(writeBufferValues(4, 1024 * 1024), 32_768);
    assert.equal(writeBufferValues(4, 1e12), 65_536);
    assert.equal(writeBufferValues(4), 65_536);
    const dir = createStoreDir(temp);
    const d = 40;
    const writer = new ColumnStoreWriter(dir, Array.from({ length: d }, (_, j) => `p${j}`), 64 * 1024);
    // 5,000 rows: several flushes of 1,024 rows (64 KB over 40 columns is under the floor).
    for (let i = 0; i < 5000; i++) writer.push(Array.from({ length: d }, (_, j) => (i * 31 + j * 7) % 256));
    const info = writer.finish();
    assert.equal(info.n, 5000);
    const reader = new ColumnStoreReader(info);
    const out = new Float64Array(d * 5000);
    reader.read(0, 5000, out);
    reader.close();
    for (const i of [0, 1023, 1024, 2047, 4096, 4999]) for (const j of [0, 17, d - 1]) assert.equal(out[i * d + j], (i * 31 + j * 7) % 256, `row ${i} column ${j}`);
  });

  it('streams a text file with its header, a preamble row skipped and quoted cells, as the in-memory loader reads it', () => {
    const file = path.join(temp, 'table.csv');
    const lines = ['x,y,"name"'];
    for (let i = 0; i < 5000; i++) lines.push(i === 17 ? `${i},NA,"a"` : `${i},${i * 0.25},"row ${i}"`);
    fs.writeFileSync(file, lines.join('\r\n') + '\r\n');
    const dir = createStoreDir(temp);
    const { store, summary } = streamTextToStore(file, dir, {});
    assert.equal(store.n, 4999);
    assert.deepEqual(summary.columns, ['x', 'y']);
    assert.deepEqual(summary.skippedLines, [19]);
    const reader = new ColumnStoreReader(store);
    const out = new Float64Array(2 * 4999);
    reader.read(0, 4999, out);
    reader.close();
    assert.deepEqual([out[2 * 17], out[2 * 17 + 1]], [18, 4.5]);
    assert.deepEqual([out[2 * 4998], out[2 * 4998 + 1]], [4999, 4999 * 0.25]);
  });

  it('refuses to start without the disk space, with both numbers', () => {
    assert.throws(
      () => checkFreeSpace(temp, 3000 * 1024 * 1024, 'big.csv', 200 * 1024 * 1024),
      (e: unknown) => e instanceof DataError && /^big\.csv: fitting it out of core needs about 3000 MB of temporary disk space in .*, but only 200 MB are free\./.test((e as Error).message),
    );
    assert.doesNotThrow(() => checkFreeSpace(temp, 100, 'big.csv', 200 * 1024 * 1024));
  });

  it('sweeps store folders left by killed runs (older than a day), and keeps fresh ones and other folders', () => {
    const stale = createStoreDir(temp);
    fs.writeFileSync(path.join(stale, 'col-0.f64'), 'x');
    const fresh = createStoreDir(temp);
    const other = path.join(temp, 'not-ours');
    fs.mkdirSync(other);
    const old = new Date(Date.now() - 25 * 3600 * 1000);
    fs.utimesSync(stale, old, old);
    fs.utimesSync(other, old, old);
    assert.equal(sweepStaleStores(temp), 1);
    assert.ok(!fs.existsSync(stale));
    assert.ok(fs.existsSync(fresh) && path.basename(fresh).startsWith(STORE_PREFIX));
    assert.ok(fs.existsSync(other));
  });
});
