// Small data files for the emitted-script suites, made from the committed fixtures: case weights added as a column
// (whole, fractional and zero weights), iris with missing cells of every token in every pattern, and a .npy table
// with a weights column and NaN cells.

import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
export const fixture = (name: string) => path.join(root, 'test/fixtures', name);

/** Weights cycling through 1, 2, 0, 0.5, 3, 1.25: every kind a weights column holds, zero included. */
const WEIGHTS = ['1', '2', '0', '0.5', '3', '1.25'];

/** `name` (a comma-separated fixture) with a last column `freq` of case weights, written into `dir`. */
export function withWeights(dir: string, name: string): string {
  const [header, ...rows] = fs.readFileSync(fixture(name), 'utf8').trim().split('\n');
  const out = path.join(dir, `weighted-${path.basename(name)}`);
  fs.writeFileSync(out, [`${header},freq`, ...rows.map((r, i) => `${r},${WEIGHTS[i % WEIGHTS.length]}`)].join('\n') + '\n');
  return out;
}

/**
 * Iris with missing measurements (each missing-value token in turn: empty, NA, ?, NaN, null): 38 rows miss one of
 * their four cells, 4 two, 13 three (so the marginal densities cover every size of observed block) and one all four
 * (it is skipped: no observed cell).
 */
export function irisWithGaps(dir: string): string {
  const [header, ...rows] = fs.readFileSync(fixture('iris.csv'), 'utf8').trim().split('\n');
  const tokens = ['', 'NA', '?', 'NaN', 'null'];
  const out = rows.map((row, i) => {
    const cells = row.split(',');
    if (i % 5 === 1) cells[i % 4] = tokens[i % tokens.length];
    if (i % 7 === 3) cells[(i + 1) % 4] = tokens[(i + 2) % tokens.length];
    if (i % 11 === 6) [0, 2, 3].forEach((j) => (cells[j] = 'NA'));
    return cells.join(',');
  });
  const file = path.join(dir, 'iris-gaps.csv');
  fs.writeFileSync(file, [header, ...out].join('\n') + '\n');
  return file;
}

/**
 * A float64 .npy table of 120 rows: two clusters in x1, x3, x4 and case weights in x2, with NaN cells (one row with
 * no finite feature) and a row with an infinite value.
 */
export function weightedNpy(dir: string): string {
  const n = 120;
  const width = 4;
  const values = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    const centre = i < n / 2 ? 0 : 3;
    values[i * width] = centre + Math.sin(7 * i);
    values[i * width + 1] = i % 4;
    values[i * width + 2] = centre + Math.cos(3 * i);
    values[i * width + 3] = centre / 2 + Math.sin(i * i);
  }
  values[5 * width] = NaN;
  values[9 * width + 2] = NaN;
  values[9 * width + 3] = NaN;
  values[20 * width + 3] = Infinity;
  for (const j of [0, 2, 3]) values[30 * width + j] = NaN;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${n}, ${width}), }`;
  header = header.padEnd(118 - 1, ' ') + '\n'; // magic (6) + version (2) + length (2) + header = 128 bytes
  const prefix = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, header.length, 0]), Buffer.from(header, 'latin1')]);
  const file = path.join(dir, 'weighted.npy');
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(values.buffer)]));
  return file;
}
