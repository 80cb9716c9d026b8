import { assertKnownKeys, RallyError } from '@rally/errors';
import { DEFAULT_FEATURES, FeatureUnion, type FeatureMatrix, type RowBatch, type SerializedFeatureUnion } from '@rally/features';
import { type FitOptions, RandomForestClassifier, type RandomForestParams } from '@rally/forest';

export interface SerializedPipeline {
  kind: 'rally.Pipeline';
  formatVersion: 1;
  features: SerializedFeatureUnion;
  estimator: ReturnType<RandomForestClassifier['toJSON']>;
}


/**
 * The modelling pipeline of the original app: feature union, then random forest. It is the unit
 * that is trained, saved (model.json), deployed and served, so features always travel with the
 * forest that was fitted on them. Its JSON nests the union's and the forest's, each with its own
 * kind and format version (the forest's records what grew it).
 */
export class Pipeline {
  readonly features: FeatureUnion;
  readonly estimator: RandomForestClassifier;

  constructor(features: FeatureUnion, estimator: RandomForestClassifier) {
    this.features = features;
    this.estimator = estimator;
  }

  /** An unfitted pipeline: named features from the feature store, then a forest with these parameters. */
  static create(params: Partial<RandomForestParams> = {}, featureNames: readonly string[] = DEFAULT_FEATURES): Pipeline {
    return new Pipeline(FeatureUnion.fromStore(featureNames), new RandomForestClassifier(params));
  }

  /** Fits the features on the training rows only, then the forest on their output. */
  async fit(batch: RowBatch, labels: readonly string[], options: FitOptions = {}): Promise<this> {
    const X = this.features.fitTransform(batch);
    await this.estimator.fit(X, labels, options);
    return this;
  }

  get classes(): readonly string[] {
    return this.estimator.classes;
  }

  featureNames(): string[] {
    return this.features.featureNames();
  }

  transform(batch: RowBatch): FeatureMatrix {
    return this.features.transform(batch);
  }

  /** Class probabilities, row-major rows x classes, in `classes` order. */
  predictProba(batch: RowBatch): Float64Array {
    return this.estimator.predictProba(this.transform(batch));
  }

  predict(batch: RowBatch): string[] {
    return this.estimator.predict(this.transform(batch));
  }

  toJSON(): SerializedPipeline {
    return { kind: 'rally.Pipeline', formatVersion: 1, features: this.features.toJSON(), estimator: this.estimator.toJSON() };
  }

  static fromJSON(json: unknown): Pipeline {
    const saved = json as SerializedPipeline;
    if (saved === null || typeof saved !== 'object' || saved.kind !== 'rally.Pipeline' || saved.formatVersion !== 1) {
      throw new RallyError('MODEL_FORMAT', 'Not a saved rally.Pipeline of format version 1.');
    }
    assertKnownKeys(saved, ['kind', 'formatVersion', 'features', 'estimator'], 'The saved pipeline');
    return new Pipeline(FeatureUnion.fromJSON(saved.features), RandomForestClassifier.fromJSON(saved.estimator));
  }
}
