// Fuzz of the out-of-core NumPy and IDX readers, as the in-memory loaders are fuzzed (data/fuzz.test.ts): random
// bytes and mutated files (header bytes flipped, data cut or shifted) give a fit, the project's DataError naming the
// file, or EM's FitError on a degenerate table — never another exception, never a hang — and the temporary store is
// removed. fast-check's seed is fixed in `npm test`; MIXSCOPE_FUZZ_RUNS raises runs.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { byteMutation, fitsOrRefuses as fitOrRefusal, fuzzRuns, mutate } from './out-of-core-fuzz';

const RUNS = fuzzRuns(80);

const DATA = path.join(__dirname, '..', '..', 'fixtures', 'data');
/** A small MNIST-like IDX file: 30 images of 4×4 pixels. */
const IDX = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 30, 0, 0, 0, 4, 0, 0, 0, 4, ...Array.from({ length: 30 * 16 }, (_, i) => (i * 37) % 256)]);
const SOURCES: { name: string; bytes: Uint8Array }[] = [
  ...['table-f8.npy', 'big-endian-f8.npy', 'images-u1.npy', 'images-f4-v3.npy', 'bool-2d.npy', 'table-f4-v2.npy'].map((f) => ({ name: `fuzz-${f}`, bytes: new Uint8Array(fs.readFileSync(path.join(DATA, f))) })),
  { name: 'fuzz-idx3-ubyte', bytes: IDX },
];


/** Header bytes (the first 140) are flipped as often as any other. */
const mutation = byteMutation(fc.integer({ min: 0, max: 255 }), 20, fc.oneof(fc.nat({ max: 140 }), fc.nat()));

describe('out of core: fuzz of the NumPy and IDX readers (fast-check)', function () {
  this.timeout(300000);
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-array-fuzz-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));
  const fitsOrRefuses = async (name: string, bytes: Uint8Array, groupRecords: number): Promise<void> => {
    await fitOrRefusal(temp, name, bytes, { model: 'auto' }, { groupRecords });
  };


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
