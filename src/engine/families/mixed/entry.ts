// The mixed family's registry entry: a table with numeric columns and categorical columns (text of a few categories),
// fitted by EM with a Gaussian block over the numeric columns and a latent-class block over the categorical ones
// (family.ts). Model "auto" takes it when a table has both; k "auto" sweeps K with the chosen covariance model.
// Rows with missing numeric cells are kept (unless missing is "skip"): the Gaussian block integrates those cells out
// (gaussian/missing.ts), as the Gaussian family does, and a missing answer drops out of the categorical product.

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
export function mixedFamilyFor(data: MixedTable, options: Pick<FixedFitOptions, 'covarianceType' | 'regularization' | 'init' | 'initParams'>): MixedFamily<unknown> {
  const { table } = data;
  const model = gaussianModel(options.covarianceType, table.d);
  const caseWeights = table.weights;
  const gaussian = table.missing
    ? new MissingGaussianFamily(table.values, table.n, table.d, table.missing, { model: model as SklearnCovarianceType | MclustModelName, regularization: options.regularization, init: options.init, initParams: options.initParams, caseWeights })
    : (COVARIANCE_TYPES as readonly string[]).includes(model)
    ? new GaussianFamily(table.values, table.n, table.d, { covarianceType: model as SklearnCovarianceType, regularization: options.regularization, init: options.init, initParams: options.initParams, caseWeights })
    : new MclustGaussianFamily(table.values, table.n, table.d, { model: model as Parameters<typeof mclustModelForColumns>[0], regularization: options.regularization, init: options.init, initParams: options.initParams, caseWeights });
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

/** EM from the settings' start, or from `given` parameters (a saved model's: with maxIterations 0, no M-step). */
function runMixed(data: MixedTable, options: FixedFitOptions, onProgress?: (p: EmProgress) => void, given?: GivenMixture): MixedRun {
  const family = mixedFamilyFor(data, given ? { ...options, init: 'params', initParams: given.gaussian } : options);
  const start = given ? startedFromParams(family, { gaussian: givenGaussianBlock(family.gaussian, given.gaussian, options.k), categorical: given.categorical }) : family;
  const run = runEm(start, emSettingsFor(options, data.n, data.table.labels), onProgress);
  return Object.assign(run, { parameters: family.parameterCount(options.k), covariance: gaussianModel(options.covarianceType, data.table.d) });
}

/** A saved mixed model's parameters: its Gaussian block's (as initParams) and its categorical block's. */
export interface GivenMixture {
  gaussian: { weights: number[]; means: number[][]; covariances: number[][][] };
  categorical: CategoricalParams;
}

/** The Gaussian block's parameters from a saved model's weights, means and covariances, in the block's own form. */
function givenGaussianBlock(block: GaussianBlock<unknown>, given: GivenMixture['gaussian'], k: number): unknown {
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
