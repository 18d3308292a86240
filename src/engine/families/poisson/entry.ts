// The Poisson family's registry entry: a table of counts (non-negative whole numbers in every fitted column), fitted
// by EM (family.ts) and packaged with each column's count frequencies for the panel's histograms. Model "auto" takes
// it only when the countColumns setting names every numeric column of a table without categorical columns (whole
// numbers are as often measurements as counts); otherwise the settings or `--model poisson` name it.

import type { CountHistogram, DatasetSummary, FitResult } from '../../../shared/protocol';
import type { Dataset, TableData } from '../../data/dataset';
import { emSettingsFor, informationCriteria, runEm, startedFromParams, totalWeight, type EmProgress, type EmRun } from '../../em/em';
import { DataError } from '../../errors';
import { sweepK } from '../../select/kSweep';
import { countColumnNames, resolveCountColumns } from '../mixed/counts';
import { emResultCore } from '../result';
import { defineFamily, type FitContext, type FitOutcome, type FixedFitOptions } from '../types';
import { PoissonFamily, type PoissonParams } from './family';

/** Count values drawn one bar each; larger counts share the last bar ("≥ this"). */
export const HISTOGRAM_MAX_BARS = 60;

export const poissonFamily = defineFamily<TableData>({
  id: 'poisson',
  label: 'Poisson',
  inits: ['kmeans++', 'random', 'random-data', 'random-assignment'],
  detect(dataset, options) {
    const names = countColumnNames(options);
    if (dataset.kind !== 'table' || names.length === 0 || dataset.d === 0 || (dataset.categorical?.columns.length ?? 0) > 0) return undefined;
    if (resolveCountColumns(dataset, names).length !== dataset.d) return undefined;
    return { data: asCountTable(dataset), reason: `every column is a count column (countColumns: ${dataset.columns.map((c) => `"${c}"`).join(', ')}): independent Poisson counts` };
  },
  prepare: (dataset) => asCountTable(dataset),
  fit: (table, context) => fitCounts(table, context),
  select(table, { options, reason, started, callbacks, ks }) {
    announce(table, reason, callbacks.onLoaded);
    const swept = sweepK({
      file: table.summary.fileName,
      n: table.n,
      rowsName: 'rows',
      model: 'poisson',
      ks,
      criterion: options.criterion,
      parameters: (k) => k * table.d + k - 1,
      fit: (k) => runPoisson(table, { ...options, k }),
      summary: (run) => ({ ...run, ...informationCriteria(run.logLikelihood, run.parameters, sampleSize(table)) }),
      caseWeights: table.weights,
      onProgress: callbacks.onSelectionProgress,
    });
    const outcome = packageFit(table, swept.fit, { ...options, k: swept.selection.chosen!.k }, reason, started);
    outcome.result.selection = swept.selection;
    outcome.result.notes = [...swept.notes, ...(table.weights ? [`Case weights (column "${table.weightsColumn}") weight every candidate's EM, BIC, ICL and AIC (n = Σ w).`] : []), ...(outcome.result.notes ?? [])];
    return outcome;
  },
});

/** The dataset as a table of counts, or a DataError naming the file, the first column that is not counts and its line. */
export function asCountTable(dataset: Dataset): TableData {
  const file = dataset.summary.fileName;
  if (dataset.kind !== 'table') throw new DataError(`${file}: a Poisson mixture needs a table of counts, but the file holds images. Use model "bernoulli" or "auto".`, file);
  const bad = firstNonCount(dataset);
  if (bad) {
    throw new DataError(nonCountMessage(file, bad.column, bad.value, bad.where), file);
  }
  return dataset;
}

/** What a Poisson fit says of a cell that is not a count; `where` is "line 3" or "row 3". */
export function nonCountMessage(file: string, column: string, value: number, where: string): string {
  return (
    `${file}: a Poisson mixture needs counts (whole numbers ≥ 0) in every fitted column, but column "${column}" has ${value} on ${where}. ` +
    `Choose only count columns (columns setting / --columns) or use model "gaussian".`
  );
}

function firstNonCount(t: TableData): { column: string; value: number; where: string } | undefined {
  const v = t.values;
  for (let i = 0; i < v.length; i++) {
    if (!(v[i] >= 0 && Number.isInteger(v[i]))) {
      const row = Math.floor(i / t.d);
      return { column: t.columns[i % t.d], value: v[i], where: t.sourceLines ? `line ${t.sourceLines[row]}` : `row ${row + 1}` };
    }
  }
  return undefined;
}

function announce(table: TableData, reason: string, onLoaded: FitContext['callbacks']['onLoaded']): void {
  const summary: DatasetSummary = { ...table.summary, n: table.n, d: table.d, columns: table.columns };
  onLoaded?.({ summary, model: 'poisson', modelReason: reason });
}

type PoissonRun = EmRun<PoissonParams> & { parameters: number };

/** The n of BIC: the rows, or Σ w_i with case weights (the rows they stand for). */
function sampleSize(table: TableData): number {
  return table.weights ? totalWeight(table.weights) : table.n;
}

/** EM from the settings' start, or from `given` parameters (a saved model's: with maxIterations 0, no M-step). */
function runPoisson(table: TableData, options: FixedFitOptions, onProgress?: (p: EmProgress) => void, given?: PoissonParams): PoissonRun {
  const family = new PoissonFamily(table.values, table.n, table.d, options.init, table.weights);
  const run = runEm(given ? startedFromParams(family, given) : family, emSettingsFor(options, table.n, table.labels), onProgress);
  return Object.assign(run, { parameters: family.parameterCount(options.k) });
}

/** The fit of a count table; from `given` parameters instead of the settings' start when they are passed. */
export function fitCounts(table: TableData, { options, reason, started, callbacks }: FitContext, given?: PoissonParams): FitOutcome {
  announce(table, reason, callbacks.onLoaded);
  return packageFit(table, runPoisson(table, options, callbacks.onProgress, given), options, reason, started);
}

function packageFit(table: TableData, run: PoissonRun, options: FixedFitOptions, reason: string, started: number): FitOutcome {
  const total = sampleSize(table);
  const { core, plotAssignments } = emResultCore(run, run.parameters, total, options, started, table);
  const result: FitResult = {
    model: 'poisson',
    modelReason: reason,
    n: table.n,
    d: table.d,
    columns: table.columns,
    ...(table.weights ? { caseWeights: { column: table.weightsColumn ?? 'weights', total } } : {}),
    ...core,
    rates: core.means,
    countHistograms: countHistograms(table),
  };
  return { result, plotAssignments };
}

/**
 * How often each count occurs in each column (0 … HISTOGRAM_MAX_BARS − 1, then one bar for everything above); with
 * case weights a row counts w_i times, as in the fit.
 */
export function countHistograms(table: Pick<TableData, 'n' | 'd' | 'values' | 'weights' | 'missing' | 'columns'>): CountHistogram[] {
  const { n, d, values, weights, missing } = table;
  const out: CountHistogram[] = [];
  for (let j = 0; j < d; j++) {
    let max = 0;
    for (let i = 0; i < n; i++) if (!missing?.[i * d + j]) max = Math.max(max, values[i * d + j]);
    const bars = Math.min(max + 1, HISTOGRAM_MAX_BARS);
    const frequencies = new Array<number>(bars).fill(0);
    // A missing count (the mixed family's Poisson block) is in no bar.
    for (let i = 0; i < n; i++) if (!missing?.[i * d + j]) frequencies[Math.min(values[i * d + j], bars - 1)] += weights ? weights[i] : 1;
    out.push({ column: table.columns[j], frequencies, tailFrom: max + 1 > HISTOGRAM_MAX_BARS ? bars - 1 : undefined });
  }
  return out;
}
