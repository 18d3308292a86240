// Entry point VS Code calls inside the extension host (`--extensionTestsPath`): runs the mocha suite that
// build.mjs bundled next to this file, prints a spec-style report through console.log (forwarded to the test
// runner by both desktop VS Code and code-server) and, when MIXSCOPE_TEST_RESULTS is set, writes a JSON report.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface TestRecord {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  // MIXSCOPE_TEST_GREP=<re> runs only the matching tests of the suite (the runner's --grep picks the suites).
  if (process.env.MIXSCOPE_TEST_GREP) mocha.grep(new RegExp(process.env.MIXSCOPE_TEST_GREP));
  const suiteDir = path.join(__dirname, 'suite');
  for (const f of fs.readdirSync(suiteDir).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(path.join(suiteDir, f));
  await mocha.loadFilesAsync();

  const records: TestRecord[] = [];
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((n) => resolve(n));
    runner.on('pass', (t) => records.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    runner.on('fail', (t, err: Error) => records.push({ title: t.fullTitle(), state: 'failed', error: String(err?.stack ?? err) }));
    runner.on('pending', (t) => records.push({ title: t.fullTitle(), state: 'pending' }));
  });

  const out = process.env.MIXSCOPE_TEST_RESULTS;
  if (out) fs.writeFileSync(out, JSON.stringify({ failures, tests: records }, null, 2));
  console.log(`MIXSCOPE-INTEGRATION-DONE failures=${failures} tests=${records.length}`);
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
