// @module-tag unit
import { describe, expect, it } from 'vitest';
import { CONTRACT, checkPoint, generateDataPoints, inputColumns, pointSchema, sampleDataPoints } from '../src/index.ts';

const inputNames = inputColumns().map((column) => column.name);

describe.each([
  ['sampleDataPoints', sampleDataPoints],
  ['generateDataPoints', generateDataPoints],
])('%s', (_name, make) => {
  it('is deterministic for a seed and varies with it', () => {
    expect(make(20, 7)).toEqual(make(20, 7));
    expect(make(20, 7)).not.toEqual(make(20, 8));
  });
  it('gives points valid under the contract: exactly the 25 input columns, no target', () => {
    const points = make(300, 1);
    expect(points).toHaveLength(300);
    for (const [i, point] of points.entries()) {
      expect(Object.keys(point).sort()).toEqual([...inputNames].sort());
      expect(checkPoint(point, i)).toBeNull();
    }
    expect(inputNames).not.toContain('outcome');
    expect(inputNames).toHaveLength(25);
  });
  it('gives unique ids', () => {
    const ids = make(1000, 2).map((point) => point.id);
    expect(new Set(ids).size).toBe(1000);
  });
});

describe('generateDataPoints', () => {
  it('covers every category and both booleans', () => {
    const points = generateDataPoints(500, 4);
    expect(new Set(points.map((p) => p.hitpoint))).toEqual(new Set(['B', 'F', 'U', 'V']));
    expect(new Set(points.map((p) => p['same.side']))).toEqual(new Set([true, false]));
  });
});

describe('point schema and checkPoint (derived from the contract)', () => {
  it('lists every input column as required, none extra', () => {
    const schema = pointSchema();
    expect(schema.required).toEqual(inputNames);
    expect(schema.additionalProperties).toBe(false);
    expect((schema.properties as Record<string, unknown>).hitpoint).toEqual({
      type: 'string',
      enum: ['B', 'F', 'U', 'V'],
      description: 'How the last shot was struck: F forehand, B backhand, V volley, U unknown.',
      example: 'B',
    });
    expect((schema.properties as Record<string, { description: string }>).speed.description).toBe('Speed of the ball on the last shot. Unit: m/s.');
    expect((schema.properties as Record<string, unknown>).serve).toMatchObject({ type: 'integer', minimum: 1, maximum: 2 });
  });
  it('names the point index and the field in one sentence', () => {
    const [point] = sampleDataPoints(1, 5);
    expect(checkPoint({ ...point, speed: 'fast' }, 3)).toMatch(/^Point 3 field "speed" is "fast"; it must be a finite number in \[0, 120\]\.$/);
    const { depth: _dropped, ...missing } = point;
    expect(checkPoint(missing, 0)).toBe('Point 0 is missing field "depth".');
    expect(checkPoint({ ...point, spin: 1 }, 1)).toBe('Point 1 has unknown field "spin".');
    expect(checkPoint({ ...point, hitpoint: null }, 2)).toMatch(/field "hitpoint" is null/);
    expect(checkPoint({ ...point, 'same.side': 'True' }, 2)).toMatch(/must be True or False/);
    expect(checkPoint({ ...point, serve: 1.5 }, 2)).toMatch(/field "serve"/);
    expect(checkPoint([point], 4)).toBe('Point 4 must be an object.');
    expect(CONTRACT.columns).toHaveLength(26);
  });
});
