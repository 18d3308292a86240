// The host's worker client: events in order, cancel that stops a busy worker at once, crashes, exits, out-of-memory
// and malformed messages turned into clear errors, and a fresh worker for the next run every time.
// Mechanics against a fixture worker (test/fixtures/host/fake-worker.js); the real engine against dist/worker.js.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_FIT_OPTIONS, type FitOptions } from '../../src/shared/protocol';
import { requestColumnListing, startFit, type FitOutcome, type ProgressMessage, type WorkerClientOptions } from '../../src/host/workerClient';

const root = path.resolve(__dirname, '..', '..');
const fake: WorkerClientOptions = { workerPath: path.join(root, 'test', 'fixtures', 'host', 'fake-worker.js') };
const realWorkerPath = path.join(root, 'dist', 'worker.js');
const options = (o: Partial<FitOptions> = {}): FitOptions => ({ ...DEFAULT_FIT_OPTIONS, ...o });
const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

function expectError(outcome: FitOutcome, kind: string, pattern: RegExp): void {
  assert.equal(outcome.status, 'error', `expected an error, got ${JSON.stringify(outcome).slice(0, 300)}`);
  if (outcome.status !== 'error') return;
  assert.equal(outcome.kind, kind, outcome.message);
  assert.match(outcome.message, pattern);
}

async function runOk(label: string, maxIterations = 3): Promise<FitOutcome> {
  const run = startFit(fake, { fileName: `ok-${label}.csv`, bytes: bytesOf('1\n2\n'), options: options({ maxIterations }) });
  return run.finished;
}

describe('host worker client (fixture worker)', () => {
  it('reports loaded, one progress per iteration in order, then done', async () => {
    const seen: string[] = [];
    const iterations: number[] = [];
    const run = startFit(fake, { fileName: 'ok-a.csv', bytes: bytesOf('abc'), options: options({ maxIterations: 5 }) }, {
      onLoaded: (m) => seen.push(`loaded:${m.summary.n}`),
      onProgress: (m) => {
        seen.push('progress');
        iterations.push(m.iteration);
      },
    });
    const outcome = await run.finished;
    assert.equal(outcome.status, 'done');
    assert.equal(seen[0], 'loaded:3');
    assert.deepEqual(iterations, [0, 1, 2, 3, 4, 5]);
    if (outcome.status === 'done') assert.equal(outcome.message.result.iterations, 5);
    assert.equal(await run.exited, 1, 'the worker is terminated once the run is done');
  });

  it("transfers a copy: the caller's bytes (maybe a FileSystemProvider's own memory) stay intact, the worker gets them", async () => {
    const bytes = bytesOf('12345');
    const run = startFit(fake, { fileName: 'ok-t.csv', bytes, options: options({ maxIterations: 1 }) });
    assert.equal(bytes.byteLength, 5, 'the caller view is not detached');
    assert.deepEqual(Array.from(bytes), [0x31, 0x32, 0x33, 0x34, 0x35]);
    const outcome = await run.finished;
    assert.equal(outcome.status, 'done');
    if (outcome.status === 'done') assert.deepEqual(outcome.message.result.means, [[0x31 + 0x32 + 0x33 + 0x34 + 0x35]]);
  });

  it('copies a view of a larger buffer instead of detaching the whole pool', async () => {
    const pool = new Uint8Array(64).fill(7);
    const view = pool.subarray(8, 12);
    const run = startFit(fake, { fileName: 'ok-v.csv', bytes: view, options: options({ maxIterations: 1 }) });
    assert.equal(pool.byteLength, 64, 'the larger buffer is untouched');
    const outcome = await run.finished;
    if (outcome.status !== 'done') assert.fail(JSON.stringify(outcome));
    assert.deepEqual(outcome.message.result.means, [[28]]);
  });

  it('a Node Buffer viewing part of a larger ArrayBuffer is copied (Buffer#slice would share and detach it)', async () => {
    const whole = new ArrayBuffer(64);
    new Uint8Array(whole).fill(7);
    const view = Buffer.from(whole, 8, 4);
    const run = startFit(fake, { fileName: 'ok-b.csv', bytes: view, options: options({ maxIterations: 1 }) });
    assert.equal(whole.byteLength, 64, 'the larger buffer is not detached');
    const outcome = await run.finished;
    if (outcome.status !== 'done') assert.fail(JSON.stringify(outcome));
    assert.deepEqual(outcome.message.result.means, [[28]]);
  });

  it('a pooled Node Buffer is copied, not transferred: the pool stays usable', async () => {
    const neighbour = Buffer.from('neighbour'); // small Buffers share one pooled ArrayBuffer
    const bytes = Buffer.from('12345');
    assert.ok(bytes.buffer.byteLength > bytes.length, 'this Buffer is a view of the pool');
    const run = startFit(fake, { fileName: 'ok-p.csv', bytes, options: options({ maxIterations: 1 }) });
    assert.equal(neighbour.toString(), 'neighbour');
    assert.equal(bytes.toString(), '12345');
    const outcome = await run.finished;
    if (outcome.status !== 'done') assert.fail(JSON.stringify(outcome));
    assert.deepEqual(outcome.message.result.means, [[0x31 + 0x32 + 0x33 + 0x34 + 0x35]]);
  });

  it('bytes already transferred (detached) reach the worker as an empty file instead of being dropped', async () => {
    const bytes = bytesOf('abc');
    structuredClone(bytes.buffer, { transfer: [bytes.buffer as ArrayBuffer] });
    assert.equal(bytes.byteLength, 0);
    const run = startFit(fake, { fileName: 'ok-d.csv', bytes, options: options({ maxIterations: 1 }) });
    const timer = setTimeout(() => run.cancel(), 5000);
    const outcome = await run.finished;
    clearTimeout(timer);
    assert.equal(outcome.status, 'done', 'the worker answered (a dropped start message would hang until the 5 s cancel)');
  });

  it('cancel terminates a busy worker within a second', async () => {
    let loaded!: () => void;
    const isLoaded = new Promise<void>((r) => (loaded = r));
    const run = startFit(fake, { fileName: 'busy-x.csv', bytes: bytesOf('1'), options: options() }, { onLoaded: () => loaded() });
    await isLoaded;
    await new Promise((r) => setTimeout(r, 50)); // the worker is now spinning in a loop that never yields
    const t0 = Date.now();
    run.cancel();
    const outcome = await run.finished;
    const code = await run.exited;
    const ms = Date.now() - t0;
    assert.equal(outcome.status, 'cancelled');
    assert.equal(code, 1);
    assert.ok(ms < 1000, `worker exited ${ms} ms after cancel`);
  });

  it('no events are delivered after cancel', async () => {
    let after = 0;
    let cancelled = false;
    const run = startFit(fake, { fileName: 'slow-y.csv', bytes: bytesOf('1'), options: options() }, {
      onProgress: (m: ProgressMessage) => {
        if (cancelled) after++;
        if (m.iteration === 2) {
          cancelled = true;
          run.cancel();
        }
      },
    });
    assert.equal((await run.finished).status, 'cancelled');
    await run.exited;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(after, 0);
  });

  it('a worker that exits with code 3 is reported, and the next run works', async () => {
    const run = startFit(fake, { fileName: 'exit3-a.csv', bytes: bytesOf('1'), options: options() });
    expectError(await run.finished, 'crash', /stopped unexpectedly \(exit code 3\)/);
    assert.equal((await runOk('after-exit')).status, 'done');
  });

  it('a worker that exits with code 0 without a result is reported', async () => {
    const run = startFit(fake, { fileName: 'silent-a.csv', bytes: bytesOf('1'), options: options() });
    expectError(await run.finished, 'crash', /stopped unexpectedly \(exit code 0\)/);
  });

  it('an uncaught exception in the worker is reported, and the next run works', async () => {
    const run = startFit(fake, { fileName: 'throw-a.csv', bytes: bytesOf('1'), options: options() });
    expectError(await run.finished, 'crash', /crashed: fixture worker threw on purpose/);
    assert.equal((await runOk('after-throw')).status, 'done');
  });

  it('an out-of-memory kills the worker, not the host; the next run works', async () => {
    const run = startFit({ ...fake, memoryLimitMb: 48 }, { fileName: 'oom-a.csv', bytes: bytesOf('1'), options: options() });
    expectError(await run.finished, 'memory', /ran out of memory .*48 MB/);
    assert.equal((await runOk('after-oom')).status, 'done');
  });

  it('a malformed message ends the run with a clear error', async () => {
    const run = startFit(fake, { fileName: 'garbage-a.csv', bytes: bytesOf('1'), options: options() });
    expectError(await run.finished, 'crash', /progress message with iteration "seven"/);
  });

  it('a message for another run is not taken as this run\'s result', async () => {
    const run = startFit(fake, { fileName: 'otherrun-a.csv', bytes: bytesOf('1'), options: options() });
    expectError(await run.finished, 'crash', /for run \d+ while running \d+/);
  });

  it('an engine error keeps its kind and message', async () => {
    const run = startFit(fake, { fileName: 'error-a.csv', bytes: bytesOf('1'), options: options() });
    expectError(await run.finished, 'data', /error-a\.csv: line 3: expected a number/);
  });

  it('a missing worker script is an error, not a throw', async () => {
    const run = startFit({ workerPath: path.join(root, 'test', 'fixtures', 'host', 'no-such-worker.js') }, { fileName: 'ok-a.csv', bytes: bytesOf('1'), options: options() });
    const outcome = await run.finished;
    assert.equal(outcome.status, 'error');
  });

  it('a listener that throws ends the run instead of leaving it hanging', async () => {
    const run = startFit(fake, { fileName: 'ok-l.csv', bytes: bytesOf('1'), options: options({ maxIterations: 3 }) }, {
      onProgress: () => {
        throw new Error('listener bug');
      },
    });
    expectError(await run.finished, 'internal', /listener bug/);
  });

  it('ten concurrent fits each get their own result', async () => {
    const runs = Array.from({ length: 10 }, (_, i) =>
      startFit(fake, { fileName: `ok-c${i}.csv`, bytes: new Uint8Array([i, i]), options: options({ maxIterations: 3 + i }) }),
    );
    const outcomes = await Promise.all(runs.map((r) => r.finished));
    outcomes.forEach((o, i) => {
      if (o.status !== 'done') assert.fail(`run ${i}: ${JSON.stringify(o)}`);
      assert.equal(o.message.result.iterations, 3 + i);
      assert.deepEqual(o.message.result.means, [[2 * i]]);
    });
    assert.equal(new Set(runs.map((r) => r.runId)).size, 10);
  });

  it('a column listing that gets no reply times out instead of hanging (a worker that ignores the request)', async () => {
    const result = await requestColumnListing(fake, { fileName: 'ok-i.csv', bytes: bytesOf('xyz'), options: options() }, 300);
    assert.equal(result.status, 'timeout');
  });

  it('a worker that cannot start is reported as a crash naming its path', async () => {
    const result = await requestColumnListing({ workerPath: path.join(root, 'no-such-worker.js') }, { fileName: 'a.csv', bytes: bytesOf('1'), options: options() });
    if (result.status !== 'error') assert.fail(JSON.stringify(result));
    assert.equal(result.kind, 'crash');
    assert.match(result.message, /no-such-worker\.js/);
  });
});

// --------------------------------------------------------------------------------------------- the real engine

/** Two well-separated 2-D blobs, deterministic. */
function blobsCsv(n: number): { text: string; n: number } {
  const lines = ['x,y'];
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  for (let i = 0; i < n; i++) {
    const c = i % 2 === 0 ? [-3, 0] : [3, 1];
    lines.push(`${(c[0] + gauss()).toFixed(5)},${(c[1] + 0.5 * gauss()).toFixed(5)}`);
  }
  return { text: lines.join('\n') + '\n', n };
}

describe('host worker client (real engine, dist/worker.js)', function () {
  before(function () {
    if (!fs.existsSync(realWorkerPath)) {
      // Built by `npm run build` (the pretest step); without it these cases cannot run.
      this.skip();
    }
  });
  const real = (): WorkerClientOptions => ({ workerPath: realWorkerPath });

  it('start → loaded → progress per iteration → done, with a non-decreasing log-likelihood', async () => {
    const { text, n } = blobsCsv(400);
    const progress: ProgressMessage[] = [];
    let loadedN = -1;
    const run = startFit(real(), { fileName: 'blobs.csv', bytes: bytesOf(text), options: options({ k: 2, maxIterations: 200, seed: 1 }) }, {
      onLoaded: (m) => (loadedN = m.summary.n),
      onProgress: (m) => progress.push(m),
    });
    const outcome = await run.finished;
    if (outcome.status !== 'done') assert.fail(JSON.stringify(outcome));
    const r = outcome.message.result;
    assert.equal(loadedN, n);
    assert.equal(r.n, n);
    assert.equal(r.d, 2);
    assert.deepEqual(r.columns, ['x', 'y']);
    assert.ok(progress.length >= 2, 'at least the start and one iteration');
    assert.deepEqual(progress.map((p) => p.iteration), progress.map((_, i) => i));
    for (let i = 1; i < r.trace.length; i++) assert.ok(r.trace[i] >= r.trace[i - 1] - 1e-9, `trace decreased at ${i}`);
    const xs = r.means.map((m) => m[0]).sort((a, b) => a - b);
    assert.ok(Math.abs(xs[0] + 3) < 0.3 && Math.abs(xs[1] - 3) < 0.3, `means ${JSON.stringify(r.means)}`);
  });

  it('cancel during a long fit stops the worker within a second', async () => {
    const { text } = blobsCsv(20000);
    let first!: () => void;
    const progressed = new Promise<void>((r) => (first = r));
    const run = startFit(real(), { fileName: 'long.csv', bytes: bytesOf(text), options: options({ k: 8, maxIterations: 100000, tolerance: 1e-300, init: 'random' }) }, {
      onProgress: () => first(),
    });
    await progressed;
    const t0 = Date.now();
    run.cancel();
    assert.equal((await run.finished).status, 'cancelled');
    await run.exited;
    assert.ok(Date.now() - t0 < 1000, `exited ${Date.now() - t0} ms after cancel`);
  });

  it('bad data comes back as a data error naming the file; the next run works', async () => {
    const run = startFit(real(), { fileName: 'words.csv', bytes: bytesOf('a,b\nfoo,bar\nbaz,qux\n'), options: options() });
    const outcome = await run.finished;
    assert.equal(outcome.status, 'error');
    if (outcome.status === 'error') {
      assert.equal(outcome.kind, 'data');
      assert.match(outcome.message, /words\.csv/);
    }
    const again = startFit(real(), { fileName: 'blobs.csv', bytes: bytesOf(blobsCsv(100).text), options: options() });
    assert.equal((await again.finished).status, 'done');
  });

  it('ten concurrent fits on different files all finish with their own shape', async () => {
    const runs = Array.from({ length: 10 }, (_, i) => {
      const { text } = blobsCsv(100 + 10 * i);
      return startFit(real(), { fileName: `f${i}.csv`, bytes: bytesOf(text), options: options({ k: 2, seed: i }) });
    });
    const outcomes = await Promise.all(runs.map((r) => r.finished));
    outcomes.forEach((o, i) => {
      if (o.status !== 'done') assert.fail(`fit ${i}: ${JSON.stringify(o)}`);
      assert.equal(o.message.result.n, 100 + 10 * i);
    });
  });

  it('the inspect request lists the numeric columns and the dropped ones, and fits nothing', async () => {
    const text = 'id,name,width,height\n' + Array.from({ length: 50 }, (_, i) => `${i + 1},n${i},${(i % 7) + 0.5},${((i * 3) % 11) + 0.25}`).join('\n') + '\n';
    const result = await requestColumnListing(real(), { fileName: 'mixed.csv', bytes: bytesOf(text), options: options() });
    if (result.status !== 'listed') assert.fail(JSON.stringify(result));
    const listing = result.listing;
    assert.deepEqual(listing.columns, ['width', 'height'], JSON.stringify(listing));
    assert.ok(listing.droppedColumns.some((c) => c.name === 'name'), JSON.stringify(listing.droppedColumns));
  });

  it('the inspect request answers even when K is larger than the rows read (nothing is fitted)', async () => {
    const result = await requestColumnListing(real(), { fileName: 'two.csv', bytes: bytesOf('a,b\n1,2\n3,4\n'), options: options({ k: 50 }) });
    if (result.status !== 'listed') assert.fail(JSON.stringify(result));
    assert.deepEqual(result.listing.columns, ['a', 'b']);
  });

  it('the inspect request answers a file that is not data with the loader\'s message naming the file', async () => {
    const result = await requestColumnListing(real(), { fileName: 'words.csv', bytes: bytesOf('a,b\nx,y\nz,w\n'), options: options() });
    if (result.status !== 'error') assert.fail(JSON.stringify(result));
    assert.equal(result.kind, 'data');
    assert.match(result.message, /words\.csv/);
  });
});
