// @module-tag integration
/**
 * Models that cannot answer, with consistent checksums (what a training bug or someone with write
 * access to the bucket can make), are refused wherever a model is taken in: loading, deploy,
 * rollback and hot reload. The server keeps the model it has, stays ready while it has one, and
 * says a refused reload once, not at every poll. model.json is sized before it is downloaded.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { isRallyError } from '@rally/errors';
import { readRunFolder } from '@rally/model';
import { craftedRun, trainTinyRun } from '@rally/model-fixtures';
import { deployRun, LocalFolderStore, ModelCache, rollback } from '@rally/model-store';
import { tempDir } from '@rally/testkit';
import { LoadedModel, ProductionPredictor } from '../src/index.ts';

let good: { dir: string; id: string };

beforeAll(async () => {
  const { run, dir } = await trainTinyRun();
  good = { dir, id: run.modelId };
}, 60_000);

/** The crafted models of the issue, and others of the same kind: each with the sentence it gets. */
const CRAFTED: [string, (model: Record<string, any>) => void, RegExp][] = [
  ['a forest that reads 40 features from a union that makes 14', (m) => (m.estimator.nFeatures = 40), /cannot answer: its forest reads 40 features but its feature union makes 14 columns; it was not loaded\.$/],
  ['classes other than the target\'s', (m) => (m.estimator.classes = ['A', 'B', 'C']), /cannot answer: its classes are A, B, C, not the target's FE, UE, W/],
  ['an unknown key padded into model.json', (m) => (m.padding = 'x'.repeat(1000)), /unknown key "padding"/],
  ['an unknown key inside the forest', (m) => (m.estimator.extra = 1), /unknown key "extra"/],
  ['an unknown key inside a tree', (m) => (m.estimator.trees[0].note = 'hi'), /Tree 0 of the saved forest has an unknown key "note"/],
  ['a split on a feature the forest does not have', (m) => (m.estimator.trees[0].feature[0] = 99), /feature 99 out of range/],
];

const refusal = async (load: () => unknown): Promise<{ code: string; message: string }> => {
  try {
    await load();
  } catch (error) {
    if (isRallyError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('not refused');
};

describe('loading a crafted model', () => {
  it.each(CRAFTED)('%s: refused in one sentence', async (_name, edit, sentence) => {
    const crafted = await craftedRun(good.dir, edit);
    const { code, message } = await refusal(() => LoadedModel.fromArtifacts(crafted.id, crafted.files));
    expect(['MODEL_CHECK_FAILED', 'MODEL_FORMAT']).toContain(code);
    expect(message).toMatch(sentence);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('a model larger than the limit is refused before it is parsed; the limit is a setting', async () => {
    const { modelId, files } = await readRunFolder(good.dir);
    const size = files['model.json'].byteLength;
    expect((await refusal(() => LoadedModel.fromArtifacts(modelId, files, null, 'the test', size - 1))).code).toBe('MODEL_TOO_LARGE');
    expect(LoadedModel.fromArtifacts(modelId, files, null, 'the test', size).modelInfo.model_id).toBe(modelId);
    expect((await refusal(() => readRunFolder(good.dir, size - 1))).message).toMatch(new RegExp(`^The model.json of run folder .* is ${size} bytes, over the limit of ${size - 1} \\(MODEL_MAX_BYTES\\); it was not read\\.$`));
  });
});

describe('deploy and rollback', () => {
  it.each(CRAFTED)('deploy refuses %s: nothing uploaded, production unchanged', async (_name, edit) => {
    const store = new LocalFolderStore(tempDir('store'));
    await deployRun(store, good.dir);
    const crafted = await craftedRun(good.dir, edit);
    await refusal(() => deployRun(store, crafted.dir));
    expect(await store.listModels()).toEqual([good.id]);
    expect((await store.getProduction())!.model_id).toBe(good.id);
  });

  it('rollback refuses a previous model that cannot answer (put there behind the checks): production unchanged', async () => {
    const store = new LocalFolderStore(tempDir('store'));
    const crafted = await craftedRun(good.dir, (m) => (m.estimator.nFeatures = 40));
    await store.putModel(crafted.id, crafted.files); // as someone with write access would
    await store.promote(crafted.id);
    await deployRun(store, good.dir);
    expect((await refusal(() => rollback(store))).code).toBe('MODEL_CHECK_FAILED');
    expect((await store.getProduction())!.model_id).toBe(good.id);
  });

  it('a stored model larger than the limit is refused by its manifest, before it is downloaded', async () => {
    const store = new LocalFolderStore(tempDir('store'));
    await deployRun(store, good.dir);
    store.maxArtifactBytes = 1024;
    const read = vi.spyOn(store as unknown as { readObject(key: string): Promise<Buffer | null> }, 'readObject');
    const { code, message } = await refusal(() => store.getArtifact(good.id, 'model.json'));
    expect(code).toBe('MODEL_TOO_LARGE');
    expect(message).toMatch(/over the limit of 1024 \(MODEL_MAX_BYTES\)/);
    expect(read.mock.calls.map(([key]) => key).filter((key) => key.endsWith('model.json'))).toEqual([]);
  });
});

describe('hot reload', () => {
  it('keeps the model it has and stays ready when production names a crafted one; says so once, then again when production changes', async () => {
    const store = new LocalFolderStore(tempDir('store'));
    await deployRun(store, good.dir);
    const warnings: string[] = [];
    const predictor = new ProductionPredictor({ store, cache: new ModelCache({ disabled: true }), pollIntervalMs: 20, log: { info: () => {}, warn: (message) => warnings.push(message) } });
    await predictor.refresh();
    const crafted = await craftedRun(good.dir, (m) => (m.estimator.nFeatures = 40));
    await store.putModel(crafted.id, crafted.files);
    await store.promote(crafted.id);
    const fetch = vi.spyOn(store, 'getArtifact');
    predictor.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 300)); // about 15 polls
      expect(predictor.ready).toBe(true);
      expect(predictor.modelInfo!.model_id).toBe(good.id);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(new RegExp(`^Reloading the production model failed, keeping ${good.id}: The model of production model ${crafted.id} .* cannot answer: its forest reads 40 features`));
      // Downloaded once, not at every poll.
      expect(fetch.mock.calls.filter(([, name]) => name === 'model.json')).toHaveLength(1);
      // Production changes to another crafted model: said again, once.
      const other = await craftedRun(good.dir, (m) => (m.estimator.classes = ['A', 'B', 'C']));
      await store.putModel(other.id, other.files);
      await store.promote(other.id);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(warnings).toHaveLength(2);
      expect(warnings[1]).toMatch(/its classes are A, B, C/);
      // And back to a good model: loaded.
      await store.promote(good.id);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(predictor.modelInfo!.model_id).toBe(good.id);
    } finally {
      predictor.stop();
    }
  });

  it('does not become ready on a first model that cannot answer', async () => {
    const store = new LocalFolderStore(tempDir('store'));
    const crafted = await craftedRun(good.dir, (m) => (m.estimator.nFeatures = 40));
    await store.putModel(crafted.id, crafted.files);
    await store.promote(crafted.id);
    const predictor = new ProductionPredictor({ store, cache: new ModelCache({ disabled: true }) });
    expect((await refusal(() => predictor.refresh())).code).toBe('MODEL_CHECK_FAILED');
    expect(predictor.ready).toBe(false);
    expect(predictor.notReadyReason).toMatch(/cannot answer/);
  });
});
