// Shared by the end-to-end tests, the in-code-server integration run and the demo: build and package the
// extension, make a fresh code-server profile, install the .vsix, start code-server on 127.0.0.1 and stop
// everything that was started (process groups), also on Ctrl-C, SIGTERM or an uncaught error.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CHROMIUM, CODE_SERVER_ENTRY, REPO_ROOT, setupCodeServer } from './setup-code-server.mjs';

export { CHROMIUM, CODE_SERVER_ENTRY, REPO_ROOT, setupCodeServer };
export const VSIX = path.join(REPO_ROOT, 'mixscope.vsix');
export const EXTENSION_ID = 'mixscope.mixscope';
// --disable-dev-shm-usage: containers often have a tiny /dev/shm, where Chromium's renderers crash.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage'];

// ---------------------------------------------------------------------------------------------------------
// Clean-up of everything started here.
const cleanups = new Set();
let handlersInstalled = false;

/** Registers a clean-up to run on exit or signal; returns a function that runs it once and unregisters it. */
export function onCleanup(fn) {
  installHandlers();
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    cleanups.delete(once);
    try {
      await fn();
    } catch (e) {
      process.stderr.write(`clean-up failed: ${e?.message ?? e}\n`);
    }
  };
  cleanups.add(once);
  return once;
}

export async function cleanupAll() {
  for (const fn of [...cleanups].reverse()) await fn();
}

function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\n${sig}: stopping what was started ...\n`);
      cleanupAll().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
  // Last resort for synchronous exits: kill the process groups without waiting.
  process.on('exit', () => {
    for (const pgid of liveGroups) {
      try { process.kill(-pgid, 'SIGKILL'); } catch { /* already gone */ }
    }
  });
}

const liveGroups = new Set();

// ---------------------------------------------------------------------------------------------------------
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Runs an npm script of this repository, streaming its output; throws with a clear message on failure. */
export function npmRun(script, { quiet = false } = {}) {
  const t0 = Date.now();
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: REPO_ROOT, encoding: 'utf8', stdio: quiet ? 'pipe' : 'inherit' });
  if (r.status !== 0) {
    const out = quiet ? `\n${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-40).join('\n') : '';
    throw new Error(`npm run ${script} failed (exit ${r.status})${out}`);
  }
  return (Date.now() - t0) / 1000;
}

/** A fresh user-data-dir (with settings) and extensions dir under `base`. */
export function makeProfile(base, settings = {}) {
  const userDataDir = path.join(base, 'user-data');
  const extensionsDir = path.join(base, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const all = {
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'window.dialogStyle': 'custom',
    'workbench.colorTheme': 'Default Light Modern',
    'chat.commandCenter.enabled': false,
    'workbench.layoutControl.enabled': false,
    ...settings,
  };
  writeSettings(userDataDir, all);
  return { userDataDir, extensionsDir, settingsFile: path.join(userDataDir, 'User', 'settings.json') };
}

export function writeSettings(userDataDir, settings) {
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

export function installExtension(extensionsDir, vsix = VSIX) {
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} does not exist: run npm run package first`);
  const r = spawnSync(process.execPath, [CODE_SERVER_ENTRY, '--extensions-dir', extensionsDir, '--force', '--install-extension', vsix], { encoding: 'utf8' });
  if (r.status !== 0 || /Failed|Error/i.test(r.stderr ?? '')) {
    throw new Error(`installing ${path.basename(vsix)} into code-server failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
  const installed = fs.readdirSync(extensionsDir).filter((n) => n.startsWith(`${EXTENSION_ID}-`));
  if (installed.length === 0) throw new Error(`${EXTENSION_ID} is not in ${extensionsDir} after installing:\n${r.stdout}${r.stderr}`);
  return path.join(extensionsDir, installed[0]);
}

/** User settings for a profile whose workspace opens in Restricted Mode: trust on, never asked, so never granted. */
export const RESTRICTED_MODE_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.emptyWindow': false,
};

/**
 * Starts code-server in its own process group and waits until it answers HTTP. Returns { url, port, stop, logFile }.
 * `stop()` (also registered as a clean-up) kills the whole group: the server, its extension hosts and workers.
 * `workspaceTrust: true` leaves out --disable-workspace-trust (with RESTRICTED_MODE_SETTINGS: Restricted Mode).
 */
export async function startCodeServer({ port, userDataDir, extensionsDir, folder, logFile, extraArgs = [], env = {}, workspaceTrust = false }) {
  port ??= await freePort();
  logFile ??= path.join(os.tmpdir(), `code-server-${port}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const configFile = path.join(userDataDir, 'code-server-config.yaml');
  fs.writeFileSync(configFile, 'auth: none\n');
  const out = fs.openSync(logFile, 'a');
  const args = [
    CODE_SERVER_ENTRY, '--config', configFile, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--disable-telemetry', '--disable-update-check', ...(workspaceTrust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override',
    ...extraArgs, ...(folder ? [folder] : []),
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...env } });
  fs.closeSync(out);
  const pgid = child.pid;
  liveGroups.add(pgid);
  let exited = false;
  child.on('exit', () => { exited = true; });
  const stop = onCleanup(async () => {
    liveGroups.delete(pgid);
    try { process.kill(-pgid, 'SIGTERM'); } catch { return; }
    for (let i = 0; i < 30; i++) {
      await sleep(100);
      try { process.kill(-pgid, 0); } catch { return; } // group gone
    }
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
  });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited at start; log ${logFile}:\n${tail(logFile)}`);
    }
    if (await httpOk(url)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within 60 s; log ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(200);
  }
  return { url, port, stop, logFile, pid: child.pid };
}

function tail(file, lines = 30) {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return '(no log)'; }
}

async function httpOk(url) {
  try {
    const r = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
    return r.status > 0 && r.status < 500;
  } catch {
    return false;
  }
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Debian's Chromium through playwright-core. Playwright's own signal handlers are off (they exit at once on
 * Ctrl-C, before our clean-ups ran); the browser is closed by our clean-up instead.
 */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  const close = onCleanup(() => browser.close());
  return { browser, close };
}

/**
 * URL opening `folder` (or, when it ends in .code-workspace, that multi-root workspace) in the workbench, optionally
 * with VS Code's development payload (tests, dev extensions).
 */
export function workbenchUrl(base, folder, payload) {
  const u = new URL(base);
  if (folder) u.searchParams.set(folder.endsWith('.code-workspace') ? 'workspace' : 'folder', folder);
  if (payload) u.searchParams.set('payload', JSON.stringify(payload));
  return u.toString();
}
