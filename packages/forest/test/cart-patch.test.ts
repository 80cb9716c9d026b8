/**
 * The extensions of the patched ml-cart (patches/ml-cart@2.1.1.patch) beyond the original
 * algorithm, which the differential test covers: sample counts, per-split feature sampling,
 * minSamplesLeaf, padded leaves, input checks, speed.
 */
import { DecisionTreeClassifier, SortedTrainingSet, type CartNode } from 'ml-cart';
import { describe, expect, test } from 'vitest';

import { loadAustralianOpen, SUBSET_14 } from './helpers/australian-open.ts';
import { createRng as mulberry32 } from '@rally/features';

function walk(node: CartNode, visit: (node: CartNode, depth: number) => void, depth = 0): void {
  visit(node, depth);
  if (node.left && node.right) {
    walk(node.left, visit, depth + 1);
    walk(node.right, visit, depth + 1);
  }
}

function randomData(seed: number, rows: number, cols: number, k: number) {
  const r = mulberry32(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const row = Array.from({ length: cols }, (_, j) => (j % 2 === 0 ? Math.floor(r() * 5) : Math.round(r() * 100) / 10));
    X.push(row);
    y.push((row[0] + (r() < 0.3 ? 1 : 0)) % k);
  }
  return { X, y };
}

describe('sample counts', () => {
  test.each([
    ['all features, original options', {}],
    ['deep', { gainThreshold: 0, minNumSamples: 1 }],
    ['one feature per split', { gainThreshold: 0, minNumSamples: 1, maxFeatures: 1, seed: 3 }],
    ['sqrt features, minSamplesLeaf 2', { gainThreshold: 0, minNumSamples: 1, maxFeatures: 'sqrt', minSamplesLeaf: 2 }],
  ] as const)('train(X, y, counts) is train on the rows repeated in place (%s)', (_name, options) => {
    for (let seed = 1; seed <= 25; seed++) {
      const { X, y } = randomData(seed, 10 + seed * 3, 1 + (seed % 5), 2 + (seed % 3));
      const r = mulberry32(1000 + seed);
      const counts = X.map(() => (r() < 0.3 ? 0 : Math.floor(r() * 4)));
      counts[0] = Math.max(counts[0], 1);
      const repeatedX: number[][] = [];
      const repeatedY: number[] = [];
      counts.forEach((count, i) => {
        for (let c = 0; c < count; c++) {
          repeatedX.push(X[i]);
          repeatedY.push(y[i]);
        }
      });
      const weighted = new DecisionTreeClassifier({ ...options });
      weighted.train(X, y, counts);
      const repeated = new DecisionTreeClassifier({ ...options });
      repeated.train(repeatedX, repeatedY);
      expect(JSON.stringify(weighted.toJSON())).toBe(JSON.stringify(repeated.toJSON()));
    }
  });

  test('rejects negative or fractional counts and an all-zero sample', () => {
    const tree = new DecisionTreeClassifier();
    expect(() => tree.train([[1], [2]], [0, 1], [1, -1])).toThrow(RangeError);
    expect(() => tree.train([[1], [2]], [0, 1], [1, 0.5])).toThrow(RangeError);
    expect(() => tree.train([[1], [2]], [0, 1], [0, 0])).toThrow(/empty/);
  });
});

describe('feature sampling at each split', () => {
  // Feature 0 decides the label, up to 20% noise; features 1-5 are noise.
  const r = mulberry32(5);
  const X = Array.from({ length: 300 }, () => Array.from({ length: 6 }, () => Math.round(r() * 1000) / 100));
  const y = X.map((row) => ((row[0] < 5) !== (r() < 0.2) ? 0 : 1));
  const featuresOf = (tree: DecisionTreeClassifier) => {
    const used: number[] = [];
    walk(tree.root, (node) => {
      if (node.left) used.push(node.splitColumn!);
    });
    return used;
  };
  const options = { gainThreshold: 0, minNumSamples: 1 };

  test('without maxFeatures the best feature is always found at the root', () => {
    const tree = new DecisionTreeClassifier(options);
    tree.train(X, y);
    expect(featuresOf(tree)[0]).toBe(0);
  });

  test('maxFeatures 1 draws a feature per split: one tree splits on several features', () => {
    const tree = new DecisionTreeClassifier({ ...options, maxFeatures: 1, seed: 11 });
    tree.train(X, y);
    const used = featuresOf(tree);
    expect(new Set(used).size).toBe(6);
    // The root is drawn at random: over seeds it is not always the best feature.
    const roots = new Set(
      [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => {
        const other = new DecisionTreeClassifier({ ...options, maxFeatures: 1, seed });
        other.train(X, y);
        return other.root.splitColumn;
      }),
    );
    expect(roots.size).toBeGreaterThan(2);
  });

  test('the draw is seeded', () => {
    const grow = (seed: number) => {
      const tree = new DecisionTreeClassifier({ ...options, maxFeatures: 2, seed });
      tree.train(X, y);
      return JSON.stringify(tree.toJSON());
    };
    expect(grow(7)).toBe(grow(7));
    expect(grow(7)).not.toBe(grow(8));
  });

  test.each(['sqrt', 'log2', 0.5, 6, 'all'] as const)('maxFeatures %s is accepted', (maxFeatures) => {
    const tree = new DecisionTreeClassifier({ ...options, maxFeatures });
    expect(() => tree.train(X, y)).not.toThrow();
  });

  test('invalid maxFeatures is refused', () => {
    for (const maxFeatures of [0, 7, 1.5, -1, 'half'] as never[]) {
      expect(() => new DecisionTreeClassifier({ maxFeatures }).train(X, y)).toThrow(RangeError);
    }
  });
});

describe('other options and checks', () => {
  const { X, y } = randomData(42, 400, 4, 3);

  test('minSamplesLeaf: no leaf smaller than it', () => {
    const tree = new DecisionTreeClassifier({ gainThreshold: 0, minNumSamples: 1, minSamplesLeaf: 7 });
    tree.train(X, y);
    // Leaf sizes: route the training rows.
    const leafSize = new Map<CartNode, number>();
    for (const row of X) {
      let node = tree.root;
      while (node.left && node.right) node = row[node.splitColumn!] < node.splitValue! ? node.left : node.right;
      leafSize.set(node, (leafSize.get(node) ?? 0) + 1);
    }
    expect(Math.min(...leafSize.values())).toBeGreaterThanOrEqual(7);
    expect(leafSize.size).toBeGreaterThan(5);
  });

  test('maxDepth bounds the depth', () => {
    const tree = new DecisionTreeClassifier({ gainThreshold: 0, minNumSamples: 1, maxDepth: 3 });
    tree.train(X, y);
    let depth = 0;
    walk(tree.root, (_node, d) => (depth = Math.max(depth, d)));
    expect(depth).toBe(3);
  });

  test('leaf distributions have numberOfClasses entries even without the last classes', () => {
    const tree = new DecisionTreeClassifier({ gainThreshold: 0, minNumSamples: 1, numberOfClasses: 5 });
    tree.train(X, y);
    walk(tree.root, (node) => {
      if (!node.left) expect(node.distribution!.to1DArray()).toHaveLength(5);
    });
    const byLabels = new DecisionTreeClassifier({ gainThreshold: 0, minNumSamples: 1 });
    byLabels.train([[0], [1], [2]], [0, 0, 2]);
    walk(byLabels.root, (node) => {
      if (!node.left) expect(node.distribution!.to1DArray()).toHaveLength(3);
    });
  });

  test('refuses NaN, labels outside 0..k-1 and mismatched lengths', () => {
    expect(() => new DecisionTreeClassifier().train([[1], [NaN]], [0, 1])).toThrow(/NaN/);
    expect(() => new DecisionTreeClassifier().train([[1], [2]], [0, 1.5])).toThrow(RangeError);
    expect(() => new DecisionTreeClassifier().train([[1], [2]], [0, -1])).toThrow(RangeError);
    expect(() => new DecisionTreeClassifier().train([[1], [2]], [0])).toThrow(RangeError);
    expect(() => new DecisionTreeClassifier({ numberOfClasses: 2 }).train([[1], [2]], [0, 2])).toThrow(RangeError);
  });

  test('a full-depth tree on 4000 x 14 rows takes well under a second (the original: ~10 s)', () => {
    const ds = loadAustralianOpen({ rows: 4000, columns: SUBSET_14 });
    const rows = Array.from({ length: ds.rows }, (_, i) => ds.data.subarray(i * ds.cols, (i + 1) * ds.cols));
    const classes = [...new Set(ds.y)].sort();
    const labels = ds.y.map((label) => classes.indexOf(label));
    const start = performance.now();
    const tree = new DecisionTreeClassifier({ gainThreshold: 0, minNumSamples: 1 });
    tree.train(rows, labels);
    expect(performance.now() - start).toBeLessThan(2000);
    let leaves = 0;
    walk(tree.root, (node) => (leaves += node.left ? 0 : 1));
    expect(leaves).toBeGreaterThan(300);
  });
});

describe('grow and SortedTrainingSet (the forest\'s way in)', () => {
  const options = [
    { gainThreshold: 0, minNumSamples: 1 },
    { gainThreshold: 0, minNumSamples: 1, maxFeatures: 'sqrt', minSamplesLeaf: 2, numberOfClasses: 4 },
    { minNumSamples: 5, maxDepth: 4, maxFeatures: 2, seed: 9 },
  ] as const;

  test.each(options)('a SortedTrainingSet prepared once gives the trees of the rows (%o)', (opts) => {
    const { X, y } = randomData(7, 300, 5, 3);
    const set = new SortedTrainingSet(X);
    expect(set.rows).toBe(300);
    expect(set.features).toBe(5);
    for (let seed = 1; seed <= 5; seed++) {
      const r = mulberry32(seed);
      const counts = X.map(() => Math.floor(r() * 3));
      const fromRows = new DecisionTreeClassifier({ ...opts });
      fromRows.train(X, y, counts);
      const fromSet = new DecisionTreeClassifier({ ...opts });
      fromSet.train(set, y, counts);
      expect(JSON.stringify(fromSet.toJSON())).toBe(JSON.stringify(fromRows.toJSON()));
    }
  });

  test.each(options)('grow reports in preorder the tree train builds, with leaf class counts (%o)', (opts) => {
    const { X, y } = randomData(8, 250, 4, 3);
    const r = mulberry32(99);
    const counts = X.map(() => Math.floor(r() * 3));
    const tree = new DecisionTreeClassifier({ ...opts });
    tree.train(X, y, counts);
    const expected: string[] = [];
    walk(tree.root, (node) => {
      if (node.left && node.right) {
        expected.push(`split ${node.splitColumn} ${node.splitValue} ${node.gain} ${node.numberSamples}`);
      } else {
        expected.push(`leaf ${node.distribution!.getRow(0).join(',')}`);
      }
    });
    // Leaf class counts: route the training rows through train's tree.
    const leafCounts = new Map<CartNode, number[]>();
    X.forEach((row, i) => {
      let node = tree.root;
      while (node.left && node.right) node = row[node.splitColumn!] < node.splitValue! ? node.left : node.right;
      const k = node.distribution!.getRow(0).length;
      const classCounts = leafCounts.get(node) ?? new Array<number>(k).fill(0);
      classCounts[y[i]] += counts[i];
      leafCounts.set(node, classCounts);
    });
    const routed: number[][] = [];
    walk(tree.root, (node) => {
      if (!node.left) routed.push(leafCounts.get(node)!);
    });

    const reported: string[] = [];
    const reportedCounts: number[][] = [];
    new DecisionTreeClassifier({ ...opts }).grow(X, y, counts, {
      split: (column, value, gain, numberSamples) => reported.push(`split ${column} ${value} ${gain} ${numberSamples}`),
      leaf: (classCounts, numberSamples) => {
        const shares = Array.from(classCounts, (count) => {
          let share = 0;
          for (let i = 0; i < count; i++) share += 1 / numberSamples;
          return share;
        });
        reported.push(`leaf ${shares.join(',')}`);
        reportedCounts.push(Array.from(classCounts));
        expect(classCounts.reduce((a, b) => a + b, 0)).toBe(numberSamples);
      },
    });
    expect(reported).toEqual(expected);
    expect(reportedCounts).toEqual(routed);
  });
});
