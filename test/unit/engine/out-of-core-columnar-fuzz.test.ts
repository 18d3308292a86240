// Fuzz of the out-of-core Parquet and Arrow readers, as the in-memory readers are fuzzed (data/fuzz-typed.test.ts):
// mutated multi-group files streamed into the column store give a fit, the project's DataError naming the file, or
// EM's own FitError on values damaged into a degenerate table — never another exception, never a hang — and the temporary store is removed either way. fast-check's seed is fixed
// in `npm test` (test/setup.ts); MIXSCOPE_FUZZ_RUNS raises the runs.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { DataError, FitError } from '../../../src/engine/errors';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import { writeColumnarTables } from './columnar-fixtures';

/** A hang guard, not a speed test: the inputs are a few kilobytes, so any time near this means a runaway loop. */
const HANG_GUARD_MS = 5000;
const RUNS = Number(process.env.MIXSCOPE_FUZZ_RUNS) || 60;
const DATA = path.join(__dirname, '..', '..', 'fixtures', 'data');
const SOURCES = ['parquet/faithful-groups.snappy.parquet', 'parquet/faithful-groups.zstd.parquet', 'parquet/faithful-groups.gzip.parquet', 'arrow/faithful-batches.arrow', 'arrow/faithful-batches.arrows'];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(source: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = Uint8Array.from(source);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    if (m.kind === 'flip' && at < b.length) b[at] = m.value;
    else if (m.kind === 'delete') b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.length)]);
    else if (m.kind === 'truncate') b = b.slice(0, at);
  }
  return b;
}

describe('out of core: fuzz of the streamed Parquet and Arrow readers (fast-check)', function () {
  this.timeout(300000);
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-fuzz-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('mutated multi-group files: a fit, a DataError naming the file or a FitError, and no store left behind', async () => {
    const sources = SOURCES.map((f) => ({ name: `fuzz${path.extname(f)}`, bytes: new Uint8Array(fs.readFileSync(path.join(DATA, f))) }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (source, mutations) => {
        const file = path.join(temp, source.name);
        fs.writeFileSync(file, mutate(source.bytes, mutations));
        const started = Date.now();
        let storeDir = '';
        try {
          const { result } = await fitOutOfCore(file, { model: 'gaussian', k: 2, maxIterations: 5, seed: 1 }, 1, {}, { tempParent: temp, onStore: (dir) => (storeDir = dir) });
          assert.ok(result.n >= 2 && result.trace.every(Number.isFinite), 'a finite fit');
        } catch (e) {
          // A damaged file is a DataError naming it; values damaged into a degenerate table can make EM itself fail.
          if (e instanceof FitError) return;
          if (!(e instanceof DataError)) throw new Error(`${source.name}: not a DataError but ${(e as Error)?.stack ?? String(e)}`);
          assert.ok(e.message.startsWith(`${source.name}`), `message does not name the file: ${e.message}`);
        } finally {
          assert.ok(Date.now() - started < HANG_GUARD_MS, `${source.name} took ${Date.now() - started} ms`);
        }
        assert.ok(storeDir === '' || !fs.existsSync(storeDir), 'the store was removed');
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated tables of categories and counts fitted by model "auto" (category codes, case weights): a fit, a DataError or a FitError', async () => {
    const tables = writeColumnarTables(temp, 3);
    const sources = [tables.categories.arrow, tables.mixed.arrows, tables.counts.arrow].map((f) => ({ name: `fuzz-families${path.extname(f)}`, bytes: new Uint8Array(fs.readFileSync(f)), weights: f === tables.counts.arrow }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (source, mutations) => {
        const file = path.join(temp, source.name);
        fs.writeFileSync(file, mutate(source.bytes, mutations));
        const started = Date.now();
        let storeDir = '';
        const options = source.weights ? { model: 'poisson' as const, k: 2, weightsColumn: 'w', maxIterations: 5, seed: 1 } : { model: 'auto' as const, k: 2, maxIterations: 5, seed: 1 };
        try {
          const { result } = await fitOutOfCore(file, options, 1, {}, { tempParent: temp, onStore: (dir) => (storeDir = dir) });
          assert.ok(result.n >= 2 && result.trace.every(Number.isFinite), 'a finite fit');
        } catch (e) {
          if (e instanceof FitError) return;
          if (!(e instanceof DataError)) throw new Error(`${source.name}: not a DataError but ${(e as Error)?.stack ?? String(e)}`);
          assert.ok(e.message.startsWith(`${source.name}`), `message does not name the file: ${e.message}`);
        } finally {
          assert.ok(Date.now() - started < HANG_GUARD_MS, `${source.name} took ${Date.now() - started} ms`);
        }
        assert.ok(storeDir === '' || !fs.existsSync(storeDir), 'the store was removed');
      }),
      { numRuns: RUNS },
    );
  });
});
