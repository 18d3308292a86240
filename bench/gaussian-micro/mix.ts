// Mixscope side of the Gaussian micro-benchmark: the same E-step (densities + normalise-and-exp) and M-step that
// runEm performs, timed separately, from the same start as sk.py.
//   npx tsx mix.ts DATA.npy START.json TYPE ITERATIONS  ->  one JSON line {eStepMs, normMs, mStepMs, trace}
import * as fs from 'node:fs';
import { GaussianFamily } from '../../src/engine/families/gaussian/family';
import * as lse from '../../src/engine/em/logsumexp';
import type { CovarianceType } from '../../src/shared/protocol';

const [data, startFile, type, iterationsArg] = process.argv.slice(2);
const iterations = Number(iterationsArg);
const buf = fs.readFileSync(data);
const headerLen = buf.readUInt16LE(8);
const header = buf.subarray(10, 10 + headerLen).toString('latin1');
const shape = /'shape': \((\d+), (\d+)\)/.exec(header)!;
const n = Number(shape[1]);
const d = Number(shape[2]);
const bytes = buf.subarray(10 + headerLen);
const values = new Float64Array(n * d);
new Uint8Array(values.buffer).set(bytes.subarray(0, n * d * 8));
const start = JSON.parse(fs.readFileSync(startFile, 'utf8'));
const k = start.weights.length;
const family = new GaussianFamily(values, n, d, { covarianceType: type as CovarianceType, regularization: 1e-6, init: 'params', initParams: start });
let params = family.initialize(k, undefined as never);
const logResp = new Float64Array(n * k);
const resp = new Float64Array(n * k);
// Use the fused normalise-and-exp when logsumexp.ts has it (after), else normalise then exp as em.ts did (before).
const fused = (lse as Record<string, unknown>).normalizeLogRowsAndExp as
  | ((lp: Float64Array, n: number, k: number, out: Float64Array) => number)
  | undefined;
const eStepMs: number[] = [];
const normMs: number[] = [];
const mStepMs: number[] = [];
const trace: number[] = [];
for (let t = 0; t < iterations; t++) {
  const t0 = performance.now();
  family.weightedLogProb(params, k, logResp);
  const t1 = performance.now();
  let ll: number;
  if (fused) ll = fused(logResp, n, k, resp);
  else {
    ll = lse.normalizeLogRows(logResp, n, k);
    for (let i = 0; i < n * k; i++) resp[i] = Math.exp(logResp[i]);
  }
  const t2 = performance.now();
  params = family.mStep(resp, k, params);
  const t3 = performance.now();
  eStepMs.push(t1 - t0);
  normMs.push(t2 - t1);
  mStepMs.push(t3 - t2);
  trace.push(ll);
}
console.log(JSON.stringify({ eStepMs, normMs, mStepMs, trace }));
