// The literals the code lenses consider, checked against each language's own tokenizer: Python's tokenize and R's
// parser (test/reference/make_literal_reference.py wrote their literals to literal_reference.json) and TypeScript's
// parser (run here); Julia, which neither is, by hand. The data-file test on a literal's value is the format registry's.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import * as ts from 'typescript';
import { findDataLiterals, lensTitles, pathLookup, type DataLiteral } from '../../../src/host/dataLiterals';
import { dataFileGlob } from '../../../src/host/files';
import { isDataFileName } from '../../../src/engine/data/formats';

const root = path.resolve(__dirname, '../../..');
const fixture = (name: string) => fs.readFileSync(path.join(root, 'test/fixtures/code-lens', name), 'utf8');

interface ReferenceLiteral {
  start: number;
  end: number;
  value: string | null;
  prefix: string;
  triple: boolean;
}
const reference = JSON.parse(fs.readFileSync(path.join(root, 'test/reference/literal_reference.json'), 'utf8')) as Record<string, ReferenceLiteral[]>;

/** The policy on a tokenizer's literal: no interpolation or docstring, a local path (no URL, no glob), a data file's name. */
function expected(literals: ReferenceLiteral[]): DataLiteral[] {
  return literals
    .filter((l) => l.value !== null && !l.triple && !l.prefix.includes('f'))
    .map((l) => ({ path: l.value!.replace(/\\/g, '/'), start: l.start, end: l.end }))
    .filter((l) => !/^[a-z][a-z0-9+.-]+:\/\//i.test(l.path) && !/[\n\r\t*?<>|"]/.test(l.path) && isDataFileName(l.path));
}

describe('code lenses: the string literals that name data files', () => {
  it('Python: the literals of Python\'s tokenize, decoded as ast.literal_eval decodes them', () => {
    const want = expected(reference['analysis.py']);
    assert.ok(want.length >= 8, 'the reference has data-file literals (raw, bytes, escaped, IDX, two on a line)');
    assert.deepEqual(findDataLiterals(fixture('analysis.py'), 'python'), want);
  });

  it('R: the STR_CONST tokens of R\'s parser (raw strings r"(…)" and R"--[…]--" included), as R evaluates them', () => {
    const want = expected(reference['analysis.R']);
    assert.ok(want.some((l) => l.path === 'data/dashed.txt') && want.some((l) => l.path === 'C:/data/raw.tsv'));
    assert.deepEqual(findDataLiterals(fixture('analysis.R'), 'r'), want);
  });

  for (const language of ['typescript', 'javascript', 'typescriptreact']) {
    it(`${language}: the string and plain template literals of TypeScript's own parser`, () => {
      const text = fixture('analysis.js');
      const source = ts.createSourceFile('analysis.js', text, ts.ScriptTarget.Latest, true);
      const literals: ReferenceLiteral[] = [];
      const visit = (node: ts.Node) => {
        if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) literals.push({ start: node.getStart(source), end: node.end, value: node.text, prefix: '', triple: false });
        ts.forEachChild(node, visit);
      };
      visit(source);
      const want = expected(literals);
      assert.deepEqual(want.map((l) => l.path), ['faithful.csv', 'data/iris.csv', 'plain-template.tsv', 'after-division.csv', 'C:/data/escaped.csv']);
      assert.deepEqual(findDataLiterals(text, language), want);
    });
  }

  it('Julia: strings and raw"…" outside line, nested block comments and character literals; no interpolation or regex', () => {
    const text = fixture('analysis.jl');
    const found = findDataLiterals(text, 'julia');
    assert.deepEqual(found.map((l) => l.path), ['faithful.csv', 'C:/data/raw.tsv', 'after-adjoint.csv', 'C:/data/escaped.csv']);
    for (const l of found) {
      const literal = text.slice(l.start, l.end);
      assert.match(literal, /^(raw)?".*"$/, 'the range covers the literal with its quotes and prefix');
    }
    assert.equal(text.slice(found[1].start, found[1].end), 'raw"C:\\data\\raw.tsv"');
  });

  it('names without an extension come from the registry\'s name patterns (MNIST IDX images, also .gz); labels files are not offered', () => {
    const found = findDataLiterals('a = open("train-images-idx3-ubyte")\nb = open("t10k-images.idx3-ubyte.gz")\nc = open("train-labels-idx1-ubyte")\n', 'python');
    assert.deepEqual(found.map((l) => l.path), ['train-images-idx3-ubyte', 't10k-images.idx3-ubyte.gz']);
  });

  it('an unterminated string ends at its line: the next line is still scanned', () => {
    const found = findDataLiterals("s = 'unterminated.csv\nt = \"next.csv\"\n", 'python');
    assert.deepEqual(found.map((l) => l.path), ['next.csv']);
  });

  it('a language without a scanner, and text without literals, give nothing', () => {
    assert.deepEqual(findDataLiterals('x = "faithful.csv"', 'markdown'), []);
    assert.deepEqual(findDataLiterals('', 'python'), []);
    assert.deepEqual(findDataLiterals('x = 1 / 2 # "c.csv"', 'python'), []);
  });

  it('any text, in any language: no throw, and literals in order, inside the text, each a data file\'s name', () => {
    const pieces = fc.constantFrom('"', "'", '`', '#', '//', '/*', '*/', '#=', '=#', '\\', '\n', 'r', 'raw', 'f', '(', ')', '/', '$', '{', 'x.csv', 'data/', ' ', 'a');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 60 }), fc.constantFrom('python', 'r', 'julia', 'typescript'), (parts, language) => {
        const text = parts.join('');
        let last = 0;
        for (const l of findDataLiterals(text, language)) {
          assert.ok(l.start >= last && l.end > l.start && l.end <= text.length);
          assert.ok(isDataFileName(l.path));
          last = l.end;
        }
      }),
    );
  });

  it('a long file of 5,000 lines: each data literal once, at its line', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => (i % 50 === 0 ? `df${i} = pd.read_csv("data/part-${i}.csv")  # "x.csv"` : `y${i} = f(x, 'label', ${i}) / 2`));
    const text = lines.join('\n');
    const found = findDataLiterals(text, 'python');
    assert.equal(found.length, 100);
    assert.equal(found[99].path, 'data/part-4950.csv');
    assert.equal(text.slice(0, found[99].start).split('\n').length - 1, 4950);
  });
});

describe('code lenses: where a literal\'s file is looked for', () => {
  it('relative paths against the document\'s folder and the workspace; absolute and drive paths as they are; ~ not at all', () => {
    assert.deepEqual(pathLookup('data/x.csv'), { absolute: false, relative: 'data/x.csv' });
    assert.deepEqual(pathLookup('./x.csv'), { absolute: false, relative: 'x.csv' });
    assert.deepEqual(pathLookup('../x.csv'), { absolute: false, relative: '../x.csv' });
    assert.deepEqual(pathLookup('/srv/x.csv'), { absolute: true, path: '/srv/x.csv' });
    assert.deepEqual(pathLookup('C:/data/x.csv'), { absolute: true, path: '/C:/data/x.csv' });
    assert.equal(pathLookup('~/x.csv'), undefined);
  });

  it('lens titles name the file only when a line has several', () => {
    assert.deepEqual(lensTitles('data/x.csv', 1), { cluster: 'Cluster this dataset', withOptions: '…with options' });
    assert.deepEqual(lensTitles('data/x.csv', 2), { cluster: 'Cluster x.csv', withOptions: '…with options' });
  });

  it('the file watcher\'s glob covers every extension and name pattern of the registry', () => {
    const glob = dataFileGlob();
    for (const part of ['*.csv', '*.tsv', '*.npy', '*.gz', '*-idx3-ubyte']) assert.ok(glob.includes(part), part);
    assert.match(glob, /^\*\*\/\{.*\}$/);
  });
});
