// @module-tag unit
/**
 * The streaming CSV reader against the whole-file reader it replaced (test/oracles): random texts
 * built from every character that matters to CSV (quotes, doubled quotes, commas, CR, LF, CRLF,
 * multi-byte and astral UTF-8, a byte order mark, bytes that are not UTF-8), cut into chunks at
 * random byte positions, even inside a character, must give the same header, records and notes,
 * or the same error sentence.
 */
import { describe, expect, it } from 'vitest';
import { RallyError } from '@rally/errors';
import { CsvRecordReader, MAX_FIELD_CHARS } from '../src/csv-reader.ts';
import { parseCsv } from '../src/csv.ts';
import { Random } from '../src/random.ts';
import { parseWholeCsv } from './oracles/whole-file-csv.ts';

const TOKENS = ['a', 'b', '1', ' ', 'é', '€', '😀', ',', ',', ',', '"', '"', '""', '\n', '\n', '\r', '\r\n', ';', '\t'];

function randomText(random: Random): Uint8Array {
  const parts: string[] = [];
  const length = random.below(40);
  for (let i = 0; i < length; i += 1) parts.push(TOKENS[random.below(TOKENS.length)]);
  let bytes: Uint8Array = Buffer.from(parts.join(''), 'utf8');
  if (random.below(8) === 0) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
  if (random.below(6) === 0) {
    // Not UTF-8: a stray byte, or a character cut short, somewhere.
    const at = random.below(bytes.length + 1);
    const bad = [[0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0x80]][random.below(5)];
    bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]);
  }
  return bytes;
}

/** Cuts `bytes` at random positions (chunks of 1 to 7 bytes, or a few large ones). */
function randomChunks(bytes: Uint8Array, random: Random): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const small = random.below(2) === 0;
  for (let at = 0; at < bytes.length; ) {
    const size = small ? 1 + random.below(7) : 1 + random.below(Math.max(1, bytes.length));
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

function outcome(read: () => unknown): unknown {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof RallyError)) throw error;
    return { code: error.code, message: error.message };
  }
}

function readInChunks(chunks: Uint8Array[], source: string) {
  let header: string[] = [];
  const records: string[][] = [];
  const reader = new CsvRecordReader(source, { header: (fields) => (header = fields), record: (fields) => records.push(fields) });
  for (const chunk of chunks) reader.push(chunk);
  const { notes } = reader.end();
  return { header, records, notes };
}

describe('the streaming CSV reader reads exactly as the whole-file reader did', () => {
  it('on 3,000 random texts, each cut into random chunks: the same header, records and notes, or the same error sentence', () => {
    const random = new Random(16);
    const kinds = new Map<string, number>();
    for (let i = 0; i < 3000; i += 1) {
      const bytes = randomText(random);
      // The whole-file reader crashed (a TypeError) on a file of blank lines and `""` lines only.
      const expected = outcome(() => {
        try {
          return parseWholeCsv(bytes, 'x.csv');
        } catch (error) {
          if (error instanceof TypeError) throw new RallyError('DATA_UNREADABLE', 'x.csv holds no data (only blank lines).');
          throw error;
        }
      });
      expect(outcome(() => readInChunks(randomChunks(bytes, random), 'x.csv')), JSON.stringify(Buffer.from(bytes).toString('latin1'))).toEqual(expected);
      expect(outcome(() => parseCsv(bytes, 'x.csv'))).toEqual(expected);
      const kind = (expected as { message?: string }).message?.replace(/^x\.csv /, '').replace(/\(invalid byte 0x[0-9a-f]{2} at offset \d+\)/, '(invalid byte)').replace(/line \d+/, 'line N') ?? 'read';
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    // The texts reach every outcome: records, and each way of being unreadable.
    expect([...kinds.keys()].sort()).toEqual(
      [
        'read',
        'has a header but no data rows.',
        'has a quoted field opened on line N that is never closed.',
        'holds no data (only white space).',
        'holds no data (only blank lines).',
        'is empty.',
        'is not valid UTF-8 text (a truncated multi-byte character at the end); save it as UTF-8 and try again.',
        'is not valid UTF-8 text (invalid byte); save it as UTF-8 and try again.',
        "seems to use ';' as the delimiter; rally reads comma-separated files.",
        'seems to use tabs as the delimiter; rally reads comma-separated files.',
      ].sort(),
    );
    expect(kinds.get('read')).toBeGreaterThan(1000);
  });

  it('names a bad byte by its offset in the whole file, whichever chunk it falls in and wherever the character it cuts began', () => {
    const text = Buffer.from('a,b\n€,😀\n');
    for (let at = 0; at <= text.length; at += 1) {
      for (const bad of [[0xff], [0xe2, 0x82, 0x0a], [0xf0, 0x9f, 0x98]]) {
        const bytes = Buffer.concat([text.subarray(0, at), Buffer.from(bad), text.subarray(at)]);
        const expected = outcome(() => parseWholeCsv(bytes, 'x.csv'));
        for (let cut = 0; cut <= bytes.length; cut += 1) {
          expect(outcome(() => readInChunks([bytes.subarray(0, cut), bytes.subarray(cut)], 'x.csv')), `bad at ${at}, cut at ${cut}`).toEqual(expected);
        }
      }
    }
  });

  it('cuts a field at MAX_FIELD_CHARS (no column holds one that long), and still reads the rest of its record', () => {
    const long = 'x'.repeat(MAX_FIELD_CHARS + 5000);
    const bytes = Buffer.from(`a,b\n${long},2\n3,4\n`);
    const { records } = readInChunks([bytes.subarray(0, 70_000), bytes.subarray(70_000)], 'x.csv');
    expect(records.map((record) => record.map((field) => field.length))).toEqual([
      [MAX_FIELD_CHARS, 1],
      [1, 1],
    ]);
  });

  it('an unclosed quote over a large file is still the one sentence, whatever the chunks', () => {
    const bytes = Buffer.from(`a,b\n1,"2\n${'3,4\n'.repeat(400_000)}`);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += 65_536) chunks.push(bytes.subarray(at, at + 65_536));
    expect(outcome(() => readInChunks(chunks, 'big.csv'))).toEqual({ code: 'DATA_UNREADABLE', message: 'big.csv has a quoted field opened on line 2 that is never closed.' });
  });
});
