// @module-tag e2e
/**
 * The browser that arrives with `pnpm install` (@sparticuz/chromium's build and its own shared
 * libraries) starts and renders, whether or not this machine also has a system browser, so that the
 * browser tests pass on a fresh machine with nothing but Node and npm.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { bundledBrowser, launchTestBrowser } from '../src/browser.ts';

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('the bundled browser', () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  it('extracts once and renders an inline SVG page headless, with no network', { timeout: 120_000 }, async () => {
    const found = await bundledBrowser();
    expect(found.source).toBe('bundled');
    expect(existsSync(found.executablePath)).toBe(true);
    expect((await bundledBrowser()).executablePath).toBe(found.executablePath); // the second call reuses the extraction
    browser = await launchTestBrowser(found);
    expect(await browser.version()).toMatch(/^(Headless)?Chrom(e|ium)\/\d+\./);
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.setContent('<!doctype html><svg width="240" height="120"><rect width="240" height="120" fill="teal"/></svg><p id="t">rally</p>');
    expect(await page.$eval('svg', (svg) => svg.getBoundingClientRect().width)).toBe(240);
    expect(await page.$eval('#t', (p) => p.textContent)).toBe('rally');
    expect(requests.filter((url) => !url.startsWith('about:') && !url.startsWith('data:'))).toEqual([]);
  });
});
