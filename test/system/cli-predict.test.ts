// `mixscope fit --save-model` and `mixscope predict` (the built CLI, as a user runs it): on the file a model was
// fitted to, predict gives the fit's assignments and log-likelihood, for scikit-learn's covariance types, mclust's
// models, a model selection and the Bernoulli family on MNIST; and the model file is only ever a new file.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCommandLine } from '../../src/cli/flags';

const root = path.resolve(__dirname, '../..');
const faithful = path.join(root, 'test/fixtures/faithful.csv');
const iris = path.join(root, 'test/fixtures/iris.csv');
const mnist = path.join(root, 'media/samples/mnist-2000-images-idx3-ubyte');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/mixscope.js'), ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI: mixscope fit --save-model and mixscope predict', function () {
  this.timeout(120_000);
  let dir = '';
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-predict-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Fits with `flags` and --save-model, predicts the same file, and returns both outputs. */
  function fitThenPredict(file: string, flags: string[], name: string) {
    const model = path.join(dir, `${name}.json`);
    const fit = cli(['fit', file, ...flags, '--save-model', model, '--json']);
    assert.equal(fit.code, 0, fit.stderr);
    const predicted = cli(['predict', model, file, '--json']);
    assert.equal(predicted.code, 0, predicted.stderr);
    return { fit: JSON.parse(fit.stdout), predict: JSON.parse(predicted.stdout), model: JSON.parse(fs.readFileSync(model, 'utf8')) };
  }

  const gaussianCases: [string, string, string[]][] = [
    ['faithful, full', faithful, ['--k', '3', '--covariance', 'full']],
    ['faithful, diag', faithful, ['--k', '3', '--covariance', 'diag']],
    ['faithful, spherical', faithful, ['--k', '2', '--covariance', 'spherical']],
    ['faithful, tied', faithful, ['--k', '3', '--covariance', 'tied']],
    ['faithful, mclust EEE', faithful, ['--k', '3', '--covariance', 'EEE']],
    ['faithful, mclust VEV', faithful, ['--k', '3', '--covariance', 'VEV']],
    ['faithful, mclust EVI', faithful, ['--k', '2', '--covariance', 'EVI']],
    ['faithful, model selection (Mclust\'s choice)', faithful, []],
    ['iris standardised, mclust VVE', iris, ['--k', '3', '--covariance', 'VVE', '--standardize']],
    ['iris, mclust EEV', iris, ['--k', '3', '--covariance', 'EEV']],
  ];
  for (const [label, file, flags] of gaussianCases) {
    it(`${label}: predict on the fitted file gives the fit's assignments and log-likelihood`, () => {
      const { fit, predict, model } = fitThenPredict(file, flags, label.replace(/\W+/g, '-'));
      assert.equal(model.family, 'gaussian');
      assert.equal(model.covarianceModel, fit.covariance ?? fit.covarianceType);
      assert.equal(predict.n, fit.n);
      assert.deepEqual(predict.assignments, fit.assignments);
      assert.ok(Math.abs(predict.logLikelihood - fit.logLikelihood) <= 1e-10 * Math.abs(fit.logLikelihood), `${predict.logLikelihood} vs ${fit.logLikelihood}`);
    });
  }

  it('Poisson on counts (K = 3): the fit\'s assignments and log-likelihood', () => {
    const { fit, predict, model } = fitThenPredict(path.join(root, 'test/fixtures/counts.csv'), ['--model', 'poisson', '--k', '3'], 'counts');
    assert.equal(model.family, 'poisson');
    assert.deepEqual(model.parameters.means, fit.rates);
    assert.deepEqual(predict.assignments, fit.assignments);
    assert.ok(Math.abs(predict.logLikelihood - fit.logLikelihood) <= 1e-10 * Math.abs(fit.logLikelihood), `${predict.logLikelihood} vs ${fit.logLikelihood}`);
  });

  for (const [label, file, flags] of [
    ['categorical on survey answers (K = 3)', 'survey.csv', ['--k', '3']],
    ['mixed on numbers and answers (K = 3, full)', 'mixed.csv', ['--k', '3', '--covariance', 'full']],
  ] as const) {
    it(`${label}: the fit's assignments and log-likelihood; an unseen category is one error naming it`, () => {
      const { fit, predict, model } = fitThenPredict(path.join(root, 'test/fixtures', file), [...flags], file);
      assert.equal(model.family, fit.model);
      assert.deepEqual(model.categories, fit.categories);
      assert.deepEqual(predict.assignments, fit.assignments);
      assert.ok(Math.abs(predict.logLikelihood - fit.logLikelihood) <= 1e-10 * Math.abs(fit.logLikelihood), `${predict.logLikelihood} vs ${fit.logLikelihood}`);
      const lines = fs.readFileSync(path.join(root, 'test/fixtures', file), 'utf8').trim().split('\n');
      const unseen = path.join(dir, `unseen-${file}`);
      fs.writeFileSync(unseen, [...lines.slice(0, 2), lines[2].replace(/(^|,)(no|yes),/, '$1perhaps,'), ...lines.slice(3)].join('\n') + '\n');
      const refused = cli(['predict', path.join(dir, `${file}.json`), unseen, '--json']);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, new RegExp(`^mixscope: unseen-${file.replace('.', '\\.')}: column "smoker" has the category "perhaps" on line 3, which the model never saw`));
    });
  }

  it('Bernoulli on the MNIST sample (K = 10): the fit\'s assignments and log-likelihood', () => {
    const { fit, predict, model } = fitThenPredict(mnist, ['--k', '10', '--max-iter', '10', '--seed', '1'], 'mnist');
    assert.equal(model.family, 'bernoulli');
    assert.deepEqual(model.preprocessing.image, { threshold: 0.5, pixelScale: 255, shape: [28, 28] });
    assert.equal(predict.n, 2000);
    assert.deepEqual(predict.assignments, fit.assignments);
    assert.ok(Math.abs(predict.logLikelihood - fit.logLikelihood) <= 1e-10 * Math.abs(fit.logLikelihood), `${predict.logLikelihood} vs ${fit.logLikelihood}`);
  });

  it('missing cells and case weights: predict keeps the rows the fit kept and weighs them as it did', () => {
    const lines = fs.readFileSync(faithful, 'utf8').trim().split(/\r?\n/);
    const gaps = path.join(dir, 'gaps.csv');
    fs.writeFileSync(gaps, lines.map((l, i) => (i > 0 && i % 9 === 0 ? `${l.split(',')[0]},NA` : l)).join('\n') + '\n');
    const missing = fitThenPredict(gaps, ['--k', '2', '--covariance', 'VVV'], 'gaps');
    assert.deepEqual(missing.model.fit.missingCells, [0, 30]);
    assert.equal(missing.predict.n, 272);
    assert.equal(missing.predict.incompleteRows, 30);
    assert.deepEqual(missing.predict.assignments, missing.fit.assignments);
    assert.ok(Math.abs(missing.predict.logLikelihood - missing.fit.logLikelihood) <= 1e-10 * Math.abs(missing.fit.logLikelihood));
    // A model selection fits the complete rows only: predict then leaves the same rows out.
    const chosen = fitThenPredict(gaps, ['--k', '1-3', '--covariance', 'VVV,EEE'], 'gaps-selection');
    assert.equal(chosen.fit.n, 242);
    assert.equal(chosen.predict.n, 242);
    assert.deepEqual(chosen.predict.assignments, chosen.fit.assignments);
    assert.ok(Math.abs(chosen.predict.logLikelihood - chosen.fit.logLikelihood) <= 1e-10 * Math.abs(chosen.fit.logLikelihood), `${chosen.predict.logLikelihood} vs ${chosen.fit.logLikelihood}`);
    const weightedFile = path.join(dir, 'weighted.csv');
    fs.writeFileSync(weightedFile, [`${lines[0]},w`, ...lines.slice(1).map((l, i) => `${l},${i % 4}`)].join('\n') + '\n');
    const weighted = fitThenPredict(weightedFile, ['--k', '2', '--covariance', 'full', '--weights', 'w'], 'weighted');
    assert.equal(weighted.model.preprocessing.weightsColumn, 'w');
    assert.deepEqual(weighted.predict.caseWeights, weighted.fit.caseWeights);
    assert.ok(Math.abs(weighted.predict.logLikelihood - weighted.fit.logLikelihood) <= 1e-10 * Math.abs(weighted.fit.logLikelihood));
    const text = cli(['predict', path.join(dir, 'weighted.json'), faithful]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /read: the model was fitted with case weights \(column "w"\); this file has no such column, so every row weighs 1/);
  });

  it('typed formats (JSON Lines, Arrow, Parquet, an Excel sheet): predict reads the file again as the fit did; the scripts refuse them', () => {
    const data = (name: string) => path.join(root, 'test/fixtures/data', name);
    const cases: [string, string[], string][] = [
      [data('faithful.ndjson'), ['--k', '2', '--covariance', 'VVV'], 'JSON Lines'],
      [data('arrow/faithful.arrow'), ['--k', '2', '--covariance', 'full'], 'Arrow IPC / Feather'],
      [data('parquet/byte_stream_split.zstd.parquet'), ['--k', '2', '--covariance', 'diag'], 'Parquet'],
      [data('workbook.xlsx'), ['--k', '3', '--covariance', 'VVV', '--sheet', 'iris'], 'Excel workbook'],
    ];
    for (const [file, flags, formatName] of cases) {
      const name = path.basename(file).replace(/\W+/g, '-');
      const { fit, predict, model } = fitThenPredict(file, flags, name);
      assert.equal(predict.n, fit.n, file);
      assert.deepEqual(predict.assignments, fit.assignments, file);
      assert.ok(Math.abs(predict.logLikelihood - fit.logLikelihood) <= 1e-10 * Math.abs(fit.logLikelihood), `${file}: ${predict.logLikelihood} vs ${fit.logLikelihood}`);
      if (file.endsWith('.xlsx')) {
        // The sheet the fit read, not the workbook's first numeric sheet (faithful).
        assert.equal(model.source.sheet, 'iris');
        assert.equal(model.source.format, 'xlsx');
        assert.deepEqual(model.columns, ['Sepal.Length', 'Sepal.Width', 'Petal.Length', 'Petal.Width']);
      }
      for (const [flag, language] of [['--emit-python', 'Python'], ['--emit-r', 'R']]) {
        const refused = cli(['fit', file, ...flags, flag]);
        assert.equal(refused.code, 2, `${file} ${flag}: ${refused.stderr}`);
        const message = `mixscope: ${path.basename(file)}: cannot write ${language} code for files read as ${formatName}; it can for `;
        assert.ok(refused.stderr.startsWith(message), refused.stderr);
        assert.match(refused.stderr, /Use mixscope predict M\.json FILE \(it reads every format\), or save the table as CSV and fit that\.\n$/);
      }
    }
  });

  it('--responsibilities: rows that sum to 1, largest at the assignment', () => {
    const model = path.join(dir, 'resp.json');
    assert.equal(cli(['fit', faithful, '--k', '2', '--save-model', model]).code, 0);
    const r = cli(['predict', model, faithful, '--json', '--responsibilities']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.responsibilities.length, 272);
    out.responsibilities.forEach((row: number[], i: number) => {
      assert.ok(Math.abs(row[0] + row[1] - 1) < 1e-12);
      assert.equal(row[1] > row[0] ? 1 : 0, out.assignments[i]);
    });
  });

  it('predicts another file by column name, in another order and with other columns beside', () => {
    const model = path.join(dir, 'byname.json');
    assert.equal(cli(['fit', faithful, '--k', '2', '--seed', '4', '--save-model', model]).code, 0);
    const rows = fs.readFileSync(faithful, 'utf8').trim().split(/\r?\n/).slice(1, 11).map((l) => l.split(','));
    const other = path.join(dir, 'reordered.csv');
    fs.writeFileSync(other, ['note,waiting,eruptions', ...rows.map(([e, w], i) => `row ${i},${w},${e}`)].join('\n') + '\n');
    const whole = JSON.parse(cli(['predict', model, faithful, '--json']).stdout);
    const part = cli(['predict', model, other, '--json']);
    assert.equal(part.code, 0, part.stderr);
    assert.deepEqual(JSON.parse(part.stdout).assignments, whole.assignments.slice(0, 10));
  });

  it('a missing column, a model file that is not a model are one line each (exit 2)', () => {
    const model = path.join(dir, 'cols.json');
    assert.equal(cli(['fit', iris, '--k', '2', '--covariance', 'VVV', '--save-model', model]).code, 0);
    const missing = cli(['predict', model, faithful]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^mixscope: faithful\.csv: there is no column "Sepal\.Length"\. Available columns: eruptions, waiting/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    const notModel = cli(['predict', faithful, faithful]);
    assert.equal(notModel.code, 2);
    assert.match(notModel.stderr, /^mixscope: faithful\.csv: is not valid JSON/);
    const absent = cli(['predict', path.join(dir, 'none.json'), faithful]);
    assert.match(absent.stderr, /^mixscope: none\.json: cannot be read: no such file\. Give a model saved by mixscope fit FILE --save-model M\.json\./);
  });

  it('--save-model never replaces a file without --force, and never the data file', () => {
    const copy = path.join(dir, 'faithful.csv');
    fs.copyFileSync(faithful, copy);
    const before = fs.readFileSync(copy, 'utf8');
    const existing = path.join(dir, 'existing.json');
    fs.writeFileSync(existing, 'keep me');
    const refused = cli(['fit', copy, '--k', '2', '--save-model', existing]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--save-model .*existing\.json already exists: choose another name, or add --force to replace it\./);
    assert.equal(fs.readFileSync(existing, 'utf8'), 'keep me');
    const forced = cli(['fit', copy, '--k', '2', '--save-model', existing, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(JSON.parse(fs.readFileSync(existing, 'utf8')).format, 'mixscope-model');
    const overData = cli(['fit', copy, '--k', '2', '--save-model', copy, '--force']);
    assert.equal(overData.code, 2);
    assert.match(overData.stderr, /is the data file, which is never written/);
    assert.equal(fs.readFileSync(copy, 'utf8'), before);
  });

  it('refuses flag combinations that cannot both be honoured, saying which', () => {
    const refused = (argv: string[], pattern: RegExp) => assert.throws(() => parseCommandLine(argv), (e: unknown) => e instanceof Error && pattern.test(e.message));
    refused(['fit', 'f.csv', '--emit-python', '--emit-r'], /^--emit-python and --emit-r each print a script: give one of them\.$/);
    refused(['fit', 'f.csv', '--emit-python', '--json'], /^--emit-python prints a script instead of the result: leave out --json/);
    refused(['fit', 'f.csv', '--force'], /^--force only applies to --save-model FILE\.$/);
    refused(['select', 'f.csv', '--save-model', 'm.json'], /^--save-model is an option of mixscope fit, not of mixscope select\.$/);
    const r = cli(['predict', 'm.json', 'f.csv', '--responsibilities']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'mixscope: --responsibilities is part of the --json output: add --json.\n');
  });
});
