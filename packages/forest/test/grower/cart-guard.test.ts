// @module-tag unit
/**
 * ml-cart refuses a split whose gain equals its parent's (its guard against endless recursion),
 * even when the gain is positive: a node that a plain CART would split becomes a leaf. Small data
 * sets where that guard fires (found by searching random data with the stock ml-cart 2.1.1), grown
 * by rally's grower and by the stock library: the same trees, node for node.
 */
import { DecisionTreeClassifier } from 'ml-cart';
import { describe, expect, test } from 'vitest';

import { type CartNode, growCartTree, withoutOptions } from '../helpers/ml-cart.ts';


const GROWN_OUT = { minNumSamples: 1, gainThreshold: 0 };

const cases: [string, number[][], number[]][] = [
  ['one feature, three classes', [[3], [0], [2], [3], [3], [2], [4], [0], [2], [3], [0], [3], [3]], [1, 2, 1, 0, 2, 0, 0, 0, 0, 1, 1, 1, 1]],
  ['two features, two classes', [[0, 0], [4, 3], [0, 2], [1, 3], [0, 3], [3, 1], [3, 2], [2, 1], [4, 0], [0, 3]], [1, 1, 0, 0, 1, 1, 0, 0, 1, 1]],
  ['one feature, two classes', [[2], [1], [3], [3], [3], [1], [3], [2]], [0, 0, 1, 1, 1, 1, 0, 0]],
];

/** Leaves that refused a split of positive gain equal to their parent's. */
function guarded(node: CartNode, parentGain: number | null | undefined = undefined): number {
  if (node.left && node.right) return guarded(node.left, node.gain) + guarded(node.right, node.gain);
  return node.splitColumn !== undefined && typeof node.gain === 'number' && node.gain > 0 && node.gain === parentGain ? 1 : 0;
}

describe('ml-cart\'s equal-gain guard', () => {
  test.each(cases)('%s', (_name, X, y) => {
    const stock = new DecisionTreeClassifier(GROWN_OUT);
    stock.train(X, y);
    const expected = withoutOptions(JSON.parse(JSON.stringify(stock.toJSON().root)));
    // The guard does fire here (else this case would test nothing).
    expect(guarded(expected as CartNode)).toBeGreaterThan(0);
    expect(JSON.stringify(growCartTree(X, y, GROWN_OUT))).toBe(JSON.stringify(expected));
  });
});
