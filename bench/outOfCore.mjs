// Out-of-core fits of large CSVs by the CLI: end-to-end time, peak RSS (/usr/bin/time -v) and seconds per EM iteration.
// Generates a CSV in the system temp folder (Gaussian blobs, reproducible: a fixed xorshift seed), fits it, deletes it;
// at most one large file exists at a time.
//
//   node bench/outOfCore.mjs [SIZE_MB] [BUDGET_MB]
//       SIZE_MB (default 1024) of four columns ("%.5f"), K = 3 full, 20 iterations, at a budget of BUDGET_MB (256).
//   node bench/outOfCore.mjs --size-mb 4096 --columns 5 --k 4 --iterations 8 [--budget-mb N] [--compare-mb M]
//       The same with named options; without --budget-mb the CLI's default budget (1024 MB) decides. Values are
//       written with --decimals (default 12, "-12.345678901234": about 17 bytes a value). --compare-mb M first fits
//       an M MB file of the same kind both in memory and out of core (MIXSCOPE_OUT_OF_CORE=always), from the same
//       start, and compares their seconds per iteration and their final log-likelihoods.
//   node bench/outOfCore.mjs --budgets 16,64,256 [--sizes 35,300,1024] [--kinds gaussian,poisson,categorical,mixed,bernoulli,parquet,arrow]
//       Peak RSS per budget, file size and kind (files from test/fixtures/largeFiles.mjs; K = 3, 3 iterations), as a
//       table: each row says whether the peak stayed within the budget + 256 MB.
//   node bench/outOfCore.mjs --factors [--factor-sizes 8,32] [--formats csv,tsv,parquet,arrow,json,ndjson,npy,idx,xlsx]
//       What an in-memory fit takes per byte of its file, by format (bench/inMemoryFactors.mjs): the factors by which
//       src/engine/outOfCorePolicy.ts sends a file in memory or out of core.
//
// Seconds per iteration: the CLI prints a line after every E-step (--verbose); each line is stamped as it arrives and
// the median of the gaps between consecutive lines is reported (the parse and the start are outside).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const MB = 1024 * 1024;
const args = process.argv.slice(2);
const named = args.some((a) => a.startsWith('--'));
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const sizeMb = Number(named ? option('--size-mb', '1024') : (args[0] ?? 1024));
const budgetArg = named ? option('--budget-mb', undefined) : (args[1] ?? '256');
const columns = Number(option('--columns', named ? '5' : '4'));
const k = Number(option('--k', named ? '4' : '3'));
const iterations = Number(option('--iterations', named ? '8' : '20'));
const decimals = Number(option('--decimals', named ? '12' : '5'));
const compareMb = option('--compare-mb', undefined);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.join(root, 'bin/mixscope.js');

/** Writes about `mb` MB of `columns` columns: K blobs (xorshift128 + Box–Muller, seeded: the same bytes every run). */
function writeCsv(file, mb) {
  let [a, b, c, d] = [123456789, 362436069, 521288629, 88675123];
  const next = () => {
    const t = a ^ (a << 11);
    [a, b, c] = [b, c, d];
    d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return (d + 0.5) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  const fd = fs.openSync(file, 'w');
  let written = fs.writeSync(fd, Array.from({ length: columns }, (_, j) => `x${j + 1}`).join(',') + '\n');
  let rows = 0;
  while (written < mb * MB) {
    const lines = [];
    for (let i = 0; i < 20000; i++, rows++) {
      const g = Math.floor(next() * k);
      const cells = [];
      for (let j = 0; j < columns; j++) cells.push((3 * ((g + j) % k) - 5 + gauss() * (1 + j / 4)).toFixed(decimals));
      lines.push(cells.join(','));
    }
    written += fs.writeSync(fd, lines.join('\n') + '\n');
  }
  fs.closeSync(fd);
  return { bytes: written, rows };
}

/** Runs the CLI's fit under /usr/bin/time -v, stamping its iteration lines. */
function fit(file, extraArgs, env = {}) {
  return new Promise((resolve, reject) => {
    const argv = ['-v', process.execPath, cli, 'fit', file, '--k', String(k), '--covariance', 'full', '--max-iter', String(iterations), '--tol', '0', '--seed', '1', '--verbose', ...extraArgs];
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const out = [];
    const stamps = [];
    let parsedAt;
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => {
      const now = Number(process.hrtime.bigint() - started) / 1e9;
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        stderr += line + '\n';
        const m = /iteration (\d+): objective (\S+)/.exec(line);
        if (m) stamps.push({ t: now, objective: Number(m[2]) });
        // "large.csv: 55280000 × 5, model gaussian …" follows the parse.
        if (parsedAt === undefined && / \d+ × \d+, model /.test(line)) parsedAt = now;
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      stderr += pending;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const gaps = stamps.slice(1).map((s, i) => s.t - stamps[i].t).sort((x, y) => x - y);
      resolve({
        code,
        seconds,
        peakRssMb: rss ? Number(rss[1]) / 1024 : undefined,
        perIteration: gaps.length ? gaps[Math.floor(gaps.length / 2)] : undefined,
        firstIterationAt: stamps[0]?.t,
        parsedAt,
        objective: stamps.length ? stamps[stamps.length - 1].objective : undefined,
        summary: Buffer.concat(out).toString('utf8').trim(),
        stderr,
      });
    });
  });
}

function temporaryCsv(mb) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-bench-ooc-'));
  const file = path.join(dir, 'large.csv');
  process.stderr.write(`writing ${mb} MB of CSV (${columns} columns) … `);
  const made = writeCsv(file, mb);
  process.stderr.write(`${made.rows} rows\n`);
  return { dir, file, ...made };
}

if (args.includes('--factors')) {
  const { measureFactors } = await import('./inMemoryFactors.mjs');
  const list = (name, fallback) => option(name, fallback).split(',').map((v) => v.trim()).filter(Boolean);
  await measureFactors(cli, { sizes: list('--factor-sizes', '8,32').map(Number), formats: list('--formats', 'csv,tsv,parquet,arrow,json,ndjson,npy,idx,xlsx') });
  process.exit(0);
}

if (option('--budgets', undefined) !== undefined) {
  const { writeLargeFile } = await import('../test/fixtures/largeFiles.mjs');
  const list = (name, fallback) => option(name, fallback).split(',').map((v) => v.trim()).filter(Boolean);
  const budgets = list('--budgets', '16,64,256').map(Number);
  const sizes = list('--sizes', '35,300,1024').map(Number);
  const kinds = list('--kinds', 'gaussian,poisson,categorical,mixed,bernoulli,parquet,arrow');
  const modelOf = (kind) => (kind === 'parquet' || kind === 'arrow' ? 'gaussian' : kind);
  console.log('| kind | file | rows | budget | peak RSS | within budget + 256 MB | seconds |');
  console.log('|---|---|---|---|---|---|---|');
  for (const kind of kinds) {
    for (const mb of sizes) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-bench-ooc-'));
      const file = path.join(dir, `large.${kind === 'parquet' ? 'parquet' : kind === 'arrow' ? 'arrow' : 'csv'}`);
      try {
        const made = await writeLargeFile(file, kind, mb, { columns: 5, k: 3, decimals: 5 });
        for (const budget of budgets) {
          if (made.bytes <= budget * MB) continue; // in memory: not this benchmark's subject
          const r = await new Promise((resolve) => {
            const child = spawn('/usr/bin/time', ['-v', process.execPath, cli, 'fit', file, '--model', modelOf(kind), '--k', '3', '--max-iter', '3', '--tol', '0', '--seed', '1', '--memory-budget-mb', String(budget)], { stdio: ['ignore', 'ignore', 'pipe'] });
            let err = '';
            const started = Date.now();
            child.stderr.on('data', (c) => (err += c));
            child.on('close', (code) => resolve({ code, err, seconds: (Date.now() - started) / 1000 }));
          });
          const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.err);
          const peak = rss ? Number(rss[1]) / 1024 : NaN;
          const status = r.code === 0 ? (peak <= budget + 256 ? 'yes' : 'NO') : `exit ${r.code}`;
          console.log(`| ${kind} | ${(made.bytes / MB).toFixed(0)} MB | ${made.rows} | ${budget} MB | ${peak.toFixed(0)} MB | ${status} | ${r.seconds.toFixed(0)} |`);
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  process.exit(0);
}

const fmt = (s) => (s === undefined ? '?' : s.toFixed(2));

if (compareMb !== undefined) {
  const { dir, file, bytes, rows } = temporaryCsv(Number(compareMb));
  try {
    // In memory: a budget above the file; out of core: forced, at the same budget otherwise.
    const inMemory = await fit(file, ['--memory-budget-mb', String(Math.ceil((4 * bytes) / MB))]);
    const outOfCore = await fit(file, ['--memory-budget-mb', String(Math.ceil((4 * bytes) / MB))], { MIXSCOPE_OUT_OF_CORE: 'always' });
    for (const [name, r] of [['in memory', inMemory], ['out of core', outOfCore]]) {
      if (r.code !== 0) console.log(r.stderr);
      console.log(`${name}: ${fmt(r.seconds)} s end to end, parsed at ${fmt(r.parsedAt)} s, first iteration at ${fmt(r.firstIterationAt)} s, ${fmt(r.perIteration)} s per iteration, peak RSS ${r.peakRssMb?.toFixed(0)} MB, final objective ${r.objective}`);
    }
    const relative = Math.abs(inMemory.objective - outOfCore.objective) / Math.abs(inMemory.objective);
    console.log(
      `${(bytes / MB).toFixed(0)} MB, ${rows} rows × ${columns}, K = ${k} full, ${iterations} iterations: out-of-core iteration ÷ in-memory iteration = ` +
        `${(outOfCore.perIteration / inMemory.perIteration).toFixed(2)}; final objectives differ by ${relative.toExponential(1)} (relative)`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const { dir, file, bytes, rows } = temporaryCsv(sizeMb);
try {
  const budget = budgetArg === undefined ? [] : ['--memory-budget-mb', budgetArg];
  const command = `/usr/bin/time -v mixscope fit FILE --k ${k} --covariance full --max-iter ${iterations} --tol 0 --seed 1 --verbose${budget.length ? ` ${budget.join(' ')}` : ''}`;
  console.log(`${(bytes / MB).toFixed(0)} MB, ${rows} rows × ${columns} columns; command: ${command}`);
  const r = await fit(file, budget);
  console.log(r.summary);
  if (r.code !== 0) console.log(r.stderr);
  const budgetMb = budgetArg === undefined ? 1024 : Number(budgetArg);
  console.log(
    `exit ${r.code}, ${r.seconds.toFixed(0)} s end to end (parsed at ${fmt(r.parsedAt)} s, first iteration at ${fmt(r.firstIterationAt)} s, then ${fmt(r.perIteration)} s per iteration), ` +
      `peak RSS ${r.peakRssMb?.toFixed(0)} MB (budget ${budgetMb} MB + 256 MB = ${budgetMb + 256} MB)`,
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
