// A Parquet file read row group by row group from disk, for out-of-core fits (store/cellStream.ts). hyparquet reads
// from an "async buffer": here one that reads the byte ranges it asks for (the footer, then the pages of a column
// chunk) from the file, so the file is never read whole. A large row group is read in row slices, and a slice reads
// only the pages that hold its rows: the page checks walk each column chunk's page headers one page at a time and
// give hyparquet the pages' locations (as an offset index would), so a file written as one huge row group is never
// held a whole column chunk at a time. The checks and messages are the in-memory reader's (parquet.ts), on each row
// group as it is read.

import * as fs from 'node:fs';
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData, type ParquetReadOptions, type SchemaTree } from 'hyparquet';
import { dataError, listSome, plural } from './common';
import { checkPages, compressors, EXPECTED, pageLevelsOf, reasonOf, unusableReason, type PageLocations } from './parquet';
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

/**
 * Opens the Parquet file at `filePath` for reading row group by row group. A row group of more than `sliceRows(c)`
 * rows (c: the usable columns) is read in slices of that many rows, each a group of the returned file, so that a file
 * written as one huge row group is not held whole: a slice reads the pages holding its rows (and the column's
 * dictionary), not the whole column chunk. `onRead` sees every byte range read from the file.
 */
export async function openParquetGroups(fileName: string, filePath: string, sliceRows?: (columns: number) => number, onRead?: (start: number, length: number) => void): Promise<GroupedFile> {
  const fd = fs.openSync(filePath, 'r');
  const read = (start: number, length: number) => {
    onRead?.(start, length);
    return readRange(fd, start, length);
  };
  try {
    const size = fs.fstatSync(fd).size;
    const magic = (at: number) => new TextDecoder().decode(readRange(fd, at, 4));
    if (size < 12 || magic(0) !== 'PAR1' || magic(size - 4) !== 'PAR1') {
      throw dataError(fileName, size === 0 ? `the file is empty. ${EXPECTED}` : `the file does not start and end with "PAR1". ${EXPECTED}`);
    }
    const file: AsyncBuffer = { byteLength: size, slice: (start, end) => read(start, (end ?? size) - start) };
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
    // The slices read one at a time: row group, first row within it, rows.
    const slices: { group: number; at: number; rows: number }[] = [];
    const most = Math.max(1, Math.floor(sliceRows?.(columns.filter((c) => !c.unusable).length) ?? Number.MAX_SAFE_INTEGER));
    groups.forEach((group, g) => {
      const n = Number(group.num_rows);
      if (!(Number.isSafeInteger(n) && n > most)) return slices.push({ group: g, at: 0, rows: n });
      for (let at = 0; at < n; at += most) slices.push({ group: g, at, rows: Math.min(most, n - at) });
    });
    const groupBegins = (g: number) => (g === 0 ? 4 : ends[g - 1] || 4);
    // The data pages of the row group being read (found by its first slice's page checks), for hyparquet's plan.
    const pageLocationsByGroup: (PageLocations | undefined)[] = new Array(groups.length);
    return {
      fileName,
      groupName: 'row group',
      columns,
      groupCount: slices.length,
      groupRows: (s) => slices[s].rows,
      totalRows: rows,
      progress: (s) => {
        const { group, at, rows: sliceRows } = slices[s];
        const n = Number(groups[group].num_rows);
        const end = ends[group] || size;
        const done = at + sliceRows >= n ? end : groupBegins(group) + ((end - groupBegins(group)) * (at + sliceRows)) / n;
        return { done: Math.min(size, Math.round(done)), total: size };
      },
      notes: [`Parquet: ${plural(rows, 'row')} in ${plural(groups.length, 'row group')} (${listSome(codecs.map((c) => c.toLowerCase()))})`],
      close: () => fs.closeSync(fd),
      async readGroup(s, wanted) {
        const g = slices[s].group;
        const groupRows = Number(groups[g].num_rows);
        if (!Number.isSafeInteger(groupRows) || groupRows < 0) {
          throw dataError(fileName, `${where(g)} announces ${groups[g].num_rows} rows: the metadata are damaged.`);
        }
        const groupStart = starts[g] + slices[s].at;
        const names = wanted.map((j) => columns[j].name);
        // The page checks read one page header (and, for some checks, one page) at a time, once per row group (with
        // its first slice); they locate the pages the slices read.
        if (slices[s].at === 0) {
          pageLocationsByGroup.fill(undefined);
          pageLocationsByGroup[g] = checkPages(fileName, (start, length) => ({ buffer: read(start, length), base: start, fileLength: size }), groups[g], groupRows, where(g), levelsOf, new Set(names));
        }
        return readSlice(g, groupStart, slices[s].rows, names);
      },
    };

    /** The cells of `names` in `rows` rows from `first` (a file row index) of row group g, one array per column. */
    async function readSlice(g: number, first: number, rows: number, names: string[]) {
      const cells: unknown[][] = [];
      for (const name of names) {
        const column = new Array<unknown>(rows);
        let filled = 0;
        try {
          const options: ParquetReadOptions & { pageLocationsByGroup: (PageLocations | undefined)[] } = {
            file,
            metadata,
            compressors,
            columns: [name],
            rowStart: first,
            rowEnd: first + rows,
            // hyparquet's plan reads only the located pages holding [rowStart, rowEnd) (its offset-index path).
            pageLocationsByGroup,
            onChunk: (chunk) => {
              const { columnData, rowStart } = chunk;
              for (let i = 0; i < columnData.length; i++) {
                const at = rowStart + i - first;
                if (at >= 0 && at < rows) {
                  column[at] = columnData[i];
                  filled++;
                }
              }
            },
          };
          await parquetRead(options);
        } catch (error) {
          throw dataError(fileName, `${where(g)}, column "${name}" cannot be read: ${reasonOf(error)}. The file may be damaged: write it again.`);
        }
        if (filled < rows) {
          throw dataError(fileName, `${where(g)}, column "${name}": ${filled} values for ${rows} rows. The file is damaged: write it again.`);
        }
        cells.push(column);
      }
      return { rows, cells };
    }
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}
