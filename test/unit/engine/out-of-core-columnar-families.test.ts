// Every family out of core from Parquet and Arrow: text and dictionary columns are stored as category codes in the
// in-memory loader's order, count, 0/1 and pixel columns as numbers, a weights column as case weights; the same file
// fitted both ways gives the same model, columns and EM trace (to 1e-9 relative), and the same parameters. The Arrow
// tables are written per run in three record batches (columnar-fixtures.ts); the Parquet file is the faithful
// fixture in three row groups with its text column "kind".

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDatasetAsync } from '../../../src/engine/data/load';
import { DataError } from '../../../src/engine/errors';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import type { DatasetSummary, FitOptions, FitResult } from '../../../src/shared/protocol';
import { assertSameFit, inMemoryFit } from './same-fit';
import { writeColumnarTables } from './columnar-fixtures';

const DATA = path.join(__dirname, '..', '..', 'fixtures', 'data');

describe('out of core: every family from Parquet and Arrow, as in memory', function () {
  this.timeout(60000);
  let temp: string;
  let files: ReturnType<typeof writeColumnarTables>;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-families-'));
    files = writeColumnarTables(temp);
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  async function both(file: string, options: Partial<FitOptions>, chunkRows = 61): Promise<{ actual: FitResult; expected: FitResult; summary: DatasetSummary }> {
    const expected = await inMemoryFit(file, options);
    let summary: DatasetSummary | undefined;
    let storeDir = '';
    const outcome = await fitOutOfCore(file, options, 1, { onLoaded: (info) => (summary = info.summary) }, { chunkRows, tempParent: temp, onStore: (dir) => (storeDir = dir) });
    assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    return { actual: outcome.result, expected, summary: summary! };
  }

  const cases: { name: string; table: string; options: Partial<FitOptions>; model: string }[] = [
    { name: 'categorical, K = 2, k-means++', table: 'categories', options: { model: 'categorical', k: 2, seed: 3, columns: ['colour', 'size', 'shape'] }, model: 'categorical' },
    { name: 'categorical, K = 3, random starts, case weights', table: 'categories', options: { model: 'categorical', k: 3, seed: 4, init: 'random', restarts: 2, weightsColumn: 'w' }, model: 'categorical' },
    { name: 'auto on text columns only: categorical', table: 'categories', options: { model: 'auto', k: 2, seed: 5, columns: ['colour', 'size', 'shape'] }, model: 'categorical' },
    { name: 'mixed: Gaussian, Poisson and categorical blocks', table: 'mixed', options: { model: 'mixed', k: 2, seed: 6, countColumns: ['visits'] }, model: 'mixed' },
    { name: 'auto on numbers and text: mixed', table: 'mixed', options: { model: 'auto', k: 2, seed: 7, covarianceType: 'diag' }, model: 'mixed' },
    { name: 'Poisson with case weights', table: 'counts', options: { model: 'poisson', k: 2, seed: 8, weightsColumn: 'w' }, model: 'poisson' },
    { name: 'auto on count columns: Poisson', table: 'counts', options: { model: 'auto', k: 2, seed: 9, columns: ['a', 'b', 'c'], countColumns: ['a', 'b', 'c'] }, model: 'poisson' },
    { name: 'Bernoulli on 0/1 columns', table: 'binary', options: { model: 'bernoulli', k: 2, seed: 10 }, model: 'bernoulli' },
    { name: 'auto on 0/1 columns: Bernoulli', table: 'binary', options: { model: 'auto', k: 3, seed: 11, init: 'random' }, model: 'bernoulli' },
    { name: 'auto on 64 pixel columns: Bernoulli images', table: 'pixels', options: { model: 'auto', k: 2, seed: 12 }, model: 'bernoulli' },
  ];
  for (const { name, table, options, model } of cases) {
    for (const kind of ['arrow', 'arrows'] as const) {
      it(`${table}.${kind}: ${name}`, async () => {
        const { actual, expected } = await both(files[table][kind], options);
        assert.equal(expected.model, model);
        assertSameFit(actual, expected);
      });
    }
  }

  it('the notes name the categories of the whole file and the weights column', async () => {
    const { summary } = await both(files.categories.arrow, { model: 'categorical', k: 2, seed: 3, weightsColumn: 'w' });
    const loaded = await loadDatasetAsync('categories.arrow', fs.readFileSync(files.categories.arrow), { weightsColumn: 'w', missing: 'skip' });
    const categoryNote = loaded.summary.notes.find((n) => n.startsWith('categorical:'));
    assert.ok(categoryNote && summary.notes.includes(categoryNote), `${categoryNote} in ${summary.notes.join(' | ')}`);
    assert.ok(summary.notes.some((n) => /^fitted out of core: 400 rows streamed record batch by record batch .*category codes for colour, size, shape/.test(n)), summary.notes.join(' | '));
  });

  const faithful = path.join(DATA, 'parquet/faithful-groups.snappy.parquet');
  it('Parquet: its text column as categories (mixed, auto and categorical), as in memory', async () => {
    for (const options of [
      { model: 'mixed', k: 2, seed: 1, labelColumn: 'none', categorical: ['kind'] },
      { model: 'auto', k: 2, seed: 2, labelColumn: 'none', categorical: ['kind'] },
      { model: 'categorical', k: 2, seed: 3, labelColumn: 'none', columns: ['kind'], categorical: ['kind', 'waiting'], categoryLimit: 60 },
    ] as Partial<FitOptions>[]) {
      const { actual, expected } = await both(faithful, options, 29);
      assertSameFit(actual, expected);
    }
  });

  it('Parquet: case weights and counts, as in memory', async () => {
    const weighted = await both(faithful, { model: 'poisson', k: 2, seed: 4, columns: ['waiting'], weightsColumn: 'eruptions' }, 33);
    assertSameFit(weighted.actual, weighted.expected);
    const gaussian = await both(faithful, { model: 'gaussian', k: 2, seed: 5, columns: ['eruptions'], weightsColumn: 'waiting' }, 33);
    assertSameFit(gaussian.actual, gaussian.expected);
    assert.equal(gaussian.actual.caseWeights?.column, 'waiting');
  });

  it('a count column with a fraction, a bad weight: the in-memory errors, naming the row', async () => {
    await assert.rejects(
      () => fitOutOfCore(faithful, { model: 'poisson', k: 2, columns: ['eruptions'] }, 1, {}, { tempParent: temp }),
      (e: unknown) => e instanceof DataError && /^faithful-groups\.snappy\.parquet: a Poisson mixture needs counts .* column "eruptions" has 3\.6 on row 1\./.test((e as Error).message),
    );
    const { Table, Float64, Utf8, tableToIPC, vectorFromArray } = await import('apache-arrow');
    const bad = path.join(temp, 'bad-weight.arrow');
    const table = new Table({ kind: vectorFromArray(['a', 'b', 'a', 'b'], new Utf8()), w: vectorFromArray([1, 2, -1, 1], new Float64()) });
    fs.writeFileSync(bad, tableToIPC(table, 'file'));
    const inMemory = await inMemoryFit(bad, { model: 'categorical', k: 2, weightsColumn: 'w' }).catch((e: Error) => e.message);
    await assert.rejects(
      () => fitOutOfCore(bad, { model: 'categorical', k: 2, weightsColumn: 'w' }, 1, {}, { tempParent: temp }),
      (e: unknown) => e instanceof DataError && e.message === inMemory && /row 3: the weight in column "w" is negative \(-1\)/.test(e.message),
    );
  });
});
