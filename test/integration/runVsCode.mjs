#!/usr/bin/env node
// `npm run test:vscode`: the integration suite in desktop VS Code, downloaded by @vscode/test-electron
// (needs network access to update.code.visualstudio.com and a display, e.g. `xvfb-run -a npm run test:vscode`).
// Here, where VS Code cannot be downloaded, the same suite runs in code-server: node test/integration/runCodeServer.mjs
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runTests } from '@vscode/test-electron';
import { buildIntegrationSuite, REPO_ROOT } from './build.mjs';
import { makeWorkspace } from '../../scripts/workspace.mjs';

const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const extensionTestsPath = await buildIntegrationSuite();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-vscode-'));
const workspace = makeWorkspace(path.join(tmp, 'workspace'), { malformed: true });
const resultsFile = path.join(REPO_ROOT, 'test-results', 'integration-vscode.json');
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath,
    extensionTestsEnv: { MIXSCOPE_TEST_RESULTS: resultsFile },
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', path.join(tmp, 'user-data')],
  });
  console.log(`integration suite passed (results in ${path.relative(REPO_ROOT, resultsFile)})`);
} catch (e) {
  console.error(`integration suite failed: ${e?.message ?? e}`);
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|getaddrinfo/.test(String(e?.message))) {
    console.error('VS Code could not be downloaded here. The same suite runs in code-server: node test/integration/runCodeServer.mjs');
  }
  process.exitCode = 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
