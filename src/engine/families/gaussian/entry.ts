// The Gaussian family's registry entry: tables of numbers (images too, when the settings ask for it), fitted as
// single.ts says (GaussianFamily with sklearn's formulas for covarianceType full, diag, spherical, tied, or
// MclustGaussianFamily for an mclust model name), or compared over K and covariance models (select/product.ts).

import type { ImageData, TableData } from '../../data/dataset';
import { DataError } from '../../errors';
import { selectGaussian } from '../../select/product';
import { defineFamily } from '../types';
import { fitGaussianTable } from './single';

export const gaussianFamily = defineFamily<TableData>({
  id: 'gaussian',
  label: 'Gaussian',
  inits: ['kmeans++', 'random', 'random-data', 'params'],
  // Asked last under model "auto": every table of numbers that no other family claimed.
  detect: (dataset) => (dataset.kind === 'table' ? { data: dataset, reason: 'the columns are continuous numbers' } : undefined),
  prepare: (dataset) => (dataset.kind === 'table' ? dataset : imagesAsTable(dataset)),
  fit: fitGaussianTable,
  select: selectGaussian,
});

/** Images fitted as a table of pixel intensities in [0, 1] (columns px0, px1, …). */
export function imagesAsTable(images: ImageData): TableData {
  const cells = images.n * images.d;
  if (cells > 50_000_000) {
    throw new DataError(
      `${images.summary.fileName}: a Gaussian mixture on ${images.n} images of ${images.d} pixels would need ${Math.round((cells * 8) / 1e6)} MB of doubles. ` +
        `Use model "bernoulli" (or "auto") for image data.`,
      images.summary.fileName,
    );
  }
  const values = new Float64Array(cells);
  for (let i = 0; i < cells; i++) values[i] = images.pixels[i] / images.scale;
  const columns = Array.from({ length: images.d }, (_, j) => `px${j}`);
  return { kind: 'table', n: images.n, d: images.d, values, columns, labels: images.labels, labelNames: images.labelNames, summary: { ...images.summary, d: images.d, columns } };
}
