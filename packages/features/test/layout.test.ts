// @module-tag unit
/**
 * Where each feature writes in the shared row-major matrix (issue 15): row r's outputs at
 * out[r * stride + offset + j], checked on every row against a direct computation, with a stride
 * and an offset that are not 1 and 0 (a union of features always has them).
 */
import { cellAt } from '../src/coded-column.ts';
import { describe, expect, it } from 'vitest';
import { expectRallyError } from '@rally/testkit';
import {
  ColumnExtractor,
  DistanceTravelledRatio,
  type FeatureTransformer,
  FeatureUnion,
  OneHotDropFirst,
  Out,
  type RowBatch,
  selectRows,
  selectValues,
  WeirdNetClearance,
} from '../src/index.ts';

const ROWS = 7;
const STRIDE = 5;
const OFFSET = 2;

const batch: RowBatch = {
  rows: ROWS,
  columns: {
    speed: [10, 20.5, 0, 33.25, 41, 5, 60],
    'net.clearance': [-0.947, 0.3, -0.9465, -0.95, 1, -0.9471, -0.946],
    hitpoint: ['B', 'F', 'U', 'V', 'F', 'B', 'V'],
    'outside.sideline': [false, true, false, true, false, false, true],
    'outside.baseline': [false, false, true, true, false, true, false],
    'player.distance.travelled': [5, 0, 10, 2, 7, 1, 3],
    'player.distance.from.center': [0, 1, 0, 2, 3, 1, 0],
    'player.depth': [0, 1, 0, 2, 4, 1, 0],
    'player.impact.distance.from.center': [3, 1, 6, 2, 0, 1, 1],
    'player.impact.depth': [4, 1, 8, 2, 0, 1, 1],
  },
};

const num = (name: string, r: number) => cellAt(batch.columns[name], r) as number;

/** Runs a fitted feature into a NaN-filled matrix of STRIDE columns at OFFSET; returns the matrix. */
function place(feature: FeatureTransformer): Float64Array {
  feature.fit(batch);
  const out = new Float64Array(ROWS * STRIDE).fill(Number.NaN);
  feature.transformInto(batch, out, STRIDE, OFFSET);
  return out;
}

/** Checks every row: the feature's cells hold `expected(r)`, every other cell is untouched. */
function expectPlaced(out: Float64Array, width: number, expected: (r: number) => number[]): void {
  for (let r = 0; r < ROWS; r += 1) {
    const row = Array.from(out.subarray(r * STRIDE, (r + 1) * STRIDE));
    const want = [...Array(OFFSET).fill(Number.NaN), ...expected(r), ...Array(STRIDE - OFFSET - width).fill(Number.NaN)];
    expect(row, `row ${r}`).toEqual(want);
  }
}

describe('each feature writes every row at r * stride + offset', () => {
  it('a column extractor', () => {
    expectPlaced(place(new ColumnExtractor('speed')), 1, (r) => [num('speed', r)]);
  });

  it('the hitpoint one-hot (B dropped)', () => {
    expectPlaced(place(new OneHotDropFirst('hitpoint')), 3, (r) => ['F', 'U', 'V'].map((c) => (cellAt(batch.columns.hitpoint, r) === c ? 1 : 0)));
  });

  it('out', () => {
    expectPlaced(place(new Out()), 1, (r) => [cellAt(batch.columns['outside.sideline'], r) || cellAt(batch.columns['outside.baseline'], r) ? 1 : 0]);
  });

  it('weird net clearance', () => {
    expectPlaced(place(new WeirdNetClearance()), 1, (r) => [num('net.clearance', r) > -0.948 && num('net.clearance', r) < -0.946 ? 1 : 0]);
  });

  it('distance travelled ratio', () => {
    const ratio = (r: number) => {
      const run = num('player.distance.travelled', r);
      const dx = num('player.distance.from.center', r) - num('player.impact.distance.from.center', r);
      const dy = num('player.depth', r) - num('player.impact.depth', r);
      const straight = Math.hypot(dx, dy);
      return run === 0 ? 1 : straight === 0 ? DistanceTravelledRatio.MAX : run / straight;
    };
    const out = place(new DistanceTravelledRatio());
    expectPlaced(out, 1, (r) => [ratio(r)]);
    // The batch has a 3-4-5 run, a standstill, a straight 6-8-10 run and a run ending where it began.
    expect([0, 1, 2, 5].map((r) => out[r * STRIDE + OFFSET])).toEqual([1, 1, 1, DistanceTravelledRatio.MAX]);
  });
});

describe('feature union layout', () => {
  it('places the features side by side, each at its offset, on every row', () => {
    const union = FeatureUnion.fromStore(['hitpoint', 'speed', 'out']);
    const matrix = union.fitTransform(batch);
    expect(matrix.columns).toEqual(['hitpoint=F', 'hitpoint=U', 'hitpoint=V', 'speed', 'out']);
    expect([matrix.rows, matrix.cols]).toEqual([ROWS, 5]);
    for (let r = 0; r < ROWS; r += 1) {
      const h = cellAt(batch.columns.hitpoint, r);
      const out = cellAt(batch.columns['outside.sideline'], r) || cellAt(batch.columns['outside.baseline'], r) ? 1 : 0;
      expect(Array.from(matrix.data.subarray(r * 5, r * 5 + 5)), `row ${r}`).toEqual([h === 'F' ? 1 : 0, h === 'U' ? 1 : 0, h === 'V' ? 1 : 0, num('speed', r), out]);
    }
  });

  it('recomputes its layout after a new fit learns other categories', () => {
    const union = FeatureUnion.fromStore(['hitpoint', 'speed']);
    union.fit({ rows: 2, columns: { hitpoint: ['B', 'F'], speed: [1, 2] } });
    expect(union.featureNames()).toEqual(['hitpoint=F', 'speed']);
    union.fit(batch);
    expect(union.featureNames()).toEqual(['hitpoint=F', 'hitpoint=U', 'hitpoint=V', 'speed']);
    expect(union.transform(batch).cols).toBe(4);
  });

  it('lists the raw columns it reads, each once', () => {
    const union = FeatureUnion.fromStore(['speed', 'out', 'distance.travelled.ratio', 'hitpoint']);
    expect(union.inputColumns).toEqual([
      'speed',
      'outside.sideline',
      'outside.baseline',
      'player.distance.travelled',
      'player.distance.from.center',
      'player.depth',
      'player.impact.distance.from.center',
      'player.impact.depth',
      'hitpoint',
    ]);
    expect(new FeatureUnion([['a', new ColumnExtractor('speed')], ['b', new ColumnExtractor('speed')]]).inputColumns).toEqual(['speed']);
  });

  it('refuses to load anything but a saved union', async () => {
    for (const json of [null, undefined, 'rally.FeatureUnion', { kind: 'rally.FeatureUnion', formatVersion: 1, features: {} }]) {
      const error = await expectRallyError(() => FeatureUnion.fromJSON(json), 'MODEL_FORMAT');
      expect(error.message).toBe('Not a saved rally.FeatureUnion of format version 1.');
    }
  });

  it('is fitted only when all its features are', () => {
    const union = FeatureUnion.fromStore(['speed', 'hitpoint']);
    expect(union.fitted).toBe(false);
    union.fit(batch);
    expect(union.fitted).toBe(true);
    expect(FeatureUnion.fromStore(['speed']).fitted).toBe(true);
  });

  it('names the unknown feature and the known ones', async () => {
    const error = await expectRallyError(() => FeatureUnion.fromStore(['spin']), 'FEATURE_BAD_INPUT');
    expect(error.message).toMatch(/^No feature "spin" in the feature store; known: speed, net\.clearance, .*, distance\.travelled\.ratio\.$/);
  });
});

describe('transformer input checks', () => {
  it('refuses a column whose length is not the batch row count', async () => {
    const error = await expectRallyError(() => new ColumnExtractor('speed').transformInto({ rows: 3, columns: { speed: [1, 2] } }, new Float64Array(3), 1, 0), 'FEATURE_BAD_INPUT');
    expect(error.message).toBe('Column "speed" has 2 values for 3 rows.');
  });

  it('names the row and the value that is not a number or a boolean', async () => {
    const numbers = await expectRallyError(() => new ColumnExtractor('speed').transformInto({ rows: 3, columns: { speed: [1, 2, null as unknown as number] } }, new Float64Array(3), 1, 0), 'FEATURE_BAD_INPUT');
    expect(numbers.message).toBe('Column "speed" row 2 is null, expected a number.');
    const booleans = await expectRallyError(
      () => new Out().transformInto({ rows: 2, columns: { 'outside.sideline': [false, false], 'outside.baseline': [true, 1] } }, new Float64Array(2), 1, 0),
      'FEATURE_BAD_INPUT',
    );
    expect(booleans.message).toBe('Column "outside.baseline" row 1 is 1, expected a boolean.');
    const sideline = await expectRallyError(
      () => new Out().transformInto({ rows: 1, columns: { 'outside.sideline': ['True'], 'outside.baseline': [true] } }, new Float64Array(1), 1, 0),
      'FEATURE_BAD_INPUT',
    );
    expect(sideline.message).toBe('Column "outside.sideline" row 0 is "True", expected a boolean.');
    const clearance = await expectRallyError(() => new WeirdNetClearance().transformInto({ rows: 1, columns: { 'net.clearance': ['low'] } }, new Float64Array(1), 1, 0), 'FEATURE_BAD_INPUT');
    expect(clearance.message).toBe('Column "net.clearance" row 0 is "low", expected a number.');
    const missing = await expectRallyError(() => new ColumnExtractor('speed').transformInto({ rows: 1, columns: { speed: [undefined as unknown as number] } }, new Float64Array(1), 1, 0), 'FEATURE_BAD_INPUT');
    expect(missing.message).toBe('Column "speed" row 0 is undefined, expected a number.');
  });

  it('the one-hot encoding refuses to fit on zero rows and to load a bad state', async () => {
    const empty = await expectRallyError(() => new OneHotDropFirst('hitpoint').fit({ rows: 0, columns: { hitpoint: [] } }), 'FEATURE_BAD_INPUT');
    expect(empty.message).toBe('Cannot fit the "hitpoint" encoding on zero rows.');
    for (const state of [null, {}, { categories: [] }, { categories: ['B', 1] }, { categories: 'B' }]) {
      await expectRallyError(() => new OneHotDropFirst('hitpoint').setState(state), 'MODEL_FORMAT');
    }
    const restored = new OneHotDropFirst('hitpoint');
    restored.setState({ categories: ['B', 'F'] });
    expect(restored.fitted).toBe(true);
    expect(restored.outputNames()).toEqual(['hitpoint=F']);
    expect(restored.getState()).toEqual({ categories: ['B', 'F'] });
    const error = await expectRallyError(() => new OneHotDropFirst('hitpoint').getState(), 'FEATURE_NOT_FITTED');
    expect(error.message).toBe('The "hitpoint" one-hot encoding is not fitted; call fit first.');
  });

  it('stateless features have null state and are always fitted', () => {
    for (const feature of [new Out(), new WeirdNetClearance(), new ColumnExtractor('speed'), new DistanceTravelledRatio()]) {
      expect(feature.fitted).toBe(true);
      expect(feature.getState()).toBeNull();
    }
  });
});

describe('selecting rows', () => {
  it('picks rows and values in the order given, repeats allowed', () => {
    const picked = selectRows(batch, [6, 0, 0]);
    expect(picked.rows).toBe(3);
    expect(picked.columns.speed).toEqual([60, 10, 10]);
    expect(picked.columns.hitpoint).toEqual(['V', 'B', 'B']);
    expect(Object.keys(picked.columns)).toEqual(Object.keys(batch.columns));
    expect(selectValues(['a', 'b', 'c'], Int32Array.from([2, 1]))).toEqual(['c', 'b']);
    expect(selectRows(batch, []).rows).toBe(0);
  });

  it('keeps a lean number column (Float64Array) lean, and other columns arrays', () => {
    const lean = { ...batch, columns: { ...batch.columns, speed: Float64Array.from(batch.columns.speed as ArrayLike<number>) } };
    const picked = selectRows(lean, [6, 0]);
    expect(picked.columns.speed).toEqual(Float64Array.from([60, 10]));
    expect(Array.isArray(picked.columns.hitpoint)).toBe(true);
  });
});
