import { RallyError } from '@rally/errors';
import type { RandomForestParams } from '@rally/forest';

/** `report.json`: what a training run measured, written next to the model it describes. */
export interface TrainReport {
  model_id: string;
  created_at: string;
  test_log_loss: number;
  /**
   * Test rows given p(true class) < threshold and their share of the summed test log loss (each
   * such row costs at least -ln(threshold) = 13.8): the rows that dominate log loss. Absent from
   * reports written before it existed.
   */
  test_near_zero?: { threshold: number; rows: number; log_loss_share: number };
  accuracy: number;
  cv_log_losses: number[];
  cv_mean_log_loss: number;
  /** Population standard deviation (ddof=0) of the per-fold log losses. */
  cv_std_log_loss: number;
  /** Log loss of always predicting the training class shares: the bar any model must clear. */
  class_prior_log_loss: number;
  classes: string[];
  features: string[];
  /** `library` names what grew the model (forest's FOREST_IMPLEMENTATION at training time). */
  estimator: { type: 'RandomForestClassifier'; library: string; params: RandomForestParams };
  grid: { max_depth: number; cv_mean_log_loss: number; cv_std_log_loss: number }[] | null;
  /** `pnpm train --tune`: the ranked settings and the winner the model was fitted with (@rally/train's TuneResult). */
  tuning?: TuneReport | null;
  dataset: { file: string; sha256: string; rows: number };
  split: { seed: number; test_size: number; folds: number; train_rows: number; test_rows: number };
  durations: { cv_seconds: number; fit_seconds: number; total_seconds: number };
}

/** What report.json keeps of a hyperparameter search (`pnpm train --tune`; train's TuneResult extends it). */
export interface TuneReport {
  /** Seed of the settings drawn from the space. */
  seed: number;
  /** Number of settings cross-validated (the original's included). */
  candidates: number;
  /** How the winner was chosen from the ranked rows. */
  rule: string;
  /** CV means within this of the best's are tied (one standard error); the smallest tied setting wins. */
  tolerance: number;
  /** Ranked by CV mean log loss, best first. */
  rows: {
    /** 1 for the lowest CV mean log loss; ties keep the search order. */
    rank: number;
    params: Partial<RandomForestParams>;
    cv_log_losses: number[];
    cv_mean_log_loss: number;
    cv_std_log_loss: number;
    /** Mean nodes of a fold's forest (all trees): model size and prediction cost, the tie-breaker. */
    mean_nodes: number;
    /** Mean wall time of a fold's fit (informative only: it varies from run to run). */
    fit_seconds: number;
  }[];
  /** Rank of the winner (see rule). */
  winner_rank: number;
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/**
 * Parses report.json bytes, checking the fields rally reads (id, time, metrics, classes, features,
 * estimator); anything else is a one-sentence STORE_CORRUPTED naming `where` (and ending with
 * `advice`, when given).
 */
export function parseReport(bytes: Uint8Array, where: string, advice = ''): TrainReport {
  const fail = (problem: string, cause?: unknown): never => {
    throw new RallyError('STORE_CORRUPTED', `The report.json of ${where} ${problem}${advice ? `; ${advice}` : ''}.`, { cause });
  };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    fail('is not valid JSON', error);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('is not a training report (it is not an object)');
  const report = value as Partial<Record<keyof TrainReport, unknown>>;
  const checks: [boolean, string][] = [
    [typeof report.model_id === 'string', 'model_id is missing'],
    [typeof report.created_at === 'string' && Number.isFinite(Date.parse(report.created_at)), 'created_at is not a time'],
    [(['test_log_loss', 'accuracy', 'cv_mean_log_loss', 'cv_std_log_loss'] as const).every((key) => isNumber(report[key])), 'a metric is missing or not a number'],
    [isStrings(report.classes) && isStrings(report.features), 'classes or features are missing'],
    [typeof report.estimator === 'object' && report.estimator !== null, 'estimator is missing'],
  ];
  const failed = checks.find(([ok]) => !ok);
  if (failed) fail(`is not a training report (${failed[1]})`);
  return value as TrainReport;
}
