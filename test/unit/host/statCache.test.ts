// The code lenses' stat cache: answers kept for a while, unknown files statted together once the requests pause,
// cancelled requests dropped before any stat. The clock and the timer are driven by hand.

import { strict as assert } from 'node:assert';
import { StatCache } from '../../../src/host/statCache';

function harness(existing: string[], options: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 0;
  let timer: (() => void) | undefined;
  const statted: string[] = [];
  const cache = new StatCache({
    stat: async (key) => {
      statted.push(key);
      if (key === 'throws') throw new Error('permission denied');
      return existing.includes(key);
    },
    ttlMs: options.ttlMs ?? 1000,
    debounceMs: 100,
    maxEntries: options.maxEntries ?? 100,
    concurrency: 2,
    now: () => now,
    schedule: (run) => {
      timer = run;
      return () => {
        timer = undefined;
      };
    },
  });
  return {
    cache,
    statted,
    advance: (ms: number) => (now += ms),
    /** The quiet time has passed: the pending timer runs (a no-op when none is pending). */
    fire: async () => {
      const run = timer;
      timer = undefined;
      run?.();
      await new Promise((r) => setImmediate(r));
    },
    pending: () => timer !== undefined,
  };
}

describe('code lenses: the stat cache', () => {
  it('stats nothing until the requests pause, then each unknown file once, however many requests asked', async () => {
    const h = harness(['a.csv']);
    const first = h.cache.existing(['a.csv', 'b.csv']);
    const second = h.cache.existing(['a.csv']);
    assert.deepEqual(h.statted, [], 'no stat before the quiet time');
    await h.fire();
    assert.deepEqual(h.statted.sort(), ['a.csv', 'b.csv']);
    assert.deepEqual([...(await first)], [['a.csv', true], ['b.csv', false]]);
    assert.deepEqual([...(await second)], [['a.csv', true]]);
  });

  it('answers known files at once, without a timer, until the answer is too old', async () => {
    const h = harness(['a.csv']);
    const asked = h.cache.existing(['a.csv']);
    await h.fire();
    await asked;
    assert.deepEqual([...(await h.cache.existing(['a.csv']))], [['a.csv', true]]);
    assert.equal(h.pending(), false);
    h.advance(1001);
    const again = h.cache.existing(['a.csv']);
    assert.equal(h.pending(), true, 'an old answer is asked again');
    await h.fire();
    await again;
    assert.deepEqual(h.statted, ['a.csv', 'a.csv']);
  });

  it('drops a request cancelled before the pause: no stat for it, an empty answer', async () => {
    const h = harness(['a.csv']);
    let cancelled = false;
    const typing = h.cache.existing(['data/x.cs'], () => cancelled);
    const kept = h.cache.existing(['a.csv']);
    cancelled = true;
    await h.fire();
    assert.deepEqual(h.statted, ['a.csv']);
    assert.deepEqual([...(await typing)], []);
    assert.deepEqual([...(await kept)], [['a.csv', true]]);
  });

  it('a failing stat means "no file"; forget() makes the next request stat again', async () => {
    const h = harness(['a.csv']);
    const asked = h.cache.existing(['throws', 'a.csv']);
    await h.fire();
    assert.deepEqual([...(await asked)], [['throws', false], ['a.csv', true]]);
    h.cache.forget('a.csv');
    assert.equal(h.cache.cached('a.csv'), undefined);
    assert.equal(h.cache.cached('throws'), false);
    h.cache.forget();
    assert.equal(h.cache.cached('throws'), undefined);
  });

  it('keeps at most maxEntries answers, forgetting the oldest', async () => {
    const h = harness([], { maxEntries: 3 });
    const asked = h.cache.existing(['1.csv', '2.csv', '3.csv', '4.csv']);
    await h.fire();
    await asked;
    assert.equal(h.cache.cached('1.csv'), undefined);
    assert.deepEqual(['2.csv', '3.csv', '4.csv'].map((k) => h.cache.cached(k)), [false, false, false]);
  });
});
