// @module-tag unit
/**
 * Which browser the browser tests use (@rally/testkit/browser): an explicit RALLY_BROWSER first (a
 * wrong one is an error, never a fallback), then a system browser, then the bundled build on Linux
 * x64; elsewhere a skip with the reason, and under CI=true an error instead of the skip.
 */
import { describe, expect, it, vi } from 'vitest';
import { browserForTests, chooseBrowser, SYSTEM_BROWSER_PATHS } from '../src/browser.ts';

const linux = { platform: 'linux', arch: 'x64' };
const none = () => false;

describe('choosing the test browser', () => {
  it('takes RALLY_BROWSER before a system browser', () => {
    const choice = chooseBrowser({ ...linux, env: { RALLY_BROWSER: '/opt/chrome/chrome' }, isExecutable: () => true });
    expect(choice).toEqual({ source: 'RALLY_BROWSER', executablePath: '/opt/chrome/chrome' });
  });

  it('refuses a RALLY_BROWSER that is not an executable, in one sentence naming it', () => {
    expect(() => chooseBrowser({ ...linux, env: { RALLY_BROWSER: '/nowhere/chrome' }, isExecutable: (path) => path === '/usr/bin/chromium' })).toThrow(/^RALLY_BROWSER is "\/nowhere\/chrome", which is not an executable file .*\.$/);
  });

  it('ignores an empty RALLY_BROWSER', () => {
    expect(chooseBrowser({ ...linux, env: { RALLY_BROWSER: '' }, isExecutable: none })).toEqual({ source: 'bundled' });
  });

  it('takes the first system browser found, in the listed order', () => {
    const present = new Set([SYSTEM_BROWSER_PATHS[3]!, SYSTEM_BROWSER_PATHS[1]!]);
    expect(chooseBrowser({ ...linux, env: {}, isExecutable: (path) => present.has(path) })).toEqual({ source: 'system', executablePath: SYSTEM_BROWSER_PATHS[1] });
  });

  it('falls back to the bundled build on Linux x64 only', () => {
    expect(chooseBrowser({ ...linux, env: {}, isExecutable: none })).toEqual({ source: 'bundled' });
    for (const [platform, arch] of [['linux', 'arm64'], ['darwin', 'arm64'], ['win32', 'x64']]) {
      const choice = chooseBrowser({ platform: platform!, arch: arch!, env: {}, isExecutable: none });
      expect(choice).toHaveProperty('missing');
      expect((choice as { missing: string }).missing).toContain(`${platform} ${arch}`);
    }
  });
});

describe('a test file with no browser', () => {
  const bareMac = { platform: 'darwin', arch: 'arm64', isExecutable: none };

  it('errors on a wrong RALLY_BROWSER even outside CI', async () => {
    await expect(browserForTests('a suite', { RALLY_BROWSER: '/nowhere/chrome' })).rejects.toThrow(/RALLY_BROWSER/);
  });

  it('skips with one line saying why and how outside CI, and fails under CI=true', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await expect(browserForTests('a suite', {}, bareMac)).resolves.toBeNull();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/^skipped: a suite needs a browser: no Chromium or Chrome found .*darwin arm64\); to run it, install Chromium or Chrome, or set RALLY_BROWSER to the path of one\.$/);
      warn.mockClear();
      await expect(browserForTests('a suite', { CI: 'true' }, bareMac)).rejects.toThrow(/^a suite needs a browser, and CI=true does not skip it: /);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('finds a system browser without extracting anything', async () => {
    const machine = { platform: 'linux', arch: 'x64', isExecutable: (path: string) => path === '/usr/bin/chromium' };
    await expect(browserForTests('a suite', { CI: 'true' }, machine)).resolves.toEqual({ source: 'system', executablePath: '/usr/bin/chromium' });
  });
});
