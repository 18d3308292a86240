// The host's messages the panel tests in Chromium replay: real EM runs (Old Faithful, iris's model selection) made by
// the same loader, fitDataset and sweep the worker runs, and a small hand-made Bernoulli fit with labels.
import { readFileSync } from 'node:fs';
import { loadDataset } from '../../src/engine/data/load';
import { principalAxes } from '../../src/engine/data/projection';
import { fitDataset } from '../../src/engine/fit';
import { addGaussianViews } from '../../src/engine/families/gaussian/views';
import type { MeResult } from '../../src/engine/families/gaussian/mclust/me';
import { bestCellIndex, cellQueue, describeFit, isChoosable, planSweep, runPlannedCell } from '../../src/engine/select/sweep';
import { DEFAULT_FIT_OPTIONS, type BernoulliSnapshot, type FitResult, type HostToWebview, type Selection, type SelectionEntry } from '../../src/shared/protocol';

/**
 * Old Faithful as a user might have it: an `id` text column (left out of the fit) and two rows with a missing value
 * at lines 14 and 99 (skipped and counted), so the panel shows the loader's real notes.
 */
export function faithfulBytes(): Uint8Array {
  const [header, ...rows] = readFileSync('test/fixtures/faithful.csv', 'utf8').trim().split(/\r?\n/);
  const lines = rows.map((row, i) => `r${i + 1},${row}`);
  lines.splice(12, 0, 'gap1,3.1,NA');
  lines.splice(97, 0, 'gap2,NA,60');
  return new TextEncoder().encode([`id,${header}`, ...lines].join('\n') + '\n');
}

/**
 * The host's messages for a real Gaussian fit (Murphy fig. 11.11 start on standardised Old Faithful), produced by the
 * same loader and fitDataset the worker runs, in the order the worker posts them.
 */
export function gaussianMessages(runId: number, d = 2, maxPlotPoints = DEFAULT_FIT_OPTIONS.maxPlotPoints, missing: 'skip' | 'marginalize' = 'skip'): HostToWebview[] {
  const initParams =
    d === 2
      ? { weights: [0.5, 0.5], means: [[-1.5, 1.5], [1.5, -1.5]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] }
      : { weights: [0.5, 0.5], means: [[-1], [1]], covariances: [[[1]], [[1]]] };
  const options = {
    ...DEFAULT_FIT_OPTIONS,
    model: 'gaussian' as const,
    k: 2,
    maxIterations: 60,
    tolerance: 1e-6,
    standardize: true,
    init: 'params' as const,
    initParams,
    columns: d === 2 ? [] : ['eruptions'],
    maxPlotPoints,
  };
  const dataset = loadDataset('faithful.csv', faithfulBytes(), { columns: options.columns, missing });
  const messages: HostToWebview[] = [{ type: 'fitStarted', runId, fileName: 'faithful.csv', options, fileUri: 'file:///data/faithful.csv' }];
  const outcome = fitDataset(dataset, options, {
    onLoaded: (info) => messages.push({ type: 'loaded', runId, ...info }),
    onProgress: (p) => messages.push({ type: 'progress', runId, ...p }),
  });
  messages.push({ type: 'done', runId, result: outcome.result, plotAssignments: outcome.plotAssignments });
  return messages;
}

/** A Gaussian fit (K = 2) of `rows` rows of two deterministic groups, for the charts drawn on a canvas. */
export function largeGaussianMessages(runId: number, rows: number): HostToWebview[] {
  const lines = ['x,y'];
  for (let i = 0; i < rows; i++) {
    // Two groups on a fixed low-discrepancy pattern: the same file every run.
    const u = ((i * 0.618033988749895) % 1) * 2 - 1;
    const v = ((i * 0.754877666246693) % 1) * 2 - 1;
    const g = i % 2 === 0 ? 3 : -3;
    lines.push(`${(g + u).toFixed(4)},${(g + v * 2).toFixed(4)}`);
  }
  const options = { ...DEFAULT_FIT_OPTIONS, model: 'gaussian' as const, k: 2, maxIterations: 20, seed: 7 };
  const dataset = loadDataset('large.csv', new TextEncoder().encode(lines.join('\n') + '\n'), {});
  const messages: HostToWebview[] = [{ type: 'fitStarted', runId, fileName: 'large.csv', options, fileUri: 'file:///data/large.csv' }];
  const outcome = fitDataset(dataset, options, {
    onLoaded: (info) => messages.push({ type: 'loaded', runId, ...info }),
    onProgress: (p) => messages.push({ type: 'progress', runId, ...p }),
  });
  messages.push({ type: 'done', runId, result: outcome.result, plotAssignments: outcome.plotAssignments });
  return messages;
}

export const FINAL_CONFUSION = [
  [1, 27, 2, 0],
  [3, 1, 2, 24],
  [28, 4, 4, 4],
];

/** A real Gaussian fit of iris (K = 3, full): its species column is taken as labels and scores the clusters. */
export function irisMessages(runId: number): HostToWebview[] {
  const options = { ...DEFAULT_FIT_OPTIONS, model: 'gaussian' as const, k: 3, covarianceType: 'full' as const };
  const dataset = loadDataset('iris.csv', readFileSync('test/fixtures/iris.csv'), {});
  const messages: HostToWebview[] = [{ type: 'fitStarted', runId, fileName: 'iris.csv', options, fileUri: 'file:///data/iris.csv' }];
  const outcome = fitDataset(dataset, options, {
    onLoaded: (info) => messages.push({ type: 'loaded', runId, ...info }),
    onProgress: (p) => messages.push({ type: 'progress', runId, ...p }),
  });
  messages.push({ type: 'done', runId, result: outcome.result, plotAssignments: outcome.plotAssignments });
  return messages;
}

export function bernoulliMessages(runId: number): HostToWebview[] {
  const k = 3;
  const d = 784;
  const iterations = 4;
  const snapshots: BernoulliSnapshot[] = Array.from({ length: iterations + 1 }, (_, t) => ({
    model: 'bernoulli',
    iteration: t,
    weights: [0.3, 0.3, 0.4],
    sizes: [30, 30, 40],
    means: Array.from({ length: k }, (_, c) => Array.from({ length: d }, (_, p) => Math.min(0.99, ((p % 28) + c * 5 + t) / 40))),
    // Each iteration's clusters × labels counts: the final ones (below) rotated by the iterations still to go.
    confusion: FINAL_CONFUSION.map((row) => row.map((_, l) => row[(l + iterations - t) % row.length])),
  }));
  const options = { ...DEFAULT_FIT_OPTIONS, model: 'bernoulli' as const, k, maxIterations: 30 };
  const trace = snapshots.map((_, t) => -5000 + 1000 * (1 - 1 / (t + 1)));
  const result: FitResult = {
    model: 'bernoulli',
    modelReason: 'binary images',
    k,
    n: 100,
    d,
    columns: [],
    converged: true,
    iterations,
    logLikelihood: trace[iterations] - 10,
    trace,
    logLikelihoodTrace: trace.map((v) => v - 10),
    weights: snapshots[iterations].weights,
    means: snapshots[iterations].means,
    assignments: Array.from({ length: 100 }, (_, i) => (i < 30 ? 0 : i < 60 ? 1 : 2)),
    bic: 1,
    aic: 1,
    snapshots,
    restartObjectives: [trace[iterations]],
    labelMetrics: {
      accuracy: 0.8,
      adjustedRandIndex: 0.6,
      normalizedMutualInfo: 0.7,
      clusters: [
        { majorityLabel: 1, purity: 0.9, size: 30 },
        { majorityLabel: 7, purity: 0.8, size: 30 },
        { majorityLabel: 0, purity: 0.7, size: 40 },
      ],
      confusion: FINAL_CONFUSION,
      labelValues: [0, 1, 2, 7],
    },
    imageShape: [28, 28],
    elapsedMs: 5,
  };
  const pixels = (v: number) => Array.from({ length: d }, (_, p) => ((p * 7 + v) % 11 > 6 ? 1 : 0));
  const examples = [0, 1, 2].map((cluster) => ({ cluster, typical: [pixels(1), pixels(2), pixels(3)], atypical: [pixels(4), pixels(5)] }));
  return [
    { type: 'fitStarted', runId, fileName: 'train-images-idx3-ubyte', options },
    { type: 'loaded', runId, summary: { fileName: 'train-images-idx3-ubyte', n: 100, d, columns: [], droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [], imageShape: [28, 28], hasLabels: true }, model: 'bernoulli', modelReason: 'binary images' },
    ...snapshots.map((snapshot, t): HostToWebview => ({ type: 'progress', runId, restart: 0, iteration: t, objective: trace[t], logLikelihood: trace[t] - 10, snapshot })),
    { type: 'done', runId, result, examples },
  ];
}

/**
 * A model selection as the host forwards it: R's Mclust() sweep (K = 1…9 × mclust's 14 models) of iris, fitted by the
 * engine's own sweep cell by cell in the workers' order (largest K first), each candidate a selectionProgress, then
 * `done` with the chosen fit and the whole selection. R's table has 5 NA cells (singular fits) and chooses VEV, K = 2;
 * the engine also calls EEV, K = 7 degenerate (a component with fewer points than its orientation needs).
 */
export function irisSelection(runId: number): { messages: HostToWebview[]; selection: Selection } {
  const reference = JSON.parse(readFileSync('test/reference/mclust_bic.json', 'utf8')) as { G: number[]; iris: { n: number; d: number; columns: string[]; values: number[] } };
  const { n, d, columns } = reference.iris;
  const x = Float64Array.from(reference.iris.values);
  const plan = planSweep(x, n, d, { ks: reference.G, columns });
  const criterion = 'bic' as const;
  const entries: SelectionEntry[] = new Array(plan.ks.length * plan.models.length);
  const fits: (MeResult | undefined)[] = [];
  const options = { ...DEFAULT_FIT_OPTIONS, model: 'gaussian' as const, k: 2 };
  const messages: HostToWebview[] = [
    { type: 'fitStarted', runId, fileName: 'iris.csv', options, fileUri: 'file:///data/iris.csv' },
    {
      type: 'loaded', runId, model: 'gaussian', modelReason: 'numeric columns',
      summary: { fileName: 'iris.csv', n, d, columns, droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [] },
      plotSample: { indices: Array.from({ length: n }, (_, i) => i), values: Array.from(x), d, projection: principalAxes(x, n, d) },
    },
  ];
  let done = 0;
  for (const index of cellQueue(plan)) {
    const { cell, fit } = runPlannedCell(x, plan, index);
    fits[index] = fit;
    const usable = isChoosable(cell) && cell.status !== 'degenerate';
    const ll = cell.logLikelihood;
    const described = fit && cell.logLikelihood !== null ? describeFit(cell, fit) : undefined;
    entries[index] = {
      k: cell.k, covariance: cell.model, logLikelihood: ll, parameters: cell.parameters,
      bic: usable && cell.bic !== null ? -cell.bic : null, icl: usable && cell.icl !== null ? -cell.icl : null, aic: usable && ll !== null ? -2 * ll + 2 * cell.parameters : null,
      iterations: cell.iterations, converged: cell.status === 'converged', degenerate: cell.status === 'degenerate',
      ...(usable ? {} : { reason: cell.degenerate?.join('; ') ?? `the fit failed (${cell.status})` }),
      ...(described ? { params: { weights: described.weights, means: described.means, covariances: described.covariances } } : {}),
    };
    messages.push({ type: 'selectionProgress', runId, criterion, ks: plan.ks, models: plan.models, entry: entries[index], done: ++done, total: entries.length });
  }
  const best = bestCellIndex({ cells: entries.map((e) => ({ ...e, model: e.covariance, bic: e.bic === null ? null : -e.bic, icl: null, status: e.bic === null ? 'degenerate' : 'converged' })) as never, ks: plan.ks, models: plan.models }, 'bic');
  const chosenFit = fits[best]!;
  const chosen = describeFit({} as never, chosenFit);
  const chosenEntry = entries[best];
  const selection: Selection = { criterion, ks: plan.ks, models: plan.models, entries, chosen: { k: chosenEntry.k, covariance: chosenEntry.covariance } };
  const result: FitResult = {
    model: 'gaussian', modelReason: 'numeric columns', k: chosenEntry.k, n, d, columns, converged: true, iterations: chosenFit.iterations,
    logLikelihood: chosenFit.logLikelihood, trace: chosenFit.trace, weights: chosen.weights, means: chosen.means, covariances: chosen.covariances,
    covarianceType: chosenEntry.covariance as FitResult['covarianceType'], assignments: chosen.assignments, bic: chosenEntry.bic!, aic: chosenEntry.aic!,
    snapshots: [], restartObjectives: [chosenFit.logLikelihood], elapsedMs: 40, selection,
  };
  // The worker's extra views: MclustDR directions of the chosen fit and of each candidate.
  const table = loadDataset('iris.csv', readFileSync('test/fixtures/iris.csv'), {});
  if (table.kind === 'table') addGaussianViews(table, result);
  messages.push({ type: 'done', runId, result, plotAssignments: chosen.assignments });
  return { messages, selection };
}
