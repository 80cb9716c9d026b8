import { RallyError } from '@rally/errors';

/** Hyperparameters (scikit-learn names in camelCase, scikit-learn classifier defaults except maxDepth). */
export interface RandomForestParams {
  /** Number of trees (default 100). */
  nEstimators: number;
  /** Maximum depth of a tree, the root at depth 0 (default 20); Infinity for unlimited. */
  maxDepth: number;
  /** Minimum number of (bootstrap) rows a node needs to be split (default 2). */
  minSamplesSplit: number;
  /** Minimum number of (bootstrap) rows on each side of a split (default 1). */
  minSamplesLeaf?: number;
  /**
   * Features drawn at each split, without replacement (default 'sqrt'): 'sqrt', 'log2', 'all', an
   * integer >= 1 (a count) or a number in (0, 1) (a fraction, at least one feature).
   */
  maxFeatures: 'sqrt' | 'log2' | 'all' | number;
  /**
   * Added to every class count of a leaf before its counts become probabilities (additive, or
   * Lidstone, smoothing; default 0, scikit-learn's leaves). A leaf then never gives a class
   * probability 0, the rows that dominate log loss when every tree is sure and wrong.
   */
  leafPrior?: number;
  /** Train each tree on a bootstrap sample (default true); otherwise on every row. */
  bootstrap: boolean;
  /** Seed of every random choice (default 42); any safe integer. */
  seed: number;
}

export const DEFAULT_PARAMS: Readonly<Required<RandomForestParams>> = Object.freeze({
  nEstimators: 100,
  maxDepth: 20,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  maxFeatures: 'sqrt',
  leafPrior: 0,
  bootstrap: true,
  seed: 42,
});

const KNOWN = new Set(Object.keys(DEFAULT_PARAMS));

function isPositiveInteger(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

/** Throws ESTIMATOR_BAD_PARAMS unless every hyperparameter is valid (maxFeatures against nFeatures if given). */
export function validateParams(params: Record<string, unknown>, nFeatures?: number): asserts params is Required<RandomForestParams> & Record<string, unknown> {
  const bad = (name: string, expected: string): never => {
    const value = params[name];
    // Numbers as written (JSON would say "null" for NaN and Infinity); anything else as JSON.
    const shown = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
    throw new RallyError('ESTIMATOR_BAD_PARAMS', `${name} must be ${expected}, got ${shown}.`, {
      details: { param: name, value: params[name] },
    });
  };
  const unknown = Object.keys(params).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) {
    throw new RallyError('ESTIMATOR_BAD_PARAMS', `Unknown hyperparameter ${unknown.join(', ')} (known: ${[...KNOWN].join(', ')}).`, {
      details: { unknown },
    });
  }
  if (!isPositiveInteger(params.nEstimators, 1) || params.nEstimators > 100_000) bad('nEstimators', 'an integer from 1 to 100000');
  if (!(params.maxDepth === Infinity || isPositiveInteger(params.maxDepth, 1))) bad('maxDepth', 'an integer >= 1 or Infinity');
  if (!isPositiveInteger(params.minSamplesSplit, 2)) bad('minSamplesSplit', 'an integer >= 2');
  if (!isPositiveInteger(params.minSamplesLeaf, 1)) bad('minSamplesLeaf', 'an integer >= 1');
  const mf = params.maxFeatures;
  const validMaxFeatures =
    mf === 'sqrt' || mf === 'log2' || mf === 'all' || isPositiveInteger(mf, 1) || (typeof mf === 'number' && mf > 0 && mf < 1);
  if (!validMaxFeatures) bad('maxFeatures', "'sqrt', 'log2', 'all', an integer >= 1 or a fraction in (0, 1)");
  if (nFeatures !== undefined && typeof mf === 'number' && Number.isInteger(mf) && mf > nFeatures) {
    bad('maxFeatures', `at most the number of features (${nFeatures})`);
  }
  const prior = params.leafPrior;
  if (!(typeof prior === 'number' && Number.isFinite(prior) && prior >= 0 && prior <= 1000)) bad('leafPrior', 'a number from 0 to 1000');
  if (typeof params.bootstrap !== 'boolean') bad('bootstrap', 'a boolean');
  if (!(typeof params.seed === 'number' && Number.isSafeInteger(params.seed))) bad('seed', 'a safe integer');
}

/** Number of features drawn at each split (params already validated). */
export function resolveMaxFeatures(maxFeatures: RandomForestParams['maxFeatures'], nFeatures: number): number {
  if (maxFeatures === 'all') return nFeatures;
  if (maxFeatures === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (maxFeatures === 'log2') return Math.max(1, Math.floor(Math.log2(nFeatures)));
  if (Number.isInteger(maxFeatures)) return maxFeatures;
  return Math.max(1, Math.floor(maxFeatures * nFeatures));
}
