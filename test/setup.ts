// Mocha root hooks for every suite: property tests (fast-check) run from one fixed seed, so `npm test` passes or fails
// the same way on every run. MIXSCOPE_FC_SEED=<n> replays a seed; `npm run test:fuzz` runs them with fresh seeds.
import fc from 'fast-check';

const DEFAULT_SEED = 20261201;

function chosenSeed(): number {
  const raw = process.env.MIXSCOPE_FC_SEED;
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`MIXSCOPE_FC_SEED must be a whole number; got "${raw}".`);
  return seed;
}

const seed = chosenSeed();
fc.configureGlobal({ seed });

export const mochaHooks = {
  beforeAll(): void {
    console.log(`  fast-check seed ${seed} (replay with MIXSCOPE_FC_SEED=${seed})`);
  },
};
