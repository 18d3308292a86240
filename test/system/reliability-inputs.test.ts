// Issue 5's bad inputs, as a user meets them: the real CLI (`node bin/mixscope.js fit FILE`, the bundled dist/cli.js)
// on files written to a temporary folder. Each case ends in exit code 2 with one line on stderr that names the file
// and says what was expected / what to do, or in a correct fit (exit 0) with no NaN anywhere in the result. After
// every case the user's file has the same bytes and modification time, and nothing new appeared beside it.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../src/engine/data/load';
import { fixture, idxBytes, MNIST_DIR, npyBytes } from '../fixtures/data/helpers';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin/mixscope.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** These inputs are about one fit: `fit` runs at K = 2 unless the test sets K (the default, "auto", compares many K). */
function cli(args: string[]): CliRun {
  const fixedK = args[0] === 'fit' && !args.some((a) => a === '--k' || a.startsWith('--k=')) ? ['--k', '2'] : [];
  const r = spawnSync(process.execPath, [bin, ...args, ...fixedK], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A user's file in a fresh folder, with what it must still be after the CLI ran. */
class UserFile {
  readonly path: string;
  private readonly bytes: Buffer;
  private readonly mtimeMs: number;
  private readonly listing: string[];

  constructor(name: string, content: string | Uint8Array, companions: Record<string, Uint8Array> = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-reliability-'));
    this.path = path.join(dir, name);
    fs.writeFileSync(this.path, content);
    for (const [other, bytes] of Object.entries(companions)) fs.writeFileSync(path.join(dir, other), bytes);
    // An mtime in the past, so that a rewrite within the same clock tick would still show.
    const past = new Date(Date.now() - 3600_000);
    fs.utimesSync(this.path, past, past);
    this.bytes = fs.readFileSync(this.path);
    this.mtimeMs = fs.statSync(this.path).mtimeMs;
    this.listing = fs.readdirSync(dir).sort();
  }

  get name(): string {
    return path.basename(this.path);
  }

  assertUnchanged(): void {
    assert.ok(fs.readFileSync(this.path).equals(this.bytes), `${this.name}: the bytes changed`);
    assert.equal(fs.statSync(this.path).mtimeMs, this.mtimeMs, `${this.name}: the modification time changed`);
    assert.deepEqual(fs.readdirSync(path.dirname(this.path)).sort(), this.listing, `${this.name}: files appeared or vanished beside it`);
  }
}

/** Exit 2, one line `mixscope: NAME: …` on stderr matching every pattern, nothing on stdout, the file untouched. */
function expectRefusal(file: UserFile, args: string[], ...patterns: RegExp[]): string {
  const r = cli(['fit', file.path, ...args]);
  file.assertUnchanged();
  assert.equal(r.code, 2, `${file.name} ${args.join(' ')} → exit ${r.code}\n${r.stderr}${r.stdout.slice(0, 300)}`);
  assert.equal(r.stdout, '', 'nothing on stdout');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  const line = lines[0];
  // No NaN leaking into the message (the loader's own wording "(NaN, Inf or too large)" names cell values).
  assert.doesNotMatch(line.replace('(NaN, Inf or too large)', ''), /\bNaN\b|undefined|internal error|\n\s+at /, line);
  for (const p of patterns) assert.match(line, p);
  return line;
}

/** Same, for a refusal that must name the file. */
function expectFileRefusal(file: UserFile, args: string[], ...patterns: RegExp[]): string {
  const line = expectRefusal(file, args, ...patterns);
  // The name as the loaders write it, or the path as the user typed it (file-system checks: missing, too large).
  assert.ok(line.startsWith(`mixscope: ${file.name}: `) || line.startsWith(`mixscope: ${file.path}: `), `the message names the file: ${line}`);
  return line;
}

/** Every number in the JSON output is finite: JSON writes NaN and ±Infinity as null. */
function assertNoNull(value: unknown, where: string): void {
  if (value === null) assert.fail(`${where} is null (NaN or Infinity in the result)`);
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `${where} = ${value}`);
  if (Array.isArray(value)) value.forEach((v, i) => assertNoNull(v, `${where}[${i}]`));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) assertNoNull(v, `${where}.${k}`);
}

interface FitJson {
  model: string;
  k: number;
  n: number;
  d: number;
  weights: number[];
  means: number[][];
  covariances?: number[][][];
  assignments: number[];
  trace: number[];
  snapshots?: { means: number[][]; covariances?: number[][][] }[];
  dataset: { skippedRows: number; skippedLines: number[]; notes: string[]; droppedColumns: { name: string; reason: string }[] };
  degenerate?: { component: number; reason: string }[];
  missingCells?: number[];
}

/** Exit 0 and a well-formed JSON result (with snapshots: what the chart draws), the file untouched. */
function expectFit(file: UserFile, args: string[]): FitJson {
  const r = cli(['fit', file.path, '--json', '--snapshots', ...args]);
  file.assertUnchanged();
  assert.equal(r.code, 0, `${file.name} ${args.join(' ')} → exit ${r.code}: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as FitJson;
  assertNoNull(out, 'result');
  assert.ok(Math.abs(out.weights.reduce((a, b) => a + b, 0) - 1) < 1e-9, 'weights sum to 1');
  assert.equal(out.assignments.length, out.n);
  assert.ok(out.assignments.every((a) => Number.isInteger(a) && a >= 0 && a < out.k));
  return out;
}

/** "mixscope fit" either fits (finite result) or refuses with one line matching `refusal`: both are acceptable. */
function expectFitOrRefusal(file: UserFile, args: string[], refusal: RegExp): 'fit' | 'refused' {
  const r = cli(['fit', file.path, '--json', '--snapshots', ...args]);
  file.assertUnchanged();
  if (r.code === 0) {
    assertNoNull(JSON.parse(r.stdout), 'result');
    return 'fit';
  }
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, refusal);
  return 'refused';
}

function rows(values: number[][], header = 'a,b'): string {
  return (header ? header + '\n' : '') + values.map((r) => r.join(',')).join('\n') + '\n';
}

/** Deterministic pseudo-random numbers (no Math.random in tests). */
function sequence(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

function blobs(n: number, d: number, seed = 7): number[][] {
  const next = sequence(seed);
  return Array.from({ length: n }, (_, i) => Array.from({ length: d }, () => (i % 2 ? 4 : 0) + next() * 2 - 1));
}

describe('reliability: bad inputs through the real CLI (issue 5)', function () {
  this.timeout(120_000);

  before(function () {
    if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
  });

  describe('size and shape', () => {
    it('an empty file', () => {
      expectFileRefusal(new UserFile('empty.csv', ''), [], /the file is empty: expected a table of numbers/);
    });

    it('a header and no rows', () => {
      expectFileRefusal(new UserFile('header.csv', 'eruptions,waiting\n'), [], /has a header \(line 1: eruptions, waiting\) but no data rows/);
    });

    it('one row: K = 1 fits and says it is degenerate (1-D, 2-D diagonal, and 2-D full with regularisation); without it a full 2-D covariance asks for diag; K = 2 is refused', () => {
      const oneD = expectFit(new UserFile('one.csv', 'x\n4.25\n'), ['--k', '1']);
      assert.deepEqual([oneD.n, oneD.d, oneD.k], [1, 1, 1]);
      assert.equal(oneD.means[0][0], 4.25);
      const twoD = new UserFile('one2.csv', 'a,b\n1,2\n');
      const diag = expectFit(twoD, ['--k', '1', '--covariance', 'diag']);
      assert.deepEqual(diag.means, [[1, 2]]);
      const full = expectFit(twoD, ['--k', '1']);
      for (const fit of [oneD, diag, full]) assert.match(JSON.stringify(fit.degenerate), /there is only one row: its covariance is the regularisation alone/);
      expectFileRefusal(twoD, ['--k', '1', '--reg', '0'], /2 columns but only 1 row: .*use covarianceType "diag"/);
      expectFileRefusal(twoD, ['--k', '2', '--covariance', 'diag'], /1 usable row but K = 2 components; K must not exceed the number of rows/);
    });

    it('fewer rows than K', () => {
      expectFileRefusal(new UserFile('three.csv', rows([[1, 2], [3, 5], [4, 1]])), ['--k', '4'], /3 usable rows but K = 4 components/);
    });

    it('K < 1, negative, fractional or not a number', () => {
      const file = new UserFile('faithful.csv', fixture('faithful.csv'));
      expectFileRefusal(file, ['--k', '0'], /k must be "auto" or a whole number from 1 to 1000, got 0/);
      expectFileRefusal(file, ['--k=-3'], /k must be "auto" or a whole number from 1 to 1000, got -3/);
      expectRefusal(file, ['--k', '-3'], /--k -3: a value that starts with "-" must be written --k=-3/);
      expectRefusal(file, ['--k', '2.5'], /--k expects a whole number, auto, a range A-B or a list A,B,C, got "2\.5"/);
      expectRefusal(file, ['--k', 'two'], /--k expects a whole number, auto, a range A-B or a list A,B,C, got "two"/);
      expectFileRefusal(file, ['--k', '5000'], /k must be "auto" or a whole number from 1 to 1000, got 5000/);
    });

    it('more columns than rows with a full covariance: refused without regularization (suggesting it, or diag); fitted with it, as scikit-learn does', () => {
      const file = new UserFile('wide.csv', rows(blobs(5, 6), ''));
      expectFileRefusal(file, ['--k', '2', '--reg', '0'], /6 columns but only 5 rows: a full covariance per component cannot be estimated without regularization\. Set regularization > 0 \(e\.g\. 1e-6, the default\), use covarianceType "diag"/);
      const out = expectFit(file, ['--k', '2', '--covariance', 'diag', '--reg', '0']);
      assert.deepEqual([out.n, out.d], [5, 6]);
      const full = expectFit(file, ['--k', '1']);
      assert.deepEqual([full.n, full.d, full.k], [5, 6, 1]);
    });

    it('a file over the size limit is refused with its size and the limit, before it is read', () => {
      const big = new UserFile('big.csv', 'x\n' + '1.5\n'.repeat(300_000));
      expectFileRefusal(big, ['--max-file-size-mb', '1'], /big\.csv: 1\.1 MB is over the 1 MB limit \(--max-file-size-mb\)/);
      expectRefusal(big, ['--max-file-size-mb', '0'], /--max-file-size-mb expects a size in MB greater than 0/);
    });
  });

  describe('degenerate data (collapsing components: regularise, then a clear message, never NaN)', () => {
    const covarianceTypes = ['full', 'diag', 'spherical', 'tied'];

    it('all rows identical: fits with the default regularisation (covariance ≈ regularization × I); without it, a clear message', () => {
      const file = new UserFile('same.csv', rows(Array.from({ length: 20 }, () => [2.5, 7])));
      for (const covariance of covarianceTypes) {
        const out = expectFit(file, ['--covariance', covariance]);
        for (const m of out.means) assert.deepEqual(m.map((v) => Math.round(v * 1e9) / 1e9), [2.5, 7]);
        for (const c of out.covariances!) assert.ok(Math.abs(c[0][0] - 1e-6) < 1e-9 && Math.abs(c[1][1] - 1e-6) < 1e-9, JSON.stringify(c));
      }
      expectFileRefusal(file, ['--reg', '0'], /all 20 rows are the same point, so with regularization 0 every covariance is 0.*Set regularization > 0/);
    });

    it('a constant column: fits with regularisation; without it, the column is named', () => {
      const next = sequence(3);
      const file = new UserFile('constant.csv', rows(Array.from({ length: 30 }, () => [next() * 10, 5]), 'waiting,site'));
      for (const covariance of covarianceTypes) expectFit(file, ['--covariance', covariance]);
      expectFileRefusal(file, ['--reg', '0'], /column "site" has the same value \(5\) in every row.*Set regularization > 0.*leave the column out/);
      // Spherical: one variance over all columns, so a single constant column is no problem.
      expectFit(file, ['--reg', '0', '--covariance', 'spherical']);
    });

    it('two identical columns: fits with regularisation (or diag); without it, a full covariance names the copy', () => {
      const next = sequence(5);
      const file = new UserFile('twins.csv', rows(Array.from({ length: 30 }, (_, i) => {
        const v = (i % 2) * 5 + next();
        return [v, v];
      }), 'celsius,copy'));
      for (const covariance of covarianceTypes) expectFit(file, ['--covariance', covariance]);
      expectFileRefusal(file, ['--reg', '0'], /column "copy" is a copy of column "celsius", so with regularization 0 every covariance is singular.*covarianceType "diag"/);
      expectFileRefusal(file, ['--reg', '0', '--covariance', 'tied'], /column "copy" is a copy of column "celsius"/);
      expectFit(file, ['--reg', '0', '--covariance', 'diag']);
    });

    it('K far larger than the distinct points: regularised fit with finite parameters, or a message that says what to change', () => {
      // 3 distinct points, each 10 times; K = 12.
      const file = new UserFile('few.csv', rows(Array.from({ length: 30 }, (_, i) => [i % 3, ((i % 3) * 7) % 5])));
      const outcomes = new Set<string>();
      for (const covariance of covarianceTypes) {
        for (const init of ['kmeans++', 'random', 'random-data']) {
          outcomes.add(expectFitOrRefusal(file, ['--k', '12', '--covariance', covariance, '--init', init], /few\.csv: .*(Try fewer components|K = 12).*regularisation/));
        }
      }
      assert.ok(outcomes.has('fit'), 'at least the regularised fits finish');
      // Without regularisation the components collapse onto the points: refused, never NaN.
      expectFileRefusal(file, ['--k', '12', '--reg', '0', '--covariance', 'diag'], /not positive definite.*Try fewer components \(K = 12 now\), a larger regularisation/);
    });

    it('values near 1e308 (squared deviations overflow): names the column and suggests standardize, which then fits', () => {
      const file = new UserFile('huge.csv', rows([[1e308, 1], [-1e308, 2], [1e308, 3], [-1e308, 4], [5e307, 5]], 'far,near'));
      expectFileRefusal(file, ['--covariance', 'diag'], /column "far" has values as large as 1\.000e\+308, so its squared deviations overflow.*standardize/);
      const out = expectFit(file, ['--standardize', '--covariance', 'diag']);
      // Standardised, the huge column still separates the rows (it is not flattened to zeros).
      const a = out.assignments;
      assert.ok(a[0] === a[2] && a[1] === a[3] && a[0] !== a[1], JSON.stringify(a));
    });

    it('columns whose variance is near the regularisation (values ~1e-3): the fit says so, and standardised it does not', () => {
      const next = sequence(9);
      const small = Array.from({ length: 40 }, (_, i) => [(i % 2) * 0.003 + next() * 0.001, 5 + next()]);
      const file = new UserFile('millimetres.csv', rows(small, 'gap_m,weight'));
      const raw = expectFit(file, []) as FitJson & { notes?: string[] };
      assert.equal(raw.notes?.length, 1, JSON.stringify(raw.notes));
      assert.match(raw.notes![0], /regularization 0\.000001 is .* the variance of column "gap_m" .*mostly regularisation\. Turn on standardize/);
      const standardized = expectFit(file, ['--standardize']) as FitJson & { notes?: string[] };
      assert.equal(standardized.notes, undefined);
      const human = cli(['fit', file.path]);
      assert.equal(human.stdout.match(/^note: regularization 0\.000001 is /gm)?.length, 1, human.stdout);
    });

    it('1e308 and -0 are read exactly and fit when the spread is representable', () => {
      const out = expectFit(new UserFile('extremes.csv', 'a,b\n1e308,-0\n1e308,1\n1e308,2\n1e308,3\n'), ['--k', '1', '--covariance', 'diag']);
      assert.equal(out.means[0][0], 1e308);
      assert.ok(Math.abs(out.means[0][1] - 1.5) < 1e-12, String(out.means[0][1]));
    });
  });

  describe('text files from the wild (end to end: fitted, and the skipped rows reported, never silent)', () => {
    it('BOM, CRLF, semicolons with decimal commas, quotes, a trailing delimiter, blank lines, NA/Inf/text cells, a ragged row', () => {
      const text = '\ufeff"a";"b";\r\n1,5;2;\r\n\r\nNA;3;\r\n2,5;x;\r\n3;4;5;\r\n1,7;Inf;\r\n"2,25";4;\r\n3,1;5;\r\n';
      const out = expectFit(new UserFile('messy.csv', text), ['--k', '1', '--covariance', 'diag', '--missing', 'skip']);
      assert.deepEqual([out.n, out.d], [3, 2]);
      assert.ok(Math.abs(out.means[0][0] - (1.5 + 2.25 + 3.1) / 3) < 1e-12, JSON.stringify(out.means));
      assert.equal(out.dataset.skippedRows, 4);
      assert.deepEqual(out.dataset.skippedLines, [4, 5, 6, 7]);
      const notes = out.dataset.notes.join('\n');
      for (const p of [/missing values at line 4/, /text in a numeric column at line 5/, /different number of fields at line 6/, /non-finite values .* at line 7/, /decimal commas/, /byte-order mark/]) {
        assert.match(notes, p);
      }
      // The human-readable output says the same.
      const r = cli(['fit', path.join(os.tmpdir(), 'does-not-exist-' + process.pid + '.csv')]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /does-not-exist-\d+\.csv: no such file/);
    });

    it('a file the user may not read: one line saying so (not an internal error)', function () {
      // Needs a user without the permission: as root, run the CLI as "nobody" (skipped where that is impossible).
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-locked-'));
      const locked = path.join(dir, 'locked.csv');
      fs.writeFileSync(locked, 'a,b\n1,2\n3,4\n5,6\n');
      fs.chmodSync(locked, 0o000);
      const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
      let r: ReturnType<typeof spawnSync>;
      if (asRoot) {
        fs.chmodSync(dir, 0o755);
        r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, bin, 'fit', locked], { encoding: 'utf8' });
        if (r.error || /runuser: /.test(String(r.stderr))) this.skip();
      } else {
        r = spawnSync(process.execPath, [bin, 'fit', locked], { encoding: 'utf8' });
      }
      assert.equal(r.status, 2, String(r.stderr));
      assert.equal(String(r.stderr), `mixscope: ${locked}: cannot be read: permission denied.\n`);
      // The folder itself unreadable: the same answer, not "no such file".
      fs.chmodSync(dir, 0o700);
      if (asRoot) {
        r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, bin, 'fit', locked], { encoding: 'utf8' });
        assert.equal(String(r.stderr), `mixscope: ${locked}: cannot be read: permission denied.\n`);
      }
      fs.chmodSync(locked, 0o644);
    });

    it('every row unusable: one line that lists why', () => {
      expectFileRefusal(new UserFile('holes.csv', 'a,b\nNA,1\n2,\nInf,3\n'), ['--missing', 'skip'], /no complete row to fit: 2 rows skipped: missing values at lines 2, 3 .*; 1 row skipped: non-finite values .* at line 4 .*Expected numbers in a, b/);
    });

    it('missing cells by default: fitted on their observed cells with a fixed K; a model selection says how to fit them', () => {
      const holes = new UserFile('holes.csv', 'a,b\nNA,1\n2,\nInf,3\n4,4\n');
      const out = expectFit(holes, ['--k', '1', '--covariance', 'diag']);
      assert.equal(out.n, 3);
      assert.deepEqual(out.missingCells, [1, 1]);
      assert.deepEqual(out.dataset.skippedLines, [4]);
      expectFileRefusal(new UserFile('holes2.csv', 'a,b\nNA,1\n2,\n3,NA\nNA,5\n,6\n'), ['--k', 'auto'], /every usable row has a missing cell, and a model selection fits complete rows only\. Set k to a number/);
    });
  });

  describe('binary and damaged files', () => {
    it('binary garbage named .csv: refused at the first non-text byte', () => {
      const next = sequence(11);
      const garbage = Uint8Array.from({ length: 4096 }, () => Math.floor(next() * 256));
      garbage[0] = 0x02;
      expectFileRefusal(new UserFile('report.csv', garbage), [], /the file does not look like text: byte 0x02 at offset 0/);
    });

    it('an IDX images file that is truncated', () => {
      const real = fs.readFileSync(path.join(MNIST_DIR, 't10k-images-idx3-ubyte'));
      expectFileRefusal(new UserFile('t10k-images-idx3-ubyte', real.subarray(0, 1000)), [], /the file is truncated: expected 7840016 bytes for 10000 images of 28×28, found 1000\. Download it again/);
    });

    it('an IDX images file with a wrong magic number', () => {
      const file = idxBytes([20, 28, 28], new Uint8Array(20 * 784));
      file[0] = 0x12;
      expectFileRefusal(new UserFile('train-images-idx3-ubyte', file), [], /wrong magic number 0x12000803 at offset 0: expected 0x00000803/);
    });

    it('an IDX labels file whose count does not match the images (companion file, and --labels)', () => {
      const real = fs.readFileSync(path.join(MNIST_DIR, 't10k-images-idx3-ubyte'));
      const images = idxBytes([200, 28, 28], real.subarray(16, 16 + 200 * 784));
      const labels = fs.readFileSync(path.join(MNIST_DIR, 't10k-labels-idx1-ubyte'));
      const file = new UserFile('t10k-images-idx3-ubyte', images, { 't10k-labels-idx1-ubyte': labels });
      expectRefusal(file, ['--k', '3', '--max-iter', '2'], /^mixscope: t10k-labels-idx1-ubyte: holds 10000 labels but t10k-images-idx3-ubyte has 200 images: expected one label per item/);
      const matching = idxBytes([200], labels.subarray(8, 208), 0x08);
      matching[3] = 1;
      const other = new UserFile('digits.npy', npyBytes({ descr: '|u1', shape: [200, 28, 28], data: real.subarray(16, 16 + 200 * 784) }));
      // A text labels file headed "label", with repeated class numbers (it used to be refused as "no numeric column").
      const classes = Array.from(labels.subarray(8, 208));
      const labelsFile = new UserFile('wrong-labels.csv', 'label\n' + classes.slice(0, 150).join('\n') + '\n');
      expectRefusal(other, ['--labels', labelsFile.path, '--k', '2', '--max-iter', '2'], /^mixscope: wrong-labels\.csv: holds 150 labels but digits\.npy has 200 images/);
      labelsFile.assertUnchanged();
      // A labels file that is not one: named once, with the data file it was for (no "digits.npy: wrong.csv: …").
      const notLabels = new UserFile('wrong.csv', 'a,b\n1,2\n3,4\n');
      expectRefusal(other, ['--labels', notLabels.path], /^mixscope: wrong\.csv: expected one integer label per line \(a single column\), found 2 columns\. \(the labels for digits\.npy\)$/);
      const rightLabels = new UserFile('labels.csv', 'label\n' + classes.join('\n') + '\n');
      const withLabels = cli(['fit', other.path, '--labels', rightLabels.path, '--k', '2', '--max-iter', '2', '--json']);
      other.assertUnchanged();
      rightLabels.assertUnchanged();
      assert.equal(withLabels.code, 0, withLabels.stderr);
      assert.deepEqual(JSON.parse(withLabels.stdout).labelMetrics.labelValues, [...new Set(classes)].sort((a, b) => a - b));
      // With the right count, the same images fit and report label metrics.
      const good = new UserFile('t10k-images-idx3-ubyte', images, { 't10k-labels-idx1-ubyte': matching });
      const r = cli(['fit', good.path, '--k', '3', '--max-iter', '2', '--json']);
      good.assertUnchanged();
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).labelMetrics.confusion.length, 3);
    });

    it('.npy with an unsupported dtype, Fortran order, or a corrupt header', () => {
      expectFileRefusal(new UserFile('int64.npy', fixture('int64.npy')), [], /unsupported dtype '<i8': expected uint8 '\|u1', bool '\|b1', float32 '<f4' or float64 '<f8'\. Convert it/);
      expectFileRefusal(new UserFile('fortran.npy', fixture('fortran.npy')), [], /fortran_order is True.*numpy\.ascontiguousarray/);
      const corrupt = npyBytes({ descr: '<f8', shape: [2, 1], data: new Uint8Array(16), header: "{'descr': '<f8', 'fortran_order': False, }" });
      expectFileRefusal(new UserFile('corrupt.npy', corrupt), [], /corrupt header \(no 'shape'\): expected a dict like/);
      const truncatedHeader = npyBytes({ descr: '<f8', shape: [2, 1], data: new Uint8Array(16) }).subarray(0, 30);
      expectFileRefusal(new UserFile('cut.npy', truncatedHeader), [], /cut\.npy: /);
    });
  });

  describe('big inputs (a hang guard, not a speed test)', () => {
    it('one line of a million numbers loads in seconds (it took 10 minutes when every column was looked up in a list)', () => {
      const text = Array.from({ length: 1_000_000 }, (_, i) => String(i % 97)).join(',') + '\n';
      const started = Date.now();
      const d = loadDataset('wide.csv', new TextEncoder().encode(text));
      const ms = Date.now() - started;
      assert.deepEqual([d.n, d.d], [1, 1_000_000]); // (integers 0..96 with a square D: read as one 1000×1000 image)
      assert.ok(ms < 60_000, `${ms} ms: a runaway loop`);
      // Through the CLI the user then hears about K, not silence.
      const file = new UserFile('wide.csv', text);
      expectFileRefusal(file, [], /1 usable row but K = 2 components/);
    });
  });

  describe('what "auto" makes of small integer tables', () => {
    it('8×8 digits with intensities 0..16 (sklearn load_digits, UCI optdigits): 16 = fully on, and the two patterns separate', () => {
      // Two stroke patterns (a vertical and a horizontal bar), intensities 9..16 on the stroke and 0..4 off it. On a
      // 0..255 scale every pixel would binarise to off and the fit would put every image in one cluster.
      const next = sequence(21);
      const images = Array.from({ length: 120 }, (_, i) =>
        Array.from({ length: 64 }, (_, p) => {
          const [r, c] = [Math.floor(p / 8), p % 8];
          const on = i % 2 === 0 ? c === 3 || c === 4 : r === 3 || r === 4;
          return on ? 9 + Math.floor(next() * 8) : Math.floor(next() * 5);
        }),
      );
      const file = new UserFile('digits.csv', rows(images, ''));
      const r = cli(['fit', file.path, '--k', '2', '--json', '--seed', '2']);
      file.assertUnchanged();
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as FitJson;
      assert.equal(out.model, 'bernoulli');
      assert.ok(out.dataset.notes.some((n) => /8×8 pixels \(values 0\.\.16, 16 = fully on\)/.test(n)), out.dataset.notes.join('\n'));
      const even = out.assignments[0];
      out.assignments.forEach((a, i) => assert.equal(a, i % 2 === 0 ? even : 1 - even, `image ${i}`));
    });

    it('16 answers on a 1..5 scale are features (Gaussian), not a 4×4 image; model "bernoulli" still reads them as one', () => {
      const next = sequence(8);
      const answers = Array.from({ length: 80 }, (_, i) => Array.from({ length: 16 }, () => 1 + Math.floor(next() * 3) + (i % 2) * 2));
      const file = new UserFile('survey.csv', rows(answers, Array.from({ length: 16 }, (_, j) => `q${j + 1}`).join(',')));
      const auto = expectFit(file, ['--k', '2', '--covariance', 'diag']);
      assert.equal(auto.model, 'gaussian');
      const bernoulli = expectFit(file, ['--k', '2', '--model', 'bernoulli']);
      assert.equal(bernoulli.model, 'bernoulli');
      // Scale 5 (the data's own maximum): answers 3..5 are "on", so the two groups still separate.
      const first = bernoulli.assignments[0];
      bernoulli.assignments.forEach((a, i) => assert.equal(a, i % 2 === 0 ? first : 1 - first, `row ${i}`));
    });
  });

  describe('settings that do not fit the data', () => {
    it('Bernoulli on continuous data, and the course\'s random-assignment start on binary images', () => {
      const faithful = new UserFile('faithful.csv', fixture('faithful.csv'));
      expectFileRefusal(faithful, ['--model', 'bernoulli'], /a Bernoulli mixture needs binary or image data.*column "eruptions" has 3\.6 at line 2.*Use model "gaussian"/);
      expectFileRefusal(faithful, ['--init', 'random-assignment'], /init "random-assignment" is for Bernoulli, categorical and Poisson mixtures/);
      const real = fs.readFileSync(path.join(MNIST_DIR, 't10k-images-idx3-ubyte'));
      const images = new UserFile('t10k-images-idx3-ubyte', idxBytes([300, 28, 28], real.subarray(16, 16 + 300 * 784)));
      const out = expectFit(images, ['--k', '4', '--init', 'random-assignment', '--em', 'hard', '--max-iter', '5']);
      assert.equal(out.model, 'bernoulli');
      for (const m of out.means) assert.ok(m.every((p) => p > 0 && p < 1));
    });
  });
});
