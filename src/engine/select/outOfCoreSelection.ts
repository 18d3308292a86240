// Model selection of a file fitted out of core (k "auto", several covariance models): the same candidates, settings,
// checks, table and choice as the in-memory selection (product.ts selectGaussian), the candidates fitted over the
// streamed rows (streamed.ts), case weights included. The chosen candidate's result is built from its streamed fit (its
// parameters at every iteration), with the plot sample's assignments.

import type { FitOptions, FitResult, GaussianSnapshot, Selection, SelectionEntry } from '../../shared/protocol';
import { informationCriteria } from '../em/em';
import { streamedLabelMetrics } from '../em/streamedEm';
import type { RowSource } from '../em/streaming';
import { DataError } from '../errors';
import { mclustEStep } from '../families/gaussian/mclust/estep';
import { mclustBic, type MclustModelName } from '../families/gaussian/mclust/models';
import type { FitCallbacks } from '../families/types';
import { chooseEntry, entryOfCell, fitSettingsNotes, hcCannotStart, MAX_PARAMS_COLUMNS, refuseNoCandidates, refuseNoneUsable, selectionFitSettings, selectionOutcomeNotes, sweepModelsFor } from './product';
import { HC_SUBSET_ROWS } from './starts';
import { sweepStreamed } from './streamed';

export interface OutOfCoreSelectionInput {
  file: string;
  options: FitOptions;
  reason: string;
  started: number;
  columns: string[];
  /** The rows as fitted, with their case weights per chunk when the file has them. */
  source: RowSource;
  /** The case weights' column, when the source has weights. */
  weightsColumn?: string;
  /** Reads rows by index (increasing), transformed as the source's rows. */
  readRows(indices: Int32Array, out: Float64Array): void;
  ks: number[];
  /** The covariance models as the settings name them. */
  names: string[];
  /** Standard deviation of each column as stored (0: one value in every row). */
  columnSd: number[];
  /** Added back to every reported mean (columns centred for the fit), or undefined. */
  centre?: Float64Array;
  standardization?: { mean: number[]; sd: number[] };
  /** The plotted rows' indices and their values as fitted (transformed). */
  plotIndices: number[];
  plotValues: Float64Array;
  budgetBytes: number;
  callbacks: FitCallbacks;
  /** Notes of the out-of-core fit (starts, sampling) to add. */
  notes: string[];
  /** Most bytes the candidates' per-iteration parameters may take (default an eighth of the budget). */
  snapshotBytes?: number;
  /** How messages name the settings: "mixscope." in the editor, "" for the CLI. */
  settingPrefix?: string;
}

/** Runs the selection and returns the chosen candidate's result, its `selection` table, and the plot's assignments. */
export function selectOutOfCore(input: OutOfCoreSelectionInput): { result: FitResult; plotAssignments: number[] } {
  const { file, options, source, ks, callbacks, centre } = input;
  const { n, d } = source;
  const p = input.settingPrefix ?? '';
  const models = sweepModelsFor(input.names, d);
  refuseNoCandidates(file, ks, n);
  const fitSettings = selectionFitSettings(options);
  const constant = input.columnSd.flatMap((sd, j) => (sd === 0 ? [j] : []));
  if (constant.length === d) throw new DataError(`${file}: ${n === 1 ? 'there is only one row' : `all ${n} rows are the same point`}, so there are no clusters to compare.`, file);
  if (fitSettings.regularization === 0 && constant.length > 0) {
    throw new DataError(
      `${file}: column "${input.columns[constant[0]] ?? `x${constant[0] + 1}`}" has the same value in every row, so it cannot tell clusters apart and no covariance model can be estimated along it. ` +
        'Leave the column out (mixscope.columns, --columns), or fix K and one covariance model (its regularization keeps the fit finite).',
      file,
    );
  }
  // The in-memory selection starts from k-means when hc cannot start the data (linearly dependent columns): out of
  // core that would mean k-means over every row for every K, so it is refused with the reason.
  const head = Int32Array.from({ length: Math.min(n, HC_SUBSET_ROWS) }, (_, i) => i);
  const headValues = new Float64Array(head.length * d);
  input.readRows(head, headValues);
  if (hcCannotStart(headValues, head.length, d)) {
    throw new DataError(
      `${file}: the columns are linearly dependent (one is a combination of others), so mclust's hierarchical clustering cannot start a model selection out of core. Leave out the dependent column (${p === '' ? '--columns' : `${p}columns`}), or raise ${p}memoryBudgetMB to fit it in memory (where k-means starts it).`,
      file,
    );
  }

  const criterion = options.criterion;
  const entries: SelectionEntry[] = new Array(ks.length * models.length);
  const indexOf = (k: number, model: MclustModelName) => ks.indexOf(k) * models.length + models.indexOf(model);
  const sweep = sweepStreamed(
    source,
    {
      ks,
      models,
      settings: { ...fitSettings, columns: input.columns, keepParams: d <= MAX_PARAMS_COLUMNS },
      readRows: input.readRows,
      // The candidates' per-iteration parameters may take an eighth of the budget; beyond it the chosen one is refitted.
      snapshotBytes: input.snapshotBytes ?? input.budgetBytes / 8,
      // One column's quantiles: the values near them are sorted in memory, within a quarter of the budget.
      quantileValues: Math.max(1 << 16, Math.floor(input.budgetBytes / 4 / 8)),
    },
    (cell, done, total) => {
      const entry = entryOfCell(cell, n, centre);
      entries[indexOf(cell.k, cell.model)] = entry;
      callbacks.onSelectionProgress?.({ criterion, ks, models, entry, done, total });
    },
  );
  const chosenIndex = chooseEntry(entries, ks, models, criterion);
  if (chosenIndex < 0) refuseNoneUsable(file, entries);
  const chosen = entries[chosenIndex];
  const fitted = sweep.cells[chosenIndex].snapshots ? sweep.cells[chosenIndex] : sweep.refit(chosenIndex);
  const { cell, trace, state, workspace } = fitted;
  const snapshots = fitted.snapshots as GaussianSnapshot[];
  if (!state || !workspace) throw new Error('internal: the chosen candidate has no parameters');
  const shift = (snapshot: GaussianSnapshot) => {
    if (centre) for (const mean of snapshot.means) for (let j = 0; j < d; j++) mean[j] += centre[j];
    return snapshot;
  };
  snapshots.forEach(shift);
  snapshots.forEach((snapshot, iteration) => callbacks.onProgress?.({ restart: 0, iteration, objective: trace[iteration], logLikelihood: trace[iteration], snapshot }));
  const last = snapshots[snapshots.length - 1];

  // The plotted rows' assignments under the chosen parameters (the first component on ties, as mclust's map).
  const m = input.plotIndices.length;
  const k = cell.k;
  const z = new Float64Array(m * k);
  mclustEStep(input.plotValues, m, state.weights, state.means, workspace, z);
  const plotAssignments = Array.from({ length: m }, (_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (z[i * k + c] > z[i * k + best]) best = c;
    return best;
  });

  const logLikelihood = cell.logLikelihood as number;
  // With case weights BIC's n is Σ w_i, the rows they stand for.
  const total = sweep.total;
  const { bic, aic } = informationCriteria(logLikelihood, cell.parameters, total);
  const selection: Selection = { criterion, ks, models, entries, chosen: { k: chosen.k, covariance: chosen.covariance } };
  const result: FitResult = {
    model: 'gaussian',
    modelReason: input.reason,
    k,
    n,
    ...(source.weights ? { caseWeights: { column: input.weightsColumn ?? 'weights', total } } : {}),
    d,
    columns: input.columns,
    converged: cell.status === 'converged',
    // As the in-memory selection's refit: the M-steps after the one from the partition.
    iterations: cell.iterations - 1,
    logLikelihood,
    trace,
    weights: last.weights,
    means: last.means,
    covariances: last.covariances,
    covarianceType: chosen.covariance as FitResult['covarianceType'],
    emVariant: 'soft',
    assignments: plotAssignments,
    assignedRows: input.plotIndices,
    bic,
    aic,
    mclustBic: mclustBic(logLikelihood, cell.parameters, total),
    icl: cell.icl as number,
    parameters: cell.parameters,
    standardization: input.standardization,
    snapshots,
    labelMetrics: streamedLabelMetrics(source, snapshots),
    restartObjectives: [logLikelihood],
    elapsedMs: Date.now() - input.started,
    selection,
    notes: [
      ...selectionOutcomeNotes(selection, chosenIndex, file, n),
      ...fitSettingsNotes(options, fitSettings, n),
      ...(source.weights ? [`Case weights (column "${input.weightsColumn ?? 'weights'}") weight every candidate's EM, BIC and ICL (n = Σ w); the starting partitions are computed on the rows unweighted.`] : []),
      'out of core, the candidates advance together: each pass over the rows is one EM iteration of every candidate still running',
      ...input.notes,
      `cluster sizes over all ${n} rows: ${(fitted.sizes ?? []).join(', ')}`,
    ],
  };
  return { result, plotAssignments };
}
