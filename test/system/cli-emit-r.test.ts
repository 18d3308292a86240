// `mixscope fit --emit-r` (the built CLI): the printed script, run by Rscript with mclust, reads the file as Mixscope
// read it, puts the fitted parameters in mclust's parameter list form and prints the fit's log-likelihood from
// mclust's estep() (with case weights or missing cells: mclust's cdens() for complete rows, base R for the others).
// Skipped, saying why, when Rscript or mclust is not installed (Debian: r-base-core r-cran-mclust).

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { irisWithGaps, weightedNpy, withWeights } from './emitFixtures';

const root = path.resolve(__dirname, '../..');
const fixture = (name: string) => path.join(root, 'test/fixtures', name);

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/mixscope.js'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Why the R reference cannot run here, or undefined when it can. */
function rMissing(): string | undefined {
  const r = spawnSync('Rscript', ['-e', 'suppressPackageStartupMessages(library(mclust))'], { encoding: 'utf8' });
  if (r.error) return 'Rscript is not installed (Debian: r-base-core r-cran-mclust)';
  return r.status === 0 ? undefined : 'R has no mclust package (Debian: r-cran-mclust)';
}

describe('CLI: mixscope fit --emit-r', function () {
  this.timeout(300_000);
  let dir = '';
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
    const missing = rMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-emit-r-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, string, string[]][] = [
    ['Old Faithful, Mclust\'s choice (EEE, K = 3)', fixture('faithful.csv'), []],
    ['Old Faithful, mclust VEV', fixture('faithful.csv'), ['--k', '3', '--covariance', 'VEV']],
    ['Old Faithful, scikit-learn\'s diag', fixture('faithful.csv'), ['--k', '3', '--covariance', 'diag']],
    ['iris standardised, mclust VVV (the species column as text labels)', fixture('iris.csv'), ['--k', '3', '--covariance', 'VVV', '--standardize']],
    ['one column (mclust V)', path.join(root, 'media/samples/mixture-1d.csv'), ['--k', '3', '--covariance', 'V']],
    ['a preamble before the table', fixture('data/faithful-preamble.dat'), ['--k', '2']],
    ['semicolons and decimal commas', fixture('data/faithful-european.csv'), ['--k', '2']],
    ['a row-index column', fixture('data/faithful-rownames.csv'), ['--k', '2']],
    ['a big-endian NumPy .npy table', fixture('data/big-endian-f8.npy'), ['--k', '2']],
  ];
  for (const [label, file, flags] of cases) {
    it(`${label}: mclust's estep() gives the fit's log-likelihood`, () => {
      const fit = cli(['fit', file, ...flags, '--json']);
      assert.equal(fit.code, 0, fit.stderr);
      const expected = JSON.parse(fit.stdout).logLikelihood as number;
      const emitted = cli(['fit', file, ...flags, '--emit-r']);
      assert.equal(emitted.code, 0, emitted.stderr);
      const script = path.join(dir, 'model.R');
      fs.writeFileSync(script, emitted.stdout);
      const run = spawnSync('Rscript', [script], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const printed = JSON.parse(run.stdout.trim().split('\n').pop()!).logLikelihood as number;
      assert.ok(Math.abs(printed - expected) <= 1e-9 * Math.abs(expected), `${printed} vs ${expected}`);
    });
  }

  it('a gzip file with a label column and a skipped row: the same rows', () => {
    const rows = ['x,y,label'];
    for (let i = 0; i < 120; i++) rows.push(`${(i % 3) * 4 + Math.sin(i)},${(i % 3) + Math.cos(3 * i) / 2},${i === 5 ? 'NA' : i % 3}`);
    const file = path.join(dir, 'labelled.csv.gz');
    fs.writeFileSync(file, gzipSync(rows.join('\n') + '\n'));
    const fit = JSON.parse(cli(['fit', file, '--k', '3', '--json']).stdout);
    assert.equal(fit.n, 119);
    const script = path.join(dir, 'labelled.R');
    fs.writeFileSync(script, cli(['fit', file, '--k', '3', '--emit-r']).stdout);
    const run = spawnSync('Rscript', [script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const printed = JSON.parse(run.stdout.trim().split('\n').pop()!).logLikelihood as number;
    assert.ok(Math.abs(printed - fit.logLikelihood) <= 1e-9 * Math.abs(fit.logLikelihood), `${printed} vs ${fit.logLikelihood}`);
  });

  it('a Bernoulli mixture is refused with what to use instead (exit 2, one line)', () => {
    const r = cli(['fit', path.join(root, 'media/samples/mnist-2000-images-idx3-ubyte'), '--k', '2', '--max-iter', '1', '--emit-r']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'mixscope: mnist-2000-images-idx3-ubyte: cannot write R code for a Bernoulli mixture; it can for Gaussian mixtures, as mclust; use --emit-python for a Bernoulli mixture.\n');
  });
});

describe('CLI: mixscope fit --emit-r, case weights and missing cells', function () {
  this.timeout(300_000);
  let dir = '';
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
    const missing = rMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-emit-r-wm-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  // [label, file (made in dir), flags, rows the fit keeps, the script's note on stderr]
  const cases: [string, (dir: string) => string, string[], number, RegExp | undefined][] = [
    ['missing cells, mclust VVV standardised', irisWithGaps, ['--k', '3', '--covariance', 'VVV', '--standardize'], 149, /note: 55 rows with missing cells, scored on their observed cells/],
    ['missing cells, scikit-learn\'s diag', irisWithGaps, ['--k', '3', '--covariance', 'diag'], 149, /scored on their observed cells/],
    ['missing cells, scikit-learn\'s tied', irisWithGaps, ['--k', '2', '--covariance', 'tied'], 149, /scored on their observed cells/],
    ['missing cells, mclust EEV', irisWithGaps, ['--k', '3', '--covariance', 'EEV'], 149, /scored on their observed cells/],
    ['missing cells, a model selection (complete rows only)', irisWithGaps, ['--k-range', '1-3', '--covariance-models', 'EII,VVV'], 94, /note: 56 rows with missing cells skipped, as the fit skips them \(a model selection fits complete rows only\)/],
    ['case weights, full', (d) => withWeights(d, 'faithful.csv'), ['--k', '3', '--weights', 'freq'], 272, undefined],
    ['case weights, Mclust\'s choice', (d) => withWeights(d, 'faithful.csv'), ['--weights', 'freq'], 272, undefined],
    ['case weights, one column (mclust V)', (d) => withWeights(d, '../../media/samples/mixture-1d.csv'), ['--k', '3', '--covariance', 'V', '--weights', 'freq'], 600, undefined],
    ['case weights and missing cells in a .npy table (mclust VEV)', weightedNpy, ['--k', '2', '--weights', 'x2', '--covariance', 'VEV'], 118, /note: 2 rows with missing cells, scored/],
    ['a .npy table with missing "skip"', weightedNpy, ['--k', '2', '--weights', 'x2', '--missing', 'skip'], 116, /note: 2 rows with missing cells skipped, as the fit skips them \(missing is "skip"\)/],
  ];
  for (const [label, make, flags, n, note] of cases) {
    it(`${label}: the script prints the fit's log-likelihood`, () => {
      const file = make(dir);
      const fit = cli(['fit', file, ...flags, '--json']);
      assert.equal(fit.code, 0, fit.stderr);
      const { n: rows, logLikelihood: expected } = JSON.parse(fit.stdout) as { n: number; logLikelihood: number };
      assert.equal(rows, n);
      const emitted = cli(['fit', file, ...flags, '--emit-r']);
      assert.equal(emitted.code, 0, emitted.stderr);
      const script = path.join(dir, 'model.R');
      fs.writeFileSync(script, emitted.stdout);
      const run = spawnSync('Rscript', [script], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const printed = JSON.parse(run.stdout.trim().split('\n').pop()!).logLikelihood as number;
      assert.ok(Math.abs(printed - expected) <= 1e-9 * Math.abs(expected), `${printed} vs ${expected}`);
      if (note) assert.match(run.stderr, note);
      else assert.doesNotMatch(run.stderr, /note:/);
    });
  }

  it('a missing weight in the file it reads stops the script, naming the line, as the loader does', () => {
    const file = withWeights(dir, 'faithful.csv');
    const script = path.join(dir, 'w.R');
    fs.writeFileSync(script, cli(['fit', file, '--k', '2', '--weights', 'freq', '--emit-r']).stdout);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[6] = lines[6].replace(/,[^,]*$/, ',NA');
    const bad = path.join(dir, 'missing-weight.csv');
    fs.writeFileSync(bad, lines.join('\n'));
    assert.match(cli(['fit', bad, '--k', '2', '--weights', 'freq']).stderr, /line 7: the weight in column "freq" is missing/);
    const run = spawnSync('Rscript', [script, bad], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^Error: line 7: the weight in column "freq" is "NA"; case weights must be numbers >= 0 \(0 leaves the row out\)\n/);
  });
});
