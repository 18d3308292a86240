// The host's run history: each finished run summarised from its real result (scores checked against the formula,
// not against the code under test), the last MAX_HISTORY_RUNS kept, parameters bounded, and the history persisted
// with the panel (PanelStore, JSON like VS Code's workspace state) and validated when read back.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import { PanelStore, stateToRestore, type StateMemento } from '../../../src/host/panelStore';
import { MAX_HISTORY_PARAM_NUMBERS, MAX_HISTORY_RUNS, nextRunId, summarizeRun, validHistory, withRun } from '../../../src/host/runHistory';
import { validatePanelState } from '../../../src/host/validation';
import { DEFAULT_FIT_OPTIONS, type FitResult, type PanelState, type RunSummary } from '../../../src/shared/protocol';

class JsonMemento implements StateMemento {
  readonly map = new Map<string, string>();
  get<T>(key: string): T | undefined {
    const v = this.map.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.map.delete(key);
    else this.map.set(key, JSON.stringify(value));
  }
}

function faithfulFit(k: number): FitResult {
  const options = { ...DEFAULT_FIT_OPTIONS, model: 'gaussian' as const, k, covarianceType: 'full' as const, maxIterations: 200, seed: 7 };
  const dataset = loadDataset('faithful.csv', readFileSync('test/fixtures/faithful.csv'), {});
  return fitDataset(dataset, options).result;
}

function run(id: number, k = 2, d = 2, model: RunSummary['model'] = 'gaussian', covariances = true): RunSummary {
  const result = {
    model, k, n: 100, d, columns: Array.from({ length: d }, (_, j) => `c${j}`), converged: true, iterations: 5, logLikelihood: -10 * id,
    bic: 20 * id, aic: 20 * id, weights: Array(k).fill(1 / k), means: Array.from({ length: k }, () => Array(d).fill(0.5)),
    ...(covariances ? { covariances: Array.from({ length: k }, () => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)))) } : {}),
    elapsedMs: 3, snapshots: [],
  } as unknown as FitResult;
  return summarizeRun(result, { standardize: false }, id, 1_700_000_000_000 + id);
}

describe('host run history', () => {
  it('summarises a real fit: K, model, BIC = −2 ln L + p ln n with p = 11 (K = 2, full, d = 2), final parameters', () => {
    const result = faithfulFit(2);
    const summary = summarizeRun(result, DEFAULT_FIT_OPTIONS, 1, 1234);
    const p = 2 - 1 + 2 * 2 + 2 * 3; // weights, means, full covariances
    assert.ok(Math.abs(summary.bic - (-2 * result.logLikelihood + p * Math.log(272))) < 1e-6, `BIC ${summary.bic}`);
    assert.ok(Math.abs(summary.aic - (-2 * result.logLikelihood + 2 * p)) < 1e-6);
    assert.deepEqual([summary.id, summary.finishedAt, summary.model, summary.k, summary.covariance, summary.n, summary.d], [1, 1234, 'gaussian', 2, 'full', 272, 2]);
    assert.deepEqual(summary.params, { weights: result.weights, means: result.means, covariances: result.covariances });
    assert.equal(summary.iterations, result.iterations);
    assert.equal(summary.chosenBy, undefined, 'K was given, not chosen');
    // Nothing of the per-iteration record.
    assert.ok(!('snapshots' in summary) && !('trace' in summary) && !('assignments' in summary));
  });

  it('keeps the last MAX_HISTORY_RUNS runs, oldest first, with ids that are never reused', () => {
    let history: RunSummary[] = [];
    for (let i = 0; i < MAX_HISTORY_RUNS + 3; i++) history = withRun(history, run(nextRunId(history)));
    assert.equal(history.length, MAX_HISTORY_RUNS);
    assert.deepEqual(history.map((r) => r.id), Array.from({ length: MAX_HISTORY_RUNS }, (_, i) => i + 4));
    assert.equal(nextRunId(history), MAX_HISTORY_RUNS + 4);
  });

  it('bounds a run\'s parameters: MNIST-sized means are kept; covariances too large are left out, then means', () => {
    const images = run(1, 10, 784, 'bernoulli', false);
    assert.equal(images.params.means?.length, 10);
    const wide = run(2, 10, 50); // 10 × 50 × 50 covariance numbers
    assert.equal(wide.params.covariances, undefined);
    assert.equal(wide.params.means?.length, 10);
    const huge = run(3, 20, 1000, 'bernoulli', false);
    assert.ok(20 * 1000 > MAX_HISTORY_PARAM_NUMBERS);
    assert.deepEqual(Object.keys(huge.params), ['weights']);
  });

  it('is persisted with the panel and comes back after a reload, damaged runs dropped', () => {
    const memento = new JsonMemento();
    const store = new PanelStore(memento);
    const history = [run(1), run(2, 3), run(3, 4)];
    const state: PanelState = { fileName: 'a.csv', fileUri: 'file:///d/a.csv', options: DEFAULT_FIT_OPTIONS, history };
    store.save(state);
    const restored = stateToRestore({ fileUri: 'file:///d/a.csv' }, store);
    assert.ok(restored.ok);
    assert.deepEqual(restored.value.history, history);
    // Damage one run in the stored JSON: only that run is lost.
    const key = [...memento.map.keys()].find((k) => k.startsWith('mixscope.panel:'))!;
    const stored = JSON.parse(memento.map.get(key)!);
    stored.state.history[1].params.weights = [0.5];
    memento.map.set(key, JSON.stringify(stored));
    const again = stateToRestore({ fileUri: 'file:///d/a.csv' }, store);
    assert.ok(again.ok);
    assert.deepEqual(again.value.history?.map((r) => r.id), [1, 3]);
  });

  it('an applied saved model is kept as such (its model file), and survives the validation of a reload', () => {
    const fit = faithfulFit(2);
    const applied: FitResult = { ...fit, iterations: 0, converged: false, applied: { modelFile: 'm.json', fittedTo: 'other.csv', fittedRows: 100, fittedLogLikelihood: -400 } };
    const summary = summarizeRun(applied, { standardize: false }, 4, 1_700_000_000_000);
    assert.equal(summary.appliedModel, 'm.json');
    assert.equal(summarizeRun(fit, { standardize: false }, 5, 1_700_000_000_000).appliedModel, undefined);
    assert.deepEqual(validHistory([summary]), [summary]);
    assert.deepEqual(validHistory([{ ...summary, appliedModel: 3 }]), []);
    const panel = validatePanelState({ fileName: 'a.csv', fileUri: 'file:///d/a.csv', options: DEFAULT_FIT_OPTIONS, result: applied });
    assert.ok(panel.ok);
    assert.equal(panel.value.result?.applied?.modelFile, 'm.json');
    const damaged = validatePanelState({ fileName: 'a.csv', fileUri: 'file:///d/a.csv', options: DEFAULT_FIT_OPTIONS, result: { ...applied, applied: { modelFile: 7 } } });
    assert.ok(!damaged.ok);
  });

  it('validation drops what is not a run and keeps at most the bound', () => {
    assert.deepEqual(validHistory('garbage'), []);
    assert.deepEqual(validHistory([null, 3, { id: 1 }]), []);
    const many = Array.from({ length: MAX_HISTORY_RUNS + 5 }, (_, i) => run(i + 1));
    assert.deepEqual(validHistory(many).map((r) => r.id), many.slice(-MAX_HISTORY_RUNS).map((r) => r.id));
    assert.deepEqual(validHistory([run(1), run(1)]).length, 1, 'a repeated id is kept once');
    const panel = validatePanelState({ fileName: 'a.csv', fileUri: 'file:///d/a.csv', options: DEFAULT_FIT_OPTIONS, history: [run(1), { ...run(2), model: 'nonsense' }] });
    assert.ok(panel.ok);
    assert.deepEqual(panel.value.history?.map((r) => r.id), [1]);
  });
});
