// PanelStore: the host keeps each panel's last finished result across window reloads, small (snapshots thinned),
// and gives back a full-length scrubber history where each iteration shows the nearest kept snapshot.

import * as assert from 'node:assert/strict';
import { MAX_STORED_PANELS, MAX_STORED_SNAPSHOT_NUMBERS, PanelStore, fromStored, thinnedIndices, toStored, type StateMemento } from '../../../src/host/panelStore';
import { DEFAULT_FIT_OPTIONS, type BernoulliSnapshot, type FitResult, type PanelState } from '../../../src/shared/protocol';

class MapMemento implements StateMemento {
  readonly map = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    // Stored as JSON, as VS Code's workspace state is.
    const v = this.map.get(key);
    return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.map.delete(key);
    else this.map.set(key, value);
  }
}

function bernoulliState(fileUri: string, iterations: number, k = 10, d = 784): PanelState {
  const snapshots: BernoulliSnapshot[] = Array.from({ length: iterations + 1 }, (_, t) => ({
    model: 'bernoulli',
    iteration: t,
    weights: Array(k).fill(1 / k),
    means: Array.from({ length: k }, () => Array(d).fill(t / (iterations + 1))),
    sizes: Array(k).fill(1),
  }));
  const result = {
    model: 'bernoulli', modelReason: 'images', k, n: 2, d, columns: [], converged: true, iterations, logLikelihood: -1,
    trace: snapshots.map((_, t) => -100 + t), weights: snapshots[iterations].weights, means: snapshots[iterations].means,
    assignments: [0, 1], bic: 1, aic: 1, snapshots, restartObjectives: [-1], elapsedMs: 5,
  } as FitResult;
  return { fileName: fileUri.split('/').pop()!, fileUri, options: { ...DEFAULT_FIT_OPTIONS, k }, model: 'bernoulli', result };
}

describe('host PanelStore (workspace state of finished fits)', () => {
  it('thinnedIndices keeps the first and the last and spreads the rest evenly', () => {
    assert.deepEqual(thinnedIndices(5, 10), [0, 1, 2, 3, 4]);
    assert.deepEqual(thinnedIndices(101, 5), [0, 25, 50, 75, 100]);
    assert.deepEqual(thinnedIndices(10, 2), [0, 9]);
  });

  it('an MNIST K = 10 fit of 100 iterations is stored in at most the snapshot budget, and comes back full length', () => {
    const state = bernoulliState('file:///d/train-images-idx3-ubyte', 100);
    const stored = toStored(state);
    const kept = stored.state.result!.snapshots;
    const numbers = kept.reduce((sum, s) => sum + s.weights.length + s.means.length * s.means[0].length + (s as BernoulliSnapshot).sizes.length, 0);
    assert.ok(numbers <= MAX_STORED_SNAPSHOT_NUMBERS, `${numbers} numbers kept`);
    assert.ok(kept.length >= 2 && kept.length < 101, `${kept.length} snapshots kept`);
    assert.equal(kept[0].iteration, 0);
    assert.equal(kept[kept.length - 1].iteration, 100);
    const back = fromStored(JSON.parse(JSON.stringify(stored)));
    const snapshots = back.result!.snapshots;
    assert.equal(snapshots.length, 101, 'one entry per iteration again, as the scrubber indexes them');
    for (let t = 0; t <= 100; t++) assert.ok(snapshots[t].iteration <= t, `iteration ${t} shows ${snapshots[t].iteration}`);
    assert.equal(snapshots[100].iteration, 100, 'the final parameters are exact');
    assert.deepEqual(back.result!.means, state.result!.means, 'the result itself is untouched');
  });

  it('a small fit is stored whole', () => {
    const state = bernoulliState('file:///d/small.csv', 5, 2, 4);
    assert.deepEqual(fromStored(toStored(state)), state);
  });

  it('save/load per file URI; the newest save of a file wins; only the most recent files are kept', async () => {
    const memento = new MapMemento();
    const store = new PanelStore(memento);
    store.save(bernoulliState('file:///d/a.csv', 3, 2, 4));
    store.save({ ...bernoulliState('file:///d/a.csv', 7, 2, 4) });
    assert.equal((store.load('file:///d/a.csv') as PanelState).result!.iterations, 7);
    assert.equal(store.load('file:///d/never-fitted.csv'), undefined);
    for (let i = 0; i < MAX_STORED_PANELS; i++) store.save(bernoulliState(`file:///d/f${i}.csv`, 2, 2, 4));
    assert.equal(store.load('file:///d/a.csv'), undefined, 'the least recently saved file is dropped');
    assert.ok(store.load(`file:///d/f${MAX_STORED_PANELS - 1}.csv`));
    assert.equal([...memento.map.keys()].filter((k) => k.startsWith('mixscope.panel:')).length, MAX_STORED_PANELS);
  });

  it('a damaged entry loads as nothing rather than throwing', async () => {
    const memento = new MapMemento();
    await memento.update('mixscope.panel:file:///d/x.csv', { state: { result: { snapshots: 5 } }, snapshotCount: 9, keptSnapshots: [0, 8] });
    assert.equal(new PanelStore(memento).load('file:///d/x.csv'), undefined);
    await memento.update('mixscope.panel:file:///d/y.csv', 'garbage');
    assert.equal(new PanelStore(memento).load('file:///d/y.csv'), undefined);
  });
});
