// A saved model applied to a file, in the real panel (the esbuild bundle under panelHtml's strict CSP, in Debian's
// Chromium), from the messages the worker posts for it: the header names the model and says it is not a fit, the
// scatter shows the model's components and the file's points, the label heatmap scores them, and there is no
// scrubber or log-likelihood curve; a re-run's fit then brings both back. No CSP violation, no page error.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { loadDataset } from '../../src/engine/data/load';
import { fitDataset } from '../../src/engine/fit';
import { applyModel } from '../../src/engine/model/apply';
import { loadForModel } from '../../src/engine/model/predict';
import { buildSavedModel, parseSavedModel, savedModelJson } from '../../src/engine/model/schema';
import { DEFAULT_FIT_OPTIONS, type DatasetSummary, type FitOptions, type HostToWebview } from '../../src/shared/protocol';
import { CHROMIUM, openPanelPage, type PanelPage } from './panelPage';

const FILE = { fileName: 'iris.csv', fileUri: 'file:///data/iris.csv' };

/** The worker's messages of one run: a fit, or (`modelText`) the saved model applied. */
async function runMessages(runId: number, options: FitOptions, modelText?: string): Promise<HostToWebview[]> {
  const bytes = readFileSync('test/fixtures/iris.csv');
  const messages: HostToWebview[] = [{ type: 'fitStarted', runId, ...FILE, options }];
  const callbacks = {
    onLoaded: (info: Omit<Extract<HostToWebview, { type: 'loaded' }>, 'type' | 'runId'>) => messages.push({ type: 'loaded', runId, ...info }),
    onProgress: (p: Omit<Extract<HostToWebview, { type: 'progress' }>, 'type' | 'runId'>) => messages.push({ type: 'progress', runId, ...p }),
  };
  if (modelText) {
    const model = parseSavedModel(modelText, 'iris.model.json');
    const outcome = applyModel(model, await loadForModel(model, 'iris.csv', bytes), 'iris.model.json', { maxPlotPoints: options.maxPlotPoints }, callbacks);
    messages.push({ type: 'done', runId, result: outcome.result, plotAssignments: outcome.plotAssignments });
  } else {
    const outcome = fitDataset(loadDataset('iris.csv', bytes, {}), options, callbacks);
    messages.push({ type: 'done', runId, result: outcome.result, plotAssignments: outcome.plotAssignments });
  }
  return messages;
}

describe('a saved model applied, in Chromium under the strict CSP', function () {
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
  const post = (messages: HostToWebview[]) => page.evaluate((ms) => ms.forEach((m) => window.postMessage(m, '*')), messages);

  it('iris under a VVV model: the model named in the header, its ellipses and the species heatmap, no scrubber or curve; a re-run brings them back', async () => {
    const options: FitOptions = { ...DEFAULT_FIT_OPTIONS, model: 'gaussian', k: 3, covarianceType: 'VVV', seed: 1, maxPlotPoints: 120 };
    // The model, saved from a fit of iris.
    let summary: DatasetSummary | undefined;
    const fit = fitDataset(loadDataset('iris.csv', readFileSync('test/fixtures/iris.csv'), {}), options, { onLoaded: (info) => (summary = info.summary) });
    const modelText = savedModelJson(buildSavedModel({ options, result: fit.result, summary: summary! }));

    await post(await runMessages(1, options, modelText));
    await page.waitForSelector('#status[data-state="done"]');
    assert.equal(await page.textContent('#title'), 'iris.csv — saved model iris.model.json applied (Gaussian mixture, VVV, K = 3, fitted to iris.csv)');
    assert.match((await page.textContent('#subtitle')) ?? '', /not a fit: the model's parameters, no EM iterations · log-likelihood/);
    assert.match((await page.textContent('#status')) ?? '', /^Saved model iris\.model\.json applied/);
    await page.waitForSelector('#scatter svg g.points_marks path');
    assert.equal(await count('#scatter svg g.points_marks path'), 120);
    // Each component's ellipses at radius 1 and 2.
    assert.equal(await count('#scatter svg g.contours_marks'), 6);
    assert.equal((await page.locator('#scatter svg g.role-title text').allTextContents()).join(''), 'The parameters of iris.model.json (no iterations)');
    await page.waitForSelector('#confusion svg g.confusion_cells_marks path');
    assert.equal(await count('#confusion svg g.confusion_cells_marks path'), 9);
    assert.equal(await page.isVisible('#scrubber-bar'), false);
    assert.equal(await page.isVisible('#loglik-card'), false);
    // WEBVIEW_SCREENSHOTS=dir saves what it looks like.
    if (process.env.WEBVIEW_SCREENSHOTS) await page.screenshot({ path: `${process.env.WEBVIEW_SCREENSHOTS}/applied.png`, fullPage: true });

    // Re-run: a fit of the same file, with its iterations.
    await post(await runMessages(2, { ...options, k: 2 }));
    await page.waitForSelector('#status[data-state="done"]');
    await page.waitForFunction(() => !(document.querySelector('#title')?.textContent ?? '').includes('applied'));
    await page.waitForSelector('#loglik svg g.loglik_points_marks path');
    assert.equal(await page.isVisible('#loglik-card'), true);
    assert.equal(await page.isVisible('#scrubber-bar'), true);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
    assert.deepEqual(pageErrors, []);
  });
});
