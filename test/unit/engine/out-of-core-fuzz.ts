// The harness the out-of-core fuzz tests share (the Parquet/Arrow, JSON, NumPy/IDX and Excel readers): byte mutations
// of a valid file, and one check of a fit of the result — a finite fit, EM's own FitError on values damaged into a
// degenerate table, or the project's DataError naming the file; never another exception, never a hang; and the
// temporary store removed either way.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { DataError, FitError } from '../../../src/engine/errors';
import { fitOutOfCore, type OutOfCoreHooks } from '../../../src/engine/outOfCore';
import type { FitOptions } from '../../../src/shared/protocol';

/** A hang guard, not a speed test: the inputs are a few kilobytes, so any time near this means a runaway loop. */
export const HANG_GUARD_MS = 5000;
/** fast-check's runs; MIXSCOPE_FUZZ_RUNS raises them (its seed is fixed in `npm test`, test/setup.ts). */
export function fuzzRuns(fallback: number): number {
  return Number(process.env.MIXSCOPE_FUZZ_RUNS) || fallback;
}

export type ByteMutation = { kind: 'flip'; at: number; value: number } | { kind: 'delete'; at: number; length: number } | { kind: 'truncate'; at: number };

/** A byte flipped (to `value`'s draws), a run of up to `maxDelete` bytes deleted, or the file cut short. */
export function byteMutation(value: fc.Arbitrary<number> = fc.integer({ min: 0, max: 255 }), maxDelete = 40, at: fc.Arbitrary<number> = fc.nat()): fc.Arbitrary<ByteMutation> {
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, value }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: maxDelete }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  );
}

export function mutate(source: Uint8Array, mutations: ByteMutation[]): Uint8Array {
  let b = Uint8Array.from(source);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    if (m.kind === 'flip' && at < b.length) b[at] = m.value;
    else if (m.kind === 'delete') b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.length)]);
    else if (m.kind === 'truncate') b = b.slice(0, at);
  }
  return b;
}

/**
 * Writes `bytes` as `name` in `temp` and fits it out of core: true for a finite fit, false for a FitError or a
 * DataError naming the file; anything else, a run past the hang guard or a store left behind fails the test.
 */
export async function fitsOrRefuses(temp: string, name: string, bytes: Uint8Array, options: Partial<FitOptions>, hooks: OutOfCoreHooks = {}): Promise<boolean> {
  const file = path.join(temp, name);
  fs.writeFileSync(file, bytes);
  const started = Date.now();
  let storeDir = '';
  let fitted = false;
  try {
    const { result } = await fitOutOfCore(file, { k: 2, maxIterations: 5, seed: 1, ...options }, 1, {}, { ...hooks, tempParent: temp, onStore: (dir) => (storeDir = dir) });
    assert.ok(result.n >= 2 && result.trace.every(Number.isFinite), 'a finite fit');
    fitted = true;
  } catch (e) {
    if (e instanceof FitError) return false;
    if (!(e instanceof DataError)) throw new Error(`${name}: not a DataError but ${(e as Error)?.stack ?? String(e)}`);
    assert.ok(e.message.startsWith(name), `message does not name the file: ${e.message}`);
  } finally {
    assert.ok(Date.now() - started < HANG_GUARD_MS, `${name} took ${Date.now() - started} ms`);
  }
  assert.ok(storeDir === '' || !fs.existsSync(storeDir), 'the store was removed');
  return fitted;
}
