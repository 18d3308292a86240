// Headless CLI: `mixscope fit FILE [flags]`. The same loaders and engine as the extension, for scripts, tests and
// benchmarks. Exit codes: 0 fitted, 2 bad input or settings (one clear line on stderr), 1 internal error.

import { isFamilyId } from '../engine/families/ids';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatasetSummary, FitResult, Selection, SelectionEntry, SelectionProgress } from '../shared/protocol';
import { companionLabelsFileName, loadDatasetAsync } from '../engine/data/load';
import { DataError } from '../engine/errors';
import { fitDataset, resolveOptions } from '../engine/fit';
import { fitOutOfCore } from '../engine/outOfCore';
import { planFit } from '../engine/outOfCorePolicy';
import { version } from '../../package.json';
import { SETTINGS } from '../shared/settings';
import { checkFitOptions, reportFailure, parseCommandLine, usageText, type SelectCommandLine } from './flags';
import { runSelect } from './select';
import { LRT_USAGE, lrtMain } from './lrt';
import { PREDICT_USAGE, predictMain } from './predict';
import { checkModelTarget, emitScript, writeSavedModel } from './saveModel';
import { buildSavedModel } from '../engine/model/schema';

export { parseCommandLine, usageText };

/** The file's size, 0 when it cannot be stat'ed (readInput then says why). */
function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

const DEFAULT_BUDGET_MB = SETTINGS.find((s) => s.key === 'memoryBudgetMB')!.default as number;

/** Reads a whole file: refused before it is read when over --max-file-size-mb or the memory budget. */
function readInput(file: string, maxFileSizeMb: number, budgetMb = DEFAULT_BUDGET_MB): Uint8Array {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw new DataError(`${file}: cannot be read: permission denied.`, file);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new DataError(`${file}: no such file.`, file);
    throw new DataError(`${file}: cannot be read: ${(e as Error).message}.`, file);
  }
  if (!stat.isFile()) throw new DataError(`${file}: not a regular file.`, file);
  const limit = maxFileSizeMb * 1024 * 1024;
  if (stat.size > limit) {
    throw new DataError(`${file}: ${(stat.size / 1048576).toFixed(1)} MB is over the ${maxFileSizeMb} MB limit (--max-file-size-mb).`, file);
  }
  if (stat.size > budgetMb * 1024 * 1024) {
    throw new DataError(`${file}: ${(stat.size / 1048576).toFixed(1)} MB is over the ${budgetMb} MB memory budget (--memory-budget-mb of mixscope fit), so it is not read into memory. Fit it with mixscope fit (delimited text, Parquet and Arrow over the budget are fitted out of core), or fit a smaller sample of it.`, file);
  }
  try {
    return fs.readFileSync(file);
  } catch (e) {
    // Permissions, a file removed or replaced by a folder since the stat, an I/O error: the user's problem, one line.
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOENT' ? 'it was removed' : (e as Error).message;
    throw new DataError(`${file}: cannot be read: ${why}.`, file);
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'lrt') return lrtMain(argv.slice(1), readInput);
  if (argv[0] === 'predict') return predictMain(argv.slice(1), readInput);
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    process.stderr.write(`mixscope: ${(e as Error).message}\n`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(usageText() + '\n\n' + LRT_USAGE + '\n\n' + PREDICT_USAGE + '\n');
    return 0;
  }
  if (parsed === 'version') {
    process.stdout.write(`mixscope ${version}\n`);
    return 0;
  }
  if (parsed === 'usage') {
    // No arguments: what to type, on stderr (nothing was fitted).
    process.stderr.write(usageText() + '\n');
    return 2;
  }
  if ('command' in parsed) return selectMain(parsed);
  const { file, options, json, verbose, maxFileSizeMb, memoryBudgetMb } = parsed;
  const name = path.basename(file);
  try {
    // Settings are refused before the file is read.
    checkFitOptions(options);
    // --labels none: not even the labels file beside the images.
    const labelsPath = parsed.labels ?? (options.labelColumn === 'none' ? undefined : companionPath(file));
    // The model file is checked before the fit: never the data file, never an existing file without --force.
    if (parsed.saveModel) checkModelTarget(parsed.saveModel, parsed.force, [file, ...(labelsPath ? [labelsPath] : [])]);
    // Delimited text, Parquet or Arrow over the memory budget is streamed from disk (engine/outOfCore.ts), never read whole;
    // any other file over it is refused before it is read.
    const plan = planFit({ fileName: name, size: fileSize(file), budgetMB: parsed.memoryBudgetMb, local: true, budgetSetting: '--memory-budget-mb' });
    if (plan.kind === 'refused') throw new DataError(plan.message, file);
    const outOfCore = plan.kind === 'outOfCore';
    let loaded: DatasetSummary | undefined;
    const callbacks = {
      onLoaded: (info: { summary: DatasetSummary; model: string; modelReason: string }) => {
        loaded = info.summary;
        if (verbose) process.stderr.write(`${name}: ${info.summary.n} × ${info.summary.d}, model ${info.model} (${info.modelReason})\n`);
      },
      onProgress: (p: { restart: number; iteration: number; objective: number }) => {
        if (verbose) process.stderr.write(`restart ${p.restart} iteration ${p.iteration}: objective ${p.objective}\n`);
      },
      onSelectionProgress: (p: Omit<SelectionProgress, 'type' | 'runId'>) => {
        if (verbose) process.stderr.write(`${p.done}/${p.total} K = ${p.entry.k} ${p.entry.covariance}: ${p.criterion.toUpperCase()} ${p.entry[p.criterion] ?? `NA (${p.entry.reason ?? 'failed'})`}\n`);
      },
    };
    const outcome = outOfCore
      ? await fitOutOfCore(file, options, parsed.memoryBudgetMb, callbacks, {
          ...(parsed.labels ? { labelsPath: parsed.labels } : {}),
          onParseProgress: (read, total) => {
            if (verbose) process.stderr.write(`${name}: read ${(read / 1048576).toFixed(0)} of ${(total / 1048576).toFixed(0)} MB\n`);
          },
        })
      : await fitInMemory();
    async function fitInMemory() {
      const bytes = readInput(file, maxFileSizeMb, memoryBudgetMb);
      let labelBytes: Uint8Array | undefined;
      let labelFileName: string | undefined;
      if (labelsPath) {
        labelBytes = readInput(labelsPath, maxFileSizeMb, memoryBudgetMb);
        labelFileName = path.basename(labelsPath);
      }
      const dataset = await loadDatasetAsync(name, bytes, {
        columns: options.columns,
        imageWidth: options.imageWidth || undefined,
        sheet: options.sheet,
        labelColumn: options.labelColumn,
        weightsColumn: options.weightsColumn,
        missing: options.missing ?? 'marginalize',
        categorical: options.categorical,
        categoryLimit: options.categoryLimit,
        labelBytes,
        labelFileName,
      });
      loaded = dataset.summary;
      return fitDataset(
        dataset,
        options,
        callbacks,
        { selectWorkerScript: besideCli('selectWorker.js') },
      );
    }
    const r = outcome.result;
    if (!loaded) throw new Error('internal: the fit reported no data summary');
    const saved = parsed.saveModel || parsed.emit ? buildSavedModel({ options: resolveOptions(options), result: r, summary: loaded, createdBy: `mixscope ${version}` }) : undefined;
    if (saved && parsed.saveModel) writeSavedModel(parsed.saveModel, saved, parsed.force);
    if (saved && parsed.emit) {
      process.stdout.write(emitScript(parsed.emit, saved, file));
    } else if (json) {
      // `dataset`: what the loader read, skipped (rows, with lines) and left out (columns), as the panel shows it.
      const { snapshots, selection, ...rest } = r;
      const chosen = selection ? { covariance: r.covarianceType, criterion: selection.criterion, selection: selection.entries.map(jsonEntry) } : {};
      process.stdout.write(JSON.stringify({ ...(parsed.snapshots ? { ...rest, snapshots } : rest), ...chosen, dataset: loaded }) + '\n');
    } else {
      const table = r.selection ? selectionTable(r.selection) + '\n' : '';
      process.stdout.write(table + humanSummary(name, r, loaded) + '\n');
      if (parsed.saveModel) process.stdout.write(`saved the model to ${parsed.saveModel} (apply it with: mixscope predict ${parsed.saveModel} FILE)\n`);
    }
    return 0;
  } catch (e) {
    return reportFailure(e, name);
  }
}

/** `mixscope select`: the same input checks and exit codes as fit. */
async function selectMain(parsed: SelectCommandLine): Promise<number> {
  try {
    return await runSelect(parsed, readInput);
  } catch (e) {
    return reportFailure(e, path.basename(parsed.file));
  }
}

/** A bundle beside the CLI's own (dist/selectWorker.js), when it is there. */
function besideCli(file: string): string | undefined {
  const candidate = path.join(__dirname, file);
  return fs.existsSync(candidate) ? candidate : undefined;
}

/** A candidate in --json: its scores (null when not usable) and, when it could not be used, why. */
function jsonEntry(e: SelectionEntry): Record<string, unknown> {
  const { k, covariance, logLikelihood, parameters, bic, icl, aic, converged, degenerate, reason } = e;
  return { k, covariance, logLikelihood, parameters, bic, icl, aic, converged, degenerate, ...(reason !== undefined ? { reason } : {}) };
}

/** The criterion table: rows K, columns models, "—" for a candidate that could not be used, the chosen one marked. */
export function selectionTable(selection: Selection): string {
  const { ks, models, entries, criterion, chosen } = selection;
  const label = criterion.toUpperCase();
  const text = (e: SelectionEntry) => {
    const value = e[criterion];
    const mark = chosen && chosen.k === e.k && chosen.covariance === e.covariance ? '*' : '';
    return value === null ? '—' : `${value.toFixed(2)}${mark}`;
  };
  const width = Math.max(9, ...entries.map((e) => text(e).length)) + 1;
  const lines = [
    `${label} of ${entries.length} candidate${entries.length === 1 ? '' : 's'} (Mixscope's sign, as scikit-learn: ${label} = ${criterion === 'aic' ? '−2 ln L + 2p' : criterion === 'bic' ? '−2 ln L + p ln n' : '−2 ln L + p ln n + 2 × entropy'}, lower is better; mclust reports ${criterion === 'aic' ? 'BIC and ICL' : label} negated). * chosen, — not usable:`,
    ['K'.padStart(4), ...models.map((m) => m.padStart(width))].join(''),
    ...ks.map((k, i) => [String(k).padStart(4), ...models.map((_, j) => text(entries[i * models.length + j]).padStart(width))].join('')),
  ];
  if (chosen) lines.push(`chosen: ${isFamilyId(chosen.covariance) ? '' : `${chosen.covariance}, `}K = ${chosen.k} (lowest ${label})`);
  return lines.join('\n');
}

function companionPath(file: string): string | undefined {
  const companion = companionLabelsFileName(path.basename(file));
  if (!companion) return undefined;
  const candidate = path.join(path.dirname(file), companion);
  return fs.existsSync(candidate) ? candidate : undefined;
}

function humanSummary(name: string, r: FitResult, summary: DatasetSummary): string {
  const fmt = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(4) : x.toFixed(4));
  const lines = [
    `${name}: ${r.model} mixture${r.covarianceType ? ` (covariance ${r.covarianceType})` : ''}, K = ${r.k}, n = ${r.n}${r.caseWeights ? ` (weighted by column "${r.caseWeights.column}": Σ w = ${r.caseWeights.total})` : ''}, d = ${r.d} (${r.modelReason})`,
    // Never silently: what the loader detected, skipped and left out.
    ...summary.notes.map((note) => `  read: ${note}`),
    ...summary.droppedColumns.map((c) => `  left out column "${c.name}": ${c.reason}`),
    `${r.converged ? 'converged' : 'not converged'} after ${r.iterations} iterations, log-likelihood ${fmt(r.logLikelihood)}, BIC ${fmt(r.bic)}, AIC ${fmt(r.aic)} (scikit-learn's sign: −2 ln L + p ln n, lower is better)`,
  ];
  // Both conventions, each with its sign, so numbers from either tool can be compared.
  if (r.mclustBic !== undefined && r.icl !== undefined) {
    lines.push(`mclust BIC ${fmt(r.mclustBic)}, ICL ${fmt(r.icl)} (mclust's sign: 2 ln L − p ln n, higher is better), ${r.parameters} free parameters`);
  }
  const sizes = new Array(r.k).fill(0);
  for (const a of r.assignments) sizes[a]++;
  const clusters = r.labelMetrics?.clusters;
  for (let c = 0; c < r.k; c++) {
    const mean =
      r.model === 'gaussian'
        ? ` mean [${r.means[c].map(fmt).join(', ')}]`
        : r.model === 'poisson'
          ? ` rates [${r.means[c].map(fmt).join(', ')}]`
          : r.model === 'mixed' && r.rates
            ? `${r.d > 0 ? ` mean [${r.means[c].map(fmt).join(', ')}],` : ''} rates ${r.countColumns!.map((name, j) => `${name} ${fmt(r.rates![c][j])}`).join(', ')}`
            : '';
    const label = clusters?.[c] && clusters[c].size > 0 ? `, majority label ${clusters[c].majorityLabelName ?? clusters[c].majorityLabel} (purity ${(clusters[c].purity * 100).toFixed(1)} %)` : '';
    lines.push(`  component ${c + 1}: weight ${r.weights[c].toFixed(4)}, size ${sizes[c]}${mean}${label}`);
  }
  for (const note of r.notes ?? []) lines.push(`note: ${note}`);
  if (r.labelMetrics) {
    const m = r.labelMetrics;
    const oneToOne = m.oneToOneAccuracy !== undefined ? `, one-to-one ${m.oneToOneAccuracy.toFixed(4)}` : '';
    lines.push(`labels: accuracy ${m.accuracy.toFixed(4)} (majority label per cluster${oneToOne}), ARI ${m.adjustedRandIndex.toFixed(4)}, NMI ${m.normalizedMutualInfo.toFixed(4)}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
