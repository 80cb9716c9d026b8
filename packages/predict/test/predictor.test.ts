// @module-tag integration
import { describe, expect, it } from 'vitest';
import { isRallyError } from '@rally/errors';
import { generateDataPoints, sampleDataPoints } from '@rally/features';
import { deployRun, LocalFolderStore, ModelCache, type ModelStore } from '@rally/model-store';
import { storeWithProduction, trainTinyRun } from '@rally/model-fixtures';
import { tempDir } from '@rally/testkit';
import { LoadedModel, ProductionPredictor } from '../src/index.ts';

function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('ProductionPredictor', () => {
  it('is not ready and refuses to predict while the store has no production model', async () => {
    const predictor = new ProductionPredictor({ store: new LocalFolderStore(tempDir('empty-store')), cache: new ModelCache({ dir: tempDir('cache') }) });
    await expect(predictor.refresh()).rejects.toThrow(/has no production model yet/);
    expect(predictor.ready).toBe(false);
    expect(predictor.modelInfo).toBeNull();
    expect(isRallyError(errorOf(() => predictor.predict(sampleDataPoints(1))), 'PREDICT_NO_MODEL')).toBe(true);
  });

  it('loads production through the cache and predicts labels and probabilities', async () => {
    const { store, run } = await storeWithProduction();
    const cache = new ModelCache({ dir: tempDir('cache') });
    const predictor = new ProductionPredictor({ store, cache });
    expect(await predictor.refresh()).toBe(true);
    expect(predictor.modelInfo).toMatchObject({ model_id: run.modelId, classes: ['FE', 'UE', 'W'] });
    expect(predictor.modelInfo?.features).toHaveLength(14);

    const points = sampleDataPoints(25, 11);
    const { modelId, labels } = predictor.predict(points);
    expect(modelId).toBe(run.modelId);
    expect(labels).toHaveLength(25);
    // Same answers as the pipeline that was trained (no drift through serialization, store and cache).
    const direct = LoadedModel.fromArtifacts(run.modelId, { 'model.json': run.model, 'report.json': Buffer.from(JSON.stringify(run.report)) }).predict(points).labels;
    expect(labels).toEqual(direct);

    const proba = predictor.predictProba(points);
    expect(proba.classes).toEqual(['FE', 'UE', 'W']);
    for (const [i, row] of proba.probabilities.entries()) {
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(proba.classes[row.indexOf(Math.max(...row))]).toBe(labels[i]);
    }
    expect(await predictor.refresh()).toBe(false); // unchanged pointer: nothing reloaded
  });

  it('rejects invalid points with a sentence naming the index and field', async () => {
    const { store } = await storeWithProduction();
    const predictor = new ProductionPredictor({ store, cache: new ModelCache({ disabled: true }) });
    await predictor.refresh();
    const points = generateDataPoints(3, 1);
    const bad = [points[0], points[1], { ...points[2], speed: 'fast' }];
    const error = errorOf(() => predictor.predict(bad));
    expect(isRallyError(error, 'PREDICT_INVALID_POINT')).toBe(true);
    expect((error as Error).message).toBe('Point 2 field "speed" is "fast"; it must be a finite number in [0, 120].');
    expect((errorOf(() => predictor.predict([])) as Error).message).toMatch(/no data points/);
    const { id: _id, ...withoutId } = points[0];
    expect((errorOf(() => predictor.predict([withoutId])) as Error).message).toBe('Point 0 is missing field "id".');
  });

  it('reloads when production moves, and keeps its model when a reload fails', async () => {
    const { store, run: first } = await storeWithProduction();
    const predictor = new ProductionPredictor({ store, cache: new ModelCache({ dir: tempDir('cache') }) });
    await predictor.refresh();
    const { run: second, dir } = await trainTinyRun({ params: { seed: 7 } });
    expect(second.modelId).not.toBe(first.modelId);
    await deployRun(store, dir);
    expect(await predictor.refresh()).toBe(true);
    expect(predictor.modelInfo?.model_id).toBe(second.modelId);

    // The store breaks (production names a model whose artifacts cannot be read): keep serving.
    let target: ModelStore = store;
    const switchable = new Proxy({} as ModelStore, {
      get: (_, key: keyof ModelStore) => (typeof target[key] === 'function' ? (target[key] as Function).bind(target) : target[key]),
    });
    const fragile = new ProductionPredictor({ store: switchable, cache: new ModelCache({ disabled: true }) });
    await fragile.refresh();
    target = Object.assign(Object.create(store) as ModelStore, {
      getProduction: async () => ({ model_id: 'f'.repeat(64), promoted_at: new Date().toISOString(), previous_model_id: second.modelId }),
      getArtifact: async () => {
        throw new Error('disk on fire');
      },
    });
    await expect(fragile.refresh()).rejects.toThrow(/disk on fire/);
    expect(fragile.modelInfo?.model_id).toBe(second.modelId);
    expect(fragile.predict(sampleDataPoints(2)).labels).toHaveLength(2);
  });
});
