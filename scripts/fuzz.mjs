// The property and fuzz suites with fresh random seeds and many more runs than `npm test` uses. Each seed is printed
// first, so a failure can be replayed: MIXSCOPE_FC_SEED=<seed> MIXSCOPE_PROPERTY_SEED=<seed> npx mocha <file>.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const seed = process.env.MIXSCOPE_FC_SEED || String(randomInt(1, 2 ** 31 - 1));
const env = {
  ...process.env,
  MIXSCOPE_FC_SEED: seed,
  MIXSCOPE_PROPERTY_SEED: process.env.MIXSCOPE_PROPERTY_SEED || seed,
  MIXSCOPE_FUZZ_RUNS: process.env.MIXSCOPE_FUZZ_RUNS || '3000',
  MIXSCOPE_PROPERTY_RUNS: process.env.MIXSCOPE_PROPERTY_RUNS || '1000',
};
console.log(`fuzz run: MIXSCOPE_FC_SEED=${env.MIXSCOPE_FC_SEED} MIXSCOPE_PROPERTY_SEED=${env.MIXSCOPE_PROPERTY_SEED} (${env.MIXSCOPE_FUZZ_RUNS} fuzz / ${env.MIXSCOPE_PROPERTY_RUNS} property runs)`);
const suites = ['test/unit/data/fuzz.test.ts', 'test/unit/engine/properties.test.ts', 'test/unit/engine/pipeline.test.ts'];
const run = spawnSync(process.execPath, ['node_modules/mocha/bin/mocha.js', '--timeout', '0', ...suites], { stdio: 'inherit', env });
process.exit(run.status ?? 1);
