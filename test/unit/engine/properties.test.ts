// Property tests of the whole fit (issue 5): for random small datasets and random settings, `fitDataset` either
// returns a well-formed result (finite parameters, weights summing to 1, symmetric positive definite covariances,
// Bernoulli probabilities strictly inside (0, 1), a soft-EM trace that never decreases, assignments in [0, K)) or
// throws one of the project's own errors with a message that says what to change. Never NaN, never another exception.

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Dataset, ImageData, TableData } from '../../../src/engine/data/dataset';
import { DataError, FitError, OptionsError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import type { CovarianceType, EmVariant, FitOptions, FitResult, InitMethod } from '../../../src/shared/protocol';

const RUNS = Number(process.env.MIXSCOPE_PROPERTY_RUNS) || 100; // raise for a longer local run
/** Relative slack for "the trace never decreases" (soft EM): rounding of sums over up to 60 rows. */
const MONOTONE_SLACK = 1e-9;

// ------------------------------------------------------------------------------------------- data generators

/** How one column is made from a base draw u ∈ [−1, 1]. */
type ColumnKind = 'gauss' | 'uniform' | 'integers' | 'constant' | 'copy' | 'clusters' | 'offset';
const COLUMN_KINDS: ColumnKind[] = ['gauss', 'uniform', 'integers', 'constant', 'copy', 'clusters', 'offset'];
const SCALES = [1e-8, 1e-3, 1, 1e3, 1e8];

interface TableRecipe {
  n: number;
  d: number;
  kinds: ColumnKind[];
  scales: number[];
  /** n × d base draws in [−1, 1]. */
  base: number[];
  /** Repeat the first `duplicateRows` rows at the end of the table (exact duplicates). */
  duplicateRows: number;
}

const tableRecipe: fc.Arbitrary<TableRecipe> = fc
  .record({ n: fc.integer({ min: 1, max: 60 }), d: fc.integer({ min: 1, max: 4 }) })
  .chain(({ n, d }) =>
    fc.record({
      n: fc.constant(n),
      d: fc.constant(d),
      kinds: fc.array(fc.constantFrom(...COLUMN_KINDS), { minLength: d, maxLength: d }),
      scales: fc.array(fc.constantFrom(...SCALES), { minLength: d, maxLength: d }),
      base: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n * d, maxLength: n * d }),
      duplicateRows: fc.integer({ min: 0, max: Math.min(n, 20) }),
    }),
  );

/** A Box–Muller-free "gaussian-ish" value from u: heavier tails than uniform, still finite. */
function gaussish(u: number): number {
  return Math.sign(u) * Math.sqrt(-2 * Math.log(1 - Math.min(Math.abs(u), 0.999999)));
}

function buildTable(r: TableRecipe): TableData {
  const rows = r.n + r.duplicateRows;
  const values = new Float64Array(rows * r.d);
  for (let i = 0; i < r.n; i++) {
    for (let j = 0; j < r.d; j++) {
      const u = r.base[i * r.d + j];
      const s = r.scales[j];
      let v: number;
      switch (r.kinds[j]) {
        case 'gauss':
          v = gaussish(u) * s;
          break;
        case 'uniform':
          v = u * s;
          break;
        case 'integers':
          v = Math.round(u * 2) * s; // five distinct values: many duplicates
          break;
        case 'constant':
          v = 3 * s;
          break;
        case 'copy':
          v = j === 0 ? u * s : values[i * r.d]; // an exact copy of column 1 (collinear columns)
          break;
        case 'clusters':
          v = (u < 0 ? -5 : 5) * s + u * s;
          break;
        case 'offset':
          // An offset a million times the spread (timestamps, coordinates): cancellation in the variances. (A spread
          // within a few ulps of the offset, e.g. 1e8 ± 1e-8, holds no information a float64 fit could use: see
          // the README's Reliability section.)
          v = 1e6 * s + u * s;
          break;
      }
      values[i * r.d + j] = v;
    }
  }
  for (let t = 0; t < r.duplicateRows; t++) {
    for (let j = 0; j < r.d; j++) values[(r.n + t) * r.d + j] = values[t * r.d + j];
  }
  const columns = Array.from({ length: r.d }, (_, j) => `${r.kinds[j]}${j + 1}`);
  return {
    kind: 'table',
    n: rows,
    d: r.d,
    values,
    columns,
    summary: { fileName: 'property.csv', n: rows, d: r.d, columns, droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [] },
  };
}

interface BinaryRecipe {
  n: number;
  d: number;
  bits: boolean[];
  /** Rows made identical to row 1 (all-equal data when n of them). */
  identicalRows: number;
  /** Columns forced all-off / all-on (pixels that never / always light up, like MNIST's border). */
  deadColumns: number;
  fullColumns: number;
}

const binaryRecipe: fc.Arbitrary<BinaryRecipe> = fc
  .record({ n: fc.integer({ min: 1, max: 60 }), d: fc.integer({ min: 1, max: 24 }) })
  .chain(({ n, d }) =>
    fc.record({
      n: fc.constant(n),
      d: fc.constant(d),
      bits: fc.array(fc.boolean(), { minLength: n * d, maxLength: n * d }),
      identicalRows: fc.integer({ min: 0, max: n }),
      deadColumns: fc.integer({ min: 0, max: d }),
      fullColumns: fc.integer({ min: 0, max: d }),
    }),
  );

function buildImages(r: BinaryRecipe): ImageData {
  const pixels = new Uint8Array(r.n * r.d);
  for (let i = 0; i < r.n; i++) {
    const src = i < r.identicalRows ? 0 : i;
    for (let j = 0; j < r.d; j++) {
      let bit = r.bits[src * r.d + j] ? 1 : 0;
      if (j < r.deadColumns) bit = 0;
      else if (r.d - j <= r.fullColumns) bit = 1;
      pixels[i * r.d + j] = bit;
    }
  }
  const columns = Array.from({ length: r.d }, (_, j) => `px${j}`);
  return {
    kind: 'images',
    n: r.n,
    d: r.d,
    height: 1,
    width: r.d,
    pixels,
    scale: 1,
    summary: { fileName: 'property.npy', n: r.n, d: r.d, columns, droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [] },
  };
}

// ------------------------------------------------------------------------------------------- settings

const gaussianSettings = fc.record({
  k: fc.integer({ min: 1, max: 6 }),
  covarianceType: fc.constantFrom<CovarianceType>('full', 'diag', 'spherical', 'tied'),
  init: fc.constantFrom<InitMethod>('kmeans++', 'random', 'random-data'),
  emVariant: fc.constantFrom<EmVariant>('soft', 'hard'),
  regularization: fc.constantFrom(0, 1e-6),
  standardize: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
  restarts: fc.integer({ min: 1, max: 2 }),
  maxIterations: fc.integer({ min: 0, max: 40 }),
  tolerance: fc.constantFrom(1e-3, 1e-8, 0),
});

const bernoulliSettings = fc.record({
  k: fc.integer({ min: 1, max: 6 }),
  init: fc.constantFrom<InitMethod>('kmeans++', 'random', 'random-data', 'random-assignment'),
  emVariant: fc.constantFrom<EmVariant>('soft', 'hard'),
  betaPrior: fc.constantFrom<[number, number]>([1, 1], [2, 2], [1.5, 3]),
  seed: fc.integer({ min: 0, max: 1000 }),
  restarts: fc.integer({ min: 1, max: 2 }),
  maxIterations: fc.integer({ min: 0, max: 30 }),
  tolerance: fc.constantFrom(1e-3, 0),
});

// ------------------------------------------------------------------------------------------- checks

/** Cholesky of a symmetric matrix (independent of the engine's linalg): false unless positive definite. */
function choleskySucceeds(m: number[][]): boolean {
  const d = m.length;
  const l = m.map((row) => row.slice());
  for (let j = 0; j < d; j++) {
    let s = l[j][j];
    for (let p = 0; p < j; p++) s -= l[j][p] * l[j][p];
    if (!(s > 0) || !Number.isFinite(s)) return false;
    const ljj = Math.sqrt(s);
    l[j][j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = l[i][j];
      for (let p = 0; p < j; p++) t -= l[i][p] * l[j][p];
      l[i][j] = t / ljj;
    }
  }
  return true;
}

function assertFinite(what: string, values: readonly number[]): void {
  values.forEach((v, i) => assert.ok(Number.isFinite(v), `${what}[${i}] is ${v}`));
}

/**
 * `allowedDecrease(t)`: how much the objective may fall from iteration t − 1 to t beyond rounding (0 for exact EM).
 */
function assertCommon(r: FitResult, n: number, k: number, variant: EmVariant, allowedDecrease: (t: number) => number = () => 0): void {
  assert.equal(r.k, k);
  assert.equal(r.n, n);
  assert.equal(r.weights.length, k);
  assertFinite('weights', r.weights);
  r.weights.forEach((w, j) => assert.ok(w >= 0 && w <= 1, `weight ${j} = ${w}`));
  const sum = r.weights.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) <= 1e-9, `weights sum to ${sum}`);
  assert.equal(r.means.length, k);
  r.means.forEach((m, j) => {
    assert.equal(m.length, r.d);
    assertFinite(`means[${j}]`, m);
  });
  assert.equal(r.assignments.length, n);
  r.assignments.forEach((a, i) => assert.ok(Number.isInteger(a) && a >= 0 && a < k, `assignment ${i} = ${a}`));
  assertFinite('trace', r.trace);
  assert.equal(r.trace.length, r.iterations + 1);
  assert.ok(Number.isFinite(r.logLikelihood) && Number.isFinite(r.bic) && Number.isFinite(r.aic), 'ln L, BIC, AIC finite');
  if (variant === 'soft') {
    for (let t = 1; t < r.trace.length; t++) {
      const slack = MONOTONE_SLACK * Math.max(1, Math.abs(r.trace[t - 1]));
      const allowed = allowedDecrease(t);
      assert.ok(
        r.trace[t] >= r.trace[t - 1] - slack - allowed,
        `soft EM objective decreased at iteration ${t}: ${r.trace[t - 1]} → ${r.trace[t]} (allowed ${allowed})`,
      );
    }
  }
  // What the chart draws: every snapshot finite too.
  assert.equal(r.snapshots.length, r.trace.length);
  for (const s of r.snapshots) {
    assertFinite(`snapshot ${s.iteration} weights`, s.weights);
    s.means.forEach((m) => assertFinite(`snapshot ${s.iteration} means`, m));
    if (s.model === 'gaussian') s.covariances.forEach((c) => c.forEach((row) => assertFinite(`snapshot ${s.iteration} covariance`, row)));
  }
}

/** Lower-triangular Cholesky factor of a symmetric matrix, or undefined unless positive definite. */
function cholesky(m: number[][]): number[][] | undefined {
  const d = m.length;
  const l = m.map(() => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    let s = m[j][j];
    for (let p = 0; p < j; p++) s -= l[j][p] * l[j][p];
    if (!(s > 0) || !Number.isFinite(s)) return undefined;
    l[j][j] = Math.sqrt(s);
    for (let i = j + 1; i < d; i++) {
      let t = m[i][j];
      for (let p = 0; p < j; p++) t -= l[i][p] * l[j][p];
      l[i][j] = t / l[j][j];
    }
  }
  return l;
}

/**
 * The most one soft-EM step can lower ln L when `reg` is added to the covariance diagonals (sklearn's reg_covar).
 * The M-step then returns Σ = S + reg·I instead of the maximiser S of Q, which costs
 * gap = Σ_k ½ N_k [ln det Σ_k − ln det(Σ_k − reg·I) − reg·tr(Σ_k⁻¹)] ≥ 0 in Q, and ln L(θ_t) − ln L(θ_{t−1}) ≥ −gap(θ_t).
 * (Tied: the one shared Σ with Σ_k N_k = n, the same formula.) Infinite when S itself is singular.
 * Also infinite, with reg = 0, when a component has collapsed onto a point (a smallest Cholesky pivot below 1e-12 of
 * the data's variance: the likelihood's singularity, where ln L is rounding noise around a huge spike).
 */
function regularisationGap(snapshot: FitResult['snapshots'][number], n: number, reg: number, dataVariance: number): number {
  if (snapshot.model !== 'gaussian') return 0;
  let gap = 0;
  for (let j = 0; j < snapshot.weights.length; j++) {
    const sigma = snapshot.covariances[j];
    const d = sigma.length;
    const l = cholesky(sigma);
    if (!l) return Infinity;
    let minPivot = Infinity;
    for (let a = 0; a < d; a++) minPivot = Math.min(minPivot, l[a][a] * l[a][a]);
    if (minPivot < 1e-12 * dataVariance) return Infinity;
    if (reg === 0) continue;
    const shifted = cholesky(sigma.map((row, a) => row.map((v, b) => (a === b ? v - reg : v))));
    if (!shifted) return Infinity;
    let logDet = 0;
    let logDetShifted = 0;
    for (let a = 0; a < d; a++) {
      logDet += 2 * Math.log(l[a][a]);
      logDetShifted += 2 * Math.log(shifted[a][a]);
    }
    // tr(Σ⁻¹) = ‖L⁻¹‖²_F, column by column of L⁻¹ (forward substitution of the unit vectors).
    let traceInverse = 0;
    for (let c = 0; c < d; c++) {
      const y = new Array<number>(d).fill(0);
      for (let a = c; a < d; a++) {
        let t = a === c ? 1 : 0;
        for (let p = c; p < a; p++) t -= l[a][p] * y[p];
        y[a] = t / l[a][a];
        traceInverse += y[a] * y[a];
      }
    }
    gap += 0.5 * snapshot.weights[j] * n * (logDet - logDetShifted - reg * traceInverse);
  }
  return gap;
}

/** Largest column variance of the data the model was fitted to (1 when standardised), the scale for "collapsed". */
function largestColumnVariance(table: TableData, standardized: boolean): number {
  if (standardized) return 1;
  let largest = 0;
  for (let j = 0; j < table.d; j++) {
    let mean = 0;
    for (let i = 0; i < table.n; i++) mean += table.values[i * table.d + j];
    mean /= table.n;
    let m2 = 0;
    for (let i = 0; i < table.n; i++) m2 += (table.values[i * table.d + j] - mean) ** 2;
    largest = Math.max(largest, m2 / table.n);
  }
  return largest > 0 ? largest : 1;
}

function assertGaussianResult(
  r: FitResult,
  table: TableData,
  settings: { k: number; emVariant: EmVariant; standardize: boolean; regularization: number },
): void {
  const n = table.n;
  assert.equal(r.model, 'gaussian');
  const dataVariance = largestColumnVariance(table, settings.standardize);
  assertCommon(r, n, settings.k, settings.emVariant, (t) => regularisationGap(r.snapshots[t], n, settings.regularization, dataVariance));
  assert.ok(r.covariances, 'covariances present');
  r.covariances!.forEach((c, j) => {
    assert.equal(c.length, r.d);
    for (let a = 0; a < r.d; a++) {
      assertFinite(`covariances[${j}][${a}]`, c[a]);
      for (let b = 0; b < a; b++) {
        assert.ok(Math.abs(c[a][b] - c[b][a]) <= 1e-12 * Math.max(Math.abs(c[a][b]), Math.abs(c[a][a]), Number.MIN_VALUE), `covariance ${j} not symmetric`);
      }
    }
    assert.ok(choleskySucceeds(c), `covariance ${j} is not positive definite: ${JSON.stringify(c)}`);
  });
  if (settings.standardize) {
    assert.ok(r.standardization);
    assertFinite('standardization.mean', r.standardization!.mean);
    r.standardization!.sd.forEach((s) => assert.ok(s > 0 && Number.isFinite(s), `sd ${s}`));
  }
}

function assertBernoulliResult(r: FitResult, n: number, settings: { k: number; emVariant: EmVariant }): void {
  assert.equal(r.model, 'bernoulli');
  assertCommon(r, n, settings.k, settings.emVariant);
  r.means.forEach((m, j) => m.forEach((p, c) => assert.ok(p > 0 && p < 1, `probability [${j}][${c}] = ${p} is not strictly inside (0, 1)`)));
  for (const s of r.snapshots) s.means.forEach((m) => m.forEach((p) => assert.ok(p > 0 && p < 1, `snapshot ${s.iteration}: probability ${p}`)));
  if (r.logLikelihoodTrace) assertFinite('logLikelihoodTrace', r.logLikelihoodTrace);
}

/** What a refusal must look like: our own error type, a message that names the file or the setting and what to do. */
const ACTIONABLE = /\b(try|use|must|fewer|needs?|expected|larger|smaller|reduce|increase|choose|set|remove|standardis|covarianceType|regulari[sz]ation|K must)\b/i;

function assertOwnError(e: unknown, context: string): 'data' | 'fit' | 'options' {
  if (!(e instanceof DataError || e instanceof FitError || e instanceof OptionsError)) {
    throw new Error(`${context}: not one of the project's errors but ${(e as Error)?.stack ?? String(e)}`);
  }
  assert.doesNotMatch(e.message, /\bNaN\b|undefined|\[object /, `${context}: ${e.message}`);
  assert.match(e.message, ACTIONABLE, `${context}: the message does not say what to change: ${e.message}`);
  return e instanceof DataError ? 'data' : e instanceof FitError ? 'fit' : 'options';
}

function fitOrRefuse(dataset: Dataset, options: Partial<FitOptions>, check: (r: FitResult) => void): 'ok' | 'data' | 'fit' | 'options' {
  let result: FitResult;
  try {
    result = fitDataset(dataset, options).result;
  } catch (e) {
    return assertOwnError(e, JSON.stringify(options));
  }
  check(result);
  return 'ok';
}

// ------------------------------------------------------------------------------------------- the properties

describe('engine properties (fast-check): Gaussian fits of random small tables', function () {
  this.timeout(120_000);

  it('finite parameters, weights summing to 1, SPD covariances, monotone soft-EM trace — or a clear refusal', () => {
    const outcomes: Record<string, number> = { ok: 0, data: 0, fit: 0, options: 0 };
    fc.assert(
      fc.property(tableRecipe, gaussianSettings, (recipe, s) => {
        const table = buildTable(recipe);
        const outcome = fitOrRefuse(table, { ...s, model: 'gaussian', threads: 1 }, (r) => assertGaussianResult(r, table, s));
        outcomes[outcome]++;
        // Every generated setting is valid but one pair (random-data starts at regularization × I, so it needs
        // regularization > 0): other refusals must be about the data, never "bad settings".
        if (outcome === 'options') assert.ok(s.init === 'random-data' && s.regularization === 0, JSON.stringify(s));
      }),
      { numRuns: RUNS, seed: Number(process.env.MIXSCOPE_PROPERTY_SEED) || 20261126 },
    );
    // Not vacuous: most random settings fit.
    assert.ok(outcomes.ok > RUNS / 3, JSON.stringify(outcomes));
  });

  it('degenerate tables (all rows identical, constant or copied columns, 1e-8 / 1e8 scales) with regularisation: fit, never NaN', () => {
    const degenerate = fc.record({
      n: fc.integer({ min: 1, max: 40 }),
      d: fc.integer({ min: 1, max: 4 }),
      kind: fc.constantFrom('identical', 'constant', 'copy', 'few'),
      scale: fc.constantFrom(...SCALES),
    });
    fc.assert(
      fc.property(degenerate, gaussianSettings, (g, s) => {
        const base = Array.from({ length: g.n * g.d }, (_, i) => {
          const row = Math.floor(i / g.d);
          const col = i % g.d;
          if (g.kind === 'identical') return 0.25;
          if (g.kind === 'constant' && col === g.d - 1) return 0;
          if (g.kind === 'copy' && col > 0) return Math.sin(row * 1.7);
          if (g.kind === 'few') return (row % 3) / 3;
          return Math.sin(row * 1.7 + col * 0.3);
        });
        const table = buildTable({ n: g.n, d: g.d, kinds: Array(g.d).fill('uniform'), scales: Array(g.d).fill(g.scale), base, duplicateRows: 0 });
        fitOrRefuse(table, { ...s, regularization: 1e-6, model: 'gaussian', threads: 1 }, (r) => assertGaussianResult(r, table, { ...s, regularization: 1e-6 }));
      }),
      { numRuns: RUNS, seed: Number(process.env.MIXSCOPE_PROPERTY_SEED) || 5 },
    );
  });
});

describe('engine properties (fast-check): Bernoulli fits of random binary matrices', function () {
  this.timeout(120_000);

  it('probabilities strictly inside (0, 1), weights summing to 1, monotone soft-EM objective — or a clear refusal', () => {
    const outcomes: Record<string, number> = { ok: 0, data: 0, fit: 0, options: 0 };
    fc.assert(
      fc.property(binaryRecipe, bernoulliSettings, (recipe, s) => {
        const images = buildImages(recipe);
        const outcome = fitOrRefuse(images, { ...s, model: 'bernoulli', threads: 1 }, (r) => assertBernoulliResult(r, images.n, s));
        outcomes[outcome]++;
        assert.notEqual(outcome, 'options', JSON.stringify(s));
      }),
      { numRuns: RUNS, seed: Number(process.env.MIXSCOPE_PROPERTY_SEED) || 11 },
    );
    assert.ok(outcomes.ok > RUNS / 3, JSON.stringify(outcomes));
  });

  it('binary tables picked by model "auto" take the same path', () => {
    fc.assert(
      fc.property(binaryRecipe, bernoulliSettings, (recipe, s) => {
        const images = buildImages(recipe);
        const table: TableData = {
          kind: 'table',
          n: images.n,
          d: images.d,
          values: Float64Array.from(images.pixels),
          columns: images.summary.columns,
          summary: { ...images.summary, fileName: 'property.csv' },
        };
        fitOrRefuse(table, { ...s, model: 'auto', threads: 1 }, (r) => {
          // auto picks Bernoulli for 0/1 data when every value is 0 or 1 and there is at least one 1.
          if (r.model === 'bernoulli') assertBernoulliResult(r, table.n, s);
          else assertGaussianResult(r, table, { ...s, standardize: false, regularization: 1e-6 });
        });
      }),
      { numRuns: Math.ceil(RUNS / 2), seed: Number(process.env.MIXSCOPE_PROPERTY_SEED) || 12 },
    );
  });
});

describe('engine: a constant offset moves the means and nothing else', () => {
  // fit.ts centres columns whose offset dwarfs their spread before EM and shifts every reported mean back: the
  // result, every snapshot and an explicit start must all be in the user's units.
  it('X + 2^30 fits as X: same trace, covariances and assignments; means, snapshots and the start shifted by 2^30', () => {
    const offset = 2 ** 30;
    const next = (() => {
      let s = 77;
      return () => ((s = (s * 16807) % 2147483647) / 2147483647);
    })();
    const n = 120;
    const base: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      base.push(Math.round((c * 4 + 2 * next()) * 1024) / 1024, Math.round(((c % 2) * 5 + 2 * next()) * 1024) / 1024);
    }
    const table = (shift: number): TableData => {
      const columns = ['x', 'y'];
      return {
        kind: 'table',
        n,
        d: 2,
        values: Float64Array.from(base, (v) => v + shift),
        columns,
        summary: { fileName: 'offset.csv', n, d: 2, columns, droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [] },
      };
    };
    const start = (shift: number) => ({ weights: [1, 1, 1], means: [[0 + shift, 0 + shift], [4 + shift, 5 + shift], [8 + shift, 0 + shift]] });
    for (const covarianceType of ['full', 'diag', 'spherical', 'tied'] as const) {
      const options = { model: 'gaussian' as const, k: 3, covarianceType, init: 'params' as const, maxIterations: 30, tolerance: 0 };
      const plain = fitDataset(table(0), { ...options, initParams: start(0) }).result;
      const progress: number[][][] = [];
      const shifted = fitDataset(table(offset), { ...options, initParams: start(offset) }, { onProgress: (p) => progress.push(p.snapshot.means) }).result;
      assert.equal(shifted.iterations, plain.iterations, covarianceType);
      plain.trace.forEach((t, i) => assert.ok(Math.abs(shifted.trace[i] - t) <= 1e-6 * Math.abs(t), `${covarianceType} trace[${i}]: ${shifted.trace[i]} vs ${t}`));
      assert.deepEqual(shifted.assignments, plain.assignments);
      plain.means.forEach((m, j) => m.forEach((v, c) => assert.ok(Math.abs(shifted.means[j][c] - offset - v) < 1e-5, `${covarianceType} mean ${j},${c}`)));
      plain.covariances!.forEach((m, j) =>
        m.forEach((row, a) => row.forEach((v, b) => assert.ok(Math.abs(shifted.covariances![j][a][b] - v) <= 1e-6 * Math.max(1, Math.abs(v)), `${covarianceType} cov ${j}`))),
      );
      // Every snapshot (kept and streamed) in the user's units, the start exactly as given.
      assert.deepEqual(shifted.snapshots[0].means, start(offset).means);
      shifted.snapshots.forEach((snap, t) =>
        snap.means.forEach((m, j) => m.forEach((v, c) => assert.ok(Math.abs(v - offset - plain.snapshots[t].means[j][c]) < 1e-5, `snapshot ${t}`))),
      );
      assert.deepEqual(progress, shifted.snapshots.map((snap) => snap.means));
    }
  });
});

// ------------------------------------------------------------------------------------------- found, for the engine

describe('engine: a component collapsed onto one point', () => {
  // With regularization 0, a component that collapses onto one point used to be refused only for covarianceType
  // "full" (Cholesky fails); diag and spherical "fitted" a variance of (10ε·x)² ≈ 1.3e-26 (sklearn's 10ε on nk in
  // the mean) — rounding noise, not data — and ln L jumped from −25 to +58 on that spike. gaussian.ts now refuses a
  // variance that is rounding noise, so the same start ends the same way for every covariance type.
  it('a component collapsed onto one point (regularization 0) is refused for diag and spherical as it is for full', () => {
    const values = [0, 0, 0.1, 0.2, -0.1, 0.1, 0.2, -0.2, 10, 10, 10.1, 9.9, 9.8, 10.2, 10.2, 10.1, 50, -50];
    const columns = ['x', 'y'];
    const table: TableData = {
      kind: 'table',
      n: 9,
      d: 2,
      values: Float64Array.from(values),
      columns,
      summary: { fileName: 'lone.csv', n: 9, d: 2, columns, droppedColumns: [], skippedRows: 0, skippedLines: [], notes: [] },
    };
    const start = { weights: [0.45, 0.45, 0.1], means: [[0, 0], [10, 10], [50, -50]] };
    const covariances = { full: [[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]]], diag: [[1, 1], [1, 1], [1, 1]], spherical: [1, 1, 1] };
    for (const covarianceType of ['full', 'diag', 'spherical'] as const) {
      assert.throws(
        () =>
          fitDataset(table, {
            model: 'gaussian',
            k: 3,
            covarianceType,
            regularization: 0,
            init: 'params',
            initParams: { ...start, covariances: covariances[covarianceType] },
          }),
        (e: unknown) =>
          e instanceof FitError && /component 3 of 3/.test(e.message) && /larger regularisation/.test(e.message) && /standardising/.test(e.message),
        covarianceType,
      );
    }
  });
});
