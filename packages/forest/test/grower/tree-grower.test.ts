// @module-tag unit
import { Random } from '@rally/features';
import { describe, expect, test } from 'vitest';

import { SortedColumns } from '../../src/grower/sorted-columns.ts';
import { TreeEncoder } from '../../src/grower/tree-encoder.ts';
import { type GrowOptions, growTree, type IntegerSource } from '../../src/grower/tree-grower.ts';
import { type CartNode, growCartTree } from '../helpers/ml-cart.ts';
import { tiedRows } from '../helpers/data.ts';

const GROWN_OUT = { minNumSamples: 1, gainThreshold: 0 };

function grow(X: number[][], y: number[], options: Partial<GrowOptions>, counts?: number[]) {
  const cols = X[0].length;
  const data = Float64Array.from(X.flat());
  const encoder = new TreeEncoder(options.nClasses ?? Math.max(...y) + 1);
  growTree(
    new SortedColumns(data, X.length, cols),
    Int32Array.from(y),
    Int32Array.from(counts ?? y.map(() => 1)),
    { nClasses: Math.max(...y) + 1, maxFeatures: cols, random: null, minSamplesLeaf: 0, minNumSamples: 1, maxDepth: Infinity, gainThreshold: 0, ...options },
    encoder,
  );
  return encoder.finish();
}

/** Routes rows through an ml-cart-form tree; returns the leaf each row reaches. */
function leafOf(root: CartNode, row: readonly number[]): CartNode {
  let node = root;
  while (node.left && node.right) node = row[node.splitColumn!] < node.splitValue! ? node.left : node.right;
  return node;
}

function depthOf(node: CartNode): number {
  return node.left && node.right ? 1 + Math.max(depthOf(node.left), depthOf(node.right)) : 0;
}

describe('sample counts', () => {
  test('a tree grown with counts is the tree of the rows repeated in place', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const { X, y } = tiedRows(seed, 10 + seed * 3, 1 + (seed % 5), 2 + (seed % 3));
      const random = new Random(1000 + seed);
      const counts = X.map(() => (random.nextFloat() < 0.3 ? 0 : random.below(4)));
      counts[0] = Math.max(counts[0], 1);
      const repeatedX = X.flatMap((row, i) => Array.from({ length: counts[i] }, () => row));
      const repeatedY = y.flatMap((label, i) => Array.from({ length: counts[i] }, () => label));
      const options = [
        { ...GROWN_OUT },
        {},
        { ...GROWN_OUT, minSamplesLeaf: 2 },
        // The same seed draws the same features: draws do not depend on the rows.
        { ...GROWN_OUT, maxFeatures: 1, random: new Random(seed) },
      ][seed % 4];
      const again = { ...options, ...('random' in options ? { random: new Random(seed) } : {}) };
      expect(JSON.stringify(growCartTree(X, y, options, counts)), `seed ${seed}`).toBe(JSON.stringify(growCartTree(repeatedX, repeatedY, again)));
    }
  });
});

describe('feature sampling at each split', () => {
  // Feature 0 decides the label up to 20% noise; features 1-5 are noise.
  const random = new Random(5);
  const X = Array.from({ length: 300 }, () => Array.from({ length: 6 }, () => random.below(1001) / 100));
  const y = X.map((row) => ((row[0] < 5) !== random.nextFloat() < 0.2 ? 0 : 1));
  const featuresOf = (node: CartNode): number[] => (node.left && node.right ? [node.splitColumn!, ...featuresOf(node.left), ...featuresOf(node.right)] : []);

  test('with every feature, the root splits on the informative one', () => {
    expect(growCartTree(X, y, GROWN_OUT).splitColumn).toBe(0);
  });

  test('one feature per split: a tree uses several features, and the root varies with the seed', () => {
    const tree = growCartTree(X, y, { ...GROWN_OUT, maxFeatures: 1, random: new Random(11) });
    expect(new Set(featuresOf(tree)).size).toBe(6);
    const roots = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => growCartTree(X, y, { ...GROWN_OUT, maxFeatures: 1, random: new Random(seed) }).splitColumn));
    expect(roots.size).toBeGreaterThan(2);
  });

  test('the draws are the generator\'s: same seed, same tree; another seed, another tree', () => {
    const tree = (seed: number) => JSON.stringify(growCartTree(X, y, { ...GROWN_OUT, maxFeatures: 2, random: new Random(seed) }));
    expect(tree(7)).toBe(tree(7));
    expect(tree(7)).not.toBe(tree(8));
  });

  test('constant features are drawn but do not count (scikit-learn\'s rule)', () => {
    // Feature 0 is constant; a source that always picks the first remaining feature draws 0, then 1.
    const first: IntegerSource = { below: () => 0 };
    const rows = [[5, 1, 10], [5, 2, 20], [5, 3, 30], [5, 4, 40]];
    const labels = [0, 1, 0, 1]; // feature 2 orders them like feature 1: both split at the midpoint of rows 0..1
    const tree = grow(rows, labels, { maxFeatures: 1, random: first });
    expect(tree.feature[0]).toBe(1);
  });

  test('the permutation persists from node to node (each node draws from where the last left it)', () => {
    // Feature 2 separates blocks of four rows; features 0 and 1 are noise. The root's one draw picks
    // position 2 (feature 2, swapped to the front); every later draw picks position 0. With the
    // permutation kept, the right child draws feature 2 again; started afresh it would draw feature 0.
    const rows = Array.from({ length: 16 }, (_, i) => [i % 3, (i * 7) % 5, i]);
    const labels = rows.map((_, i) => (Math.floor(i / 4) % 2 === 0 ? 0 : 1));
    let calls = 0;
    const scripted: IntegerSource = { below: () => (calls++ === 0 ? 2 : 0) };
    const tree = grow(rows, labels, { maxFeatures: 1, random: scripted });
    // Preorder: root (x2 < 3.5), its pure left leaf, then the right child.
    expect(Array.from(tree.feature.slice(0, 3))).toEqual([2, -1, 2]);
    expect(tree.threshold[0]).toBe(3.5);
  });

  test('feature sampling without a generator is a programming error', () => {
    expect(() => grow([[1, 2], [2, 1]], [0, 1], { maxFeatures: 1, random: null })).toThrow(/generator/);
  });
});

describe('stopping rules', () => {
  const { X, y } = tiedRows(42, 400, 4, 3);

  test('minSamplesLeaf: no leaf smaller than it', () => {
    const tree = growCartTree(X, y, { ...GROWN_OUT, minSamplesLeaf: 7 });
    const sizes = new Map<CartNode, number>();
    for (const row of X) sizes.set(leafOf(tree, row), (sizes.get(leafOf(tree, row)) ?? 0) + 1);
    expect(Math.min(...sizes.values())).toBeGreaterThanOrEqual(7);
    expect(sizes.size).toBeGreaterThan(5);
  });

  test('maxDepth bounds the depth (the root at depth 0)', () => {
    expect(depthOf(growCartTree(X, y, { ...GROWN_OUT, maxDepth: 3 }))).toBe(3);
    expect(depthOf(growCartTree(X, y, { ...GROWN_OUT, maxDepth: 1 }))).toBe(1);
  });

  test('minNumSamples: a node of that many rows or fewer is a leaf', () => {
    const tree = growCartTree(X, y, { minNumSamples: 50, gainThreshold: 0 });
    // Every split node had more than 50 rows, so each leaf's parent did.
    const splitSizes: number[] = [];
    const walk = (node: CartNode) => {
      if (node.left && node.right) {
        splitSizes.push(node.numberSamples!);
        walk(node.left);
        walk(node.right);
      }
    };
    walk(tree);
    expect(Math.min(...splitSizes)).toBeGreaterThan(50);
  });

  test('gainThreshold: splits need a larger gain', () => {
    const count = (node: CartNode): number => (node.left && node.right ? 1 + count(node.left) + count(node.right) : 0);
    expect(count(growCartTree(X, y, { minNumSamples: 1, gainThreshold: 0.05 }))).toBeLessThan(count(growCartTree(X, y, GROWN_OUT)));
  });

  test('a pure node is a leaf; a single row too', () => {
    const tree = grow([[1], [2], [3]], [1, 1, 1], {});
    expect(Array.from(tree.feature)).toEqual([-1]);
    expect(Array.from(tree.counts)).toEqual([0, 3]);
    expect(Array.from(grow([[1]], [0], {}).feature)).toEqual([-1]);
  });
});

describe('leaf class counts', () => {
  test('every leaf has nClasses counts, also for classes absent from the sample, summing to the leaf\'s repeated rows', () => {
    const { X, y } = tiedRows(8, 250, 4, 3);
    const random = new Random(99);
    const counts = X.map(() => random.below(3));
    const tree = grow(X, y, { nClasses: 5 }, counts);
    const leaves = Array.from(tree.feature).filter((f) => f < 0).length;
    expect(tree.counts).toHaveLength(leaves * 5);
    let total = 0;
    for (let i = 0; i < tree.counts.length; i++) {
      if (i % 5 >= 3) expect(tree.counts[i]).toBe(0);
      total += tree.counts[i];
    }
    expect(total).toBe(counts.reduce((a, b) => a + b, 0));
  });

  test('the encoding is preorder: 2 x splits + 1 nodes, thresholds per split', () => {
    const { X, y } = tiedRows(9, 120, 3, 2);
    const tree = grow(X, y, {});
    const splits = Array.from(tree.feature).filter((f) => f >= 0).length;
    expect(tree.feature).toHaveLength(2 * splits + 1);
    expect(tree.threshold).toHaveLength(splits);
  });
});
