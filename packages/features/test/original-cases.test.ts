// @module-tag unit
/**
 * The original course's feature tests, one by one, as named cases (issue 15): each column
 * extractor, each feature's fit/transform/shape, the hitpoint encoding's width, `out` and the
 * distance ratio (also with missing columns), the weird net clearance band, and the feed parser's
 * 16 shapes (rally's pointsToBatch). Every case runs on rally's own transformers; the ground truth
 * is the training data, and every row of it is checked, not row 0 alone.
 */
import { cellAt } from '../src/coded-column.ts';
import type { CellValue } from '../src/cells.ts';
import { describe, expect, it } from 'vitest';
import { expectRallyError } from '@rally/testkit';
import {
  ColumnExtractor,
  DEFAULT_FEATURES,
  DistanceTravelledRatio,
  FEATURE_STORE,
  FeatureUnion,
  type FeatureTransformer,
  GROUND_TRUTH_PATH,
  OneHotDropFirst,
  Out,
  pointsToBatch,
  Random,
  type RowBatch,
  validateCsvFile,
  WeirdNetClearance,
} from '../src/index.ts';

const GROUND_TRUTH: RowBatch = (() => {
  const { data } = validateCsvFile(GROUND_TRUTH_PATH);
  return { rows: data.rows, columns: data.columns as RowBatch['columns'] };
})();

/** A transformer's output for `batch` as rows (fitting first on `fitOn`, default the batch itself). */
function fitTransform(feature: FeatureTransformer, batch: RowBatch, fitOn: RowBatch = batch): number[][] {
  feature.fit(fitOn);
  const width = feature.outputNames().length;
  const out = new Float64Array(batch.rows * width).fill(Number.NaN);
  feature.transformInto(batch, out, width, 0);
  return Array.from({ length: batch.rows }, (_, r) => Array.from(out.subarray(r * width, (r + 1) * width)));
}

const batchOf = (columns: Record<string, RowBatch['columns'][string]>): RowBatch => ({ rows: Object.values(columns)[0].length, columns });
const without = (batch: RowBatch, name: string): RowBatch => ({ rows: batch.rows, columns: Object.fromEntries(Object.entries(batch.columns).filter(([key]) => key !== name)) });

describe('every feature of the store (the original: TestFeaturesBase, TestFeaturesUsage)', () => {
  const features = [...FEATURE_STORE.keys()];
  it('the store holds the original 12 features, in its order', () => {
    expect(features).toEqual(DEFAULT_FEATURES);
    expect(features).toHaveLength(12);
  });

  describe.each(features)('%s', (name) => {
    const make = FEATURE_STORE.get(name)!;
    it('has fit and transform, and reads only columns the data has', () => {
      const feature = make();
      expect(typeof feature.fit).toBe('function');
      expect(typeof feature.transformInto).toBe('function');
      expect(feature.inputColumns.length).toBeGreaterThan(0);
      for (const name of feature.inputColumns) expect(GROUND_TRUTH.columns).toHaveProperty([name]);
    });
    it('can be fitted on the ground truth', () => {
      const feature = make();
      feature.fit(GROUND_TRUTH);
      expect(feature.fitted).toBe(true);
    });
    it('can be transformed after fitting: every cell written, finite', () => {
      const rows = fitTransform(make(), GROUND_TRUTH);
      expect(rows.flat().every(Number.isFinite)).toBe(true);
    });
    it('gives a matrix: one row per input row, as many columns as output names', () => {
      const feature = make();
      const rows = fitTransform(feature, GROUND_TRUTH);
      expect(rows).toHaveLength(GROUND_TRUTH.rows);
      for (const row of rows) expect(row).toHaveLength(feature.outputNames().length);
    });
    it('preserves the number of rows of a smaller batch, and transforms it as the whole would', () => {
      const feature = make();
      const whole = fitTransform(feature, GROUND_TRUTH);
      const some = [7, 1234, 4999];
      const batch: RowBatch = { rows: some.length, columns: Object.fromEntries(Object.entries(GROUND_TRUTH.columns).map(([key, values]) => [key, some.map((r) => cellAt(values, r) as CellValue)])) };
      expect(fitTransform(feature, batch, GROUND_TRUTH)).toEqual(some.map((r) => whole[r]));
    });
  });
});

describe('column extractors (the original: TestColumnExtractors)', () => {
  const extracted = ['speed', 'net.clearance', 'distance.from.sideline', 'depth', 'player.distance.travelled', 'player.impact.depth', 'previous.distance.from.sideline', 'previous.time.to.net'];
  describe.each(extracted)('%s', (name) => {
    it('returns only one column, named after it', () => {
      const feature = FEATURE_STORE.get(name)!();
      expect(feature).toBeInstanceOf(ColumnExtractor);
      feature.fit(GROUND_TRUTH);
      expect(feature.outputNames()).toEqual([name]);
    });
    it('is the identity on every row of the ground truth', () => {
      expect(fitTransform(FEATURE_STORE.get(name)!(), GROUND_TRUTH).map(([value]) => value)).toEqual(Array.from(GROUND_TRUTH.columns[name]));
    });
    it('fails if its column is missing', async () => {
      const feature = FEATURE_STORE.get(name)!();
      feature.fit(GROUND_TRUTH);
      const error = await expectRallyError(() => fitTransform(feature, without(GROUND_TRUTH, name), GROUND_TRUTH), 'FEATURE_BAD_INPUT');
      expect(error.message).toBe(`Input rows have no column "${name}".`);
    });
  });
});

describe('hitpoint (the original: TestHitpoint)', () => {
  const fitted = batchOf({ hitpoint: ['F', 'B', 'V', 'U', 'F'] });
  it('has 3 columns after fit on the four categories (the first dropped)', () => {
    expect(fitTransform(new OneHotDropFirst('hitpoint'), fitted)[0]).toHaveLength(3);
  });
  it.each([[['F']], [['F', 'B']], [['F', 'B', 'V']], [['F', 'B', 'V', 'U']], [['F', 'B', 'V', 'U', 'F']]])('keeps 3 columns when transforming %j', (values) => {
    const rows = fitTransform(new OneHotDropFirst('hitpoint'), batchOf({ hitpoint: values }), fitted);
    expect(rows).toHaveLength(values.length);
    for (const [i, row] of rows.entries()) {
      expect(row).toHaveLength(3);
      // B is the dropped first category: all zeros; the others a single 1 in their own column.
      expect(row).toEqual(['F', 'U', 'V'].map((category) => (category === values[i] ? 1 : 0)));
    }
  });
});

describe('out (the original: TestOut)', () => {
  it.each([
    [true, true, 1],
    [true, false, 1],
    [false, true, 1],
    [false, false, 0],
  ])('outside.baseline %s, outside.sideline %s: %i', (baseline, sideline, expected) => {
    expect(fitTransform(new Out(), batchOf({ 'outside.baseline': [baseline], 'outside.sideline': [sideline] }))).toEqual([[expected]]);
  });
  it.each(['outside.baseline', 'outside.sideline', 'random_column_name'])('fails when only %s is there', async (name) => {
    await expectRallyError(() => fitTransform(new Out(), batchOf({ [name]: [true] })), 'FEATURE_BAD_INPUT');
  });
});

describe('weird net clearance (the original: test_weird_net_clearance)', () => {
  // Only values strictly between -0.948 and -0.946 are the tracking system's sentinel.
  it.each([
    [0.947, 0],
    [0.5, 0],
    [0, 0],
    [-0.5, 0],
    [-0.946, 0],
    [-0.947, 1],
    [-0.948, 0],
    [-0.99, 0],
  ])('net.clearance %f: %i', (value, expected) => {
    expect(fitTransform(new WeirdNetClearance(), batchOf({ 'net.clearance': [value] }))).toEqual([[expected]]);
  });
});

describe('distance travelled ratio (the original: TestDistanceTravelledRatio)', () => {
  const batch = (x1: number, y1: number, x2: number, y2: number, travelled: number) =>
    batchOf({
      'player.distance.from.center': [x1],
      'player.depth': [y1],
      'player.impact.distance.from.center': [x2],
      'player.impact.depth': [y2],
      'player.distance.travelled': [travelled],
    });
  it.each([
    [0, 0],
    [0, 5],
    [3, 0],
    [4, 4],
  ])('no flight at (%i, %i) and no distance run: 1, not NaN', (x, y) => {
    expect(fitTransform(new DistanceTravelledRatio(), batch(x, y, x, y, 0))).toEqual([[1]]);
  });
  it.each([
    [1, 0, 0, 0, 1, 1],
    [1, 0, 0, 0, 2, 2],
    [0, 1, 0, 0, 1, 1],
    [0, 1, 0, 0, 2, 2],
    [0, 0, 1, 0, 1, 1],
    [0, 0, 1, 0, 2, 2],
    [0, 0, 0, 1, 1, 1],
    [0, 0, 0, 1, 2, 2],
    [1, 1, 1, 1, 0, 1],
    [0, 0, 3, 4, 5, 1],
    [3, 4, 0, 0, 5, 1],
    [4, 6, 1, 2, 10, 2],
  ])('from (%i, %i) to (%i, %i), %i run: %i', (x1, y1, x2, y2, travelled, expected) => {
    expect(fitTransform(new DistanceTravelledRatio(), batch(x1, y1, x2, y2, travelled))).toEqual([[expected]]);
  });
  it.each(['player.distance.from.center', 'player.depth', 'player.impact.distance.from.center', 'player.impact.depth', 'player.distance.travelled'])('fails when %s is missing', async (name) => {
    await expectRallyError(() => fitTransform(new DistanceTravelledRatio(), without(batch(0, 0, 3, 4, 5), name)), 'FEATURE_BAD_INPUT');
  });
});

describe('the feed parser (the original: test_feed_parser): points to a batch of named columns', () => {
  const shapes = [1, 10, 100, 1000].flatMap((observations) => [5, 10, 20, 50].map((keys) => [observations, keys] as const));
  it.each(shapes)('%i observations of %i keys', (observations, keyCount) => {
    const random = new Random(observations * 100 + keyCount);
    const keys = Array.from({ length: keyCount }, (_, i) => `key_${i}`);
    const points = Array.from({ length: observations }, () => Object.fromEntries(keys.map((key) => [key, random.nextFloat()])));
    const batch = pointsToBatch(points, keys);
    expect(batch.rows).toBe(observations);
    expect(Object.keys(batch.columns)).toEqual(keys);
    for (const key of keys) expect(Array.from(batch.columns[key])).toEqual(points.map((point) => point[key]));
  });
});

it('the feature union of the original gives 14 named columns on the ground truth', () => {
  const matrix = FeatureUnion.fromStore().fitTransform(GROUND_TRUTH);
  expect(matrix.columns).toHaveLength(14);
  expect(matrix.rows).toBe(GROUND_TRUTH.rows);
});
