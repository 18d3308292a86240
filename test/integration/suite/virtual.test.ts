// Virtual file systems (package.json: "virtualWorkspaces": true): a data file that lives only in an in-memory
// FileSystemProvider registered by this test is read through vscode.workspace.fs and fitted, and the provider is
// never asked to write, delete, rename or create anything. A missing file there is reported, not thrown.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FitResult } from '../../../src/shared/protocol';
import { markMixscopeLog } from '../mixscopeLog';

const CLUSTER = 'mixscope.clusterDataset';
const SCHEME = 'mixscope-memfs';

/** A flat in-memory file system that records every call, so the test can tell what the extension asked of it. */
class MemoryFileSystem implements vscode.FileSystemProvider {
  readonly files = new Map<string, { bytes: Uint8Array; mtime: number }>();
  readonly calls: { op: string; path: string }[] = [];
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

  /**
   * Puts a file in place without going through the provider API (so it is not counted as a write). `bytes` is kept
   * as given and readFile returns it as it is, as VS Code's own MemFS sample does.
   */
  seed(filePath: string, bytes: Uint8Array): void {
    this.files.set(filePath, { bytes, mtime: Date.now() });
  }

  writes(): { op: string; path: string }[] {
    return this.calls.filter((c) => ['writeFile', 'delete', 'rename', 'createDirectory', 'copy'].includes(c.op));
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    this.calls.push({ op: 'stat', path: uri.path });
    if (uri.path === '/') return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    const f = this.files.get(uri.path);
    if (!f) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: vscode.FileType.File, ctime: f.mtime, mtime: f.mtime, size: f.bytes.length };
  }

  readDirectory(uri: vscode.Uri): [string, vscode.FileType][] {
    this.calls.push({ op: 'readDirectory', path: uri.path });
    if (uri.path !== '/') throw vscode.FileSystemError.FileNotFound(uri);
    return [...this.files.keys()].map((p) => [p.slice(1), vscode.FileType.File]);
  }

  readFile(uri: vscode.Uri): Uint8Array {
    this.calls.push({ op: 'readFile', path: uri.path });
    const f = this.files.get(uri.path);
    if (!f) throw vscode.FileSystemError.FileNotFound(uri);
    return f.bytes;
  }

  createDirectory(uri: vscode.Uri): void {
    this.calls.push({ op: 'createDirectory', path: uri.path });
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): void {
    this.calls.push({ op: 'writeFile', path: uri.path });
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    this.calls.push({ op: 'delete', path: uri.path });
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(oldUri: vscode.Uri): void {
    this.calls.push({ op: 'rename', path: oldUri.path });
    throw vscode.FileSystemError.NoPermissions(oldUri);
  }
}

/** faithful.csv as shipped in the workspace (a copy of media/samples), read from the real disk. */
async function faithfulBytes(): Promise<Uint8Array> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, 'faithful.csv'));
}

describe('Mixscope on a virtual file system (in-memory FileSystemProvider)', function () {
  this.timeout(120_000);
  const memfs = new MemoryFileSystem();
  let registration: vscode.Disposable | undefined;

  before(async function () {
    await vscode.extensions.getExtension('mixscope.mixscope')?.activate();
    registration = vscode.workspace.registerFileSystemProvider(SCHEME, memfs, { isCaseSensitive: true });
    // A plain Uint8Array of its own (VS Code's consumer API returns a copy of it to the extension).
    memfs.seed('/faithful.csv', Uint8Array.from(await faithfulBytes()));
  });

  after(async function () {
    await vscode.workspace.getConfiguration('mixscope').update('k', undefined, vscode.ConfigurationTarget.Global);
    // Close the panels this suite opened, so the next suites start from a clean window.
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && /^Mixscope: faithful(-buffer)?\.csv$/.test(t.label));
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
    registration?.dispose();
  });

  it('fits faithful.csv read from the memory file system with K from the settings, and never writes to it', async function () {
    await vscode.workspace.getConfiguration('mixscope').update('k', 3, vscode.ConfigurationTarget.Global);
    const uri = vscode.Uri.parse(`${SCHEME}:/faithful.csv`);
    const original = Buffer.from(memfs.files.get('/faithful.csv')!.bytes);
    memfs.calls.length = 0;

    const result = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, uri);
    if (!result) assert.fail(`${CLUSTER} returned no result for ${uri.toString()}`);

    assert.ok(memfs.calls.some((c) => c.op === 'readFile' && c.path === '/faithful.csv'), `the bytes came from the provider (calls: ${JSON.stringify(memfs.calls)})`);
    assert.equal(result.model, 'gaussian');
    assert.equal(result.n, 272);
    assert.equal(result.d, 2);
    assert.equal(result.k, 3, 'K comes from mixscope.k');
    assert.equal(result.weights.length, 3);
    assert.ok(Math.abs(result.weights.reduce((a, b) => a + b, 0) - 1) < 1e-9, 'the weights sum to 1');
    assert.equal(result.assignments.length, 272);
    assert.ok(Number.isFinite(result.logLikelihood), 'finite log-likelihood');
    assert.ok(result.weights.every((w) => Number.isFinite(w) && w > 0 && w < 1), `weights in (0, 1): ${result.weights}`);
    assert.equal(result.means.length, 3);
    const covariances = result.covariances;
    if (!covariances) assert.fail('a Gaussian fit returns its covariances');
    assert.equal(covariances.length, 3);
    for (let k = 0; k < 3; k++) {
      const [eruptions, waiting] = result.means[k];
      // Old Faithful: eruptions 1.6–5.1 min, waiting 43–96 min; every mean lies inside the data's range.
      assert.ok(eruptions > 1.5 && eruptions < 5.2 && waiting > 42 && waiting < 97, `mean ${k} = ${result.means[k]} lies within the data`);
      const c = covariances[k];
      assert.ok(c.flat().every(Number.isFinite), `covariance ${k} is finite`);
      assert.ok(c[0][0] > 0 && c[1][1] > 0 && c[0][0] * c[1][1] - c[0][1] * c[1][0] > 0, `covariance ${k} is positive definite`);
      assert.ok(Math.abs(c[0][1] - c[1][0]) <= 1e-9 * Math.max(1, Math.abs(c[0][1])), `covariance ${k} is symmetric`);
    }
    assert.ok(result.trace.length >= 2 && result.trace.every(Number.isFinite), 'a finite log-likelihood per iteration');

    assert.deepEqual(memfs.writes(), [], 'the provider was never asked to write, delete, rename or create');
    assert.deepEqual(Buffer.from(memfs.files.get('/faithful.csv')!.bytes), original, 'the file is unchanged');
  });

  it('a provider that keeps its files as Node Buffers still has them, unchanged, after a fit', async function () {
    // VS Code hands the extension provider.readFile(uri).slice(): for a Buffer that is a view of the provider's own
    // memory (Buffer#slice does not copy). Transferring that memory to the worker would empty the provider's file.
    // A Buffer that owns its whole memory, as from fs.readFile or Buffer.alloc (small Buffer.from copies share a pool).
    const source = await faithfulBytes();
    const bytes = Buffer.alloc(source.byteLength);
    bytes.set(source);
    const original = Buffer.from(bytes);
    memfs.seed('/faithful-buffer.csv', bytes);
    memfs.calls.length = 0;
    const result = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, vscode.Uri.parse(`${SCHEME}:/faithful-buffer.csv`));
    assert.equal(result?.n, 272, 'the fit ran on the 272 rows');
    assert.deepEqual(memfs.writes(), [], 'the provider was never asked to write');
    const after = memfs.files.get('/faithful-buffer.csv')!.bytes;
    assert.equal(after.byteLength, original.byteLength, `the provider's file still has its ${original.byteLength} bytes (it has ${after.byteLength}: its memory was transferred to the worker)`);
    assert.deepEqual(Buffer.from(after), original, 'the provider\'s file is unchanged');
  });

  it('a CSV over mixscope.memoryBudgetMB in the memory file system is refused without reading it (out of core needs a local file)', async function () {
    const config = vscode.workspace.getConfiguration('mixscope');
    memfs.seed('/over-budget.csv', new Uint8Array(Buffer.from('a,b\n' + '1.5,2.5\n'.repeat(200000))));
    await config.update('memoryBudgetMB', 1, vscode.ConfigurationTarget.Global);
    try {
      memfs.calls.length = 0;
      const result = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, vscode.Uri.parse(`${SCHEME}:/over-budget.csv`));
      assert.equal(result, undefined);
      assert.ok(!memfs.calls.some((c) => c.op === 'readFile'), `the file was not read (calls: ${JSON.stringify(memfs.calls)})`);
      assert.deepEqual(memfs.writes(), []);
    } finally {
      await config.update('memoryBudgetMB', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('a file missing from the memory file system resolves to undefined and is reported, not thrown', async function () {
    const uri = vscode.Uri.parse(`${SCHEME}:/no-such-file.csv`);
    memfs.calls.length = 0;
    const log = markMixscopeLog();

    let result: FitResult | undefined;
    await assert.doesNotReject(async () => {
      result = await vscode.commands.executeCommand<FitResult | undefined>(CLUSTER, uri);
    }, 'the command does not reject');
    assert.equal(result, undefined, 'no fit result');
    assert.ok(memfs.calls.some((c) => c.path === '/no-such-file.csv'), 'the provider was asked for the file');
    assert.deepEqual(memfs.writes(), [], 'nothing was created in its place');
    assert.equal(memfs.files.has('/no-such-file.csv'), false);

    // The report: the Mixscope log (the same text as the error notification) names the file and says it is missing.
    await log.waitFor(/no-such-file\.csv was not found/);
  });
});
