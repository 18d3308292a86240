// `mixscope select FILE`: model selection as R's Mclust() — every K with every covariance model, the BIC (or ICL)
// table and the best cell. Output in mclust's sign convention (2 ln L − p ln n: higher is better).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatasetSummary } from '../shared/protocol';
import { loadDatasetAsync } from '../engine/data/load';
import { DataError } from '../engine/errors';
import { refuseUnrepresentableSpread, standardizeColumns } from '../engine/families/gaussian/prepare';
import { defaultMclustModels } from '../engine/families/gaussian/mclust/models';
import { sweepModelsParallel } from '../engine/select/parallel';
import { SWEEP_DEFAULTS, type BestFit, type SweepCell, type SweepResult } from '../engine/select/sweep';
import { checkFitOptions, type SelectCommandLine } from './flags';

export const BIC_CONVENTION = 'BIC = 2 ln L − p ln n and ICL = BIC + 2 Σ ln max_k z_ik (mclust\'s sign: higher is better)';

/** Runs the sweep of a parsed `select` command line and prints it; throws DataError / UsageError as `fit` does. */
export async function runSelect(parsed: SelectCommandLine, readInput: (file: string, maxFileSizeMb: number) => Uint8Array): Promise<number> {
  const { file, options } = parsed;
  const name = path.basename(file);
  checkFitOptions(options);
  const bytes = readInput(file, parsed.maxFileSizeMb);
  const dataset = await loadDatasetAsync(name, bytes, { columns: options.columns ?? [], sheet: options.sheet });
  if (dataset.kind !== 'table') throw new DataError(`${name}: mixscope select compares Gaussian mixtures on a table of numbers; this file holds images.`, name);
  const { n, d, columns } = dataset;
  if (n === 0) throw new DataError(`${name}: no complete numeric rows to fit.`, name);
  let varies = false;
  for (let i = 1; i < n && !varies; i++) for (let j = 0; j < d && !varies; j++) varies = dataset.values[i * d + j] !== dataset.values[j];
  if (!varies) throw new DataError(`${name}: ${n === 1 ? 'there is only one row' : `all ${n} rows are the same point`}, so there are no clusters to compare.`, name);
  const values = Float64Array.from(dataset.values);
  const standardization = options.standardize ? standardizeColumns(values, n, d) : undefined;
  if (!standardization) refuseUnrepresentableSpread(values, n, d, columns, name, options.regularization ?? SWEEP_DEFAULTS.regularization);
  const models = parsed.models === 'all' ? defaultMclustModels(n, d) : parsed.models;
  const wrongShape = models.filter((m) => (m === 'E' || m === 'V') !== (d === 1));
  if (wrongShape.length > 0) {
    throw new DataError(`${name}: ${d === 1 ? 'one column takes the models E and V' : `${d} columns take the 14 multivariate models, not ${wrongShape.join(', ')}`}.`, name);
  }
  const started = Date.now();
  const result = sweepModelsParallel(
    values,
    n,
    d,
    {
      ks: parsed.ks,
      models,
      tolerance: options.tolerance,
      maxIterations: options.maxIterations,
      regularization: options.regularization,
      columns,
    },
    { threads: options.threads, workerScript: sweepWorkerScript() },
    parsed.verbose ? (cell, done, total) => process.stderr.write(`${done}/${total} K = ${cell.k} ${cell.model}: ${cell.status}, BIC ${cell.bic ?? 'NA'}\n`) : undefined,
  );
  const seconds = (Date.now() - started) / 1000;
  const best = result.best[parsed.criterion];
  if (parsed.json) {
    process.stdout.write(
      JSON.stringify({
        file: name,
        n,
        d,
        columns,
        standardization,
        ks: result.ks,
        models: result.models,
        criterion: parsed.criterion,
        convention: BIC_CONVENTION,
        cells: result.cells,
        best,
        seconds,
        dataset: dataset.summary,
      }) + '\n',
    );
  } else {
    process.stdout.write(humanSelection(name, result, parsed.criterion, best, dataset.summary, seconds, standardization !== undefined) + '\n');
  }
  return 0;
}

/** The sweep worker bundled beside the CLI (dist/selectWorker.js), when it is there; else one thread fits all. */
function sweepWorkerScript(): string | undefined {
  const candidate = path.join(__dirname, 'selectWorker.js');
  return fs.existsSync(candidate) ? candidate : undefined;
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e6 ? x.toExponential(4) : x.toFixed(2);
}

/** The table (rows K, columns models, NA for failed or degenerate fits, the best marked *) and the chosen model. */
export function humanSelection(name: string, result: SweepResult, criterion: 'bic' | 'icl', best: BestFit | null, summary: DatasetSummary, seconds: number, standardized = false): string {
  const label = criterion.toUpperCase();
  const { ks, models, cells } = result;
  const text = (cell: SweepCell) => (cell[criterion] === null || cell.status === 'degenerate' ? 'NA' : fmt(cell[criterion] as number)) + (best?.cell === cell ? '*' : '');
  const width = Math.max(9, ...cells.map((c) => text(c).length)) + 1;
  const lines = [
    `${name}: ${label} of ${models.length} covariance model${models.length === 1 ? '' : 's'} × K = ${ks.length === 1 ? ks[0] : `${ks[0]}…${ks[ks.length - 1]}`}, n = ${result.n}, d = ${result.d} (${seconds.toFixed(2)} s)`,
    ...summary.notes.map((note) => `  read: ${note}`),
    ...summary.droppedColumns.map((c) => `  left out column "${c.name}": ${c.reason}`),
    ...(standardized ? ['  columns standardised (mean 0, sd 1): the means below are in standard deviations'] : []),
    `${BIC_CONVENTION}; NA: the fit failed or a component is degenerate; * the best.`,
    '',
    ['K'.padStart(3), ...models.map((m) => m.padStart(width))].join(''),
    ...ks.map((k, i) => [String(k).padStart(3), ...models.map((_, j) => text(cells[i * models.length + j]).padStart(width))].join('')),
    '',
  ];
  if (!best) {
    lines.push(`No fit succeeded: every cell failed or is degenerate.`);
  } else {
    const c = best.cell;
    lines.push(`Best by ${label}: ${c.model}, K = ${c.k} (${label} ${fmt(c[criterion] as number)}, log-likelihood ${fmt(c.logLikelihood as number)}, ${c.parameters} parameters)`);
    const sizes = new Array<number>(c.k).fill(0);
    for (const a of best.assignments) sizes[a]++;
    for (let k = 0; k < c.k; k++) lines.push(`  component ${k + 1}: weight ${best.weights[k].toFixed(4)}, size ${sizes[k]}, mean [${best.means[k].map((v) => v.toPrecision(6)).join(', ')}]`);
  }
  const na = cells.filter((cell) => cell.bic === null || cell.status === 'degenerate');
  const byStatus = new Map<string, number>();
  for (const cell of na) byStatus.set(cell.status, (byStatus.get(cell.status) ?? 0) + 1);
  if (na.length > 0) lines.push(`NA cells: ${[...byStatus].map(([status, count]) => `${count} ${status}`).join(', ')}.`);
  return lines.join('\n');
}
