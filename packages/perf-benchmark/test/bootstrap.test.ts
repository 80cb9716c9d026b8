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
    expect(() => bootstrapMeanCI([])).toThrow(RangeError);
    expect(() => bootstrapMeanCI([1], { resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapMeanCI([1], { confidence: 1 })).toThrow(RangeError);
  });
});
