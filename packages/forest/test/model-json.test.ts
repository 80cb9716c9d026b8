// @module-tag unit
/**
 * Loading saved forests: a small hand-made model whose predictions can be worked out by hand, and
 * every way a damaged model is refused (MODEL_FORMAT, saying what is wrong, where).
 */
import { isRallyError, type RallyError } from '@rally/errors';
import { describe, expect, test } from 'vitest';

import { RandomForestClassifier, type SerializedForest } from '../src/index.ts';
import { matrix } from './helpers/data.ts';

/**
 * Two stumps over two features, classes 'no' and 'yes':
 * tree 0 splits x0 < 0.5 into leaves (3 no, 1 yes) and (0 no, 2 yes);
 * tree 1 splits x1 < 10, then x0 < 2 on its left: leaves (1, 0), (0, 1), (2, 2).
 */
function handMade(): SerializedForest {
  return {
    kind: 'rally.RandomForestClassifier',
    formatVersion: 2,
    // (In the order toJSON writes them: the loaded model is saved byte for byte.)
    params: { nEstimators: 2, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 'all', bootstrap: true, seed: 1, maxDepth: null },
    classes: ['no', 'yes'],
    nFeatures: 2,
    trees: [
      { feature: [0, -1, -1], threshold: [0.5], counts: [3, 1, 0, 2] },
      { feature: [1, 0, -1, -1, -1], threshold: [10, 2], counts: [1, 0, 0, 1, 2, 2] },
    ],
  };
}

/** The MODEL_FORMAT error fromJSON throws for `json`. */
function refusal(json: unknown): RallyError {
  try {
    RandomForestClassifier.fromJSON(json);
  } catch (error) {
    if (isRallyError(error, 'MODEL_FORMAT')) return error;
    throw error;
  }
  throw new Error('the model was accepted');
}

function changed(change: (model: SerializedForest) => void): SerializedForest {
  const model = handMade();
  change(model);
  return model;
}

describe('a loaded model predicts from its trees', () => {
  test('the mean of the leaf distributions its rows reach, thresholds strict (x < t goes left)', () => {
    const forest = RandomForestClassifier.fromJSON(handMade());
    expect(forest.classes).toEqual(['no', 'yes']);
    expect(forest.nFeatures).toBe(2);
    expect(forest.nodeCount).toBe(8);
    // Row by row: (tree 0 leaf, tree 1 leaf).
    const X = matrix([
      [0, 0], // (3/4, 1/4) and x0 < 2: (1, 0)
      [0.5, 0], // x0 = 0.5 goes right: (0, 1); x0 < 2: (1, 0)
      [3, 5], // (0, 1) and x0 >= 2: (0, 1)
      [0, 10], // (3/4, 1/4) and x1 = 10 goes right: (1/2, 1/2)
      [-1, 99], // (3/4, 1/4) and (1/2, 1/2)
    ]);
    const expected = [
      [(3 / 4 + 1) / 2, (1 / 4 + 0) / 2],
      [(0 + 1) / 2, (1 + 0) / 2],
      [0, 1],
      [(3 / 4 + 1 / 2) / 2, (1 / 4 + 1 / 2) / 2],
      [(3 / 4 + 1 / 2) / 2, (1 / 4 + 1 / 2) / 2],
    ].flat();
    const proba = Array.from(forest.predictProba(X));
    expect(proba).toHaveLength(expected.length);
    proba.forEach((p, i) => expect(p, `value ${i}`).toBeCloseTo(expected[i], 15));
    // Ties (row 1: 1/2, 1/2) go to the first class.
    expect(forest.predict(X)).toEqual(['no', 'no', 'yes', 'no', 'no']);
  });

  test('the saved leaf prior smooths every leaf, the saved tree counts unchanged', () => {
    const smoothed = changed((model) => (model.params.leafPrior = 1));
    const forest = RandomForestClassifier.fromJSON(smoothed);
    // Row [3, 5]: tree 0 leaf (0, 2) -> (1/4, 3/4); tree 1 leaf (0, 1) -> (1/3, 2/3).
    const [no, yes] = forest.predictProba(matrix([[3, 5]]));
    expect(no).toBeCloseTo((1 / 4 + 1 / 3) / 2, 15);
    expect(yes).toBeCloseTo((3 / 4 + 2 / 3) / 2, 15);
    expect(forest.params.leafPrior).toBe(1);
    expect(forest.toJSON()).toEqual(smoothed);
  });

  test('loading restores unlimited depth and a zero leaf prior; saving writes the model back as it was read', () => {
    const forest = RandomForestClassifier.fromJSON(JSON.stringify(handMade()));
    expect(forest.params.maxDepth).toBe(Infinity);
    expect(forest.params.leafPrior).toBe(0);
    expect(forest.params.minSamplesLeaf).toBe(1);
    expect(JSON.stringify(forest)).toBe(JSON.stringify(handMade()));
    const v1 = changed((model) => (model.formatVersion = 1));
    expect(RandomForestClassifier.fromJSON(v1).toJSON()).toEqual(v1);
  });

  test('a model of one feature and two classes loads (the smallest there is)', () => {
    const model = changed((m) => {
      m.nFeatures = 1;
      m.params.nEstimators = 1;
      m.trees = [m.trees[0]];
    });
    const forest = RandomForestClassifier.fromJSON(model);
    expect(forest.nFeatures).toBe(1);
    expect(Array.from(forest.predictProba(matrix([[1]])))).toEqual([0, 1]);
  });

  test('the largest class count a leaf can hold loads', () => {
    const model = changed((m) => (m.trees[0].counts = [0x7fffffff, 0, 0, 1]));
    expect(Array.from(RandomForestClassifier.fromJSON(model).predictProba(matrix([[0, 99]])))).toEqual([(1 + 0.5) / 2, (0 + 0.5) / 2]);
  });

  test('the loaded model keeps its own copies: changing the JSON afterwards changes nothing', () => {
    const model = handMade();
    const forest = RandomForestClassifier.fromJSON(model);
    const before = Array.from(forest.predictProba(matrix([[0, 0]])));
    model.classes[0] = 'zzz';
    model.trees[0].counts[0] = 1000;
    model.trees[0].threshold[0] = -5;
    expect(forest.classes).toEqual(['no', 'yes']);
    expect(Object.isFrozen(forest.classes)).toBe(true);
    expect(Array.from(forest.predictProba(matrix([[0, 0]])))).toEqual(before);
    expect(forest.toJSON()).toEqual(handMade());
  });
});

describe('fromJSON refuses damaged models with MODEL_FORMAT, saying what is wrong', () => {
  const prefix = 'Not a rally random forest model: ';

  test('text that is not JSON, keeping the parse error as the cause', () => {
    const error = refusal('{"kind": ');
    expect(error.message).toBe(`${prefix}invalid JSON.`);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  test.each([
    ['null', null],
    ['a number', 3],
    ['an array', [handMade()]],
    ['JSON text of an array', '[1, 2]'],
  ])('not an object: %s', (_name, json) => {
    expect(refusal(json).message).toBe(`${prefix}expected an object.`);
  });

  test.each([
    ['another kind', changed((m) => ((m as { kind: string }).kind = 'sklearn.RandomForestClassifier')), 'kind is "sklearn.RandomForestClassifier", expected "rally.RandomForestClassifier".'],
    ['no kind', changed((m) => delete (m as Partial<SerializedForest>).kind), 'kind is undefined, expected "rally.RandomForestClassifier".'],
    ['format version 3', changed((m) => ((m as { formatVersion: number }).formatVersion = 3)), 'format version 3 is not supported (expected 1 or 2).'],
    ['format version as text', changed((m) => ((m as { formatVersion: unknown }).formatVersion = '2')), 'format version "2" is not supported (expected 1 or 2).'],
    ['params null', changed((m) => ((m as { params: unknown }).params = null)), 'params missing.'],
    ['params an array', changed((m) => ((m as { params: unknown }).params = [])), 'params missing.'],
    ['params text', changed((m) => ((m as { params: unknown }).params = 'nEstimators=2')), 'params missing.'],
    ['nFeatures 0', changed((m) => (m.nFeatures = 0)), 'nFeatures must be a positive integer.'],
    ['nFeatures 1.5', changed((m) => (m.nFeatures = 1.5)), 'nFeatures must be a positive integer.'],
    ['nFeatures as text', changed((m) => ((m as { nFeatures: unknown }).nFeatures = '2')), 'nFeatures must be a positive integer.'],
    ['classes missing', changed((m) => delete (m as Partial<SerializedForest>).classes), 'classes must be at least two sorted, distinct strings.'],
    ['one class', changed((m) => (m.classes = ['no'])), 'classes must be at least two sorted, distinct strings.'],
    ['a repeated class', changed((m) => (m.classes = ['no', 'no'])), 'classes must be at least two sorted, distinct strings.'],
    ['unsorted classes', changed((m) => (m.classes = ['yes', 'no'])), 'classes must be at least two sorted, distinct strings.'],
    ['classes not strings', changed((m) => ((m as { classes: unknown }).classes = [0, 1])), 'classes must be at least two sorted, distinct strings.'],
    ['a later class not a string', changed((m) => ((m as { classes: unknown }).classes = ['a', 1])), 'classes must be at least two sorted, distinct strings.'],
    ['trees missing', changed((m) => delete (m as Partial<SerializedForest>).trees), 'trees must hold nEstimators trees.'],
    ['a tree too many', changed((m) => m.trees.push(m.trees[0])), 'trees must hold nEstimators trees.'],
    ['a tree too few', changed((m) => m.trees.pop()), 'trees must hold nEstimators trees.'],
    ['a tree null', changed((m) => ((m.trees as unknown[])[0] = null)), 'tree 0 must have numeric arrays feature, threshold and counts.'],
    ['a feature as text', changed((m) => ((m.trees[1].feature as unknown[])[2] = '-1')), 'tree 1 must have numeric arrays feature, threshold and counts.'],
    ['thresholds not an array', changed((m) => ((m.trees[1] as { threshold: unknown }).threshold = 10)), 'tree 1 must have numeric arrays feature, threshold and counts.'],
    ['counts missing', changed((m) => delete (m.trees[1] as Partial<SerializedForest['trees'][number]>).counts), 'tree 1 must have numeric arrays feature, threshold and counts.'],
  ])('%s', (_name, json, message) => {
    expect(refusal(json).message).toBe(prefix + message);
  });

  test('bad hyperparameters: the reason, with the parameter error as the cause', () => {
    const error = refusal(changed((m) => (m.params.minSamplesSplit = 1)));
    expect(error.message).toBe(`${prefix}invalid params (minSamplesSplit must be an integer >= 2, got 1.).`);
    expect(isRallyError(error.cause, 'ESTIMATOR_BAD_PARAMS')).toBe(true);
  });

  test('a maxFeatures count above the saved number of features is refused', () => {
    const error = refusal(changed((m) => (m.params.maxFeatures = 3)));
    expect(error.message).toBe(`${prefix}invalid params (maxFeatures must be at most the number of features (2), got 3.).`);
  });

  test.each([
    ['no nodes', (m: SerializedForest) => (m.trees[0] = { feature: [], threshold: [], counts: [] }), 'tree 0: 0 nodes for 0 splits.'],
    ['nodes and splits that do not match', (m: SerializedForest) => (m.trees[1].threshold = [10]), 'tree 1: 5 nodes for 1 splits.'],
    ['counts not k per leaf', (m: SerializedForest) => m.trees[1].counts.pop(), 'tree 1: counts must hold 2 per leaf.'],
    ['nodes after the last leaf', (m: SerializedForest) => (m.trees[0].feature = [-1, 0, -1]), 'tree 0: nodes after the last leaf.'],
    ['a feature beyond nFeatures', (m: SerializedForest) => (m.trees[1].feature[1] = 2), 'tree 1: feature 2 out of range.'],
    ['a fractional feature', (m: SerializedForest) => (m.trees[0].feature[0] = 0.5), 'tree 0: feature 0.5 out of range.'],
    ['a NaN threshold', (m: SerializedForest) => (m.trees[1].threshold[1] = NaN), 'tree 1: bad threshold NaN.'],
    ['a split without its threshold', (m: SerializedForest) => (m.trees[0].feature = [0, 0, -1]), 'tree 0: bad threshold undefined.'],
    ['an unknown node code', (m: SerializedForest) => (m.trees[0].feature[2] = -2), 'tree 0: bad node code -2.'],
    ['a negative count', (m: SerializedForest) => (m.trees[1].counts[3] = -1), 'tree 1: bad class count -1.'],
    ['a fractional count', (m: SerializedForest) => (m.trees[0].counts[1] = 0.5), 'tree 0: bad class count 0.5.'],
    ['a count beyond 32 bits', (m: SerializedForest) => (m.trees[0].counts[0] = 0x80000000), 'tree 0: bad class count 2147483648.'],
    ['an empty leaf', (m: SerializedForest) => (m.trees[1].counts = [1, 0, 0, 0, 2, 2]), 'tree 1: empty leaf.'],
  ])('inconsistent trees: %s', (_name, change, message) => {
    const error = refusal(changed(change));
    expect(error.message).toBe(`${prefix}${message}`);
    expect(error.cause).toBeInstanceOf(Error);
  });
});
