// @module-tag integration
/**
 * exportOnnx, read back by ONNX Runtime (onnxruntime-node's CPU build): the forest alone on the
 * feature matrix, and the whole pipeline on the raw columns, each giving every ground-truth row the
 * pipeline's own probabilities (1e-6) and labels; a category never seen in training, and a
 * feature with no ONNX form.
 */
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellAt, FeatureUnion, GROUND_TRUTH_PATH, inputColumns, pointsToBatch, sampleDataPoints, type RowBatch } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { RandomForestClassifier } from '@rally/forest';
import { exportOnnx, Pipeline, pipelineOnnxInputs } from '../src/index.ts';

const COLUMNS = inputColumns();

/** A batch's raw columns as ONNX Runtime feeds, through the library's own description of the inputs. */
function rawFeeds(batch: RowBatch): Record<string, ort.Tensor> {
  return Object.fromEntries(Object.entries(pipelineOnnxInputs(batch)).map(([name, input]) => [name, new ort.Tensor(input.type, input.data as never, input.dims)]));
}

function worstDifference(got: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
  return worst;
}

describe('exportOnnx', () => {
  let batch: RowBatch;
  let pipeline: Pipeline;

  beforeAll(async () => {
    batch = loadDataset(GROUND_TRUTH_PATH).batch;
    const labels = Array.from(batch.columns.outcome as Iterable<string>);
    pipeline = await Pipeline.create({ nEstimators: 25, maxDepth: 12, minSamplesLeaf: 4, maxFeatures: 0.75, leafPrior: 0.05, seed: 11 }).fit(batch, labels, { workers: 0 });
  }, 60_000);

  const session = (bytes: Uint8Array) => ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });

  it('the forest alone: X is the feature matrix; every ground-truth row as rally answers it', async () => {
    const onnx = await session(exportOnnx(pipeline, 'a'.repeat(64)));
    expect(onnx.inputNames).toEqual(['X']);
    const X = pipeline.transform(batch);
    const out = await onnx.run({ X: new ort.Tensor('float64', X.data, [X.rows, X.cols]) });
    expect(worstDifference(out.probabilities!.data as Float32Array, pipeline.predictProba(batch))).toBeLessThan(1e-6);
    expect(Array.from(out.label!.data as string[])).toEqual(pipeline.predict(batch));
    await onnx.release();
  });

  it('the whole pipeline: the 25 raw columns in; every ground-truth row as rally answers it', async () => {
    const onnx = await session(exportOnnx(pipeline, 'b'.repeat(64), { pipeline: true }));
    expect(onnx.inputNames).toEqual(COLUMNS.map((column) => column.name));
    expect(onnx.outputNames).toEqual(['label', 'probabilities']);
    const out = await onnx.run(rawFeeds(batch));
    expect(out.probabilities!.dims).toEqual([batch.rows, 3]);
    expect(worstDifference(out.probabilities!.data as Float32Array, pipeline.predictProba(batch))).toBeLessThan(1e-6);
    expect(Array.from(out.label!.data as string[])).toEqual(pipeline.predict(batch));
    await onnx.release();
  });

  it('the whole pipeline on synthetic points: the features of the edge cases (a player who did not move, a ball out) as rally makes them', async () => {
    const points = sampleDataPoints(300, 9).map((point, i) => {
      const p = { ...(point as Record<string, unknown>) };
      if (i % 3 === 0) p['player.distance.travelled'] = 0; // ratio 1
      if (i % 3 === 1) {
        // Moved, but ended where they started: the ratio is capped at 1e6.
        p['player.impact.distance.from.center'] = p['player.distance.from.center'];
        p['player.impact.depth'] = p['player.depth'];
      }
      if (i % 5 === 0) p['net.clearance'] = -0.947; // the weird net clearance
      if (i % 7 === 0) p['outside.baseline'] = true;
      return p;
    });
    const some = pointsToBatch(points as never, COLUMNS.map((column) => column.name));
    const onnx = await session(exportOnnx(pipeline, 'c'.repeat(64), { pipeline: true }));
    const out = await onnx.run(rawFeeds(some));
    expect(worstDifference(out.probabilities!.data as Float32Array, pipeline.predictProba(some))).toBeLessThan(1e-6);
    expect(Array.from(out.label!.data as string[])).toEqual(pipeline.predict(some));
    await onnx.release();
  });

  it('a category never seen in training encodes as all zeros, as in rally', async () => {
    const union = FeatureUnion.fromStore();
    const labels = Array.from(batch.columns.outcome as Iterable<string>);
    const rows = Array.from({ length: batch.rows }, (_, r) => r).filter((r) => cellAt(batch.columns.hitpoint!, r) !== 'V');
    const { selectRows, selectValues } = await import('@rally/features');
    const without = selectRows(batch, Int32Array.from(rows));
    const model = await new Pipeline(union, new RandomForestClassifier({ nEstimators: 5, seed: 2 })).fit(without, selectValues(labels, Int32Array.from(rows)), { workers: 0 });
    const onnx = await session(exportOnnx(model, 'd'.repeat(64), { pipeline: true }));
    const out = await onnx.run(rawFeeds(batch)); // with the V rows
    expect(worstDifference(out.probabilities!.data as Float32Array, model.predictProba(batch))).toBeLessThan(1e-6);
    await onnx.release();
  });

  it('refuses, in one sentence, a feature with no ONNX form', async () => {
    const custom = {
      inputColumns: ['speed'],
      fitted: true,
      fit() {},
      outputNames: () => ['speed.squared'],
      transformInto(b: RowBatch, out: Float64Array, stride: number, offset: number) {
        for (let r = 0; r < b.rows; r++) out[r * stride + offset] = (cellAt(b.columns.speed!, r) as number) ** 2;
      },
      getState: () => ({}),
      setState() {},
    };
    const labels = Array.from(batch.columns.outcome as Iterable<string>);
    const model = await new Pipeline(new FeatureUnion([['speed.squared', custom as never]]), new RandomForestClassifier({ nEstimators: 2, seed: 1 })).fit(batch, labels, { workers: 0 });
    expect(() => exportOnnx(model, 'e'.repeat(64), { pipeline: true })).toThrow('The feature "speed.squared" has no ONNX form: export the forest alone (without --pipeline).');
    expect(exportOnnx(model, 'e'.repeat(64)).byteLength).toBeGreaterThan(0);
  });
});
