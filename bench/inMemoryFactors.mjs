// What an in-memory fit takes per byte of its file, by format: the factors of src/engine/outOfCorePolicy.ts.
//
//   node bench/outOfCore.mjs --factors [--factor-sizes 8,32] [--formats csv,tsv,parquet,arrow,json,ndjson,npy,idx,xlsx]
//
// For each format, two files of the same data (Gaussian blobs, 10 columns, "%.5f" in text; K = 5, 3 iterations;
// IDX: 28 × 28 images of three bands of pixels, the Bernoulli family with K = 10) are fitted in memory by the CLI (a
// budget far above them) under /usr/bin/time -v. The factor is the growth of peak RSS between the two fits divided by
// the growth of the file: what each further byte of the file costs as it is read, decoded and fitted, without the
// process's own fixed memory. Excel files are written a thirty-second of those sizes (a zipped sheet inflates many
// times as it is parsed).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generator, writeLargeFile } from '../test/fixtures/largeFiles.mjs';

const MB = 1024 * 1024;
const COLUMNS = 10;

/** Rows of Gaussian blobs as text cells ("%.5f"), `count` at a time from a seeded generator. */
function rowsOf(rng, k) {
  return () => {
    const g = Math.floor(rng.next() * k);
    return Array.from({ length: COLUMNS }, (_, j) => (3 * ((g + j) % k) - 5 + rng.gauss() * (1 + j / 4)).toFixed(5));
  };
}

/** Writes text made line by line until it holds `mb` MB; returns the rows. */
function writeLines(file, mb, head, line, tail = '') {
  const fd = fs.openSync(file, 'w');
  let written = fs.writeSync(fd, head);
  let rows = 0;
  try {
    while (written < mb * MB) {
      const chunk = [];
      for (let i = 0; i < 5000; i++, rows++) chunk.push(line(rows));
      written += fs.writeSync(fd, chunk.join(''));
    }
    fs.writeSync(fd, tail);
  } finally {
    fs.closeSync(fd);
  }
  return rows;
}

/** A minimal .xlsx (one sheet of numbers under a header row), zipped with fflate. */
async function writeXlsx(file, mb) {
  const { zipSync, strToU8 } = await import('fflate');
  const next = rowsOf(generator(), 5);
  const col = (j) => String.fromCharCode(65 + j);
  const rows = [`<row r="1">${Array.from({ length: COLUMNS }, (_, j) => `<c r="${col(j)}1" t="inlineStr"><is><t>x${j + 1}</t></is></c>`).join('')}</row>`];
  // The zipped sheet is about a sixth of its XML: write six times the size asked for, as XML.
  let bytes = 0;
  for (let r = 2; bytes < 6 * mb * MB; r++) {
    const row = `<row r="${r}">${next().map((v, j) => `<c r="${col(j)}${r}"><v>${v}</v></c>`).join('')}</row>`;
    rows.push(row);
    bytes += row.length;
  }
  const files = {
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ),
    'xl/workbook.xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    ),
    'xl/worksheets/sheet1.xml': strToU8(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows.join('')}</sheetData></worksheet>`),
  };
  fs.writeFileSync(file, zipSync(files));
  return rows.length - 1;
}

/** Writes about `mb` MB of the format to `file`; returns the CLI arguments of its fit. */
async function writeFormat(format, file, mb) {
  const gaussian = ['--model', 'gaussian', '--k', '5'];
  switch (format) {
    case 'csv':
    case 'tsv': {
      const next = rowsOf(generator(), 5);
      const sep = format === 'csv' ? ',' : '\t';
      writeLines(file, mb, Array.from({ length: COLUMNS }, (_, j) => `x${j + 1}`).join(sep) + '\n', () => next().join(sep) + '\n');
      return gaussian;
    }
    case 'parquet':
    case 'arrow':
      await writeLargeFile(file, format, mb, { columns: COLUMNS, k: 5, groupRows: 65_536 });
      return gaussian;
    case 'json':
    case 'ndjson': {
      const next = rowsOf(generator(), 5);
      const record = () => `{${next().map((v, j) => `"x${j + 1}":${v}`).join(',')}}`;
      if (format === 'json') writeLines(file, mb, '[', (i) => (i > 0 ? ',\n' : '') + record(), ']\n');
      else writeLines(file, mb, '', () => record() + '\n');
      return gaussian;
    }
    case 'npy': {
      const rng = generator();
      const rows = Math.floor((mb * MB) / (8 * COLUMNS));
      let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${rows}, ${COLUMNS}), }`;
      header = header.padEnd(((header.length + 10 + 1 + 63) & ~63) - 10 - 1, ' ') + '\n';
      const fd = fs.openSync(file, 'w');
      const prefix = Buffer.alloc(10);
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
      prefix.writeUInt16LE(header.length, 8);
      fs.writeSync(fd, prefix);
      fs.writeSync(fd, header);
      for (let done = 0; done < rows; ) {
        const n = Math.min(65_536, rows - done);
        const block = new Float64Array(n * COLUMNS);
        for (let i = 0; i < n; i++) {
          const g = Math.floor(rng.next() * 5);
          for (let j = 0; j < COLUMNS; j++) block[i * COLUMNS + j] = 3 * ((g + j) % 5) - 5 + rng.gauss() * (1 + j / 4);
        }
        fs.writeSync(fd, new Uint8Array(block.buffer));
        done += n;
      }
      fs.closeSync(fd);
      return gaussian;
    }
    case 'idx': {
      // 28 × 28 images, each lighting one of three bands of rows (p 0.6) over a dark background.
      const rng = generator();
      const size = 28 * 28;
      const n = Math.floor((mb * MB) / size);
      const head = Buffer.alloc(16);
      head.writeUInt32BE(0x00000803, 0);
      head.writeUInt32BE(n, 4);
      head.writeUInt32BE(28, 8);
      head.writeUInt32BE(28, 12);
      const fd = fs.openSync(file, 'w');
      fs.writeSync(fd, head);
      for (let done = 0; done < n; ) {
        const m = Math.min(4096, n - done);
        const block = new Uint8Array(m * size);
        for (let i = 0; i < m; i++) {
          const band = Math.floor(rng.next() * 3);
          for (let p = 0; p < size; p++) if (Math.floor(((p / 28) | 0) / 10) === band && rng.next() < 0.6) block[i * size + p] = 128 + Math.floor(rng.next() * 128);
        }
        fs.writeSync(fd, block);
        done += m;
      }
      fs.closeSync(fd);
      return ['--model', 'bernoulli', '--k', '10'];
    }
    case 'xlsx':
      await writeXlsx(file, mb);
      return gaussian;
    default:
      throw new Error(`unknown format ${format}`);
  }
}

const FILE_NAMES = { csv: 'data.csv', tsv: 'data.tsv', parquet: 'data.parquet', arrow: 'data.arrow', json: 'data.json', ndjson: 'data.ndjson', npy: 'data.npy', idx: 'data-idx3-ubyte', xlsx: 'data.xlsx' };

/** The CLI's in-memory fit under /usr/bin/time -v: its peak RSS in MB (NaN when it failed). */
function peakRss(cli, file, args) {
  return new Promise((resolve) => {
    const argv = ['-v', process.execPath, cli, 'fit', file, ...args, '--max-iter', '3', '--tol', '0', '--seed', '1', '--memory-budget-mb', '65536'];
    const child = spawn('/usr/bin/time', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => {
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
      if (code !== 0) process.stderr.write(err.split('\n').slice(0, 3).join('\n') + '\n');
      resolve(code === 0 && rss ? Number(rss[1]) / 1024 : NaN);
    });
  });
}

export async function measureFactors(cli, { sizes = [8, 32], formats = Object.keys(FILE_NAMES) } = {}) {
  console.log(`| format | file sizes | peak RSS in memory | factor (peak RSS growth ÷ file growth) |`);
  console.log('|---|---|---|---|');
  const factors = {};
  for (const format of formats) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixscope-bench-factors-'));
    try {
      const file = path.join(dir, FILE_NAMES[format]);
      // Excel's zipped sheet inflates several times as it is parsed into cells: a quarter of the sizes.
      const mbs = format === 'xlsx' ? sizes.map((s) => s / 4) : sizes;
      const runs = [];
      for (const mb of mbs) {
        const args = await writeFormat(format, file, mb);
        const bytes = fs.statSync(file).size;
        runs.push({ bytes, peak: await peakRss(cli, file, args) });
        fs.rmSync(file);
      }
      const [a, b] = [runs[0], runs[runs.length - 1]];
      const factor = (b.peak - a.peak) / ((b.bytes - a.bytes) / MB);
      factors[format] = factor;
      console.log(`| ${format} | ${runs.map((r) => `${(r.bytes / MB).toFixed(1)} MB`).join(', ')} | ${runs.map((r) => `${r.peak.toFixed(0)} MB`).join(', ')} | ${factor.toFixed(1)} |`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return factors;
}
