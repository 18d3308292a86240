// How the extension host fits a file: in memory when it fits in mixscope.memoryBudgetMB once read (its size times its
// format's factor), out of core for local delimited text, Parquet, Arrow, JSON and JSON Lines over it, refused (with why
// and what to do) for other formats and for remote or virtual workspaces over it.
import * as assert from 'node:assert/strict';
import { planHostFit } from '../../../src/host/fitPlan';
import { FORCE_OUT_OF_CORE_ENV, IN_MEMORY_FACTORS, STREAMED_FORMATS } from '../../../src/engine/outOfCorePolicy';

const MB = 1024 * 1024;
const limits = { maxFileSizeMB: 1048576, memoryBudgetMB: 100 };
const local = { scheme: 'file' };

describe('host fit plan: memory budget, out of core, remote and virtual workspaces', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env[FORCE_OUT_OF_CORE_ENV];
    delete process.env[FORCE_OUT_OF_CORE_ENV];
  });
  afterEach(() => {
    if (saved === undefined) delete process.env[FORCE_OUT_OF_CORE_ENV];
    else process.env[FORCE_OUT_OF_CORE_ENV] = saved;
  });

  it('reads any file that fits in the budget once read into memory, local or not', () => {
    for (const scheme of ['file', 'vscode-remote', 'memfs']) {
      // 100 MB ÷ 6 for text and Parquet.
      assert.deepEqual(planHostFit({ scheme }, 'a.csv', 16 * MB, limits), { kind: 'inMemory' }, scheme);
      assert.deepEqual(planHostFit({ scheme }, 'a.parquet', 16 * MB, limits), { kind: 'inMemory' }, scheme);
      assert.deepEqual(planHostFit({ scheme }, 'a.csv.gz', 100 * MB, limits), { kind: 'inMemory' }, scheme);
    }
  });

  it("counts a file as read into memory: its size times its format's factor, at the edge of the budget", () => {
    const factors: [string, number][] = [
      ['a.csv', 6], ['a.tsv', 6], ['a.parquet', 6], ['a.arrow', 5], ['a.feather', 5], ['a.json', 8], ['a.ndjson', 6], ['a.npy', 4], ['train-images-idx3-ubyte', 2],
    ];
    for (const [name, factor] of factors) {
      const edge = Math.floor((100 * MB) / factor);
      assert.deepEqual(planHostFit(local, name, edge, limits), { kind: 'inMemory' }, name);
      assert.deepEqual(planHostFit(local, name, edge + 1, limits), { kind: 'outOfCore' }, name);
    }
    assert.equal(IN_MEMORY_FACTORS.xlsx, 14);
    assert.deepEqual(planHostFit(local, 'a.xlsx', Math.floor((100 * MB) / 14), limits), { kind: 'inMemory' });
    assert.deepEqual(planHostFit(local, 'a.xlsx', Math.floor((100 * MB) / 14) + 1, limits), { kind: 'outOfCore' });
  });

  it('fits local delimited text, Parquet, Arrow / Feather and Excel over the budget out of core', () => {
    for (const name of ['big.csv', 'big.TSV', 'big.txt', 'big.dat', 'big.data', 'big.parquet', 'big.arrow', 'big.arrows', 'big.Feather', 'big.xlsx', 'big.XLSX']) {
      assert.deepEqual(planHostFit(local, name, 100 * MB + 1, limits), { kind: 'outOfCore' }, name);
      assert.deepEqual(planHostFit(local, name, 25 * MB, limits), { kind: 'outOfCore' }, name);
    }
  });

  it('refuses other formats over the budget, naming the file, its size, the setting and what to do', () => {
    // Compressed files are not streamed.
    const gz = planHostFit(local, 'big.csv.gz', 150 * MB, limits);
    assert.equal(gz.kind, 'refused');
    assert.equal((gz as { message: string }).message, `big.csv.gz is 150.0 MB, over the memory budget of 100 MB (mixscope.memoryBudgetMB, which counts a file as read into memory), and only ${STREAMED_FORMATS} can be fitted out of core. Save it as CSV or Parquet to fit it out of core, fit a smaller sample of it, or raise mixscope.memoryBudgetMB if this machine has the memory.`);
    for (const part of ['uncompressed delimited text (.csv, .tsv, .txt, .dat, .data)', 'Parquet (.parquet)', 'Arrow IPC / Feather (.arrow, .arrows, .feather)', 'JSON (.json)', 'JSON Lines (.ndjson, .jsonl)', 'NumPy (.npy)', 'IDX images (*-idx3-ubyte)']) {
      assert.ok(STREAMED_FORMATS.includes(part), part);
    }
    for (const name of ['big.json', 'big.ndjson', 'big.jsonl', 'big.npy', 'train-images-idx3-ubyte']) assert.deepEqual(planHostFit(local, name, 150 * MB, limits), { kind: 'outOfCore' }, name);
  });

  it('refuses delimited text over the budget in a remote or virtual workspace: copy it locally or raise the budget', () => {
    const remote = planHostFit({ scheme: 'vscode-remote' }, 'big.csv', 2048 * MB, limits);
    assert.deepEqual(remote, {
      kind: 'refused',
      message:
        "big.csv is 2.0 GB (about 12.0 GB once read into memory), over the memory budget of 100 MB (mixscope.memoryBudgetMB, which counts a file as read into memory), so it would be fitted out of core, which streams the file from this machine's disk, but it is in a remote workspace (vscode-remote:), and the extension runs on this machine. " +
        'Copy it into a local folder and fit it there, or raise mixscope.memoryBudgetMB if this machine has the memory to read it whole.',
    });
    const virtual = planHostFit({ scheme: 'memfs' }, 'big.csv', 101 * MB, limits);
    assert.equal(virtual.kind, 'refused');
    // Parquet and Arrow are streamed from this machine's disk too.
    assert.match((planHostFit({ scheme: 'vscode-remote' }, 'big.parquet', 101 * MB, limits) as { message: string }).message, /so it would be fitted out of core, which streams the file from this machine's disk, but it is in a remote workspace/);
    assert.match((virtual as { message: string }).message, /it is in a virtual workspace \(memfs:\), not on this machine's disk\. Copy it into a local folder/);
  });

  it(`${FORCE_OUT_OF_CORE_ENV}=always sends local text, Parquet, Arrow, JSON, NumPy, IDX and Excel out of core whatever their size, and leaves other formats in memory`, () => {
    process.env[FORCE_OUT_OF_CORE_ENV] = 'always';
    assert.deepEqual(planHostFit(local, 'small.csv', 10, limits), { kind: 'outOfCore' });
    assert.deepEqual(planHostFit(local, 'small.parquet', 10, limits), { kind: 'outOfCore' });
    assert.deepEqual(planHostFit(local, 'small.feather', 10, limits), { kind: 'outOfCore' });
    assert.deepEqual(planHostFit(local, 'small.xlsx', 10, limits), { kind: 'outOfCore' });
    assert.deepEqual(planHostFit(local, 'small.npy', 10, limits), { kind: 'outOfCore' });
    assert.deepEqual(planHostFit(local, 'train-images-idx3-ubyte', 10, limits), { kind: 'outOfCore' });
    assert.deepEqual(planHostFit(local, 'small.csv.gz', 10, limits), { kind: 'inMemory' });
    assert.equal(planHostFit({ scheme: 'memfs' }, 'small.csv', 10, limits).kind, 'refused');
  });
});
