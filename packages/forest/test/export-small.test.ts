// @module-tag unit
/**
 * toMlRandomForestJSON on a small hand-made model, where the whole export can be written out: the
 * stock ml-random-forest 2.1.0 must load it and vote as rally's trees do.
 */
import { RandomForestClassifier as StockForest } from 'ml-random-forest';
import { describe, expect, test } from 'vitest';

import { RandomForestClassifier, type SerializedForest, toMlRandomForestJSON } from '../src/index.ts';

/** Tree 0: x0 < 0.5 ? (3 no, 1 yes) : (0, 2). Tree 1: x1 < 10 ? (x0 < 2 ? (1, 0) : (0, 1)) : (2, 2). */
function handMade(params: Partial<SerializedForest['params']> = {}): SerializedForest {
  return {
    kind: 'rally.RandomForestClassifier',
    formatVersion: 2,
    params: { nEstimators: 2, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 'all', bootstrap: true, seed: 1, maxDepth: null, ...params },
    classes: ['no', 'yes'],
    nFeatures: 2,
    trees: [
      { feature: [0, -1, -1], threshold: [0.5], counts: [3, 1, 0, 2] },
      { feature: [1, 0, -1, -1, -1], threshold: [10, 2], counts: [1, 0, 0, 1, 2, 2] },
    ],
  };
}

describe('toMlRandomForestJSON', () => {
  test('writes every tree over all the columns, with rally\'s growing rules as ml-cart options and its leaf probabilities', () => {
    const treeOptions = { gainFunction: 'gini', splitFunction: 'mean', minNumSamples: 1, maxDepth: Infinity, gainThreshold: 0 };
    expect(toMlRandomForestJSON(handMade())).toEqual({
      name: 'RFClassifier',
      baseModel: {
        indexes: [
          [0, 1],
          [0, 1],
        ],
        n: 2,
        replacement: false,
        maxFeatures: 2,
        nEstimators: 2,
        treeOptions,
        isClassifier: true,
        seed: 1,
        useSampleBagging: true,
        estimators: [
          {
            name: 'DTClassifier',
            options: { ...treeOptions, kind: 'classifier' },
            root: { splitValue: 0.5, splitColumn: 0, left: { distribution: [[0.75, 0.25]] }, right: { distribution: [[0, 1]] } },
          },
          {
            name: 'DTClassifier',
            options: { ...treeOptions, kind: 'classifier' },
            root: {
              splitValue: 10,
              splitColumn: 1,
              left: { splitValue: 2, splitColumn: 0, left: { distribution: [[1, 0]] }, right: { distribution: [[0, 1]] } },
              right: { distribution: [[0.5, 0.5]] },
            },
          },
        ],
      },
    });
  });

  test('a depth limit, rows to split, the seed, bootstrap and the leaf prior carry over', () => {
    const json = toMlRandomForestJSON(handMade({ maxDepth: 7, minSamplesSplit: 12, seed: -3, bootstrap: false, leafPrior: 1 }));
    expect(json.baseModel.treeOptions).toMatchObject({ minNumSamples: 11, maxDepth: 7 });
    expect(json.baseModel.estimators[1].options).toMatchObject({ minNumSamples: 11, maxDepth: 7, kind: 'classifier' });
    expect(json.baseModel.seed).toBe(-3);
    expect(json.baseModel.useSampleBagging).toBe(false);
    // Leaf (3, 1) smoothed by 1: (4 / 6, 2 / 6).
    expect(json.baseModel.estimators[0].root.left).toEqual({ distribution: [[4 / 6, 2 / 6]] });
  });

  test('a loaded forest and its saved JSON export the same', () => {
    const forest = RandomForestClassifier.fromJSON(handMade());
    expect(toMlRandomForestJSON(forest)).toEqual(toMlRandomForestJSON(handMade()));
  });

  test('the stock library loads the export; its trees vote as rally\'s trees do', () => {
    const stock = StockForest.load(JSON.parse(JSON.stringify(toMlRandomForestJSON(handMade()))));
    const rows = [
      [0, 0], // tree 0: no; tree 1: no
      [3, 5], // yes; yes
      [0.7, 0], // yes; no
    ];
    const votes = (stock.predictionValues(rows) as unknown as { to2DArray(): number[][] }).to2DArray();
    expect(votes).toEqual([
      [0, 0],
      [1, 1],
      [1, 0],
    ]);
  });
});
