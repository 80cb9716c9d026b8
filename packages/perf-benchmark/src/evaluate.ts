import { type RowBatch, selectRows } from '@rally/features';
import { accuracy, logLoss, mean, Pipeline, populationStd, rowLogLosses, SPLIT, stratifiedKFold } from '@rally/train';
import { bootstrapMeanCI, type BootstrapOptions, type ConfidenceInterval } from './bootstrap.ts';
import { pick, type SplitData } from './data.ts';

// ---------------------------------------------------------------------------------------------
// Pure core: probabilities and labels in, figures out. No forest needed to test it.
// ---------------------------------------------------------------------------------------------

export interface TestScores {
  /** Mean of rowLosses: scikit-learn's log_loss (clipped at 1e-15, rows renormalised). */
  logLoss: number;
  accuracy: number;
  /** -log p(true class) of each test row, in row order (for the paired comparison). */
  rowLosses: Float64Array;
}

/** The most probable class of each row (the first one on ties). `proba` is row-major rows x classes. */
export function argmaxLabels(proba: Float64Array, classes: readonly string[]): string[] {
  const k = classes.length;
  const rows = proba.length / k;
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let j = 1; j < k; j += 1) if (proba[r * k + j] > proba[r * k + best]) best = j;
    return classes[best];
  });
}

/**
 * Log loss and accuracy of probabilities against true labels. `predicted` are the model's own
 * predictions (for accuracy); by default the most probable class.
 */
export function scorePredictions(
  trueLabels: readonly string[],
  proba: Float64Array,
  classes: readonly string[],
  predicted: readonly string[] = argmaxLabels(proba, classes),
): TestScores {
  if (proba.length !== trueLabels.length * classes.length) {
    throw new RangeError(`Expected ${trueLabels.length} x ${classes.length} probabilities, got ${proba.length}.`);
  }
  const rowLosses = rowLogLosses(trueLabels, proba, classes);
  return { logLoss: mean(rowLosses), accuracy: accuracy(trueLabels, predicted), rowLosses };
}

export interface CvSummary {
  losses: number[];
  mean: number;
  /** Population standard deviation (ddof=0), for every model alike (the original mixed ddof 0 and 1). */
  std: number;
}

export function summarizeCv(losses: readonly number[]): CvSummary {
  return { losses: [...losses], mean: mean(losses), std: populationStd(losses) };
}

export type Verdict = 'worse' | 'better' | 'no clear difference';

export interface PairedDifference extends ConfidenceInterval {
  /** Test rows compared. */
  rows: number;
  /** From the interval: worse when it lies wholly above 0, better when wholly below. */
  verdict: Verdict;
}

/**
 * Paired difference of per-row log losses on the same test rows (candidate minus production;
 * positive means the candidate is worse) with a seeded percentile bootstrap interval of its mean.
 */
export function pairedDifference(candidateRows: ArrayLike<number>, productionRows: ArrayLike<number>, options: BootstrapOptions = {}): PairedDifference {
  if (candidateRows.length !== productionRows.length) {
    throw new RangeError(`Paired rows differ in length: ${candidateRows.length} candidate vs ${productionRows.length} production.`);
  }
  const differences = Float64Array.from(candidateRows, (value, i) => value - productionRows[i]);
  const interval = bootstrapMeanCI(differences, options);
  const verdict: Verdict = interval.low > 0 ? 'worse' : interval.high < 0 ? 'better' : 'no clear difference';
  return { ...interval, rows: differences.length, verdict };
}

// ---------------------------------------------------------------------------------------------
// Models: a fitted pipeline on the test part, its configuration refitted on the folds.
// ---------------------------------------------------------------------------------------------

/** What a saved model is made of, to refit it from scratch: estimator params and named features. */
export interface ModelConfig {
  params: Pipeline['estimator']['params'];
  featureNames: string[];
}

export function configOf(pipeline: Pipeline): ModelConfig {
  return { params: { ...pipeline.estimator.params }, featureNames: pipeline.features.features.map(([name]) => name) };
}

export interface CvOptions {
  folds?: number;
  seed?: number;
  /** Worker threads for the forest (results do not depend on it). */
  workers?: number;
  onFold?: (fold: number, folds: number, loss: number) => void;
}

/**
 * Stratified k-fold CV log losses of a configuration on the given rows, refitting a fresh
 * pipeline (same features, same params) per fold: the same folds as `pnpm train` uses.
 */
export async function crossValidateConfig(config: ModelConfig, batch: RowBatch, labels: readonly string[], options: CvOptions = {}): Promise<number[]> {
  const folds = options.folds ?? SPLIT.folds;
  const losses: number[] = [];
  for (const [fold, { train, test }] of stratifiedKFold(labels, folds, options.seed ?? SPLIT.seed).entries()) {
    const pipeline = await Pipeline.create(config.params, config.featureNames).fit(selectRows(batch, train), pick(labels, train), { workers: options.workers });
    const loss = logLoss(pick(labels, test), pipeline.predictProba(selectRows(batch, test)), pipeline.classes);
    losses.push(loss);
    options.onFold?.(fold + 1, folds, loss);
  }
  return losses;
}

export interface ModelEvaluation extends TestScores {
  config: ModelConfig;
  cv: CvSummary;
}

/** A fitted pipeline's test scores on the split's test part, and its configuration's CV on the training part. */
export async function evaluateModel(pipeline: Pipeline, split: SplitData, options: CvOptions = {}): Promise<ModelEvaluation> {
  // Accuracy on the most probable class, as the forest's own predict() would give, without predicting twice.
  const scores = scorePredictions(split.testLabels, pipeline.predictProba(split.testBatch), pipeline.classes);
  const config = configOf(pipeline);
  const cv = summarizeCv(await crossValidateConfig(config, split.trainBatch, split.trainLabels, options));
  return { ...scores, config, cv };
}
