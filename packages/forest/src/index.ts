/**
 * @rally/forest: a scikit-learn-style random forest classifier, trained with the patched ml-cart
 * (see /patches and src/tree-worker.js).
 *
 *   const forest = await new RandomForestClassifier({ nEstimators: 100, seed: 42 }).fit(X, y);
 *   forest.classes;              // ['FE', 'UE', 'W']: sorted labels, the columns of predictProba
 *   forest.predictProba(X);      // Float64Array, rows x classes.length, row-major
 *   forest.predict(X);           // string[]
 *   const json = JSON.stringify(forest);                  // { kind: 'rally.RandomForestClassifier', formatVersion: 1, ... }
 *   const again = RandomForestClassifier.fromJSON(json);  // MODEL_FORMAT error unless such a model
 *
 * X is { data: Float64Array, rows, cols } (row-major, finite values); labels are strings.
 * Errors are RallyErrors: ESTIMATOR_BAD_PARAMS, ESTIMATOR_BAD_INPUT, ESTIMATOR_NOT_FITTED, MODEL_FORMAT.
 */
export { mostProbableClass, RandomForestClassifier, type FitOptions, type Matrix, type SerializedForest } from './forest.ts';
export type { RandomForestParams } from './params.ts';
