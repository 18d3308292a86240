// Label columns of delimited text (text/columns.ts): a lone text column of a few repeated values is taken as labels
// (iris's species), as integer columns named like labels are; mixscope.labelColumn names one or turns labels off.
// Expected values are read from the fixture the simplest way (split on commas), not through the loader.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/engine/data/load';
import type { Dataset, TableData } from '../../../src/engine/data/dataset';
import { expectDataError, utf8 } from '../../fixtures/data/helpers';

const root = path.resolve(__dirname, '../../..');
const irisBytes = readFileSync(path.join(root, 'test/fixtures/iris.csv'));
const irisRows = irisBytes.toString('utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
const species = irisRows.map((r) => r[4].replace(/"/g, ''));

function table(name: string, text: string | Uint8Array, options: Parameters<typeof loadDataset>[2] = {}): TableData {
  const d: Dataset = loadDataset(name, typeof text === 'string' ? utf8(text) : text, options);
  assert.equal(d.kind, 'table');
  return d as TableData;
}

describe('data: text label columns', () => {
  it('iris: the species column is the labels (sorted names, one code per row), never a feature', () => {
    const d = table('iris.csv', irisBytes);
    assert.deepEqual(d.columns, ['Sepal.Length', 'Sepal.Width', 'Petal.Length', 'Petal.Width']);
    assert.equal(d.n, 150);
    assert.equal(d.labelColumn, 'Species');
    assert.deepEqual(d.labelNames, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(Array.from(d.labels!, (code) => d.labelNames![code]), species);
    assert.deepEqual(d.summary.droppedColumns, []);
    assert.equal(d.summary.hasLabels, true);
    assert.ok(d.summary.notes.includes('labels: text column "Species", 3 values (setosa, versicolor, virginica), not used in the fit'), JSON.stringify(d.summary.notes));
    assert.deepEqual(Array.from(d.values.subarray(0, 4)), irisRows[0].slice(0, 4).map(Number));
  });

  it('labelColumn "none": no labels, and the species column stays out of the fit (categorical names it to fit it)', () => {
    const d = table('iris.csv', irisBytes, { labelColumn: 'none' });
    assert.equal(d.labels, undefined);
    assert.equal(d.labelColumn, undefined);
    assert.equal(d.categorical, undefined);
    assert.deepEqual(d.summary.droppedColumns.map((c) => c.name), ['Species']);
    assert.match(d.summary.droppedColumns[0].reason, /^text, e\.g\. "setosa" on line 2: class labels, left out \(labelColumn "none"; name it in categorical to fit it\)$/);
    const fitted = table('iris.csv', irisBytes, { labelColumn: 'none', categorical: ['Species'] });
    assert.deepEqual(fitted.categorical?.columns, ['Species']);
    assert.deepEqual(fitted.categorical?.categories, [['setosa', 'versicolor', 'virginica']]);
    assert.deepEqual(Array.from(fitted.categorical!.codes, (code) => fitted.categorical!.categories[0][code]), species);
  });

  it('labelColumn names a column (any case, or its 1-based number); integers stay integer labels', () => {
    assert.deepEqual(table('iris.csv', irisBytes, { labelColumn: 'species' }).labelNames, ['setosa', 'versicolor', 'virginica']);
    assert.equal(table('iris.csv', irisBytes, { labelColumn: '5' }).labelColumn, 'Species');
    const text = 'a,group,b,kind\n1,2,3,x\n4,7,6,y\n7,2,9,x\n1,7,2,y\n';
    const d = table('g.csv', text, { labelColumn: 'group' });
    assert.deepEqual(d.columns, ['a', 'b']);
    assert.deepEqual(Array.from(d.labels!), [2, 7, 2, 7]);
    assert.equal(d.labelNames, undefined);
    // Numbers that are not integers are labels by their text, in numeric order.
    const e = table('g.csv', 'a,dose\n1,0.5\n2,10\n3,2\n4,0.5\n', { labelColumn: 'dose' });
    assert.deepEqual(e.labelNames, ['0.5', '2', '10']);
    assert.deepEqual(Array.from(e.labels!), [0, 2, 1, 0]);
  });

  it('text that is not class-like keeps its treatment: unique names, or too few rows per value', () => {
    const ids = table('p.csv', 'name,h,w\nann,1,2\nbob,3,4\ncid,5,6\ndan,7,8\n');
    assert.equal(ids.labels, undefined);
    assert.deepEqual(ids.summary.droppedColumns.map((c) => c.name), ['name']);
    const one = table('p.csv', 'h,w,k\n1,2,a\n3,4,a\n5,6,a\n');
    assert.equal(one.labels, undefined, 'a single value is no classification');
  });

  it('two class-like text columns: neither is taken, both are categorical features, and the note says how to choose', () => {
    const d = table('two.csv', 'h,sex,site\n1,f,north\n2,m,south\n3,f,north\n4,m,south\n');
    assert.equal(d.labels, undefined);
    assert.deepEqual(d.summary.droppedColumns, []);
    assert.deepEqual(d.categorical?.columns, ['sex', 'site']);
    assert.deepEqual(Array.from(d.categorical!.codes), [0, 0, 1, 1, 0, 0, 1, 1]);
    assert.ok(
      d.summary.notes.some((n) => /no labels taken: the text columns "sex", "site" could each be class labels, so they are fitted as categorical features; set mixscope\.labelColumn/.test(n)),
      JSON.stringify(d.summary.notes),
    );
    assert.deepEqual(Array.from(table('two.csv', 'h,sex,site\n1,f,north\n2,m,south\n3,f,north\n4,m,south\n', { labelColumn: 'site' }).labels!), [0, 1, 0, 1]);
  });

  it('an integer column named like labels wins over a text column', () => {
    const d = table('c.csv', 'a,class,kind\n1,0,x\n2,1,y\n3,0,x\n4,1,y\n');
    assert.equal(d.labelColumn, 'class');
    assert.equal(d.labelNames, undefined);
    assert.deepEqual(d.categorical?.columns, ['kind']);
  });

  it('a text column with a missing cell is not taken by itself (it would drop rows); named, the row without a label is skipped and counted', () => {
    const text = 'a,b,kind\n1,2,x\n3,4,\n5,6,y\n7,8,x\n9,1,y\n';
    const auto = table('m.csv', text);
    assert.equal(auto.labels, undefined);
    assert.equal(auto.n, 5);
    const d = table('m.csv', text, { labelColumn: 'kind' });
    assert.equal(d.n, 4);
    assert.deepEqual(Array.from(d.labels!), [0, 1, 0, 1]);
    assert.ok(d.summary.notes.some((n) => /1 row skipped: a missing label at line 3/.test(n)), JSON.stringify(d.summary.notes));
  });

  it('an integer column named like labels with a stray text cell stays the labels (that row skipped), as before', () => {
    const d = table('l.csv', 'a,b,label\n1,2,0\n3,4,1\n5,6,unknown\n7,8,1\n9,1,0\n');
    assert.equal(d.labelColumn, 'label');
    assert.equal(d.labelNames, undefined);
    assert.deepEqual(Array.from(d.labels!), [0, 1, 1, 0]);
    assert.ok(d.summary.notes.some((n) => /1 row skipped: a missing or non-integer label at line 4/.test(n)), JSON.stringify(d.summary.notes));
  });

  it('refuses a label column that is not there, that is also fitted, or that holds too many values', () => {
    expectDataError(() => table('iris.csv', irisBytes, { labelColumn: 'Variety' }), /^iris\.csv: there is no column "Variety" \(mixscope\.labelColumn, CLI --labels\)/, /Available columns: Sepal\.Length/);
    expectDataError(
      () => table('iris.csv', irisBytes, { labelColumn: 'Petal.Width', columns: ['Petal.Width', 'Petal.Length'] }),
      /column "Petal\.Width" is asked for both as a column to fit \(mixscope\.columns\) and as the labels \(mixscope\.labelColumn\)/,
    );
    const many = ['a,id', ...Array.from({ length: 150 }, (_, i) => `${i},${i}.5`)].join('\n');
    expectDataError(() => table('many.csv', many, { labelColumn: 'id' }), /column "id" \(mixscope\.labelColumn\) holds more than 100 distinct values: expected class labels/);
  });

  it('a labels file replaces the label column (and its names)', () => {
    const d = loadDataset('iris.csv', irisBytes, { labelBytes: utf8(['label', ...species.map((_, i) => String(i % 2))].join('\n')), labelFileName: 'parity.txt' }) as TableData;
    assert.equal(d.labelNames, undefined);
    assert.deepEqual(Array.from(d.labels!.subarray(0, 4)), [0, 1, 0, 1]);
    assert.ok(d.summary.notes.includes('labels from parity.txt replace the label column'));
  });
});
