// The extension-host mocha suite (test/integration), run inside code-server's extension host, reported here.
import * as assert from 'node:assert/strict';
import { runIntegrationInCodeServer } from '../integration/runCodeServer.mjs';
import { RESULTS_DIR } from './harness.mjs';

describe('extension-host suite inside code-server (test/integration)', function () {
  it('passes every test of the suite', async function () {
    this.timeout(360_000);
    const report = await runIntegrationInCodeServer({ build: false, resultsDir: RESULTS_DIR });
    for (const t of report.tests) console.log(`      ${t.state === 'passed' ? '✔' : t.state === 'failed' ? '✘' : '-'} ${t.title}`);
    const failed = report.tests.filter((t) => t.state === 'failed');
    assert.ok(report.tests.length > 0, 'the suite ran some tests');
    assert.deepEqual(failed.map((t) => `${t.title}\n${t.error}`), [], 'no test failed');
    assert.equal(report.exitCode, 0, 'the extension host reported success');
  });
});
