// A throw-away workspace for the tests and the demo: a copy of media/samples/ plus, for tests, a malformed CSV.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './setup-code-server.mjs';

export const SAMPLES_DIR = path.join(REPO_ROOT, 'media', 'samples');
/**
 * Text where numbers are expected, every value different (so no column is categories either): the loader must refuse
 * it with a message naming the file.
 */
export const MALFORMED_CSV = 'eruptions,waiting\nshort,long\nmedium,longer\nlong,longest\n';

export function makeWorkspace(dir, { malformed = false } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(path.join(SAMPLES_DIR, 'faithful.csv'))) throw new Error(`${SAMPLES_DIR} has no samples: run node scripts/make-samples.mjs`);
  for (const name of fs.readdirSync(SAMPLES_DIR)) {
    fs.writeFileSync(path.join(dir, name), fs.readFileSync(path.join(SAMPLES_DIR, name)));
  }
  if (malformed) fs.writeFileSync(path.join(dir, 'malformed.csv'), MALFORMED_CSV);
  return dir;
}

/**
 * The demo's samples, each in its own folder of a multi-root workspace whose folder settings open it at what it is
 * for: Old Faithful at K = 2 (Murphy fig. 11.11), the 1-D sample at the 3 components it was drawn from, the MNIST
 * digits at K = 10 (one mean image per digit, scored against the labels beside them).
 */
export const DEMO_SAMPLES = [
  { folder: 'old-faithful', files: ['faithful.csv', 'murphy-11-11.json'], settings: { 'mixscope.k': 2 } },
  { folder: 'mixture-1d', files: ['mixture-1d.csv'], settings: { 'mixscope.k': 3 } },
  {
    folder: 'mnist-digits',
    files: ['mnist-2000-images-idx3-ubyte', 'mnist-2000-labels-idx1-ubyte'],
    settings: { 'mixscope.k': 10, 'mixscope.maxIterations': 50 },
  },
];

/** Writes the demo workspace under `dir` and returns the path of its .code-workspace file. */
export function makeDemoWorkspace(dir) {
  fs.mkdirSync(dir, { recursive: true });
  for (const sample of DEMO_SAMPLES) {
    const folder = path.join(dir, sample.folder);
    fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
    for (const name of sample.files) fs.writeFileSync(path.join(folder, name), fs.readFileSync(path.join(SAMPLES_DIR, name)));
    fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify(sample.settings, null, 2) + '\n');
  }
  const workspaceFile = path.join(dir, 'mixscope-samples.code-workspace');
  fs.writeFileSync(workspaceFile, JSON.stringify({ folders: DEMO_SAMPLES.map((s) => ({ path: s.folder })) }, null, 2) + '\n');
  return workspaceFile;
}
