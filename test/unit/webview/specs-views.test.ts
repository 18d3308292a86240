// The Gaussian fit's extra views (webview/specs/views.ts, webview/state/views.ts): the uncertainty scatter, the
// density contours over the scatter, the scatter-plot matrix and its share of the point budget, compiled and rendered
// to SVG as the panel renders them; and the DR axes projecting as numpy does (numpy_density_grid.json).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contourSegments, highestDensityLevels, mixtureDensityGrid } from '../../../src/engine/families/gaussian/densityGrid';
import { CONTOUR_RADII, scatterData, scatterSpec } from '../../../webview/specs';
import { densityRows, densitySpec, pairPointsPerCell, pairsData, pairsSpec, uncertaintySpec } from '../../../webview/specs/views';
import { axisChoices, axisLabel, projectComponent, resolveAxes, type AxisSource } from '../../../webview/projection';
import { initialModel, reduce, savedUi, viewSample } from '../../../webview/state/reducer';
import { MAX_PAIR_COLUMNS, pairColumns, savedViewUi, shownView, togglePairColumn } from '../../../webview/state/views';
import { markGroups, renderSvg, testTheme } from './helpers';

const theme = testTheme();
const K = 3;
// Three clusters on a line; responsibilities: certain, then 50/50 between two components (uncertainty 0.5).
const X = [0, 1, 2, 10, 11, 12];
const Y = [0, 1, 0, 5, 6, 5];
const LOG_RESP = [
  [0, -50, -50],
  [0, -50, -50],
  [Math.log(0.5), Math.log(0.5), -50],
  [-50, 0, -50],
  [-50, -50, 0],
  [-50, Math.log(0.5), Math.log(0.5)],
].flat();
const MEANS: [number, number][] = [[1, 0.5], [10, 5], [12, 5.5]];
const COVS: [number, number, number][] = [[1, 0.2, 0.5], [0.5, 0, 0.5], [0.8, 0.1, 0.4]];

function baseScatter() {
  const data = scatterData({ x: X, y: Y, logResp: LOG_RESP, k: K, means: MEANS, covariances: COVS });
  const spec = scatterSpec(data, { xTitle: 'x', yTitle: 'y', k: K, xDomain: [-2, 14], yDomain: [-2, 8], title: 't', theme });
  return { data, spec };
}

/** The `size` attribute Vega writes for each point path (its d attribute scales with √size). */
function pointPaths(svg: string, name: string): string[] {
  const start = svg.indexOf(`${name}_marks`);
  const end = svg.indexOf('</g>', start);
  return svg.slice(start, end).match(/<path[^>]*>/g) ?? [];
}

describe('uncertainty view', () => {
  it('sizes and shades the points by 1 − max r: the uncertain ones larger and darker, one mark per point', async () => {
    const svg = await renderSvg(uncertaintySpec(baseScatter().spec, K));
    assert.deepEqual(markGroups(svg, 'points'), [X.length]);
    const paths = pointPaths(svg, 'points');
    const opacity = paths.map((p) => Number(/opacity="([\d.]+)"/.exec(p)?.[1] ?? '1'));
    // Rows 2 and 5 (uncertainty 0.5) against rows 0 and 3 (certain).
    assert.ok(opacity[2] > opacity[0] && opacity[5] > opacity[3], `opacities ${opacity.join()}`);
    const extent = (p: string) => Math.max(...(/d="([^"]+)"/.exec(p)?.[1].match(/-?[\d.]+/g) ?? ['0']).map((v) => Math.abs(Number(v))));
    assert.ok(extent(paths[2]) > 2 * extent(paths[0]), 'an uncertain point is drawn larger');
    // The scatter's contours and means are still there.
    assert.equal(markGroups(svg, 'contours').length, K * CONTOUR_RADII.length);
    assert.deepEqual(markGroups(svg, 'means'), [K]);
  });

  it('K = 2: the uncertainty comes from r₁ − r₂', async () => {
    const data = scatterData({ x: [0, 1], y: [0, 1], logResp: [0, -50, Math.log(0.5), Math.log(0.5)], k: 2, means: MEANS.slice(0, 2), covariances: COVS.slice(0, 2) });
    const spec = uncertaintySpec(scatterSpec(data, { xTitle: 'x', yTitle: 'y', k: 2, xDomain: [-2, 14], yDomain: [-2, 8], title: 't', theme }), 2);
    const opacity = pointPaths(await renderSvg(spec), 'points').map((p) => Number(/opacity="([\d.]+)"/.exec(p)?.[1] ?? '1'));
    assert.ok(opacity[1] > opacity[0], `opacities ${opacity.join()}`);
  });
});

describe('density view', () => {
  it('draws one rule per contour segment over the scatter, below the means', async () => {
    const { spec } = baseScatter();
    const grid = mixtureDensityGrid([0.4, 0.3, 0.3], MEANS, COVS, [-2, 14], [-2, 8], 40, 30);
    const fractions = [0.5, 0.9];
    const levels = highestDensityLevels(grid, fractions);
    const segments = levels.map((level, i) => ({ fraction: fractions[i], segments: contourSegments(grid, level) }));
    const rows = densityRows(segments);
    assert.equal(rows.length, segments.reduce((s, l) => s + l.segments.length / 4, 0));
    const svg = await renderSvg(densitySpec(spec, rows, fractions, theme));
    assert.deepEqual(markGroups(svg, 'density'), [rows.length]);
    assert.ok(svg.indexOf('density_marks') < svg.indexOf('means_marks'), 'the means are drawn above the contours');
    assert.deepEqual(markGroups(svg, 'points'), [X.length]);
  });
});

describe('scatter-plot matrix', () => {
  const d = 3;
  const n = 40;
  const values = Array.from({ length: n * d }, (_, i) => Math.sin(i * 1.3) * 3 + (i % d));
  const input = {
    columns: [0, 1, 2],
    names: ['a', 'b', 'c'],
    values,
    d,
    n,
    component: Array.from({ length: n }, (_, i) => i % 2),
    means: [[0, 1, 2], [1, 2, 3]],
    covariances: [
      [[1, 0.2, 0], [0.2, 1, 0], [0, 0, 1]],
      [[2, 0, 0.3], [0, 1, 0], [0.3, 0, 1]],
    ],
  };

  it('shares the point budget over its m(m − 1) cells', () => {
    assert.equal(pairPointsPerCell(5000, 8), 89);
    assert.equal(pairPointsPerCell(60, 3), 10);
    const rows = pairsData(input, pairPointsPerCell(60, 3));
    assert.equal(rows.filter((r) => r.kind === 'point').length, 60);
    assert.ok(rows.filter((r) => r.kind === 'point').length <= 60);
  });

  it('renders a cell per pair with its points and every component’s two ellipses, and the names on the diagonal', async () => {
    const rows = pairsData(input, 10);
    const svg = await renderSvg(pairsSpec(rows, { names: input.names, k: 2, title: 't', theme, cell: 100 }));
    const points = markGroups(svg, 'pair_points');
    assert.equal(points.reduce((s, c) => s + c, 0), 6 * 10);
    // Lines: one per component and radius in each of the 6 off-diagonal cells.
    assert.equal(markGroups(svg, 'pair_contours').length, 6 * 2 * CONTOUR_RADII.length);
    assert.equal(markGroups(svg, 'pair_names').reduce((s, c) => s + c, 0), 3);
    // The ellipse of component 1 in cell (x = a, y = b) is its marginal on (a, b).
    const ellipse = rows.filter((r) => r.kind === 'contour' && r.col === 'a' && r.row === 'b' && r.series === 'component 1, radius 1');
    const xs = ellipse.map((r) => Number(r.x));
    assert.ok(Math.abs(Math.max(...xs) - 1) < 1e-2 && Math.abs(Math.min(...xs) + 1) < 1e-2, 'x half-width √Σ_aa = 1');
  });

  it('its columns: the chosen ones (2 to 8) or the first eight', () => {
    assert.deepEqual(pairColumns(undefined, 12), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(pairColumns([5, 1, 5, 40], 12), [1, 5]);
    assert.deepEqual(pairColumns([3], 4), [0, 1, 2, 3]);
    assert.deepEqual(togglePairColumn([0, 1], 1, 4), [0, 1], 'never fewer than two');
    assert.deepEqual(togglePairColumn([0, 1], 3, 4), [0, 1, 3]);
    assert.deepEqual(togglePairColumn([0, 1, 2, 3, 4, 5, 6, 7], 9, 12), [0, 1, 2, 3, 4, 5, 6, 7], `never more than ${MAX_PAIR_COLUMNS}`);
    assert.deepEqual(togglePairColumn([0, 1, 2], 1, 4), [0, 2]);
  });
});

describe('view choice in the UI state', () => {
  it('is kept by the reducer and in the saved UI state, the scatter without a key', () => {
    let s = reduce(initialModel(), { type: 'restoreUi', saved: { fileName: 'f.csv', fileUri: 'file:///f.csv', options: {} as never, ui: { xColumn: -1, yColumn: -2 } } });
    assert.equal(shownView(s.ui), 'scatter');
    s = reduce(s, { type: 'selectView', view: 'density' });
    s = reduce(s, { type: 'selectPairColumns', columns: [0, 2] });
    assert.equal(shownView(s.ui), 'density');
    assert.deepEqual(savedUi(s)?.ui, { xColumn: -1, yColumn: -2, view: 'density', pairColumns: [0, 2] });
    s = reduce(s, { type: 'selectView', view: 'scatter' });
    assert.equal('view' in s.ui, false);
    assert.equal(reduce(s, { type: 'selectView', view: 'bogus' as never }), s);
  });

  it('a saved state’s view choices are read back, garbage ignored', () => {
    assert.deepEqual(savedViewUi({ view: 'pairs', pairColumns: [0, 3, 5] }), { view: 'pairs', pairColumns: [0, 3, 5] });
    assert.deepEqual(savedViewUi({ view: 'nope', pairColumns: 'x' }), {});
    assert.deepEqual(savedViewUi({ view: 'uncertainty', pairColumns: [1] }), { view: 'uncertainty' });
    assert.deepEqual(savedViewUi(undefined), {});
  });
});

describe('MclustDR axes in the scatter', () => {
  const ref = JSON.parse(readFileSync(join(__dirname, '..', '..', 'reference', 'numpy_density_grid.json'), 'utf8')) as {
    cases: { axes: number[][]; centre: number[]; means2: number[][]; covariances2: number[][] }[];
  };
  const dr = JSON.parse(readFileSync(join(__dirname, '..', '..', 'reference', 'mclust_dr.json'), 'utf8')) as { cases: { means: number[][]; covariances: number[][][]; evalues: number[] }[] };
  const c = ref.cases[1];
  const source: AxisSource = { d: 4, projection: { mean: [0, 0, 0, 0], axes: [[1, 0, 0, 0], [0, 1, 0, 0]], explained: [0.9, 0.05] }, directions: { mean: c.centre, axes: c.axes, eigenvalues: dr.cases[0].evalues } };

  it('DR1 × DR2 projects each component as numpy does (P(μ − m), P Σ Pᵀ)', () => {
    const axes = resolveAxes(-3, -4, source);
    assert.deepEqual(axes, { x: { kind: 'dr', index: 0 }, y: { kind: 'dr', index: 1 } });
    dr.cases[0].means.forEach((mean, j) => {
      const p = projectComponent(mean, dr.cases[0].covariances[j], axes.x, axes.y, source);
      p.mean.forEach((v, i) => assert.ok(Math.abs(v - c.means2[j][i]) < 1e-12, `mean ${j}`));
      p.cov.forEach((v, i) => assert.ok(Math.abs(v - c.covariances2[j][i]) < 1e-12, `cov ${j}`));
    });
    assert.equal(axisLabel(axes.x, source, () => ''), 'DR1 (MclustDR, eigenvalue 1.88)');
    assert.deepEqual(axisChoices(['a', 'b', 'c', 'd'], source).map((c) => c[1]), ['PC1', 'PC2', 'DR1', 'DR2', 'a', 'b', 'c', 'd']);
  });

  it('before the result (or with one direction) a DR code falls back to the principal axes', () => {
    const { directions: _d, ...withoutDr } = source;
    assert.deepEqual(resolveAxes(-3, -4, withoutDr), { x: { kind: 'pc', index: 0 }, y: { kind: 'pc', index: 1 } });
    const one = { ...source, directions: { ...source.directions!, axes: [source.directions!.axes[0]] } };
    assert.deepEqual(resolveAxes(-3, -4, one), { x: { kind: 'dr', index: 0 }, y: { kind: 'pc', index: 1 } });
    assert.deepEqual(axisChoices(['a'], one).map((c) => c[1]), ['PC1', 'PC2', 'DR1', 'a']);
  });

  it('the view sample carries the result’s directions', () => {
    const state = {
      ...initialModel(),
      panel: {
        fileName: 'f',
        fileUri: 'file:///f',
        options: {} as never,
        plotSample: { indices: [0], values: [1, 2, 3, 4], d: 4 },
        result: { dimensionReduction: source.directions } as never,
      },
    };
    assert.deepEqual(viewSample(state)?.directions, source.directions);
  });
});
