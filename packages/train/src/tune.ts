import { RallyError } from '@rally/errors';
import { Random, shuffledIndices, type RowBatch } from '@rally/features';
import { DEFAULT_PARAMS, type RandomForestParams } from '@rally/forest';
import type { TuneReport } from '@rally/model';
import { mean, populationStd } from './metrics.ts';
import { crossValidate } from './cross-validate.ts';

/** The hyperparameters `--tune` searches; the others (bootstrap, minSamplesSplit, seed) stay as given. */
export type TunedParams = Pick<Required<RandomForestParams>, 'nEstimators' | 'maxDepth' | 'maxFeatures' | 'minSamplesLeaf' | 'leafPrior'>;

/** Values tried for each searched hyperparameter: the search draws from their product. */
export type TuneSpace = { readonly [K in keyof TunedParams]: readonly TunedParams[K][] };

/**
 * The search space of `pnpm train --tune` (144 settings). It spans the original's settings and
 * what improves a forest's log loss on these data: more features per split, larger leaves, a leaf
 * prior so that no row gets probability 0, shallower trees, more trees.
 */
export const TUNE_SPACE: TuneSpace = {
  nEstimators: [100, 200],
  maxDepth: [12, 20],
  maxFeatures: ['sqrt', 0.5, 0.75],
  minSamplesLeaf: [1, 3, 5, 8],
  leafPrior: [0, 0.05, 0.2],
};

/** The original app's settings (scikit-learn's defaults with max depth 20): always a candidate, as the baseline. */
export const ORIGINAL_SETTINGS: TunedParams = {
  nEstimators: DEFAULT_PARAMS.nEstimators,
  maxDepth: DEFAULT_PARAMS.maxDepth,
  maxFeatures: DEFAULT_PARAMS.maxFeatures,
  minSamplesLeaf: DEFAULT_PARAMS.minSamplesLeaf,
  leafPrior: DEFAULT_PARAMS.leafPrior,
};

export interface TuneOptions {
  /** Seed of the candidates drawn from the space (default 42); the forests keep `base.seed`. */
  seed?: number;
  /** Settings drawn from the space, besides the original's (default 20; all of them if larger). */
  candidates?: number;
  space?: TuneSpace;
  /** Hyperparameters that are not searched (bootstrap, minSamplesSplit, seed). */
  base?: Partial<RandomForestParams>;
  featureNames?: readonly string[];
  workers?: number;
  /** After each candidate's cross-validation, in search order (1-based `index`). */
  onCandidate?: (event: { index: number; total: number; row: TuneRow }) => void;
  /** After each tree of each fold of each candidate (0-based `fold`), and after each fold: the progress within a candidate. */
  onTree?: (candidate: { index: number; total: number }, fold: number, built: number, total: number) => void;
  onFold?: (candidate: { index: number; total: number }, fold: number, loss: number) => void;
}

/** A ranked setting (report.json's `tuning.rows`, see TuneReport in @rally/model), with all searched params. */
export type TuneRow = Omit<TuneReport['rows'][number], 'params'> & { params: TunedParams };

/** What `--tune` found: report.json's `tuning` (TuneReport), plus the space it searched. */
export type TuneResult = Omit<TuneReport, 'rows'> & { rows: TuneRow[]; space: TuneSpace };

/** Standard error of a mean over folds: the sample standard deviation (ddof=1) over the square root of the count. */
export function standardError(values: readonly number[]): number {
  const m = mean(values);
  const variance = values.reduce((sum, value) => sum + (value - m) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance / values.length);
}

/** Every setting of the space, in a fixed order (the last key varies fastest). */
export function settingsOf(space: TuneSpace): TunedParams[] {
  const keys = Object.keys(space) as (keyof TunedParams)[];
  return keys.reduce<Partial<TunedParams>[]>((partial, key) => partial.flatMap((setting) => space[key].map((value) => ({ ...setting, [key]: value }))), [{}]) as TunedParams[];
}

const sameSettings = (a: TunedParams, b: TunedParams) => (Object.keys(a) as (keyof TunedParams)[]).every((key) => a[key] === b[key]);

/** The original's settings, then `count` settings drawn from the space without replacement (seeded). */
export function drawCandidates(space: TuneSpace, count: number, seed: number): TunedParams[] {
  const all = settingsOf(space).filter((setting) => !sameSettings(setting, ORIGINAL_SETTINGS));
  const order = shuffledIndices(all.length, new Random(seed));
  return [ORIGINAL_SETTINGS, ...Array.from(order.slice(0, Math.min(count, all.length)), (i) => all[i])];
}

/**
 * Random search (seeded) over the space, each setting scored by stratified 5-fold CV log loss on
 * the rows it is given. Pass the training part only: the caller's test part must never be seen.
 *
 * The winner follows the one-standard-error rule (Breiman et al. 1984; Hastie, Tibshirani and
 * Friedman, ESL 7.10): of the settings whose CV mean is within one standard error of the best's,
 * the simplest, here the one with the fewest nodes (model size, fit and prediction cost). The folds
 * cannot tell those settings apart, so the search does not pay for an edge that is only noise.
 */
export async function tune(batch: RowBatch, labels: readonly string[], options: TuneOptions = {}): Promise<TuneResult> {
  const seed = options.seed ?? 42;
  const count = options.candidates ?? 20;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RallyError('ESTIMATOR_BAD_PARAMS', `The number of settings to try must be an integer >= 1, got ${count}.`);
  }
  const space = options.space ?? TUNE_SPACE;
  const candidates = drawCandidates(space, count, seed);
  const rows: Omit<TuneRow, 'rank'>[] = [];
  for (const [i, params] of candidates.entries()) {
    let nodes = 0;
    let fitSeconds = 0;
    const candidate = { index: i + 1, total: candidates.length };
    const losses = await crossValidate(batch, labels, { ...options.base, ...params }, {
      featureNames: options.featureNames,
      workers: options.workers,
      onTree: options.onTree && ((fold, built, total) => options.onTree!(candidate, fold, built, total)),
      onFold: options.onFold && ((fold, loss) => options.onFold!(candidate, fold, loss)),
      onFit: (pipeline, seconds) => {
        fitSeconds += seconds;
        nodes += pipeline.estimator.nodeCount;
      },
    });
    const row = {
      params,
      cv_log_losses: losses,
      cv_mean_log_loss: mean(losses),
      cv_std_log_loss: populationStd(losses),
      mean_nodes: nodes / losses.length,
      fit_seconds: fitSeconds / losses.length,
    };
    rows.push(row);
    options.onCandidate?.({ index: i + 1, total: candidates.length, row: { rank: 0, ...row } });
  }
  const ranked = rows
    .map((row, order) => ({ row, order }))
    .sort((a, b) => a.row.cv_mean_log_loss - b.row.cv_mean_log_loss || a.order - b.order)
    .map(({ row }, i) => ({ rank: i + 1, ...row }));
  const tolerance = standardError(ranked[0].cv_log_losses);
  const ties = ranked.filter((row) => row.cv_mean_log_loss <= ranked[0].cv_mean_log_loss + tolerance);
  const winner = ties.reduce((small, row) => (row.mean_nodes < small.mean_nodes ? row : small));
  return {
    seed,
    candidates: candidates.length,
    space,
    rule: `the fewest nodes among the settings within one standard error (${tolerance.toFixed(4)}) of the best CV mean log loss`,
    tolerance,
    rows: ranked,
    winner_rank: winner.rank,
  };
}
