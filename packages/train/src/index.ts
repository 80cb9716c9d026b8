/**
 * @rally/train: a training run (validate, stratified split, 5-fold CV, the depth grid or a tuning
 * search, fit, evaluate), its metrics and its default settings (TRAIN_DEFAULTS, chosen by tune).
 * What it produces (Pipeline, run folders, report.json) is @rally/model's.
 */
export { SPLIT, stratifiedKFold, stratifiedSplit } from './split.ts';
export type { Split } from './split.ts';
export { LOG_LOSS_EPS, accuracy, logLoss, mean, populationStd, rowLogLosses } from './metrics.ts';
export { crossValidate, type CrossValidateOptions } from './cross-validate.ts';
export { MAX_DEPTH_GRID, NEAR_ZERO, classPriorLogLoss, nearZeroRows, trainRun } from './run.ts';
export { TRAIN_DEFAULTS } from './defaults.ts';
export { ORIGINAL_SETTINGS, TUNE_SPACE, drawCandidates, standardError, tune } from './tune.ts';
export type { TunedParams, TuneOptions, TuneResult, TuneRow, TuneSpace } from './tune.ts';
export { formatSettings, formatTuneTable } from './tune-table.ts';
export type { ProgressEvent, TrainOptions, TrainedRun } from './run.ts';
