// The scatter's projection for d > 2 (webview/projection.ts): points (x − m)·a, means P(μ − m) and each component's
// covariance P Σ Pᵀ, checked against hand-computed values for a known Σ, and the drawn ellipse against the shadow of
// the d-dimensional one; the axis titles and the picker codes.
import { strict as assert } from 'node:assert';
import type { PlotSample } from '../../../src/shared/protocol';
import { CONTOUR_RADII, scatterData } from '../../../webview/specs';
import { axisLabel, axisName, projectComponent, projectPoints, resolveAxes, type PlotAxis } from '../../../webview/projection';

const SQRT2 = Math.SQRT2;
// P's rows: a = (1, 1, 0)/√2 and b = (0, 0, 1); m the centre of the principal axes.
const SAMPLE: PlotSample = {
  indices: [0, 1],
  values: [1, 2, 3, -1, 0.5, 4],
  d: 3,
  projection: { mean: [0.5, 0.5, 0.5], axes: [[1 / SQRT2, 1 / SQRT2, 0], [0, 0, 1]], explained: [0.728, 0.2285] },
};
const SIGMA = [
  [4, 1, 0.5],
  [1, 3, 0.2],
  [0.5, 0.2, 2],
];
const MU = [1, 2, 3];
const PC1: PlotAxis = { kind: 'pc', index: 0 };
const PC2: PlotAxis = { kind: 'pc', index: 1 };

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('webview projection (PC1 × PC2 for d > 2)', () => {
  it('a component projects to P(μ − m) and P Σ Pᵀ', () => {
    const { mean, cov } = projectComponent(MU, SIGMA, PC1, PC2, SAMPLE);
    // aΣa = (4 + 1 + 1 + 3)/2, aΣb = (0.5 + 0.2)/√2, bΣb = 2; P(μ − m) = (0.5 + 1.5)/√2, 2.5.
    close(cov[0], 4.5);
    close(cov[1], 0.7 / SQRT2);
    close(cov[2], 2);
    close(mean[0], SQRT2);
    close(mean[1], 2.5);
    // A principal component against a column: the column's row of P is a unit vector.
    const mixed = projectComponent(MU, SIGMA, { kind: 'column', index: 1 }, PC1, SAMPLE);
    close(mixed.cov[0], 3);
    close(mixed.cov[1], (1 + 3) / SQRT2);
    close(mixed.mean[0], 2);
    // Two columns: the marginal, read off.
    assert.deepEqual(projectComponent(MU, SIGMA, { kind: 'column', index: 2 }, { kind: 'column', index: 0 }, SAMPLE), { mean: [3, 1], cov: [2, 0.5, 4] });
  });

  it('the drawn ellipse is the shadow of the d-dimensional one: every projected point of it inside, its extremes on it', () => {
    const { mean, cov } = projectComponent(MU, SIGMA, PC1, PC2, SAMPLE);
    const data = scatterData({ x: [0], y: [0], logResp: [0], k: 1, means: [mean], covariances: [cov] });
    const curve = data.contours.filter((r) => r.radius === 1);
    assert.ok(curve.length > 60);
    // On the drawn curve the projected Mahalanobis distance is the radius.
    const det = cov[0] * cov[2] - cov[1] * cov[1];
    for (const r of curve) {
      const dx = (r.x as number) - mean[0];
      const dy = (r.y as number) - mean[1];
      close((cov[2] * dx * dx - 2 * cov[1] * dx * dy + cov[0] * dy * dy) / det, 1, 1e-9);
    }
    // Points μ + L z with z on a Fibonacci sphere (L Lᵀ = Σ) lie on the 3-D ellipsoid; their projections stay inside
    // the drawn curve and reach it: the widest one along each direction w reaches r √(wᵀ P Σ Pᵀ w).
    const L = [
      [2, 0, 0],
      [0.5, Math.sqrt(2.75), 0],
      [0.25, (0.2 - 0.125) / Math.sqrt(2.75), 0],
    ];
    L[2][2] = Math.sqrt(2 - L[2][0] ** 2 - L[2][1] ** 2);
    const a = SAMPLE.projection!.axes;
    for (let t = 0; t < 8; t++) {
      const w = [Math.cos((t * Math.PI) / 8), Math.sin((t * Math.PI) / 8)];
      let widest = 0;
      for (let i = 0; i < 4000; i++) {
        const u = 1 - (2 * (i + 0.5)) / 4000;
        const phi = i * 2.399963;
        const z = [Math.sqrt(1 - u * u) * Math.cos(phi), Math.sqrt(1 - u * u) * Math.sin(phi), u];
        const x = MU.map((m, r) => m + L[r][0] * z[0] + L[r][1] * z[1] + L[r][2] * z[2]);
        const p = a.map((row) => row.reduce((s, v, j) => s + v * (x[j] - SAMPLE.projection!.mean[j]), 0));
        widest = Math.max(widest, w[0] * (p[0] - mean[0]) + w[1] * (p[1] - mean[1]));
      }
      const support = Math.sqrt(w[0] * w[0] * cov[0] + 2 * w[0] * w[1] * cov[1] + w[1] * w[1] * cov[2]);
      assert.ok(widest <= support * (1 + 1e-12), `direction ${t}: ${widest} beyond ${support}`);
      assert.ok(widest >= support * 0.995, `direction ${t}: ${widest} short of ${support}`);
    }
    assert.equal(new Set(data.contours.map((r) => r.radius)).size, CONTOUR_RADII.length);
  });

  it('points project as (x − m)·a; a column is its values', () => {
    const pc1 = projectPoints(SAMPLE, 2, PC1, new Float64Array(2));
    close(pc1[0], (0.5 + 1.5) / SQRT2);
    close(pc1[1], (-1.5 + 0) / SQRT2);
    assert.deepEqual(Array.from(projectPoints(SAMPLE, 2, { kind: 'column', index: 2 }, new Float64Array(2))), [3, 4]);
  });

  it('titles and picker codes: PC1 × PC2 with principal axes, the first two columns without', () => {
    assert.equal(axisLabel(PC1, SAMPLE, () => 'unused'), 'PC1 (72.8 % of variance)');
    assert.equal(axisLabel(PC2, SAMPLE, () => 'unused'), 'PC2 (22.9 % of variance)');
    assert.equal(axisLabel({ kind: 'column', index: 1 }, SAMPLE, (j) => `col ${j}`), 'col 1');
    assert.equal(axisName(PC2, ['a', 'b', 'c']), 'PC2');
    assert.deepEqual(resolveAxes(-1, -2, SAMPLE), { x: PC1, y: PC2 });
    assert.deepEqual(resolveAxes(2, -1, SAMPLE), { x: { kind: 'column', index: 2 }, y: PC1 });
    assert.deepEqual(resolveAxes(7, 9, SAMPLE), { x: PC1, y: PC2 }, 'a column the data lack: the default');
    const two = { d: 2 };
    assert.deepEqual(resolveAxes(-1, -2, two), { x: { kind: 'column', index: 0 }, y: { kind: 'column', index: 1 } });
    assert.deepEqual(resolveAxes(1, 0, two), { x: { kind: 'column', index: 1 }, y: { kind: 'column', index: 0 } });
  });
});
