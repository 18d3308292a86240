// Tables that are images: asImages() and CSV rows of pixels with a label column (built from real MNIST digits).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { asImages, loadDataset } from '../../../src/engine/data/load';
import type { ImageData, TableData } from '../../../src/engine/data/dataset';
import { emptySummary } from '../../../src/engine/data/common';
import { MNIST_DIR, utf8 } from '../../fixtures/data/helpers';

function tableOf(rows: number[][]): TableData {
  const n = rows.length;
  const d = rows[0].length;
  const columns = Array.from({ length: d }, (_, j) => `x${j + 1}`);
  return { kind: 'table', n, d, values: Float64Array.from(rows.flat()), columns, summary: { ...emptySummary('t.csv'), n, d, columns } };
}

const mnist = fs.readFileSync(path.join(MNIST_DIR, 't10k-images-idx3-ubyte'));
const mnistLabels = fs.readFileSync(path.join(MNIST_DIR, 't10k-labels-idx1-ubyte'));
function digit(i: number): number[] {
  return Array.from(mnist.subarray(16 + i * 784, 16 + (i + 1) * 784));
}

describe('data: asImages', () => {
  it('integers 0..255 with a square D: bytes, shape, scale 255', () => {
    const t = tableOf([digit(0), digit(1)]);
    const im = asImages(t) as ImageData;
    assert.ok(im);
    assert.ok(im.pixels instanceof Uint8Array);
    assert.deepEqual([im.n, im.d, im.height, im.width, im.scale], [2, 784, 28, 28, 255]);
    assert.deepEqual(Array.from(im.pixels), [...digit(0), ...digit(1)]);
    assert.deepEqual(im.summary.imageShape, [28, 28]);
  });

  it('values in [0, 1]: Float32 pixels, scale 1; 0/1 values: bytes, scale 1', () => {
    const unit = asImages(tableOf([Array.from({ length: 16 }, (_, i) => i / 15)])) as ImageData;
    assert.ok(unit.pixels instanceof Float32Array);
    assert.equal(unit.scale, 1);
    const binary = asImages(tableOf([Array.from({ length: 16 }, (_, i) => i % 2)])) as ImageData;
    assert.ok(binary.pixels instanceof Uint8Array);
    assert.equal(binary.scale, 1);
  });

  it('shape: the given width when it divides D, else a square, else no images', () => {
    const row = Array.from({ length: 24 }, (_, i) => i);
    assert.equal(asImages(tableOf([row])), undefined, '24 is not a square');
    const im = asImages(tableOf([row]), 6) as ImageData;
    assert.deepEqual([im.height, im.width], [4, 6]);
    const sq = asImages(tableOf([Array.from({ length: 36 }, (_, i) => i)]), 7) as ImageData;
    assert.deepEqual([sq.height, sq.width], [6, 6], 'a width that does not divide D falls back to the square');
  });

  it('not images: too few columns, values out of range, fractions above 1, negative', () => {
    assert.equal(asImages(tableOf([[1, 2, 3, 4]])), undefined);
    assert.equal(asImages(tableOf([Array.from({ length: 16 }, (_, i) => i * 20)])), undefined, '300 > 255');
    assert.equal(asImages(tableOf([Array.from({ length: 16 }, (_, i) => i + 0.5)])), undefined, 'fractions above 1');
    assert.equal(asImages(tableOf([Array.from({ length: 16 }, (_, i) => -i)])), undefined, 'negative');
  });
});

describe('data: CSV rows of pixels', () => {
  it('an MNIST-style CSV with a label column loads as compact images with labels', () => {
    const count = 40;
    const header = ['label', ...Array.from({ length: 784 }, (_, j) => `pixel${j}`)].join(',');
    const rows = Array.from({ length: count }, (_, i) => [mnistLabels[8 + i], ...digit(i)].join(','));
    const d = loadDataset('mnist_test.csv', utf8([header, ...rows].join('\n') + '\n'));
    assert.equal(d.kind, 'images');
    const im = d as ImageData;
    assert.ok(im.pixels instanceof Uint8Array, 'one byte per pixel, never a double');
    assert.deepEqual([im.n, im.d, im.height, im.width, im.scale], [count, 784, 28, 28, 255]);
    assert.deepEqual(Array.from(im.pixels), Array.from(mnist.subarray(16, 16 + count * 784)));
    assert.deepEqual(Array.from(im.labels ?? []), Array.from(mnistLabels.subarray(8, 8 + count)));
    assert.equal(im.summary.hasLabels, true);
  });

  it('8 × 8 pixel rows without a header', () => {
    const rows = Array.from({ length: 5 }, (_, i) => Array.from({ length: 64 }, (_, j) => (i * 64 + j) % 17).join(','));
    const im = loadDataset('digits.csv', utf8(rows.join('\n'))) as ImageData;
    assert.equal(im.kind, 'images');
    assert.deepEqual([im.n, im.height, im.width], [5, 8, 8]);
  });

  it('pixel rows with a non-square D take the image width setting', () => {
    const rows = Array.from({ length: 3 }, (_, i) => Array.from({ length: 98 }, (_, j) => (i * 7 + j) % 256).join(','));
    const im = loadDataset('p.csv', utf8(rows.join('\n')), { imageWidth: 14 }) as ImageData;
    assert.equal(im.kind, 'images');
    assert.deepEqual([im.height, im.width], [7, 14]);
    const table = loadDataset('p.csv', utf8(rows.join('\n')));
    assert.equal(table.kind, 'table', 'without a width, 98 columns stay a table');
  });

  it('a row with a missing pixel is skipped and counted', () => {
    const rows = Array.from({ length: 4 }, (_, i) => Array.from({ length: 64 }, (_, j) => (i === 2 && j === 5 ? '' : String(j))).join(','));
    const im = loadDataset('p.csv', utf8(rows.join('\n')));
    assert.equal(im.n, 3);
    assert.deepEqual(im.summary.skippedLines, [3]);
  });
});
