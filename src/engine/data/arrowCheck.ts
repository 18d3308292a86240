// A structural check of an Arrow IPC file or stream before apache-arrow reads it. apache-arrow trusts the lengths in
// the flatbuffer metadata: a damaged length (a field-node count of two billion) makes it loop for minutes. Here every
// message's framing and the vectors it reads in a loop (field nodes, buffers, variadic buffer counts, schema fields and
// their children, custom metadata, the footer's blocks) are checked to fit in their bytes, each record batch's row
// counts against its buffers and each footer block's message type; anything else is left to the library.

/** Thrown with what is wrong and where; the loader turns it into a DataError. */
export class IpcDamage extends Error {}

const FIELD_NODE_BYTES = 16;
const BUFFER_BYTES = 16;
const BLOCK_BYTES = 24;
const MAX_FIELD_DEPTH = 64;

/** A flatbuffer table: its fields through the vtable, every read bounds-checked. */
class Table {
  constructor(
    private readonly view: DataView,
    private readonly pos: number,
    private readonly what: string,
  ) {
    if (pos < 0 || pos + 4 > view.byteLength) throw new IpcDamage(`${what}: table at ${pos} outside its ${view.byteLength} bytes`);
  }

  static root(view: DataView, what: string): Table {
    if (view.byteLength < 4) throw new IpcDamage(`${what}: ${view.byteLength} bytes, too short`);
    return new Table(view, view.getUint32(0, true), what);
  }

  /** Absolute position of field `index`, or 0 when absent. */
  private field(index: number): number {
    const vtable = this.pos - this.view.getInt32(this.pos, true);
    if (vtable < 0 || vtable + 4 > this.view.byteLength) throw new IpcDamage(`${this.what}: vtable outside the metadata`);
    const vtableSize = this.view.getUint16(vtable, true);
    const slot = 4 + 2 * index;
    if (slot + 2 > vtableSize) return 0;
    if (vtable + slot + 2 > this.view.byteLength) throw new IpcDamage(`${this.what}: vtable outside the metadata`);
    const offset = this.view.getUint16(vtable + slot, true);
    return offset === 0 ? 0 : this.pos + offset;
  }

  private target(index: number): number {
    const at = this.field(index);
    if (at === 0) return 0;
    if (at + 4 > this.view.byteLength) throw new IpcDamage(`${this.what}: field ${index} outside the metadata`);
    return at + this.view.getUint32(at, true);
  }

  int64(index: number): number {
    const at = this.field(index);
    if (at === 0) return 0;
    if (at + 8 > this.view.byteLength) throw new IpcDamage(`${this.what}: field ${index} outside the metadata`);
    return Number(this.view.getBigInt64(at, true));
  }

  /** The view's int64 at an absolute position (a struct in a vector). */
  int64At(at: number): number {
    return Number(this.view.getBigInt64(at, true));
  }

  uint8(index: number): number {
    const at = this.field(index);
    return at === 0 ? 0 : this.view.getUint8(at);
  }

  table(index: number, what: string): Table | undefined {
    const at = this.target(index);
    return at === 0 ? undefined : new Table(this.view, at, what);
  }

  /** A vector's length, checked to fit with `elementBytes` per element; 0 when absent. */
  vectorLength(index: number, elementBytes: number, what: string): number {
    const at = this.target(index);
    if (at === 0) return 0;
    if (at + 4 > this.view.byteLength) throw new IpcDamage(`${what}: outside the metadata`);
    const length = this.view.getUint32(at, true);
    if (at + 4 + length * elementBytes > this.view.byteLength) throw new IpcDamage(`${what}: ${length} entries do not fit in the metadata's ${this.view.byteLength} bytes`);
    return length;
  }

  /** Absolute position of a vector's first element (0 when absent). */
  vectorStart(index: number): number {
    const at = this.target(index);
    return at === 0 ? 0 : at + 4;
  }

  /** Element i of a vector of tables. */
  vectorTable(index: number, i: number, what: string): Table {
    const at = this.target(index) + 4 + 4 * i;
    return new Table(this.view, at + this.view.getUint32(at, true), what);
  }
}

function checkFields(table: Table, vectorIndex: number, depth: number): void {
  if (depth > MAX_FIELD_DEPTH) throw new IpcDamage(`the schema nests more than ${MAX_FIELD_DEPTH} levels`);
  const count = table.vectorLength(vectorIndex, 4, 'the schema fields');
  for (let i = 0; i < count; i++) {
    const field = table.vectorTable(vectorIndex, i, 'a schema field');
    field.vectorLength(6, 4, "a field's custom metadata");
    checkFields(field, 5, depth + 1);
  }
}

/** A schema (in a message or the footer): its fields and the custom metadata the reader loops over. */
function checkSchema(schema: Table): void {
  schema.vectorLength(2, 4, 'the schema custom metadata');
  checkFields(schema, 1, 0);
}

/** Rows a batch may claim beyond what its buffers can hold (columns of the null type have no buffers). */
const BUFFERLESS_ROWS = 1 << 16;

/**
 * A batch's vectors fit in its metadata, and its row counts in its data: every column of n rows has a buffer of at
 * least n bits (validity, values or offsets) unless its type is null, so no field node claims more than 8 rows per
 * byte of the batch's buffers (their uncompressed sizes when compressed). A damaged length would otherwise make the
 * loader allocate billions of cells.
 */
function checkBatch(batch: Table | undefined, body: Uint8Array | undefined): void {
  if (!batch) return;
  const nodes = batch.vectorLength(1, FIELD_NODE_BYTES, 'the record batch field nodes');
  const buffers = batch.vectorLength(2, BUFFER_BYTES, 'the record batch buffers');
  batch.vectorLength(4, 8, 'the record batch variadic buffer counts');
  if (!body) return;
  const compressed = batch.table(3, 'the record batch compression') !== undefined;
  let bytes = 0;
  const firstBuffer = batch.vectorStart(2);
  for (let i = 0; i < buffers; i++) {
    const offset = batch.int64At(firstBuffer + i * BUFFER_BYTES);
    const length = batch.int64At(firstBuffer + i * BUFFER_BYTES + 8);
    if (offset < 0 || length < 0 || offset + length > body.length) throw new IpcDamage(`buffer ${i + 1} of a record batch lies outside its ${body.length}-byte body`);
    if (!compressed || length === 0) bytes += length;
    else if (length < 8) throw new IpcDamage(`compressed buffer ${i + 1} of a record batch has no length prefix`);
    else {
      const declared = Number(new DataView(body.buffer, body.byteOffset + offset, 8).getBigInt64(0, true));
      bytes += declared === -1 ? length - 8 : Math.max(0, declared);
    }
  }
  const rows = batch.int64(0);
  const firstNode = batch.vectorStart(1);
  for (let i = -1; i < nodes; i++) {
    const n = i < 0 ? rows : batch.int64At(firstNode + i * FIELD_NODE_BYTES);
    if (n < 0 || n > 8 * bytes + BUFFERLESS_ROWS) throw new IpcDamage(`a record batch claims ${n} rows, more than its ${bytes} bytes of buffers hold`);
  }
}

/** One message's metadata (a flatbuffer `Message`): its header's vectors; `body` is the message's body when known. */
export function checkMessage(view: DataView, body?: Uint8Array): number {
  const message = Table.root(view, 'a message');
  const type = message.uint8(1);
  const header = message.table(2, 'the message header');
  message.vectorLength(4, 4, 'the message custom metadata');
  if (type === 1 && header) checkSchema(header);
  else if (type === 3) checkBatch(header, body);
  else if (type === 2 && header) checkBatch(header.table(1, 'the dictionary batch'), body);
  return type;
}

/** Walks the messages of a stream from `offset`; each must fit in the bytes. */
function checkStream(bytes: Uint8Array, offset: number, end: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = offset;
  for (let messages = 0; o + 4 <= end; messages++) {
    let length = view.getInt32(o, true);
    let start = o + 4;
    if (length === -1) {
      if (o + 8 > end) break;
      length = view.getInt32(o + 4, true);
      start = o + 8;
    }
    if (length === 0) return; // end of stream
    if (length < 0 || start + length > end) throw new IpcDamage(`message ${messages + 1} at byte ${o} claims ${length} bytes of metadata, beyond the file's end`);
    const meta = new DataView(bytes.buffer, bytes.byteOffset + start, length);
    const bodyLength = messageBodyLength(meta);
    if (bodyLength < 0 || start + length + bodyLength > end) throw new IpcDamage(`message ${messages + 1} at byte ${o} claims a body of ${bodyLength} bytes, beyond the file's end`);
    checkMessage(meta, bytes.subarray(start + length, start + length + bodyLength));
    o = start + length + bodyLength;
  }
}

/**
 * A footer block must point at a message's start: its metadata length (after the continuation marker) is the
 * block's less the prefix (and padding). A block pointing elsewhere makes the library read bytes as metadata, where
 * it can loop for minutes.
 */
export function checkBlockPrefix(length: number, metaLength: number, prefix: number, what: string, i: number, offset: number): void {
  if (!(length > 0 && length <= metaLength - prefix && metaLength - prefix - length < 8)) {
    throw new IpcDamage(`${what} block ${i + 1} (byte ${offset}) does not point at the start of a message`);
  }
}

/** Message.bodyLength (field 3, an int64), read without the library. */
function messageBodyLength(meta: DataView): number {
  const pos = meta.getUint32(0, true);
  const vtable = pos - meta.getInt32(pos, true);
  if (vtable < 0 || vtable + 4 > meta.byteLength) throw new IpcDamage('a message: vtable outside the metadata');
  if (meta.getUint16(vtable, true) < 12) return 0;
  const offset = meta.getUint16(vtable + 10, true);
  if (offset === 0) return 0;
  if (pos + offset + 8 > meta.byteLength) throw new IpcDamage('a message: body length outside the metadata');
  return Number(meta.getBigInt64(pos + offset, true));
}

/** Checks a whole IPC file ("ARROW1" … footer … "ARROW1") or stream; throws IpcDamage. */
export function checkIpc(bytes: Uint8Array): void {
  const isFile = bytes.length >= 6 && String.fromCharCode(...bytes.subarray(0, 6)) === 'ARROW1';
  if (!isFile) {
    checkStream(bytes, 0, bytes.length);
    return;
  }
  const n = bytes.length;
  if (n < 8 + 10 || String.fromCharCode(...bytes.subarray(n - 6)) !== 'ARROW1') throw new IpcDamage('the file does not end with "ARROW1": it is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, n);
  const footerLength = view.getInt32(n - 10, true);
  const footerStart = n - 10 - footerLength;
  if (footerLength <= 0 || footerStart < 8) throw new IpcDamage(`the footer claims ${footerLength} bytes, more than the file holds`);
  const footer = Table.root(new DataView(bytes.buffer, bytes.byteOffset + footerStart, footerLength), 'the footer');
  const schema = footer.table(1, 'the footer schema');
  if (schema) checkSchema(schema);
  const footerView = new DataView(bytes.buffer, bytes.byteOffset + footerStart, footerLength);
  // The reader follows the footer's blocks (offset, metadata length, body length) to each message.
  for (const [index, what, messageType] of [[2, 'dictionary', 2], [3, 'record batch', 3]] as const) {
    const count = footer.vectorLength(index, BLOCK_BYTES, `the ${what} blocks`);
    const first = footer.vectorStart(index);
    for (let i = 0; i < count; i++) {
      const at = first + i * BLOCK_BYTES;
      const offset = Number(footerView.getBigInt64(at, true));
      const metaLength = footerView.getInt32(at + 8, true);
      const bodyLength = Number(footerView.getBigInt64(at + 16, true));
      if (offset < 8 || metaLength < 8 || bodyLength < 0 || offset + metaLength + bodyLength > footerStart) {
        throw new IpcDamage(`${what} block ${i + 1} points outside the file (byte ${offset}, ${metaLength} + ${bodyLength} bytes)`);
      }
      const prefix = view.getInt32(offset, true) === -1 ? 8 : 4;
      checkBlockPrefix(view.getInt32(offset + prefix - 4, true), metaLength, prefix, what, i, offset);
      const type = checkMessage(new DataView(bytes.buffer, bytes.byteOffset + offset + prefix, metaLength - prefix), bytes.subarray(offset + metaLength, offset + metaLength + bodyLength));
      // The file reader rereads a block until it finds the message it expects there: any other would loop forever.
      if (type !== messageType) throw new IpcDamage(`${what} block ${i + 1} points to a message of type ${type}, not a ${what === 'dictionary' ? 'dictionary batch' : what}`);
    }
  }
  checkStream(bytes, 8, footerStart);
}

/** A message's place in the file: where it starts (its prefix), and its metadata and body lengths. */
export interface IpcBlock {
  offset: number;
  metaLength: number;
  bodyLength: number;
}

/** A message's header type (1 schema, 2 dictionary batch, 3 record batch) and body length, from its metadata. */
export function messageHeader(meta: DataView): { type: number; bodyLength: number } {
  const message = Table.root(meta, 'a message');
  return { type: message.uint8(1), bodyLength: messageBodyLength(meta) };
}

export interface FooterBlocks {
  dictionaries: IpcBlock[];
  batches: IpcBlock[];
  /** Where each vector's first block is in the footer's bytes (0 when absent); its length is the uint32 before it. */
  dictionaryVector: number;
  batchVector: number;
}

/** The footer's dictionary and record batch blocks (an IPC file's), each checked to lie before the footer. */
export function footerBlocks(footer: DataView, footerStart: number): FooterBlocks {
  const root = Table.root(footer, 'the footer');
  const out: FooterBlocks = { dictionaries: [], batches: [], dictionaryVector: root.vectorStart(2), batchVector: root.vectorStart(3) };
  for (const [index, what, list] of [[2, 'dictionary', out.dictionaries], [3, 'record batch', out.batches]] as const) {
    const count = root.vectorLength(index, BLOCK_BYTES, `the ${what} blocks`);
    const first = root.vectorStart(index);
    for (let i = 0; i < count; i++) {
      const at = first + i * BLOCK_BYTES;
      const offset = Number(footer.getBigInt64(at, true));
      const metaLength = footer.getInt32(at + 8, true);
      const bodyLength = Number(footer.getBigInt64(at + 16, true));
      if (offset < 8 || metaLength < 8 || bodyLength < 0 || offset + metaLength + bodyLength > footerStart) {
        throw new IpcDamage(`${what} block ${i + 1} points outside the file (byte ${offset}, ${metaLength} + ${bodyLength} bytes)`);
      }
      list.push({ offset, metaLength, bodyLength });
    }
  }
  return out;
}
