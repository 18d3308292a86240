// Kernel-level timing of the Gaussian E- and M-step on data set (b) (D = 50, K = 10), in ns per multiply-add
// (N·K·D(D+1)/2 of them per step), in CPU time, for tuning the kernels. npx tsx kernels.ts [reps]
import * as fs from 'node:fs';
import { GaussianFamily } from '../../src/engine/families/gaussian/family';
import { normalizeLogRowsAndExp } from '../../src/engine/em/logsumexp';

const dir = process.env.OUT ?? '/tmp/gmicro';
const buf = fs.readFileSync(`${dir}/b.npy`);
const headerLen = buf.readUInt16LE(8);
const shape = /'shape': \((\d+), (\d+)\)/.exec(buf.subarray(10, 10 + headerLen).toString('latin1'))!;
const n = Number(shape[1]);
const d = Number(shape[2]);
const values = new Float64Array(n * d);
new Uint8Array(values.buffer).set(buf.subarray(10 + headerLen, 10 + headerLen + n * d * 8));
const start = JSON.parse(fs.readFileSync(`${dir}/b.start.json`, 'utf8'));
const k = start.weights.length;
const family = new GaussianFamily(values, n, d, { covarianceType: 'full', regularization: 1e-6, init: 'params', initParams: start });
const params = family.initialize(k, undefined as never);
const logResp = new Float64Array(n * k);
const resp = new Float64Array(n * k);
const fmas = (n * k * d * (d + 1)) / 2;
for (let rep = 0; rep < Number(process.argv[2] ?? 3); rep++) {
  // CPU time of this (single-threaded) process: steadier than wall time on the shared machine.
  const cpu = () => process.cpuUsage().user / 1000;
  const t0 = cpu();
  family.weightedLogProb(params, k, logResp);
  const t1 = cpu();
  normalizeLogRowsAndExp(logResp, n, k, resp);
  const t2 = cpu();
  family.mStep(resp, k, params);
  const t3 = cpu();
  console.log(`E ${(t1 - t0).toFixed(0)} ms (${(((t1 - t0) * 1e6) / fmas).toFixed(2)} ns/fma)  M ${(t3 - t2).toFixed(0)} ms (${(((t3 - t2) * 1e6) / fmas).toFixed(2)} ns/fma)`);
}
