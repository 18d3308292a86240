// The panel's principal axes (src/engine/data/projection.ts) against numpy: np.linalg.eigh of np.cov on iris, raw and
// standardised (test/reference/make_numpy_pca_reference.py → numpy_pca_iris.json), and the plotted sample a Gaussian
// fit announces (projection only for d > 2).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { principalAxes } from '../../../src/engine/data/projection';
import { standardizeColumns } from '../../../src/engine/families/gaussian/prepare';
import { prepareGaussianTable } from '../../../src/engine/families/gaussian/single';
import type { TableData } from '../../../src/engine/data/dataset';

interface Case {
  mean: number[];
  axes: number[][];
  explained: number[];
}
const ref = JSON.parse(readFileSync(join(__dirname, '..', '..', 'reference', 'numpy_pca_iris.json'), 'utf8')) as {
  n: number;
  d: number;
  columns: string[];
  data: number[][];
  raw: Case;
  standardised: Case;
};
const flat = () => Float64Array.from(ref.data.flat());

function assertClose(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, j) => assert.ok(Math.abs(a - expected[j]) <= tol, `${what}[${j}]: ${a} vs ${expected[j]}`));
}

function check(values: Float64Array, expected: Case, meanTol: number): void {
  const p = principalAxes(values, ref.n, ref.d);
  assert.ok(p);
  assertClose(p.mean, expected.mean, meanTol, 'mean');
  assert.equal(p.axes.length, 2);
  for (let r = 0; r < 2; r++) {
    assertClose(p.axes[r], expected.axes[r], 1e-10, `axis ${r + 1}`);
    const largest = p.axes[r].reduce((b, v, j) => (Math.abs(v) > Math.abs(p.axes[r][b]) ? j : b), 0);
    assert.ok(p.axes[r][largest] > 0, 'largest-magnitude loading positive');
  }
  assertClose(p.explained, expected.explained.slice(0, 2), 1e-12, 'explained');
}

function table(values: Float64Array, n: number, d: number): TableData {
  const columns = Array.from({ length: d }, (_, j) => ref.columns[j] ?? `x${j + 1}`);
  return { kind: 'table', n, d, values, columns, summary: { fileName: 'iris.csv', format: 'csv', n, d, columns } } as unknown as TableData;
}

describe('principal axes (panel projection) vs numpy', () => {
  it('iris as given: the first two eigenvectors of np.cov and their variance fractions', () => {
    check(flat(), ref.raw, 1e-12);
  });

  it('iris standardised: the axes and fractions of np.corrcoef', () => {
    const values = flat();
    standardizeColumns(values, ref.n, ref.d);
    check(values, ref.standardised, 1e-14);
  });

  it('the sign rule is the same whichever sign the data arrive with', () => {
    const values = flat();
    for (let i = 0; i < values.length; i++) values[i] = -values[i];
    const p = principalAxes(values, ref.n, ref.d);
    assert.ok(p);
    assertClose(p.axes[0], ref.raw.axes[0], 1e-10, 'axis 1 of −X');
    assertClose(p.explained, ref.raw.explained.slice(0, 2), 1e-12, 'explained of −X');
  });

  it('no spread, no axes', () => {
    assert.equal(principalAxes(new Float64Array(12).fill(3), 4, 3), undefined);
    assert.equal(principalAxes(new Float64Array(3), 1, 3), undefined);
  });

  it('a Gaussian fit announces the projection of the values it fits (standardised when it does), only when d > 2', () => {
    const standardisedFit = prepareGaussianTable(table(flat(), ref.n, ref.d), { standardize: true, maxPlotPoints: 50 }, 1e-6);
    const p = standardisedFit.plotSample.projection;
    assert.ok(p);
    assertClose(p.axes[0], ref.standardised.axes[0], 1e-10, 'standardised fit, axis 1');
    assertClose(p.explained, ref.standardised.explained.slice(0, 2), 1e-12, 'standardised fit, explained');
    assert.equal(standardisedFit.plotSample.indices.length, 50);

    const rawFit = prepareGaussianTable(table(flat(), ref.n, ref.d), { standardize: false, maxPlotPoints: 5000 }, 1e-6);
    assert.ok(rawFit.plotSample.projection);
    assertClose(rawFit.plotSample.projection.axes[1], ref.raw.axes[1], 1e-10, 'raw fit, axis 2');
    assertClose(rawFit.plotSample.projection.mean, ref.raw.mean, 1e-12, 'raw fit, mean');

    const two = Float64Array.from(ref.data.flatMap((r) => r.slice(0, 2)));
    assert.equal(prepareGaussianTable(table(two, ref.n, 2), { standardize: true, maxPlotPoints: 5000 }, 1e-6).plotSample.projection, undefined);
  });
});
