// Model selection in the product: `k = "auto"` (K from kRange), several covariance models, or both. Which candidates
// a fit has (selectionCandidates), the Gaussian sweep (R's Mclust(): every K × model by mclust's EM from Mclust()'s
// starting partition, on worker threads) with the chosen candidate refitted through the single-fit path from the
// same partition (so the panel gets its iterations), and the Bernoulli sweep over K. Scores in scikit-learn's sign,
// lower is better: bic = −2 ln L + p ln n, icl = bic + 2 × entropy, aic = −2 ln L + 2p.

import { isFamilyId } from '../families/ids';
import type { FitOptions, Selection, SelectionCriterion, SelectionEntry } from '../../shared/protocol';
import { DEFAULT_FIT_OPTIONS, SKLEARN_MODEL_ALIASES, parseCovarianceModels, parseKRange, type CovarianceType, type SklearnCovarianceType } from '../../shared/settings';
import type { TableData } from '../data/dataset';
import { DataError, FitError, OptionsError } from '../errors';
import { mclustModelForColumns } from '../families/gaussian/mclust/family';
import { defaultMclustModels, isMclustModelName, type MclustModelName } from '../families/gaussian/mclust/models';
import { announce, prepareGaussianTable, runGaussianFit } from '../families/gaussian/single';
import { constantColumns } from '../families/gaussian/prepare';
import type { FamilyId } from '../families/ids';
import type { FitOutcome, SelectContext } from '../families/types';
import { hcSvdTransform } from '../families/gaussian/mclust/hc';
import { sweepModelsParallel } from './parallel';
import { HC_SUBSET_ROWS, kmeansPartitions } from './starts';
import { isChoosable, SWEEP_DEFAULTS, type CellSettings, type SweepCell } from './sweep';

/** The K values and models of a fit: one of each is a single fit; more make a model selection. */
export interface Candidates {
  ks: number[];
  /** Gaussian: covariance types or mclust models as written; Bernoulli: ['bernoulli']. */
  models: string[];
}

/**
 * The candidates of `options` for a family on n × d data. K: options.k, or every K of kRange when k is "auto".
 * Gaussian models: covarianceModels' list; "all": mclust's default models for n × d; "auto": those when k is
 * "auto", else covarianceType alone (so a fixed K with the default models is exactly the single fit it always was).
 */
export function selectionCandidates(options: FitOptions, family: FamilyId, n: number, d: number): Candidates {
  let ks: number[];
  if (options.k === 'auto') {
    const parsed = parseKRange(options.kRange);
    if (!parsed.ok) throw new OptionsError(`kRange: ${parsed.why}.`);
    ks = parsed.ks;
  } else ks = [options.k];
  if (family !== 'gaussian') return { ks, models: [family] };
  // The variational fit finds the number of components below K itself: one fit, at the largest K asked for.
  if (options.covarianceType === 'variational') return { ks: [Math.max(...ks)], models: ['variational'] };
  const parsed = parseCovarianceModels(options.covarianceModels);
  if (!parsed.ok) throw new OptionsError(`covarianceModels: ${parsed.why}.`);
  const { models } = parsed;
  if (models === 'all' || (models === 'auto' && options.k === 'auto')) return { ks, models: defaultMclustModels(n, d) };
  return { ks, models: models === 'auto' ? [options.covarianceType] : models };
}

/** The mclust models a sweep fits for these names on d columns: scikit-learn's names as their models, E/V on one column. */
export function sweepModelsFor(names: readonly string[], d: number): MclustModelName[] {
  const out: MclustModelName[] = [];
  for (const name of names) {
    const alias = SKLEARN_MODEL_ALIASES[name as SklearnCovarianceType];
    const model = alias ?? name;
    if (!isMclustModelName(model)) throw new OptionsError(`covarianceModels: "${name}" is not a covariance model.`);
    const fitted = mclustModelForColumns(model, d);
    if (!out.includes(fitted)) out.push(fitted);
  }
  return out;
}

/**
 * How a selection fits its candidates. At their defaults, tolerance, maxIterations and regularization stand for
 * mclust's own (relative log-likelihood change 1e-5, no practical iteration limit, no ridge), so that the table is
 * R's Mclust() table; any other value applies to every candidate: tolerance as mclust's relative change
 * |Δ ln L| / (1 + |ln L|), maxIterations EM iterations after the start, regularization added to every covariance.
 */
export function selectionFitSettings(options: FitOptions): CellSettings {
  return {
    tolerance: options.tolerance === DEFAULT_FIT_OPTIONS.tolerance ? SWEEP_DEFAULTS.tolerance : options.tolerance,
    // mclust counts the M-step from the partition as an iteration; the settings count iterations after the start.
    maxIterations: options.maxIterations === DEFAULT_FIT_OPTIONS.maxIterations ? SWEEP_DEFAULTS.maxIterations : options.maxIterations + 1,
    regularization: options.regularization === DEFAULT_FIT_OPTIONS.regularization ? SWEEP_DEFAULTS.regularization : options.regularization,
  };
}

/** Entries' parameters are kept up to this many columns (K × d × d covariances per candidate). */
export const MAX_PARAMS_COLUMNS = 20;

const CRITERION_NAMES: Record<SelectionCriterion, string> = { bic: 'BIC', icl: 'ICL', aic: 'AIC' };

const CELL_REASONS: Partial<Record<SweepCell['status'], string>> = {
  singular: 'EM failed: a covariance became singular',
  'empty-component': 'EM failed: a component lost all its points',
  'no-start': 'no starting partition with this many classes (too few distinct values)',
};

/** A sweep cell as a selection entry (scikit-learn's sign), its parameters shifted back by `centre`. */
export function entryOfCell(cell: SweepCell, n: number, centre?: Float64Array): SelectionEntry {
  const usable = isChoosable(cell) && cell.status !== 'degenerate';
  const ll = cell.logLikelihood;
  const entry: SelectionEntry = {
    k: cell.k,
    covariance: cell.model,
    logLikelihood: ll,
    parameters: cell.parameters,
    bic: usable ? -(cell.bic as number) : null,
    icl: usable ? -(cell.icl as number) : null,
    aic: usable && ll !== null ? -2 * ll + 2 * cell.parameters : null,
    iterations: cell.iterations,
    converged: cell.status === 'converged',
    degenerate: cell.status === 'degenerate',
  };
  if (cell.status === 'degenerate') entry.reason = `degenerate: ${(cell.degenerate ?? []).join('; ')}`;
  else if (cell.status === 'too-few-rows') entry.reason = `skipped: K = ${cell.k} is more than the ${n} rows`;
  else if (CELL_REASONS[cell.status]) entry.reason = CELL_REASONS[cell.status];
  if (cell.params) {
    const means = cell.params.means.map((m) => (centre ? m.map((v, j) => v + centre[j]) : m));
    entry.params = { weights: cell.params.weights, means, covariances: cell.params.covariances };
  }
  return entry;
}

/**
 * The chosen entry's index: the lowest criterion among the usable entries; exact ties go to the first in mclust's
 * order (model by model, K within each), as R's pickBIC. −1 when none is usable.
 */
export function chooseEntry(entries: readonly SelectionEntry[], ks: readonly number[], models: readonly string[], criterion: SelectionCriterion): number {
  let best = -1;
  for (let j = 0; j < models.length; j++) {
    for (let i = 0; i < ks.length; i++) {
      const index = i * models.length + j;
      const value = entries[index]?.[criterion];
      if (value === null || value === undefined) continue;
      if (best < 0 || value < (entries[best][criterion] as number)) best = index;
    }
  }
  return best;
}

/** Notes on what was chosen and why, the runner-up, and the candidates that could not be used. */
export function selectionOutcomeNotes(selection: Selection, chosenIndex: number, file: string, n: number): string[] {
  const { entries, criterion } = selection;
  const label = CRITERION_NAMES[criterion];
  const chosen = entries[chosenIndex];
  const name = (e: SelectionEntry) => (isFamilyId(e.covariance) ? `K = ${e.k}` : `${e.covariance} K = ${e.k}`);
  let runnerUp = -1;
  entries.forEach((e, i) => {
    if (i === chosenIndex || e[criterion] === null) return;
    if (runnerUp < 0 || (e[criterion] as number) < (entries[runnerUp][criterion] as number)) runnerUp = i;
  });
  const head = `K = ${chosen.k}${isFamilyId(chosen.covariance) ? '' : `, ${chosen.covariance}`}: lowest ${label} of ${entries.length} candidates`;
  const next = runnerUp >= 0 ? `; next ${name(entries[runnerUp])} (Δ${label} ${((entries[runnerUp][criterion] as number) - (chosen[criterion] as number)).toFixed(1)})` : '';
  const notes = [`${head}${next}.`];
  const skipped = entries.filter((e) => e.k > n);
  if (skipped.length > 0) {
    const ks = [...new Set(skipped.map((e) => e.k))];
    notes.push(`${file}: K = ${ks.join(', ')} skipped: more components than the ${n} rows.`);
  }
  const unusable = entries.filter((e) => e[criterion] === null && e.k <= n);
  if (unusable.length > 0) {
    const degenerate = unusable.filter((e) => e.degenerate).length;
    const failed = unusable.length - degenerate;
    const parts = [degenerate > 0 ? `${degenerate} degenerate` : '', failed > 0 ? `${failed} failed` : ''].filter((p) => p !== '');
    notes.push(`${unusable.length} candidate${unusable.length === 1 ? '' : 's'} not usable (${parts.join(', ')}), never chosen.`);
  }
  return notes;
}

/** One error when no candidate can be fitted at all: every K above the rows. */
export function refuseNoCandidates(file: string, ks: readonly number[], n: number): void {
  if (ks.every((k) => k > n)) {
    throw new DataError(
      `${file}: no candidate to fit: every K tried (${ks.length === 1 ? ks[0] : `${ks[0]}…${ks[ks.length - 1]}`}) is more than the ${n} usable row${n === 1 ? '' : 's'}. Set a smaller kRange.`,
      file,
    );
  }
}

export function refuseNoneUsable(file: string, entries: readonly SelectionEntry[]): never {
  const reasons = [...new Set(entries.map((e) => e.reason ?? 'failed'))].slice(0, 3);
  throw new FitError(`${file}: none of the ${entries.length} candidates could be used (${reasons.join('; ')}). Try standardize, a regularization above 0, or a smaller kRange.`);
}

/** The Gaussian family's selection: the sweep, then the chosen candidate's fit from its partition. */
export function selectGaussian(table: TableData, { options, reason, started, callbacks, environment, ks, models: names }: SelectContext): FitOutcome {
  const { n, d } = table;
  const file = table.summary.fileName;
  if (options.emVariant === 'hard') {
    throw new OptionsError('a model selection (k "auto", or several covariance models) fits by standard EM; set emVariant to "soft", or k to a number for hard EM.');
  }
  const models = sweepModelsFor(names, d);
  refuseNoCandidates(file, ks, n);
  const fitSettings = selectionFitSettings(options);
  const prepared = prepareGaussianTable(table, options, fitSettings.regularization);
  const constant = constantColumns(prepared.values, n, d);
  if (constant.length === d) throw new DataError(`${file}: ${n === 1 ? 'there is only one row' : `all ${n} rows are the same point`}, so there are no clusters to compare.`, file);
  // Without regularisation no covariance model can be estimated along a column with one value (every candidate but
  // the spherical ones would fail, and those would be chosen for the wrong reason): say so before fitting.
  if (fitSettings.regularization === 0 && constant.length > 0) {
    throw new DataError(
      `${file}: column "${table.columns[constant[0]] ?? `x${constant[0] + 1}`}" has the same value in every row, so it cannot tell clusters apart and no covariance model can be estimated along it. ` +
        'Leave the column out (mixscope.columns, --columns), or fix K and one covariance model (its regularization keeps the fit finite).',
      file,
    );
  }
  // mclust's hierarchical clustering needs data of full rank (a column that copies another breaks it): k-means then.
  const startNote = hcCannotStart(prepared.values, n, d);
  announce(prepared, reason, callbacks);

  const criterion = options.criterion;
  const entries: SelectionEntry[] = new Array(ks.length * models.length);
  const sweep = sweepModelsParallel(
    prepared.values,
    n,
    d,
    { ks, models, ...fitSettings, columns: table.columns, keepParams: d <= MAX_PARAMS_COLUMNS, caseWeights: table.weights, ...(startNote ? { starts: (x: Float64Array, rows: number, cols: number, kList: readonly number[]) => kmeansPartitions(x, rows, cols, kList, options.seed) } : {}) },
    { threads: options.threads, workerScript: environment.selectWorkerScript },
    (cell, done, total) => {
      const entry = entryOfCell(cell, n, prepared.centre);
      entries[ks.indexOf(cell.k) * models.length + models.indexOf(cell.model as MclustModelName)] = entry;
      callbacks.onSelectionProgress?.({ criterion, ks, models, entry, done, total });
    },
  );
  const chosenIndex = chooseEntry(entries, ks, models, criterion);
  if (chosenIndex < 0) refuseNoneUsable(file, entries);
  const chosen = entries[chosenIndex];
  const cell = sweep.cells[chosenIndex];
  const partition = sweep.partitions[Math.floor(chosenIndex / models.length)];
  const selection: Selection = { criterion, ks, models, entries, chosen: { k: chosen.k, covariance: chosen.covariance } };
  const single = { ...options, k: chosen.k, covarianceType: chosen.covariance as CovarianceType, regularization: fitSettings.regularization };
  const outcome = runGaussianFit(prepared, single, reason, started, callbacks, { partition, mSteps: cell.iterations, converged: cell.status === 'converged' });
  const result = outcome.result;
  result.selection = selection;
  const startNotes = [
    ...(startNote ? [startNote] : fitSettingsNotes(options, fitSettings, n)),
    ...(table.weights ? [`Case weights (column "${table.weightsColumn}") weight every candidate's EM, BIC and ICL (n = Σ w); the starting partitions are computed on the rows unweighted.`] : []),
  ];
  result.notes = [...selectionOutcomeNotes(selection, chosenIndex, file, n), ...startNotes, ...(result.notes ?? [])];
  result.elapsedMs = Date.now() - started;
  return outcome;
}

/** Why mclust's hierarchical clustering cannot start these data (rank-deficient), as a note; undefined when it can. */
export function hcCannotStart(values: Float64Array, n: number, d: number): string | undefined {
  if (d === 1) return undefined;
  try {
    hcSvdTransform(values, Math.min(n, HC_SUBSET_ROWS), d);
    return undefined;
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return 'Every candidate starts from k-means++ and Lloyd\'s iterations: the columns are linearly dependent (one is a combination of others), so mclust\'s hierarchical clustering cannot start them.';
  }
}

/** Says how the candidates were fitted when the settings' defaults stood for mclust's. */
export function fitSettingsNotes(options: FitOptions, used: CellSettings, n: number): string[] {
  const parts: string[] = [];
  if (options.tolerance === DEFAULT_FIT_OPTIONS.tolerance) parts.push(`EM stops at a relative change of ${used.tolerance.toExponential()}`);
  if (options.maxIterations === DEFAULT_FIT_OPTIONS.maxIterations) parts.push('no iteration limit');
  if (options.regularization === DEFAULT_FIT_OPTIONS.regularization) parts.push('no regularization');
  const subset = n > HC_SUBSET_ROWS ? ` (of ${HC_SUBSET_ROWS.toLocaleString('en-US')} rows drawn at random, as mclust does for large data)` : '';
  return [`Every candidate starts from the partition of Mclust()'s hierarchical clustering${subset}${parts.length > 0 ? ` and is fitted as mclust fits it (${parts.join(', ')})` : ''}.`];
}

export type { SweepCell };
