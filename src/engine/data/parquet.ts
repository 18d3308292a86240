// Apache Parquet (.parquet), read by hyparquet (pure JavaScript, no native build) with hyparquet-compressors for
// the snappy, zstd and LZ4 pages (gzip and brotli pages go through Node's zlib). The metadata say the columns and row groups; each column is read row
// group by row group, so a damaged page is reported with its row group and column. Nested columns (lists, structs,
// maps), dates and times, and binary columns are left out by their schema type, without reading them.

import { parquetMetadata, parquetRead, parquetSchema, type FileMetaData, type SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { compressors as jsCompressors } from 'hyparquet-compressors';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { dataError, exactArrayBuffer, listSome, plural } from './common';
import type { ImageData, TableData } from './dataset';
import { loadCellTable, type CellColumn, type CellTableOptions } from './cellTable';
import { looksLikeParquet } from './magic';
import { checkDataPageV1, checkDataPageV2Levels, checkDataPageV2Values, hybridValues, type PageLevels } from './parquetLevels';

/** Node's own zlib for gzip and brotli pages: the pure-JS inflater can loop forever on a damaged page. */
export const compressors = {
  ...jsCompressors,
  GZIP: (input: Uint8Array, outputLength: number) => asBytes(gunzipSync(input, { maxOutputLength: Math.max(1, outputLength) })),
  BROTLI: (input: Uint8Array, outputLength: number) => asBytes(brotliDecompressSync(input, { maxOutputLength: Math.max(1, outputLength) })),
};

function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** Rows a table may have (one JavaScript array per column). */
const MAX_ROWS = 2 ** 31 - 1;

export const EXPECTED = 'Expected a Parquet file (it starts and ends with "PAR1"), as pandas.DataFrame.to_parquet or pyarrow write it.';

export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^parquet /, '');
}

/** Why a column cannot be fitted, from its schema alone; undefined when its values are read. */
export function unusableReason(column: SchemaTree): string | undefined {
  const { element } = column;
  if (column.children.length > 0 || element.repetition_type === 'REPEATED') return 'nested values (lists, structs or maps)';
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (logical === 'DATE' || logical === 'TIME' || logical === 'TIMESTAMP' || converted === 'DATE' || /^TIME/.test(converted ?? '') || element.type === 'INT96') {
    return 'dates or times (not used in a fit)';
  }
  if (logical === 'DECIMAL' || converted === 'DECIMAL' || logical === 'FLOAT16') return undefined;
  if (logical === 'STRING' || logical === 'ENUM' || converted === 'UTF8' || converted === 'ENUM') return undefined;
  if (logical === 'JSON' || converted === 'JSON' || logical === 'BSON' || converted === 'BSON' || logical === 'VARIANT') return 'nested values (JSON documents)';
  if (element.type === 'FIXED_LEN_BYTE_ARRAY' || logical === 'UUID' || logical === 'GEOMETRY' || logical === 'GEOGRAPHY') return 'binary values';
  return undefined;
}

export async function loadParquet(fileName: string, bytes: Uint8Array, options: CellTableOptions): Promise<TableData | ImageData> {
  if (bytes.length < 12 || !looksLikeParquet(bytes)) {
    throw dataError(fileName, bytes.length === 0 ? `the file is empty. ${EXPECTED}` : `the file does not start with "PAR1". ${EXPECTED}`);
  }
  // hyparquet reads from an ArrayBuffer holding exactly the file.
  const file = exactArrayBuffer(bytes);
  let metadata: FileMetaData;
  let schema: SchemaTree;
  try {
    metadata = parquetMetadata(file);
    schema = parquetSchema(metadata);
  } catch (error) {
    throw dataError(fileName, `the file's metadata (its footer) cannot be read: ${reasonOf(error)}. ${EXPECTED} The file may be truncated: copy or write it again.`);
  }
  const rows = Number(metadata.num_rows);
  const groups = metadata.row_groups;
  const groupTotal = groups.reduce((sum, group) => sum + Number(group.num_rows), 0);
  if (!(Number.isSafeInteger(rows) && rows >= 0 && rows <= MAX_ROWS && groupTotal === rows)) {
    throw dataError(fileName, `the metadata announce ${metadata.num_rows} rows but the row groups hold ${groupTotal}${rows > MAX_ROWS ? ` (at most ${MAX_ROWS} rows are read)` : ''}. The file is damaged: write it again.`);
  }
  const columns: CellColumn[] = schema.children.map((child) => {
    const unusable = unusableReason(child);
    return { name: child.element.name, cells: unusable ? [] : new Array<unknown>(rows), unusable };
  });
  const levelsOf = pageLevelsOf(schema);
  let groupStart = 0;
  for (let g = 0; g < groups.length; g++) {
    const groupRows = Number(groups[g].num_rows);
    if (!Number.isSafeInteger(groupRows) || groupRows < 0 || groupStart + groupRows > rows) {
      throw dataError(fileName, `row group ${g + 1} of ${groups.length} announces ${groups[g].num_rows} rows, more than the file's ${rows}: the metadata are damaged.`);
    }
    checkPages(fileName, () => ({ buffer: file, base: 0, fileLength: file.byteLength }), groups[g], groupRows, `row group ${g + 1} of ${groups.length}`, levelsOf);
    for (const column of columns) {
      if (column.unusable || groupRows === 0) continue;
      const cells = column.cells as unknown[];
      let filled = 0;
      try {
        await parquetRead({
          file,
          metadata,
          compressors,
          columns: [column.name],
          rowStart: groupStart,
          rowEnd: groupStart + groupRows,
          onChunk: (chunk) => {
            const { columnData, rowStart } = chunk;
            for (let i = 0; i < columnData.length; i++) {
              const at = rowStart + i;
              if (at >= groupStart && at < groupStart + groupRows) cells[at] = columnData[i];
            }
            filled += columnData.length;
          },
        });
      } catch (error) {
        throw dataError(fileName, `row group ${g + 1} of ${groups.length}, column "${column.name}" cannot be read: ${reasonOf(error)}. The file may be damaged: write it again.`);
      }
      if (filled < groupRows) {
        throw dataError(fileName, `row group ${g + 1} of ${groups.length}, column "${column.name}": ${filled} values for ${groupRows} rows. The file is damaged: write it again.`);
      }
    }
    groupStart += groupRows;
  }
  const codecs = [...new Set(groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec ?? 'UNCOMPRESSED')))];
  const notes = [`Parquet: ${plural(rows, 'row')} in ${plural(groups.length, 'row group')} (${listSome(codecs.map((c) => c.toLowerCase()))})`];
  return loadCellTable(fileName, { columns, rows, unit: 'row', notes }, options);
}

/** Flat columns read: whether each has definition levels (OPTIONAL) and holds booleans, for the page checks. */
export function pageLevelsOf(schema: SchemaTree): Map<string, PageLevels> {
  const levelsOf = new Map<string, PageLevels>();
  for (const child of schema.children) {
    if (unusableReason(child)) continue;
    const { element } = child;
    levelsOf.set(element.name, { maxDefinitionLevel: element.repetition_type === 'REQUIRED' ? 0 : 1, boolean: element.type === 'BOOLEAN' });
  }
  return levelsOf;
}

/**
 * Bytes of the file for the page checks: `buffer` holds the file's bytes from offset `base` and covers at least
 * `size` bytes from `start` (the whole file in memory; just that range read from disk out of core), and the file's
 * length.
 */
export type ChunkBytes = (start: number, size: number) => { buffer: ArrayBuffer; base: number; fileLength: number };

/** Where a data page starts (its header) and its length and first row, as a Parquet offset index says. */
export interface PageLocation {
  offset: bigint;
  compressed_page_size: number;
  first_row_index: bigint;
}

/** The data pages of each flat column chunk of a row group, by column name. */
export type PageLocations = Record<string, PageLocation[]>;

/** The first bytes read for a page header; a header that does not fit is read again in a larger window. */
const HEADER_WINDOW = 256;
/** No page header is larger (statistics of a few long strings at most). */
const HEADER_MOST = 16 * 1024 * 1024;

/**
 * Walks the page headers of every column chunk of a row group: each page must lie inside its chunk. hyparquet moves
 * by a page's compressed size without checking it, so a damaged (negative) size would make it read the same pages
 * forever. The bytes are asked for page by page (a header, then the page's data only when a check reads it), so a
 * huge column chunk is never held whole. Returns the data pages' locations of each column whose pages add up to the
 * row group's rows (a column missing from it is read from its whole chunk).
 */
export function checkPages(fileName: string, bytesOf: ChunkBytes, group: FileMetaData['row_groups'][number], groupRows: number, where: string, levelsOf: Map<string, PageLevels>, only?: Set<string>): PageLocations {
  const locations: PageLocations = {};
  for (const chunk of group.columns) {
    const meta = chunk.meta_data;
    // Only flat columns are read (nested ones are left out by their type): one value per row.
    if (!meta || meta.path_in_schema.length !== 1) continue;
    const name = meta.path_in_schema.join('.');
    if (only && !only.has(name)) continue;
    const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
    const size = Number(meta.total_compressed_size);
    const { fileLength } = bytesOf(0, 0);
    if (!(start >= 4 && size >= 0 && start + size <= fileLength - 8)) {
      throw dataError(fileName, `${where}, column "${name}": its pages (byte ${start}, ${size} bytes) lie outside the file. The file is damaged: write it again.`);
    }
    const pages: PageLocation[] = [];
    let rowsSeen = 0;
    let locatable = true;
    let at = 0;
    while (at < size - 1) {
      let pageSize: number;
      let values: number;
      let levelsFit = true;
      let header: ReturnType<typeof parquetHeader> | undefined;
      let headerLength = 0;
      // The bytes read for the header: a small page's data is in them too.
      let read = { buffer: new ArrayBuffer(0), base: 0, end: 0 };
      for (let window = Math.min(HEADER_WINDOW, size - at); !header; window = Math.min(window * 8, size - at, HEADER_MOST)) {
        const { buffer, base } = bytesOf(start + at, window);
        read = { buffer, base, end: start + at + window };
        const reader = { view: new DataView(buffer, start + at - base, window), offset: 0 };
        try {
          header = parquetHeader(reader);
          headerLength = reader.offset;
        } catch (error) {
          // A header cut by the window's end is read again in a larger one.
          if (error instanceof RangeError && window < Math.min(size - at, HEADER_MOST)) continue;
          throw dataError(fileName, `${where}, column "${name}": the page header at byte ${start + at} cannot be read (${reasonOf(error)}). The file is damaged: write it again.`);
        }
      }
      try {
        pageSize = header.compressed_page_size;
        values = header.data_page_header?.num_values ?? header.data_page_header_v2?.num_values ?? 0;
        const v2 = header.data_page_header_v2;
        // Version 2 pages: hyparquet reads the level lengths as given (a missing one makes an offset NaN).
        if (v2) levelsFit = isCount(v2.num_nulls) && isCount(v2.definition_levels_byte_length) && isCount(v2.repetition_levels_byte_length) &&
          v2.definition_levels_byte_length + v2.repetition_levels_byte_length <= pageSize;
      } catch (error) {
        throw dataError(fileName, `${where}, column "${name}": the page header at byte ${start + at} cannot be read (${reasonOf(error)}). The file is damaged: write it again.`);
      }
      const dataAt = at + headerLength;
      if (!(Number.isSafeInteger(pageSize) && pageSize >= 0 && dataAt + pageSize <= size)) {
        throw dataError(fileName, `${where}, column "${name}": the page at byte ${start + at} claims ${pageSize} bytes, outside its column chunk. The file is damaged: write it again.`);
      }
      // hyparquet sizes its arrays by a page's value count: a damaged count would allocate and fill billions.
      if (!(isCount(values) && values <= groupRows && levelsFit)) {
        throw dataError(fileName, `${where}, column "${name}": the page at byte ${start + at} claims ${values} values for the row group's ${groupRows} rows, or levels that do not fit in it. The file is damaged: write it again.`);
      }
      const column = levelsOf.get(name);
      const pageBytes = () => {
        const { buffer, base } = start + dataAt + pageSize <= read.end ? read : bytesOf(start + dataAt, pageSize);
        return new Uint8Array(buffer, start + dataAt - base, pageSize);
      };
      const problem = column && checkPageData(pageBytes, header, meta.codec, column);
      if (problem) {
        throw dataError(fileName, `${where}, column "${name}": the page at byte ${start + at} is damaged: ${problem}. Write the file again.`);
      }
      if (header.type === 'DATA_PAGE' || header.type === 'DATA_PAGE_V2') {
        // A flat column has one value (or null) per row: a page's values are its rows.
        pages.push({ offset: BigInt(start + at), compressed_page_size: headerLength + pageSize, first_row_index: BigInt(rowsSeen) });
        rowsSeen += header.data_page_header_v2?.num_rows ?? values;
      } else if (header.type !== 'DICTIONARY_PAGE' || pages.length > 0) locatable = false;
      at = dataAt + pageSize;
    }
    if (locatable && pages.length > 0 && rowsSeen === groupRows) locations[name] = pages;
  }
  return locations;
}

/** A page's bytes as hyparquet decompresses them; undefined for a codec it reads without us or cannot read. */
function decompressed(bytes: Uint8Array, size: number, codec: string): Uint8Array | undefined {
  if (codec === 'UNCOMPRESSED') return bytes;
  const decompress = (compressors as Record<string, ((input: Uint8Array, outputLength: number) => Uint8Array) | undefined>)[codec];
  if (!decompress) return undefined;
  try {
    const page = decompress(bytes, size);
    return page.length === size ? page : undefined;
  } catch {
    // hyparquet meets the same failure and reports it.
    return undefined;
  }
}

/**
 * The level and hybrid value streams of one data page (see parquetLevels.ts): what is wrong, or undefined. The
 * page is decompressed for this only when it holds such a stream.
 */
function checkPageData(pageBytes: () => Uint8Array, header: ReturnType<typeof parquetHeader>, codec: string, column: PageLevels): string | undefined {
  const v1 = header.type === 'DATA_PAGE' ? header.data_page_header : undefined;
  if (v1) {
    if (!column.maxDefinitionLevel && !hybridValues(v1.encoding)) return undefined;
    const page = decompressed(pageBytes(), header.uncompressed_page_size, codec);
    return page && checkDataPageV1(page, v1.num_values, v1.encoding, column);
  }
  const v2 = header.type === 'DATA_PAGE_V2' ? header.data_page_header_v2 : undefined;
  if (v2) {
    const bytes = pageBytes();
    const levelBytes = v2.repetition_levels_byte_length + v2.definition_levels_byte_length;
    const levels = checkDataPageV2Levels(bytes, v2.num_values, v2.repetition_levels_byte_length, v2.definition_levels_byte_length, column);
    if (levels || !hybridValues(v2.encoding)) return levels;
    const rest = bytes.subarray(levelBytes);
    const size = header.uncompressed_page_size - levelBytes;
    const values = v2.is_compressed !== false && size ? decompressed(rest, size, codec) : rest;
    return values && checkDataPageV2Values(values, v2.num_values - v2.num_nulls, v2.encoding, column);
  }
  if (header.type === 'DICTIONARY_PAGE' && header.dictionary_page_header) {
    // Every dictionary value takes at least one byte: a larger count would size hyparquet's arrays by it.
    const count = header.dictionary_page_header.num_values;
    if (!(isCount(count) && count <= header.uncompressed_page_size)) return `its dictionary claims ${count} values in ${header.uncompressed_page_size} bytes`;
  }
  return undefined;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
