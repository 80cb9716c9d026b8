// @module-tag unit
/**
 * Fitting and predicting in this thread ({ workers: 0 }), checked against independent oracles: the
 * stock ml-cart 2.1.1 for a single tree on all rows and features, and a plain walk of the saved
 * trees for the compiled predictor on thousands of rows. Also what a caller sees for bad input.
 */
import { isRallyError, type RallyError } from '@rally/errors';
import { DecisionTreeClassifier } from 'ml-cart';
import { describe, expect, test } from 'vitest';

import { mostProbableClass, RandomForestClassifier, type Matrix, type SerializedForest } from '../src/index.ts';
import { loadAustralianOpen } from './helpers/australian-open.ts';
import { blobs, matrix } from './helpers/data.ts';
import type { CartNode } from './helpers/ml-cart.ts';

const IN_THREAD = { workers: 0 };
const ao = loadAustralianOpen({ rows: 1500 });
const aoX: Matrix = { data: ao.data, rows: ao.rows, cols: ao.cols };

function rowOf(X: Matrix, r: number): number[] {
  return Array.from(X.data.subarray(r * X.cols, (r + 1) * X.cols));
}

function firstRows(X: Matrix, rows: number): Matrix {
  return { data: X.data.subarray(0, rows * X.cols), rows, cols: X.cols };
}

/** Class probabilities of a saved forest for one row: each tree walked from the JSON, leaf distributions averaged. */
function walkedProba(model: SerializedForest, row: readonly number[]): number[] {
  const k = model.classes.length;
  const prior = model.params.leafPrior ?? 0;
  const sum = new Array<number>(k).fill(0);
  for (const tree of model.trees) {
    // Preorder with explicit subtree skipping: node index, split index, leaf index.
    let node = 0;
    let split = 0;
    let leaf = 0;
    const skipSubtree = () => {
      let open = 1;
      while (open > 0) {
        if (tree.feature[node] >= 0) {
          split++;
          open++;
        } else {
          leaf++;
          open--;
        }
        node++;
      }
    };
    while (tree.feature[node] >= 0) {
      const left = row[tree.feature[node]] < tree.threshold[split];
      node++;
      split++;
      if (!left) skipSubtree();
    }
    const counts = tree.counts.slice(leaf * k, leaf * k + k);
    const total = counts.reduce((a, b) => a + b + prior, 0);
    counts.forEach((count, c) => (sum[c] += (count + prior) / total));
  }
  return sum.map((s) => s / model.trees.length);
}

/** The distribution of the stock ml-cart leaf a row reaches, padded to k classes. */
function stockProba(root: CartNode, row: readonly number[], k: number): number[] {
  let node = root;
  while (node.left && node.right) node = row[node.splitColumn!] < node.splitValue! ? node.left : node.right;
  const distribution = node.distribution![0];
  return Array.from({ length: k }, (_, c) => distribution[c] ?? 0);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > 1e-12) expect.fail(`${label}, value ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('one tree on every row and feature is the stock ml-cart tree', () => {
  test.each([
    ['grown out', {}, { minNumSamples: 1, maxDepth: Infinity, gainThreshold: 0 }],
    ['depth 3, 10 rows to split', { maxDepth: 3, minSamplesSplit: 10 }, { minNumSamples: 9, maxDepth: 3, gainThreshold: 0 }],
    ['depth 6, 25 rows to split', { maxDepth: 6, minSamplesSplit: 25 }, { minNumSamples: 24, maxDepth: 6, gainThreshold: 0 }],
  ])('%s', async (_name, params, cartOptions) => {
    // (300 rows: the stock ml-cart grows in O(rows^2) per node.)
    const train = firstRows(aoX, 300);
    const labels = ao.y.slice(0, 300);
    const forest = await new RandomForestClassifier({ nEstimators: 1, bootstrap: false, maxFeatures: 'all', maxDepth: Infinity, ...params }).fit(train, labels, IN_THREAD);
    const stock = new DecisionTreeClassifier(cartOptions);
    stock.train(
      Array.from({ length: 300 }, (_, r) => rowOf(train, r)),
      labels.map((label) => forest.classes.indexOf(label)),
    );
    const root = JSON.parse(JSON.stringify(stock.toJSON().root)) as CartNode;
    expect(forest.nodeCount).toBeGreaterThanOrEqual(7);
    const proba = forest.predictProba(aoX);
    const k = forest.classes.length;
    for (let r = 0; r < aoX.rows; r++) expectClose(proba.subarray(r * k, r * k + k), stockProba(root, rowOf(aoX, r), k), `row ${r}`);
  });
});

describe('the compiled predictor gives what the saved trees give', () => {
  test.each([
    ['bootstrap, sqrt features', { nEstimators: 12, seed: 8 }],
    ['deep, fractional features, a leaf prior', { nEstimators: 9, seed: 2, maxDepth: Infinity, maxFeatures: 0.5, leafPrior: 0.3 }],
    ['shallow, large leaves', { nEstimators: 7, seed: 5, maxDepth: 4, minSamplesLeaf: 20, maxFeatures: 'log2' as const }],
  ])('%s, on 1500 rows', async (_name, params) => {
    const forest = await new RandomForestClassifier(params).fit(firstRows(aoX, 700), ao.y.slice(0, 700), IN_THREAD);
    const model = forest.toJSON();
    const proba = forest.predictProba(aoX);
    const k = forest.classes.length;
    for (let r = 0; r < aoX.rows; r++) expectClose(proba.subarray(r * k, r * k + k), walkedProba(model, rowOf(aoX, r)), `row ${r}`);
    // And predict is its argmax row by row.
    expect(forest.predict(aoX)).toEqual(mostProbableClass(proba, forest.classes));
  });
});

describe('what the hyperparameters do to the trees', () => {
  const { X, y } = blobs(4, 150);

  test('with bootstrap, every tree holds a sample as large as the data, drawn with repetition, and each tree its own', async () => {
    const model = (await new RandomForestClassifier({ nEstimators: 6, seed: 3, maxFeatures: 'all' }).fit(X, y, IN_THREAD)).toJSON();
    for (const tree of model.trees) expect(tree.counts.reduce((a, b) => a + b, 0)).toBe(X.rows);
    // All features and no bootstrap would grow six identical trees: the samples differ.
    expect(new Set(model.trees.map((tree) => JSON.stringify(tree))).size).toBe(6);
  });

  test('without bootstrap but with feature draws, each tree draws its own features', async () => {
    const model = (await new RandomForestClassifier({ nEstimators: 5, seed: 3, bootstrap: false, maxFeatures: 1 }).fit(X, y, IN_THREAD)).toJSON();
    expect(new Set(model.trees.map((tree) => JSON.stringify(tree))).size).toBeGreaterThan(1);
    const same = (await new RandomForestClassifier({ nEstimators: 3, seed: 3, bootstrap: false, maxFeatures: 'all' }).fit(X, y, IN_THREAD)).toJSON();
    expect(new Set(same.trees.map((tree) => JSON.stringify(tree))).size).toBe(1);
  });

  test('tree i depends only on the seed and i: a larger forest starts with the smaller one', async () => {
    const small = (await new RandomForestClassifier({ nEstimators: 3, seed: 21 }).fit(X, y, IN_THREAD)).toJSON();
    const large = (await new RandomForestClassifier({ nEstimators: 5, seed: 21 }).fit(X, y, IN_THREAD)).toJSON();
    expect(large.trees.slice(0, 3)).toEqual(small.trees);
  });

  test('minSamplesSplit: a node of exactly that many rows still splits, one row fewer does not', async () => {
    const X4 = matrix([[0], [1], [2], [3]]);
    const y4 = ['a', 'a', 'b', 'b'];
    const fit = async (minSamplesSplit: number) =>
      (await new RandomForestClassifier({ nEstimators: 1, bootstrap: false, minSamplesSplit }).fit(X4, y4, IN_THREAD)).toJSON().trees[0];
    expect(await fit(4)).toEqual({ feature: [0, -1, -1], threshold: [1.5], counts: [2, 0, 0, 2] });
    expect(await fit(5)).toEqual({ feature: [-1], threshold: [], counts: [2, 2] });
  });

  test('minSamplesLeaf: a split leaving fewer rows on a side is not taken', async () => {
    const X6 = matrix([[0], [1], [2], [3], [4], [5]]);
    const y6 = ['a', 'b', 'b', 'b', 'b', 'b'];
    const fit = async (minSamplesLeaf: number) =>
      (await new RandomForestClassifier({ nEstimators: 1, bootstrap: false, minSamplesLeaf }).fit(X6, y6, IN_THREAD)).toJSON().trees[0];
    expect((await fit(1)).threshold).toEqual([0.5]);
    expect(await fit(2)).toEqual({ feature: [-1], threshold: [], counts: [1, 5] });
  });

  test('maxDepth 1: stumps', async () => {
    const model = (await new RandomForestClassifier({ nEstimators: 4, maxDepth: 1 }).fit(X, y, IN_THREAD)).toJSON();
    for (const tree of model.trees) expect(tree.feature.slice(1)).toEqual([-1, -1]);
  });

  test('the fitted params are those given, defaults filling what is missing or undefined', async () => {
    const forest = await new RandomForestClassifier({ nEstimators: 2, maxDepth: undefined, seed: 3 }).fit(X, y, IN_THREAD);
    expect(forest.params).toEqual({ nEstimators: 2, maxDepth: 20, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 'sqrt', leafPrior: 0, bootstrap: true, seed: 3 });
    expect(forest.toJSON().params).toEqual({ nEstimators: 2, maxDepth: 20, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 'sqrt', bootstrap: true, seed: 3 });
  });
});

describe('classes', () => {
  test('sorted by code unit, and the columns of predictProba follow them', async () => {
    // Each label owns one value of x; one tree on all rows gives each value its own leaf.
    const labels = ['b', 'B', 'a', '10', '9'];
    const X = matrix(labels.flatMap((_, i) => [[i], [i]]));
    const y = labels.flatMap((label) => [label, label]);
    const forest = await new RandomForestClassifier({ nEstimators: 1, bootstrap: false, maxFeatures: 'all' }).fit(X, y, IN_THREAD);
    expect(forest.classes).toEqual(['10', '9', 'B', 'a', 'b']);
    const proba = forest.predictProba(matrix(labels.map((_, i) => [i])));
    labels.forEach((label, i) => {
      const row = Array.from(proba.subarray(i * 5, i * 5 + 5));
      expect(row[forest.classes.indexOf(label)], label).toBe(1);
    });
    expect(forest.predict(matrix(labels.map((_, i) => [i])))).toEqual(labels);
  });

  test('mostProbableClass: the largest column of each row, ties to the first of them', () => {
    const proba = Float64Array.from([0.2, 0.5, 0.3, 0.4, 0.4, 0.2, 0.1, 0.3, 0.6, 0.25, 0.25, 0.5, 0.1, 0.45, 0.45]);
    expect(mostProbableClass(proba, ['x', 'y', 'z'])).toEqual(['y', 'x', 'z', 'z', 'y']);
    expect(mostProbableClass(new Float64Array(0), ['x', 'y'])).toEqual([]);
  });
});

describe('errors a caller sees', () => {
  const { X, y } = blobs(6, 30);

  async function fitError(fit: () => Promise<unknown>, code: 'ESTIMATOR_BAD_INPUT' | 'ESTIMATOR_BAD_PARAMS'): Promise<RallyError> {
    try {
      await fit();
    } catch (error) {
      if (isRallyError(error, code)) return error;
      throw error;
    }
    throw new Error('fit succeeded');
  }

  function syncError(run: () => unknown, code: 'ESTIMATOR_BAD_INPUT' | 'ESTIMATOR_NOT_FITTED'): RallyError {
    try {
      run();
    } catch (error) {
      if (isRallyError(error, code)) return error;
      throw error;
    }
    throw new Error('no error');
  }

  const fitWith = (Xs: unknown, ys: unknown = y, params = {}) => () => new RandomForestClassifier({ nEstimators: 2, ...params }).fit(Xs as Matrix, ys as string[], IN_THREAD);

  test.each([
    ['X null', null, 'X must be { data: Float64Array, rows, cols }.'],
    ['X text', 'rows', 'X must be { data: Float64Array, rows, cols }.'],
    ['data a plain array', { data: [1, 2], rows: 1, cols: 2 }, 'X must be { data: Float64Array, rows, cols }.'],
    ['negative rows', { data: new Float64Array(0), rows: -1, cols: 0 }, 'X has 0 values, not rows x cols = -1 x 0.'],
    ['negative columns', { data: new Float64Array(0), rows: 0, cols: -2 }, 'X has 0 values, not rows x cols = 0 x -2.'],
    ['fractional rows', { data: new Float64Array(3), rows: 1.5, cols: 2 }, 'X has 3 values, not rows x cols = 1.5 x 2.'],
    ['fractional columns', { data: new Float64Array(3), rows: 2, cols: 1.5 }, 'X has 3 values, not rows x cols = 2 x 1.5.'],
    ['too few values', { data: new Float64Array(5), rows: 2, cols: 3 }, 'X has 5 values, not rows x cols = 2 x 3.'],
    ['no rows', { data: new Float64Array(0), rows: 0, cols: 4 }, 'Cannot fit on an empty matrix (0 x 4).'],
    ['no columns', { data: new Float64Array(0), rows: 3, cols: 0 }, 'Cannot fit on an empty matrix (3 x 0).'],
  ])('bad training matrix: %s', async (_name, Xs, message) => {
    expect((await fitError(fitWith(Xs, ['a', 'b', 'a']), 'ESTIMATOR_BAD_INPUT')).message).toBe(message);
  });

  test('a non-finite training value: where it is', async () => {
    const data = X.data.slice();
    data[2 * 4 + 3] = -Infinity;
    const error = await fitError(fitWith({ ...X, data }), 'ESTIMATOR_BAD_INPUT');
    expect(error.message).toBe('X has a non-finite value (-Infinity) at row 2, column 3.');
    expect(error.details).toEqual({ row: 2, col: 3, value: '-Infinity' });
  });

  test.each([
    ['labels not an array', 'abc', 'Expected 30 labels (one per row), got string.'],
    ['a label too many', [...y, 'a'], 'Expected 30 labels (one per row), got 31.'],
  ])('bad labels: %s', async (_name, labels, message) => {
    expect((await fitError(fitWith(X, labels), 'ESTIMATOR_BAD_INPUT')).message).toBe(message);
  });

  test('a label that is not a string: which one, and what it is', async () => {
    const error = await fitError(fitWith(X, y.map((label, i) => (i === 7 ? null : label))), 'ESTIMATOR_BAD_INPUT');
    expect(error.message).toBe('Labels must be strings; label 7 is null.');
    expect(error.details).toEqual({ row: 7 });
    const first = await fitError(fitWith(X, y.map((label, i) => (i === 0 ? 5 : label))), 'ESTIMATOR_BAD_INPUT');
    expect(first.message).toBe('Labels must be strings; label 0 is 5.');
  });

  test('a single class: named', async () => {
    const error = await fitError(fitWith(X, y.map(() => 'W')), 'ESTIMATOR_BAD_INPUT');
    expect(error.message).toBe('Need at least two classes to fit a classifier, got 1 (W).');
    expect(error.details).toEqual({ classes: ['W'] });
  });

  test('hyperparameters are checked before the data', async () => {
    await fitError(fitWith(null, y, { nEstimators: 0 }), 'ESTIMATOR_BAD_PARAMS');
    await fitError(fitWith({ data: new Float64Array(0), rows: 0, cols: 0 }, [], { seed: 1.5 }), 'ESTIMATOR_BAD_PARAMS');
  });

  test.each([
    ['negative', -1, 'workers must be an integer >= 0, got -1.'],
    ['fractional', 1.5, 'workers must be an integer >= 0, got 1.5.'],
    ['NaN', NaN, 'workers must be an integer >= 0, got NaN.'],
  ])('a bad workers option (%s) is refused before any tree is built', async (_name, workers, message) => {
    let trees = 0;
    const error = await fitError(
      () => new RandomForestClassifier({ nEstimators: 2 }).fit(X, y, { workers, onTree: () => trees++ }),
      'ESTIMATOR_BAD_PARAMS',
    );
    expect(error.message).toBe(message);
    expect(trees).toBe(0);
  });

  test('prediction input: the wrong number of columns, and a non-finite value, said precisely', async () => {
    const forest = await new RandomForestClassifier({ nEstimators: 2 }).fit(X, y, IN_THREAD);
    const wide = syncError(() => forest.predictProba(matrix([[1, 2, 3, 4, 5]])), 'ESTIMATOR_BAD_INPUT');
    expect(wide.message).toBe('X has 5 columns; the forest was fitted on 4.');
    expect(wide.details).toEqual({ expected: 4, actual: 5 });
    const empty = syncError(() => forest.predict({ data: new Float64Array(0), rows: 0, cols: 3 }), 'ESTIMATOR_BAD_INPUT');
    expect(empty.message).toBe('X has 3 columns; the forest was fitted on 4.');
    const nan = syncError(() => forest.predict(matrix([[0, 0, 0, 0], [1, NaN, 1, 1]])), 'ESTIMATOR_BAD_INPUT');
    expect(nan.message).toBe('X has a non-finite value (NaN) at row 1, column 1.');
    expect(nan.details).toEqual({ row: 1, col: 1, value: 'NaN' });
    const shape = syncError(() => forest.predictProba({ data: new Float64Array(4), rows: 2, cols: 4 }), 'ESTIMATOR_BAD_INPUT');
    expect(shape.message).toBe('X has 4 values, not rows x cols = 2 x 4.');
  });

  test('use before fit names the operation', () => {
    const forest = new RandomForestClassifier();
    const uses: [string, () => unknown][] = [
      ['classes', () => forest.classes],
      ['nFeatures', () => forest.nFeatures],
      ['nodeCount', () => forest.nodeCount],
      ['predictProba', () => forest.predictProba(X)],
      ['predict', () => forest.predict(X)],
      ['toJSON', () => forest.toJSON()],
    ];
    for (const [operation, use] of uses) {
      expect(syncError(use, 'ESTIMATOR_NOT_FITTED').message).toBe(`RandomForestClassifier.${operation} needs a fitted forest: call fit first.`);
    }
  });
});
