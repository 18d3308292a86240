// Bundles the integration suite (TypeScript) for the extension host into out/integration/ (git-ignored).
// `vscode` comes from the host; mocha stays a plain require from the repository's node_modules.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..');
export const OUT_DIR = path.join(REPO_ROOT, 'out', 'integration');
export const TESTS_ENTRY = path.join(OUT_DIR, 'index.js');

/**
 * `suite`: the folder of test/integration/ whose *.test.ts are bundled ('suite', or 'restricted' for the
 * Restricted Mode run); each goes to its own out/ folder, so the two runs do not remove each other's files.
 */
export async function buildIntegrationSuite({ suite = 'suite' } = {}) {
  const outDir = suite === 'suite' ? OUT_DIR : path.join(REPO_ROOT, 'out', `integration-${suite}`);
  const entry = path.join(outDir, 'index.js');
  fs.rmSync(outDir, { recursive: true, force: true });
  const suiteFiles = fs.readdirSync(path.join(here, suite)).filter((f) => f.endsWith('.test.ts'));
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', external: ['vscode', 'mocha'], logLevel: 'warning' };
  await esbuild.build({ ...common, entryPoints: [path.join(here, 'index.ts')], outfile: entry });
  // index.js runs every *.test.js of the suite/ folder next to it.
  await esbuild.build({ ...common, entryPoints: suiteFiles.map((f) => path.join(here, suite, f)), outdir: path.join(outDir, 'suite') });
  return entry;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await buildIntegrationSuite());
}
