// `mixscope fit --emit-python` (the built CLI): the printed script, run by Debian's python3 with numpy and
// scikit-learn, reads the file as Mixscope read it, rebuilds the fitted model and prints the fit's log-likelihood.
// Skipped, saying why, when /usr/bin/python3 with numpy and scikit-learn is not installed.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { irisWithGaps, weightedNpy, withWeights } from './emitFixtures';

const root = path.resolve(__dirname, '../..');
const fixture = (name: string) => path.join(root, 'test/fixtures', name);
const PYTHON = '/usr/bin/python3';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/mixscope.js'), ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Why the Python references cannot run here, or undefined when they can. */
function pythonMissing(): string | undefined {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} is not installed (Debian: python3-numpy python3-sklearn)`;
  const r = spawnSync(PYTHON, ['-c', 'import numpy, sklearn'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `${PYTHON} has no numpy or scikit-learn (Debian: python3-numpy python3-sklearn)`;
}

describe('CLI: mixscope fit --emit-python', function () {
  this.timeout(300_000);
  let dir = '';
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
    const missing = pythonMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-emit-py-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The fit's log-likelihood, and the last line of the emitted script's output (run with `args`). */
  function fitAndRun(file: string, flags: string[], args: string[] = []) {
    const fit = cli(['fit', file, ...flags, '--json']);
    assert.equal(fit.code, 0, fit.stderr);
    const emitted = cli(['fit', file, ...flags, '--emit-python']);
    assert.equal(emitted.code, 0, emitted.stderr);
    const script = path.join(dir, 'model.py');
    fs.writeFileSync(script, emitted.stdout);
    const run = spawnSync(PYTHON, [script, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(run.status, 0, run.stderr);
    const last = run.stdout.trim().split('\n').pop()!;
    return { fit: JSON.parse(fit.stdout), script: emitted.stdout, printed: JSON.parse(last) as { logLikelihood: number } };
  }

  const cases: [string, string, string[]][] = [
    ['Old Faithful, full', fixture('faithful.csv'), ['--k', '3', '--covariance', 'full']],
    ['Old Faithful, diag', fixture('faithful.csv'), ['--k', '3', '--covariance', 'diag']],
    ['Old Faithful, spherical', fixture('faithful.csv'), ['--k', '2', '--covariance', 'spherical']],
    ['Old Faithful, tied', fixture('faithful.csv'), ['--k', '3', '--covariance', 'tied']],
    ['Old Faithful, Mclust\'s choice (EEE, K = 3)', fixture('faithful.csv'), []],
    ['Old Faithful, mclust VEV', fixture('faithful.csv'), ['--k', '3', '--covariance', 'VEV']],
    ['iris standardised, mclust EVV (the species column as text labels)', fixture('iris.csv'), ['--k', '3', '--covariance', 'EVV', '--standardize']],
    ['a preamble before the table', fixture('data/faithful-preamble.dat'), ['--k', '2']],
    ['semicolons and decimal commas', fixture('data/faithful-european.csv'), ['--k', '2']],
    ['a row-index column', fixture('data/faithful-rownames.csv'), ['--k', '2']],
    // Its one NaN cell would be integrated out by default, which the script cannot reproduce: skipped as it skips it.
    ['a NumPy .npy table (its row with a NaN skipped)', fixture('data/table-f8.npy'), ['--k', '2', '--missing', 'skip']],
    ['counts, Poisson K = 3', fixture('counts.csv'), ['--model', 'poisson', '--k', '3']],
    ['survey answers, categorical K = 3 (missing answers)', fixture('survey.csv'), ['--k', '3']],
    ['numbers and answers, mixed K = 3 (full)', fixture('mixed.csv'), ['--k', '3', '--covariance', 'full']],
    ['numbers and answers, mixed K = 2 (mclust VEV)', fixture('mixed.csv'), ['--k', '2', '--covariance', 'VEV']],
    ['numbers, counts and answers, mixed K = 3 (full, a Poisson block)', fixture('mixed-counts.csv'), ['--k', '3', '--covariance', 'full', '--counts', 'visits,calls']],
    ['counts and answers, mixed K = 3 (no Gaussian block)', fixture('mixed-counts.csv'), ['--k', '3', '--counts', 'visits,calls', '--columns', 'visits,calls,smoker,commute', '--categorical', 'smoker,commute']],
    ['numbers and counts, mixed K = 3 (mclust VVV, no categorical block)', fixture('mixed-counts.csv'), ['--k', '3', '--covariance', 'VVV', '--counts', 'calls', '--columns', 'height,score,calls']],
    ['MNIST sample, Bernoulli K = 10', path.join(root, 'media/samples/mnist-2000-images-idx3-ubyte'), ['--k', '10', '--max-iter', '10']],
  ];
  for (const [label, file, flags] of cases) {
    it(`${label}: the script prints the fit's log-likelihood`, () => {
      const { fit, printed } = fitAndRun(file, flags);
      assert.ok(Math.abs(printed.logLikelihood - fit.logLikelihood) <= 1e-9 * Math.abs(fit.logLikelihood), `${printed.logLikelihood} vs ${fit.logLikelihood}`);
    });
  }

  it('a gzip file with a label column and a skipped row: the same rows', () => {
    const rows = ['x,y,label'];
    for (let i = 0; i < 120; i++) rows.push(`${(i % 3) * 4 + Math.sin(i)},${(i % 3) + Math.cos(3 * i) / 2},${i === 5 ? 'NA' : i % 3}`);
    const file = path.join(dir, 'labelled.csv.gz');
    fs.writeFileSync(file, gzipSync(rows.join('\n') + '\n'));
    const { fit, printed } = fitAndRun(file, ['--k', '3']);
    assert.equal(fit.n, 119);
    assert.ok(Math.abs(printed.logLikelihood - fit.logLikelihood) <= 1e-9 * Math.abs(fit.logLikelihood), `${printed.logLikelihood} vs ${fit.logLikelihood}`);
  });

  it('another file with missing cells: the script scores those rows on their observed cells, as predict does', () => {
    const lines = fs.readFileSync(fixture('faithful.csv'), 'utf8').trim().split('\n');
    const gaps = path.join(dir, 'gaps.csv');
    fs.writeFileSync(gaps, lines.map((l, i) => (i > 0 && i % 10 === 0 ? `${l.split(',')[0]},NA` : l)).join('\n') + '\n');
    const model = path.join(dir, 'complete.json');
    assert.equal(cli(['fit', fixture('faithful.csv'), '--k', '2', '--save-model', model, '--force']).code, 0);
    const predicted = JSON.parse(cli(['predict', model, gaps, '--json']).stdout);
    assert.equal(predicted.n, 272);
    const emitted = cli(['fit', fixture('faithful.csv'), '--k', '2', '--emit-python']);
    assert.equal(emitted.code, 0, emitted.stderr);
    const script = path.join(dir, 'gaps.py');
    fs.writeFileSync(script, emitted.stdout);
    const run = spawnSync(PYTHON, [script, gaps], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /note: 27 rows with missing cells, scored on their observed cells/);
    const printed = JSON.parse(run.stdout.trim().split('\n').pop()!).logLikelihood as number;
    assert.ok(Math.abs(printed - predicted.logLikelihood) <= 1e-9 * Math.abs(predicted.logLikelihood), `${printed} vs ${predicted.logLikelihood}`);
  });

  /** `file`'s columns in the order of `like`'s header (the script reads the fitted file's layout). */
  function inLayoutOf(file: string, like: string): string {
    const header = fs.readFileSync(like, 'utf8').split('\n')[0].split(',');
    const [names, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(','));
    const out = path.join(dir, `layout-${path.basename(file)}`);
    fs.writeFileSync(out, [header, ...rows.map((r) => header.map((h) => r[names.indexOf(h)]))].map((r) => r.join(',')).join('\n') + '\n');
    return out;
  }

  it('categorical and mixed: on a new file (categories absent, answers missing) the script prints predict\'s log-likelihood; an unseen category stops it naming the line', () => {
    for (const [fitted, next] of [['survey.csv', 'survey-new.csv'], ['mixed.csv', 'mixed-new.csv']]) {
      const other = inLayoutOf(fixture(next), fixture(fitted));
      const model = path.join(dir, `${fitted}.json`);
      assert.equal(cli(['fit', fixture(fitted), '--k', '3', '--save-model', model, '--force']).code, 0);
      const predicted = JSON.parse(cli(['predict', model, other, '--json']).stdout);
      const { printed } = fitAndRun(fixture(fitted), ['--k', '3'], [other]);
      assert.ok(Math.abs(printed.logLikelihood - predicted.logLikelihood) <= 1e-9 * Math.abs(predicted.logLikelihood), `${other}: ${printed.logLikelihood} vs ${predicted.logLikelihood}`);
    }
    const lines = fs.readFileSync(fixture('survey.csv'), 'utf8').trim().split('\n');
    const unseen = path.join(dir, 'unseen.csv');
    fs.writeFileSync(unseen, [...lines.slice(0, 4), lines[4].replace(/^(no|yes),/, 'maybe,'), ...lines.slice(5)].join('\n') + '\n');
    const emitted = cli(['fit', fixture('survey.csv'), '--k', '3', '--emit-python']);
    const script = path.join(dir, 'survey.py');
    fs.writeFileSync(script, emitted.stdout);
    const run = spawnSync(PYTHON, [script, unseen], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^line 5: column 'smoker' has the category 'maybe', which the model never saw/);
  });

  it('reads another file given on its command line', () => {
    const half = path.join(dir, 'half.csv');
    fs.writeFileSync(half, fs.readFileSync(fixture('faithful.csv'), 'utf8').trim().split('\n').slice(0, 137).join('\n') + '\n');
    const model = path.join(dir, 'm.json');
    assert.equal(cli(['fit', fixture('faithful.csv'), '--k', '2', '--save-model', model]).code, 0);
    const predicted = JSON.parse(cli(['predict', model, half, '--json']).stdout);
    const { printed } = fitAndRun(fixture('faithful.csv'), ['--k', '2'], [half]);
    assert.ok(Math.abs(printed.logLikelihood - predicted.logLikelihood) <= 1e-9 * Math.abs(predicted.logLikelihood));
  });
});

describe('CLI: mixscope fit --emit-python, case weights and missing cells', function () {
  this.timeout(300_000);
  let dir = '';
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
    const missing = pythonMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-emit-py-wm-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The fit (--json) and the emitted script's run: its stderr and the log-likelihood it printed. */
  function fitAndRun(file: string, flags: string[]) {
    const fit = cli(['fit', file, ...flags, '--json']);
    assert.equal(fit.code, 0, fit.stderr);
    const emitted = cli(['fit', file, ...flags, '--emit-python']);
    assert.equal(emitted.code, 0, emitted.stderr);
    const script = path.join(dir, 'model.py');
    fs.writeFileSync(script, emitted.stdout);
    const run = spawnSync(PYTHON, [script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(run.status, 0, run.stderr);
    return { fit: JSON.parse(fit.stdout), stderr: run.stderr, printed: JSON.parse(run.stdout.trim().split('\n').pop()!).logLikelihood as number };
  }

  // [label, file (made in dir), flags, rows the fit keeps, the script's note on stderr]
  const cases: [string, (dir: string) => string, string[], number, RegExp | undefined][] = [
    ['Gaussian, missing cells, mclust VVV standardised', irisWithGaps, ['--k', '3', '--covariance', 'VVV', '--standardize'], 149, /note: 55 rows with missing cells, scored on their observed cells/],
    ['Gaussian, missing cells, full', irisWithGaps, ['--k', '3', '--covariance', 'full'], 149, /scored on their observed cells/],
    ['Gaussian, missing cells, diag', irisWithGaps, ['--k', '3', '--covariance', 'diag'], 149, /scored on their observed cells/],
    ['Gaussian, missing cells, spherical', irisWithGaps, ['--k', '3', '--covariance', 'spherical'], 149, /scored on their observed cells/],
    ['Gaussian, missing cells, tied', irisWithGaps, ['--k', '2', '--covariance', 'tied'], 149, /scored on their observed cells/],
    ['Gaussian, missing cells, mclust EEV', irisWithGaps, ['--k', '3', '--covariance', 'EEV'], 149, /scored on their observed cells/],
    ['Gaussian, missing cells, a model selection (complete rows only)', irisWithGaps, ['--k-range', '1-3', '--covariance-models', 'EII,VVV'], 94, /note: 56 rows with missing cells skipped, as the fit skips them \(a model selection fits complete rows only\)/],
    ['Gaussian, missing cells, the variational mixture (complete rows only)', irisWithGaps, ['--k', '3', '--covariance', 'variational'], 94, /the variational mixture does not marginalise missing cells/],
    ['Gaussian, case weights, full', (d) => withWeights(d, 'faithful.csv'), ['--k', '3', '--weights', 'freq'], 272, undefined],
    ['Gaussian, case weights, Mclust\'s choice', (d) => withWeights(d, 'faithful.csv'), ['--weights', 'freq'], 272, undefined],
    ['Gaussian, case weights and missing cells in a .npy table (mclust VEV)', weightedNpy, ['--k', '2', '--weights', 'x2', '--covariance', 'VEV'], 118, /note: 2 rows with missing cells, scored/],
    ['Gaussian, a .npy table with missing "skip"', weightedNpy, ['--k', '2', '--weights', 'x2', '--missing', 'skip'], 116, /note: 2 rows with missing cells skipped, as the fit skips them \(missing is "skip"\)/],
    ['Bernoulli, missing cells', () => fixture('binary-missing.csv'), ['--k', '2'], 240, /note: 144 rows with missing cells, scored/],
    ['Bernoulli, missing cells and case weights', (d) => withWeights(d, 'binary-missing.csv'), ['--k', '3', '--weights', 'freq'], 240, /scored on their observed cells/],
    ['mixed, missing numbers and answers (full)', () => fixture('mixed-missing.csv'), ['--k', '2', '--covariance', 'full'], 300, /note: 51 rows with missing cells, scored/],
    ['mixed, missing cells and case weights (mclust VVI)', (d) => withWeights(d, 'mixed-missing.csv'), ['--k', '3', '--covariance', 'VVI', '--weights', 'freq'], 300, /scored on their observed cells/],
    ['categorical, case weights (missing answers)', (d) => withWeights(d, 'survey.csv'), ['--k', '3', '--weights', 'freq'], 400, undefined],
    ['Poisson, case weights', (d) => withWeights(d, 'counts.csv'), ['--model', 'poisson', '--k', '3', '--weights', 'freq'], 300, undefined],
  ];
  for (const [label, make, flags, n, note] of cases) {
    it(`${label}: the script prints the fit's log-likelihood`, () => {
      const { fit, stderr, printed } = fitAndRun(make(dir), flags);
      assert.equal(fit.n, n);
      assert.ok(Math.abs(printed - fit.logLikelihood) <= 1e-9 * Math.abs(fit.logLikelihood), `${printed} vs ${fit.logLikelihood}`);
      if (note) assert.match(stderr, note);
      else assert.doesNotMatch(stderr, /note:/);
    });
  }

  it('weights count: weights of 0, 1 and 2 give the log-likelihood of the rows dropped, kept and repeated', () => {
    const [header, ...rows] = fs.readFileSync(fixture('faithful.csv'), 'utf8').trim().split('\n');
    const weighted = path.join(dir, 'w012.csv');
    fs.writeFileSync(weighted, [`${header},w`, ...rows.map((r, i) => `${r},${i % 3}`)].join('\n') + '\n');
    const repeated = path.join(dir, 'repeated.csv');
    fs.writeFileSync(repeated, [header, ...rows.flatMap((r, i) => Array<string>(i % 3).fill(r))].join('\n') + '\n');
    const model = path.join(dir, 'w.json');
    assert.equal(cli(['fit', weighted, '--k', '2', '--weights', 'w', '--save-model', model, '--force']).code, 0);
    const unweighted = JSON.parse(cli(['predict', model, repeated, '--json']).stdout).logLikelihood as number;
    const { printed } = fitAndRun(weighted, ['--k', '2', '--weights', 'w']);
    assert.ok(Math.abs(printed - unweighted) <= 1e-9 * Math.abs(unweighted), `${printed} vs ${unweighted}`);
  });

  it('a negative weight in the file it reads stops the script, naming the line, as the loader does', () => {
    const file = withWeights(dir, 'faithful.csv');
    const emitted = cli(['fit', file, '--k', '2', '--weights', 'freq', '--emit-python']);
    assert.equal(emitted.code, 0, emitted.stderr);
    const script = path.join(dir, 'w.py');
    fs.writeFileSync(script, emitted.stdout);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[6] = lines[6].replace(/,[^,]*$/, ',-2');
    const bad = path.join(dir, 'negative.csv');
    fs.writeFileSync(bad, lines.join('\n'));
    assert.match(cli(['fit', bad, '--k', '2', '--weights', 'freq']).stderr, /line 7: the weight in column "freq" is negative/);
    const run = spawnSync(PYTHON, [script, bad], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.equal(run.stderr, "line 7: the weight in column 'freq' is '-2'; case weights must be numbers >= 0 (0 leaves the row out)\n");
  });
});
