// Property and fuzz tests of the loaders (issue 5): for random and mutated inputs, loadDataset either returns a
// well-formed dataset (n ≥ 1, d ≥ 1, finite values of the right length, pixels within their scale) or throws the
// project's DataError naming the file — never another exception, and never a hang.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { DataError } from '../../../src/engine/errors';
import { loadDataset, loadLabels } from '../../../src/engine/data/load';
import { assertWellFormed, fixture, float64Bytes, idxBytes, MNIST_DIR, npyBytes, utf8 } from '../../fixtures/data/helpers';

/** A hang guard, not a speed test: inputs are at most a few kilobytes, so any time near this means a runaway loop. */
const HANG_GUARD_MS = 5000;
const RUNS = Number(process.env.MIXSCOPE_FUZZ_RUNS) || 300; // raise for a longer local fuzz run

function check(name: string, bytes: Uint8Array, options: Parameters<typeof loadDataset>[2] = {}): void {
  const started = Date.now();
  try {
    const d = loadDataset(name, bytes, options);
    assertWellFormed(d);
  } catch (e) {
    if (!(e instanceof DataError)) throw new Error(`${name}: not a DataError but ${(e as Error)?.stack ?? String(e)}`);
    const base = name.split('/').pop() as string;
    assert.ok(e.message.startsWith(`${base}: `) || (options.labelFileName && e.message.startsWith(`${options.labelFileName}: `)), `message does not name the file: ${e.message}`);
    assert.ok(e.message.length > base.length + 10, 'a message that says something');
  } finally {
    assert.ok(Date.now() - started < HANG_GUARD_MS, `${name} took ${Date.now() - started} ms`);
  }
}

const NAMES = ['x.csv', 'x.tsv', 'x.txt', 'x.dat', 'x.data', 'x.npy', 'train-images-idx3-ubyte', 'x.csv.gz', 't10k-images-idx3-ubyte.gz', 'blob.bin', 'noext'];

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 20 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
);

function mutate(source: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = Uint8Array.from(source);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.kind) {
      case 'flip':
        if (at < b.length) b[at] = m.value;
        break;
      case 'delete':
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.length)]);
        break;
      case 'insert':
        b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'duplicate':
        b = Uint8Array.from([...b.subarray(0, at + m.length), ...b.subarray(at)]);
        break;
    }
  }
  return b;
}

// Header-heavy mutations matter most for binary formats: bias positions towards the first bytes.
const headerMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.integer({ min: 0, max: 140 }), value: fc.integer({ min: 0, max: 255 }) }),
  mutation,
);

/** String(-0) is "0": write the sign so that -0 must survive the round trip. */
function formatNumber(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

describe('data: fuzz (fast-check)', function () {
  this.timeout(120000);

  it('random bytes under every kind of name', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), fc.uint8Array({ maxLength: 3000 }), (name, bytes) => check(name, bytes)),
      { numRuns: RUNS },
    );
  });

  it('random printable text tables (numbers, words, missing tokens, quotes, delimiters, comments)', () => {
    const cell = fc.oneof(
      fc.double({ noNaN: false }).map(String),
      fc.integer({ min: -1000, max: 1000 }).map(String),
      fc.constantFrom('', 'NA', 'NaN', 'Inf', '-inf', '?', 'null', '1e308', '1e309', '-0', '3,6', '"4,5"', '"a ""b"""', 'text', '"', '#', '%', ' ', '1_0', '0x1F', '.5', '5.', '+2'),
      fc.string({ maxLength: 6 }),
    );
    const sep = fc.constantFrom(',', ';', '\t', ' ', '   ', '|');
    const row = fc.tuple(fc.array(cell, { minLength: 0, maxLength: 6 }), sep).map(([cells, s]) => cells.join(s));
    const line = fc.oneof({ weight: 8, arbitrary: row }, { weight: 1, arbitrary: fc.constantFrom('', '# eruptions,waiting', '% note', 'Old Faithful data, 272 rows') });
    const eol = fc.constantFrom('\n', '\r\n', '\r');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), eol, fc.boolean(), fc.constantFrom('x.csv', 'x.txt', 'x.dat'), (lines, newline, bom, name) =>
        check(name, utf8((bom ? '\ufeff' : '') + lines.join(newline))),
      ),
      { numRuns: RUNS },
    );
  });

  it('generated numeric tables always load with every value read back exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((d) => fc.tuple(fc.constant(d), fc.array(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: d, maxLength: d }), { minLength: 1, maxLength: 30 }))),
        fc.constantFrom(',', ';', '\t', ' '),
        ([d, rows], sep) => {
          const header = Array.from({ length: d }, (_, j) => `c${j}`).join(sep);
          const text = [header, ...rows.map((r) => r.map(formatNumber).join(sep))].join('\n');
          const data = loadDataset('g.csv', utf8(text));
          assert.equal(data.kind, 'table');
          if (data.kind !== 'table') return;
          // A first column that counts 1..N or 0..N-1 is an index only without a header; here there is one.
          assert.equal(data.n, rows.length);
          assert.equal(data.d, d);
          assert.deepEqual(Array.from(data.values), rows.flat());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('number cells are read exactly as Number() reads the same text (fast integer path included)', () => {
    const numberText = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(fc.constantFrom('', '+', '-'), fc.stringMatching(/^[0-9]{1,20}$/)).map(([sign, digits]) => sign + digits) },
      { weight: 3, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(formatNumber) },
      { weight: 2, arbitrary: fc.stringMatching(/^[+-]?([0-9]{0,4}\.[0-9]{1,6}|[0-9]{1,4}\.)([eE][+-]?[0-9]{1,3})?$/) },
      { weight: 1, arbitrary: fc.constantFrom('NA', 'x', '1x', '--1', '1e', '.', '-', '+-1', ' 7 ', '1 000') },
    );
    const reference = (cell: string): number | undefined => {
      const t = cell.trim();
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
      const v = Number(t);
      return Number.isFinite(v) ? v : undefined;
    };
    fc.assert(
      fc.property(fc.array(fc.array(numberText, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 25 }), (rows) => {
        const text = ['a,b,c', ...rows.map((r) => r.join(','))].join('\n');
        let data;
        try {
          data = loadDataset('n.csv', utf8(text));
        } catch (e) {
          if (e instanceof DataError) return;
          throw e;
        }
        fc.pre(data.kind === 'table' && data.d === 3);
        if (data.kind !== 'table') return;
        const expected = rows.filter((r) => r.every((c) => reference(c) !== undefined)).flatMap((r) => r.map((c) => reference(c) as number));
        assert.equal(data.values.length, expected.length);
        for (let i = 0; i < expected.length; i++) assert.ok(Object.is(data.values[i], expected[i]), `cell ${i}: ${data.values[i]} vs ${expected[i]}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated valid CSV files', () => {
    const sources = ['faithful-preamble.csv', 'faithful-preamble.dat', 'faithful-rownames.csv', 'faithful-european.csv', 'faithful-hash-header.csv'].map((f) => fixture(f).subarray(0, 1500));
    fc.assert(
      fc.property(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 4 }), (source, ms) => check('m.csv', mutate(source, ms))),
      { numRuns: RUNS },
    );
  });

  it('mutated valid IDX files (plain and gzip), with and without a labels file', () => {
    const images = fs.readFileSync(path.join(MNIST_DIR, 't10k-images-idx3-ubyte')).subarray(16, 16 + 3 * 784);
    const valid = idxBytes([3, 28, 28], images);
    const labels = idxBytes([3], Uint8Array.from([7, 2, 1]));
    fc.assert(
      fc.property(fc.array(headerMutation, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.option(fc.array(headerMutation, { maxLength: 2 })), (ms, gz, labelMs) => {
        const bytes = mutate(valid, ms);
        const options = labelMs ? { labelBytes: mutate(labels, labelMs), labelFileName: 't10k-labels-idx1-ubyte' } : {};
        if (gz) check('t10k-images-idx3-ubyte.gz', gzipSync(bytes), options);
        else check('t10k-images-idx3-ubyte', bytes, options);
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated valid .npy files (every supported dtype, versions 1–3)', () => {
    const sources = [
      npyBytes({ descr: '<f8', shape: [4, 2], data: float64Bytes([1, 2, 3, 4, 5, 6, 7, 8]) }),
      npyBytes({ descr: '<f8', shape: [4, 2], data: float64Bytes([1, 2, 3, 4, 5, 6, 7, 8]), version: 2 }),
      npyBytes({ descr: '<f4', shape: [2, 2, 2], data: new Uint8Array(Float32Array.from([0, 0.5, 1, 0.25, 0, 0, 1, 1]).buffer), version: 3 }),
      npyBytes({ descr: '|u1', shape: [2, 3, 3], data: Uint8Array.from({ length: 18 }, (_, i) => i * 10) }),
      npyBytes({ descr: '|b1', shape: [3, 4], data: Uint8Array.from({ length: 12 }, (_, i) => i % 2) }),
      fixture('table-f8.npy'),
      fixture('images-f4-v3.npy'),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...sources), fc.array(headerMutation, { minLength: 1, maxLength: 3 }), (source, ms) => check('m.npy', mutate(source, ms))),
      { numRuns: RUNS },
    );
  });

  it('random labels files: Int32Array or DataError', () => {
    fc.assert(
      fc.property(fc.constantFrom('y.npy', 'y-labels-idx1-ubyte', 'y.txt'), fc.uint8Array({ maxLength: 200 }), (name, bytes) => {
        try {
          const labels = loadLabels(name, bytes);
          assert.ok(labels instanceof Int32Array);
        } catch (e) {
          if (!(e instanceof DataError)) throw new Error(`not a DataError: ${(e as Error)?.stack ?? String(e)}`);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
