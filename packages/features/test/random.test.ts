// @module-tag unit
/**
 * The seeded generator (issue 15): its argument checks, that seeds and streams name different
 * sequences, and the statistical properties everything random in rally relies on (uniform
 * integers without bias, uniform permutations). Bounds on counts are several standard deviations
 * wide, so they hold for any sound generator and fail for a broken one.
 */
import { describe, expect, it } from 'vitest';
import { Random, shuffledIndices } from '../src/index.ts';

const draws = (random: Random, n = 8) => Array.from({ length: n }, () => random.nextUint32());

/** Pearson's chi-square statistic of observed counts against equal expected counts. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}

describe('Random: seeds and streams', () => {
  it.each([1.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY])('refuses the seed %d', (seed) => {
    expect(() => new Random(seed)).toThrow(new RangeError(`A random seed must be a safe integer, got ${seed}.`));
  });

  it.each([-1, 0.5, 2 ** 53])('refuses the stream %d', (stream) => {
    expect(() => new Random(1, 0, stream)).toThrow(new RangeError(`A random stream must be a non-negative safe integer, got ${stream}.`));
  });

  it('accepts every safe integer seed and stream 0', () => {
    for (const seed of [0, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) expect(draws(new Random(seed, 0, Number.MAX_SAFE_INTEGER))).toHaveLength(8);
  });

  it('repeats a sequence for the same seed and streams', () => {
    expect(draws(new Random(42, 7))).toEqual(draws(new Random(42, 7)));
  });

  it('gives different sequences for different seeds, high bits and sign included', () => {
    const seeds = [0, 1, 2, -1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, -(2 ** 32), 2 ** 40];
    const sequences = seeds.map((seed) => draws(new Random(seed)).join());
    expect(new Set(sequences).size).toBe(seeds.length);
  });

  it('gives a different sequence for each stream, their order and the high bits of each', () => {
    const streams = [[], [0], [1], [2], [0, 0], [1, 2], [2, 1], [2 ** 32], [2 ** 32 + 1], [1, 2 ** 32]];
    const sequences = streams.map((s) => draws(new Random(42, ...s)).join());
    expect(new Set(sequences).size).toBe(streams.length);
  });
});

describe('Random: distributions', () => {
  it('nextUint32 gives unsigned 32-bit integers whose every bit is a fair coin', () => {
    const random = new Random(3);
    const n = 20000;
    const ones = new Array<number>(32).fill(0);
    for (let i = 0; i < n; i += 1) {
      const x = random.nextUint32();
      expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
      for (let bit = 0; bit < 32; bit += 1) ones[bit] += Math.floor(x / 2 ** bit) % 2;
    }
    // Standard deviation of a count: sqrt(n) / 2 = 71; 5 of them is 354.
    for (const count of ones) expect(Math.abs(count - n / 2)).toBeLessThan(354);
  });

  it('nextFloat is uniform in [0, 1)', () => {
    const random = new Random(4);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 20000; i += 1) {
      const x = random.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
      counts[Math.floor(x * 10)] += 1;
    }
    // 9 degrees of freedom: the 99.99th percentile is 33.7.
    expect(chiSquare(counts)).toBeLessThan(33.7);
  });

  it('consecutive draws are independent (pairs uniform over a 4 x 4 grid)', () => {
    const random = new Random(5);
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16000; i += 1) counts[random.below(4) * 4 + random.below(4)] += 1;
    // 15 degrees of freedom: the 99.99th percentile is 44.3.
    expect(chiSquare(counts)).toBeLessThan(44.3);
  });

  it.each([1, 2, 3, 7, 10, 1000])('below(%i) is uniform over 0..n-1', (n) => {
    const random = new Random(n);
    const counts = new Array<number>(n).fill(0);
    const total = Math.max(1000, 20 * n);
    for (let i = 0; i < total; i += 1) {
      const x = random.below(n);
      expect(Number.isInteger(x) && x >= 0 && x < n).toBe(true);
      counts[x] += 1;
    }
    if (n === 1) expect(counts).toEqual([total]);
    // Chi-square with n - 1 degrees of freedom: mean n - 1, sd sqrt(2(n - 1)); 6 sd above the mean.
    else expect(chiSquare(counts)).toBeLessThan(n - 1 + 6 * Math.sqrt(2 * (n - 1)));
  });

  it('below has no modulo bias for n near 2^32 (values above 2^31 as often as below)', () => {
    // 3 * 2^30: a plain modulo would give values under 2^30 twice as often as the others.
    const n = 3 * 2 ** 30;
    const random = new Random(11);
    let low = 0;
    for (let i = 0; i < 6000; i += 1) if (random.below(n) < 2 ** 30) low += 1;
    // Expected a third (2000, sd 37); modulo bias would give a half.
    expect(Math.abs(low - 2000)).toBeLessThan(200);
    expect(new Random(1).below(2 ** 32)).toBeLessThan(2 ** 32);
  });
});

describe('shuffledIndices', () => {
  it('is a permutation of 0..n-1', () => {
    for (const n of [0, 1, 2, 10, 1000]) {
      const order = shuffledIndices(n, new Random(n));
      expect(order).toBeInstanceOf(Int32Array);
      expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it('gives each of the 24 orders of 4 items equally often', () => {
    const random = new Random(6);
    const counts = new Map<string, number>();
    for (let i = 0; i < 12000; i += 1) {
      const key = Array.from(shuffledIndices(4, random)).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    // 23 degrees of freedom: the 99.99th percentile is 56.
    expect(chiSquare([...counts.values()])).toBeLessThan(56);
  });
});
