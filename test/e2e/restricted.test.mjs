// Restricted Mode (untrusted workspace), in code-server with workspace trust on and the workspace never trusted
// (RESTRICTED_MODE_SETTINGS: trust enabled, startup prompt "never"; --disable-workspace-trust left out).
// package.json declares untrustedWorkspaces supported with mixscope.maxFileSizeMB restricted: the commands must work
// there, and a workspace's .vscode/settings.json must not raise mixscope.maxFileSizeMB above the user's value.
//   1. the extension-host suite test/integration/restricted/ (RESTRICTED_RUN of runCodeServer.mjs);
//   2. the same through the UI: Explorer → Cluster this dataset, and the refusal a person sees.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sleep } from '../../scripts/code-server.mjs';
import { makeWorkspace } from '../../scripts/workspace.mjs';
import { RESTRICTED_RUN, runIntegrationInCodeServer } from '../integration/runCodeServer.mjs';
import { context, explorerContextMenu, notifications, openSession, panelFrame, panelTabs, readPanel, RESULTS_DIR, screenshot, waitForStatus } from './harness.mjs';

const CLUSTER = 'Cluster this dataset';

/** ≈ 1.6 MB of numeric CSV: over the user's 1 MB, far under the workspace's 1024 MB. */
function bigCsv() {
  const lines = ['a,b'];
  for (let i = 0; i < 100_000; i++) lines.push(`${(i % 7) + 0.123456},${(i % 11) - 0.654321}`);
  return lines.join('\n') + '\n';
}

describe('Restricted Mode (untrusted workspace)', function () {
  it('extension-host suite in Restricted Mode (test/integration/restricted) passes', async function () {
    if (process.argv.includes('--skip-integration')) this.skip();
    this.timeout(360_000);
    const report = await runIntegrationInCodeServer({ ...RESTRICTED_RUN, build: false, resultsDir: RESULTS_DIR });
    for (const t of report.tests) console.log(`      ${t.state === 'passed' ? '✔' : t.state === 'failed' ? '✘' : '-'} ${t.title}`);
    const failed = report.tests.filter((t) => t.state === 'failed');
    assert.ok(report.tests.length >= 3, `the Restricted Mode suite ran its tests (${report.tests.length})`);
    assert.deepEqual(failed.map((t) => `${t.title}\n${t.error}`), [], 'no test failed');
    assert.equal(report.exitCode, 0, 'the extension host reported success');
  });

  describe('through the UI', function () {
    /** @type {Awaited<ReturnType<typeof openSession>>} */
    let session;
    let page;

    before(async function () {
      this.timeout(240_000);
      const workspace = makeWorkspace(path.join(context.tmp, 'restricted-workspace'));
      fs.writeFileSync(path.join(workspace, 'big.csv'), bigCsv());
      fs.mkdirSync(path.join(workspace, '.vscode'));
      fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(RESTRICTED_RUN.workspaceSettings, null, 2));
      session = await openSession({ workspace, name: 'restricted', trust: 'restricted', settings: RESTRICTED_RUN.userSettings });
      page = session.page;
      await screenshot(page, 'restricted-workbench');
    });

    after(async function () {
      if (session) await session.close();
    });

    afterEach(async function () {
      if (this.currentTest?.state === 'failed' && page) await screenshot(page, `FAILED-restricted-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
    });

    it('the window is in Restricted Mode', async function () {
      // VS Code shows "Restricted Mode" at the left of the status bar while the workspace is not trusted.
      const indicator = page.locator('.part.statusbar .statusbar-item').filter({ hasText: /Restricted Mode/ }).first();
      await indicator.waitFor({ timeout: 30_000 });
      assert.ok(await indicator.isVisible(), 'the Restricted Mode status bar item is visible');
    });

    it('Explorer → Cluster this dataset fits faithful.csv; the workspace\'s ordinary setting K = 3 applies', async function () {
      this.timeout(180_000);
      await explorerContextMenu(page, 'faithful.csv', CLUSTER);
      const frame = await panelFrame(page, { match: /faithful\.csv/ });
      await waitForStatus(frame, ['done']);
      await sleep(500); // let Vega finish drawing the last update
      const panel = await readPanel(frame);
      await screenshot(page, 'restricted-faithful');
      assert.equal(panel.model, 'gaussian');
      assert.equal(panel.pointMarks, 272, 'one scatter point per row');
      assert.equal(panel.meanMarks, 3, 'three component means (mixscope.k = 3 from .vscode/settings.json)');
      assert.match(`${panel.title} ${panel.subtitle}`, /K\s*=\s*3\b/);
    });

    it('big.csv (1.6 MB) is refused under the user\'s 1 MB: the workspace cannot raise mixscope.maxFileSizeMB', async function () {
      this.timeout(120_000);
      await explorerContextMenu(page, 'big.csv', CLUSTER);
      const deadline = Date.now() + 30_000;
      let shown = [];
      let fitted = false;
      while (Date.now() < deadline) {
        shown = (await notifications(page)).filter((n) => n.text.includes('big.csv'));
        if (shown.some((n) => /larger than the limit/.test(n.text))) break;
        // With the workspace's 1024 MB wrongly applied, the file is read and fitted: a panel opens.
        if ((await panelTabs(page)).some((t) => t.includes('big.csv'))) { fitted = true; break; }
        await sleep(250);
      }
      await screenshot(page, 'restricted-big-refused');
      assert.equal(fitted, false, 'big.csv was fitted: the workspace\'s mixscope.maxFileSizeMB = 1024 applied in Restricted Mode (VS Code honours restrictedConfigurations only with untrustedWorkspaces.supported: "limited")');
      const refusal = shown.find((n) => /larger than the limit/.test(n.text));
      assert.ok(refusal, `a notification refuses big.csv (notifications about it: ${JSON.stringify(shown)})`);
      assert.equal(refusal.severity, 'error');
      assert.match(refusal.text, /big\.csv is 1\.\d MB, larger than the limit of 1 MB \(setting mixscope\.maxFileSizeMB\)/);
    });
  });
});
