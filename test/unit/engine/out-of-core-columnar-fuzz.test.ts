// Fuzz of the out-of-core Parquet and Arrow readers, as the in-memory readers are fuzzed (data/fuzz-typed.test.ts):
// mutated multi-group files streamed into the column store give a fit, the project's DataError naming the file, or
// EM's own FitError on values damaged into a degenerate table — never another exception, never a hang — and the temporary store is removed either way. fast-check's seed is fixed
// in `npm test` (test/setup.ts); MIXSCOPE_FUZZ_RUNS raises the runs.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { writeColumnarTables } from './columnar-fixtures';
import { byteMutation, fitsOrRefuses, fuzzRuns, mutate } from './out-of-core-fuzz';

const RUNS = fuzzRuns(60);
const DATA = path.join(__dirname, '..', '..', 'fixtures', 'data');
const SOURCES = ['parquet/faithful-groups.snappy.parquet', 'parquet/faithful-groups.zstd.parquet', 'parquet/faithful-groups.gzip.parquet', 'arrow/faithful-batches.arrow', 'arrow/faithful-batches.arrows'];

const mutation = byteMutation();

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
        await fitsOrRefuses(temp, source.name, mutate(source.bytes, mutations), { model: 'gaussian' });
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated tables of categories and counts fitted by model "auto" (category codes, case weights): a fit, a DataError or a FitError', async () => {
    const tables = writeColumnarTables(temp, 3);
    const sources = [tables.categories.arrow, tables.mixed.arrows, tables.counts.arrow].map((f) => ({ name: `fuzz-families${path.extname(f)}`, bytes: new Uint8Array(fs.readFileSync(f)), weights: f === tables.counts.arrow }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (source, mutations) => {
        const options = source.weights ? { model: 'poisson' as const, weightsColumn: 'w' } : { model: 'auto' as const };
        await fitsOrRefuses(temp, source.name, mutate(source.bytes, mutations), options);
      }),
      { numRuns: RUNS },
    );
  });
});
