// @module-tag unit
import { describe, expect, it } from 'vitest';
import { ColumnExtractor, DEFAULT_FEATURES, FEATURE_STORE, FeatureUnion, GROUND_TRUTH_PATH, pointsToBatch, sampleDataPoints } from '../src/index.ts';
import { loadDataset } from '../src/dataset.ts';

const batch = loadDataset(GROUND_TRUTH_PATH).batch;
const EXPECTED_NAMES = [
  'speed',
  'net.clearance',
  'distance.from.sideline',
  'depth',
  'player.distance.travelled',
  'player.impact.depth',
  'previous.distance.from.sideline',
  'previous.time.to.net',
  'hitpoint=F',
  'hitpoint=U',
  'hitpoint=V',
  'out',
  'weird.net.clearance',
  'distance.travelled.ratio',
];

describe('feature store', () => {
  it('lists the original app’s 12 named features, in order', () => {
    expect(DEFAULT_FEATURES).toEqual([
      'speed', 'net.clearance', 'distance.from.sideline', 'depth', 'player.distance.travelled', 'player.impact.depth',
      'previous.distance.from.sideline', 'previous.time.to.net', 'hitpoint', 'out', 'weird.net.clearance', 'distance.travelled.ratio',
    ]);
    expect(FEATURE_STORE.size).toBe(12);
  });
  it('refuses an unknown feature name', () => {
    expect(() => FeatureUnion.fromStore(['speed', 'spin'])).toThrow(/No feature "spin"/);
  });
});

describe('feature union', () => {
  it('turns the ground truth into a 5000 x 14 Float64Array with feature names', () => {
    const matrix = FeatureUnion.fromStore().fitTransform(batch);
    expect(matrix.data).toBeInstanceOf(Float64Array);
    expect([matrix.rows, matrix.cols]).toEqual([5000, 14]);
    expect(matrix.columns).toEqual(EXPECTED_NAMES);
    expect(matrix.data.every(Number.isFinite)).toBe(true);
    // First ground-truth row, by hand: speed, hitpoint B -> no one-hot, not out, not weird.
    expect(Array.from(matrix.data.subarray(0, 14)).map((v) => Number(v.toFixed(6)))).toEqual([
      35.515042, -0.021725, 3.474766, 6.797621, 1.46757, 14.1758, 2.449182, 0.445318, 0, 0, 0, 0, 0, 1.40774,
    ]);
    // Outputs match the raw columns they come from.
    const weird = (batch.columns['net.clearance'] as number[]).filter((x) => x > -0.948 && x < -0.946).length;
    let flagged = 0;
    for (let r = 0; r < matrix.rows; r += 1) flagged += matrix.data[r * 14 + 12];
    expect(flagged).toBe(weird);
  });

  it('rejects duplicate names', () => {
    expect(() => new FeatureUnion([['a', new ColumnExtractor('speed')], ['a', new ColumnExtractor('depth')]])).toThrow(/"a" appears twice/);
  });

  it('refuses to transform or save before fit', () => {
    const union = FeatureUnion.fromStore();
    expect(() => union.transform(batch)).toThrow(/"hitpoint" is not fitted/);
    expect(() => union.toJSON()).toThrow(/not fitted/);
  });

  it('is pure at transform time: same input, same output, input untouched', () => {
    const union = FeatureUnion.fromStore().fit(batch);
    const points = sampleDataPoints(50, 3);
    const before = JSON.stringify(points);
    const first = union.transform(pointsToBatch(points, union.inputColumns));
    const second = union.transform(pointsToBatch(points, union.inputColumns));
    expect(second.data).toEqual(first.data);
    expect(JSON.stringify(points)).toBe(before);
    expect(JSON.stringify(union.toJSON())).toBe(JSON.stringify(FeatureUnion.fromStore().fit(batch).toJSON()));
  });

  it('transforms a category the training rows lacked (all its one-hot columns 0) instead of refusing the point', () => {
    const union = FeatureUnion.fromStore().fit(batch);
    const [point] = sampleDataPoints(1, 1);
    const names = union.featureNames();
    const X = union.transform(pointsToBatch([{ ...point, hitpoint: 'S' }], union.inputColumns));
    for (const [j, name] of names.entries()) if (name.startsWith('hitpoint=')) expect(X.data[j]).toBe(0);
  });

  it('serializes its fitted state and travels: a reloaded union transforms identically', () => {
    const union = FeatureUnion.fromStore().fit(batch);
    const saved = JSON.parse(JSON.stringify(union.toJSON()));
    expect(saved).toMatchObject({ kind: 'rally.FeatureUnion', formatVersion: 1 });
    const reloaded = FeatureUnion.fromJSON(saved);
    expect(reloaded.transform(batch).data).toEqual(union.transform(batch).data);
    expect(reloaded.featureNames()).toEqual(EXPECTED_NAMES);
  });

  it('refuses a saved union of another kind or version', () => {
    expect(() => FeatureUnion.fromJSON({ kind: 'sklearn.FeatureUnion', formatVersion: 1, features: [] })).toThrow(/Not a saved rally.FeatureUnion/);
    expect(() => FeatureUnion.fromJSON({ kind: 'rally.FeatureUnion', formatVersion: 2, features: [] })).toThrow(/format version 1/);
    expect(() => FeatureUnion.fromJSON({ kind: 'rally.FeatureUnion', formatVersion: 1, features: [{ name: 'hitpoint', state: {} }] })).toThrow(/category list/);
  });
});
