// One parse of a delimited text file by Mixscope's loaders, timed inside the process (run by bench/textParse.mjs):
//   node --import tsx bench/parse/readText.ts memory|stream FILE
// memory: the bytes read whole, then the in-memory loader (what a fit within the memory budget does);
// stream: the out-of-core parse into the binary column store (what a fit over the budget does first).
// Prints one JSON line: {"mode", "seconds", "cpuSeconds", "rows", "columns"} (cpuSeconds: user + system time of the
// parse, which a busy machine disturbs less than the wall-clock seconds).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDatasetAsync } from '../../src/engine/data/load';
import { createStoreDir, removeStore } from '../../src/engine/data/store/columnStore';
import { streamTextToStore } from '../../src/engine/data/store/textStream';

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  if ((mode !== 'memory' && mode !== 'stream') || !file) throw new Error('usage: readText.ts memory|stream FILE');
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  let rows: number;
  let columns: number;
  if (mode === 'memory') {
    const dataset = await loadDatasetAsync(path.basename(file), fs.readFileSync(file), {});
    if (dataset.kind !== 'table') throw new Error('not a table');
    [rows, columns] = [dataset.n, dataset.d];
  } else {
    const dir = createStoreDir(os.tmpdir());
    try {
      const { summary } = streamTextToStore(file, dir, {});
      [rows, columns] = [summary.n, summary.d];
    } finally {
      removeStore(dir);
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(`${JSON.stringify({ mode, seconds, cpuSeconds, rows, columns })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
