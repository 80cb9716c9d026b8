/**
 * @rally/forest: a scikit-learn-style random forest classifier on top of (patched) ml-cart.
 * See forest.ts; the patches to ml-cart and ml-random-forest are in /patches.
 */
export { RandomForestClassifier, type FitOptions, type Matrix, type SerializedForest } from './forest.ts';
export { DEFAULT_PARAMS, type RandomForestParams } from './params.ts';
