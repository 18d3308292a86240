#!/usr/bin/env node
// `npm run demo`: Mixscope in VS Code on a machine without VS Code. Builds and packages the extension, installs
// it into the local code-server (installed once into .cache/code-server/), opens a sample workspace (Old Faithful,
// 2,000 MNIST digits with labels, a 1-D sample) and prints the URL to open. Ctrl-C stops it.
//
//   npm run demo                  port 8080 (or a free one if taken)
//   npm run demo -- --port 9000
//   npm run demo -- --no-package  reuse mixscope.vsix as it is
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupAll, freePort, installExtension, makeProfile, npmRun, REPO_ROOT, setupCodeServer, startCodeServer, VSIX, workbenchUrl } from './code-server.mjs';
import { makeDemoWorkspace } from './workspace.mjs';

const args = process.argv.slice(2);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const DEMO_DIR = path.join(REPO_ROOT, '.cache', 'demo');

async function portToUse() {
  const wanted = Number(option('--port') ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(wanted) || wanted <= 0 || wanted > 65535) throw new Error(`--port must be a TCP port number, not ${option('--port')}`);
  const net = await import('node:net');
  const free = await new Promise((resolve) => {
    const s = net.createServer().once('error', () => resolve(false)).listen(wanted, '127.0.0.1', () => s.close(() => resolve(true)));
  });
  return free ? wanted : freePort();
}

async function main() {
  const t0 = Date.now();
  console.log('Mixscope demo: setting up (the first run installs code-server, about a minute) ...');
  setupCodeServer();
  if (!args.includes('--no-package')) {
    console.log('building and packaging the extension (npm run package) ...');
    npmRun('package', { quiet: true });
  }
  // A profile kept between demo runs (settings, layout), with the freshly packaged extension.
  const profile = makeProfile(DEMO_DIR, { 'workbench.colorTheme': 'Default Dark Modern' });
  fs.rmSync(profile.extensionsDir, { recursive: true, force: true });
  fs.mkdirSync(profile.extensionsDir, { recursive: true });
  installExtension(profile.extensionsDir, VSIX);
  fs.rmSync(path.join(DEMO_DIR, 'workspace'), { recursive: true, force: true });
  const workspace = makeDemoWorkspace(path.join(DEMO_DIR, 'workspace'));
  const port = await portToUse();
  const server = await startCodeServer({ ...profile, folder: workspace, port, logFile: path.join(DEMO_DIR, 'code-server.log') });
  const url = workbenchUrl(server.url, workspace);
  console.log(`
Mixscope is running in VS Code (code-server ${server.url}) — ready in ${((Date.now() - t0) / 1000).toFixed(0)} s.

  Open:  ${url}

  In the Explorer, right-click faithful.csv (K = 2), mixture-1d.csv (K = 3) or mnist-2000-images-idx3-ubyte
  (K = 10: one mean image per digit, scored against its labels) and choose "Cluster this dataset" (or run
  "Mixscope: Cluster this dataset" from the command palette, F1). Each sample's folder sets its K
  (.vscode/settings.json); all settings: File > Preferences > Settings, search "mixscope".

  Workspace: ${path.relative(process.cwd(), workspace) || workspace}
  Server log: ${path.relative(process.cwd(), server.logFile)}
  Press Ctrl-C to stop.`);
  // Stay up until a signal: the handlers in code-server.mjs stop the server's process group.
  await new Promise(() => {});
}

main().catch(async (e) => {
  console.error(`demo failed: ${e?.message ?? e}`);
  await cleanupAll();
  process.exit(1);
});
