// A Parquet file written as one huge row group of many pages (as older pyarrow wrote 64 Mi rows per group), streamed
// out of core under a small memory budget: each slice reads only the pages holding its rows, so no read from the
// file is larger than the slice's values and the two pages at its edges, the file is read about once, and the stored
// rows are the in-memory reader's.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDatasetAsync } from '../../../src/engine/data/load';
import { openParquetGroups } from '../../../src/engine/data/parquetStream';
import { streamGroupsToStore } from '../../../src/engine/data/store/cellStream';
import { ColumnStoreReader, createStoreDir } from '../../../src/engine/data/store/columnStore';
import { fitOutOfCore, sliceRowsFor } from '../../../src/engine/outOfCore';
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore: a plain ES module shared with bench/outOfCore.mjs
import { writeLargeFile } from '../../fixtures/largeFiles.mjs';

const MB = 1024 * 1024;

describe('out of core: a Parquet file of one row group of many pages read page by page', () => {
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-pages-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('no read larger than a slice and its edge pages, the file read about once, the in-memory rows stored', async () => {
    const file = path.join(temp, 'one-group.parquet');
    const columns = 2;
    const pageRows = 4096;
    // About 8 MB: one row group of 524,288 rows, 128 pages of 32 kB in each 4 MB column chunk.
    const { bytes, rows } = await writeLargeFile(file, 'parquet', 8, { columns, groupRows: 1 << 30, pageRows });
    const budget = 2 * MB;
    const sliceRows = sliceRowsFor(budget);
    const reads: number[] = [];
    const grouped = await openParquetGroups(path.basename(file), file, sliceRows, (_, length) => reads.push(length));
    // The footer is read on opening (hyparquet's first read of the file's tail); the rows are read after.
    reads.length = 0;
    assert.equal(grouped.notes[0], `Parquet: ${rows} rows in 1 row group (uncompressed)`);
    const slice = sliceRows(columns);
    assert.equal(grouped.groupCount, Math.ceil(rows / slice));
    assert.ok(grouped.groupCount >= 60, `${grouped.groupCount} slices`);
    const dir = createStoreDir(temp);
    const { store } = await streamGroupsToStore(grouped, dir, {});
    // A slice's doubles, plus the two pages it starts and ends in (each with its header), at most.
    const bound = slice * 8 + 2 * (pageRows * 8 + 64);
    const largest = Math.max(...reads);
    assert.ok(largest <= bound, `largest read ${largest} bytes, bound ${bound}`);
    assert.ok(largest < budget / 8, `largest read ${largest} bytes for a budget of ${budget}`);
    const total = reads.reduce((a, b) => a + b, 0);
    assert.ok(total <= 1.25 * bytes, `${total} bytes read from a file of ${bytes}`);

    const reader = new ColumnStoreReader(store);
    const stored = new Float64Array(store.n * reader.d);
    reader.read(0, store.n, stored);
    reader.close();
    fs.rmSync(dir, { recursive: true, force: true });
    const expected = await loadDatasetAsync(path.basename(file), fs.readFileSync(file), { missing: 'skip' });
    assert.equal(expected.kind, 'table');
    if (expected.kind !== 'table') return;
    assert.deepEqual([store.n, reader.d], [rows, columns]);
    assert.equal(expected.values.length, stored.length);
    for (let i = 0; i < stored.length; i++) if (stored[i] !== expected.values[i]) assert.fail(`value ${i}: ${stored[i]} vs ${expected.values[i]}`);
  });

  for (const layout of [{ dictionary: true, nullEvery: 7 }, { dictionary: true, nullEvery: 5, gzip: true }, { nullEvery: 11, gzip: true }]) {
    const what = [layout.dictionary ? 'dictionary-encoded' : 'plain', `a null every ${layout.nullEvery} values`, layout.gzip ? 'gzip pages' : 'uncompressed'].join(', ');
    it(`${what}: slices read their pages (and the dictionary), the in-memory rows stored`, async () => {
      const file = path.join(temp, 'layout.parquet');
      const columns = 3;
      const { bytes, rows } = await writeLargeFile(file, 'parquet', layout.gzip && layout.dictionary ? 1 : 2, { columns, groupRows: 1 << 30, pageRows: 1000, ...layout });
      const reads: number[] = [];
      const grouped = await openParquetGroups(path.basename(file), file, sliceRowsFor(2 * MB), (_, length) => reads.push(length));
      reads.length = 0;
      assert.ok(grouped.groupCount >= 10, `${grouped.groupCount} slices of ${rows} rows`);
      const dir = createStoreDir(temp);
      const { store } = await streamGroupsToStore(grouped, dir, {});
      const reader = new ColumnStoreReader(store);
      const stored = new Float64Array(store.n * reader.d);
      reader.read(0, store.n, stored);
      reader.close();
      fs.rmSync(dir, { recursive: true, force: true });
      // A column chunk is about a third of the file: no read takes more than a few of its pages.
      const largest = Math.max(...reads);
      assert.ok(largest < bytes / columns / 8, `largest read ${largest} bytes of a ${bytes}-byte file`);
      // The page checks read each page once (these pages hold level or dictionary-index runs to check), the slices
      // read each page about once more (a page cut by a slice's edge twice).
      const total = reads.reduce((a, b) => a + b, 0);
      assert.ok(total <= 3 * bytes, `${total} bytes read from a file of ${bytes}`);
      const expected = await loadDatasetAsync(path.basename(file), fs.readFileSync(file), { missing: 'skip' });
      assert.equal(expected.kind, 'table');
      if (expected.kind !== 'table') return;
      // Rows with a null are skipped, as in memory.
      assert.ok(expected.n > 0 && expected.n < rows);
      assert.deepEqual([store.n, reader.d], [expected.n, columns]);
      for (let i = 0; i < stored.length; i++) if (stored[i] !== expected.values[i]) assert.fail(`value ${i}: ${stored[i]} vs ${expected.values[i]}`);
      if (layout.dictionary) assert.ok(stored.every((v) => Number.isInteger(v)));
    });
  }

  it('fitted out of core under a small budget as the same rows written as one page per column', async () => {
    // The same values in one row group: 1,000-value pages (the slices read some of them), and one page per column
    // (every slice reads it whole).
    const one = path.join(temp, 'pages.parquet');
    const many = path.join(temp, 'one-page.parquet');
    await writeLargeFile(one, 'parquet', 2, { columns: 2, groupRows: 1 << 30, pageRows: 1000 });
    await writeLargeFile(many, 'parquet', 2, { columns: 2, groupRows: 1 << 30, pageRows: 1 << 30 });
    const options = { model: 'gaussian' as const, k: 3, covarianceType: 'diag' as const, seed: 7 };
    let slices = 0;
    const actual = (await fitOutOfCore(one, options, 1, {}, { tempParent: temp, onGroup: () => slices++ })).result;
    const expected = (await fitOutOfCore(many, options, 1, {}, { tempParent: temp })).result;
    assert.ok(slices > 10, `${slices} slices`);
    assert.deepEqual([actual.n, actual.iterations, actual.converged], [expected.n, expected.iterations, expected.converged]);
    assert.deepEqual(actual.trace, expected.trace);
    assert.deepEqual(actual.means, expected.means);
  });
});
