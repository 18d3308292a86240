// The mixed family's registry entry: a table with numeric columns and categorical columns (text of a few categories),
// fitted by EM with a Gaussian block over the numeric columns and a latent-class block over the categorical ones
// (family.ts). Model "auto" takes it when a table has both; k "auto" sweeps K with the chosen covariance model.
// Rows with missing numeric cells are kept (unless missing is "skip"): the Gaussian block integrates those cells out
// (gaussian/missing.ts), as the Gaussian family does, and a missing answer drops out of the categorical product.

import type { DatasetSummary, FitResult, SklearnCovarianceType } from '../../../shared/protocol';
import type { Dataset, TableData } from '../../data/dataset';
import { emSettingsFor, informationCriteria, runEm, type EmProgress, type EmRun } from '../../em/em';
import { DataError, OptionsError } from '../../errors';
import { sweepK } from '../../select/kSweep';
import { asCategoricalTable, caseWeightsField, categoryFields, sampleSize, weightedSelectionNote, type CategoricalTable } from '../categorical/entry';
import { CategoricalFamily } from '../categorical/family';
import { COVARIANCE_TYPES } from '../gaussian/covariance';
import { GaussianFamily } from '../gaussian/family';
import { MclustGaussianFamily, mclustModelForColumns } from '../gaussian/mclust/family';
import { MissingGaussianFamily } from '../gaussian/missing';
import { isMclustModelName, type MclustModelName } from '../gaussian/mclust/models';
import { gaussianPlotSample } from '../gaussian/single';
import { emResultCore } from '../result';
import { defineFamily, type FitContext, type FitOutcome, type FixedFitOptions } from '../types';
import { MixedFamily, type GaussianBlock, type MixedParams } from './family';

/** A table with numeric and categorical columns, as the family fits it. */
export interface MixedTable {
  table: TableData;
  n: number;
  /** Numeric plus categorical columns. */
  d: number;
  categorical: CategoricalTable;
}

export const mixedFamily = defineFamily<MixedTable>({
  id: 'mixed',
  label: 'mixed',
  inits: ['kmeans++', 'random', 'random-data'],
  detect(dataset) {
    if (dataset.kind !== 'table' || !dataset.categorical || dataset.d === 0) return undefined;
    const m = dataset.categorical.columns.length;
    return {
      data: asMixedTable(dataset),
      reason: `${dataset.d} numeric and ${m} categorical column${m === 1 ? '' : 's'} (${dataset.categorical.columns.map((c) => `"${c}"`).join(', ')}): a Gaussian block and a categorical block`,
    };
  },
  prepare: (dataset) => asMixedTable(dataset),
  fit: (data, context) => fitMixed(data, context),
  select(data, { options, reason, started, callbacks, ks }) {
    announce(data, reason, callbacks.onLoaded, options.maxPlotPoints);
    const covariance = gaussianModel(options.covarianceType, data.table.d);
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

/** The dataset's numeric and categorical columns, or a DataError naming the file and what to do. */
export function asMixedTable(dataset: Dataset): MixedTable {
  const file = dataset.summary.fileName;
  if (dataset.kind !== 'table' || !dataset.categorical || dataset.categorical.columns.length === 0 || dataset.d === 0) {
    const has = dataset.kind !== 'table' ? 'the file holds images' : dataset.d === 0 ? 'every column is categorical' : 'the table has no categorical column';
    throw new DataError(
      `${file}: a mixed mixture needs numeric columns and text columns of a few categories (at most the categoryLimit setting), but ${has}. ` +
        `Use model "${dataset.kind === 'table' && dataset.d === 0 ? 'categorical' : 'gaussian'}", or "auto".`,
      file,
    );
  }
  const categorical = asCategoricalTable(dataset);
  return { table: dataset, n: dataset.n, d: dataset.d + categorical.d, categorical };
}

/** The Gaussian block's covariance model: one of scikit-learn's four or an mclust model (E or V on one column). */
function gaussianModel(covarianceType: string, d: number): string {
  if ((COVARIANCE_TYPES as readonly string[]).includes(covarianceType)) return covarianceType;
  if (isMclustModelName(covarianceType)) return mclustModelForColumns(covarianceType, d);
  throw new OptionsError(`a mixed mixture's Gaussian block takes scikit-learn's covariance types or mclust's models, not "${covarianceType}".`);
}

/** The family for these options: its Gaussian block on the numeric columns, its categorical block on the others. */
export function mixedFamilyFor(data: MixedTable, options: Pick<FixedFitOptions, 'covarianceType' | 'regularization' | 'init'>): MixedFamily<unknown> {
  const { table } = data;
  const model = gaussianModel(options.covarianceType, table.d);
  const caseWeights = table.weights;
  const gaussian = table.missing
    ? new MissingGaussianFamily(table.values, table.n, table.d, table.missing, { model: model as SklearnCovarianceType | MclustModelName, regularization: options.regularization, init: options.init, caseWeights })
    : (COVARIANCE_TYPES as readonly string[]).includes(model)
    ? new GaussianFamily(table.values, table.n, table.d, { covarianceType: model as SklearnCovarianceType, regularization: options.regularization, init: options.init, caseWeights })
    : new MclustGaussianFamily(table.values, table.n, table.d, { model: model as Parameters<typeof mclustModelForColumns>[0], regularization: options.regularization, init: options.init, caseWeights });
  return new MixedFamily(gaussian as GaussianBlock<unknown>, new CategoricalFamily(data.categorical.columns, options.init, caseWeights));
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
  const summary: DatasetSummary = { ...data.table.summary };
  const { table } = data;
  const plotSample = gaussianPlotSample(table.values, table.n, table.d, maxPlotPoints, table.missing, table.weights);
  onLoaded?.({ summary, model: 'mixed', modelReason: reason, plotSample });
}

type MixedRun = EmRun<MixedParams<unknown>> & { parameters: number; covariance: string };

function runMixed(data: MixedTable, options: FixedFitOptions, onProgress?: (p: EmProgress) => void): MixedRun {
  const family = mixedFamilyFor(data, options);
  const run = runEm(family, emSettingsFor(options, data.n, data.table.labels), onProgress);
  return Object.assign(run, { parameters: family.parameterCount(options.k), covariance: gaussianModel(options.covarianceType, data.table.d) });
}

function fitMixed(data: MixedTable, { options, reason, started, callbacks }: FitContext): FitOutcome {
  announce(data, reason, callbacks.onLoaded, options.maxPlotPoints);
  return packageFit(data, runMixed(data, options, callbacks.onProgress), options, reason, started);
}

function packageFit(data: MixedTable, run: MixedRun, options: FixedFitOptions, reason: string, started: number): FitOutcome {
  const { table, categorical } = data;
  const last = run.snapshots[run.snapshots.length - 1];
  if (last.model !== 'mixed') throw new Error('internal: a mixed fit without mixed snapshots');
  const { core, plotAssignments } = emResultCore(run, run.parameters, sampleSize(table), options, started, table);
  const result: FitResult = {
    model: 'mixed',
    modelReason: reason,
    n: data.n,
    d: table.d,
    columns: table.columns,
    ...caseWeightsField(table),
    ...(table.missing ? { missingCells: table.missingPerColumn } : {}),
    ...core,
    ...(table.missing ? { notes: [missingNote(table)] } : {}),
    covariances: last.covariances,
    covarianceType: run.covariance as FitResult['covarianceType'],
    ...categoryFields(categorical.names, categorical.categories, last.probabilities),
    mclustBic: -core.bic,
  };
  return { result, plotAssignments };
}
