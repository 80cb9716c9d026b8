/**
 * @rally/forest: a scikit-learn-style random forest classifier grown by rally's own CART grower
 * (src/grower: presorted columns, O(n log n) Gini split search, per-split feature sampling), which
 * builds exactly the trees ml-cart 2.1.1 builds; a fitted forest also exports to
 * ml-random-forest's JSON (toMlRandomForestJSON) for the stock libraries to load, and to ONNX
 * (toOnnxModel: an ai.onnx.ml TreeEnsembleClassifier) for any ONNX runtime.
 *
 *   const forest = await new RandomForestClassifier({ nEstimators: 100, seed: 42 }).fit(X, y);
 *   forest.classes;              // ['FE', 'UE', 'W']: sorted labels, the columns of predictProba
 *   forest.predictProba(X);      // Float64Array, rows x classes.length, row-major
 *   forest.predict(X);           // string[]
 *   const json = JSON.stringify(forest);                  // { kind: 'rally.RandomForestClassifier', formatVersion: 2, ... }
 *   const again = RandomForestClassifier.fromJSON(json);  // MODEL_FORMAT error unless such a model
 *
 * X is { data: Float64Array, rows, cols } (row-major, finite values); labels are strings.
 * Errors are RallyErrors: ESTIMATOR_BAD_PARAMS, ESTIMATOR_BAD_INPUT, ESTIMATOR_NOT_FITTED, MODEL_FORMAT.
 */
export { FOREST_IMPLEMENTATION, mostProbableClass, RandomForestClassifier, warmTreeWorkers, type FitOptions, type Matrix, type SerializedForest } from './forest.ts';
export { DEFAULT_PARAMS, type RandomForestParams } from './params.ts';
export { toMlRandomForestJSON, type MlRandomForestJSON } from './interop/ml-random-forest.ts';
export { describeForest, ONNX_OPSETS, toOnnxModel, treeEnsembleNode, type OnnxExportOptions } from './interop/onnx.ts';
export { ONNX_ELEMENT, writeOnnxModel, type OnnxAttribute, type OnnxConstant, type OnnxElement, type OnnxGraph, type OnnxModelInfo, type OnnxNode, type OnnxValue } from './interop/onnx-graph.ts';
