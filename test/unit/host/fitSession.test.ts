// FitSession: one stream of fit events per run, the worker's own messages forwarded unchanged, the newest state kept
// for a view that (re)loads, and stop at once. Against the fixture worker (test/fixtures/host/fake-worker.js).

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { FitSession, type FitEvent } from '../../../src/host/fitSession';
import { DEFAULT_FIT_OPTIONS, type FitOptions } from '../../../src/shared/protocol';

const root = path.resolve(__dirname, '..', '..', '..');
const fake = { workerPath: path.join(root, 'test', 'fixtures', 'host', 'fake-worker.js') };
const options = (o: Partial<FitOptions> = {}): FitOptions => ({ ...DEFAULT_FIT_OPTIONS, ...o });
const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('host FitSession: out of core (dist/worker.js)', () => {
  it('forwards the parse and pass progress between the usual events; a view opening later catches up without them once done', async function () {
    this.timeout(60000);
    const session = new FitSession('file:///d/faithful.csv', 'faithful.csv', options({ model: 'gaussian', k: 2, maxIterations: 5 }));
    const events: FitEvent[] = [];
    session.subscribe((e) => events.push(e));
    const real = { workerPath: path.join(root, 'dist', 'worker.js') };
    const outcome = await session.start(real, { outOfCore: { filePath: path.join(root, 'test', 'fixtures', 'faithful.csv'), memoryBudgetMB: 1 } });
    assert.equal(outcome.status, 'done', JSON.stringify(outcome).slice(0, 300));
    const types = events.map((e) => (e.type === 'streamProgress' ? `stream:${e.phase}` : e.type));
    const loaded = types.indexOf('loaded');
    // The parse, then the passes that gather the start and plot rows, before the data are announced.
    assert.ok(loaded > 0 && types[0] === 'stream:parse' && types.slice(0, loaded).every((t) => t.startsWith('stream:')), types.join(' '));
    assert.ok(types.slice(loaded + 1).includes('stream:pass') && !types.slice(loaded + 1).includes('stream:parse'), types.join(' '));
    assert.equal(types[types.length - 1], 'done');
    assert.deepEqual(session.catchUp().map((e) => e.type), ['fitStarted', 'loaded', 'progress', 'done']);
  });
});

describe('host FitSession (fixture worker)', () => {
  it('emits loaded, each progress, then done — the same objects to every subscriber — and keeps only the newest', async () => {
    const session = new FitSession('file:///d/ok-a.csv', 'ok-a.csv', options({ maxIterations: 4 }));
    const first: FitEvent[] = [];
    const second: FitEvent[] = [];
    session.subscribe((e) => first.push(e));
    session.subscribe((e) => second.push(e));
    const outcome = await session.start(fake, { bytes: bytesOf('abc') });
    assert.equal(outcome.status, 'done');
    assert.deepEqual(first.map((e) => e.type), ['loaded', 'progress', 'progress', 'progress', 'progress', 'progress', 'done']);
    first.forEach((e, i) => assert.equal(e, second[i], `event ${i} is the same object for both views`));
    assert.ok(first.every((e) => e.runId === session.runId));
    assert.equal(session.running, false);
    // A view that opens now catches up with four events, not the whole history.
    const catchUp = session.catchUp();
    assert.deepEqual(catchUp.map((e) => e.type), ['fitStarted', 'loaded', 'progress', 'done']);
    assert.equal(catchUp[2], first[5], 'the newest progress');
    assert.equal(catchUp[3], first[6]);
    const started = catchUp[0];
    if (started.type !== 'fitStarted') assert.fail(started.type);
    assert.equal(started.fileUri, 'file:///d/ok-a.csv');
    assert.equal(started.options.maxIterations, 4);
  });

  it('stop ends a busy worker at once with `cancelled`, and later events never come', async () => {
    const session = new FitSession('file:///d/busy-b.csv', 'busy-b.csv', options());
    const events: string[] = [];
    session.subscribe((e) => events.push(e.type));
    const ended = session.start(fake, { bytes: bytesOf('abc') });
    while (!events.includes('loaded')) await new Promise((r) => setTimeout(r, 5));
    session.stop('user');
    assert.deepEqual(events, ['loaded', 'cancelled'], 'cancelled is emitted synchronously by stop');
    assert.equal((await ended).status, 'cancelled');
    assert.equal(session.stopped, 'user');
    session.stop('user');
    assert.deepEqual(events, ['loaded', 'cancelled'], 'a second stop emits nothing');
  });

  it('a run stopped before its worker started ends cancelled, and start then runs nothing', async () => {
    const session = new FitSession('file:///d/ok-c.csv', 'ok-c.csv', options());
    const events: string[] = [];
    session.subscribe((e) => events.push(e.type));
    session.stop('superseded');
    assert.equal((await session.start(fake, { bytes: bytesOf('abc') })).status, 'cancelled');
    assert.deepEqual(events, ['cancelled']);
  });

  it('a read failure ends the run with the message, once', async () => {
    const session = new FitSession('file:///d/gone.csv', 'gone.csv', options());
    const events: FitEvent[] = [];
    session.subscribe((e) => events.push(e));
    session.fail('gone.csv was not found (was it moved or deleted?).');
    session.stop('user');
    assert.equal(events.length, 1);
    const [event] = events;
    if (event.type !== 'error') assert.fail(event.type);
    assert.match(event.message, /gone\.csv was not found/);
    const outcome = await session.ended;
    assert.equal(outcome.status, 'error');
  });

  it('an engine error reaches subscribers as one `error` event naming the file', async () => {
    const session = new FitSession('file:///d/error-e.csv', 'error-e.csv', options());
    const events: FitEvent[] = [];
    session.subscribe((e) => events.push(e));
    const outcome = await session.start(fake, { bytes: bytesOf('abc') });
    assert.equal(outcome.status, 'error');
    const last = events[events.length - 1];
    if (last.type !== 'error') assert.fail(last.type);
    assert.equal(last.runId, session.runId);
    assert.ok(last.message.length > 0);
  });

  it('a throwing subscriber does not stop the run nor the other subscribers', async () => {
    const session = new FitSession('file:///d/ok-f.csv', 'ok-f.csv', options({ maxIterations: 2 }));
    const seen: string[] = [];
    session.subscribe(() => {
      throw new Error('a broken view');
    });
    session.subscribe((e) => seen.push(e.type));
    assert.equal((await session.start(fake, { bytes: bytesOf('abc') })).status, 'done');
    assert.equal(seen[seen.length - 1], 'done');
  });
});
