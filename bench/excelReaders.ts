// The in-memory Excel readers side by side on generated workbooks of growing length: read-excel-file (the tests'
// oracle) and the project's reader (data/excelBook.ts). Prints, per sheet length, whether each reads the sheet and
// how long it took; read-excel-file's XML parse recurses once per chunk, so from some length on it overflows the stack.
//   npx tsx bench/excelReaders.ts [rows ...]        (default: 25000 50000 100000 150000 300000; five columns)
import { strToU8, zipSync } from 'fflate';
import readXlsxFile from 'read-excel-file/universal';
import { loadDatasetAsync } from '../src/engine/data/load';

function workbook(rows: number): Uint8Array {
  const ns = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const parts = ['<worksheet><sheetData><row r="1">', ...'ABCDE'.split('').map((c) => `<c r="${c}1" t="inlineStr"><is><t>${c.toLowerCase()}</t></is></c>`), '</row>'];
  for (let i = 0; i < rows; i++) {
    const r = i + 2;
    parts.push(`<row r="${r}">${'ABCDE'.split('').map((c, j) => `<c r="${c}${r}"><v>${(((i * 7919 + j * 104729) % 10007) / 1000).toFixed(9)}</v></c>`).join('')}</row>`);
  }
  parts.push('</sheetData></worksheet>');
  return zipSync({
    'xl/workbook.xml': strToU8(`<workbook xmlns:r="${ns}"><sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    'xl/_rels/workbook.xml.rels': strToU8(`<Relationships><Relationship Id="rId1" Type="${ns}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`),
    'xl/worksheets/sheet1.xml': [strToU8(parts.join('')), { level: 6 }],
  });
}

async function timed(read: () => Promise<number>): Promise<string> {
  const started = performance.now();
  try {
    const rows = await read();
    return `${rows} rows in ${Math.round(performance.now() - started)} ms`;
  } catch (error) {
    return `fails: ${(error as Error).message.slice(0, 90)}`;
  }
}

async function main(): Promise<void> {
  const lengths = process.argv.slice(2).map(Number).filter((n) => n > 0);
  for (const rows of lengths.length > 0 ? lengths : [25_000, 50_000, 100_000, 150_000, 300_000]) {
    const bytes = workbook(rows);
    const oracle = await timed(async () => ((await readXlsxFile(Uint8Array.from(bytes).buffer)) as { data: unknown[][] }[])[0].data.length - 1);
    const ours = await timed(async () => {
      const d = await loadDatasetAsync('sheet.xlsx', bytes);
      return d.kind === 'table' ? d.n : 0;
    });
    console.log(`${rows} rows (${(bytes.length / 1e6).toFixed(1)} MB): read-excel-file ${oracle}; Mixscope ${ours}`);
  }
}

void main();
