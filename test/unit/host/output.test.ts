// The output channel's and the progress notification's text, from a run's events.

import * as assert from 'node:assert/strict';
import { describeEnding, describeOptions, doneLogLines, formatNumber, loadedLogLines, progressReport } from '../../../src/host/output';
import { DEFAULT_FIT_OPTIONS, type FitResult } from '../../../src/shared/protocol';
import type { LoadedMessage, ProgressMessage } from '../../../src/host/workerClient';

describe('host output text', () => {
  it('numbers: three decimals, exponent for the very large and the very small', () => {
    assert.equal(formatNumber(-1130.8942), '-1130.894');
    assert.equal(formatNumber(12345678), '1.2346e+7');
    assert.equal(formatNumber(0.0001234), '1.2340e-4');
    assert.equal(formatNumber(0), '0.000');
    assert.equal(formatNumber(-Infinity), '-Infinity');
  });

  it('settings line names every setting; Bernoulli ones only when the model may be Bernoulli', () => {
    const gaussian = describeOptions({ ...DEFAULT_FIT_OPTIONS, model: 'gaussian', k: 3, columns: ['eruptions', 'waiting'] });
    assert.match(gaussian, /^model = gaussian, k = 3, maxIterations = 100, /);
    assert.match(gaussian, /columns = \["eruptions","waiting"\]/);
    assert.doesNotMatch(gaussian, /threshold/);
    assert.match(describeOptions({ ...DEFAULT_FIT_OPTIONS, model: 'auto' }), /columns = \(every numeric column\).*threshold = 0\.5/);
  });

  it('loaded: shape, columns (at most 12), model and why, skipped rows with their lines, dropped columns, notes', () => {
    const m: LoadedMessage = {
      type: 'loaded', runId: 1, model: 'gaussian', modelReason: 'numeric table',
      summary: { fileName: 'f.csv', n: 270, d: 2, columns: ['eruptions', 'waiting'], droppedColumns: [{ name: 'name', reason: 'text cells' }], skippedRows: 3, skippedLines: [5, 9], notes: ['delimiter: comma'] },
    };
    assert.deepEqual(loadedLogLines('f.csv', m), [
      'f.csv: loaded 270 × 2 (eruptions, waiting); model gaussian: numeric table',
      '  skipped 3 rows (lines 5, 9, …)',
      '  column name left out: text cells',
      '  delimiter: comma',
    ]);
  });

  it('loaded: no second line for skipped rows when the loader\'s note already gives them', () => {
    const m: LoadedMessage = {
      type: 'loaded', runId: 1, model: 'gaussian', modelReason: 'numeric table',
      summary: { fileName: 'f.csv', n: 3, d: 2, columns: ['a', 'b'], droppedColumns: [], skippedRows: 1, skippedLines: [3], notes: ['1 row skipped: text in a numeric column at line 3 (first: "oops" in b)'] },
    };
    assert.deepEqual(loadedLogLines('f.csv', m), ['f.csv: loaded 3 × 2 (a, b); model gaussian: numeric table', '  1 row skipped: text in a numeric column at line 3 (first: "oops" in b)']);
  });

  it('a degenerate fit ends "degenerate", with the reason, never "converged"', () => {
    const r = { model: 'gaussian', k: 2, converged: true, iterations: 9, degenerate: [{ component: 1, reason: 'on 1 distinct point' }] } as FitResult;
    assert.equal(describeEnding(r), 'degenerate after 9 iterations (component 2: on 1 distinct point)');
  });

  it('done: how it ended, time, log-likelihood, BIC, AIC, then the notes', () => {
    const r = { model: 'gaussian', k: 2, converged: false, iterations: 100, logLikelihood: -1130.5, bic: 2316.25, aic: 2283.0, notes: ['2 threads'] } as FitResult;
    assert.equal(describeEnding(r), 'stopped after 100 iterations (not converged)');
    assert.equal(describeEnding({ ...r, converged: true, iterations: 12 }), 'converged after 12 iterations');
    assert.deepEqual(doneLogLines('f.csv', r, 41), [
      'f.csv: gaussian mixture, K = 2, stopped after 100 iterations (not converged) in 41 ms; log-likelihood -1130.500, BIC 2316.250, AIC 2283.000',
      '  2 threads',
    ]);
  });

  it('progress: iteration, restart of restarts, and the fraction of all iterations of all restarts', () => {
    const m = { type: 'progress', runId: 1, restart: 1, iteration: 25, objective: -2, logLikelihood: -2.5 } as ProgressMessage;
    assert.deepEqual(progressReport(m, { ...DEFAULT_FIT_OPTIONS, maxIterations: 50, restarts: 2 }), { message: 'iteration 25 (restart 2/2) · log-likelihood -2.500', percent: 75 });
    assert.equal(progressReport({ ...m, restart: 0 }, { ...DEFAULT_FIT_OPTIONS, maxIterations: 50, restarts: 1 }).message, 'iteration 25 · log-likelihood -2.500');
  });
});
