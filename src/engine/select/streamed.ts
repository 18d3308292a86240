// Model selection over rows streamed from disk (files larger than memory), the same table as the in-memory sweep
// (sweep.ts): every K from Mclust()'s starting partition, every model by mclust's EM with its convergence rule, BIC,
// ICL and the degeneracy rules. Nothing of n rows is kept:
// - the partition: the hierarchical clustering of the same random subset of rows (one column: the quantile classes of
//   every value, streamedQuantiles.ts), extended to every row in one pass that sums each class's count, sums and
//   scatter, from which each candidate's first M-step comes;
// - EM: every candidate still running advances together, one pass over the rows per iteration: each chunk is read
//   once, and each candidate's E-step on it adds to its sufficient statistics (its next M-step), its log-likelihood,
//   ICL term and the summary its degeneracy is judged on.
// With case weights (the source's weights per chunk) as in memory (mclust/me.ts): every M-step, the first from the
// partition included, takes w_i z_ik with Σ_i w_i as n; the log-likelihood and ICL weigh each row's term by w_i, and
// BIC's n is Σ_i w_i. The partition and the degeneracy rules read the rows unweighted, as in memory.
// The memory is the chunk plus a few K × d × d matrices per candidate.

import type { GaussianSnapshot } from '../../shared/protocol';
import { confusionRows } from '../em/streamedEm';
import type { RowSource } from '../em/streaming';
import { FitError } from '../errors';
import { dataCovarianceFactorOfChunks, degenerateFromSummary, MemberSummary } from '../families/gaussian/mclust/degeneracy';
import { EStepWorkspace, factorCovariances, mclustEStep } from '../families/gaussian/mclust/estep';
import { hcPartitions } from '../families/gaussian/mclust/hc';
import { mclustBic, nMclustParams, type MclustModelName } from '../families/gaussian/mclust/models';
import { DEFAULT_MSTEP_CONTROL, MclustState, type MStepControl, type MStepFailure } from '../families/gaussian/mclust/mstep';
import { MclustStatistics, usesDiagonalScatterOnly } from '../families/gaussian/mclust/statistics';
import { HC_SUBSET_ROWS, hcSubsetRows, subsetExtension, type PartitionExtension } from './starts';
import { classifyChunk, streamedQuantileBreaks } from './streamedQuantiles';
import type { CellSettings, CellStatus, SweepCell } from './sweep';

export interface StreamedSweepOptions {
  ks: readonly number[];
  models: readonly MclustModelName[];
  settings: CellSettings;
  /** Reads the rows at the given (increasing) indices, transformed as the source's, into `out` (m × d). */
  readRows(indices: Int32Array, out: Float64Array): void;
  /** Most bytes the per-iteration snapshots of all candidates may take (beyond it the chosen one is refitted). */
  snapshotBytes: number;
  /** One column: most values held at once to find its quantiles (default 2²⁰). */
  quantileValues?: number;
}

/** A finished candidate: its table cell and, when kept, its parameters at every iteration. */
export interface StreamedCell {
  cell: SweepCell;
  trace: number[];
  /** Parameters after each M-step (iteration 0: from the partition); undefined when not kept. */
  snapshots?: GaussianSnapshot[];
  /** Final parameters (fitted cells). */
  state?: MclustState;
  workspace?: EStepWorkspace;
  /** Rows per component by largest responsibility, over every row. */
  sizes?: number[];
}

export interface StreamedSweep {
  cells: StreamedCell[];
  /** Σ_i w_i over the rows (n without case weights): BIC's n. */
  total: number;
  /** Runs one cell again from its start, keeping its snapshots (when they were not kept the first time). */
  refit(index: number): StreamedCell;
}

/** A candidate while EM runs. */
interface RunningCell {
  index: number;
  k: number;
  model: MclustModelName;
  state: MclustState;
  workspace: EStepWorkspace;
  stats: MclustStatistics;
  members: MemberSummary;
  /** Statistics of its first M-step (the partition's classes). */
  start: MclustStatistics;
  iterations: number;
  previous: number;
  trace: number[];
  logLikelihood: number;
  sumLogMax: number;
  sizes: Float64Array;
  snapshots?: GaussianSnapshot[];
  /** With labels and snapshots kept: the pass's clusters × labels (row-major), put on the pass's snapshot. */
  contingency?: Float64Array;
  status?: CellStatus;
}

/** Runs the sweep; `onCell` sees each cell as it finishes (done of total). */
export function sweepStreamed(source: RowSource, options: StreamedSweepOptions, onCell?: (cell: SweepCell, done: number, total: number) => void): StreamedSweep {
  const { n, d } = source;
  const { ks, models, settings } = options;
  const control: MStepControl = { ...DEFAULT_MSTEP_CONTROL, regularization: settings.regularization };
  const cellCount = ks.length * models.length;
  const feasible = ks.filter((k) => k <= n);
  const starts = d === 1 ? quantileStatistics(source, feasible, options.quantileValues ?? 1 << 20) : startingStatistics(source, feasible, options.readRows);
  // Σ_i w_i (n without case weights), summed in row order during the first of the data covariance's passes.
  const weights = source.weights;
  let total = weights ? 0 : n;
  let passes = 0;
  const dataFactor = dataCovarianceFactorOfChunks((visit) => {
    const summing = weights !== undefined && passes++ === 0;
    source.forEachChunk((rows) => {
      if (summing) for (let i = 0; i < rows; i++) total += weights![i];
      visit(source.buffer, rows);
    });
  }, n, d);
  const results: StreamedCell[] = new Array(cellCount);
  let done = 0;
  const report = (index: number, result: StreamedCell) => {
    results[index] = result;
    onCell?.(result.cell, ++done, cellCount);
  };
  const newCell = (index: number, keepSnapshots: boolean): RunningCell => {
    const k = ks[Math.floor(index / models.length)];
    const model = models[index % models.length];
    return {
      index,
      k,
      model,
      state: new MclustState(model, d, k),
      workspace: new EStepWorkspace(d, k),
      stats: new MclustStatistics(d, k, usesDiagonalScatterOnly(model)),
      members: new MemberSummary(model, d, k),
      start: starts.get(k)!,
      iterations: 0,
      previous: Number.MAX_VALUE / 2,
      trace: [],
      logLikelihood: 0,
      sumLogMax: 0,
      sizes: new Float64Array(k),
      snapshots: keepSnapshots ? [] : undefined,
    };
  };
  const finish = (cell: RunningCell): StreamedCell => finishCell(cell, total, d, settings, dataFactor);

  const running: RunningCell[] = [];
  for (let index = 0; index < cellCount; index++) {
    const k = ks[Math.floor(index / models.length)];
    const model = models[index % models.length];
    if (k > n || !starts.has(k)) {
      report(index, { cell: { k, model, logLikelihood: null, parameters: nMclustParams(model, d, k), bic: null, icl: null, iterations: 0, status: k > n ? 'too-few-rows' : 'no-start' }, trace: [] });
    } else running.push(newCell(index, true));
  }
  let snapshotBytes = 0;
  runLockstep(source, running, settings, control, total, (cell) => {
    if (cell.snapshots) {
      snapshotBytes += snapshotSize(cell.k, d);
      if (snapshotBytes > options.snapshotBytes) cell.snapshots = undefined;
    }
  }, (cell) => report(cell.index, finish(cell)));
  return {
    cells: results,
    total,
    refit(index) {
      const cell = newCell(index, true);
      let result: StreamedCell | undefined;
      runLockstep(source, [cell], settings, control, total, () => undefined, (c) => (result = finish(c)));
      return result!;
    },
  };
}

function snapshotSize(k: number, d: number): number {
  return 8 * k * (1 + d + d * d) + 200;
}

/**
 * EM for every cell at once: the M-step of each (the first from its partition's statistics), then one pass over the
 * rows for all that are still running, then mclust's convergence rule for each.
 */
function runLockstep(
  source: RowSource,
  cells: RunningCell[],
  settings: CellSettings,
  control: MStepControl,
  /** Σ_i w_i (n without case weights): the M-steps' n. */
  total: number,
  onSnapshot: (cell: RunningCell) => void,
  onFinished: (cell: RunningCell) => void,
): void {
  const { buffer, chunkRows } = source;
  const { labels, weights } = source;
  const labelCount = labels ? labels.values.length : 0;
  const maxK = cells.reduce((m, c) => Math.max(m, c.k), 1);
  const z = new Float64Array(chunkRows * maxK);
  let active = cells.slice();
  while (active.length > 0) {
    const stepped: RunningCell[] = [];
    for (const cell of active) {
      cell.iterations++;
      const from = cell.iterations === 1 ? cell.start : cell.stats;
      const failure: MStepFailure | undefined = from.mStep(cell.state, control, total) ?? (factorCovariances(cell.state.covariances, cell.workspace, control.eps) ? undefined : 'singular');
      if (failure) {
        cell.status = failure;
        onFinished(cell);
        continue;
      }
      if (cell.snapshots) {
        cell.snapshots.push(snapshotOf(cell.state, cell.iterations - 1));
        onSnapshot(cell);
      }
      cell.stats.reset(cell.state.means);
      cell.members.reset();
      cell.sizes.fill(0);
      if (labels && cell.snapshots) (cell.contingency ??= new Float64Array(cell.k * labelCount)).fill(0);
      else cell.contingency = undefined;
      cell.logLikelihood = 0;
      cell.sumLogMax = 0;
      stepped.push(cell);
    }
    if (stepped.length === 0) break;
    source.forEachChunk((rows) => {
      for (const cell of stepped) {
        const { k, state, workspace, contingency } = cell;
        cell.logLikelihood += mclustEStep(buffer, rows, state.weights, state.means, workspace, z, weights);
        // The degeneracy rules read the responsibilities unweighted, as in memory.
        cell.members.add(buffer, rows, z);
        // mclust's ICL: each row's largest responsibility (the first on ties), its log weighted by w_i (a row of weight
        // 0 adds nothing); the cluster sizes by the same choice.
        let sumLogMax = 0;
        for (let i = 0; i < rows; i++) {
          let best = 0;
          for (let c = 1; c < k; c++) if (z[i * k + c] > z[i * k + best]) best = c;
          if (z[i * k + best] > 0) {
            if (!weights) sumLogMax += Math.log(z[i * k + best]);
            else if (weights[i] > 0) sumLogMax += weights[i] * Math.log(z[i * k + best]);
          }
          cell.sizes[best]++;
          if (contingency) contingency[best * labelCount + labels!.codes[i]]++;
        }
        cell.sumLogMax += sumLogMax;
        // The next M-step takes w_i z_ik.
        if (weights) for (let i = 0; i < rows; i++) for (let c = 0; c < k; c++) z[i * k + c] *= weights[i];
        cell.stats.add(buffer, rows, z);
      }
    });
    active = [];
    for (const cell of stepped) {
      // As in memory, snapshot t carries the clusters × labels of the E-step with its parameters.
      if (cell.contingency && cell.snapshots) cell.snapshots[cell.snapshots.length - 1].confusion = confusionRows(cell.contingency, cell.k, labelCount);
      const logLikelihood = cell.logLikelihood;
      cell.trace.push(logLikelihood);
      const relativeChange = Math.abs(cell.previous - logLikelihood) / (1 + Math.abs(logLikelihood));
      cell.previous = logLikelihood;
      if (relativeChange <= settings.tolerance) cell.status = 'converged';
      else if (cell.iterations >= settings.maxIterations) cell.status = 'max-iterations';
      if (cell.status) onFinished(cell);
      else active.push(cell);
    }
  }
}

function snapshotOf(state: MclustState, iteration: number): GaussianSnapshot {
  const { d, k, weights, means, covariances } = state;
  return {
    model: 'gaussian',
    iteration,
    weights: Array.from(weights),
    means: Array.from({ length: k }, (_, c) => Array.from(means.subarray(c * d, (c + 1) * d))),
    covariances: Array.from({ length: k }, (_, c) => Array.from({ length: d }, (_, r) => Array.from(covariances.subarray(c * d * d + r * d, c * d * d + (r + 1) * d)))),
  };
}

/** The table cell of a finished candidate, as fitCell (sweep.ts) makes it in memory; n is Σ_i w_i with case weights. */
function finishCell(cell: RunningCell, n: number, d: number, settings: CellSettings, dataFactor: Float64Array | undefined): StreamedCell {
  const { k, model, state } = cell;
  const status = cell.status!;
  const parameters = nMclustParams(model, d, k);
  const failed = status === 'singular' || status === 'empty-component';
  const logLikelihood = failed ? null : cell.trace[cell.trace.length - 1];
  const bic = logLikelihood === null ? null : mclustBic(logLikelihood, parameters, n);
  const out: SweepCell = {
    k,
    model,
    logLikelihood,
    parameters,
    bic,
    icl: bic === null ? null : bic + 2 * cell.sumLogMax,
    iterations: cell.iterations,
    status,
  };
  if (failed) return { cell: out, trace: cell.trace };
  if (settings.keepParams) {
    const snapshot = snapshotOf(state, 0);
    out.params = { weights: snapshot.weights, means: snapshot.means, covariances: snapshot.covariances };
  }
  const degenerate = degenerateFromSummary(model, cell.members, state.covariances, settings.regularization, dataFactor, settings.columns);
  if (degenerate.length > 0) {
    out.status = 'degenerate';
    out.degenerate = degenerate.map((c) => (c.component < 0 ? c.reason : `component ${c.component + 1}: ${c.reason}`));
  }
  return { cell: out, trace: cell.trace, snapshots: cell.snapshots, state, workspace: cell.workspace, sizes: Array.from(cell.sizes) };
}

/**
 * The statistics of each K's starting partition, as Mclust() starts it: the hierarchical clustering (VVV) of all
 * rows when there are at most HC_SUBSET_ROWS, else of the same random subset as in memory, extended to every row in
 * one pass. Each class's count, sums and scatter (about its centre) are summed in that pass.
 */
function startingStatistics(source: RowSource, ks: readonly number[], readRows: StreamedSweepOptions['readRows']): Map<number, MclustStatistics> {
  const { n, d, buffer, chunkRows } = source;
  const out = new Map<number, MclustStatistics>();
  if (ks.length === 0) return out;
  const rows = n > HC_SUBSET_ROWS ? hcSubsetRows(n) : Int32Array.from({ length: n }, (_, i) => i);
  const m = rows.length;
  const subset = new Float64Array(m * d);
  readRows(rows, subset);
  let partitions: Int32Array[];
  try {
    partitions = hcPartitions(subset, m, d, [...ks]);
  } catch (e) {
    if (e instanceof RangeError) throw new FitError(`the hierarchical clustering that starts each K cannot run on these data (${e.message}).`);
    throw e;
  }
  // With every row in the subset its classes are the partition itself (row i is subset row i).
  const extensions: PartitionExtension[] | undefined = n > HC_SUBSET_ROWS ? partitions.map((labels, i) => subsetExtension(subset, m, d, ks[i], labels)) : undefined;
  ks.forEach((k, i) => {
    const stats = new MclustStatistics(d, k, false);
    stats.reset(extensions ? extensions[i].centres : classMeans(subset, m, d, k, partitions[i]));
    out.set(k, stats);
  });
  const classes = new Int32Array(chunkRows);
  const weights = source.weights;
  source.forEachChunk((count, first) => {
    ks.forEach((k, i) => {
      if (extensions) extensions[i].classify(buffer, count, classes);
      else classes.set(partitions[i].subarray(first, first + count));
      const stats = out.get(k)!;
      for (let r = 0; r < count; r++) stats.addRow(buffer, r * d, classes[r], weights ? weights[r] : 1);
    });
  });
  return out;
}

/**
 * One column's starts, as Mclust() starts it: the quantile classes of every value (streamedQuantiles.ts), each
 * class's count, sums and scatter summed in one pass; a K the distinct values cannot split gets none.
 */
function quantileStatistics(source: RowSource, ks: readonly number[], quantileValues: number): Map<number, MclustStatistics> {
  const { buffer, chunkRows } = source;
  const out = new Map<number, MclustStatistics>();
  if (ks.length === 0) return out;
  const breaks = streamedQuantileBreaks(source, ks, quantileValues);
  const started = ks.flatMap((k, i) => (breaks[i] ? [{ k, breaks: breaks[i]! }] : []));
  for (const { k, breaks: q } of started) {
    const stats = new MclustStatistics(1, k, false);
    // A shift inside each class keeps its scatter free of cancellation.
    stats.reset(Float64Array.from({ length: k }, (_, c) => (q[c] + q[c + 1]) / 2));
    out.set(k, stats);
  }
  const classes = new Int32Array(chunkRows);
  const weights = source.weights;
  source.forEachChunk((count) => {
    for (const { k, breaks: q } of started) {
      classifyChunk(source, count, q, classes);
      const stats = out.get(k)!;
      for (let r = 0; r < count; r++) stats.addRow(buffer, r, classes[r], weights ? weights[r] : 1);
    }
  });
  return out;
}

function classMeans(x: Float64Array, m: number, d: number, k: number, labels: Int32Array): Float64Array {
  const means = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let a = 0; a < m; a++) {
    counts[labels[a]]++;
    for (let j = 0; j < d; j++) means[labels[a] * d + j] += x[a * d + j];
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] /= Math.max(1, counts[c]);
  return means;
}
