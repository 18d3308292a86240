// Multi-group Arrow files of every kind of table the families fit (categories, counts, 0/1 values, pixels, a mixed
// table, case weights), written by apache-arrow's writer from seeded random values, for the out-of-core tests: each
// table in three record batches (150, 150 and 100 rows), so the stream crosses batches.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dictionary, Float64, Int32, Table, tableToIPC, Uint8, Utf8, vectorFromArray, type DataType } from 'apache-arrow';
import { Rng } from '../../../src/engine/em/rng';

export const BATCHES: [number, number][] = [
  [0, 150],
  [150, 300],
  [300, 400],
];
const N = 400;

type Column = { values: (number | string | null)[]; type: DataType };

function batched(columns: Record<string, Column>): Table {
  const whole = new Table(Object.fromEntries(Object.entries(columns).map(([name, c]) => [name, vectorFromArray(c.values, c.type)])));
  return new Table(BATCHES.flatMap(([from, to]) => whole.slice(from, to).batches));
}

/** Two latent classes; each row draws its cells from its class. */
function tables(seed: number): Record<string, Table> {
  const rng = new Rng(seed);
  const klass = Array.from({ length: N }, () => (rng.next() < 0.4 ? 0 : 1));
  const pick = (levels: string[], c: number, skew: number) => levels[Math.min(levels.length - 1, Math.floor((c === 0 ? rng.next() * skew : 1 - rng.next() * skew) * levels.length))];
  const poisson = (lambda: number) => {
    let k = 0;
    let p = Math.exp(-lambda);
    let s = p;
    const u = rng.next();
    while (u > s && k < 200) {
      k++;
      p *= lambda / k;
      s += p;
    }
    return k;
  };
  const colour = klass.map((c, i) => (i % 37 === 5 ? null : pick(['red', 'green', 'blue'], c, 0.7)));
  const size = klass.map((c) => pick(['S', 'M', 'L', 'XL'], c, 0.6));
  const shape = klass.map((c) => pick(['round', 'square'], c, 0.8));
  const weight = klass.map(() => Math.round((0.5 + 2 * rng.next()) * 4) / 4);
  const x = klass.map((c) => (c === 0 ? -2 : 2) + rng.normal());
  const y = klass.map((c) => (c === 0 ? 1 : -1) + 0.5 * rng.normal());
  const counts = (lo: number, hi: number) => klass.map((c) => poisson(c === 0 ? lo : hi));
  const bits = (j: number) => klass.map((c) => (rng.next() < (c === 0 ? 0.15 + 0.05 * (j % 3) : 0.8 - 0.05 * (j % 4)) ? 1 : 0));
  const pixel = (j: number) => klass.map((c) => Math.min(255, Math.max(0, Math.round((c === 0 ? 40 + j : 200 - j) + 30 * rng.normal()))));
  const dict = new Dictionary(new Utf8(), new Int32());
  return {
    categories: batched({ colour: { values: colour, type: new Utf8() }, size: { values: size, type: dict }, shape: { values: shape, type: new Utf8() }, w: { values: weight, type: new Float64() } }),
    mixed: batched({ x: { values: x, type: new Float64() }, y: { values: y, type: new Float64() }, visits: { values: counts(2, 7), type: new Int32() }, size: { values: size, type: dict }, shape: { values: shape, type: new Utf8() } }),
    counts: batched({ a: { values: counts(1, 6), type: new Int32() }, b: { values: counts(4, 2), type: new Int32() }, c: { values: counts(3, 9), type: new Int32() }, w: { values: weight, type: new Float64() } }),
    binary: batched(Object.fromEntries(Array.from({ length: 12 }, (_, j) => [`b${j + 1}`, { values: bits(j), type: new Int32() }]))),
    pixels: batched(Object.fromEntries(Array.from({ length: 64 }, (_, j) => [`p${j + 1}`, { values: pixel(j), type: new Uint8() }]))),
  };
}

/** Writes the tables as Arrow IPC files (.arrow) and streams (.arrows) into `dir`; returns their paths by name. */
export function writeColumnarTables(dir: string, seed = 7): Record<string, { arrow: string; arrows: string }> {
  const out: Record<string, { arrow: string; arrows: string }> = {};
  for (const [name, table] of Object.entries(tables(seed))) {
    const arrow = path.join(dir, `${name}.arrow`);
    const arrows = path.join(dir, `${name}.arrows`);
    fs.writeFileSync(arrow, tableToIPC(table, 'file'));
    fs.writeFileSync(arrows, tableToIPC(table, 'stream'));
    out[name] = { arrow, arrows };
  }
  return out;
}
