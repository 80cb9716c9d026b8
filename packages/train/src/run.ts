import { selectRows, selectValues } from '@rally/features';
import { type Dataset, loadDataset } from '@rally/features/dataset';
import { FOREST_IMPLEMENTATION, mostProbableClass, type RandomForestParams, warmTreeWorkers } from '@rally/forest';
import { modelIdOf, Pipeline, type RunToWrite, type TrainReport } from '@rally/model';
import { crossValidate } from './cross-validate.ts';
import { TRAIN_DEFAULTS } from './defaults.ts';
import { accuracy, logLoss, mean, populationStd, rowLogLosses } from './metrics.ts';
import { tune, type TuneOptions, type TuneRow } from './tune.ts';
import { SPLIT, stratifiedSplit } from './split.ts';

/** The original app's hyperparameter grid (`--grid`). */
export const MAX_DEPTH_GRID = [10, 20] as const;

export interface TrainOptions {
  dataPath: string;
  params?: Partial<RandomForestParams>;
  /** Search max depth over MAX_DEPTH_GRID by cross-validation and keep the best. */
  grid?: boolean;
  /**
   * Random search over TUNE_SPACE by cross-validation on the training part, then fit the winner
   * (its searched hyperparameters replace those of `params`). Not with `grid`.
   */
  tune?: Pick<TuneOptions, 'seed' | 'candidates' | 'space'>;
  /** Worker threads for tree building (0: this thread); by default the forest decides by size. */
  workers?: number;
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { phase: 'validated'; rows: number }
  /** A tree built; `candidate` while tuning (how many settings the search tries). */
  | { phase: 'tree'; built: number; total: number; stage: string; candidate?: { index: number; total: number } }
  /** A cross-validation fold done: of the depth grid's `maxDepth`, or of tuning's `candidate`. */
  | { phase: 'fold'; fold: number; folds: number; maxDepth?: number; candidate?: { index: number; total: number }; logLoss: number }
  | { phase: 'candidate'; index: number; total: number; row: TuneRow }
  | { phase: 'fitting' }
  | { phase: 'done'; modelId: string };

/** A finished run: its artifacts (written by model's writeRun) and the fitted pipeline. */
export interface TrainedRun extends RunToWrite {
  pipeline: Pipeline;
}

export function classPriorLogLoss(trainLabels: readonly string[], testLabels: readonly string[]): number {
  const classes = [...new Set(trainLabels)].sort();
  const shares = classes.map((label) => trainLabels.filter((l) => l === label).length / trainLabels.length);
  const proba = new Float64Array(testLabels.length * classes.length);
  for (let r = 0; r < testLabels.length; r += 1) proba.set(shares, r * classes.length);
  return logLoss(testLabels, proba, classes);
}

/** Probability below which a test row counts as given (nearly) zero for its true class. */
export const NEAR_ZERO = 1e-6;

/** Test rows given p(true class) < NEAR_ZERO, and their share of the summed log loss: the rows that dominate it. */
export function nearZeroRows(rowLosses: Float64Array): { threshold: number; rows: number; log_loss_share: number } {
  let rows = 0;
  let theirs = 0;
  let total = 0;
  for (const loss of rowLosses) {
    total += loss;
    if (loss > -Math.log(NEAR_ZERO)) {
      rows += 1;
      theirs += loss;
    }
  }
  return { threshold: NEAR_ZERO, rows, log_loss_share: total > 0 ? theirs / total : 0 };
}

/**
 * The loaded rows split into the training and test parts (copies of their rows). Only the parts
 * leave: the loaded table is not referenced after this returns, so that the rest of the run (CV,
 * fit) does not hold the whole file's columns as well.
 */
function splitDataset(loaded: Dataset) {
  const batch = loaded.batch;
  const labels = Array.from(batch.columns.outcome as Iterable<string>);
  const { train, test } = stratifiedSplit(labels, SPLIT.testSize, SPLIT.seed);
  return {
    dataset: { fileName: loaded.fileName, sha256: loaded.sha256, rows: batch.rows },
    train,
    test,
    trainBatch: selectRows(batch, train),
    testBatch: selectRows(batch, test),
    trainLabels: selectValues(labels, train),
    testLabels: selectValues(labels, test),
  };
}

/** A whole training run: validate, split, cross-validate (or grid search, or tune), fit, evaluate. */
export async function trainRun(options: TrainOptions): Promise<TrainedRun> {
  const started = performance.now();
  // Six forests follow: the threads that build them start while the data loads.
  if (options.workers === undefined || options.workers > 0) warmTreeWorkers();
  const { dataset, train, test, trainBatch, testBatch, trainLabels, testLabels } = splitDataset(loadDataset(options.dataPath));
  const workers = options.workers;
  options.onProgress?.({ phase: 'validated', rows: dataset.rows });

  if (options.grid && options.tune) throw new RangeError('trainRun: grid and tune are two different searches; ask for one.');
  const base = { ...TRAIN_DEFAULTS, ...options.params };
  const grid: NonNullable<TrainReport['grid']> = [];
  let best: { params: Partial<RandomForestParams>; losses: number[] } | undefined;
  let tuning: TrainReport['tuning'] = null;
  const cvStarted = performance.now();
  if (options.tune) {
    // The search sees the training part only; the test part is scored once, below, by the winner.
    tuning = await tune(trainBatch, trainLabels, {
      ...options.tune,
      base,
      workers,
      onCandidate: ({ index, total, row }) => options.onProgress?.({ phase: 'candidate', index, total, row }),
      onTree: (candidate, fold, built, total) =>
        options.onProgress?.({ phase: 'tree', built, total, stage: `tune ${candidate.index}/${candidate.total} fold ${fold + 1}/${SPLIT.folds}`, candidate }),
      onFold: (candidate, fold, loss) => options.onProgress?.({ phase: 'fold', fold: fold + 1, folds: SPLIT.folds, candidate, logLoss: loss }),
    });
    const winner = tuning.rows[tuning.winner_rank - 1];
    best = { params: { ...base, ...winner.params }, losses: winner.cv_log_losses };
  } else {
    for (const maxDepth of options.grid ? [...MAX_DEPTH_GRID] : [base.maxDepth]) {
      const params = { ...base, maxDepth };
      const losses = await crossValidate(trainBatch, trainLabels, params, {
        workers,
        onTree: (fold, built, total) => options.onProgress?.({ phase: 'tree', built, total, stage: `CV max_depth=${maxDepth} fold ${fold + 1}/${SPLIT.folds}` }),
        onFold: (fold, loss) => options.onProgress?.({ phase: 'fold', fold: fold + 1, folds: SPLIT.folds, maxDepth, logLoss: loss }),
      });
      grid.push({ max_depth: maxDepth, cv_mean_log_loss: mean(losses), cv_std_log_loss: populationStd(losses) });
      if (!best || mean(losses) < mean(best.losses)) best = { params, losses };
    }
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
  const rowLosses = rowLogLosses(testLabels, proba, pipeline.classes);
  const model = Buffer.from(JSON.stringify(pipeline.toJSON()));
  const modelId = modelIdOf(model);
  const report: TrainReport = {
    model_id: modelId,
    created_at: new Date().toISOString(),
    test_log_loss: mean(rowLosses),
    test_near_zero: nearZeroRows(rowLosses),
    accuracy: accuracy(testLabels, mostProbableClass(proba, pipeline.classes)),
    cv_log_losses: best!.losses,
    cv_mean_log_loss: mean(best!.losses),
    cv_std_log_loss: populationStd(best!.losses),
    class_prior_log_loss: classPriorLogLoss(trainLabels, testLabels),
    classes: [...pipeline.classes],
    features: pipeline.featureNames(),
    estimator: { type: 'RandomForestClassifier', library: FOREST_IMPLEMENTATION, params: pipeline.estimator.params },
    grid: options.grid ? grid : null,
    tuning,
    dataset: { file: dataset.fileName, sha256: dataset.sha256, rows: dataset.rows },
    split: { seed: SPLIT.seed, test_size: SPLIT.testSize, folds: SPLIT.folds, train_rows: train.length, test_rows: test.length },
    durations: { cv_seconds: cvSeconds, fit_seconds: fitSeconds, total_seconds: (performance.now() - started) / 1000 },
  };
  options.onProgress?.({ phase: 'done', modelId });
  // The file itself, with the hash its rows were read with: the run's copy is checked against it.
  return { modelId, model, dataset: { path: options.dataPath, sha256: dataset.sha256 }, report, pipeline };
}
