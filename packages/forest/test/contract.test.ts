// @module-tag unit
/**
 * Estimator contract, in the spirit of scikit-learn's check_estimator: what any rally classifier
 * must do, run against a few configurations of RandomForestClassifier.
 */
import { isRallyError } from '@rally/errors';
import { describe, expect, test } from 'vitest';

import { RandomForestClassifier, type Matrix, type RandomForestParams } from '../src/index.ts';
import { blobs, matrix } from './helpers/data.ts';

const configurations: [string, Partial<RandomForestParams>][] = [
  ['defaults (small)', { nEstimators: 10 }],
  ['no bootstrap, all features', { nEstimators: 4, bootstrap: false, maxFeatures: 'all' }],
  ['shallow, fractional features', { nEstimators: 6, maxDepth: 2, maxFeatures: 0.5, minSamplesLeaf: 3 }],
  ['unlimited depth, log2', { nEstimators: 6, maxDepth: Infinity, maxFeatures: 'log2', seed: 123 }],
  ['leaf prior (rally train defaults in small)', { nEstimators: 8, maxDepth: 12, maxFeatures: 0.75, minSamplesLeaf: 8, leafPrior: 0.05 }],
];

const { X, y } = blobs(9, 150, 5);
const probe = blobs(10, 40, 5).X;

describe.each(configurations)('estimator contract: %s', (_name, params) => {
  const make = () => new RandomForestClassifier(params);

  test('constructor stores params with defaults, frozen, and validates nothing', () => {
    const forest = make();
    for (const [key, value] of Object.entries(params)) expect(forest.params[key as keyof RandomForestParams]).toEqual(value);
    expect(Object.isFrozen(forest.params)).toBe(true);
    expect(() => new RandomForestClassifier({ ...params, nEstimators: -3 })).not.toThrow();
  });

  test('fit resolves to the estimator itself', async () => {
    const forest = make();
    await expect(forest.fit(X, y)).resolves.toBe(forest);
  });

  test('fit does not modify its inputs', async () => {
    const data = X.data.slice();
    const labels = [...y];
    await make().fit(X, y);
    expect(X.data).toEqual(data);
    expect(y).toEqual(labels);
  });

  test('classes: sorted unique labels; predictProba: rows x classes, in [0, 1], rows sum to 1', async () => {
    const forest = await make().fit(X, y);
    expect(forest.classes).toEqual([...new Set(y)].sort());
    const proba = forest.predictProba(probe);
    expect(proba).toBeInstanceOf(Float64Array);
    expect(proba).toHaveLength(probe.rows * forest.classes.length);
    const k = forest.classes.length;
    for (let r = 0; r < probe.rows; r++) {
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const p = proba[r * k + c];
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        sum += p;
      }
      expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
    }
  });

  test('predict: one known label per row, the argmax of predictProba', async () => {
    const forest = await make().fit(X, y);
    const labels = forest.predict(probe);
    const proba = forest.predictProba(probe);
    const k = forest.classes.length;
    expect(labels).toHaveLength(probe.rows);
    labels.forEach((label, r) => {
      const row = Array.from(proba.subarray(r * k, r * k + k));
      expect(label).toBe(forest.classes[row.indexOf(Math.max(...row))]);
    });
  });

  test('single-row and empty predictions', async () => {
    const forest = await make().fit(X, y);
    const one: Matrix = { data: probe.data.slice(0, 5), rows: 1, cols: 5 };
    expect(forest.predictProba(one)).toEqual(forest.predictProba(probe).slice(0, forest.classes.length));
    expect(forest.predict({ data: new Float64Array(0), rows: 0, cols: 5 })).toEqual([]);
  });

  test('deterministic: same seed, same model, in this thread or in worker threads', async () => {
    const a = JSON.stringify(await make().fit(X, y, { workers: 0 }));
    const b = JSON.stringify(await make().fit(X, y, { workers: 2 }));
    expect(a).toBe(b);
  });

  test('fits in worker threads one after another, larger then smaller then larger (the shared memory kept from the one before, holding its rows), grow the models this thread grows', async () => {
    const shapes = [X.rows, Math.floor(X.rows / 2), X.rows];
    for (const [i, rows] of shapes.entries()) {
      const part: Matrix = { data: X.data.slice(0, rows * X.cols), rows, cols: X.cols };
      const labels = y.slice(0, rows);
      const seeded = () => new RandomForestClassifier({ ...params, seed: 11 + i });
      expect(JSON.stringify(await seeded().fit(part, labels, { workers: 2 }))).toBe(JSON.stringify(await seeded().fit(part, labels, { workers: 0 })));
    }
  });

  test('refitting replaces the model', async () => {
    const forest = await make().fit(X, y);
    await forest.fit(matrix([[0], [1], [2], [3]]), ['u', 'v', 'u', 'v']);
    expect(forest.classes).toEqual(['u', 'v']);
    expect(forest.nFeatures).toBe(1);
  });

  test('serialization round trip', async () => {
    const forest = await make().fit(X, y);
    const loaded = RandomForestClassifier.fromJSON(JSON.parse(JSON.stringify(forest)));
    expect(loaded).toBeInstanceOf(RandomForestClassifier);
    expect(Array.from(loaded.predictProba(probe))).toEqual(Array.from(forest.predictProba(probe)));
    expect(loaded.toJSON()).toEqual(forest.toJSON());
  });

  test('unfitted use raises ESTIMATOR_NOT_FITTED', () => {
    const forest = make();
    for (const use of [() => forest.predict(probe), () => forest.predictProba(probe), () => forest.classes, () => forest.toJSON()]) {
      expect(() => use()).toThrow();
      try {
        use();
      } catch (error) {
        expect(isRallyError(error, 'ESTIMATOR_NOT_FITTED')).toBe(true);
      }
    }
  });

  test('works with two rows, constant features and unusual labels', async () => {
    const forest = await make().fit(matrix([[1, 5, 0, 0, 0], [2, 5, 0, 0, 0]]), ['', 'é ünïcode']);
    expect(forest.classes).toEqual(['', 'é ünïcode']);
    expect(forest.predict(matrix([[1, 5, 0, 0, 0]]))).toHaveLength(1);
  });
});
