// A saved model shown on a file (src/engine/model/apply.ts): on the file the model was fitted to, the applied result
// has the fit's assignments, log-likelihood and parameters, label scores and BIC, with no EM iteration, for
// scikit-learn's covariance types, mclust's models, the variational mixture, the Bernoulli family on the MNIST
// sample (with its labels file) and the Poisson family; on another file it agrees with `mixscope predict`.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import { DataError } from '../../../src/engine/errors';
import { fitDataset } from '../../../src/engine/fit';
import { applyModel } from '../../../src/engine/model/apply';
import { loadForModel, predictDataset } from '../../../src/engine/model/predict';
import { buildSavedModel, parseSavedModel, savedModelJson, type SavedModel } from '../../../src/engine/model/schema';
import { DEFAULT_FIT_OPTIONS, type DatasetSummary, type FitOptions, type FitResult, type PlotSample } from '../../../src/shared/protocol';

const root = path.resolve(__dirname, '../../..');
const read = (file: string) => new Uint8Array(readFileSync(path.join(root, file)));
const FAITHFUL = 'test/fixtures/faithful.csv';
const IRIS = 'test/fixtures/iris.csv';
const COUNTS = 'test/fixtures/counts.csv';
const SURVEY = 'test/fixtures/survey.csv';
const SURVEY_NEW = 'test/fixtures/survey-new.csv';
const MIXED = 'test/fixtures/mixed.csv';
const MIXED_NEW = 'test/fixtures/mixed-new.csv';
const MIXED_MISSING = 'test/fixtures/mixed-missing.csv';
const MIXED_COUNTS = 'test/fixtures/mixed-counts.csv';
const MIXED_COUNTS_MISSING = 'test/fixtures/mixed-counts-missing.csv';
const MNIST = 'media/samples/mnist-2000-images-idx3-ubyte';
const MNIST_LABELS = 'media/samples/mnist-2000-labels-idx1-ubyte';

interface Fitted {
  options: FitOptions;
  result: FitResult;
  plotSample?: PlotSample;
  plotAssignments?: number[];
  model: SavedModel;
}

/** Fits `file` as the worker does and saves the model as the CLI's --save-model does (through its JSON text). */
function fitAndSave(file: string, partial: Partial<FitOptions>, labels?: string): Fitted {
  const options: FitOptions = { ...DEFAULT_FIT_OPTIONS, threads: 1, ...partial };
  const name = path.basename(file);
  const dataset = loadDataset(name, read(file), {
    missing: options.missing,
    ...(options.columns.length > 0 ? { columns: options.columns } : {}),
    ...(options.categorical.length > 0 ? { categorical: options.categorical } : {}),
    ...(labels ? { labelBytes: read(labels), labelFileName: path.basename(labels) } : {}) });
  let summary: DatasetSummary | undefined;
  let plotSample: PlotSample | undefined;
  const outcome = fitDataset(dataset, options, {
    onLoaded: (info) => {
      summary = info.summary;
      plotSample = info.plotSample;
    },
  });
  const model = parseSavedModel(savedModelJson(buildSavedModel({ options, result: outcome.result, summary: summary! })), 'm.json');
  return { options, result: outcome.result, plotSample, plotAssignments: outcome.plotAssignments, model };
}

async function applyTo(fitted: Fitted, file: string, labels?: string, maxPlotPoints = DEFAULT_FIT_OPTIONS.maxPlotPoints) {
  const name = path.basename(file);
  const dataset = await loadForModel(fitted.model, name, read(file), labels ? { labelBytes: read(labels), labelFileName: path.basename(labels) } : {});
  const loaded: { model?: string; plotSample?: PlotSample }[] = [];
  const progress: number[] = [];
  const outcome = applyModel(fitted.model, dataset, 'm.json', { maxPlotPoints }, {
    onLoaded: (info) => loaded.push({ model: info.model, plotSample: info.plotSample }),
    onProgress: (p) => progress.push(p.iteration),
  });
  return { outcome, result: outcome.result, loaded, progress };
}

function close(actual: number, expected: number, relative: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

function closeArrays(actual: unknown, expected: unknown, relative: number, what: string): void {
  const a = [actual].flat(3) as number[];
  const e = [expected].flat(3) as number[];
  assert.equal(a.length, e.length, `${what}: ${a.length} numbers vs ${e.length}`);
  a.forEach((v, i) => close(v, e[i], relative, `${what}[${i}]`));
}

/** What every applied result on the fitted file must share with the fit. */
function assertSameAsFit(fitted: Fitted, applied: Awaited<ReturnType<typeof applyTo>>): void {
  const { result: fit } = fitted;
  const r = applied.result;
  assert.equal(r.model, fit.model);
  assert.equal(r.k, fit.k);
  assert.equal(r.n, fit.n);
  assert.deepEqual(r.columns, fit.columns);
  assert.deepEqual(r.assignments, fit.assignments);
  close(r.logLikelihood, fit.logLikelihood, 1e-10, 'log-likelihood');
  closeArrays(r.weights, fit.weights, 1e-12, 'weights');
  closeArrays(r.means, fit.means, 1e-12, 'means');
  if (fit.covariances) closeArrays(r.covariances, fit.covariances, 1e-12, 'covariances');
  close(r.bic, fit.bic, 1e-10, 'BIC');
  // Not a fit: the saved parameters, one E-step, no iteration.
  assert.equal(r.iterations, 0);
  assert.equal(r.trace.length, 1);
  assert.equal(r.snapshots.length, 1);
  assert.deepEqual(applied.progress, [0]);
  assert.equal(applied.loaded.length, 1);
  assert.deepEqual(r.applied, {
    modelFile: 'm.json',
    fittedTo: fitted.model.source.fileName,
    fittedRows: fit.n,
    fittedLogLikelihood: fit.logLikelihood,
    ...(fitted.model.covarianceModel ? { covarianceModel: fitted.model.covarianceModel } : {}),
  });
  assert.match(r.modelReason, /^the saved model m\.json, fitted to /);
  if (fit.labelMetrics) {
    assert.deepEqual(r.labelMetrics?.confusion, fit.labelMetrics.confusion);
    assert.equal(r.labelMetrics?.adjustedRandIndex, fit.labelMetrics.adjustedRandIndex);
  }
  if (fitted.plotAssignments) assert.deepEqual(applied.outcome.plotAssignments, fitted.plotAssignments);
}

describe('saved models: applied to a file as the panel shows them', function () {
  this.timeout(60_000);

  const gaussianCases: [string, string, Partial<FitOptions>][] = [
    ['scikit-learn full', FAITHFUL, { k: 3, covarianceType: 'full' }],
    ['scikit-learn tied', FAITHFUL, { k: 3, covarianceType: 'tied' }],
    ['scikit-learn diag, standardised', IRIS, { k: 3, covarianceType: 'diag', standardize: true }],
    ['mclust VEV', FAITHFUL, { k: 3, covarianceType: 'VEV' }],
    ['mclust EEI', IRIS, { k: 3, covarianceType: 'EEI' }],
    ['mclust VVE, standardised (iris, its species as labels)', IRIS, { k: 3, covarianceType: 'VVE', standardize: true }],
  ];
  for (const [label, file, options] of gaussianCases) {
    it(`Gaussian, ${label}: the fit's assignments, log-likelihood, parameters and plotted sample`, async () => {
      const fitted = fitAndSave(file, options);
      const applied = await applyTo(fitted, file);
      assertSameAsFit(fitted, applied);
      assert.equal(applied.result.covarianceType, fitted.result.covarianceType);
      closeArrays(applied.result.icl, fitted.result.icl, 1e-10, 'ICL');
      // The scatter: the same rows, in the fit's units, on the same principal axes.
      const sample = applied.loaded[0].plotSample!;
      assert.deepEqual(sample.indices, fitted.plotSample!.indices);
      closeArrays(sample.values, fitted.plotSample!.values, 1e-12, 'plotted values');
      if (fitted.plotSample!.projection) closeArrays(sample.projection!.axes, fitted.plotSample!.projection.axes, 1e-9, 'projection axes');
      // The least certain rows: the same rows and components (their uncertainty to rounding).
      const rowsOf = (r: FitResult) => r.uncertainRows?.map(({ row, component }) => [row, component]);
      assert.deepEqual(rowsOf(applied.result), rowsOf(fitted.result));
      closeArrays(applied.result.uncertainRows?.map((u) => u.uncertainty) ?? [], fitted.result.uncertainRows?.map((u) => u.uncertainty) ?? [], 1e-10, 'uncertainty');
      if (fitted.result.dimensionReduction) closeArrays(applied.result.dimensionReduction!.eigenvalues, fitted.result.dimensionReduction.eigenvalues, 1e-9, 'MclustDR eigenvalues');
    });
  }

  it('iris: the label scores are those of the fit (species, never used)', async () => {
    const fitted = fitAndSave(IRIS, { k: 3, covarianceType: 'VVV' });
    assert.ok(fitted.result.labelMetrics, 'the fit scores the clusters against the species');
    const applied = await applyTo(fitted, IRIS);
    assert.deepEqual(applied.result.labelMetrics, fitted.result.labelMetrics);
  });

  it('Gaussian, variational: its expected parameters as a full-covariance mixture, the prediction\'s log-likelihood', async () => {
    const fitted = fitAndSave(FAITHFUL, { k: 4, covarianceType: 'variational' });
    const applied = await applyTo(fitted, FAITHFUL);
    const predicted = predictDataset(fitted.model, await loadForModel(fitted.model, 'faithful.csv', read(FAITHFUL)));
    assert.deepEqual(applied.result.assignments, Array.from(predicted.assignments));
    close(applied.result.logLikelihood, predicted.logLikelihood, 1e-10, 'log-likelihood');
    assert.deepEqual(applied.result.assignments, fitted.result.assignments);
    assert.equal(applied.result.covarianceType, 'full');
    assert.equal(applied.result.applied?.covarianceModel, 'variational');
    assert.ok(applied.result.notes?.some((n) => /expected parameters/.test(n)));
  });

  it('Bernoulli on the MNIST sample with its labels file: the fit\'s assignments, log-likelihood, pixel probabilities, label scores and examples', async () => {
    const fitted = fitAndSave(MNIST, { k: 10, maxIterations: 8, seed: 1 }, MNIST_LABELS);
    assert.equal(fitted.model.family, 'bernoulli');
    const applied = await applyTo(fitted, MNIST, MNIST_LABELS);
    assertSameAsFit(fitted, applied);
    assert.deepEqual(applied.result.imageShape, [28, 28]);
    assert.ok(applied.result.labelMetrics);
    assert.deepEqual(applied.result.labelMetrics, fitted.result.labelMetrics);
    // The objective carries the Beta prior, as the fit's trace does.
    close(applied.result.trace[0], fitted.result.trace[fitted.result.trace.length - 1], 1e-10, 'objective');
    assert.equal(applied.outcome.examples?.length, 10);
  });

  it('Poisson on counts: the fit\'s assignments, log-likelihood, rates and count histograms', async () => {
    const fitted = fitAndSave(COUNTS, { model: 'poisson', k: 3 });
    const applied = await applyTo(fitted, COUNTS);
    assertSameAsFit(fitted, applied);
    closeArrays(applied.result.rates, fitted.result.rates, 1e-12, 'rates');
    assert.deepEqual(applied.result.countHistograms, fitted.result.countHistograms);
  });

  it('categorical (latent classes) on the survey: the fit\'s assignments, log-likelihood and answer profiles', async () => {
    const fitted = fitAndSave(SURVEY, { k: 3, seed: 1 });
    assert.equal(fitted.result.model, 'categorical');
    const applied = await applyTo(fitted, SURVEY);
    assertSameAsFit(fitted, applied);
    assert.deepEqual(applied.result.categories, fitted.result.categories);
    closeArrays(applied.result.probabilities, fitted.result.probabilities, 1e-12, 'probabilities');
  });

  for (const [label, file, partial] of [
    ['full', MIXED, { k: 2, seed: 1 }],
    ['mclust VEV', MIXED, { k: 2, seed: 1, covarianceType: 'VEV' }],
    ['with missing numeric cells', MIXED_MISSING, { k: 2, seed: 1 }],
  ] as const) {
    it(`mixed, ${label}: the fit's assignments, log-likelihood, Gaussian block and answer profiles`, async () => {
      const fitted = fitAndSave(file, partial as Partial<FitOptions>);
      assert.equal(fitted.result.model, 'mixed');
      const applied = await applyTo(fitted, file);
      assertSameAsFit(fitted, applied);
      closeArrays(applied.result.probabilities, fitted.result.probabilities, 1e-12, 'probabilities');
      // The panel's scatter of the numeric columns: the same plotted rows as the fit's.
      assert.deepEqual(applied.loaded[0].plotSample?.indices, fitted.plotSample?.indices);
    });
  }

  const countCases: [string, string, Partial<FitOptions> & { countColumns: string[] }][] = [
    ['numeric, count and categorical columns', MIXED_COUNTS, { k: 3, seed: 1, countColumns: ['visits', 'calls'] }],
    ['with missing counts', MIXED_COUNTS_MISSING, { k: 3, seed: 1, countColumns: ['visits', 'calls'] }],
    ['count and categorical columns (no Gaussian block)', MIXED_COUNTS, { k: 3, seed: 1, countColumns: ['visits', 'calls'], columns: ['visits', 'calls', 'smoker', 'commute'], categorical: ['smoker', 'commute'] }],
    ['numeric and count columns (no categorical block)', MIXED_COUNTS, { k: 3, seed: 2, countColumns: ['calls'], columns: ['height', 'score', 'calls'] }],
  ];
  for (const [label, file, partial] of countCases) {
    it(`mixed, ${label}: saved, predicted and applied, the fit's assignments, log-likelihood and rates`, async () => {
      const fitted = fitAndSave(file, partial);
      assert.equal(fitted.result.model, 'mixed');
      assert.deepEqual(fitted.model.countColumns, partial.countColumns);
      if (label.includes('no Gaussian')) assert.equal(fitted.model.d, 0);
      if (label.includes('no categorical')) assert.equal(fitted.model.categories, undefined);
      closeArrays(fitted.model.parameters.rates, fitted.result.rates, 0, 'saved rates');
      const predicted = predictDataset(fitted.model, await loadForModel(fitted.model, path.basename(file), read(file)));
      assert.deepEqual(Array.from(predicted.assignments), fitted.result.assignments);
      close(predicted.logLikelihood, fitted.result.logLikelihood, 1e-12, 'predicted log-likelihood');
      const applied = await applyTo(fitted, file);
      assertSameAsFit(fitted, applied);
      assert.deepEqual(applied.result.countColumns, fitted.result.countColumns);
      closeArrays(applied.result.rates, fitted.result.rates, 1e-12, 'rates');
      if (fitted.result.probabilities) closeArrays(applied.result.probabilities, fitted.result.probabilities, 1e-12, 'probabilities');
    });
  }

  it('categorical and mixed on another file (columns reordered, categories in another order): the prediction\'s assignments and log-likelihood', async () => {
    for (const [fittedFile, otherFile, partial] of [
      [SURVEY, SURVEY_NEW, { k: 3, seed: 1 }],
      [MIXED, MIXED_NEW, { k: 2, seed: 1 }],
    ] as const) {
      const fitted = fitAndSave(fittedFile, partial);
      const name = path.basename(otherFile);
      const applied = applyModel(fitted.model, await loadForModel(fitted.model, name, read(otherFile)), 'm.json', { maxPlotPoints: 5000 });
      const predicted = predictDataset(fitted.model, await loadForModel(fitted.model, name, read(otherFile)));
      assert.deepEqual(applied.result.assignments, Array.from(predicted.assignments), name);
      close(applied.result.logLikelihood, predicted.logLikelihood, 1e-12, `${name}: log-likelihood`);
      assert.deepEqual(applied.result.categories, fitted.result.categories, `${name}: the model's categories`);
    }
  });

  it('on another file: the prediction\'s assignments and log-likelihood, the model\'s parameters unchanged', async () => {
    const fitted = fitAndSave(IRIS, { k: 3, covarianceType: 'VVV', standardize: true });
    // Every other row of iris, read through a file of its own.
    const lines = readFileSync(path.join(root, IRIS), 'utf8').trim().split(/\r?\n/);
    const half = [lines[0], ...lines.slice(1).filter((_, i) => i % 2 === 0)].join('\n') + '\n';
    const bytes = new TextEncoder().encode(half);
    const dataset = await loadForModel(fitted.model, 'half.csv', bytes);
    const applied = applyModel(fitted.model, dataset, 'm.json', { maxPlotPoints: 40 });
    const predicted = predictDataset(fitted.model, await loadForModel(fitted.model, 'half.csv', bytes));
    assert.equal(applied.result.n, 75);
    assert.deepEqual(applied.result.assignments, Array.from(predicted.assignments));
    close(applied.result.logLikelihood, predicted.logLikelihood, 1e-12, 'log-likelihood');
    closeArrays(applied.result.means, fitted.result.means, 1e-12, 'means');
    assert.deepEqual(applied.result.standardization, fitted.result.standardization);
    // At most maxPlotPoints rows are plotted.
    assert.equal(applied.plotAssignments?.length, 40);
    assert.deepEqual(applied.plotAssignments, applied.result.assignments.filter((_, i) => applied.plotSample!.indices.includes(i)));
  });

  it('parameters a file cannot use are one error naming the model file', async () => {
    const fitted = fitAndSave(FAITHFUL, { k: 2, covarianceType: 'full' });
    const broken: SavedModel = JSON.parse(JSON.stringify(fitted.model));
    broken.parameters.covariances![1] = [[1, 2], [2, 1]];
    const dataset = await loadForModel(broken, 'faithful.csv', read(FAITHFUL));
    assert.throws(
      () => applyModel(broken, dataset, 'm.json', { maxPlotPoints: 100 }),
      (e: unknown) => e instanceof DataError && e.fileName === 'm.json' && /^m\.json: its parameters cannot be used: parameters\.covariances\[1\] \(component 2\) is not symmetric positive definite/.test(e.message),
    );
  });

  it('a Poisson model on a file of measurements is the family\'s own message naming the file', async () => {
    const fitted = fitAndSave(COUNTS, { model: 'poisson', k: 2 });
    const columns = fitted.model.columns;
    const text = `${columns.join(',')}\n${columns.map(() => '1.5').join(',')}\n${columns.map(() => '2').join(',')}\n`;
    const dataset = await loadForModel(fitted.model, 'rates.csv', new TextEncoder().encode(text));
    assert.throws(() => applyModel(fitted.model, dataset, 'm.json', { maxPlotPoints: 100 }), (e: unknown) => e instanceof DataError && /^rates\.csv: a Poisson mixture needs counts/.test(e.message));
  });
});
