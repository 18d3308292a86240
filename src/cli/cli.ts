// Headless CLI: `mixscope fit FILE [flags]`. The same loaders and engine as the extension, for scripts, tests and
// benchmarks. Exit codes: 0 fitted, 2 bad input or settings (one clear line on stderr), 1 internal error.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { DatasetSummary, FitOptions, InitParams } from '../shared/protocol';
import { companionLabelsFileName, loadDataset } from '../engine/data/load';
import { DataError, OptionsError, describeError } from '../engine/errors';
import { fitDataset } from '../engine/fit';

const USAGE = `Usage: mixscope fit FILE [options]

Fits a mixture model by EM to a data file (CSV/TSV/TXT/DAT, IDX, NPY) and prints the result.

Options (each mirrors a mixscope.* setting of the extension):
  --model auto|gaussian|bernoulli   model family (auto: Bernoulli for binary/image data)   [auto]
  --k N                             number of components                                   [2]
  --max-iter N                      maximum EM iterations                                  [100]
  --tol X                           stop when |Δ mean log-likelihood| < X                  [1e-3]
  --seed N                          random seed                                            [0]
  --restarts N                      initialisations; the best is kept                      [1]
  --init kmeans++|random|random-data|random-assignment  (the last: Bernoulli only)      [kmeans++]
  --init-params FILE.json           explicit start {"weights","means","covariances"}
  --covariance full|diag|spherical|tied                                                    [full]
  --reg X                           added to covariance diagonals                          [1e-6]
  --standardize                     z-score the columns before fitting
  --columns a,b                     columns to fit (names or 1-based numbers)              [all numeric]
  --em soft|hard                    EM variant (Bernoulli: hard = the course's algorithm)  [soft]
  --threshold X                     binarisation threshold on pixels scaled to [0,1]       [0.5]
  --beta A,B                        Beta prior on Bernoulli pixel probabilities            [2,2]
  --image-width N                   image width when the file does not say                 [square]
  --threads N                       engine threads (0 = all cores)                         [0]
  --labels FILE                     labels for images (default: the companion labels file)
  --max-file-size-mb N              refuse larger files                                    [1024]
  --max-plot-points N               (accepted for parity with the extension setting)       [5000]
  --json                            print one JSON object
  --snapshots                       include per-iteration parameters in --json output
  --verbose                         print each iteration on stderr
  -h, --help                        show this help`;

class UsageError extends Error {}

function number(name: string, raw: string | undefined, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} expects ${integer ? 'a whole number' : 'a number'}, got "${raw}".`);
  }
  return value;
}

export function parseCommandLine(argv: string[]): { file: string; options: Partial<FitOptions>; json: boolean; snapshots: boolean; verbose: boolean; labels?: string; maxFileSizeMb: number } | 'help' {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv);
  } catch (e) {
    throw usageErrorFromParseArgs(argv, e);
  }
  const { values, positionals } = flags;
  if (values.help) return 'help';
  if (positionals[0] !== 'fit') throw new UsageError(`unknown command "${positionals[0] ?? ''}"; try: mixscope fit FILE (see --help).`);
  const file = positionals[1];
  if (!file) throw new UsageError('mixscope fit needs a data file: mixscope fit FILE [options].');
  if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals[2]}".`);

  let initParams: InitParams | undefined;
  if (values['init-params']) initParams = readInitParams(values['init-params']);
  let betaPrior: [number, number] | undefined;
  if (values.beta !== undefined) {
    const parts = values.beta.split(',').map((s) => Number(s));
    if (parts.length !== 2 || parts.some((v) => !Number.isFinite(v))) throw new UsageError(`--beta expects two numbers "A,B", got "${values.beta}".`);
    betaPrior = [parts[0], parts[1]];
  }
  const options: Partial<FitOptions> = {
    model: values.model as FitOptions['model'] | undefined,
    k: number('k', values.k, true),
    maxIterations: number('max-iter', values['max-iter'], true),
    tolerance: number('tol', values.tol, false),
    seed: number('seed', values.seed, true),
    restarts: number('restarts', values.restarts, true),
    init: (initParams && !values.init ? 'params' : values.init) as FitOptions['init'] | undefined,
    initParams,
    covarianceType: values.covariance as FitOptions['covarianceType'] | undefined,
    regularization: number('reg', values.reg, false),
    standardize: values.standardize,
    columns: values.columns !== undefined ? values.columns.split(',').map((c) => c.trim()).filter((c) => c !== '') : undefined,
    emVariant: values.em as FitOptions['emVariant'] | undefined,
    threshold: number('threshold', values.threshold, false),
    betaPrior,
    imageWidth: number('image-width', values['image-width'], true),
    threads: number('threads', values.threads, true),
    maxPlotPoints: number('max-plot-points', values['max-plot-points'], true),
  };
  const maxFileSizeMb = number('max-file-size-mb', values['max-file-size-mb'], false) ?? 1024;
  if (!(maxFileSizeMb > 0)) throw new UsageError(`--max-file-size-mb expects a size in MB greater than 0, got "${values['max-file-size-mb']}".`);
  return { file, options, json: !!values.json, snapshots: !!values.snapshots, verbose: !!values.verbose, labels: values.labels, maxFileSizeMb };
}

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      model: { type: 'string' },
      k: { type: 'string' },
      'max-iter': { type: 'string' },
      tol: { type: 'string' },
      seed: { type: 'string' },
      restarts: { type: 'string' },
      init: { type: 'string' },
      'init-params': { type: 'string' },
      covariance: { type: 'string' },
      reg: { type: 'string' },
      standardize: { type: 'boolean' },
      columns: { type: 'string' },
      em: { type: 'string' },
      threshold: { type: 'string' },
      beta: { type: 'string' },
      'image-width': { type: 'string' },
      threads: { type: 'string' },
      labels: { type: 'string' },
      'max-file-size-mb': { type: 'string' },
      'max-plot-points': { type: 'string' },
      json: { type: 'boolean' },
      snapshots: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/**
 * node:util parseArgs's errors as one UsageError line. "--k -1" is refused by parseArgs as ambiguous (a value that
 * looks like an option) in three lines of text: say how to write it instead.
 */
function usageErrorFromParseArgs(argv: string[], e: unknown): UsageError {
  const message = e instanceof Error ? e.message : String(e);
  const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(message);
  if (ambiguous) {
    const at = argv.indexOf(ambiguous[1]);
    const value = at >= 0 ? argv[at + 1] : undefined;
    if (value !== undefined) return new UsageError(`${ambiguous[1]} ${value}: a value that starts with "-" must be written ${ambiguous[1]}=${value}.`);
  }
  return new UsageError(message.split('\n').map((line) => line.trim()).filter((line) => line !== '').join(' '));
}

function readInitParams(file: string): InitParams {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--init-params: cannot read ${file}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--init-params: ${file} is not valid JSON (${(e as Error).message}); expected {"weights":[...],"means":[[...]],"covariances":[[[...]]]}.`);
  }
  const p = parsed as Partial<InitParams>;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(p.weights) || !Array.isArray(p.means)) {
    throw new UsageError(`--init-params: ${file} must hold {"weights":[...],"means":[[...]],"covariances":[[[...]]]} (weights and means are required).`);
  }
  return p as InitParams;
}

function readInput(file: string, maxFileSizeMb: number): Uint8Array {
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
  try {
    return fs.readFileSync(file);
  } catch (e) {
    // Permissions, a file removed or replaced by a folder since the stat, an I/O error: the user's problem, one line.
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOENT' ? 'it was removed' : (e as Error).message;
    throw new DataError(`${file}: cannot be read: ${why}.`, file);
  }
}

export function main(argv: string[]): number {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    process.stderr.write(`mixscope: ${(e as Error).message}\n`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const { file, options, json, verbose } = parsed;
  const name = path.basename(file);
  try {
    const bytes = readInput(file, parsed.maxFileSizeMb);
    let labelBytes: Uint8Array | undefined;
    let labelFileName: string | undefined;
    const labelsPath = parsed.labels ?? companionPath(file);
    if (labelsPath) {
      labelBytes = readInput(labelsPath, parsed.maxFileSizeMb);
      labelFileName = path.basename(labelsPath);
    }
    const dataset = loadDataset(name, bytes, { columns: options.columns, imageWidth: options.imageWidth || undefined, labelBytes, labelFileName });
    let loaded: DatasetSummary = dataset.summary;
    const outcome = fitDataset(dataset, options, {
      onLoaded: (info) => {
        loaded = info.summary;
        if (verbose) process.stderr.write(`${name}: ${info.summary.n} × ${info.summary.d}, model ${info.model} (${info.modelReason})\n`);
      },
      onProgress: (p) => {
        if (verbose) process.stderr.write(`restart ${p.restart} iteration ${p.iteration}: objective ${p.objective}\n`);
      },
    });
    const r = outcome.result;
    if (json) {
      // `dataset`: what the loader read, skipped (rows, with lines) and left out (columns), as the panel shows it.
      const { snapshots, ...rest } = r;
      process.stdout.write(JSON.stringify({ ...(parsed.snapshots ? r : rest), dataset: loaded }) + '\n');
      void snapshots;
    } else {
      process.stdout.write(humanSummary(name, r, loaded) + '\n');
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`mixscope: ${e.message}\n`);
      return 2;
    }
    const { kind, message } = describeError(e, name);
    process.stderr.write(`mixscope: ${kind === 'internal' ? message : message.split('\n')[0]}\n`);
    return kind === 'internal' ? 1 : 2;
  }
}

function companionPath(file: string): string | undefined {
  const companion = companionLabelsFileName(path.basename(file));
  if (!companion) return undefined;
  const candidate = path.join(path.dirname(file), companion);
  return fs.existsSync(candidate) ? candidate : undefined;
}

function humanSummary(name: string, r: import('../shared/protocol').FitResult, summary: DatasetSummary): string {
  const fmt = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(4) : x.toFixed(4));
  const lines = [
    `${name}: ${r.model} mixture, K = ${r.k}, n = ${r.n}, d = ${r.d} (${r.modelReason})`,
    // Never silently: what the loader detected, skipped and left out.
    ...summary.notes.map((note) => `  read: ${note}`),
    ...summary.droppedColumns.map((c) => `  left out column "${c.name}": ${c.reason}`),
    `${r.converged ? 'converged' : 'not converged'} after ${r.iterations} iterations, log-likelihood ${fmt(r.logLikelihood)}, BIC ${fmt(r.bic)}, AIC ${fmt(r.aic)}`,
  ];
  const sizes = new Array(r.k).fill(0);
  for (const a of r.assignments) sizes[a]++;
  for (let c = 0; c < r.k; c++) {
    const mean = r.model === 'gaussian' ? ` mean [${r.means[c].map(fmt).join(', ')}]` : '';
    lines.push(`  component ${c + 1}: weight ${r.weights[c].toFixed(4)}, size ${sizes[c]}${mean}`);
  }
  for (const note of r.notes ?? []) lines.push(`note: ${note}`);
  if (r.labelMetrics) {
    const m = r.labelMetrics;
    lines.push(`labels: accuracy ${m.accuracy.toFixed(4)}, ARI ${m.adjustedRandIndex.toFixed(4)}, NMI ${m.normalizedMutualInfo.toFixed(4)}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
