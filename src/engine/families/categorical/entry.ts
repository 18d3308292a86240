// The categorical family's registry entry (latent class analysis): a table whose features are text columns of a few
// categories, fitted by EM (family.ts). Model "auto" takes it when every feature is categorical; with numeric columns
// too, the mixed family does.

import type { DatasetSummary, FitResult } from '../../../shared/protocol';
import type { Dataset, TableData } from '../../data/dataset';
import { emSettingsFor, informationCriteria, runEm, startedFromParams, totalWeight, type EmProgress, type EmRun } from '../../em/em';
import { DataError } from '../../errors';
import { sweepK } from '../../select/kSweep';
import { emResultCore } from '../result';
import { defineFamily, type FitContext, type FitOutcome, type FixedFitOptions } from '../types';
import { CategoricalFamily, type CategoricalColumns, type CategoricalParams } from './family';

/** A table with its categorical columns, as the family fits it. */
export interface CategoricalTable {
  table: TableData;
  n: number;
  d: number;
  columns: CategoricalColumns;
  names: string[];
  categories: string[][];
}

export const categoricalFamily = defineFamily<CategoricalTable>({
  id: 'categorical',
  label: 'categorical',
  inits: ['kmeans++', 'random', 'random-data', 'random-assignment'],
  detect(dataset) {
    if (dataset.kind !== 'table' || !dataset.categorical || dataset.d > 0) return undefined;
    return { data: asCategoricalTable(dataset), reason: `every column is categorical (${dataset.categorical.columns.length} text columns of a few categories)` };
  },
  prepare: (dataset) => asCategoricalTable(dataset),
  fit: (data, context) => fitCategorical(data, context),
  select(data, { options, reason, started, callbacks, ks }) {
    announce(data, reason, callbacks.onLoaded);
    const swept = sweepK({
      file: data.table.summary.fileName,
      n: data.n,
      rowsName: 'rows',
      model: 'categorical',
      ks,
      criterion: options.criterion,
      parameters: (k) => new CategoricalFamily(data.columns, options.init).parameterCount(k),
      fit: (k) => runCategorical(data, { ...options, k }),
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

/** The dataset's categorical columns, or a DataError naming the file and what to do. */
export function asCategoricalTable(dataset: Dataset): CategoricalTable {
  const file = dataset.summary.fileName;
  if (dataset.kind !== 'table' || !dataset.categorical || dataset.categorical.columns.length === 0) {
    throw new DataError(
      `${file}: a categorical mixture needs text columns of a few categories (at most the categoryLimit setting), but ${dataset.kind === 'table' ? 'the table has none' : 'the file holds images'}. ` +
        `Use model "gaussian" for numeric columns, or "auto".`,
      file,
    );
  }
  const { columns, categories, codes } = dataset.categorical;
  return {
    table: dataset,
    n: dataset.n,
    d: columns.length,
    columns: { n: dataset.n, d: columns.length, codes, levels: categories.map((c) => c.length) },
    names: columns,
    categories,
  };
}

function announce(data: CategoricalTable, reason: string, onLoaded: FitContext['callbacks']['onLoaded']): void {
  const summary: DatasetSummary = { ...data.table.summary, n: data.n, d: data.d, columns: data.names };
  onLoaded?.({ summary, model: 'categorical', modelReason: reason });
}

type CategoricalRun = EmRun<CategoricalParams> & { parameters: number };

/** The n of BIC: the rows, or Σ w_i with case weights (the rows they stand for). */
export function sampleSize(table: TableData): number {
  return table.weights ? totalWeight(table.weights) : table.n;
}

/** A result's `caseWeights`: the column and Σ w, when the rows have weights. */
export function caseWeightsField(table: TableData): Pick<FitResult, 'caseWeights'> {
  return table.weights ? { caseWeights: { column: table.weightsColumn ?? 'weights', total: sampleSize(table) } } : {};
}

/** A model selection's note that its candidates were weighted. */
export function weightedSelectionNote(table: TableData): string[] {
  return table.weights ? [`Case weights (column "${table.weightsColumn}") weight every candidate's EM, BIC, ICL and AIC (n = Σ w).`] : [];
}

/** EM from the settings' start, or from `given` parameters (a saved model's: with maxIterations 0, no M-step). */
function runCategorical(data: CategoricalTable, options: FixedFitOptions, onProgress?: (p: EmProgress) => void, given?: CategoricalParams): CategoricalRun {
  const family = new CategoricalFamily(data.columns, options.init, data.table.weights);
  const run = runEm(given ? startedFromParams(family, given) : family, emSettingsFor(options, data.n, data.table.labels), onProgress);
  return Object.assign(run, { parameters: family.parameterCount(options.k) });
}

/** The fit of a categorical table; from `given` parameters instead of the settings' start when they are passed. */
export function fitCategorical(data: CategoricalTable, { options, reason, started, callbacks }: FitContext, given?: CategoricalParams): FitOutcome {
  announce(data, reason, callbacks.onLoaded);
  return packageFit(data, runCategorical(data, options, callbacks.onProgress, given), options, reason, started);
}

function packageFit(data: CategoricalTable, run: CategoricalRun, options: FixedFitOptions, reason: string, started: number): FitOutcome {
  const { core, plotAssignments } = emResultCore(run, run.parameters, sampleSize(data.table), options, started, data.table);
  const result: FitResult = {
    model: 'categorical',
    modelReason: reason,
    n: data.n,
    d: data.d,
    columns: data.names,
    ...caseWeightsField(data.table),
    ...core,
    ...categoryFields(data.names, data.categories, core.means),
  };
  return { result, plotAssignments };
}

/** A result's `categories` and its K × column × category `probabilities`, from K × L rows of probabilities. */
export function categoryFields(names: string[], categories: string[][], rows: number[][]): Pick<FitResult, 'categories' | 'probabilities'> {
  return {
    categories: names.map((column, j) => ({ column, levels: categories[j] })),
    probabilities: rows.map((row) => splitByColumn(row, categories)),
  };
}

/** One cluster's row of probabilities (every column's categories in turn) as column × category. */
function splitByColumn(row: number[], categories: string[][]): number[][] {
  const out: number[][] = [];
  let offset = 0;
  for (const levels of categories) {
    out.push(row.slice(offset, offset + levels.length));
    offset += levels.length;
  }
  return out;
}
