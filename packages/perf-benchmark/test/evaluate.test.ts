// @module-tag unit
import { describe, expect, it } from 'vitest';
import { DIFFERENCE_BINS, DIFFERENCE_RANGE, differenceHistogram, pairedDifference, scorePredictions, summarizeCv } from '../src/index.ts';
import { mostProbableClass as argmaxLabels } from '@rally/forest';

const CLASSES = ['FE', 'UE', 'W'];

describe('scorePredictions (probabilities in, figures out, computed by hand)', () => {
  // Three test rows; log loss is -ln p(true class), probabilities clipped to [1e-15, 1 - 1e-15] and renormalised.
  const labels = ['W', 'FE', 'UE'];
  const proba = Float64Array.from([0.2, 0.3, 0.5, /* row 1 */ 0.6, 0.4, 0, /* row 2 */ 0.1, 0.1, 0.8]);

  it('gives each row its loss and their mean', () => {
    const scores = scorePredictions(labels, proba, CLASSES);
    expect(scores.rowLosses[0]).toBeCloseTo(0.6931471806, 10); // -ln 0.5
    expect(scores.rowLosses[1]).toBeCloseTo(0.5108256238, 10); // -ln 0.6 (the 0 clipped to 1e-15 barely moves the sum)
    expect(scores.rowLosses[2]).toBeCloseTo(2.302585093, 9); // -ln 0.1
    expect(scores.logLoss).toBeCloseTo((0.6931471806 + 0.5108256238 + 2.302585093) / 3, 9);
    expect(scores.logLoss).toBeCloseTo(1.1688526325, 9);
  });

  it('counts accuracy on the most probable class (first one on ties) unless told the predictions', () => {
    expect(argmaxLabels(proba, CLASSES)).toEqual(['W', 'FE', 'W']);
    expect(scorePredictions(labels, proba, CLASSES).accuracy).toBeCloseTo(2 / 3, 12);
    expect(argmaxLabels(Float64Array.from([0.4, 0.4, 0.2]), CLASSES)).toEqual(['FE']);
    expect(scorePredictions(labels, proba, CLASSES, ['W', 'FE', 'UE']).accuracy).toBe(1);
  });

  it('caps a certain mistake at -ln(1e-15)', () => {
    const scores = scorePredictions(['FE'], Float64Array.from([0, 0, 1]), CLASSES);
    expect(scores.logLoss).toBeCloseTo(-Math.log(1e-15), 6);
    expect(scores.accuracy).toBe(0);
  });

  it('refuses probabilities of the wrong shape and unknown labels', () => {
    expect(() => scorePredictions(['W'], Float64Array.from([0.5, 0.5]), CLASSES)).toThrow(RangeError);
    // Its own check, even when the predictions are given (no argmax to trip over the shape first).
    expect(() => scorePredictions(['W'], Float64Array.from([0.5, 0.5]), CLASSES, ['W'])).toThrow(new RangeError('Expected 1 x 3 probabilities, got 2.'));
    expect(() => scorePredictions(['X'], Float64Array.from([0.2, 0.3, 0.5]), CLASSES)).toThrow(/not one of the model's classes/);
  });
});

describe('summarizeCv', () => {
  it('uses the population std for every model (ddof = 0)', () => {
    const cv = summarizeCv([0.4, 0.5, 0.6, 0.5, 0.5]);
    expect(cv.mean).toBeCloseTo(0.5, 12);
    expect(cv.std).toBeCloseTo(Math.sqrt(0.02 / 5), 12); // 0.0632..., the sample std would be sqrt(0.02 / 4) = 0.0707...
    expect(cv.losses).toEqual([0.4, 0.5, 0.6, 0.5, 0.5]);
  });
});

describe('pairedDifference', () => {
  it('is candidate minus production, row by row', () => {
    const d = pairedDifference([1, 2, 3], [0.5, 1.5, 2.5]);
    expect(d).toMatchObject({ estimate: 0.5, low: 0.5, high: 0.5, rows: 3, verdict: 'worse', resamples: 2000, seed: 42, confidence: 0.95 });
    expect(pairedDifference([0.5, 1.5, 2.5], [1, 2, 3]).verdict).toBe('better');
  });

  it('calls a difference whose interval straddles 0 unclear', () => {
    const candidate = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 1.1 : 0.9));
    const production = Array.from({ length: 200 }, () => 1);
    const d = pairedDifference(candidate, production);
    expect(d.estimate).toBeCloseTo(0, 12);
    expect(d.low).toBeLessThan(0);
    expect(d.high).toBeGreaterThan(0);
    expect(d.verdict).toBe('no clear difference');
  });

  it('refuses unpaired rows', () => {
    expect(() => pairedDifference([1, 2], [1])).toThrow(/differ in length/);
  });
});

describe('differenceHistogram', () => {
  it('cuts [-2, 2] into 21 contiguous bins of equal width, the outer two open-ended', () => {
    const bins = differenceHistogram([], []);
    expect(bins).toHaveLength(DIFFERENCE_BINS);
    const width = (2 * DIFFERENCE_RANGE) / DIFFERENCE_BINS;
    expect(bins[0].low).toBe(-Infinity);
    expect(bins[0].high).toBeCloseTo(-DIFFERENCE_RANGE + width, 12);
    expect(bins.at(-1)!.low).toBeCloseTo(DIFFERENCE_RANGE - width, 12);
    expect(bins.at(-1)!.high).toBe(Infinity);
    for (let b = 1; b < DIFFERENCE_BINS - 1; b += 1) {
      expect(bins[b].low).toBeCloseTo(-DIFFERENCE_RANGE + b * width, 12);
      expect(bins[b].high - bins[b].low).toBeCloseTo(width, 12);
      expect(bins[b].low).toBe(bins[b - 1].high); // no gap, no overlap
    }
    expect(bins.every((bin) => bin.rows === 0)).toBe(true);
  });
});
