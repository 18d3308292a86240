// Parquet and Arrow IPC / Feather out of core: the file is streamed row group by row group (record batch by record
// batch) into the column store, and the fit equals the in-memory fit of the same file (trace to 1e-9 relative), with
// at most one group's rows held during the parse; a damaged group is named in the error; Excel stays refused.
// The other families from these formats: out-of-core-columnar-families.test.ts.
// The multi-group fixtures hold test/fixtures/faithful.csv (make-parquet-fixtures.py, make-arrow-fixtures.ts).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDatasetAsync } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import { DataError } from '../../../src/engine/errors';
import type { FitOptions } from '../../../src/shared/protocol';
import { openParquetGroups } from '../../../src/engine/data/parquetStream';
import { streamGroupsToStore } from '../../../src/engine/data/store/cellStream';
import { ColumnStoreReader, createStoreDir } from '../../../src/engine/data/store/columnStore';

const DATA = path.join(__dirname, '..', '..', 'fixtures', 'data');

async function inMemory(file: string, options: Partial<FitOptions>) {
  const dataset = await loadDatasetAsync(path.basename(file), fs.readFileSync(file), { columns: options.columns, labelColumn: options.labelColumn, missing: 'skip' });
  return fitDataset(dataset, options);
}

function assertClose(actual: number, expected: number, what: string): void {
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

describe('out of core: Parquet and Arrow streamed group by group, fitted as in memory', () => {
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-columnar-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const files = ['parquet/faithful-groups.snappy.parquet', 'parquet/faithful-groups.zstd.parquet', 'parquet/faithful-groups.gzip.parquet', 'arrow/faithful-batches.arrow', 'arrow/faithful-batches.arrows'];
  const fits: { options: Partial<FitOptions>; chunkRows: number }[] = [
    { options: { model: 'gaussian', k: 2, covarianceType: 'full', seed: 3 }, chunkRows: 45 },
    { options: { model: 'gaussian', k: 3, covarianceType: 'diag', init: 'random', seed: 5, restarts: 2 }, chunkRows: 13 },
  ];
  for (const file of files) {
    for (const { options, chunkRows } of fits) {
      it(`${file}, K = ${options.k} ${options.covarianceType}: the in-memory trace, one group held at a time`, async () => {
        const full = path.join(DATA, file);
        const expected = (await inMemory(full, options)).result;
        let storeDir = '';
        let peak = 0;
        const groups: number[] = [];
        const actual = (await fitOutOfCore(full, options, 1, {}, {
          chunkRows,
          tempParent: temp,
          onStore: (dir) => (storeDir = dir),
          onGroup: (g, rows) => {
            groups.push(g);
            peak = Math.max(peak, rows);
          },
        })).result;
        // Three groups of 100, 100 and 72 rows, read in order, never more than one at a time.
        assert.deepEqual(groups, [0, 1, 2]);
        assert.equal(peak, 100);
        assert.deepEqual([actual.n, actual.d, actual.columns], [272, 2, ['eruptions', 'waiting']]);
        assert.deepEqual([actual.n, actual.iterations, actual.converged, actual.trace.length], [expected.n, expected.iterations, expected.converged, expected.trace.length]);
        actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
        for (let j = 0; j < expected.k; j++) {
          assertClose(actual.weights[j], expected.weights[j], `weight ${j}`);
          expected.means[j].forEach((m, c) => assertClose(actual.means[j][c], m, `mean ${j},${c}`));
          expected.covariances![j].forEach((row, a) => row.forEach((v, b) => assertClose(actual.covariances![j][a][b], v, `cov ${j},${a},${b}`)));
        }
        assertClose(actual.bic, expected.bic, 'BIC');
        assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
      });
    }
  }

  it('a Parquet row group larger than the slice is read in slices: the same stored rows, never more than a slice held', async () => {
    for (const codec of ['snappy', 'zstd', 'gzip']) {
      const file = path.join(DATA, `parquet/faithful-groups.${codec}.parquet`);
      const stored = async (sliceRows?: (columns: number) => number) => {
        const held: number[] = [];
        const progress: number[] = [];
        const dir = createStoreDir(temp);
        const grouped = await openParquetGroups(path.basename(file), file, sliceRows);
        const { store } = await streamGroupsToStore(grouped, dir, { onGroup: (_, rows) => held.push(rows), onProgress: (done) => progress.push(done) });
        const reader = new ColumnStoreReader(store);
        const values = new Float64Array(store.n * reader.d);
        reader.read(0, store.n, values);
        reader.close();
        fs.rmSync(dir, { recursive: true, force: true });
        return { values, held, progress, columns: grouped.columns.length };
      };
      const whole = await stored();
      let columnsSeen = 0;
      const sliced = await stored((columns) => {
        columnsSeen = columns;
        return 30;
      });
      // Groups of 100, 100 and 72 rows: 4 + 4 + 3 slices of at most 30 rows.
      assert.deepEqual(whole.held, [100, 100, 72]);
      assert.deepEqual(sliced.held, [30, 30, 30, 10, 30, 30, 30, 10, 30, 30, 12]);
      assert.equal(columnsSeen, whole.columns);
      assert.deepEqual(Array.from(sliced.values), Array.from(whole.values));
      // The two fitted columns and the label column (stored last, scored, never fitted).
      assert.equal(sliced.values.length, 272 * 3);
      // The parse's progress never goes back and ends at the file's size.
      assert.ok(sliced.progress.every((v, i) => i === 0 || v >= sliced.progress[i - 1]), String(sliced.progress));
      assert.equal(sliced.progress[sliced.progress.length - 1], whole.progress[whole.progress.length - 1]);
    }
  });

  it('a model selection over a Parquet file chooses as in memory', async () => {
    const full = path.join(DATA, 'parquet/faithful-groups.zstd.parquet');
    const options: Partial<FitOptions> = { model: 'gaussian', k: 'auto', kRange: '1-3', covarianceModels: 'EII,VVI,VVV' };
    const expected = (await inMemory(full, options)).result;
    const actual = (await fitOutOfCore(full, options, 1, {}, { chunkRows: 37, tempParent: temp })).result;
    assert.deepEqual(actual.selection!.chosen, expected.selection!.chosen);
    expected.selection!.entries.forEach((e, i) => {
      if (e.logLikelihood === null) assert.equal(actual.selection!.entries[i].logLikelihood, null);
      else assertClose(actual.selection!.entries[i].logLikelihood as number, e.logLikelihood, `K = ${e.k} ${e.covariance}`);
    });
    actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
  });

  it('the notes: the format, the label column scored, the rows skipped as in memory', async () => {
    const streamed = await fitOutOfCore(path.join(DATA, 'parquet/faithful-groups.snappy.parquet'), { model: 'gaussian', k: 2, seed: 1 }, 1, {
      onLoaded: (info) => {
        assert.ok(info.summary.notes.includes('Parquet: 272 rows in 3 row groups (snappy)'), info.summary.notes.join(' | '));
        assert.ok(info.summary.hasLabels);
        assert.ok(info.summary.notes.includes('labels: text column "kind", 2 values (long, short), not used in the fit'), info.summary.notes.join(' | '));
        assert.ok(info.summary.notes.some((n) => /^fitted out of core: 272 rows streamed row group by row group through a temporary column store \(float64 for eruptions; .*float32/.test(n) || /^fitted out of core: 272 rows streamed row group by row group/.test(n)));
      },
    }, { tempParent: temp });
    assert.equal(streamed.result.n, 272);
    // mixed.arrow: with missing "skip", a null in x skips row 3, in memory and out of core alike; its dates and lists are left out.
    const file = path.join(DATA, 'arrow/mixed.arrow');
    const options: Partial<FitOptions> = { model: 'gaussian', k: 2, covarianceType: 'spherical', seed: 2, missing: 'skip' };
    const expected = await inMemory(file, options);
    let summary: { skippedRows: number; skippedLines: number[]; notes: string[]; columns: string[]; droppedColumns: unknown } | undefined;
    const actual = (await fitOutOfCore(file, options, 1, { onLoaded: (info) => (summary = info.summary) }, { tempParent: temp })).result;
    const dataset = await loadDatasetAsync('mixed.arrow', fs.readFileSync(file), { missing: 'skip' });
    assert.deepEqual([summary!.skippedRows, summary!.skippedLines, summary!.columns], [dataset.summary.skippedRows, dataset.summary.skippedLines, dataset.summary.columns]);
    assert.deepEqual(summary!.droppedColumns, dataset.summary.droppedColumns);
    const skipNote = dataset.summary.notes.find((n) => /skipped/.test(n));
    assert.ok(skipNote && summary!.notes.includes(skipNote), `${skipNote} in ${summary!.notes.join(' | ')}`);
    actual.trace.forEach((v, i) => assertClose(v, expected.result.trace[i], `trace[${i}]`));
    // By default the null is integrated out: row 3 is fitted on its other cells, as in memory.
    const marginal = { ...options, missing: 'marginalize' as const };
    const kept = fitDataset(await loadDatasetAsync('mixed.arrow', fs.readFileSync(file), { missing: 'marginalize' }), marginal).result;
    const streamedKept = (await fitOutOfCore(file, marginal, 1, {}, { tempParent: temp })).result;
    assert.equal(streamedKept.n, dataset.n + 1);
    assert.deepEqual([streamedKept.n, streamedKept.missingCells], [kept.n, kept.missingCells]);
    streamedKept.trace.forEach((v, i) => assertClose(v, kept.trace[i], `trace with the null marginalised [${i}]`));
  });

  it('a damaged row group or record batch is named in the error, and the store is removed', async () => {
    // Parquet: the second row group's first page header overwritten.
    const parquet = fs.readFileSync(path.join(DATA, 'parquet/faithful-groups.snappy.parquet'));
    const broken = Buffer.from(parquet);
    const second = secondGroupFirstPage(broken);
    broken.fill(0xff, second, second + 6);
    const brokenParquet = path.join(temp, 'broken.parquet');
    fs.writeFileSync(brokenParquet, broken);
    let storeDir = '';
    await assert.rejects(
      () => fitOutOfCore(brokenParquet, { model: 'gaussian', k: 2 }, 1, {}, { tempParent: temp, onStore: (dir) => (storeDir = dir) }),
      (e: unknown) => e instanceof DataError && /^broken\.parquet: row group 2 of 3, column "eruptions": the page header at byte \d+ cannot be read/.test((e as Error).message),
    );
    assert.ok(storeDir !== '' && !fs.existsSync(storeDir));
    // Arrow: the second record batch's body cut short by a truncated file (the stream's end is lost).
    const arrows = fs.readFileSync(path.join(DATA, 'arrow/faithful-batches.arrows'));
    const cutArrow = path.join(temp, 'cut.arrows');
    fs.writeFileSync(cutArrow, arrows.subarray(0, Math.floor(arrows.length * 0.6)));
    await assert.rejects(
      () => fitOutOfCore(cutArrow, { model: 'gaussian', k: 2 }, 1, {}, { tempParent: temp }),
      (e: unknown) => e instanceof DataError && /^cut\.arrows: the Arrow data are damaged: the message at byte \d+ claims a body of \d+ bytes, beyond the file's end/.test((e as Error).message),
    );
    // Arrow file: a record batch's metadata overwritten: the batch is named.
    const arrow = Buffer.from(fs.readFileSync(path.join(DATA, 'arrow/faithful-batches.arrow')));
    const at = recordBatchOffset(arrow, 1);
    arrow.fill(0x7f, at + 8, at + 40);
    const brokenArrow = path.join(temp, 'broken.arrow');
    fs.writeFileSync(brokenArrow, arrow);
    await assert.rejects(
      () => fitOutOfCore(brokenArrow, { model: 'gaussian', k: 2 }, 1, {}, { tempParent: temp }),
      (e: unknown) => e instanceof DataError && /^broken\.arrow: record batch 2 of 3: the Arrow data (are damaged|cannot be read)/.test((e as Error).message),
    );
  });

  it('model "auto" on a file with a categorical column fits the mixed model it fits in memory, and "gaussian" its numbers', async () => {
    const lz4 = path.join(DATA, 'arrow/generated_lz4.arrow');
    const options: Partial<FitOptions> = { model: 'auto', k: 2, seed: 1 };
    const expected = (await inMemory(lz4, options)).result;
    const actual = (await fitOutOfCore(lz4, options, 1, {}, { tempParent: temp })).result;
    assert.equal(expected.model, 'mixed');
    assert.deepEqual([actual.model, actual.columns, actual.categories], [expected.model, expected.columns, expected.categories]);
    actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
    assert.deepEqual(fs.readdirSync(temp).filter((f) => f.startsWith('mixscope-store-')), [], 'the store is removed');
    const numeric = await fitOutOfCore(lz4, { model: 'gaussian', k: 2, seed: 1 }, 1, {}, { tempParent: temp });
    assert.equal(numeric.result.model, 'gaussian');
    assert.deepEqual(numeric.result.columns, ['ints']);
  });
});

/** Byte offset of the second row group's first page in the fixtures (make-parquet-fixtures.py): 100 rows in. */
function secondGroupFirstPage(bytes: Buffer): number {
  // Each group holds eruptions (float64), waiting (int64) and kind (text) chunks of one page each: a full group's
  // numeric pages start with the same header (DATA_PAGE, 800 raw bytes), so group 2's eruptions page is the third.
  const header = Buffer.from([0x15, 0x00, 0x15, 0xc0, 0x0c]);
  let at = 0;
  for (let seen = 0; seen < 3; seen++) at = bytes.indexOf(header, at + 1);
  return at;
}

/** Offset of record batch `i` in an Arrow IPC file, from its footer. */
function recordBatchOffset(bytes: Buffer, i: number): number {
  const footerLength = bytes.readInt32LE(bytes.length - 10);
  const footer = bytes.subarray(bytes.length - 10 - footerLength, bytes.length - 10);
  const root = footer.readUInt32LE(0);
  const vtable = root - footer.readInt32LE(root);
  const field = footer.readUInt16LE(vtable + 4 + 2 * 3);
  const vector = root + field + footer.readUInt32LE(root + field);
  return Number(footer.readBigInt64LE(vector + 4 + 24 * i));
}
