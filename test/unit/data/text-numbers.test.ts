// Numbers read from a text table's bytes are exactly the doubles Number() gives for the same text (the fast paths for
// plain decimals and everything they leave to Number()), and a table streamed into the column store in reads of a few
// bytes (rows, quoted fields over several lines and \r\n cut anywhere) is the table the in-memory loader reads.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { loadDataset } from '../../../src/engine/data/load';
import { ColumnStoreReader, createStoreDir, removeStore } from '../../../src/engine/data/store/columnStore';
import { streamTextToStore } from '../../../src/engine/data/store/textStream';
import { MISSING, NUM, RowScanner, type Delimiter } from '../../../src/engine/data/text/cells';
import { EXACT_PATH, parsePlainNumber } from '../../../src/engine/data/text/numbers';
import { DataError } from '../../../src/engine/errors';
import { utf8 } from '../../fixtures/data/helpers';

const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Values whose correct rounding trips naive parsers: 17-digit mantissas, halfway cases, denormals, the extremes. */
const TRICKY = [
  '0.1', '0.2', '0.3', '0.30000000000000004', '1e-300', '1e300', '1e-323', '4.9e-324', '2.4703282292062327e-324', '2.4703282292062328e-324',
  '2.2250738585072011e-308', '2.2250738585072014e-308', '1.7976931348623157e308', '1.7976931348623158e308', '9007199254740993',
  '9007199254740992.5', '123456789012345678', '0.1000000000000000055511151231257827', '1.00000000000000011102230246251565',
  '3.141592653589793', '2.718281828459045', '1e22', '1e23', '1e-22', '1e-23', '8.41e21', '5e-324', '123456.789012', '-0', '-0.000',
  '0.000001', '999999999999999', '9999999999999999', '99999999999999999', '.5', '5.', '+.5e-3', '00012.5000', '1E+05', '7e0',
  '0.0000000000000000000000000000001', '4.35000000000000000000001', '1.5e-7', '-123.456789', '1e-5', '12345678.12345678',
];

/** Number() of a table's cell text, as the loader reads it (NaN when the text is no number). */
function reference(text: string): number {
  return NUMBER_TEXT.test(text) ? Number(text) : NaN;
}

function scanCells(line: string, delimiter: Delimiter): RowScanner {
  const row = new RowScanner(delimiter, false);
  const bytes = utf8(line);
  row.scanBytes(bytes, 0, bytes.length);
  return row;
}

describe('text tables: numbers from bytes', () => {
  it('tricky values are the doubles Number() gives, through the plain-decimal parser, the row scanner and the loader', () => {
    for (const text of TRICKY) {
      const bytes = utf8(text);
      const plain = parsePlainNumber(bytes, 0, bytes.length);
      assert.ok(!Number.isNaN(plain), text);
      if (plain !== EXACT_PATH) assert.ok(Object.is(plain, Number(text)), `${text}: ${plain} vs ${Number(text)}`);
    }
    for (const delimiter of [',', '\t', ' '] as Delimiter[]) {
      const row = scanCells(TRICKY.join(delimiter), delimiter);
      assert.equal(row.count, TRICKY.length);
      TRICKY.forEach((text, j) => {
        const expected = Number(text);
        if (!Number.isFinite(expected)) return;
        assert.equal(row.kinds[j], NUM, text);
        assert.ok(Object.is(row.values[j], expected), `${text}: ${row.values[j]} vs ${expected}`);
      });
    }
    const csv = ['x', ...TRICKY.filter((t) => Number.isFinite(Number(t)))].join('\n');
    const data = loadDataset('tricky.csv', utf8(csv));
    assert.ok(data.kind === 'table');
    const expected = TRICKY.filter((t) => Number.isFinite(Number(t))).map(Number);
    assert.deepEqual(Array.from(data.values).map((v) => Object.is(v, -0) ? '-0' : v), expected.map((v) => (Object.is(v, -0) ? '-0' : v)));
  });

  it('the fast paths take the common decimals, and whatever they take is what Number() gives', () => {
    const bytes = (t: string) => utf8(t);
    // printf-style "%.6f" and short decimals are the fast path's, not Number()'s.
    for (const t of ['-12.375000', '0.000001', '123456789.123456', '42', '1.5e3', '-.25']) assert.equal(parsePlainNumber(bytes(t), 0, t.length), Number(t), t);
    // …numbers it leaves to Number() (more digits or a larger power of ten than one rounding allows)…
    for (const t of ['12345678901234567', '1e23', '1e-400', '1e99999999999', '0.0000000000000000000001e99999999']) assert.equal(parsePlainNumber(bytes(t), 0, t.length), EXACT_PATH, t);
    // …and texts that are no numbers.
    for (const t of ['x', '1e', '.', '-', '1.2.3', '0x10', '1_0', ' 1', '1e5x', '--1']) assert.ok(Number.isNaN(parsePlainNumber(bytes(t), 0, t.length)), t);
    const text = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc.tuple(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.integer({ min: 0, max: 20 })).map(([v, k]) => v.toFixed(k)),
      fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 })).map(([v, k]) => v.toExponential(k)),
      fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 1, max: 21 })).map(([v, k]) => v.toPrecision(k)),
      fc.stringMatching(/^[+-]?([0-9]{0,18}\.[0-9]{0,18}|[0-9]{1,20})([eE][+-]?[0-9]{1,4})?$/),
      fc.stringMatching(/^[-+.eE0-9]{1,12}$/),
    );
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 8 }), (cells) => {
        for (const t of cells) {
          const plain = parsePlainNumber(bytes(t), 0, t.length);
          assert.equal(!Number.isNaN(plain), NUMBER_TEXT.test(t), `${t}: ${plain}`);
          if (!Number.isNaN(plain) && plain !== EXACT_PATH) assert.ok(Object.is(plain, Number(t)), `${t}: ${plain} vs ${Number(t)}`);
        }
        const row = scanCells(cells.join(','), ',');
        assert.equal(row.count, cells.length);
        cells.forEach((t, j) => {
          const expected = reference(t);
          if (Number.isFinite(expected)) assert.ok(row.kinds[j] === NUM && Object.is(row.values[j], expected), `${t}: ${row.values[j]} vs ${expected}`);
          else assert.notEqual(row.kinds[j], NUM, t);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('cells are trimmed, empty ones missing, and a line ends at \\n, \\r\\n or \\r', () => {
    const row = scanCells(' 1.5 ,\t-2\t, ,x,3\r\n4', ',');
    assert.equal(row.count, 5);
    assert.deepEqual(Array.from(row.kinds.subarray(0, 5)), [NUM, NUM, MISSING, 3, NUM]);
    assert.deepEqual([row.values[0], row.values[1], row.values[4]], [1.5, -2, 3]);
    assert.equal(row.lineEnd, 16);
    assert.equal(row.text(3), 'x');
    const spaced = scanCells('  1\t\t2   3.25 \r4', ' ');
    assert.equal(spaced.count, 3);
    assert.deepEqual(Array.from(spaced.values.subarray(0, 3)), [1, 2, 3.25]);
    assert.equal(spaced.lineEnd, 14);
  });
});

describe('text tables: the streamed parse in small reads', () => {
  let temp: string;
  beforeEach(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-stream-test-'));
  });
  afterEach(() => fs.rmSync(temp, { recursive: true, force: true }));

  const cell = fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => v.toFixed(3)) },
    { weight: 1, arbitrary: fc.constantFrom('NA', '', 'x', '"7"', '"a\nb"', '"a\r\nb"', '1e309', '0.1', '12345678901234567') },
  );
  const line = fc.oneof(
    { weight: 10, arbitrary: fc.array(cell, { minLength: 3, maxLength: 3 }).map((cells) => cells.join(',')) },
    { weight: 1, arbitrary: fc.constantFrom('', '# note', '1,2', '"open,2,3', '4,5,6"') },
  );

  it('reads every row, value and skipped line as the in-memory loader does, whatever the read size', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), fc.constantFrom('\n', '\r\n', '\r'), fc.integer({ min: 1, max: 64 }), fc.boolean(), fc.boolean(), (lines, eol, readBytes, bom, header) => {
        const text = (bom ? '\ufeff' : '') + [...(header ? ['a,b,c'] : []), '1,2,3', ...lines].join(eol) + eol;
        const file = path.join(temp, 't.csv');
        fs.writeFileSync(file, text);
        let memory;
        try {
          memory = loadDataset('t.csv', utf8(text), { missing: 'skip' });
        } catch (e) {
          if (e instanceof DataError) return;
          throw e;
        }
        if (memory.kind !== 'table') return;
        const dir = createStoreDir(temp);
        try {
          const { store, summary } = streamTextToStore(file, dir, { readBytes });
          assert.equal(store.n, memory.n);
          assert.deepEqual(summary.skippedLines, memory.summary.skippedLines);
          assert.equal(summary.skippedRows, memory.summary.skippedRows);
          const reader = new ColumnStoreReader(store);
          const out = new Float64Array(store.n * memory.d);
          reader.read(0, store.n, out);
          reader.close();
          assert.deepEqual(Array.from(out), Array.from(memory.values));
        } finally {
          removeStore(dir);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('text tables: rows read once', () => {
  // Past the first pass's checkpoints (every 256 rows), a skipped row's cell is found again for its message.
  const lines = ['a,b,c,label'];
  for (let i = 0; i < 1000; i++) lines.push(i === 600 ? `${i},abc,${-i},0` : i === 800 ? `${i},0.5,NA,1` : i === 900 ? `${i},0.5,1,x` : `${i},${i / 8},${-i},${i % 3}`);
  const text = lines.join('\n') + '\n';

  it('skipped rows far into the table are reported with their cell and line', () => {
    const data = loadDataset('far.csv', utf8(text));
    assert.ok(data.kind === 'table');
    assert.equal(data.n, 997);
    assert.deepEqual(data.summary.skippedLines, [602, 802, 902]);
    assert.ok(data.summary.notes.includes('1 row skipped: text in a numeric column at line 602 (first: "abc" in b)'), data.summary.notes.join('\n'));
    assert.ok(data.summary.notes.includes('1 row skipped: missing values at line 802 (first: "NA" in c)'));
    assert.ok(data.summary.notes.includes('1 row skipped: a missing or non-integer label at line 902 (first: "x")'));
    assert.deepEqual(Array.from(data.labels!.subarray(0, 4)), [0, 1, 2, 0]);
    assert.deepEqual(Array.from(data.values.subarray(3 * 996, 3 * 997)), [999, 999 / 8, -999]);
  });

  it('columns asked for in another order, and missing cells kept, read the right cells', () => {
    const data = loadDataset('far.csv', utf8(text), { columns: ['c', 'a'], missing: 'marginalize' });
    assert.ok(data.kind === 'table');
    assert.deepEqual(data.columns, ['c', 'a']);
    assert.equal(data.n, 999); // the row with "abc" in b (not fitted) is kept; the one without its label is not
    assert.deepEqual(Array.from(data.values.subarray(0, 4)), [0, 0, -1, 1]);
    const row800 = Array.from(data.sourceLines!).indexOf(802);
    assert.ok(Number.isNaN(data.values[2 * row800]) && data.missing![2 * row800] === 1);
    assert.equal(data.values[2 * row800 + 1], 800);
  });
});
