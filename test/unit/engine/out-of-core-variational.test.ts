// covarianceType "variational" out of core against in memory: the same file fitted both ways gives the same lower
// bound trace (to 1e-9 relative), the same log-likelihood curve, parameters and assignments, restarts included; the
// streamed statistics give fit.ts's fit for every covariance type; a sampled start is k-means on the sample with every
// row in its nearest centre's component.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { hardResponsibilities } from '../../../src/engine/em/init';
import { kmeans } from '../../../src/engine/em/kmeans';
import { Rng } from '../../../src/engine/em/rng';
import type { RowSource } from '../../../src/engine/em/streaming';
import { OptionsError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import { fitVariational, type VariationalCovarianceType } from '../../../src/engine/families/gaussian/variational';
import { runStreamedVariational } from '../../../src/engine/families/gaussian/variational/streamed';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import type { EmProgress } from '../../../src/engine/em/em';
import type { FitOptions } from '../../../src/shared/protocol';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

function assertClose(actual: number, expected: number, what: string): void {
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

function table(file: string) {
  const dataset = loadDataset(file, fs.readFileSync(path.join(FIXTURES, file)), { missing: 'skip' });
  if (dataset.kind !== 'table') throw new Error('table expected');
  return dataset;
}

/** An in-memory table as a RowSource of `chunkRows`-row chunks. */
function arraySource(values: Float64Array, n: number, d: number, chunkRows: number): RowSource {
  const buffer = new Float64Array(chunkRows * d);
  return {
    n,
    d,
    chunkRows,
    buffer,
    forEachChunk(visit) {
      for (let start = 0; start < n; start += chunkRows) {
        const rows = Math.min(chunkRows, n - start);
        buffer.set(values.subarray(start * d, (start + rows) * d));
        visit(rows, start);
      }
    },
  };
}

describe('out-of-core variational mixture equals the in-memory fit', function () {
  this.timeout(60_000);
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-vb-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  const cases: { file: string; options: Partial<FitOptions>; chunkRows: number }[] = [
    { file: 'faithful.csv', options: { model: 'gaussian', k: 6, covarianceType: 'variational', seed: 3, restarts: 3 }, chunkRows: 17 },
    { file: 'iris.csv', options: { model: 'gaussian', k: 5, covarianceType: 'variational', seed: 1, standardize: true, tolerance: 1e-8 }, chunkRows: 7 },
    { file: 'iris.csv', options: { model: 'gaussian', k: 'auto', kRange: '2-4', covarianceType: 'variational', weightPrior: 'dirichlet-distribution', seed: 2 }, chunkRows: 150 },
  ];
  for (const { file, options, chunkRows } of cases) {
    it(`${file}, K ${options.k === 'auto' ? options.kRange : options.k}, ${options.weightPrior ?? 'dirichlet-process'}${options.standardize ? ', standardised' : ''}${options.restarts ? `, ${options.restarts} restarts` : ''}, chunks of ${chunkRows} rows`, async () => {
      const full = path.join(FIXTURES, file);
      const expectedProgress: EmProgress[] = [];
      const expected = fitDataset(table(file), options, { onProgress: (p) => expectedProgress.push(p) }).result;
      const progress: EmProgress[] = [];
      let storeDir = '';
      const outcome = await fitOutOfCore(full, options, 1, { onProgress: (p) => progress.push(p) }, { chunkRows, tempParent: temp, onStore: (dir) => (storeDir = dir) });
      const actual = outcome.result;
      assert.equal(actual.covarianceType, 'variational');
      assert.deepEqual([actual.n, actual.k, actual.iterations, actual.converged], [expected.n, expected.k, expected.iterations, expected.converged]);
      assert.equal(actual.trace.length, expected.trace.length);
      actual.trace.forEach((v, i) => assertClose(v, expected.trace[i], `lower bound ${i}`));
      actual.logLikelihoodTrace!.forEach((v, i) => assertClose(v, expected.logLikelihoodTrace![i], `log-likelihood ${i}`));
      assert.equal(actual.restartObjectives.length, expected.restartObjectives.length);
      actual.restartObjectives.forEach((v, i) => assertClose(v, expected.restartObjectives[i], `restart ${i}`));
      assertClose(actual.logLikelihood, expected.logLikelihood, 'log-likelihood');
      assertClose(actual.bic, expected.bic, 'BIC');
      assert.deepEqual(actual.variational!.effectiveComponents, expected.variational!.effectiveComponents);
      assertClose(actual.variational!.lowerBound, expected.variational!.lowerBound, 'lower bound');
      for (let j = 0; j < expected.k; j++) {
        assertClose(actual.weights[j], expected.weights[j], `weight ${j}`);
        expected.means[j].forEach((m, c) => assertClose(actual.means[j][c], m, `mean ${j},${c}`));
        expected.covariances![j].forEach((row, a) => row.forEach((v, b) => assertClose(actual.covariances![j][a][b], v, `cov ${j},${a},${b}`)));
      }
      assert.equal(actual.standardization === undefined, expected.standardization === undefined);
      // Every row is plotted here: the assignments are the in-memory ones.
      assert.deepEqual(actual.assignedRows, Array.from({ length: expected.n }, (_, i) => i));
      assert.deepEqual(outcome.plotAssignments, expected.assignments);
      // The panel sees every iteration of every restart, in order, with the in-memory objective and curve.
      assert.deepEqual(
        progress.map((p) => [p.restart, p.iteration]),
        expectedProgress.map((p) => [p.restart, p.iteration]),
      );
      progress.forEach((p, i) => {
        assertClose(p.objective, expectedProgress[i].objective, `progress ${i} objective`);
        assertClose(p.logLikelihood, expectedProgress[i].logLikelihood, `progress ${i} log-likelihood`);
      });
      assert.ok(storeDir !== '' && !fs.existsSync(storeDir), 'the temporary store was removed');
    });
  }

  it('keeps the restart with the largest lower bound, as scikit-learn\'s n_init', async () => {
    const options: Partial<FitOptions> = { model: 'gaussian', k: 6, covarianceType: 'variational', seed: 7, restarts: 4 };
    const actual = (await fitOutOfCore(path.join(FIXTURES, 'faithful.csv'), options, 1, {}, { chunkRows: 40, tempParent: temp })).result;
    assert.equal(actual.restartObjectives.length, 4);
    assert.equal(actual.variational!.lowerBound, Math.max(...actual.restartObjectives));
    assert.equal(actual.trace[actual.trace.length - 1], actual.variational!.lowerBound);
  });

  it('refuses another start before reading the file', async () => {
    await assert.rejects(
      () => fitOutOfCore(path.join(FIXTURES, 'faithful.csv'), { model: 'gaussian', k: 3, covarianceType: 'variational', init: 'random' }, 1, {}, { tempParent: temp, settingPrefix: 'mixscope.' }),
      (e: unknown) => e instanceof OptionsError && /over the 1 MB memory budget .*starts covarianceType "variational" from k-means .*not from init "random"\. Set mixscope\.init to "kmeans\+\+"/.test((e as Error).message),
    );
    assert.deepEqual(fs.readdirSync(temp), []);
  });
});

describe('the streamed variational statistics', () => {
  const data = table('iris.csv');
  const { n, d, values } = data;

  for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as VariationalCovarianceType[]) {
    it(`give fit.ts's fit for covarianceType ${covarianceType}, from every row's k-means start`, () => {
      const k = 4;
      const start = hardResponsibilities(kmeans(values, n, d, k, new Rng(5)).labels, n, k);
      const expected = fitVariational(Float64Array.from(values), n, d, k, { startResponsibilities: start, covarianceType, tolerance: 1e-6, maxIterations: 200, regularization: 1e-6 });
      const run = runStreamedVariational(arraySource(values, n, d, 23), {
        k,
        covarianceType,
        weightConcentrationPriorType: 'dirichlet_process',
        regularization: 1e-6,
        tolerance: 1e-6,
        maxIterations: 200,
        restarts: 1,
        seed: 5,
        sample: { values, m: n },
        plotIndices: [0, 60, 149],
      });
      assert.equal(run.iterations, expected.iterations);
      assert.equal(run.converged, expected.converged);
      run.lowerBounds.forEach((v, i) => assertClose(v, expected.lowerBounds[i], `lower bound ${i}`));
      assertClose(run.logLikelihood, expected.logLikelihood, 'log-likelihood');
      const last = run.snapshots[run.snapshots.length - 1];
      for (let c = 0; c < k; c++) {
        assertClose(last.weights[c], expected.weights[c], `weight ${c}`);
        for (let a = 0; a < d; a++) {
          assertClose(last.means[c][a], expected.means[c * d + a], `mean ${c},${a}`);
          for (let b = 0; b < d; b++) assertClose(last.covariances[c][a][b], expected.covariances[(c * d + a) * d + b], `cov ${c},${a},${b}`);
        }
      }
      assert.deepEqual(run.plotAssignments, [0, 60, 149].map((i) => expected.assignments[i]));
      assert.deepEqual(run.sizes, Array.from({ length: k }, (_, c) => expected.assignments.filter((a) => a === c).length));
    });
  }

  it('from a sample of the rows: k-means on the sample, every row in its nearest centre\'s component', () => {
    const k = 3;
    const sampleRows = Array.from({ length: 50 }, (_, i) => 3 * i);
    const sample = new Float64Array(sampleRows.length * d);
    sampleRows.forEach((row, i) => sample.set(values.subarray(row * d, (row + 1) * d), i * d));
    const { centers } = kmeans(sample, sampleRows.length, d, k, new Rng(9));
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const distance = (c: number) => values.subarray(i * d, (i + 1) * d).reduce((s, v, j) => s + (v - centers[c * d + j]) ** 2, 0);
      for (let c = 1; c < k; c++) if (distance(c) < distance(labels[i])) labels[i] = c;
    }
    const expected = fitVariational(Float64Array.from(values), n, d, k, { startResponsibilities: hardResponsibilities(labels, n, k), tolerance: 1e-3, maxIterations: 100, regularization: 1e-6 });
    const run = runStreamedVariational(arraySource(values, n, d, 64), {
      k,
      weightConcentrationPriorType: 'dirichlet_process',
      regularization: 1e-6,
      tolerance: 1e-3,
      maxIterations: 100,
      restarts: 1,
      seed: 9,
      sample: { values: sample, m: sampleRows.length },
      plotIndices: [],
    });
    assert.equal(run.iterations, expected.iterations);
    run.lowerBounds.forEach((v, i) => assertClose(v, expected.lowerBounds[i], `lower bound ${i}`));
  });
});
