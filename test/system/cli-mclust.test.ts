// The CLI (built bundle dist/cli.js, as a user runs it) with an mclust covariance model: --covariance takes every
// model name, --json carries both BICs, ICL and the parameter count, the human summary states each BIC's sign.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const faithful = path.join(root, 'test/fixtures/faithful.csv');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/mixscope.js'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI: mixscope fit --covariance with an mclust model', () => {
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
  });

  it('--covariance VVV --json: the model, mclust’s BIC and ICL (higher is better), the parameter count, and sklearn’s BIC = −mclust’s', () => {
    const r = cli(['fit', faithful, '--k', '2', '--covariance', 'VVV', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.covarianceType, 'VVV');
    assert.equal(out.parameters, 11);
    assert.equal(out.mclustBic, 2 * out.logLikelihood - 11 * Math.log(272));
    assert.equal(out.bic, -2 * out.logLikelihood + 11 * Math.log(272));
    assert.ok(out.icl < out.mclustBic);
    // VVV is the model of scikit-learn's "full": the same maximum of the likelihood on Old Faithful.
    const full = JSON.parse(cli(['fit', faithful, '--k', '2', '--covariance', 'full', '--json']).stdout);
    assert.equal(full.covarianceType, 'full');
    assert.equal(full.parameters, 11);
    assert.ok(Math.abs(out.logLikelihood - full.logLikelihood) < 1e-6, `${out.logLikelihood} vs ${full.logLikelihood}`);
    assert.equal(full.mclustBic, -full.bic);
  });

  it('the human summary states the sign of each criterion', () => {
    const r = cli(['fit', faithful, '--k', '2', '--covariance', 'EVE']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /gaussian mixture \(covariance EVE\), K = 2/);
    assert.match(r.stdout, /BIC 2\d{3}\.\d{4}, AIC 2\d{3}\.\d{4} \(scikit-learn's sign: −2 ln L \+ p ln n, lower is better\)/);
    assert.match(r.stdout, /mclust BIC -2\d{3}\.\d{4}, ICL -2\d{3}\.\d{4} \(mclust's sign: 2 ln L − p ln n, higher is better\), 9 free parameters/);
  });

  it('E on two columns and an unknown name are refused with exit code 2 and one line', () => {
    const e = cli(['fit', faithful, '--covariance', 'E']);
    assert.equal(e.code, 2);
    assert.match(e.stderr, /covarianceType "E" is mclust's model for one column, but the data have 2 columns/);
    const wrong = cli(['fit', faithful, '--covariance', 'VVX']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /covarianceType must be one of full, diag, spherical, tied, EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV, E, V, variational, got "VVX"/);
  });
});
