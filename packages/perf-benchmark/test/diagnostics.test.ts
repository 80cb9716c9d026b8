// @module-tag unit
import { describe, expect, it } from 'vitest';
import { Random } from '@rally/features';
import { rowLogLosses } from '@rally/train';
import { diagnose } from '../src/index.ts';
import { EXAMPLE_LABELS, EXAMPLE_PROBA } from './fake-result.ts';

const CLASSES = ['FE', 'UE', 'W'];
const run = (labels: string[], proba: Float64Array) => diagnose(labels, proba, CLASSES, rowLogLosses(labels, proba, CLASSES));

describe('diagnose', () => {
  // Rows (FE, UE, W probabilities -> truth): .7 .2 .1 -> FE (right), .2 .5 .3 -> FE (predicted UE),
  // .1 .8 .1 -> UE, .05 .9 .05 -> UE, .5 .5 0 -> W (predicted FE on the tie, p(true) = 0).
  // Computed inside each test, not while the file is collected: Stryker activates a mutant only
  // once the tests start, so a figure computed at collection time would never see it.
  const example = () => run(EXAMPLE_LABELS, EXAMPLE_PROBA);

  it('gives the confusion matrix and scikit-learn\'s classification report, 0 for a class never predicted', () => {
    const d = example();
    expect(d.classes).toEqual(CLASSES);
    expect(d.confusion).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
    expect(d.perClass.map(({ label, support }) => [label, support])).toEqual([
      ['FE', 2],
      ['UE', 2],
      ['W', 1],
    ]);
    const [fe, ue, w] = d.perClass;
    expect([fe.precision, fe.recall, fe.f1]).toEqual([0.5, 0.5, 0.5]);
    expect(ue.precision).toBeCloseTo(2 / 3, 15);
    expect(ue.recall).toBe(1);
    expect(ue.f1).toBeCloseTo(0.8, 15);
    expect([w.precision, w.recall, w.f1]).toEqual([0, 0, 0]);
    expect(d.macroF1).toBeCloseTo(1.3 / 3, 15);
  });

  it('gives the multiclass Brier score and the expected calibration error over 10 bins', () => {
    const d = example();
    // (0.14 + 0.98 + 0.06 + 0.015 + 1.5) / 5
    expect(d.brier).toBeCloseTo(0.539, 12);
    // Top probabilities 0.7 (right), 0.5 (wrong), 0.8, 0.9 (right), 0.5 (wrong):
    // 2/5 * |0 - 0.5| + 1/5 * (0.3 + 0.2 + 0.1)
    expect(d.ece).toBeCloseTo(0.32, 12);
    expect(d.calibration.map((bin) => bin.rows)).toEqual([0, 0, 0, 0, 0, 2, 0, 1, 1, 1]);
    expect(d.calibration[9]).toMatchObject({ low: 0.9, high: 1, rows: 1, observed: 1 });
    expect(d.calibration[0].confidence).toBeNaN();
    expect(d.calibration[0].observed).toBeNaN();
    // Ten equal bins from 0 to 1.
    for (const [b, bin] of d.calibration.entries()) {
      expect(bin.low).toBeCloseTo(b / 10, 12);
      expect(bin.high).toBeCloseTo((b + 1) / 10, 12);
    }
    // Each non-empty bin: the mean top probability of its rows and the share of them predicted right.
    const filled = d.calibration.filter((bin) => bin.rows > 0).map(({ rows, confidence, observed }) => [rows, confidence, observed]);
    expect(filled).toEqual([
      [2, expect.closeTo(0.5, 12), 0],
      [1, expect.closeTo(0.7, 12), 1],
      [1, expect.closeTo(0.8, 12), 1],
      [1, expect.closeTo(0.9, 12), 1],
    ]);
  });

  it("gives each class's reliability curve: bins of p(class) against how often the row is of that class", () => {
    const d = example();
    // p(W) per row: 0.1, 0.3, 0.1, 0.05, 0 (the last row is the only W).
    const w = d.reliability[2].filter((bin) => bin.rows > 0).map(({ low, rows, confidence, observed }) => [low, rows, confidence, observed]);
    expect(w).toEqual([
      [0, 2, expect.closeTo(0.025, 12), 0.5],
      [expect.closeTo(0.1, 12), 2, expect.closeTo(0.1, 12), 0],
      [expect.closeTo(0.3, 12), 1, expect.closeTo(0.3, 12), 0],
    ]);
    expect(d.reliability).toHaveLength(3);
  });

  it('puts a probability of exactly 1 in the last bin, [0.9, 1.0]', () => {
    const d = run(['FE', 'UE'], Float64Array.from([1, 0, 0, 0, 1, 0]));
    expect(d.calibration.map((bin) => bin.rows)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(d.calibration[9]).toMatchObject({ rows: 2, confidence: 1, observed: 1 });
    expect(d.reliability[0].map((bin) => bin.rows)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(d.ece).toBe(0);
    expect(d.brier).toBe(0);
    expect(d.macroF1).toBeCloseTo(2 / 3, 15); // FE and UE perfect, W never seen nor predicted
  });

  it("scores 0 for a class that has no test rows (scikit-learn's zero_division=0), not NaN", () => {
    // W is predicted once but never the truth: precision 0 (0 of 1 right), recall and F1 0 (no support).
    const d = run(['FE', 'UE'], Float64Array.from([0.6, 0.3, 0.1, 0.2, 0.1, 0.7]));
    const w = d.perClass[2];
    expect(w).toEqual({ label: 'W', precision: 0, recall: 0, f1: 0, support: 0 });
    expect(d.perClass[0]).toEqual({ label: 'FE', precision: 1, recall: 1, f1: 1, support: 1 });
    expect(d.perClass[1]).toEqual({ label: 'UE', precision: 0, recall: 0, f1: 0, support: 1 });
    expect(d.macroF1).toBeCloseTo(1 / 3, 15);
    expect(d.confusion).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 0, 0],
    ]);
  });

  it('counts the rows given p(true class) < 1e-6 and their share of the log loss', () => {
    const d = example();
    const losses = rowLogLosses(EXAMPLE_LABELS, EXAMPLE_PROBA, CLASSES);
    const total = losses.reduce((a, b) => a + b, 0);
    expect(d.nearZero).toEqual({ threshold: 1e-6, rows: 1, log_loss_share: losses[4] / total });
  });

  it('on many random rows: each reliability curve holds every row once, and the figures agree with each other', () => {
    const random = new Random(5);
    const n = 600;
    const labels = Array.from({ length: n }, () => CLASSES[random.below(3)]);
    const proba = new Float64Array(n * 3);
    for (let r = 0; r < n; r++) {
      const raw = [1 + random.below(1000), 1 + random.below(1000), 1 + random.below(1000)];
      const sum = raw[0] + raw[1] + raw[2];
      raw.forEach((v, c) => (proba[r * 3 + c] = v / sum));
    }
    const many = run(labels, proba);
    for (const [c, curve] of many.reliability.entries()) {
      expect(curve.reduce((sum, bin) => sum + bin.rows, 0)).toBe(n);
      const events = curve.reduce((sum, bin) => sum + (bin.rows > 0 ? bin.observed * bin.rows : 0), 0);
      expect(Math.round(events)).toBe(labels.filter((label) => label === CLASSES[c]).length);
    }
    expect(many.confusion.flat().reduce((a, b) => a + b, 0)).toBe(n);
    for (const [c, m] of many.perClass.entries()) {
      expect(m.recall).toBeCloseTo(many.confusion[c][c] / m.support, 15);
    }
    const accuracy = many.confusion.reduce((sum, row, c) => sum + row[c], 0) / n;
    const calibrated = many.calibration.reduce((sum, bin) => sum + (bin.rows > 0 ? bin.observed * bin.rows : 0), 0) / n;
    expect(calibrated).toBeCloseTo(accuracy, 12); // the top-label events are the right predictions
    expect(many.ece).toBeGreaterThan(0);
    expect(many.brier).toBeGreaterThan(0);
    expect(many.brier).toBeLessThan(2);
  });

  it('refuses a label the model does not know and probabilities of the wrong shape', () => {
    // diagnose's own check (not rowLogLosses'): per-row losses given directly.
    expect(() => diagnose(['FE', 'XX'], new Float64Array(6), CLASSES, new Float64Array(2))).toThrow(/Label "XX" is not one of the model's classes \(FE, UE, W\)\./);
    expect(() => diagnose(['FE'], new Float64Array(2), CLASSES, new Float64Array(1))).toThrow(/Expected 1 x 3 probabilities, got 2/);
  });
});
