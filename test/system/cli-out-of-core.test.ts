// The CLI's --memory-budget-mb: a CSV over the budget is fitted out of core (same trace as in memory), its temporary
// store is removed, and what out of core cannot do is refused with one line.
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
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/mixscope.js'), ...args], { encoding: 'utf8', env: { ...process.env, TMPDIR: temp } });
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

  it('refuses k "auto" out of core with what to set, and rejects a bad budget', () => {
    const r = cli(['fit', csv, '--memory-budget-mb', '1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^mixscope: blobs\.csv \(\d+ MB\) is over the 1 MB memory budget \(memoryBudgetMB\), so it is fitted out of core, which fits a fixed K .*Set k to a number \(CLI: --k 3\), or raise memoryBudgetMB/);
    const bad = cli(['fit', csv, '--memory-budget-mb', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--memory-budget-mb expects a size in MB greater than 0/);
  });
});
