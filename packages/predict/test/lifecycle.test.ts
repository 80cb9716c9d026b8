// @module-tag integration
/**
 * What a server and a command line rely on beyond one prediction: the model's identity as clients
 * see it, the production model loaded once, and the predictor's life (concurrent refreshes, why it
 * is not ready, reload counts, polling, a vanished pointer).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateDataPoints, inputColumns, pointsToBatch, sampleDataPoints } from '@rally/features';
import { deployRun, LocalFolderStore, ModelCache, type ModelStore, type ProductionPointer } from '@rally/model-store';
import { storeWithProduction, trainTinyRun } from '@rally/model-fixtures';
import { expectRallyError, tempDir, waitUntil } from '@rally/testkit';
import { LoadedModel, loadProductionModel, ProductionPredictor } from '../src/index.ts';

const reportBytes = (report: unknown) => Buffer.from(JSON.stringify(report));

/** A store that answers as `target` does, where the test can swap `target` or hold its answers. */
function switchableStore(initial: ModelStore) {
  const state = { target: initial };
  const store = new Proxy({} as ModelStore, {
    get: (_, key: keyof ModelStore) => {
      const value = state.target[key];
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(state.target) : value;
    },
  });
  return { store, state };
}

const logger = () => {
  const lines: { level: 'info' | 'warn'; message: string }[] = [];
  return { lines, log: { info: (message: string) => lines.push({ level: 'info', message }), warn: (message: string) => lines.push({ level: 'warn', message }) } };
};

afterEach(() => {
  vi.useRealTimers();
});

describe('LoadedModel: what clients are told about the model', () => {
  it('carries the report’s identity and metrics, the pipeline’s classes and 14 feature names, and no promotion unless a pointer says so', async () => {
    const { run } = await trainTinyRun();
    const files = { 'model.json': run.model, 'report.json': reportBytes(run.report) };
    const model = LoadedModel.fromArtifacts(run.modelId, files);
    expect(model.ready).toBe(true); // a loaded model is always ready to answer
    const info = model.modelInfo;
    expect(info).toEqual({
      model_id: run.modelId,
      created_at: run.report.created_at,
      promoted_at: null,
      metrics: {
        test_log_loss: run.report.test_log_loss,
        accuracy: run.report.accuracy,
        cv_mean_log_loss: run.report.cv_mean_log_loss,
        cv_std_log_loss: run.report.cv_std_log_loss,
      },
      classes: ['FE', 'UE', 'W'],
      features: expect.any(Array),
      estimator: run.report.estimator,
    });
    expect(info.features).toHaveLength(14);
    expect(new Set(info.features).size).toBe(14);

    const pointer: ProductionPointer = { model_id: run.modelId, promoted_at: '2026-01-02T03:04:05.000Z', previous_model_id: null };
    expect(LoadedModel.fromArtifacts(run.modelId, files, pointer).modelInfo.promoted_at).toBe('2026-01-02T03:04:05.000Z');
  });

  it('names the model in the error when its artifact does not match its id, or the place the caller gives', async () => {
    const { run } = await trainTinyRun();
    const damaged = { 'model.json': Buffer.from('{"not":"a model"}'), 'report.json': reportBytes(run.report) };
    const error = await expectRallyError(() => LoadedModel.fromArtifacts(run.modelId, damaged), 'STORE_CHECKSUM_MISMATCH');
    expect(error.message).toContain(`model ${run.modelId}`);
    const placed = await expectRallyError(() => LoadedModel.fromArtifacts(run.modelId, damaged, null, 'the shelf'), 'STORE_CHECKSUM_MISMATCH');
    expect(placed.message).toContain('the shelf');
  });

  it('gives one probability row per point, in class order, equal to the pipeline’s own, whose best class is the label', async () => {
    const { run } = await trainTinyRun();
    const model = LoadedModel.fromArtifacts(run.modelId, { 'model.json': run.model, 'report.json': reportBytes(run.report) });
    const points = sampleDataPoints(7, 3);
    const proba = model.predictProba(points);
    expect(proba.modelId).toBe(run.modelId);
    expect(proba.probabilities).toHaveLength(7);
    const flat = Array.from(model.pipeline.predictProba(pointsToBatch(points, inputColumns().map((column) => column.name))));
    expect(proba.probabilities.flat()).toEqual(flat);
    expect(proba.labels).toEqual(model.predict(points).labels);
    for (const row of proba.probabilities) expect(row).toHaveLength(3);
  });

  it('transforms points into the model’s 14 named feature columns, one row per point', async () => {
    const { run } = await trainTinyRun();
    const model = LoadedModel.fromArtifacts(run.modelId, { 'model.json': run.model, 'report.json': reportBytes(run.report) });
    const matrix = model.transform(sampleDataPoints(4, 2));
    expect(matrix.columns).toEqual(model.modelInfo.features);
    expect([matrix.rows, matrix.cols, matrix.data.length]).toEqual([4, 14, 56]);
  });

  it('checks points unless the caller says it already did', async () => {
    const { run } = await trainTinyRun();
    const model = LoadedModel.fromArtifacts(run.modelId, { 'model.json': run.model, 'report.json': reportBytes(run.report) });
    const [point] = generateDataPoints(1, 5);
    const outOfRange = { ...point, speed: 500 };
    await expectRallyError(() => model.predict([outOfRange]), 'PREDICT_INVALID_POINT');
    await expectRallyError(() => model.predictProba([outOfRange]), 'PREDICT_INVALID_POINT');
    await expectRallyError(() => model.transform([outOfRange]), 'PREDICT_INVALID_POINT');
    // Validated (the HTTP API checked with Ajv): not checked again, so an out-of-range speed is predicted.
    expect(model.predict([outOfRange], { validated: true }).labels).toHaveLength(1);
  });
});

describe('loadProductionModel: the production model, once', () => {
  it('loads what production names, with its promotion time', async () => {
    const { store, run } = await storeWithProduction();
    const model = await loadProductionModel(store, new ModelCache({ disabled: true }));
    const pointer = await store.getProduction();
    expect(model.modelInfo.model_id).toBe(run.modelId);
    expect(model.modelInfo.promoted_at).toBe(pointer?.promoted_at);
    expect(model.predict(sampleDataPoints(3)).labels).toHaveLength(3);
  });

  it('says which store has no production model', async () => {
    const store = new LocalFolderStore(tempDir('empty-store'));
    const error = await expectRallyError(loadProductionModel(store, new ModelCache({ disabled: true })), 'STORE_NO_PRODUCTION');
    expect(error.message).toBe(`The model store (${store.description}) has no production model yet; train one and deploy it.`);
  });

  it('names the production model and the store when its artifact does not match its id', async () => {
    const { store, run } = await storeWithProduction();
    const { store: damaged, state } = switchableStore(store);
    state.target = Object.assign(Object.create(store) as ModelStore, { getArtifact: async () => Buffer.from('{}') });
    const error = await expectRallyError(loadProductionModel(damaged, new ModelCache({ disabled: true })), 'STORE_CHECKSUM_MISMATCH');
    expect(error.message).toContain(`production model ${run.modelId} in ${store.description}`);
  });
});

describe('ProductionPredictor: its life in a server', () => {
  it('refuses to predict before a model is loaded, saying so', async () => {
    const predictor = new ProductionPredictor({ store: new LocalFolderStore(tempDir('empty')), cache: new ModelCache({ disabled: true }) });
    for (const action of [() => predictor.predict(sampleDataPoints(1)), () => predictor.predictProba(sampleDataPoints(1))]) {
      const error = await expectRallyError(action, 'PREDICT_NO_MODEL');
      expect(error.message).toBe('No production model is loaded yet.');
    }
    expect(predictor.notReadyReason).toBeNull(); // nothing tried yet
  });

  it('counts reloads: a new model is a success, an unchanged pointer nothing, a failure a failure; the failure’s message is why it is not ready', async () => {
    const empty = new LocalFolderStore(tempDir('empty'));
    const { store: switchable, state } = switchableStore(empty);
    const { lines, log } = logger();
    const predictor = new ProductionPredictor({ store: switchable, cache: new ModelCache({ disabled: true }), log });
    await expect(predictor.refresh()).rejects.toThrow(/no production model yet/);
    expect(predictor.reloads).toEqual({ success: 0, failure: 1 });
    expect(predictor.notReadyReason).toBe(`The model store (${empty.description}) has no production model yet; train one and deploy it.`);

    const { store, run } = await storeWithProduction();
    state.target = store;
    expect(await predictor.refresh()).toBe(true);
    expect(predictor.reloads).toEqual({ success: 1, failure: 1 });
    expect(predictor.ready).toBe(true);
    expect(predictor.notReadyReason).toBeNull();
    expect(lines).toEqual([{ level: 'info', message: `Loaded production model ${run.modelId}.` }]);

    expect(await predictor.refresh()).toBe(false);
    expect(predictor.reloads).toEqual({ success: 1, failure: 1 });
  });

  it('keeps serving its model when production vanishes from the store', async () => {
    const { store, run } = await storeWithProduction();
    const { store: switchable, state } = switchableStore(store);
    const predictor = new ProductionPredictor({ store: switchable, cache: new ModelCache({ disabled: true }) });
    await predictor.refresh();
    state.target = Object.assign(Object.create(store) as ModelStore, { getProduction: async () => null });
    expect(await predictor.refresh()).toBe(false);
    expect(predictor.modelInfo?.model_id).toBe(run.modelId);
    expect(predictor.reloads).toEqual({ success: 1, failure: 0 });
  });

  it('shares one load between concurrent refreshes, and says how long it has waited for a slow store', async () => {
    const { store, run } = await storeWithProduction();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const slow = Object.assign(Object.create(store) as ModelStore, {
      getProduction: async () => {
        calls += 1;
        await gate;
        return store.getProduction();
      },
    });
    const predictor = new ProductionPredictor({ store: slow, cache: new ModelCache({ disabled: true }) });
    const started = Date.now();
    vi.useFakeTimers({ now: started, toFake: ['Date'] });
    const first = predictor.refresh();
    vi.setSystemTime(started + 2_400);
    const second = predictor.refresh(); // joins the first load, which began 2.4 s ago
    expect(second).toBe(first);
    expect(predictor.ready).toBe(false);
    expect(predictor.notReadyReason).toBe(`Loading the production model: waiting 2 s so far for the model store (${store.description}) to answer.`);
    vi.setSystemTime(started + 7_600);
    expect(predictor.notReadyReason).toMatch(/waiting 8 s so far/);
    release();
    expect(await first).toBe(true);
    expect(calls).toBe(1);
    expect(predictor.modelInfo?.model_id).toBe(run.modelId);
    expect(predictor.notReadyReason).toBeNull();
    // Once settled, the next refresh is a new look at the store.
    expect(await predictor.refresh()).toBe(false);
    expect(calls).toBe(2);
  });

  it('polls the pointer: a deploy is picked up, a failing store is logged and the model kept, stop() ends it', async () => {
    const { store, run: first } = await storeWithProduction();
    const { store: switchable, state } = switchableStore(store);
    const { lines, log } = logger();
    const predictor = new ProductionPredictor({ store: switchable, cache: new ModelCache({ disabled: true }), pollIntervalMs: 20, log });
    await predictor.refresh();
    predictor.start();
    predictor.start(); // a second start does not add a second timer (stop() below must end all polling)

    const { run: second, dir } = await trainTinyRun({ params: { seed: 9 } });
    await deployRun(store, dir);
    expect(await waitUntil(() => predictor.modelInfo?.model_id === second.modelId, 10_000, 10)).toBe(true);
    expect(predictor.modelInfo?.model_id).not.toBe(first.modelId);

    state.target = Object.assign(Object.create(store) as ModelStore, {
      getProduction: async () => {
        throw new Error('store on fire');
      },
    });
    expect(await waitUntil(() => lines.some((line) => line.level === 'warn'), 10_000, 10)).toBe(true);
    expect(lines.find((line) => line.level === 'warn')?.message).toBe(`Reloading the production model failed, keeping ${second.modelId}: store on fire`);
    expect(predictor.modelInfo?.model_id).toBe(second.modelId);
    // A failed reload with a model in memory: still ready, with no reason not to be.
    expect(predictor.ready).toBe(true);
    expect(predictor.notReadyReason).toBeNull();

    predictor.stop();
    const failures = predictor.reloads.failure;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(predictor.reloads.failure).toBe(failures);
  });

  it('polls without a logger and before any model: a failing store is counted, never an unhandled rejection, and the warning says it keeps none', async () => {
    const failing = Object.assign(Object.create(new LocalFolderStore(tempDir('empty'))) as ModelStore, {
      getProduction: async () => {
        throw new Error('store on fire');
      },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const silent = new ProductionPredictor({ store: failing, cache: new ModelCache({ disabled: true }), pollIntervalMs: 10 });
      silent.start();
      expect(await waitUntil(() => silent.reloads.failure >= 2, 10_000, 10)).toBe(true);
      silent.stop();
      const { lines, log } = logger();
      const logged = new ProductionPredictor({ store: failing, cache: new ModelCache({ disabled: true }), pollIntervalMs: 10, log });
      logged.start();
      expect(await waitUntil(() => lines.length > 0, 10_000, 10)).toBe(true);
      logged.stop();
      expect(lines[0]).toEqual({ level: 'warn', message: 'Reloading the production model failed, keeping none: store on fire' });
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('does not poll when the interval is 0 or negative', async () => {
    for (const pollIntervalMs of [0, -5]) {
      let looks = 0;
      const store = Object.assign(Object.create(new LocalFolderStore(tempDir('empty'))) as ModelStore, {
        getProduction: async () => {
          looks += 1;
          return null;
        },
      });
      const predictor = new ProductionPredictor({ store, cache: new ModelCache({ disabled: true }), pollIntervalMs });
      predictor.start();
      await new Promise((resolve) => setTimeout(resolve, 60));
      predictor.stop();
      expect(looks).toBe(0);
    }
  });

  it('answers with the loaded model, in the order of the points', async () => {
    const { store, run } = await storeWithProduction();
    const predictor = new ProductionPredictor({ store, cache: new ModelCache({ disabled: true }) });
    await predictor.refresh();
    const direct = LoadedModel.fromArtifacts(run.modelId, { 'model.json': run.model, 'report.json': reportBytes(run.report) });
    const points = sampleDataPoints(9, 4);
    expect(predictor.predict(points)).toEqual(direct.predict(points));
    expect(predictor.predictProba(points)).toEqual(direct.predictProba(points));
    expect(predictor.predict([...points].reverse()).labels).toEqual([...direct.predict(points).labels].reverse());
  });
});
