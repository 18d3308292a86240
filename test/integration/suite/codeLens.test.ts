// Code lenses and the walkthrough's samples in a real VS Code: a Python file naming the workspace's data files gets
// "Cluster this dataset" and "…with options" on each existing one (and none on a missing file), the setting turns
// them off, and a bundled sample opens its fit with no file of the workspace involved.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FitResult } from '../../../src/shared/protocol';

function folder(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the test workspace is open');
  return f.uri;
}

async function lensesOf(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

/** Each lens as "line: title → command(file name)". */
function describe_(lenses: vscode.CodeLens[]): string[] {
  return lenses
    .filter((l) => l.command?.command.startsWith('mixscope.'))
    .map((l) => `${l.range.start.line}: ${l.command!.title} → ${l.command!.command}(${(l.command!.arguments?.[0] as vscode.Uri).path.split('/').pop()})`)
    .sort();
}

const config = () => vscode.workspace.getConfiguration('mixscope');

describe('Mixscope code lenses and samples', function () {
  this.timeout(120000);

  before(async function () {
    await vscode.extensions.getExtension('mixscope.mixscope')?.activate();
  });

  afterEach(async function () {
    await config().update('codeLens', undefined, vscode.ConfigurationTarget.Global);
  });

  // The other suites count the panels of their files: leave none of ours open (the sample's panel is titled
  // faithful.csv too).
  after(async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('code lens: a .py file naming test data gets Cluster this dataset and …with options on each existing file', async function () {
    const uri = vscode.Uri.joinPath(folder(), 'lens-check.py');
    const text = ['import pandas as pd', 'a = pd.read_csv("faithful.csv")', "b = pd.read_csv('missing.csv')", 'c = open("mnist-2000-images-idx3-ubyte", "rb")', ''].join('\n');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    const lenses = await lensesOf(uri);
    assert.deepEqual(describe_(lenses), [
      '1: Cluster this dataset → mixscope.clusterDataset(faithful.csv)',
      '1: …with options → mixscope.clusterDatasetWithOptions(faithful.csv)',
      '3: Cluster this dataset → mixscope.clusterDataset(mnist-2000-images-idx3-ubyte)',
      '3: …with options → mixscope.clusterDatasetWithOptions(mnist-2000-images-idx3-ubyte)',
    ]);
    const target = lenses.find((l) => l.range.start.line === 1)!.command!.arguments![0] as vscode.Uri;
    assert.equal(target.toString(), vscode.Uri.joinPath(folder(), 'faithful.csv').toString());
    const line = text.split('\n')[1];
    assert.equal(lenses[0].range.start.character, line.indexOf('"faithful.csv"'), 'the lens sits on the literal');
  });

  it('code lens: the sample script beside the samples gets a pair per sample; mixscope.codeLens false removes them', async function () {
    const uri = vscode.Uri.joinPath(folder(), 'cluster_samples.py');
    const names = describe_(await lensesOf(uri)).filter((d) => d.includes('clusterDataset(')).map((d) => d.replace(/.*\(|\)$/g, ''));
    assert.deepEqual(names.sort(), ['faithful.csv', 'iris.csv', 'mnist-2000-images-idx3-ubyte']);
    await config().update('codeLens', false, vscode.ConfigurationTarget.Global);
    assert.deepEqual(describe_(await lensesOf(uri)), []);
  });

  it('code lens: running the lens command fits the file it names', async function () {
    const uri = vscode.Uri.joinPath(folder(), 'lens-check.py');
    const lens = (await lensesOf(uri)).find((l) => l.command?.command === 'mixscope.clusterDataset')!;
    await config().update('k', 2, vscode.ConfigurationTarget.Global);
    try {
      const result = await vscode.commands.executeCommand<FitResult>(lens.command!.command, ...(lens.command!.arguments ?? []));
      assert.equal(result?.n, 272);
      assert.equal(result?.k, 2);
    } finally {
      await config().update('k', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('walkthrough: mixscope.openSample fits the bundled Old Faithful from the extension folder (EEE, K = 3, as mclust)', async function () {
    const result = await vscode.commands.executeCommand<FitResult>('mixscope.openSample', 'faithful');
    assert.equal(result?.n, 272);
    assert.deepEqual([result?.k, result?.covarianceType], [3, 'EEE']);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Mixscope: faithful.csv');
    assert.ok(tabs.length >= 1, 'the panel is open');
  });
});
