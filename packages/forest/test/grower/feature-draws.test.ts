// @module-tag unit
/**
 * When the grower draws features, and ties between many equally good features: what the
 * generator is asked for decides every later draw, so nodes that cannot split must not ask.
 */
import { DecisionTreeClassifier } from 'ml-cart';
import { describe, expect, test } from 'vitest';

import { SortedColumns } from '../../src/grower/sorted-columns.ts';
import { TreeEncoder } from '../../src/grower/tree-encoder.ts';
import { growTree, type GrowOptions, type IntegerSource } from '../../src/grower/tree-grower.ts';
import { type CartNode, growCartTree } from '../helpers/ml-cart.ts';

/** Always the first remaining feature; counts the draws. */
class CountingSource implements IntegerSource {
  calls = 0;
  below(n: number): number {
    expect(n).toBeGreaterThan(0);
    this.calls++;
    return 0;
  }
}

function grow(X: number[][], y: number[], options: Partial<GrowOptions>) {
  const encoder = new TreeEncoder(Math.max(...y) + 1);
  growTree(
    new SortedColumns(Float64Array.from(X.flat()), X.length, X[0].length),
    Int32Array.from(y),
    Int32Array.from(y.map(() => 1)),
    { nClasses: Math.max(...y) + 1, maxFeatures: X[0].length, random: null, minSamplesLeaf: 0, minNumSamples: 1, maxDepth: Infinity, gainThreshold: 0, ...options },
    encoder,
  );
  return encoder.finish();
}

describe('feature draws', () => {
  const rows = [
    [1, 5, 0],
    [2, 6, 0],
    [3, 7, 0],
    [4, 8, 0],
  ];

  test('a pure node draws no features (scikit-learn\'s rule)', () => {
    const source = new CountingSource();
    const tree = grow(rows, [1, 1, 1, 1], { maxFeatures: 1, random: source });
    expect(Array.from(tree.feature)).toEqual([-1]);
    expect(source.calls).toBe(0);
  });

  test('a node too small to split draws none either', () => {
    const source = new CountingSource();
    grow(rows, [0, 1, 0, 1], { maxFeatures: 1, random: source, minNumSamples: 4 });
    expect(source.calls).toBe(0);
  });

  test('a split node draws until enough non-constant features; its pure children draw nothing', () => {
    // Feature 0 splits 0, 0 | 1, 1 cleanly: one draw at the root, none in the two pure leaves.
    const source = new CountingSource();
    const tree = grow(rows, [0, 0, 1, 1], { maxFeatures: 1, random: source });
    expect(Array.from(tree.feature)).toEqual([0, -1, -1]);
    expect(source.calls).toBe(1);
    // Two features wanted out of three: two draws.
    const two = new CountingSource();
    grow(rows, [0, 0, 1, 1], { maxFeatures: 2, random: two });
    expect(two.calls).toBe(2);
  });

  test('a constant feature drawn does not count: one more draw', () => {
    // Put the constant feature first: the source always takes the first remaining one.
    const constantFirst = rows.map(([a, b, c]) => [c, a, b]);
    const source = new CountingSource();
    const tree = grow(constantFirst, [0, 0, 1, 1], { maxFeatures: 1, random: source });
    expect(tree.feature[0]).toBe(1);
    expect(source.calls).toBe(2);
  });

  test('every feature constant in a node: all are drawn, none scanned, and the node is a leaf', () => {
    const source = new CountingSource();
    const tree = grow([[1, 2], [1, 2], [1, 2]], [0, 1, 0], { maxFeatures: 1, random: source });
    expect(Array.from(tree.feature)).toEqual([-1]);
    expect(source.calls).toBe(2);
  });
});

describe('many equally good features', () => {
  /** A tree's splits (column, value), in preorder. */
  function splitsOf(root: CartNode): [number, number][] {
    const out: [number, number][] = [];
    const walk = (node: CartNode) => {
      if (!node.left || !node.right) return;
      out.push([node.splitColumn!, node.splitValue!]);
      walk(node.left);
      walk(node.right);
    };
    walk(root);
    return out;
  }

  /** ml-cart's tree, grown out. */
  function stockSplits(X: number[][], y: number[]): [number, number][] {
    const tree = new DecisionTreeClassifier({ minNumSamples: 1, gainThreshold: 0 });
    tree.train(X, y);
    return splitsOf(JSON.parse(JSON.stringify(tree.toJSON().root)) as CartNode);
  }

  test('40 copies of the same column: every split on the first copy, as ml-cart keeps the first maximum', () => {
    const base = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4];
    const X = base.map((v) => Array.from({ length: 40 }, () => v));
    const y = base.map((v, i) => (v + (i % 3 === 0 ? 1 : 0)) % 2);
    const splits = splitsOf(growCartTree(X, y, { minNumSamples: 1, gainThreshold: 0 }));
    expect(splits.length).toBeGreaterThan(2);
    expect(splits.every(([column]) => column === 0)).toBe(true);
    expect(splits).toEqual(stockSplits(X, y));
  });

  test('40 columns of equal worth in different orders: the same tree as ml-cart', () => {
    // Column j is the base column mirrored for odd j: the same partitions, found at other positions.
    const base = Array.from({ length: 30 }, (_, i) => (i * 7) % 30);
    const X = base.map((v) => Array.from({ length: 40 }, (_, j) => (j % 2 === 0 ? v + j : 100 - v)));
    const y = base.map((v) => (v % 4 < 2 ? 0 : 1));
    const splits = splitsOf(growCartTree(X, y, { minNumSamples: 1, gainThreshold: 0 }));
    expect(splits.length).toBeGreaterThan(2);
    expect(splits).toEqual(stockSplits(X, y));
  });
});
