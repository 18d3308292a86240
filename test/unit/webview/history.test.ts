// The panel's run history (webview/state/history.ts, the reducer's part, webview/specs/history.ts): the host's runs
// kept across re-runs of the same file, two picked for comparison (saved with the UI choices), their ΔBIC from two
// real fits of Old Faithful checked against −2 ln L + p ln n and R's mclust, components paired by their means, and the side-by-side
// chart compiled and rendered as the panel renders it.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import { summarizeRun } from '../../../src/host/runHistory';
import { DEFAULT_FIT_OPTIONS, type HostToWebview, type RunSummary } from '../../../src/shared/protocol';
import { compareData, compareSpec } from '../../../webview/specs/history';
import { comparedRuns, compareRuns, pairedComponents, runModel, toggleCompare } from '../../../webview/state/history';
import { initialModel, reduce, savedUi, type PanelMessage } from '../../../webview/state/reducer';
import { markGroups, renderSvg, testTheme } from './helpers';

const FILE = { fileName: 'faithful.csv', fileUri: 'file:///data/faithful.csv' };

function faithfulRun(k: number, id: number): RunSummary {
  const options = { ...DEFAULT_FIT_OPTIONS, model: 'gaussian' as const, k, covarianceType: 'full' as const, maxIterations: 300, seed: 3 };
  const result = fitDataset(loadDataset('faithful.csv', readFileSync('test/fixtures/faithful.csv'), {}), options).result;
  return summarizeRun(result, options, id, Date.UTC(2026, 0, 1, 12, 0, id));
}

function run(id: number, means: number[][], bic = 100 + id, extra: Partial<RunSummary> = {}): RunSummary {
  return {
    id, finishedAt: id * 1000, model: 'gaussian', k: means.length, covariance: 'full', bic, aic: bic, logLikelihood: -bic / 2, iterations: 4, converged: true,
    degenerate: false, elapsedMs: 12, n: 272, d: 2, columns: ['eruptions', 'waiting'], standardized: false,
    params: { weights: means.map(() => 1 / means.length), means, covariances: means.map(() => [[1, 0], [0, 1]]) }, ...extra,
  };
}

const started = (runId: number, file = FILE): HostToWebview => ({ type: 'fitStarted', runId, ...file, options: DEFAULT_FIT_OPTIONS });

describe('run history in the panel', () => {
  it('the history comes with each result and stays through re-runs of the same file; another file starts empty', () => {
    const history = [run(1, [[0, 0]]), run(2, [[0, 0], [5, 5]])];
    let s = reduce(initialModel(), started(1));
    assert.deepEqual(s.history, []);
    const done: PanelMessage = { type: 'done', runId: 1, result: { model: 'gaussian', k: 2, trace: [], snapshots: [], weights: [0.5, 0.5], means: [[0, 0], [5, 5]], covariances: [], iterations: 0 } as never, history };
    s = reduce(s, done);
    assert.deepEqual(s.history.map((r) => r.id), [1, 2]);
    s = reduce(s, started(2));
    assert.deepEqual(s.history.map((r) => r.id), [1, 2], 'a re-run keeps the list until its own result');
    s = reduce(s, { type: 'history', runs: [...history, run(3, [[1, 1]])] });
    assert.equal(s.history.length, 3);
    assert.deepEqual(reduce(s, started(3, { fileName: 'other.csv', fileUri: 'file:///data/other.csv' })).history, []);
    const restored = reduce(initialModel(), { type: 'restore', state: { ...FILE, options: DEFAULT_FIT_OPTIONS, history } });
    assert.deepEqual(restored.history.map((r) => r.id), [1, 2]);
  });

  it('two runs are picked for comparison (a third replaces the older pick); the pick is saved with the UI choices', () => {
    assert.deepEqual(toggleCompare(undefined, 3), [3]);
    assert.deepEqual(toggleCompare([3], 5), [3, 5]);
    assert.deepEqual(toggleCompare([3, 5], 7), [5, 7]);
    assert.deepEqual(toggleCompare([5, 7], 5), [7]);
    let s = reduce(reduce(initialModel(), started(1)), { type: 'compareRun', run: 2 });
    s = reduce(s, { type: 'compareRun', run: 1 });
    assert.deepEqual(savedUi(s)?.ui.compareRuns, [2, 1]);
    s = reduce(reduce(s, { type: 'compareRun', run: 2 }), { type: 'compareRun', run: 1 });
    assert.ok(!('compareRuns' in s.ui), 'nothing picked: no key');
    const history = [run(1, [[0, 0]]), run(2, [[1, 1]]), run(3, [[2, 2]])];
    assert.deepEqual(comparedRuns(history, [3, 1])?.map((r) => r.id), [1, 3], 'older first');
    assert.equal(comparedRuns(history, [3, 9]), undefined, 'a run no longer kept compares nothing');
    assert.equal(comparedRuns(history, [3]), undefined);
  });

  it('ΔBIC of two real fits (K = 2 and 3, full): the difference of −2 ln L + p ln n, and the evidence it gives', function () {
    this.timeout(20000);
    const a = faithfulRun(2, 1);
    const b = faithfulRun(3, 2);
    const bic = (r: RunSummary, p: number) => -2 * r.logLikelihood + p * Math.log(272);
    const expected = bic(b, 3 - 1 + 3 * 2 + 3 * 3) - bic(a, 2 - 1 + 2 * 2 + 2 * 3);
    const c = compareRuns(a, b);
    assert.ok(Math.abs(c.delta - expected) < 1e-6, `${c.delta} vs ${expected}`);
    // R's mclust (test/reference/make_mclust_history_reference.R): the same K = 2 optimum, and K = 3 worse by BIC.
    const mclust = JSON.parse(readFileSync('test/reference/mclust_history_faithful.json', 'utf8')) as { VVV: Record<string, number> };
    assert.ok(Math.abs(a.bic + mclust.VVV['2']) < 0.01, `BIC ${a.bic} vs mclust ${-mclust.VVV['2']}`);
    assert.ok(c.delta > 0 && -mclust.VVV['3'] > -mclust.VVV['2'], `Δ BIC ${c.delta}`);
    assert.equal(c.better?.id, 1);
    assert.match(c.text, /^run 2 − run 1: Δ BIC \+\d+\.\d \(lower is better\) — (strong|very strong|positive|weak) evidence for run 1 \(Gaussian mixture \(full\), K = 2\)\.$/);
    assert.equal(runModel(a), 'Gaussian mixture (full), K = 2');
  });

  it('runs of other rows or columns are compared by their parameters only', () => {
    const c = compareRuns(run(1, [[0, 0]]), run(2, [[0, 0]], 50, { columns: ['waiting', 'eruptions'] }));
    assert.equal(c.better, undefined);
    assert.match(c.text, /different rows or columns/);
  });

  it('components are paired by their means (closest first), unpaired ones get their own row', () => {
    const a = run(1, [[0, 0], [5, 5]]);
    const b = run(2, [[5.2, 5], [10, 10], [0.1, -0.2]]);
    assert.deepEqual(pairedComponents(a, b), [{ a: 0, b: 2 }, { a: 1, b: 0 }, { b: 1 }]);
    assert.deepEqual(pairedComponents(b, a), [{ a: 0, b: 1 }, { a: 1 }, { a: 2, b: 0 }]);
    // Without means (too large to keep), by index.
    const bare = { ...b, params: { weights: b.params.weights } };
    assert.deepEqual(pairedComponents(a, bare), [{ a: 0, b: 0 }, { a: 1, b: 1 }, { b: 2 }]);
  });

  it('the side-by-side chart: one cell per run, each run\'s ellipses and means, paired components in one colour', async () => {
    const theme = testTheme();
    const fits = [
      { label: 'run 1', means: [[0, 0], [5, 5]] as [number, number][], covariances: [[1, 0, 1], [1, 0, 1]] as [number, number, number][], slots: [0, 1] },
      { label: 'run 2', means: [[5, 5], [0, 0], [9, 9]] as [number, number][], covariances: [[1, 0, 1], [1, 0, 1], [0.5, 0, 0.5]] as [number, number, number][], slots: [1, 0, 2] },
    ];
    const rows = compareData(fits, { x: [0, 1, 5, 6], y: [0, 1, 5, 6] });
    const svg = await renderSvg(compareSpec(rows, { runs: ['run 1', 'run 2'], slots: 3, xTitle: 'x', yTitle: 'y', xDomain: [-3, 12], yDomain: [-3, 12], theme, cell: 200 }));
    assert.deepEqual(markGroups(svg, 'compare_points'), [4, 4]);
    assert.deepEqual(markGroups(svg, 'compare_means'), [2, 3]);
    // Two radii per component, per cell.
    assert.equal(markGroups(svg, 'compare_contours').reduce((a, b) => a + b, 0), 2 * (2 + 3));
    const colour = (cellIndex: number, j: number) => {
      const groups = [...svg.matchAll(/<g class="mark-symbol role-mark compare_means_marks"[^>]*>([^]*?)<\/g>/g)].map((m) => m[1]);
      return /fill="([^"]+)"/.exec([...groups[cellIndex].matchAll(/<path[^>]*>/g)][j][0])?.[1];
    };
    assert.equal(colour(1, 0), colour(0, 1), 'run 2 component 1 pairs with run 1 component 2');
    assert.equal(colour(1, 1), colour(0, 0));
    assert.notEqual(colour(1, 2), colour(0, 0));
  });
});
