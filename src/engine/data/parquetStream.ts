// A Parquet file read row group by row group from disk, for out-of-core fits (store/cellStream.ts). hyparquet reads
// from an "async buffer": here one that reads the byte ranges it asks for (the footer, then each column chunk) from
// the file, so the file is never read whole and at most one row group's column chunks and cells are held. The checks
// and messages are the in-memory reader's (parquet.ts), on each row group as it is read.

import * as fs from 'node:fs';
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData, type SchemaTree } from 'hyparquet';
import { dataError, listSome, plural } from './common';
import { checkPages, compressors, EXPECTED, pageLevelsOf, reasonOf, unusableReason } from './parquet';
import type { GroupedFile } from './store/cellStream';

/** Reads exactly `length` bytes at `position` into a fresh buffer (shorter only at the file's end). */
function readRange(fd: number, position: number, length: number): ArrayBuffer {
  const out = new Uint8Array(Math.max(0, length));
  let done = 0;
  while (done < out.length) {
    const got = fs.readSync(fd, out, done, out.length - done, position + done);
    if (got === 0) break;
    done += got;
  }
  return done === out.length ? out.buffer : out.buffer.slice(0, done);
}

/** Opens the Parquet file at `filePath` for reading row group by row group. */
export async function openParquetGroups(fileName: string, filePath: string): Promise<GroupedFile> {
  const fd = fs.openSync(filePath, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const magic = (at: number) => new TextDecoder().decode(readRange(fd, at, 4));
    if (size < 12 || magic(0) !== 'PAR1' || magic(size - 4) !== 'PAR1') {
      throw dataError(fileName, size === 0 ? `the file is empty. ${EXPECTED}` : `the file does not start and end with "PAR1". ${EXPECTED}`);
    }
    const file: AsyncBuffer = { byteLength: size, slice: (start, end) => readRange(fd, start, (end ?? size) - start) };
    let metadata: FileMetaData;
    let schema: SchemaTree;
    try {
      metadata = await parquetMetadataAsync(file);
      schema = parquetSchema(metadata);
    } catch (error) {
      throw dataError(fileName, `the file's metadata (its footer) cannot be read: ${reasonOf(error)}. ${EXPECTED} The file may be truncated: copy or write it again.`);
    }
    const rows = Number(metadata.num_rows);
    const groups = metadata.row_groups;
    const starts: number[] = [];
    let total = 0;
    for (const group of groups) {
      starts.push(total);
      total += Number(group.num_rows);
    }
    if (!(Number.isSafeInteger(rows) && rows >= 0 && total === rows)) {
      throw dataError(fileName, `the metadata announce ${metadata.num_rows} rows but the row groups hold ${total}. The file is damaged: write it again.`);
    }
    const columns = schema.children.map((child) => ({ name: child.element.name, unusable: unusableReason(child) }));
    const levelsOf = pageLevelsOf(schema);
    // A row group's end in the file: the end of its last column chunk (for the parse's progress).
    const ends = groups.map((group) => Math.max(0, ...group.columns.map((c) => (c.meta_data ? Number(c.meta_data.dictionary_page_offset || c.meta_data.data_page_offset) + Number(c.meta_data.total_compressed_size) : 0))));
    const codecs = [...new Set(groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec ?? 'UNCOMPRESSED')))];
    const where = (g: number) => `row group ${g + 1} of ${groups.length}`;
    return {
      fileName,
      groupName: 'row group',
      columns,
      groupCount: groups.length,
      groupRows: (g) => Number(groups[g].num_rows),
      totalRows: rows,
      progress: (g) => ({ done: Math.min(size, ends[g] || size), total: size }),
      notes: [`Parquet: ${plural(rows, 'row')} in ${plural(groups.length, 'row group')} (${listSome(codecs.map((c) => c.toLowerCase()))})`],
      close: () => fs.closeSync(fd),
      async readGroup(g, wanted) {
        const groupRows = Number(groups[g].num_rows);
        const groupStart = starts[g];
        if (!Number.isSafeInteger(groupRows) || groupRows < 0) {
          throw dataError(fileName, `${where(g)} announces ${groups[g].num_rows} rows: the metadata are damaged.`);
        }
        const names = wanted.map((j) => columns[j].name);
        // One column chunk at a time is read for the page checks.
        checkPages(fileName, (start, length) => ({ buffer: readRange(fd, start, length), base: start, fileLength: size }), groups[g], groupRows, where(g), levelsOf, new Set(names));
        const cells: unknown[][] = [];
        for (const name of names) {
          const column = new Array<unknown>(groupRows);
          let filled = 0;
          try {
            await parquetRead({
              file,
              metadata,
              compressors,
              columns: [name],
              rowStart: groupStart,
              rowEnd: groupStart + groupRows,
              onChunk: (chunk) => {
                const { columnData, rowStart } = chunk;
                for (let i = 0; i < columnData.length; i++) {
                  const at = rowStart + i - groupStart;
                  if (at >= 0 && at < groupRows) column[at] = columnData[i];
                }
                filled += columnData.length;
              },
            });
          } catch (error) {
            throw dataError(fileName, `${where(g)}, column "${name}" cannot be read: ${reasonOf(error)}. The file may be damaged: write it again.`);
          }
          if (filled < groupRows) {
            throw dataError(fileName, `${where(g)}, column "${name}": ${filled} values for ${groupRows} rows. The file is damaged: write it again.`);
          }
          cells.push(column);
        }
        return { rows: groupRows, cells };
      },
    };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}
