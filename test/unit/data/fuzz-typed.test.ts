// Fuzz tests of the JSON, JSON Lines, Excel, Arrow and Parquet readers, as data-fuzz does for the others: random
// and mutated bytes give a well-formed dataset or the project's DataError naming the file — never another exception,
// never a hang. fast-check's seed is fixed in `npm test` (test/setup.ts); MIXSCOPE_FUZZ_RUNS raises the runs.

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataError } from '../../../src/engine/errors';
import { loadDatasetAsync } from '../../../src/engine/data/load';
import { assertWellFormed, fixture, utf8 } from '../../fixtures/data/helpers';

/** A hang guard, not a speed test: the inputs are a few kilobytes, so any time near this means a runaway loop. */
const HANG_GUARD_MS = 5000;
const RUNS = Number(process.env.MIXSCOPE_FUZZ_RUNS) || 150;

async function check(name: string, bytes: Uint8Array): Promise<void> {
  const started = Date.now();
  try {
    assertWellFormed(await loadDatasetAsync(name, bytes));
  } catch (e) {
    if (!(e instanceof DataError)) throw new Error(`${name}: not a DataError but ${(e as Error)?.stack ?? String(e)}`);
    assert.ok(e.message.startsWith(`${name}: `), `message does not name the file: ${e.message}`);
    assert.ok(e.message.length > name.length + 10, 'a message that says something');
  } finally {
    assert.ok(Date.now() - started < HANG_GUARD_MS, `${name} took ${Date.now() - started} ms`);
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 20 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(source: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = Uint8Array.from(source);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    if (m.kind === 'flip' && at < b.length) b[at] = m.value;
    else if (m.kind === 'delete') b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.length)]);
    else if (m.kind === 'insert') b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
    else if (m.kind === 'truncate') b = b.slice(0, at);
  }
  return b;
}

const NAMES = ['x.json', 'x.ndjson', 'x.jsonl', 'x.xlsx', 'x.arrow', 'x.feather', 'x.arrows', 'x.parquet', 'x.json.gz', 'x.parquet.gz'];
const MAGIC = [utf8('PAR1'), utf8('ARROW1\0\0'), Uint8Array.from([0xff, 0xff, 0xff, 0xff]), Uint8Array.from([0x50, 0x4b, 3, 4]), utf8('[{"a":'), utf8('{"a": [')];

describe('data: fuzz of the typed formats (fast-check)', function () {
  this.timeout(180000);

  it('random bytes, also after each format\'s magic, under every new name', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...NAMES), fc.option(fc.constantFrom(...MAGIC)), fc.uint8Array({ maxLength: 2000 }), async (name, magic, bytes) =>
        check(name, magic ? Uint8Array.from([...magic, ...bytes]) : bytes),
      ),
      { numRuns: RUNS },
    );
  });

  it('random JSON values and JSON Lines', async () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    const record = fc.dictionary(fc.constantFrom('a', 'b', 'label', 'y', ''), fc.oneof(fc.double(), fc.integer(), fc.string({ maxLength: 4 }), fc.constant(null), fc.boolean(), value));
    await fc.assert(
      fc.asyncProperty(fc.oneof(value, fc.array(record, { maxLength: 20 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.array(fc.double(), { maxLength: 5 }))), async (v) =>
        check('v.json', utf8(JSON.stringify(v) ?? 'null')),
      ),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(record.map((r) => JSON.stringify(r)), fc.string({ maxLength: 10 }), fc.constant('')), { maxLength: 20 }), async (lines) =>
        check('v.ndjson', utf8(lines.join('\n'))),
      ),
      { numRuns: RUNS },
    );
  });

  it('mutated valid files of every new format', async () => {
    const sources: [string, Uint8Array][] = [
      ['m.json', fixture('faithful-records.json').subarray(0, 1500)],
      ['m.ndjson', fixture('faithful.ndjson').subarray(0, 1500)],
      ['m.xlsx', fixture('faithful.xlsx')],
      ['m.arrow', fixture('arrow/mixed.arrow')],
      ['m.arrows', fixture('arrow/faithful.arrows')],
      ['m.feather', fixture('arrow/generated_lz4.arrow')],
      ['m.arrows', fixture('arrow/generated_zstd.arrows')],
      ['m.parquet', fixture('parquet/datapage_v2.snappy.parquet')],
      ['m.parquet', fixture('parquet/byte_stream_split.zstd.parquet')],
      ['m.parquet', fixture('parquet/concatenated_gzip_members.parquet')],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 3 }), async ([name, source], ms) => check(name, mutate(source, ms))),
      { numRuns: RUNS * 2 },
    );
  });
});
