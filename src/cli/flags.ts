// The CLI's flags, their parsing and --help, generated from the settings schema (src/shared/settings.ts): every
// setting is the flag of its table entry, parsed by its kind and checked by the schema's one validator.

import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { OptionsError, describeError } from '../engine/errors';
import { isMclustModelName, type MclustModelName } from '../engine/families/gaussian/mclust/models';
import { formatValue } from '../shared/settingsText';
import {
  CLI_SETTINGS,
  SETTINGS,
  parseCovarianceModels,
  parseKRange,
  describeExpectation,
  validateFitOptions,
  type FitOptions,
  type InitParams,
  type CliSettingSpec,
  type NumberSpec,
  type SettingSpec,
} from '../shared/settings';

/** Bad command-line input: one line for stderr, exit code 2. */
export class UsageError extends Error {}

/**
 * Every command's end on failure: one line on stderr and the exit code (2: bad usage or input, named; 1: an internal
 * error, with its stack). `fileName` is what a data error names.
 */
export function reportFailure(e: unknown, fileName: string): number {
  if (e instanceof UsageError) {
    process.stderr.write(`mixscope: ${e.message}\n`);
    return 2;
  }
  const { kind, message } = describeError(e, fileName);
  process.stderr.write(`mixscope: ${kind === 'internal' ? message : message.split('\n')[0]}\n`);
  return kind === 'internal' ? 1 : 2;
}

/** The fit settings of a command line against the schema's one validator: an OptionsError naming each bad value. */
export function checkFitOptions(options: Partial<FitOptions>): void {
  const { problems } = validateFitOptions(options, 'cli');
  if (problems.length > 0) throw new OptionsError(problems.map((p) => p.message).join(' '));
}

/** Flags of the CLI alone (output and files), beside the settings. */
const CLI_ONLY_FLAGS = [
  { flag: 'json', type: 'boolean', help: 'print one JSON object' },
  { flag: 'snapshots', type: 'boolean', help: 'include the parameters after each iteration in --json output' },
  { flag: 'verbose', type: 'boolean', help: 'print each iteration on stderr' },
  { flag: 'save-model', value: 'FILE', type: 'string', help: 'write the fitted model to FILE (JSON) for mixscope predict; an existing FILE is kept unless --force' },
  { flag: 'force', type: 'boolean', help: 'let --save-model replace an existing file (never the data file)' },
  { flag: 'emit-python', type: 'boolean', help: 'print a Python script (numpy, scikit-learn) that rebuilds the fitted model and prints its log-likelihood on the file' },
  { flag: 'emit-r', type: 'boolean', help: 'print an R script (mclust) that does the same for a Gaussian model' },
  { flag: 'version', type: 'boolean', help: 'print the version' },
  { flag: 'help', short: 'h', type: 'boolean', help: 'show this help' },
] as const;

/** Flags of `mixscope select` alone. */
const SELECT_FLAGS = [
  { flag: 'models', value: 'all|EII,VVV,...', type: 'string', help: 'covariance models to compare (all: mclust\'s defaults for the data)' },
] as const;

/** Settings that mean something to `mixscope select`; the others are refused there. */
const SELECT_SETTINGS: ReadonlySet<string> = new Set(['k', 'maxIterations', 'tolerance', 'seed', 'regularization', 'standardize', 'columns', 'threads', 'maxFileSizeMB', 'model', 'criterion']);

/** `mixscope select FILE`: a sweep over K × covariance models, as R's Mclust(). */
export interface SelectCommandLine {
  command: 'select';
  file: string;
  /** The numbers of components, in increasing order. */
  ks: number[];
  /** 'all': mclust's default models for the data's shape. */
  models: 'all' | MclustModelName[];
  criterion: 'bic' | 'icl';
  /** The settings given (standardize, columns, reg, tol, max-iter, threads, seed); unset ones take select's defaults. */
  options: Partial<FitOptions>;
  json: boolean;
  verbose: boolean;
  maxFileSizeMb: number;
}

export interface CommandLine {
  file: string;
  options: Partial<FitOptions>;
  json: boolean;
  snapshots: boolean;
  verbose: boolean;
  labels?: string;
  maxFileSizeMb: number;
  /** --memory-budget-mb: a delimited text, Parquet or Arrow file above it is fitted out of core. */
  memoryBudgetMb: number;
  /** --save-model FILE */
  saveModel?: string;
  force: boolean;
  /** Print a script instead of the summary. */
  emit?: 'python' | 'r';
}

function flagColumn(spec: CliSettingSpec): string {
  if (spec.kind === 'boolean') return `--${spec.cli.flag}`;
  if (spec.kind === 'enum') return `--${spec.cli.flag} ${spec.values.join('|')}`;
  return `--${spec.cli.flag} ${spec.cli.value ?? 'VALUE'}`;
}

/** `mixscope --help`: every setting's flag, what it does and its default, from the schema. */
export function usageText(): string {
  const rows: [string, string][] = CLI_SETTINGS.map((spec) => {
    const shown = spec.kind === 'initParams' || spec.kind === 'boolean' ? '' : `  [${formatDefault(spec)}]`;
    return [flagColumn(spec), `${spec.cli.help}${shown}`];
  });
  const cliRows: [string, string][] = CLI_ONLY_FLAGS.map((f) => [
    `${'short' in f ? `-${f.short}, ` : ''}--${f.flag}${'value' in f ? ` ${f.value}` : ''}`,
    f.help,
  ]);
  const width = Math.min(40, Math.max(...[...rows, ...cliRows].map(([left]) => left.length)) + 2);
  const line = ([left, right]: [string, string]) => `  ${left.padEnd(width)}${left.length >= width ? '\n  ' + ' '.repeat(width) : ''}${right}`;
  const selectRows: [string, string][] = [
    ['--k 1-9', 'the numbers of components to try: a range A-B (or A:B), a list A,B,C or one K  [1-9]'],
    ...SELECT_FLAGS.map((f): [string, string] => [`--${f.flag} ${f.value}`, f.help]),
    ['--criterion bic|icl', 'how the best cell is chosen (BIC and ICL in mclust\'s sign: higher is better)'],
  ];
  return [
    'Usage: mixscope fit FILE [options] [--save-model M.json] [--emit-python | --emit-r]',
    '       mixscope predict M.json FILE [--json] [--responsibilities]',
    '       mixscope select FILE [--k 1:9] [--models all|EII,VVV,...] [--criterion bic|icl] [options]',
    '       mixscope --help | --version',
    '',
    'Fits a mixture model by EM to a data file (CSV/TSV/TXT/DAT, IDX, NPY, optionally .gz) and prints the result.',
    'With --k auto (the default), a range (--k 2-5) or a list (--k 2,3,5), and with --covariance EEE,VVV or all, fit',
    'compares the candidates as R\'s Mclust() and shows the one with the lowest --criterion (scikit-learn\'s sign:',
    'lower is better; mclust prints BIC and ICL negated), with the whole table.',
    'select compares Gaussian mixtures as R\'s Mclust(): every K with every covariance model, each fitted by EM from',
    'one starting partition per K, and prints the BIC table and the best model. BIC = 2 ln L − p ln n (mclust\'s',
    'sign: higher is better). There --tol is mclust\'s relative log-likelihood change (default 1e-5), --reg defaults',
    'to 0 and --max-iter to 100000, as mclust; --standardize, --columns, --threads and --json apply as for fit.',
    '',
    'Settings (each is the mixscope.* setting of the extension, with the same range):',
    ...rows.map(line),
    '',
    'Model selection (mixscope select):',
    ...selectRows.map(line),
    '',
    'Output:',
    ...cliRows.map(line),
    '',
    'Exit codes: 0 fitted, 2 bad input or settings (one line on stderr), 1 internal error.',
  ].join('\n');
}

function formatDefault(spec: SettingSpec): string {
  if (spec.kind === 'stringList') return 'every numeric column';
  if (spec.kind === 'numberPair') return (spec.default as readonly number[]).join(',');
  return formatValue(spec, spec.default);
}

type ParsedValues = Record<string, string | boolean | undefined>;

function parseFlags(argv: string[]): { values: ParsedValues; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const spec of CLI_SETTINGS) options[spec.cli.flag] = { type: spec.kind === 'boolean' ? 'boolean' : 'string' };
  for (const f of CLI_ONLY_FLAGS) options[f.flag] = { type: f.type, ...('short' in f ? { short: f.short } : {}) };
  for (const f of SELECT_FLAGS) options[f.flag] = { type: f.type };
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options }) as { values: ParsedValues; positionals: string[] };
  } catch (e) {
    throw usageErrorFromParseArgs(argv, e);
  }
}

/**
 * node:util parseArgs's errors as one line. An unknown flag names itself and points to --help (parseArgs' own text
 * is advice about positional arguments); "--k -1" is refused by parseArgs as ambiguous: say how to write it instead.
 */
function usageErrorFromParseArgs(argv: string[], e: unknown): UsageError {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string }).code;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || unknown) {
    return new UsageError(`unknown option ${unknown ? unknown[1] : ''}; see mixscope --help for the options.`.replace('option ;', 'option;'));
  }
  const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(message);
  if (ambiguous) {
    const at = argv.indexOf(ambiguous[1]);
    const value = at >= 0 ? argv[at + 1] : undefined;
    if (value !== undefined) return new UsageError(`${ambiguous[1]} ${value}: a value that starts with "-" must be written ${ambiguous[1]}=${value}.`);
  }
  const missingValue = /^Option '(-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missingValue) return new UsageError(`${missingValue[2]} needs a value; see mixscope --help.`);
  return new UsageError(message.split('\n').map((line) => line.trim()).filter((line) => line !== '').join(' '));
}

function parseNumber(spec: NumberSpec & CliSettingSpec, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || (spec.integer && !Number.isInteger(value))) {
    throw new UsageError(`--${spec.cli.flag} expects ${spec.expectation ?? (spec.integer ? 'a whole number' : 'a number')}, got "${raw}".`);
  }
  return value;
}

/** One flag's text as the value of its setting (its range is checked by the schema's validator afterwards). */
function parseValue(spec: CliSettingSpec, raw: string | boolean): unknown {
  if (typeof raw === 'boolean') return raw;
  switch (spec.kind) {
    case 'number':
      return parseNumber(spec, raw);
    case 'enum':
      return raw;
    case 'boolean':
      return raw;
    case 'stringList':
      return raw.split(',').map((c) => c.trim()).filter((c) => c !== '');
    case 'numberPair': {
      const parts = raw.split(',').map((s) => (s.trim() === '' ? Number.NaN : Number(s)));
      if (parts.length !== 2 || parts.some((v) => !Number.isFinite(v))) throw new UsageError(`--${spec.cli.flag} expects two numbers "A,B", got "${raw}".`);
      return parts;
    }
    case 'initParams':
      return readInitParams(raw);
    case 'text':
      return raw;
  }
}

/** The --init-params file: a missing, unreadable or malformed file is one line naming it. */
export function readInitParams(file: string): InitParams {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder, not a file' : (e as Error).message;
    throw new UsageError(`--init-params ${file}: cannot be read: ${why}. Give a JSON file {"weights":[...],"means":[[...]],"covariances":[[[...]]]}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--init-params ${file} is not valid JSON (${(e as Error).message}); expected {"weights":[...],"means":[[...]],"covariances":[[[...]]]}.`);
  }
  const p = parsed as Partial<InitParams>;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(p.weights) || !Array.isArray(p.means)) {
    throw new UsageError(`--init-params ${file} must hold {"weights":[...],"means":[[...]],"covariances":[[[...]]]} (weights and means are required).`);
  }
  return p as InitParams;
}

/**
 * The command line as a fit request, or 'help' / 'version' / 'usage' (no arguments). Flags are parsed by their
 * setting's kind; their ranges are checked by checkFitOptions.
 */
export function parseCommandLine(argv: string[]): CommandLine | SelectCommandLine | 'help' | 'version' | 'usage' {
  if (argv.length === 0) return 'usage';
  const { values, positionals } = parseFlags(argv);
  if (values.help) return 'help';
  if (values.version) return 'version';
  if (positionals[0] === 'select') return selectCommandLine(values, positionals);
  for (const f of SELECT_FLAGS) if (values[f.flag] !== undefined) throw new UsageError(`--${f.flag} is an option of mixscope select, not of mixscope ${positionals[0] ?? 'fit'}.`);
  if (positionals[0] !== 'fit') {
    throw new UsageError(positionals[0] === undefined ? 'missing command: mixscope fit FILE [options] (see mixscope --help).' : `unknown command "${positionals[0]}"; try: mixscope fit FILE, mixscope select FILE or mixscope lrt FILE (see mixscope --help).`);
  }
  const file = positionals[1];
  if (!file) throw new UsageError('mixscope fit needs a data file: mixscope fit FILE [options].');
  if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals[2]}" (one data file per run; options start with --).`);

  const options: Record<string, unknown> = {};
  let maxFileSizeMb: number | undefined;
  let memoryBudgetMb: number | undefined;
  let labelsFile: string | undefined;
  for (const spec of CLI_SETTINGS) {
    const raw = values[spec.cli.flag];
    if (raw === undefined) continue;
    if (spec.key === 'k' && typeof raw === 'string') {
      Object.assign(options, parseKFlag(raw));
      continue;
    }
    if (spec.key === 'covarianceType' && typeof raw === 'string') {
      Object.assign(options, parseCovarianceFlag(raw));
      continue;
    }
    if (spec.key === 'labelColumn' && typeof raw === 'string') {
      const labels = parseLabelsFlag(raw);
      if (labels.file !== undefined) labelsFile = labels.file;
      else options.labelColumn = labels.column;
      continue;
    }
    const value = parseValue(spec, raw);
    if (spec.scope === 'host') {
      // Host-only settings never reach the engine: their range is checked here, with the flag's name.
      const range = spec as NumberSpec;
      if (typeof value !== 'number' || value < range.min || value > range.max) throw new UsageError(`--${spec.cli.flag} expects ${describeExpectation(spec)}, got "${String(raw)}".`);
      if (spec.key === 'memoryBudgetMB') memoryBudgetMb = value;
      else maxFileSizeMb = value;
    } else options[spec.key] = value;
  }
  // Explicit starting parameters replace the initialisation unless --init says otherwise.
  if (options.initParams !== undefined && options.init === undefined) options.init = 'params';
  if (values['emit-python'] && values['emit-r']) throw new UsageError('--emit-python and --emit-r each print a script: give one of them.');
  const emit = values['emit-python'] ? 'python' : values['emit-r'] ? 'r' : undefined;
  if (emit && values.json) throw new UsageError(`--emit-${emit} prints a script instead of the result: leave out --json (or run twice).`);
  if (values.force && typeof values['save-model'] !== 'string') throw new UsageError('--force only applies to --save-model FILE.');
  return {
    file,
    options: options as Partial<FitOptions>,
    json: values.json === true,
    snapshots: values.snapshots === true,
    verbose: values.verbose === true,
    labels: labelsFile,
    maxFileSizeMb: maxFileSizeMb ?? (SETTINGS.find((s) => s.key === 'maxFileSizeMB')!.default as number),
    memoryBudgetMb: memoryBudgetMb ?? (SETTINGS.find((s) => s.key === 'memoryBudgetMB')!.default as number),
    saveModel: typeof values['save-model'] === 'string' ? values['save-model'] : undefined,
    force: values.force === true,
    emit,
  };
}

/** Labels files are named as files: a path, or a name with an extension or IDX's "-ubyte" ending. */
const FILE_LIKE = /[/\\]|\.(csv|tsv|txt|dat|data|npy|gz)$|ubyte$/i;

/**
 * `--labels` of fit: "auto", "none" or a column of the data (the labelColumn setting), or a labels file: an existing
 * file, or a value written as a file (a path or a name with a data file's extension), so a mistyped file name says
 * "no such file" rather than "no such column".
 */
export function parseLabelsFlag(raw: string): { column: string; file?: undefined } | { file: string; column?: undefined } {
  const text = raw.trim();
  if (text === '') throw new UsageError('--labels needs a column name, none, auto or a labels file.');
  if (/^(auto|none)$/i.test(text)) return { column: text.toLowerCase() };
  let exists = false;
  try {
    exists = fs.statSync(text).isFile();
  } catch {
    exists = false;
  }
  return exists || FILE_LIKE.test(text) ? { file: text } : { column: text };
}

/**
 * `--k` of fit: one K ("3"), "auto" (the K values of --k-range), a range "2-5" or a list "2,3,5" (k auto over those).
 * Ranges are checked by the schema's validator afterwards.
 */
export function parseKFlag(raw: string): { k: number | 'auto'; kRange?: string } {
  const text = raw.trim();
  if (text.toLowerCase() === 'auto') return { k: 'auto' };
  const bad = new UsageError(`--k expects a whole number, auto, a range A-B or a list A,B,C, got "${raw}".`);
  // One number (its range is the validator's, which names the file): a whole one, or refused here.
  if (/^[-+]?[\d.e]+$/i.test(text) && Number.isFinite(Number(text))) {
    if (!Number.isInteger(Number(text))) throw bad;
    return { k: Number(text) };
  }
  const parsed = parseKRange(text.replace(':', '-'));
  if (!parsed.ok) throw bad;
  return parsed.ks.length === 1 ? { k: parsed.ks[0] } : { k: 'auto', kRange: text.replace(':', '-') };
}

/**
 * `--covariance` of fit: one covariance type or mclust model (a single fit at a fixed K, or the one model a K range
 * tries), or several ("EEE,VVV") or "all", compared as a model selection.
 */
export function parseCovarianceFlag(raw: string): { covarianceType?: string; covarianceModels: string } {
  const parsed = parseCovarianceModels(raw);
  // One unknown name: the schema's validator refuses it as covarianceType, listing the names.
  if (!parsed.ok && !raw.includes(',')) return { covarianceType: raw, covarianceModels: 'auto' };
  if (!parsed.ok) throw new UsageError(`--covariance expects a covariance model, a list EEE,VVV or all: ${parsed.why}.`);
  if (parsed.models === 'auto') return { covarianceModels: 'auto' };
  if (parsed.models === 'all') return { covarianceModels: 'all' };
  return parsed.models.length === 1 ? { covarianceType: parsed.models[0], covarianceModels: parsed.models[0] } : { covarianceModels: parsed.models.join(',') };
}

/** `--k` of select: "1:9" or "1-9" (a range), "2,3,5" (a list), "3", or auto (1-9), each K in the setting's range. */
export function parseKs(raw: string): number[] {
  if (raw.trim().toLowerCase() === 'auto') return Array.from({ length: 9 }, (_, i) => i + 1);
  const spec = SETTINGS.find((s) => s.key === 'k') as NumberSpec;
  const bad = () => new UsageError(`--k expects K, a range A:B or a list A,B,C of whole numbers from ${spec.min} to ${spec.max}, got "${raw}".`);
  const whole = (text: string) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value) || value < spec.min || value > spec.max) throw bad();
    return value;
  };
  const range = /^\s*([^:-]+)[:-]([^:-]+)$/.exec(raw);
  let ks: number[];
  if (range) {
    const [from, to] = [whole(range[1]), whole(range[2])];
    if (to < from) throw bad();
    ks = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  } else ks = raw.split(',').map(whole);
  return [...new Set(ks)].sort((a, b) => a - b);
}

function selectCommandLine(values: ParsedValues, positionals: string[]): SelectCommandLine {
  const file = positionals[1];
  if (!file) throw new UsageError('mixscope select needs a data file: mixscope select FILE [options].');
  if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals[2]}" (one data file per run; options start with --).`);
  for (const f of ['labels', 'snapshots', 'save-model', 'force', 'emit-python', 'emit-r'] as const) if (values[f] !== undefined) throw new UsageError(`--${f} is an option of mixscope fit, not of mixscope select.`);
  const options: Record<string, unknown> = {};
  let maxFileSizeMb = SETTINGS.find((s) => s.key === 'maxFileSizeMB')!.default as number;
  let ks = Array.from({ length: 9 }, (_, i) => i + 1);
  for (const spec of CLI_SETTINGS) {
    const raw = values[spec.cli.flag];
    if (raw === undefined) continue;
    if (!SELECT_SETTINGS.has(spec.key)) {
      const instead = spec.key === 'covarianceType' ? ' (choose covariance models with --models)' : '';
      throw new UsageError(`--${spec.cli.flag} does not apply to mixscope select${instead}; see mixscope --help.`);
    }
    if (spec.key === 'k') {
      ks = parseKs(String(raw));
      continue;
    }
    const value = parseValue(spec, raw);
    if (spec.key === 'model' && value !== 'gaussian' && value !== 'auto') throw new UsageError('mixscope select compares Gaussian mixtures; --model must be gaussian (or auto).');
    if (spec.scope === 'host') {
      const range = spec as NumberSpec;
      if (typeof value !== 'number' || value < range.min || value > range.max) throw new UsageError(`--${spec.cli.flag} expects ${describeExpectation(spec)}, got "${String(raw)}".`);
      maxFileSizeMb = value;
    } else options[spec.key] = value;
  }
  let models: SelectCommandLine['models'] = 'all';
  if (typeof values.models === 'string' && values.models.trim().toLowerCase() !== 'all') {
    const names = values.models.split(',').map((m) => m.trim().toUpperCase()).filter((m) => m !== '');
    const unknown = names.filter((m) => !isMclustModelName(m));
    if (names.length === 0 || unknown.length > 0) {
      throw new UsageError(`--models expects "all" or mclust model names (EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV; E, V for one column), got "${values.models}".`);
    }
    models = [...new Set(names)] as MclustModelName[];
  }
  const criterion = values.criterion === undefined ? 'bic' : String(values.criterion).toLowerCase();
  if (criterion !== 'bic' && criterion !== 'icl') throw new UsageError(`--criterion expects bic or icl in mixscope select (mclust's sign), got "${String(values.criterion)}"; mixscope fit --criterion also takes aic.`);
  delete options.criterion;
  return {
    command: 'select',
    file,
    ks,
    models,
    criterion,
    options: options as Partial<FitOptions>,
    json: values.json === true,
    verbose: values.verbose === true,
    maxFileSizeMb,
  };
}
