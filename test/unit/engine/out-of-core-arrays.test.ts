// NumPy .npy and IDX (MNIST) files out of core: read a block of records at a time into the column store, fitted as in
// memory (trace to 1e-9 relative): tables (with NaN rows skipped and case weights), byte and float images, a 2-D
// float array of pixel values, IDX images; the header errors are the in-memory reader's. The files are written here
// by a plain writer of each format's documented layout, and the committed fixtures are read too.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../../src/engine/em/rng';
import { DataError } from '../../../src/engine/errors';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import type { DatasetSummary, FitOptions } from '../../../src/shared/protocol';
import { assertSameFit, inMemoryFit } from './same-fit';

const DATA = path.join(__dirname, '..', '..', 'fixtures', 'data');

/** A version 1.0 .npy file: magic, version, header length, the header dict padded to 64 bytes, then the data. */
function npy(descr: string, shape: number[], data: Uint8Array): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]);
}

/** An IDX images file: 00 00 08 03, then n, height, width big-endian, then the pixels. */
function idx(n: number, height: number, width: number, pixels: Uint8Array): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);
  header.writeUInt32BE(n, 4);
  header.writeUInt32BE(height, 8);
  header.writeUInt32BE(width, 12);
  return Buffer.concat([header, pixels]);
}

describe('out of core: NumPy and IDX read a block of records at a time, fitted as in memory', function () {
  this.timeout(60000);
  let temp: string;
  const files: Record<string, string> = {};
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-arrays-'));
    const rng = new Rng(11);
    const n = 300;
    const klass = Array.from({ length: n }, () => (rng.next() < 0.4 ? 0 : 1));
    // A table: two Gaussian columns, a count column, a weight; NaN and Inf rows.
    const table = new Float64Array(n * 4);
    klass.forEach((c, i) => {
      table.set([(c ? 2 : -2) + rng.normal(), (c ? -1 : 1) + 0.5 * rng.normal(), Math.floor(rng.next() * (c ? 9 : 3)), 0.5 + Math.floor(rng.next() * 4) / 2], i * 4);
    });
    table[17 * 4] = NaN;
    table[90 * 4 + 1] = Infinity;
    const write = (name: string, bytes: Buffer) => fs.writeFileSync((files[name] = path.join(temp, name)), bytes);
    write('table.npy', npy('<f8', [n, 4], new Uint8Array(table.buffer)));
    const big = Buffer.alloc(n * 4 * 8);
    for (let i = 0; i < n * 4; i++) big.writeDoubleBE(table[i], 8 * i);
    const counts = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) counts.set([table[i * 4 + 2], Math.floor(rng.next() * (klass[i] ? 2 : 7)), table[i * 4 + 3]], i * 3);
    write('counts.npy', npy('<f8', [n, 3], new Uint8Array(counts.buffer)));
    write('table-be.npy', npy('>f8', [n, 4], big));
    // Images: 8×8 pixels brighter in one half for class 1.
    const pixels = new Uint8Array(n * 64);
    klass.forEach((c, i) => {
      for (let j = 0; j < 64; j++) pixels[i * 64 + j] = Math.max(0, Math.min(255, Math.round((c === (j < 32 ? 1 : 0) ? 190 : 40) + 40 * rng.normal())));
    });
    write('images.npy', npy('|u1', [n, 8, 8], pixels));
    write('rows-u1.npy', npy('|u1', [n, 64], pixels));
    write('pixels-f4.npy', npy('<f4', [n, 64], new Uint8Array(Float32Array.from(pixels).buffer)));
    write('bits.npy', npy('|b1', [n, 64], pixels.map((p) => (p > 128 ? 1 : 0))));
    write('train-images-idx3-ubyte', idx(n, 8, 8, pixels));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  async function both(file: string, options: Partial<FitOptions>) {
    const expected = await inMemoryFit(file, options);
    let summary: DatasetSummary | undefined;
    let storeDir = '';
    const actual = (await fitOutOfCore(file, options, 1, { onLoaded: (info) => (summary = info.summary) }, { chunkRows: 47, groupRecords: 41, tempParent: temp, onStore: (dir) => (storeDir = dir) })).result;
    assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    return { actual, expected, summary: summary! };
  }

  const fits: { file: string; options: Partial<FitOptions>; model: string }[] = [
    { file: 'table.npy', options: { model: 'gaussian', k: 2, seed: 1, covarianceType: 'full' }, model: 'gaussian' },
    { file: 'table-be.npy', options: { model: 'gaussian', k: 3, seed: 2, covarianceType: 'diag' }, model: 'gaussian' },
    { file: 'counts.npy', options: { model: 'poisson', k: 2, seed: 3, weightsColumn: 'x3' }, model: 'poisson' },
    { file: 'images.npy', options: { model: 'auto', k: 2, seed: 4 }, model: 'bernoulli' },
    { file: 'rows-u1.npy', options: { model: 'bernoulli', k: 3, seed: 5, init: 'random' }, model: 'bernoulli' },
    { file: 'pixels-f4.npy', options: { model: 'auto', k: 2, seed: 6 }, model: 'bernoulli' },
    { file: 'bits.npy', options: { model: 'auto', k: 2, seed: 7 }, model: 'bernoulli' },
    { file: 'train-images-idx3-ubyte', options: { model: 'auto', k: 2, seed: 8 }, model: 'bernoulli' },
  ];
  for (const { file, options, model } of fits) {
    it(`${file}: ${options.model} K = ${options.k}${options.weightsColumn ? ', case weights' : ''}`, async () => {
      const { actual, expected, summary } = await both(files[file], options);
      assert.equal(expected.model, model);
      assertSameFit(actual, expected);
      assert.ok(summary.notes.some((n) => /^fitted out of core: (298|299|300) records streamed block by block/.test(n)), summary.notes.join(' | '));
    });
  }

  it('the rows skipped and the notes are the in-memory ones', async () => {
    const { summary } = await both(files['table.npy'], { model: 'gaussian', k: 2, seed: 1, missing: 'skip' });
    assert.deepEqual([summary.skippedRows, summary.skippedLines, summary.columns], [2, [18, 91], ['x1', 'x2', 'x3', 'x4']]);
    assert.ok(summary.notes.includes('NumPy array float64, shape (300, 4)'));
    assert.ok(summary.notes.includes('2 rows skipped: NaN or infinite values at rows 18, 91'), summary.notes.join(' | '));
    // By default the NaN cell of row 18 is integrated out, as in memory; row 91's infinite value still skips it.
    const marginalised = (await both(files['table.npy'], { model: 'gaussian', k: 2, seed: 1 })).summary;
    assert.deepEqual([marginalised.skippedRows, marginalised.skippedLines], [1, [91]]);
    assert.ok(marginalised.notes.includes('1 row skipped: infinite values or no finite value at rows 91'), marginalised.notes.join(' | '));
    assert.ok(marginalised.notes.includes('missing cells (NaN): 1 in x1'), marginalised.notes.join(' | '));
  });

  it('the committed .npy fixtures fit as in memory', async () => {
    for (const [name, options] of [
      ['table-f8.npy', { model: 'gaussian', k: 2, seed: 1 }],
      ['big-endian-f8.npy', { model: 'gaussian', k: 2, seed: 1 }],
      ['table-f4-v2.npy', { model: 'gaussian', k: 2, seed: 1 }],
      ['images-u1.npy', { model: 'auto', k: 2, seed: 1 }],
      ['images-f4-v3.npy', { model: 'auto', k: 2, seed: 1 }],
    ] as [string, Partial<FitOptions>][]) {
      const expected = await inMemoryFit(path.join(DATA, name), options);
      const actual = (await fitOutOfCore(path.join(DATA, name), options, 1, {}, { tempParent: temp, groupRecords: 2 })).result;
      assertSameFit(actual, expected);
    }
  });

  it('damaged headers and sizes: the in-memory messages; images under a Gaussian model say what to set', async () => {
    const bytes = fs.readFileSync(files['table.npy']);
    const cases: [string, Buffer][] = [
      ['cut.npy', bytes.subarray(0, bytes.length - 5)],
      ['long.npy', Buffer.concat([bytes, Buffer.alloc(3)])],
      ['magic.npy', Buffer.concat([Buffer.from('XX'), bytes.subarray(2)])],
      ['fortran.npy', fs.readFileSync(path.join(DATA, 'fortran.npy'))],
      ['cut-idx3-ubyte', fs.readFileSync(files['train-images-idx3-ubyte']).subarray(0, 1000)],
    ];
    for (const [name, content] of cases) {
      const file = path.join(temp, name);
      fs.writeFileSync(file, content);
      const inMemory = await inMemoryFit(file, { model: 'auto', k: 2 }).then(
        () => 'no error',
        (e: Error) => e.message,
      );
      await assert.rejects(() => fitOutOfCore(file, { model: 'auto', k: 2 }, 1, {}, { tempParent: temp }), (e: unknown) => e instanceof DataError && e.message === inMemory, name);
    }
    await assert.rejects(
      () => fitOutOfCore(files['images.npy'], { model: 'gaussian', k: 2 }, 1, {}, { tempParent: temp }),
      (e: unknown) => e instanceof DataError && /^images\.npy: its 300 images are fitted out of core by the Bernoulli family only\. Set model to "bernoulli" or "auto"/.test((e as Error).message),
    );
  });
});
