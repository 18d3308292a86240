// The per-iteration snapshots an out-of-core fit keeps stay within a byte cap (from the memory budget): beyond it
// they are thinned evenly, the first and the last kept and a note saying so, while the trace keeps every iteration
// and the fit is the in-memory one.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { fitDataset } from '../../../src/engine/fit';
import { SnapshotKeeper, snapshotBytes } from '../../../src/engine/em/streamedEm';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import type { FitOptions, FitResult, GaussianSnapshot, PoissonSnapshot } from '../../../src/shared/protocol';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

function inMemory(file: string, options: Partial<FitOptions>): FitResult {
  return fitDataset(loadDataset(path.basename(file), fs.readFileSync(file), { missing: 'skip' }), options).result;
}

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

describe('SnapshotKeeper', () => {
  const snapshot = (iteration: number) => ({ iteration, values: [iteration, 0, 0] });
  const bytes = snapshotBytes(snapshot(0));

  it('counts 8 bytes per number of a snapshot', () => {
    assert.equal(bytes, 4 * 8);
    assert.equal(snapshotBytes({ a: new Float64Array(5), b: [[1, 2], [3]], c: 'x' }), 5 * 8 + 3 * 8 + 8);
  });

  it('keeps every snapshot within the cap, and says nothing', () => {
    const keeper = new SnapshotKeeper<ReturnType<typeof snapshot>>(10 * bytes);
    for (let t = 0; t < 10; t++) keeper.add(snapshot(t));
    assert.deepEqual(keeper.snapshots().map((s) => s.iteration), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(keeper.note(), undefined);
  });

  it('beyond the cap keeps evenly spaced snapshots from the first, and the last', () => {
    for (const [count, cap] of [
      [100, 10],
      [37, 5],
      [11, 2],
      [1000, 33],
    ]) {
      const keeper = new SnapshotKeeper<ReturnType<typeof snapshot>>(cap * bytes);
      for (let t = 0; t < count; t++) keeper.add(snapshot(t));
      const kept = keeper.snapshots().map((s) => s.iteration);
      assert.ok(kept.length <= cap, `${kept.length} kept of a cap of ${cap}`);
      assert.equal(kept[0], 0);
      assert.equal(kept[kept.length - 1], count - 1);
      // Evenly spaced, the last gap (to the last iteration) shorter than two strides.
      const stride = kept[1] - kept[0];
      for (let i = 1; i < kept.length - 1; i++) assert.equal(kept[i] - kept[i - 1], stride, `even spacing in ${kept.join(',')}`);
      const lastGap = kept[kept.length - 1] - kept[kept.length - 2];
      assert.ok(lastGap >= 1 && lastGap < 2 * stride, `last gap ${lastGap} in ${kept.join(',')}`);
      // Thinned no more than needed: every (stride / 2)-th iteration would not have fitted.
      assert.ok(Math.floor((count - 1) / (stride / 2)) + 1 > cap, `stride ${stride} for ${count} in ${cap}`);
      assert.match(keeper.note()!, new RegExp(`^the parameters of ${kept.length} of the ${count} iterations are kept for the panel \\(evenly spaced, the first and the last\\)`));
    }
  });
});

describe('out-of-core fits keep their snapshots within the cap', () => {
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-snapshots-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('a Gaussian fit: a small cap thins the snapshots, the last equals the result, the trace is whole and the in-memory one', async () => {
    const file = path.join(FIXTURES, 'iris.csv');
    const options: Partial<FitOptions> = { model: 'gaussian', k: 3, covarianceType: 'full', seed: 2, tolerance: 1e-12, maxIterations: 200 };
    const expected = inMemory(file, options);
    assert.ok(expected.snapshots.length > 12, `${expected.snapshots.length} iterations in memory`);
    const perSnapshot = snapshotBytes(expected.snapshots[0]);
    const actual = (await fitOutOfCore(file, options, 1, {}, { chunkRows: 17, tempParent: temp, snapshotBytes: 6 * perSnapshot })).result;
    assert.equal(actual.trace.length, expected.trace.length);
    actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
    const snapshots = actual.snapshots as GaussianSnapshot[];
    assert.ok(snapshots.length <= 6 && snapshots.length >= 3, `${snapshots.length} snapshots kept`);
    assert.equal(snapshots[0].iteration, 0);
    const last = snapshots[snapshots.length - 1];
    assert.equal(last.iteration, actual.iterations);
    // Each kept snapshot is the in-memory one of its iteration.
    for (const s of snapshots) {
      const same = expected.snapshots[s.iteration] as GaussianSnapshot;
      s.means.forEach((m, j) => m.forEach((v, c) => assertClose(v, same.means[j][c], `iteration ${s.iteration} mean ${j},${c}`)));
    }
    last.weights.forEach((w, j) => assert.equal(w, actual.weights[j]));
    assert.deepEqual(last.means, actual.means);
    assert.deepEqual(last.covariances, actual.covariances);
    assert.ok(actual.notes!.some((n) => n.startsWith(`the parameters of ${snapshots.length} of the ${actual.trace.length} iterations are kept for the panel`)), actual.notes!.join('\n'));
  });

  it('without a cap given, every snapshot within an eighth of the budget is kept', async () => {
    const file = path.join(FIXTURES, 'iris.csv');
    const options: Partial<FitOptions> = { model: 'gaussian', k: 3, covarianceType: 'full', seed: 2 };
    const expected = inMemory(file, options);
    const actual = (await fitOutOfCore(file, options, 1, {}, { chunkRows: 17, tempParent: temp })).result;
    assert.equal(actual.snapshots.length, expected.snapshots.length);
    assert.ok(!actual.notes!.some((n) => / iterations are kept for the panel/.test(n)));
  });

  it('a Poisson fit with restarts: the best restart keeps its last snapshot and the note', async () => {
    const file = path.join(FIXTURES, 'counts.csv');
    const options: Partial<FitOptions> = { model: 'poisson', k: 3, seed: 4, restarts: 2, tolerance: 1e-14, maxIterations: 300 };
    const expected = inMemory(file, options);
    const perSnapshot = snapshotBytes(expected.snapshots[0]);
    const actual = (await fitOutOfCore(file, options, 1, {}, { chunkRows: 23, tempParent: temp, snapshotBytes: 8 * perSnapshot })).result;
    assert.equal(actual.trace.length, expected.trace.length);
    actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `trace[${i}]`));
    const snapshots = actual.snapshots as PoissonSnapshot[];
    // Two runs are held at once (the best and the current), each within half the cap.
    assert.ok(snapshots.length <= 4, `${snapshots.length} snapshots kept`);
    const last = snapshots[snapshots.length - 1];
    assert.equal(last.iteration, actual.iterations);
    assert.deepEqual(last.weights, actual.weights);
    assert.ok(actual.notes!.some((n) => / iterations are kept for the panel/.test(n)));
  });
});
