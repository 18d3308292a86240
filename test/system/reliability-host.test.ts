// Issue 5, host side: a data file that changes or disappears while its fit runs. The host reads the file's bytes
// once, up front (commands.ts: workspace.fs.stat, the size check, then workspace.fs.readFile), and transfers them to
// the engine worker, which never touches the file system. So the fit finishes on that snapshot, exactly as an
// undisturbed fit of the same bytes, whatever happens to the file meanwhile. Real engine: dist/worker.js.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../src/engine/data/load';
import { fitDataset } from '../../src/engine/fit';
import { DEFAULT_FIT_OPTIONS, type FitOptions } from '../../src/shared/protocol';
import { startFit, type FitOutcome } from '../../src/host/workerClient';

const root = path.resolve(__dirname, '..', '..');
const workerPath = path.join(root, 'dist', 'worker.js');

/** Four 2-D blobs, deterministic. */
function blobsCsv(n: number): string {
  let s = 2024;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ['x,y'];
  for (let i = 0; i < n; i++) {
    const c = [[0, 0], [6, 0], [0, 6], [6, 6]][i % 4];
    lines.push(`${(c[0] + 2 * rand() - 1).toFixed(6)},${(c[1] + 2 * rand() - 1).toFixed(6)}`);
  }
  return lines.join('\n') + '\n';
}

function doneResult(outcome: FitOutcome) {
  if (outcome.status !== 'done') assert.fail(`expected a result, got ${JSON.stringify(outcome).slice(0, 400)}`);
  return outcome.message.result;
}

describe('reliability: the data file changes or is deleted while its fit runs', function () {
  this.timeout(120_000);

  before(function () {
    if (!fs.existsSync(workerPath)) throw new Error('dist/worker.js is missing: run `npm run build` (npm test does).');
  });

  for (const what of ['overwritten with other data', 'truncated to nothing', 'deleted'] as const) {
    it(`${what} after the fit started: the fit finishes on the bytes read up front, as an undisturbed fit`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-host-'));
      const file = path.join(dir, 'blobs.csv');
      fs.writeFileSync(file, blobsCsv(20000));
      const options: FitOptions = { ...DEFAULT_FIT_OPTIONS, k: 4, seed: 3, tolerance: 0, maxIterations: 60, threads: 1 };

      // What the host does: one read of the whole file, before the worker starts.
      const bytes = new Uint8Array(fs.readFileSync(file));
      const size = bytes.length; // startFit transfers the bytes: the host's view is detached afterwards
      const expected = fitDataset(loadDataset('blobs.csv', bytes.slice()), options).result;

      let changedWhileRunning = false;
      let changedAtIteration = -1;
      const run = startFit({ workerPath }, { fileName: 'blobs.csv', bytes, options }, {
        onProgress: (p) => {
          if (changedAtIteration >= 0) return;
          changedAtIteration = p.iteration;
          changedWhileRunning = !run.settled;
          if (what === 'overwritten with other data') fs.writeFileSync(file, 'x,y\n1,2\n3,4\n5,6\n7,9\n');
          else if (what === 'truncated to nothing') fs.truncateSync(file, 0);
          else fs.unlinkSync(file);
        },
      });
      const result = doneResult(await run.finished);
      assert.ok(changedWhileRunning, 'the file changed while the fit was still running');
      assert.ok(changedAtIteration < result.iterations, `changed at iteration ${changedAtIteration} of ${result.iterations}`);
      // The file really did change under the fit…
      if (what === 'deleted') assert.equal(fs.existsSync(file), false);
      else assert.notEqual(fs.statSync(file).size, size);
      // …and the fit is the one of the snapshot: same rows, iterations and parameters as the undisturbed fit.
      assert.equal(result.n, 20000);
      assert.equal(result.iterations, expected.iterations);
      assert.deepEqual(result.trace.length, expected.trace.length);
      for (let t = 0; t < expected.trace.length; t++) {
        assert.ok(Math.abs(result.trace[t] - expected.trace[t]) <= 1e-9 * Math.abs(expected.trace[t]), `trace[${t}]`);
      }
      result.means.forEach((m, j) => m.forEach((v, c) => assert.ok(Math.abs(v - expected.means[j][c]) < 1e-9, `mean ${j},${c}`)));
      assert.deepEqual(result.assignments, expected.assignments);
    });
  }
});

describe('reliability: reading a data file runs no code (Restricted Mode and virtual workspaces rely on it)', () => {
  // The loaders only parse bytes; nothing in what the host, the worker, the shards or the CLI ship can turn text
  // into code or start a process. A static check of the built bundles, so that a dependency that adds it fails here.
  const bundles = ['extension.js', 'worker.js', 'shard.js', 'cli.js'];
  const forbidden: [string, RegExp][] = [
    ['eval(', /(^|[^\w$.])eval\s*\(/],
    ['new Function(', /new\s+Function\s*\(/],
    ['child_process', /child_process/],
    ['node:vm', /require\(["'](node:)?vm["']\)/],
    ['a computed require()', /(^|[^\w$.])require\(\s*[A-Za-z_$][\w$]*\s*\)/],
  ];
  for (const bundle of bundles) {
    it(`dist/${bundle}: no eval, new Function, child_process, vm or computed require`, function () {
      const file = path.join(root, 'dist', bundle);
      if (!fs.existsSync(file)) throw new Error(`dist/${bundle} is missing: run \`npm run build\`.`);
      const code = fs.readFileSync(file, 'utf8');
      for (const [what, pattern] of forbidden) assert.doesNotMatch(code, pattern, `dist/${bundle} contains ${what}`);
    });
  }

  it('the engine reads no file: the worker gets bytes, only the shard pool looks for its own script, and only the out-of-core path reads the file it is given and writes its temporary store', () => {
    const engine = path.join(root, 'src', 'engine');
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) sources.push(p);
      }
    };
    walk(engine);
    const usingFs = sources.filter((p) => /from ['"](node:)?fs(\/promises)?['"]|require\(['"](node:)?fs['"]\)/.test(fs.readFileSync(p, 'utf8')));
    assert.deepEqual(usingFs.map((p) => path.relative(root, p).split(path.sep).join('/')), [
      // The out-of-core readers (Arrow, Excel and its zip, JSON, Parquet, NumPy and IDX): they read the file they are given.
      'src/engine/data/arrowStream.ts',
      'src/engine/data/excelStream.ts',
      'src/engine/data/excelZip.ts',
      'src/engine/data/jsonStream.ts',
      'src/engine/data/parquetStream.ts',
      'src/engine/data/store/arrayStream.ts',
      'src/engine/data/store/columnStore.ts',
      'src/engine/data/store/textStream.ts',
      'src/engine/families/bernoulli/shardPool.ts',
      'src/engine/outOfCore.ts',
    ]);
    // Out of core: the data file is opened read-only; everything written goes into the store's own temporary folder.
    for (const reader of [['store', 'textStream.ts'], ['excelStream.ts'], ['excelZip.ts']]) {
      const stream = fs.readFileSync(path.join(engine, 'data', ...reader), 'utf8');
      assert.doesNotMatch(stream, /fs\.(write|append|unlink|rm|rename|create)|openSync\([^)]*'[wa]/, `the streaming parse (${reader.join('/')}) only reads the data file`);
    }
    const store = fs.readFileSync(path.join(engine, 'data', 'store', 'columnStore.ts'), 'utf8');
    for (const m of store.matchAll(/fs\.openSync\(([^,]+),\s*'w'\)/g)) assert.match(m[1], /^(columnPath\(.*|to)$/, 'the store writes only its own column files (narrowToFloat32 is given one)');
    const pool = fs.readFileSync(path.join(engine, 'families', 'bernoulli', 'shardPool.ts'), 'utf8');
    assert.doesNotMatch(pool, /fs\.(write|append|unlink|rm|rename|open|create)/, 'the shard pool only checks that its script exists');
  });
});

describe('reliability: exports go only where the user chose, never over the data file (saveWithDialog)', () => {
  // src/exporting.ts with a stand-in for the `vscode` module: the dialog's answer is scripted, writes are recorded.
  interface FakeUri {
    scheme: string;
    authority: string;
    path: string;
    with(change: { path?: string }): FakeUri;
    toString(): string;
  }
  const uri = (p: string, scheme = 'file', authority = ''): FakeUri => ({
    scheme,
    authority,
    path: p,
    with: (change) => uri(change.path ?? p, scheme, authority),
    toString: () => `${scheme}://${authority}${p}`,
  });
  const calls = { dialogs: [] as { defaultUri: FakeUri; title: string }[], writes: [] as { target: string; bytes: Uint8Array }[], errors: [] as string[], infos: [] as string[] };
  let answer: FakeUri | undefined;
  const fakeVscode = {
    window: {
      showSaveDialog: async (o: { defaultUri: FakeUri; title: string }) => {
        calls.dialogs.push(o);
        return answer;
      },
      showErrorMessage: async (m: string) => void calls.errors.push(m),
      showInformationMessage: async (m: string) => void calls.infos.push(m),
    },
    workspace: { fs: { writeFile: async (target: FakeUri, bytes: Uint8Array) => void calls.writes.push({ target: target.toString(), bytes }) } },
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('node:module') as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const originalResolve = Module._resolveFilename;
  const fakeId = path.join(root, 'test', 'unit', '__fake_vscode__.js');
  let saveWithDialog: (request: Record<string, unknown>) => Promise<{ outcome: string; message: string; uri?: FakeUri }>;

  before(() => {
    Module._resolveFilename = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? fakeId : originalResolve.call(this, request, ...rest);
    };
    require.cache[fakeId] = { id: fakeId, filename: fakeId, loaded: true, exports: fakeVscode } as unknown as NodeModule;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    saveWithDialog = require('../../src/host/exporting').saveWithDialog;
  });
  after(() => {
    Module._resolveFilename = originalResolve;
    delete require.cache[fakeId];
  });
  beforeEach(() => {
    calls.dialogs.length = 0;
    calls.writes.length = 0;
    calls.errors.length = 0;
    calls.infos.length = 0;
  });

  const data = uri('/project/data/faithful.csv');
  const labels = uri('/project/data/t10k-labels-idx1-ubyte');
  const output = { appendLine: () => undefined };
  const request = () => ({ dataUri: data, protectedUris: [labels], defaultName: 'faithful.mixscope-scatter.png', filters: { PNG: ['png'] }, what: 'the scatter chart', bytes: Uint8Array.from([137, 80, 78, 71]), output });

  it('asks first, next to the data file, under a name that is not the data file', async () => {
    answer = undefined;
    const cancelled = await saveWithDialog(request());
    assert.equal(cancelled.outcome, 'cancelled');
    assert.match(cancelled.message, /nothing was written/);
    assert.equal(calls.dialogs.length, 1);
    assert.equal(calls.dialogs[0].defaultUri.path, '/project/data/faithful.mixscope-scatter.png');
    assert.deepEqual(calls.writes, [], 'cancelled: nothing written');
  });

  it('refuses the data file (however it is spelled) and the labels file, with a message, writing nothing', async () => {
    for (const target of [data, uri('/project/data/./sub/../faithful.csv'), labels]) {
      answer = target;
      const refused = await saveWithDialog(request());
      assert.equal(refused.outcome, 'refused');
      assert.match(refused.message, /is the data file and is never overwritten/);
    }
    assert.deepEqual(calls.writes, []);
    assert.equal(calls.errors.length, 3);
    assert.match(calls.errors[0], /faithful\.csv is the data file and is never overwritten\. Export the scatter chart under another name\./);
    assert.match(calls.errors[2], /t10k-labels-idx1-ubyte is the data file and is never overwritten/);
  });

  it('writes exactly the bytes where the user chose, and says where', async () => {
    answer = uri('/home/me/plots/scatter.png');
    const written = await saveWithDialog(request());
    assert.equal(written.outcome, 'written');
    assert.equal(written.uri?.path, '/home/me/plots/scatter.png');
    assert.equal(written.message, 'Saved the scatter chart to scatter.png.');
    assert.deepEqual(calls.writes.map((w) => [w.target, Array.from(w.bytes)]), [['file:///home/me/plots/scatter.png', [137, 80, 78, 71]]]);
    assert.match(calls.infos[0], /saved the scatter chart to scatter\.png/);
  });

  it('a write that fails is reported as failed, naming the file and the reason, and never throws', async () => {
    answer = uri('/readonly/scatter.png');
    const original = fakeVscode.workspace.fs.writeFile;
    fakeVscode.workspace.fs.writeFile = async () => {
      throw new Error('EACCES: permission denied');
    };
    try {
      const failed = await saveWithDialog(request());
      assert.equal(failed.outcome, 'failed');
      assert.match(failed.message, /the scatter chart could not be written to scatter\.png: EACCES: permission denied/);
      assert.equal(calls.errors.length, 1);
    } finally {
      fakeVscode.workspace.fs.writeFile = original;
    }
  });
});
