// @module-tag e2e
/**
 * The HTML report of a real candidate against a real production model, opened in a real headless
 * browser (a system Chromium, or the build that @sparticuz/chromium ships: @rally/testkit/browser,
 * started through puppeteer-core): it renders without a console
 * error, and every figure it draws is the figure of the JSON report embedded in it.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployRun, LocalFolderStore, ModelCache } from '@rally/model-store';
import { browserForTests, launchTestBrowser } from '@rally/testkit/browser';
import { checkGate, compareModels, DIFFERENCE_BINS, differenceHistogram, formatHtml, formatReport, TABLE_FRAME } from '../src/index.ts';
import { groundTruthSlice, tempDir, trainSmallRun } from './helpers.ts';

const testBrowser = await browserForTests('the HTML report in a real browser');

describe.skipIf(testBrowser === null)('the HTML report in a real browser', () => {
  let root: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  let report: ReturnType<typeof JSON.parse>;
  let html: string;
  let terminal: string;
  let result: Awaited<ReturnType<typeof compareModels>>;

  beforeAll(async () => {
    root = tempDir('html');
    const data = groundTruthSlice(600, root);
    const production = await trainSmallRun(data, join(root, 'output'), 10);
    const candidate = await trainSmallRun(data, join(root, 'output'), 3);
    await deployRun(new LocalFolderStore(join(root, 'store')), production.dir);
    // What `rally compare --html report.html --fail-if-worse 0.5` renders (the command's own test is in @rally/cli).
    const store = new LocalFolderStore(join(root, 'store'));
    result = await compareModels({ candidateDir: candidate.dir, store, cache: new ModelCache({ disabled: true }), workers: 0, bootstrap: { resamples: 200 } });
    const gate = checkGate(result, 0.5);
    terminal = formatReport(result, { gate });
    writeFileSync(join(root, 'report.html'), formatHtml(result, { gate }));
    html = readFileSync(join(root, 'report.html'), 'utf8');
    browser = await launchTestBrowser(testBrowser!);
    page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warn') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${(error as Error).message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) problems.push(`network request: ${request.url()}`);
    });
    await page.goto(pathToFileURL(join(root, 'report.html')).href, { waitUntil: 'load' });
    report = JSON.parse(await page.$eval('#rally-report', (element) => element.textContent ?? ''));
    expect(report.gate.passed).toBe(gate.passed);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('is one self-contained file that renders without a console error or a network request', async () => {
    expect(html).not.toMatch(/<script(?![^>]*application\/json)/); // no script runs
    expect(html).not.toMatch(/\b(src|href)="https?:/);
    expect(problems).toEqual([]);
    const sizes = await page.$$eval('svg', (svgs) => svgs.map((svg) => svg.getBoundingClientRect()).map((r) => [r.width, r.height]));
    expect(sizes.length).toBe(1 + 2 + 3 + 1); // the slices' intervals, two confusion matrices, a reliability diagram per class, the histogram
    for (const [width, height] of sizes) {
      expect(width).toBeGreaterThan(100);
      expect(height).toBeGreaterThan(100);
    }
  });

  it('leads with the verdict and shows the original table, as the terminal report does', async () => {
    const verdict = await page.$eval('h1.verdict', (h1) => ({ verdict: h1.getAttribute('data-verdict'), badges: [...h1.querySelectorAll('.badge')].map((b) => b.textContent) }));
    expect(verdict.verdict).toBe(report.verdict);
    expect(verdict.badges).toEqual([{ better: 'Candidate better', worse: 'Candidate worse', 'no clear difference': 'No clear difference' }[report.verdict as string], `Gate ${report.gate.passed ? 'passed' : 'failed'}`]);
    // The terminal's first line, the whole sentence, follows the table; its banner stays in the terminal.
    expect(await page.$eval('p.verdict-line', (p) => p.textContent)).toBe(terminal.split('\n')[0]);
    expect(terminal).toContain(TABLE_FRAME);
    expect(await page.$$('pre')).toHaveLength(0);
    const gate = await page.$eval('p.gate', (p) => p.textContent);
    expect(gate).toContain(`Gate (--fail-if-worse 0.5): ${report.gate.passed ? 'passed' : 'FAILED'}`);
  });

  it("opens with the decision: the badges and the headline table are on the first screen, the table's figures the JSON's", async () => {
    await page.setViewport({ width: 1280, height: 720 });
    const screen = await page.evaluate(() => (globalThis as unknown as { innerHeight: number }).innerHeight);
    const bottom = (selector: string) => page.$eval(selector, (e) => e.getBoundingClientRect().bottom);
    expect(await bottom('h1.verdict .badge.verdict')).toBeLessThan(screen);
    expect(await bottom('h1.verdict .badge.gate')).toBeLessThan(screen);
    expect(await bottom('table.headline')).toBeLessThan(screen);
    // Nothing but the badges above the table.
    expect(await page.$eval('table.headline', (table) => table.previousElementSibling?.matches('h1.verdict') ?? false)).toBe(true);
    const cells = await page.$$eval('table.headline tbody tr', (trs) =>
      Object.fromEntries(trs.map((tr) => [tr.getAttribute('data-field'), [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)])),
    );
    const f = (x: number) => x.toFixed(4);
    const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(4)}`;
    expect(cells.test_log_loss).toEqual([f(report.candidate.test_log_loss), f(report.production.test_log_loss), signed(report.candidate.test_log_loss - report.production.test_log_loss)]);
    expect(cells.accuracy).toEqual([f(report.candidate.accuracy), f(report.production.accuracy), signed(report.candidate.accuracy - report.production.accuracy)]);
    expect(cells.cv_mean_log_loss).toEqual([f(report.candidate.cv_mean_log_loss), f(report.production.cv_mean_log_loss), signed(report.candidate.cv_mean_log_loss - report.production.cv_mean_log_loss)]);
    const paired = report.paired_difference;
    expect(cells.paired_difference![2]).toBe(`${signed(paired.mean)} [${signed(paired.ci_low)}, ${signed(paired.ci_high)}]`);
    await page.setViewport({ width: 800, height: 600 });
  });

  it('lists every slice of the JSON, weakest first, and draws the weakest judged ones at their JSON intervals', async () => {
    const rows = await page.$$eval('table.slices tbody tr', (trs) => trs.map((tr) => ({ label: tr.getAttribute('data-slice'), rows: Number(tr.getAttribute('data-rows')), judged: tr.getAttribute('data-judged') === 'true', worse: tr.getAttribute('data-worse') === 'true' })));
    expect(rows).toEqual(report.slices.map((slice: { label: string; rows: number; judged: boolean; worse: boolean }) => ({ label: slice.label, rows: slice.rows, judged: slice.judged, worse: slice.worse })));
    const points = await page.$$eval('svg.slice-intervals circle', (circles) => circles.map((c) => ({ label: c.getAttribute('data-slice'), mean: Number(c.getAttribute('data-mean')), low: Number(c.getAttribute('data-low')), high: Number(c.getAttribute('data-high')), x: c.getBoundingClientRect().x })));
    const judged = report.slices.filter((slice: { judged: boolean }) => slice.judged).slice(0, 20);
    expect(points.map(({ label, mean, low, high }) => ({ label, mean, low, high }))).toEqual(judged.map((slice: { label: string; difference: { mean: number; ci: [number, number] } }) => ({ label: slice.label, mean: slice.difference.mean, low: slice.difference.ci[0], high: slice.difference.ci[1] })));
    // Further right for a larger difference.
    const byMean = [...points].sort((a, b) => a.mean - b.mean);
    for (let i = 1; i < byMean.length; i += 1) expect(byMean[i]!.x).toBeGreaterThanOrEqual(byMean[i - 1]!.x - 0.01);
    expect(await page.$eval('p.slices-line', (p) => p.textContent)).toContain(`of ${report.slice_correction.slices} judged`);
  });

  it('draws every slice label whole inside the interval picture, the longest the contract makes included', async () => {
    // Labels run to 50 characters and more (player.impact.distance.from.center in (...]).
    // (In this small comparison few slices are judged: the first one carries the longest label of them all.)
    const label = result.slices.slices.reduce((a, b) => (b.label.length > a.label.length ? b : a)).label;
    expect(label.length).toBeGreaterThan(45);
    const [first, ...rest] = result.slices.slices;
    expect(first!.judged).toBe(true);
    const reordered = { ...result, slices: { ...result.slices, slices: [{ ...first!, label }, ...rest] } };
    const other = await browser.newPage();
    await other.setContent(formatHtml(reordered), { waitUntil: 'load' });
    const clipped = await other.$eval('svg.slice-intervals', (svg) => {
      const box = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('text')].filter((text) => text.getBoundingClientRect().left < box.left - 0.5 || text.getBoundingClientRect().right > box.right + 0.5).map((text) => text.textContent);
    });
    await other.close();
    expect(clipped).toEqual([]);
  });

  it('draws both confusion matrices with the counts of the JSON', async () => {
    for (const role of ['candidate', 'production']) {
      const cells = await page.$$eval(`svg.confusion[data-model="${role}"] rect`, (rects) =>
        rects.map((rect) => [rect.getAttribute('data-true'), rect.getAttribute('data-predicted'), Number(rect.getAttribute('data-count'))] as const),
      );
      const { classes, confusion_matrix: matrix } = report[role].diagnostics;
      expect(cells).toEqual(classes.flatMap((t: string, i: number) => classes.map((p: string, j: number) => [t, p, matrix[i][j]])));
      expect(cells.reduce((sum, [, , count]) => sum + count, 0)).toBe(report.evaluation.split.test_rows);
    }
  });

  it('shows the per-class report and the headline figures of the JSON', async () => {
    for (const role of ['candidate', 'production']) {
      const shown = await page.$$eval(`section.model[data-model="${role}"] tr[data-class]`, (rows) =>
        rows.map((row) => ({
          label: row.getAttribute('data-class'),
          ...Object.fromEntries([...row.querySelectorAll('td')].map((td) => [td.getAttribute('data-field'), Number(td.textContent)])),
        })),
      );
      const expected = report[role].diagnostics.per_class.map((m: Record<string, number | string>) => ({
        label: m.label,
        precision: Number((m.precision as number).toFixed(4)),
        recall: Number((m.recall as number).toFixed(4)),
        f1: Number((m.f1 as number).toFixed(4)),
        support: m.support,
      }));
      expect(shown).toEqual(expected);
      const figures = await page.$$eval(`section.model[data-model="${role}"] b[data-field]`, (bs) => Object.fromEntries(bs.map((b) => [b.getAttribute('data-field'), Number(b.textContent)])));
      const d = report[role].diagnostics;
      expect(figures).toEqual({
        log_loss: Number(report[role].test_log_loss.toFixed(4)),
        accuracy: Number(report[role].accuracy.toFixed(4)),
        brier: Number(d.brier.toFixed(4)),
        ece: Number(d.ece.toFixed(4)),
        macro_f1: Number(d.macro_f1.toFixed(4)),
        near_zero_rows: d.near_zero.rows,
      });
    }
  });

  it('draws a reliability point for every non-empty bin of every class, at the JSON figures', async () => {
    for (const label of report.candidate.diagnostics.classes) {
      for (const role of ['candidate', 'production']) {
        const points = await page.$$eval(`svg.reliability[data-class="${label}"] circle[data-model="${role}"]`, (circles) =>
          circles.map((c) => ({ rows: Number(c.getAttribute('data-rows')), confidence: Number(c.getAttribute('data-confidence')), observed: Number(c.getAttribute('data-observed')) })),
        );
        const bins = report[role].diagnostics.reliability[label].filter((bin: { rows: number }) => bin.rows > 0);
        expect(points).toEqual(bins.map(({ rows, confidence, observed }: Record<string, number>) => ({ rows, confidence, observed })));
        expect(points.reduce((sum, p) => sum + p.rows, 0)).toBe(report.evaluation.split.test_rows);
      }
    }
  });

  it('draws the histogram of the per-row differences over every test row', async () => {
    const bars = await page.$$eval('svg.differences rect', (rects) => rects.map((rect) => Number(rect.getAttribute('data-rows'))));
    expect(bars).toEqual(report.paired_difference.histogram.map((bin: { rows: number }) => bin.rows));
    expect(bars).toHaveLength(DIFFERENCE_BINS);
    expect(bars.reduce((a, b) => a + b, 0)).toBe(report.paired_difference.rows);
    // The candidate is much worse here: the rows right of 0 outnumber those left of it.
    const middle = (DIFFERENCE_BINS - 1) / 2;
    expect(bars.slice(middle + 1).reduce((a, b) => a + b, 0)).toBeGreaterThan(bars.slice(0, middle).reduce((a, b) => a + b, 0));
  });
});

describe('differenceHistogram', () => {
  it('puts each difference in its bin, the ones beyond the range in the outer bins', () => {
    // Candidate minus production: 0.05, -0.05 and 0 are about 0; 0.15 right of it, -0.15 left.
    const bins = differenceHistogram([0.05, -0.05, 40, -40, 1.99, 0, 0.15, 0], [0, 0, 0, 0, 0, 0, 0, 0.15]);
    expect(bins.map((bin) => bin.rows).reduce((a, b) => a + b, 0)).toBe(8);
    const middle = (DIFFERENCE_BINS - 1) / 2;
    expect(bins[middle].low).toBeLessThan(0);
    expect(bins[middle].high).toBeGreaterThan(0);
    expect(bins[middle].rows).toBe(3);
    expect(bins[middle + 1].rows).toBe(1); // 0.15
    expect(bins[middle - 1].rows).toBe(1); // -0.15: production's loss was the larger
    expect(bins[0].rows).toBe(1); // -40
    expect(bins.at(-1)!.rows).toBe(2); // 40 and 1.99
  });
});
