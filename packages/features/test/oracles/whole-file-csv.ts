/**
 * The whole-file CSV reader rally had before validation streamed (issue 16), kept word for word as
 * the oracle of the streaming reader: decode the whole text, then split it. The streaming reader
 * must read every input exactly as this one did, records, notes and error sentences alike, except
 * where this one was wrong: a file of blank and `""` lines only crashed it (a TypeError).
 */
import { RallyError } from '@rally/errors';
import type { CsvText } from '../../src/csv.ts';

const unreadable = (message: string, cause?: unknown) => new RallyError('DATA_UNREADABLE', message, { cause });

/** Parses CSV bytes (RFC 4180: quoted fields, doubled quotes, CRLF or LF). */
export function parseWholeCsv(bytes: Uint8Array, source = 'the input'): CsvText {
  const notes: string[] = [];
  if (bytes.length === 0) throw unreadable(`${source} is empty.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw unreadable(`${source} is not valid UTF-8 text (${describeBadByte(bytes)}); save it as UTF-8 and try again.`, error);
  }
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
    notes.push('a UTF-8 byte order mark at the start was ignored');
  }
  if (text.includes('\r\n')) notes.push('CRLF line endings were accepted');
  if (text.trim() === '') throw unreadable(`${source} holds no data (only white space).`);

  const rows = splitRecords(text, source);
  const header = rows.shift()!;
  if (header.length === 1) {
    const delimiter = [';', '\t', '|'].find((candidate) => header[0].includes(candidate));
    if (delimiter !== undefined) {
      const shown = delimiter === '\t' ? 'tabs' : `'${delimiter}'`;
      throw unreadable(`${source} seems to use ${shown} as the delimiter; rally reads comma-separated files.`);
    }
  }
  if (rows.length === 0) throw unreadable(`${source} has a header but no data rows.`);
  return { header, records: rows, notes };
}

function describeBadByte(bytes: Uint8Array): string {
  // Feed the bytes one at a time to a streaming decoder: it throws at the first byte that cannot
  // continue, which may be the one after the culprit (a Latin-1 "é" then a newline throws at the
  // newline), so name the first byte of the character being decoded.
  // ignoreBOM: the one change to the old code. Without it a byte order mark decodes to nothing, and
  // a bad byte after it was named as the mark's first byte, at offset 0 (a defect the reader fixes).
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let start = 0;
  for (let offset = 0; offset < bytes.length; offset += 1) {
    try {
      if (decoder.decode(bytes.subarray(offset, offset + 1), { stream: true }) !== '') start = offset + 1;
    } catch {
      return `invalid byte 0x${bytes[start].toString(16).padStart(2, '0')} at offset ${start}`;
    }
  }
  return 'a truncated multi-byte character at the end';
}

function splitRecords(text: string, source: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let inQuotes = false;
  let quotedLine = 0;
  let line = 1;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (inQuotes) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else inQuotes = false;
      } else {
        if (char === '\n') line += 1;
        field += char;
      }
      continue;
    }
    if (char === '"' && field === '') {
      inQuotes = true;
      quotedLine = line;
    } else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      line += 1;
    } else field += char;
  }
  if (inQuotes) throw unreadable(`${source} has a quoted field opened on line ${quotedLine} that is never closed.`);
  // The last line (empty after a final newline: then filtered out as blank below).
  record.push(field);
  records.push(record);
  // A blank line (including a trailing one) is not a record.
  return records.filter((r) => !(r.length === 1 && r[0] === ''));
}
