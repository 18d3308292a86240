// Distances between binary rows for the shared initialisations: the Hamming distance (the squared Euclidean distance
// of 0/1 rows) that k-means++ seeds by, and the nearest seed of every row.

import { kmeansPlusPlus } from '../../em/init';
import type { Rng } from '../../em/rng';
import type { BinaryMatrix } from './binarize';


/** out[i] = Hamming distance from row i to a row: |x| + |c| − 2|x ∧ c|, the squared Euclidean distance of 0/1 rows. */
export function hammingDistancesTo(m: BinaryMatrix): (row: number, out: Float64Array) => void {
  const { n, d, rowPtr, colIdx } = m;
  const bitmap = new Uint8Array(d);
  return (row, out) => {
    bitmap.fill(0);
    const cSize = rowPtr[row + 1] - rowPtr[row];
    for (let p = rowPtr[row]; p < rowPtr[row + 1]; p++) bitmap[colIdx[p]] = 1;
    for (let i = 0; i < n; i++) {
      let common = 0;
      const p1 = rowPtr[i + 1];
      for (let p = rowPtr[i]; p < p1; p++) common += bitmap[colIdx[p]];
      out[i] = p1 - rowPtr[i] + cSize - 2 * common;
    }
  };
}

/** k-means++ seeding (the shared kmeansPlusPlus of em/init.ts) on binary rows by Hamming distance. Returns K rows. */
export function kmeansPlusPlusBinary(m: BinaryMatrix, k: number, rng: Rng): Int32Array {
  return kmeansPlusPlus(m.n, k, rng, hammingDistancesTo(m));
}

/** Index (0..k−1) of the nearest centre row (Hamming distance, first on ties) for every row. */
export function nearestCentre(m: BinaryMatrix, centreRows: Int32Array, k: number): Int32Array {
  const { n, d, rowPtr, colIdx } = m;
  // Pixel-major membership: member[j·K + c] = 1 when centre c has pixel j on.
  const member = new Uint8Array(d * k);
  const size = new Int32Array(k);
  for (let c = 0; c < k; c++) {
    const r = centreRows[c];
    size[c] = rowPtr[r + 1] - rowPtr[r];
    for (let p = rowPtr[r]; p < rowPtr[r + 1]; p++) member[colIdx[p] * k + c] = 1;
  }
  const common = new Int32Array(k);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    common.fill(0);
    const p1 = rowPtr[i + 1];
    for (let p = rowPtr[i]; p < p1; p++) {
      const w = colIdx[p] * k;
      for (let c = 0; c < k; c++) common[c] += member[w + c];
    }
    let best = 0;
    let bestDist = Infinity;
    for (let c = 0; c < k; c++) {
      const dist = size[c] - 2 * common[c];
      if (dist < bestDist) {
        bestDist = dist;
        best = c;
      }
    }
    labels[i] = best;
  }
  return labels;
}
