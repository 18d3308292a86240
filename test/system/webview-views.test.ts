// The Gaussian fit's extra views in the real panel (the esbuild bundle under panelHtml's strict CSP, in Debian's
// Chromium): MclustDR axes, the uncertainty scatter with the most uncertain rows by file line, density contours and
// the scatter-plot matrix within the point budget, from a real fit of iris; no CSP violation, no page error.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { loadDataset } from '../../src/engine/data/load';
import { fitDataset } from '../../src/engine/fit';
import { DEFAULT_FIT_OPTIONS, type FitResult, type HostToWebview } from '../../src/shared/protocol';
import { CHROMIUM, openPanelPage, type PanelPage } from './panelPage';


describe('Gaussian views in Chromium under the strict CSP', function () {
  let panel: PanelPage | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    panel = await openPanelPage('iris.csv');
    ({ page, pageErrors } = panel);
  });

  after(async () => {
    await panel?.close();
  });

  const count = (selector: string) => page.locator(selector).count();
  /** WEBVIEW_SCREENSHOTS=dir saves what each view looks like. */
  const screenshot = async (name: string) => {
    if (process.env.WEBVIEW_SCREENSHOTS) await page.locator('#scatter-card').screenshot({ path: `${process.env.WEBVIEW_SCREENSHOTS}/${name}.png` });
  };

  it('iris K = 3: DR axes, uncertainty, density and the scatter-plot matrix, each from the fit', async () => {
    const maxPlotPoints = 120;
    const options = { ...DEFAULT_FIT_OPTIONS, model: 'gaussian' as const, k: 3, covarianceType: 'VVV' as const, maxIterations: 60, standardize: false, seed: 1, maxPlotPoints };
    const bytes = readFileSync('test/fixtures/iris.csv');
    const messages: HostToWebview[] = [{ type: 'fitStarted', runId: 1, fileName: 'iris.csv', options, fileUri: 'file:///data/iris.csv' }];
    const outcome = fitDataset(loadDataset('iris.csv', bytes, {}), options, {
      onLoaded: (info) => messages.push({ type: 'loaded', runId: 1, ...info }),
      onProgress: (p) => messages.push({ type: 'progress', runId: 1, ...p }),
    });
    const result: FitResult = outcome.result;
    messages.push({ type: 'done', runId: 1, result, plotAssignments: outcome.plotAssignments });
    await page.evaluate((ms) => ms.forEach((m) => window.postMessage(m, '*')), messages);
    await page.waitForSelector('#status[data-state="done"]');

    // MclustDR's directions as axes.
    await page.selectOption('#x-col', '-3');
    await page.selectOption('#y-col', '-4');
    await page.waitForSelector('#scatter[data-x="DR1"][data-y="DR2"]');
    const titles = (await page.locator('#scatter svg g.role-axis-title text').allTextContents()).join(' | ');
    assert.ok(titles.includes('DR1 (MclustDR, eigenvalue') && titles.includes('DR2 (MclustDR'), titles);

    // Uncertainty: every plotted point, and the fit's most uncertain rows by file line.
    await page.selectOption('#view-kind', 'uncertainty');
    await page.waitForSelector('#uncertain-rows:not([hidden]) tbody tr');
    assert.equal(await count('#scatter svg g.points_marks path'), maxPlotPoints);
    const lines = await page.locator('#uncertain-rows tbody tr td:first-child').allTextContents();
    assert.deepEqual(lines, result.uncertainRows!.map((r) => String(r.line)));
    assert.equal(lines.length, 20);
    await screenshot('view-uncertainty');

    // Density: contour segments over the scatter; the table goes away.
    await page.selectOption('#view-kind', 'density');
    await page.waitForSelector('#scatter svg g.density_marks line, #scatter svg g.density_marks path');
    assert.ok((await count('#scatter svg g.density_marks line')) + (await count('#scatter svg g.density_marks path')) > 50);
    assert.equal(await page.locator('#uncertain-rows').isHidden(), true);
    await screenshot('view-density');

    // The matrix of the four columns: 12 cells sharing the budget, two ellipses per component in each.
    await page.selectOption('#view-kind', 'pairs');
    await page.waitForSelector('#pairs[data-columns="4"]');
    assert.equal(await page.locator('#scatter').isHidden(), true);
    const points = await count('#pairs svg g.pair_points_marks path');
    assert.equal(points, Math.floor(maxPlotPoints / 12) * 12);
    assert.ok(points <= maxPlotPoints);
    assert.equal(await count('#pairs svg g.pair_contours_marks'), 12 * 3 * 2);
    await screenshot('view-pairs');
    // Unticking a column: three columns, six cells.
    await page.locator('#pair-columns input[value="0"]').uncheck();
    await page.waitForSelector('#pairs[data-columns="3"]');
    assert.equal(await count('#pairs svg g.pair_contours_marks'), 6 * 3 * 2);

    const saved = await page.evaluate(() => (window as unknown as { __state: { ui: { view?: string; pairColumns?: number[] } } }).__state.ui);
    assert.equal(saved.view, 'pairs');
    assert.deepEqual(saved.pairColumns, [1, 2, 3]);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
    assert.deepEqual(pageErrors, []);
  });
  /** The host's messages for a real fit of a fixture, as the worker posts them. */
  function fitMessages(runId: number, file: string, options: typeof DEFAULT_FIT_OPTIONS): { messages: HostToWebview[]; result: FitResult } {
    const messages: HostToWebview[] = [{ type: 'fitStarted', runId, fileName: file, options, fileUri: `file:///data/${file}` }];
    const outcome = fitDataset(loadDataset(file, readFileSync(`test/fixtures/${file}`), { ...(options.columns.length > 0 ? { columns: options.columns } : {}), ...(options.categorical.length > 0 ? { categorical: options.categorical } : {}) }), options, {
      onLoaded: (info) => messages.push({ type: 'loaded', runId, ...info }),
      onProgress: (p) => messages.push({ type: 'progress', runId, ...p }),
    });
    messages.push({ type: 'done', runId, result: outcome.result, plotAssignments: outcome.plotAssignments });
    return { messages, result: outcome.result };
  }

  it('Poisson, categorical and mixed fits: their charts and parameter tables, nothing half-drawn', async () => {
    // "Done" shows at once; the charts follow when the panel's paced draw comes: wait for what each fit draws.
    const drawn = (selector: string, n: number) => page.waitForFunction(([sel, want]) => document.querySelectorAll(sel as string).length === want, [selector, n] as const);
    const poisson = fitMessages(2, 'counts.csv', { ...DEFAULT_FIT_OPTIONS, model: 'poisson', k: 3, seed: 1 });
    await page.evaluate((ms) => ms.forEach((m) => window.postMessage(m, '*')), poisson.messages);
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector('#rates svg g.rate_cells_marks path');
    await drawn('#rates svg g.rate_cells_marks path', 3 * 4);
    await page.waitForSelector('#counts svg g.count_bars_marks path');
    assert.equal(await page.locator('#poisson-view').isVisible(), true);
    await drawn('#params tbody tr', 3);

    const categorical = fitMessages(3, 'survey.csv', { ...DEFAULT_FIT_OPTIONS, k: 3, seed: 1 });
    assert.equal(categorical.result.model, 'categorical');
    await page.evaluate((ms) => ms.forEach((m) => window.postMessage(m, '*')), categorical.messages);
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector('#profiles svg g.profile_cells_marks path');
    // Every category of every column in every cluster: 3 × (2 + 4 + 3 + 2 + 4).
    await drawn('#profiles svg g.profile_cells_marks path', 3 * 15);
    assert.equal(await page.locator('#poisson-view').isVisible(), false);

    const mixed = fitMessages(4, 'mixed.csv', { ...DEFAULT_FIT_OPTIONS, k: 2, seed: 1 });
    assert.equal(mixed.result.model, 'mixed');
    await page.evaluate((ms) => ms.forEach((m) => window.postMessage(m, '*')), mixed.messages);
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector('#profiles svg g.profile_cells_marks path');
    await drawn('#params tbody tr', 2);
    // Its Gaussian block too: the numeric columns' scatter, every row plotted, two ellipses per component and the
    // means, at the fit's last iteration.
    assert.equal(await page.locator('#gaussian-view').isVisible(), true);
    assert.equal(await page.locator('#categorical-view').isVisible(), true);
    await page.waitForSelector(`#scatter[data-iteration="${mixed.result.iterations}"][data-k="2"] svg g.points_marks`);
    assert.equal(await count('#scatter svg g.points_marks path'), mixed.result.n);
    assert.equal(await count('#scatter svg g.contours_marks'), 2 * 2);
    const titles = await page.$$eval('#scatter svg g.role-axis-title text', (ts) => ts.map((t) => t.textContent));
    assert.deepEqual([...titles].sort(), ['height', 'score']);
    assert.equal(await page.locator('#poisson-view').isVisible(), false);

    // Count columns: the Poisson block's rates (K × count columns) and histograms beside the scatter and profiles.
    const counts = fitMessages(5, 'mixed-counts.csv', { ...DEFAULT_FIT_OPTIONS, k: 3, seed: 1, countColumns: ['visits', 'calls'] });
    assert.deepEqual(counts.result.countColumns, ['visits', 'calls']);
    await page.evaluate((ms) => ms.forEach((m) => window.postMessage(m, '*')), counts.messages);
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector('#rates[data-k="3"] svg g.rate_cells_marks path');
    assert.equal(await count('#rates svg g.rate_cells_marks path'), 3 * 2);
    await page.waitForSelector('#counts svg g.count_bars_marks path');
    for (const view of ['#gaussian-view', '#poisson-view', '#categorical-view']) assert.equal(await page.locator(view).isVisible(), true, view);
    await page.waitForSelector(`#scatter[data-iteration="${counts.result.iterations}"][data-k="3"] svg g.points_marks`);
    const countTitles = await page.$$eval('#scatter svg g.role-axis-title text', (ts) => ts.map((t) => t.textContent));
    assert.deepEqual([...countTitles].sort(), ['height', 'score']);

    // Counts and answers only: no Gaussian block, so no scatter; the rates and the profiles.
    const noGaussian = fitMessages(6, 'mixed-counts.csv', { ...DEFAULT_FIT_OPTIONS, k: 2, seed: 1, countColumns: ['visits', 'calls'], columns: ['visits', 'calls', 'smoker', 'commute'], categorical: ['smoker', 'commute'] });
    assert.equal(noGaussian.result.d, 0);
    await page.evaluate((ms) => ms.forEach((m) => window.postMessage(m, '*')), noGaussian.messages);
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForSelector('#rates[data-k="2"] svg g.rate_cells_marks path');
    assert.equal(await count('#rates svg g.rate_cells_marks path'), 2 * 2);
    assert.equal(await page.locator('#gaussian-view').isVisible(), false);
    assert.equal(await page.locator('#poisson-view').isVisible(), true);
    assert.equal(await page.locator('#categorical-view').isVisible(), true);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
    assert.deepEqual(pageErrors, []);
  });
});
