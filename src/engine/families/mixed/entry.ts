// The mixed family's registry entry: a table with continuous columns, count columns (the countColumns setting) and
// categorical columns (text of a few categories), any two kinds or all three, fitted by EM with a Gaussian block over
// the continuous columns, a Poisson block over the counts and a latent-class block over the categorical ones
// (family.ts). Model "auto" takes it when a table has two kinds; k "auto" sweeps K with the chosen covariance model.
// Rows with missing numeric cells are kept (unless missing is "skip"): the Gaussian block integrates those cells out
// (gaussian/missing.ts), as the Gaussian family does, and a missing count or answer drops out of its block's product.

import type { DatasetSummary, FitResult, SklearnCovarianceType } from '../../../shared/protocol';
import type { Dataset, TableData } from '../../data/dataset';
import { emSettingsFor, informationCriteria, runEm, startedFromParams, type EmProgress, type EmRun } from '../../em/em';
import { DataError, OptionsError } from '../../errors';
import { sweepK } from '../../select/kSweep';
import { asCategoricalTable, caseWeightsField, categoryFields, sampleSize, weightedSelectionNote, type CategoricalTable } from '../categorical/entry';
import { CategoricalFamily, type CategoricalParams } from '../categorical/family';
import { COVARIANCE_TYPES } from '../gaussian/covariance';
import { GaussianFamily } from '../gaussian/family';
import { MclustGaussianFamily, mclustModelForColumns } from '../gaussian/mclust/family';
import { MissingGaussianFamily } from '../gaussian/missing';
import { isMclustModelName, type MclustModelName } from '../gaussian/mclust/models';
import { gaussianPlotSample } from '../gaussian/single';
import { emResultCore } from '../result';
import { defineFamily, evenSample, type FitContext, type FitOutcome, type FixedFitOptions } from '../types';
import { countHistograms } from '../poisson/entry';
import { PoissonFamily, type PoissonParams } from '../poisson/family';
import { countColumnNames, resolveCountColumns, splitCountColumns, type CountColumns } from './counts';
import { MixedFamily, type GaussianBlock, type MixedParams } from './family';

/** A table with continuous, count and categorical columns (two kinds at least), as the family fits it. */
export interface MixedTable {
  /** The table as loaded: its rows, labels, case weights and summary. */
  table: TableData;
  n: number;
  /** Continuous plus count plus categorical columns. */
  d: number;
  /** The continuous columns (the table without its count columns): the Gaussian block's; absent without any. */
  gaussian?: TableData;
  /** The count columns: the Poisson block's. */
  counts?: CountColumns;
  categorical?: CategoricalTable;
}

export const mixedFamily = defineFamily<MixedTable>({
  id: 'mixed',
  label: 'mixed',
  inits: ['kmeans++', 'random', 'random-data'],
  detect(dataset, options) {
    if (dataset.kind !== 'table' || dataset.d === 0) return undefined;
    const counts = resolveCountColumns(dataset, countColumnNames(options)).length;
    const kinds = Number(dataset.d > counts) + Number(counts > 0) + Number((dataset.categorical?.columns.length ?? 0) > 0);
    if (kinds < 2) return undefined;
    const data = asMixedTable(dataset, countColumnNames(options));
    return { data, reason: mixedReason(data) };
  },
  prepare: (dataset, options) => asMixedTable(dataset, countColumnNames(options)),
  fit: (data, context) => fitMixed(data, context),
  select(data, { options, reason, started, callbacks, ks }) {
    announce(data, reason, callbacks.onLoaded, options.maxPlotPoints);
    const covariance = data.gaussian ? gaussianModel(options.covarianceType, data.gaussian.d) : 'mixed';
    const swept = sweepK({
      file: data.table.summary.fileName,
      n: data.n,
      rowsName: 'rows',
      model: covariance,
      ks,
      criterion: options.criterion,
      parameters: (k) => mixedFamilyFor(data, options).parameterCount(k),
      fit: (k) => runMixed(data, { ...options, k }),
      summary: (run) => ({ ...run, ...informationCriteria(run.logLikelihood, run.parameters, sampleSize(data.table)) }),
      caseWeights: data.table.weights,
      onProgress: callbacks.onSelectionProgress,
    });
    const outcome = packageFit(data, swept.fit, { ...options, k: swept.selection.chosen!.k }, reason, started);
    outcome.result.selection = swept.selection;
    outcome.result.notes = [...swept.notes, ...weightedSelectionNote(data.table), ...(outcome.result.notes ?? [])];
    return outcome;
  },
});

/**
 * The dataset's continuous, count (`countNames`, the countColumns setting) and categorical columns, or a DataError
 * naming the file and what to do when it has fewer than two of these kinds.
 */
export function asMixedTable(dataset: Dataset, countNames: string[] = []): MixedTable {
  const file = dataset.summary.fileName;
  const countIndices = resolveCountColumns(dataset, countNames);
  const categoricalColumns = dataset.kind === 'table' ? (dataset.categorical?.columns.length ?? 0) : 0;
  const continuous = dataset.d - countIndices.length;
  const kinds = Number(continuous > 0) + Number(countIndices.length > 0) + Number(categoricalColumns > 0);
  if (dataset.kind !== 'table' || kinds < 2) {
    const has =
      dataset.kind !== 'table'
        ? 'the file holds images'
        : dataset.d === 0
          ? 'every column is categorical'
          : continuous === 0
            ? 'every numeric column is a count column and the table has no categorical column'
            : 'the table has no categorical column';
    const use = dataset.kind === 'table' && dataset.d === 0 ? 'categorical' : dataset.kind === 'table' && continuous === 0 ? 'poisson' : 'gaussian';
    throw new DataError(
      `${file}: a mixed mixture needs numeric columns and text columns of a few categories (at most the categoryLimit setting), or count columns (countColumns) beside either, but ${has}. ` +
        `Use model "${use}", or "auto".`,
      file,
    );
  }
  const split = countIndices.length > 0 ? splitCountColumns(dataset, countIndices) : undefined;
  const gaussian = split ? (split.rest.d > 0 ? split.rest : undefined) : dataset;
  const categorical = categoricalColumns > 0 ? asCategoricalTable(dataset) : undefined;
  return { table: dataset, n: dataset.n, d: dataset.d + (categorical?.d ?? 0), ...(gaussian ? { gaussian } : {}), ...(split ? { counts: split.counts } : {}), ...(categorical ? { categorical } : {}) };
}

/** Why model "auto" takes the table: its kinds of columns and the blocks they make. */
export function mixedReason(data: MixedTable): string {
  const plural = (n: number, what: string) => `${n} ${what} column${n === 1 ? '' : 's'}`;
  const names = (list: string[]) => ` (${list.map((c) => `"${c}"`).join(', ')})`;
  const parts: string[] = [];
  const blocks: string[] = [];
  if (data.gaussian) {
    parts.push(plural(data.gaussian.d, 'numeric'));
    blocks.push('a Gaussian block');
  }
  if (data.counts) {
    parts.push(plural(data.counts.d, 'count') + names(data.counts.names));
    blocks.push('a Poisson block');
  }
  if (data.categorical) {
    parts.push(plural(data.categorical.d, 'categorical') + names(data.categorical.names));
    blocks.push('a categorical block');
  }
  // "2 numeric and 2 categorical columns": the kind's word before a shared "columns" when there are two.
  if (parts.length === 2 && !data.counts) return `${data.gaussian!.d} numeric and ${plural(data.categorical!.d, 'categorical')}${names(data.categorical!.names)}: ${blocks.join(' and ')}`;
  const join = (list: string[]) => (list.length === 2 ? list.join(' and ') : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`);
  return `${join(parts)}: ${join(blocks)}`;
}

/** The Gaussian block's covariance model: one of scikit-learn's four or an mclust model (E or V on one column). */
function gaussianModel(covarianceType: string, d: number): string {
  if ((COVARIANCE_TYPES as readonly string[]).includes(covarianceType)) return covarianceType;
  if (isMclustModelName(covarianceType)) return mclustModelForColumns(covarianceType, d);
  throw new OptionsError(`a mixed mixture's Gaussian block takes scikit-learn's covariance types or mclust's models, not "${covarianceType}".`);
}

/** The family for these options: its Gaussian block on the continuous columns, Poisson block on the counts, categorical block on the others. */
export function mixedFamilyFor(data: MixedTable, options: Pick<FixedFitOptions, 'covarianceType' | 'regularization' | 'init' | 'initParams'>): MixedFamily<unknown> {
  const caseWeights = data.table.weights;
  const table = data.gaussian;
  let gaussian: GaussianBlock<unknown> | undefined;
  if (table) {
    const model = gaussianModel(options.covarianceType, table.d);
    gaussian = (
      table.missing
        ? new MissingGaussianFamily(table.values, table.n, table.d, table.missing, { model: model as SklearnCovarianceType | MclustModelName, regularization: options.regularization, init: options.init, initParams: options.initParams, caseWeights })
        : (COVARIANCE_TYPES as readonly string[]).includes(model)
          ? new GaussianFamily(table.values, table.n, table.d, { covarianceType: model as SklearnCovarianceType, regularization: options.regularization, init: options.init, initParams: options.initParams, caseWeights })
          : new MclustGaussianFamily(table.values, table.n, table.d, { model: model as Parameters<typeof mclustModelForColumns>[0], regularization: options.regularization, init: options.init, initParams: options.initParams, caseWeights })
    ) as GaussianBlock<unknown>;
  }
  // Without a Gaussian block the start is the Poisson or categorical block's own (init "params" gives none).
  const init = options.init === 'params' ? 'kmeans++' : options.init;
  const { counts } = data;
  return new MixedFamily({
    gaussian,
    poisson: counts ? new PoissonFamily(counts.values, data.n, counts.d, init, caseWeights, counts.missing) : undefined,
    categorical: data.categorical ? new CategoricalFamily(data.categorical.columns, init, caseWeights) : undefined,
  });
}

/** What the fit did with the missing count cells. */
function missingCountNote(counts: CountColumns): string {
  const per = counts.missingPerColumn ?? [];
  const cells = per.reduce((a, b) => a + b, 0);
  const where = per.map((count, j) => (count > 0 ? `${count} in ${counts.names[j]}` : '')).filter(Boolean).join(', ');
  return `${cells} missing count cell${cells === 1 ? '' : 's'} (${where}) left out of their rows' Poisson product, assuming the cells are missing at random.`;
}

/** What the fit did with the missing numeric cells (the panel's and the CLI's note). */
function missingNote(table: TableData): string {
  const per = table.missingPerColumn ?? [];
  const cells = per.reduce((a, b) => a + b, 0);
  const where = per.map((count, j) => (count > 0 ? `${count} in ${table.columns[j]}` : '')).filter(Boolean).join(', ');
  return `${cells} missing numeric cell${cells === 1 ? '' : 's'} (${where}) integrated out by the Gaussian block: each row is fitted on its observed cells, assuming the cells are missing at random.`;
}

/** Summary, model and the Gaussian block's plotted rows (the panel's scatter of the numeric columns) for onLoaded. */
function announce(data: MixedTable, reason: string, onLoaded: FitContext['callbacks']['onLoaded'], maxPlotPoints: number): void {
  const summary: DatasetSummary = { ...data.table.summary, ...(data.counts ? { countColumns: data.counts.names } : {}) };
  const table = data.gaussian;
  const plotSample = table ? gaussianPlotSample(table.values, table.n, table.d, maxPlotPoints, table.missing, table.weights) : undefined;
  onLoaded?.({ summary, model: 'mixed', modelReason: reason, ...(plotSample ? { plotSample } : {}) });
}

type MixedRun = EmRun<MixedParams<unknown>> & { parameters: number; covariance: string; family: MixedFamily<unknown> };

/** EM from the settings' start, or from `given` parameters (a saved model's: with maxIterations 0, no M-step). */
function runMixed(data: MixedTable, options: FixedFitOptions, onProgress?: (p: EmProgress) => void, given?: GivenMixture): MixedRun {
  const family = mixedFamilyFor(data, given?.gaussian ? { ...options, init: 'params', initParams: given.gaussian } : options);
  const start = given
    ? startedFromParams(family, {
        ...(family.gaussian ? { gaussian: givenGaussianBlock(family.gaussian, given.gaussian!, options.k) } : {}),
        ...(family.poisson ? { poisson: given.poisson } : {}),
        ...(family.categorical ? { categorical: given.categorical } : {}),
      })
    : family;
  const run = runEm(start, emSettingsFor(options, data.n, data.table.labels), onProgress);
  return Object.assign(run, { parameters: family.parameterCount(options.k), covariance: data.gaussian ? gaussianModel(options.covarianceType, data.gaussian.d) : '', family });
}

/** A saved mixed model's parameters: its Gaussian block's (as initParams), its Poisson block's and its categorical block's. */
export interface GivenMixture {
  gaussian?: { weights: number[]; means: number[][]; covariances: number[][][] };
  poisson?: PoissonParams;
  categorical?: CategoricalParams;
}

/** The Gaussian block's parameters from a saved model's weights, means and covariances, in the block's own form. */
function givenGaussianBlock(block: GaussianBlock<unknown>, given: NonNullable<GivenMixture['gaussian']>, k: number): unknown {
  if (block instanceof MclustGaussianFamily) return block.givenParams(k, given.weights, Float64Array.from(given.means.flat()), Float64Array.from(given.covariances.flat(2)));
  if (block instanceof GaussianFamily) return block.givenParams(k);
  // With missing cells: its E-step reads the full covariances (no M-step follows a saved model's E-step).
  return { weights: Float64Array.from(given.weights), means: Float64Array.from(given.means.flat()), covariances: Float64Array.from(given.covariances.flat(2)) };
}

/** The fit of a mixed table; from `given` parameters instead of the settings' start when they are passed. */
export function fitMixed(data: MixedTable, { options, reason, started, callbacks }: FitContext, given?: GivenMixture): FitOutcome {
  announce(data, reason, callbacks.onLoaded, options.maxPlotPoints);
  return packageFit(data, runMixed(data, options, callbacks.onProgress, given), options, reason, started);
}

function packageFit(data: MixedTable, run: MixedRun, options: FixedFitOptions, reason: string, started: number): FitOutcome {
  const { table, categorical, counts } = data;
  const gaussian = data.gaussian;
  const last = run.snapshots[run.snapshots.length - 1];
  if (last.model !== 'mixed') throw new Error('internal: a mixed fit without mixed snapshots');
  const { core, plotAssignments } = emResultCore(run, run.parameters, sampleSize(table), options, started, table);
  const notes = [...(gaussian?.missing ? [missingNote(gaussian)] : []), ...(counts?.missing ? [missingCountNote(counts)] : [])];
  const result: FitResult = {
    model: 'mixed',
    modelReason: reason,
    n: data.n,
    d: gaussian?.d ?? 0,
    columns: gaussian?.columns ?? [],
    ...caseWeightsField(table),
    ...(gaussian?.missing ? { missingCells: gaussian.missingPerColumn } : {}),
    ...core,
    ...(notes.length > 0 ? { notes } : {}),
    covariances: last.covariances,
    ...(gaussian ? { covarianceType: run.covariance as FitResult['covarianceType'] } : {}),
    ...(counts
      ? {
          countColumns: counts.names,
          rates: last.rates,
          ...(counts.missing ? { missingCountCells: counts.missingPerColumn } : {}),
          countHistograms: countHistograms({ n: data.n, d: counts.d, values: counts.values, weights: table.weights, missing: counts.missing, columns: counts.names }),
        }
      : {}),
    ...(categorical ? categoryFields(categorical.names, categorical.categories, last.probabilities) : {}),
    mclustBic: -core.bic,
  };
  // The plotted rows with missing numeric cells, at their conditional expectation under the fit (as the Gaussian
  // family places them): E[x_missing | x_observed] averaged over the rows' responsibilities.
  const block = run.family.gaussian;
  if (gaussian?.missing && block instanceof MissingGaussianFamily && run.params.gaussian) {
    const rows = evenSample(data.n, options.maxPlotPoints).filter((i) => gaussian.missing!.subarray(i * gaussian.d, (i + 1) * gaussian.d).includes(1));
    result.imputedPlot = { rows, values: Array.from(block.conditionalExpectations(run.params.gaussian as never, options.k, run.logResp, rows)) };
  }
  return { result, plotAssignments };
}
