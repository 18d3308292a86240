// A byte-level XML scanner for the parts of an .xlsx workbook, fed a chunk at a time (a zip entry as it inflates):
// it reports open tags (with their attribute bytes), close tags and text, keeping only the current event's bytes.
// Enough XML for SpreadsheetML: no DTD, entities as read-excel-file's parser (saxen) decodes them, names without
// their namespace prefix, comments, processing instructions and CDATA.

export const END = 0;
export const OPEN = 1;
export const CLOSE = 2;
export const TEXT = 3;
export type XmlEvent = typeof END | typeof OPEN | typeof CLOSE | typeof TEXT;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const QUOTE = 0x22;
const APOS = 0x27;
const COLON = 0x3a;
const EQUALS = 0x3d;
const AMP = 0x26;

/** The most bytes one tag or one text may take: beyond it the part is not SpreadsheetML (a damaged file). */
const MAX_EVENT_BYTES = 64 << 20;

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const decoder = new TextDecoder('utf-8');
const ENTITY = /&#(\d+);|&#x([0-9a-f]+);|&(\w+);/gi;
const NAMED: Record<string, string> = { amp: '&', apos: "'", gt: '>', lt: '<', quot: '"' };

/** Decodes XML character references and the five named entities (others are kept), as saxen does. */
export function decodeEntities(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(ENTITY, (whole, decimal?: string, hexadecimal?: string, name?: string) => {
    if (name !== undefined) return NAMED[name.toLowerCase()] ?? whole;
    return String.fromCharCode(decimal !== undefined ? Number(decimal) : parseInt(hexadecimal!, 16));
  });
}

export class XmlScanner {
  private buf: Uint8Array;
  private end = 0;
  private pos = 0;
  private exhausted = false;
  /** The current event: its name's local part (tags), its attributes' bytes (open tags), its text's bytes. */
  nameStart = 0;
  nameEnd = 0;
  attrStart = 0;
  attrEnd = 0;
  selfClosing = false;
  textStart = 0;
  textEnd = 0;
  private cdata = false;

  /** `source` gives the part's bytes a chunk at a time (undefined at its end); `fail` makes the error for damage. */
  constructor(
    private readonly source: () => Uint8Array | undefined,
    private readonly fail: (what: string) => Error,
  ) {
    this.buf = new Uint8Array(1 << 16);
  }

  /** Keeps the bytes from `keep` on and appends the next chunk; false at the part's end. */
  private fill(keep: number): boolean {
    if (this.exhausted) return false;
    const chunk = this.source();
    if (!chunk) {
      this.exhausted = true;
      return false;
    }
    const kept = this.end - keep;
    if (kept + chunk.length > MAX_EVENT_BYTES) throw this.fail(`an XML tag or text longer than ${MAX_EVENT_BYTES >> 20} MB`);
    if (kept + chunk.length > this.buf.length) {
      const wider = new Uint8Array(Math.max(this.buf.length * 2, kept + chunk.length));
      wider.set(this.buf.subarray(keep, this.end));
      this.buf = wider;
    } else if (keep > 0) this.buf.copyWithin(0, keep, this.end);
    this.buf.set(chunk, kept);
    this.end = kept + chunk.length;
    this.pos -= keep;
    return true;
  }

  /** The index of `byte` at or after `from` (buffer index, relative to the event's start `start`), refilling as needed. */
  private find(start: number, offset: number, byte: number): { start: number; at: number } {
    for (;;) {
      const at = this.buf.indexOf(byte, start + offset);
      if (at >= 0 && at < this.end) return { start, at };
      offset = this.end - start;
      const before = this.pos;
      if (!this.fill(start)) return { start, at: -1 };
      start -= before - this.pos;
    }
  }

  /** Makes sure `count` bytes from `start` are buffered (fewer at the part's end); returns where `start` now is. */
  private need(start: number, count: number): number {
    while (this.end - start < count) {
      const before = this.pos;
      if (!this.fill(start)) break;
      start -= before - this.pos;
    }
    return start;
  }

  /** Finds the bytes of `terminator` after `start + offset`; the index of its first byte. */
  private findSequence(start: number, offset: number, terminator: number[]): { start: number; at: number } {
    for (;;) {
      const found = this.find(start, offset, terminator[0]);
      start = found.start;
      if (found.at < 0) return found;
      const s = this.need(start, found.at - start + terminator.length);
      const at = found.at - (start - s);
      start = s;
      if (this.end - at < terminator.length) return { start, at: -1 };
      let ok = true;
      for (let k = 1; k < terminator.length; k++) if (this.buf[at + k] !== terminator[k]) ok = false;
      if (ok) return { start, at };
      offset = at - start + 1;
    }
  }

  next(): XmlEvent {
    if (this.pos >= this.end && !this.fill(this.pos)) return END;
    const b = this.buf[this.pos];
    if (b !== LT) {
      const found = this.find(this.pos, 0, LT);
      const start = found.start;
      this.textStart = start;
      this.textEnd = found.at < 0 ? this.end : found.at;
      this.cdata = false;
      this.pos = this.textEnd;
      return TEXT;
    }
    let start = this.need(this.pos, 9);
    const second = this.buf[start + 1];
    if (second === QUESTION) return this.skipTo(start, [QUESTION, GT]);
    if (second === BANG) {
      if (this.matches(start + 2, '--')) return this.skipTo(start, [0x2d, 0x2d, GT]);
      if (this.matches(start + 2, '[CDATA[')) {
        const found = this.findSequence(start, 9, [0x5d, 0x5d, GT]);
        if (found.at < 0) throw this.fail('a CDATA section that does not end');
        this.textStart = found.start + 9;
        this.textEnd = found.at;
        this.cdata = true;
        this.pos = found.at + 3;
        return TEXT;
      }
      return this.skipTo(start, [GT]);
    }
    // A tag: up to the first ">" outside quotes.
    let quote = 0;
    let i = start + 1;
    for (;;) {
      if (i >= this.end) {
        const before = this.pos;
        if (!this.fill(start)) throw this.fail('a tag that does not end');
        const shift = before - this.pos;
        start -= shift;
        i -= shift;
        continue;
      }
      const c = this.buf[i];
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === QUOTE || c === APOS) quote = c;
      else if (c === GT) break;
      i++;
    }
    const closing = second === SLASH;
    let nameStart = start + (closing ? 2 : 1);
    let nameEnd = nameStart;
    while (nameEnd < i && !isSpace(this.buf[nameEnd]) && this.buf[nameEnd] !== SLASH) {
      if (this.buf[nameEnd] === COLON) nameStart = nameEnd + 1;
      nameEnd++;
    }
    this.nameStart = nameStart;
    this.nameEnd = nameEnd;
    this.attrStart = nameEnd;
    this.selfClosing = !closing && this.buf[i - 1] === SLASH;
    this.attrEnd = this.selfClosing ? i - 1 : i;
    this.pos = i + 1;
    return closing ? CLOSE : OPEN;
  }

  private matches(at: number, text: string): boolean {
    if (this.end - at < text.length) return false;
    for (let k = 0; k < text.length; k++) if (this.buf[at + k] !== text.charCodeAt(k)) return false;
    return true;
  }

  /** Skips a comment, processing instruction or declaration, then reads the next event. */
  private skipTo(start: number, terminator: number[]): XmlEvent {
    const found = this.findSequence(start, 2, terminator);
    if (found.at < 0) throw this.fail('a comment or declaration that does not end');
    this.pos = found.at + terminator.length;
    return this.next();
  }

  /** Whether the current tag's local name is `name` (ASCII). */
  is(name: string): boolean {
    if (this.nameEnd - this.nameStart !== name.length) return false;
    for (let k = 0; k < name.length; k++) if (this.buf[this.nameStart + k] !== name.charCodeAt(k)) return false;
    return true;
  }

  /** The current tag's local name. */
  name(): string {
    return decoder.decode(this.buf.subarray(this.nameStart, this.nameEnd));
  }

  /** The current text, decoded (entities too, outside CDATA). */
  text(): string {
    const { buf, textStart, textEnd } = this;
    const length = textEnd - textStart;
    // Short ASCII (numbers, indices) without allocating a decoder view.
    if (length <= 32) {
      let ascii = true;
      for (let k = textStart; k < textEnd; k++) if (buf[k] >= 0x80 || buf[k] === AMP) ascii = false;
      if (ascii) return String.fromCharCode.apply(null, buf.subarray(textStart, textEnd) as unknown as number[]);
    }
    const raw = decoder.decode(buf.subarray(textStart, textEnd));
    return this.cdata ? raw : decodeEntities(raw);
  }

  /**
   * The current open tag's attributes, calling `visit` with each one's local name's bounds and its value's bounds
   * (buffer indices; read them with `bytes()` or `string()` before the next event).
   */
  attributes(visit: (nameStart: number, nameEnd: number, valueStart: number, valueEnd: number) => void): void {
    const { buf } = this;
    let i = this.attrStart;
    const end = this.attrEnd;
    while (i < end) {
      while (i < end && isSpace(buf[i])) i++;
      if (i >= end) return;
      let nameStart = i;
      while (i < end && buf[i] !== EQUALS && !isSpace(buf[i])) {
        if (buf[i] === COLON) nameStart = i + 1;
        i++;
      }
      const nameEnd = i;
      while (i < end && isSpace(buf[i])) i++;
      if (buf[i] !== EQUALS) throw this.fail(`an attribute without a value in <${this.name()}>`);
      i++;
      while (i < end && isSpace(buf[i])) i++;
      const quote = buf[i];
      if (quote !== QUOTE && quote !== APOS) throw this.fail(`an attribute value without quotes in <${this.name()}>`);
      const valueStart = i + 1;
      const valueEnd = buf.indexOf(quote, valueStart);
      if (valueEnd < 0 || valueEnd >= end) throw this.fail(`an attribute value that does not end in <${this.name()}>`);
      visit(nameStart, nameEnd, valueStart, valueEnd);
      i = valueEnd + 1;
    }
  }

  /** The byte at a buffer index (for attribute names and values). */
  byte(at: number): number {
    return this.buf[at];
  }

  /** Bytes between buffer indices as text, entities decoded. */
  string(start: number, end: number): string {
    return decodeEntities(decoder.decode(this.buf.subarray(start, end)));
  }

  /** The current open tag's attributes as a map of local names to values (for the small parts). */
  attributeMap(): Map<string, string> {
    const out = new Map<string, string>();
    this.attributes((ns, ne, vs, ve) => out.set(decoder.decode(this.buf.subarray(ns, ne)), this.string(vs, ve)));
    return out;
  }
}

/** A scanner over bytes already in memory (a small part). */
export function scanBytes(bytes: Uint8Array, fail: (what: string) => Error): XmlScanner {
  let given = false;
  return new XmlScanner(() => {
    if (given) return undefined;
    given = true;
    return bytes;
  }, fail);
}
