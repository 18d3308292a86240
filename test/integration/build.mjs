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

export async function buildIntegrationSuite() {
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  const suiteFiles = fs.readdirSync(path.join(here, 'suite')).filter((f) => f.endsWith('.test.ts'));
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', external: ['vscode', 'mocha'], logLevel: 'warning' };
  await esbuild.build({ ...common, entryPoints: [path.join(here, 'index.ts')], outfile: TESTS_ENTRY });
  await esbuild.build({ ...common, entryPoints: suiteFiles.map((f) => path.join(here, 'suite', f)), outdir: path.join(OUT_DIR, 'suite') });
  return TESTS_ENTRY;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await buildIntegrationSuite());
}
