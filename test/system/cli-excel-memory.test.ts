// Memory guard of the out-of-core Excel reader: a generated workbook whose sheet inflates to several times the V8 heap
// the CLI is given (--max-old-space-size) is fitted out of core under a small budget, so the sheet's XML is never
// held whole; the fit's rows are every row of the sheet.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { strToU8, Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { Rng } from '../../src/engine/em/rng';

const root = path.resolve(__dirname, '../..');
const ROWS = 700_000;
const HEAP_MB = 40;

/** Writes a workbook of ROWS rows (two Gaussian blobs in three columns and a shared-string column) to `file`; returns the sheet's XML size. */
function writeWorkbook(file: string): number {
  const fd = fs.openSync(file, 'w');
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    fs.writeSync(fd, chunk);
  });
  const ns = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const small = (name: string, text: string) => {
    const entry = new ZipPassThrough(name);
    zip.add(entry);
    entry.push(strToU8(text), true);
  };
  small('xl/workbook.xml', `<workbook xmlns:r="${ns}"><sheets><sheet name="big" sheetId="1" r:id="rId1"/></sheets></workbook>`);
  small('xl/_rels/workbook.xml.rels', `<Relationships><Relationship Id="rId1" Type="${ns}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${ns}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`);
  small('xl/sharedStrings.xml', '<sst><si><t>a</t></si><si><t>b</t></si><si><t>kind</t></si></sst>');
  const sheet = new ZipDeflate('xl/worksheets/sheet1.xml', { level: 1 });
  zip.add(sheet);
  const rng = new Rng(18);
  const z = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  let xmlBytes = 0;
  const push = (text: string, last = false) => {
    const bytes = strToU8(text);
    xmlBytes += bytes.length;
    sheet.push(bytes, last);
  };
  push('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>u</t></is></c><c r="B1" t="inlineStr"><is><t>v</t></is></c><c r="C1" t="inlineStr"><is><t>w</t></is></c><c r="D1" t="s"><v>2</v></c></row>');
  let parts: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    const r = i + 2;
    const g = i % 2;
    parts.push(`<row r="${r}" spans="1:4"><c r="A${r}"><v>${(4 * g + z()).toFixed(6)}</v></c><c r="B${r}"><v>${(-2 * g + z()).toFixed(6)}</v></c><c r="C${r}"><v>${(g + 0.5 * z()).toFixed(6)}</v></c><c r="D${r}" t="s"><v>${g}</v></c></row>`);
    if (parts.length === 10_000) {
      push(parts.join(''));
      parts = [];
    }
  }
  push(parts.join('') + '</sheetData></worksheet>', true);
  zip.end();
  fs.closeSync(fd);
  return xmlBytes;
}

describe('CLI: an Excel workbook far over the budget and the heap, out of core', () => {
  let temp: string;
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does).');
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-excel-memory-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  it(`streams a sheet whose XML is more than twice a ${HEAP_MB} MB heap: every row fitted, no store left behind`, function () {
    this.timeout(600000);
    const file = path.join(temp, 'big.xlsx');
    const xmlBytes = writeWorkbook(file);
    const size = fs.statSync(file).size;
    assert.ok(xmlBytes > 2.5 * HEAP_MB * 1024 * 1024, `the sheet's XML is ${xmlBytes} bytes`);
    assert.ok(size > 8 * 1024 * 1024, `the workbook is ${size} bytes`);
    const r = spawnSync(
      process.execPath,
      [`--max-old-space-size=${HEAP_MB}`, path.join(root, 'bin/mixscope.js'), 'fit', file, '--model', 'gaussian', '--k', '2', '--seed', '1', '--max-iter', '5', '--memory-budget-mb', '4', '--json'],
      { encoding: 'utf8', env: { ...process.env, TMPDIR: temp }, maxBuffer: 64 * 1024 * 1024 },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.n, ROWS);
    assert.deepEqual(out.columns, ['u', 'v', 'w']);
    assert.ok(out.dataset.notes.some((n: string) => n.startsWith(`fitted out of core: ${ROWS} rows streamed group of rows by group of rows`)), JSON.stringify(out.dataset.notes));
    // The two blobs are found: one mean near u = 0, the other near u = 4.
    const us = out.means.map((m: number[]) => m[0]).sort((a: number, b: number) => a - b);
    assert.ok(Math.abs(us[0]) < 0.1 && Math.abs(us[1] - 4) < 0.1, JSON.stringify(out.means));
    assert.deepEqual(fs.readdirSync(temp).filter((f) => f.startsWith('mixscope-store-')), []);
  });
});
