// Summarises run.sh's JSON: median per-iteration ms (iteration 0 dropped as warm-up when there are ≥ 3) and ratios.
import * as fs from 'node:fs';
const [dir, ...cases] = process.argv.slice(2);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const steady = (xs) => (xs.length >= 3 ? xs.slice(1) : xs);
console.log('per-iteration ms (median)  | mixscope E  norm+exp  M     total | sklearn E   M     total | ratio | max rel trace diff | before: total ratio');
for (const c of cases) {
  const files = fs.readdirSync(dir).filter((f) => f.startsWith(`${c}.`));
  const mix = files.filter((f) => f.includes('.mix.')).map((f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')));
  const base = files.filter((f) => f.includes('.base.')).map((f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')));
  const sk = files.filter((f) => f.includes('.sk.')).map((f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')));
  const all = (runs, key) => runs.flatMap((r) => steady(r[key]));
  const totals = (runs, keys) => runs.flatMap((r) => steady(r[keys[0]].map((_, i) => keys.reduce((s, key) => s + r[key][i], 0))));
  const me = median(all(mix, 'eStepMs')), mn = median(all(mix, 'normMs')), mm = median(all(mix, 'mStepMs'));
  const mt = median(totals(mix, ['eStepMs', 'normMs', 'mStepMs']));
  const se = median(all(sk, 'eStepMs')), sm = median(all(sk, 'mStepMs'));
  const st = median(totals(sk, ['eStepMs', 'mStepMs']));
  let diff = 0;
  for (const r of mix) r.trace.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - sk[0].trace[i]) / Math.abs(sk[0].trace[i])); });
  const f = (x) => x.toFixed(0).padStart(6);
  const before = base.length ? median(totals(base, ['eStepMs', 'normMs', 'mStepMs'])) : NaN;
  const beforeText = base.length ? `${f(before)} ${(before / st).toFixed(2)}` : '';
  console.log(`${c.padEnd(26)} | ${f(me)} ${f(mn)} ${f(mm)} ${f(mt)} | ${f(se)} ${f(sm)} ${f(st)} | ${(mt / st).toFixed(2)} | ${diff.toExponential(1)} | ${beforeText}`);
}
