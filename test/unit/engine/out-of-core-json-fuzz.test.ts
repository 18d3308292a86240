// Fuzz of the out-of-core JSON and JSON Lines scanner, as the in-memory loaders are fuzzed (data/fuzz.test.ts):
// random bytes and mutated files (bytes flipped, cut, quotes and brackets dropped or doubled) give a fit, the
// project's DataError naming the file, or EM's FitError on a degenerate table — never another exception, never a
// hang — and the temporary store is removed. fast-check's seed is fixed in `npm test`; MIXSCOPE_FUZZ_RUNS raises runs.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { byteMutation, fitsOrRefuses as fitOrRefusal, fuzzRuns, mutate } from './out-of-core-fuzz';

const RUNS = fuzzRuns(80);

const RECORDS = Array.from({ length: 40 }, (_, i) => ({ a: (i * 7) % 11, b: i % 3 === 0 ? 'x' : 'y', c: i / 4, d: i % 5 === 0 ? null : [i] }));
const SOURCES: { name: string; text: string }[] = [
  { name: 'fuzz.ndjson', text: RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n' },
  { name: 'fuzz.json', text: JSON.stringify(RECORDS, null, 1) },
  { name: 'fuzz-columns.json', text: JSON.stringify({ a: RECORDS.map((r) => r.a), b: RECORDS.map((r) => r.b), c: RECORDS.map((r) => r.c) }) },
  { name: 'fuzz-rows.json', text: JSON.stringify(RECORDS.map((r) => [r.a, r.c, 'q\\"' + r.b])) },
];
/** Bytes that steer a JSON scanner: quotes, escapes, brackets, separators, line ends, a byte-order mark's start. */
const STRUCTURAL = [0x22, 0x5c, 0x5b, 0x5d, 0x7b, 0x7d, 0x2c, 0x3a, 0x0a, 0x0d, 0x20, 0xef, 0xff, 0x00];

const mutation = byteMutation(fc.oneof(fc.constantFrom(...STRUCTURAL), fc.integer({ min: 0, max: 255 })), 20);

describe('out of core: fuzz of the JSON and JSON Lines scanner (fast-check)', function () {
  this.timeout(300000);
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-json-fuzz-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));
  const fitsOrRefuses = async (name: string, bytes: Uint8Array, groupRecords: number): Promise<void> => {
    await fitOrRefusal(temp, name, bytes, { model: 'auto' }, { groupRecords });
  };


  it('mutated JSON and JSON Lines files', async () => {
    const sources = SOURCES.map((s) => ({ name: s.name, bytes: new TextEncoder().encode(s.text) }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 50 }), async (source, mutations, groupRecords) =>
        fitsOrRefuses(source.name, mutate(source.bytes, mutations), groupRecords),
      ),
      { numRuns: RUNS },
    );
  });

  it('random bytes named .json and .ndjson', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('random.json', 'random.ndjson'), fc.uint8Array({ maxLength: 300 }), async (name, bytes) => fitsOrRefuses(name, bytes, 7)),
      { numRuns: RUNS },
    );
  });
});
