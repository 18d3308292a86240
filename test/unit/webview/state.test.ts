// The panel's pure state reducer and its render scheduler, without a browser: messages in, state and draws out.
import { strict as assert } from 'node:assert';
import { DEFAULT_FIT_OPTIONS, type FitResult, type GaussianSnapshot, type HostToWebview, type Selection, type SelectionEntry } from '../../../src/shared/protocol';
import { readFileSync } from 'node:fs';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import {
  componentColours,
  initialModel,
  reduce,
  sampleNote,
  savedUi,
  scatterAxes,
  shownCandidate,
  shownColours,
  shownIteration,
  snapshotAt,
  statusText,
  type PanelMessage,
  type PanelModel,
} from '../../../webview/state/reducer';
import { headerSubtitle, headerTitle } from '../../../webview/views/header';
import { createRenderScheduler, MAX_PAUSE_MS } from '../../../webview/state/scheduler';
import { bestCandidate, choiceText, clarityText, evidence, isModelSelection, rankCandidates, rankingText } from '../../../webview/state/selection';

const FILE = { fileName: 'faithful.csv', fileUri: 'file:///data/faithful.csv' };

function snapshot(iteration: number, means: number[][] = [[0, 0], [5, 5]]): GaussianSnapshot {
  return { model: 'gaussian', iteration, weights: means.map(() => 1 / means.length), means, covariances: means.map(() => [[1, 0], [0, 1]]) };
}

function result(iterations: number, extra: Partial<FitResult> = {}): FitResult {
  const snapshots = Array.from({ length: iterations + 1 }, (_, t) => snapshot(t));
  return {
    model: 'gaussian', modelReason: 'chosen by the user', k: 2, n: 200000, d: 2, columns: ['a', 'b'], converged: true, iterations,
    logLikelihood: -10, trace: snapshots.map((_, t) => -20 + t), weights: [0.5, 0.5], means: [[0, 0], [5, 5]],
    covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]], assignments: [], bic: 1, aic: 1, snapshots, restartObjectives: [-10], elapsedMs: 3, ...extra,
  };
}

function run(runId: number, progress: number): HostToWebview[] {
  return [
    { type: 'fitStarted', runId, ...FILE, options: DEFAULT_FIT_OPTIONS },
    { type: 'loaded', runId, summary: { fileName: FILE.fileName, n: 200000, d: 2, columns: ['a', 'b'], droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [] }, model: 'gaussian', modelReason: 'x', plotSample: { indices: [0, 1], values: [0, 0, 1, 1], d: 2 } },
    ...Array.from({ length: progress }, (_, t): HostToWebview => ({ type: 'progress', runId, restart: 0, iteration: t, objective: -20 + t, logLikelihood: -20 + t, snapshot: snapshot(t) })),
  ];
}

const replay = (messages: PanelMessage[], from: PanelModel = initialModel()) => messages.reduce(reduce, from);

describe('webview state reducer', () => {
  it('follows a run: loading, running with one snapshot per iteration, done with the result', () => {
    let s = replay(run(1, 1).slice(0, 1));
    assert.equal(s.phase, 'loading');
    assert.equal(statusText(s), 'Reading faithful.csv…');
    s = replay(run(1, 4).slice(1), s);
    assert.equal(s.phase, 'running');
    assert.equal(s.snapshots.length, 4);
    assert.equal(statusText(s), 'Fitting… iteration 3');
    s = reduce(s, { type: 'done', runId: 1, result: result(6) });
    assert.equal(s.phase, 'done');
    assert.equal(s.snapshots.length, 7);
    assert.equal(statusText(s), 'Converged after 6 iterations.');
    // Late messages of the finished run change nothing.
    assert.equal(reduce(s, { type: 'progress', runId: 1, restart: 0, iteration: 9, objective: 0, logLikelihood: 0, snapshot: snapshot(9) }), s);
  });

  it('a result whose snapshots were thinned (out of core, within the budget) shows each iteration\'s nearest kept snapshot', () => {
    const full = result(9);
    const kept = [0, 3, 6, 9].map((t) => full.snapshots![t]);
    const s = reduce(replay(run(1, 2)), { type: 'done', runId: 1, result: { ...full, snapshots: kept } });
    assert.equal(s.snapshots.length, 10, 'one slot per iteration of the trace');
    for (let t = 0; t <= 9; t++) assert.equal(snapshotAt(s, t)?.iteration, t - (t % 3), `iteration ${t}`);
    assert.equal(snapshotAt(s, s.snapshots.length - 1)?.iteration, 9, 'the last is the result');
  });

  it('out of core: the parse, then each pass over the rows, in the status line; another run\'s progress is ignored', () => {
    const MB = 1024 * 1024;
    let s = replay(run(1, 1).slice(0, 1));
    s = reduce(s, { type: 'streamProgress', runId: 1, phase: 'parse', done: 120 * MB, total: 1024 * MB });
    assert.equal(statusText(s), 'Reading faithful.csv… read 120 of 1,024 MB');
    assert.equal(reduce(s, { type: 'streamProgress', runId: 2, phase: 'parse', done: 900 * MB, total: 1024 * MB }), s);
    s = replay(run(1, 3).slice(1), s);
    s = reduce(s, { type: 'streamProgress', runId: 1, phase: 'pass', pass: 5, done: 1_200_000, total: 48_000_000 });
    assert.equal(statusText(s), 'Fitting… iteration 2 (pass 5 over the rows: 1,200,000 of 48,000,000)');
    s = reduce(s, { type: 'streamProgress', runId: 1, phase: 'pass', pass: 5, done: 48_000_000, total: 48_000_000 });
    assert.equal(statusText(s), 'Fitting… iteration 2');
  });

  it('does not mutate the state it is given', () => {
    const s = replay(run(1, 3));
    const frozen = JSON.stringify(s);
    reduce(s, { type: 'progress', runId: 1, restart: 0, iteration: 3, objective: 0, logLikelihood: 0, snapshot: snapshot(3) });
    reduce(s, { type: 'scrub', iteration: 1 });
    assert.equal(JSON.stringify(s), frozen);
  });

  it('a new restart starts the series again at iteration 0', () => {
    let s = replay(run(1, 5));
    s = reduce(s, { type: 'progress', runId: 1, restart: 1, iteration: 0, objective: -30, logLikelihood: -30, snapshot: snapshot(0) });
    assert.equal(s.snapshots.length, 1);
    assert.deepEqual(s.objective, [-30]);
  });

  it('the scrubber holds an iteration and follows the fit again at the newest one', () => {
    let s = replay(run(1, 5));
    s = reduce(s, { type: 'scrub', iteration: 2 });
    assert.equal(shownIteration(s), 2);
    s = reduce(s, { type: 'progress', runId: 1, restart: 0, iteration: 5, objective: 0, logLikelihood: 0, snapshot: snapshot(5) });
    assert.equal(shownIteration(s), 2, 'scrubbed: stays');
    s = reduce(s, { type: 'scrub', iteration: 5 });
    assert.equal(s.ui.iteration, undefined);
    assert.equal(shownIteration(s), 5);
  });

  it('a re-run keeps the previous charts (stale, dimmed) until its first snapshot', () => {
    let s = reduce(replay(run(1, 3)), { type: 'done', runId: 1, result: result(4) });
    s = replay(run(2, 0), s);
    assert.equal(s.stale, true);
    assert.equal(s.clearCharts, false);
    assert.equal(s.snapshots.length, 5, 'the previous fit is still drawable');
    assert.equal(s.panel?.result, undefined);
    assert.equal(statusText(s), 'Fitting…');
    s = reduce(s, { type: 'progress', runId: 2, restart: 0, iteration: 0, objective: -1, logLikelihood: -1, snapshot: snapshot(0) });
    assert.equal(s.stale, false);
    assert.equal(s.snapshots.length, 1);
    // Another file: nothing of the old one is kept.
    const other = reduce(s, { type: 'fitStarted', runId: 3, fileName: 'other.csv', fileUri: 'file:///data/other.csv', options: DEFAULT_FIT_OPTIONS });
    assert.equal(other.stale, false);
    assert.equal(other.clearCharts, true);
    assert.equal(other.snapshots.length, 0);
  });

  it('an error clears the charts; a cancel keeps the iterations reached', () => {
    const s = replay(run(1, 3));
    const failed = reduce(s, { type: 'error', runId: 1, message: 'faithful.csv: boom' });
    assert.equal(failed.phase, 'error');
    assert.equal(failed.clearCharts, true);
    assert.equal(statusText(failed), 'faithful.csv: boom');
    const cancelled = reduce(s, { type: 'cancelled', runId: 1 });
    assert.equal(statusText(cancelled), 'Cancelled at iteration 2. The charts show the parameters reached so far.');
    assert.equal(cancelled.clearCharts, false);
  });

  it('a degenerate fit says "Degenerate" with the reason, not "Converged"', () => {
    const s = reduce(replay(run(1, 1)), { type: 'done', runId: 1, result: result(3, { degenerate: [{ component: 1, reason: 'its covariance is at the regularisation floor' }] }) });
    assert.equal(statusText(s), 'Degenerate after 3 iterations: component 2: its covariance is at the regularisation floor');
  });

  it('restore shows the host’s last result; the saved UI keeps only the choices', () => {
    let s = reduce(initialModel(), { type: 'restoreUi', saved: { ...FILE, options: DEFAULT_FIT_OPTIONS, ui: { xColumn: 1, yColumn: 0, iteration: 2 } } });
    s = reduce(s, { type: 'restore', state: { ...FILE, options: DEFAULT_FIT_OPTIONS, result: result(5) } });
    assert.equal(s.phase, 'done');
    assert.equal(s.snapshots.length, 6);
    assert.deepEqual(s.ui, { xColumn: 1, yColumn: 0, iteration: 2 });
    const saved = savedUi(s)!;
    assert.deepEqual(Object.keys(saved).sort(), ['fileName', 'fileUri', 'options', 'ui']);
    assert.ok(JSON.stringify(saved).length < 1000);
  });

  it('a panel restored without a result says so (not "Waiting for the fit"), and still names its file for the next reload', () => {
    const s = reduce(initialModel(), { type: 'restore', state: { ...FILE, options: DEFAULT_FIT_OPTIONS } });
    assert.equal(statusText(s), 'No result was kept from the last run of this file. Re-run to fit it.');
    assert.equal(savedUi(s)?.fileUri, FILE.fileUri);
  });

  it('says how many rows are plotted when the plot sample is smaller than n', () => {
    assert.equal(sampleNote({ n: 200000 }, 5000), 'showing 5,000 of 200,000 rows, sampled evenly');
    assert.equal(sampleNote({ n: 272 }, 272), undefined);
  });
});

// ------------------------------------------------------------------ model selection

const MODELS = ['EII', 'VVV'];
const KS = [1, 2, 3];

/** A candidate as the engine reports it; `bic` null = failed (with the reason). */
function entry(k: number, covariance: string, bic: number | null, reason?: string): SelectionEntry {
  const means = Array.from({ length: k }, (_, j) => [j * 5, j * 5]);
  return {
    k, covariance, logLikelihood: bic === null ? null : -bic / 2, parameters: 3 * k, bic, icl: bic === null ? null : bic + 1, aic: bic === null ? null : bic - 5,
    iterations: 7, converged: bic !== null, degenerate: false, ...(reason ? { reason } : {}),
    ...(bic === null ? {} : { params: { weights: means.map(() => 1 / k), means, covariances: means.map(() => [[1, 0], [0, 1]]) } }),
  };
}

const SWEEP: SelectionEntry[] = [entry(3, 'EII', 120), entry(3, 'VVV', null, 'a covariance is singular'), entry(2, 'EII', 100), entry(2, 'VVV', 104.5), entry(1, 'EII', 150), entry(1, 'VVV', 140)];

function selectionProgress(runId: number, entries: SelectionEntry[], from = 0): HostToWebview[] {
  return entries.map((e, i): HostToWebview => ({ type: 'selectionProgress', runId, criterion: 'bic', ks: KS, models: MODELS, entry: e, done: from + i + 1, total: KS.length * MODELS.length }));
}

function selectionResult(extra: Partial<Selection> = {}): FitResult {
  const selection: Selection = { criterion: 'bic', ks: KS, models: MODELS, entries: SWEEP, chosen: { k: 2, covariance: 'EII' }, ...extra };
  return result(4, { covarianceType: 'EII', selection });
}

describe('webview state: model selection', () => {
  it('accumulates the candidates of the current run as they finish and says how far the sweep is', () => {
    let s = replay([...run(1, 0), ...selectionProgress(1, SWEEP.slice(0, 4))]);
    assert.equal(s.phase, 'running');
    assert.equal(s.selection?.entries.length, 4);
    assert.equal(s.selection?.done, 4);
    assert.equal(statusText(s), 'Fitting candidates… 4 of 6');
    // The same candidate again replaces its entry (never counted twice).
    s = reduce(s, selectionProgress(1, [entry(3, 'EII', 119)], 3)[0]);
    assert.equal(s.selection?.entries.length, 4);
    assert.equal(s.selection?.entries.find((e) => e.k === 3 && e.covariance === 'EII')?.bic, 119);
    // Live, the best so far is ranked first; the missing one is not ranked.
    const ranked = rankCandidates(s.selection!);
    assert.deepEqual(ranked.map((r) => [r.entry.covariance, r.entry.k, r.delta]), [['EII', 2, 0], ['VVV', 2, 4.5], ['EII', 3, 19]]);
    assert.deepEqual(bestCandidate(s.selection!), { k: 2, covariance: 'EII' });
  });

  it('ignores the candidates of another run and of a run that ended', () => {
    const s = replay([...run(2, 0), ...selectionProgress(2, SWEEP.slice(0, 2))]);
    assert.equal(reduce(s, selectionProgress(1, SWEEP.slice(2, 3))[0]), s, 'an older run');
    const done = reduce(s, { type: 'done', runId: 2, result: selectionResult() });
    assert.equal(reduce(done, selectionProgress(2, [entry(1, 'EII', 1)], 5)[0]), done, 'after done');
    // A fresh run starts without the previous run's selection.
    const next = reduce(done, { type: 'fitStarted', runId: 3, ...FILE, options: DEFAULT_FIT_OPTIONS });
    assert.equal(next.selection, undefined);
  });

  it('done takes the result’s selection: the engine’s choice, every candidate, the header names the choice', () => {
    const s = replay([...run(1, 0), ...selectionProgress(1, SWEEP.slice(0, 2)), { type: 'done', runId: 1, result: selectionResult() }]);
    assert.equal(s.selection?.entries.length, 6);
    assert.equal(s.selection?.finished, true);
    assert.deepEqual(s.selection?.chosen, { k: 2, covariance: 'EII' });
    assert.equal(choiceText(s.selection!), 'K = 2, EII (chosen by BIC among 6 candidates)');
    assert.equal(clarityText(s.selection!), 'EII, K = 2 over the next best, VVV, K = 2: Δ BIC 4.5 — positive evidence (Kass & Raftery: Δ < 2 weak, 2–6 positive, 6–10 strong, > 10 very strong).');
    assert.equal(rankingText(rankCandidates(s.selection!)[1], 'bic'), 'VVV, K = 2 — BIC 104.5 — Δ 4.5');
    // Restored after a reload: the same selection from the kept result.
    const restored = reduce(initialModel(), { type: 'restore', state: { ...FILE, options: DEFAULT_FIT_OPTIONS, result: selectionResult() } });
    assert.deepEqual(restored.selection, s.selection);
  });

  it('a cancelled sweep keeps the candidates that finished, and says how many', () => {
    const s = replay([...run(1, 0), ...selectionProgress(1, SWEEP.slice(0, 3))]);
    const cancelled = reduce(s, { type: 'cancelled', runId: 1 });
    assert.equal(cancelled.phase, 'cancelled');
    assert.equal(cancelled.selection?.entries.length, 3);
    assert.equal(cancelled.selection?.cancelled, true);
    assert.equal(statusText(cancelled), 'Cancelled after 3 of 6 candidates. The chart shows the candidates that finished.');
    // A stopped sweep reported by the result: never-fitted candidates are left out, the choice among the others.
    const stopped = selectionResult({ cancelled: true, chosen: { k: 3, covariance: 'EII' }, entries: [...SWEEP.slice(0, 2), ...SWEEP.slice(2).map((e) => ({ ...e, bic: null, icl: null, aic: null, params: undefined, reason: 'cancelled' }))] });
    const done = reduce(s, { type: 'done', runId: 1, result: stopped });
    assert.equal(done.selection?.entries.length, 2);
    assert.equal(choiceText(done.selection!), 'K = 3, EII (chosen by BIC among the 2 candidates fitted before the sweep was stopped)');
  });

  it('an error drops the selection (no half-drawn panel)', () => {
    const s = replay([...run(1, 0), ...selectionProgress(1, SWEEP.slice(0, 3))]);
    assert.equal(reduce(s, { type: 'error', runId: 1, message: 'boom' }).selection, undefined);
  });

  it('showCandidate shows a candidate’s final parameters as the one snapshot; the chosen one is the default', () => {
    let s = replay([...run(1, 0), ...selectionProgress(1, SWEEP), { type: 'done', runId: 1, result: selectionResult() }]);
    assert.equal(shownCandidate(s), undefined);
    s = reduce(s, { type: 'showCandidate', candidate: { k: 3, covariance: 'EII' } });
    assert.deepEqual(s.ui.showCandidate, { k: 3, covariance: 'EII' });
    const shown = shownCandidate(s)!;
    assert.equal(shown.snapshot.model, 'gaussian');
    assert.equal(shown.snapshot.weights.length, 3);
    assert.equal(shown.snapshot.iteration, 7);
    // A failed candidate (no parameters) or one not in the selection changes nothing.
    assert.equal(reduce(s, { type: 'showCandidate', candidate: { k: 3, covariance: 'VVV' } }), s);
    assert.equal(reduce(s, { type: 'showCandidate', candidate: { k: 9, covariance: 'EII' } }), s);
    // Clicking the chosen one, or "back", shows the chosen fit again.
    assert.equal(reduce(s, { type: 'showCandidate', candidate: { k: 2, covariance: 'EII' } }).ui.showCandidate, undefined);
    const back = reduce(s, { type: 'showCandidate', candidate: undefined });
    assert.equal(back.ui.showCandidate, undefined);
    assert.equal(shownCandidate(back), undefined);
    // The choice is a UI choice: saved, and forgotten by a new run.
    assert.deepEqual(savedUi(s)?.ui.showCandidate, { k: 3, covariance: 'EII' });
    assert.equal(reduce(s, { type: 'fitStarted', runId: 2, ...FILE, options: DEFAULT_FIT_OPTIONS }).ui.showCandidate, undefined);
  });

  it('a candidate clicked during the sweep that turns out to be the choice becomes the default view', () => {
    let s = replay([...run(1, 0), ...selectionProgress(1, SWEEP)]);
    s = reduce(s, { type: 'showCandidate', candidate: { k: 2, covariance: 'EII' } });
    assert.deepEqual(s.ui.showCandidate, { k: 2, covariance: 'EII' }, 'while the sweep runs, the best so far is a candidate like the others');
    s = reduce(s, { type: 'done', runId: 1, result: selectionResult() });
    assert.equal(s.ui.showCandidate, undefined);
  });

  it('a "selection" of one candidate is a single fit: no selection view, no choice in the header', () => {
    const one = result(4, { covarianceType: 'EII', selection: { criterion: 'bic', ks: [2], models: ['EII'], entries: [entry(2, 'EII', 100)], chosen: { k: 2, covariance: 'EII' } } });
    const s = reduce(replay(run(1, 0)), { type: 'done', runId: 1, result: one });
    assert.equal(isModelSelection(s.selection), false);
    assert.equal(isModelSelection(replay([...run(1, 0), ...selectionProgress(1, SWEEP.slice(0, 1))]).selection), true, 'a sweep of six is one from its first candidate');
  });

  it('Kass & Raftery’s scale: < 2 weak, 2–6 positive, 6–10 strong, > 10 very strong', () => {
    assert.deepEqual([0, 1.99, 2, 5.9, 6, 10, 10.1, 80].map(evidence), ['weak', 'weak', 'positive', 'positive', 'strong', 'strong', 'very strong', 'very strong']);
  });
});

describe('webview component colours across re-runs', () => {
  it('keeps each cluster’s colour when the new run finds the components in another order', () => {
    const reference = { means: [[0, 0], [10, 0], [0, 10]], colours: [0, 1, 2] };
    assert.deepEqual(componentColours(reference, [[0.2, 9.8], [0.1, -0.1], [9.7, 0.3]]), [2, 0, 1]);
  });
  it('follows the reference’s own colours, and gives extra components the free slots', () => {
    const reference = { means: [[0], [10]], colours: [1, 0] };
    assert.deepEqual(componentColours(reference, [[10.2], [5], [-0.3]]), [0, 2, 1]);
    assert.deepEqual(componentColours(undefined, [[1], [2]]), [0, 1]);
  });
  it('a re-run of the same file matches its components to the previous fit’s', () => {
    let s = reduce(replay(run(1, 1)), { type: 'done', runId: 1, result: result(2) });
    s = replay(run(2, 0), s);
    assert.deepEqual(s.colourReference?.means, [[0, 0], [5, 5]]);
    assert.deepEqual(componentColours(s.colourReference, [[5.1, 4.9], [0.2, 0]]), [1, 0]);
  });
});

describe('webview component colours across the iterations of real re-runs (Old Faithful, K = 2)', () => {
  /** The host's messages for a real fit, in the worker's order. */
  function fitMessages(runId: number, seed: number, init: 'kmeans++' | 'random-data'): HostToWebview[] {
    const options = { ...DEFAULT_FIT_OPTIONS, model: 'gaussian' as const, k: 2, covarianceType: 'full' as const, seed, init };
    const out: HostToWebview[] = [{ type: 'fitStarted', runId, ...FILE, options }];
    const outcome = fitDataset(loadDataset(FILE.fileName, readFileSync('test/fixtures/faithful.csv'), {}), options, {
      onLoaded: (info) => out.push({ type: 'loaded', runId, ...info }),
      onProgress: (p) => out.push({ type: 'progress', runId, ...p }),
    });
    out.push({ type: 'done', runId, result: outcome.result, plotAssignments: outcome.plotAssignments });
    return out;
  }
  const newestColours = (s: PanelModel) => shownColours(s, snapshotAt(s, s.snapshots.length - 1)!.means).join();
  /** Component j's nearest component (Euclidean distance between means) in `previous`. */
  const nearest = (means: number[][], previous: number[][]) =>
    means.map((m) => previous.map((p, q) => [(p[0] - m[0]) ** 2 + (p[1] - m[1]) ** 2, q]).sort((a, b) => a[0] - b[0])[0][1]);

  it('the first run: component j has colour j at every iteration', () => {
    let s = initialModel();
    for (const m of fitMessages(1, 0, 'kmeans++')) {
      s = reduce(s, m);
      if (m.type === 'progress') assert.equal(newestColours(s), '0,1');
    }
  });

  // Seed 2 (k-means++) finds the same two clusters as seed 0 in the other order; seed 6 (random data points) too,
  // from a start whose components sit nearer the other cluster.
  for (const [seed, init, order] of [[2, 'kmeans++', 'the other order'], [6, 'random-data', 'the same order']] as const) {
    it(`a re-run (seed ${seed}, ${init}; ${order}): one colour per component while it iterates, then its nearest previous cluster's colour at every iteration`, () => {
      let s = replay(fitMessages(1, 0, 'kmeans++'));
      const first = s.panel!.result!;
      const firstColours = shownColours(s, first.means);
      const second = fitMessages(2, seed, init);
      const seen = new Set<string>();
      for (const m of second.slice(0, -1)) {
        s = reduce(s, m);
        if (m.type === 'progress') seen.add(newestColours(s));
      }
      assert.equal(seen.size, 1, `colours changed while iterating: ${[...seen].join(' → ')}`);
      s = reduce(s, second[second.length - 1]);
      const result = s.panel!.result!;
      assert.ok(Math.abs(result.logLikelihood - first.logLikelihood) < 0.01, 'the same two clusters');
      const expected = nearest(result.means, first.means).map((q) => firstColours[q]);
      assert.deepEqual([...expected].sort(), [0, 1]);
      assert.deepEqual(shownColours(s, result.means), expected);
      for (let t = 0; t < s.snapshots.length; t++) {
        const scrubbed = reduce(s, { type: 'scrub', iteration: t });
        assert.deepEqual(shownColours(scrubbed, snapshotAt(scrubbed, t)!.means), expected, `iteration ${t}`);
      }
    });
  }
});

describe('webview render scheduler', () => {
  /** A fake animation frame queue and draws that finish only when the test says so. */
  function harness() {
    const frames: (() => void)[] = [];
    const drawn: PanelModel[] = [];
    const finishers: (() => void)[] = [];
    const shown: string[] = [];
    const scheduler = createRenderScheduler<PanelModel>({
      requestFrame: (cb) => frames.push(cb),
      immediate: (s) => shown.push(statusText(s)),
      draw: (s) => {
        drawn.push(s);
        return new Promise<void>((resolve) => finishers.push(resolve));
      },
      onError: (e) => assert.fail(String(e)),
    });
    const runFrames = async () => {
      while (frames.length) frames.shift()!();
      await new Promise((r) => setImmediate(r));
    };
    const finishDraw = async () => {
      finishers.shift()?.();
      await new Promise((r) => setImmediate(r));
    };
    return { scheduler, frames, drawn, shown, runFrames, finishDraw };
  }

  it('100 progress messages during one slow draw lead to 2 draws, the last of the newest state', async () => {
    const h = harness();
    let s = replay(run(1, 1));
    h.scheduler.update(s);
    await h.runFrames();
    assert.equal(h.drawn.length, 1, 'the first draw runs');
    for (let t = 1; t <= 100; t++) {
      s = reduce(s, { type: 'progress', runId: 1, restart: 0, iteration: t, objective: t, logLikelihood: t, snapshot: snapshot(t) });
      h.scheduler.update(s);
      await h.runFrames();
    }
    assert.equal(h.drawn.length, 1, 'no draw starts while one runs');
    await h.finishDraw();
    await h.runFrames();
    assert.equal(h.drawn.length, 2);
    assert.equal(h.drawn[1].snapshots.length, 101, 'the second draw is of the newest state');
    await h.finishDraw();
    await h.runFrames();
    assert.equal(h.drawn.length, 2, 'nothing left to draw');
    await h.scheduler.idle();
  });

  it('a sweep’s candidates arriving during one slow draw: the next draw is of the newest selection, never a backlog', async () => {
    const h = harness();
    let s = replay([...run(1, 0), ...selectionProgress(1, SWEEP.slice(0, 1))]);
    h.scheduler.update(s);
    await h.runFrames();
    for (const message of selectionProgress(1, SWEEP.slice(1), 1)) {
      s = reduce(s, message);
      h.scheduler.update(s);
      await h.runFrames();
    }
    assert.equal(h.shown[h.shown.length - 1], 'Fitting candidates… 6 of 6', 'the progress text follows every candidate at once');
    assert.equal(h.drawn.length, 1);
    await h.finishDraw();
    await h.runFrames();
    assert.equal(h.drawn.length, 2);
    assert.equal(h.drawn[1].selection?.entries.length, 6);
    await h.finishDraw();
    await h.scheduler.idle();
  });

  it('Done and Cancelled show at once, while a draw is still running', async () => {
    const h = harness();
    let s = replay(run(1, 3));
    h.scheduler.update(s);
    await h.runFrames();
    s = reduce(s, { type: 'cancelled', runId: 1 });
    h.scheduler.update(s);
    assert.equal(h.shown[h.shown.length - 1], 'Cancelled at iteration 2. The charts show the parameters reached so far.');
    assert.equal(h.drawn.length, 1, 'the charts of the cancelled state wait for the running draw');
    const done = reduce(replay(run(2, 1)), { type: 'done', runId: 2, result: result(3) });
    h.scheduler.update(done);
    assert.equal(h.shown[h.shown.length - 1], 'Converged after 3 iterations.');
    await h.finishDraw();
    await h.runFrames();
    assert.equal(h.drawn.length, 2);
    assert.equal(h.drawn[1], done, 'the cancelled state was never drawn: the done state replaced it');
  });

  it('paced: after a draw of t ms the next waits t ms (at most MAX_PAUSE_MS), so the panel is idle at least half the time', async () => {
    let clock = 0;
    const timers: { at: number; callback: () => void }[] = [];
    const frames: (() => void)[] = [];
    const starts: number[] = [];
    let drawMs = 120;
    const scheduler = createRenderScheduler<number>({
      requestFrame: (cb) => frames.push(cb),
      now: () => clock,
      delay: (ms, callback) => timers.push({ at: clock + ms, callback }),
      draw: async () => {
        starts.push(clock);
        clock += drawMs;
      },
      onError: (e) => assert.fail(String(e)),
    });
    const settle = async () => {
      for (let guard = 0; guard < 100 && (frames.length || timers.length); guard++) {
        while (frames.length) frames.shift()!();
        await new Promise((r) => setImmediate(r));
        const timer = timers.shift();
        if (timer) {
          clock = Math.max(clock, timer.at);
          timer.callback();
        }
      }
    };
    scheduler.update(1);
    await settle();
    scheduler.update(2);
    await settle();
    assert.deepEqual(starts, [0, 240], 'the second draw waits as long as the first took');
    drawMs = 5000;
    scheduler.update(3);
    await settle();
    scheduler.update(4);
    await settle();
    assert.equal(starts[3] - (starts[2] + 5000), MAX_PAUSE_MS, 'a very slow draw pauses at most MAX_PAUSE_MS');
    await scheduler.idle();
  });

  it('a draw that throws is reported and the next state is still drawn', async () => {
    const errors: unknown[] = [];
    const frames: (() => void)[] = [];
    let calls = 0;
    const scheduler = createRenderScheduler<number>({
      requestFrame: (cb) => frames.push(cb),
      draw: async () => {
        calls++;
        if (calls === 1) throw new Error('bad spec');
      },
      onError: (e) => errors.push(e),
    });
    scheduler.update(1);
    frames.shift()!();
    await new Promise((r) => setImmediate(r));
    scheduler.update(2);
    frames.shift()!();
    await scheduler.idle();
    assert.equal(calls, 2);
    assert.equal(errors.length, 1);
  });
});

describe('webview header', () => {
  it('while K is being chosen it says so (not "K = auto"); a fixed K is shown as K = n', () => {
    const choosing = reduce(initialModel(), { type: 'fitStarted', runId: 1, ...FILE, options: { ...DEFAULT_FIT_OPTIONS, k: 'auto', kRange: '1-9' } });
    assert.match(headerTitle(choosing), /^faithful\.csv — choosing K \(1-9\)$/);
    const fixed = reduce(initialModel(), { type: 'fitStarted', runId: 1, ...FILE, options: { ...DEFAULT_FIT_OPTIONS, k: 4 } });
    assert.match(headerTitle(fixed), /K = 4$/);
  });

  it('says when rows are weighted (column and Σ w) and how many missing cells were integrated out', () => {
    const s = replay([...run(1, 1), { type: 'done', runId: 1, result: result(3, { caseWeights: { column: 'freq', total: 1234 }, missingCells: [3, 4] }) }]);
    assert.match(headerSubtitle(s), /^n = 200,000 · d = 2 · weighted by "freq" \(Σ w = 1,234\) · 7 missing cells integrated out · converged/);
    assert.doesNotMatch(headerSubtitle(replay([...run(2, 1), { type: 'done', runId: 2, result: result(3) }])), /weighted|missing/);
  });

  it('while a saved model is being applied the status says so (not "Fitting… iteration 0")', () => {
    const started = reduce(initialModel(), { type: 'fitStarted', runId: 1, ...FILE, options: DEFAULT_FIT_OPTIONS, applying: 'faithful.model.json' });
    const running = reduce(started, { type: 'progress', runId: 1, restart: 0, iteration: 0, objective: 1, logLikelihood: 1, snapshot: snapshot(0) });
    assert.equal(running.phase, 'running');
    assert.equal(statusText(running), 'Applying faithful.model.json…');
    const fit = reduce(reduce(running, { type: 'fitStarted', runId: 2, ...FILE, options: DEFAULT_FIT_OPTIONS }), { type: 'progress', runId: 2, restart: 0, iteration: 0, objective: 1, logLikelihood: 1, snapshot: snapshot(0) });
    assert.match(statusText(fit), /^Fitting…/);
  });

  it('a saved model applied to the file says whose parameters they are and that it is not a fit', () => {
    const applied = result(0, {
      converged: false,
      logLikelihood: -1130.26,
      applied: { modelFile: 'faithful.model.json', fittedTo: 'old-faithful.csv', fittedRows: 272, fittedLogLikelihood: -1125.5, covarianceModel: 'VVV' },
    });
    const s = replay([...run(1, 1), { type: 'done', runId: 1, result: applied }]);
    assert.equal(headerTitle(s), 'faithful.csv — saved model faithful.model.json applied (Gaussian mixture, VVV, K = 2, fitted to old-faithful.csv)');
    assert.match(headerSubtitle(s), /^n = 200,000 · d = 2 · not a fit: the model's parameters, no EM iterations · log-likelihood −?-?1,130\.26 \(−?-?1,125\.5 on old-faithful\.csv, n = 272\) · BIC/);
    assert.doesNotMatch(headerSubtitle(s), /converged/);
    assert.equal(statusText(s), 'Saved model faithful.model.json applied: its parameters on this file, no EM iterations. Re-run fits this file afresh.');
  });
});

describe('webview scatter axes', () => {
  const projection = { mean: [0, 0, 0, 0], axes: [[0.5, 0.5, 0.5, 0.5], [0.5, -0.5, 0.5, -0.5]], explained: [0.728, 0.229] };
  const summary = { fileName: 'iris.csv', n: 150, d: 4, columns: ['a', 'b', 'c', 'd'], droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [] };
  const loaded4 = (runId: number, fileName = 'iris.csv'): HostToWebview[] => [
    { type: 'fitStarted', runId, fileName, fileUri: `file:///data/${fileName}`, options: { ...DEFAULT_FIT_OPTIONS, maxPlotPoints: 3 } },
    { type: 'loaded', runId, summary, model: 'gaussian', modelReason: 'x', plotSample: { indices: [0, 1, 2, 3], values: Array.from({ length: 16 }, (_, i) => i), d: 4, projection } },
  ];

  it('d > 2 with principal axes: PC1 × PC2 by default; two picked columns stay picked across a re-run of the same file', () => {
    let s = replay(loaded4(1));
    assert.deepEqual(scatterAxes(s), { x: { kind: 'pc', index: 0 }, y: { kind: 'pc', index: 1 } });
    // The panel's own cap on the plotted points keeps the axes.
    assert.equal(s.panel?.plotSample?.values.length, 12);
    assert.deepEqual(s.panel?.plotSample?.projection, projection);
    s = reduce(s, { type: 'selectColumns', xColumn: 2, yColumn: 3 });
    assert.deepEqual(scatterAxes(s), { x: { kind: 'column', index: 2 }, y: { kind: 'column', index: 3 } });
    s = replay(loaded4(2), s);
    assert.deepEqual(scatterAxes(s), { x: { kind: 'column', index: 2 }, y: { kind: 'column', index: 3 } });
    s = reduce(s, { type: 'selectColumns', xColumn: -2, yColumn: 1 });
    assert.deepEqual(scatterAxes(s), { x: { kind: 'pc', index: 1 }, y: { kind: 'column', index: 1 } });
    // Another file starts again at PC1 × PC2.
    s = replay(loaded4(3, 'other.csv'), s);
    assert.deepEqual(scatterAxes(s), { x: { kind: 'pc', index: 0 }, y: { kind: 'pc', index: 1 } });
    // A saved view of principal components survives a reload.
    const restored = reduce(initialModel(), { type: 'restoreUi', saved: savedUi(s)! });
    assert.deepEqual([restored.ui.xColumn, restored.ui.yColumn], [-1, -2]);
  });

  it('d ≤ 2 (no principal axes): the two columns, as before', () => {
    const s = replay(run(1, 1));
    assert.equal(s.panel?.plotSample?.projection, undefined);
    assert.deepEqual(scatterAxes(s), { x: { kind: 'column', index: 0 }, y: { kind: 'column', index: 1 } });
    assert.deepEqual(scatterAxes(reduce(s, { type: 'selectColumns', xColumn: 1, yColumn: 0 })), { x: { kind: 'column', index: 1 }, y: { kind: 'column', index: 0 } });
    assert.equal(scatterAxes(initialModel()), undefined);
  });
});
