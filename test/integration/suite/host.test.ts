// The extension host's behaviour in a real VS Code: one panel per file reused on re-run, cancel that stops a long
// fit at once, a new fit of the same file superseding the old one, closing the panel stopping its fit, files over the
// memory budget refused before they are read or fitted out of core, ten fits at once, and the data file never written.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FitResult } from '../../../src/shared/protocol';

const CLUSTER = 'mixscope.clusterDataset';

function folder(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the test workspace is open');
  return f.uri;
}

const file = (name: string) => vscode.Uri.joinPath(folder(), name);

async function writeText(name: string, text: string): Promise<vscode.Uri> {
  const uri = file(name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

/** Two 2-D blobs; big enough that K = 10 with a tiny tolerance runs for a long time. */
function blobs(n: number, seed = 1): string {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ['a,b'];
  for (let i = 0; i < n; i++) lines.push(`${((i % 2 ? 3 : -3) + rand() * 2).toFixed(4)},${(rand() * 2).toFixed(4)}`);
  return lines.join('\n') + '\n';
}

function panelTabs(fileName: string): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('mixscope.panel') && t.label === `Mixscope: ${fileName}`);
}

const config = () => vscode.workspace.getConfiguration('mixscope');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('Mixscope extension host: panel, cancel, limits', function () {
  this.timeout(120000);

  before(async function () {
    await vscode.extensions.getExtension('mixscope.mixscope')?.activate();
  });

  afterEach(async function () {
    for (const key of ['k', 'maxIterations', 'tolerance', 'init', 'maxFileSizeMB', 'memoryBudgetMB', 'maxPlotPoints']) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  it('opens one panel per data file, titled after it, and reuses it on a re-run; the file is not written', async function () {
    const uri = file('faithful.csv');
    const before = await vscode.workspace.fs.readFile(uri);
    const first = await vscode.commands.executeCommand<FitResult>(CLUSTER, uri);
    assert.equal(first?.n, 272);
    assert.equal(panelTabs('faithful.csv').length, 1, 'one panel for faithful.csv');
    const second = await vscode.commands.executeCommand<FitResult>(CLUSTER, uri);
    assert.equal(second?.n, 272);
    assert.equal(panelTabs('faithful.csv').length, 1, 'the panel is reused');
    const after = await vscode.workspace.fs.readFile(uri);
    assert.deepEqual(Buffer.from(after), Buffer.from(before));
  });

  it('cancel stops a long fit at once', async function () {
    const uri = await writeText('long.csv', blobs(60000));
    await config().update('k', 12, vscode.ConfigurationTarget.Global);
    await config().update('maxIterations', 100000, vscode.ConfigurationTarget.Global);
    await config().update('tolerance', 1e-300, vscode.ConfigurationTarget.Global);
    await config().update('init', 'random', vscode.ConfigurationTarget.Global);
    const running = vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, uri);
    await sleep(1500); // reading, loading and the first iterations
    const t0 = Date.now();
    await vscode.commands.executeCommand('mixscope.cancelFit', uri);
    const result = await running;
    const ms = Date.now() - t0;
    assert.equal(result, undefined, 'a cancelled fit returns no result');
    assert.ok(ms < 2000, `the command returned ${ms} ms after cancel`);
    // The next fit of the same file works.
    await config().update('maxIterations', 5, vscode.ConfigurationTarget.Global);
    const next = await vscode.commands.executeCommand<FitResult>(CLUSTER, uri);
    assert.equal(next?.n, 60000);
    assert.ok(next.iterations <= 5);
  });

  it("the panel's title-bar Stop (run with the webview editor's own webview-panel: URI) stops the running fit", async function () {
    const uri = await writeText('titlebar-stop.csv', blobs(60000, 3));
    await config().update('k', 12, vscode.ConfigurationTarget.Global);
    await config().update('maxIterations', 100000, vscode.ConfigurationTarget.Global);
    await config().update('tolerance', 1e-300, vscode.ConfigurationTarget.Global);
    await config().update('init', 'random', vscode.ConfigurationTarget.Global);
    const running = vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, uri);
    await sleep(1500);
    await vscode.commands.executeCommand('mixscope.cancelFit', vscode.Uri.parse('webview-panel:webview-panel/webview-1'));
    const outcome = await Promise.race([running.then((r) => ({ ended: true, r })), sleep(5000).then(() => ({ ended: false, r: undefined }))]);
    if (!outcome.ended) await vscode.commands.executeCommand('mixscope.cancelFit', uri);
    assert.ok(outcome.ended, 'the fit was still running 5 s after Stop');
    assert.equal(outcome.r, undefined, 'a cancelled fit returns no result');
  });

  it('a fit started while another runs on the same file cancels the older one', async function () {
    const uri = await writeText('same.csv', blobs(60000, 2));
    await config().update('k', 12, vscode.ConfigurationTarget.Global);
    await config().update('maxIterations', 100000, vscode.ConfigurationTarget.Global);
    await config().update('tolerance', 1e-300, vscode.ConfigurationTarget.Global);
    const older = vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, uri);
    await sleep(1000);
    await config().update('maxIterations', 3, vscode.ConfigurationTarget.Global);
    const newer = vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, uri);
    assert.equal(await older, undefined, 'the older fit was cancelled');
    const r = await newer;
    assert.ok(r && r.iterations <= 3, 'the newer fit ran with its own settings');
    assert.equal(panelTabs('same.csv').length, 1);
  });

  it('closing the panel while a fit runs stops the fit', async function () {
    const uri = await writeText('closing.csv', blobs(60000, 3));
    await config().update('k', 12, vscode.ConfigurationTarget.Global);
    await config().update('maxIterations', 100000, vscode.ConfigurationTarget.Global);
    await config().update('tolerance', 1e-300, vscode.ConfigurationTarget.Global);
    const running = vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, uri);
    await waitFor('the panel of closing.csv', () => panelTabs('closing.csv').length === 1);
    await sleep(500);
    const t0 = Date.now();
    await vscode.window.tabGroups.close(panelTabs('closing.csv'));
    assert.equal(await running, undefined);
    assert.ok(Date.now() - t0 < 2000, `stopped ${Date.now() - t0} ms after the panel closed`);
  });

  it('refuses a file over mixscope.maxFileSizeMB before reading it, and opens no panel', async function () {
    const uri = await writeText('too-big.csv', blobs(120000, 4)); // ≈ 1.8 MB
    await config().update('maxFileSizeMB', 1, vscode.ConfigurationTarget.Global);
    const result = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, uri);
    assert.equal(result, undefined);
    assert.equal(panelTabs('too-big.csv').length, 0);
  });

  it('fits a CSV over mixscope.memoryBudgetMB out of core, with the in-memory trace and a sampled panel', async function () {
    const uri = await writeText('over-budget.csv', blobs(120000, 5)); // ≈ 1.8 MB
    await config().update('k', 2, vscode.ConfigurationTarget.Global);
    await config().update('init', 'random', vscode.ConfigurationTarget.Global);
    await config().update('maxIterations', 20, vscode.ConfigurationTarget.Global);
    await config().update('maxPlotPoints', 1000, vscode.ConfigurationTarget.Global);
    const inMemory = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, uri);
    if (!inMemory) assert.fail('no in-memory result');
    assert.equal(inMemory.assignedRows, undefined);
    await config().update('memoryBudgetMB', 1, vscode.ConfigurationTarget.Global);
    const streamed = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, uri);
    if (!streamed) assert.fail('no out-of-core result');
    assert.equal(streamed.n, 120000);
    assert.ok(streamed.assignedRows && streamed.assignedRows.length <= 1000 && streamed.assignments.length === streamed.assignedRows.length, 'assignments of an evenly drawn sample');
    assert.equal(streamed.trace.length, inMemory.trace.length);
    inMemory.trace.forEach((v, i) => assert.ok(Math.abs(streamed.trace[i] - v) <= 1e-9 * Math.abs(v), `trace[${i}] ${streamed.trace[i]} vs ${v}`));
    assert.equal(panelTabs('over-budget.csv').length, 1);
  });

  it('fits IDX images over the budget out of core with their labels file, scoring the labels as in memory', async function () {
    const uri = file('mnist-2000-images-idx3-ubyte');
    await config().update('k', 4, vscode.ConfigurationTarget.Global);
    await config().update('init', 'random', vscode.ConfigurationTarget.Global);
    await config().update('maxIterations', 5, vscode.ConfigurationTarget.Global);
    const inMemory = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, uri);
    if (!inMemory?.labelMetrics) assert.fail('no in-memory result with label scores');
    // The images take about 3 MB once read: over a 1 MB budget, the worker streams them from their path.
    await config().update('memoryBudgetMB', 1, vscode.ConfigurationTarget.Global);
    const streamed = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, uri);
    if (!streamed?.labelMetrics) assert.fail('no out-of-core result with label scores');
    assert.equal(streamed.model, 'bernoulli');
    assert.equal(streamed.n, inMemory.n);
    assert.ok(streamed.assignedRows, 'an out-of-core result (assignments of a sample of rows)');
    streamed.trace.forEach((v, i) => assert.ok(Math.abs(v - inMemory.trace[i]) <= 1e-9 * Math.abs(inMemory.trace[i]), `trace[${i}] ${v} vs ${inMemory.trace[i]}`));
    assert.deepEqual(streamed.labelMetrics.confusion, inMemory.labelMetrics.confusion);
    assert.equal(streamed.labelMetrics.accuracy, inMemory.labelMetrics.accuracy);
  });

  it('runs ten fits on different files at once', async function () {
    const uris = await Promise.all(Array.from({ length: 10 }, (_, i) => writeText(`ten-${i}.csv`, blobs(200 + 20 * i, 10 + i))));
    const results = await Promise.all(uris.map((u) => vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, u)));
    results.forEach((r, i) => assert.equal(r?.n, 200 + 20 * i, `ten-${i}.csv`));
    for (let i = 0; i < 10; i++) assert.equal(panelTabs(`ten-${i}.csv`).length, 1);
  });

  it('a missing file is reported, not thrown', async function () {
    const result = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, file('no-such-file.csv'));
    assert.equal(result, undefined);
  });

  it('IDX images are fitted with their companion labels file', async function () {
    const result = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, file('mnist-2000-images-idx3-ubyte'));
    if (!result) assert.fail('no result for the MNIST sample');
    assert.equal(result.model, 'bernoulli');
    assert.ok(result.labelMetrics, 'label metrics computed from mnist-2000-labels-idx1-ubyte');
  });
});
