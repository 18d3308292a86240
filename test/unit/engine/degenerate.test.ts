// A fit with a degenerate component (on too few distinct points, or with its covariance at the regularisation floor)
// says so in `degenerate` and in its notes; healthy fits of real data are never flagged.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { TableData } from '../../../src/engine/data/dataset';
import { fitDataset } from '../../../src/engine/fit';
import type { CovarianceType, FitOptions, FitResult } from '../../../src/shared/protocol';
import { loadFaithful } from '../../fixtures/gaussian/helpers';

function table(fileName: string, rows: number[][], columns: string[]): TableData {
  const d = columns.length;
  return {
    kind: 'table',
    n: rows.length,
    d,
    values: Float64Array.from(rows.flat()),
    columns,
    summary: { fileName, n: rows.length, d, columns, notes: [] } as unknown as TableData['summary'],
  };
}

function faithfulTable(): TableData {
  const { values, n } = loadFaithful();
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push([values[2 * i], values[2 * i + 1]]);
  return table('faithful.csv', rows, ['eruptions', 'waiting']);
}

function fit(dataset: TableData, options: Partial<FitOptions>): FitResult {
  return fitDataset(dataset, options).result;
}

/** Eigenvalues of a symmetric 2 × 2 matrix, smallest first (closed form, independent of the engine). */
function eigenvalues2(m: number[][]): [number, number] {
  const mean = (m[0][0] + m[1][1]) / 2;
  const radius = Math.hypot((m[0][0] - m[1][1]) / 2, m[0][1]);
  return [mean - radius, mean + radius];
}

const THREE_ROWS = [
  [1, 2],
  [3, 5],
  [4, 4],
];

describe('degenerate fits: a component on too few points is named, not reported as a model', () => {
  it('K = 2 on 3 rows (full): both components are degenerate, and the notes say which and why', () => {
    const result = fit(table('three.csv', THREE_ROWS, ['a', 'b']), { k: 2, covarianceType: 'full' });
    // The defect: this fit "converges" to a log-likelihood above 0 on three points.
    assert.ok(result.logLikelihood > 0, `log-likelihood ${result.logLikelihood}`);
    // Independent check of the collapse: each covariance's smallest eigenvalue is the regularisation (1e-6).
    for (const cov of result.covariances!) assert.ok(Math.abs(eigenvalues2(cov)[0] - 1e-6) < 1e-12, JSON.stringify(cov));
    const degenerate = result.degenerate ?? [];
    assert.deepEqual(
      degenerate.map((c) => c.component).sort(),
      [0, 1],
    );
    const sizes = [0, 1].map((j) => result.assignments.filter((a) => a === j).length);
    for (const { component, reason } of degenerate) {
      assert.match(reason, new RegExp(`sits on ${sizes[component]} distinct point`));
      assert.match(reason, /fewer than the 3 a full covariance in 2 dimensions needs/);
    }
    const notes = (result.notes ?? []).filter((n) => /degenerate/.test(n));
    assert.equal(notes.length, 2);
    const single = sizes.indexOf(1);
    assert.ok(
      notes.some((n) => n.startsWith(`Component ${single + 1} is degenerate: it sits on 1 distinct point`) && /this log-likelihood is not a model\. Try a smaller K/.test(n)),
      notes.join('\n'),
    );
  });

  it('K = 2 on 3 rows, diag: the component on one point is degenerate, the one on two distinct points is not', () => {
    const result = fit(table('three.csv', THREE_ROWS, ['a', 'b']), { k: 2, covarianceType: 'diag' });
    const degenerate = result.degenerate ?? [];
    const single = [0, 1].find((j) => result.assignments.filter((a) => a === j).length === 1)!;
    assert.deepEqual(degenerate.map((c) => c.component), [single]);
    assert.match(degenerate[0].reason, /sits on 1 distinct point, fewer than the 2 a diag covariance needs/);
  });

  it('K = 2 on 3 rows, tied: the shared covariance (component −1) is singular', () => {
    const result = fit(table('three.csv', THREE_ROWS, ['a', 'b']), { k: 2, covarianceType: 'tied' });
    assert.equal(result.degenerate?.length, 1);
    assert.equal(result.degenerate![0].component, -1);
    assert.match(result.notes!.join('\n'), /The fit is degenerate: the shared covariance/);
  });

  it('a spike on repeated values: a component that sits on the rows of faithful with waiting = 81 is flagged, naming the column and value', () => {
    const data = faithfulTable();
    const spikeRows = Array.from({ length: data.n }, (_, i) => i).filter((i) => data.values[2 * i + 1] === 81);
    assert.ok(spikeRows.length >= 5, `faithful has ${spikeRows.length} rows with waiting = 81`);
    const result = fit(data, {
      k: 3,
      covarianceType: 'diag',
      init: 'params',
      initParams: {
        weights: [0.35, 0.6, 0.05],
        means: [
          [2, 55],
          [4.3, 80],
          [4.3, 81],
        ],
        covariances: [
          [0.1, 30],
          [0.2, 40],
          [0.2, 1e-4],
        ],
      },
    });
    // The third component collapsed onto waiting = 81: variance there is the regularisation alone.
    assert.ok(Math.abs(result.means[2][1] - 81) < 1e-9, `mean ${result.means[2][1]}`);
    assert.ok(Math.abs(result.covariances![2][1][1] - 1e-6) < 1e-12, `variance ${result.covariances![2][1][1]}`);
    assert.deepEqual(
      result.assignments.map((a, i) => (a === 2 ? i : -1)).filter((i) => i >= 0),
      spikeRows,
    );
    assert.equal(result.degenerate?.length, 1);
    assert.equal(result.degenerate![0].component, 2);
    assert.match(result.degenerate![0].reason, /all its points share one value of column "waiting" \(81\)/);
    assert.ok(result.notes!.some((n) => n.startsWith('Component 3 is degenerate: all its points share one value of column "waiting" (81)')));
  });

  it('points on a line that is not along an axis: the component is singular along a mixed direction', () => {
    // Five points on y = 2x + 1, far from a broad cloud of twenty.
    const line = [0, 1, 2, 3, 4].map((x) => [x, 2 * x + 1]);
    const cloud = Array.from({ length: 20 }, (_, i) => [100 + ((i * 7) % 11) - 5, 100 + ((i * 5) % 13) - 6]);
    const result = fit(table('line.csv', [...line, ...cloud], ['x', 'y']), { k: 2, covarianceType: 'full' });
    const lineComponent = result.assignments[0];
    assert.ok(line.every((_, i) => result.assignments[i] === lineComponent));
    assert.ok(eigenvalues2(result.covariances![lineComponent])[0] - 1e-6 < 1e-9);
    assert.deepEqual(result.degenerate?.map((c) => c.component), [lineComponent]);
    assert.match(result.degenerate![0].reason, /its points lie on a line/);
  });
});

describe('degenerate fits: healthy fits are not flagged', () => {
  const cases: [CovarianceType, number][] = [
    ['full', 1],
    ['full', 2],
    ['full', 3],
    ['tied', 3],
    ['diag', 2],
    ['diag', 3],
    ['spherical', 3],
    ['spherical', 4],
  ];
  for (const [covarianceType, k] of cases) {
    it(`faithful.csv, K = ${k} ${covarianceType}`, () => {
      const result = fit(faithfulTable(), { k, covarianceType });
      assert.equal(result.degenerate, undefined, JSON.stringify(result.degenerate));
      assert.ok(!(result.notes ?? []).some((n) => /degenerate/.test(n)));
      assert.ok(result.converged);
    });
  }

  it('the 1-D sample, K = 3', () => {
    const lines = readFileSync(path.resolve(__dirname, '../../../media/samples/mixture-1d.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
    const result = fit(table('mixture-1d.csv', lines.map((l) => [Number(l)]), ['x']), { k: 3 });
    assert.equal(result.degenerate, undefined, JSON.stringify(result.degenerate));
  });

  it('a column constant in the whole data, or one copying another, is the data\'s property, not a degenerate component', () => {
    const rows = Array.from({ length: 40 }, (_, i) => [((i * 7) % 10) / 10 + (i < 20 ? 0 : 5), 3]);
    assert.equal(fit(table('constant.csv', rows, ['x', 'c']), { k: 2, covarianceType: 'diag' }).degenerate, undefined);
    const copied = rows.map(([x]) => [x, ((x * 13) % 3) + (x > 3 ? 4 : 0), 2 * x]);
    const result = fit(table('copied.csv', copied, ['x', 'y', 'twice_x']), { k: 2, covarianceType: 'full' });
    assert.equal(result.degenerate, undefined, JSON.stringify(result.degenerate));
  });

  it('a cluster a million standard deviations from the other is spread, not a floor', () => {
    const rows: number[][] = [];
    for (let i = 0; i < 30; i++) rows.push([((i * 7) % 10) / 10, ((i * 3) % 10) / 10]);
    for (let i = 0; i < 30; i++) rows.push([1e6 + ((i * 7) % 10) / 10, ((i * 3) % 10) / 10]);
    const result = fit(table('far.csv', rows, ['x', 'y']), { k: 2, covarianceType: 'full' });
    assert.equal(result.degenerate, undefined, JSON.stringify(result.degenerate));
  });
});
