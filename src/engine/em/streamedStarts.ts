// What the streamed EM of every family shares for its starts (files larger than memory, em/streaming.ts's RowSource):
// random-data's distinct rows drawn as init.ts draws them (the case weights' total and weighted responsibilities are
// streamedEm.ts's).

import type { Rng } from './rng';

/**
 * init.ts's distinctRows (the same draws from the generator, the same rows) without an n-row permutation: the
 * partial Fisher–Yates keeps only the positions it has moved, and rows are compared by reading them back.
 */
export function distinctRowsByIndex(n: number, k: number, d: number, rng: Rng, readRows: (indices: Int32Array, out: Float64Array) => void): Int32Array {
  const moved = new Map<number, number>();
  const at = (i: number) => moved.get(i) ?? i;
  const chosen = new Int32Array(k);
  const chosenValues = new Float64Array(k * d);
  const one = new Int32Array(1);
  const row = new Float64Array(d);
  let count = 0;
  const duplicates: number[] = [];
  for (let t = 0; t < n && count < k; t++) {
    const s = t + rng.int(n - t);
    const pick = at(s);
    moved.set(s, at(t));
    moved.set(t, pick);
    one[0] = pick;
    readRows(one, row);
    let repeated = false;
    for (let q = 0; q < count && !repeated; q++) {
      repeated = true;
      for (let j = 0; j < d && repeated; j++) repeated = chosenValues[q * d + j] === row[j];
    }
    if (repeated) duplicates.push(pick);
    else {
      chosenValues.set(row, count * d);
      chosen[count++] = pick;
    }
  }
  for (let q = 0; count < k; q++) chosen[count++] = duplicates[q];
  return chosen;
}
