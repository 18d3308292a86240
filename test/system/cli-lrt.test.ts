// `mixscope lrt` as a user runs it (the built bundle dist/cli.js): Old Faithful's bootstrap likelihood-ratio tests
// with R's observed statistics (test/reference/mclust_lrt.json), as JSON and as one line per test; bad flags and
// files are one line on stderr with exit code 2.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const faithful = path.join(root, 'test/fixtures/faithful.csv');
const reference = JSON.parse(fs.readFileSync(path.join(root, 'test/reference/mclust_lrt.json'), 'utf8'));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/mixscope.js'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const close = (actual: number, expected: number, where: string) => assert.ok(Math.abs(actual - expected) <= 1e-6 * Math.abs(expected), `${where}: ${actual}, R ${expected}`);

describe('CLI: mixscope lrt', function () {
  this.timeout(300_000);
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
  });

  it('--json: every test with its statistic (R’s), bootstrap statistics and p-value, and the chosen K', () => {
    const r = cli(['lrt', faithful, '--covariance', 'EEE', '--nboot', '19', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    for (const key of ['file', 'columns', 'modelSource', 'model', 'n', 'd', 'nboot', 'level', 'seed', 'steps', 'chosenK', 'stopped', 'seconds', 'dataset']) assert.ok(key in out, key);
    assert.deepEqual([out.file, out.model, out.modelSource, out.n, out.d, out.nboot, out.level, out.seed], ['faithful.csv', 'EEE', 'given', 272, 2, 19, 0.05, 0]);
    const ref = reference.faithful_EEE;
    assert.deepEqual(out.steps.map((s: { k0: number }) => s.k0), ref.G);
    out.steps.forEach((s: { k0: number; k1: number; lrts: number; pValue: number; bootstrap: number[]; failedSamples: number }, i: number) => {
      assert.equal(s.k1, s.k0 + 1);
      close(s.lrts, ref.obs[i], `${s.k0} vs ${s.k1}`);
      assert.equal(s.bootstrap.length, 19);
      assert.equal(s.failedSamples, 0);
      assert.equal(s.pValue, (1 + s.bootstrap.filter((b) => b >= s.lrts).length) / 20);
    });
    // 1 vs 2 and 2 vs 3 are far above every bootstrap statistic; 3 vs 4 is not: K = 3, as R.
    assert.deepEqual(out.steps.map((s: { pValue: number }) => s.pValue > 0.05), [false, false, true]);
    assert.equal(out.chosenK, ref.chosenG);
    assert.equal(out.stopped, 'p-value above level');
    // The same seed gives the same output.
    const again = JSON.parse(cli(['lrt', faithful, '--covariance', 'EEE', '--nboot', '19', '--json']).stdout);
    assert.deepEqual(again.steps, out.steps);
  });

  it('one line per test and the chosen K; without --covariance the model is the best by BIC (EEE for Old Faithful)', () => {
    const r = cli(['lrt', faithful, '--nboot', '19', '--k-max', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /covariance EEE \(the best by BIC\), n = 272, d = 2, 19 bootstrap samples, level 0\.05, seed 0/);
    assert.match(r.stdout, /^1 vs 2 components: LRTS 299\.2, bootstrap p-value 0\.05$/m);
    assert.match(r.stdout, /^2 vs 3 components: LRTS 27\.7, bootstrap p-value 0\.05$/m);
    // Every test up to --k-max rejected: K = 3 with the caveat.
    assert.match(r.stdout, /^Chosen: K = 3 \(every test rejected the smaller model up to 2 vs 3\)$/m);
    assert.match(r.stdout, /more components than 3 may be needed/);
    const one = cli(['lrt', faithful, '--columns', 'waiting', '--covariance', 'V', '--nboot', '19']);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^1 vs 2 components: LRTS 122\.6, bootstrap p-value 0\.05$/m);
    assert.match(one.stdout, /^Chosen: K = 2 /m);
  });

  it('--help lists lrt; lrt --help shows its flags', () => {
    const help = cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /mixscope lrt FILE \[--covariance MODEL\] \[--k-max N\] \[--nboot N\] \[--level X\] \[--seed N\]/);
    const own = cli(['lrt', '--help']);
    assert.equal(own.code, 0);
    assert.match(own.stdout, /mclustBootstrapLRT/);
  });

  it('a file with missing cells: the complete rows are tested, and the output says which rows were left out and why', () => {
    const lines = fs.readFileSync(faithful, 'utf8').trim().split('\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-lrt-'));
    const gaps = path.join(dir, 'gaps.csv');
    fs.writeFileSync(gaps, lines.map((l, i) => (i > 0 && i % 10 === 0 ? `${l.split(',')[0]},NA` : l)).join('\n') + '\n');
    const r = cli(['lrt', gaps, '--covariance', 'EEE', '--nboot', '5', '--k-max', '2', '--json']);
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.n, 272 - 27);
    assert.ok(out.dataset.notes.some((note: string) => /^27 rows skipped: missing values at lines 11, 21, .*\(the likelihood-ratio test fits complete rows only\)$/.test(note)), out.dataset.notes.join('\n'));
  });

  it('refuses bad flags and data with one line and exit code 2', () => {
    for (const [args, message] of [
      [['lrt'], /mixscope lrt needs a data file/],
      [['lrt', faithful, '--covariance', 'XYZ'], /--covariance expects one mclust model/],
      [['lrt', faithful, '--covariance', 'V'], /2 columns take the 14 multivariate models, not V/],
      [['lrt', faithful, '--nboot', '0'], /--nboot expects a whole number from 1/],
      [['lrt', faithful, '--nboot', '2.5'], /--nboot expects a whole number/],
      [['lrt', faithful, '--k-max', '1'], /--k-max expects a whole number from 2/],
      [['lrt', faithful, '--level', '1.5'], /--level expects a number between 0 and 1/],
      [['lrt', faithful, '--seed=-1'], /--seed expects a whole number/],
      [['lrt', faithful, '--seed', '-1'], /--seed takes a value that starts with "-": write --seed=VALUE/],
      [['lrt', faithful, '--bogus'], /^mixscope: unknown option --bogus; see mixscope lrt --help/],
      [['lrt', faithful, '--weights', 'w'], /^mixscope: --weights: mixscope lrt does not take case weights \(its bootstrap samples draw rows, each counted once\)/],
      [['lrt', faithful, '--missing', 'marginalize'], /^mixscope: --missing: mixscope lrt fits complete rows only/],
      [['lrt', faithful, 'extra.csv'], /unexpected argument "extra\.csv"/],
      [['lrt', path.join(root, 'test/fixtures/no-such-file.csv'), '--covariance', 'EEE'], /no-such-file\.csv: no such file/],
    ] as const) {
      const r = cli([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    }
  });
});
