// @module-tag e2e
/**
 * The drift report's HTML page in a real headless browser (@rally/testkit/browser): one
 * self-contained file with no console error and no network request, the verdict as a badge first,
 * and each drifted column's two distributions drawn from exactly the shares of the JSON embedded.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUND_TRUTH_PATH, Random, selectRows, shuffledIndices } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { tempDir } from '@rally/testkit';
import { browserForTests, launchTestBrowser } from '@rally/testkit/browser';
import { detectDrift, driftVerdict, formatDriftHtml, profileDataset } from '../src/index.ts';

const testBrowser = await browserForTests('the drift report in a real browser');

describe.skipIf(testBrowser === null)('the drift report in a real browser', () => {
  let root: string;
  let browser: Browser;
  let page: Page;
  let html: string;
  const problems: string[] = [];

  beforeAll(async () => {
    root = tempDir('drift-html');
    const { batch } = loadDataset(GROUND_TRUTH_PATH);
    const reference = profileDataset(batch);
    const sample = selectRows(batch, Array.from(shuffledIndices(batch.rows, new Random(3)).subarray(0, 1500)));
    const speed = Float64Array.from(sample.columns.speed as Float64Array, (v) => v * 1.1);
    const depth = Float64Array.from(sample.columns.depth as Float64Array, (v) => v + 0.5);
    const moved = { rows: sample.rows, columns: { ...sample.columns, speed, depth } };
    const report = detectDrift(reference, profileDataset(moved, { binsOf: reference }));
    expect(report.columns.filter((column) => column.drift).map((column) => column.column).sort()).toEqual(['depth', 'speed']);
    html = formatDriftHtml(report, { file: 'moved.csv', reference: GROUND_TRUTH_PATH });
    writeFileSync(join(root, 'drift.html'), html);
    browser = await launchTestBrowser(testBrowser!);
    page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warn') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${(error as Error).message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) problems.push(`network request: ${request.url()}`);
    });
    await page.goto(pathToFileURL(join(root, 'drift.html')).href, { waitUntil: 'load' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('is one self-contained page, no script run, no console error, no request', () => {
    expect(html).not.toMatch(/<script(?![^>]*application\/json)/);
    expect(html).not.toMatch(/\b(src|href)="https?:/);
    expect(problems).toEqual([]);
  });

  it('leads with the verdict as a badge, then one picture per drifted column, largest effect first', async () => {
    const json = JSON.parse(await page.$eval('#rally-drift', (element) => element.textContent ?? ''));
    const heading = await page.$eval('h1.verdict', (h1) => ({ drift: h1.getAttribute('data-drift'), badge: h1.querySelector('.badge')?.textContent, text: h1.textContent }));
    expect(heading.drift).toBe('true');
    expect(heading.badge).toBe('DRIFT');
    expect(heading.text).toContain(driftVerdict({ ...json, referenceRows: json.reference_rows, columns: json.columns }));
    const pictured = await page.$$eval('svg.shares', (svgs) => svgs.map((svg) => ({ column: svg.getAttribute('data-column'), width: svg.getBoundingClientRect().width, height: svg.getBoundingClientRect().height })));
    const driftedByEffect = json.columns.filter((c: { drift: boolean }) => c.drift).sort((a: { effect: number }, b: { effect: number }) => b.effect - a.effect).map((c: { column: string }) => c.column);
    expect(pictured.map((svg) => svg.column)).toEqual(driftedByEffect);
    for (const svg of pictured) {
      expect(svg.width).toBeGreaterThan(200);
      expect(svg.height).toBeGreaterThan(150);
    }
  });

  it('draws each bar at the share the JSON gives, the reference beside the new file, taller for larger shares', async () => {
    const json = JSON.parse(await page.$eval('#rally-drift', (element) => element.textContent ?? ''));
    for (const column of json.columns.filter((c: { drift: boolean }) => c.drift)) {
      const bars = await page.$$eval(`svg.shares[data-column="${column.column}"] rect`, (rects) =>
        rects.map((rect) => ({ file: rect.getAttribute('data-file'), bin: rect.getAttribute('data-bin'), share: Number(rect.getAttribute('data-share')), height: rect.getBoundingClientRect().height })),
      );
      expect(bars).toHaveLength(2 * column.shares.length);
      for (const share of column.shares) {
        expect(bars.find((bar) => bar.bin === share.bin && bar.file === 'reference')!.share).toBe(share.reference);
        expect(bars.find((bar) => bar.bin === share.bin && bar.file === 'current')!.share).toBe(share.current);
      }
      const sorted = [...bars].sort((a, b) => a.share - b.share);
      for (let i = 1; i < sorted.length; i += 1) expect(sorted[i]!.height).toBeGreaterThanOrEqual(sorted[i - 1]!.height - 0.01);
    }
  });

  it('lists every column in the table, drifted first, with its verdict', async () => {
    const rows = await page.$$eval('table.columns tbody tr', (trs) => trs.map((tr) => ({ column: tr.getAttribute('data-column'), drift: tr.getAttribute('data-drift') })));
    expect(rows).toHaveLength(25);
    expect(rows.slice(0, 2).every((row) => row.drift === 'true')).toBe(true);
    expect(rows.slice(2).every((row) => row.drift === 'false')).toBe(true);
  });
});
