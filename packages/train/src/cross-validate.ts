import { type RowBatch, selectRows, selectValues } from '@rally/features';
import type { RandomForestParams } from '@rally/forest';
import { Pipeline } from '@rally/model';
import { logLoss } from './metrics.ts';
import { SPLIT, stratifiedKFold } from './split.ts';

export interface CrossValidateOptions {
  /** Features of the configuration (default: the original app's 12). */
  featureNames?: readonly string[];
  workers?: number;
  onTree?: (fold: number, built: number, total: number) => void;
  /** After each fold's fit, before it is scored: the fitted pipeline and the fit's wall time. */
  onFit?: (pipeline: Pipeline, seconds: number) => void;
  /** After each fold, 0-based. */
  onFold?: (fold: number, loss: number) => void;
}

/**
 * 5-fold stratified CV log loss of a configuration on the given rows (refits from scratch per fold).
 * A fold is scored while the next one's trees are being built in worker threads (this thread would
 * otherwise leave them idle while it predicts). The losses, and the order in which the callbacks
 * hear of folds and trees, are the same as scoring each fold before the next: a fit that builds in
 * this thread has the previous fold scored at its first tree.
 */
export async function crossValidate(
  batch: RowBatch,
  labels: readonly string[],
  params: Partial<RandomForestParams>,
  options: CrossValidateOptions = {},
): Promise<number[]> {
  const losses: number[] = [];
  const rows = readColumns(batch, Pipeline.create(params, options.featureNames).features.inputColumns);
  let unscored: (() => void) | undefined;
  let failure: { error: unknown } | undefined;
  // Scores the previous fold once; an error waits for the running fit to end (its workers read its rows).
  const scorePrevious = () => {
    const score = unscored;
    unscored = undefined;
    try {
      score?.();
    } catch (error) {
      failure ??= { error };
    }
  };
  for (const [fold, { train, test }] of stratifiedKFold(labels, SPLIT.folds, SPLIT.seed).entries()) {
    // A fit in this thread scores the previous fold inside itself (at its first tree): that time is
    // not the fit's.
    let scoringInside = 0;
    const onTree = (built: number, total: number) => {
      const scoring = performance.now();
      scorePrevious();
      scoringInside += performance.now() - scoring;
      options.onTree?.(fold, built, total);
    };
    const started = performance.now();
    const fitting = Pipeline.create(params, options.featureNames).fit(selectRows(rows, train), selectValues(labels, train), { workers: options.workers, onTree });
    const fitted = fitting.then(() => performance.now());
    scorePrevious();
    const [pipeline, ended] = await Promise.all([fitting, fitted]).catch((error: unknown) => {
      throw failure?.error ?? error;
    });
    if (failure) throw failure.error;
    options.onFit?.(pipeline, (ended - started - scoringInside) / 1000);
    unscored = () => {
      const loss = logLoss(selectValues(labels, test), pipeline.predictProba(selectRows(rows, test)), pipeline.classes);
      losses.push(loss);
      options.onFold?.(fold, loss);
    };
  }
  scorePrevious();
  if (failure) throw failure.error;
  return losses;
}

/**
 * The batch with only the columns the features read (no copy): each fold copies its rows, and
 * copying every column of the extraction would hold twice the memory for nothing.
 */
function readColumns(batch: RowBatch, names: readonly string[]): RowBatch {
  return { rows: batch.rows, columns: Object.fromEntries(names.filter((name) => name in batch.columns).map((name) => [name, batch.columns[name]])) };
}
