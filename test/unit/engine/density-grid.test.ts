// The density view's grid and contour lines (src/engine/families/gaussian/densityGrid.ts) against numpy and contourpy
// (test/reference/make_numpy_density_grid_reference.py → numpy_density_grid.json): the iris VVV K = 3 mixture on
// two columns and projected on its MclustDR directions.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contourSegments, highestDensityLevels, mixtureDensityGrid, type Cov2 } from '../../../src/engine/families/gaussian/densityGrid';

interface GridCase {
  name: string;
  means2: [number, number][];
  covariances2: Cov2[];
  xDomain: [number, number];
  yDomain: [number, number];
  nx: number;
  ny: number;
  values: number[];
  fractions: number[];
  levels: number[];
  contourLengths: number[];
}
const ref = JSON.parse(readFileSync(join(__dirname, '..', '..', 'reference', 'numpy_density_grid.json'), 'utf8')) as { weights: number[]; cases: GridCase[] };

function length(segments: number[]): number {
  let total = 0;
  for (let s = 0; s < segments.length; s += 4) total += Math.hypot(segments[s + 2] - segments[s], segments[s + 3] - segments[s + 1]);
  return total;
}

describe('mixture density grid and contours against numpy and contourpy', () => {
  for (const c of ref.cases) {
    it(`${c.name}: grid values, highest-density levels and contour lengths`, () => {
      const grid = mixtureDensityGrid(ref.weights, c.means2, c.covariances2, c.xDomain, c.yDomain, c.nx, c.ny);
      assert.equal(grid.values.length, c.nx * c.ny);
      const peak = Math.max(...c.values);
      grid.values.forEach((v, i) => assert.ok(Math.abs(v - c.values[i]) <= 1e-12 * peak + 1e-12 * Math.abs(c.values[i]), `value ${i}: ${v} vs ${c.values[i]}`));
      const levels = highestDensityLevels(grid, c.fractions);
      levels.forEach((l, i) => assert.ok(Math.abs(l - c.levels[i]) <= 1e-12 * peak, `level ${c.fractions[i]}: ${l} vs ${c.levels[i]}`));
      c.levels.forEach((level, i) => {
        const segments = contourSegments(grid, level);
        assert.ok(segments.length > 0);
        const got = length(segments);
        assert.ok(Math.abs(got - c.contourLengths[i]) <= 1e-9 * c.contourLengths[i], `length at ${c.fractions[i]}: ${got} vs ${c.contourLengths[i]}`);
      });
    });
  }

  it('every segment end lies on a grid edge where the interpolated density is the level', () => {
    const c = ref.cases[0];
    const grid = mixtureDensityGrid(ref.weights, c.means2, c.covariances2, c.xDomain, c.yDomain, c.nx, c.ny);
    const level = c.levels[2];
    const segments = contourSegments(grid, level);
    const step = (grid.xs[1] - grid.xs[0]) * 1e-9;
    for (let s = 0; s < segments.length; s += 2) {
      const [x, y] = [segments[s], segments[s + 1]];
      const ix = grid.xs.findIndex((g) => Math.abs(g - x) <= step);
      const iy = grid.ys.findIndex((g) => Math.abs(g - y) <= step);
      assert.ok(ix >= 0 || iy >= 0, `(${x}, ${y}) is on no grid line`);
      let value: number;
      if (ix >= 0) {
        const j = grid.ys.findIndex((g, t) => t + 1 < grid.ys.length && g <= y && y <= grid.ys[t + 1]);
        const t = (y - grid.ys[j]) / (grid.ys[j + 1] - grid.ys[j]);
        value = (1 - t) * grid.values[j * c.nx + ix] + t * grid.values[(j + 1) * c.nx + ix];
      } else {
        const j = grid.xs.findIndex((g, t) => t + 1 < grid.xs.length && g <= x && x <= grid.xs[t + 1]);
        const t = (x - grid.xs[j]) / (grid.xs[j + 1] - grid.xs[j]);
        value = (1 - t) * grid.values[iy * c.nx + j] + t * grid.values[iy * c.nx + j + 1];
      }
      assert.ok(Math.abs(value - level) <= 1e-9 * level, `density at (${x}, ${y}): ${value} vs ${level}`);
    }
  });

  it('a component whose covariance is not positive definite adds nothing', () => {
    const c = ref.cases[0];
    const broken: Cov2[] = [...c.covariances2.slice(0, 2), [1, 2, 1]];
    const grid = mixtureDensityGrid(ref.weights, c.means2, broken, c.xDomain, c.yDomain, 20, 20);
    const two = mixtureDensityGrid(ref.weights.slice(0, 2), c.means2.slice(0, 2), c.covariances2.slice(0, 2), c.xDomain, c.yDomain, 20, 20);
    assert.deepEqual(Array.from(grid.values), Array.from(two.values));
    assert.ok(grid.values.every(Number.isFinite));
  });
});
