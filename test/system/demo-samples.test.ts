// The demo's samples open at settings that show what each is for (the folder settings of the demo workspace),
// checked by fitting each sample with exactly those settings through the real CLI.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');

interface CliFit {
  k: number;
  converged: boolean;
  bic: number;
  labelMetrics?: { accuracy: number; clusters: { majorityLabel: number }[] };
}

function fit(file: string, settings: Record<string, unknown>, extra: string[] = []): CliFit {
  const args = [cli, 'fit', file, '--json', '--k', String(settings['mixscope.k'])];
  if (settings['mixscope.maxIterations'] !== undefined) args.push('--max-iter', String(settings['mixscope.maxIterations']));
  const run = spawnSync(process.execPath, [...args, ...extra], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as CliFit;
}

describe('the demo workspace: each sample opens at settings that show what it is for', () => {
  let dir: string;
  let workspaceFile: string;
  const settingsOf = (folder: string) => JSON.parse(fs.readFileSync(path.join(dir, folder, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;

  before(async function () {
    if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-demo-'));
    const { makeDemoWorkspace } = (await import(path.join(root, 'scripts', 'workspace.mjs'))) as { makeDemoWorkspace: (d: string) => string };
    workspaceFile = makeDemoWorkspace(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a multi-root workspace of one folder per sample, each with its own mixscope settings', () => {
    const workspace = JSON.parse(fs.readFileSync(workspaceFile, 'utf8')) as { folders: { path: string }[] };
    assert.deepEqual(workspace.folders.map((f) => f.path).sort(), ['mixture-1d', 'mnist-digits', 'old-faithful']);
    for (const { path: folder } of workspace.folders) assert.equal(typeof settingsOf(folder)['mixscope.k'], 'number');
  });

  it('MNIST digits: ten mean images that recover most digits (K = 2 recovers at most two)', function () {
    this.timeout(120_000);
    const images = path.join(dir, 'mnist-digits', 'mnist-2000-images-idx3-ubyte');
    const shown = fit(images, settingsOf('mnist-digits'));
    const two = fit(images, { 'mixscope.k': 2 });
    assert.equal(shown.k, 10);
    const digits = new Set(shown.labelMetrics!.clusters.map((c) => c.majorityLabel));
    assert.ok(digits.size >= 7, `only ${digits.size} digits have a cluster`);
    assert.ok(shown.labelMetrics!.accuracy > 2 * two.labelMetrics!.accuracy, `${shown.labelMetrics!.accuracy} vs ${two.labelMetrics!.accuracy} at K = 2`);
  });

  it('the 1-D sample: its K has the best BIC among K = 1…5 (drawn from three components)', function () {
    this.timeout(120_000);
    const file = path.join(dir, 'mixture-1d', 'mixture-1d.csv');
    const k = settingsOf('mixture-1d')['mixscope.k'] as number;
    const bic = [1, 2, 3, 4, 5].map((kk) => fit(file, { 'mixscope.k': kk }, ['--restarts', '5']).bic);
    assert.equal(bic.indexOf(Math.min(...bic)) + 1, k, `BIC (lower is better) by K: ${bic.map((b) => b.toFixed(1)).join(', ')}`);
  });

  it('Old Faithful: K = 2, the two eruption regimes of Murphy fig. 11.11, converged', () => {
    const shown = fit(path.join(dir, 'old-faithful', 'faithful.csv'), settingsOf('old-faithful'));
    assert.equal(shown.k, 2);
    assert.ok(shown.converged);
  });
});
