#!/usr/bin/env node
// `npm run test:e2e`: Mixscope in a real VS Code (code-server), driven through its UI with Playwright.
//   1. installs code-server once (scripts/setup-code-server.mjs; Debian packages via apt when root),
//   2. packages the extension (npm run package → mixscope.vsix) and installs it into a fresh extensions dir,
//   3. runs, under mocha: the integration suite inside code-server's extension host, then the UI scenarios, then
//      Restricted Mode (restricted.test.mjs: an untrusted workspace, extension-host suite and UI).
// Everything started (code-server process groups, browsers) is stopped at the end, on failure and on Ctrl-C.
// Screenshots and logs: test-results/e2e/ (git-ignored).
//
// Options: --grep <re>        only scenarios matching
//          --no-package       reuse mixscope.vsix as it is
//          --vsix <file>      test this .vsix instead (implies --no-package)
//          --skip-integration skip the extension-host suite
//          --keep             keep the temporary workspaces and profiles (their path is printed)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import { cleanupAll, installExtension, npmRun, onCleanup, REPO_ROOT, setupCodeServer, VSIX } from '../../scripts/code-server.mjs';
import { context, RESULTS_DIR } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };

function step(label, fn) {
  const t0 = Date.now();
  process.stdout.write(`• ${label} ... `);
  const r = fn();
  const s = (Date.now() - t0) / 1000;
  context.timings[label] = s;
  process.stdout.write(`${s.toFixed(1)} s\n`);
  return r;
}

async function main() {
  const t0 = Date.now();
  fs.rmSync(RESULTS_DIR, { recursive: true, force: true });
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  context.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-e2e-'));
  // Registered first, so it runs last: after code-server has stopped using the folders.
  onCleanup(() => {
    if (flag('--keep')) console.log(`kept ${context.tmp}`);
    else fs.rmSync(context.tmp, { recursive: true, force: true });
  });

  step('code-server ready (installed once into .cache/)', () => setupCodeServer());
  const vsix = option('--vsix') ? path.resolve(option('--vsix')) : VSIX;
  if (!flag('--no-package') && !option('--vsix')) step('npm run package → mixscope.vsix', () => npmRun('package', { quiet: true }));
  context.extensionsDir = path.join(context.tmp, 'extensions');
  fs.mkdirSync(context.extensionsDir, { recursive: true });
  const installed = step('install mixscope.vsix into a fresh extensions dir', () => installExtension(context.extensionsDir, vsix));
  console.log(`  installed ${path.basename(installed)}`);

  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 180_000, slow: 20_000, color: process.stdout.isTTY });
  const grep = option('--grep');
  if (grep) mocha.grep(new RegExp(grep));
  if (!flag('--skip-integration')) mocha.addFile(path.join(here, 'integration.test.mjs'));
  mocha.addFile(path.join(here, 'ui.test.mjs'));
  mocha.addFile(path.join(here, 'restricted.test.mjs')); // Restricted Mode: its extension-host suite, then the UI
  await mocha.loadFilesAsync();
  const failures = await new Promise((resolve) => mocha.run(resolve));
  console.log(`\nend-to-end run took ${((Date.now() - t0) / 1000).toFixed(0)} s; screenshots and logs in ${path.relative(REPO_ROOT, RESULTS_DIR)}/`);
  return failures;
}

let code = 1;
try {
  code = (await main()) > 0 ? 1 : 0;
} catch (e) {
  console.error(`\nend-to-end run failed before the scenarios finished:\n${e?.stack ?? e}`);
  code = 1;
} finally {
  await cleanupAll();
}
process.exit(code);
