#!/usr/bin/env node
// `npm run bench -- --only parse`: text parsing throughput, Mixscope against pandas.read_csv (Debian's python3-pandas)
// on the same CSV, side by side in one run. Generates a CSV of five float columns (SIZE, default 1024 MB; a header
// and rows of "%.6f" values from a fixed xorshift seed, so every run parses the same bytes) in the temp folder, then
// runs, interleaved, `--repeat` times (default 3):
//   pandas      pd.read_csv(FILE)                                             (bench/parse/pandas_read.py)
//   in memory   the file's bytes read whole, then Mixscope's loader          (bench/parse/readText.ts memory)
//   streamed    the out-of-core parse into the binary column store          (bench/parse/readText.ts stream)
// Each is timed inside its process (the parse alone: seconds and CPU seconds), and its whole process's peak RSS is
// taken from /usr/bin/time -v. The fastest of the repeats is kept (a shared machine's load only slows runs down).
// readText.ts is bundled with esbuild first, as the CLI and the worker are, so the parse runs as the product does.
// The file is deleted at the end. Options: --size-mb N, --repeat N. Output: a table on stdout and
// bench/results/parse.json.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = process.env.MIXSCOPE_PYTHON ?? '/usr/bin/python3';
const RESULTS = path.join(ROOT, 'bench', 'results');
const MB = 1024 * 1024;

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const sizeMb = Number(option('--size-mb', '1024'));
const repeat = Math.max(1, Number(option('--repeat', '3')));

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

const probe = spawnSync(PYTHON, ['-c', 'import pandas; print(pandas.__version__)'], { encoding: 'utf8' });
if (probe.status !== 0) fail(`${PYTHON} with pandas is needed (Debian: apt-get install python3-pandas).\n${probe.stderr}`);
if (!fs.existsSync('/usr/bin/time')) fail('/usr/bin/time is needed for the peak memory (Debian: apt-get install time).');

/** Writes `sizeMb` of "a,b,c,d,e" rows: five columns of different scales, "%.6f" (xorshift + Box–Muller). */
function writeCsv(file) {
  let s = 88172645463325252n;
  const next = () => {
    s ^= (s << 13n) & 0xffffffffffffffffn;
    s ^= s >> 7n;
    s ^= (s << 17n) & 0xffffffffffffffffn;
    return Number(s & 0xfffffffffffffn) / 2 ** 52;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const scales = [1, 10, 100, 0.1, 1000];
  const fd = fs.openSync(file, 'w');
  let written = fs.writeSync(fd, 'a,b,c,d,e\n');
  let rows = 0;
  while (written < sizeMb * MB) {
    const lines = [];
    for (let i = 0; i < 20000; i++, rows++) {
      const g = Math.floor(next() * 4);
      lines.push(scales.map((scale, j) => ((g - 1.5) * (j + 1) + gauss()) * scale).map((v) => v.toFixed(6)).join(','));
    }
    written += fs.writeSync(fd, lines.join('\n') + '\n');
  }
  fs.closeSync(fd);
  return { bytes: written, rows };
}

/** Runs a command under /usr/bin/time -v: its last stdout line as JSON, and the whole process's peak RSS in MB. */
function run(command, commandArgs) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-v', command, ...commandArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) return reject(new Error(`${command} ${commandArgs.join(' ')} failed (exit ${code}):\n${stderr.slice(-2000)}`));
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const json = JSON.parse(Buffer.concat(out).toString('utf8').trim().split('\n').pop());
      resolve({ ...json, maxRssMb: rss ? Number(rss[1]) / 1024 : undefined });
    });
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-bench-parse-'));
try {
  const free = fs.statfsSync(tmp);
  if (Number(free.bavail) * Number(free.bsize) < 2.5 * sizeMb * MB) fail(`not enough free disk space in ${tmp} for a ${sizeMb} MB file and its column store.`);
  const script = path.join(tmp, 'readText.cjs');
  await esbuild.build({ entryPoints: [path.join(ROOT, 'bench', 'parse', 'readText.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: script, logLevel: 'warning' });
  const file = path.join(tmp, 'five-floats.csv');
  process.stderr.write(`writing ${sizeMb} MB of CSV … `);
  const generated = writeCsv(file);
  process.stderr.write(`${generated.rows} rows × 5 columns, ${(generated.bytes / MB).toFixed(0)} MB\n`);
  const implementations = [
    { name: 'pandas.read_csv', run: () => run(PYTHON, [path.join(ROOT, 'bench', 'parse', 'pandas_read.py'), file]) },
    { name: 'Mixscope in memory', run: () => run(process.execPath, [script, 'memory', file]) },
    { name: 'Mixscope streamed to the column store', run: () => run(process.execPath, [script, 'stream', file]) },
  ];
  const runs = implementations.map(() => []);
  for (let r = 0; r < repeat; r++) {
    for (const [i, impl] of implementations.entries()) {
      process.stderr.write(`  round ${r + 1}/${repeat}: ${impl.name} … `);
      const result = await impl.run();
      if (result.rows !== generated.rows || result.columns !== 5) fail(`${impl.name} read ${result.rows} × ${result.columns}, expected ${generated.rows} × 5`);
      runs[i].push(result);
      process.stderr.write(`${result.seconds.toFixed(2)} s, ${result.maxRssMb?.toFixed(0)} MB\n`);
    }
  }
  const best = runs.map((rs) => rs.reduce((a, b) => (b.seconds < a.seconds ? b : a)));
  const pandas = best[0];
  const rows = implementations.map((impl, i) => ({
    implementation: impl.name,
    seconds: best[i].seconds,
    cpuSeconds: best[i].cpuSeconds,
    mbPerSecond: generated.bytes / MB / best[i].seconds,
    maxRssMb: Math.max(...runs[i].map((x) => x.maxRssMb ?? 0)),
    secondsOfRuns: runs[i].map((x) => x.seconds),
    ratioToPandas: best[i].seconds / pandas.seconds,
    cpuRatioToPandas: best[i].cpuSeconds / pandas.cpuSeconds,
  }));
  const report = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, pandas: pandas.pandas, load: os.loadavg().map((x) => x.toFixed(2)).join(' ') },
    file: { megabytes: generated.bytes / MB, rows: generated.rows, columns: 5 },
    repeat,
    rows,
  };
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'parse.json'), JSON.stringify(report, null, 2) + '\n');
  const lines = [
    `Text parsing: ${(generated.bytes / MB).toFixed(0)} MB CSV, ${generated.rows} rows × 5 float columns; fastest of ${repeat} interleaved runs (load ${report.machine.load})`,
    '',
    '| implementation | seconds | CPU seconds | MB/s | peak RSS (MB) | time ÷ pandas | CPU ÷ pandas |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.implementation} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${r.mbPerSecond.toFixed(0)} | ${r.maxRssMb.toFixed(0)} | ${r.ratioToPandas.toFixed(2)} | ${r.cpuRatioToPandas.toFixed(2)} |`),
  ];
  process.stdout.write('\n' + lines.join('\n') + `\n\nwritten: ${path.relative(ROOT, path.join(RESULTS, 'parse.json'))}\n`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
