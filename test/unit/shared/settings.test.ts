// The settings schema: one table, and every entry point (settings reader, restored panel state, engine) giving the
// same verdict on the same value; the ranges checked against scikit-learn's own parameter constraints.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_FIT_OPTIONS,
  FIT_SETTINGS,
  LIMITS,
  CLI_SETTINGS,
  SETTINGS,
  settingSpec,
  validateFitOptions,
  type FitOptions,
  type NumberSpec,
} from '../../../src/shared/settings';
import { describeOptions, settingsMarkdownTable } from '../../../src/shared/settingsText';
import { resolveOptions } from '../../../src/engine/options';
import { resolveFitOptions, validateFitOptionsStrict, validateK, validateMaxIterations } from '../../../src/host/validation';

const root = path.resolve(__dirname, '../../..');

describe('settings schema: the table', () => {
  it('every setting has a unique key and CLI flag, a description, and a default inside its own range', () => {
    const keys = SETTINGS.map((s) => s.key);
    const flags = CLI_SETTINGS.map((s) => s.cli.flag);
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(new Set(flags).size, flags.length);
    for (const spec of SETTINGS) {
      assert.ok(spec.description.length > 20, spec.key);
      if (spec.default === null) continue;
      assert.deepEqual(validateFitOptions({ [spec.key]: spec.default }, 'engine').problems, [], `default of ${spec.key}`);
    }
  });

  it('mixscope.codeLens is a host setting the engine and the CLI never see', () => {
    const spec = SETTINGS.find((s) => s.key === 'codeLens');
    assert.deepEqual([spec?.scope, spec?.kind, spec?.default, 'cli' in (spec ?? {})], ['host', 'boolean', true, false]);
    assert.ok(!CLI_SETTINGS.some((s) => s.key === 'codeLens'));
    assert.ok(!('codeLens' in DEFAULT_FIT_OPTIONS));
  });

  it('DEFAULT_FIT_OPTIONS holds every fit setting of the table at its default, and nothing else', () => {
    const expected = FIT_SETTINGS.filter((s) => s.default !== null).map((s) => s.key).sort();
    assert.deepEqual(Object.keys(DEFAULT_FIT_OPTIONS).sort(), expected);
    assert.equal(DEFAULT_FIT_OPTIONS.k, 'auto');
    assert.equal(DEFAULT_FIT_OPTIONS.tolerance, 1e-3);
    assert.deepEqual(DEFAULT_FIT_OPTIONS.betaPrior, [2, 2]);
    assert.ok(!('maxFileSizeMB' in DEFAULT_FIT_OPTIONS), 'a host-only setting never reaches the engine');
  });

  it("the panel's limits are the table's", () => {
    const k = settingSpec('k') as NumberSpec;
    assert.deepEqual([LIMITS.kMin, LIMITS.kMax], [k.min, k.max]);
    assert.equal(LIMITS.maxIterationsMax, (settingSpec('maxIterations') as NumberSpec).max);
  });
});

describe('settings schema: one verdict everywhere', () => {
  // Values at and just beyond each bound, and wrong types.
  const cases: [keyof FitOptions, unknown, boolean][] = [
    ['k', 1, true], ['k', 1000, true], ['k', 0, false], ['k', 1001, false], ['k', 2.5, false], ['k', '3', false],
    ['maxIterations', 0, true], ['maxIterations', 100000, true], ['maxIterations', -1, false], ['maxIterations', 100001, false],
    ['tolerance', 0, true], ['tolerance', 1e-12, true], ['tolerance', -1e-9, false], ['tolerance', Number.NaN, false], ['tolerance', Infinity, false],
    ['restarts', 1, true], ['restarts', 100, true], ['restarts', 0, false], ['restarts', 101, false],
    ['seed', 4294967295, true], ['seed', -1, false],
    ['regularization', 0, true], ['regularization', -1e-9, false],
    ['threshold', 0, true], ['threshold', 0.999, true], ['threshold', 1, false],
    ['maxPlotPoints', 100, true], ['maxPlotPoints', 99, false],
    ['threads', 64, true], ['threads', 65, false],
    ['imageWidth', 0, true], ['imageWidth', -1, false],
    ['betaPrior', [1, 1], true], ['betaPrior', [0.5, 2], false], ['betaPrior', [2], false],
    ['model', 'bernoulli', true], ['model', 'poisson', true], ['model', 'neural', false],
    ['init', 'random-assignment', true], ['init', 'params', false], ['init', 'kmeans', false],
    ['covarianceType', 'tied', true], ['covarianceType', 'FULL', false],
    ['emVariant', 'hard', true], ['emVariant', 'medium', false],
    ['standardize', true, true], ['standardize', 'yes', false],
    ['columns', ['a', '2'], true], ['columns', [1], false],
  ];

  for (const [key, value, valid] of cases) {
    it(`${key} = ${JSON.stringify(value) ?? String(value)} is ${valid ? 'accepted' : 'refused'} by the settings, a restored panel and the engine`, () => {
      const engine = (() => {
        try {
          resolveOptions({ [key]: value } as Partial<FitOptions>);
          return true;
        } catch (e) {
          assert.match((e as Error).message, new RegExp(`^${key} must be|init is "params"`));
          return false;
        }
      })();
      const restored = validateFitOptionsStrict({ ...DEFAULT_FIT_OPTIONS, [key]: value });
      const settings = resolveFitOptions({ [key]: value });
      assert.equal(engine, valid, 'engine');
      assert.equal(restored.ok, valid, `restored: ${JSON.stringify(restored)}`);
      assert.equal(settings.problems.length === 0, valid, `settings: ${JSON.stringify(settings.problems)}`);
      if (!valid) assert.match(settings.problems[0].message, new RegExp(`^mixscope\\.${key} must be`));
    });
  }

  it("the panel's re-run and the options dialog accept exactly the schema's K and iteration ranges", () => {
    for (const [key, value, valid] of cases) {
      if (key === 'k') assert.equal(validateK(value).ok, valid, `K ${String(value)}`);
      if (key === 'maxIterations') assert.equal(validateMaxIterations(value).ok, valid, `iterations ${String(value)}`);
    }
  });

  it('messages name the setting, the allowed range and the value received', () => {
    assert.throws(() => resolveOptions({ k: 5000 }), /^OptionsError: k must be "auto" or a whole number from 1 to 1000, got 5000\.$/);
    assert.throws(() => resolveOptions({ threshold: 1 }), /threshold must be a number at least 0 and less than 1, got 1\./);
    assert.throws(() => resolveOptions({ tolerance: -1 }), /tolerance must be a number at least 0, got -1\./);
    const { problems } = resolveFitOptions({ restarts: 500 });
    assert.equal(problems[0].message, 'mixscope.restarts must be a whole number from 1 to 100; got 500');
  });
});

describe('settings schema: ranges against scikit-learn', () => {
  it("maxIterations, tolerance, restarts, regularization and K have scikit-learn's lower bounds (GaussianMixture's parameter constraints)", function () {
    const python = '/usr/bin/python3';
    if (!fs.existsSync(python)) this.skip();
    const script = [
      'import json',
      'from sklearn.mixture import GaussianMixture as G',
      'c = G._parameter_constraints',
      "print(json.dumps({k: [c[k][0].left, c[k][0].closed] for k in ['max_iter', 'tol', 'n_init', 'reg_covar', 'n_components']}))",
    ].join('\n');
    const r = spawnSync(python, ['-c', script], { encoding: 'utf8' });
    if (r.status !== 0) this.skip();
    const sklearn = JSON.parse(r.stdout) as Record<string, [number, string]>;
    const pairs: [string, string][] = [['max_iter', 'maxIterations'], ['tol', 'tolerance'], ['n_init', 'restarts'], ['reg_covar', 'regularization'], ['n_components', 'k']];
    for (const [theirs, ours] of pairs) {
      const spec = settingSpec(ours as 'k') as NumberSpec;
      const [left, closed] = sklearn[theirs];
      assert.equal(spec.min, left, `${ours} vs ${theirs}`);
      assert.equal(!spec.exclusiveMin, closed === 'left' || closed === 'both', `${ours}: lower bound ${closed}`);
    }
  });
});

describe('settings schema: text derived from the table', () => {
  it('describeOptions: one line per setting that applies to the fitted family', () => {
    const gaussian = describeOptions({ ...DEFAULT_FIT_OPTIONS, model: 'gaussian', k: 3 });
    assert.ok(gaussian.includes('k = 3'));
    assert.ok(gaussian.includes('covarianceType = full'));
    assert.ok(gaussian.includes('regularization = 1e-6'));
    assert.ok(gaussian.includes('columns = (every numeric column)'));
    assert.ok(!gaussian.some((l) => /^(threshold|betaPrior|imageWidth) =/.test(l)), gaussian.join('\n'));
    const bernoulli = describeOptions({ ...DEFAULT_FIT_OPTIONS, model: 'auto' }, 'bernoulli');
    assert.ok(bernoulli.includes('betaPrior = [2, 2]'));
    assert.ok(bernoulli.includes('threshold = 0.5'));
    assert.ok(!bernoulli.some((l) => /^(covarianceType|regularization|standardize) =/.test(l)), bernoulli.join('\n'));
    const everyFamily = describeOptions(DEFAULT_FIT_OPTIONS);
    assert.equal(everyFamily.length, FIT_SETTINGS.length - 1, 'every setting but the unset initParams');
    const withStart = describeOptions({ ...DEFAULT_FIT_OPTIONS, model: 'gaussian', init: 'params', initParams: { weights: [0.5, 0.5], means: [[0, 1], [1, 0]] } });
    assert.ok(withStart.includes('init = params'));
    assert.ok(withStart.includes('initParams = 2 components × 2 dimensions (explicit start)'));
  });

  it("settingsMarkdownTable: README's table, one row per setting with its default", () => {
    const table = settingsMarkdownTable().split('\n');
    assert.equal(table[0], '| Setting | Default | Range / values | Meaning |');
    assert.equal(table.length, SETTINGS.length + 2);
    assert.ok(table.includes(`| \`mixscope.k\` | \`auto\` | \`"auto"\` or 1 – 1000 | ${settingSpec('k').description} |`));
    assert.match(table.find((l) => l.startsWith('| `mixscope.threshold`'))!, /\| `0\.5` \| 0 ≤ x < 1 \|/);
    // The README documents the same settings with the same defaults.
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const documented = new Map([...readme.matchAll(/^\| `mixscope\.(\w+)` \| `([^`]*)` \|/gm)].map((m) => [m[1], m[2]]));
    const generated = new Map(table.slice(2).map((l) => /^\| `mixscope\.(\w+)` \| `([^`]*)` \|/.exec(l)!).map((m) => [m[1], m[2]]));
    assert.deepEqual([...documented.keys()].sort(), [...generated.keys()].sort());
    for (const [key, value] of generated) assert.equal(documented.get(key), value, `default of mixscope.${key}`);
  });
});
