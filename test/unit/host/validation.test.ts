// Everything the extension host accepts from outside is checked: webview messages (untrusted), worker messages,
// restored panel state and the mixscope.* settings. Each rejected case is listed here with the reason it gives.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import { DEFAULT_FIT_OPTIONS, LIMITS, type FitOptions, type FitResult } from '../../../src/shared/protocol';
import {
  checkFileSize,
  describeProblem,
  resolveFitOptions,
  parseKAnswer,
  sanitizeChartName,
  startsWithSvgElement,
  validateFitOptionsStrict,
  validatePanelState,
  validateWebviewMessage,
  validateWorkerMessage,
} from '../../../src/host/validation';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rest of a png')]);
const pngDataUrl = `data:image/png;base64,${PNG.toString('base64')}`;
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';

function rejects(raw: unknown, pattern: RegExp): void {
  const r = validateWebviewMessage(raw);
  assert.equal(r.ok, false, `accepted ${JSON.stringify(raw)?.slice(0, 200)}`);
  if (!r.ok) assert.match(r.error, pattern);
}

function result(overrides: Partial<FitResult> = {}): FitResult {
  return {
    model: 'gaussian', modelReason: 'chosen by the user', k: 2, n: 3, d: 1, columns: ['x'], converged: true, iterations: 4,
    logLikelihood: -10, trace: [-12, -10], weights: [0.5, 0.5], means: [[0], [1]], covariances: [[[1]], [[1]]],
    assignments: [0, 1, 1], bic: 1, aic: 1, snapshots: [], restartObjectives: [-10], elapsedMs: 1, ...overrides,
  };
}

describe('host validation: webview messages', () => {
  it('accepts ready, cancel and a rerun in range (dropping extra fields)', () => {
    assert.deepEqual(validateWebviewMessage({ type: 'ready' }), { ok: true, value: { type: 'ready' } });
    assert.deepEqual(validateWebviewMessage({ type: 'loading', extra: 1 }), { ok: true, value: { type: 'loading' } });
    assert.deepEqual(validateWebviewMessage({ type: 'loadFailed', resource: 'script' }), { ok: true, value: { type: 'loadFailed', resource: 'script' } });
    assert.equal(validateWebviewMessage({ type: 'loadFailed', resource: '<img>' }).ok, false);
    assert.deepEqual(validateWebviewMessage({ type: 'cancel', extra: 1 }), { ok: true, value: { type: 'cancel' } });
    assert.deepEqual(validateWebviewMessage({ type: 'rerun', k: 3, maxIterations: 50, evil: '<script>' }), { ok: true, value: { type: 'rerun', k: 3, maxIterations: 50 } });
    assert.equal(validateWebviewMessage({ type: 'rerun', k: LIMITS.kMax, maxIterations: LIMITS.maxIterationsMax }).ok, true);
    assert.equal(validateWebviewMessage({ type: 'rerun', k: LIMITS.kMin, maxIterations: LIMITS.maxIterationsMin }).ok, true);
  });

  it('rejects what is not a message', () => {
    rejects(null, /must be an object/);
    rejects('rerun', /must be an object/);
    rejects([{ type: 'ready' }], /must be an object/);
    rejects({}, /unknown panel message type undefined/);
    rejects({ type: 'runShell', command: 'rm -rf /' }, /unknown panel message type "runShell"/);
    rejects({ type: 42 }, /unknown panel message type 42/);
  });

  it('rejects a K of 1e9, zero, negative, fractional, a string other than "auto", NaN or Infinity; takes "auto"', () => {
    assert.deepEqual(validateWebviewMessage({ type: 'rerun', k: 'auto', maxIterations: 10 }), { ok: true, value: { type: 'rerun', k: 'auto', maxIterations: 10 } });
    rejects({ type: 'rerun', k: 1e9, maxIterations: 10 }, /re-run rejected: k must be "auto" or a whole number from 1 to 1000, got 1000000000\./);
    rejects({ type: 'rerun', k: 1001, maxIterations: 10 }, /k must be/);
    rejects({ type: 'rerun', k: 0, maxIterations: 10 }, /k must be/);
    rejects({ type: 'rerun', k: -2, maxIterations: 10 }, /got -2/);
    rejects({ type: 'rerun', k: 2.5, maxIterations: 10 }, /got 2.5/);
    rejects({ type: 'rerun', k: '3', maxIterations: 10 }, /got "3"/);
    rejects({ type: 'rerun', k: NaN, maxIterations: 10 }, /got NaN/);
    rejects({ type: 'rerun', k: Infinity, maxIterations: 10 }, /got Infinity/);
    rejects({ type: 'rerun', maxIterations: 10 }, /re-run rejected: k missing; got undefined/);
  });

  it('rejects a negative, huge or fractional iteration count; 0 (evaluate the start only) is in the schema\'s range', () => {
    rejects({ type: 'rerun', k: 2, maxIterations: -1 }, /maxIterations must be a whole number from 0 to 100000, got -1\./);
    assert.deepEqual(validateWebviewMessage({ type: 'rerun', k: 2, maxIterations: 0 }), { ok: true, value: { type: 'rerun', k: 2, maxIterations: 0 } });
    rejects({ type: 'rerun', k: 2, maxIterations: 100001 }, /got 100001/);
    rejects({ type: 'rerun', k: 2, maxIterations: 1.5 }, /got 1.5/);
    rejects({ type: 'rerun', k: 2, maxIterations: null }, /got null/);
  });

  it('accepts a PNG data URL, bare base64, SVG text and SVG data URLs, returning the bytes', () => {
    for (const data of [pngDataUrl, PNG.toString('base64')]) {
      const r = validateWebviewMessage({ type: 'export', format: 'png', chart: 'scatter', data });
      if (!r.ok || r.value.type !== 'export') assert.fail(JSON.stringify(r));
      assert.deepEqual(Buffer.from(r.value.bytes), PNG);
      assert.equal(r.value.chart, 'scatter');
    }
    for (const data of [SVG, `<?xml version="1.0"?>\n${SVG}`, `data:image/svg+xml;base64,${Buffer.from(SVG).toString('base64')}`, `data:image/svg+xml;charset=utf-8,${encodeURIComponent(SVG)}`]) {
      const r = validateWebviewMessage({ type: 'export', format: 'svg', chart: 'loglik', data });
      if (!r.ok || r.value.type !== 'export') assert.fail(`${data.slice(0, 40)}: ${JSON.stringify(r)}`);
      assert.ok(Buffer.from(r.value.bytes).toString('utf8').endsWith(SVG));
    }
  });

  it('accepts a "reproduce in code" request and rejects an unknown language or action', () => {
    const r = validateWebviewMessage({ type: 'script', language: 'r', action: 'copy', requestId: 4 });
    assert.deepEqual(r, { ok: true, value: { type: 'script', language: 'r', action: 'copy' } });
    assert.deepEqual(validateWebviewMessage({ type: 'script', language: 'ask', action: 'open' }), { ok: true, value: { type: 'script', language: 'ask', action: 'open' } });
    rejects({ type: 'script', language: 'julia', action: 'copy' }, /language must be "python", "r" or "ask"; got "julia"/);
    rejects({ type: 'script', language: 'python', action: 'save' }, /action must be "copy" or "open"; got "save"/);
    rejects({ type: 'script', language: 'python' }, /action must be "copy" or "open"; got undefined/);
  });

  it('rejects exports of the wrong format, type, encoding or content', () => {
    rejects({ type: 'export', format: 'exe', chart: 'x', data: pngDataUrl }, /format must be "png" or "svg"; got "exe"/);
    rejects({ type: 'export', format: 'png', chart: 3, data: pngDataUrl }, /chart must be a string/);
    rejects({ type: 'export', format: 'png', chart: 'x' }, /data must be a string/);
    rejects({ type: 'export', format: 'png', chart: 'x', data: 'data:text/html;base64,PGh0bWw+' }, /data:image\/png;base64 URL/);
    rejects({ type: 'export', format: 'png', chart: 'x', data: 'not base64 at all!' }, /not valid base64/);
    rejects({ type: 'export', format: 'png', chart: 'x', data: Buffer.from('GIF89a....').toString('base64') }, /not a PNG image/);
    rejects({ type: 'export', format: 'png', chart: 'x', data: '' }, /not a PNG image/);
    rejects({ type: 'export', format: 'svg', chart: 'x', data: '<html><script>alert(1)</script></html>' }, /not an SVG document/);
    rejects({ type: 'export', format: 'svg', chart: 'x', data: 'data:text/html,<svg>' }, /data:image\/svg\+xml/);
    rejects({ type: 'export', format: 'svg', chart: 'x', data: 'data:image/svg+xml,%E0%A4%A' }, /percent-encoding/);
    rejects({ type: 'export', format: 'svg', chart: 'x', data: 'data:image/svg+xml;base64,@@@@' }, /not valid base64/);
  });

  it('rejects an export larger than the limit without decoding it', () => {
    const huge = 'A'.repeat(Math.ceil((LIMITS.exportBytesMax * 4) / 3) + 104);
    rejects({ type: 'export', format: 'png', chart: 'x', data: huge }, /larger than the 50\.0 MB limit/);
    const bigSvg = `<svg>${' '.repeat(LIMITS.exportBytesMax)}</svg>`;
    rejects({ type: 'export', format: 'svg', chart: 'x', data: bigSvg }, /larger than the 50\.0 MB limit/);
  });

  it('recognises an SVG document in linear time, even with crafted comments', () => {
    assert.equal(startsWithSvgElement(`<?xml version="1.0"?><!-- a --><!DOCTYPE svg PUBLIC "x" "y">\n<svg>`), true);
    assert.equal(startsWithSvgElement('<svg/>'), true);
    assert.equal(startsWithSvgElement('<svgx>'), false);
    assert.equal(startsWithSvgElement('<!-- unterminated <svg>'), false);
    assert.equal(startsWithSvgElement('<html><svg>'), false);
    const crafted = '<!---->'.repeat(200000) + 'x';
    const t0 = Date.now();
    assert.equal(startsWithSvgElement(crafted), false);
    assert.ok(Date.now() - t0 < 2000, 'must not backtrack');
  });

  it('makes the chart name safe for a file name', () => {
    assert.equal(sanitizeChartName('../../etc/passwd'), 'etc-passwd');
    assert.equal(sanitizeChartName('Scatter Plot'), 'scatter-plot');
    assert.equal(sanitizeChartName('a'.repeat(100)).length, 40);
    assert.equal(sanitizeChartName('::'), '');
    const r = validateWebviewMessage({ type: 'export', format: 'png', chart: 'C:\\Windows\\x', data: pngDataUrl });
    assert.ok(r.ok && r.value.type === 'export' && r.value.chart === 'c-windows-x');
  });

  it('validates a posted panel state', () => {
    const state = { fileName: 'faithful.csv', fileUri: 'file:///data/faithful.csv', options: DEFAULT_FIT_OPTIONS, result: result() };
    assert.equal(validateWebviewMessage({ type: 'state', state }).ok, true);
    rejects({ type: 'state', state: { ...state, options: { ...DEFAULT_FIT_OPTIONS, k: 1e9 } } }, /panel state rejected: options: k must be/);
    rejects({ type: 'state', state: { ...state, result: result({ assignments: [0, 5, 1] }) } }, /assignments\[1\] must be a cluster from 0 to 1; got 5/);
    rejects({ type: 'state' }, /panel state rejected: it must be an object/);
  });
});

describe('host validation: restored panel state', () => {
  const good = { fileName: 'faithful.csv', fileUri: 'file:///data/faithful.csv', options: { ...DEFAULT_FIT_OPTIONS } };

  it('accepts a state with or without a result', () => {
    assert.equal(validatePanelState(good).ok, true);
    assert.equal(validatePanelState({ ...good, result: result(), model: 'gaussian', summary: {}, plotSample: { indices: [], values: [], d: 1 } }).ok, true);
    assert.equal(validatePanelState({ ...good, fileUri: 'vscode-vfs://github/owner/repo/faithful.csv' }).ok, true);
  });

  it('restores a panel fitted from mixscope.initParams (init "params" with its start), as posted while open and after a reload', () => {
    // Murphy fig. 11.11's start, read from the settings exactly as the extension reads it.
    const start = { weights: [0.5, 0.5], means: [[-1.5, 1.5], [1.5, -1.5]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] };
    const fromSettings = resolveFitOptions({ standardize: true, initParams: start });
    assert.deepEqual(fromSettings.problems, []);
    const saved = JSON.parse(JSON.stringify({ ...good, options: fromSettings.options, result: result() }));
    const restored = validatePanelState(saved);
    if (!restored.ok) assert.fail(restored.error);
    assert.equal(restored.value.options.init, 'params');
    assert.deepEqual(restored.value.options.initParams, start);
    assert.equal(restored.value.options.standardize, true);
    const posted = validateWebviewMessage({ type: 'state', state: saved });
    assert.ok(posted.ok, JSON.stringify(posted));
  });

  it('rejects init "params" without its parameters, and malformed parameters', () => {
    const noStart = validatePanelState({ ...good, options: { ...good.options, init: 'params' } });
    assert.ok(!noStart.ok && /init is "params" but no initial parameters were given/.test(noStart.error), JSON.stringify(noStart));
    const bad = validatePanelState({ ...good, options: { ...good.options, init: 'params', initParams: { weights: [0.5, 'x'], means: [[0]] } } });
    assert.ok(!bad.ok && /initParams must be \{"weights"/.test(bad.error), JSON.stringify(bad));
  });

  it('rejects each malformed field', () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /must be an object/],
      [{ ...good, fileName: '' }, /fileName must be a non-empty string/],
      [{ ...good, fileName: 7 }, /fileName/],
      [{ ...good, fileUri: 'no scheme here' }, /fileUri must be a URI/],
      [{ ...good, fileUri: 42 }, /fileUri/],
      [{ ...good, options: undefined }, /options: must be an object/],
      [{ ...good, options: { k: 2 } }, /options: missing model, maxIterations/],
      [{ ...good, options: { ...good.options, maxIterations: -5 } }, /maxIterations must be/],
      [{ ...good, options: { ...good.options, model: 'neural' } }, /model must be one of auto, gaussian, bernoulli/],
      [{ ...good, result: 'x' }, /result: must be an object/],
      [{ ...good, result: result({ k: 0 }) }, /k must be a whole number ≥ 1/],
      [{ ...good, result: result({ weights: [1] }) }, /weights must be 2 numbers/],
      [{ ...good, result: result({ means: [[0], [1, 2]] }) }, /means must be 2 rows of 1 numbers/],
      [{ ...good, result: result({ assignments: [0, 1] }) }, /assignments must hold 3 entries/],
      [{ ...good, result: result({ assignments: [0, 1, -1] }) }, /assignments\[2\]/],
      [{ ...good, result: result({ columns: [1] as unknown as string[] }) }, /columns must be a list of strings/],
      [{ ...good, model: 'neural' }, /model must be one of gaussian, bernoulli, poisson, categorical, mixed; got "neural"/],
      [{ ...good, summary: 'x' }, /summary must be an object/],
      [{ ...good, plotAssignments: 'x' }, /plotAssignments must be an array/],
    ];
    for (const [raw, pattern] of cases) {
      const r = validatePanelState(raw);
      assert.equal(r.ok, false, `accepted ${JSON.stringify(raw)}`);
      if (!r.ok) assert.match(r.error, pattern);
    }
  });
});

describe('host validation: worker messages', () => {
  const summary = { fileName: 'f.csv', n: 3, d: 1, columns: ['x'], droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [] };
  const snapshot = { model: 'gaussian', iteration: 0, weights: [1], means: [[0]], covariances: [[[1]]] };

  it('accepts each well-formed message of the run', () => {
    assert.equal(validateWorkerMessage({ type: 'loaded', runId: 7, summary, model: 'gaussian', modelReason: 'r' }, 7).ok, true);
    assert.equal(validateWorkerMessage({ type: 'progress', runId: 7, restart: 0, iteration: 3, objective: -1, logLikelihood: -1, snapshot }, 7).ok, true);
    assert.equal(validateWorkerMessage({ type: 'done', runId: 7, result: result() }, 7).ok, true);
    assert.deepEqual(validateWorkerMessage({ type: 'error', runId: 7, kind: 'data', message: 'm' }, 7), { ok: true, value: { type: 'error', runId: 7, kind: 'data', message: 'm' } });
  });

  it('rejects each malformed message', () => {
    const cases: [unknown, RegExp][] = [
      ['text', /not an object/],
      [{ type: 'done', runId: 8, result: result() }, /for run 8 while running 7/],
      [{ type: 'hello', runId: 7 }, /unknown message type "hello"/],
      [{ type: 'loaded', runId: 7, model: 'gaussian', modelReason: 'r' }, /without a valid dataset summary/],
      [{ type: 'loaded', runId: 7, summary, model: 'other', modelReason: 'r' }, /unknown model "other"/],
      [{ type: 'loaded', runId: 7, summary, model: 'gaussian' }, /without the reason/],
      [{ type: 'loaded', runId: 7, summary, model: 'gaussian', modelReason: 'r', plotSample: { values: [] } }, /malformed plot sample/],
      [{ type: 'progress', runId: 7, restart: 0, iteration: -1, objective: 0, logLikelihood: 0, snapshot }, /iteration -1/],
      [{ type: 'progress', runId: 7, restart: 0.5, iteration: 1, objective: 0, logLikelihood: 0, snapshot }, /restart 0.5/],
      [{ type: 'progress', runId: 7, restart: 0, iteration: 1, objective: '0', logLikelihood: 0, snapshot }, /without its log-likelihood/],
      [{ type: 'progress', runId: 7, restart: 0, iteration: 1, objective: 0, logLikelihood: 0 }, /without a parameter snapshot/],
      [{ type: 'done', runId: 7, result: { ...result(), n: 'many' } }, /malformed result: n must be/],
      [{ type: 'done', runId: 7, result: result(), plotAssignments: {} }, /malformed plot assignments/],
      [{ type: 'error', runId: 7, kind: 'data' }, /without a message/],
    ];
    for (const [raw, pattern] of cases) {
      const r = validateWorkerMessage(raw, 7);
      assert.equal(r.ok, false, `accepted ${JSON.stringify(raw)}`);
      if (!r.ok) assert.match(r.error, pattern);
    }
  });

  it('an error of unknown kind is treated as internal', () => {
    const r = validateWorkerMessage({ type: 'error', runId: 1, kind: 'weird', message: 'm' }, 1);
    assert.ok(r.ok && r.value.type === 'error' && r.value.kind === 'internal');
  });
});

describe('host validation: settings', () => {
  it('no settings → the defaults, no problems', () => {
    const { options, problems } = resolveFitOptions({});
    assert.deepEqual(options, DEFAULT_FIT_OPTIONS);
    assert.deepEqual(problems, []);
  });

  it('mixscope.initParams: explicit starting parameters switch init to params; a malformed value is reported and ignored', () => {
    const start = { weights: [0.5, 0.5], means: [[-1.5, 1.5], [1.5, -1.5]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] };
    const good = resolveFitOptions({ init: 'kmeans++', initParams: start });
    assert.deepEqual(good.problems, []);
    assert.equal(good.options.init, 'params');
    assert.deepEqual(good.options.initParams, start);
    const bad = resolveFitOptions({ initParams: { weights: [0.5, 'x'], means: [[0]] } });
    assert.equal(bad.options.init, DEFAULT_FIT_OPTIONS.init);
    assert.equal(bad.options.initParams, undefined);
    assert.equal(bad.problems.length, 1);
    assert.match(bad.problems[0].message, /mixscope\.initParams must be \{"weights"/);
    assert.deepEqual(resolveFitOptions({ initParams: null }).options, DEFAULT_FIT_OPTIONS);
  });

  it('valid settings are taken as they are', () => {
    const raw = {
      model: 'bernoulli', k: 10, maxIterations: 30, tolerance: 1e-6, seed: 7, init: 'random-data', restarts: 3,
      covarianceType: 'diag', regularization: 0, standardize: true, columns: [' eruptions ', 'waiting'], emVariant: 'hard',
      threshold: 0, betaPrior: [1, 1], imageWidth: 28, maxPlotPoints: 100, threads: 2, kRange: '2,4,8', covarianceModels: 'EEE, VVV', criterion: 'icl', weightPrior: 'dirichlet-distribution', labelColumn: 'Species', weightsColumn: 'freq', missing: 'skip', sheet: 'iris', categorical: ['q1'], categoryLimit: 12, countColumns: ['visits'],
    };
    const { options, problems } = resolveFitOptions(raw);
    assert.deepEqual(problems, []);
    assert.deepEqual(options, { ...raw, columns: ['eruptions', 'waiting'] });
  });

  it('clamps numbers out of range and says so', () => {
    const { options, problems } = resolveFitOptions({ k: 5000, maxIterations: -1, restarts: 1000, regularization: -1, maxPlotPoints: 10, threads: 99, imageWidth: -3 });
    assert.equal(options.k, 1000);
    assert.equal(options.maxIterations, 0);
    assert.equal(options.restarts, 100);
    assert.equal(options.regularization, 0);
    assert.equal(options.maxPlotPoints, 100);
    assert.equal(options.threads, 64);
    assert.equal(options.imageWidth, 0);
    assert.equal(problems.length, 7);
    assert.equal(describeProblem(problems[0]), 'mixscope.k must be "auto" or a whole number from 1 to 1000; got 5000, so 1000 is used.');
  });

  it('rounds a fractional whole-number setting', () => {
    const { options, problems } = resolveFitOptions({ k: 2.6 });
    assert.equal(options.k, 3);
    assert.match(describeProblem(problems[0]), /got 2.6, so 3 is used/);
  });

  it('falls back to the default for a wrong type, an unknown choice or a value outside an open range', () => {
    const { options, problems } = resolveFitOptions({
      k: 'three', tolerance: -1, threshold: 1, model: 'neural', init: 'params', covarianceType: 'FULL', emVariant: 7,
      standardize: 'yes', columns: [1, 2], betaPrior: [0.5, 2], seed: -1,
    });
    assert.equal(options.k, DEFAULT_FIT_OPTIONS.k);
    assert.equal(options.tolerance, 0);
    assert.equal(options.threshold, DEFAULT_FIT_OPTIONS.threshold);
    assert.equal(options.model, 'auto');
    assert.equal(options.init, 'kmeans++');
    assert.equal(options.covarianceType, 'full');
    assert.equal(options.emVariant, 'soft');
    assert.equal(options.standardize, false);
    assert.deepEqual(options.columns, []);
    assert.deepEqual(options.betaPrior, [2, 2]);
    assert.equal(options.seed, 0);
    const text = problems.map(describeProblem).join('\n');
    assert.match(text, /mixscope\.k must be "auto" or a whole number .*; got "three", so the default auto is used/);
    assert.match(text, /mixscope\.tolerance must be a number at least 0; got -1, so 0 is used/);
    assert.match(text, /mixscope\.threshold .* less than 1; got 1, so 0\.5 is used/);
    assert.match(text, /mixscope\.model must be one of auto, gaussian, bernoulli, poisson, categorical, mixed; got "neural"/);
    assert.match(text, /mixscope\.betaPrior must be two numbers ≥ 1/);
    assert.match(text, /mixscope\.columns must be a list of column names; got \[1,2\], so every numeric column is used/);
    assert.equal(problems.length, 11);
  });

  it('strict options (restored state) reject instead of correcting', () => {
    assert.equal(validateFitOptionsStrict({ ...DEFAULT_FIT_OPTIONS }).ok, true);
    const r = validateFitOptionsStrict({ ...DEFAULT_FIT_OPTIONS, k: 1e9 });
    assert.ok(!r.ok && /k must be "auto" or a whole number from 1 to 1000, got 1000000000\./.test(r.error), JSON.stringify(r));
    assert.equal(validateFitOptionsStrict([]).ok, false);
  });
});

describe('host validation: file size budget', () => {
  it('lets a file up to the limit through', () => {
    assert.equal(checkFileSize('a.csv', 1024 * 1024, 1), undefined);
    assert.equal(checkFileSize('a.csv', 0, 1), undefined);
  });
  it('refuses a larger file with its size and the limit', () => {
    const message = checkFileSize('big.csv', 2 * 1024 * 1024 * 1024, 1024);
    assert.equal(message, 'big.csv is 2.0 GB, larger than the limit of 1024 MB (setting mixscope.maxFileSizeMB). Raise the limit to fit it, or fit a smaller sample of the file.');
    assert.equal(checkFileSize('big.parquet', 2 * 1024 * 1024 * 1024, 1024), 'big.parquet is 2.0 GB, larger than the limit of 1024 MB (setting mixscope.maxFileSizeMB). Raise the limit to fit it, or fit a smaller sample of the file.');
    assert.match(checkFileSize('a.csv', 1024 * 1024 + 1, 1)!, /a\.csv is 1\.0 MB, larger than the limit of 1 MB/);
  });
});

describe('K typed in "…with options"', () => {
  it('a number fixes K; auto, a range or a list compare several', () => {
    assert.deepEqual(parseKAnswer(' 3 ', '1-9'), { ok: true, value: { k: 3, kRange: '1-9' } });
    assert.deepEqual(parseKAnswer('auto', '2-5'), { ok: true, value: { k: 'auto', kRange: '2-5' } });
    assert.deepEqual(parseKAnswer('2-4', '1-9'), { ok: true, value: { k: 'auto', kRange: '2-4' } });
    assert.deepEqual(parseKAnswer('2,3,5', '1-9'), { ok: true, value: { k: 'auto', kRange: '2,3,5' } });
  });

  it('anything else is refused with what is expected', () => {
    for (const bad of ['0', '5000', 'two', '4-2', '']) {
      const checked = parseKAnswer(bad, '1-9');
      assert.equal(checked.ok, false, bad);
      if (!checked.ok) assert.match(checked.error, /K must be|must be/, bad);
    }
  });
});

describe('host validation: a finished fit of every family passes as the engine makes it', function () {
  this.timeout(60_000);
  const fixtureBytes = (name: string) => new Uint8Array(readFileSync(path.join(__dirname, '../../fixtures', name)));
  const cases: [string, string, Partial<FitOptions>][] = [
    ['gaussian', 'faithful.csv', { k: 2 }],
    ['poisson', 'counts.csv', { model: 'poisson', k: 2 }],
    ['categorical', 'survey.csv', { k: 3 }],
    ['mixed', 'mixed.csv', { k: 2 }],
  ];
  for (const [family, file, options] of cases) {
    it(`${family} (${file})`, () => {
      const { result } = fitDataset(loadDataset(file, fixtureBytes(file)), options);
      assert.equal(result.model, family);
      const checked = validateWorkerMessage({ type: 'done', runId: 3, result }, 3);
      assert.ok(checked.ok, checked.ok ? '' : checked.error);
    });
  }
  it('a categorical result whose probabilities do not cover every category is refused', () => {
    const { result } = fitDataset(loadDataset('survey.csv', fixtureBytes('survey.csv')), { k: 2 });
    const broken = { ...result, means: result.means.map((m) => m.slice(1)) };
    const checked = validateWorkerMessage({ type: 'done', runId: 3, result: broken }, 3);
    assert.ok(!checked.ok && /means must be 2 rows of 15 numbers/.test(checked.error), checked.ok ? 'accepted' : checked.error);
  });
});
