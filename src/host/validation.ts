// Validation of everything that crosses into the extension host: messages from the webview (not trusted: a K of
// 1e9 or a negative iteration count is rejected, never run), messages from the engine worker (a bug or a crash must
// not reach the panel as garbage), the panel state restored after a reload, and the mixscope.* settings.
// Pure: no `vscode` import, so it runs under plain mocha.

import * as path from 'node:path';
import { STORE_PREFIX } from '../engine/data/store/columnStore';
import { FAMILY_IDS, isFamilyId } from '../engine/families/ids';
import { validHistory } from './runHistory';
import { LIMITS, type FitOptions, type FitResult, type PanelState, type WorkerToHost } from '../shared/protocol';
import {
  HOST_SETTINGS,
  FIT_SETTINGS,
  describeExpectation,
  describeValue,
  parseKRange,
  settingSpec,
  validateFitOptions,
  type NumberSpec,
  type SettingProblem,
} from '../shared/settings';

export { describeValue, type SettingProblem };

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Validated<T> => ({ ok: true, value });
const fail = <T>(error: string): Validated<T> => ({ ok: false, error });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
// ------------------------------------------------------------------------------------------------ webview → host

/** An export the host may write: the image bytes already decoded and checked. */
export interface ValidatedExport {
  type: 'export';
  format: 'png' | 'svg';
  /** Safe for a file name: [a-z0-9-], at most 40 characters (empty when the webview sent none). */
  chart: string;
  bytes: Uint8Array;
}

/** WebviewToHost after validation; `export` carries decoded bytes instead of the raw string. */
export type ValidatedWebviewMessage =
  | { type: 'loading' }
  | { type: 'loadFailed'; resource: 'script' }
  | { type: 'ready' }
  | { type: 'rerun'; k: number | 'auto'; maxIterations: number }
  | { type: 'cancel' }
  | ValidatedExport
  | { type: 'script'; language: 'python' | 'r' | 'ask'; action: 'copy' | 'open' }
  | { type: 'state'; state: PanelState };

/** K from a panel message or an input box: the schema's range for mixscope.k. */
export function validateK(v: unknown, what = 'K'): Validated<number> {
  return validateWholeNumber(settingSpec('k') as NumberSpec, v, what);
}

/**
 * K as a person types it in "…with options": a whole number (one K), "auto" (every K of `kRange`), or a range "A-B" /
 * list "2,3,5" to compare (K auto over that range).
 */
export function parseKAnswer(text: string, kRange: string): Validated<{ k: number | 'auto'; kRange: string }> {
  const t = text.trim();
  if (t === 'auto') return ok({ k: 'auto', kRange });
  if (/^\d+$/.test(t)) {
    const k = validateK(Number(t));
    return k.ok ? ok({ k: k.value, kRange }) : k;
  }
  const range = parseKRange(t);
  return range.ok ? ok({ k: 'auto', kRange: t }) : fail(`K must be a whole number, "auto", a range such as 1-9 or a list such as 2,3,5; ${range.why}.`);
}

/** An iteration limit from a panel message or an input box: the schema's range for mixscope.maxIterations. */
export function validateMaxIterations(v: unknown, what = 'the number of iterations'): Validated<number> {
  return validateWholeNumber(settingSpec('maxIterations') as NumberSpec, v, what);
}

function validateWholeNumber(spec: NumberSpec, v: unknown, what: string): Validated<number> {
  if (!isInteger(v) || v < spec.min || v > spec.max) return fail(`${what} must be ${describeExpectation(spec)}; got ${describeValue(v)}.`);
  return ok(v);
}

/** Validates one message posted by the webview. Unknown or malformed messages are rejected with the reason. */
export function validateWebviewMessage(raw: unknown): Validated<ValidatedWebviewMessage> {
  if (!isObject(raw)) return fail(`a panel message must be an object; got ${describeValue(raw)}.`);
  const type = raw.type;
  switch (type) {
    case 'ready':
      return ok({ type: 'ready' });
    case 'loading':
      return ok({ type: 'loading' });
    case 'loadFailed':
      return raw.resource === 'script' ? ok({ type: 'loadFailed', resource: 'script' }) : fail(`loadFailed: resource must be "script"; got ${describeValue(raw.resource)}.`);
    case 'cancel':
      return ok({ type: 'cancel' });
    case 'rerun': {
      // The schema's validator, as for every other source; a missing field is never filled with a default here.
      const missing = (['k', 'maxIterations'] as const).filter((key) => raw[key] === undefined);
      if (missing.length > 0) return fail(`re-run rejected: ${missing.join(' and ')} missing; got undefined.`);
      // The panel re-runs one K, or "auto" (K chosen again over the settings' kRange).
      const kSpec = settingSpec('k') as NumberSpec;
      if (raw.k !== 'auto' && (!isInteger(raw.k) || raw.k < kSpec.min || raw.k > kSpec.max)) return fail(`re-run rejected: k must be "auto" or a whole number from ${kSpec.min} to ${kSpec.max}, got ${describeValue(raw.k)}.`);
      const { options, problems } = validateFitOptions({ k: raw.k, maxIterations: raw.maxIterations }, 'message');
      if (problems.length > 0) return fail(`re-run rejected: ${problems.map((p) => p.message).join(' ')}`);
      return ok({ type: 'rerun', k: options.k, maxIterations: options.maxIterations });
    }
    case 'export':
      return validateExport(raw);
    case 'script': {
      const { language, action } = raw;
      if (language !== 'python' && language !== 'r' && language !== 'ask') return fail(`script rejected: language must be "python", "r" or "ask"; got ${describeValue(language)}.`);
      if (action !== 'copy' && action !== 'open') return fail(`script rejected: action must be "copy" or "open"; got ${describeValue(action)}.`);
      return ok({ type: 'script', language, action });
    }
    case 'state': {
      const state = validatePanelState(raw.state);
      return state.ok ? ok({ type: 'state', state: state.value }) : fail(`panel state rejected: ${state.error}`);
    }
    default:
      return fail(`unknown panel message type ${describeValue(type)}.`);
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Export payloads: PNG as a base64 data URL (`data:image/png;base64,…`) or bare base64; SVG as the SVG text, or a
 * `data:image/svg+xml` URL (base64 or percent-encoded). The decoded size is capped by LIMITS.exportBytesMax.
 */
export function validateExport(raw: Record<string, unknown>): Validated<ValidatedExport> {
  const { format, chart, data } = raw;
  if (format !== 'png' && format !== 'svg') return fail(`export rejected: format must be "png" or "svg"; got ${describeValue(format)}.`);
  if (chart !== undefined && typeof chart !== 'string') return fail(`export rejected: chart must be a string; got ${describeValue(chart)}.`);
  if (typeof data !== 'string') return fail(`export rejected: data must be a string; got ${describeValue(data)}.`);
  // Base64 is 4/3 of the bytes; a string longer than that bound cannot decode to an allowed size.
  if (data.length > Math.ceil((LIMITS.exportBytesMax * 4) / 3) + 100) {
    return fail(`export rejected: the image is larger than the ${formatBytes(LIMITS.exportBytesMax)} limit.`);
  }
  const safeChart = sanitizeChartName(chart ?? '');
  let bytes: Uint8Array;
  if (format === 'png') {
    const b64 = data.startsWith('data:') ? stripDataUrl(data, 'image/png', true) : data;
    if (b64 === undefined) return fail('export rejected: a PNG must come as a data:image/png;base64 URL or base64 text.');
    if (!BASE64.test(b64) || b64.length % 4 !== 0) return fail('export rejected: the PNG data is not valid base64.');
    bytes = Buffer.from(b64, 'base64');
    if (bytes.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
      return fail('export rejected: the data is not a PNG image (wrong signature).');
    }
  } else {
    let text: string;
    if (data.startsWith('data:')) {
      const comma = data.indexOf(',');
      const header = comma < 0 ? '' : data.slice(5, comma);
      if (comma < 0 || !/^image\/svg\+xml(;charset=[\w-]+)?(;base64)?$/i.test(header)) {
        return fail('export rejected: an SVG data URL must be data:image/svg+xml[;base64],…');
      }
      const body = data.slice(comma + 1);
      if (/;base64$/i.test(header)) {
        if (!BASE64.test(body) || body.length % 4 !== 0) return fail('export rejected: the SVG data is not valid base64.');
        text = Buffer.from(body, 'base64').toString('utf8');
      } else {
        try {
          text = decodeURIComponent(body);
        } catch {
          return fail('export rejected: the SVG data URL is not valid percent-encoding.');
        }
      }
    } else {
      text = data;
    }
    if (!startsWithSvgElement(text)) {
      return fail('export rejected: the data is not an SVG document (it must start with <svg>).');
    }
    bytes = Buffer.from(text, 'utf8');
  }
  if (bytes.length === 0) return fail('export rejected: the image is empty.');
  if (bytes.length > LIMITS.exportBytesMax) return fail(`export rejected: the image is larger than the ${formatBytes(LIMITS.exportBytesMax)} limit.`);
  return ok({ type: 'export', format, chart: safeChart, bytes });
}

/**
 * Whether the document's first element is <svg>, after an optional XML declaration, comments and a DOCTYPE.
 * A linear scan (a regular expression with a repeated comment group backtracks exponentially on crafted input).
 */
export function startsWithSvgElement(text: string): boolean {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  for (;;) {
    skipSpace();
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return false;
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return false;
      i = end + 3;
    } else if (text.slice(i, i + 9).toUpperCase() === '<!DOCTYPE') {
      const end = text.indexOf('>', i + 9);
      if (end < 0) return false;
      i = end + 1;
    } else {
      return /^<svg[\s>/]/i.test(text.slice(i, i + 5));
    }
  }
}

function stripDataUrl(data: string, mime: string, base64: boolean): string | undefined {
  const prefix = `data:${mime}${base64 ? ';base64' : ''},`;
  return data.toLowerCase().startsWith(prefix) ? data.slice(prefix.length) : undefined;
}

/** A chart name as a file-name fragment: lower case letters, digits and dashes only. */
export function sanitizeChartName(chart: string): string {
  return chart
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / (1024 * 1024 * 1024)).toFixed(1)} GB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

// ------------------------------------------------------------------------------------------------ panel state

/**
 * The state a panel is restored from after a reload (saved by the webview with setState, or posted as
 * `{type:'state'}`). The fields the host acts on are checked: the file, the options, and the parts of the result
 * that an export writes. The rest is only handed back to the webview that produced it.
 */
export function validatePanelState(raw: unknown): Validated<PanelState> {
  if (!isObject(raw)) return fail(`it must be an object; got ${describeValue(raw)}.`);
  if (typeof raw.fileName !== 'string' || raw.fileName.length === 0 || raw.fileName.length > 1024) {
    return fail(`fileName must be a non-empty string; got ${describeValue(raw.fileName)}.`);
  }
  if (typeof raw.fileUri !== 'string' || raw.fileUri.length > 8192 || !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(raw.fileUri)) {
    return fail(`fileUri must be a URI string; got ${describeValue(raw.fileUri)}.`);
  }
  const options = validateFitOptionsStrict(raw.options);
  if (!options.ok) return fail(`options: ${options.error}`);
  if (raw.result !== undefined) {
    const result = validateFitResult(raw.result);
    if (!result.ok) return fail(`result: ${result.error}`);
  }
  for (const key of ['summary', 'plotSample'] as const) {
    if (raw[key] !== undefined && !isObject(raw[key])) return fail(`${key} must be an object; got ${describeValue(raw[key])}.`);
  }
  if (raw.model !== undefined && !isFamilyId(raw.model)) return fail(`model must be one of ${FAMILY_IDS.join(', ')}; got ${describeValue(raw.model)}.`);
  if (raw.plotAssignments !== undefined && !Array.isArray(raw.plotAssignments)) return fail('plotAssignments must be an array.');
  if (raw.examples !== undefined && !Array.isArray(raw.examples)) return fail('examples must be an array.');
  // A damaged run history loses the damaged runs, never the panel.
  const history = raw.history === undefined ? {} : { history: validHistory(raw.history) };
  return ok({ ...(raw as unknown as PanelState), options: options.value, ...history });
}

/**
 * FitOptions from a restored panel state: every field present and valid, or rejected (no clamping). A panel fitted
 * from explicit starting parameters (init "params" with its initParams) is as valid as any other.
 */
export function validateFitOptionsStrict(raw: unknown): Validated<FitOptions> {
  if (!isObject(raw)) return fail(`must be an object; got ${describeValue(raw)}.`);
  const { options, problems } = validateFitOptions(raw, 'restored');
  if (problems.length > 0) return fail(problems.map((p) => p.message).join(' '));
  return ok(options);
}

/** The parts of a FitResult that the host writes on export: shapes and ranges must agree. */
export function validateFitResult(raw: unknown): Validated<FitResult> {
  if (!isObject(raw)) return fail(`must be an object; got ${describeValue(raw)}.`);
  const { model, k, n, d } = raw;
  if (!isFamilyId(model)) return fail(`model must be one of ${FAMILY_IDS.join(', ')}; got ${describeValue(model)}.`);
  if (!isInteger(k) || k < 1) return fail(`k must be a whole number ≥ 1; got ${describeValue(k)}.`);
  if (!isInteger(n) || n < 0) return fail(`n must be a whole number ≥ 0; got ${describeValue(n)}.`);
  if (!isInteger(d) || d < 1) return fail(`d must be a whole number ≥ 1; got ${describeValue(d)}.`);
  if (!Array.isArray(raw.columns) || !raw.columns.every((c) => typeof c === 'string')) return fail('columns must be a list of strings.');
  if (!isNumberArray(raw.weights, k)) return fail(`weights must be ${k} numbers.`);
  // A categorical fit's means are each cluster's category probabilities: every column's categories in turn.
  const categories = Array.isArray(raw.categories) ? (raw.categories as { levels?: unknown }[]) : undefined;
  const width = model === 'categorical' && categories ? categories.reduce((sum, c) => sum + (Array.isArray(c?.levels) ? c.levels.length : 0), 0) : d;
  if (!Array.isArray(raw.means) || raw.means.length !== k || !raw.means.every((m) => isNumberArray(m, width))) return fail(`means must be ${k} rows of ${width} numbers.`);
  const rows = raw.assignedRows;
  if (rows !== undefined) {
    // Out of core: the assignments of a sample of rows, named by their (increasing) indices.
    if (!Array.isArray(rows) || !rows.every((r, i) => isInteger(r) && r >= 0 && r < n && (i === 0 || r > (rows[i - 1] as number)))) return fail(`assignedRows must be increasing rows from 0 to ${n - 1}.`);
    if (!Array.isArray(raw.assignments) || raw.assignments.length !== rows.length) return fail(`assignments must hold ${rows.length} entries, one per assigned row.`);
  } else if (!Array.isArray(raw.assignments) || raw.assignments.length !== n) return fail(`assignments must hold ${n} entries.`);
  for (let i = 0; i < raw.assignments.length; i++) {
    const a = raw.assignments[i];
    if (!isInteger(a) || a < 0 || a >= k) return fail(`assignments[${i}] must be a cluster from 0 to ${k - 1}; got ${describeValue(a)}.`);
  }
  if (!Array.isArray(raw.trace) || !raw.trace.every((t) => typeof t === 'number')) return fail('trace must be a list of numbers.');
  if (!isInteger(raw.iterations) || raw.iterations < 0) return fail(`iterations must be a whole number ≥ 0; got ${describeValue(raw.iterations)}.`);
  if (typeof raw.converged !== 'boolean') return fail(`converged must be true or false; got ${describeValue(raw.converged)}.`);
  if (typeof raw.logLikelihood !== 'number') return fail(`logLikelihood must be a number; got ${describeValue(raw.logLikelihood)}.`);
  if (raw.applied !== undefined) {
    const a = raw.applied;
    if (!isObject(a) || typeof a.modelFile !== 'string' || typeof a.fittedTo !== 'string' || !isInteger(a.fittedRows) || typeof a.fittedLogLikelihood !== 'number') {
      return fail('applied must name the model file and the file it was fitted to.');
    }
    if (a.covarianceModel !== undefined && typeof a.covarianceModel !== 'string') return fail('applied.covarianceModel must be text.');
  }
  return ok(raw as unknown as FitResult);
}

function isNumberArray(v: unknown, length: number): boolean {
  return Array.isArray(v) && v.length === length && v.every((x) => typeof x === 'number');
}

// ------------------------------------------------------------------------------------------------ worker → host

/**
 * Validates a message from the engine worker for run `runId`. The worker is our own code, so a failure here means a
 * bug or a damaged worker: the caller ends the run with an internal error rather than forwarding it.
 */
export function validateWorkerMessage(raw: unknown, runId: number): Validated<WorkerToHost> {
  if (!isObject(raw)) return fail(`the engine sent a message that is not an object: ${describeValue(raw)}.`);
  if (raw.runId !== runId) return fail(`the engine sent a message for run ${describeValue(raw.runId)} while running ${runId}.`);
  switch (raw.type) {
    case 'loaded': {
      const s = raw.summary;
      if (!isObject(s) || !isInteger(s.n) || s.n < 0 || !isInteger(s.d) || s.d < 0 || !Array.isArray(s.columns)) {
        return fail('the engine sent a "loaded" message without a valid dataset summary.');
      }
      if (!isFamilyId(raw.model)) return fail(`the engine sent an unknown model ${describeValue(raw.model)}.`);
      if (typeof raw.modelReason !== 'string') return fail('the engine sent a "loaded" message without the reason for the model.');
      if (raw.plotSample !== undefined) {
        const p = raw.plotSample;
        if (!isObject(p) || !Array.isArray(p.indices) || !Array.isArray(p.values) || !isInteger(p.d)) {
          return fail('the engine sent a malformed plot sample.');
        }
      }
      return ok(raw as unknown as WorkerToHost);
    }
    case 'progress': {
      if (!isInteger(raw.iteration) || raw.iteration < 0) return fail(`the engine sent a progress message with iteration ${describeValue(raw.iteration)}.`);
      if (!isInteger(raw.restart) || raw.restart < 0) return fail(`the engine sent a progress message with restart ${describeValue(raw.restart)}.`);
      if (typeof raw.objective !== 'number' || typeof raw.logLikelihood !== 'number') return fail('the engine sent a progress message without its log-likelihood.');
      if (!isObject(raw.snapshot)) return fail('the engine sent a progress message without a parameter snapshot.');
      return ok(raw as unknown as WorkerToHost);
    }
    case 'done': {
      const result = validateFitResult(raw.result);
      if (!result.ok) return fail(`the engine sent a malformed result: ${result.error}`);
      if (raw.plotAssignments !== undefined && !Array.isArray(raw.plotAssignments)) return fail('the engine sent malformed plot assignments.');
      return ok(raw as unknown as WorkerToHost);
    }
    case 'streamProgress': {
      if (raw.phase !== 'parse' && raw.phase !== 'pass') return fail(`the engine sent a streamProgress message with phase ${describeValue(raw.phase)}.`);
      if (!isInteger(raw.done) || !isInteger(raw.total) || raw.done < 0 || raw.done > raw.total) return fail(`the engine sent a streamProgress message with ${describeValue(raw.done)} of ${describeValue(raw.total)}.`);
      if (raw.pass !== undefined && (!isInteger(raw.pass) || raw.pass < 1)) return fail(`the engine sent a streamProgress message with pass ${describeValue(raw.pass)}.`);
      return ok(raw as unknown as WorkerToHost);
    }
    case 'storeCreated': {
      // The host removes this folder: only ever one of the engine's own temporary stores.
      if (typeof raw.dir !== 'string' || !path.isAbsolute(raw.dir) || !path.basename(raw.dir).startsWith(STORE_PREFIX)) {
        return fail(`the engine named ${describeValue(raw.dir)} as its temporary store.`);
      }
      return ok({ type: 'storeCreated', runId, dir: raw.dir });
    }
    case 'error': {
      if (typeof raw.message !== 'string') return fail('the engine reported an error without a message.');
      const kind = raw.kind === 'data' || raw.kind === 'fit' || raw.kind === 'internal' ? raw.kind : 'internal';
      return ok({ type: 'error', runId, kind, message: raw.message });
    }
    default:
      return fail(`the engine sent an unknown message type ${describeValue(raw.type)}.`);
  }
}

// ------------------------------------------------------------------------------------------------ settings

/** 'mixscope.k must be …; got 1e9, so 1000 is used.' */
export function describeProblem(p: SettingProblem): string {
  return `${p.message}, so ${p.used} is used.`;
}

/** One numeric setting's range (inclusive unless marked exclusive), as the schema declares it. */
export interface NumericRule {
  integer: boolean;
  min: number;
  max: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
}

function ruleOf(spec: NumberSpec): NumericRule {
  return { integer: spec.integer, min: spec.min, max: spec.max, exclusiveMin: spec.exclusiveMin, exclusiveMax: spec.exclusiveMax };
}

const numberSpecs = (specs: readonly { kind: string }[]) => specs.filter((s): s is NumberSpec => s.kind === 'number');

/** The ranges of the numeric fit settings (from the schema; package.json declares the same, generated from it). */
export const NUMERIC_SETTINGS: Readonly<Record<string, NumericRule>> = Object.fromEntries(numberSpecs(FIT_SETTINGS).map((s) => [s.key, ruleOf(s)]));

const MAX_FILE_SIZE_SPEC = numberSpecs(HOST_SETTINGS).find((s) => s.key === 'maxFileSizeMB')!;
export const MAX_FILE_SIZE_MB_RULE: NumericRule = ruleOf(MAX_FILE_SIZE_SPEC);
export const DEFAULT_MAX_FILE_SIZE_MB = MAX_FILE_SIZE_SPEC.default as number;

/**
 * One host-only numeric setting (mixscope.maxFileSizeMB, mixscope.memoryBudgetMB): a wrong type falls back to the default, an out-of-range
 * number is clamped to the range, and each correction is reported, as for the fit settings.
 */
export function resolveHostNumber(key: 'maxFileSizeMB' | 'memoryBudgetMB', raw: unknown, problems: SettingProblem[]): number {
  const spec = settingSpec(key) as NumberSpec & { default: number };
  if (raw === undefined || raw === null) return spec.default;
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    problems.push({ key, message: `mixscope.${key} must be ${describeExpectation(spec)}; got ${describeValue(raw)}`, used: `the default ${spec.default}` });
    return spec.default;
  }
  const value = Math.min(spec.max, Math.max(spec.min, spec.integer ? Math.round(raw) : raw));
  if (value !== raw) problems.push({ key, message: `mixscope.${key} must be ${describeExpectation(spec)}; got ${describeValue(raw)}`, used: String(value) });
  return value;
}

/**
 * The settings (as read from the configuration, any of them possibly missing or of the wrong type) turned into valid
 * FitOptions, with a message for every value that had to be corrected. Missing values take the schema's defaults.
 */
export function resolveFitOptions(raw: Record<string, unknown>): { options: FitOptions; problems: SettingProblem[] } {
  return validateFitOptions(raw, 'settings');
}

// ------------------------------------------------------------------------------------------------ file size

/**
 * The early refusal of a file over mixscope.maxFileSizeMB (the largest file opened at all, in memory or out of core),
 * or undefined when it is within it. Under it, the memory budget decides how the file is fitted (outOfCorePolicy.ts).
 */
export function checkFileSize(fileName: string, size: number, maxFileSizeMB: number): string | undefined {
  const limit = maxFileSizeMB * 1024 * 1024;
  if (size <= limit) return undefined;
  return `${fileName} is ${formatBytes(size)}, larger than the limit of ${maxFileSizeMB} MB (setting mixscope.maxFileSizeMB). Raise the limit to fit it, or fit a smaller sample of the file.`;
}
