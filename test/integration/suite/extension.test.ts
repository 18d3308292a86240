// Runs inside a real VS Code extension host (desktop through @vscode/test-electron, or code-server here).
// The workspace is a copy of media/samples plus a malformed CSV (see workspace.mjs).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FitResult } from '../../../src/shared/protocol';

const EXTENSION_ID = 'mixscope.mixscope';
const CLUSTER_COMMAND = 'mixscope.clusterDataset';

interface ContributedCommand { command: string; title: string }
interface ContributedSetting { default?: unknown; type?: string | string[] }

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

function contributes(ext: vscode.Extension<unknown>) {
  const pkg = ext.packageJSON as {
    contributes?: {
      commands?: ContributedCommand[];
      configuration?: { properties?: Record<string, ContributedSetting> } | { properties?: Record<string, ContributedSetting> }[];
    };
  };
  const conf = pkg.contributes?.configuration;
  const blocks = Array.isArray(conf) ? conf : conf ? [conf] : [];
  const properties: Record<string, ContributedSetting> = Object.assign({}, ...blocks.map((b) => b.properties ?? {}));
  return { commands: pkg.contributes?.commands ?? [], properties };
}

async function cluster(uri: vscode.Uri): Promise<FitResult> {
  const result = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER_COMMAND, uri);
  assert.ok(result, `${CLUSTER_COMMAND} returned a result for ${uri.path}`);
  return result;
}

function assertNonDecreasing(trace: number[], what: string) {
  for (let i = 1; i < trace.length; i++) {
    // EM never decreases the objective; allow rounding at the 1e-9 relative level.
    const slack = 1e-9 * Math.max(1, Math.abs(trace[i - 1]));
    assert.ok(trace[i] >= trace[i - 1] - slack, `${what}: iteration ${i} went from ${trace[i - 1]} to ${trace[i]}`);
  }
}

describe('Mixscope in the extension host', function () {
  let ext: vscode.Extension<unknown>;

  before(async function () {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is installed in this extension host`);
    ext = found;
    await ext.activate();
  });

  afterEach(async function () {
    await vscode.workspace.getConfiguration('mixscope').update('k', undefined, vscode.ConfigurationTarget.Global);
  });

  it('activates and registers every command it contributes', async function () {
    assert.equal(ext.isActive, true);
    const declared = contributes(ext).commands.map((c) => c.command);
    assert.ok(declared.includes(CLUSTER_COMMAND), `package.json contributes ${CLUSTER_COMMAND}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'every contributed command is registered');
  });

  it('exposes its settings with the defaults package.json declares', function () {
    const { properties } = contributes(ext);
    const config = vscode.workspace.getConfiguration('mixscope');
    const keys = Object.keys(properties).filter((k) => k.startsWith('mixscope.'));
    assert.ok(keys.includes('mixscope.k'), 'mixscope.k is a contributed setting');
    for (const key of keys) {
      const inspected = config.inspect(key.slice('mixscope.'.length));
      assert.deepEqual(inspected?.defaultValue, properties[key].default, `default of ${key}`);
    }
  });

  it('clusters Old Faithful with the default settings: the model selection chooses EEE with K = 3 (as R\'s Mclust()) and returns that fit', async function () {
    const result = await cluster(workspaceFile('faithful.csv'));
    assert.equal(result.model, 'gaussian');
    assert.equal(result.k, 3);
    assert.equal(result.covarianceType, 'EEE');
    assert.ok(result.selection && result.selection.entries.length >= 100, 'every candidate is in the selection');
    assert.deepEqual(result.selection?.chosen, { k: 3, covariance: 'EEE' });
    assert.ok(Math.abs(result.bic - 2314.3163) < 1e-3, `BIC ${result.bic} (mclust: −2314.32 in its sign)`);
    assert.equal(result.n, 272);
    assert.equal(result.d, 2);
    assert.equal(result.weights.length, 3);
    assert.ok(Math.abs(result.weights.reduce((a, b) => a + b, 0) - 1) < 1e-9, 'weights sum to 1');
    assert.equal(result.assignments.length, 272);
    assert.ok(result.trace.length >= 2, 'at least one EM iteration was recorded');
    assertNonDecreasing(result.trace, 'faithful log-likelihood');
    assert.ok(Number.isFinite(result.logLikelihood));
  });

  it('reads mixscope.k from the settings at the time of the run', async function () {
    await vscode.workspace.getConfiguration('mixscope').update('k', 3, vscode.ConfigurationTarget.Global);
    const result = await cluster(workspaceFile('faithful.csv'));
    assert.equal(result.k, 3);
    assert.equal(result.weights.length, 3);
    assert.equal(new Set(result.assignments).size <= 3, true);
    assertNonDecreasing(result.trace, 'K = 3 log-likelihood');
  });

  it('fits a 1-D sample', async function () {
    const result = await cluster(workspaceFile('mixture-1d.csv'));
    assert.equal(result.d, 1);
    assert.equal(result.n, 600);
    assertNonDecreasing(result.trace, '1-D log-likelihood');
  });

  it('rejects a malformed file with a message naming it, leaves it untouched, and keeps working', async function () {
    const bad = workspaceFile('malformed.csv');
    const before = await vscode.workspace.fs.readFile(bad);
    let message: string | undefined;
    try {
      const r = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER_COMMAND, bad);
      assert.equal(r, undefined, 'no fit result for a malformed file');
    } catch (e) {
      message = e instanceof Error ? e.message : String(e);
    }
    if (message !== undefined) assert.match(message, /malformed\.csv/, 'the error names the file');
    const after = await vscode.workspace.fs.readFile(bad);
    assert.deepEqual(Buffer.from(after), Buffer.from(before), 'the file is unchanged');
    const ok = await cluster(workspaceFile('faithful.csv'));
    assert.equal(ok.n, 272, 'the next run still works');
  });
});
