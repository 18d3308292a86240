// Fuzz of the out-of-core NumPy and IDX readers, as the in-memory loaders are fuzzed (data/fuzz.test.ts): random
// bytes and mutated files (header bytes flipped, data cut or shifted) give a fit, the project's DataError naming the
// file, or EM's FitError on a degenerate table — never another exception, never a hang — and the temporary store is
// removed. fast-check's seed is fixed in `npm test`; MIXSCOPE_FUZZ_RUNS raises runs.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { DataError, FitError } from '../../../src/engine/errors';
import { fitOutOfCore } from '../../../src/engine/outOfCore';

/** A hang guard, not a speed test: the inputs are a few kilobytes, so any time near this means a runaway loop. */
const HANG_GUARD_MS = 5000;
const RUNS = Number(process.env.MIXSCOPE_FUZZ_RUNS) || 80;

const DATA = path.join(__dirname, '..', '..', 'fixtures', 'data');
/** A small MNIST-like IDX file: 30 images of 4×4 pixels. */
const IDX = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 30, 0, 0, 0, 4, 0, 0, 0, 4, ...Array.from({ length: 30 * 16 }, (_, i) => (i * 37) % 256)]);
const SOURCES: { name: string; bytes: Uint8Array }[] = [
  ...['table-f8.npy', 'big-endian-f8.npy', 'images-u1.npy', 'images-f4-v3.npy', 'bool-2d.npy', 'table-f4-v2.npy'].map((f) => ({ name: `fuzz-${f}`, bytes: new Uint8Array(fs.readFileSync(path.join(DATA, f))) })),
  { name: 'fuzz-idx3-ubyte', bytes: IDX },
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.oneof(fc.nat({ max: 140 }), fc.nat()), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
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

describe('out of core: fuzz of the NumPy and IDX readers (fast-check)', function () {
  this.timeout(300000);
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-array-fuzz-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  async function fitsOrRefuses(name: string, bytes: Uint8Array, groupRecords: number): Promise<void> {
    const file = path.join(temp, name);
    fs.writeFileSync(file, bytes);
    const started = Date.now();
    let storeDir = '';
    try {
      const { result } = await fitOutOfCore(file, { model: 'auto', k: 2, maxIterations: 5, seed: 1 }, 1, {}, { tempParent: temp, groupRecords, onStore: (dir) => (storeDir = dir) });
      assert.ok(result.n >= 2 && result.trace.every(Number.isFinite), 'a finite fit');
    } catch (e) {
      if (e instanceof FitError) return;
      if (!(e instanceof DataError)) throw new Error(`${name}: not a DataError but ${(e as Error)?.stack ?? String(e)}`);
      assert.ok(e.message.startsWith(name), `message does not name the file: ${e.message}`);
    } finally {
      assert.ok(Date.now() - started < HANG_GUARD_MS, `${name} took ${Date.now() - started} ms`);
    }
    assert.ok(storeDir === '' || !fs.existsSync(storeDir), 'the store was removed');
  }

  it('mutated .npy and IDX files', async () => {
    const sources = SOURCES;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 50 }), async (source, mutations, groupRecords) =>
        fitsOrRefuses(source.name, mutate(source.bytes, mutations), groupRecords),
      ),
      { numRuns: RUNS },
    );
  });

  it('random bytes named .npy and -idx3-ubyte, and random bytes after a valid magic', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('random.npy', 'random-idx3-ubyte'), fc.uint8Array({ maxLength: 300 }), async (name, bytes) => {
        const magic = name.endsWith('.npy') ? [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] : [0, 0, 8, 3];
        await fitsOrRefuses(name, bytes, 7);
        await fitsOrRefuses(name, Uint8Array.from([...magic, ...bytes]), 3);
      }),
      { numRuns: RUNS },
    );
  });
});
