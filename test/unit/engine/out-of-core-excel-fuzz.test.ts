// Fuzz of the out-of-core Excel reader (data/excelStream.ts, excelZip.ts, excelXml.ts), as the other streamed readers
// are fuzzed: random bytes, and workbooks with mutated bytes (their zip structures, deflate streams and XML), streamed
// in small groups give a fit, the project's DataError naming the file, or EM's own FitError on values damaged into a
// degenerate table — never another exception, never a hang — and the temporary store is removed either way.
// fast-check's seed is fixed in `npm test` (test/setup.ts); MIXSCOPE_FUZZ_RUNS raises the runs.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { fitOutOfCore } from '../../../src/engine/outOfCore';
import type { FitOptions } from '../../../src/shared/protocol';
import { byteMutation, fitsOrRefuses, fuzzRuns, mutate } from './out-of-core-fuzz';

const RUNS = fuzzRuns(60);
const DATA = path.join(__dirname, '..', '..', 'fixtures', 'data');
/** Fits among the mutated inputs: mutations of the sheets' cells must still be read, not only refused. */
let fits = 0;

const mutation = byteMutation();

/** A workbook whose parts are stored, not deflated: mutations then reach the XML itself. */
function storedWorkbook(): Uint8Array {
  const ns = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="B1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>kind</t></is></c></row>'];
  for (let r = 2; r < 80; r++) rows.push(`<row r="${r}"><c r="A${r}"><v>${(r % 2) * 4 + Math.sin(r)}</v></c><c r="B${r}" s="1"><v>${Math.cos(r) - (r % 2)}</v></c><c r="C${r}" t="s"><v>${1 + (r % 2)}</v></c></row>`);
  const level = { level: 0 as const };
  return zipSync({
    'xl/workbook.xml': [strToU8(`<workbook xmlns:r="${ns}"><workbookPr date1904="0"/><sheets><sheet name="data &amp; more" sheetId="1" r:id="rId1"/></sheets></workbook>`), level],
    'xl/_rels/workbook.xml.rels': [strToU8(`<Relationships><Relationship Id="rId1" Type="${ns}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${ns}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="${ns}/styles" Target="styles.xml"/></Relationships>`), level],
    'xl/styles.xml': [strToU8('<styleSheet><numFmts><numFmt numFmtId="164" formatCode="0.00"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>'), level],
    'xl/sharedStrings.xml': [strToU8('<sst><si><t>y</t></si><si><r><t>a</t></r></si><si><t>b</t></si></sst>'), level],
    'xl/worksheets/sheet1.xml': [strToU8(`<worksheet><sheetData>${rows.join('')}</sheetData></worksheet>`), level],
  });
}

describe('out of core: fuzz of the streamed Excel reader (fast-check)', function () {
  this.timeout(300000);
  let temp: string;
  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-ooc-excel-fuzz-'));
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  async function check(name: string, bytes: Uint8Array, options: Partial<FitOptions>): Promise<void> {
    if (await fitsOrRefuses(temp, name, bytes, options, { groupRecords: 13 })) fits++;
  }

  it('random bytes, with and without a zip signature: a DataError naming the file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.boolean(), async (bytes, zipLike) => {
        if (zipLike && bytes.length >= 4) bytes.set([0x50, 0x4b, 0x03, 0x04]);
        await check('random.xlsx', bytes, { model: 'gaussian' });
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated workbooks (deflated by openpyxl and by hand, and stored): a fit, a DataError naming the file or a FitError', async () => {
    const sources = [
      { name: 'fuzz-faithful.xlsx', bytes: new Uint8Array(fs.readFileSync(path.join(DATA, 'faithful.xlsx'))), model: 'gaussian' as const },
      { name: 'fuzz-handmade.xlsx', bytes: new Uint8Array(fs.readFileSync(path.join(DATA, 'excel', 'handmade.xlsx'))), model: 'gaussian' as const },
      { name: 'fuzz-streamed.xlsx', bytes: new Uint8Array(fs.readFileSync(path.join(DATA, 'excel', 'streamed.xlsx'))), model: 'auto' as const },
      { name: 'fuzz-stored.xlsx', bytes: storedWorkbook(), model: 'auto' as const, categorical: ['kind'] },
      { name: 'fuzz-stored-2.xlsx', bytes: storedWorkbook(), model: 'gaussian' as const },
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (source, mutations) => {
        await check(source.name, mutate(source.bytes, mutations), { model: source.model, categorical: 'categorical' in source ? source.categorical : undefined });
      }),
      { numRuns: RUNS * 3 },
    );
    assert.ok(fits > 0, 'some mutated workbooks are still fitted');
  });

  it('the stored workbook unmutated is read: a mixed fit of its numbers and shared-string categories', async () => {
    const file = path.join(temp, 'stored.xlsx');
    fs.writeFileSync(file, storedWorkbook());
    const { result } = await fitOutOfCore(file, { model: 'auto', k: 2, seed: 1, categorical: ['kind'] }, 1, {}, { tempParent: temp, groupRecords: 13 });
    assert.equal(result.model, 'mixed');
    assert.equal(result.n, 78);
    assert.deepEqual(result.columns, ['x', 'y']);
    assert.deepEqual(result.categories?.map((c) => c.column), ['kind']);
  });
});
