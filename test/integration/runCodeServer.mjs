#!/usr/bin/env node
// The same integration suite as `npm run test:vscode`, run inside code-server's extension host: the browser
// workbench is opened with VS Code's development payload (extensionDevelopmentPath + extensionTestsPath as
// vscode-remote URIs), the remote extension host loads the extension from this repository, runs mocha and
// exits; the workbench reports the exit code through window.codeAutomationExit, which Playwright exposes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupAll, launchChromium, makeProfile, npmRun, REPO_ROOT, RESTRICTED_MODE_SETTINGS, setupCodeServer, startCodeServer, workbenchUrl } from '../../scripts/code-server.mjs';
import { makeWorkspace } from '../../scripts/workspace.mjs';
import { buildIntegrationSuite } from './build.mjs';

const TIMEOUT_MS = 5 * 60_000;

/**
 * Runs the suite; returns { failures, tests } from the suite's JSON report. Stops what it started.
 * Options for other runs: `suite` (a folder of test/integration/, default 'suite'), `trust: 'restricted'` (workspace
 * trust on and the workspace not trusted: Restricted Mode), `userSettings` / `workspaceSettings` (the workspace's
 * .vscode/settings.json). Their reports are named after the suite.
 */
export async function runIntegrationInCodeServer({
  resultsDir = path.join(REPO_ROOT, 'test-results'), build = true, extensionPath = REPO_ROOT,
  suite = 'suite', trust = 'disabled', userSettings = {}, workspaceSettings,
} = {}) {
  setupCodeServer();
  if (build) npmRun('build', { quiet: true });
  const testsEntry = await buildIntegrationSuite({ suite });
  fs.mkdirSync(resultsDir, { recursive: true });
  const name = suite === 'suite' ? 'integration-code-server' : `integration-${suite}-code-server`;
  const resultsFile = path.join(resultsDir, `${name}.json`);
  const consoleFile = path.join(resultsDir, `${name}.console.log`);
  fs.rmSync(resultsFile, { force: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-int-'));
  const workspace = makeWorkspace(path.join(tmp, 'workspace'), { malformed: true });
  if (workspaceSettings) {
    fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(workspaceSettings, null, 2));
  }
  if (trust !== 'disabled' && trust !== 'restricted') throw new Error(`trust must be 'disabled' or 'restricted', not ${trust}`);
  const restricted = trust === 'restricted';
  const profile = makeProfile(tmp, { ...(restricted ? RESTRICTED_MODE_SETTINGS : {}), ...userSettings });
  const server = await startCodeServer({ ...profile, folder: workspace, logFile: path.join(resultsDir, `${name}.server.log`), env: { MIXSCOPE_TEST_RESULTS: resultsFile }, workspaceTrust: restricted });
  const { browser, close: closeBrowser } = await launchChromium();
  const consoleLines = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    let resolveExit;
    const exited = new Promise((r) => { resolveExit = r; });
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
    const authority = `127.0.0.1:${server.port}`;
    const url = workbenchUrl(server.url, workspace, [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${extensionPath}`],
      ['extensionTestsPath', `vscode-remote://${authority}${testsEntry}`],
    ]);
    await page.goto(url);
    let timer;
    const code = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r('timeout'), TIMEOUT_MS); })]);
    clearTimeout(timer);
    await page.screenshot({ path: path.join(resultsDir, `${name}.png`) }).catch(() => {});
    if (code === 'timeout') throw new Error(`the extension host did not finish the suite within ${TIMEOUT_MS / 1000} s`);
    if (!fs.existsSync(resultsFile)) {
      throw new Error(`the extension host exited with code ${code} without writing ${resultsFile}; see ${consoleFile}`);
    }
    const report = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    report.exitCode = code;
    return report;
  } finally {
    fs.writeFileSync(consoleFile, consoleLines.join('\n') + '\n');
    await closeBrowser();
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The Restricted Mode run (test/integration/restricted/): the workspace is not trusted; the user allows 1 MB, the
 * workspace tries to raise that to 1024 MB (a restricted setting) and sets K = 3 (an ordinary one).
 */
export const RESTRICTED_RUN = {
  suite: 'restricted',
  trust: 'restricted',
  userSettings: { 'mixscope.maxFileSizeMB': 1 },
  workspaceSettings: { 'mixscope.maxFileSizeMB': 1024, 'mixscope.k': 3 },
};

export function printReport(report) {
  for (const t of report.tests) {
    const mark = t.state === 'passed' ? '✔' : t.state === 'failed' ? '✘' : '-';
    console.log(`  ${mark} ${t.title}${t.durationMs !== undefined ? ` (${t.durationMs} ms)` : ''}`);
    if (t.error) console.log(t.error.split('\n').map((l) => `      ${l}`).join('\n'));
  }
  const passed = report.tests.filter((t) => t.state === 'passed').length;
  console.log(`  ${passed} passing, ${report.failures} failing (extension host exit code ${report.exitCode})`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    // --restricted: the Restricted Mode suite instead of the main one.
    const restricted = process.argv.includes('--restricted');
    console.log(`Integration suite${restricted ? ' (Restricted Mode)' : ''} in code-server's extension host`);
    const report = await runIntegrationInCodeServer(restricted ? RESTRICTED_RUN : {});
    printReport(report);
    process.exitCode = report.failures === 0 && report.exitCode === 0 ? 0 : 1;
  } catch (e) {
    console.error(`integration run failed: ${e?.stack ?? e}`);
    process.exitCode = 1;
  } finally {
    await cleanupAll();
  }
}
