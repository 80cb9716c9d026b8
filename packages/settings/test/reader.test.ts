// @module-tag unit
/**
 * The one reader of settings: each kind of value, its refusal in the one style ("NAME must ...,
 * got "value".", the value cut at 60 characters), the code of the reader that refused, and the
 * .env file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRallyError } from '@rally/errors';
import { tempDir } from '@rally/testkit';
import { loadEnvFile, readEnvFile, settingsReader, shownValue } from '../src/index.ts';

const refusal = (read: () => unknown): { code: string; message: string } => {
  try {
    read();
  } catch (error) {
    if (isRallyError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('not refused');
};

describe('settingsReader', () => {
  it('reads text trimmed, blank as unset', () => {
    const settings = settingsReader({ A: '  x  ', B: '   ' }, 'SERVER_CONFIG');
    expect([settings.text('A'), settings.text('B'), settings.text('C')]).toEqual(['x', undefined, undefined]);
  });

  it('integers within bounds; the fallback when unset; refusals name the setting or its flag', () => {
    const settings = settingsReader({ N: '7', BAD: '7.5', BIG: '11', PLUS: '+3' }, 'STORE_CONFIG');
    expect(settings.integer('N', 1, 1, 10)).toBe(7);
    expect(settings.integer('PLUS', 1, 1, 10)).toBe(3);
    expect(settings.integer('UNSET', 4, 1, 10)).toBe(4);
    expect(refusal(() => settings.integer('BAD', 1, 1, 10))).toEqual({ code: 'STORE_CONFIG', message: 'BAD must be an integer from 1 to 10, got "7.5".' });
    expect(refusal(() => settings.integer('BIG', 1, 1, 10, '--big')).message).toBe('--big must be an integer from 1 to 10, got "11".');
  });

  it('seconds as whole milliseconds, fractions included', () => {
    const settings = settingsReader({ S: '1.005', HALF: '.5', NEG: '-1', EXP: '1e3' }, 'SERVER_CONFIG');
    expect(settings.secondsAsMs('S', 1, 0, 10)).toBe(1005);
    expect(settings.secondsAsMs('HALF', 1, 0, 10)).toBe(500);
    expect(settings.secondsAsMs('UNSET', 2.5, 0, 10)).toBe(2500);
    for (const name of ['NEG', 'EXP']) expect(refusal(() => settings.secondsAsMs(name, 1, 0, 10)).message).toMatch(new RegExp(`^${name} must be a number of seconds from 0 to 10, got "`));
  });

  it('one of a list, in any case; flags as 1/0, true/false, yes/no', () => {
    const settings = settingsReader({ MODE: 'Adaptive', F: 'YES', G: '0', H: 'maybe' }, 'STORE_CONFIG');
    expect(settings.oneOf('MODE', ['standard', 'adaptive'] as const, 'standard')).toBe('adaptive');
    expect(settings.flag('F', false)).toBe(true);
    expect(settings.flag('G', true)).toBe(false);
    expect(settings.flag('UNSET', true)).toBe(true);
    expect(refusal(() => settings.flag('H', false)).message).toBe('H must be 1 or 0 (or true/false, yes/no), got "maybe".');
    expect(refusal(() => settings.oneOf('F', ['a', 'b'] as const, 'a')).message).toBe('F must be one of a, b, got "YES".');
  });

  it('quotes a value as JSON, cut at 60 characters: a pasted blob stays one short line', () => {
    expect(shownValue('a"b')).toBe('"a\\"b"');
    expect(shownValue('x'.repeat(61))).toBe(`"${'x'.repeat(60)}…"`);
    expect(refusal(() => settingsReader({ P: 'y'.repeat(500) }, 'SERVER_CONFIG').integer('P', 1, 1, 2)).message).toBe(`P must be an integer from 1 to 2, got "${'y'.repeat(60)}…".`);
  });
});

describe('the .env file', () => {
  it('is read when present, its variables added where the environment lacks them; a named file that cannot be read is refused', () => {
    const dir = tempDir('settings');
    writeFileSync(join(dir, '.env'), 'PORT=9000\nHOST=0.0.0.0\n');
    expect(readEnvFile({}, dir)).toEqual({ PORT: '9000', HOST: '0.0.0.0' });
    const env: NodeJS.ProcessEnv = { ENV_FILE: join(dir, '.env'), PORT: '8000' };
    loadEnvFile(env);
    expect(env).toMatchObject({ PORT: '8000', HOST: '0.0.0.0' });
    expect(readEnvFile({}, join(dir, 'nowhere'))).toEqual({});
    mkdirSync(join(dir, 'folder.env'));
    expect(refusal(() => readEnvFile({ ENV_FILE: 'folder.env' }, dir))).toEqual({ code: 'SERVER_CONFIG', message: 'ENV_FILE must name a file that can be read, got "folder.env" (EISDIR).' });
  });
});
