// Playwright helpers that act on the code-server workbench as a person would (menus, palette, notifications)
// and read what the Mixscope panel shows (inside the webview's nested iframes).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { launchChromium, makeProfile, REPO_ROOT, RESTRICTED_MODE_SETTINGS, sleep, startCodeServer, workbenchUrl } from '../../scripts/code-server.mjs';

export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');

/** Filled by run.mjs before the scenarios load: the packaged extension, installed into this extensions dir. */
export const context = {
  extensionsDir: /** @type {string} */ (''),
  tmp: /** @type {string} */ (''),
  timings: /** @type {Record<string, number>} */ ({}),
};

let shotCounter = 0;
export async function screenshot(page, name) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${String(++shotCounter).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file }).catch(() => {});
  return file;
}

/**
 * One code-server session: a fresh user-data-dir with `settings`, the shared extensions dir, `workspace` opened.
 * `trust: 'restricted'`: workspace trust on and the workspace never trusted (Restricted Mode); default 'disabled'.
 * Returns { page, server, browser, profile, workspace, close() }.
 */
export async function openSession({ workspace, settings = {}, name = 'session', trust = 'disabled' }) {
  if (trust !== 'disabled' && trust !== 'restricted') throw new Error(`trust must be 'disabled' or 'restricted', not ${trust}`);
  const base = fs.mkdtempSync(path.join(context.tmp || os.tmpdir(), `${name}-`));
  const profile = makeProfile(base, { ...(trust === 'restricted' ? RESTRICTED_MODE_SETTINGS : {}), ...settings });
  const server = await startCodeServer({
    userDataDir: profile.userDataDir,
    extensionsDir: context.extensionsDir,
    folder: workspace,
    logFile: path.join(RESULTS_DIR, `${name}.server.log`),
    workspaceTrust: trust === 'restricted',
  });
  const { browser, close: closeBrowser } = await launchChromium();
  // The clipboard as a person has it: "Copy as Python/R" writes it and the scenarios read it back.
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  page.on('requestfailed', (r) => consoleLines.push(`[requestfailed] ${r.failure()?.errorText} ${r.url().slice(0, 200)}`));
  const url = workbenchUrl(server.url, workspace);
  await page.goto(url);
  await waitForWorkbench(page);
  const session = {
    page, server, browser, profile, workspace, url, consoleLines,
    settings: { ...JSON.parse(fs.readFileSync(profile.settingsFile, 'utf8')) },
    async close() {
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      fs.writeFileSync(path.join(RESULTS_DIR, `${name}.console.log`), consoleLines.join('\n') + '\n');
      await closeBrowser();
      await server.stop();
    },
    /** Changes user settings as a person does: Preferences: Open User Settings (JSON), edit, save, close. */
    async updateSettings(changes) {
      Object.assign(session.settings, changes);
      for (const [k, v] of Object.entries(changes)) if (v === undefined) delete session.settings[k];
      await editUserSettingsJson(page, profile.settingsFile, session.settings);
    },
  };
  return session;
}

export async function waitForWorkbench(page) {
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
  // The extension host must be up before commands contributed by extensions can run.
  await page.waitForFunction(() => !document.querySelector('.monaco-workbench .part.statusbar .codicon-loading'), null, { timeout: 30_000 }).catch(() => {});
  await sleep(1500);
}

// ------------------------------------------------------------------------------------------- workbench actions

export function explorerRow(page, fileName) {
  return page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${fileName}"]`).first();
}

/** Right-clicks a file in the Explorer and picks `item` from the context menu (VS Code draws it in a shadow root). */
export async function explorerContextMenu(page, fileName, item, { timeout = 30_000 } = {}) {
  const row = explorerRow(page, fileName);
  await row.waitFor({ timeout: 20_000 });
  const entry = page.locator('.context-view .monaco-menu .action-item .action-label').filter({ hasText: new RegExp(`^${escapeRegExp(item)}$`) });
  // Extension menu items appear once the extension host has registered the extension: retry until then.
  const deadline = Date.now() + timeout;
  for (;;) {
    await row.click({ button: 'right' });
    await page.locator('.context-view .monaco-menu').first().waitFor({ timeout: 10_000 });
    if (await entry.count()) break;
    const items = await page.locator('.context-view .monaco-menu .action-item .action-label').allTextContents();
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error(`the Explorer context menu of ${fileName} has no "${item}" (items: ${items.filter(Boolean).join(' | ')})`);
    await sleep(1000);
  }
  // VS Code's menus ignore a click that comes too soon after they open; hover focuses the item, Enter runs it.
  await entry.first().hover();
  await sleep(150);
  await page.keyboard.press('Enter');
  await page.locator('.context-view .monaco-menu').first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
}

/** Runs a command by its palette title (e.g. "Mixscope: Cluster this dataset"). */
export async function runFromPalette(page, title) {
  const input = page.locator('.quick-input-widget input.input');
  // F1 typed while a webview has the focus does not always reach the workbench, and a webview that takes the focus
  // (a panel moved to a fresh webview) closes the palette: then focus the workbench (the side bar's title, a
  // harmless spot) and open it again.
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('F1');
    const opened = await input.waitFor({ timeout: 3_000 }).then(() => true, () => false);
    const filled = opened && (await input.fill(`>${title}`, { timeout: 5_000 }).then(() => true, () => false));
    if (filled) break;
    if (attempt === 3) throw new Error(`the command palette did not open (to run "${title}")`);
    await page.keyboard.press('Escape').catch(() => {});
    await page.locator('.part.sidebar .composite.title').first().click().catch(() => {});
  }
  const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title }).first();
  await row.waitFor({ timeout: 10_000 });
  // The best match is highlighted first; make sure it is the one we asked for.
  await row.click();
}

/** Replaces the text of the user settings.json in its editor and saves it. */
export async function editUserSettingsJson(page, settingsFile, settings) {
  await runFromPalette(page, 'Preferences: Open User Settings (JSON)');
  const group = page.locator('.editor-group-container.active').filter({ has: page.locator('.tab.active[aria-label*="settings.json"]') });
  const lines = group.locator('.monaco-editor .view-lines').first();
  await lines.waitFor({ timeout: 15_000 });
  // A webview left over a group (a panel being replaced) may cover the editor: then focus its input directly.
  await lines.click({ timeout: 5_000 }).catch(() => group.locator('.monaco-editor textarea').first().focus());
  await page.waitForFunction(() => !!document.activeElement?.closest('.editor-group-container.active .monaco-editor'), null, { timeout: 5_000 });
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // One line, inserted as one edit: no auto-indent or auto-closed brackets get in the way.
  await page.keyboard.insertText(JSON.stringify(settings));
  await page.keyboard.press('Control+S');
  const deadline = Date.now() + 10_000;
  for (;;) {
    let onDisk;
    try { onDisk = JSON.parse(fs.readFileSync(settingsFile, 'utf8')); } catch { onDisk = undefined; }
    if (onDisk && JSON.stringify(onDisk) === JSON.stringify(settings)) break;
    if (Date.now() > deadline) throw new Error(`settings.json was not saved as typed; on disk: ${fs.readFileSync(settingsFile, 'utf8')}`);
    await sleep(200);
  }
  await page.keyboard.press('Control+W');
  await group.locator('.tab[aria-label*="settings.json"]').first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => {});
  await sleep(1000); // the configuration change reaches the extension host
}

/** Opens a workspace file in an editor through Quick Open (Ctrl+P). */
export async function quickOpen(page, fileName) {
  const input = page.locator('.quick-input-widget input.input');
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Control+P');
    if (await input.waitFor({ timeout: 3_000 }).then(() => true, () => false)) break;
    if (attempt === 3) throw new Error(`Quick Open did not open (to open ${fileName})`);
    await page.locator('.part.sidebar .composite.title').first().click().catch(() => {});
  }
  await input.fill(fileName);
  const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: fileName }).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click();
  await page.locator(`.tabs-container .tab[aria-label^="${fileName}"]`).first().waitFor({ timeout: 15_000 });
}

/** Visible notification toasts: [{ text, severity }] (severity from the icon: error | warning | info). */
export async function notifications(page) {
  return page.locator('.notifications-toasts .notification-toast').evaluateAll((toasts) => toasts.map((t) => {
    const icon = t.querySelector('.notification-list-item-icon');
    const cls = icon ? icon.className : '';
    const severity = /codicon-error/.test(cls) ? 'error' : /codicon-warning/.test(cls) ? 'warning' : 'info';
    return { text: (t.querySelector('.notification-list-item-message')?.textContent ?? t.textContent ?? '').trim(), severity };
  }));
}

export async function clearNotifications(page) {
  await runFromPalette(page, 'Notifications: Clear All Notifications').catch(() => {});
  await page.keyboard.press('Escape').catch(() => {});
}

/** Labels of all editor tabs. */
export async function editorTabs(page) {
  return page.locator('.tabs-container .tab').evaluateAll((tabs) => tabs.map((t) => (t.querySelector('.label-name')?.textContent ?? t.getAttribute('aria-label') ?? '').trim()));
}

/** Number of Mixscope panels open (tabs titled "Mixscope: <file>"; hidden webviews have no frame). */
export async function panelTabs(page) {
  return (await editorTabs(page)).filter((t) => t.startsWith('Mixscope:'));
}

// ------------------------------------------------------------------------------------------- the panel

/**
 * The frame of a Mixscope panel. code-server nests a webview as iframe.webview > iframe#active-frame; the inner
 * frame holds our document. With several panels, `match` (a RegExp on #title) picks one.
 */
export async function panelFrame(page, { match, timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const title = await frame.evaluate(() => {
        const charts = document.getElementById('charts');
        const status = document.getElementById('status');
        const t = document.getElementById('title');
        // Only a visible panel counts: hidden webviews keep their frames alive.
        return charts && status && t ? t.textContent ?? '' : null;
      }).catch(() => null);
      if (title !== null && (!match || match.test(title))) {
        const visible = await frame.frameElement().then((el) => el.isVisible()).catch(() => false);
        const outerVisible = await (await frame.parentFrame()?.frameElement().catch(() => null))?.isVisible().catch(() => true) ?? true;
        if (visible && outerVisible) return frame;
      }
    }
    if (Date.now() > deadline) {
      const titles = [];
      for (const f of page.frames()) titles.push(await f.evaluate(() => document.getElementById('title')?.textContent ?? null).catch(() => null));
      throw new Error(`no visible Mixscope panel${match ? ` matching ${match}` : ''} within ${timeout / 1000} s (panel titles: ${JSON.stringify(titles.filter((t) => t !== null))})`);
    }
    await sleep(250);
  }
}

/** Waits until #status[data-state] is one of `states`; returns { state, text }. */
export async function waitForStatus(frame, states, timeout = 120_000) {
  await frame.waitForFunction((wanted) => wanted.includes(document.getElementById('status')?.dataset.state ?? ''), states, { timeout, polling: 100 });
  return frame.evaluate(() => ({ state: document.getElementById('status').dataset.state, text: document.getElementById('status').textContent.trim() }));
}

/** What the panel shows, read from its DOM and SVG. */
export async function readPanel(frame) {
  return frame.evaluate(() => {
    const q = (s) => document.querySelector(s);
    const qa = (s) => [...document.querySelectorAll(s)];
    const text = (s) => (q(s)?.textContent ?? '').trim();
    const scatter = q('#scatter');
    const contourLabels = qa('#scatter svg g.contours_marks path').map((p) => p.getAttribute('aria-label') ?? '');
    const components = new Set(contourLabels.map((l) => /component\s+(\d+)/i.exec(l)?.[1]).filter(Boolean));
    // Log-likelihood per iteration: Vega-Lite labels each point "iteration: i; log-likelihood: v" (aria); the
    // pixel position is kept too, so a person's reading (higher on screen = larger) can be checked as well.
    const loglikPoints = qa('#loglik svg g.loglik_points_marks path').map((p) => {
      const label = p.getAttribute('aria-label') ?? '';
      const pairs = Object.fromEntries(label.split(';').map((kv) => kv.split(':').map((s) => s.trim())).filter((kv) => kv.length === 2));
      const m = /translate\(\s*([-\d.e]+)[ ,]\s*([-\d.e]+)\s*\)/.exec(p.getAttribute('transform') ?? '');
      return { label, pairs, x: m ? Number(m[1]) : NaN, y: m ? Number(m[2]) : NaN };
    });
    return {
      title: text('#title'),
      subtitle: text('#subtitle'),
      status: { state: q('#status')?.dataset.state ?? '', text: text('#status') },
      model: document.body.dataset.model ?? '',
      scatter: scatter ? { k: scatter.dataset.k, points: scatter.dataset.points, iteration: scatter.dataset.iteration } : null,
      pointMarks: qa('#scatter svg g.points_marks path').length,
      contourGroups: qa('#scatter svg g.contours_marks').length,
      contourComponents: components.size,
      contourLabels,
      meanMarks: qa('#scatter svg g.means_marks path').length,
      histogramBars: qa('#histogram svg g.histogram_bars_marks path').length,
      densityLines: qa('#histogram svg g.density_lines_marks path').length,
      densityGroups: qa('#histogram svg g.density_lines_marks').length,
      imageMarks: qa('#images svg g.image_pixels_marks').length,
      loglikPoints,
      loglikDataPoints: q('#loglik')?.dataset.points,
      paramsRows: qa('#params tr[data-component]').length,
      selection: {
        shown: !(q('#selection-view')?.hidden ?? true),
        points: qa('#selection svg g.selection_points_marks path').length,
        lines: qa('#selection svg g.selection_lines_marks path').length,
        missing: qa('#selection svg g.selection_missing_marks path').length,
        ranking: qa('#selection-ranking tbody tr').map((tr) => [...tr.cells].map((c) => (c.textContent ?? '').trim()).join(' ')),
        clarity: text('#selection-clarity'),
      },
      kInput: q('#k')?.value,
      controlError: text('#control-error'),
      bodyClass: document.body.className,
    };
  });
}

/**
 * The plotted EM curves, from the points' labels "iteration: i; <series>: v": { series name → [{ iteration, value }] }.
 * One series ("log-likelihood"), or two with a prior ("objective" = log-likelihood + log prior, and "log-likelihood").
 */
export function loglikSeries(panel) {
  const series = {};
  // Vega's aria-label: "iteration: 3; log-likelihood: −1131.2; series: log-likelihood; value: −1,131.2" (Unicode minus).
  const num = (v) => Number(String(v).replace(/\u2212/g, '-').replace(/,/g, ''));
  for (const p of panel.loglikPoints) {
    const name = p.pairs.series ?? Object.keys(p.pairs).find((k) => !['iteration', 'series', 'value'].includes(k));
    if (!name || p.pairs.iteration === undefined) continue;
    const raw = p.pairs[name] ?? p.pairs.value;
    (series[name] ??= []).push({ iteration: num(p.pairs.iteration), value: num(raw), x: p.x, y: p.y });
  }
  for (const list of Object.values(series)) list.sort((a, b) => a.iteration - b.iteration);
  return series;
}

/** Contrast of chart text against the chart's background (WCAG 2 ratio), for every text element of the charts. */
export async function chartContrast(frame) {
  return frame.evaluate(() => {
    const parse = (c) => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0.5) return c;
      }
      return parse(getComputedStyle(document.documentElement).backgroundColor) ?? { r: 255, g: 255, b: 255, a: 1 };
    };
    const out = [];
    for (const t of document.querySelectorAll('#charts svg text, #title, #subtitle, #status')) {
      if (!(t.textContent ?? '').trim()) continue;
      const style = getComputedStyle(t);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      const fg = parse(t instanceof SVGElement ? style.fill : style.color);
      if (!fg || fg.a === 0) continue;
      // A chart's own background rect (Vega's `background`) counts when there is one.
      const svg = t.closest('svg');
      const rect = svg?.querySelector('rect.background');
      const bgFromRect = rect ? parse(getComputedStyle(rect).fill) : null;
      const bg = bgFromRect && bgFromRect.a > 0.5 ? bgFromRect : background(t);
      const l1 = lum(fg), l2 = lum(bg);
      out.push({ text: t.textContent.trim().slice(0, 40), fg: t instanceof SVGElement ? style.fill : style.color, bg: `rgb(${bg.r}, ${bg.g}, ${bg.b})`, ratio: (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05), svg: !!svg });
    }
    return { bodyClass: document.body.className, texts: out, pageBackground: getComputedStyle(document.body).backgroundColor };
  });
}

// ------------------------------------------------------------------------------------------- processes

/** CPU seconds used so far by code-server's extension host processes (children in its process group). */
export function extensionHostCpuSeconds(serverPid) {
  const r = spawnSync('ps', ['-o', 'pid=,args=', '-g', String(serverPid)], { encoding: 'utf8' });
  const pids = (r.stdout ?? '').split('\n').filter((l) => /extensionHost|type=extensionHost/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticks; // utime + stime
    } catch { /* exited */ }
  }
  return { seconds: total, pids };
}

export function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ------------------------------------------------------------------------------------------- measurements

/** Starts recording the workbench window's frame delays (the time between two requestAnimationFrame callbacks). */
export async function startFrameProbe(page) {
  await page.evaluate(() => {
    const probe = { deltas: [], running: true };
    window.__mixscopeFrameProbe = probe;
    let last = performance.now();
    const tick = (t) => {
      probe.deltas.push(t - last);
      last = t;
      if (probe.running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** Stops the frame probe; returns { frames, p50, p95, max } in milliseconds. */
export async function stopFrameProbe(page) {
  const deltas = await page.evaluate(() => {
    const probe = window.__mixscopeFrameProbe;
    if (!probe) return [];
    probe.running = false;
    return probe.deltas;
  });
  const sorted = [...deltas].sort((a, b) => a - b);
  const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  return { frames: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}

/** Records (in the panel) the wall-clock time at which #status first turns to one of `states`. */
export async function watchStatus(frame, states) {
  await frame.evaluate((wanted) => {
    const status = document.getElementById('status');
    window.__mixscopeStatusAt = undefined;
    const check = () => {
      if (window.__mixscopeStatusAt === undefined && wanted.includes(status?.dataset.state ?? '')) window.__mixscopeStatusAt = Date.now();
    };
    new MutationObserver(check).observe(status, { attributes: true, childList: true, subtree: true, characterData: true });
    check();
  }, states);
}

/** The time recorded by watchStatus (ms since the epoch), or undefined. */
export async function statusChangedAt(frame) {
  return frame.evaluate(() => window.__mixscopeStatusAt);
}

/** The time (ms since the epoch) of the last line of a VS Code log matching `pattern` ("2026-12-01 20:45:40.123 [info] …"). */
export function logLineTime(lines, pattern) {
  const line = [...lines].reverse().find((l) => pattern.test(l));
  const m = line && /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})/.exec(line);
  return m ? new Date(`${m[1]}T${m[2]}`).getTime() : undefined;
}

/** Measurements of the run, printed at its end and written to test-results/e2e/measurements.json. */
export const measurements = {};
export function recordMeasurement(name, value) {
  measurements[name] = value;
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'measurements.json'), JSON.stringify(measurements, null, 2) + '\n');
}
