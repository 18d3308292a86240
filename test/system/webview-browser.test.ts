// The real panel in a real browser: the esbuild bundle of webview/main.ts, served with panelHtml's strict CSP to
// Debian's Chromium (playwright-core), driven with the host's messages from a real EM run. Asserts the charts'
// marks, the live scrubber, theme changes, re-run validation, export, error/cancel states — and that the page
// raises no CSP violation (so nothing needed eval or an inline style/script).
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { loadDataset } from '../../src/engine/data/load';
import { fitDataset } from '../../src/engine/fit';
import { summarizeRun } from '../../src/host/runHistory';
import { DEFAULT_FIT_OPTIONS, type FitResult, type HostToWebview, type PanelState, type RunSummary, type WebviewToHost } from '../../src/shared/protocol';
import { bernoulliMessages, faithfulBytes, FINAL_CONFUSION, gaussianMessages, irisMessages, irisSelection, largeGaussianMessages } from './panelMessages';
import { CHROMIUM, openPanelPage, type PanelPage } from './panelPage';


describe('webview in Chromium under the strict CSP', function () {
  let panel: PanelPage | undefined;
  let browser: Browser;
  let page: Page;
  let base = '';

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    panel = await openPanelPage('faithful.csv');
    ({ browser, page, base } = panel);
  });

  after(async () => {
    await panel?.close();
  });

  it('says `loading` from the page itself, then `ready` from the bundle, with no CSP violation', async () => {
    const types = (await posted()).map((m) => m.type);
    assert.deepEqual(types.slice(0, 2), ['loading', 'ready']);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
  });

  it('a page whose bundle is not served says `loadFailed` (the host then moves the panel to a fresh webview)', async () => {
    const other = await browser.newPage();
    try {
      await other.addInitScript({ content: 'window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => undefined });' });
      await other.goto(`${base}unserved`);
      await other.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'loadFailed'), null, { timeout: 10_000 });
      const types = await other.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted.map((m) => m.type));
      assert.deepEqual(types, ['loading', 'loadFailed']);
    } finally {
      await other.close();
    }
  });

  async function send(messages: HostToWebview[]): Promise<void> {
    await page.evaluate((ms) => {
      for (const m of ms) window.postMessage(m, '*');
    }, messages);
  }
  async function posted(): Promise<WebviewToHost[]> {
    return page.evaluate(() => (window as unknown as { __posted: WebviewToHost[] }).__posted);
  }
  async function count(selector: string): Promise<number> {
    return page.locator(selector).count();
  }
  /** WEBVIEW_SCREENSHOTS=dir saves what the panel looks like (for the README and for eyeballing themes). */
  async function screenshot(name: string): Promise<void> {
    const dir = process.env.WEBVIEW_SCREENSHOTS;
    if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
  }
  async function violations(): Promise<string[]> {
    return page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
  }

  it('draws a Gaussian fit: points, contours per component, means, one log-likelihood point per iteration', async () => {
    const messages = gaussianMessages(1);
    const done = messages[messages.length - 1] as Extract<HostToWebview, { type: 'done' }>;
    const last = done.result.iterations;
    // Deliver the first progress messages, check the live state, then the rest.
    await send(messages.slice(0, 4));
    await page.waitForSelector('#status[data-state="running"]');
    await page.waitForSelector('#scatter svg');
    await send(messages.slice(4));
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector(`#scatter[data-iteration="${last}"]`);
    await page.waitForFunction((n) => document.querySelectorAll('#loglik svg g.loglik_points_marks path').length === n, last + 1);
    assert.equal(await count('#scatter svg g.points_marks path'), 272);
    assert.equal(await count('#scatter svg g.contours_marks'), 4);
    assert.equal(await count('#scatter svg g.means_marks path'), 2);
    assert.equal(await count('#loglik svg g.converged_marks line'), 1);
    const title = await page.textContent('#title');
    assert.ok(title?.includes('faithful.csv') && title.includes('K = 2'), title ?? '');
    assert.match((await page.textContent('#subtitle')) ?? '', /n = 272 · d = 2 · converged after \d+ iterations/);
    const notes = await page.locator('#notes li').allTextContents();
    // The skipped rows are reported once, with their true cause and lines.
    const skipped = notes.filter((t) => /skipped/i.test(t) && !/preamble/.test(t));
    assert.equal(skipped.length, 1, notes.join(' | '));
    assert.match(skipped[0], /2 rows skipped: missing values at lines 14, 99/);
    assert.ok(notes.some((t) => t.includes('"id"') && t.includes('left out')), notes.join(' | '));
    assert.equal(await count('#params tbody tr[data-component]'), 2);
    await screenshot('gaussian-light');
    assert.equal(await page.textContent('#x-col option:checked'), 'eruptions');
    assert.equal(await page.textContent('#y-col option:checked'), 'waiting');
    assert.deepEqual(await violations(), []);
    // The host keeps the fit: the panel tells it once, when the fit ends, which file and options it shows.
    const states = (await posted()).filter((m): m is Extract<WebviewToHost, { type: 'state' }> => m.type === 'state');
    assert.equal(states.length, 1, 'one state message, at the end of the fit');
    assert.equal(states[0].state.fileUri, 'file:///data/faithful.csv');
    assert.equal(states[0].state.result, undefined, 'no snapshots in the state message');
    // vscode.setState keeps only the user's choices, never the snapshots.
    const saved = await page.evaluate(() => (window as unknown as { __state: unknown }).__state);
    assert.deepEqual(Object.keys(saved as object).sort(), ['fileName', 'fileUri', 'options', 'ui']);
    assert.ok(JSON.stringify(saved).length < 2000, `${JSON.stringify(saved).length} characters saved`);
  });

  it('the scrubber redraws the scatter at an earlier iteration and the play button runs to the end', async () => {
    await page.locator('#scrubber').fill('1');
    await page.waitForSelector('#scatter[data-iteration="1"]');
    assert.equal(await count('#scatter svg g.points_marks path'), 272);
    assert.ok(((await page.textContent('#scatter svg')) ?? '').includes('Iteration 1'));
    const last = Number(await page.getAttribute('#scrubber', 'max'));
    await page.locator('#scrubber').fill(String(Math.max(0, last - 5)));
    await page.waitForSelector(`#scatter[data-iteration="${Math.max(0, last - 5)}"]`);
    await page.click('#play');
    await page.waitForSelector(`#scatter[data-iteration="${last}"]`, { timeout: 30000 });
  });

  it('swapping the plotted columns redraws with the new axes', async () => {
    await page.selectOption('#x-col', '1');
    await page.selectOption('#y-col', '0');
    await page.waitForSelector('#scatter[data-x="waiting"][data-y="eruptions"]');
    assert.equal(await count('#scatter svg g.contours_marks'), 4);
  });

  it('re-themes on a body class change (dark) from the CSS variables', async () => {
    await page.evaluate(() => {
      document.documentElement.style.setProperty('--vscode-editor-background', '#1e1e1e');
      document.documentElement.style.setProperty('--vscode-editor-foreground', '#d4d4d4');
      document.documentElement.style.setProperty('--vscode-foreground', '#cccccc');
      document.body.className = 'vscode-dark';
    });

    // Vega's SVG renderer paints the config background as the svg's background colour (through CSSOM: CSP-safe).
    await page.waitForFunction(() => {
      const svg = document.querySelector('#scatter svg');
      return svg !== null && getComputedStyle(svg).backgroundColor === 'rgb(30, 30, 30)';
    });
    await page.waitForFunction(() => {
      const svg = document.querySelector('#loglik svg');
      return svg !== null && getComputedStyle(svg).backgroundColor === 'rgb(30, 30, 30)';
    });
    const axisText = await page.evaluate(() => document.querySelector('#scatter svg g.role-axis-title text')?.getAttribute('fill'));
    assert.equal(axisText, '#d4d4d4');
    await screenshot('gaussian-dark');
  });

  it('validates K and iterations before posting rerun, and posts a valid one', async () => {
    const before = (await posted()).length;
    await page.fill('#k', '1000000000');
    await page.click('#rerun');
    assert.match((await page.textContent('#control-error')) ?? '', /K must be a whole number/);
    assert.equal((await posted()).filter((m) => m.type === 'rerun').length, 0);
    await page.fill('#k', '3');
    await page.fill('#max-iter', '-4');
    await page.click('#rerun');
    assert.match((await page.textContent('#control-error')) ?? '', /Max iterations/);
    await page.fill('#max-iter', '40');
    await page.click('#rerun');
    const reruns = (await posted()).slice(before).filter((m) => m.type === 'rerun');
    assert.deepEqual(reruns, [{ type: 'rerun', k: 3, maxIterations: 40 }]);
    assert.equal(await page.textContent('#control-error'), '');
    // "auto" chooses K again.
    await page.fill('#k', 'auto');
    await page.click('#rerun');
    assert.deepEqual((await posted()).slice(before).filter((m) => m.type === 'rerun').pop(), { type: 'rerun', k: 'auto', maxIterations: 40 });
  });

  it('exports SVG text and a PNG data URL through the host', async () => {
    await page.click('button.export[data-chart="scatter"][data-format="svg"]');
    await page.click('button.export[data-chart="loglik"][data-format="png"]');
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'export').length >= 2);
    const exports = (await posted()).filter((m): m is Extract<WebviewToHost, { type: 'export' }> => m.type === 'export');
    const svg = exports.find((e) => e.format === 'svg')!;
    const png = exports.find((e) => e.format === 'png')!;
    assert.equal(svg.chart, 'scatter');
    assert.ok(svg.data.startsWith('<svg') && (svg.data.match(/points_marks/g) ?? []).length === 1);
    assert.equal(png.chart, 'loglik');
    assert.ok(png.data.startsWith('data:image/png;base64,') && png.data.length > 1000);
    // Each export is a request: the host's reply (matched by requestId) is shown; a reply to no request is ignored.
    assert.ok(typeof svg.requestId === 'number' && svg.requestId !== png.requestId);
    await send([{ type: 'exported', requestId: 987654, outcome: 'written', message: 'not ours' }]);
    await page.waitForTimeout(200);
    assert.notEqual(await page.evaluate(() => document.getElementById('status')?.textContent), 'not ours');
    await send([{ type: 'exported', requestId: svg.requestId, outcome: 'written', message: 'Saved the scatter chart to faithful.scatter.svg.', fileName: 'faithful.scatter.svg' }]);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Saved the scatter chart to faithful.scatter.svg.');
  });

  it('a finished Gaussian fit offers Copy as Python, Copy as R and Open as a new file: each is a request the host answers', async () => {
    assert.equal(await page.isVisible('#code-bar'), true);
    assert.equal(await page.isVisible('#copy-r'), true, 'R (mclust) reproduces Gaussian fits');
    await page.click('#copy-python');
    await page.click('#copy-r');
    await page.click('#open-script');
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'script').length >= 3);
    const scripts = (await posted()).filter((m): m is Extract<WebviewToHost, { type: 'script' }> => m.type === 'script').slice(-3);
    assert.deepEqual(scripts.map((m) => [m.language, m.action]), [['python', 'copy'], ['r', 'copy'], ['ask', 'open']]);
    await send([{ type: 'exported', requestId: scripts[1].requestId, outcome: 'copied', message: 'Copied the R script of this fit (40 lines).' }]);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Copied the R script of this fit (40 lines).');
  });

  it('more than 2,000 points are drawn on a canvas (not one SVG node each); the SVG export still holds every point', async () => {
    await send(largeGaussianMessages(41, 3000));
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector('#scatter[data-renderer="canvas"][data-points="3000"] canvas');
    assert.equal(await count('#scatter svg'), 0);
    await page.click('button.export[data-chart="scatter"][data-format="svg"]');
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string; chart?: string; requestId?: number }[] }).__posted.some((m) => m.type === 'export' && m.chart === 'scatter' && (m.requestId ?? 0) > 2));
    const svg = (await posted()).filter((m): m is Extract<WebviewToHost, { type: 'export' }> => m.type === 'export' && m.chart === 'scatter').pop()!;
    const points = /<g class="mark-symbol role-mark points_marks"[^>]*>([\s\S]*?)<\/g>/.exec(svg.data)?.[1] ?? '';
    assert.equal((points.match(/<path /g) ?? []).length, 3000);
    // Back to a small fit: SVG again.
    await send(gaussianMessages(42));
    await page.waitForSelector('#scatter[data-renderer="svg"] svg g.points_marks');
  });

  it('an error clears the charts and shows the message; nothing half-drawn', async () => {
    const messages = gaussianMessages(2);
    await send([...messages.slice(0, 5), { type: 'error', runId: 2, message: 'faithful.csv: component 2 collapsed at iteration 3. Try fewer components.' }]);
    await page.waitForSelector('#status[data-state="error"]');
    assert.match((await page.textContent('#status')) ?? '', /component 2 collapsed/);
    await page.waitForTimeout(200); // let any queued frame run: it must not redraw the failed run
    assert.equal(await count('#scatter svg'), 0);
    assert.equal(await count('#loglik svg'), 0);
    assert.equal(await page.isVisible('#gaussian-view'), false);
    assert.equal(await page.isVisible('#cancel'), false);
    await screenshot('error');
    // Late messages of the failed run are ignored.
    await send([messages[6]]);
    await page.waitForTimeout(100);
    assert.equal(await count('#scatter svg'), 0);
  });

  it('cancel: the Cancel button posts cancel; a cancelled run keeps a consistent partial chart', async () => {
    const messages = gaussianMessages(3);
    await send(messages.slice(0, 5));
    await page.waitForSelector('#status[data-state="running"]');
    assert.equal(await page.isVisible('#cancel'), true);
    assert.equal(await page.isVisible('#code-bar'), false, 'no script of a fit that is still running');
    await page.click('#cancel');
    assert.ok((await posted()).some((m) => m.type === 'cancel'));
    await send([{ type: 'cancelled', runId: 3 }]);
    await page.waitForSelector('#status[data-state="cancelled"]');
    assert.match((await page.textContent('#status')) ?? '', /Cancelled at iteration 2/);
    await page.waitForSelector('#scatter[data-iteration="2"]');
    assert.equal(await count('#loglik svg g.loglik_points_marks path'), 3);
  });

  it('1-D data: a histogram with one density per component and the mixture', async () => {
    await send(gaussianMessages(4, 1));
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector('#histogram svg g.density_lines_marks');
    assert.equal(await count('#histogram svg g.density_lines_marks'), 3);
    assert.ok((await count('#histogram svg g.histogram_bars_marks path')) >= 8);
    assert.equal(await page.isVisible('#scatter'), false);
    await screenshot('histogram-1d');
  });

  it('Bernoulli: K mean images, the confusion heatmap, member images on click', async () => {
    await send(bernoulliMessages(5));
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector('#images[data-iteration="4"] svg');
    assert.equal(await count('#images svg g.image_pixels_marks'), 3);
    // Bitmaps: one <image> per cluster, not one shape per pixel.
    assert.equal(await count('#images svg g.image_pixels_marks image'), 3);
    assert.ok((await count('#images svg path, #images svg rect')) < 40, 'a handful of shapes, not 3 × 784 pixels');
    assert.equal(await count('#confusion svg g.confusion_cells_marks path'), 12);
    assert.equal(await count('#loglik svg g.loglik_points_marks path'), 10);
    const captions = await page.locator('#images svg .role-title-text text').allTextContents();
    assert.ok(captions.includes("#2 · n 30π 0.300 · '7' 80%"), captions.join(' | '));
    assert.equal(await page.getAttribute('body', 'data-model'), 'bernoulli');
    // R's mclust has no Bernoulli mixtures: only Python is offered.
    assert.equal(await page.isVisible('#copy-python'), true);
    assert.equal(await page.isVisible('#copy-r'), false);
    // The scrubber works for images too: iteration 0, captions without label statistics (those are final).
    await page.locator('#scrubber').fill('0');
    await page.waitForSelector('#images[data-iteration="0"]');
    assert.ok(!((await page.textContent('#images svg')) ?? '').includes("'7' 80%"));
    assert.equal(await count('#images svg g.image_pixels_marks'), 3);
    await page.locator('#images svg g.image_pixels_marks image').nth(1).click({ force: true });
    await page.waitForSelector('#examples[data-cluster="1"]');
    assert.equal(await count('#examples .typical canvas.example'), 3);
    assert.equal(await count('#examples .atypical canvas.example'), 2);
    await screenshot('bernoulli');
    assert.deepEqual(await violations(), []);
  });

  it('a narrow panel wraps the image grid to its width: no clipped column, caption or colour bar', async () => {
    await page.setViewportSize({ width: 300, height: 1600 });
    await page.waitForFunction(() => Number(document.querySelector('#images')?.getAttribute('data-columns')) < 3);
    const fits = await page.evaluate(() => {
      const card = document.querySelector('#images-card')!.getBoundingClientRect();
      const svg = document.querySelector('#images svg')!.getBoundingClientRect();
      const bar = document.querySelector('#images-scale-bar')!.getBoundingClientRect();
      const captions = Array.from(document.querySelectorAll('#images svg .role-title-text text'), (t) => t.getBoundingClientRect());
      return { svg: svg.right <= card.right + 0.5, bar: bar.right <= card.right + 0.5, captions: captions.every((c) => c.left >= card.left - 0.5 && c.right <= card.right + 0.5) };
    });
    assert.deepEqual(fits, { svg: true, bar: true, captions: true });
    const firstCaption = await page.locator('#images svg .role-title-text text').first().textContent();
    assert.ok(firstCaption?.startsWith('#1 · n 30'), firstCaption ?? '');
    await page.setViewportSize({ width: 1200, height: 1600 });
    await page.waitForSelector('#images[data-columns="3"]');
  });

  it('Bernoulli: a mean image under the pointer highlights its confusion row and parameter row; the heatmap follows the scrubber', async () => {
    // Still the Bernoulli fit, scrubbed to iteration 0 by the test before last.
    await page.waitForSelector('#images[data-iteration="0"]');
    await page.mouse.move(5, 5);
    await page.waitForSelector('#charts[data-hovered=""]');
    // The heatmap follows the scrubber: iteration 0's counts (each row rotated by 4 from the final), no note.
    await page.waitForSelector('#confusion[data-iteration="0"]');
    assert.equal(await page.isVisible('#confusion-note'), false);
    const counts = () => page.$$eval('#confusion svg g.confusion_counts_marks text', (ts) => ts.map((t) => Number(t.textContent)));
    assert.deepEqual(await counts(), FINAL_CONFUSION.flat());
    const cells = () => page.$$eval('#confusion svg g.confusion_cells_marks path', (ps) => ps.map((p) => [/cluster:? (#\d+)/.exec(p.getAttribute('aria-label') ?? '')?.[1], p.getAttribute('opacity')]));
    const resting = await cells();
    assert.ok(resting.every(([, o]) => o === '0.65'), JSON.stringify(resting));
    const box = (await page.locator('#images svg g.image_pixels_marks image').nth(2).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForSelector('#charts[data-hovered="3"]');
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#confusion svg g.confusion_cells_marks path')).some((p) => p.getAttribute('opacity') === '0.12'));
    for (const [cluster, opacity] of await cells()) assert.equal(opacity, cluster === '#3' ? '0.65' : '0.12', `cell of ${cluster}`);
    assert.equal(await page.getAttribute('#params tbody tr.hovered', 'data-component'), '3');
    const images = await page.$$eval('#images svg g.image_pixels_marks image', (is) => is.map((i) => i.getAttribute('opacity') ?? '1'));
    assert.deepEqual(images, ['0.12', '0.12', '1']);
    await page.mouse.move(5, 5);
    await page.waitForSelector('#charts[data-hovered=""]');
    await page.locator('#scrubber').fill('3');
    await page.waitForSelector('#confusion[data-iteration="3"]');
    assert.deepEqual(await counts(), FINAL_CONFUSION.flatMap((row) => row.map((_, l) => row[(l + 1) % 4])));
    await page.locator('#scrubber').fill('4');
    await page.waitForSelector('#confusion[data-iteration="4"]');
    assert.deepEqual(await counts(), FINAL_CONFUSION.flat());
    assert.deepEqual(await violations(), []);
  });

  it('run history of Bernoulli fits: the two runs\' mean images side by side, each beside its nearest', async () => {
    const done = bernoulliMessages(5).pop() as Extract<HostToWebview, { type: 'done' }>;
    const three = summarizeRun(done.result, { standardize: false }, 1, Date.now() - 1000);
    // A K = 2 run whose components are the K = 3 run's third and first.
    const two = summarizeRun({ ...done.result, k: 2, weights: [0.6, 0.4], means: [done.result.means[2], done.result.means[0]] }, { standardize: false }, 2, Date.now());
    await send([{ type: 'history', runs: [three, two] }]);
    await page.waitForSelector('#history-view[data-runs="2"]');
    await page.check('#history-runs tr[data-run="1"] input');
    await page.check('#history-runs tr[data-run="2"] input');
    await page.waitForSelector('#history-images[data-pairs="3"]');
    const captions = await page.$$eval('#history-images .history-image-pair .hint', (hs) => hs.map((h) => h.textContent));
    assert.deepEqual(captions, ['run 1 #1 · run 2 #2', 'run 1 #2', 'run 1 #3 · run 2 #1']);
    assert.equal(await count('#history-images canvas.history-image'), 6);
    assert.equal(await page.isVisible('#history-chart-card'), false, 'the ellipse chart is for Gaussian runs');
    assert.equal(await count('#history-b tbody tr.unpaired'), 1);
    await screenshot('history-bernoulli');
    await page.uncheck('#history-runs tr[data-run="2"] input');
    await page.waitForSelector('#history-images', { state: 'hidden' });
    assert.deepEqual(await violations(), []);
  });

  it('Gaussian with text labels (iris): the cluster × species heatmap, the scores, each component’s majority species', async () => {
    await send(irisMessages(31));
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector('#confusion svg g.confusion_cells_marks');
    assert.equal(await page.isVisible('#confusion-card'), true);
    assert.equal(await count('#confusion svg g.confusion_cells_marks path'), 9);
    const cells = await page.$$eval('#confusion svg g.confusion_cells_marks path', (ps) => ps.map((p) => p.getAttribute('aria-label') ?? ''));
    assert.ok(cells.includes('cluster #1, label setosa: 50'), cells.join(' | '));
    assert.equal(
      await page.textContent('#label-metrics'),
      'Accuracy 0.967 (each cluster → its majority label) · one-to-one 0.967 · adjusted Rand index 0.904 · NMI 0.9',
    );
    const header = await page.locator('#params thead th').allTextContents();
    assert.deepEqual(header.slice(3, 5), ['majority label', 'purity']);
    assert.deepEqual(await page.locator('#params > tbody > tr > td:nth-child(4)').allTextContents(), ['setosa', 'versicolor', 'virginica']);
    assert.ok(((await page.textContent('#notes')) ?? '').includes('labels: text column "Species", 3 values (setosa, versicolor, virginica), not used in the fit'));
    await screenshot('gaussian-labels');
    // A fit without labels hides the heatmap.
    await send(gaussianMessages(32));
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector('#scatter svg');
    assert.equal(await page.isVisible('#confusion-card'), false);
    assert.deepEqual(await violations(), []);
  });

  it('a re-run keeps the previous charts, dimmed, until the new fit draws; the log-likelihood chart jumps on click', async () => {
    const first = gaussianMessages(8);
    await send(first);
    await page.waitForSelector('#status[data-state="done"]');
    const last = (first[first.length - 1] as Extract<HostToWebview, { type: 'done' }>).result.iterations;
    await page.waitForSelector(`#scatter[data-iteration="${last}"]`);
    const second = gaussianMessages(9);
    await send(second.slice(0, 2));
    await page.waitForSelector('#status[data-state="running"]');
    await page.waitForSelector('#charts.stale');
    await page.waitForTimeout(200); // let any queued frame run: the old charts must stay
    assert.equal(await count('#scatter svg g.points_marks path'), 272, 'the previous scatter is still shown');
    assert.equal(await count('#loglik svg g.loglik_points_marks path'), last + 1);
    assert.equal(await page.isVisible('#gaussian-view'), true);
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('#scatter')!).opacity), '0.45');
    await send(second.slice(2, 3));
    await page.waitForSelector('#charts:not(.stale)');
    await page.waitForSelector('#scatter[data-iteration="0"]');
    await send(second.slice(3));
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector(`#scatter[data-iteration="${last}"]`);
    // A click on the 4th point of the curve shows iteration 3 everywhere, marked on the curve.
    await page.locator('#loglik svg g.loglik_points_marks path').nth(3).click({ force: true });
    await page.waitForSelector('#scatter[data-iteration="3"]');
    await page.waitForSelector('#loglik[data-shown="3"]');
    assert.equal(await page.getAttribute('#loglik svg g.shown_iteration_marks line', 'aria-label'), 'shown: iteration 3');
    assert.equal(await page.inputValue('#scrubber'), '3');
  });

  it('says how many rows are plotted when fewer than n, and "Degenerate" with the reason for a degenerate fit', async () => {
    const messages = gaussianMessages(10, 2, 100);
    const done = messages[messages.length - 1] as Extract<HostToWebview, { type: 'done' }>;
    done.result = { ...done.result, degenerate: [{ component: 1, reason: 'it sits on 2 distinct points' }] };
    await send(messages);
    await page.waitForSelector('#status[data-state="done"]');
    assert.equal(await page.textContent('#status'), `Degenerate after ${done.result.iterations} iterations: component 2: it sits on 2 distinct points`);
    assert.match((await page.textContent('#subtitle')) ?? '', /degenerate after/);
    await page.waitForSelector('#scatter[data-points="100"]');
    assert.equal(await page.textContent('#sample-note'), 'showing 100 of 272 rows, sampled evenly');
    assert.equal(await page.isVisible('#sample-note'), true);
  });

  it('rows with missing cells: drawn as triangles at their conditional expectation, and the legend and notes say so', async () => {
    const messages = gaussianMessages(11, 2, DEFAULT_FIT_OPTIONS.maxPlotPoints, 'marginalize');
    const done = messages[messages.length - 1] as Extract<HostToWebview, { type: 'done' }>;
    assert.deepEqual(done.result.imputedPlot!.rows.length, 2);
    await send(messages);
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector(`#scatter[data-iteration="${done.result.iterations}"]`);
    assert.equal(await count('#scatter svg g.points_marks path'), 274);
    const svgText = (await page.textContent('#scatter svg')) ?? '';
    assert.ok(svgText.includes('missing cells, at E[x | observed cells]'), `the legend says where those rows are: ${svgText.slice(0, 600)}`);
    assert.match((await page.textContent('#subtitle')) ?? '', /n = 274 · d = 2 · 2 missing cells integrated out/);
    const notes = await page.locator('#notes li').allTextContents();
    assert.ok(notes.some((t) => /missing at random/.test(t)), notes.join(' | '));
    await screenshot('gaussian-missing-cells');
  });

  it('model selection: the BIC chart fills in live, then the chosen model, its ranking and how clear the choice is', async () => {
    const { messages } = irisSelection(20);
    // fitStarted, loaded and the first 40 candidates: the chart shows them while the sweep runs.
    await send(messages.slice(0, 42));
    await page.waitForSelector('#selection[data-done="40"] svg');
    assert.equal(await page.textContent('#status'), 'Fitting candidates… 40 of 126');
    assert.equal(await page.isVisible('#selection-view'), true);
    const livePoints = Number(await page.getAttribute('#selection', 'data-points'));
    assert.equal(await count('#selection svg g.selection_points_marks path'), livePoints);
    assert.ok(livePoints > 30 && livePoints <= 40, `${livePoints} points`);
    assert.match((await page.textContent('#title')) ?? '', /choosing K and the covariance model by BIC \(126 candidates\)/);
    await send(messages.slice(42));
    await page.waitForSelector('#status[data-state="done"]');
    // R's Mclust() on iris: VEV, K = 2; its 5 NA cells and the engine's degenerate EEV, K = 7 are crosses.
    await page.waitForSelector('#selection[data-done="126"][data-chosen="VEV,2"]');
    assert.equal(await page.textContent('#title'), 'iris.csv — Gaussian mixture — K = 2, VEV (chosen by BIC among 126 candidates)');
    assert.equal(await count('#selection svg g.selection_points_marks path'), 120);
    const crosses = await page.$$eval('#selection svg g.selection_missing_marks path', (ps) => ps.map((p) => p.getAttribute('aria-label') ?? '').sort());
    assert.deepEqual(crosses.map((c) => c.split(':')[0]), ['EEV, K = 7', 'EVV, K = 5', 'EVV, K = 6', 'VEE, K = 5', 'VEE, K = 7', 'VEE, K = 9']);
    assert.match(crosses[0], /missing — component 1: its effective size/);
    assert.match(crosses[1], /missing — the fit failed \(singular\)/);
    assert.equal(await count('#selection svg g.selection_lines_marks path'), 14);
    assert.equal(await page.getAttribute('#selection svg g.selection_chosen_marks path', 'aria-label'), 'chosen: VEV, K = 2');
    const rows = page.locator('#selection-ranking tbody tr');
    assert.equal(await rows.count(), 5);
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-covariance')},${tr.getAttribute('data-k')}`)).then((r) => r.slice(0, 2)), ['VEV,2', 'VEV,3']);
    assert.match((await page.textContent('#selection-clarity')) ?? '', /^VEV, K = 2 over the next best, VEV, K = 3: Δ BIC 0\.8 — weak evidence/);
    // The chosen fit: its scatter (K = 2) and its log-likelihood per iteration.
    await page.waitForSelector('#scatter[data-candidate=""][data-k="2"]');
    assert.equal(await count('#scatter svg g.contours_marks'), 4);
    assert.equal(await page.isVisible('#loglik'), true);
    await screenshot('selection');
    assert.deepEqual(await violations(), []);
  });

  it('model selection: a click on a point or a ranking row shows that candidate; back to the chosen model', async () => {
    const contours = () => page.$$eval('#scatter svg g.contours_marks path', (ps) => ps.map((p) => p.getAttribute('d')).join('|'));
    const chosenContours = await contours();
    // Click the point of VVV, K = 4 where it is drawn; whatever symbol is on top there is the candidate shown.
    const point = page.locator('#selection svg g.selection_points_marks path[aria-label^="VVV, K = 4:"]');
    const box = (await point.boundingBox())!;
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.getAttribute('aria-label') ?? '', [cx, cy]);
    const m = /^(\w+), K = (\d+)/.exec(hit);
    assert.ok(m, `the point under the click: ${hit}`);
    const [covariance, k] = [m[1], Number(m[2])];
    await page.mouse.click(cx, cy);
    await page.waitForSelector(`#scatter[data-candidate="${covariance},${k}"][data-k="${k}"]`);
    assert.equal(await count('#scatter svg g.contours_marks'), 2 * k, 'its K components, two radii each');
    assert.notEqual(await contours(), chosenContours, 'the ellipses are the candidate’s');
    assert.equal(await page.textContent('#iteration-label'), `showing candidate ${covariance}, K = ${k} (final parameters only)`);
    assert.equal(await page.isVisible('#loglik'), false, 'the trace is the chosen fit’s: not shown for another candidate');
    assert.equal(await page.isDisabled('#scrubber'), true);
    assert.equal(await page.isVisible('#selection-back'), true);
    assert.equal(await page.getAttribute('#selection svg g.selection_shown_marks path', 'aria-label'), `shown: ${covariance}, K = ${k}`);
    assert.match((await page.textContent('#params caption')) ?? '', new RegExp(`^Candidate ${covariance}, K = ${k}: final parameters`));
    // The ranking's second row: VEV, K = 3.
    await page.locator('#selection-ranking tbody tr[data-covariance="VEV"][data-k="3"]').click();
    await page.waitForSelector('#scatter[data-candidate="VEV,3"]');
    assert.equal(await count('#scatter svg g.contours_marks'), 6);
    assert.equal(await page.getAttribute('#selection-ranking tbody tr.shown', 'data-k'), '3');
    // Back to the chosen model: its ellipses, trace and scrubber again.
    await page.click('#selection-back');
    await page.waitForSelector('#scatter[data-candidate=""][data-k="2"]');
    assert.equal(await contours(), chosenContours);
    assert.equal(await page.isVisible('#loglik'), true);
    assert.equal(await page.isVisible('#selection-back'), false);
    // The chart exports like the others.
    await page.click('button.export[data-chart="selection"][data-format="svg"]');
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string; chart?: string }[] }).__posted.some((m) => m.type === 'export' && m.chart === 'selection'));
    const exported = (await posted()).find((m): m is Extract<WebviewToHost, { type: 'export' }> => m.type === 'export' && m.chart === 'selection')!;
    assert.ok(exported.data.startsWith('<svg') && exported.data.includes('selection_points_marks'));
    assert.deepEqual(await violations(), []);
  });

  it('model selection: a candidate shown on the MclustDR axes is projected on its own directions', async () => {
    const { messages, selection } = irisSelection(22);
    await send(messages);
    await page.waitForSelector('#status[data-state="done"]');
    const xTitle = () => page.$$eval('#scatter svg g.role-axis-title text', (ts) => ts.map((t) => t.textContent ?? '').find((t) => t.startsWith('DR1')) ?? '');
    await page.selectOption('#x-col', '-3');
    await page.waitForSelector('#scatter[data-x="DR1"]');
    const chosen = selection.entries.find((e) => e.k === 2 && e.covariance === 'VEV')!;
    const other = selection.entries.find((e) => e.k === 3 && e.covariance === 'VEV')!;
    const eigenvalue = (e: typeof chosen) => String(Number(e.dimensionReduction!.eigenvalues[0].toPrecision(3)));
    assert.notEqual(eigenvalue(chosen), eigenvalue(other));
    assert.equal(await xTitle(), `DR1 (MclustDR, eigenvalue ${eigenvalue(chosen)})`);
    await page.locator('#selection-ranking tbody tr[data-covariance="VEV"][data-k="3"]').click();
    await page.waitForSelector('#scatter[data-candidate="VEV,3"][data-x="DR1"]');
    assert.equal(await xTitle(), `DR1 (MclustDR, eigenvalue ${eigenvalue(other)})`);
    await page.click('#selection-back');
    await page.waitForSelector('#scatter[data-candidate=""][data-x="DR1"]');
    assert.equal(await xTitle(), `DR1 (MclustDR, eigenvalue ${eigenvalue(chosen)})`);
    await page.selectOption('#x-col', '-1');
  });

  it('model selection: a cancelled sweep keeps the candidates that finished; a single fit hides the view', async () => {
    const { messages } = irisSelection(21);
    await send([...messages.slice(0, 32), { type: 'cancelled', runId: 21 }]);
    await page.waitForSelector('#status[data-state="cancelled"]');
    assert.equal(await page.textContent('#status'), 'Cancelled after 30 of 126 candidates. The chart shows the candidates that finished.');
    await page.waitForSelector('#selection[data-done="30"] svg');
    const points = Number(await page.getAttribute('#selection', 'data-points'));
    const missing = Number(await page.getAttribute('#selection', 'data-missing'));
    assert.equal(points + missing, 30);
    assert.equal(await count('#selection svg g.selection_points_marks path'), points);
    assert.equal(await page.isVisible('#selection-view'), true);
    assert.match((await page.textContent('#selection-progress')) ?? '', /^Stopped after 30 of 126 candidates/);
    // A single fit afterwards: no selection, no view.
    await send(gaussianMessages(22));
    await page.waitForSelector('#status[data-state="done"]');
    assert.equal(await page.isVisible('#selection-view'), false);
    assert.match((await page.textContent('#title')) ?? '', /K = 2$/);
  });

  it('four columns: PC1 × PC2 by default (titles with the variance explained), any two columns on request', async () => {
    const reference = JSON.parse(readFileSync('test/reference/mclust_bic.json', 'utf8')) as { iris: { n: number; d: number; columns: string[]; values: number[] } };
    const { n, d, columns, values } = reference.iris;
    const csv = [columns.join(','), ...Array.from({ length: n }, (_, i) => values.slice(i * d, (i + 1) * d).join(','))].join('\n') + '\n';
    const options = { ...DEFAULT_FIT_OPTIONS, model: 'gaussian' as const, k: 3, maxIterations: 40, standardize: true, seed: 1 };
    const messages: HostToWebview[] = [{ type: 'fitStarted', runId: 30, fileName: 'iris4.csv', options, fileUri: 'file:///data/iris4.csv' }];
    const outcome = fitDataset(loadDataset('iris4.csv', new TextEncoder().encode(csv), {}), options, {
      onLoaded: (info) => messages.push({ type: 'loaded', runId: 30, ...info }),
      onProgress: (p) => messages.push({ type: 'progress', runId: 30, ...p }),
    });
    messages.push({ type: 'done', runId: 30, result: outcome.result, plotAssignments: outcome.plotAssignments });
    const loaded = messages[1] as Extract<HostToWebview, { type: 'loaded' }>;
    assert.equal(loaded.plotSample?.projection?.axes.length, 2, 'the worker sends the principal axes');
    await send(messages);
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector('#scatter[data-x="PC1"][data-y="PC2"]');
    const titles = await page.locator('#scatter svg g.role-axis-title text').allTextContents();
    const explained = loaded.plotSample!.projection!.explained.map((f) => (100 * f).toFixed(1));
    assert.ok(titles.includes(`PC1 (${explained[0]} % of variance)`) && titles.includes(`PC2 (${explained[1]} % of variance)`), titles.join(' | '));
    assert.equal(await count('#scatter svg g.points_marks path'), n);
    assert.equal(await count('#scatter svg g.contours_marks'), 6);
    assert.deepEqual(await page.locator('#x-col option').allTextContents(), ['PC1', 'PC2', 'DR1', 'DR2', ...columns]);
    await page.selectOption('#x-col', '2');
    await page.selectOption('#y-col', '3');
    await page.waitForSelector(`#scatter[data-x="${columns[2]}"][data-y="${columns[3]}"]`);
    const columnTitles = (await page.locator('#scatter svg g.role-axis-title text').allTextContents()).join(' | ');
    assert.ok(columnTitles.includes(columns[2]) && columnTitles.includes(columns[3]) && !columnTitles.includes('PC1'), columnTitles);
    assert.equal(await count('#scatter svg g.contours_marks'), 6);
    assert.deepEqual(await violations(), []);
  });

  it('linked hover: a parameter row or a scatter point highlights that component everywhere, without a redraw', async () => {
    // The iris fit of the previous test: K = 3, PC1 × PC2 … any columns; the charts stay the same SVG throughout.
    await page.evaluate(() => ((window as unknown as { __scatter: Element | null }).__scatter = document.querySelector('#scatter svg')));
    const opacities = () =>
      page.$$eval('#scatter svg g.points_marks path', (ps) => ps.map((p) => [/most likely: (component \d+)/.exec(p.getAttribute('aria-label') ?? '')?.[1] ?? '', Number(p.getAttribute('opacity') ?? 1)] as [string, number]));
    const resting = await opacities();
    assert.ok(resting.every(([, o]) => o > 0.12), 'nothing dimmed before a hover');
    await page.hover('#params tbody tr[data-component="2"]');
    await page.waitForSelector('#charts[data-hovered="2"]');
    assert.equal(await page.getAttribute('#params tbody tr.hovered', 'data-component'), '2');
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#scatter svg g.points_marks path')).some((p) => p.getAttribute('opacity') === '0.12'));
    const hovered = await opacities();
    for (const [i, [component, o]] of hovered.entries()) {
      if (component === 'component 2') assert.equal(o, resting[i][1], `point ${i} of component 2 keeps its opacity`);
      else assert.equal(o, 0.12, `point ${i} of ${component} is dimmed`);
    }
    const ellipses = await page.$$eval('#scatter svg g.contours_marks path', (ps) => ps.map((p) => `${p.getAttribute('aria-label')?.split(',')[0]}:${p.getAttribute('opacity') ?? '1'}`));
    assert.deepEqual(ellipses.filter((e) => !e.endsWith(':0.12')).map((e) => e.split(':')[0]), ['component 2', 'component 2']);
    // The pointer on a point of component 3 (one that is on top where it is drawn).
    const target = await page.evaluate(() => {
      for (const p of Array.from(document.querySelectorAll('#scatter svg g.points_marks path'))) {
        if (!(p.getAttribute('aria-label') ?? '').includes('most likely: component 3')) continue;
        const r = p.getBoundingClientRect();
        const [x, y] = [r.x + r.width / 2, r.y + r.height / 2];
        if (document.elementFromPoint(x, y) === p) return [x, y];
      }
      return undefined;
    });
    assert.ok(target, 'a point of component 3 on top');
    await page.mouse.move(target[0], target[1]);
    await page.waitForSelector('#charts[data-hovered="3"]');
    assert.equal(await page.getAttribute('#params tbody tr.hovered', 'data-component'), '3');
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#scatter svg g.means_marks path')).filter((p) => p.getAttribute('opacity') !== '0.12').length === 1);
    assert.equal(await page.$$eval('#scatter svg g.means_marks path', (ps) => ps.find((p) => p.getAttribute('opacity') !== '0.12')?.getAttribute('aria-label')), 'component 3');
    // Away from every cluster: as before the hover, and still the same chart (no rebuild).
    await page.mouse.move(5, 5);
    await page.waitForSelector('#charts[data-hovered=""]');
    await page.waitForFunction(() => !Array.from(document.querySelectorAll('#scatter svg g.points_marks path')).some((p) => p.getAttribute('opacity') === '0.12'));
    assert.deepEqual(await opacities(), resting);
    assert.equal(await count('#params tbody tr.hovered'), 0);
    assert.ok(await page.evaluate(() => document.querySelector('#scatter svg') === (window as unknown as { __scatter: Element | null }).__scatter), 'the scatter was not rebuilt');
    assert.deepEqual(await violations(), []);
  });

  it('run history: each result brings the file\'s runs; two ticked are compared side by side (ΔBIC, parameters, chart)', async () => {
    // Two real runs of Old Faithful as the host would report them: K = 2 from Murphy's start, then K = 3.
    const first = gaussianMessages(50);
    const firstDone = first[first.length - 1] as Extract<HostToWebview, { type: 'done' }>;
    const k3Options = { ...DEFAULT_FIT_OPTIONS, model: 'gaussian' as const, k: 3, standardize: true, seed: 2, maxIterations: 200 };
    const second: HostToWebview[] = [{ type: 'fitStarted', runId: 51, fileName: 'faithful.csv', options: k3Options, fileUri: 'file:///data/faithful.csv' }];
    const outcome = fitDataset(loadDataset('faithful.csv', faithfulBytes(), {}), k3Options, {
      onLoaded: (info) => second.push({ type: 'loaded', runId: 51, ...info }),
      onProgress: (p) => second.push({ type: 'progress', runId: 51, ...p }),
    });
    const runs: RunSummary[] = [summarizeRun(firstDone.result, { standardize: true }, 1, Date.now() - 60_000), summarizeRun(outcome.result, k3Options, 2, Date.now())];
    firstDone.history = runs.slice(0, 1);
    second.push({ type: 'done', runId: 51, result: outcome.result, plotAssignments: outcome.plotAssignments, history: runs });
    await send(first);
    await page.waitForSelector('#history-view[data-runs="1"]');
    assert.equal(await page.isVisible('#history-view'), true);
    assert.match((await page.textContent('#history-hint')) ?? '', /re-run with another K to compare/);
    await send(second);
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector('#history-view[data-runs="2"]');
    assert.deepEqual(await page.$$eval('#history-runs tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-run'))), ['2', '1'], 'newest first');
    const models = await page.$$eval('#history-runs tbody tr td:nth-child(4)', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(models, ['Gaussian mixture (full), K = 3', 'Gaussian mixture (full), K = 2']);
    assert.equal(await page.isVisible('#history-compare'), false);
    await page.check('#history-runs tr[data-run="1"] input');
    await page.check('#history-runs tr[data-run="2"] input');
    await page.waitForSelector('#history-compare[data-runs="1,2"]');
    const better = runs[0].bic < runs[1].bic ? '1' : '2';
    assert.equal(await page.getAttribute('#history-compare', 'data-better'), better);
    const delta = runs[1].bic - runs[0].bic;
    assert.equal(await page.getAttribute('#history-compare', 'data-delta'), (Math.round(delta * 10) / 10).toFixed(1));
    assert.match((await page.textContent('#history-delta')) ?? '', new RegExp(`^run 2 − run 1: Δ BIC [+]?-?\\d+\\.\\d \\(lower is better\\) — .* evidence for run ${better} `));
    // Side by side: K = 2 beside K = 3, paired by their means (one row where run 1 has no third component).
    assert.equal(await count('#history-a tbody tr[data-component]'), 2);
    assert.equal(await count('#history-a tbody tr.unpaired'), 1);
    assert.equal(await count('#history-b tbody tr[data-component]'), 3);
    assert.match((await page.textContent('#history-a caption')) ?? '', /^run 1: Gaussian mixture \(full\), K = 2 · BIC /);
    await page.waitForSelector('#history[data-runs="1,2"] svg');
    assert.deepEqual(await page.$$eval('#history svg g.compare_means_marks', (gs) => gs.map((g) => g.querySelectorAll('path').length)), [2, 3]);
    assert.deepEqual(await page.$$eval('#history svg g.compare_points_marks', (gs) => gs.map((g) => g.querySelectorAll('path').length)), [272, 272]);
    // The pick is a UI choice, saved with the others (vscode.setState).
    const saved = await page.evaluate(() => (window as unknown as { __state: { ui: { compareRuns?: number[] } } }).__state);
    assert.deepEqual(saved.ui.compareRuns, [1, 2]);
    await screenshot('history');
    // Unticking one ends the comparison.
    await page.uncheck('#history-runs tr[data-run="1"] input');
    await page.waitForSelector('#history-compare:not([data-runs])', { state: 'hidden' });
    assert.equal(await page.isVisible('#history-compare'), false);
    assert.equal(await count('#history svg'), 0);
    assert.deepEqual(await violations(), []);
  });

  it('restore (after a reload) shows the saved result', async () => {
    // What the host sends after a reload: the last result it keeps.
    const kept = bernoulliMessages(6);
    const keptLoaded = kept[1] as Extract<HostToWebview, { type: 'loaded' }>;
    const keptDone = kept[kept.length - 1] as Extract<HostToWebview, { type: 'done' }>;
    const state: PanelState = { fileName: 'train-images-idx3-ubyte', fileUri: 'file:///data/train-images-idx3-ubyte', options: DEFAULT_FIT_OPTIONS, summary: keptLoaded.summary, model: 'bernoulli', result: keptDone.result, examples: keptDone.examples };
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    await send([{ type: 'restore', state }]);
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector('#images svg');
    assert.equal(await count('#images svg g.image_pixels_marks'), 3);
    // A result kept without per-iteration label counts: scrubbed back, the heatmap says it is the final fit's.
    await send([{ type: 'restore', state: { ...state, result: { ...keptDone.result, snapshots: keptDone.result.snapshots.map(({ confusion: _c, ...s }) => s) } as FitResult } }]);
    await page.waitForSelector('#confusion svg');
    await page.locator('#scrubber').fill('1');
    await page.waitForSelector('#confusion-note:not([hidden])');
    assert.equal(await page.textContent('#confusion-note'), 'Clusters × labels of the final fit (iteration 4); the other charts show iteration 1.');
    await page.waitForSelector('#confusion[data-iteration="final"]');
    // A state whose result carries no per-iteration snapshots still draws the final parameters.
    const g = gaussianMessages(7);
    const loaded = g[1] as Extract<HostToWebview, { type: 'loaded' }>;
    const done = g[g.length - 1] as Extract<HostToWebview, { type: 'done' }>;
    const bare: PanelState = {
      fileName: 'faithful.csv',
      fileUri: 'file:///data/faithful.csv',
      options: DEFAULT_FIT_OPTIONS,
      summary: loaded.summary,
      model: 'gaussian',
      plotSample: loaded.plotSample,
      result: { ...done.result, snapshots: [] },
    };
    await send([{ type: 'restore', state: bare }]);
    await page.waitForSelector(`#scatter[data-iteration="${done.result.iterations}"]`);
    assert.equal(await count('#scatter svg g.points_marks path'), 272);
    assert.equal(await count('#scatter svg g.contours_marks'), 4);
    assert.equal(await page.isVisible('#bernoulli-view'), false);
    assert.deepEqual(await violations(), []);
    assert.deepEqual(panel!.pageErrors, []);
  });
});
