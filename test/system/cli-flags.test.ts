// The CLI's flags come from the settings schema: --help lists them, each one is parsed by its setting's kind and
// checked against the same range as the extension's setting; --version, an unknown flag, no arguments and a missing
// --init-params file each answer with one clear message. Runs the built bundle (dist/cli.js), as a user does.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_SETTINGS, type CliSettingSpec, type NumberSpec } from '../../src/shared/settings';

const root = path.resolve(__dirname, '../..');
const faithful = path.join(root, 'test/fixtures/faithful.csv');
const specs = CLI_SETTINGS;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/mixscope.js'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Bad input: exit code 2, nothing on stdout, one line on stderr matching every pattern. */
function refused(args: string[], ...patterns: RegExp[]): string {
  const r = cli(args);
  assert.equal(r.code, 2, `${args.join(' ')} → exit ${r.code}: ${r.stderr}${r.stdout.slice(0, 200)}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  for (const p of patterns) assert.match(lines[0], p);
  return lines[0];
}

function tmpFile(name: string, content: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-flags-')), name);
  fs.writeFileSync(file, content);
  return file;
}

describe('CLI flags from the settings schema', () => {
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
  });

  it('--help lists every setting as its flag with its default, and exits 0', () => {
    const r = cli(['--help']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Usage: mixscope fit FILE \[options\]/);
    for (const spec of specs) {
      const line = r.stdout.split('\n').findIndex((l) => l.trimStart().startsWith(`--${spec.cli.flag} `) || l.trim() === `--${spec.cli.flag}` || l.includes(`--${spec.cli.flag}  `));
      assert.ok(line >= 0, `--${spec.cli.flag} is not in --help`);
    }
    assert.match(r.stdout, /--covariance full\|diag\|spherical\|tied\|EII\|VII\|EEI\|VEI\|EVI\|VVI\|EEE\|VEE\|EVE\|VVE\|EEV\|VEV\|EVV\|VVV\|E\|V\|variational\s+Gaussian covariance: a scikit-learn type or an mclust model \(E, V: one column\) {2}\[full\]/);
    assert.match(r.stdout, /--k N\|A-B\|A,B,C\|auto\s+number of components K; a range or a list \(or auto: mixscope\.kRange\) chooses K by --criterion {2}\[auto\]/);
    assert.match(r.stdout, /--beta A,B\s+.*\[2,2\]/);
    for (const flag of ['--json', '--snapshots', '--verbose', '--labels COLUMN|none|FILE', '--version', '-h, --help']) assert.ok(r.stdout.includes(flag), flag);
    assert.equal(cli(['-h']).stdout, r.stdout);
  });

  it('every setting flag given at its default fits exactly as no flags at all', () => {
    const args: string[] = [];
    for (const spec of specs) {
      // --covariance also names the one model a selection tries (K auto: K is chosen for that model alone), so at
      // the default K it is not a mirror of covarianceType; --covariance-models is, and is given here.
      if (spec.kind === 'initParams' || spec.key === 'covarianceType') continue;
      if (spec.kind === 'boolean') {
        if (spec.default) args.push(`--${spec.cli.flag}`);
      } else if (spec.kind === 'stringList') args.push(`--${spec.cli.flag}=${spec.key === 'columns' ? 'eruptions,waiting' : ''}`);
      else if (spec.kind === 'numberPair') args.push(`--${spec.cli.flag}`, (spec.default as readonly number[]).join(','));
      else args.push(`--${spec.cli.flag}=${String(spec.default)}`);
    }
    const plain = cli(['fit', faithful, '--json']);
    const flagged = cli(['fit', faithful, '--json', ...args]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(flagged.code, 0, flagged.stderr);
    const strip = (text: string) => {
      const { elapsedMs, ...rest } = JSON.parse(text);
      void elapsedMs;
      return rest;
    };
    assert.deepEqual(strip(flagged.stdout), strip(plain.stdout));
  });

  it('--version prints the version of package.json', () => {
    const r = cli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `mixscope ${JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version}\n`);
  });

  it('an unknown flag says so and points to mixscope --help (not parseArgs advice about positional arguments)', () => {
    const line = refused(['fit', faithful, '--bogus'], /^mixscope: unknown option --bogus; see mixscope --help/);
    assert.doesNotMatch(line, /positional/);
    refused(['fit', faithful, '--K', '3'], /unknown option --K/);
    refused(['fit', faithful, '--k'], /--k needs a value/);
  });

  it('no arguments prints the usage on stderr, exit code 2', () => {
    const r = cli([]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Usage: mixscope fit FILE \[options\]/);
    assert.match(r.stderr, /--max-iter N/);
  });

  it('a missing, unreadable or malformed --init-params file is one line naming it', () => {
    const missing = path.join(os.tmpdir(), 'mixscope-no-such-start.json');
    const line = refused(['fit', faithful, '--init-params', missing], new RegExp(`--init-params ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot be read: no such file`));
    assert.doesNotMatch(line, /ENOENT/);
    refused(['fit', faithful, '--init-params', os.tmpdir()], /cannot be read: it is a folder, not a file/);
    refused(['fit', faithful, '--init-params', tmpFile('broken.json', '{"weights": [0.5,')], /broken\.json is not valid JSON/);
    refused(['fit', faithful, '--init-params', tmpFile('list.json', '[1, 2]')], /list\.json must hold \{"weights"/);
  });

  it("the limits are the schema's: each numeric flag is accepted at its bounds and refused just beyond, naming the setting", () => {
    const bounds = specs.filter((s): s is NumberSpec & CliSettingSpec => s.kind === 'number' && s.scope === 'fit' && Number.isFinite(s.max) && !s.exclusiveMax);
    for (const spec of bounds) {
      const step = spec.integer ? 1 : 1e-6;
      refused(['fit', faithful, `--${spec.cli.flag}=${spec.max + step}`], new RegExp(`^mixscope: faithful\\.csv: ${spec.key} must be ${spec.expectation ?? `${spec.integer ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}`}, got`));
      if (!spec.exclusiveMin) refused(['fit', faithful, `--${spec.cli.flag}=${spec.min - step}`], new RegExp(`${spec.key} must be`));
    }
    // At the bounds the settings pass; only the data can object (K = 1000 > 272 rows).
    refused(['fit', faithful, '--k', '1000'], /272 usable rows but K = 1000/);
    const start = cli(['fit', faithful, '--k', '2', '--max-iter', '0', '--tol', '0', '--json']);
    assert.equal(start.code, 0, start.stderr);
    const out = JSON.parse(start.stdout);
    assert.equal(out.iterations, 0);
    assert.equal(out.trace.length, 1, 'only the start is evaluated');
    refused(['fit', faithful, '--threshold', '1'], /threshold must be a number at least 0 and less than 1, got 1\./);
    refused(['fit', faithful, '--beta', '0.5,2'], /betaPrior must be two numbers ≥ 1/);
    refused(['fit', faithful, '--beta', '2'], /--beta expects two numbers "A,B", got "2"/);
    refused(['fit', faithful, '--em', 'medium'], /emVariant must be one of soft, hard, got "medium"/);
  });
});
