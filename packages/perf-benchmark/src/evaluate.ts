import { mostProbableClass } from '@rally/forest';
import type { Pipeline } from '@rally/model';
import { accuracy, crossValidate, mean, populationStd, rowLogLosses, SPLIT } from '@rally/train';
import { bootstrapMeanCI, type BootstrapOptions, type ConfidenceInterval } from './bootstrap.ts';
import type { SplitData } from './data.ts';
import { type Diagnostics, diagnose } from './diagnostics.ts';

// ---------------------------------------------------------------------------------------------
// Pure core: probabilities and labels in, figures out. No forest needed to test it.
// ---------------------------------------------------------------------------------------------

export interface TestScores {
  /** Mean of rowLosses: scikit-learn's log_loss (clipped at 1e-15, rows renormalised). */
  logLoss: number;
  accuracy: number;
  /** -log p(true class) of each test row, in row order (for the paired comparison). */
  rowLosses: Float64Array;
  /** 1 where the predicted label is the true one, a test row each (for accuracy per slice). */
  correct: Uint8Array;
}

/**
 * Log loss and accuracy of probabilities against true labels. `predicted` are the model's own
 * predictions (for accuracy); by default the most probable class.
 */
export function scorePredictions(
  trueLabels: readonly string[],
  proba: Float64Array,
  classes: readonly string[],
  predicted: readonly string[] = mostProbableClass(proba, classes),
): TestScores {
  if (proba.length !== trueLabels.length * classes.length) {
    throw new RangeError(`Expected ${trueLabels.length} x ${classes.length} probabilities, got ${proba.length}.`);
  }
  const rowLosses = rowLogLosses(trueLabels, proba, classes);
  const correct = Uint8Array.from(trueLabels, (label, i) => (label === predicted[i] ? 1 : 0));
  return { logLoss: mean(rowLosses), accuracy: accuracy(trueLabels, predicted), rowLosses, correct };
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
  /** Worker threads for the forest (results do not depend on it). */
  workers?: number;
  onFold?: (fold: number, folds: number, loss: number) => void;
}

export interface ModelEvaluation extends TestScores {
  config: ModelConfig;
  cv: CvSummary;
  /** Why it scores as it does on the test part: per-class metrics, confusion, Brier, calibration, near-zero rows. */
  diagnostics: Diagnostics;
}

/** A fitted pipeline's test scores on the split's test part, and its configuration's CV on the training part. */
export async function evaluateModel(pipeline: Pipeline, split: SplitData, options: CvOptions = {}): Promise<ModelEvaluation> {
  // Accuracy on the most probable class, as the forest's own predict() would give, without predicting twice.
  const proba = pipeline.predictProba(split.testBatch);
  const scores = scorePredictions(split.testLabels, proba, pipeline.classes);
  const diagnostics = diagnose(split.testLabels, proba, pipeline.classes, scores.rowLosses);
  const config = configOf(pipeline);
  // Train's own cross-validation (same folds as `pnpm train`), with this model's features and params.
  const losses = await crossValidate(split.trainBatch, split.trainLabels, config.params, {
    featureNames: config.featureNames,
    workers: options.workers,
    onFold: (fold, loss) => options.onFold?.(fold + 1, SPLIT.folds, loss),
  });
  const cv = summarizeCv(losses);
  return { ...scores, config, cv, diagnostics };
}

/** Per-row log loss differences (candidate minus production) beyond this go to the outer bins. */
export const DIFFERENCE_RANGE = 2;
/** Odd, so that the middle bin is centred on 0 (no difference). */
export const DIFFERENCE_BINS = 21;

/**
 * Histogram of the per-row differences (candidate minus production): DIFFERENCE_BINS equal bins
 * over [-RANGE, RANGE], the middle one centred on 0, the outer ones open-ended.
 */
export function differenceHistogram(candidate: ArrayLike<number>, production: ArrayLike<number>): { low: number; high: number; rows: number }[] {
  const width = (2 * DIFFERENCE_RANGE) / DIFFERENCE_BINS;
  const bins = Array.from({ length: DIFFERENCE_BINS }, (_, b) => ({
    low: b === 0 ? -Infinity : -DIFFERENCE_RANGE + b * width,
    high: b === DIFFERENCE_BINS - 1 ? Infinity : -DIFFERENCE_RANGE + (b + 1) * width,
    rows: 0,
  }));
  for (let i = 0; i < candidate.length; i += 1) {
    const d = candidate[i] - production[i];
    const b = Math.min(DIFFERENCE_BINS - 1, Math.max(0, Math.floor((d + DIFFERENCE_RANGE) / width)));
    bins[b].rows += 1;
  }
  return bins;
}
