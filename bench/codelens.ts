// The code-lens provider's cost on a 5,000-line file (`npx tsx bench/codelens.ts [--lines N] [--repeat N]`): the
// literal scan it runs once per document version (dataLiterals.ts), side by side with the simplest possible pass over
// the same text (one regular expression for quoted strings, no comments, no escapes), and the stat cache's answers
// cold (real stats of the named files, through node's fs) and warm (every answer kept: what each later request costs).
// Medians of --repeat runs; read the ratios, not the absolute times, on a shared machine.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { findDataLiterals } from '../src/host/dataLiterals';
import { StatCache } from '../src/host/statCache';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const LINES = option('--lines', 5000);
const REPEAT = option('--repeat', 50);

/** A script that reads a data file every 25 lines, among ordinary code, strings and comments. */
function script(lines: number): string {
  const out: string[] = ['import numpy as np', 'import pandas as pd', ''];
  for (let i = 0; out.length < lines; i++) {
    if (i % 25 === 0) out.push(`df_${i} = pd.read_csv("data/part-${(i / 25) % 200}.csv", sep=",")  # part ${i}`);
    else if (i % 7 === 0) out.push(`    print(f"step {i}: {loss:.3f}", 'done' if ok else "again")`);
    else if (i % 5 === 0) out.push(`# a comment with "quotes" and 'more.csv' in it`);
    else out.push(`    x_${i} = np.mean(values[${i}:${i + 10}]) / (1 + scale * ${i}.5)`);
  }
  return out.join('\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => unknown): number[] {
  const times: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times;
}

async function main(): Promise<void> {
  const text = script(LINES);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-lens-bench-'));
  try {
    fs.mkdirSync(path.join(dir, 'data'));
    // Half the named files exist.
    for (let i = 0; i < 200; i += 2) fs.writeFileSync(path.join(dir, 'data', `part-${i}.csv`), 'a,b\n1,2\n');

    const literals = findDataLiterals(text, 'python');
    const regex = /(["'])(?:(?!\1)[^\n])*\1/g;
    const scan = time(() => findDataLiterals(text, 'python'));
    const plain = time(() => text.match(regex)?.length);

    const keys = [...new Set(literals.map((l) => path.join(dir, l.path)))];
    const makeCache = () =>
      new StatCache({
        stat: async (key) => (await fs.promises.stat(key).then((s) => s.isFile(), () => false)),
        ttlMs: 30_000,
        debounceMs: 0,
        maxEntries: 5_000,
        concurrency: 8,
      });
    const cold: number[] = [];
    const warm: number[] = [];
    for (let r = 0; r < REPEAT; r++) {
      const cache = makeCache();
      let t0 = performance.now();
      await cache.existing(keys);
      cold.push(performance.now() - t0);
      t0 = performance.now();
      await cache.existing(keys);
      warm.push(performance.now() - t0);
    }

    const row = (what: string, xs: number[], ratio?: number) =>
      `${what.padEnd(52)}${median(xs).toFixed(3).padStart(9)} ms${ratio === undefined ? '' : `   ${ratio.toFixed(2)} × the plain pass`}`;
    console.log(`code lenses on a ${LINES}-line Python file (${(text.length / 1024).toFixed(0)} KB, ${literals.length} data-file literals naming ${keys.length} files); median of ${REPEAT}`);
    console.log(row('plain pass: one regex for quoted strings', plain));
    console.log(row('scan: findDataLiterals (once per document version)', scan, median(scan) / median(plain)));
    console.log(row(`stats, cold: ${keys.length} files (half exist)`, cold));
    console.log(row('stats, warm: every answer kept', warm));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
