import { RallyError } from '@rally/errors';

const [LF, CR, QUOTE, COMMA] = [10, 13, 34, 44];

const unreadable = (message: string, cause?: unknown) => new RallyError('DATA_UNREADABLE', message, { cause });

/** A field longer than this is cut (no column of any contract holds one): an unclosed quote cannot take all memory. */
export const MAX_FIELD_CHARS = 1 << 20;

export interface CsvRecordHandler {
  header(fields: string[]): void;
  record(fields: string[]): void;
}

/**
 * Splits CSV bytes, fed in chunks of any size, into a header and records (RFC 4180: quoted fields,
 * doubled quotes, CRLF, LF or lone CR), handing each on as soon as it ends: memory holds one record,
 * whatever the file's size. Every way a file can be unreadable is one DATA_UNREADABLE sentence naming
 * `source`, in the same order of precedence as if the whole file were read first: not UTF-8, only
 * white space, a quote never closed, the wrong delimiter, a header without data rows.
 */
export class CsvRecordReader {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private bytesRead = 0;
  /** The last bytes read (of one chunk or more), to name a bad byte that follows a cut character. */
  private previousTail: Uint8Array = new Uint8Array(0);
  private started = false;
  private readonly notes: string[] = [];
  private sawCrlf = false;
  private lastWasCr = false;
  private sawText = false;
  // Tokenizer state, carried across chunks.
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  /** Inside quotes, a quote seen last: the end of the field, or the first of a doubled quote. */
  private quotePending = false;
  /** A CR seen last: a LF right after it belongs to the same line end. */
  private crPending = false;
  private quotedLine = 0;
  private line = 1;
  private header: string[] | null = null;
  private records = 0;

  private readonly source: string;
  private readonly handler: CsvRecordHandler;

  constructor(source: string, handler: CsvRecordHandler) {
    this.source = source;
    this.handler = handler;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch (error) {
      throw this.notUtf8(chunk, error);
    }
    this.previousTail = lastBytes(this.previousTail, chunk, 3);
    this.bytesRead += chunk.length;
    this.consume(text);
  }

  /** The end of the input: the last record, and every check that needs the whole file. */
  end(): { notes: string[]; records: number; columns: number } {
    if (this.bytesRead === 0) throw unreadable(`${this.source} is empty.`);
    let text: string;
    try {
      text = this.decoder.decode();
    } catch (error) {
      throw unreadable(`${this.source} is not valid UTF-8 text (a truncated multi-byte character at the end); save it as UTF-8 and try again.`, error);
    }
    this.consume(text);
    if (this.sawCrlf) this.notes.push('CRLF line endings were accepted');
    if (!this.sawText) throw unreadable(`${this.source} holds no data (only white space).`);
    if (this.inQuotes && !this.quotePending) throw unreadable(`${this.source} has a quoted field opened on line ${this.quotedLine} that is never closed.`);
    // The last line (empty after a final line end: then dropped as blank).
    this.endRecord();
    // Only empty quoted fields (`""`) on their lines: they are blank lines.
    if (this.header === null) throw unreadable(`${this.source} holds no data (only blank lines).`);
    const header = this.header;
    if (header.length === 1) {
      const delimiter = [';', '\t', '|'].find((candidate) => header[0].includes(candidate));
      if (delimiter !== undefined) {
        const shown = delimiter === '\t' ? 'tabs' : `'${delimiter}'`;
        throw unreadable(`${this.source} seems to use ${shown} as the delimiter; rally reads comma-separated files.`);
      }
    }
    if (this.records === 0) throw unreadable(`${this.source} has a header but no data rows.`);
    return { notes: this.notes, records: this.records, columns: header.length };
  }

  private consume(text: string): void {
    if (text.length === 0) return;
    let i = 0;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) {
        i = 1;
        this.notes.push('a UTF-8 byte order mark at the start was ignored');
      }
    }
    if (!this.sawText && /\S/.test(i === 0 ? text : text.slice(i))) this.sawText = true;
    if (!this.sawCrlf && (text.includes('\r\n') || (this.lastWasCr && text.charCodeAt(0) === 10))) this.sawCrlf = true;
    this.lastWasCr = text.charCodeAt(text.length - 1) === 13;
    // Ordinary characters are not copied one by one: `run` marks where the field's next part starts.
    let run = i;
    const flush = (end: number) => {
      if (end > run) this.append(text.slice(run, end));
    };
    for (; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (this.crPending) {
        this.crPending = false;
        if (code === LF) {
          run = i + 1;
          continue;
        }
      }
      if (this.quotePending) {
        this.quotePending = false;
        if (code === QUOTE) {
          // A doubled quote: one quote character, still inside.
          this.append('"');
          run = i + 1;
          continue;
        }
        this.inQuotes = false;
        run = i;
      }
      if (this.inQuotes) {
        if (code === QUOTE) {
          flush(i);
          this.quotePending = true;
          run = i + 1;
        } else if (code === LF) this.line += 1;
        continue;
      }
      if (code === QUOTE && this.field === '' && run === i) {
        // A quote opens a quoted field only at the field's start; elsewhere it is a character.
        this.inQuotes = true;
        this.quotedLine = this.line;
        run = i + 1;
      } else if (code === COMMA) {
        flush(i);
        this.fields.push(this.field);
        this.field = '';
        run = i + 1;
      } else if (code === LF || code === CR) {
        flush(i);
        this.endRecord();
        this.line += 1;
        this.crPending = code === CR;
        run = i + 1;
      }
    }
    flush(text.length);
  }

  private append(part: string): void {
    if (this.field.length >= MAX_FIELD_CHARS) return;
    this.field += part.length + this.field.length > MAX_FIELD_CHARS ? part.slice(0, MAX_FIELD_CHARS - this.field.length) : part;
  }

  private endRecord(): void {
    this.fields.push(this.field);
    const fields = this.fields;
    this.fields = [];
    this.field = '';
    // A blank line (one empty field) is not a record.
    if (fields.length === 1 && fields[0] === '') return;
    if (this.header === null) {
      this.header = fields;
      this.handler.header(fields);
    } else {
      this.records += 1;
      this.handler.record(fields);
    }
  }

  private notUtf8(chunk: Uint8Array, cause: unknown): RallyError {
    // The character being decoded may have begun in the previous chunk: start from its first byte.
    const carried = incompleteTail(this.previousTail);
    const bytes = new Uint8Array(carried.length + chunk.length);
    bytes.set(carried);
    bytes.set(chunk, carried.length);
    const bad = firstBadByte(bytes);
    const where = bad === null ? 'a truncated multi-byte character at the end' : `invalid byte 0x${bad.byte.toString(16).padStart(2, '0')} at offset ${this.bytesRead - carried.length + bad.offset}`;
    return unreadable(`${this.source} is not valid UTF-8 text (${where}); save it as UTF-8 and try again.`, cause);
  }
}

/** The last `count` bytes of `before` then `chunk`. */
function lastBytes(before: Uint8Array, chunk: Uint8Array, count: number): Uint8Array {
  if (chunk.length >= count) return chunk.slice(chunk.length - count);
  const joined = new Uint8Array(Math.min(count, before.length + chunk.length));
  const kept = joined.length - chunk.length;
  joined.set(before.subarray(before.length - kept));
  joined.set(chunk, kept);
  return joined;
}

/** The bytes at the end of `tail` that begin a UTF-8 character not yet complete. */
function incompleteTail(tail: Uint8Array): Uint8Array {
  for (let i = tail.length - 1; i >= 0; i -= 1) {
    const byte = tail[i];
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return tail.length - i < length ? tail.subarray(i) : new Uint8Array(0);
  }
  return new Uint8Array(0);
}

/**
 * The first byte that cannot be decoded, fed to a streaming decoder one at a time: it throws at the
 * first byte that cannot continue, which may be the one after the culprit (a Latin-1 "é" then a
 * newline throws at the newline), so this names the first byte of the character being decoded.
 */
export function firstBadByte(bytes: Uint8Array): { byte: number; offset: number } | null {
  // ignoreBOM: a byte order mark is a character like any other here (else it decodes to nothing, and
  // a bad byte right after it would be named as the mark's first byte).
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let start = 0;
  for (let offset = 0; offset < bytes.length; offset += 1) {
    try {
      if (decoder.decode(bytes.subarray(offset, offset + 1), { stream: true }) !== '') start = offset + 1;
    } catch {
      return { byte: bytes[start], offset: start };
    }
  }
  return null;
}
