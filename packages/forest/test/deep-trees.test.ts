// @module-tag unit
/**
 * Trees deeper than the grower's first allocations (32 depths, 64 nodes): labels that alternate
 * along a feature can only be separated one row at a time, a chain as deep as the rows are many.
 * The stock ml-cart 2.1.1 is the oracle for the grower; the forest must then fit its training rows.
 */
import { describe, expect, test } from 'vitest';

import { RandomForestClassifier } from '../src/index.ts';
import { growCartTree, stockTree } from './helpers/ml-cart.ts';
import { matrix, treeDepth } from './helpers/data.ts';



/** n rows; column 0 orders them, the label cycles through k classes along it; two more columns of noise. */
function chain(n: number, k: number): { X: number[][]; y: number[] } {
  const X = Array.from({ length: n }, (_, i) => [i, (i * 37) % 101, (i * 11) % 7]);
  return { X, y: X.map((_, i) => i % k) };
}

describe('deep trees', () => {
  test.each([
    [90, 2],
    [120, 3],
    [75, 4],
  ])('%i rows cycling through %i classes: the stock ml-cart tree, node for node', (n, k) => {
    const { X, y } = chain(n, k);
    const options = { minNumSamples: 1, gainThreshold: 0 };
    const grown = JSON.stringify(growCartTree(X, y, options));
    expect(grown).toBe(stockTree(X, y, options));
  });

  test('a forest of such trees fits every training row, and its trees are deeper than 32', async () => {
    // Two columns ordering the rows, one each way (no noise to shorten the chain).
    const X = Array.from({ length: 150 }, (_, i) => [i, 1000 - 3 * i]);
    const y = X.map((_, i) => i % 3);
    const labels = y.map((c) => ['p', 'q', 'r'][c]);
    const forest = await new RandomForestClassifier({ nEstimators: 2, bootstrap: false, maxFeatures: 'all', maxDepth: Infinity }).fit(matrix(X), labels, { workers: 0 });
    expect(forest.predict(matrix(X))).toEqual(labels);
    const json = forest.toJSON();
    for (const tree of json.trees) {
      expect(treeDepth(tree.feature)).toBeGreaterThan(40);
      expect(tree.feature.length).toBeGreaterThan(150);
    }
    // Loaded back, the deep model predicts the same.
    expect(RandomForestClassifier.fromJSON(JSON.stringify(forest)).predict(matrix(X))).toEqual(labels);
  });

  test('features drawn at each split, brought down many depths at once, still split the chain exactly', async () => {
    // One feature drawn per split: a feature first drawn deep in the tree is partitioned through
    // every depth above, past the grower's first 16 and 32 depths of per-row sides.
    const X = Array.from({ length: 160 }, (_, i) => [i, 800 - 5 * i, (i * 7) % 3]);
    const labels = X.map((_, i) => ['p', 'q'][i % 2]);
    const forest = await new RandomForestClassifier({ nEstimators: 3, bootstrap: false, maxFeatures: 1, maxDepth: Infinity, seed: 4 }).fit(matrix(X), labels, { workers: 0 });
    expect(forest.predict(matrix(X))).toEqual(labels);
    for (const tree of forest.toJSON().trees) expect(treeDepth(tree.feature)).toBeGreaterThan(40);
  });

  test('maxDepth cuts the chain: no deeper than asked, and no longer fitting every row', async () => {
    const { X, y } = chain(150, 2);
    const labels = y.map(String);
    const forest = await new RandomForestClassifier({ nEstimators: 1, bootstrap: false, maxFeatures: 'all', maxDepth: 35 }).fit(matrix(X), labels, { workers: 0 });
    expect(treeDepth(forest.toJSON().trees[0].feature)).toBe(35);
    expect(forest.predict(matrix(X))).not.toEqual(labels);
  });
});
