// An Arrow IPC file or stream (Feather v2) read record batch by record batch from disk, for out-of-core fits
// (store/cellStream.ts). apache-arrow decodes whole IPC buffers, not a batch out of a file's middle, so each group of
// rows is handed to it as a small IPC buffer of its own, its messages read from the file with fs:
// - a stream is walked message by message (metadata only, bodies skipped) to find its batches; a file's footer gives
//   the blocks (and holds the schema, which a file's body need not repeat: apache-arrow's own writer leaves it out);
// - a batch is read in slices of rows (arrowSlices.ts): each slice is a small stream of the schema of the wanted
//   columns, their dictionaries, and a batch message made of those columns' buffers for the slice's rows only, so a
//   batch's body is never held whole and the slices follow the memory budget; in a compressed batch (each buffer is
//   compressed on its own) a slice decompresses the buffers it reads one at a time, so at most one column buffer is
//   held decompressed;
// - a batch whose columns are not walked there (views, run-end encoding) is read whole: for a stream, the schema
//   message, the dictionary messages before it, the batch's message, an end-of-stream marker; for a file, the
//   dictionary messages, the batch's message, and a copy of the footer whose blocks are moved to their new offsets
//   and whose batch list is cut to that one batch.
// At most one slice or batch (and the dictionaries) is held at a time; each small buffer gets the in-memory reader's
// structural check.

import * as fs from 'node:fs';
import { Type } from 'apache-arrow/enum';
import { Message } from 'apache-arrow/ipc/metadata/message';
import { compressionRegistry } from 'apache-arrow/ipc/compression/registry';
import type { DataType } from 'apache-arrow';
import type { Schema } from 'apache-arrow/schema';
import { checkBlockPrefix, checkMessage, footerBlocks, IpcDamage, messageHeader, type FooterBlocks, type IpcBlock } from './arrowCheck';
import { batchHeader, compressedRegions, contentLength, fieldLayouts, plainRegions, schemaMessage, sliceMessage, SLICE_ALIGN_ROWS, type FieldLayout } from './arrowSlices';
import { columnCells, decodeIpc, EXPECTED, unusableReason } from './arrow';
import { dataError, plural } from './common';
import type { GroupedFile } from './store/cellStream';

const SCHEMA = 1;
const DICTIONARY = 2;
const RECORD_BATCH = 3;
/** The end-of-stream marker: a continuation and a zero metadata length. */
const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
/** An IPC file's opening: "ARROW1" and two bytes of padding. */
const FILE_MAGIC = new Uint8Array([0x41, 0x52, 0x52, 0x4f, 0x57, 0x31, 0, 0]);
const BLOCK_BYTES = 24;

function readBytes(fd: number, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const got = fs.readSync(fd, out, done, length - done, position + done);
    if (got === 0) break;
    done += got;
  }
  return done === length ? out : out.subarray(0, done);
}

/** The message at `offset`: its block, or undefined at an end-of-stream marker (or the end of the bytes). */
function messageAt(fd: number, offset: number, end: number): (IpcBlock & { type: number }) | undefined {
  if (offset + 4 > end) return undefined;
  const prefix = readBytes(fd, offset, Math.min(8, end - offset));
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.length);
  let length = view.getInt32(0, true);
  let start = 4;
  if (length === -1) {
    if (prefix.length < 8) return undefined;
    length = view.getInt32(4, true);
    start = 8;
  }
  if (length === 0) return undefined;
  if (length < 0 || offset + start + length > end) throw new IpcDamage(`the message at byte ${offset} claims ${length} bytes of metadata, beyond the file's end`);
  const meta = readBytes(fd, offset + start, length);
  const { type, bodyLength } = messageHeader(new DataView(meta.buffer, meta.byteOffset, meta.length));
  if (!(bodyLength >= 0) || offset + start + length + bodyLength > end) throw new IpcDamage(`the message at byte ${offset} claims a body of ${bodyLength} bytes, beyond the file's end`);
  return { offset, metaLength: start + length, bodyLength, type };
}

/**
 * Opens the Arrow IPC file or stream at `filePath` for reading record batch by record batch. A batch of more than
 * `sliceRows(c)` rows (c: the usable columns) is read in slices of about that many rows, each a group of the
 * returned file.
 */
export function openArrowGroups(fileName: string, filePath: string, sliceRows?: (columns: number) => number): GroupedFile {
  const fd = fs.openSync(filePath, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) throw dataError(fileName, `the file is empty. ${EXPECTED}`);
    const opening = readBytes(fd, 0, Math.min(8, size));
    const magic = String.fromCharCode(...opening.subarray(0, 6));
    if (magic.startsWith('FEA1')) {
      throw dataError(fileName, 'the file is Feather version 1, an older format: save it again as Feather v2 (pyarrow.feather.write_feather(df, path, version=2)).');
    }
    const isFile = magic === 'ARROW1';
    if (!isFile && !(opening.length === 8 && opening[0] === 0xff && opening[1] === 0xff && opening[2] === 0xff && opening[3] === 0xff)) {
      throw dataError(fileName, `the file starts with neither "ARROW1" nor an Arrow stream message. ${EXPECTED}`);
    }
    let schema: IpcBlock | undefined;
    let footer: { bytes: Uint8Array; blocks: FooterBlocks } | undefined;
    const dictionaries: (IpcBlock & { before: number })[] = [];
    const batches: IpcBlock[] = [];
    try {
      if (isFile) {
        const tail = readBytes(fd, Math.max(0, size - 10), Math.min(10, size));
        if (size < 18 || String.fromCharCode(...tail.subarray(4)) !== 'ARROW1') throw new IpcDamage('the file does not end with "ARROW1": it is truncated');
        const footerLength = new DataView(tail.buffer, tail.byteOffset, 4).getInt32(0, true);
        const footerStart = size - 10 - footerLength;
        if (footerLength <= 0 || footerStart < 8) throw new IpcDamage(`the footer claims ${footerLength} bytes, more than the file holds`);
        const bytes = readBytes(fd, footerStart, footerLength);
        const blocks = footerBlocks(new DataView(bytes.buffer, bytes.byteOffset, bytes.length), footerStart);
        // Each block must point at a message's start (checked as in memory: a block pointing elsewhere can make the
        // library loop).
        for (const [what, list] of [['dictionary', blocks.dictionaries], ['record batch', blocks.batches]] as const) {
          list.forEach((block, i) => {
            const head = readBytes(fd, block.offset, 8);
            const view = new DataView(head.buffer, head.byteOffset, head.length);
            const prefix = head.length === 8 && view.getInt32(0, true) === -1 ? 8 : 4;
            checkBlockPrefix(head.length >= prefix ? view.getInt32(prefix - 4, true) : 0, block.metaLength, prefix, what, i, block.offset);
          });
        }
        footer = { bytes, blocks };
        // A file's dictionaries are not replaced along the way: every batch reads them all.
        for (const block of blocks.dictionaries) dictionaries.push({ ...block, before: -1 });
        for (const batch of blocks.batches) batches.push(batch);
      } else {
        const first = messageAt(fd, 0, size);
        if (!first || first.type !== SCHEMA) throw new IpcDamage('the stream does not start with a schema message');
        schema = first;
        for (let o = first.offset + first.metaLength + first.bodyLength; ; ) {
          const message = messageAt(fd, o, size);
          if (!message) break;
          if (message.type === DICTIONARY) dictionaries.push({ ...message, before: batches.length });
          else if (message.type === RECORD_BATCH) batches.push(message);
          o = message.offset + message.metaLength + message.bodyLength;
        }
      }
    } catch (error) {
      if (error instanceof IpcDamage || error instanceof RangeError) throw dataError(fileName, `the Arrow data are damaged: ${error.message}. ${EXPECTED} Write the file again.`);
      throw error;
    }
    const schemaBytes = schema ? readBytes(fd, schema.offset, schema.metaLength + schema.bodyLength) : undefined;
    const messageBytes = (b: IpcBlock) => readBytes(fd, b.offset, b.metaLength + b.bodyLength);
    /** The IPC buffer of batch g (undefined: none, for the schema alone). */
    const ipcOf = (g: number | undefined): Uint8Array => {
      if (schemaBytes) {
        const parts: Uint8Array[] = [schemaBytes];
        if (g !== undefined) {
          for (const d of dictionaries) if (d.before <= g) parts.push(messageBytes(d));
          parts.push(messageBytes(batches[g]));
        }
        parts.push(END_OF_STREAM);
        return concat(parts);
      }
      return smallFile(footer!, g === undefined ? [] : dictionaries.map(messageBytes), g === undefined ? undefined : { block: batches[g], bytes: messageBytes(batches[g]) });
    };
    const schemaTable = decodeIpc(fileName, ipcOf(undefined), '');
    const arrowSchema = schemaTable.schema as unknown as Schema;
    const fields = arrowSchema.fields;
    const columns = fields.map((field) => ({ name: field.name, unusable: unusableReason(field.type) }));
    const blockEnd = (b: IpcBlock) => b.offset + b.metaLength + b.bodyLength;
    const groups = planGroups(fileName, fd, arrowSchema, batches, dictionaries, sliceRows?.(columns.filter((c) => !c.unusable).length));
    const dictionaryCache = new Map<number, Uint8Array>();
    const dictionaryBytes = (i: number) => {
      let bytes = dictionaryCache.get(i);
      if (!bytes) dictionaryCache.set(i, (bytes = messageBytes(dictionaries[i])));
      return bytes;
    };
    /** The small stream of rows [at, at + rows) of the wanted columns of batch g. */
    const sliceIpc = (g: number, header: SlicedBatch, wanted: number[], at: number, rows: number): Uint8Array => {
      const block = batches[g];
      const bodyStart = block.offset + block.metaLength;
      const read = (offset: number, length: number) => {
        if (offset < 0 || offset + length > block.bodyLength) throw new IpcDamage(`a buffer of record batch ${g + 1} lies outside its ${block.bodyLength}-byte body`);
        return readBytes(fd, bodyStart + offset, length);
      };
      const wantedFields = wanted.map((j) => fields[j]);
      const ids = new Set<number>();
      for (const field of wantedFields) collectDictionaryIds(field.type, ids);
      const parts = schemaMessage(arrowSchema, wantedFields);
      dictionaries.forEach((d, i) => {
        if (d.before <= g && ids.has(header.dictionaryIds[i])) parts.push(dictionaryBytes(i));
      });
      const compression = header.header.compression;
      const regions = compression ? compressedRegions(read, compression.type) : plainRegions(read);
      parts.push(...sliceMessage(regions, header.header, wanted.map((j) => ({ type: fields[j].type, layout: header.layouts[j], name: fields[j].name })), at, rows), END_OF_STREAM);
      return concat(parts);
    };
    return {
      fileName,
      groupName: 'record batch',
      columns,
      groupCount: groups.length,
      groupRows: (s) => groups[s].rows,
      totalRows: groups.reduce((sum, s) => sum + (s.rows ?? 0), 0) || undefined,
      progress: (s) => {
        const { batch, at, rows } = groups[s];
        const end = blockEnd(batches[batch]);
        const begin = batches[batch].offset;
        const total = groups[s].batchRows;
        const done = rows === undefined || total === undefined || at + rows >= total ? end : begin + ((end - begin) * (at + rows)) / total;
        return { done: Math.min(size, Math.round(done)), total: size };
      },
      notes: [`Arrow IPC: ${plural(batches.length, 'record batch', 'record batches')}`],
      close: () => fs.closeSync(fd),
      async readGroup(s, wanted) {
        const { batch: g, at, rows, sliced } = groups[s];
        if (!sliced || rows === undefined) {
          const where = `record batch ${g + 1} of ${batches.length}: `;
          const table = decodeIpc(fileName, ipcOf(g), where);
          return { rows: table.numRows, cells: wanted.map((j) => columnCells(fileName, table, j, where)) };
        }
        const where = `record batch ${g + 1} of ${batches.length} (rows ${at + 1}–${at + rows} of it): `;
        let bytes: Uint8Array;
        try {
          bytes = sliceIpc(g, sliced, wanted, at, rows);
        } catch (error) {
          if (error instanceof IpcDamage || error instanceof RangeError) throw dataError(fileName, `${where}the Arrow data are damaged: ${error.message}. ${EXPECTED} Write the file again.`);
          throw error;
        }
        const table = decodeIpc(fileName, bytes, where);
        if (table.numRows !== rows) throw dataError(fileName, `${where}the Arrow data are damaged: ${table.numRows} rows decoded of ${rows}. ${EXPECTED} Write the file again.`);
        return { rows, cells: wanted.map((_, k) => columnCells(fileName, table, k, where)) };
      },
    };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

interface SlicedBatch {
  header: ReturnType<typeof batchHeader>;
  layouts: FieldLayout[];
  /** Each dictionary message's id (the file's dictionaries, in order). */
  dictionaryIds: number[];
}

interface Group {
  batch: number;
  /** The slice's first row in the batch, and its rows (undefined: a whole batch, counted once read). */
  at: number;
  rows: number | undefined;
  batchRows: number | undefined;
  /** How to read the slice's columns; undefined: the batch is read whole. */
  sliced?: SlicedBatch;
}

/**
 * The groups of rows read one at a time: a batch in slices of at most `most` rows (a multiple of SLICE_ALIGN_ROWS),
 * a batch whose buffers do not follow the schema's layout whole. Each batch's metadata are read (not its body, only
 * a compressed buffer's length prefix) and checked.
 */
function planGroups(fileName: string, fd: number, schema: Schema, batches: IpcBlock[], dictionaries: IpcBlock[], most: number | undefined): Group[] {
  const layouts = fieldLayouts(schema.fields, schema.metadataVersion);
  const sliceRows = most === undefined ? undefined : Math.max(SLICE_ALIGN_ROWS, Math.floor(most / SLICE_ALIGN_ROWS) * SLICE_ALIGN_ROWS);
  if (!layouts || sliceRows === undefined) return batches.map((_, g) => ({ batch: g, at: 0, rows: undefined, batchRows: undefined }));
  const groups: Group[] = [];
  let dictionaryIds: number[] | undefined;
  let where = '';
  try {
    const metadataOf = (block: IpcBlock) => {
      const head = readBytes(fd, block.offset, 8);
      const prefix = head.length === 8 && new DataView(head.buffer, head.byteOffset, 8).getInt32(0, true) === -1 ? 8 : 4;
      const meta = readBytes(fd, block.offset + prefix, block.metaLength - prefix);
      checkMessage(new DataView(meta.buffer, meta.byteOffset, meta.length));
      return meta;
    };
    batches.forEach((block, g) => {
      where = `record batch ${g + 1} of ${batches.length}: `;
      const header = batchHeader(metadataOf(block));
      const n = header.length;
      const counts = layouts.reduce((sum, l) => ({ nodes: sum.nodes + l.nodes, buffers: sum.buffers + l.buffers }), { nodes: 0, buffers: 0 });
      // A codec not read: the batch is read whole, to the in-memory reader's message.
      const unread = header.compression && !compressionRegistry.get(header.compression.type)?.decode;
      if (unread || header.nodes.length !== counts.nodes || header.buffers.length !== counts.buffers || !(n >= 0)) {
        groups.push({ batch: g, at: 0, rows: undefined, batchRows: undefined });
        return;
      }
      // A batch cannot claim more rows than its buffers hold bits (checked as for a whole batch in arrowCheck.ts);
      // compressed, by the lengths its buffers declare uncompressed.
      const stored = header.buffers.reduce((sum, b) => sum + Number(b.length), 0);
      if (stored > block.bodyLength || header.buffers.some((b) => Number(b.offset) < 0 || Number(b.offset) + Number(b.length) > block.bodyLength)) {
        throw new IpcDamage(`record batch ${g + 1} lists buffers beyond its ${block.bodyLength}-byte body`);
      }
      const bodyStart = block.offset + block.metaLength;
      const bytes = header.compression ? header.buffers.reduce((sum, b) => sum + contentLength((o, l) => readBytes(fd, bodyStart + o, l), b, `record batch ${g + 1}`), 0) : stored;
      if (n > 8 * bytes + (1 << 16)) throw new IpcDamage(`record batch ${g + 1} claims ${n} rows in ${bytes} bytes of buffers (a body of ${block.bodyLength})`);
      where = '';
      dictionaryIds ??= dictionaries.map((d) => {
        const message = Message.decode(metadataOf(d));
        return message.isDictionaryBatch() ? Number(message.header().id) : -1;
      });
      const sliced: SlicedBatch = { header, layouts, dictionaryIds };
      where = '';
      if (n === 0) groups.push({ batch: g, at: 0, rows: 0, batchRows: 0, sliced });
      for (let at = 0; at < n; at += sliceRows) groups.push({ batch: g, at, rows: Math.min(sliceRows, n - at), batchRows: n, sliced });
    });
  } catch (error) {
    // Only metadata are read here: anything thrown while decoding them means damaged bytes.
    const reason = error instanceof Error ? error.message : String(error);
    throw dataError(fileName, `${where}the Arrow data are damaged: ${reason}. ${EXPECTED} Write the file again.`);
  }
  return groups;
}

/** The dictionary ids a column's type uses (its own, and its children's). */
function collectDictionaryIds(type: DataType, ids: Set<number>): void {
  if (type.typeId === Type.Dictionary) {
    const dictionary = type as DataType & { id: number; dictionary: DataType };
    ids.add(dictionary.id);
    collectDictionaryIds(dictionary.dictionary, ids);
  }
  for (const child of type.children ?? []) collectDictionaryIds(child.type, ids);
}

/**
 * An IPC file of the given dictionary messages and (at most) one batch: the original footer (its schema) with its
 * dictionary blocks moved to where the messages now lie and its batch list cut to the one batch.
 */
function smallFile(footer: { bytes: Uint8Array; blocks: FooterBlocks }, dictionaries: Uint8Array[], batch: { block: IpcBlock; bytes: Uint8Array } | undefined): Uint8Array {
  const copy = footer.bytes.slice();
  const view = new DataView(copy.buffer, copy.byteOffset, copy.length);
  const parts: Uint8Array[] = [FILE_MAGIC];
  let at = FILE_MAGIC.length;
  const { dictionaryVector, batchVector } = footer.blocks;
  if (dictionaryVector) view.setUint32(dictionaryVector - 4, dictionaries.length, true);
  dictionaries.forEach((bytes, i) => {
    view.setBigInt64(dictionaryVector + i * BLOCK_BYTES, BigInt(at), true);
    parts.push(bytes);
    at += bytes.length;
  });
  if (batchVector) view.setUint32(batchVector - 4, batch ? 1 : 0, true);
  if (batch) {
    view.setBigInt64(batchVector, BigInt(at), true);
    view.setInt32(batchVector + 8, batch.block.metaLength, true);
    view.setBigInt64(batchVector + 16, BigInt(batch.block.bodyLength), true);
    parts.push(batch.bytes);
  }
  const length = new Uint8Array(4);
  new DataView(length.buffer).setInt32(0, copy.length, true);
  parts.push(copy, length, FILE_MAGIC.subarray(0, 6));
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
