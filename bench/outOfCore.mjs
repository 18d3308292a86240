// Peak memory of an out-of-core fit: generates a large CSV in the system temp folder (SIZE_MB, default 1024),
// fits it with the CLI under /usr/bin/time -v at a memory budget (BUDGET_MB, default 256), prints the CLI's
// summary and its peak RSS, and deletes the file. Usage: node bench/outOfCore.mjs [SIZE_MB] [BUDGET_MB]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const sizeMb = Number(process.argv[2] ?? 1024);
const budgetMb = Number(process.argv[3] ?? 256);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-bench-ooc-'));
const file = path.join(dir, 'large.csv');
try {
  // Three Gaussian blobs in four columns (xorshift + Box–Muller: reproducible, no dependency).
  let s = 88172645463325252n;
  const next = () => {
    s ^= (s << 13n) & 0xffffffffffffffffn;
    s ^= s >> 7n;
    s ^= (s << 17n) & 0xffffffffffffffffn;
    return Number(s & 0xfffffffffffffn) / 2 ** 52;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'a,b,c,d\n');
  let written = 0;
  let rows = 0;
  while (written < sizeMb * 1048576) {
    const lines = [];
    for (let i = 0; i < 10000; i++, rows++) {
      const g = Math.floor(next() * 3);
      lines.push(`${(4 * g + gauss()).toFixed(5)},${(-2 * g + gauss()).toFixed(5)},${(g + 0.5 * gauss()).toFixed(5)},${gauss().toFixed(5)}`);
    }
    const chunk = lines.join('\n') + '\n';
    fs.writeSync(fd, chunk);
    written += Buffer.byteLength(chunk);
  }
  fs.closeSync(fd);
  const args = ['-v', process.execPath, path.join(root, 'bin/mixscope.js'), 'fit', file, '--k', '3', '--covariance', 'full', '--max-iter', '20', '--memory-budget-mb', String(budgetMb)];
  console.log(`${(written / 1048576).toFixed(0)} MB, ${rows} rows × 4 columns; command: /usr/bin/time ${args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', maxBuffer: 64 * 1048576 });
  console.log(r.stdout.trim());
  const peak = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  if (r.status !== 0) console.log(r.stderr);
  console.log(`exit ${r.status}, ${((Date.now() - started) / 1000).toFixed(0)} s, peak RSS ${peak ? (Number(peak[1]) / 1024).toFixed(0) : '?'} MB (budget ${budgetMb} MB + 256 MB = ${budgetMb + 256} MB)`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
