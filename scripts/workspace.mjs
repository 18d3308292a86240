// A throw-away workspace for the tests and the demo: a copy of media/samples/ plus, for tests, a malformed CSV.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './setup-code-server.mjs';

export const SAMPLES_DIR = path.join(REPO_ROOT, 'media', 'samples');
/** Text where numbers are expected: the loader must refuse it with a message naming the file. */
export const MALFORMED_CSV = 'eruptions,waiting\nshort,long\nmedium,long\nlong,short\n';

export function makeWorkspace(dir, { malformed = false } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(path.join(SAMPLES_DIR, 'faithful.csv'))) throw new Error(`${SAMPLES_DIR} has no samples: run node scripts/make-samples.mjs`);
  for (const name of fs.readdirSync(SAMPLES_DIR)) {
    fs.writeFileSync(path.join(dir, name), fs.readFileSync(path.join(SAMPLES_DIR, name)));
  }
  if (malformed) fs.writeFileSync(path.join(dir, 'malformed.csv'), MALFORMED_CSV);
  return dir;
}
