// mclust's quantile classes (qclass, starts.ts) of one column streamed from disk, without holding the column: the
// sorted values it reads are found exactly by a radix selection on the bits of the doubles. Each double maps to a
// 64-bit key in the same order; a pass counts the values by the next 16 bits of the key among those that share the
// bits already fixed, which narrows each wanted rank to one bucket. Once the wanted buckets together hold few enough
// values, one more pass collects them and sorts them in memory. At most four counting passes, usually two.

import type { RowSource } from '../em/streaming';
import { classifyByBreaks, quantileBreaks, quantilePositions, uniqueQuantiles } from './starts';

const DIGITS = 65536;
const view = new Float64Array(1);
const words = new Uint32Array(view.buffer);
// The platform's byte order: which 32-bit word holds the sign and exponent.
const HI = new Uint8Array(Float64Array.of(-0).buffer)[7] === 0x80 ? 1 : 0;
const LO = 1 - HI;

/** The key's two words, high then low, unsigned, ordered as the doubles (−0 before +0, as a typed array sorts). */
function keyOf(value: number, out: Uint32Array): void {
  view[0] = value;
  const hi = words[HI];
  const lo = words[LO];
  if (hi & 0x80000000) {
    out[0] = ~hi >>> 0;
    out[1] = ~lo >>> 0;
  } else {
    out[0] = (hi | 0x80000000) >>> 0;
    out[1] = lo;
  }
}

function valueOf(hiKey: number, loKey: number): number {
  if (hiKey & 0x80000000) {
    words[HI] = hiKey & 0x7fffffff;
    words[LO] = loKey;
  } else {
    words[HI] = ~hiKey >>> 0;
    words[LO] = ~loKey >>> 0;
  }
  return view[0];
}

/** The first `digits` 16-bit digits of a key as one number (exact: at most 48 bits). */
function prefixOf(key: Uint32Array, digits: number): number {
  switch (digits) {
    case 0:
      return 0;
    case 1:
      return key[0] >>> 16;
    case 2:
      return key[0];
    default:
      return key[0] * DIGITS + (key[1] >>> 16);
  }
}

function digitOf(key: Uint32Array, level: number): number {
  switch (level) {
    case 0:
      return key[0] >>> 16;
    case 1:
      return key[0] & 0xffff;
    case 2:
      return key[1] >>> 16;
    default:
      return key[1] & 0xffff;
  }
}

/**
 * The values at the given positions (0-based ranks) of the first column of `source` in sorted order, found in a few
 * passes; `collectLimit` is the most values held at once to sort.
 */
export function orderStatistics(source: RowSource, ranks: readonly number[], collectLimit: number): Map<number, number> {
  const { buffer, d } = source;
  const found = new Map<number, number>();
  const wanted = [...new Set(ranks)].sort((a, b) => a - b);
  if (wanted.length === 0) return found;
  // For each rank: the digits fixed so far (as a prefix) and how many values lie below its bucket.
  const prefix = new Float64Array(wanted.length);
  const below = new Float64Array(wanted.length);
  const key = new Uint32Array(2);
  for (let level = 0; level < 4; level++) {
    const histograms = new Map<number, Float64Array>();
    for (const p of prefix) if (!histograms.has(p)) histograms.set(p, new Float64Array(DIGITS));
    const only = histograms.size === 1 ? histograms.get(prefix[0])! : undefined;
    source.forEachChunk((rows) => {
      for (let i = 0; i < rows; i++) {
        keyOf(buffer[i * d], key);
        const p = prefixOf(key, level);
        const histogram = only ? (p === prefix[0] ? only : undefined) : histograms.get(p);
        if (histogram) histogram[digitOf(key, level)]++;
      }
    });
    // Each rank's bucket at this level, and the values in the distinct buckets wanted.
    const buckets = new Map<number, number>();
    wanted.forEach((rank, t) => {
      const histogram = histograms.get(prefix[t])!;
      let count = below[t];
      let digit = 0;
      while (count + histogram[digit] <= rank) count += histogram[digit++];
      below[t] = count;
      prefix[t] = level < 3 ? prefix[t] * DIGITS + digit : prefix[t];
      if (level === 3) found.set(rank, valueOf(Math.floor(prefix[t] / DIGITS), ((prefix[t] % DIGITS) * DIGITS + digit) >>> 0));
      else buckets.set(prefix[t], histogram[digit]);
    });
    if (level === 3) return found;
    let held = 0;
    for (const count of buckets.values()) held += count;
    if (held <= collectLimit) {
      const collected = new Map<number, number[]>();
      for (const p of buckets.keys()) collected.set(p, []);
      source.forEachChunk((rows) => {
        for (let i = 0; i < rows; i++) {
          const value = buffer[i * d];
          keyOf(value, key);
          collected.get(prefixOf(key, level + 1))?.push(value);
        }
      });
      const sorted = new Map<number, Float64Array>();
      for (const [p, values] of collected) sorted.set(p, Float64Array.from(values).sort());
      wanted.forEach((rank, t) => found.set(rank, sorted.get(prefix[t])![rank - below[t]]));
      return found;
    }
  }
  return found;
}

/** What quantileClasses needs of the whole column besides its sorted values: n, sd and (up to a cap) its distinct values. */
export interface ColumnSummary {
  n: number;
  sd: number;
  /** Distinct values, counted up to `cap` + 1. */
  distinct: number;
}

/** One column's standard deviation (the two passes of starts.ts, in row order) and distinct values up to cap + 1. */
export function summarizeColumn(source: RowSource, cap: number): ColumnSummary {
  const { n, d, buffer } = source;
  const seen = new Set<number>();
  let mean = 0;
  source.forEachChunk((rows) => {
    for (let i = 0; i < rows; i++) {
      const v = buffer[i * d];
      mean += v;
      if (seen.size <= cap) seen.add(v);
    }
  });
  mean /= n;
  let ss = 0;
  source.forEachChunk((rows) => {
    for (let i = 0; i < rows; i++) ss += (buffer[i * d] - mean) ** 2;
  });
  return { n, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, distinct: seen.size };
}

/**
 * The breaks of quantileClasses(column, K) for each K (undefined for a K the column's distinct values cannot split, as
 * defaultStartingPartitions leaves it without a start). Quantiles are fetched in batches of sorted positions; when ties
 * make qclass take more quantiles, the next few counts are fetched together.
 */
export function streamedQuantileBreaks(source: RowSource, ks: readonly number[], collectLimit: number): (number[] | undefined)[] {
  const { n } = source;
  const summary = summarizeColumn(source, Math.max(...ks));
  const known = new Map<number, number>();
  const at = (i: number) => {
    const value = known.get(i);
    if (value === undefined) throw new Error(`internal: sorted position ${i} was not fetched`);
    return value;
  };
  const fetch = (positions: number[]) => {
    const missing = positions.filter((p) => !known.has(p));
    if (missing.length > 0) for (const [rank, value] of orderStatistics(source, missing, collectLimit)) known.set(rank, value);
  };
  const out: (number[] | undefined)[] = ks.map(() => undefined);
  // Each K still looking for K + 1 distinct quantiles: the next count to try, and how many counts to fetch at once.
  let pending = ks.flatMap((k, index) => (k === 1 || summary.distinct > k ? [{ k, index, count: k + 1, batch: 1 }] : []));
  fetch([0, n - 1]);
  while (pending.length > 0) {
    fetch(pending.flatMap(({ count, batch }) => Array.from({ length: batch }, (_, b) => quantilePositions(n, count + b)).flat()));
    const next: typeof pending = [];
    for (const item of pending) {
      let q: number[] = [];
      let tried = 0;
      for (; tried < item.batch && q.length < item.k + 1; tried++) q = uniqueQuantiles(at, n, item.count + tried);
      if (q.length >= item.k + 1) out[item.index] = quantileBreaks(q, item.k, at(0), at(n - 1), summary.sd);
      else next.push({ ...item, count: item.count + item.batch, batch: Math.min(2 * item.batch, 64) });
    }
    pending = next;
  }
  return out;
}

/** Writes each row's class by the breaks (q[c] ≤ x < q[c + 1]) for a chunk of one column. */
export function classifyChunk(source: RowSource, rows: number, breaks: readonly number[], out: Int32Array): void {
  if (source.d !== 1) throw new Error('internal: quantile classes are for one column');
  classifyByBreaks(source.buffer, rows, breaks, out);
}
