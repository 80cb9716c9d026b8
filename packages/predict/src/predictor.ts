import { isRallyError, RallyError } from '@rally/errors';
import { checkPoint, type DataPoint, type FeatureMatrix, inputColumns, pointsToBatch, type RowBatch } from '@rally/features';
import { mostProbableClass } from '@rally/forest';
import { loadModel, type Pipeline, type TrainReport } from '@rally/model';
import type { ModelCache, ModelStore, ProductionPointer } from '@rally/model-store';

/** What clients may know about the model that answers them. */
export interface ModelInfo {
  model_id: string;
  created_at: string;
  promoted_at: string | null;
  metrics: { test_log_loss: number; accuracy: number; cv_mean_log_loss: number; cv_std_log_loss: number };
  classes: string[];
  features: string[];
  estimator: TrainReport['estimator'];
}

export interface Prediction {
  modelId: string;
  labels: string[];
}

export interface ProbabilityPrediction {
  modelId: string;
  classes: string[];
  /** The most probable class of each point (what predict() gives). */
  labels: string[];
  /** One row per point, one probability per class (in `classes` order), each row summing to 1. */
  probabilities: number[][];
}

export interface PredictOptions {
  /**
   * The caller has already checked the points against the contract's point schema (the HTTP API
   * does, with Ajv): skip checking them again.
   */
  validated?: boolean;
}

/** Model reloads since the start: the metrics endpoint reports them. */
export interface ReloadCounts {
  /** A new production model was loaded (the first one included). */
  readonly success: number;
  /** Loading failed (the model in memory, if any, kept serving). */
  readonly failure: number;
}

/** What the HTTP layer needs; tests inject their own (a failing one, a slow one). */
export interface Predictor {
  readonly ready: boolean;
  /** Why there is no model yet (null once ready, or while nothing has been tried). */
  readonly notReadyReason?: string | null;
  readonly modelInfo: ModelInfo | null;
  readonly reloads?: ReloadCounts;
  predict(points: readonly unknown[], options?: PredictOptions): Prediction;
  predictProba(points: readonly unknown[], options?: PredictOptions): ProbabilityPrediction;
}

const INPUT_NAMES = inputColumns().map((column) => column.name);

/** Checks points against the schema derived from the contract; the first problem is one sentence naming index and field. */
export function assertValidPoints(points: readonly unknown[]): asserts points is readonly DataPoint[] {
  if (points.length === 0) throw new RallyError('PREDICT_INVALID_POINT', 'There are no data points to predict.');
  for (const [index, point] of points.entries()) {
    const problem = checkPoint(point, index);
    if (problem) throw new RallyError('PREDICT_INVALID_POINT', problem);
  }
}

/** A fitted pipeline with its identity: what one loaded model is. */
export class LoadedModel implements Predictor {
  readonly ready = true;
  readonly pipeline: Pipeline;
  readonly modelInfo: ModelInfo;

  constructor(pipeline: Pipeline, modelInfo: ModelInfo) {
    this.pipeline = pipeline;
    this.modelInfo = modelInfo;
  }

  /** A model from its model.json and report.json bytes, verified against `modelId` (see @rally/model's loadModel). */
  static fromArtifacts(
    modelId: string,
    files: { 'model.json': Buffer; 'report.json': Buffer },
    pointer: ProductionPointer | null = null,
    where = `model ${modelId}`,
    maxBytes?: number,
  ): LoadedModel {
    const { pipeline, report } = loadModel(modelId, files, where, maxBytes);
    const info: ModelInfo = {
      model_id: report.model_id,
      created_at: report.created_at,
      promoted_at: pointer?.promoted_at ?? null,
      metrics: {
        test_log_loss: report.test_log_loss,
        accuracy: report.accuracy,
        cv_mean_log_loss: report.cv_mean_log_loss,
        cv_std_log_loss: report.cv_std_log_loss,
      },
      classes: [...pipeline.classes],
      features: pipeline.featureNames(),
      estimator: report.estimator,
    };
    return new LoadedModel(pipeline, info);
  }

  /** Points as the rows the pipeline reads, checked first unless the caller did. */
  private batch(points: readonly unknown[], options: PredictOptions): RowBatch {
    if (!options.validated) assertValidPoints(points);
    return pointsToBatch(points as readonly DataPoint[], INPUT_NAMES);
  }

  predict(points: readonly unknown[], options: PredictOptions = {}): Prediction {
    return { modelId: this.modelInfo.model_id, labels: this.pipeline.predict(this.batch(points, options)) };
  }

  /** The feature matrix the forest sees for these points: the model's own fitted features, named columns. */
  transform(points: readonly unknown[], options: PredictOptions = {}): FeatureMatrix {
    return this.pipeline.transform(this.batch(points, options));
  }

  predictProba(points: readonly unknown[], options: PredictOptions = {}): ProbabilityPrediction {
    const classes = [...this.pipeline.classes];
    const flat = this.pipeline.predictProba(this.batch(points, options));
    const k = classes.length;
    const probabilities = Array.from({ length: points.length }, (_, r) => Array.from(flat.subarray(r * k, (r + 1) * k)));
    return { modelId: this.modelInfo.model_id, classes, labels: mostProbableClass(flat, classes), probabilities };
  }
}

/** Failures that are the model's own (its bytes or what they hold), not the store's: retrying will not help. */
const REFUSED_FOR_WHAT_IT_IS = ['MODEL_CHECK_FAILED', 'MODEL_FORMAT', 'MODEL_TOO_LARGE', 'STORE_CORRUPTED', 'STORE_CHECKSUM_MISMATCH'] as const;

const noProduction = (store: ModelStore) => new RallyError('STORE_NO_PRODUCTION', `The model store (${store.description}) has no production model yet; train one and deploy it.`);

/** The model a production pointer names, through the cache, verified. */
async function loadPointedModel(store: ModelStore, cache: ModelCache, pointer: ProductionPointer): Promise<LoadedModel> {
  const [model, report] = await Promise.all([cache.fetch(store, pointer.model_id, 'model.json'), cache.fetch(store, pointer.model_id, 'report.json')]);
  return LoadedModel.fromArtifacts(pointer.model_id, { 'model.json': model, 'report.json': report }, pointer, `production model ${pointer.model_id} in ${store.description}`, store.maxArtifactBytes);
}

/** The production model now, once (no polling): what a command line predicts with. STORE_NO_PRODUCTION when there is none. */
export async function loadProductionModel(store: ModelStore, cache: ModelCache): Promise<LoadedModel> {
  const pointer = await store.getProduction();
  if (!pointer) throw noProduction(store);
  return loadPointedModel(store, cache, pointer);
}

export interface ProductionPredictorOptions {
  store: ModelStore;
  cache: ModelCache;
  /** How often to look at the production pointer; 0 disables polling. Default 30 s. */
  pollIntervalMs?: number;
  /** Told about reloads and failed reloads (the server passes its logger). */
  log?: { info(message: string): void; warn(message: string): void };
}

/**
 * Serves the model the store's production pointer names. Loads it through the cache, polls the
 * pointer and swaps models when it moves; a failed reload keeps the model it has.
 */
export class ProductionPredictor implements Predictor {
  private current: LoadedModel | null = null;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<boolean> | undefined;
  private lastError: string | null = null;
  /**
   * The production model last refused for what it is (it cannot answer, or its bytes are wrong), and
   * why: not downloaded again while production still names it, and its warning said once.
   */
  private refused: { modelId: string; error: Error } | null = null;
  /** The last failed reload that was logged (model and message): the same failure is not logged again. */
  private lastWarning: string | null = null;
  private loadingSince: number | null = null;
  readonly reloads = { success: 0, failure: 0 };

  private readonly options: ProductionPredictorOptions;
  constructor(options: ProductionPredictorOptions) {
    this.options = options;
  }

  get ready(): boolean {
    return this.current !== null;
  }

  get modelInfo(): ModelInfo | null {
    return this.current?.modelInfo ?? null;
  }

  get notReadyReason(): string | null {
    if (this.current) return null;
    if (this.lastError) return this.lastError;
    if (this.refreshing && this.loadingSince !== null) {
      const waited = Math.round((Date.now() - this.loadingSince) / 1000);
      return `Loading the production model: waiting ${waited} s so far for the model store (${this.options.store.description}) to answer.`;
    }
    return null;
  }

  /**
   * Loads production if it changed. Returns true when a new model was loaded. Errors propagate
   * (the caller decides); the model in memory is only replaced by a fully loaded one.
   */
  refresh(): Promise<boolean> {
    if (!this.refreshing) this.loadingSince = Date.now();
    this.refreshing ??= this.load()
      .then(
        (loaded) => {
          this.lastError = null;
          if (loaded) this.reloads.success += 1;
          return loaded;
        },
        (error: Error) => {
          this.lastError = error.message;
          this.reloads.failure += 1;
          throw error;
        },
      )
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async load(): Promise<boolean> {
    const { store, cache } = this.options;
    const pointer = await store.getProduction();
    if (!pointer) {
      if (this.current) return false; // production vanished: keep serving what we have
      throw noProduction(store);
    }
    if (pointer.model_id === this.current?.modelInfo.model_id) {
      this.refused = null;
      return false;
    }
    if (pointer.model_id === this.refused?.modelId) throw this.refused.error;
    try {
      this.current = await loadPointedModel(store, cache, pointer);
    } catch (error) {
      if (REFUSED_FOR_WHAT_IT_IS.some((code) => isRallyError(error, code))) this.refused = { modelId: pointer.model_id, error: error as Error };
      throw error;
    }
    this.refused = null;
    this.lastWarning = null;
    this.options.log?.info(`Loaded production model ${pointer.model_id}.`);
    return true;
  }

  /** Polls the pointer in the background (the timer does not keep the process alive). */
  start(): void {
    const interval = this.options.pollIntervalMs ?? 30_000;
    if (interval <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().catch((error: Error) => {
        // Once per failure: a model refused at every poll is said once, then again when production changes.
        const warning = `Reloading the production model failed, keeping ${this.current?.modelInfo.model_id ?? 'none'}: ${error.message}`;
        if (warning === this.lastWarning) return;
        this.lastWarning = warning;
        this.options.log?.warn(warning);
      });
    }, interval);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private loaded(): LoadedModel {
    if (!this.current) throw new RallyError('PREDICT_NO_MODEL', 'No production model is loaded yet.');
    return this.current;
  }

  predict(points: readonly unknown[], options?: PredictOptions): Prediction {
    return this.loaded().predict(points, options);
  }

  predictProba(points: readonly unknown[], options?: PredictOptions): ProbabilityPrediction {
    return this.loaded().predictProba(points, options);
  }
}
