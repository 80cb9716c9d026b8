// @module-tag unit
/**
 * The ML pipeline integration tests of the original course, with real assertions, on a small
 * slice of the ground truth so they stay fast. Inputs are shared through Vitest fixtures.
 */
import { describe, expect, test as base } from 'vitest';
import { FeatureUnion, GROUND_TRUTH_PATH, selectRows, selectValues, type FeatureMatrix, type RowBatch } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { RandomForestClassifier } from '@rally/forest';
import { Pipeline } from '@rally/model';
import { classPriorLogLoss, logLoss, stratifiedSplit } from '../src/index.ts';

interface Data {
  train: RowBatch;
  test: RowBatch;
  yTrain: string[];
  yTest: string[];
}

const CLASSES = ['FE', 'UE', 'W'];
const PARAMS = { nEstimators: 30, maxDepth: 10, seed: 42 };

function slice(): Data {
  const batch = loadDataset(GROUND_TRUTH_PATH).batch;
  const rows = selectRows(batch, Int32Array.from({ length: 1000 }, (_, i) => i));
  const labels = Array.from(rows.columns.outcome as Iterable<string>);
  const { train, test } = stratifiedSplit(labels, 0.2, 42);
  return { train: selectRows(rows, train), test: selectRows(rows, test), yTrain: selectValues(labels, train), yTest: selectValues(labels, test) };
}

const test = base.extend<{ data: Data; fittedFeatures: FeatureUnion; features: FeatureMatrix; fittedEstimator: RandomForestClassifier; fittedPipeline: Pipeline }>({
  data: [async ({}, use) => use(slice()), { scope: 'file' }],
  fittedFeatures: async ({ data }, use) => use(FeatureUnion.fromStore().fit(data.train)),
  features: async ({ data, fittedFeatures }, use) => use(fittedFeatures.transform(data.train)),
  fittedEstimator: async ({ data, features }, use) => use(await new RandomForestClassifier(PARAMS).fit(features, data.yTrain, { workers: 0 })),
  fittedPipeline: async ({ data }, use) => use(await Pipeline.create(PARAMS).fit(data.train, data.yTrain, { workers: 0 })),
});

describe('ML pipeline (the original course’s integration tests)', () => {
  test('the pipeline can be fitted', async ({ fittedPipeline }) => {
    expect(fittedPipeline.classes).toEqual(CLASSES);
    expect(fittedPipeline.featureNames()).toHaveLength(14);
  });

  test('the pipeline can predict after fitting, better than the class prior', ({ fittedPipeline, data }) => {
    const labels = fittedPipeline.predict(data.test);
    expect(labels).toHaveLength(data.test.rows);
    for (const label of labels) expect(CLASSES).toContain(label);
    const proba = fittedPipeline.predictProba(data.test);
    expect(proba).toHaveLength(data.test.rows * 3);
    for (let r = 0; r < data.test.rows; r += 1) expect(proba[r * 3] + proba[r * 3 + 1] + proba[r * 3 + 2]).toBeCloseTo(1, 12);
    const loss = logLoss(data.yTest, proba, fittedPipeline.classes);
    // The class prior on the full data scores 1.0727; a fitted model must do clearly better.
    expect(classPriorLogLoss(data.yTrain, data.yTest)).toBeGreaterThan(1.0);
    expect(loss).toBeLessThan(0.8);
  });

  test('the features generator can be fitted', ({ fittedFeatures }) => {
    expect(fittedFeatures.fitted).toBe(true);
    expect(fittedFeatures.featureNames()).toContain('hitpoint=V');
  });

  test('the features generator can transform after fitting', ({ features, data }) => {
    expect([features.rows, features.cols]).toEqual([data.train.rows, 14]);
    expect(features.data.every(Number.isFinite)).toBe(true);
  });

  test('the estimator can be fitted on the features generator output', ({ fittedEstimator }) => {
    expect(fittedEstimator.classes).toEqual(CLASSES);
  });

  test('the estimator can predict on the features generator output', ({ fittedEstimator, fittedFeatures, data }) => {
    const X = fittedFeatures.transform(data.test);
    const labels = fittedEstimator.predict(X);
    expect(labels).toHaveLength(data.test.rows);
    const accuracy = labels.filter((label, i) => label === data.yTest[i]).length / labels.length;
    expect(accuracy).toBeGreaterThan(0.7); // the majority class alone gives 0.42
  });

  test('a saved pipeline predicts exactly as the fitted one', ({ fittedPipeline, data }) => {
    const reloaded = Pipeline.fromJSON(JSON.parse(JSON.stringify(fittedPipeline.toJSON())));
    expect(reloaded.predictProba(data.test)).toEqual(fittedPipeline.predictProba(data.test));
    expect(() => Pipeline.fromJSON({ kind: 'rally.Pipeline', formatVersion: 9 })).toThrow(/format version 1/);
  });
});
