// @module-tag unit
import { readFileSync } from 'node:fs';
import { GROUND_TRUTH_PATH, selectRows, selectValues } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { expectRallyError } from '@rally/testkit';
import { describe, expect, test } from 'vitest';
import { modelIdOf, Pipeline } from '../src/index.ts';

const batch = loadDataset(GROUND_TRUTH_PATH).batch;
const labels = Array.from(batch.columns.outcome as Iterable<string>);
const rows = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);

describe('Pipeline JSON', () => {
  test('round trip: the same bytes, the same predictions', async () => {
    const train = rows(0, 400);
    const pipeline = await Pipeline.create({ nEstimators: 5, maxDepth: 5 }).fit(selectRows(batch, train), selectValues(labels, train), { workers: 0 });
    const json = JSON.stringify(pipeline.toJSON());
    const again = Pipeline.fromJSON(JSON.parse(json));
    expect(JSON.stringify(again.toJSON())).toBe(json);
    const test = selectRows(batch, rows(400, 450));
    expect(Array.from(again.predictProba(test))).toEqual(Array.from(pipeline.predictProba(test)));
    expect(pipeline.toJSON()).toMatchObject({ kind: 'rally.Pipeline', formatVersion: 1, estimator: { kind: 'rally.RandomForestClassifier', formatVersion: 2 } });
  });

  test('anything else is MODEL_FORMAT', async () => {
    for (const value of [null, 42, 'text', [], {}, { kind: 'rally.Pipeline', formatVersion: 2 }, { kind: 'sklearn.Pipeline', formatVersion: 1 }]) {
      await expectRallyError(() => Pipeline.fromJSON(value), 'MODEL_FORMAT');
    }
  });
});

describe('a model saved before rally grew its own trees (forest format 1)', () => {
  const bytes = readFileSync(new URL('./fixtures/pipeline-v1.json', import.meta.url));
  const expected = JSON.parse(readFileSync(new URL('./fixtures/pipeline-v1.expected.json', import.meta.url), 'utf8')) as {
    rows: number[];
    classes: string[];
    probabilities: number[];
    labels: string[];
  };

  test('loads and predicts exactly what the code that saved it predicted', () => {
    const pipeline = Pipeline.fromJSON(JSON.parse(bytes.toString('utf8')));
    const points = selectRows(batch, Int32Array.from(expected.rows));
    expect(pipeline.classes).toEqual(expected.classes);
    expect(Array.from(pipeline.predictProba(points))).toEqual(expected.probabilities);
    expect(pipeline.predict(points)).toEqual(expected.labels);
  });

  test('saves back to the same bytes, still format 1, so its model id does not change', () => {
    const pipeline = Pipeline.fromJSON(JSON.parse(bytes.toString('utf8')));
    expect(pipeline.estimator.toJSON().formatVersion).toBe(1);
    const saved = Buffer.from(JSON.stringify(pipeline.toJSON()));
    expect(modelIdOf(saved)).toBe(modelIdOf(bytes));
  });
});
