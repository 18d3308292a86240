// Theme → Vega config, the controls' validation, and the small geometry helpers of the panel.
import { strict as assert } from 'node:assert';
import * as vl from 'vega-lite';
import { LIMITS } from '../../../src/shared/protocol';
import { clusterCaption, clusterSizes, formatNumber, validateRerun } from '../../../webview/controls';
import { ellipsePoints, histogram, mahalanobis2, paddedExtent } from '../../../webview/geometry';
import { scatterData, scatterSpec } from '../../../webview/specs';
import { chartTheme, themeKindFromClasses, vegaConfig } from '../../../webview/theme';
import { renderSvg } from './helpers';

const DARK_VARS: Record<string, string> = {
  '--vscode-editor-foreground': ' #d4d4d4',
  '--vscode-editor-background': '#1e1e1e',
  '--vscode-descriptionForeground': 'rgba(204, 204, 204, 0.7)',
  '--vscode-font-family': '"Segoe WPC", "Segoe UI", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-yellow': '#cca700',
};

describe('webview theme', () => {
  it('takes colours and font from the VS Code CSS variables', () => {
    const theme = chartTheme((n) => DARK_VARS[n] ?? '', 'dark');
    assert.equal(theme.foreground, '#d4d4d4');
    assert.equal(theme.background, '#1e1e1e');
    assert.equal(theme.fontFamily, '"Segoe WPC", "Segoe UI", sans-serif');
    assert.deepEqual(theme.palette.slice(0, 6), ['#3794ff', '#f14c4c', '#89d185', '#d18616', '#b180d7', '#cca700']);
    assert.ok(theme.palette.length >= 10, 'extended past the six chart colours');
    const config = vegaConfig(theme);
    assert.equal(config.background, '#1e1e1e');
    assert.equal(config.font, theme.fontFamily);
    assert.equal(config.axis?.titleColor, '#d4d4d4');
    assert.equal(config.axis?.labelColor, 'rgba(204, 204, 204, 0.7)');
    assert.equal(config.legend?.labelColor, '#d4d4d4');
    assert.equal(config.title?.color, '#d4d4d4');
    assert.deepEqual(config.range?.category, theme.palette);
  });

  it('renders the chart in the theme colours (the SVG carries the background and the component colours)', async () => {
    const theme = chartTheme((n) => DARK_VARS[n] ?? '', 'dark');
    const data = scatterData({ x: [0, 1], y: [1, 0], logResp: [Math.log(0.9), Math.log(0.1), Math.log(0.2), Math.log(0.8)], k: 2, means: [[0, 1], [1, 0]], covariances: [[0.1, 0, 0.1], [0.1, 0, 0.1]] });
    const svg = await renderSvg(scatterSpec(data, { xTitle: 'a', yTitle: 'b', k: 2, xDomain: [-1, 2], yDomain: [-1, 2], title: 't', theme }));
    assert.ok(svg.includes('fill="#1e1e1e"'), 'background');
    assert.ok(svg.includes('stroke="#3794ff"') && svg.includes('stroke="#f14c4c"'), 'component contours in the chart colours');
    assert.ok(svg.includes('fill="#d4d4d4"'), 'text in the editor foreground');
  });

  it('falls back per theme kind, and high contrast draws thicker lines with contrast borders', () => {
    const light = chartTheme(() => '', 'light');
    const dark = chartTheme(() => '', 'dark');
    const hc = chartTheme((n) => (n === '--vscode-contrastBorder' ? '#6fc3df' : ''), 'high-contrast');
    assert.notEqual(light.background, dark.background);
    assert.equal(hc.grid, '#6fc3df');
    assert.ok(hc.lineWidth > light.lineWidth);
    assert.equal(vegaConfig(hc).axis?.labelColor, hc.foreground);
    for (const t of [light, dark, hc]) assert.ok(vl.compile({ config: vegaConfig(t), mark: 'point', data: { values: [{ a: 1 }] }, encoding: { x: { field: 'a', type: 'quantitative' } } }));
  });

  it('reads the theme kind from the body classes', () => {
    assert.equal(themeKindFromClasses(['vscode-light']), 'light');
    assert.equal(themeKindFromClasses(['vscode-dark', 'other']), 'dark');
    assert.equal(themeKindFromClasses(['vscode-high-contrast']), 'high-contrast');
    assert.equal(themeKindFromClasses(['vscode-high-contrast', 'vscode-high-contrast-light']), 'high-contrast-light');
    assert.equal(themeKindFromClasses([]), 'light');
  });
});

describe('webview controls', () => {
  it('accepts K and max iterations within the protocol limits', () => {
    assert.deepEqual(validateRerun('3', '50'), { ok: true, k: 3, maxIterations: 50 });
    assert.deepEqual(validateRerun(` ${LIMITS.kMax} `, String(LIMITS.maxIterationsMax)), { ok: true, k: LIMITS.kMax, maxIterations: LIMITS.maxIterationsMax });
    assert.deepEqual(validateRerun(' Auto ', '100'), { ok: true, k: 'auto', maxIterations: 100 });
  });
  it('rejects K of 0, 1e9, 2.5, -1 or text, and bad iteration counts, naming the field', () => {
    for (const bad of ['0', '1e9', '1000000000', '2.5', '-1', 'abc', '', String(LIMITS.kMax + 1)]) {
      const r = validateRerun(bad, '10');
      assert.equal(r.ok, false, `K = ${JSON.stringify(bad)}`);
      if (!r.ok) assert.equal(r.field, 'k');
    }
    for (const bad of ['0', '-5', '1.5', 'x', String(LIMITS.maxIterationsMax + 1)]) {
      const r = validateRerun('2', bad);
      assert.equal(r.ok, false, `iterations = ${JSON.stringify(bad)}`);
      if (!r.ok) assert.equal(r.field, 'max-iter');
    }
  });
  it('cluster sizes from all assignments, else from the plot sample, else n·π', () => {
    assert.deepEqual(clusterSizes({ k: 3, n: 5, weights: [0.2, 0.4, 0.4], assignments: [0, 1, 1, 2, 2] }), { sizes: [1, 2, 2], source: 'all' });
    assert.deepEqual(clusterSizes({ k: 2, n: 100, weights: [0.5, 0.5], assignments: [] }, [0, 0, 1]), { sizes: [2, 1], source: 'sample' });
    assert.deepEqual(clusterSizes({ k: 2, n: 100, weights: [0.25, 0.75], assignments: [] }), { sizes: [25, 75], source: 'weights' });
  });
  it('formats numbers and captions', () => {
    assert.equal(formatNumber(60000), '60,000');
    assert.equal(formatNumber(0.123456), '0.1235');
    assert.equal(formatNumber(-542.35594), '-542.4');
    assert.equal(formatNumber(1.5e-7), '1.500e-7');
    assert.equal(clusterCaption(2, 5923, 0.0987, { majorityLabel: 0, purity: 0.918 }), "#3 · n 5,923 · π 0.099 · '0' 92%");
  });
});

describe('webview geometry', () => {
  it('ellipse points lie at the requested Mahalanobis radius and close the curve', () => {
    const cov: [number, number, number] = [2, 0.9, 0.7];
    const pts = ellipsePoints([1, -1], cov, 2, 36)!;
    assert.equal(pts.length, 37);
    assert.deepEqual(pts[0], pts[36]);
    for (const p of pts) assert.ok(Math.abs(mahalanobis2(p, [1, -1], cov) - 4) < 1e-9);
  });
  it('a singular covariance is jittered; garbage gives null, never NaN', () => {
    const pts = ellipsePoints([0, 0], [1, 1, 1], 1);
    assert.ok(pts && pts.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
    assert.equal(ellipsePoints([0, 0], [Number.NaN, 0, 1], 1), null);
    assert.equal(ellipsePoints([0, 0], [-1, 0, -1], 1), null);
  });
  it('histogram counts every finite value once; extents pad the range', () => {
    const h = histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, Number.NaN], 5);
    assert.deepEqual(h.counts, [2, 2, 2, 2, 2]);
    assert.equal(h.edges.length, 6);
    assert.deepEqual(histogram([3, 3, 3]).counts.reduce((a, b) => a + b, 0), 3);
    assert.deepEqual(paddedExtent([0, 10], 0.1), [-1, 11]);
    assert.deepEqual(paddedExtent([2, 2]), [1.5, 2.5]);
  });
});
