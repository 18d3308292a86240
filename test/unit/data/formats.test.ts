// The format registry: which loader reads a file (magic number, name, sniff), the menus' `when` clause and the file
// picker's filters generated from it, and the column inspection of "Cluster this dataset with options…".

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chooseFormat, DATA_FORMATS, dataFileWhenClause, fileDialogFilters, formatForFileName } from '../../../src/engine/data/formats';
import { inspectDataset, isDataFileName, loadDataset } from '../../../src/engine/data/load';
import { expectDataError, faithfulReference, fixture, float64Bytes, idxBytes, npyBytes, utf8 } from '../../fixtures/data/helpers';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8'));

/** Evaluates a `when` clause of the form `resourceExtname =~ /…/ || resourceFilename =~ /…/` as VS Code does. */
function whenMatches(clause: string, fileName: string): boolean {
  const ext = /resourceExtname =~ \/(.+?)\/(\w*)/.exec(clause);
  const file = /resourceFilename =~ \/(.+?)\/(\w*)/.exec(clause);
  assert.ok(ext && file, clause);
  return new RegExp(ext[1], ext[2]).test(path.posix.extname(fileName)) || new RegExp(file[1], file[2]).test(fileName);
}

describe('data: the format registry', () => {
  it('every format has an id, a name, a way to be recognised and its own loader', () => {
    const ids = DATA_FORMATS.map((f) => f.id);
    assert.deepEqual(ids, [...new Set(ids)], 'ids are unique');
    for (const f of DATA_FORMATS) {
      assert.ok(f.name.length > 2, f.id);
      assert.ok(f.extensions.length + f.namePatterns.length > 0, `${f.id} is offered under some name`);
      for (const e of f.extensions) assert.match(e, /^[a-z0-9]+$/, `${f.id}: extension "${e}" is lower case without a dot`);
    }
    const extensions = DATA_FORMATS.flatMap((f) => f.extensions);
    assert.deepEqual(extensions, [...new Set(extensions)], 'an extension belongs to one format');
  });

  it('the when clause offers exactly the data files, and package.json\'s menus use it', () => {
    const clause = dataFileWhenClause();
    for (const name of ['faithful.csv', 'X.TSV', 'a.txt', 'a.dat', 'iris.data', 'm.npy', 'faithful.csv.gz', 'train-images-idx3-ubyte', 't10k-images.idx3-ubyte', 'train-images-idx3-ubyte.gz']) {
      assert.equal(whenMatches(clause, name), true, name);
    }
    for (const name of ['train-labels-idx1-ubyte', 'a.yaml', 'a.csvx', 'README.md', 'csv', 'idx3-ubyte-notes.md', 'x.npz']) {
      assert.equal(whenMatches(clause, name), false, name);
    }
    for (const menu of ['editor/context', 'editor/title/context', 'explorer/context']) {
      for (const item of pkg.contributes.menus[menu] as { when: string }[]) {
        assert.ok(item.when.includes(`(${clause})`), `${menu}: ${item.when} holds (${clause})`);
      }
    }
  });

  it('the file picker offers every extension of the registry, all data files first', () => {
    const filters = fileDialogFilters();
    const [first, ...others] = Object.keys(filters);
    assert.equal(first, 'Data files');
    for (const f of DATA_FORMATS) for (const e of f.extensions) assert.ok(filters['Data files'].includes(e), e);
    assert.ok(filters['Data files'].includes('gz'));
    assert.deepEqual(filters['NumPy array'], ['npy', 'npy.gz']);
    // IDX files have no extension: they are reachable only through "All files", which says so.
    const all = others[others.length - 1];
    assert.deepEqual(filters[all], ['*']);
    assert.match(all, /\*-idx3-ubyte/);
  });

  it('file names: registered extensions and name patterns, also inside .gz; labels and other files are not data', () => {
    assert.equal(formatForFileName('a/b/faithful.CSV')?.id, 'delimited-text');
    assert.equal(formatForFileName('m.npy.gz')?.id, 'npy');
    assert.equal(formatForFileName('t10k-images.idx3-ubyte')?.id, 'idx');
    for (const name of ['train-labels-idx1-ubyte', 'x.gz', 'x.npz', 'notes.md']) {
      assert.equal(formatForFileName(name), undefined, name);
      assert.equal(isDataFileName(name), false, name);
    }
  });

  it('a magic number wins over the name; the name over a plausible sniff; text is the fallback', () => {
    const npy = npyBytes({ descr: '<f8', shape: [2, 2], data: float64Bytes([1, 2, 3, 4]) });
    const idx = idxBytes([1, 4, 4], new Uint8Array(16).fill(7));
    assert.equal(chooseFormat('x.csv', npy).id, 'npy');
    assert.equal(chooseFormat('train-images-idx3-ubyte', npy).id, 'npy');
    assert.equal(chooseFormat('x.npy', utf8('a,b\n1,2\n')).id, 'npy');
    assert.equal(chooseFormat('digits.bin', idx).id, 'idx');
    assert.equal(chooseFormat('x.csv', idx).id, 'delimited-text');
    assert.equal(chooseFormat('notes', utf8('1 2\n3 4\n')).id, 'delimited-text');
    // Through loadDataset: a .npy named .csv is read as the array it is.
    const d = loadDataset('x.csv', npy);
    assert.equal(d.kind, 'table');
    assert.deepEqual(Array.from(d.kind === 'table' ? d.values : []), [1, 2, 3, 4]);
    // An IDX labels file opened as data gets the IDX loader's explanation, not a text parser's.
    expectDataError(() => loadDataset('train-labels-idx1-ubyte', idxBytes([3], Uint8Array.from([1, 2, 3]))), /labels file/, /images-idx3-ubyte/);
  });
});

describe('data: inspecting a file\'s columns (without fitting)', () => {
  it('a CSV with a row-name column: the numeric columns with their first values, the index left out with why', () => {
    const inspection = inspectDataset(fixture('faithful-rownames.csv'), 'data/faithful-rownames.csv');
    const ref = faithfulReference();
    assert.equal(inspection.fileName, 'faithful-rownames.csv');
    assert.equal(inspection.format, 'delimited-text');
    assert.equal(inspection.kind, 'table');
    assert.equal(inspection.complete, true);
    assert.equal(inspection.rowsRead, ref.eruptions.length);
    assert.deepEqual(inspection.columns.map((c) => [c.name, c.numeric]), [['eruptions', true], ['waiting', true], ['row index', false]]);
    assert.deepEqual(inspection.columns[0].values, ref.eruptions.slice(0, 5));
    assert.deepEqual(inspection.columns[1].values, ref.waiting.slice(0, 5));
    assert.match(inspection.columns[2].reason ?? '', /row index/);
  });

  it('a text column is listed as not numeric, with the reason', () => {
    const inspection = inspectDataset(utf8('name,height,weight\nann,1.62,55\nbob,1.80,80\ncy,1.75,71\n'), 'people.csv');
    const byName = new Map(inspection.columns.map((c) => [c.name, c]));
    assert.deepEqual(byName.get('height')?.values, [1.62, 1.8, 1.75]);
    assert.deepEqual(byName.get('weight')?.values, [55, 80, 71]);
    assert.equal(byName.get('name')?.numeric, false);
    assert.match(byName.get('name')?.reason ?? '', /text/);
  });

  it('a large CSV is read from its start only (cut at a line end) and says so', () => {
    const rows = ['a,b,c'];
    for (let i = 0; i < 40_000; i++) rows.push(`${i},${i * 0.5},${(i % 7) - 3}`);
    const bytes = utf8(rows.join('\n') + '\n');
    assert.ok(bytes.length > 512 * 1024);
    const inspection = inspectDataset(bytes, 'big.csv');
    assert.equal(inspection.complete, false);
    assert.ok(inspection.rowsRead > 1000 && inspection.rowsRead < 40_000, String(inspection.rowsRead));
    assert.equal(inspection.notes.filter((n) => /skipped/.test(n)).length, 0, 'the cut leaves no broken last row');
    assert.deepEqual(inspection.columns.map((c) => c.name), ['a', 'b', 'c']);
    assert.deepEqual(inspection.columns[2].values, [-3, -2, -1, 0, 1]);
  });

  it('the start of a .gz file is enough (the gzip stream cut short)', () => {
    const rows = ['x;y'];
    for (let i = 0; i < 20_000; i++) rows.push(`${i},5;${i % 10}`);
    const gz = gzipSync(Buffer.from(rows.join('\n') + '\n'));
    const whole = inspectDataset(gz, 'semi.csv.gz');
    assert.equal(whole.complete, true);
    assert.equal(whole.rowsRead, 20_000);
    assert.deepEqual(whole.columns[0].values, [0.5, 1.5, 2.5, 3.5, 4.5]);
    const start = inspectDataset(gz.subarray(0, Math.floor(gz.length / 2)), 'semi.csv.gz');
    assert.equal(start.complete, false);
    assert.deepEqual(start.columns.map((c) => [c.name, c.numeric]), [['x', true], ['y', false]]);
    assert.match(start.columns[1].reason ?? '', /labels/);
    assert.equal(start.notes.filter((n) => /skipped/.test(n)).length, 0, 'the cut leaves no broken last row');
    assert.ok(start.notes.some((n) => /gzip.*the start only/.test(n)), start.notes.join('; '));
  });

  it('.npy: columns x1…xD with values; only the header needed when the array is cut short', () => {
    const values = [1.5, -2, 3, 4.25, 5, 6, 7, 8, 9];
    const bytes = npyBytes({ descr: '<f8', shape: [3, 3], data: float64Bytes(values) });
    const whole = inspectDataset(bytes, 'm.npy');
    assert.deepEqual(whole.columns.map((c) => [c.name, c.values]), [['x1', [1.5, 4.25, 7]], ['x2', [-2, 5, 8]], ['x3', [3, 6, 9]]]);
    const start = inspectDataset(bytes.subarray(0, bytes.length - 20), 'm.npy');
    assert.equal(start.complete, false);
    assert.equal(start.rowsRead, 3);
    assert.deepEqual(start.columns.map((c) => c.name), ['x1', 'x2', 'x3']);
  });

  it('images (IDX, byte .npy): no columns to pick, their shape', () => {
    const idx = idxBytes([2, 4, 4], new Uint8Array(32).fill(200));
    const whole = inspectDataset(idx, 'tiny-images-idx3-ubyte');
    assert.deepEqual([whole.kind, whole.imageShape, whole.rowsRead, whole.columns.length], ['images', [4, 4], 2, 0]);
    const start = inspectDataset(idx.subarray(0, 20), 'tiny-images-idx3-ubyte');
    assert.deepEqual([start.kind, start.imageShape, start.complete], ['images', [4, 4], false]);
    const npy = inspectDataset(fixture('images-u1.npy'), 'images-u1.npy');
    assert.deepEqual([npy.kind, npy.imageShape], ['images', [4, 4]]);
  });

  it('bad input: the loader\'s message naming the file', () => {
    expectDataError(() => inspectDataset(utf8('just words\nmore words\n'), 'words.csv'), /^words\.csv: /);
    expectDataError(() => inspectDataset(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), 'x.csv.gz'), /^x\.csv\.gz: .*gzip/);
    expectDataError(() => inspectDataset(idxBytes([3], Uint8Array.from([1, 2, 3])), 't10k-labels-idx1-ubyte'), /labels file/);
  });
});
