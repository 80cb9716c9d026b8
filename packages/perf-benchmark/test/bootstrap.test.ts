// @module-tag unit
import { describe, expect, it } from 'vitest';
import { bootstrapMeanCI, quantileSorted } from '../src/bootstrap.ts';

describe('quantileSorted', () => {
  it("interpolates linearly like numpy's default", () => {
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
    expect(quantileSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(quantileSorted([7], 0.975)).toBe(7);
  });
});

describe('bootstrapMeanCI', () => {
  const values = Array.from({ length: 1000 }, (_, i) => i);

  it('is reproducible for a seed and changes with it', () => {
    const a = bootstrapMeanCI(values, { seed: 1 });
    expect(bootstrapMeanCI(values, { seed: 1 })).toEqual(a);
    expect(bootstrapMeanCI(values, { seed: 2 })).not.toEqual(a);
    expect(a).toMatchObject({ estimate: 499.5, confidence: 0.95, resamples: 2000, seed: 1 });
  });

  it('matches the normal approximation mean ± 1.96 standard errors', () => {
    const { estimate, low, high } = bootstrapMeanCI(values);
    const se = Math.sqrt(values.reduce((s, v) => s + (v - 499.5) ** 2, 0) / values.length) / Math.sqrt(values.length); // 9.13
    expect(low).toBeGreaterThan(estimate - 1.96 * se - 2);
    expect(low).toBeLessThan(estimate - 1.96 * se + 2);
    expect(high).toBeGreaterThan(estimate + 1.96 * se - 2);
    expect(high).toBeLessThan(estimate + 1.96 * se + 2);
  });

  it('narrows with a lower confidence and collapses on constant values', () => {
    const wide = bootstrapMeanCI(values, { confidence: 0.99 });
    const narrow = bootstrapMeanCI(values, { confidence: 0.5 });
    expect(narrow.high - narrow.low).toBeLessThan(wide.high - wide.low);
    expect(bootstrapMeanCI([0.25, 0.25, 0.25])).toMatchObject({ estimate: 0.25, low: 0.25, high: 0.25 });
  });

  it('refuses an empty sample and nonsense options', () => {
    expect(() => bootstrapMeanCI([])).toThrow(new RangeError('Cannot bootstrap an empty sample.'));
    expect(() => bootstrapMeanCI([1], { resamples: 0 })).toThrow(new RangeError('resamples must be a positive integer, got 0.'));
    expect(() => bootstrapMeanCI([1], { resamples: 2.5 })).toThrow(new RangeError('resamples must be a positive integer, got 2.5.'));
    expect(() => bootstrapMeanCI([1], { confidence: 1 })).toThrow(new RangeError('confidence must be in (0, 1), got 1.'));
    expect(() => bootstrapMeanCI([1], { confidence: 0 })).toThrow(new RangeError('confidence must be in (0, 1), got 0.'));
    expect(() => bootstrapMeanCI([1], { confidence: -0.5 })).toThrow(RangeError);
  });

  it('accepts a single resample: the interval of one resampled mean is that mean', () => {
    const one = bootstrapMeanCI([1, 2, 3, 4], { resamples: 1 });
    expect(one.resamples).toBe(1);
    expect(one.low).toBe(one.high);
    expect(one.estimate).toBe(2.5);
  });
});
