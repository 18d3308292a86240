#!/usr/bin/env node
// Installs a pinned code-server (VS Code in the browser, from npm) once into .cache/code-server/, following
// the recipe in DEVELOPERS.md, plus the Debian packages it and the end-to-end tests need. Idempotent: a marker
// file records the installed version, so a second run returns at once.
//
//   node scripts/setup-code-server.mjs          install if needed, print the entry point
//   node scripts/setup-code-server.mjs --force  reinstall from scratch
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE_DIR = path.join(REPO_ROOT, '.cache', 'code-server');
export const CODE_SERVER_ROOT = path.join(CACHE_DIR, 'node_modules', 'code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_ROOT, 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';
const MARKER = path.join(CACHE_DIR, '.installed.json');
const LOG = path.join(CACHE_DIR, 'setup.log');
const VSCODE_DIR = path.join(CODE_SERVER_ROOT, 'lib', 'vscode');
// Native modules of VS Code's server that must be compiled against this Node (their install scripts were skipped).
const VSCODE_NATIVE_MODULES = ['@parcel/watcher', '@vscode/spdlog', 'kerberos', 'native-watchdog', 'node-pty'];

export class SetupError extends Error {}

function say(msg) {
  process.stderr.write(`[setup-code-server] ${msg}\n`);
}

function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** Runs a command, appending its output to the setup log; on failure throws with the log's tail. */
function run(label, cmd, args, opts = {}) {
  const t0 = Date.now();
  say(`${label} ...`);
  fs.appendFileSync(LOG, `\n===== ${label}: ${cmd} ${args.join(' ')} (cwd ${opts.cwd ?? process.cwd()})\n`);
  const out = fs.openSync(LOG, 'a');
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', ...opts.env },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  if (r.error || r.status !== 0) {
    const tail = fs.readFileSync(LOG, 'utf8').split('\n').slice(-40).join('\n');
    throw new SetupError(`${label} failed (${r.error ? r.error.message : `exit code ${r.status}`}).\n` +
      `Command: ${cmd} ${args.join(' ')}\nFull log: ${LOG}\n--- last lines ---\n${tail}`);
  }
  say(`${label} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Debian packages: chromium (the browser the tests drive), ripgrep (VS Code's search), libkrb5-dev and a
 * compiler toolchain (to build the native modules). Installed with apt when missing and running as root. */
function ensureSystemPackages() {
  const wanted = [
    { pkg: 'chromium', present: () => fs.existsSync(CHROMIUM) },
    { pkg: 'ripgrep', present: () => fs.existsSync('/usr/bin/rg') },
    { pkg: 'libkrb5-dev', present: () => dpkgInstalled('libkrb5-dev') || hasCommand('krb5-config') },
    { pkg: 'make', present: () => hasCommand('make') },
    { pkg: 'g++', present: () => hasCommand('g++') },
    { pkg: 'python3', present: () => hasCommand('python3') },
  ];
  const missing = wanted.filter((w) => !w.present()).map((w) => w.pkg);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !hasCommand('apt-get')) {
    throw new SetupError(`Missing system packages: ${missing.join(', ')}.\n` +
      `Install them first, e.g. as root: apt-get update && apt-get install -y ${missing.join(' ')}`);
  }
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get update', 'apt-get', ['update'], { env });
  run(`apt-get install ${missing.join(' ')}`, 'apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
}

function readMarker() {
  try {
    return JSON.parse(fs.readFileSync(MARKER, 'utf8'));
  } catch {
    return undefined;
  }
}

function symlink(target, linkPath) {
  fs.rmSync(linkPath, { recursive: true, force: true });
  fs.symlinkSync(target, linkPath);
}

function install() {
  const t0 = Date.now();
  fs.rmSync(CACHE_DIR, { recursive: true, force: true });
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  fs.writeFileSync(path.join(CACHE_DIR, 'package.json'), JSON.stringify({ name: 'mixscope-code-server-cache', private: true }, null, 2));
  ensureSystemPackages();

  // 1. code-server itself; its postinstall (which would fetch ripgrep from GitHub) is replaced by the steps below.
  run(`npm install code-server@${CODE_SERVER_VERSION}`, 'npm',
    ['install', '--prefix', CACHE_DIR, '--ignore-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], { cwd: CACHE_DIR });
  if (!fs.existsSync(CODE_SERVER_ENTRY)) throw new SetupError(`npm install finished but ${CODE_SERVER_ENTRY} is missing`);

  // 2. VS Code's server dependencies, then build the native modules for this Node.
  run('npm install (lib/vscode)', 'npm', ['install', '--ignore-scripts', '--omit=dev', '--no-audit', '--no-fund'], { cwd: VSCODE_DIR });
  run('npm rebuild native modules (lib/vscode)', 'npm', ['rebuild', ...VSCODE_NATIVE_MODULES], { cwd: VSCODE_DIR });

  // 3. ripgrep from Debian instead of the GitHub download; node_modules.asar is what VS Code looks for.
  const rgDir = path.join(VSCODE_DIR, 'node_modules', '@vscode', 'ripgrep', 'bin');
  fs.mkdirSync(rgDir, { recursive: true });
  symlink('/usr/bin/rg', path.join(rgDir, 'rg'));
  symlink('node_modules', path.join(VSCODE_DIR, 'node_modules.asar'));
  symlink('code-linux.sh', path.join(VSCODE_DIR, 'bin', 'remote-cli', 'code-server'));
  symlink('browser-linux.sh', path.join(VSCODE_DIR, 'bin', 'helpers', 'browser.sh'));

  // 4. The built-in extensions share one dependency (typescript); its postinstall only trims files.
  const extDir = path.join(VSCODE_DIR, 'extensions');
  run('npm install (lib/vscode/extensions)', 'npm', ['install', '--ignore-scripts', '--omit=dev', '--no-audit', '--no-fund'], { cwd: extDir });
  run('trim built-in extensions typescript', process.execPath, ['postinstall.mjs'], { cwd: extDir });

  // 5. code-server's own native module (password hashing; loaded at start even with --auth none).
  run('npm rebuild argon2', 'npm', ['rebuild', 'argon2'], { cwd: CACHE_DIR });

  verify();
  const seconds = (Date.now() - t0) / 1000;
  fs.writeFileSync(MARKER, JSON.stringify({ version: CODE_SERVER_VERSION, node: process.versions.node, installedAt: new Date().toISOString(), seconds }, null, 2));
  say(`code-server ${CODE_SERVER_VERSION} installed in ${seconds.toFixed(0)} s`);
}

/** Loads every native module and asks code-server for its version: a broken install fails here, not in a test. */
function verify() {
  const probe = VSCODE_NATIVE_MODULES.map((m) => `require(${JSON.stringify(m)});`).join('');
  run('load native modules', process.execPath, ['-e', probe], { cwd: VSCODE_DIR });
  run('load argon2', process.execPath, ['-e', 'require("argon2")'], { cwd: CACHE_DIR });
  const r = spawnSync(process.execPath, [CODE_SERVER_ENTRY, '--version'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.includes(CODE_SERVER_VERSION)) {
    throw new SetupError(`code-server --version did not report ${CODE_SERVER_VERSION}:\n${r.stdout}${r.stderr}`);
  }
}

const LOCK = path.join(REPO_ROOT, '.cache', 'code-server.lock');

/** One installer at a time (e.g. the demo and the tests started together): a lock directory holding our pid. */
function withLock(fn) {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let holder = NaN;
      try { holder = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8')); } catch { /* being written */ }
      let alive = false;
      if (Number.isInteger(holder) && holder > 0) { try { process.kill(holder, 0); alive = true; } catch { alive = false; } }
      if (!alive && Number.isInteger(holder)) { fs.rmSync(LOCK, { recursive: true, force: true }); continue; } // stale
      if (Date.now() > deadline) throw new SetupError(`another setup (pid ${holder}) holds ${LOCK} for over 10 minutes; remove it if no setup is running`);
      if (alive) say(`waiting for another setup (pid ${holder}) to finish ...`);
      spawnSync('sleep', ['2']);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Ensures code-server is installed; returns paths. Fast when the marker matches. */
export function setupCodeServer({ force = false } = {}) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) throw new SetupError(`code-server ${CODE_SERVER_VERSION} needs Node 20; this is Node ${process.versions.node}`);
  return withLock(() => setupLocked(force, major));
}

function setupLocked(force, major) {
  const marker = readMarker();
  const ready = !force && marker?.version === CODE_SERVER_VERSION && marker?.node?.split('.')[0] === String(major) && fs.existsSync(CODE_SERVER_ENTRY);
  if (ready) {
    ensureSystemPackages(); // instant when present; Chromium may have been removed since
  } else {
    install();
  }
  return { entry: CODE_SERVER_ENTRY, root: CODE_SERVER_ROOT, version: CODE_SERVER_VERSION, chromium: CHROMIUM, installSeconds: readMarker()?.seconds };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const t0 = Date.now();
    const r = setupCodeServer({ force: process.argv.includes('--force') });
    say(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${r.entry}`);
    console.log(r.entry);
  } catch (e) {
    say(e instanceof SetupError ? e.message : (e?.stack ?? String(e)));
    process.exit(1);
  }
}
