// package.json's settings are generated from the schema (scripts/generate-manifest.ts): the committed file must match,
// and the data-file menus take their `when` clause from the format registry when it provides one.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DATA_FILE_COMMANDS,
  generateManifest,
  generateManifestText,
  loadFormatRegistry,
  parenthesize,
} from '../../../scripts/generate-manifest';
import { SETTINGS } from '../../../src/shared/settings';

const root = path.resolve(__dirname, '../../..');
const packageFile = path.join(root, 'package.json');
type Menus = Record<string, { command: string; when?: string; group?: string }[]>;

describe('package.json generated from the settings schema', () => {
  it('has not drifted from the schema (run `npm run manifest` after changing src/shared/settings.ts)', () => {
    const current = fs.readFileSync(packageFile, 'utf8');
    assert.equal(current, generateManifestText(current), 'package.json differs from the generated manifest: run `npm run manifest`');
  });

  it('declares every setting of the table, in its order, with its range and default', () => {
    const properties = JSON.parse(fs.readFileSync(packageFile, 'utf8')).contributes.configuration.properties;
    assert.deepEqual(Object.keys(properties), SETTINGS.map((s) => `mixscope.${s.key}`));
    assert.deepEqual(
      [properties['mixscope.k'].minimum, properties['mixscope.k'].maximum, properties['mixscope.k'].default],
      [1, 1000, 'auto'],
    );
    // K is a whole number or "auto": JSON Schema's bounds constrain numbers only, the pattern strings only.
    assert.deepEqual([properties['mixscope.k'].type, properties['mixscope.k'].pattern], [['integer', 'string'], '^auto$']);
    assert.deepEqual([properties['mixscope.kRange'].default, properties['mixscope.covarianceModels'].default, properties['mixscope.criterion'].enum], ['1-9', 'auto', ['bic', 'icl', 'aic']]);
    assert.equal(properties['mixscope.tolerance'].minimum, 0);
    assert.equal(properties['mixscope.tolerance'].maximum, undefined);
    assert.equal(properties['mixscope.threshold'].exclusiveMaximum, 1);
    assert.deepEqual(properties['mixscope.init'].enum, ['kmeans++', 'random', 'random-data', 'random-assignment'], '"params" comes with initParams, never offered');
    assert.deepEqual(properties['mixscope.initParams'].type, ['object', 'null']);
    assert.match(properties['mixscope.initParams'].markdownDescription, /`mixscope\.standardize`/);
  });

  it('leaves the rest of the manifest as it is, and the menus when there is no format registry', () => {
    const manifest = JSON.parse(fs.readFileSync(packageFile, 'utf8'));
    const generated = generateManifest(manifest, {});
    const { contributes: before, ...restBefore } = manifest;
    const { contributes: after, ...restAfter } = generated as typeof manifest;
    assert.deepEqual(restAfter, restBefore);
    assert.deepEqual(after.menus, before.menus);
    assert.deepEqual(after.commands, before.commands);
  });

  it("writes the registry's when clause into every data-file menu entry, keeping the Explorer's folder guard", () => {
    const manifest = JSON.parse(fs.readFileSync(packageFile, 'utf8'));
    const clause = 'resourceExtname == .foo || resourceFilename =~ /bar$/';
    const menus = (generateManifest(manifest, { dataFileWhenClause: () => clause }) as { contributes: { menus: Menus } }).contributes.menus;
    let rewritten = 0;
    for (const [menu, entries] of Object.entries(menus)) {
      for (const entry of entries) {
        const original = (manifest.contributes.menus as Menus)[menu].find((e) => e.command === entry.command && e.group === entry.group)!;
        if (!DATA_FILE_COMMANDS.includes(entry.command) || menu === 'commandPalette') {
          assert.equal(entry.when, original.when, `${menu} ${entry.command} untouched`);
          continue;
        }
        rewritten++;
        const expected = menu === 'explorer/context' ? `!explorerResourceIsFolder && (${clause})` : `(${clause})`;
        assert.equal(entry.when, expected, `${menu} ${entry.command}`);
      }
    }
    assert.equal(rewritten, 9, 'three commands in each of explorer/context, editor/context and editor/title/context');
  });

  it('parenthesizes a clause once, and only when it is not already one group', () => {
    assert.equal(parenthesize('a || b'), '(a || b)');
    assert.equal(parenthesize('(a || b)'), '(a || b)');
    assert.equal(parenthesize('(a) || (b)'), '((a) || (b))');
    assert.equal(parenthesize(' x '), '(x)');
  });

  it('loads the format registry only when it exports dataFileWhenClause', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-formats-'));
    const without = path.join(dir, 'without.js');
    const withClause = path.join(dir, 'with.js');
    fs.writeFileSync(without, 'exports.other = 1;\n');
    fs.writeFileSync(withClause, 'exports.dataFileWhenClause = () => "resourceExtname == .csv";\n');
    assert.deepEqual(loadFormatRegistry(path.join(dir, 'missing.ts')), {});
    assert.deepEqual(loadFormatRegistry(without), {});
    assert.equal(loadFormatRegistry(withClause).dataFileWhenClause?.(), 'resourceExtname == .csv');
  });

  it('the script: --check exits 1 on drift and 0 once regenerated', function () {
    this.timeout(60000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-manifest-'));
    const copy = path.join(dir, 'package.json');
    const drifted = JSON.parse(fs.readFileSync(packageFile, 'utf8'));
    drifted.contributes.configuration.properties['mixscope.k'].maximum = 200;
    fs.writeFileSync(copy, JSON.stringify(drifted, null, 2) + '\n');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/generate-manifest.ts'), ...args, '--package', copy], { encoding: 'utf8' });
    const check = run('--check');
    assert.equal(check.status, 1, check.stderr);
    assert.match(check.stderr, /package\.json differs from the settings schema .*run `npm run manifest`/);
    assert.equal(run().status, 0);
    assert.equal(JSON.parse(fs.readFileSync(copy, 'utf8')).contributes.configuration.properties['mixscope.k'].maximum, 1000);
    assert.equal(run('--check').status, 0);
  });
});
