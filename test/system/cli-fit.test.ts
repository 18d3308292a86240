// The headless CLI (built bundle dist/cli.js, as a user runs it) and the fit orchestration around the engine.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { evenSample, resolveOptions, standardizeColumns } from '../../src/engine/fit';

const root = path.resolve(__dirname, '../..');
const faithful = path.join(root, 'test/fixtures/faithful.csv');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/mixscope.js'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmpFile(name: string, content: string | Uint8Array): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-cli-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('CLI: mixscope fit', () => {
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
  });

  it('fits Old Faithful and prints one JSON object with the documented fields', () => {
    const r = cli(['fit', faithful, '--k', '2', '--seed', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    for (const key of ['model', 'k', 'n', 'd', 'columns', 'converged', 'iterations', 'logLikelihood', 'trace', 'weights', 'means', 'covariances', 'assignments', 'bic', 'aic']) {
      assert.ok(key in out, `missing ${key}`);
    }
    assert.equal(out.model, 'gaussian');
    assert.deepEqual([out.n, out.d, out.k], [272, 2, 2]);
    assert.deepEqual(out.columns, ['eruptions', 'waiting']);
    assert.equal(out.assignments.length, 272);
    assert.ok(Math.abs(out.weights[0] + out.weights[1] - 1) < 1e-12);
    assert.equal(out.trace.length, out.iterations + 1);
    for (let t = 1; t < out.trace.length; t++) assert.ok(out.trace[t] >= out.trace[t - 1] - 1e-9);
    assert.equal(out.logLikelihood, out.trace[out.trace.length - 1]);
    // The two eruption regimes: short (~2.0 min, ~54 min wait) and long (~4.3 min, ~80 min wait).
    const means = [...out.means].sort((a: number[], b: number[]) => a[0] - b[0]);
    assert.ok(Math.abs(means[0][0] - 2.04) < 0.1 && Math.abs(means[0][1] - 54.5) < 1.5, JSON.stringify(means));
    assert.ok(Math.abs(means[1][0] - 4.29) < 0.1 && Math.abs(means[1][1] - 80.0) < 1.5, JSON.stringify(means));
    assert.equal(out.snapshots, undefined, 'snapshots only with --snapshots');
  });

  it('starts from --init-params exactly (Murphy fig. 11.11) and reports the standardisation', () => {
    const start = tmpFile('start.json', JSON.stringify({ weights: [0.5, 0.5], means: [[-1.5, 1.5], [1.5, -1.5]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] }));
    const r = cli(['fit', faithful, '--k', '2', '--standardize', '--init-params', start, '--json', '--snapshots']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(Math.abs(out.standardization.mean[0] - 3.4878) < 1e-3 && Math.abs(out.standardization.mean[1] - 70.897) < 1e-2);
    // trace[0] is ln p(X | θ_0) with θ_0 the given start: recompute it here from the standardised data.
    const text = fs.readFileSync(faithful, 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',').map(Number));
    const { mean, sd } = out.standardization;
    let ll = 0;
    for (const row of text) {
      const z = row.map((v, j) => (v - mean[j]) / sd[j]);
      const dens = (m: number[]) => Math.exp(-0.5 * ((z[0] - m[0]) ** 2 + (z[1] - m[1]) ** 2)) / (2 * Math.PI);
      ll += Math.log(0.5 * dens([-1.5, 1.5]) + 0.5 * dens([1.5, -1.5]));
    }
    assert.ok(Math.abs(out.trace[0] - ll) < 1e-8 * Math.abs(ll), `${out.trace[0]} vs ${ll}`);
    assert.deepEqual(out.snapshots[0].means, [[-1.5, 1.5], [1.5, -1.5]]);
    assert.ok(out.converged);
  });

  it('reads compressed Arrow (LZ4 frame file, ZSTD stream): each record batch of Arrow C++\'s file is one cluster', () => {
    const arrow = path.join(root, 'test/fixtures/data/arrow');
    // The published values: two batches of 30 int64s, far apart (42…71 and 4200…4229).
    const json = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(arrow, 'generated_lz4.json.gz'))).toString()) as { batches: { columns: { DATA: string[] }[] }[] };
    const batchMeans = json.batches.map((b) => b.columns[0].DATA.reduce((s, v) => s + Number(v), 0) / b.columns[0].DATA.length);
    for (const file of ['generated_lz4.arrow', 'generated_zstd.arrows']) {
      const r = cli(['fit', path.join(arrow, file), '--k', '2', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.n, 60, file);
      assert.deepEqual(out.columns, ['ints']);
      const means = (out.means as number[][]).map((m) => m[0]).sort((a, b) => a - b);
      means.forEach((m, j) => assert.ok(Math.abs(m - batchMeans[j]) <= 1e-9 * batchMeans[j], `${file}: ${m} vs ${batchMeans[j]}`));
      assert.deepEqual(out.assignments, Array.from({ length: 60 }, (_, i) => (i < 30 ? out.assignments[0] : 1 - out.assignments[0])));
    }
  });

  it('answers bad input with exit code 2 and one clear line on stderr', () => {
    const cases: [string[], RegExp][] = [
      [['fit', path.join(root, 'no-such-file.csv')], /no-such-file\.csv: no such file/],
      [['fit', faithful, '--k', '0'], /k must be "auto" or a whole number from 1/],
      [['fit', faithful, '--k', 'three'], /--k expects a whole number, auto, a range A-B or a list A,B,C, got "three"/],
      [['fit', faithful, '--covariance', 'banana'], /covarianceType must be one of/],
      [['fit', faithful, '--k', '300'], /272 usable rows but K = 300/],
      [['fit', faithful, '--bogus'], /bogus/i],
      [['fit'], /needs a data file/],
      [['fit', tmpFile('words.csv', 'a,b\nx,y\nz,w\n')], /words\.csv/],
      // The typed readers are a bundle of their own: their DataErrors are still the user's message, not an internal error.
      [['fit', tmpFile('text.xlsx', 'a,b\n1,2\n')], /^mixscope: text\.xlsx: the file is not a zip archive/],
      [['fit', tmpFile('cut.xlsx', fs.readFileSync(path.join(root, 'test/fixtures/data/faithful.xlsx')).subarray(0, 2000))], /^mixscope: cut\.xlsx: the workbook cannot be unpacked: /],
      [['fit', tmpFile('text.parquet', 'a,b\n1,2\n')], /^mixscope: text\.parquet: /],
    ];
    for (const [args, pattern] of cases) {
      const r = cli(args);
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(lines[0], pattern);
      assert.equal(r.stdout, '');
    }
  });

  it('refuses a file over --max-file-size-mb before reading it', () => {
    const big = tmpFile('big.csv', 'x\n' + '1\n'.repeat(600_000));
    const r = cli(['fit', big, '--max-file-size-mb', '1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /big\.csv: 1\.1 MB is over the 1 MB limit/);
  });

  it('never writes to the input file', () => {
    const copy = tmpFile('faithful.csv', fs.readFileSync(faithful));
    const before = fs.statSync(copy).mtimeMs;
    const bytes = fs.readFileSync(copy);
    assert.equal(cli(['fit', copy, '--k', '3']).code, 0);
    assert.ok(fs.readFileSync(copy).equals(bytes));
    assert.equal(fs.statSync(copy).mtimeMs, before);
    assert.deepEqual(fs.readdirSync(path.dirname(copy)), ['faithful.csv']);
  });

  it('iris: the species column scores the clusters (--labels auto, a named column, or none)', () => {
    const iris = path.join(root, 'test/fixtures/iris.csv');
    const auto = cli(['fit', iris, '--k', '3', '--covariance', 'full', '--json']);
    assert.equal(auto.code, 0, auto.stderr);
    const out = JSON.parse(auto.stdout);
    assert.deepEqual(out.columns, ['Sepal.Length', 'Sepal.Width', 'Petal.Length', 'Petal.Width']);
    // The keys a Bernoulli fit with labels gives, and the label names.
    for (const key of ['accuracy', 'oneToOneAccuracy', 'adjustedRandIndex', 'normalizedMutualInfo', 'clusters', 'confusion', 'labelValues']) assert.ok(key in out.labelMetrics, key);
    assert.deepEqual(out.labelMetrics.labelNames, ['setosa', 'versicolor', 'virginica']);
    assert.ok(out.dataset.notes.includes('labels: text column "Species", 3 values (setosa, versicolor, virginica), not used in the fit'));
    const named = cli(['fit', iris, '--k', '3', '--covariance', 'full', '--labels', 'species', '--json']);
    assert.deepEqual(JSON.parse(named.stdout).labelMetrics, out.labelMetrics);
    const none = cli(['fit', iris, '--k', '3', '--covariance', 'full', '--labels', 'none', '--json']);
    const plain = JSON.parse(none.stdout);
    assert.equal(plain.labelMetrics, undefined);
    assert.deepEqual(plain.assignments, out.assignments);
    const text = cli(['fit', iris, '--k', '3', '--covariance', 'full']);
    assert.match(text.stdout, /component 1: weight 0\.3333, size 50 mean \[.*\], majority label setosa \(purity 100\.0 %\)/);
    assert.match(text.stdout, /^labels: accuracy 0\.9667 \(majority label per cluster, one-to-one 0\.9667\), ARI 0\.9039, NMI 0\.8997$/m);
    const missing = cli(['fit', iris, '--labels', 'Variety']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^mixscope: iris\.csv: there is no column "Variety" \(mixscope\.labelColumn, CLI --labels\)/);
  });
});

describe('fit options and helpers', () => {
  it('fills defaults and rejects out-of-range settings with the setting named', () => {
    assert.equal(resolveOptions({}).k, 'auto');
    assert.throws(() => resolveOptions({ k: 1.5 }), /k must be "auto" or a whole number/);
    assert.throws(() => resolveOptions({ kRange: '5-2' }), /kRange must be a range "A-B" or a list/);
    assert.throws(() => resolveOptions({ maxIterations: -1 }), /maxIterations/);
    assert.throws(() => resolveOptions({ tolerance: Number.NaN }), /tolerance/);
    assert.throws(() => resolveOptions({ betaPrior: [0.5, 2] }), /betaPrior/);
    assert.throws(() => resolveOptions({ init: 'params' }), /no initial parameters/);
  });
  it('samples evenly and never more than asked', () => {
    assert.deepEqual(evenSample(5, 10), [0, 1, 2, 3, 4]);
    const s = evenSample(1_000_000, 5000);
    assert.equal(s.length, 5000);
    assert.equal(s[0], 0);
    assert.equal(s[1], 200);
    assert.ok(s[4999] < 1_000_000);
  });
  it('standardises with the population sd and leaves constant columns finite', () => {
    const v = Float64Array.from([1, 5, 2, 5, 3, 5]);
    const { mean, sd } = standardizeColumns(v, 3, 2);
    assert.deepEqual(mean, [2, 5]);
    assert.ok(Math.abs(sd[0] - Math.sqrt(2 / 3)) < 1e-15);
    assert.equal(sd[1], 1);
    assert.ok(Array.from(v).every(Number.isFinite));
  });
});
