// The CLI's --memory-budget-mb: a CSV over the budget is fitted out of core (same trace as in memory), a model
// selection out of core gives the in-memory table and choice (with case weights too), case weights and hard EM give the in-memory trace, known
// labels give the in-memory accuracy, its temporary store is removed, and what out of core cannot do is refused with one line.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/engine/em/rng';

const root = path.resolve(__dirname, '../..');

describe('CLI: --memory-budget-mb (out of core)', () => {
  let temp: string;
  let csv: string;
  const cli = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/mixscope.js'), ...args], { encoding: 'utf8', env: { ...process.env, TMPDIR: temp, ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-cli-'));
    csv = path.join(temp, 'blobs.csv');
    // (init random: drawn row by row in file order, the same start both ways; k-means++ out of core starts from a
    // sample of rows under a 1 MB budget.) About 1.4 MB: three Gaussian blobs in three columns.
    const rng = new Rng(7);
    const lines = ['a,b,c'];
    for (let i = 0; i < 60_000; i++) {
      const g = i % 3;
      const z = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
      lines.push([5 * g + z(), -3 * g + z(), g + 0.5 * z()].map((v) => v.toFixed(4)).join(','));
    }
    fs.writeFileSync(csv, lines.join('\n') + '\n');
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('fits a file over the budget out of core with the in-memory trace, and leaves no temporary folder', () => {
    assert.ok(fs.statSync(csv).size > 1024 * 1024);
    const args = ['fit', csv, '--k', '3', '--covariance', 'full', '--seed', '1', '--init', 'random', '--json'];
    const inMemory = cli(args);
    assert.equal(inMemory.code, 0, inMemory.stderr);
    const streamed = cli([...args, '--memory-budget-mb', '1']);
    assert.equal(streamed.code, 0, streamed.stderr);
    const a = JSON.parse(inMemory.stdout);
    const b = JSON.parse(streamed.stdout);
    assert.ok(b.dataset.notes.some((n: string) => /^fitted out of core: 60000 rows/.test(n)), JSON.stringify(b.dataset.notes));
    assert.ok(!a.dataset.notes.some((n: string) => /out of core/.test(n)));
    assert.equal(b.trace.length, a.trace.length);
    a.trace.forEach((v: number, i: number) => assert.ok(Math.abs(b.trace[i] - v) <= 1e-9 * Math.abs(v), `trace[${i}] ${b.trace[i]} vs ${v}`));
    assert.deepEqual(fs.readdirSync(temp).filter((f) => f.startsWith('mixscope-store-')), []);
  });

  it('selects K and the covariance model out of core as in memory: the same choice and every candidate\'s log-likelihood', function () {
    this.timeout(120000);
    // 5,000 rows (over the 2,000 rows mclust's hierarchical clustering takes, so the partition is extended to every
    // row): three correlated blobs in three columns.
    const file = path.join(temp, 'select.csv');
    const rng = new Rng(11);
    const z = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const lines = ['a,b,c'];
    for (let i = 0; i < 5000; i++) {
      const g = i % 3;
      const u = z();
      lines.push([4 * g + u, -2 * g + 0.5 * u + z(), g + (g === 2 ? 2 : 0.5) * z()].map((v) => v.toFixed(4)).join(','));
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const args = ['fit', file, '--k', '1-4', '--covariance', 'all', '--json'];
    const inMemory = cli(args);
    assert.equal(inMemory.code, 0, inMemory.stderr);
    const streamed = cli(args, { MIXSCOPE_OUT_OF_CORE: 'always' });
    assert.equal(streamed.code, 0, streamed.stderr);
    const a = JSON.parse(inMemory.stdout);
    const b = JSON.parse(streamed.stdout);
    assert.ok(b.dataset.notes.some((n: string) => /^fitted out of core: 5000 rows/.test(n)), JSON.stringify(b.dataset.notes));
    assert.ok(!a.dataset.notes.some((n: string) => /out of core/.test(n)));
    assert.equal(a.selection.length, 4 * 14);
    assert.equal(b.selection.length, a.selection.length);
    assert.deepEqual([b.k, b.covariance, b.criterion], [a.k, a.covariance, a.criterion]);
    const close = (x: number, y: number, what: string) => assert.ok(Math.abs(x - y) <= 1e-6 * Math.abs(y), `${what}: ${x} vs ${y}`);
    let usable = 0;
    a.selection.forEach((e: Record<string, unknown>, i: number) => {
      const f = b.selection[i];
      const name = `K = ${e.k} ${e.covariance}`;
      assert.deepEqual([f.k, f.covariance, f.parameters, f.converged, f.degenerate, f.reason], [e.k, e.covariance, e.parameters, e.converged, e.degenerate, e.reason], name);
      for (const key of ['logLikelihood', 'bic', 'icl', 'aic']) {
        if (e[key] === null) assert.equal(f[key], null, `${name} ${key}`);
        else close(f[key], e[key] as number, `${name} ${key}`);
      }
      if (e.bic !== null) usable++;
    });
    assert.ok(usable >= 40, `${usable} usable candidates`);
    close(b.logLikelihood, a.logLikelihood, 'chosen log-likelihood');
    assert.equal(b.iterations, a.iterations);
    assert.equal(b.trace.length, a.trace.length);
    a.weights.forEach((w: number, j: number) => close(b.weights[j], w, `weight ${j}`));
    assert.deepEqual(fs.readdirSync(temp).filter((f) => f.startsWith('mixscope-store-')), []);
  });

  it('selects K and the covariance model with case weights out of core as in memory: the same table, choice and Σ w', function () {
    this.timeout(120000);
    // 3,000 rows (over the 2,000 the hierarchical clustering takes) with integer, fractional and zero weights.
    const file = path.join(temp, 'select-weighted.csv');
    const rng = new Rng(17);
    const z = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const weights = [1, 2, 0, 3, 0.5, 1.25, 4];
    const lines = ['a,b,w'];
    for (let i = 0; i < 3000; i++) {
      const g = i % 3;
      const u = z();
      lines.push(`${(4 * g + u).toFixed(4)},${(-2 * g + 0.5 * u + z()).toFixed(4)},${weights[i % weights.length]}`);
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const args = ['fit', file, '--k', '1-4', '--covariance', 'EII,VII,EEE,VEV,VVV', '--weights', 'w', '--criterion', 'icl', '--json'];
    const inMemory = cli(args);
    assert.equal(inMemory.code, 0, inMemory.stderr);
    const streamed = cli(args, { MIXSCOPE_OUT_OF_CORE: 'always' });
    assert.equal(streamed.code, 0, streamed.stderr);
    const a = JSON.parse(inMemory.stdout);
    const b = JSON.parse(streamed.stdout);
    assert.ok(b.dataset.notes.some((n: string) => /^fitted out of core: 3000 rows/.test(n)), JSON.stringify(b.dataset.notes));
    assert.equal(b.selection.length, 4 * 5);
    assert.equal(b.selection.length, a.selection.length);
    assert.deepEqual([b.k, b.covariance, b.criterion], [a.k, a.covariance, 'icl']);
    const close = (x: number, y: number, what: string) => assert.ok(Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y)), `${what}: ${x} vs ${y}`);
    a.selection.forEach((e: Record<string, unknown>, i: number) => {
      const f = b.selection[i];
      const name = `K = ${e.k} ${e.covariance}`;
      assert.deepEqual([f.k, f.covariance, f.parameters, f.converged, f.degenerate, f.reason], [e.k, e.covariance, e.parameters, e.converged, e.degenerate, e.reason], name);
      for (const key of ['logLikelihood', 'bic', 'icl', 'aic']) {
        if (e[key] === null) assert.equal(f[key], null, `${name} ${key}`);
        else close(f[key], e[key] as number, `${name} ${key}`);
      }
    });
    assert.equal(b.iterations, a.iterations);
    a.trace.forEach((v: number, i: number) => close(b.trace[i], v, `trace[${i}]`));
    close(b.bic, a.bic, 'chosen BIC');
    // The text summary names the weights and their sum (Σ w = 5035).
    const text = cli(args.filter((arg) => arg !== '--json'), { MIXSCOPE_OUT_OF_CORE: 'always' });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /n = 3000 \(weighted by column "w": Σ w = 5035\)/);
    assert.deepEqual(fs.readdirSync(temp).filter((f) => f.startsWith('mixscope-store-')), []);
  });

  for (const [fixture, extra] of [
    ['mixed.csv', []],
    ['mixed-counts.csv', ['--counts', 'visits,calls']],
  ] as const) {
    it(`fits the mixed family out of core with the in-memory trace and K sweep (${fixture})`, function () {
      this.timeout(60000);
      const file = path.join(root, 'test/fixtures', fixture);
      const run = (args: string[], env: Record<string, string> = {}) => {
        const r = cli(['fit', file, ...extra, ...args, '--json'], env);
        assert.equal(r.code, 0, r.stderr);
        return JSON.parse(r.stdout);
      };
      const close = (x: number, y: number, what: string) => assert.ok(Math.abs(x - y) <= 1e-9 * Math.abs(y), `${what}: ${x} vs ${y}`);
      for (const args of [['--k', '3', '--seed', '2'], ['--k', '2', '--init', 'random', '--covariance', 'diag', '--restarts', '2']]) {
        const a = run(args);
        const b = run(args, { MIXSCOPE_OUT_OF_CORE: 'always' });
        assert.ok(b.dataset.notes.some((n: string) => /^fitted out of core: 300 rows/.test(n)), JSON.stringify(b.dataset.notes));
        assert.equal(a.model, 'mixed');
        assert.equal(b.model, 'mixed');
        assert.equal(b.trace.length, a.trace.length);
        a.trace.forEach((v: number, i: number) => close(b.trace[i], v, `trace[${i}]`));
      }
      const a = run(['--k', '1-4', '--seed', '1']);
      const b = run(['--k', '1-4', '--seed', '1'], { MIXSCOPE_OUT_OF_CORE: 'always' });
      assert.equal(b.k, a.k);
      assert.equal(b.selection.length, 4);
      assert.equal(b.selection.length, a.selection.length);
      a.selection.forEach((e: { k: number; logLikelihood: number }, i: number) => {
        assert.equal(b.selection[i].k, e.k);
        close(b.selection[i].logLikelihood, e.logLikelihood, `K ${e.k} log-likelihood`);
      });
      assert.deepEqual(fs.readdirSync(temp).filter((f) => f.startsWith('mixscope-store-')), []);
    });
  }

  it('fits a Bernoulli mixture of 0/1 columns out of core with the in-memory trace and K sweep', function () {
    this.timeout(60000);
    const file = path.join(temp, 'answers.csv');
    const rng = new Rng(5);
    const lines = [Array.from({ length: 10 }, (_, j) => `q${j + 1}`).join(',')];
    for (let i = 0; i < 600; i++) lines.push(Array.from({ length: 10 }, (_, j) => (rng.next() < [0.8, 0.2, 0.5][i % 3] + (j % 2 ? 0.1 : -0.1) ? 1 : 0)).join(','));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const run = (args: string[], env: Record<string, string> = {}) => {
      const r = cli(['fit', file, ...args, '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const close = (x: number, y: number, what: string) => assert.ok(Math.abs(x - y) <= 1e-9 * Math.abs(y), `${what}: ${x} vs ${y}`);
    for (const args of [['--k', '3', '--seed', '2'], ['--k', '2', '--init', 'random', '--restarts', '2']]) {
      const a = run(args);
      const b = run(args, { MIXSCOPE_OUT_OF_CORE: 'always' });
      assert.ok(b.dataset.notes.some((n: string) => /^fitted out of core: 600 rows/.test(n)), JSON.stringify(b.dataset.notes));
      assert.equal(a.model, 'bernoulli');
      assert.equal(b.model, 'bernoulli');
      assert.equal(b.trace.length, a.trace.length);
      a.trace.forEach((v: number, i: number) => close(b.trace[i], v, `trace[${i}]`));
    }
    const a = run(['--k', '1-4', '--seed', '1']);
    const b = run(['--k', '1-4', '--seed', '1'], { MIXSCOPE_OUT_OF_CORE: 'always' });
    assert.equal(b.k, a.k);
    assert.equal(b.selection.length, 4);
    a.selection.forEach((e: { k: number; logLikelihood: number }, i: number) => {
      assert.equal(b.selection[i].k, e.k);
      close(b.selection[i].logLikelihood, e.logLikelihood, `K ${e.k} log-likelihood`);
    });
    assert.deepEqual(fs.readdirSync(temp).filter((f) => f.startsWith('mixscope-store-')), []);
  });

  it('fits case weights and hard EM out of core with the in-memory trace (Gaussian, Bernoulli, mixed)', function () {
    this.timeout(60000);
    const gaussian = path.join(temp, 'weighted.csv');
    const binary = path.join(temp, 'weighted-answers.csv');
    const rng = new Rng(9);
    const z = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const weights = [1, 2, 0, 3, 0.5];
    const numeric = ['a,b,w'];
    const answers = [[...Array.from({ length: 8 }, (_, j) => `q${j + 1}`), 'w'].join(',')];
    for (let i = 0; i < 900; i++) {
      numeric.push([4 * (i % 3) + z(), -2 * (i % 3) + z()].map((v) => v.toFixed(4)).join(',') + `,${weights[i % 5]}`);
      answers.push([...Array.from({ length: 8 }, (_, j) => (rng.next() < [0.8, 0.2, 0.5][i % 3] + (j % 2 ? 0.1 : -0.1) ? 1 : 0)), weights[(i * 3) % 5]].join(','));
    }
    fs.writeFileSync(gaussian, numeric.join('\n') + '\n');
    fs.writeFileSync(binary, answers.join('\n') + '\n');
    const runs: [string, string[]][] = [
      [gaussian, ['--k', '3', '--covariance', 'full', '--seed', '1', '--weights', 'w']],
      [gaussian, ['--k', '3', '--covariance', 'diag', '--seed', '2', '--em', 'hard']],
      [binary, ['--model', 'bernoulli', '--k', '3', '--seed', '3', '--weights', 'w', '--em', 'hard']],
      [path.join(root, 'test/fixtures/mixed.csv'), ['--model', 'mixed', '--k', '2', '--seed', '4', '--em', 'hard']],
    ];
    for (const [file, args] of runs) {
      const inMemory = cli(['fit', file, ...args, '--json']);
      assert.equal(inMemory.code, 0, inMemory.stderr);
      const streamed = cli(['fit', file, ...args, '--json'], { MIXSCOPE_OUT_OF_CORE: 'always' });
      assert.equal(streamed.code, 0, streamed.stderr);
      const a = JSON.parse(inMemory.stdout);
      const b = JSON.parse(streamed.stdout);
      const what = `${path.basename(file)} ${args.join(' ')}`;
      assert.ok(b.dataset.notes.some((n: string) => /^fitted out of core/.test(n)), what);
      assert.equal(b.iterations, a.iterations, what);
      assert.equal(b.trace.length, a.trace.length, what);
      a.trace.forEach((v: number, i: number) => assert.ok(Math.abs(b.trace[i] - v) <= 1e-9 * Math.abs(v), `${what} trace[${i}] ${b.trace[i]} vs ${v}`));
      assert.ok(Math.abs(b.bic - a.bic) <= 1e-9 * Math.abs(a.bic), `${what} BIC ${b.bic} vs ${a.bic}`);
    }
    assert.deepEqual(fs.readdirSync(temp).filter((f) => f.startsWith('mixscope-store-')), []);
  });

  it('scores known labels out of core as in memory: --json reports the same accuracy, ARI, NMI and confusion (a label column, IDX labels beside the images)', function () {
    this.timeout(60000);
    const labelled = path.join(temp, 'labelled.csv');
    const rng = new Rng(13);
    const z = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const rows = ['a,b,label'];
    for (let i = 0; i < 3000; i++) rows.push(`${(2 * (i % 3) + z()).toFixed(4)},${(-1.5 * (i % 3) + z()).toFixed(4)},${i % 3}`);
    fs.writeFileSync(labelled, rows.join('\n') + '\n');
    // IDX images (4×4, brighter in the class's quarter) and the labels file beside them.
    const images = path.join(temp, 'train-images-idx3-ubyte');
    const n = 600;
    const header = Buffer.alloc(16);
    [0x803, n, 4, 4].forEach((v, i) => header.writeUInt32BE(v, 4 * i));
    const pixels = Buffer.alloc(n * 16);
    for (let i = 0; i < n; i++) for (let j = 0; j < 16; j++) pixels[i * 16 + j] = Math.floor(j / 4) === i % 4 ? 150 + Math.floor(100 * rng.next()) : Math.floor(100 * rng.next());
    fs.writeFileSync(images, Buffer.concat([header, pixels]));
    const labelHeader = Buffer.alloc(8);
    [0x801, n].forEach((v, i) => labelHeader.writeUInt32BE(v, 4 * i));
    fs.writeFileSync(path.join(temp, 'train-labels-idx1-ubyte'), Buffer.concat([labelHeader, Buffer.from(Array.from({ length: n }, (_, i) => i % 4))]));
    // The same labels under another name, given with --labels.
    const named = path.join(temp, 'classes.idx1-ubyte');
    fs.copyFileSync(path.join(temp, 'train-labels-idx1-ubyte'), named);
    const runs: [string, string[]][] = [
      [labelled, ['--k', '3', '--covariance', 'full', '--seed', '1']],
      [images, ['--model', 'bernoulli', '--k', '4', '--seed', '2']],
      [images, ['--model', 'bernoulli', '--k', '4', '--seed', '3', '--labels', named]],
    ];
    for (const [file, args] of runs) {
      const inMemory = cli(['fit', file, ...args, '--json']);
      assert.equal(inMemory.code, 0, inMemory.stderr);
      const streamed = cli(['fit', file, ...args, '--json'], { MIXSCOPE_OUT_OF_CORE: 'always' });
      assert.equal(streamed.code, 0, streamed.stderr);
      const a = JSON.parse(inMemory.stdout);
      const b = JSON.parse(streamed.stdout);
      const what = path.basename(file);
      assert.ok(b.dataset.notes.some((note: string) => /^fitted out of core/.test(note)), what);
      assert.ok(a.labelMetrics && b.labelMetrics, `${what}: label metrics in both fits`);
      assert.ok(a.labelMetrics.accuracy > 0.8, `${what}: accuracy ${a.labelMetrics.accuracy}`);
      for (const key of ['accuracy', 'oneToOneAccuracy', 'adjustedRandIndex', 'normalizedMutualInfo']) {
        assert.ok(Math.abs(b.labelMetrics[key] - a.labelMetrics[key]) <= 1e-12, `${what} ${key}: ${b.labelMetrics[key]} vs ${a.labelMetrics[key]}`);
      }
      assert.deepEqual(b.labelMetrics.confusion, a.labelMetrics.confusion, what);
      assert.deepEqual(b.labelMetrics.labelValues, a.labelMetrics.labelValues, what);
    }
    // A labels file beside another format is read in memory only: out of core it is refused, not ignored.
    const refused = cli(['fit', labelled, '--k', '3', '--labels', named], { MIXSCOPE_OUT_OF_CORE: 'always' });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /labelled\.csv is fitted out of core, which reads a separate labels file \(classes\.idx1-ubyte\) beside IDX images only\. Put the labels in a column/);
    assert.deepEqual(fs.readdirSync(temp).filter((f) => f.startsWith('mixscope-store-')), []);
  });

  it('fits Parquet, Arrow and Excel out of core (MIXSCOPE_OUT_OF_CORE=always) with the in-memory trace', () => {
    const data = path.join(root, 'test/fixtures/data');
    for (const file of ['parquet/faithful-groups.zstd.parquet', 'arrow/faithful-batches.arrow', 'faithful.xlsx']) {
      const args = ['fit', path.join(data, file), '--k', '2', '--covariance', 'full', '--seed', '4', '--json'];
      const inMemory = cli(args);
      assert.equal(inMemory.code, 0, inMemory.stderr);
      const streamed = cli(args, { MIXSCOPE_OUT_OF_CORE: 'always' });
      assert.equal(streamed.code, 0, streamed.stderr);
      const a = JSON.parse(inMemory.stdout);
      const b = JSON.parse(streamed.stdout);
      assert.ok(b.dataset.notes.some((n: string) => /^fitted out of core: 272 rows streamed (row group by row group|record batch by record batch|group of rows by group of rows)/.test(n)), JSON.stringify(b.dataset.notes));
      assert.equal(b.trace.length, a.trace.length);
      a.trace.forEach((v: number, i: number) => assert.ok(Math.abs(b.trace[i] - v) <= 1e-9 * Math.abs(v), `${file} trace[${i}] ${b.trace[i]} vs ${v}`));
    }
    assert.deepEqual(fs.readdirSync(temp).filter((f) => f.startsWith('mixscope-store-')), []);
  });

  it('selects on one column out of core as in memory (mclust\'s E and V from the quantile classes of every value)', () => {
    const args = ['fit', csv, '--columns', 'a', '--k', '1-4', '--json'];
    const inMemory = cli(args);
    assert.equal(inMemory.code, 0, inMemory.stderr);
    const streamed = cli([...args, '--memory-budget-mb', '1']);
    assert.equal(streamed.code, 0, streamed.stderr);
    const a = JSON.parse(inMemory.stdout);
    const b = JSON.parse(streamed.stdout);
    assert.ok(b.dataset.notes.some((n: string) => /^fitted out of core: 60000 rows/.test(n)), JSON.stringify(b.dataset.notes));
    assert.deepEqual(b.selection.map((e: { covariance: string }) => e.covariance), ['E', 'V', 'E', 'V', 'E', 'V', 'E', 'V']);
    assert.deepEqual([b.k, b.covariance], [a.k, a.covariance]);
    a.selection.forEach((e: { k: number; covariance: string; bic: number | null }, i: number) => {
      const f = b.selection[i].bic;
      if (e.bic === null) assert.equal(f, null);
      else assert.ok(Math.abs(f - e.bic) <= 1e-9 * Math.abs(e.bic), `K = ${e.k} ${e.covariance} BIC ${f} vs ${e.bic}`);
    });
    assert.deepEqual(fs.readdirSync(temp).filter((f) => f.startsWith('mixscope-store-')), []);
  });

  it('refuses out of core what it cannot fit, with what to set, and rejects a bad budget', () => {
    // The variational mixture from random responsibilities: refused before reading.
    const r = cli(['fit', csv, '--k', '3', '--covariance', 'variational', '--init', 'random', '--memory-budget-mb', '1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^mixscope: blobs\.csv \(\d+ MB, about \d+ MB once read into memory\) is over the 1 MB memory budget \(memoryBudgetMB\), so it is fitted out of core, which starts covarianceType "variational" from k-means \(as scikit-learn's BayesianGaussianMixture\), not from init "random"\. Set init to "kmeans\+\+" and leave initParams unset, or raise memoryBudgetMB/);
    assert.deepEqual(fs.readdirSync(temp).filter((f) => f.startsWith('mixscope-store-')), []);
    const bad = cli(['fit', csv, '--memory-budget-mb', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--memory-budget-mb expects a size in MB greater than 0/);
  });
});
