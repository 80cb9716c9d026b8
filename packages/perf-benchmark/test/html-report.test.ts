// @module-tag unit
/**
 * The HTML report built in process from a hand-made result (html.test.ts opens a real one in a
 * browser): what a reader sees in it — the verdict, the notes, the tables, and pictures whose
 * marks sit where their figures say, inside the picture, in the colours of the legend.
 */
import { describe, expect, it } from 'vitest';
import { rowLogLosses } from '@rally/train';
import { type BenchmarkResult, checkGate, decide, diagnose, formatHtml, originalTableOf, resultToJSON, verdictLine } from '../src/index.ts';
import { all, drawnTexts, type Element, is, num, one, parseHtml, text } from './html-dom.ts';
import { fakeResult } from './fake-result.ts';

/** Candidate minus production per test row: bins 0 (-3), 9 (-0.15), 10 (0, 0), 11 (0.15 x3), 20 (1.9, 5, 5). */
const DIFFERENCES = [-3, -0.15, 0, 0, 0.15, 0.15, 0.15, 1.9, 5, 5];

/** Production lists its classes in another order, and has no test row of class W. */
const PRODUCTION_CLASSES = ['W', 'FE', 'UE'];
const PRODUCTION_LABELS = ['FE', 'FE', 'UE', 'UE'];
// Rows (W, FE, UE): predicted FE right, UE wrong, UE right, W wrong.
const PRODUCTION_PROBA = Float64Array.from([0.1, 0.8, 0.1, 0.1, 0.3, 0.6, 0.2, 0.1, 0.7, 0.6, 0.2, 0.2]);

const NASTY = 'Rows <5 & "odd" > 3 </script>';

function sample(overrides: Partial<BenchmarkResult> = {}): BenchmarkResult {
  const result = fakeResult({ warnings: [{ code: 'leakage', message: NASTY }, { code: 'different_dataset', message: 'Another dataset.' }], ...overrides });
  result.production.diagnostics = diagnose(PRODUCTION_LABELS, PRODUCTION_PROBA, PRODUCTION_CLASSES, rowLogLosses(PRODUCTION_LABELS, PRODUCTION_PROBA, PRODUCTION_CLASSES));
  result.production.rowLosses = Float64Array.from(DIFFERENCES, () => 1);
  result.candidate.rowLosses = Float64Array.from(DIFFERENCES, (d) => 1 + d);
  return result;
}

const svgBox = (svg: Element) => {
  expect(svg.attrs.viewBox).toBe(`0 0 ${svg.attrs.width} ${svg.attrs.height}`);
  return { width: num(svg, 'width'), height: num(svg, 'height') };
};

function expectInside(svg: Element) {
  const { width, height } = svgBox(svg);
  for (const e of all(svg, () => true)) {
    for (const name of ['x', 'cx', 'x1', 'x2']) if (name in e.attrs) expect(num(e, name), `${e.tag} ${name}`).toBeGreaterThanOrEqual(0), expect(num(e, name)).toBeLessThanOrEqual(width);
    for (const name of ['y', 'cy', 'y1', 'y2']) if (name in e.attrs) expect(num(e, name), `${e.tag} ${name}`).toBeGreaterThanOrEqual(0), expect(num(e, name)).toBeLessThanOrEqual(height);
    if (e.tag === 'rect') {
      expect(num(e, 'x') + num(e, 'width')).toBeLessThanOrEqual(width);
      expect(num(e, 'y') + num(e, 'height')).toBeLessThanOrEqual(height);
    }
  }
}

const titleOf = (e: Element) => text(one(e, is('title')));
const opacity = (fill: string) => Number(/^rgba\(37, 99, 235, ([\d.]+)\)$/.exec(fill)![1]);

describe('formatHtml, read in process', () => {
  it('leads with the decision (badges), the headline table, then the verdict sentence, the gate and each warning (escaped), and the ids', () => {
    const result = sample();
    const page = parseHtml(formatHtml(result, { gate: checkGate(result, 0) }));
    const h1 = one(page, is('h1'));
    expect(h1.attrs.class).toBe('verdict worse');
    expect(h1.attrs['data-verdict']).toBe('worse');
    expect(all(h1, is('span')).map((badge) => [badge.attrs.class, text(badge)])).toEqual([
      ['badge verdict worse', 'Candidate worse'],
      ['badge gate failed', 'Gate failed'],
    ]);
    expect(text(one(page, is('p', {}, 'verdict-line')))).toBe(verdictLine(result));
    const headline = one(page, is('table', {}, 'headline'));
    const rows = all(headline, is('tr')).filter((tr) => 'data-field' in tr.attrs);
    const cells = Object.fromEntries(rows.map((tr) => [tr.attrs['data-field'], all(tr, is('td')).map((td) => text(td))]));
    expect(Object.keys(cells)).toEqual(['test_log_loss', 'paired_difference', 'cv_mean_log_loss', 'accuracy', 'brier', 'near_zero_rows']);
    const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(4)}`;
    const { candidate, production, difference } = result;
    expect(cells.test_log_loss!.slice(0, 3)).toEqual([candidate.logLoss.toFixed(4), production.logLoss.toFixed(4), signed(candidate.logLoss - production.logLoss)]);
    expect(cells.accuracy!.slice(0, 3)).toEqual([candidate.accuracy.toFixed(4), production.accuracy.toFixed(4), signed(candidate.accuracy - production.accuracy)]);
    expect(cells.paired_difference![2]).toBe(`${signed(difference.estimate)} [${signed(difference.low)}, ${signed(difference.high)}]`);
    // The differences are marked by which way is better: a larger loss is worse, a larger accuracy better.
    const mark = (field: string) => one(rows.find((tr) => tr.attrs['data-field'] === field)!, is('td', {}, 'difference')).attrs.class;
    expect(mark('test_log_loss')).toBe(candidate.logLoss > production.logLoss ? 'difference candidate-worse' : 'difference candidate-better');
    expect(mark('accuracy')).toBe(candidate.accuracy < production.accuracy ? 'difference candidate-worse' : candidate.accuracy > production.accuracy ? 'difference candidate-better' : 'difference same');
    const gate = one(page, is('p', {}, 'gate'));
    expect(gate.attrs.class).toBe('gate failed');
    expect(text(gate)).toBe('Gate (--fail-if-worse 0): FAILED, by test rows and by cv.');
    const warnings = all(page, is('p', {}, 'warning'));
    expect(warnings.map((p) => [p.attrs['data-code'], text(p)])).toEqual([
      ['leakage', `Warning: ${NASTY}`],
      ['different_dataset', 'Warning: Another dataset.'],
    ]);
    // Nothing stray between the notes, and the body reads in this order.
    const body = one(page, is('body'));
    const order = body.children.filter((child): child is Element => typeof child !== 'string').map((e) => `${e.tag}.${e.attrs.class ?? ''}`);
    expect(order.slice(0, 6)).toEqual(['h1.verdict worse', 'table.headline', 'p.verdict-line', 'p.gate failed', 'p.warning', 'p.warning']);
    expect(body.children.filter((child) => typeof child === 'string').every((s) => (s as string).trim() === '')).toBe(true);
    // The terminal's banner (the original's table) is not in the page.
    expect(all(page, is('pre'))).toEqual([]);
    expect(formatHtml(result)).not.toContain(originalTableOf(result).split('\n').find((line) => line.includes('•'))!);
    expect(text(one(one(page, is('head')), is('title')))).toBe('rally benchmark: 72d8370124... vs production 3f00000000...');
    const ids = text(all(page, is('p')).find((p) => text(p).startsWith('Candidate '))!);
    expect(ids).toContain(`Candidate ${result.candidate.modelId}Production ${result.production.modelId} (promoted 2026-11-27T11:00:00.000Z, local folder /srv/store)`);
    expect(ids).toContain('Data: australian_open.csv, 5000 rows: 4000 training rows (5 CV folds), 1000 test rows, seed 42.');
  });

  it('says when the gate passed, and leaves out what was not asked for', () => {
    const unclear = sample({ warnings: [], difference: { estimate: 0.001, low: -0.01, high: 0.012, confidence: 0.95, resamples: 2000, seed: 42, rows: 10, verdict: 'no clear difference' } });
    unclear.candidate.cv = { ...unclear.production.cv };
    unclear.decision = decide(unclear);
    const passed = parseHtml(formatHtml(unclear, { gate: checkGate(unclear, 0.5) }));
    expect(one(passed, is('h1')).attrs.class).toBe('verdict unclear');
    const gate = one(passed, is('p', {}, 'gate'));
    expect(gate.attrs.class).toBe('gate passed');
    expect(text(gate)).toBe('Gate (--fail-if-worse 0.5): passed.');
    const bare = parseHtml(formatHtml(unclear));
    expect(all(bare, is('p', {}, 'gate'))).toEqual([]);
    expect(all(bare, is('p', {}, 'warning'))).toEqual([]);
    // Nothing else in their place either.
    expect(one(bare, is('body')).children.filter((child) => typeof child === 'string').every((t) => (t as string).trim() === '')).toBe(true);
  });

  it('embeds the JSON report, safe inside its script element', () => {
    const result = sample();
    const html = formatHtml(result);
    const script = one(parseHtml(html), is('script', { id: 'rally-report', type: 'application/json' }));
    expect(JSON.parse(text(script))).toEqual(JSON.parse(JSON.stringify(resultToJSON(result))));
    expect(text(script)).not.toContain('<');
    expect(html.match(/<\/script>/g)).toHaveLength(1);
  });

  it("shows each model's headline figures and per-class report", () => {
    const result = sample();
    const page = parseHtml(formatHtml(result));
    const sections = all(page, is('section', {}, 'model'));
    expect(sections.map((s) => [s.attrs['data-model'], text(one(s, is('h3')))])).toEqual([
      ['candidate', 'Candidate 72d8370124...'],
      ['production', 'Production 3f00000000...'],
    ]);
    const [candidate, production] = sections;
    const figures = Object.fromEntries(all(candidate, is('b')).map((b) => [b.attrs['data-field'], text(b)]));
    expect(figures).toEqual({ log_loss: '0.7754', accuracy: '0.6140', brier: '0.5390', ece: '0.3200', macro_f1: '0.4333', near_zero_rows: '1' });
    expect(text(one(candidate, is('p')))).toMatch(/^Log loss 0\.7754, accuracy 0\.6140, Brier 0\.5390, ECE 0\.3200, macro F1 0\.4333\.\s*1 test row given p\(true class\) < 0\.000001: \d+\.\d% of the test log loss\.$/);
    const rows = (section: Element) =>
      all(section, is('tr')).filter((tr) => 'data-class' in tr.attrs).map((tr) => [tr.attrs['data-class'], text(one(tr, is('th'))), ...all(tr, is('td')).map((td) => `${td.attrs['data-field']}=${text(td)}`)]);
    expect(rows(candidate)).toEqual([
      ['FE', 'FE', 'precision=0.5000', 'recall=0.5000', 'f1=0.5000', 'support=2'],
      ['UE', 'UE', 'precision=0.6667', 'recall=1.0000', 'f1=0.8000', 'support=2'],
      ['W', 'W', 'precision=0.0000', 'recall=0.0000', 'f1=0.0000', 'support=1'],
    ]);
    // Production: FE 1 of 1 predicted right (recall 1/2), UE 1 of 2 (recall 1/2), W never right.
    expect(rows(production)).toEqual([
      ['W', 'W', 'precision=0.0000', 'recall=0.0000', 'f1=0.0000', 'support=0'],
      ['FE', 'FE', 'precision=1.0000', 'recall=0.5000', 'f1=0.6667', 'support=2'],
      ['UE', 'UE', 'precision=0.5000', 'recall=0.5000', 'f1=0.5000', 'support=2'],
    ]);
    expect(all(candidate, is('th')).slice(0, 5).map(text)).toEqual(['class', 'precision', 'recall', 'F1', 'support']);
    expect(drawnTexts(one(candidate, is('tbody')))).toEqual(['FE', '0.5000', '0.5000', '0.5000', '2', 'UE', '0.6667', '1.0000', '0.8000', '2', 'W', '0.0000', '0.0000', '0.0000', '1']);
  });

  it('draws each confusion matrix as a grid of counts, shaded by the share of the true class', () => {
    const result = sample();
    const page = parseHtml(formatHtml(result));
    const figures = all(page, is('figure'));
    expect(figures.map((f) => text(one(f, is('figcaption'))))).toEqual(['Candidate', 'Production']);
    for (const [role, d] of [['candidate', result.candidate.diagnostics], ['production', result.production.diagnostics]] as const) {
      const svg = one(page, is('svg', { 'data-model': role }, 'confusion'));
      expect(svg.attrs['aria-label']).toBe(`confusion matrix of the ${role}`);
      expectInside(svg);
      const k = d.classes.length;
      const rects = all(svg, is('rect'));
      expect(rects.map((r) => [r.attrs['data-true'], r.attrs['data-predicted'], Number(r.attrs['data-count'])])).toEqual(d.classes.flatMap((t, i) => d.classes.map((p, j) => [t, p, d.confusion[i][j]])));
      const cell = (t: number, p: number) => rects[t * k + p];
      const width = num(cell(0, 0), 'width');
      for (let t = 0; t < k; t += 1) {
        const support = d.confusion[t].reduce((a, b) => a + b, 0);
        for (let p = 0; p < k; p += 1) {
          const r = cell(t, p);
          expect([num(r, 'width'), num(r, 'height')]).toEqual([width, width]); // square cells
          if (p > 0) {
            expect(num(r, 'x')).toBeGreaterThan(num(cell(t, p - 1), 'x') + width); // left to right, apart
            expect(num(r, 'y')).toBe(num(cell(t, p - 1), 'y'));
          }
          if (t > 0) {
            expect(num(r, 'y')).toBeGreaterThan(num(cell(t - 1, p), 'y') + width); // top to bottom, apart
            expect(num(r, 'x')).toBe(num(cell(t - 1, p), 'x'));
            expect(num(r, 'x') - num(cell(t - 1, p), 'x')).toBe(0);
          }
          expect(num(r, 'x') + width + 4).toBeGreaterThan(p + 1 < k ? num(cell(t, p + 1), 'x') : 0); // a thin gap only
          const share = support > 0 ? d.confusion[t][p] / support : 0;
          // Faint but visible when empty, fully opaque for the whole row, darker for a larger share.
          expect(opacity(r.attrs.fill)).toBeCloseTo(0.08 + 0.92 * share, 3);
          expect(titleOf(r)).toBe(`${d.classes[t]} predicted as ${d.classes[p]}: ${d.confusion[t][p]}`);
        }
      }
      // The count is written in the middle of its cell, white on the dark cells only.
      const counts = all(svg, is('text')).slice(2 * k);
      expect(counts).toHaveLength(k * k);
      for (const [i, label] of counts.entries()) {
        const r = rects[i];
        expect(text(label)).toBe(r.attrs['data-count']);
        expect(label.attrs['text-anchor']).toBe('middle');
        expect(Math.abs(num(label, 'x') - (num(r, 'x') + width / 2))).toBeLessThanOrEqual(1);
        const below = num(label, 'y') - (num(r, 'y') + width / 2);
        expect(below).toBeGreaterThan(0);
        expect(below).toBeLessThanOrEqual(5);
        const row = d.confusion[Math.floor(i / k)];
        const share = row[i % k] / Math.max(1, row.reduce((a, b) => a + b, 0));
        expect(label.attrs.fill).toBe(share > 0.5 ? '#fff' : '#111');
      }
      // Class names above the columns and left of the rows, in line with the counts.
      const names = all(svg, is('text')).slice(0, 2 * k);
      const gridLeft = num(cell(0, 0), 'x');
      const gridTop = num(cell(0, 0), 'y');
      for (let i = 0; i < k; i += 1) {
        const [column, row] = [names[2 * i], names[2 * i + 1]];
        expect([text(column), text(row)]).toEqual([d.classes[i], d.classes[i]]);
        expect(num(column, 'x')).toBe(num(counts[i], 'x'));
        expect(num(column, 'y')).toBeLessThan(gridTop);
        expect(num(row, 'y')).toBe(num(counts[i * k], 'y'));
        expect(num(row, 'x')).toBeLessThan(gridLeft);
        expect(row.attrs['text-anchor']).toBe('end');
      }
      expect(drawnTexts(svg)).toEqual([...d.classes.flatMap((c) => [c, c]), ...d.confusion.flat().map(String)]);
    }
    // The shade of a row split in half is the middle one: dark text would be unreadable above it.
    const fe = all(one(page, is('svg', { 'data-model': 'candidate' }, 'confusion')), is('text')).slice(6);
    expect(fe.slice(0, 3).map((t) => t.attrs.fill)).toEqual(['#111', '#111', '#111']); // FE: 1, 1, 0 of 2
    expect(fe.slice(3, 6).map((t) => t.attrs.fill)).toEqual(['#111', '#fff', '#111']); // UE: 0, 2, 0 of 2
  });

  it('draws a reliability diagram per class: both curves, a point per non-empty bin where its figures are on the axes', () => {
    const result = sample();
    const page = parseHtml(formatHtml(result));
    const legend = one(page, is('p', {}, 'legend'));
    const swatches = all(legend, is('span')).map((span) => [text(span), /background:(#[0-9a-f]{6})/.exec(one(span, is('i')).attrs.style)![1]]);
    expect(swatches.map(([label]) => label)).toEqual(['candidate', 'production']);
    const colour = Object.fromEntries(swatches) as Record<'candidate' | 'production', string>;
    expect(colour.candidate).not.toBe(colour.production);

    const svgs = all(page, is('svg', {}, 'reliability'));
    expect(svgs.map((svg) => svg.attrs['data-class'])).toEqual(['FE', 'UE', 'W']);
    for (const svg of svgs) {
      const label = svg.attrs['data-class'];
      expect(svg.attrs['aria-label']).toBe(`reliability diagram of class ${label}`);
      const { width, height } = svgBox(svg);
      expectInside(svg);
      const [xAxis, yAxis, diagonal] = all(svg, is('line'));
      // The x axis goes right along the bottom, the y axis up from the same origin; both fill most of the picture.
      const origin = [num(xAxis, 'x1'), num(xAxis, 'y1')];
      expect([num(yAxis, 'x1'), num(yAxis, 'y1')]).toEqual(origin);
      expect(num(xAxis, 'y2')).toBe(origin[1]);
      expect(num(yAxis, 'x2')).toBe(origin[0]);
      const xLength = num(xAxis, 'x2') - origin[0];
      const yLength = origin[1] - num(yAxis, 'y2');
      expect(xLength).toBeGreaterThan(width / 2);
      expect(yLength).toBeGreaterThan(height / 2);
      const at = (x: number, y: number) => [origin[0] + x * xLength, origin[1] - y * yLength];
      // The dashed diagonal: perfect calibration, from (0, 0) to (1, 1).
      expect([num(diagonal, 'x1'), num(diagonal, 'y1'), num(diagonal, 'x2'), num(diagonal, 'y2')]).toEqual([...at(0, 0), ...at(1, 1)]);
      expect(diagonal.attrs['stroke-dasharray']).toBeDefined();
      // Ticks 0, 0.5, 1 under the x axis and left of the y axis, at their places.
      const texts = all(svg, is('text'));
      const ticks = texts.slice(0, 6);
      expect(ticks.map(text)).toEqual(['0', '0', '0.5', '0.5', '1', '1']);
      for (const [i, t] of [0, 0.5, 1].entries()) {
        const [under, left] = [ticks[2 * i], ticks[2 * i + 1]];
        expect(num(under, 'x')).toBe(at(t, 0)[0]);
        expect(num(under, 'y')).toBeGreaterThan(origin[1]);
        expect(num(left, 'x')).toBeLessThan(origin[0]);
        expect(left.attrs['text-anchor']).toBe('end');
        const offset = num(left, 'y') - at(0, t)[1];
        expect(offset).toBeGreaterThan(0);
        expect(offset).toBeLessThanOrEqual(5);
      }
      const [xLabel, yLabel] = texts.slice(6);
      expect(text(xLabel)).toBe(`predicted p(${label})`);
      expect(num(xLabel, 'x')).toBe(at(0.5, 0)[0]);
      expect(num(xLabel, 'y')).toBeGreaterThan(num(ticks[0], 'y'));
      expect(text(yLabel)).toBe('observed share');
      expect(yLabel.attrs.transform).toBe(`rotate(-90 ${yLabel.attrs.x} ${yLabel.attrs.y})`);
      expect(drawnTexts(svg)).toEqual(['0', '0', '0.5', '0.5', '1', '1', `predicted p(${label})`, 'observed share']);

      const curves = { candidate: result.candidate.diagnostics, production: result.production.diagnostics };
      const polylines = all(svg, is('polyline'));
      expect(polylines.map((p) => p.attrs.stroke)).toEqual([colour.candidate, colour.production]);
      for (const [i, role] of (['candidate', 'production'] as const).entries()) {
        const d = curves[role];
        const bins = d.reliability[d.classes.indexOf(label)].filter((bin) => bin.rows > 0);
        const dots = all(svg, is('circle', { 'data-model': role }));
        expect(dots.map((c) => [num(c, 'data-rows'), num(c, 'data-confidence'), num(c, 'data-observed')])).toEqual(bins.map((bin) => [bin.rows, bin.confidence, bin.observed]));
        for (const [j, dot] of dots.entries()) {
          const [x, y] = at(bins[j].confidence, bins[j].observed);
          expect(num(dot, 'cx')).toBeCloseTo(x, 1);
          expect(num(dot, 'cy')).toBeCloseTo(y, 1);
          expect(dot.attrs.fill).toBe(colour[role]);
          expect(titleOf(dot)).toBe(`${role}: ${bins[j].rows} rows, predicted ${bins[j].confidence.toFixed(3)}, observed ${bins[j].observed.toFixed(3)}`);
        }
        // The curve joins the points, in order.
        const points = polylines[i].attrs.points.split(' ').filter(Boolean);
        expect(points).toEqual(dots.map((dot) => `${dot.attrs.cx},${dot.attrs.cy}`));
      }
    }
    // Production's curve of a class is its own, found by label (its classes are in another order).
    const fe = svgs[0];
    const productionFe = result.production.diagnostics.reliability[1].filter((bin) => bin.rows > 0);
    expect(all(fe, is('circle', { 'data-model': 'production' })).map((c) => num(c, 'data-confidence'))).toEqual(productionFe.map((bin) => bin.confidence));
    expect(result.production.diagnostics.reliability[0]).not.toEqual(result.production.diagnostics.reliability[1]); // (so the order matters here)
    expect(formatHtml(result)).not.toMatch(/NaN|undefined/);
  });

  it('draws a class production does not know with the candidate curve alone', () => {
    const result = sample();
    const classes = ['FE', 'UE'];
    const labels = ['FE', 'UE'];
    const proba = Float64Array.from([0.9, 0.1, 0.2, 0.8]);
    result.production.diagnostics = diagnose(labels, proba, classes, rowLogLosses(labels, proba, classes));
    const w = one(parseHtml(formatHtml(result)), is('svg', { 'data-class': 'W' }, 'reliability'));
    expect(all(w, is('circle', { 'data-model': 'production' }))).toEqual([]);
    expect(all(w, is('circle', { 'data-model': 'candidate' })).length).toBeGreaterThan(0);
  });

  it('draws the histogram of per-row differences: bars side by side on one baseline, as tall as their rows, coloured by side of 0', () => {
    const result = sample();
    const page = parseHtml(formatHtml(result));
    const heading = all(page, is('h2')).map(text).find((h) => h.startsWith('Per-row'));
    expect(heading).toBe('Per-row test log loss, candidate minus production (1000 rows; right of 0: candidate worse)');
    const legend = Object.fromEntries(all(one(page, is('p', {}, 'legend')), is('span')).map((span) => [text(span), /background:(#[0-9a-f]{6})/.exec(one(span, is('i')).attrs.style)![1]]));
    const svg = one(page, is('svg', {}, 'differences'));
    expect(svg.attrs['aria-label']).toBe('histogram of per-row log loss differences');
    const { width, height } = svgBox(svg);
    expectInside(svg);
    const bars = all(svg, is('rect'));
    const rows = bars.map((bar) => num(bar, 'data-rows'));
    const expected = new Array(21).fill(0);
    for (const [bin, count] of [[0, 1], [9, 1], [10, 2], [11, 3], [20, 3]]) expected[bin] = count;
    expect(rows).toEqual(expected);
    const baseline = num(bars[0], 'y') + num(bars[0], 'height');
    const tallest = Math.max(...bars.map((bar) => num(bar, 'height')));
    expect(tallest).toBeGreaterThan(height / 2);
    const barWidth = num(bars[0], 'width');
    for (const [i, bar] of bars.entries()) {
      expect(num(bar, 'y') + num(bar, 'height')).toBeCloseTo(baseline, 1);
      expect(num(bar, 'height')).toBeCloseTo((tallest * rows[i]) / 3, 1);
      expect(num(bar, 'width')).toBe(barWidth);
      if (i > 0) {
        const gap = num(bar, 'x') - (num(bars[i - 1], 'x') + barWidth);
        expect(gap).toBeGreaterThan(0);
        expect(gap).toBeLessThan(2);
      }
    }
    expect(barWidth * 21).toBeGreaterThan(width * 0.85);
    // Right of 0: the candidate's colour; left of 0: production's; the bar about 0 grey.
    expect(bars.map((bar) => bar.attrs.fill)).toEqual([...new Array(10).fill(legend.production), '#a1a1aa', ...new Array(10).fill(legend.candidate)]);
    expect(titleOf(bars[0])).toBe('-inf to -1.8: 1 rows');
    expect(titleOf(bars[10])).toBe('-0.1 to 0.1: 2 rows');
    expect(titleOf(bars[20])).toBe('1.8 to +inf: 3 rows');
    // Ticks -2, 0, +2: the ends of the bars and the middle of the bar about 0, under the baseline.
    const texts = all(svg, is('text'));
    const ticks = texts.slice(0, 3);
    expect(ticks.map(text)).toEqual(['-2', '0', '+2']);
    expect(num(ticks[0], 'x')).toBeCloseTo(num(bars[0], 'x'), 0);
    expect(num(ticks[1], 'x')).toBeCloseTo(num(bars[10], 'x') + barWidth / 2, 0);
    expect(Math.abs(num(ticks[2], 'x') - (num(bars[20], 'x') + barWidth))).toBeLessThanOrEqual(1.5);
    for (const tick of ticks) {
      expect(num(tick, 'y')).toBeGreaterThan(baseline);
      expect(tick.attrs['text-anchor']).toBe('middle');
    }
    const [caption, unit] = texts.slice(3);
    expect(text(caption)).toBe('candidate minus production, per test row (grey: about 0; outer bars: beyond ±2)');
    expect(Math.abs(num(caption, 'x') - width / 2)).toBeLessThan(30);
    expect(num(caption, 'y')).toBeGreaterThan(num(ticks[0], 'y'));
    expect(text(unit)).toBe('rows');
    expect(drawnTexts(svg)).toEqual(['-2', '0', '+2', text(caption), 'rows']);
  });

  it('draws an empty histogram flat, without dividing by zero', () => {
    const result = fakeResult(); // no per-row losses: every bar empty
    const svg = one(parseHtml(formatHtml(result)), is('svg', {}, 'differences'));
    const bars = all(svg, is('rect'));
    expect(bars).toHaveLength(21);
    expect(bars.every((bar) => num(bar, 'height') === 0)).toBe(true);
  });

  it('lays the pictures out in rows, nothing stray between them', () => {
    const page = parseHtml(formatHtml(sample()));
    const rows = all(page, is('div', { class: 'row' }));
    expect(rows.map((row) => row.children.filter((c) => typeof c !== 'string').map((c) => (c as Element).tag))).toEqual([
      ['section', 'section'],
      ['figure', 'figure'],
      ['svg', 'svg', 'svg'],
    ]);
    for (const row of rows) expect(row.children.filter((c) => typeof c === 'string')).toEqual([]);
    expect(all(page, is('h2')).map(text).slice(0, 4)).toEqual([
      'Slices, weakest first',
      'Per class',
      'Confusion matrices (rows: true class, columns: predicted; shade: share of the true class)',
      'Reliability: predicted probability against observed share, 10 bins',
    ]);
  });
});
