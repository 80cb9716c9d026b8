// @module-tag integration
import { join } from 'node:path';
import { GROUND_TRUTH_PATH, tempDir } from '@rally/testkit';
import { describe, expect, it } from 'vitest';
// The features package's CSV mutators: each makes a copy of the ground truth that breaks one rule.
import { dataLines, groundTruthText, headerLine, mutate, writeTemp } from '../../features/test/helpers.ts';
import { cleanEnv, runCli, runMain } from './helpers.ts';

/** `rally validate` in this process (the first test runs it as a real process). */
const validate = (...args: string[]) => runMain(['validate', ...args], cleanEnv());

describe.concurrent('rally validate', () => {
  it('accepts the ground truth (exit 0), as a real process', { tags: ['e2e'] }, async () => {
    const { code, stdout } = await runCli(['validate', GROUND_TRUTH_PATH], cleanEnv());
    expect(code).toBe(0);
    expect(stdout).toMatch(/5000 rows, 26 columns: valid/);
  });

  // Each mutated copy must be rejected (exit 1) naming the rule it breaks.
  const mutations: [string, string, () => string][] = [
    ['a dropped column', 'missing_column', () => mutate((records, header) => { header.splice(3, 1); records.forEach((r) => r.splice(3, 1)); })],
    ['an extra column', 'unexpected_column', () => mutate((records, header) => { header.push('umpire'); records.forEach((r) => r.push('x')); })],
    ['text in a numeric column', 'type', () => mutate((records) => { records[4][3] = 'fast'; })],
    ['an unknown category', 'category', () => mutate((records) => { records[2][2] = 'Z'; })],
    ['a null', 'null', () => mutate((records) => { records[7][0] = ''; })],
    ['a duplicate id', 'unique', () => mutate((records) => { records[9][24] = records[8][24]; })],
    ['a NaN', 'finite', () => mutate((records) => { records[5][4] = 'NaN'; })],
    ['an out-of-range integer', 'range', () => mutate((records) => { records[1][1] = '3'; })],
    ['a ragged row', 'row_width', () => mutate((records) => { records[3].pop(); })],
    ['a repeated point under a new id', 'duplicate_row', () => mutate((records) => { records.push([...records[0].slice(0, 24), '999999', records[0][25]]); })],
  ];
  it.each(mutations)('rejects %s with rule %s (exit 1)', async (_label, rule, make) => {
    const path = make();
    const text = await validate(path);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`^${rule}\\s`, 'm'));
    const json = await validate(path, '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.valid).toBe(false);
    expect(report.violations.map((v: { rule: string }) => v.rule)).toEqual([rule]);
  });

  it('reports every violation at once, with rows and samples capped', async () => {
    const path = mutate((records) => {
      for (let i = 0; i < 30; i += 1) records[i][3] = `bad${i}`;
      records[50][2] = 'Q';
    });
    const { code, stdout } = await validate(path, '--json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    const type = report.violations.find((v: { rule: string }) => v.rule === 'type');
    expect(type).toMatchObject({ column: 'speed', count: 30, rows: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
    expect(type.samples).toHaveLength(5);
    expect(report.violations.find((v: { rule: string }) => v.rule === 'category')).toMatchObject({ column: 'hitpoint', rows: [51], samples: ['Q'] });
  });

  it('accepts harmless variants: BOM, CRLF, quoted fields', async () => {
    const quoted = [headerLine, ...dataLines.slice(0, 20).map((line) => line.split(',').map((cell) => `"${cell}"`).join(','))].join('\r\n');
    const path = writeTemp('variants.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${quoted}\r\n`)]));
    const { code, stdout } = await validate(path);
    expect(code).toBe(0);
    expect(stdout).toMatch(/byte order mark/);
    expect(stdout).toMatch(/CRLF/);
  });

  // Unreadable inputs: exit 2 and one sentence, never a stack trace.
  const unreadable: [string, () => string, RegExp][] = [
    ['an empty file', () => writeTemp('empty.csv', ''), /is empty/],
    ['a header only', () => writeTemp('header.csv', `${headerLine}\n`), /header but no data rows/],
    ['a wrong delimiter', () => writeTemp('semi.csv', groundTruthText.slice(0, 5000).replaceAll(',', ';')), /';' as the delimiter/],
    ['non-UTF-8 bytes', () => writeTemp('latin1.csv', Buffer.concat([Buffer.from(`${headerLine}\n`), Buffer.from([0x41, 0xe9, 0x2c, 0x0a])])), /not valid UTF-8.*offset/],
    ['an unclosed quote', () => writeTemp('quote.csv', `${headerLine}\n"4,1,B\n`), /never closed/],
    ['a directory', () => tempDir('dir'), /is a directory/],
    ['a missing path', () => join(tempDir('missing'), 'no-such-file.csv'), /No such file/],
  ];
  it.each(unreadable)('refuses %s in one sentence (exit 2)', async (_label, make, message) => {
    const { code, stdout, stderr } = await validate(make());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('answers bad usage with exit 2 and one sentence pointing to --help', async () => {
    const { code, stderr } = await validate();
    expect(code).toBe(2);
    expect(stderr).toBe('rally validate needs its <file> argument. See rally validate --help.\n');
  });

  it('with --json, an unreadable file is still one JSON document on stdout (exit 2)', async () => {
    const { code, stdout } = await validate(join(tempDir('missing'), 'nothing.csv'), '--json');
    expect(code).toBe(2);
    expect(JSON.parse(stdout).error).toMatchObject({ code: 'DATA_UNREADABLE', message: expect.stringMatching(/No such file/) });
  });
});
