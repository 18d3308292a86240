// Model selection as users meet it: `mixscope fit` (the built bundle dist/cli.js with dist/selectWorker.js) with K
// auto, ranges, lists and several covariance models, checked against R's Mclust() on Old Faithful
// (test/reference/mclust_bic.json); and the extension's engine worker (dist/worker.js) streaming one
// selectionProgress per candidate before `done`, whose sweep threads end with it when a fit is cancelled.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFit } from '../../src/host/workerClient';
import { DEFAULT_FIT_OPTIONS } from '../../src/shared/protocol';

const root = path.resolve(__dirname, '../..');
const faithful = path.join(root, 'test/fixtures/faithful.csv');
const reference = JSON.parse(fs.readFileSync(path.join(root, 'test/reference/mclust_bic.json'), 'utf8'));
const ENTRY_KEYS = ['k', 'covariance', 'logLikelihood', 'parameters', 'bic', 'icl', 'aic', 'converged', 'degenerate'];

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/mixscope.js'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[]) {
  const r = cli([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function tmpCsv(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-select-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const SIX_ROWS = 'a,b\n0,0\n0.1,0.3\n0.2,0.1\n5,5\n5.2,5.1\n5.1,4.8\n';

describe('CLI: mixscope fit chooses K and the covariance model', function () {
  this.timeout(300_000);
  before(function () {
    for (const f of ['dist/cli.js', 'dist/selectWorker.js', 'dist/worker.js']) if (!fs.existsSync(path.join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` (npm test does).`);
  });

  it('default settings on Old Faithful: EEE with K = 3, BIC 2314.32 (mclust −2314.32), log-likelihood −1126.33; every entry is R\'s', () => {
    const out = json(['fit', faithful]);
    assert.equal(out.k, 3);
    assert.equal(out.covariance, 'EEE');
    assert.equal(out.criterion, 'bic');
    assert.equal(out.bic.toFixed(2), '2314.32');
    assert.equal(out.logLikelihood.toFixed(2), '-1126.33');
    assert.equal(out.selection.length, 126);
    const ref = reference.faithful;
    out.selection.forEach((e: Record<string, unknown>, index: number) => {
      const i = Math.floor(index / 14);
      const j = index % 14;
      assert.deepEqual([e.k, e.covariance], [reference.G[i], ref.models[j]]);
      // The keys scripts read, exactly; `reason` only for a candidate that could not be used.
      assert.deepEqual(Object.keys(e), e.reason === undefined ? ENTRY_KEYS : [...ENTRY_KEYS, 'reason']);
      assert.equal(typeof e.degenerate, 'boolean');
      const bic = ref.bic[i][j];
      if (bic === null) assert.equal(e.bic, null);
      else assert.ok(Math.abs((e.bic as number) + bic) <= 1e-6 * Math.abs(bic), `K = ${e.k} ${e.covariance}: ${e.bic}, R ${-bic}`);
    });
  });

  it('--k 2-4 --covariance VVV,EEE: 6 candidates; --k 2,3,5; --covariance all at one K', () => {
    const six = json(['fit', faithful, '--k', '2-4', '--covariance', 'VVV,EEE']);
    assert.deepEqual(six.selection.map((e: { k: number; covariance: string }) => `${e.k}${e.covariance}`), ['2VVV', '2EEE', '3VVV', '3EEE', '4VVV', '4EEE']);
    assert.deepEqual([six.k, six.covariance], [3, 'EEE']);
    const list = json(['fit', faithful, '--k', '2,3,5', '--covariance', 'tied']);
    assert.deepEqual(list.selection.map((e: { k: number }) => e.k), [2, 3, 5]);
    assert.deepEqual([...new Set(list.selection.map((e: { covariance: string }) => e.covariance))], ['EEE']);
    const all = json(['fit', faithful, '--k', '3', '--covariance', 'all']);
    assert.equal(all.selection.length, 14);
    assert.deepEqual([all.k, all.covariance], [3, 'EEE']);
  });

  it('--criterion icl and aic choose by those scores', () => {
    const icl = json(['fit', faithful, '--criterion', 'icl']);
    assert.deepEqual([icl.k, icl.covariance, icl.criterion], [reference.faithful.bestIcl.k, reference.faithful.bestIcl.model, 'icl']);
    const aic = json(['fit', faithful, '--criterion', 'aic', '--k', '1-5']);
    const lowest = aic.selection.filter((e: { aic: number | null }) => e.aic !== null).reduce((a: { aic: number }, b: { aic: number }) => (b.aic < a.aic ? b : a));
    assert.deepEqual([aic.k, aic.covariance], [lowest.k, lowest.covariance]);
    assert.ok(Math.abs(aic.aic - lowest.aic) <= 1e-9 * lowest.aic, `${aic.aic} vs ${lowest.aic}`);
  });

  it('the human output: the criterion table (rows K, columns models, — for not usable, * chosen), the choice and the sign', () => {
    const r = cli(['fit', faithful, '--k', '1-3', '--covariance', 'EII,EEE']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /^BIC of 6 candidates \(Mixscope's sign, as scikit-learn: BIC = −2 ln L \+ p ln n, lower is better; mclust reports BIC negated\)/);
    assert.match(lines[1], /^\s+K\s+EII\s+EEE$/);
    assert.match(lines[4], /^\s+3\s+\d+\.\d\d\s+2314\.32\*$/);
    assert.ok(lines.includes('chosen: EEE, K = 3 (lowest BIC)'));
    assert.match(r.stdout, /note: K = 3, EEE: lowest BIC of 6 candidates; next /);
    const small = cli(['fit', tmpCsv('six.csv', SIX_ROWS), '--k', '1-8', '--covariance', 'EII,VII']);
    assert.equal(small.code, 0, small.stderr);
    assert.match(small.stdout, /\n\s+8\s+—\s+—\n/);
    assert.match(small.stdout, /note: six\.csv: K = 7, 8 skipped: more components than the 6 rows\./);
  });

  it('an empty candidate set is one error naming the file; a bad list names the flag; one candidate is the plain fit', () => {
    const none = cli(['fit', tmpCsv('six.csv', SIX_ROWS), '--k', '10-12']);
    assert.equal(none.code, 2);
    assert.equal(none.stderr, 'mixscope: six.csv: no candidate to fit: every K tried (10…12) is more than the 6 usable rows. Set a smaller kRange.\n');
    const bad = cli(['fit', faithful, '--covariance', 'EEE,XYZ']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^mixscope: --covariance expects a covariance model, a list EEE,VVV or all: "XYZ" is not a covariance model/);
    const single = json(['fit', faithful, '--k', '2']);
    assert.equal(single.selection, undefined);
    assert.equal(single.criterion, undefined);
    assert.equal(single.covarianceType, 'full');
  });

  it('mixscope select still prints R\'s table in mclust\'s sign', () => {
    const out = json(['select', faithful, '--k', '1-9']);
    assert.equal(out.best.cell.model, 'EEE');
    assert.equal(out.best.cell.k, 3);
    assert.equal(out.best.cell.bic.toFixed(2), '-2314.32');
  });
});

describe('engine worker: a model selection as the extension runs it', function () {
  this.timeout(120_000);
  const workerPath = path.join(root, 'dist/worker.js');
  const threads = () => Number(/Threads:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN);

  it('posts one valid selectionProgress per candidate, in order, then done with the selection', async () => {
    const seen: string[] = [];
    const run = startFit({ workerPath }, { fileName: 'faithful.csv', bytes: fs.readFileSync(faithful), options: { ...DEFAULT_FIT_OPTIONS, kRange: '1-4', covarianceModels: 'EII,EEE,VVV', threads: 2 } }, {
      onLoaded: () => seen.push('loaded'),
      onSelectionProgress: (m) => seen.push(`selection ${m.done}/${m.total}`),
      onProgress: () => seen.push('progress'),
    });
    const outcome = await run.finished;
    await run.exited;
    assert.equal(outcome.status, 'done', JSON.stringify(outcome).slice(0, 400));
    if (outcome.status !== 'done') return;
    assert.equal(seen[0], 'loaded');
    assert.deepEqual(seen.slice(1, 13), Array.from({ length: 12 }, (_, i) => `selection ${i + 1}/12`));
    assert.ok(seen.slice(13).every((e) => e === 'progress') && seen.length > 13);
    const { result } = outcome.message;
    assert.deepEqual([result.k, result.covarianceType, result.selection?.entries.length], [3, 'EEE', 12]);
  });

  it('cancelling terminates the worker and the sweep threads it started', async function () {
    if (!fs.existsSync('/proc/self/status')) this.skip();
    const lines = ['a,b,c'];
    for (let i = 0; i < 3000; i++) lines.push(`${Math.sin(i) * 3 + (i % 3) * 5},${Math.cos(i * 1.7) * 2},${((i * 7919) % 101) / 10}`);
    const before = threads();
    let candidates = 0;
    const run = startFit(
      { workerPath },
      { fileName: 'big.csv', bytes: new Uint8Array(Buffer.from(lines.join('\n'))), options: { ...DEFAULT_FIT_OPTIONS, threads: 3 } },
      { onSelectionProgress: () => candidates++ },
    );
    // Wait until the sweep runs (its threads started), then cancel in the middle of it.
    for (let waited = 0; candidates < 3 && waited < 60_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    assert.ok(candidates >= 3 && candidates < 126, `${candidates} candidates before the cancel`);
    const during = threads();
    // The engine worker and at least one sweep thread of its own.
    assert.ok(during >= before + 2, `threads during the sweep: ${during}, before: ${before}`);
    run.cancel();
    assert.equal((await run.finished).status, 'cancelled');
    await run.exited;
    for (let waited = 0; threads() > before && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    assert.ok(threads() <= before, `no thread left behind: ${threads()} threads, ${before} before the fit`);
  });
});
