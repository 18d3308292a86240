// The panel's Vega-Lite specs compile with vega-lite and render to SVG in Node through the CSP-safe interpreter,
// with the expected marks — driven by a real EM run (Old Faithful, Murphy fig. 11.11 start).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as vl from 'vega-lite';
import { loadDataset } from '../../../src/engine/data/load';
import { runEm } from '../../../src/engine/em/em';
import { fitDataset } from '../../../src/engine/fit';
import { GaussianFamily, gaussianLogResponsibilities } from '../../../src/engine/families/gaussian/family';
import type { GaussianSnapshot } from '../../../src/shared/protocol';
import { histogram, type Cov2 } from '../../../webview/geometry';
import {
  CONTOUR_RADII,
  DATA,
  MIXTURE_SERIES,
  confusionSpec,
  histogramData,
  histogramSpec,
  IMAGE_CAPTION_WIDTH,
  LOGLIK_PICK,
  shownIterationData,
  imageGridData,
  imageGridLayout,
  imageGridSpec,
  loglikSpec,
  scatterData,
  scatterSpec,
} from '../../../webview/specs';
import { markGroups, markItems, markLabels, renderSvg, renderView, testTheme } from './helpers';

const FAITHFUL = 'test/fixtures/faithful.csv';

function faithfulStandardised(): { values: Float64Array; n: number; d: number } {
  const rows = readFileSync(FAITHFUL, 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',').map(Number));
  const n = rows.length;
  const d = 2;
  const values = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    const col = rows.map((r) => r[j]);
    const mean = col.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    col.forEach((v, i) => (values[i * d + j] = (v - mean) / sd));
  }
  return { values, n, d };
}

function murphyRun() {
  const { values, n, d } = faithfulStandardised();
  const family = new GaussianFamily(values, n, d, {
    covarianceType: 'full',
    regularization: 1e-6,
    init: 'params',
    initParams: { weights: [0.5, 0.5], means: [[-1.5, 1.5], [1.5, -1.5]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] },
  });
  const run = runEm(family, { k: 2, maxIterations: 200, tolerance: 1e-7, variant: 'soft', restarts: 1, seed: 0, keepSnapshots: true });
  return { values, n, d, run };
}

function scatterAt(values: Float64Array, n: number, d: number, snapshot: GaussianSnapshot, xj = 0, yj = 1) {
  const k = snapshot.weights.length;
  const logResp = new Float64Array(n * k);
  gaussianLogResponsibilities(values, n, d, snapshot, logResp);
  const x = Array.from({ length: n }, (_, i) => values[i * d + xj]);
  const y = Array.from({ length: n }, (_, i) => values[i * d + yj]);
  const covariances: Cov2[] = snapshot.covariances.map((c) => [c[xj][xj], c[xj][yj], c[yj][yj]]);
  const means = snapshot.means.map((m) => [m[xj], m[yj]] as [number, number]);
  return { data: scatterData({ x, y, logResp, k, means, covariances }), logResp };
}

describe('webview specs: Gaussian scatter with contours', () => {
  const theme = testTheme('dark');
  const { values, n, d, run } = murphyRun();

  it('draws one point per plotted row, one contour line per component and radius, and the means (Murphy 11.11)', async () => {
    assert.ok(run.snapshots.length >= 6, 'the run has the iterations of the figure');
    for (const t of [0, 1, 3, 5, run.snapshots.length - 1]) {
      const snapshot = run.snapshots[t] as GaussianSnapshot;
      const { data } = scatterAt(values, n, d, snapshot);
      const spec = scatterSpec(data, { xTitle: 'eruptions', yTitle: 'waiting', k: 2, xDomain: [-2, 2], yDomain: [-2.5, 2], title: `Iteration ${t}`, theme });
      assert.ok(vl.compile(spec).spec.marks, 'compiles to Vega');
      const svg = await renderSvg(spec);
      assert.equal(markItems(svg, 'points'), n, `iteration ${t}: ${n} points`);
      const contourGroups = markGroups(svg, 'contours');
      assert.equal(contourGroups.length, 2 * CONTOUR_RADII.length, 'one contour series per component per radius');
      assert.ok(contourGroups.every((c) => c === 1), 'each contour series is one path');
      assert.deepEqual(markLabels(svg, 'contours').sort(), ['component 1, radius 1', 'component 1, radius 2', 'component 2, radius 1', 'component 2, radius 2']);
      assert.equal(markItems(svg, 'means'), 2);
      assert.ok(svg.includes(`Iteration ${t}`), 'title shows the iteration');
    }
  });

  it('rows with missing cells: their own point shape and a legend that says where they are placed', async () => {
    const last = run.snapshots[run.snapshots.length - 1] as GaussianSnapshot;
    const { data: plain, logResp } = scatterAt(values, n, d, last);
    const incomplete = Array.from({ length: n }, (_, i) => i % 10 === 0);
    const x = plain.points.map((p) => p.x as number);
    const y = plain.points.map((p) => p.y as number);
    const means = last.means.map((m) => [m[0], m[1]] as [number, number]);
    const covariances: Cov2[] = last.covariances.map((c) => [c[0][0], c[0][1], c[1][1]]);
    const data = scatterData({ x, y, logResp, k: 2, means, covariances, incomplete, incompletePlacement: 'at E[x | observed cells]' });
    assert.equal(data.points.filter((p) => p.cells === 'missing cells, at E[x | observed cells]').length, 28);
    const spec = scatterSpec(data, { xTitle: 'eruptions', yTitle: 'waiting', k: 2, xDomain: [-2, 2], yDomain: [-2.5, 2], title: 'missing', theme });
    const svg = await renderSvg(spec);
    assert.equal(markItems(svg, 'points'), n);
    // Vega draws a triangle-up as a three-vertex path; circles as arcs.
    const triangles = (svg.match(/<path[^>]*d="M0,-[0-9.]+L[0-9.-]+,[0-9.-]+L-?[0-9.]+,[0-9.-]+Z"/g) ?? []).length;
    assert.ok(triangles >= 28 && triangles <= 30, `${triangles} triangles (28 points and the legend)`);
    assert.ok(svg.includes('missing cells, at E[x | observed cells]'), 'the legend says where they are placed');
    // Without missing cells: no shape encoding at all (the spec is as before).
    assert.equal((scatterSpec(plain, { xTitle: 'a', yTitle: 'b', k: 2, xDomain: [-2, 2], yDomain: [-2.5, 2], title: 't', theme }) as { layer: { encoding?: { shape?: unknown } }[] }).layer[0].encoding!.shape, undefined);
  });

  it('colours K = 2 by r₁ − r₂ computed from the snapshot (points near a mean get that component)', () => {
    const last = run.snapshots[run.snapshots.length - 1] as GaussianSnapshot;
    const { data, logResp } = scatterAt(values, n, d, last);
    for (let i = 0; i < n; i++) {
      const r = data.points[i].r as number;
      assert.ok(r >= -1 && r <= 1);
      assert.ok(Math.abs(r - (Math.exp(logResp[2 * i]) - Math.exp(logResp[2 * i + 1]))) < 1e-12);
    }
    // The point closest to each fitted mean is (almost) entirely that component's.
    last.means.forEach((m, j) => {
      let best = 0;
      let bestD = Infinity;
      for (let i = 0; i < n; i++) {
        const dist = (values[i * d] - m[0]) ** 2 + (values[i * d + 1] - m[1]) ** 2;
        if (dist < bestD) [best, bestD] = [i, dist];
      }
      const r = data.points[best].r as number;
      assert.ok(j === 0 ? r > 0.9 : r < -0.9, `component ${j + 1}: r₁ − r₂ = ${r}`);
    });
  });

  it('contour ellipses are at Mahalanobis radius 1 and 2 of each marginal', () => {
    const last = run.snapshots[run.snapshots.length - 1] as GaussianSnapshot;
    const { data } = scatterAt(values, n, d, last);
    for (const row of data.contours) {
      const j = Number(String(row.component).split(' ')[1]) - 1;
      const [[a, b], [, c]] = last.covariances[j];
      const dx = (row.x as number) - last.means[j][0];
      const dy = (row.y as number) - last.means[j][1];
      const m2 = (c * dx * dx - 2 * b * dx * dy + a * dy * dy) / (a * c - b * b);
      assert.ok(Math.abs(Math.sqrt(m2) - (row.radius as number)) < 1e-9);
    }
  });

  it('K > 2: colour by the most likely component, opacity by its responsibility', async () => {
    const snapshot: GaussianSnapshot = {
      model: 'gaussian',
      iteration: 0,
      weights: [0.3, 0.3, 0.4],
      means: [[-1, -1], [1, 1], [0, 1.5]],
      covariances: [[[0.5, 0.1], [0.1, 0.5]], [[0.4, 0], [0, 0.4]], [[0.3, -0.1], [-0.1, 0.6]]],
    };
    const { data, logResp } = scatterAt(values, n, d, snapshot);
    for (let i = 0; i < n; i++) {
      const lr = [logResp[3 * i], logResp[3 * i + 1], logResp[3 * i + 2]];
      const arg = lr.indexOf(Math.max(...lr));
      assert.equal(data.points[i].component, `component ${arg + 1}`);
      assert.ok(Math.abs((data.points[i].rmax as number) - Math.exp(lr[arg])) < 1e-12);
    }
    const svg = await renderSvg(scatterSpec(data, { xTitle: 'a', yTitle: 'b', k: 3, xDomain: [-2, 2], yDomain: [-2, 2], title: 't', theme }));
    assert.equal(markItems(svg, 'points'), n);
    assert.equal(markGroups(svg, 'contours').length, 3 * CONTOUR_RADII.length);
    assert.equal(markItems(svg, 'means'), 3);
  });

  it('scrubbing swaps the datasets of a live view (same marks, new iteration)', async () => {
    const first = scatterAt(values, n, d, run.snapshots[0] as GaussianSnapshot).data;
    const view = await renderView(scatterSpec(first, { xTitle: 'a', yTitle: 'b', k: 2, xDomain: [-2, 2], yDomain: [-2.5, 2], title: 'Iteration 0', theme }));
    const later = scatterAt(values, n, d, run.snapshots[3] as GaussianSnapshot).data;
    view.data(DATA.points, later.points).data(DATA.contours, later.contours).data(DATA.means, later.means).signal('title', 'Iteration 3');
    await view.runAsync();
    const svg = await view.toSVG();
    view.finalize();
    assert.equal(markItems(svg, 'points'), n);
    assert.equal(markGroups(svg, 'contours').length, 4);
    assert.ok(svg.includes('Iteration 3') && !svg.includes('Iteration 0'));
  });
});

describe('webview specs: log-likelihood curve', () => {
  const theme = testTheme('light');
  it('one point per iteration, a line, and a rule at the converged iteration', async () => {
    const { run } = murphyRun();
    const svg = await renderSvg(loglikSpec([{ name: 'log-likelihood', values: run.trace }], { theme, convergedIteration: run.iterations }));
    assert.equal(markItems(svg, 'loglik_points'), run.trace.length);
    assert.deepEqual(markGroups(svg, 'loglik_line'), [1]);
    assert.equal(markItems(svg, 'converged'), 1);
    // Each point's aria-label carries the exact value (screen readers, end-to-end tests).
    const labelled = markLabels(svg, 'loglik_points').map((l) => /^iteration: (\d+); log-likelihood: (\S+)$/.exec(l)!);
    assert.deepEqual(labelled.map((m) => Number(m[2])), run.trace);
    assert.deepEqual(labelled.map((m) => Number(m[1])), run.trace.map((_, i) => i));
  });
  it('Bernoulli: the objective and the plain log-likelihood as two series', async () => {
    const objective = [-900, -700, -650, -640, -639];
    const ll = [-910, -712, -661, -652, -651];
    const svg = await renderSvg(loglikSpec([{ name: 'objective', values: objective }, { name: 'log-likelihood', values: ll }], { theme }));
    assert.equal(markItems(svg, 'loglik_points'), 10);
    assert.equal(markGroups(svg, 'loglik_line').length, 2);
    assert.equal(markItems(svg, 'converged'), 0);
  });
  it('marks the shown iteration with a rule that moves with view.data, and exposes the click selection as a signal', async () => {
    const values = [-900, -700, -650, -640, -639];
    const view = await renderView(loglikSpec([{ name: 'log-likelihood', values }], { theme, shownIteration: 1 }));
    assert.deepEqual(markLabels(await view.toSVG(), 'shown_iteration'), ['shown: iteration 1']);
    const ruleX = async () => /shown_iteration_marks"[^>]*><line [^>]*transform="translate\(([\d.]+),/.exec(await view.toSVG())?.[1];
    const pointX = async (t: number) => {
      const svg = await view.toSVG();
      const group = svg.slice(svg.indexOf('loglik_points_marks'));
      return [...group.matchAll(/<path [^>]*transform="translate\(([\d.]+),/g)][t]?.[1];
    };
    assert.equal(await ruleX(), await pointX(1));
    view.data(DATA.shownIteration, shownIterationData(3));
    await view.runAsync();
    assert.equal(await ruleX(), await pointX(3));
    assert.doesNotThrow(() => view.signal(LOGLIK_PICK));
    view.finalize();
  });
});

describe('webview specs: 1-D histogram with component densities', () => {
  it('bars of the histogram, one density line per component plus the mixture, scaled to the counts', async () => {
    const { values, n, d } = faithfulStandardised();
    const x = Array.from({ length: n }, (_, i) => values[i * d]);
    const h = histogram(x);
    assert.equal(h.counts.reduce((a, b) => a + b, 0), n);
    const weights = [0.35, 0.65];
    const means = [-1.3, 0.7];
    const variances = [0.05, 0.15];
    const data = histogramData({ edges: h.edges, counts: h.counts, weights, means, variances, n });
    // The mixture curve integrates (×bin width) to about n over the range.
    const mixture = data.densities.filter((r) => r.series === MIXTURE_SERIES);
    const step = (mixture[1].x as number) - (mixture[0].x as number);
    const area = mixture.reduce((a, r) => a + (r.density as number) * step, 0) / h.width;
    assert.ok(Math.abs(area - n) / n < 0.05, `area ${area} ≈ ${n}`);
    const svg = await renderSvg(histogramSpec(data, { xTitle: 'eruptions', k: 2, title: 'Iteration 4', theme: testTheme('light') }));
    assert.equal(markItems(svg, 'histogram_bars'), h.counts.length);
    assert.deepEqual(markLabels(svg, 'density_lines').sort(), ['component 1', 'component 2', MIXTURE_SERIES]);
    // Drawn in document order: the mixture first, so the component curves lie above it and stay visible.
    assert.deepEqual(markLabels(svg, 'density_lines'), [MIXTURE_SERIES, 'component 1', 'component 2']);
  });
});

describe('webview specs: Bernoulli image grid and the cluster × label heatmap', () => {
  const theme = testTheme('high-contrast');
  const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
  it('K bitmap images (one image mark per cluster, no shape per pixel), captioned per cluster on two lines', async () => {
    for (const k of [10, 3]) {
      const titles = Array.from({ length: k }, (_, c) => `#${c + 1} · n ${100 + c}\nπ 0.${c}00`);
      const rows = imageGridData(titles.map(() => PIXEL), titles);
      const svg = await renderSvg(imageGridSpec(rows, { layout: imageGridLayout([28, 28], k, 600), theme }));
      assert.equal(markGroups(svg, 'image_pixels').length, k, `${k} images`);
      assert.equal((svg.match(/<image\b/g) ?? []).length, k, 'one bitmap per cluster');
      assert.equal((svg.match(/<rect\b/g) ?? []).length, 1, 'only the background is a rect');
      for (let c = 0; c < k; c++) assert.ok(svg.includes(`<tspan>#${c + 1} · n ${100 + c}</tspan>`), `caption of #${c + 1}, first line`);
    }
  });
  it('wraps the grid to the panel width: never wider than the panel, captions never narrower than they need', () => {
    const wide = imageGridLayout([28, 28], 10, 1300);
    assert.equal(wide.columns, 10);
    assert.equal(wide.width, 84);
    // 5 columns need 5 × 112 + 4 × 10 = 600 pixels.
    assert.equal(imageGridLayout([28, 28], 10, 600).columns, 5);
    assert.equal(imageGridLayout([28, 28], 10, 599).columns, 4);
    assert.equal(imageGridLayout([28, 28], 10, 150).columns, 1);
    assert.equal(imageGridLayout([28, 28], 10, 0).columns, 1);
    for (const available of [200, 350, 600, 900]) {
      const { columns } = imageGridLayout([28, 28], 10, available);
      assert.ok(columns * IMAGE_CAPTION_WIDTH + (columns - 1) * 10 <= available, `${columns} columns fit in ${available} px`);
    }
  });
  it('a K × L confusion heatmap with the counts', async () => {
    const confusion = [
      [50, 2, 0],
      [1, 40, 3],
      [0, 5, 60],
      [7, 0, 1],
    ];
    const svg = await renderSvg(confusionSpec(confusion, [0, 1, 7], theme));
    assert.equal(markItems(svg, 'confusion_cells'), 12);
    assert.equal(markItems(svg, 'confusion_counts'), 12);
    assert.ok(svg.includes('>60<') && svg.includes('>40<'));
  });

  it('a Gaussian fit with text labels (iris K = 3): one cell per cluster × species, named by the species', async function () {
    this.timeout(30_000);
    const m = fitDataset(loadDataset('iris.csv', readFileSync('test/fixtures/iris.csv'), {}), { k: 3, covarianceType: 'full' }).result.labelMetrics!;
    // The counts sklearn's contingency table gives for the same assignments (test/reference/sklearn_iris_labels.json).
    const ref = JSON.parse(readFileSync('test/reference/sklearn_iris_labels.json', 'utf8')) as { confusion: number[][]; labelNames: string[] };
    const svg = await renderSvg(confusionSpec(m.confusion, m.labelValues, theme, m.labelNames));
    assert.equal(markItems(svg, 'confusion_cells'), 9);
    assert.equal(markItems(svg, 'confusion_counts'), 9);
    const expected = ref.confusion.flatMap((row, k) => row.map((count, l) => `cluster #${k + 1}, label ${ref.labelNames[l]}: ${count}`));
    assert.deepEqual(markLabels(svg, 'confusion_cells').sort(), expected.sort());
    for (const name of ['setosa', 'versicolor', 'virginica']) assert.ok(svg.includes(`>${name}</text>`), `axis label ${name}`);
  });
});
