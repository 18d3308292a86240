// Out of core, the plot sample sent to the panel and the sample k-means++ starts from follow the memory budget: at the
// default budget (1024 MB) they are what they always were (maxPlotPoints rows; a quarter of the budget's rows, at most
// 200,000, for k-means++), and under a small budget they shrink to what it holds, never below their floors.
import * as assert from 'node:assert/strict';
import { plotSampleRows, startSampleRows } from '../../../src/engine/outOfCore';

const MB = 1024 * 1024;

describe('out of core: plot and k-means++ samples follow the memory budget', () => {
  it('at the default budget the plot sample is maxPlotPoints rows, for tables and 28 × 28 images', () => {
    for (const d of [1, 2, 10, 20, 784, 1600]) {
      assert.equal(plotSampleRows(5000, 1024 * MB, d), 5000, `d = ${d}`);
      assert.equal(plotSampleRows(100, 1024 * MB, d), 100, `d = ${d}`);
    }
  });

  it('under a small budget the plot sample holds an eighth of it (16 bytes a value), at least 500 rows', () => {
    // 16 MB ÷ 8 ÷ (16 × 10) = 13,107 rows.
    assert.equal(plotSampleRows(100_000, 16 * MB, 10), 13_107);
    assert.equal(plotSampleRows(5000, 16 * MB, 10), 5000);
    // 28 × 28 images at 16 MB: 167 rows by the budget, so the floor.
    assert.equal(plotSampleRows(5000, 16 * MB, 784), 500);
    assert.equal(plotSampleRows(100_000, 64 * MB, 784), 668);
  });

  it('k-means++ starts from a quarter of the budget in rows, at most 200,000 and at least K', () => {
    // The default budget: 200,000 rows for d = 10, K = 5 (8 × 18 bytes a row).
    assert.equal(startSampleRows(5, 1024 * MB, 8 * (10 + 5 + 3)), 200_000);
    assert.equal(startSampleRows(10, 1024 * MB, 8 * 784 + 8), 42_744);
    assert.equal(startSampleRows(3, 16 * MB, 8 * (10 + 3 + 3)), 32_768);
    assert.equal(startSampleRows(50, 1, 8), 50);
  });
});
