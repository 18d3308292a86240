// Reads what Mixscope wrote to its output channel (a LogOutputChannel, so also a file): the text of every error it
// reported to the user is logged there too, which lets a test check that a problem was reported, not thrown.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The Mixscope log files (`<logs>/exthost*\/mixscope.mixscope/Mixscope.log`). In code-server the logs live in the
 * user-data-dir, the folder of CODE_SERVER_SESSION_SOCKET; elsewhere VSCODE_LOGS names them when set.
 */
export function mixscopeLogFiles(): string[] {
  const roots: string[] = [];
  if (process.env.CODE_SERVER_SESSION_SOCKET) roots.push(path.join(path.dirname(process.env.CODE_SERVER_SESSION_SOCKET), 'logs'));
  if (process.env.VSCODE_LOGS) roots.push(process.env.VSCODE_LOGS);
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < 4) walk(p, depth + 1);
      else if (e.isFile() && e.name === 'Mixscope.log' && path.basename(dir) === 'mixscope.mixscope') found.push(p);
    }
  };
  for (const r of roots) walk(r, 0);
  return found;
}

/** Marks the current end of the Mixscope log; `waitFor(re)` then waits for a new line matching `re` and returns it. */
export function markMixscopeLog(): { waitFor(re: RegExp, ms?: number): Promise<string> } {
  const files = mixscopeLogFiles();
  assert.ok(files.length > 0, 'the Mixscope log file was found (code-server: <user-data-dir>/logs/…/mixscope.mixscope/Mixscope.log; the extension must be active)');
  const read = () => files.map((f) => fs.readFileSync(f, 'utf8'));
  const before = read();
  return {
    async waitFor(re: RegExp, ms = 5000): Promise<string> {
      const end = Date.now() + ms;
      for (;;) {
        // The log file is written asynchronously, shortly after the call.
        const added = read().map((text, i) => text.slice(before[i].length)).join('\n');
        const line = added.split('\n').find((l) => re.test(l));
        if (line) return line;
        if (Date.now() > end) assert.fail(`the Mixscope log has no new line matching ${re}; new lines: ${JSON.stringify(added)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
