// The whole pipeline the worker and the CLI run — loadDataset, then fitDataset — on random files and random
// settings (fast-check): a finite result, or one of the project's own errors naming the file. Never another
// exception, never NaN in what the panel would draw, never a hang. The loaders' own fuzz tests are in
// data-fuzz.test.ts and the engine's properties in engine-properties.test.ts; this is where they meet.

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadDataset } from '../../../src/engine/data/load';
import { DataError, FitError, OptionsError, describeError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import type { CovarianceType, FitOptions, FitResult, ModelChoice } from '../../../src/shared/protocol';

const RUNS = Number(process.env.MIXSCOPE_PROPERTY_RUNS) || 150;
/** A hang guard for inputs of a few kilobytes, not a speed test. */
const HANG_GUARD_MS = 10_000;

const cell = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => String(v)) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 255 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('0', '1') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'NA', 'NaN', 'Inf', '-inf', '?', 'null', '1e308', '-1e308', '1e-320', '-0', '1e309', 'abc', '"1,5"', '"x"', '3,25', '0x10'),
  },
);

const textFile = fc.record({
  rows: fc.integer({ min: 0, max: 25 }),
  cols: fc.integer({ min: 1, max: 5 }),
  delimiter: fc.constantFrom(',', ';', '\t', ' ', '|'),
  header: fc.constantFrom('none', 'names', 'label', 'comment'),
  lineEnd: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  ragged: fc.boolean(),
  seedCells: fc.array(cell, { minLength: 125, maxLength: 125 }),
});

type TextFile = typeof textFile extends fc.Arbitrary<infer T> ? T : never;

function buildText(f: TextFile): string {
  const lines: string[] = [];
  const names = Array.from({ length: f.cols }, (_, j) => (f.header === 'label' && j === f.cols - 1 ? 'label' : `c${j + 1}`));
  if (f.header === 'names' || f.header === 'label') lines.push(names.join(f.delimiter));
  if (f.header === 'comment') lines.push('# ' + names.join(','));
  for (let i = 0; i < f.rows; i++) {
    const width = f.ragged && i % 7 === 3 ? f.cols + 1 : f.cols;
    const row = Array.from({ length: width }, (_, j) => f.seedCells[(i * 5 + j) % f.seedCells.length]);
    lines.push(row.join(f.delimiter));
  }
  return (f.bom ? '\ufeff' : '') + lines.join(f.lineEnd) + f.lineEnd;
}

const settings = fc.record({
  model: fc.constantFrom<ModelChoice>('auto', 'gaussian', 'bernoulli'),
  k: fc.integer({ min: 1, max: 4 }),
  covarianceType: fc.constantFrom<CovarianceType>('full', 'diag', 'spherical', 'tied'),
  regularization: fc.constantFrom(0, 1e-6),
  standardize: fc.boolean(),
  emVariant: fc.constantFrom<'soft' | 'hard'>('soft', 'hard'),
  maxIterations: fc.integer({ min: 0, max: 12 }),
  seed: fc.integer({ min: 0, max: 99 }),
});

function finiteDeep(value: unknown, where: string): void {
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `${where} = ${value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => finiteDeep(v, `${where}[${i}]`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (k !== 'elapsedMs') finiteDeep(v, `${where}.${k}`);
}

/** Load, then fit, as the worker does; returns which way it ended. */
function pipeline(fileName: string, bytes: Uint8Array, options: Partial<FitOptions>): 'fit' | 'refused' {
  const started = Date.now();
  try {
    const dataset = loadDataset(fileName, bytes, { columns: options.columns });
    const { result } = fitDataset(dataset, { ...options, threads: 1 });
    checkResult(result);
    return 'fit';
  } catch (e) {
    if (!(e instanceof DataError || e instanceof FitError || e instanceof OptionsError)) {
      throw new Error(`${fileName} ${JSON.stringify(options)}: not one of the project's errors but ${(e as Error)?.stack ?? String(e)}`);
    }
    // What the worker would send: classified as the user's problem, naming the file, without NaN.
    const described = describeError(e, fileName);
    assert.notEqual(described.kind, 'internal');
    assert.ok(described.message.includes(fileName), described.message);
    assert.doesNotMatch(described.message.replace('(NaN, Inf or too large)', '').replace(/"NaN"/g, ''), /\bNaN\b|undefined/, described.message);
    return 'refused';
  } finally {
    assert.ok(Date.now() - started < HANG_GUARD_MS, `${fileName}: ${Date.now() - started} ms`);
  }
}

function checkResult(r: FitResult): void {
  finiteDeep(r, 'result');
  assert.ok(Math.abs(r.weights.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.equal(r.assignments.length, r.n);
  assert.ok(r.assignments.every((a) => Number.isInteger(a) && a >= 0 && a < r.k));
  if (r.model === 'bernoulli') for (const m of r.means) for (const p of m) assert.ok(p > 0 && p < 1, `probability ${p}`);
}

describe('reliability: load + fit on random files and settings (fast-check)', function () {
  this.timeout(180_000);

  it('random delimited text (numbers, extremes, missing tokens, quotes, BOM, CRLF, ragged rows, label columns)', () => {
    const outcomes = { fit: 0, refused: 0 };
    fc.assert(
      fc.property(textFile, settings, fc.constantFrom('data.csv', 'data.tsv', 'data.txt'), (f, s, name) => {
        outcomes[pipeline(name, new TextEncoder().encode(buildText(f)), s)]++;
      }),
      { numRuns: RUNS, seed: Number(process.env.MIXSCOPE_PROPERTY_SEED) || 31 },
    );
    assert.ok(outcomes.fit > RUNS / 10 && outcomes.refused > 0, JSON.stringify(outcomes));
  });

  it('random bytes under data-file names', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 600 }),
        fc.constantFrom('x.csv', 'x.npy', 'train-images-idx3-ubyte', 'x.csv.gz', 'x.dat'),
        settings,
        (bytes, name, s) => {
          pipeline(name, bytes, s);
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.MIXSCOPE_PROPERTY_SEED) || 32 },
    );
  });
});
