import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { RallyError } from '@rally/errors';
import { CsvRecordReader, type CsvRecordHandler } from './csv-reader.ts';

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
  const fd = openCsv(path);
  try {
    return readFileSync(fd);
  } catch (error) {
    throw readError(path, error);
  } finally {
    closeSync(fd);
  }
}

function readError(path: string, error: unknown): RallyError {
  if (error instanceof RallyError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return unreadable(`No such file: ${path}.`, error);
  if (code === 'EACCES') return unreadable(`Permission denied reading ${path}.`, error);
  return unreadable(`Cannot read ${path}: ${(error as Error).message}.`, error);
}

/** Parses CSV bytes (RFC 4180: quoted fields, doubled quotes, CRLF or LF), holding every record. */
export function parseCsv(bytes: Uint8Array, source = 'the input'): CsvText {
  let header: string[] = [];
  const records: string[][] = [];
  const reader = new CsvRecordReader(source, { header: (fields) => (header = fields), record: (fields) => records.push(fields) });
  reader.push(bytes);
  const { notes } = reader.end();
  return { header, records, notes };
}

/**
 * How much of a file is read at a time when it is streamed. Small on purpose: a record's fields are
 * slices of the chunk's text and keep it alive, so larger chunks hold more text at once (1 MiB ones
 * raised validation's peak RSS by tens of MB at 320,000 rows, and were no faster).
 */
const CHUNK_BYTES = 1 << 16;

/**
 * Streams a CSV file through `handler`, a record at a time, in memory that does not grow with the
 * file; `onBytes` sees every chunk read (to hash or copy the file on the way). The same sentences
 * as readCsvBytes and parseCsv for every way it can be unreadable.
 */
export function streamCsvFile(path: string, handler: CsvRecordHandler, onBytes?: (chunk: Uint8Array) => void): { notes: string[]; records: number; columns: number } {
  const fd = openCsv(path);
  try {
    const reader = new CsvRecordReader(path, handler);
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (read === 0) break;
      onBytes?.(buffer.subarray(0, read));
      reader.push(buffer.subarray(0, read));
    }
    return reader.end();
  } finally {
    closeSync(fd);
  }
}

function openCsv(path: string): number {
  try {
    if (statSync(path).isDirectory()) throw unreadable(`${path} is a directory, not a CSV file.`);
    return openSync(path, 'r');
  } catch (error) {
    throw readError(path, error);
  }
}
