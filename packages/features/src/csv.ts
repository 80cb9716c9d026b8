import { readFileSync, statSync } from 'node:fs';
import { RallyError } from '@rally/errors';

/** A CSV file split into a header and string records, exactly as written (no type inference). */
export interface CsvText {
  header: string[];
  records: string[][];
  /** Harmless quirks that were accepted (a UTF-8 BOM, CRLF line endings), for the report. */
  notes: string[];
}

const unreadable = (message: string, cause?: unknown) => new RallyError('DATA_UNREADABLE', message, { cause });

/**
 * Reads a CSV file and turns every way it can be unreadable into one sentence
 * (missing path, a directory, empty, not UTF-8, header only, wrong delimiter, unbalanced quotes).
 */
export function readCsvFile(path: string): CsvText {
  return parseCsv(readCsvBytes(path), path);
}

/** The raw bytes of a CSV file, with missing paths, folders and permissions told in one sentence. */
export function readCsvBytes(path: string): Buffer {
  try {
    if (statSync(path).isDirectory()) throw unreadable(`${path} is a directory, not a CSV file.`);
    return readFileSync(path);
  } catch (error) {
    if (error instanceof RallyError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw unreadable(`No such file: ${path}.`, error);
    if (code === 'EACCES') throw unreadable(`Permission denied reading ${path}.`, error);
    throw unreadable(`Cannot read ${path}: ${(error as Error).message}.`, error);
  }
}

/** Parses CSV bytes (RFC 4180: quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(bytes: Uint8Array, source = 'the input'): CsvText {
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
  const decoder = new TextDecoder('utf-8', { fatal: true });
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
