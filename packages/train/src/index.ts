/**
 * @rally/train: a training run (validate, stratified split, 5-fold CV or the depth grid, fit,
 * evaluate) and its metrics. What it produces (Pipeline, run folders, report.json) is @rally/model's.
 */
export { stratifiedKFold, stratifiedSplit } from './split.ts';
export type { Split } from './split.ts';
export { LOG_LOSS_EPS, accuracy, logLoss, mean, populationStd, rowLogLosses } from './metrics.ts';
export { MAX_DEPTH_GRID, SPLIT, classPriorLogLoss, crossValidate, trainRun } from './run.ts';
export type { CrossValidateOptions, ProgressEvent, TrainOptions, TrainedRun } from './run.ts';
