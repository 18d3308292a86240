#!/usr/bin/env node
// The same integration suite as `npm run test:vscode`, run inside code-server's extension host: the browser
// workbench is opened with VS Code's development payload (extensionDevelopmentPath + extensionTestsPath as
// vscode-remote URIs), the remote extension host loads the extension from this repository, runs mocha and
// exits; the workbench reports the exit code through window.codeAutomationExit, which Playwright exposes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupAll, launchChromium, makeProfile, npmRun, REPO_ROOT, setupCodeServer, startCodeServer, workbenchUrl } from '../../scripts/code-server.mjs';
import { makeWorkspace } from '../../scripts/workspace.mjs';
import { buildIntegrationSuite } from './build.mjs';

const TIMEOUT_MS = 5 * 60_000;

/** Runs the suite; returns { failures, tests } from the suite's JSON report. Stops what it started. */
export async function runIntegrationInCodeServer({ resultsDir = path.join(REPO_ROOT, 'test-results'), build = true, extensionPath = REPO_ROOT } = {}) {
  setupCodeServer();
  if (build) npmRun('build', { quiet: true });
  const testsEntry = await buildIntegrationSuite();
  fs.mkdirSync(resultsDir, { recursive: true });
  const resultsFile = path.join(resultsDir, 'integration-code-server.json');
  const consoleFile = path.join(resultsDir, 'integration-code-server.console.log');
  fs.rmSync(resultsFile, { force: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-int-'));
  const workspace = makeWorkspace(path.join(tmp, 'workspace'), { malformed: true });
  const profile = makeProfile(tmp);
  const server = await startCodeServer({ ...profile, folder: workspace, logFile: path.join(resultsDir, 'integration-code-server.server.log'), env: { MIXSCOPE_TEST_RESULTS: resultsFile } });
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
    await page.screenshot({ path: path.join(resultsDir, 'integration-code-server.png') }).catch(() => {});
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
    console.log('Integration suite in code-server\'s extension host');
    const report = await runIntegrationInCodeServer();
    printReport(report);
    process.exitCode = report.failures === 0 && report.exitCode === 0 ? 0 : 1;
  } catch (e) {
    console.error(`integration run failed: ${e?.stack ?? e}`);
    process.exitCode = 1;
  } finally {
    await cleanupAll();
  }
}
