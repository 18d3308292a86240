import * as assert from 'node:assert/strict';
import { binarize, binarizePixels, binaryFromRows, denseRow } from '../../../src/engine/families/bernoulli/binarize';
import type { TableData } from '../../../src/engine/data/dataset';
import { DataError } from '../../../src/engine/errors';
import { Rng } from '../../../src/engine/em/rng';
import { readMnist } from './bernoulli-mnist';

const summary = { fileName: 'pixels.csv', n: 0, d: 0, columns: [], droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [] };

describe('binarisation to a sparse 0/1 matrix', () => {
  it('bytes: v / 255 > 0.5 as numpy, so 127 is off and 128 on', () => {
    const m = binarizePixels(Uint8Array.from([0, 127, 128, 255, 64, 200]), 2, 3, 255, 0.5);
    assert.deepEqual(denseRow(m, 0), [0, 0, 1]);
    assert.deepEqual(denseRow(m, 1), [1, 0, 1]);
    assert.equal(m.nnz, 3);
    assert.deepEqual(Array.from(m.rowPtr), [0, 1, 3]);
    // Threshold 0: every non-zero pixel is on; a threshold of 1 or more turns everything off.
    assert.equal(binarizePixels(Uint8Array.from([0, 1, 2]), 1, 3, 255, 0).nnz, 2);
    assert.equal(binarizePixels(Uint8Array.from([255, 255]), 1, 2, 255, 1).nnz, 0);
  });

  it('CSR rows equal the dense thresholded rows for random bytes and floats', () => {
    const rng = new Rng(8);
    const n = 57;
    const d = 33;
    const bytes = Uint8Array.from({ length: n * d }, () => (rng.next() < 0.7 ? 0 : rng.int(256)));
    const floats = Float32Array.from(bytes, (v) => v / 255);
    for (const threshold of [0, 0.25, 0.5, 0.9]) {
      const a = binarizePixels(bytes, n, d, 255, threshold);
      const b = binarizePixels(floats, n, d, 1, threshold);
      for (let i = 0; i < n; i++) {
        const expected = Array.from(bytes.subarray(i * d, (i + 1) * d), (v) => (v / 255 > threshold ? 1 : 0));
        assert.deepEqual(denseRow(a, i), expected, `bytes row ${i} @ ${threshold}`);
        assert.deepEqual(denseRow(b, i), expected, `floats row ${i} @ ${threshold}`);
        for (let p = a.rowPtr[i] + 1; p < a.rowPtr[i + 1]; p++) assert.ok(a.colIdx[p] > a.colIdx[p - 1], 'increasing columns');
      }
    }
  });

  it('MNIST train: 60,000 × 784 in ~12 MB of Uint16 column indices on shared memory, ~13% of pixels on', () => {
    const m = binarize(readMnist('train'), 0.5);
    assert.equal(m.n, 60000);
    assert.equal(m.d, 784);
    assert.ok(m.colIdx instanceof Uint16Array);
    assert.ok(m.colIdx.buffer instanceof SharedArrayBuffer && m.rowPtr.buffer instanceof SharedArrayBuffer);
    assert.equal(m.colIdx.byteLength, m.nnz * 2);
    const fraction = m.nnz / (m.n * m.d);
    assert.ok(fraction > 0.12 && fraction < 0.14, `on fraction ${fraction}`);
    assert.ok(m.colIdx.byteLength + m.rowPtr.byteLength < 13e6);
  });

  it('tables: 0..1 values at scale 1, 0..255 values at scale 255, anything else is a clear error', () => {
    const table = (values: number[], d: number): TableData => ({
      kind: 'table',
      n: values.length / d,
      d,
      values: Float64Array.from(values),
      columns: Array.from({ length: d }, (_, j) => `px${j}`),
      sourceLines: Uint32Array.from({ length: values.length / d }, (_, i) => i + 2),
      summary,
    });
    assert.deepEqual(denseRow(binarize(table([0, 0.6, 1, 0.4], 2), 0.5), 0), [0, 1]);
    assert.deepEqual(denseRow(binarize(table([0, 200, 127, 128], 2), 0.5), 1), [0, 1]);
    assert.throws(
      () => binarize(table([0, 1, 300, 0], 2)),
      (e: Error) => e instanceof DataError && /px0/.test(e.message) && /300/.test(e.message) && /line 3/.test(e.message),
    );
    assert.throws(() => binarize(table([0, -1], 2)), DataError);
  });

  it('binaryFromRows checks the row lengths', () => {
    assert.throws(() => binaryFromRows([[1, 0], [1]]), /row 2 has 1 values, expected 2/);
  });
});
