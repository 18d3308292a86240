// `mixscope lrt FILE`: mclust's bootstrap likelihood-ratio test for the number of components (R's
// mclustBootstrapLRT) — 1 vs 2 components, 2 vs 3, … of one covariance model, each with a bootstrap p-value, until
// the first test whose p-value is above the level. Exit codes as `fit`: 0 done, 2 bad input or flags, 1 internal.

import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDatasetAsync } from '../engine/data/load';
import { withoutIncompleteRows } from '../engine/data/missing';
import { DataError } from '../engine/errors';
import { defaultMclustModels, isMclustModelName, SKLEARN_COVARIANCE_ALIASES, type MclustModelName } from '../engine/families/gaussian/mclust/models';
import { bootstrapLrt, LRT_DEFAULTS, type BootstrapLrtResult } from '../engine/select/lrt';
import { sweepModels } from '../engine/select/sweep';
import { SETTINGS } from '../shared/settings';
import { UsageError, reportFailure } from './flags';

/** The lines of `mixscope --help` about lrt. */
export const LRT_USAGE = [
  'Bootstrap likelihood-ratio test for the number of components (mixscope lrt), as R\'s mclustBootstrapLRT:',
  '  mixscope lrt FILE [--covariance MODEL] [--k-max N] [--nboot N] [--level X] [--seed N] [--columns A,B] [--json] [--verbose]',
  '  For K = 1, 2, …: LRTS = 2 (ln L(K + 1) − ln L(K)) of the model fitted as Mclust() fits it, and its p-value from',
  '  --nboot samples drawn from the K-component fit [999]; stops at the first p-value above --level [0.05], up to',
  '  --k-max components [9]. --covariance: an mclust model (EII … VVV; E or V for one column) [the best by BIC].',
].join('\n');

type ReadInput = (file: string, maxFileSizeMb: number) => Uint8Array;

/** Runs `mixscope lrt` (argv after "lrt") and returns the exit code; errors are one line on stderr. */
export async function lrtMain(argv: string[], readInput: ReadInput): Promise<number> {
  let file = '';
  try {
    const parsed = parseLrtCommandLine(argv);
    if (parsed === 'help') {
      process.stdout.write(LRT_USAGE + '\n');
      return 0;
    }
    file = parsed.file;
    return await runLrt(parsed, readInput);
  } catch (e) {
    return reportFailure(e, path.basename(file));
  }
}

export interface LrtCommandLine {
  file: string;
  /** Undefined: the model Mclust() chooses by BIC. */
  model?: MclustModelName;
  maxK: number;
  nboot: number;
  level: number;
  seed: number;
  columns?: string[];
  json: boolean;
  verbose: boolean;
}

export function parseLrtCommandLine(argv: string[]): LrtCommandLine | 'help' {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        covariance: { type: 'string' },
        'k-max': { type: 'string' },
        nboot: { type: 'string' },
        level: { type: 'string' },
        seed: { type: 'string' },
        columns: { type: 'string' },
        weights: { type: 'string' },
        missing: { type: 'string' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    // parseArgs's own text goes on with advice about positional arguments: name the problem and the way out.
    const message = (e as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    if (unknown) throw new UsageError(`unknown option ${unknown[1]}; see mixscope lrt --help for the options.`);
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(message);
    if (ambiguous) throw new UsageError(`${ambiguous[1]} takes a value that starts with "-": write ${ambiguous[1]}=VALUE.`);
    throw new UsageError(`${message.split(/\.\s/)[0]} (see mixscope lrt --help).`);
  }
  if (values.help) return 'help';
  // Said rather than ignored: the bootstrap draws and refits rows, each counted once and with every cell.
  if (values.weights !== undefined) {
    throw new UsageError('--weights: mixscope lrt does not take case weights (its bootstrap samples draw rows, each counted once). Run it without --weights, or compare K by BIC with mixscope fit FILE --weights COLUMN --k auto.');
  }
  if (values.missing !== undefined && values.missing !== 'skip') {
    throw new UsageError('--missing: mixscope lrt fits complete rows only (rows with a missing cell are skipped and listed). Run it without --missing, or compare K by BIC with mixscope fit FILE --k auto.');
  }
  const file = positionals[0];
  if (!file) throw new UsageError('mixscope lrt needs a data file: mixscope lrt FILE [options].');
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}" (one data file per run; options start with --).`);
  const integer = (flag: string, fallback: number, min: number, max: number): number => {
    const raw = values[flag];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim()) || value < min || value > max) throw new UsageError(`--${flag} expects a whole number from ${min} to ${max}, got "${String(raw)}".`);
    return value;
  };
  let model: MclustModelName | undefined;
  if (values.covariance !== undefined) {
    const raw = String(values.covariance);
    const name = raw in SKLEARN_COVARIANCE_ALIASES ? SKLEARN_COVARIANCE_ALIASES[raw as keyof typeof SKLEARN_COVARIANCE_ALIASES] : raw.toUpperCase();
    if (!isMclustModelName(name)) throw new UsageError(`--covariance expects one mclust model (EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV; E or V for one column), got "${raw}".`);
    model = name;
  }
  let level: number = LRT_DEFAULTS.level;
  if (values.level !== undefined) {
    level = Number(values.level);
    if (String(values.level).trim() === '' || !(level > 0 && level < 1)) throw new UsageError(`--level expects a number between 0 and 1, got "${String(values.level)}".`);
  }
  const columns = typeof values.columns === 'string' ? values.columns.split(',').map((c) => c.trim()).filter((c) => c !== '') : undefined;
  if (columns && columns.length === 0) throw new UsageError('--columns expects column names separated by commas.');
  return {
    file,
    model,
    maxK: integer('k-max', LRT_DEFAULTS.maxK, 2, 100),
    nboot: integer('nboot', LRT_DEFAULTS.nboot, 1, 1_000_000),
    level,
    seed: integer('seed', LRT_DEFAULTS.seed, 0, 2 ** 32 - 1),
    columns,
    json: values.json === true,
    verbose: values.verbose === true,
  };
}

/** Loads the table, runs the tests and prints them; throws DataError / FitError / OptionsError for lrtMain. */
export async function runLrt(parsed: LrtCommandLine, readInput: ReadInput): Promise<number> {
  const name = path.basename(parsed.file);
  const maxFileSizeMb = SETTINGS.find((s) => s.key === 'maxFileSizeMB')!.default as number;
  const bytes = readInput(parsed.file, maxFileSizeMb);
  const loaded = await loadDatasetAsync(name, bytes, { columns: parsed.columns ?? [], missing: 'marginalize' });
  if (loaded.kind !== 'table') throw new DataError(`${name}: mixscope lrt tests Gaussian mixtures on a table of numbers; this file holds images.`, name);
  const dataset = loaded.missing ? withoutIncompleteRows(loaded, 'the likelihood-ratio test fits complete rows only') : loaded;
  const { n, d } = dataset;
  if (n === 0) throw new DataError(`${name}: no complete numeric rows to fit.`, name);
  if (parsed.maxK > n) throw new DataError(`${name}: --k-max ${parsed.maxK} is more than the ${n} rows.`, name);
  const values = Float64Array.from(dataset.values);
  const started = Date.now();
  let model = parsed.model;
  let modelSource: 'given' | 'bic' = 'given';
  if (model === undefined) {
    // As `mixscope select`: the model of the best cell by BIC over K = 1…k-max.
    const sweep = sweepModels(values, n, d, { ks: Array.from({ length: parsed.maxK }, (_, i) => i + 1), models: defaultMclustModels(n, d), columns: dataset.columns });
    if (!sweep.best.bic) throw new DataError(`${name}: no covariance model could be fitted to choose one; give one with --covariance.`, name);
    model = sweep.best.bic.cell.model;
    modelSource = 'bic';
  } else if ((model === 'E' || model === 'V') !== (d === 1)) {
    throw new DataError(`${name}: ${d === 1 ? `one column takes the models E and V, not ${model}` : `${d} columns take the 14 multivariate models, not ${model}`}.`, name);
  }
  const result = bootstrapLrt(values, n, d, {
    model,
    maxK: parsed.maxK,
    nboot: parsed.nboot,
    level: parsed.level,
    seed: parsed.seed,
    onStep: parsed.verbose
      ? ({ k0, done, nboot, step }) => process.stderr.write(step ? `${k0} vs ${k0 + 1} components: LRTS ${step.lrts}, p-value ${step.pValue}\n` : `${k0} vs ${k0 + 1} components: ${done}/${nboot} bootstrap samples\n`)
      : undefined,
  });
  const seconds = (Date.now() - started) / 1000;
  if (parsed.json) {
    process.stdout.write(JSON.stringify({ file: name, columns: dataset.columns, modelSource, ...result, seconds, dataset: dataset.summary }) + '\n');
  } else {
    process.stdout.write(humanLrt(name, result, modelSource, seconds, dataset.summary.notes) + '\n');
  }
  return 0;
}

function pText(p: number): string {
  return String(Number(p.toPrecision(4)));
}

/** One line per test and the chosen K. */
export function humanLrt(name: string, r: BootstrapLrtResult, modelSource: 'given' | 'bic', seconds: number, notes: readonly string[] = []): string {
  const lines = [
    `${name}: bootstrap likelihood-ratio test for the number of components (mclust's mclustBootstrapLRT), covariance ${r.model}${modelSource === 'bic' ? ' (the best by BIC)' : ''}, n = ${r.n}, d = ${r.d}, ${r.nboot} bootstrap samples, level ${r.level}, seed ${r.seed} (${seconds.toFixed(2)} s)`,
    ...notes.map((note) => `  read: ${note}`),
    ...r.steps.map((s) => `${s.k0} vs ${s.k1} components: LRTS ${s.lrts.toFixed(1)}, bootstrap p-value ${pText(s.pValue)}${s.failedSamples > 0 ? ` (${s.failedSamples} samples drawn again: a refit failed)` : ''}`),
  ];
  const last = r.steps[r.steps.length - 1];
  const why =
    r.stopped === 'p-value above level'
      ? `the first p-value above ${r.level}: ${r.chosenK} vs ${r.chosenK + 1} components`
      : r.stopped === 'max-k'
        ? `every test rejected the smaller model up to ${last.k0} vs ${last.k1}`
        : 'the next fit failed';
  lines.push(`Chosen: K = ${r.chosenK} (${why})`);
  if (r.note) lines.push(`note: ${r.note}`);
  return lines.join('\n');
}
