// "Apply a saved model to this file…" in a real VS Code: the model saved from a fit's panel, applied to another file,
// opens that file's panel (one, reused when applied again) whose state holds the applied result — the model's
// parameters on the new rows, no iteration — and the last run of its history names the model. A model file that is
// not a model opens no panel. The panel's state is read through the extension's API (activate's return value).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { buildSavedModel, savedModelJson } from '../../../src/engine/model/schema';
import type { MixscopeApi } from '../../../src/host/extension';
import type { FitResult } from '../../../src/shared/protocol';

function folder(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the test workspace is open');
  return f.uri;
}

const file = (name: string) => vscode.Uri.joinPath(folder(), name);
const config = () => vscode.workspace.getConfiguration('mixscope');

function panelTabs(fileName: string): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('mixscope.panel') && t.label === `Mixscope: ${fileName}`);
}

describe('Mixscope extension host: a saved model applied to a file', function () {
  this.timeout(120000);
  let api: MixscopeApi;

  before(async function () {
    const ext = vscode.extensions.getExtension<MixscopeApi>('mixscope.mixscope');
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
  });

  afterEach(async function () {
    for (const key of ['k', 'covarianceType']) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  it('opens the file\'s panel with the model\'s clusters on it, reused when applied again', async function () {
    await config().update('k', 2, vscode.ConfigurationTarget.Global);
    await config().update('covarianceType', 'full', vscode.ConfigurationTarget.Global);
    const faithful = file('faithful.csv');
    const fit = await vscode.commands.executeCommand<FitResult>('mixscope.clusterDataset', faithful);
    assert.equal(fit?.n, 272);
    // The model as the panel's export writes it: from the panel's options, loaded summary and result.
    const fitted = api.panelState(faithful);
    assert.ok(fitted?.result && fitted.summary, 'the fitted panel holds its result and summary');
    const modelUri = file('faithful.model.json');
    await vscode.workspace.fs.writeFile(modelUri, new TextEncoder().encode(savedModelJson(buildSavedModel({ options: fitted.options, result: fitted.result, summary: fitted.summary }))));
    // Every other row of faithful, in a file of its own.
    const lines = new TextDecoder().decode(await vscode.workspace.fs.readFile(faithful)).trim().split(/\r?\n/);
    const half = file('faithful-half.csv');
    const halfText = [lines[0], ...lines.slice(1).filter((_, i) => i % 2 === 0)].join('\n') + '\n';
    await vscode.workspace.fs.writeFile(half, new TextEncoder().encode(halfText));

    const applied = await vscode.commands.executeCommand<FitResult>('mixscope.applySavedModel', half, modelUri);
    assert.ok(applied, 'the command returns the applied result');
    assert.equal(applied.n, 136);
    assert.equal(applied.iterations, 0);
    assert.deepEqual(applied.applied, { modelFile: 'faithful.model.json', fittedTo: 'faithful.csv', fittedRows: 272, fittedLogLikelihood: fit.logLikelihood, covarianceModel: 'full' });
    // The fit's clusters on its own rows: every other row of the fit's assignments.
    assert.deepEqual(applied.assignments, fit.assignments.filter((_, i) => i % 2 === 0));
    assert.equal(panelTabs('faithful-half.csv').length, 1, 'one panel for the file');
    const state = api.panelState(half);
    assert.equal(state?.result?.applied?.modelFile, 'faithful.model.json');
    // The model's parameters, not refitted to the new rows.
    state!.result!.means.flat().forEach((v, i) => assert.ok(Math.abs(v - fit.means.flat()[i]) <= 1e-9 * Math.abs(v), `mean ${i}: ${v}`));
    assert.equal(state?.plotSample?.indices.length, 136);
    assert.equal(state?.options.k, 2, 'the panel\'s options (a re-run\'s) are the model\'s settings');
    assert.equal(state?.options.covarianceType, 'full');
    assert.equal(state?.history?.at(-1)?.appliedModel, 'faithful.model.json');

    const again = await vscode.commands.executeCommand<FitResult>('mixscope.applySavedModel', half, modelUri);
    assert.deepEqual(again?.assignments, applied.assignments);
    assert.equal(panelTabs('faithful-half.csv').length, 1, 'the panel is reused');
    assert.equal(api.panelState(half)?.history?.length, 2);
    // The data file is never written.
    assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(half)), halfText);
  });

  it('a model file that is not a model opens no panel and returns nothing (the error names the model file)', async function () {
    const notes = file('notes.json');
    await vscode.workspace.fs.writeFile(notes, new TextEncoder().encode('{"a": 1}\n'));
    const data = file('never-clustered.csv');
    await vscode.workspace.fs.writeFile(data, new TextEncoder().encode('x,y\n1,2\n3,4\n5,7\n'));
    const result = await vscode.commands.executeCommand<FitResult | undefined>('mixscope.applySavedModel', data, notes);
    assert.equal(result, undefined);
    assert.equal(api.panelState(data), undefined);
    assert.equal(panelTabs('never-clustered.csv').length, 0);
  });
});
