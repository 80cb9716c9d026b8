/**
 * The patched ml-random-forest 2.1.0 (patches/ml-random-forest@2.1.0.patch). @rally/forest builds
 * its trees with ml-cart directly (see src/tree-worker.js), but the library's own defects are fixed
 * too, and checked here.
 */
import { RandomForestClassifier } from 'ml-random-forest';
import { describe, expect, test } from 'vitest';

import { createRng as mulberry32 } from '@rally/features';

const r = mulberry32(3);
const X = Array.from({ length: 60 }, (_, i) => [i % 7, Math.round(r() * 50) / 10, Math.floor(r() * 4), i]);
const y = X.map((row) => (row[0] + (r() < 0.25 ? 1 : 0)) % 3);

interface Model {
  estimators: { root: { classify(row: number[]): { getRow(i: number): number[] } } }[];
  indexes: number[][];
  oobResults: { true: number; all: number[]; predicted: number | undefined }[];
  predictProbabilities(X: number[][]): number[][];
}
const asModel = (rf: RandomForestClassifier) => rf as unknown as Model;

describe('patched ml-random-forest', () => {
  test('predictProbability sums to 1 over the labels (upstream dropped the first tree)', () => {
    const rf = new RandomForestClassifier({ nEstimators: 10, seed: 3 });
    rf.train(X, y);
    const perLabel = [0, 1, 2].map((label) => rf.predictProbability(X, label));
    for (let i = 0; i < X.length; i++) {
      expect(Math.abs(perLabel[0][i] + perLabel[1][i] + perLabel[2][i] - 1)).toBeLessThan(1e-12);
    }
  });

  test('probabilities are the mean of the trees leaf distributions', () => {
    const rf = new RandomForestClassifier({ nEstimators: 7, seed: 5 });
    rf.train(X, y);
    const model = asModel(rf);
    const probabilities = model.predictProbabilities(X);
    X.forEach((row, i) => {
      const expected = [0, 0, 0];
      model.estimators.forEach((estimator, t) => {
        const leaf = estimator.root.classify(model.indexes[t].map((j) => row[j])).getRow(0);
        const total = leaf.reduce((a, b) => a + b, 0);
        leaf.forEach((share, c) => (expected[c] += share / total / model.estimators.length));
      });
      expect(probabilities[i]).toHaveLength(3);
      probabilities[i].forEach((p, c) => expect(p).toBeCloseTo(expected[c], 12));
    });
  });

  test('a tree whose sample lacks the last class still gives every class a probability', () => {
    // Class 2 occurs once: many bootstrap samples miss it.
    const labels = X.map((_, i) => (i === 0 ? 2 : i % 2));
    const rf = new RandomForestClassifier({ nEstimators: 5, seed: 1 });
    rf.train(X, labels);
    for (const row of asModel(rf).predictProbabilities(X)) {
      expect(row).toHaveLength(3);
      expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    }
  });

  test.each([1, 2, 3])('trains with %i tree(s): rows in every bag get no out-of-bag prediction (upstream threw)', (nEstimators) => {
    const rf = new RandomForestClassifier({ nEstimators, seed: 3 });
    expect(() => rf.train(X, y)).not.toThrow();
    const oob = asModel(rf).oobResults;
    expect(oob).toHaveLength(X.length);
    expect(oob.some((row) => row.predicted === undefined)).toBe(true);
    expect(() => rf.getConfusionMatrix()).not.toThrow();
  });

  test('maxSamples draws from every row (upstream took the first rows)', () => {
    const rf = new RandomForestClassifier({ nEstimators: 20, seed: 3, maxSamples: 10 });
    rf.train(X, y);
    const oob = asModel(rf).oobResults;
    expect(oob).toHaveLength(X.length);
    // Some row past the first 10 was in some tree's bag.
    expect(oob.slice(10).some((row) => row.all.length < 20)).toBe(true);
  });

  test('maxFeatures 1.0 (the default) uses every feature once, not a sample with replacement', () => {
    const rf = new RandomForestClassifier({ nEstimators: 5, seed: 3 });
    rf.train(X, y);
    for (const used of asModel(rf).indexes) expect(used).toEqual([0, 1, 2, 3]);
  });

  test('treeOptions.maxFeatures samples features at each split, seeded per tree', () => {
    const train = (seed: number) => {
      const rf = new RandomForestClassifier({ nEstimators: 4, seed, treeOptions: { maxFeatures: 1, gainThreshold: 0, minNumSamples: 1 } });
      rf.train(X, y);
      return JSON.stringify(rf.toJSON());
    };
    expect(train(9)).toBe(train(9));
    const trees = (JSON.parse(train(9)) as { baseModel: { estimators: { root: unknown }[] } }).baseModel.estimators;
    expect(new Set(trees.map((tree) => JSON.stringify(tree.root))).size).toBe(4);
  });

  test('labels must be 0..k-1', () => {
    expect(() => new RandomForestClassifier({ nEstimators: 2 }).train(X, y.map((label) => label + 0.5))).toThrow(RangeError);
  });
});
