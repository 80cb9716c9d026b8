export { Pipeline } from './pipeline.ts';
export type { FitOptions, SerializedPipeline } from './pipeline.ts';
export { stratifiedKFold, stratifiedSplit } from './split.ts';
export type { Split } from './split.ts';
export { LOG_LOSS_EPS, accuracy, logLoss, mean, populationStd, rowLogLosses } from './metrics.ts';
export { DEFAULT_PARAMS, MAX_DEPTH_GRID, SPLIT, classPriorLogLoss, crossValidate, modelIdOf, trainRun } from './run.ts';
export type { CrossValidateOptions, ProgressEvent, TrainOptions, TrainReport, TrainedRun } from './run.ts';
export { MODEL_ID_PATTERN, OUTPUT_DIR, RUN_FILES, listRuns, resolveRun, writeRun } from './runs.ts';
export type { RunSummary } from './runs.ts';
