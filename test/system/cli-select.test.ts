// `mixscope select` as a user runs it (the built bundle dist/cli.js with its worker dist/selectWorker.js): Old Faithful
// gives R's Mclust() table and choice (test/reference/mclust_bic.json), as JSON and as the human table.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const faithful = path.join(root, 'test/fixtures/faithful.csv');
const reference = JSON.parse(fs.readFileSync(path.join(root, 'test/reference/mclust_bic.json'), 'utf8'));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/mixscope.js'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const close = (actual: number, expected: number, where: string) => assert.ok(Math.abs(actual - expected) <= 1e-6 * Math.abs(expected), `${where}: ${actual}, R ${expected}`);

describe('CLI: mixscope select', function () {
  this.timeout(300_000);
  before(function () {
    for (const f of ['dist/cli.js', 'dist/selectWorker.js']) if (!fs.existsSync(path.join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` (npm test does).`);
  });

  it('--json: every cell of R’s BIC table for Old Faithful, and R’s choice EEE with 3 components', () => {
    const r = cli(['select', faithful, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const ref = reference.faithful;
    assert.equal(out.criterion, 'bic');
    assert.match(out.convention, /2 ln L − p ln n/);
    assert.match(out.convention, /higher is better/);
    assert.deepEqual(out.ks, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(out.models, ref.models);
    assert.equal(out.cells.length, 9 * 14);
    out.ks.forEach((k: number, i: number) =>
      out.models.forEach((model: string, j: number) => {
        const cell = out.cells[i * 14 + j];
        assert.equal(cell.k, k);
        assert.equal(cell.model, model);
        close(cell.bic, ref.bic[i][j], `K=${k} ${model} BIC`);
        close(cell.icl, ref.icl[i][j], `K=${k} ${model} ICL`);
      }),
    );
    assert.equal(out.best.cell.model, 'EEE');
    assert.equal(out.best.cell.k, 3);
    close(out.best.cell.bic, ref.best.bic, 'best BIC');
    close(out.best.cell.logLikelihood, ref.best.logLikelihood, 'best log-likelihood');
    assert.equal(out.best.weights.length, 3);
    assert.equal(out.best.assignments.length, 272);
  });

  it('the human table: rows K, columns models, the best marked, the sign stated; --criterion icl chooses as mclustICL', () => {
    const r = cli(['select', faithful, '--k', '1:4', '--models', 'EII,EEE,VVE']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 ln L − p ln n .*higher is better/);
    assert.match(r.stdout, /^\s+K\s+EII\s+EEE\s+VVE$/m);
    assert.match(r.stdout, /^\s+3\s+-3377\.70\s+-2314\.32\*\s+-2336\.27$/m);
    assert.match(r.stdout, /Best by BIC: EEE, K = 3 \(BIC -2314\.32, log-likelihood -1126\.33, 11 parameters\)/);
    const icl = cli(['select', faithful, '--k', '1:4', '--models', 'EII,EEE,VVE', '--criterion', 'icl', '--json']);
    assert.equal(icl.code, 0, icl.stderr);
    const out = JSON.parse(icl.stdout);
    assert.equal(out.criterion, 'icl');
    assert.deepEqual([out.best.cell.model, out.best.cell.k], [reference.faithful.bestIcl.model, reference.faithful.bestIcl.k]);
    close(out.best.cell.icl, reference.faithful.bestIcl.icl, 'best ICL');
  });

  it('refuses settings that do not apply, with one line and exit code 2', () => {
    for (const [args, message] of [
      [['--covariance', 'full'], /--covariance does not apply to mixscope select \(choose covariance models with --models\)/],
      [['--models', 'EII,XYZ'], /--models expects "all" or mclust model names/],
      [['--k', '3:1'], /--k expects K, a range A:B or a list A,B,C/],
      [['--criterion', 'aic'], /--criterion expects bic or icl/],
    ] as const) {
      const r = cli(['select', faithful, ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    const fit = cli(['fit', faithful, '--models', 'EEE']);
    assert.equal(fit.code, 2);
    assert.match(fit.stderr, /--models is an option of mixscope select, not of mixscope fit/);
    const help = cli(['--help']);
    assert.match(help.stdout, /mixscope select FILE \[--k 1:9\] \[--models all\|EII,VVV,\.\.\.\] \[--criterion bic\|icl\]/);
  });
});
