// @module-tag unit
/**
 * Reading CSV bytes (issue 15): RFC 4180 quoting, line endings, and each way a file can be
 * unreadable, told in one sentence that names the file.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectRallyError, tempDir } from '@rally/testkit';
import { parseCsv, readCsvBytes, readCsvFile } from '../src/index.ts';
import { writeTemp } from './helpers.ts';

const parse = (text: string) => parseCsv(Buffer.from(text, 'utf8'), 'x.csv');

async function unreadable(action: () => unknown): Promise<string> {
  return (await expectRallyError(action, 'DATA_UNREADABLE')).message;
}

describe('parseCsv: records', () => {
  it('splits a header and records on commas and newlines, every field a string as written', () => {
    expect(parse('a,b,c\n1, 2 ,x\n,,\n')).toEqual({ header: ['a', 'b', 'c'], records: [['1', ' 2 ', 'x'], ['', '', '']], notes: [] });
  });

  it('keeps a last line without a newline', () => {
    expect(parse('a,b\n1,2\n3,4').records).toEqual([['1', '2'], ['3', '4']]);
    expect(parse('a,b\n1,2\n3,').records).toEqual([['1', '2'], ['3', '']]);
  });

  it('skips blank lines, in the middle and at the end', () => {
    expect(parse('a,b\n1,2\n\n\n3,4\n\n').records).toEqual([['1', '2'], ['3', '4']]);
  });

  it('accepts CRLF and lone CR line endings, and notes CRLF only', () => {
    const crlf = parse('a,b\r\n1,2\r\n3,4\r\n');
    expect(crlf.records).toEqual([['1', '2'], ['3', '4']]);
    expect(crlf.notes).toEqual(['CRLF line endings were accepted']);
    const cr = parse('a,b\r1,2\r3,4');
    expect(cr).toEqual({ header: ['a', 'b'], records: [['1', '2'], ['3', '4']], notes: [] });
  });

  it('drops a UTF-8 byte order mark from the first column name, and notes it', () => {
    const csv = parseCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n1,2\n')]), 'x.csv');
    expect(csv.header).toEqual(['a', 'b']);
    expect(csv.notes).toEqual(['a UTF-8 byte order mark at the start was ignored']);
  });

  it('reads quoted fields: commas, newlines and doubled quotes inside, quotes removed', () => {
    const csv = parse('a,b,c\n"x, y","line 1\nline 2","say ""hi"""\n"",2,"3"\n');
    expect(csv.records).toEqual([
      ['x, y', 'line 1\nline 2', 'say "hi"'],
      ['', '2', '3'],
    ]);
  });

  it('keeps a quote in the middle of an unquoted field as a character', () => {
    expect(parse('a,b\n5" tall,x\n').records).toEqual([['5" tall', 'x']]);
  });

  it('reads a CRLF inside a quoted field as written', () => {
    expect(parse('a\r\n"1\r\n2"\r\n').records).toEqual([['1\r\n2']]);
  });

  it('keeps non-ASCII UTF-8 text', () => {
    expect(parse('joueur,ville\nGaël,Zürich\n').records).toEqual([['Gaël', 'Zürich']]);
  });

  it('accepts a one-column file without any delimiter', () => {
    expect(parse('id\n1\n2\n')).toEqual({ header: ['id'], records: [['1'], ['2']], notes: [] });
    expect(parse('id\n1\n2').records).toEqual([['1'], ['2']]);
  });

  it('calls the input "the input" when no source is given', async () => {
    expect(await unreadable(() => parseCsv(new Uint8Array()))).toBe('the input is empty.');
  });
});

describe('parseCsv: unreadable input, one sentence naming the source', () => {
  it('an empty file', async () => {
    expect(await unreadable(() => parseCsv(new Uint8Array(), 'x.csv'))).toBe('x.csv is empty.');
  });

  it('only white space', async () => {
    expect(await unreadable(() => parse(' \n\t\r\n'))).toBe('x.csv holds no data (only white space).');
  });

  it('only empty quoted fields on their own lines (blank lines too)', async () => {
    expect(await unreadable(() => parse('""'))).toBe('x.csv holds no data (only blank lines).');
    expect(await unreadable(() => parse('""\n\n""\r\n'))).toBe('x.csv holds no data (only blank lines).');
  });

  it('a header and no data rows, with or without blank lines after it', async () => {
    expect(await unreadable(() => parse('a,b'))).toBe('x.csv has a header but no data rows.');
    expect(await unreadable(() => parse('a,b\n\n\n'))).toBe('x.csv has a header but no data rows.');
  });

  it('not UTF-8: names the first bad byte and its offset', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xff]), Buffer.from('\n')]);
    expect(await unreadable(() => parseCsv(bytes, 'x.csv'))).toBe(
      'x.csv is not valid UTF-8 text (invalid byte 0xff at offset 6); save it as UTF-8 and try again.',
    );
  });

  it('not UTF-8: a character cut short is named by its first byte, not by the byte that ends it', async () => {
    const cut = Buffer.from([0x61, 0x0a, 0xc3, 0x05, 0x0a]);
    expect(await unreadable(() => parseCsv(cut, 'x.csv'))).toMatch(/\(invalid byte 0xc3 at offset 2\)/);
    // A file saved as Latin-1: "café" then a newline.
    const latin1 = Buffer.concat([Buffer.from('a\ncaf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    expect(await unreadable(() => parseCsv(latin1, 'x.csv'))).toMatch(/\(invalid byte 0xe9 at offset 5\)/);
    // After a byte order mark, offsets still count from the file's first byte.
    const afterBom = Buffer.from([0xef, 0xbb, 0xbf, 0xe2, 0x31]);
    expect(await unreadable(() => parseCsv(afterBom, 'x.csv'))).toMatch(/\(invalid byte 0xe2 at offset 3\)/);
    // After a valid multi-byte character, the count goes on from the next one.
    const afterEuro = Buffer.concat([Buffer.from('€'), Buffer.from([0xff])]);
    expect(await unreadable(() => parseCsv(afterEuro, 'x.csv'))).toMatch(/\(invalid byte 0xff at offset 3\)/);
  });

  it('not UTF-8: a multi-byte character cut at the end', async () => {
    const bytes = Buffer.concat([Buffer.from('a\n1\n'), Buffer.from('€').subarray(0, 2)]);
    expect(await unreadable(() => parseCsv(bytes, 'x.csv'))).toBe(
      'x.csv is not valid UTF-8 text (a truncated multi-byte character at the end); save it as UTF-8 and try again.',
    );
  });

  it.each([
    [';', "';'"],
    ['\t', 'tabs'],
    ['|', "'|'"],
  ])('a header delimited by %j instead of commas', async (delimiter, shown) => {
    const text = ['a', 'b', 'c'].join(delimiter) + '\n' + ['1', '2', '3'].join(delimiter) + '\n';
    expect(await unreadable(() => parse(text))).toBe(`x.csv seems to use ${shown} as the delimiter; rally reads comma-separated files.`);
  });

  it('the wrong delimiter is named before a missing data row', async () => {
    expect(await unreadable(() => parse('a;b\n'))).toMatch(/seems to use ';'/);
  });

  it('a semicolon inside a comma-separated header is not a wrong delimiter', () => {
    expect(parse('a;b,c\n1,2\n').header).toEqual(['a;b', 'c']);
  });

  it('a quoted field never closed, naming the line it opened on', async () => {
    expect(await unreadable(() => parse('a,b\n1,2\n"3\n4,5\n6,7\n'))).toBe('x.csv has a quoted field opened on line 3 that is never closed.');
    // Lines inside a closed quoted field count too.
    expect(await unreadable(() => parse('a,b\n"1\n\n",2\n3,"4\n'))).toBe('x.csv has a quoted field opened on line 5 that is never closed.');
    expect(await unreadable(() => parse('a,b\r\n1,2\r\n3,"4'))).toBe('x.csv has a quoted field opened on line 3 that is never closed.');
    // Blank lines count as lines.
    expect(await unreadable(() => parse('a,b\n\n\n"1,2\n'))).toBe('x.csv has a quoted field opened on line 4 that is never closed.');
  });
});

describe('readCsvBytes and readCsvFile', () => {
  it('read a file, naming it in the messages', async () => {
    const path = writeTemp('small.csv', 'a,b\n1,2\n');
    expect(readCsvBytes(path).toString()).toBe('a,b\n1,2\n');
    expect(readCsvFile(path)).toEqual({ header: ['a', 'b'], records: [['1', '2']], notes: [] });
    const empty = writeTemp('empty.csv', '');
    expect(await unreadable(() => readCsvFile(empty))).toBe(`${empty} is empty.`);
  });

  it('a missing path', async () => {
    const path = join(tempDir('features'), 'nowhere.csv');
    const error = await expectRallyError(() => readCsvBytes(path), 'DATA_UNREADABLE');
    expect(error.message).toBe(`No such file: ${path}.`);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('a directory', async () => {
    const path = join(tempDir('features'), 'folder.csv');
    mkdirSync(path);
    expect(await unreadable(() => readCsvFile(path))).toBe(`${path} is a directory, not a CSV file.`);
  });

  it('any other failure, with the system message', async () => {
    // A path through a file (ENOTDIR).
    const path = join(writeTemp('plain.csv', 'a\n1\n'), 'inside.csv');
    const error = await expectRallyError(() => readCsvBytes(path), 'DATA_UNREADABLE');
    expect(error.message.startsWith(`Cannot read ${path}: ENOTDIR: `)).toBe(true);
    expect(error.message.endsWith('.')).toBe(true);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOTDIR');
  });
});
