// Rows of an Arrow record batch read in slices, for out-of-core fits (arrowStream.ts): a batch's body is never read
// whole. The batch's metadata give every column's field nodes and buffers (offset and length in the body); a slice
// of rows of the wanted columns is read from those buffers alone (validity bits, values, string offsets and bytes)
// and handed to apache-arrow as a small uncompressed stream of its own: a schema of the wanted columns, the
// dictionaries they use, one record batch message made for the slice, an end-of-stream marker. The library then
// decodes the slice exactly as it decodes a whole file. In a compressed batch (LZ4 frame, ZSTD) each buffer is
// compressed on its own: a slice decompresses the buffers it reads one at a time, takes its rows' bytes from each and
// lets it go, so at most one column buffer is held decompressed.

import { MetadataVersion, Type, UnionMode } from 'apache-arrow/enum';
import { BufferRegion, FieldNode, Message, RecordBatch as BatchHeader } from 'apache-arrow/ipc/metadata/message';
import { compressionRegistry } from 'apache-arrow/ipc/compression/registry';
import type { CompressionType } from 'apache-arrow/fb/compression-type';
import { Schema, type Field } from 'apache-arrow/schema';
import type { DataType } from 'apache-arrow';
import { IpcDamage } from './arrowCheck';

/** Slices start at a multiple of this many rows, so that a slice's validity and boolean bits start on a byte. */
export const SLICE_ALIGN_ROWS = 64;

/** Where a top-level field's field nodes and buffers start in a record batch's lists (its subtree follows). */
export interface FieldLayout {
  node: number;
  buffer: number;
  nodes: number;
  buffers: number;
}

/**
 * Each field's place in a batch's field nodes and buffers, walking the types as the reader does; undefined when a type
 * is not walked here (views with variadic buffers, run-end encoding): such batches are read whole.
 */
export function fieldLayouts(fields: readonly Field[], version: MetadataVersion): FieldLayout[] | undefined {
  let node = 0;
  let buffer = 0;
  const walk = (type: DataType): boolean => {
    node++;
    switch (type.typeId) {
      case Type.Null:
        return true;
      case Type.Int:
      case Type.Float:
      case Type.Bool:
      case Type.Decimal:
      case Type.Date:
      case Type.Time:
      case Type.Timestamp:
      case Type.Interval:
      case Type.Duration:
      case Type.FixedSizeBinary:
      case Type.Dictionary:
        buffer += 2;
        return true;
      case Type.Utf8:
      case Type.LargeUtf8:
      case Type.Binary:
      case Type.LargeBinary:
        buffer += 3;
        return true;
      case Type.List:
      case Type.LargeList:
      case Type.Map:
        buffer += 2;
        return walk(type.children[0].type);
      case Type.FixedSizeList:
      case Type.Struct:
        buffer += 1;
        return type.children.every((child) => walk(child.type));
      case Type.Union: {
        const mode = (type as DataType & { mode: UnionMode }).mode;
        buffer += (mode === UnionMode.Dense ? 2 : 1) + (version < MetadataVersion.V5 ? 1 : 0);
        return type.children.every((child) => walk(child.type));
      }
      default:
        return false;
    }
  };
  const out: FieldLayout[] = [];
  for (const field of fields) {
    const start = { node, buffer };
    if (!walk(field.type)) return undefined;
    out.push({ node: start.node, buffer: start.buffer, nodes: node - start.node, buffers: buffer - start.buffer });
  }
  return out;
}

/** A record batch's header from its message metadata (the flatbuffer after the length prefix). */
export function batchHeader(meta: Uint8Array): BatchHeader {
  const message = Message.decode(meta);
  if (!message.isRecordBatch()) throw new IpcDamage(`a record batch block points to a message of type ${message.headerType}`);
  return message.header();
}

/** Whether a column of this type is read in slices: one field node and flat buffers (numbers, booleans, text, dictionary codes). */
export function sliceable(type: DataType): boolean {
  switch (type.typeId) {
    case Type.Null:
    case Type.Int:
    case Type.Float:
    case Type.Bool:
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Dictionary:
      return true;
    default:
      return false;
  }
}

/** Bits per value of a fixed-width column (its values or dictionary codes). */
function valueBits(type: DataType): number {
  if (type.typeId === Type.Bool) return 1;
  if (type.typeId === Type.Float) return [16, 32, 64][(type as DataType & { precision: number }).precision] ?? 64;
  if (type.typeId === Type.Dictionary) return (type as DataType & { indices: { bitWidth: number } }).indices.bitWidth;
  return (type as DataType & { bitWidth: number }).bitWidth;
}

/** Reads `length` bytes at `offset` of the batch's body. */
export type BodyReader = (offset: number, length: number) => Uint8Array;

/** Bytes [start, start + length) of a buffer (its content: decompressed in a compressed batch). */
export type RegionReader = (region: BufferRegion, start: number, length: number, what: string) => Uint8Array;

/** The buffers of an uncompressed batch: read straight from its body. */
export function plainRegions(read: BodyReader): RegionReader {
  return (region, start, length, what) => {
    if (start < 0 || length < 0 || start + length > region.length) throw new IpcDamage(`${what}: bytes ${start}–${start + length} lie outside its ${region.length}-byte buffer`);
    return read(region.offset + start, length);
  };
}

/** A compressed buffer's 8-byte prefix: its length uncompressed, or −1 for a buffer stored as it is. */
const UNCOMPRESSED = -1;
/** One Arrow buffer becomes one typed array. */
const MAX_BUFFER_BYTES = 2 ** 31 - 1;

/** A compressed buffer's content length (from its prefix read with `read`); 0 for an empty buffer. */
export function contentLength(read: BodyReader, region: BufferRegion, what: string): number {
  if (region.length === 0) return 0;
  if (region.length < 8) throw new IpcDamage(`${what}: a compressed buffer of ${region.length} bytes, shorter than its length prefix`);
  const prefix = read(region.offset, 8);
  const declared = Number(new DataView(prefix.buffer, prefix.byteOffset, 8).getBigInt64(0, true));
  if (declared === UNCOMPRESSED) return region.length - 8;
  if (!(declared >= 0 && declared <= MAX_BUFFER_BYTES)) throw new IpcDamage(`${what}: a compressed buffer declares ${declared} bytes uncompressed`);
  return declared;
}

/**
 * The buffers of a compressed batch: each is read and decompressed whole by the codec apache-arrow's registry holds
 * (arrowCodecs.ts), the rows asked for are copied out, and only the last buffer decompressed is kept (a slice reads
 * validity, offsets and values of one column in turn).
 */
export function compressedRegions(read: BodyReader, codec: CompressionType): RegionReader {
  let last: { region: BufferRegion; bytes: Uint8Array } | undefined;
  const decoder = compressionRegistry.get(codec);
  return (region, start, length, what) => {
    if (!last || last.region !== region) {
      last = undefined;
      let bytes: Uint8Array;
      if (region.length === 0) bytes = new Uint8Array(0);
      else {
        if (region.length < 8) throw new IpcDamage(`${what}: a compressed buffer of ${region.length} bytes, shorter than its length prefix`);
        const raw = read(region.offset, region.length);
        const declared = Number(new DataView(raw.buffer, raw.byteOffset, 8).getBigInt64(0, true));
        // The codec finds the declared length just before the bytes it is given (arrowCodecs.ts).
        const body = raw.subarray(8);
        if (declared === UNCOMPRESSED) bytes = body;
        else {
          if (!(declared >= 0 && declared <= MAX_BUFFER_BYTES)) throw new IpcDamage(`${what}: a compressed buffer declares ${declared} bytes uncompressed`);
          if (!decoder?.decode) throw new IpcDamage(`${what}: a buffer compressed with a codec that cannot be read`);
          bytes = decoder.decode(body);
          if (bytes.length !== declared) throw new IpcDamage(`${what}: a compressed buffer decodes to ${bytes.length} bytes where ${declared} are declared`);
        }
      }
      last = { region, bytes };
    }
    if (start < 0 || length < 0 || start + length > last.bytes.length) throw new IpcDamage(`${what}: bytes ${start}–${start + length} lie outside its ${last.bytes.length}-byte buffer`);
    return last.bytes.slice(start, start + length);
  };
}

interface SlicedColumn {
  node: FieldNode;
  buffers: Uint8Array[];
}

function ones(bits: Uint8Array, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) count += (bits[i >> 3] >> (i & 7)) & 1;
  return count;
}

/** Rows [at, at + n) of one column (a sliceable type; `at` a multiple of SLICE_ALIGN_ROWS). */
function sliceColumn(read: RegionReader, type: DataType, node: FieldNode, regions: BufferRegion[], at: number, n: number, what: string): SlicedColumn {
  if (type.typeId === Type.Null) return { node: new FieldNode(n, n), buffers: [] };
  const validityRegion = regions[0];
  let validity: Uint8Array = new Uint8Array(0);
  let nullCount = 0;
  if (node.nullCount > 0 && validityRegion.length > 0) {
    validity = read(validityRegion, at >> 3, Math.ceil(n / 8), `${what} validity`);
    nullCount = n - ones(validity, n);
  }
  if (type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8) {
    const wide = type.typeId === Type.LargeUtf8;
    const width = wide ? 8 : 4;
    const raw = read(regions[1], at * width, (n + 1) * width, `${what} offsets`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
    const offsetAt = (i: number) => (wide ? Number(view.getBigInt64(i * 8, true)) : view.getInt32(i * 4, true));
    const first = offsetAt(0);
    const last = offsetAt(n);
    if (!(first >= 0 && last >= first)) throw new IpcDamage(`${what} offsets run backwards (${first} to ${last})`);
    for (let i = 0; i <= n; i++) {
      const o = offsetAt(i) - first;
      if (wide) view.setBigInt64(i * 8, BigInt(o), true);
      else view.setInt32(i * 4, o, true);
    }
    const bytes = read(regions[2], first, last - first, `${what} text`);
    return { node: new FieldNode(n, nullCount), buffers: [validity, raw, bytes] };
  }
  const bits = valueBits(type);
  const values = bits === 1 ? read(regions[1], at >> 3, Math.ceil(n / 8), `${what} values`) : read(regions[1], (at * bits) / 8, (n * bits) / 8, `${what} values`);
  return { node: new FieldNode(n, nullCount), buffers: [validity, values] };
}

function framed(metadata: Uint8Array): Uint8Array[] {
  const padded = (metadata.length + 7) & ~7;
  const prefix = new Uint8Array(8);
  const view = new DataView(prefix.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, padded, true);
  return [prefix, metadata, new Uint8Array(padded - metadata.length)];
}

/** The schema message of the given fields, framed as a stream's first message. */
export function schemaMessage(schema: Schema, fields: Field[]): Uint8Array[] {
  return framed(Message.encode(Message.from(new Schema(fields, schema.metadata, null, schema.metadataVersion))));
}

/**
 * The record batch message (framed, then its body) of rows [at, at + n) of the given columns of a batch whose header is
 * `header`: `types` and `layouts` are the columns' types and places in the header's lists.
 */
export function sliceMessage(read: RegionReader, header: BatchHeader, columns: { type: DataType; layout: FieldLayout; name: string }[], at: number, n: number): Uint8Array[] {
  const nodes: FieldNode[] = [];
  const regions: BufferRegion[] = [];
  const body: Uint8Array[] = [];
  let offset = 0;
  for (const { type, layout, name } of columns) {
    const node = header.nodes[layout.node];
    const own = header.buffers.slice(layout.buffer, layout.buffer + layout.buffers);
    if (!node || own.length !== layout.buffers) throw new IpcDamage(`the record batch lists fewer field nodes or buffers than its schema's columns need`);
    if (node.length !== header.length) throw new IpcDamage(`column "${name}" holds ${node.length} rows in a record batch of ${header.length}`);
    const sliced = sliceColumn(read, type, node, own, at, n, `column "${name}"`);
    nodes.push(sliced.node);
    for (const bytes of sliced.buffers) {
      regions.push(new BufferRegion(offset, bytes.length));
      const padded = (bytes.length + 7) & ~7;
      body.push(bytes);
      if (padded > bytes.length) body.push(new Uint8Array(padded - bytes.length));
      offset += padded;
    }
  }
  const message = Message.from(new BatchHeader(n, nodes, regions, null), offset);
  return [...framed(Message.encode(message)), ...body];
}
