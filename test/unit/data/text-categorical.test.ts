// Categorical features of delimited text (text/columns.ts): text columns of 2…categoryLimit repeated values, and the
// columns the categorical setting names; identifiers, single-valued and many-valued text columns are left out with
// the reason. Expected codes are read from the fixtures the simplest way (split on commas), not through the loader.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Dataset, TableData } from '../../../src/engine/data/dataset';
import { loadDataset } from '../../../src/engine/data/load';
import { chooseModel, fitDataset } from '../../../src/engine/fit';
import { DEFAULT_FIT_OPTIONS } from '../../../src/shared/settings';
import { expectDataError, utf8 } from '../../fixtures/data/helpers';

const root = path.resolve(__dirname, '../../..');
const surveyBytes = readFileSync(path.join(root, 'test/fixtures/survey.csv'));
const reference = JSON.parse(readFileSync(path.join(root, 'test/reference/numpy_categorical.json'), 'utf8')) as { columns: string[]; levels: string[][] };

function table(name: string, text: string | Uint8Array, options: Parameters<typeof loadDataset>[2] = {}): TableData {
  const d: Dataset = loadDataset(name, typeof text === 'string' ? utf8(text) : text, options);
  assert.equal(d.kind, 'table');
  return d as TableData;
}

describe('data: categorical columns of text tables', () => {
  it('survey.csv (text answers only): every column categorical, categories sorted as numpy sorts them, empty cells −1', () => {
    const d = table('survey.csv', surveyBytes);
    const rows = surveyBytes.toString('utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    assert.equal(d.d, 0);
    assert.equal(d.n, rows.length);
    assert.deepEqual(d.categorical?.columns, reference.columns);
    assert.deepEqual(d.categorical?.categories, reference.levels);
    const m = reference.columns.length;
    rows.forEach((cells, i) => cells.forEach((cell, j) => assert.equal(d.categorical!.codes[i * m + j], cell === '' ? -1 : reference.levels[j].indexOf(cell), `row ${i + 1}, ${reference.columns[j]}`)));
    assert.ok(d.summary.notes.some((n) => /^categorical: smoker \(2 categories: no, yes; \d+ missing\), exercise \(4 categories/.test(n)), JSON.stringify(d.summary.notes));
    assert.ok(d.summary.notes.includes('header on line 1: smoker, exercise, lives_in, owns_pet, commute'));
  });

  it('identifiers, a single value and more values than categoryLimit are left out, each with its reason', () => {
    const rows = Array.from({ length: 60 }, (_, i) => `${i % 7}.5,id${i},same,w${i % 55},${['a', 'b', 'c'][i % 3]}`);
    // Beside a numeric column the lone class-like "group" is the labels; named in categorical it is a feature.
    assert.equal(table('t.csv', ['x,name,const,word,group', ...rows].join('\n')).labelColumn, 'group');
    const d = table('t.csv', ['x,name,const,word,group', ...rows].join('\n'), { labelColumn: 'none', categorical: ['group'] });
    assert.deepEqual(d.columns, ['x']);
    assert.deepEqual(d.categorical?.columns, ['group']);
    const reasons = Object.fromEntries(d.summary.droppedColumns.map((c) => [c.name, c.reason]));
    assert.equal(reasons.name, 'text, e.g. "id0" on line 2: every value distinct (an identifier)');
    assert.equal(reasons.const, 'a single value ("same") in every row');
    assert.equal(reasons.word, 'text, e.g. "w0" on line 2: more than 50 distinct values (categoryLimit)');
    const wider = table('t.csv', ['x,name,const,word,group', ...rows].join('\n'), { categoryLimit: 60, labelColumn: 'none', categorical: ['group'] });
    assert.deepEqual(wider.categorical?.columns, ['word', 'group']);
    assert.equal(wider.categorical?.categories[0].length, 55);
  });

  it('categorical names numeric columns (coded answers): every value a category, numbers by value ("2" before "10")', () => {
    const text = 'age,q1,q2\n31.5,1,10\n40.1,2,2\n22.0,1,10\n58.3,,2\n';
    const plain = table('q.csv', text);
    assert.deepEqual(plain.columns, ['age', 'q1', 'q2']);
    assert.equal(plain.categorical, undefined);
    const d = table('q.csv', text, { categorical: ['q1', '3'] });
    assert.deepEqual(d.columns, ['age']);
    assert.deepEqual(Array.from(d.values), [31.5, 40.1, 22, 58.3]);
    assert.deepEqual(d.categorical?.columns, ['q1', 'q2']);
    assert.deepEqual(d.categorical?.categories, [['1', '2'], ['2', '10']]);
    assert.deepEqual(Array.from(d.categorical!.codes), [0, 1, 1, 0, 0, 1, -1, 0]);
  });

  it('iris keeps its species as labels; two class-like columns beside numbers are features; columns may pick text columns', () => {
    const iris = table('iris.csv', readFileSync(path.join(root, 'test/fixtures/iris.csv')));
    assert.equal(iris.categorical, undefined);
    assert.equal(iris.labelColumn, 'Species');
    const text = 'h,sex,site\n1,f,north\n2,m,south\n3,f,north\n4,m,south\n';
    const picked = table('two.csv', text, { columns: ['site', 'h'] });
    assert.deepEqual(picked.columns, ['h']);
    assert.deepEqual(picked.categorical?.columns, ['site']);
    const labelled = table('two.csv', text, { labelColumn: 'sex' });
    assert.equal(labelled.labelColumn, 'sex');
    assert.deepEqual(labelled.categorical?.columns, ['site']);
  });

  it('refuses an unknown categorical column, one also named as labels or weights, and one with too many values', () => {
    const text = 'a,b,c\n1,x,2\n2,y,3\n3,x,4\n';
    expectDataError(() => table('c.csv', text, { categorical: ['d'] }), /^c\.csv: there is no column "d" \(mixscope\.categorical, CLI --categorical\)/);
    expectDataError(() => table('c.csv', text, { categorical: ['b'], labelColumn: 'b' }), /column "b" is asked for both as categorical \(mixscope\.categorical\) and as the labels/);
    expectDataError(() => table('c.csv', text, { categorical: ['c'], weightsColumn: 'c' }), /column "c" is asked for both as the case weights/);
    expectDataError(() => table('c.csv', text, { categorical: ['a'], categoryLimit: 2 }), /column "a" \(mixscope\.categorical\) holds more than 2 distinct values: raise categoryLimit/);
    expectDataError(() => table('c.csv', 'a,name\n1,x\n2,y\n', { columns: ['name'] }), /column "name" cannot be fitted: it is text, e\.g\. "x" on line 2: every value distinct \(an identifier\)/);
  });

  it('model auto: text answers alone → categorical; another family asked for on them is one clear message', () => {
    const d = table('survey.csv', surveyBytes);
    const chosen = chooseModel(d, { ...DEFAULT_FIT_OPTIONS, k: 3 });
    assert.equal(chosen.model, 'categorical');
    assert.match(chosen.reason, /every column is categorical \(5 text columns/);
    for (const model of ['gaussian', 'poisson', 'bernoulli'] as const) {
      assert.throws(
        () => fitDataset(d, { ...DEFAULT_FIT_OPTIONS, model, k: 2 }),
        (e: Error) => e.name === 'DataError' && /^survey\.csv: every column to fit is categorical \("smoker", .*\), but a \w+ mixture needs columns of numbers\. Use model "categorical" or "auto"\.$/.test(e.message),
        model,
      );
    }
  });
});
