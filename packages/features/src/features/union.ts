import { assertKnownKeys, RallyError } from '@rally/errors';
import { FEATURE_STORE, DEFAULT_FEATURES } from './store.ts';
import type { FeatureTransformer, RowBatch } from './transformer.ts';

/** A dense row-major matrix with named columns: what the estimator consumes. */
export interface FeatureMatrix {
  data: Float64Array;
  rows: number;
  cols: number;
  columns: string[];
}

export interface SerializedFeatureUnion {
  kind: 'rally.FeatureUnion';
  formatVersion: 1;
  features: { name: string; state: unknown }[];
}

/**
 * scikit-learn's FeatureUnion for rally: (name, transformer) pairs with unique names, fitted on
 * training rows only, outputs concatenated side by side in order.
 */
export class FeatureUnion {
  readonly features: readonly (readonly [string, FeatureTransformer])[];

  constructor(features: readonly (readonly [string, FeatureTransformer])[]) {
    const names = new Set<string>();
    for (const [name] of features) {
      if (names.has(name)) throw new RallyError('FEATURE_DUPLICATE_NAME', `Feature "${name}" appears twice in the union.`);
      names.add(name);
    }
    this.features = features;
  }

  /** A union of named features from the feature store (the original app's 12 by default). */
  static fromStore(names: readonly string[] = DEFAULT_FEATURES): FeatureUnion {
    return new FeatureUnion(
      names.map((name) => {
        const make = FEATURE_STORE.get(name);
        if (!make) throw new RallyError('FEATURE_BAD_INPUT', `No feature "${name}" in the feature store; known: ${[...FEATURE_STORE.keys()].join(', ')}.`);
        return [name, make()] as const;
      }),
    );
  }

  get fitted(): boolean {
    return this.features.every(([, feature]) => feature.fitted);
  }

  /** Raw columns the union reads. */
  get inputColumns(): string[] {
    return [...new Set(this.features.flatMap(([, feature]) => feature.inputColumns))];
  }

  fit(batch: RowBatch): this {
    this.#layout = undefined;
    for (const [, feature] of this.features) feature.fit(batch);
    return this;
  }

  /** Output names and each feature's column offset, computed once per fit (transform is a hot path). */
  #layout: { names: string[]; offsets: number[] } | undefined;

  #outputLayout(): { names: string[]; offsets: number[] } {
    if (!this.#layout) {
      this.assertFitted();
      const names: string[] = [];
      const offsets: number[] = [];
      for (const [, feature] of this.features) {
        offsets.push(names.length);
        names.push(...feature.outputNames());
      }
      this.#layout = { names, offsets };
    }
    return this.#layout;
  }

  featureNames(): string[] {
    return [...this.#outputLayout().names];
  }

  transform(batch: RowBatch): FeatureMatrix {
    const { names, offsets } = this.#outputLayout();
    const cols = names.length;
    const data = new Float64Array(batch.rows * cols);
    this.features.forEach(([, feature], i) => feature.transformInto(batch, data, cols, offsets[i]));
    return { data, rows: batch.rows, cols, columns: [...names] };
  }

  fitTransform(batch: RowBatch): FeatureMatrix {
    return this.fit(batch).transform(batch);
  }

  toJSON(): SerializedFeatureUnion {
    this.assertFitted();
    return { kind: 'rally.FeatureUnion', formatVersion: 1, features: this.features.map(([name, feature]) => ({ name, state: feature.getState() })) };
  }

  static fromJSON(json: unknown): FeatureUnion {
    const saved = json as SerializedFeatureUnion;
    if (saved?.kind !== 'rally.FeatureUnion' || saved.formatVersion !== 1 || !Array.isArray(saved.features)) {
      throw new RallyError('MODEL_FORMAT', 'Not a saved rally.FeatureUnion of format version 1.');
    }
    assertKnownKeys(saved, ['kind', 'formatVersion', 'features'], 'The saved feature union');
    saved.features.forEach((feature, i) => assertKnownKeys(feature, ['name', 'state'], `Feature ${i} of the saved feature union`));
    const union = FeatureUnion.fromStore(saved.features.map((feature) => feature.name));
    union.features.forEach(([, feature], i) => feature.setState(saved.features[i].state));
    return union;
  }

  private assertFitted(): void {
    const unfitted = this.features.find(([, feature]) => !feature.fitted);
    if (unfitted) throw new RallyError('FEATURE_NOT_FITTED', `Feature "${unfitted[0]}" is not fitted; call fit first.`);
  }
}
