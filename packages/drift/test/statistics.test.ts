// @module-tag unit
/**
 * The statistics of drift detection, three ways: cases worked by hand, an independent
 * implementation (scipy 1.10's ks_2samp, chi2_contingency, chi2.sf and kstwobign.sf on the samples
 * in fixtures/scipy-reference.json, made by fixtures/make_scipy_reference.py), and properties.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '@rally/features';
import { binomial, chiSquareHomogeneity, chiSquareSurvival, countOnGrid, distinctAscending, holmAdjust, kolmogorovSurvival, ksStatistic, ksStatisticOnGrid, ksTest, ksTestOnGrid, multinomial, psi, PSI_FLOOR, quantileSorted } from '../src/statistics.ts';

interface Reference {
  ks: { name: string; a: number[]; b: number[]; statistic: number; p_exact: number; p_asymp: number }[];
  chi_square: { name: string; a: number[]; b: number[]; statistic: number; p: number; dof: number }[];
  chi_square_survival: { x: number; dof: number; p: number }[];
  kolmogorov_survival: { lambda: number; p: number }[];
}
const reference: Reference = JSON.parse(readFileSync(new URL('./fixtures/scipy-reference.json', import.meta.url), 'utf8'));
const sorted = (values: number[]) => Float64Array.from(values).sort();

describe('the two-sample KS test', () => {
  it('by hand: D is the largest gap between the two step functions, ties stepping together', () => {
    expect(ksStatistic([1, 2, 3], [2, 3, 4])).toBeCloseTo(1 / 3, 15);
    expect(ksStatistic([1, 1, 2], [1, 2, 2])).toBeCloseTo(1 / 3, 15);
    expect(ksStatistic([1, 2], [3, 4])).toBe(1);
    expect(ksStatistic([5, 5, 5], [5, 5])).toBe(0);
    expect(() => ksStatistic([], [1])).toThrow(RangeError);
  });

  it.each(reference.ks)('matches scipy on "$name": D exactly, the p-value within a few percent', ({ a, b, statistic, p_exact }) => {
    const result = ksTest(sorted(a), sorted(b));
    expect(result.statistic).toBeCloseTo(statistic, 12);
    // The asymptotic p-value with Stephens' correction against scipy's exact one.
    expect(Math.abs(result.pValue - p_exact)).toBeLessThanOrEqual(Math.max(0.1 * p_exact, 0.01));
  });

  it('the Kolmogorov survival function matches scipy\'s kstwobign on both of its forms', () => {
    for (const { lambda, p } of reference.kolmogorov_survival) expect(kolmogorovSurvival(lambda)).toBeCloseTo(p, 10);
    expect(kolmogorovSurvival(0)).toBe(1);
    expect(kolmogorovSurvival(10)).toBeLessThan(1e-80);
  });

  it('a sample against itself has D = 0 and p = 1; D is symmetric and in [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 60 }), fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 60 }), (x, y) => {
        const a = sorted(x);
        const b = sorted(y);
        const d = ksStatistic(a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
        expect(ksStatistic(b, a)).toBe(d);
        expect(ksTest(a, a)).toEqual({ statistic: 0, pValue: 1 });
      }),
    );
  });
});

describe('the KS test of a sample known by its counts on the reference\'s grid (a streamed file)', () => {
  it('by hand: the cells count below, at and between the distinct reference values', () => {
    const grid = distinctAscending([1, 2, 2, 4]);
    expect(Array.from(grid)).toEqual([1, 2, 4]);
    // below 1 | at 1 | (1, 2) | at 2 | (2, 4) | at 4 | above 4
    expect(Array.from(countOnGrid(grid, [0, 1, 1.5, 2, 2, 3, 4, 9, 9]))).toEqual([1, 1, 1, 2, 1, 1, 2]);
    expect(() => countOnGrid(grid, [1], new Float64Array(3))).toThrow(RangeError);
    // [1, 2, 3] against [2, 3, 4]: D = 1/3, as ksStatistic gives it.
    const reference = [1, 2, 3];
    expect(ksStatisticOnGrid(reference, distinctAscending(reference), countOnGrid(distinctAscending(reference), [2, 3, 4]))).toBeCloseTo(1 / 3, 15);
    // The gap just below a reference value: every new value between 1 and 5 (D = 1/2 there, at no reference value).
    expect(ksStatisticOnGrid([1, 5], [1, 5], countOnGrid([1, 5], [3, 3]))).toBe(0.5);
    expect(() => ksStatisticOnGrid([1], [1], new Float64Array(3))).toThrow(RangeError);
  });

  it('gives exactly the D and p-value of ksTest on the two samples, ties and values outside the reference included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -30, max: 30 }), { minLength: 1, maxLength: 80 }), fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 4 }), (x, y, scale) => {
        const a = sorted(x.map((v) => v / scale));
        const b = y.map((v) => v / scale);
        const grid = distinctAscending(a);
        // Counted in two chunks, as a streamed file is.
        const cells = countOnGrid(grid, b.slice(0, 7));
        countOnGrid(grid, b.slice(7), cells);
        expect(ksTestOnGrid(a, grid, cells)).toEqual(ksTest(a, sorted(b)));
      }),
    );
  });
});

describe('the chi-square test of homogeneity', () => {
  it('by hand: 10/20 against 20/10 gives 6.67 on 1 degree of freedom', () => {
    const result = chiSquareHomogeneity([10, 20], [20, 10]);
    expect(result.statistic).toBeCloseTo(20 / 3, 12);
    expect(result.dof).toBe(1);
    expect(result.pValue).toBeCloseTo(0.009823, 5);
  });

  it.each(reference.chi_square)('matches scipy on "$name"', ({ a, b, statistic, p, dof }) => {
    const result = chiSquareHomogeneity(a, b);
    expect(result.statistic).toBeCloseTo(statistic, 9);
    expect(result.dof).toBe(dof);
    expect(result.pValue).toBeCloseTo(p, 12);
    expect(Math.abs(result.pValue - p)).toBeLessThanOrEqual(1e-9 * Math.max(p, 1e-300) + 1e-15);
  });

  it('one category left is no evidence; an empty sample is an error', () => {
    expect(chiSquareHomogeneity([5, 0], [7, 0])).toEqual({ statistic: 0, pValue: 1, dof: 0 });
    expect(() => chiSquareHomogeneity([0, 0], [1, 2])).toThrow(RangeError);
    expect(() => chiSquareHomogeneity([1], [1, 2])).toThrow(RangeError);
  });

  it('the chi-square survival function matches scipy\'s chi2.sf (series and continued fraction)', () => {
    for (const { x, dof, p } of reference.chi_square_survival) expect(chiSquareSurvival(x, dof) / p).toBeCloseTo(1, 9);
  });

  it('proportional counts never reject, whatever the scale', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 2, maxLength: 8 }), fc.integer({ min: 2, max: 20 }), (counts, factor) => {
        const result = chiSquareHomogeneity(counts, counts.map((count) => count * factor));
        expect(result.statistic).toBeCloseTo(0, 9);
        expect(result.pValue).toBeCloseTo(1, 9);
      }),
    );
  });
});

describe('the population stability index', () => {
  it('by hand: 50/50 against 25/75 is 0.25·ln 2 + 0.25·ln 1.5', () => {
    expect(psi([50, 50], [25, 75])).toBeCloseTo(0.25 * Math.log(2) + 0.25 * Math.log(1.5), 14);
  });

  it('floors an empty bin at PSI_FLOOR instead of going infinite', () => {
    const value = psi([50, 50], [100, 0]);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeCloseTo((1 - 0.5) * Math.log(1 / 0.5) + (PSI_FLOOR - 0.5) * Math.log(PSI_FLOOR / 0.5), 12);
  });

  it('is 0 for the same shares, positive otherwise, and symmetric in its two arguments', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 10 }), fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 10 }), (x, y) => {
        const k = Math.min(x.length, y.length);
        const a = x.slice(0, k);
        const b = y.slice(0, k);
        expect(psi(a, a.map((v) => v * 3))).toBeCloseTo(0, 12);
        expect(psi(a, b)).toBeGreaterThanOrEqual(-1e-15);
        expect(psi(a, b)).toBeCloseTo(psi(b, a), 12);
      }),
    );
  });
});

describe('Holm\'s correction', () => {
  it('by hand: 0.01, 0.04, 0.03, 0.5 become 0.04, 0.09, 0.09, 0.5', () => {
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.5]);
    [0.04, 0.09, 0.09, 0.5].forEach((value, i) => expect(adjusted[i]).toBeCloseTo(value, 14));
  });

  it('never lowers a p-value, keeps their order, caps at 1, and is Bonferroni at the smallest', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }), (ps) => {
        const adjusted = holmAdjust(ps);
        const m = ps.length;
        ps.forEach((p, i) => {
          expect(adjusted[i]).toBeGreaterThanOrEqual(p);
          expect(adjusted[i]).toBeLessThanOrEqual(1);
          ps.forEach((q, j) => {
            if (p < q) expect(adjusted[i]).toBeLessThanOrEqual(adjusted[j]!);
          });
        });
        const smallest = ps.indexOf(Math.min(...ps));
        expect(adjusted[smallest]).toBeCloseTo(Math.min(1, m * ps[smallest]!), 14);
      }),
    );
  });
});

describe('draws for calibration', () => {
  it('binomial draws have the right mean and variance, by inversion and by the normal approximation', () => {
    for (const [n, p] of [[40, 0.1], [200, 0.05], [5000, 0.3], [5000, 0.97], [10, 0.5]] as const) {
      const random = new Random(7, n);
      const draws = Array.from({ length: 20_000 }, () => binomial(random, n, p));
      const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
      const variance = draws.reduce((s, v) => s + (v - mean) ** 2, 0) / (draws.length - 1);
      expect(draws.every((v) => Number.isInteger(v) && v >= 0 && v <= n)).toBe(true);
      expect(Math.abs(mean - n * p)).toBeLessThan(4 * Math.sqrt((n * p * (1 - p)) / draws.length) + 1e-9);
      expect(variance / (n * p * (1 - p))).toBeGreaterThan(0.93);
      expect(variance / (n * p * (1 - p))).toBeLessThan(1.07);
    }
    const random = new Random(1);
    expect(binomial(random, 0, 0.5)).toBe(0);
    expect(binomial(random, 9, 0)).toBe(0);
    expect(binomial(random, 9, 1)).toBe(9);
  });

  it('multinomial draws always add up to n and follow the probabilities', () => {
    const random = new Random(3);
    const probabilities = [0.5, 0.3, 0.15, 0.05];
    const totals = new Float64Array(4);
    for (let i = 0; i < 5000; i += 1) {
      const counts = multinomial(random, 1000, probabilities);
      expect(counts.reduce((s, v) => s + v, 0)).toBe(1000);
      counts.forEach((count, j) => (totals[j] += count));
    }
    probabilities.forEach((p, j) => expect(totals[j]! / 5_000_000).toBeCloseTo(p, 2));
    expect([...multinomial(random, 10, [0, 1, 0])]).toEqual([0, 10, 0]);
  });

  it('quantiles interpolate linearly as numpy\'s default', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.1)).toBeCloseTo(1.3, 14);
    expect(quantileSorted([7], 0.9)).toBe(7);
  });
});
