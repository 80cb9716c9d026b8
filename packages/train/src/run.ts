import { type Dataset, loadDataset, selectRows, selectValues, tableToBatch, type RowBatch } from '@rally/features';
import { DEFAULT_PARAMS, FOREST_IMPLEMENTATION, mostProbableClass, type RandomForestParams } from '@rally/forest';
import { modelIdOf, Pipeline, type RunToWrite, type TrainReport } from '@rally/model';
import { accuracy, logLoss, mean, populationStd } from './metrics.ts';
import { stratifiedKFold, stratifiedSplit } from './split.ts';

/** The split every run and every comparison uses, so test figures are comparable across models. */
export const SPLIT = { seed: 42, testSize: 0.2, folds: 5 } as const;
/** The original app's hyperparameter grid (`--grid`). */
export const MAX_DEPTH_GRID = [10, 20] as const;

export interface TrainOptions {
  dataPath: string;
  params?: Partial<RandomForestParams>;
  /** Search max depth over MAX_DEPTH_GRID by cross-validation and keep the best. */
  grid?: boolean;
  /** Worker threads for tree building (0: this thread); by default the forest decides by size. */
  workers?: number;
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { phase: 'validated'; rows: number }
  | { phase: 'tree'; built: number; total: number; stage: string }
  | { phase: 'fold'; fold: number; folds: number; maxDepth: number; logLoss: number }
  | { phase: 'fitting' }
  | { phase: 'done'; modelId: string };

/** A finished run: its artifacts (written by model's writeRun) and the fitted pipeline. */
export interface TrainedRun extends RunToWrite {
  pipeline: Pipeline;
}

export interface CrossValidateOptions {
  /** Features of the configuration (default: the original app's 12). */
  featureNames?: readonly string[];
  workers?: number;
  onTree?: (fold: number, built: number, total: number) => void;
  /** After each fold, 0-based. */
  onFold?: (fold: number, loss: number) => void;
}

/** 5-fold stratified CV log loss of a configuration on the given rows (refits from scratch per fold). */
export async function crossValidate(
  batch: RowBatch,
  labels: readonly string[],
  params: Partial<RandomForestParams>,
  options: CrossValidateOptions = {},
): Promise<number[]> {
  const losses: number[] = [];
  for (const [fold, { train, test }] of stratifiedKFold(labels, SPLIT.folds, SPLIT.seed).entries()) {
    const onTree = options.onTree && ((built: number, total: number) => options.onTree!(fold, built, total));
    const pipeline = await Pipeline.create(params, options.featureNames).fit(selectRows(batch, train), selectValues(labels, train), { workers: options.workers, onTree });
    const loss = logLoss(selectValues(labels, test), pipeline.predictProba(selectRows(batch, test)), pipeline.classes);
    losses.push(loss);
    options.onFold?.(fold, loss);
  }
  return losses;
}

export function classPriorLogLoss(trainLabels: readonly string[], testLabels: readonly string[]): number {
  const classes = [...new Set(trainLabels)].sort();
  const shares = classes.map((label) => trainLabels.filter((l) => l === label).length / trainLabels.length);
  const proba = new Float64Array(testLabels.length * classes.length);
  for (let r = 0; r < testLabels.length; r += 1) proba.set(shares, r * classes.length);
  return logLoss(testLabels, proba, classes);
}

/** A whole training run: validate, split, cross-validate (or grid search), fit, evaluate. */
export async function trainRun(options: TrainOptions): Promise<TrainedRun> {
  const started = performance.now();
  const dataset: Dataset = loadDataset(options.dataPath);
  const workers = options.workers;
  options.onProgress?.({ phase: 'validated', rows: dataset.table.numRows() });

  const batch = tableToBatch(dataset.table);
  const labels = [...(batch.columns.outcome as readonly string[])];
  const { train, test } = stratifiedSplit(labels, SPLIT.testSize, SPLIT.seed);
  const trainBatch = selectRows(batch, train);
  const testBatch = selectRows(batch, test);
  const trainLabels = selectValues(labels, train);
  const testLabels = selectValues(labels, test);

  const base = { ...DEFAULT_PARAMS, ...options.params };
  const depths = options.grid ? [...MAX_DEPTH_GRID] : [base.maxDepth];
  const grid: NonNullable<TrainReport['grid']> = [];
  let best: { params: Partial<RandomForestParams>; losses: number[] } | undefined;
  const cvStarted = performance.now();
  for (const maxDepth of depths) {
    const params = { ...base, maxDepth };
    const losses = await crossValidate(trainBatch, trainLabels, params, {
      workers,
      onTree: (fold, built, total) => options.onProgress?.({ phase: 'tree', built, total, stage: `CV max_depth=${maxDepth} fold ${fold + 1}/${SPLIT.folds}` }),
      onFold: (fold, loss) => options.onProgress?.({ phase: 'fold', fold: fold + 1, folds: SPLIT.folds, maxDepth, logLoss: loss }),
    });
    grid.push({ max_depth: maxDepth, cv_mean_log_loss: mean(losses), cv_std_log_loss: populationStd(losses) });
    if (!best || mean(losses) < mean(best.losses)) best = { params, losses };
  }
  const cvSeconds = (performance.now() - cvStarted) / 1000;

  options.onProgress?.({ phase: 'fitting' });
  const fitStarted = performance.now();
  const pipeline = await Pipeline.create(best!.params).fit(trainBatch, trainLabels, {
    workers,
    onTree: (built, total) => options.onProgress?.({ phase: 'tree', built, total, stage: 'final fit' }),
  });
  const fitSeconds = (performance.now() - fitStarted) / 1000;

  const proba = pipeline.predictProba(testBatch);
  const model = Buffer.from(JSON.stringify(pipeline.toJSON()));
  const modelId = modelIdOf(model);
  const report: TrainReport = {
    model_id: modelId,
    created_at: new Date().toISOString(),
    test_log_loss: logLoss(testLabels, proba, pipeline.classes),
    accuracy: accuracy(testLabels, mostProbableClass(proba, pipeline.classes)),
    cv_log_losses: best!.losses,
    cv_mean_log_loss: mean(best!.losses),
    cv_std_log_loss: populationStd(best!.losses),
    class_prior_log_loss: classPriorLogLoss(trainLabels, testLabels),
    classes: [...pipeline.classes],
    features: pipeline.featureNames(),
    estimator: { type: 'RandomForestClassifier', library: FOREST_IMPLEMENTATION, params: pipeline.estimator.params },
    grid: options.grid ? grid : null,
    dataset: { file: dataset.fileName, sha256: dataset.sha256, rows: dataset.table.numRows() },
    split: { seed: SPLIT.seed, test_size: SPLIT.testSize, folds: SPLIT.folds, train_rows: train.length, test_rows: test.length },
    durations: { cv_seconds: cvSeconds, fit_seconds: fitSeconds, total_seconds: (performance.now() - started) / 1000 },
  };
  options.onProgress?.({ phase: 'done', modelId });
  return { modelId, model, dataset: dataset.bytes, report, pipeline };
}
