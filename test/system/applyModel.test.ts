// "Apply a saved model to this file…" through the real engine worker (dist/worker.js), as the extension runs it: a
// FitSession whose start carries the model. The model is exported as the panel exports a fit (modelJson with the
// run's `loaded` summary); applied to the fitted file, the run's events and result are what the panel draws: the
// plotted sample, one iteration, the fit's assignments, log-likelihood, parameters and label scores, and `applied`.
// Its options are the model's settings, and a re-run with them is a fit again.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appliedRunOptions } from '../../src/host/appliedRun';
import { modelJson } from '../../src/host/exportFormats';
import { FitSession, type FitEvent, type FitInput } from '../../src/host/fitSession';
import { rerunOptions } from '../../src/host/rerun';
import { parseSavedModel } from '../../src/engine/model/schema';
import { DEFAULT_FIT_OPTIONS, type FitOptions, type FitResult } from '../../src/shared/protocol';

const root = path.resolve(__dirname, '..', '..');
const worker = { workerPath: path.join(root, 'dist', 'worker.js') };
const read = (file: string) => new Uint8Array(fs.readFileSync(path.join(root, file)));
const options = (o: Partial<FitOptions> = {}): FitOptions => ({ ...DEFAULT_FIT_OPTIONS, ...o });

async function runSession(fileName: string, opts: FitOptions, input: FitInput): Promise<{ session: FitSession; events: FitEvent[]; result?: FitResult; error?: string }> {
  const session = new FitSession(`file:///data/${fileName}`, fileName, opts);
  const events: FitEvent[] = [];
  session.subscribe((e) => events.push(e));
  const outcome = await session.start(worker, input);
  if (outcome.status === 'done') return { session, events, result: outcome.message.result };
  return { session, events, error: outcome.status === 'error' ? outcome.message : outcome.status };
}

/** Fits the file in a session and exports its model as the panel does. */
async function fitAndExport(file: string, opts: FitOptions, labels?: string) {
  const name = path.basename(file);
  const input = () => ({ bytes: read(file), ...(labels ? { labelBytes: read(labels), labelFileName: path.basename(labels) } : {}) });
  const fit = await runSession(name, opts, input());
  if (!fit.result) assert.fail(fit.error);
  const loaded = fit.session.state.loaded!;
  const modelText = modelJson(name, opts, fit.result, loaded.summary);
  return { name, input, fit: fit.result, fitLoaded: loaded, modelText };
}

describe('Apply a saved model: a run of the real engine worker that the panel draws', function () {
  this.timeout(120_000);
  before(function () {
    if (!fs.existsSync(worker.workerPath)) throw new Error('dist/worker.js is missing: run `npm run build` (npm test does).');
  });

  it('iris, mclust VVV, standardised: the fit\'s clusters on its principal axes, one iteration, the species scores', async () => {
    const fitOptions = options({ k: 3, covarianceType: 'VVV', standardize: true, maxPlotPoints: 100 });
    const { name, input, fit, fitLoaded, modelText } = await fitAndExport('test/fixtures/iris.csv', fitOptions);
    const model = parseSavedModel(modelText, 'iris.model.json');
    const applyOptions = appliedRunOptions(model, 'iris.model.json', options({ maxPlotPoints: 100 }));
    const applied = await runSession(name, applyOptions, { ...input(), apply: { modelFileName: 'iris.model.json', modelText } });
    if (!applied.result) assert.fail(applied.error);
    assert.deepEqual(applied.events.map((e) => e.type), ['loaded', 'progress', 'done']);
    const loaded = applied.events[0];
    if (loaded.type !== 'loaded') assert.fail(loaded.type);
    assert.equal(loaded.model, 'gaussian');
    // The scatter: at most maxPlotPoints rows, on the principal axes of the fit.
    assert.equal(loaded.plotSample!.indices.length, 100);
    assert.deepEqual(loaded.plotSample!.indices, fitLoaded.plotSample!.indices);
    assert.deepEqual(loaded.plotSample!.projection!.explained.map((v) => v.toFixed(12)), fitLoaded.plotSample!.projection!.explained.map((v) => v.toFixed(12)));
    const r = applied.result;
    assert.equal(r.iterations, 0);
    assert.equal(r.snapshots.length, 1);
    assert.deepEqual(r.assignments, fit.assignments);
    assert.ok(Math.abs(r.logLikelihood - fit.logLikelihood) <= 1e-10 * Math.abs(fit.logLikelihood), `${r.logLikelihood} vs ${fit.logLikelihood}`);
    r.means.flat().forEach((v, i) => assert.ok(Math.abs(v - fit.means.flat()[i]) <= 1e-12, `mean ${i}`));
    assert.deepEqual(r.labelMetrics?.confusion, fit.labelMetrics?.confusion);
    assert.deepEqual(r.applied, { modelFile: 'iris.model.json', fittedTo: 'iris.csv', fittedRows: 150, fittedLogLikelihood: fit.logLikelihood, covarianceModel: 'VVV' });
    const done = applied.events[2];
    if (done.type !== 'done') assert.fail(done.type);
    assert.equal(done.plotAssignments?.length, 100);
  });

  it('its options are the model\'s settings; a re-run from its panel with them fits the file', async () => {
    const fitOptions = options({ k: 3, covarianceType: 'EEV', standardize: true, seed: 4 });
    const { name, input, modelText } = await fitAndExport('test/fixtures/iris.csv', fitOptions);
    // The window's own settings differ: the model's win, but the plotted points stay the window's.
    const windowSettings = options({ k: 'auto', covarianceType: 'full', standardize: false, maxPlotPoints: 300 });
    const applyOptions = appliedRunOptions(parseSavedModel(modelText, 'm.json'), 'm.json', windowSettings);
    assert.equal(applyOptions.k, 3);
    assert.equal(applyOptions.covarianceType, 'EEV');
    assert.equal(applyOptions.standardize, true);
    assert.equal(applyOptions.model, 'gaussian');
    assert.equal(applyOptions.seed, 4);
    assert.equal(applyOptions.maxPlotPoints, 300);
    assert.deepEqual(applyOptions.columns, ['Sepal.Length', 'Sepal.Width', 'Petal.Length', 'Petal.Width']);
    const applied = await runSession(name, applyOptions, { ...input(), apply: { modelFileName: 'm.json', modelText } });
    if (!applied.result) assert.fail(applied.error);
    const rerun = await runSession(name, rerunOptions(applyOptions, applied.result, 2, 50, windowSettings), input());
    if (!rerun.result) assert.fail(rerun.error);
    assert.equal(rerun.result.applied, undefined);
    assert.equal(rerun.result.k, 2);
    assert.equal(rerun.result.covarianceType, 'EEV');
    assert.ok(rerun.result.iterations > 0);
    assert.ok(rerun.result.standardization);
  });

  it('a mixed model (numeric and categorical columns): its Gaussian block\'s scatter and answer profiles; a re-run is a mixed fit again', async () => {
    const fitOptions = options({ k: 2, covarianceType: 'VEV', seed: 1 });
    const { name, input, fit, fitLoaded, modelText } = await fitAndExport('test/fixtures/mixed.csv', fitOptions);
    assert.equal(fit.model, 'mixed');
    const applyOptions = appliedRunOptions(parseSavedModel(modelText, 'm.json'), 'm.json', options());
    assert.equal(applyOptions.model, 'mixed');
    assert.equal(applyOptions.covarianceType, 'VEV');
    assert.deepEqual(applyOptions.columns, ['height', 'score', 'smoker', 'commute']);
    const applied = await runSession(name, applyOptions, { ...input(), apply: { modelFileName: 'm.json', modelText } });
    if (!applied.result) assert.fail(applied.error);
    assert.deepEqual(applied.events.map((e) => e.type), ['loaded', 'progress', 'done']);
    const loaded = applied.events[0];
    if (loaded.type !== 'loaded') assert.fail(loaded.type);
    assert.deepEqual(loaded.plotSample?.indices, fitLoaded.plotSample?.indices);
    assert.deepEqual(applied.result.assignments, fit.assignments);
    assert.ok(Math.abs(applied.result.logLikelihood - fit.logLikelihood) <= 1e-10 * Math.abs(fit.logLikelihood));
    assert.deepEqual(applied.result.categories, fit.categories);
    const rerun = await runSession(name, rerunOptions(applyOptions, applied.result, 3, 50, options()), input());
    if (!rerun.result) assert.fail(rerun.error);
    assert.equal(rerun.result.model, 'mixed');
    assert.equal(rerun.result.k, 3);
    assert.ok(rerun.result.iterations > 0);
  });

  it('the MNIST sample with its labels file: the Bernoulli model\'s clusters, examples and label scores', async () => {
    const images = 'media/samples/mnist-2000-images-idx3-ubyte';
    const { name, input, fit, modelText } = await fitAndExport(images, options({ k: 10, maxIterations: 5, seed: 1 }), 'media/samples/mnist-2000-labels-idx1-ubyte');
    const model = parseSavedModel(modelText, 'mnist.model.json');
    const applied = await runSession(name, appliedRunOptions(model, 'mnist.model.json', options()), { ...input(), apply: { modelFileName: 'mnist.model.json', modelText } });
    if (!applied.result) assert.fail(applied.error);
    const done = applied.events[applied.events.length - 1];
    if (done.type !== 'done') assert.fail(done.type);
    assert.equal(done.examples?.length, 10);
    assert.deepEqual(applied.result.assignments, fit.assignments);
    assert.deepEqual(applied.result.labelMetrics?.confusion, fit.labelMetrics?.confusion);
    assert.deepEqual(applied.result.imageShape, [28, 28]);
  });

  it('a file without one of the model\'s columns: one error naming the file and the column, no result', async () => {
    const { modelText } = await fitAndExport('test/fixtures/faithful.csv', options({ k: 2, covarianceType: 'full' }));
    const other = new TextEncoder().encode('eruptions,wait\n3.6,79\n1.8,54\n');
    const applied = await runSession('other.csv', options(), { bytes: other, apply: { modelFileName: 'faithful.model.json', modelText } });
    assert.equal(applied.result, undefined);
    assert.match(applied.error!, /^other\.csv: there is no column "waiting"/);
    assert.deepEqual(applied.events.map((e) => e.type), ['error']);
  });

  it('a model file that is not a model: one error naming the model file', async () => {
    const applied = await runSession('a.csv', options(), { bytes: new TextEncoder().encode('x\n1\n2\n'), apply: { modelFileName: 'notes.json', modelText: '{"a": 1}' } });
    assert.match(applied.error!, /^notes\.json: is not a Mixscope model/);
  });
});
