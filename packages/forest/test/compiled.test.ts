// @module-tag unit
/**
 * The compiled predictor (lockstep blocks of eight rows, branch-free steps, self-looping leaves)
 * against the plainest walk there is, written here from the preorder encoding: the same bits for
 * every row, whatever the batch size (blocks, the rows after the last block, a batch under eight),
 * on trained forests (the default settings and the original's deeper, unbalanced trees) and on
 * hand-made trees (a lone leaf, a chain, a value equal to a threshold).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompiledForest, leafProbabilities, LOCKSTEP_ROWS, type TreeArrays } from '../src/compiled.ts';
import { RandomForestClassifier } from '../src/index.ts';
import { loadAustralianOpen, SUBSET_14 } from './helpers/australian-open.ts';

/** The reference: each row down each tree in preorder (left child next, right child after the left subtree), summed in tree order. */
function plainPredict(trees: readonly TreeArrays[], k: number, prior: number, data: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * k);
  const leaf = new Float64Array(k);
  const rights = trees.map((tree) => {
    const right = new Int32Array(tree.feature.length).fill(-1);
    const pending: number[] = [];
    for (let i = 0; i < tree.feature.length; i++) {
      if (i > 0 && tree.feature[i - 1]! < 0) right[pending.pop()!] = i;
      if (tree.feature[i]! >= 0) pending.push(i);
    }
    return right;
  });
  for (let r = 0; r < rows; r++) {
    trees.forEach((tree, t) => {
      let node = 0;
      let split = 0;
      // Preorder indices of splits and leaves: count them along the way from the encoding itself.
      const splitIndex = (i: number) => { let s = 0; for (let j = 0; j < i; j++) if (tree.feature[j]! >= 0) s++; return s; };
      while (tree.feature[node]! >= 0) {
        split = splitIndex(node);
        node = data[r * cols + tree.feature[node]!]! < tree.threshold[split]! ? node + 1 : rights[t]![node]!;
      }
      leafProbabilities(tree.counts, node - splitIndex(node), k, prior, leaf);
      for (let c = 0; c < k; c++) out[r * k + c] += leaf[c]!;
    });
  }
  for (let i = 0; i < out.length; i++) out[i] *= 1 / trees.length;
  return out;
}

const bitsEqual = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe('the compiled predictor', () => {
  const data = loadAustralianOpen({ columns: SUBSET_14, rows: 700 });
  const X = { data: data.data, rows: data.rows, cols: data.cols };

  it.each([
    ['the default settings (depth 12, 8 per leaf, a leaf prior)', { nEstimators: 12, maxDepth: 12, minSamplesLeaf: 8, maxFeatures: 0.75, leafPrior: 0.05 }],
    ['the original\'s settings (depth 20, 1 per leaf: deep, unbalanced trees)', { nEstimators: 12, maxDepth: 20, minSamplesLeaf: 1, maxFeatures: 'sqrt' as const, leafPrior: 0 }],
  ])('gives the plain walk\'s bits on %s, for every batch size around the block of eight', async (_name, params) => {
    const forest = await new RandomForestClassifier({ ...params, seed: 3 }).fit(X, data.y, { workers: 0 });
    const json = forest.toJSON();
    const compiled = CompiledForest.compile(json.trees, json.classes.length, json.nFeatures, json.params.leafPrior ?? 0);
    for (const rows of [0, 1, 2, LOCKSTEP_ROWS - 1, LOCKSTEP_ROWS, LOCKSTEP_ROWS + 1, 2 * LOCKSTEP_ROWS + 3, 100, 700]) {
      const slice = X.data.subarray(0, rows * X.cols);
      const expected = plainPredict(json.trees, json.classes.length, json.params.leafPrior ?? 0, slice, rows, X.cols);
      expect(bitsEqual(compiled.predictProba(slice, rows, X.cols), expected), `${rows} rows`).toBe(true);
    }
    // The forest's own predictProba is this predictor.
    expect(bitsEqual(forest.predictProba(X), plainPredict(json.trees, 3, json.params.leafPrior ?? 0, X.data, X.rows, X.cols))).toBe(true);
  });

  it('walks a lone leaf, a chain deeper on one side, and sends a value equal to a threshold right', () => {
    const trees: TreeArrays[] = [
      // A lone leaf: depth 0.
      { feature: [-1], threshold: [], counts: [3, 1] },
      // x0 < 1 ? leaf A : (x0 < 2 ? leaf B : (x0 < 3 ? leaf C : leaf D)): a chain of depth 3 on the right.
      { feature: [0, -1, 0, -1, 0, -1, -1], threshold: [1, 2, 3], counts: [1, 0, 0, 1, 2, 1, 0, 5] },
      // On the other feature, deeper on the left.
      { feature: [1, 1, -1, -1, -1], threshold: [0, -1], counts: [4, 0, 0, 4, 1, 1] },
    ];
    const compiled = CompiledForest.compile(trees, 2, 2, 0.5);
    const values = [-5, -1, 0, 0.5, 1, 1.5, 2, 2.5, 3, 9];
    const rows = values.length * values.length;
    const points = new Float64Array(rows * 2);
    values.forEach((a, i) => values.forEach((b, j) => points.set([a, b], (i * values.length + j) * 2)));
    expect(bitsEqual(compiled.predictProba(points, rows, 2), plainPredict(trees, 2, 0.5, points, rows, 2))).toBe(true);
    // x0 = 1 exactly is not < 1: right, into the chain (leaf B for the chain tree).
    const one = compiled.predictProba(Float64Array.of(1, 5), 1, 2);
    const expected = plainPredict(trees, 2, 0.5, Float64Array.of(1, 5), 1, 2);
    expect(bitsEqual(one, expected)).toBe(true);
  });

  it('agrees with the plain walk on random forests of random trees and random points (property)', () => {
    // A random complete binary tree in preorder, of at most `budget` splits.
    const treeOf = (shape: number[], features: number, k: number) => {
      const feature: number[] = [];
      const threshold: number[] = [];
      const counts: number[] = [];
      let i = 0;
      const grow = (depth: number) => {
        const next = shape[i++ % shape.length]!;
        if (depth >= 6 || next % 3 === 0) {
          feature.push(-1);
          for (let c = 0; c < k; c++) counts.push(1 + ((next + c) % 4));
          return;
        }
        feature.push(next % features);
        threshold.push((next % 7) - 3);
        grow(depth + 1);
        grow(depth + 1);
      };
      grow(0);
      return { feature, threshold, counts };
    };
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 9 }), fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 0, maxLength: 60 }), (shapes, cells) => {
        const trees = shapes.map((shape) => treeOf(shape, 3, 3));
        const rows = Math.floor(cells.length / 3);
        const points = Float64Array.from(cells.slice(0, rows * 3), (v) => v / 2);
        const compiled = CompiledForest.compile(trees, 3, 3, 0.25);
        expect(bitsEqual(compiled.predictProba(points, rows, 3), plainPredict(trees, 3, 0.25, points, rows, 3))).toBe(true);
      }),
    );
  });

  it('refuses a forest with more features than the layout holds, and says how much it holds', () => {
    expect(() => CompiledForest.compile([{ feature: [-1], threshold: [], counts: [1, 1] }], 2, 70_000)).toThrow(/65536 are supported/);
    const compiled = CompiledForest.compile([{ feature: [0, -1, -1], threshold: [1], counts: [1, 0, 0, 1] }], 2, 1);
    // 3 nodes: 2 children (8 bytes), a feature (2) and a threshold (8) each; a root and a depth (4
    // each); a row offset per leaf (4); 2 distinct leaves: 2 probabilities (16) and 2 counts (8) each.
    expect(compiled.byteLength).toBe(3 * 8 + 3 * 2 + 3 * 8 + 4 + 4 + 2 * 4 + 2 * (16 + 8));
  });

  it('keeps one row for leaves with the same class counts, across trees, and predicts as before', () => {
    const tree = { feature: [0, -1, -1], threshold: [1], counts: [3, 1, 3, 1] }; // both leaves 3:1
    const other = { feature: [0, -1, -1], threshold: [2], counts: [3, 1, 0, 4] }; // one 3:1 leaf, one new
    const compiled = CompiledForest.compile([tree, other], 2, 1, 0.5);
    // 6 nodes, 2 roots and depths, 4 leaf offsets, 2 distinct rows.
    expect(compiled.byteLength).toBe(6 * 8 + 6 * 2 + 6 * 8 + 2 * 8 + 4 * 4 + 2 * (16 + 8));
    const data = Float64Array.from([0, 1.5, 2.5]);
    expect(Array.from(compiled.predictProba(data, 3, 1))).toEqual(Array.from(plainPredict([tree, other], 2, 0.5, data, 3, 1)));
  });

  it('gives back exactly the trees it compiled (what toJSON writes, so model ids do not move)', async () => {
    const data = loadAustralianOpen({ columns: SUBSET_14, rows: 1500 });
    const X = { data: data.data, rows: data.rows, cols: data.cols };
    const forest = await new RandomForestClassifier({ nEstimators: 12, maxDepth: 9, minSamplesLeaf: 3, seed: 8 }).fit(X, data.y, { workers: 0 });
    const json = forest.toJSON();
    const compiled = CompiledForest.compile(json.trees, 3, 14);
    expect(compiled.toTrees().map((t) => ({ feature: Array.from(t.feature), threshold: Array.from(t.threshold), counts: Array.from(t.counts) }))).toEqual(json.trees);
    expect(JSON.stringify(RandomForestClassifier.fromJSON(JSON.stringify(json)))).toBe(JSON.stringify(json));
    expect(compiled.toTrees().reduce((n, t) => n + t.feature.length, 0)).toBe(compiled.nodeCount);
  });
});
