// @module-tag unit
import { isRallyError, type ErrorCode } from '@rally/errors';
import { beforeAll, describe, expect, test } from 'vitest';

import { RandomForestClassifier, type SerializedForest } from '../src/index.ts';
import { blobs, matrix, treeDepth } from './helpers/data.ts';

function expectRallyError(run: () => unknown, code: ErrorCode, message?: RegExp, label = ''): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(isRallyError(thrown, code), `${label}: expected RallyError ${code}, got ${String(thrown)}`).toBe(true);
  if (message) expect((thrown as Error).message).toMatch(message);
}

const train = blobs(1, 240);
const test_ = blobs(2, 60);

describe('probabilities', () => {
  test('rows have one column per class and sum to 1 within 1e-12', async () => {
    const forest = await new RandomForestClassifier({ nEstimators: 25, seed: 3 }).fit(train.X, train.y);
    const proba = forest.predictProba(test_.X);
    expect(forest.classes).toEqual(['a', 'b', 'c']);
    expect(proba).toHaveLength(test_.X.rows * 3);
    for (let r = 0; r < test_.X.rows; r++) {
      const row = proba.subarray(r * 3, r * 3 + 3);
      expect(Math.abs(row[0] + row[1] + row[2] - 1)).toBeLessThan(1e-12);
      for (const p of row) expect(p >= 0 && p <= 1).toBe(true);
    }
  });

  test('a rare class missing from most bootstrap samples still gets a column', async () => {
    const y = train.y.map((label, i) => (i < 2 ? 'zz-rare' : label));
    const forest = await new RandomForestClassifier({ nEstimators: 30, seed: 1 }).fit(train.X, y);
    expect(forest.classes).toEqual(['a', 'b', 'c', 'zz-rare']);
    const proba = forest.predictProba(train.X);
    for (let r = 0; r < train.X.rows; r++) {
      let sum = 0;
      for (let c = 0; c < 4; c++) sum += proba[r * 4 + c];
      expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
    }
    // Trees whose sample had the rare rows put them in leaves of their own.
    expect(proba[0 * 4 + 3]).toBeGreaterThan(0);
  });

  test('a leaf gives its class shares, 0 to classes it never saw (one tree, no bootstrap)', async () => {
    // x = 0: two 'a' and one 'b' (cannot be split); x = 1: two 'c'.
    const X = matrix([[0], [0], [0], [1], [1]]);
    const forest = await new RandomForestClassifier({ nEstimators: 1, bootstrap: false, maxFeatures: 'all' }).fit(X, ['a', 'a', 'b', 'c', 'c']);
    const proba = Array.from(forest.predictProba(matrix([[0], [1], [-5], [7]])));
    expect(proba).toEqual([2 / 3, 1 / 3, 0, 0, 0, 1, 2 / 3, 1 / 3, 0, 0, 0, 1]);
    expect(forest.predict(matrix([[0], [1]]))).toEqual(['a', 'c']);
  });

  test('a leaf prior adds alpha to every class count of a leaf before normalising', async () => {
    // The same two leaves: x = 0 holds a, a, b; x = 1 holds c, c. With alpha 0.5 and 3 classes,
    // (2 + 0.5) / (3 + 1.5), (1 + 0.5) / 4.5, 0.5 / 4.5; then 0.5 / 3.5, 0.5 / 3.5, 2.5 / 3.5.
    const X = matrix([[0], [0], [0], [1], [1]]);
    const forest = await new RandomForestClassifier({ nEstimators: 1, bootstrap: false, maxFeatures: 'all', leafPrior: 0.5 }).fit(X, ['a', 'a', 'b', 'c', 'c']);
    const proba = Array.from(forest.predictProba(matrix([[0], [1]])));
    const expected = [2.5 / 4.5, 1.5 / 4.5, 0.5 / 4.5, 0.5 / 3.5, 0.5 / 3.5, 2.5 / 3.5];
    proba.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 15));
    // The trees are those grown without a prior: only the probabilities change.
    const plain = await new RandomForestClassifier({ nEstimators: 1, bootstrap: false, maxFeatures: 'all' }).fit(X, ['a', 'a', 'b', 'c', 'c']);
    expect(forest.toJSON().trees).toEqual(plain.toJSON().trees);
  });

  test('with a leaf prior no class ever gets probability 0; the forest still predicts as well', async () => {
    const params = { nEstimators: 20, seed: 5, maxDepth: Infinity };
    const [plain, smoothed] = await Promise.all([new RandomForestClassifier(params).fit(train.X, train.y), new RandomForestClassifier({ ...params, leafPrior: 0.05 }).fit(train.X, train.y)]);
    expect(Array.from(plain.predictProba(test_.X)).filter((p) => p === 0).length).toBeGreaterThan(0);
    const proba = smoothed.predictProba(test_.X);
    expect(Math.min(...proba)).toBeGreaterThan(0);
    const agreement = smoothed.predict(test_.X).filter((label, i) => label === plain.predict(test_.X)[i]).length / test_.X.rows;
    expect(agreement).toBeGreaterThan(0.95);
  });

  test('predict is the argmax of predictProba, ties to the first class', async () => {
    const X = matrix([[0], [0], [1], [1]]);
    const forest = await new RandomForestClassifier({ nEstimators: 1, bootstrap: false }).fit(X, ['b', 'a', 'b', 'a']);
    expect(Array.from(forest.predictProba(matrix([[0]])))).toEqual([0.5, 0.5]);
    expect(forest.predict(matrix([[0]]))).toEqual(['a']);
  });
});

describe('hyperparameters reach the trees', () => {
  test('maxFeatures 1 draws a feature at each split: one tree uses several features, seeded', async () => {
    // Feature 0 separates the classes; with every feature the tree would only split on it.
    const X = matrix(Array.from({ length: 120 }, (_, i) => [i % 2, (i * 7) % 11, (i * 5) % 13, (i * 3) % 17]));
    const y = Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? 'even' : 'odd'));
    const features = async (params: object) => {
      const tree = (await new RandomForestClassifier({ nEstimators: 1, bootstrap: false, ...params }).fit(X, y)).toJSON().trees[0];
      return new Set(tree.feature.filter((f) => f >= 0));
    };
    expect(await features({ maxFeatures: 'all' })).toEqual(new Set([0]));
    const sampled = await Promise.all([1, 2, 3, 4, 5].map((seed) => features({ maxFeatures: 1, seed })));
    expect(sampled.some((used) => used.size >= 2)).toBe(true);
    expect(await features({ maxFeatures: 1, seed: 4 })).toEqual(await features({ maxFeatures: 1, seed: 4 }));
  });

  test('maxDepth bounds every tree', async () => {
    const json = (await new RandomForestClassifier({ nEstimators: 5, maxDepth: 3 }).fit(train.X, train.y)).toJSON();
    for (const tree of json.trees) expect(treeDepth(tree.feature)).toBeLessThanOrEqual(3);
    const deep = (await new RandomForestClassifier({ nEstimators: 5, maxDepth: Infinity }).fit(train.X, train.y)).toJSON();
    expect(Math.max(...deep.trees.map((tree) => treeDepth(tree.feature)))).toBeGreaterThan(3);
    expect(deep.params.maxDepth).toBeNull();
  });

  test('minSamplesLeaf bounds every leaf, minSamplesSplit every split', async () => {
    const leafy = (await new RandomForestClassifier({ nEstimators: 5, minSamplesLeaf: 9 }).fit(train.X, train.y)).toJSON();
    for (const tree of leafy.trees) {
      for (let leaf = 0; leaf < tree.counts.length / 3; leaf++) {
        expect(tree.counts[leaf * 3] + tree.counts[leaf * 3 + 1] + tree.counts[leaf * 3 + 2]).toBeGreaterThanOrEqual(9);
      }
    }
    const nodes = async (params: object) =>
      (await new RandomForestClassifier({ nEstimators: 5, ...params }).fit(train.X, train.y)).toJSON().trees.reduce((n, tree) => n + tree.feature.length, 0);
    expect(await nodes({ minSamplesSplit: 40 })).toBeLessThan(await nodes({ minSamplesSplit: 2 }));
  });

  test('nodeCount counts every split and leaf of every tree', async () => {
    const forest = await new RandomForestClassifier({ nEstimators: 4, seed: 9 }).fit(train.X, train.y);
    expect(forest.nodeCount).toBe(forest.toJSON().trees.reduce((n, tree) => n + tree.feature.length, 0));
    expect(forest.nodeCount).toBeGreaterThan(4);
  });

  test('bootstrap false: every tree sees all rows (leaf counts add up to the rows)', async () => {
    const json = (await new RandomForestClassifier({ nEstimators: 3, bootstrap: false }).fit(train.X, train.y)).toJSON();
    for (const tree of json.trees) expect(tree.counts.reduce((a, b) => a + b, 0)).toBe(train.X.rows);
  });
});

describe('reproducibility', () => {
  test('same data, params and seed: byte-identical JSON; another seed: another model', async () => {
    const fit = async (seed: number) => JSON.stringify(await new RandomForestClassifier({ nEstimators: 10, seed }).fit(train.X, train.y));
    expect(await fit(7)).toBe(await fit(7));
    expect(await fit(7)).not.toBe(await fit(8));
  });

  test('the number of workers does not change the model', async () => {
    const params = { nEstimators: 7, seed: 11 };
    const inProcess = JSON.stringify(await new RandomForestClassifier(params).fit(train.X, train.y));
    for (const workers of [0, 1, 2, 3]) {
      const forest = await new RandomForestClassifier(params).fit(train.X, train.y, { workers });
      expect(JSON.stringify(forest), `workers: ${workers}`).toBe(inProcess);
    }
  });

  test('reports each built tree, in process and from workers', async () => {
    for (const workers of [0, 2]) {
      const seen: [number, number][] = [];
      await new RandomForestClassifier({ nEstimators: 6, seed: 1 }).fit(train.X, train.y, { workers, onTree: (built, total) => seen.push([built, total]) });
      expect(seen, `workers: ${workers}`).toEqual([1, 2, 3, 4, 5, 6].map((built) => [built, 6]));
    }
  });

  test('save and load: identical predictions and JSON', async () => {
    const forest = await new RandomForestClassifier({ nEstimators: 15, seed: 2 }).fit(train.X, train.y);
    const text = JSON.stringify(forest);
    const loaded = RandomForestClassifier.fromJSON(JSON.parse(text));
    expect(loaded.classes).toEqual(forest.classes);
    expect(loaded.nFeatures).toBe(4);
    expect(loaded.params).toEqual(forest.params);
    expect(Array.from(loaded.predictProba(test_.X))).toEqual(Array.from(forest.predictProba(test_.X)));
    expect(loaded.predict(test_.X)).toEqual(forest.predict(test_.X));
    expect(JSON.stringify(loaded)).toBe(text);
    // JSON text is accepted too.
    expect(JSON.stringify(RandomForestClassifier.fromJSON(text))).toBe(text);
  });

  test('the leaf prior is saved only when not 0 (older models keep their bytes) and loads back', async () => {
    const plain = (await new RandomForestClassifier({ nEstimators: 3, seed: 2 }).fit(train.X, train.y)).toJSON();
    expect('leafPrior' in plain.params).toBe(false);
    const smoothed = await new RandomForestClassifier({ nEstimators: 3, seed: 2, leafPrior: 0.25 }).fit(train.X, train.y);
    const text = JSON.stringify(smoothed);
    expect(smoothed.toJSON().params.leafPrior).toBe(0.25);
    const loaded = RandomForestClassifier.fromJSON(text);
    expect(loaded.params.leafPrior).toBe(0.25);
    expect(JSON.stringify(loaded)).toBe(text);
    expect(Array.from(loaded.predictProba(test_.X))).toEqual(Array.from(smoothed.predictProba(test_.X)));
    // The prior decides the probabilities of a loaded model, as of a fitted one.
    const without = RandomForestClassifier.fromJSON({ ...smoothed.toJSON(), params: plain.params });
    expect(Array.from(without.predictProba(test_.X))).not.toEqual(Array.from(smoothed.predictProba(test_.X)));
  });

  test('a new model is format 2; a format 1 model (grown by the patched ml-cart) loads and saves as format 1, byte for byte', async () => {
    const forest = await new RandomForestClassifier({ nEstimators: 3, seed: 2 }).fit(train.X, train.y);
    expect(forest.toJSON().formatVersion).toBe(2);
    const v1 = JSON.stringify({ ...forest.toJSON(), formatVersion: 1 });
    const loaded = RandomForestClassifier.fromJSON(v1);
    expect(JSON.stringify(loaded)).toBe(v1);
    expect(Array.from(loaded.predictProba(test_.X))).toEqual(Array.from(forest.predictProba(test_.X)));
  });
});

describe('errors', () => {
  let fitted: RandomForestClassifier;
  beforeAll(async () => {
    fitted = await new RandomForestClassifier({ nEstimators: 3 }).fit(train.X, train.y);
  });
  const good = (): SerializedForest => JSON.parse(JSON.stringify(fitted));

  test('fromJSON rejects other kinds, versions and garbage with MODEL_FORMAT', () => {
    const broken: [string, unknown][] = [
      ['kind', { ...good(), kind: 'sklearn.RandomForestClassifier' }],
      ['version 3', { ...good(), formatVersion: 3 }],
      ['version 0', { ...good(), formatVersion: 0 }],
      ['version as text', { ...good(), formatVersion: '2' }],
      ['null', null],
      ['number', 42],
      ['array', []],
      ['text', 'not json'],
      ['empty object', {}],
      ['no trees', { ...good(), trees: [] }],
      ['tree missing', { ...good(), trees: good().trees.slice(1) }],
      ['bad params', { ...good(), params: { ...good().params, nEstimators: -1 } }],
      ['unknown param', { ...good(), params: { ...good().params, criterion: 'entropy' } }],
      ['one class', { ...good(), classes: ['a'] }],
      ['unsorted classes', { ...good(), classes: ['b', 'a', 'c'] }],
      ['bad nFeatures', { ...good(), nFeatures: 0 }],
    ];
    const mutateTree = (change: (tree: SerializedForest['trees'][number]) => void) => {
      const model = good();
      change(model.trees[0]);
      return model;
    };
    broken.push(
      ['truncated tree', mutateTree((tree) => tree.feature.pop())],
      ['feature out of range', mutateTree((tree) => (tree.feature[0] = 4))],
      ['threshold not a number', mutateTree((tree) => ((tree.threshold as unknown[])[0] = 'x'))],
      ['negative count', mutateTree((tree) => (tree.counts[0] = -1))],
      ['missing counts', mutateTree((tree) => delete (tree as Partial<typeof tree>).counts)],
    );
    for (const [name, value] of broken) expectRallyError(() => RandomForestClassifier.fromJSON(value), 'MODEL_FORMAT', undefined, name);
    expectRallyError(() => RandomForestClassifier.fromJSON({ ...good(), kind: 'x' }), 'MODEL_FORMAT', /kind/);
    expectRallyError(() => RandomForestClassifier.fromJSON({ ...good(), formatVersion: 99 }), 'MODEL_FORMAT', /version/);
  });

  test('use before fit: ESTIMATOR_NOT_FITTED', () => {
    const forest = new RandomForestClassifier();
    expectRallyError(() => forest.classes, 'ESTIMATOR_NOT_FITTED');
    expectRallyError(() => forest.nFeatures, 'ESTIMATOR_NOT_FITTED');
    expectRallyError(() => forest.predictProba(test_.X), 'ESTIMATOR_NOT_FITTED');
    expectRallyError(() => forest.predict(test_.X), 'ESTIMATOR_NOT_FITTED');
    expectRallyError(() => forest.toJSON(), 'ESTIMATOR_NOT_FITTED');
    expectRallyError(() => JSON.stringify(forest), 'ESTIMATOR_NOT_FITTED');
  });

  test.each([
    ['nEstimators 0', { nEstimators: 0 }],
    ['nEstimators 2.5', { nEstimators: 2.5 }],
    ['maxDepth 0', { maxDepth: 0 }],
    ['maxDepth NaN', { maxDepth: NaN }],
    ['minSamplesSplit 1', { minSamplesSplit: 1 }],
    ['minSamplesLeaf 0', { minSamplesLeaf: 0 }],
    ['leafPrior negative', { leafPrior: -0.1 }],
    ['leafPrior NaN', { leafPrior: NaN }],
    ['leafPrior above 1000', { leafPrior: 1001 }],
    ['leafPrior not a number', { leafPrior: '0.1' }],
    ['maxFeatures 0', { maxFeatures: 0 }],
    ['maxFeatures 1.5', { maxFeatures: 1.5 }],
    ['maxFeatures above the features', { maxFeatures: 5 }],
    ['maxFeatures unknown', { maxFeatures: 'half' }],
    ['bootstrap not boolean', { bootstrap: 'yes' }],
    ['seed not integer', { seed: 0.5 }],
    ['unknown hyperparameter', { max_depth: 3 }],
  ])('bad hyperparameters (%s): ESTIMATOR_BAD_PARAMS at fit, not in the constructor', async (_name, params) => {
    const forest = new RandomForestClassifier(params as never);
    await expect(forest.fit(train.X, train.y)).rejects.toMatchObject({ code: 'ESTIMATOR_BAD_PARAMS' });
  });

  test('bad workers option: ESTIMATOR_BAD_PARAMS', async () => {
    await expect(new RandomForestClassifier({ nEstimators: 2 }).fit(train.X, train.y, { workers: -1 })).rejects.toMatchObject({
      code: 'ESTIMATOR_BAD_PARAMS',
    });
  });

  test.each([
    ['NaN', () => ({ X: { ...train.X, data: train.X.data.map((v, i) => (i === 5 ? NaN : v)) }, y: train.y }), /row 1, column 1/],
    ['Infinity', () => ({ X: { ...train.X, data: train.X.data.map((v, i) => (i === 0 ? Infinity : v)) }, y: train.y }), /non-finite/],
    ['wrong data length', () => ({ X: { ...train.X, cols: 5 }, y: train.y }), /rows x cols/],
    ['empty', () => ({ X: { data: new Float64Array(0), rows: 0, cols: 4 }, y: [] }), /empty/],
    ['one class', () => ({ X: train.X, y: train.y.map(() => 'a') }), /two classes/],
    ['labels count', () => ({ X: train.X, y: train.y.slice(1) }), /labels/],
    ['label not a string', () => ({ X: train.X, y: train.y.map((label, i) => (i === 3 ? 3 : label)) as string[] }), /strings/],
    ['not a Float64Array', () => ({ X: { data: [1, 2], rows: 1, cols: 2 } as never, y: ['a'] }), /Float64Array/],
  ])('bad training input (%s): ESTIMATOR_BAD_INPUT', async (_name, make, message) => {
    const { X, y } = make();
    const fitting = new RandomForestClassifier({ nEstimators: 2 }).fit(X, y);
    await expect(fitting).rejects.toMatchObject({ code: 'ESTIMATOR_BAD_INPUT', message: expect.stringMatching(message) });
  });

  test('bad prediction input: ESTIMATOR_BAD_INPUT', () => {
    expectRallyError(() => fitted.predictProba(matrix([[1, 2, 3]])), 'ESTIMATOR_BAD_INPUT', /3 columns/);
    expectRallyError(() => fitted.predict(matrix([[1, 2, NaN, 4]])), 'ESTIMATOR_BAD_INPUT', /non-finite/);
    expect(fitted.predictProba({ data: new Float64Array(0), rows: 0, cols: 4 })).toHaveLength(0);
  });
});
