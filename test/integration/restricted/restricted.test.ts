// Restricted Mode (package.json: untrustedWorkspaces supported, mixscope.maxFileSizeMB restricted), run by
// runCodeServer.mjs with RESTRICTED_RUN: workspace trust on, the workspace never trusted, the user settings
// { mixscope.maxFileSizeMB: 1 } and a workspace .vscode/settings.json that tries to raise the limit to 1024 MB and
// sets mixscope.k = 3. In Restricted Mode the workspace's maxFileSizeMB must be ignored, its k must still apply.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FitResult } from '../../../src/shared/protocol';
import { markMixscopeLog } from '../mixscopeLog';

const CLUSTER = 'mixscope.clusterDataset';

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

/** ≈ 1.6 MB of two-column numeric CSV: over a 1 MB limit, far under 1024 MB. */
function bigCsv(): Uint8Array {
  const lines = ['a,b'];
  for (let i = 0; i < 100_000; i++) lines.push(`${(i % 7) + 0.123456},${(i % 11) - 0.654321}`);
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

describe('Mixscope in Restricted Mode (untrusted workspace)', function () {
  this.timeout(120_000);

  before(async function () {
    await vscode.extensions.getExtension('mixscope.mixscope')?.activate();
  });

  it('runs in an untrusted workspace, with its commands registered', async function () {
    assert.equal(vscode.workspace.isTrusted, false, 'the workspace is not trusted (Restricted Mode)');
    const ext = vscode.extensions.getExtension('mixscope.mixscope');
    assert.ok(ext?.isActive, 'Mixscope is active in Restricted Mode');
    const commands = new Set(await vscode.commands.getCommands(true));
    for (const c of ['mixscope.clusterDataset', 'mixscope.clusterDatasetWithOptions', 'mixscope.cancelFit', 'mixscope.exportResult']) {
      assert.ok(commands.has(c), `${c} is registered`);
    }
  });

  it('fits Old Faithful; an unrestricted workspace setting (mixscope.k = 3) still applies', async function () {
    assert.equal(vscode.workspace.getConfiguration('mixscope').inspect('k')?.workspaceValue, 3, 'the workspace sets mixscope.k');
    const result = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, workspaceFile('faithful.csv'));
    if (!result) assert.fail('no fit result for faithful.csv in Restricted Mode');
    assert.equal(result.n, 272);
    assert.equal(result.d, 2);
    assert.equal(result.k, 3, 'K from the workspace settings');
    assert.ok(Math.abs(result.weights.reduce((a, b) => a + b, 0) - 1) < 1e-9, 'the weights sum to 1');
    assert.ok(result.means.flat().every(Number.isFinite) && Number.isFinite(result.logLikelihood), 'finite parameters');
  });

  it('ignores the workspace\'s mixscope.maxFileSizeMB (restrictedConfigurations); the user\'s 1 MB applies', async function () {
    const config = vscode.workspace.getConfiguration('mixscope', workspaceFile('big.csv'));
    assert.equal(config.inspect('maxFileSizeMB')?.globalValue, 1, 'the user settings set mixscope.maxFileSizeMB = 1');
    assert.equal(
      config.get('maxFileSizeMB'),
      1,
      `in Restricted Mode the workspace's mixscope.maxFileSizeMB (1024 in .vscode/settings.json) must not apply ` +
        `(VS Code honours restrictedConfigurations only with capabilities.untrustedWorkspaces.supported: "limited")`,
    );
    const big = workspaceFile('big.csv');
    await vscode.workspace.fs.writeFile(big, bigCsv());
    const log = markMixscopeLog();
    const result = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, big);
    assert.equal(result, undefined, 'the 1.6 MB file is refused under the user\'s 1 MB limit');
    await log.waitFor(/big\.csv is 1\.\d+ MB, larger than the limit of 1 MB/);
  });
});
