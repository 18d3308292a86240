// `mixscope predict M.json FILE`: a model saved by `mixscope fit --save-model` applied to a data file (read by the
// same loaders, its columns matched by name): each row's cluster and the total log-likelihood. Exit codes as fit.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DataError } from '../engine/errors';
import { loadForModel, predictDataset } from '../engine/model/predict';
import { parseSavedModel } from '../engine/model/schema';
import { SETTINGS, type NumberSpec } from '../shared/settings';
import { UsageError, reportFailure } from './flags';

export const PREDICT_USAGE = [
  'Applying a saved model (mixscope predict):',
  '  mixscope predict M.json FILE [--json] [--responsibilities] [--max-file-size-mb N]',
  '  Reads FILE as the fit read its file (the model\'s columns, by name; its standardisation or binarisation) and',
  '  prints each row\'s cluster and the total log-likelihood; --json prints {n, assignments, logLikelihood} and, with',
  '  --responsibilities, each row\'s responsibilities. M.json comes from mixscope fit FILE --save-model M.json.',
].join('\n');

type ReadInput = (file: string, maxFileSizeMb: number) => Uint8Array;

interface PredictCommandLine {
  modelFile: string;
  file: string;
  json: boolean;
  responsibilities: boolean;
  maxFileSizeMb: number;
}

function parsePredictCommandLine(argv: string[]): PredictCommandLine | 'help' {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        responsibilities: { type: 'boolean' },
        'max-file-size-mb': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    const unknown = /^Unknown option '([^']+)'/.exec((e as Error).message);
    throw new UsageError(unknown ? `unknown option ${unknown[1]} for mixscope predict; see mixscope predict --help.` : (e as Error).message.split('\n')[0]);
  }
  if (values.help) return 'help';
  if (positionals.length < 2) throw new UsageError('mixscope predict needs a model and a data file: mixscope predict M.json FILE (the model from mixscope fit FILE --save-model M.json).');
  if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals[2]}" (one model and one data file per run; options start with --).`);
  const spec = SETTINGS.find((s) => s.key === 'maxFileSizeMB') as NumberSpec;
  let maxFileSizeMb = spec.default as number;
  if (values['max-file-size-mb'] !== undefined) {
    const raw = String(values['max-file-size-mb']);
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(v) || v < spec.min || v > spec.max) throw new UsageError(`--max-file-size-mb expects a whole number from ${spec.min} to ${spec.max}, got "${raw}".`);
    maxFileSizeMb = v;
  }
  if (values.responsibilities && !values.json) throw new UsageError('--responsibilities is part of the --json output: add --json.');
  return { modelFile: positionals[0], file: positionals[1], json: values.json === true, responsibilities: values.responsibilities === true, maxFileSizeMb };
}

function readModel(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
    throw new DataError(`${path.basename(file)}: cannot be read: ${why}. Give a model saved by mixscope fit FILE --save-model M.json.`, path.basename(file));
  }
}

/** Runs `mixscope predict` (argv after "predict") and returns the exit code; errors are one line on stderr. */
export async function predictMain(argv: string[], readInput: ReadInput): Promise<number> {
  let name = 'mixscope predict';
  try {
    const parsed = parsePredictCommandLine(argv);
    if (parsed === 'help') {
      process.stdout.write(PREDICT_USAGE + '\n');
      return 0;
    }
    const modelName = path.basename(parsed.modelFile);
    name = modelName;
    const model = parseSavedModel(readModel(parsed.modelFile), modelName);
    name = path.basename(parsed.file);
    const dataset = await loadForModel(model, name, readInput(parsed.file, parsed.maxFileSizeMb));
    const p = predictDataset(model, dataset, modelName);
    if (parsed.json) {
      const out: Record<string, unknown> = { n: p.n, k: p.k, assignments: Array.from(p.assignments), logLikelihood: p.logLikelihood };
      if (p.caseWeights) out.caseWeights = p.caseWeights;
      if (p.incompleteRows) out.incompleteRows = p.incompleteRows;
      if (parsed.responsibilities) {
        const rows: number[][] = [];
        for (let i = 0; i < p.n; i++) rows.push(Array.from(p.logResponsibilities.subarray(i * p.k, (i + 1) * p.k), Math.exp));
        out.responsibilities = rows;
      }
      process.stdout.write(JSON.stringify(out) + '\n');
    } else {
      const sizes = new Array<number>(p.k).fill(0);
      for (const a of p.assignments) sizes[a]++;
      const lines = [
        `${name}: ${p.n} rows under the ${model.family} model of ${model.source.fileName} (K = ${p.k}${model.covarianceModel ? `, ${model.covarianceModel}` : ''})`,
        ...dataset.summary.notes.map((note) => `  read: ${note}`),
        ...(p.incompleteRows ? [`  ${p.incompleteRows} row${p.incompleteRows === 1 ? '' : 's'} with missing cells scored on their observed cells`] : []),
        p.caseWeights
          ? `log-likelihood ${p.logLikelihood.toFixed(4)} weighted by column "${p.caseWeights.column}" (Σ w = ${p.caseWeights.total}; ${(p.logLikelihood / p.caseWeights.total).toFixed(4)} per unit of weight)`
          : `log-likelihood ${p.logLikelihood.toFixed(4)} (${(p.logLikelihood / p.n).toFixed(4)} per row)`,
        ...sizes.map((s, c) => `  component ${c + 1}: ${s} rows`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    }
    return 0;
  } catch (e) {
    return reportFailure(e, name);
  }
}
