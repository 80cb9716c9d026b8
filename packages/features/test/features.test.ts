// @module-tag unit
import { describe, expect, it } from 'vitest';
import {
  ColumnExtractor,
  DistanceTravelledRatio,
  type FeatureTransformer,
  OneHotDropFirst,
  Out,
  type RowBatch,
  WeirdNetClearance,
} from '../src/index.ts';

/** Runs one transformer on a small batch and returns its output rows. */
function run(feature: FeatureTransformer, columns: RowBatch['columns'], fitOn?: RowBatch['columns']): number[][] {
  const rows = Object.values(columns)[0].length;
  const batch = { rows, columns };
  if (fitOn) feature.fit({ rows: Object.values(fitOn)[0].length, columns: fitOn });
  const width = feature.outputNames().length;
  const out = new Float64Array(rows * width);
  feature.transformInto(batch, out, width, 0);
  return Array.from({ length: rows }, (_, r) => Array.from(out.subarray(r * width, (r + 1) * width)));
}

describe('column extractors', () => {
  it('copy the raw column unchanged', () => {
    expect(run(new ColumnExtractor('speed'), { speed: [35.51504197, 0, 60.4] })).toEqual([[35.51504197], [0], [60.4]]);
  });
  it('refuse a missing column and a non-numeric value', () => {
    expect(() => run(new ColumnExtractor('speed'), { depth: [1] })).toThrow(/no column "speed"/);
    expect(() => run(new ColumnExtractor('speed'), { speed: ['fast'] })).toThrow(/"fast", expected a number/);
  });
});

describe('hitpoint one-hot (first category dropped)', () => {
  const train = { hitpoint: ['F', 'B', 'V', 'U', 'F'] };
  it('learns sorted categories at fit and drops the first (B)', () => {
    const feature = new OneHotDropFirst('hitpoint');
    expect(run(feature, { hitpoint: ['B', 'F', 'U', 'V'] }, train)).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(feature.outputNames()).toEqual(['hitpoint=F', 'hitpoint=U', 'hitpoint=V']);
  });
  it('learns only from the training rows', () => {
    const feature = new OneHotDropFirst('hitpoint');
    feature.fit({ rows: 2, columns: { hitpoint: ['U', 'F'] } });
    expect(feature.outputNames()).toEqual(['hitpoint=U']);
  });
  it("encodes a category unseen at fit as all zeros (scikit-learn's handle_unknown='ignore')", () => {
    const feature = new OneHotDropFirst('hitpoint');
    feature.fit({ rows: 3, columns: { hitpoint: ['B', 'F', 'U'] } });
    const out = new Float64Array(3 * 2).fill(7);
    feature.transformInto({ rows: 3, columns: { hitpoint: ['V', 'F', 'U'] } }, out, 2, 0);
    expect(Array.from(out)).toEqual([0, 0, 1, 0, 0, 1]);
  });
  it('refuses to transform before fit', () => {
    expect(() => new OneHotDropFirst('hitpoint').outputNames()).toThrow(/not fitted/);
  });
});

describe('out', () => {
  it('is outside.sideline OR outside.baseline', () => {
    const columns = { 'outside.sideline': [false, true, false, true], 'outside.baseline': [false, false, true, true] };
    expect(run(new Out(), columns)).toEqual([[0], [1], [1], [1]]);
  });
  it('refuses text booleans', () => {
    expect(() => run(new Out(), { 'outside.sideline': ['True'], 'outside.baseline': [false] })).toThrow(/expected a boolean/);
  });
});

describe('weird.net.clearance', () => {
  it('flags -0.948 < net.clearance < -0.946, bounds excluded', () => {
    const values = [-0.947, -0.9465, -0.948, -0.946, -0.9479999, 0, -0.95];
    expect(run(new WeirdNetClearance(), { 'net.clearance': values }).flat()).toEqual([1, 1, 0, 0, 1, 0, 0]);
  });
});

describe('distance.travelled.ratio', () => {
  const point = (travelled: number, x1: number, y1: number, x2: number, y2: number) => ({
    'player.distance.travelled': [travelled],
    'player.distance.from.center': [x1],
    'player.depth': [y1],
    'player.impact.distance.from.center': [x2],
    'player.impact.depth': [y2],
  });
  it('divides the distance run by the straight-line distance (3-4-5 triangle)', () => {
    expect(run(new DistanceTravelledRatio(), point(10, 0, 0, 3, 4))).toEqual([[2]]);
  });
  it('is 1 for a straight run', () => {
    expect(run(new DistanceTravelledRatio(), point(5, 1, 1, 4, 5))[0][0]).toBeCloseTo(1, 15);
  });
  it('is 1 when the player did not move (distance travelled 0), even at zero straight-line distance', () => {
    expect(run(new DistanceTravelledRatio(), point(0, 2, 3, 2, 3))).toEqual([[1]]);
    expect(run(new DistanceTravelledRatio(), point(0, 0, 0, 3, 4))).toEqual([[1]]);
  });
  it('is capped (finite) when the player ran but ended where they started', () => {
    expect(run(new DistanceTravelledRatio(), point(2.5, 1, 1, 1, 1))).toEqual([[DistanceTravelledRatio.MAX]]);
  });
  it('matches a ground-truth row computed by hand', () => {
    // First data row: travelled 1.467570101, (0.233, 13.6704) -> (1.1448, 14.1758).
    const expected = 1.467570101 / Math.sqrt((1.1448 - 0.233) ** 2 + (14.1758 - 13.6704) ** 2);
    expect(run(new DistanceTravelledRatio(), point(1.467570101, 0.233, 13.6704, 1.1448, 14.1758))[0][0]).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(1.40774, 4);
  });
});
