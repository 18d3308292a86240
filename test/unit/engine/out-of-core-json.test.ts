// JSON Lines and JSON out of core: the file is scanned value by value (never parsed whole) into the column store, group
// of records by group of records, and the fit equals the in-memory fit of the same file (trace to 1e-9 relative) for
// every shape the in-memory loader reads (an array of records, of rows; an object of column arrays; JSON Lines of
// records or arrays) and every family; the notes, the rows skipped and the errors (naming the line and column) are
// the in-memory loader's.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDatasetAsync } from '../../../src/engine/data/load';
import { Rng } from '../../../src/engine/em/rng';
import { DataError } from '../../../src/engine/errors';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import type { DatasetSummary, FitOptions } from '../../../src/shared/protocol';
import { assertSameFit, inMemoryFit } from './same-fit';

const DATA = path.join(__dirname, '..', '..', 'fixtures', 'data');

/** 300 records of two classes: numbers, a count, categories with a missing cell, a weight; some records lack a key. */
function records(seed: number): Record<string, unknown>[] {
  const rng = new Rng(seed);
  return Array.from({ length: 300 }, (_, i) => {
    const c = rng.next() < 0.4 ? 0 : 1;
    const record: Record<string, unknown> = {
      x: Math.round(((c === 0 ? -2 : 2) + rng.normal()) * 1000) / 1000,
      y: (c === 0 ? 1 : -1) + 0.5 * rng.normal(),
      visits: Math.floor(rng.next() * (c === 0 ? 4 : 12)),
      size: ['S', 'M', 'L'][Math.min(2, Math.floor((c === 0 ? rng.next() * 0.6 : 1 - rng.next() * 0.6) * 3))],
      shape: rng.next() < (c === 0 ? 0.8 : 0.2) ? 'round' : 'square',
      w: 0.5 + Math.round(rng.next() * 6) / 4,
    };
    if (i % 41 === 7) record.size = null;
    if (i % 53 === 11) delete record.shape;
    if (i === 100) record.x = 'n/a';
    return record;
  });
}

describe('out of core: JSON and JSON Lines scanned value by value, fitted as in memory', function () {
  this.timeout(60000);
  let temp: string;
  const files: Record<string, string> = {};
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-json-'));
    const rows = records(5);
    const names = Object.keys(rows[0]);
    const write = (name: string, text: string) => fs.writeFileSync((files[name] = path.join(temp, name)), text);
    // Blank lines and a CRLF between records, as in memory.
    write('records.ndjson', rows.map((r, i) => JSON.stringify(r) + (i % 97 === 3 ? '\r\n\n' : '\n')).join(''));
    write('records.json', JSON.stringify(rows, null, 2));
    write('rows.jsonl', rows.map((r) => JSON.stringify(names.map((k) => r[k] ?? null))).join('\n'));
    write('rows.json', '[' + rows.map((r) => JSON.stringify(names.map((k) => r[k] ?? null))).join(',\n ') + ']\n');
    write('columns.json', JSON.stringify(Object.fromEntries(names.map((k) => [k, rows.map((r) => r[k] ?? null)])), null, 1));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  async function both(file: string, options: Partial<FitOptions>, groupRecords = 37) {
    const expected = await inMemoryFit(file, options);
    let summary: DatasetSummary | undefined;
    let storeDir = '';
    const groups: number[] = [];
    const actual = (await fitOutOfCore(file, options, 1, { onLoaded: (info) => (summary = info.summary) }, { chunkRows: 53, groupRecords, tempParent: temp, onStore: (dir) => (storeDir = dir), onGroup: (g) => groups.push(g) })).result;
    assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    assert.ok(groups.length >= 8, `read in ${groups.length} groups`);
    return { actual, expected, summary: summary! };
  }

  const fits: { name: string; options: Partial<FitOptions>; model: string }[] = [
    { name: 'Gaussian, K = 2 full', options: { model: 'gaussian', k: 2, seed: 1, columns: ['x', 'y'] }, model: 'gaussian' },
    { name: 'auto: mixed (numbers, counts, categories)', options: { model: 'auto', k: 2, seed: 2, missing: 'skip', countColumns: ['visits'], columns: ['x', 'y', 'visits', 'size', 'shape'] }, model: 'mixed' },
    { name: 'categorical with case weights', options: { model: 'categorical', k: 2, seed: 3, columns: ['size', 'shape'], weightsColumn: 'w' }, model: 'categorical' },
    { name: 'Poisson with case weights', options: { model: 'poisson', k: 2, seed: 4, columns: ['visits'], weightsColumn: 'w' }, model: 'poisson' },
  ];
  for (const name of ['records.ndjson', 'records.json', 'columns.json']) {
    for (const { name: what, options, model } of fits) {
      it(`${name}: ${what}`, async () => {
        const { actual, expected } = await both(files[name], options);
        assert.equal(expected.model, model);
        assertSameFit(actual, expected);
      });
    }
  }
  for (const name of ['rows.jsonl', 'rows.json']) {
    it(`${name}: arrays of values, Gaussian on x1 and x2`, async () => {
      const { actual, expected } = await both(files[name], { model: 'gaussian', k: 2, seed: 5, columns: ['x1', 'x2'], covarianceType: 'diag' });
      assertSameFit(actual, expected);
    });
  }

  it('the notes and the skipped rows are the in-memory ones (line numbers in JSON Lines, records in JSON)', async () => {
    for (const name of ['records.ndjson', 'records.json', 'columns.json']) {
      const options: Partial<FitOptions> = { model: 'gaussian', k: 2, seed: 1, columns: ['x', 'y'] };
      const { summary } = await both(files[name], options);
      const loaded = await loadDatasetAsync(name, fs.readFileSync(files[name]), { columns: ['x', 'y'], missing: 'marginalize' });
      assert.deepEqual([summary.skippedRows, summary.skippedLines, summary.columns], [loaded.summary.skippedRows, loaded.summary.skippedLines, loaded.summary.columns], name);
      for (const note of loaded.summary.notes.filter((n) => /^JSON|^ignored|skipped/.test(n))) assert.ok(summary.notes.includes(note), `${name}: "${note}" in ${summary.notes.join(' | ')}`);
    }
  });

  it('the committed fixtures (records, columns, JSON Lines) fit as in memory in one group and in many', async () => {
    for (const name of ['faithful-records.json', 'faithful-columns.json', 'faithful.ndjson', 'faithful.jsonl']) {
      const options: Partial<FitOptions> = { model: 'gaussian', k: 2, seed: 7 };
      const expected = await inMemoryFit(path.join(DATA, name), options);
      for (const groupRecords of [undefined, 50]) {
        const actual = (await fitOutOfCore(path.join(DATA, name), options, 1, {}, { tempParent: temp, groupRecords })).result;
        assertSameFit(actual, expected);
      }
    }
  });

  it('bad JSON: the in-memory messages, naming the line and column; pandas\' indexed columns are refused with what to do', async () => {
    const cases: [string, string][] = [
      ['bad-line.ndjson', '{"a": 1, "b": 2}\n{"a": 3, "b": 4}\n{"a": 5, "b": }\n'],
      ['bad-shape.ndjson', '{"a": 1}\n[1, 2]\n'],
      ['bad-item.json', '[{"a": 1}, {"a": 2}, 3]'],
      ['bad-record.json', '[{"a": 1},\n {"a": 2,, "b": 3}]'],
      ['lengths.json', '{"a": [1, 2, 3], "b": [1, 2]}'],
      ['scalar.json', '42'],
      ['empty.ndjson', '\n\n'],
      ['not-array.json', '{"a": [1, 2], "b": 7}'],
    ];
    for (const [name, text] of cases) {
      const file = path.join(temp, name);
      fs.writeFileSync(file, text);
      const inMemory = await inMemoryFit(file, { model: 'gaussian', k: 1 }).then(
        () => 'no error',
        (e: Error) => e.message,
      );
      await assert.rejects(
        () => fitOutOfCore(file, { model: 'gaussian', k: 1 }, 1, {}, { tempParent: temp }),
        (e: unknown) => e instanceof DataError && e.message === inMemory,
        name,
      );
    }
    const pandas = path.join(DATA, 'faithful-pandas.json');
    await assert.rejects(
      () => fitOutOfCore(pandas, { model: 'gaussian', k: 2 }, 1, {}, { tempParent: temp }),
      (e: unknown) => e instanceof DataError && /^faithful-pandas\.json: the value of "eruptions" is an object keyed by row \(pandas' to_json default\), which is read in memory only.*orient="records", lines=True/.test((e as Error).message),
    );
  });
});
