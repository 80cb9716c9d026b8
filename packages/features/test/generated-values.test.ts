// @module-tag unit
/**
 * What the generators draw (issue 15): synthetic values spread over the range the ground truth
 * showed (not merely inside the wider enforced bounds), ids beyond the real ones, and real samples
 * without replacement until the ground truth is used up.
 */
import { describe, expect, it } from 'vitest';
import { CONTRACT, type DataContract, generateDataPoints, inputColumns, sampleDataPoints } from '../src/index.ts';

describe('generateDataPoints', () => {
  const points = generateDataPoints(3000, 9);

  it.each(inputColumns().filter((c) => c.type === 'float' || c.type === 'integer').map((c) => [c.name, c] as const))(
    '%s: drawn over its observed range, both ends nearly reached',
    (name, spec) => {
      const values = points.map((p) => p[name] as number);
      const { min, max } = spec.observed!;
      const span = max - min;
      expect(Math.min(...values)).toBeGreaterThanOrEqual(min);
      expect(Math.max(...values)).toBeLessThanOrEqual(max);
      expect(Math.min(...values)).toBeLessThan(min + span * 0.02);
      expect(Math.max(...values)).toBeGreaterThan(max - span * 0.02);
      if (spec.type === 'integer') expect(values.every(Number.isInteger)).toBe(true);
      else expect(values.some((v) => !Number.isInteger(v))).toBe(true);
    },
  );

  it('ids follow the largest real id, one by one', () => {
    const maxId = CONTRACT.columns.find((c) => c.name === 'id')!.observed!.max;
    expect(points.slice(0, 3).map((p) => p.id)).toEqual([maxId + 1, maxId + 2, maxId + 3]);
  });

  it('booleans are fair coins', () => {
    const share = points.filter((p) => p['same.side'] === true).length / points.length;
    expect(share).toBeGreaterThan(0.45);
    expect(share).toBeLessThan(0.55);
  });

  it('without observed ranges, draws within the bounds, or from 0 to 1 without any', () => {
    const contract: DataContract = {
      ...CONTRACT,
      target: 'outcome',
      columns: [
        { name: 'x', type: 'float', nullable: false, min: 2, max: 4 },
        { name: 'u', type: 'float', nullable: false },
        { name: 'k', type: 'integer', nullable: false, min: 5, max: 6 },
        { name: 'id', type: 'identifier', nullable: false, min: 0 },
        { name: 'outcome', type: 'target', nullable: false, categories: ['W', 'L'] },
      ],
    };
    const drawn = generateDataPoints(2000, 1, contract);
    const x = drawn.map((p) => p.x as number);
    const u = drawn.map((p) => p.u as number);
    expect(Math.min(...x)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...x)).toBeLessThan(4);
    expect(Math.min(...x)).toBeLessThan(2.05);
    expect(Math.max(...x)).toBeGreaterThan(3.95);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.max(...u)).toBeGreaterThan(0.95);
    expect(new Set(drawn.map((p) => p.k))).toEqual(new Set([5, 6]));
    // No observed maximum: ids start after the bound's default range (0 + 1), at 2.
    expect(drawn.slice(0, 2).map((p) => p.id)).toEqual([2, 3]);
    expect(Object.keys(drawn[0])).toEqual(['x', 'u', 'k', 'id']);
  });
});

describe('sampleDataPoints', () => {
  it('uses every real row once before any repeats, then starts over in the same order', () => {
    const points = sampleDataPoints(5002, 3);
    expect(new Set(points.slice(0, 5000).map((p) => p.id)).size).toBe(5000);
    expect(points[5000]).toEqual(points[0]);
    expect(points[5001]).toEqual(points[1]);
  });

  it('gives copies: changing a sampled point changes no later sample', () => {
    const [first] = sampleDataPoints(1, 3);
    const speed = first.speed;
    first.speed = -1;
    expect(sampleDataPoints(1, 3)[0].speed).toBe(speed);
  });
});
