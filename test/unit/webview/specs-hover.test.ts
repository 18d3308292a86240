// Linked hover (webview/specs/hover.ts): every chart with per-cluster marks gets the hover signal, and with it set
// the hovered cluster's items keep their opacity while every other item is dimmed. Rendered in Node through the
// CSP-safe interpreter; each drawn item's cluster is read back by the same function the panel's listeners use, so
// the Vega expression and the TypeScript agree item by item.
import { strict as assert } from 'node:assert';
import type * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { DEFAULT_FIT_OPTIONS } from '../../../src/shared/protocol';
import { confusionSpec, histogramData, histogramSpec, imageGridData, imageGridLayout, imageGridSpec, MIXTURE_SERIES, scatterData, scatterSpec } from '../../../webview/specs';
import { clusterOfDatum, clusterOfItem, DIMMED_OPACITY, HOVER_MARKS, HOVER_SIGNAL, withHover } from '../../../webview/specs/hover';
import { rateRows, ratesSpec } from '../../../webview/specs/poisson';
import { densityRows, densitySpec, pairsData, pairsSpec, uncertaintySpec } from '../../../webview/specs/views';
import { initialModel, reduce, savedUi, type PanelModel } from '../../../webview/state/reducer';
import { shownHover } from '../../../webview/views/hover';
import { labelConfusion, labelHeatmapNote } from '../../../webview/views/iteration';
import { renderView, testTheme } from './helpers';

const theme = testTheme();

interface Item {
  mark: string;
  datum: unknown;
  opacity: number | undefined;
}

/** Every drawn item of the named marks, with its datum and opacity, from the view's scenegraph. */
function items(view: vega.View, names: string[]): Item[] {
  const out: Item[] = [];
  const visit = (node: { marktype?: string; name?: string; items?: unknown[] }, mark?: string) => {
    for (const child of (node.items ?? []) as { marktype?: string; name?: string; items?: unknown[]; datum?: unknown; opacity?: number }[]) {
      if (child.marktype !== undefined) visit(child, child.name);
      else {
        if (mark && names.includes(mark.replace(/_marks$/, ''))) out.push({ mark: mark.replace(/_marks$/, ''), datum: child.datum, opacity: child.opacity });
        if (child.items) visit(child, mark);
      }
    }
  };
  visit((view.scenegraph() as unknown as { root: { items?: unknown[] } }).root);
  return out;
}

/** Renders the chart with `hovered`, and checks each per-cluster item: bright when of that cluster, dimmed else. */
async function checkHover(chart: string, spec: TopLevelSpec, hovered: number, k: number): Promise<{ bright: number; dimmed: number }> {
  const view = await renderView(withHover(chart, spec));
  const marks = Object.keys(HOVER_MARKS[chart]);
  const before = items(view, marks);
  assert.ok(before.length > 0, `${chart}: items drawn`);
  view.signal(HOVER_SIGNAL, hovered);
  await view.runAsync();
  const after = items(view, marks);
  assert.equal(after.length, before.length, `${chart}: a hover changes no item`);
  // A line's items are its points: count each line (its `series`) once.
  const bright = new Set<string>();
  const dimmed = new Set<string>();
  after.forEach((item, i) => {
    const series = (item.datum as { series?: unknown }).series;
    const key = series !== undefined ? `${item.mark}|${String(series)}` : `${item.mark}|${i}`;
    const field = HOVER_MARKS[chart][item.mark];
    const cluster = clusterOfDatum(field, item.datum);
    const mixture = (item.datum as { series?: unknown }).series === MIXTURE_SERIES;
    assert.ok(mixture || (cluster !== undefined && cluster < k), `${chart}/${item.mark}: item ${i} names a cluster`);
    if (mixture || cluster === hovered) {
      assert.equal(item.opacity ?? 1, before[i].opacity ?? 1, `${chart}/${item.mark}: the hovered cluster's item ${i} keeps its opacity`);
      bright.add(key);
    } else {
      assert.equal(item.opacity, Math.min(DIMMED_OPACITY, before[i].opacity ?? 1), `${chart}/${item.mark}: item ${i} of cluster ${cluster} is dimmed`);
      dimmed.add(key);
    }
  });
  // Back to no hover: as before.
  view.signal(HOVER_SIGNAL, -1);
  await view.runAsync();
  assert.deepEqual(items(view, marks).map((i) => i.opacity), before.map((i) => i.opacity));
  view.finalize();
  return { bright: bright.size, dimmed: dimmed.size };
}

const X = [0, 1, 2, 10, 11, 12];
const Y = [0, 1, 0, 5, 6, 5];
const MEANS: [number, number][] = [[1, 0.5], [10, 5], [12, 5.5]];
const COVS: [number, number, number][] = [[1, 0.2, 0.5], [0.5, 0, 0.5], [0.8, 0.1, 0.4]];
const logResp3 = [[0, -50, -50], [0, -50, -50], [Math.log(0.4), Math.log(0.6), -50], [-50, 0, -50], [-50, -50, 0], [-50, Math.log(0.5), Math.log(0.5)]].flat();

function scatter3() {
  const data = scatterData({ x: X, y: Y, logResp: logResp3, k: 3, means: MEANS, covariances: COVS });
  return { data, spec: scatterSpec(data, { xTitle: 'x', yTitle: 'y', k: 3, xDomain: [-2, 14], yDomain: [-2, 8], title: 't', theme }) };
}

describe('linked hover specs', () => {
  it('scatter, K = 3: the hovered component\'s points, ellipses and mean stay; the others dim', async () => {
    const { spec } = scatter3();
    // Points of component 2: rows 2 (0.6), 3 and 5 (a tie goes to the lower component); its two ellipses; its mean.
    const counts = await checkHover('scatter', spec, 1, 3);
    assert.equal(counts.bright, 3 + 2 + 1);
    // The legends are never dimmed, whatever is hovered.
    const view = await renderView(withHover('scatter', spec, 1));
    const svg = await view.toSVG();
    view.finalize();
    const legend = [...svg.matchAll(/<g[^>]*role-legend-symbol[^>]*>([^]*?)<\/g>/g)].flatMap((m) => [...m[1].matchAll(/opacity="([^"]*)"/g)].map((o) => Number(o[1])));
    assert.ok(legend.length >= 5 && legend.every((o) => o > DIMMED_OPACITY), legend.join());
  });

  it('scatter, K = 2: a point\'s component is the sign of r₁ − r₂', async () => {
    const logResp = [[0, -50], [Math.log(0.3), Math.log(0.7)], [-50, 0]].flat();
    const data = scatterData({ x: [0, 1, 2], y: [0, 1, 2], logResp, k: 2, means: [[0, 0], [2, 2]], covariances: [[1, 0, 1], [1, 0, 1]] });
    const spec = scatterSpec(data, { xTitle: 'x', yTitle: 'y', k: 2, xDomain: [-1, 3], yDomain: [-1, 3], title: 't', theme });
    assert.deepEqual(data.points.map((p) => clusterOfDatum('points', p)), [0, 1, 1]);
    const counts = await checkHover('scatter', spec, 0, 2);
    assert.equal(counts.bright, 1 + 2 + 1);
  });

  it('the uncertainty and density views keep the hover on their points', async () => {
    const { spec } = scatter3();
    await checkHover('scatter', uncertaintySpec(spec, 3), 2, 3);
    const density = densitySpec(spec, densityRows([{ fraction: 0.5, segments: [0, 0, 1, 1] }]), [0.5], theme);
    await checkHover('scatter', density, 0, 3);
  });

  it('histogram: the hovered component\'s density, and the mixture, stay', async () => {
    const data = histogramData({ edges: [0, 1, 2, 3], counts: [2, 5, 3], weights: [0.4, 0.6], means: [0.8, 2.1], variances: [0.2, 0.3], n: 10, gridPoints: 20 });
    const counts = await checkHover('histogram', histogramSpec(data, { xTitle: 'x', k: 2, title: 't', theme }), 1, 2);
    assert.equal(counts.bright, 2, 'the mixture and component 2');
  });

  it('scatter-plot matrix, mean images, confusion and rates heatmaps', async () => {
    const values = Float64Array.from([0, 0, 0, 1, 1, 1, 5, 5, 5, 6, 6, 6]);
    const rows = pairsData({ columns: [0, 1, 2], names: ['a', 'b', 'c'], values, d: 3, n: 4, component: Int32Array.from([0, 0, 1, 1]), means: [[0.5, 0.5, 0.5], [5.5, 5.5, 5.5]], covariances: [0, 1].map(() => [[1, 0, 0], [0, 1, 0], [0, 0, 1]]) }, 4);
    await checkHover('pairs', pairsSpec(rows, { names: ['a', 'b', 'c'], k: 2, title: 't', theme, cell: 80 }), 1, 2);
    const grid = imageGridData(['data:,', 'data:,', 'data:,'], ['#1', '#2', '#3']);
    assert.equal((await checkHover('images', imageGridSpec(grid, { layout: imageGridLayout([4, 4], 3, 500), theme }), 2, 3)).bright, 1);
    assert.equal((await checkHover('confusion', confusionSpec([[5, 1], [0, 7], [2, 2]], [0, 1], theme), 1, 3)).bright, 2, 'its row: one cell per label');
    assert.equal((await checkHover('rates', ratesSpec(rateRows([[1, 2, 3], [4, 5, 6]], ['x', 'y', 'z']), 2, ['x', 'y', 'z'], theme), 0, 2)).bright, 3);
  });

  it('charts without per-cluster marks are left as they were; the signal starts at the given cluster', () => {
    const spec = { mark: 'point', data: { values: [] } } as unknown as TopLevelSpec;
    assert.equal(withHover('loglik', spec), spec);
    const hovered = withHover('scatter', scatter3().spec, 2) as unknown as { params: { name: string; value: unknown }[] };
    assert.deepEqual(hovered.params.find((p) => p.name === HOVER_SIGNAL), { name: HOVER_SIGNAL, value: 2 });
  });

  it('a hovered item names its cluster by its mark; other marks and garbage name none', () => {
    assert.equal(clusterOfItem('scatter', { mark: { name: 'contours_marks' }, datum: { component: 'component 3' } }), 2);
    assert.equal(clusterOfItem('images', { mark: { name: 'image_pixels_marks' }, datum: { cluster: 4 } }), 4);
    assert.equal(clusterOfItem('rates', { mark: { name: 'rate_cells_marks' }, datum: { cluster: '#2' } }), 1);
    assert.equal(clusterOfItem('rates', { mark: { name: 'rate_values_marks' }, datum: { cluster: '#2' } }), undefined);
    assert.equal(clusterOfItem('histogram', { mark: { name: 'density_lines_marks' }, datum: { series: MIXTURE_SERIES } }), undefined);
    assert.equal(clusterOfItem('scatter', null), undefined);
    assert.equal(clusterOfItem('scatter', { mark: { name: 'means_marks' }, datum: { component: 'component x' } }), undefined);
  });
});

describe('linked hover state', () => {
  const FILE = { fileName: 'a.csv', fileUri: 'file:///a.csv' };
  function running(): PanelModel {
    const snapshot = { model: 'gaussian' as const, iteration: 0, weights: [0.5, 0.5], means: [[0, 0], [1, 1]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] };
    let s = reduce(initialModel(), { type: 'fitStarted', runId: 1, ...FILE, options: DEFAULT_FIT_OPTIONS });
    s = reduce(s, { type: 'loaded', runId: 1, summary: { fileName: 'a.csv', n: 2, d: 2, columns: ['x', 'y'], droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [] }, model: 'gaussian', modelReason: 'x' });
    return reduce(s, { type: 'progress', runId: 1, restart: 0, iteration: 0, objective: -1, logLikelihood: -1, snapshot });
  }

  it('hoverCluster sets the hovered cluster; the same hover again is the same state (nothing to draw)', () => {
    const s = reduce(running(), { type: 'hoverCluster', cluster: 1 });
    assert.equal(s.hoveredCluster, 1);
    assert.equal(shownHover(s), 1);
    assert.equal(reduce(s, { type: 'hoverCluster', cluster: 1 }), s);
    assert.equal(reduce(s, { type: 'hoverCluster', cluster: undefined }).hoveredCluster, undefined);
    assert.equal(reduce(s, { type: 'hoverCluster', cluster: -3 }).hoveredCluster, undefined);
    assert.equal(reduce(s, { type: 'hoverCluster', cluster: 0.5 }).hoveredCluster, undefined);
  });

  it('a cluster the shown parameters do not have highlights nothing; the hover is never saved', () => {
    const s = reduce(running(), { type: 'hoverCluster', cluster: 5 });
    assert.equal(s.hoveredCluster, 5);
    assert.equal(shownHover(s), undefined, 'K = 2: no cluster 6 to highlight (nothing dimmed)');
    assert.ok(!JSON.stringify(savedUi(reduce(running(), { type: 'hoverCluster', cluster: 1 }))).includes('hover'));
  });

  it('the label heatmap follows the scrubber; a run without per-iteration counts says it shows the final fit', () => {
    const snapshots = [0, 1, 2].map((t) => ({ model: 'bernoulli' as const, iteration: t, weights: [0.5, 0.5], means: [[0.2], [0.8]], sizes: [1, 1] }));
    const metrics = { accuracy: 1, adjustedRandIndex: 1, normalizedMutualInfo: 1, clusters: [], confusion: [[1, 0], [0, 1]], labelValues: [0, 1] };
    const result = { model: 'bernoulli', k: 2, iterations: 2, trace: [-3, -2, -1], snapshots, weights: [0.5, 0.5], means: [[0.2], [0.8]], labelMetrics: metrics } as never;
    let s = reduce(initialModel(), { type: 'restore', state: { ...FILE, options: DEFAULT_FIT_OPTIONS, result } });
    assert.equal(labelHeatmapNote(s), undefined, 'the final iteration: the heatmap is its own');
    s = reduce(s, { type: 'scrub', iteration: 1 });
    assert.equal(labelHeatmapNote(s), 'Clusters × labels of the final fit (iteration 2); the other charts show iteration 1.');
    // With per-iteration counts the heatmap shows the scrubbed iteration's, on one colour scale for all iterations.
    const counted = snapshots.map((sn, t) => ({ ...sn, confusion: t === 0 ? [[0, 2], [0, 0]] : [[1, 0], [0, 1]] }));
    let c = reduce(initialModel(), { type: 'restore', state: { ...FILE, options: DEFAULT_FIT_OPTIONS, result: { ...(result as object), snapshots: counted } as never } });
    c = reduce(c, { type: 'scrub', iteration: 0 });
    assert.deepEqual(labelConfusion(c, metrics), { counts: [[0, 2], [0, 0]], max: 2, final: false });
    assert.equal(labelHeatmapNote(c), undefined);
    const unlabelled = reduce(initialModel(), { type: 'restore', state: { ...FILE, options: DEFAULT_FIT_OPTIONS, result: { ...(result as object), labelMetrics: undefined } as never } });
    assert.equal(labelHeatmapNote(reduce(unlabelled, { type: 'scrub', iteration: 0 })), undefined);
  });

  it('a new run, an error or another candidate ends the hover', () => {
    const s = reduce(running(), { type: 'hoverCluster', cluster: 1 });
    assert.equal(reduce(s, { type: 'fitStarted', runId: 2, ...FILE, options: s.panel!.options }).hoveredCluster, undefined);
    assert.equal(reduce(s, { type: 'error', runId: 1, message: 'x' }).hoveredCluster, undefined);
  });
});
