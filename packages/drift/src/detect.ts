/**
 * Drift of a new extraction against a reference (the ground truth by default), column by column:
 * numbers by the two-sample KS test, categories, booleans and the target (label shift) by the
 * chi-square test of homogeneity; identifiers never.
 *
 * The rule, calibrated rather than guessed: a column drifts when both
 *  1. its test rejects at `alpha` after Holm's correction for the number of columns tested (so the
 *     chance of any false alarm on a file from the reference's population is at most alpha), and
 *  2. its effect, the PSI over the reference's bins (deciles, or categories), is beyond the
 *     (1 − alpha) quantile of the PSIs of `resamples` draws of the new file's size from the
 *     reference (so a large file is not flagged for a difference too small to matter, and a small
 *     file not for noise that its size alone makes).
 */
import { Random } from '@rally/features';
import type { ColumnProfile, DatasetProfile, DriftKind, DriftTest } from './profile.ts';
import { chiSquareHomogeneity, holmAdjust, ksTest, ksTestOnGrid, multinomial, psi, quantileSorted } from './statistics.ts';

export interface DriftOptions {
  /** Family-wise false-alarm rate (default 0.01). */
  alpha?: number;
  /** Draws from the reference for each column's effect threshold (default 1000). */
  resamples?: number;
  /** Seed of those draws (default 42): the same files always give the same report. */
  seed?: number;
}

export const DRIFT_DEFAULTS = { alpha: 0.01, resamples: 1000, seed: 42 } as const;

/** The rule in one paragraph (`rally drift --help`, the reports). */
export const DRIFT_RULE =
  'A column drifts when its test (KS for numbers, chi-square for categories, booleans and the target) rejects at alpha after Holm\'s correction for the number of columns tested, and its PSI over the reference\'s bins (deciles, or categories) is beyond the (1 - alpha) quantile of the PSIs of draws of the new file\'s size from the reference.';

export interface BinShare {
  bin: string;
  reference: number;
  current: number;
}

export interface ColumnDrift {
  column: string;
  kind: DriftKind;
  test: DriftTest;
  statistic: number;
  pValue: number;
  /** The p-value after Holm's correction over all the columns tested. */
  pValueHolm: number;
  /** PSI of the new file's bin shares against the reference's. */
  effect: number;
  /** The (1 − alpha) quantile of the PSI of draws of the new file's size from the reference. */
  threshold: number;
  drift: boolean;
  /** The shares behind the effect, bin by bin (the pictures of the HTML report). */
  shares: BinShare[];
}

export interface DriftReport {
  drift: boolean;
  rows: number;
  referenceRows: number;
  alpha: number;
  resamples: number;
  seed: number;
  /** Every compared column, in contract order. */
  columns: ColumnDrift[];
}

function checkOptions(options: DriftOptions): Required<DriftOptions> {
  const alpha = options.alpha ?? DRIFT_DEFAULTS.alpha;
  const resamples = options.resamples ?? DRIFT_DEFAULTS.resamples;
  const seed = options.seed ?? DRIFT_DEFAULTS.seed;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}.`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}.`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}.`);
  return { alpha, resamples, seed };
}

/** The (1 − alpha) quantile of PSI(reference, draw) over draws of `rows` rows from the reference's bin shares. */
export function effectThreshold(referenceCounts: ArrayLike<number>, rows: number, alpha: number, resamples: number, random: Random): number {
  let total = 0;
  for (let i = 0; i < referenceCounts.length; i += 1) total += referenceCounts[i];
  const shares = Float64Array.from(referenceCounts, (count) => count / total);
  const effects = new Float64Array(resamples);
  for (let b = 0; b < resamples; b += 1) effects[b] = psi(referenceCounts, multinomial(random, rows, shares));
  effects.sort();
  return quantileSorted(effects, 1 - alpha);
}

function testColumn(reference: ColumnProfile, current: ColumnProfile) {
  if (reference.test === 'ks') {
    if (!reference.sorted || !reference.grid) throw new RangeError(`The reference profile of ${reference.column} has no values (profile the reference without binsOf).`);
    if (current.cells) return ksTestOnGrid(reference.sorted, reference.grid, current.cells);
    if (current.sorted) return ksTest(reference.sorted, current.sorted);
    throw new RangeError(`The profile of ${current.column} has neither values nor counts on the reference's grid.`);
  }
  return chiSquareHomogeneity(reference.counts, current.counts);
}

/** Compares a new file's profile (binned as the reference: `profileDataset(batch, { binsOf: reference })`) with the reference's. */
export function detectDrift(reference: DatasetProfile, current: DatasetProfile, options: DriftOptions = {}): DriftReport {
  const { alpha, resamples, seed } = checkOptions(options);
  if (current.rows === 0 || reference.rows === 0) throw new RangeError('Drift needs rows in both files.');
  const pairs = reference.columns.flatMap((column, index) => {
    const other = current.columns.find((candidate) => candidate.column === column.column);
    return other ? [{ index, reference: column, current: other }] : [];
  });
  const tests = pairs.map(({ reference: r, current: c }) => testColumn(r, c));
  const adjusted = holmAdjust(tests.map((test) => test.pValue));
  const columns = pairs.map(({ index, reference: r, current: c }, i): ColumnDrift => {
    const effect = psi(r.counts, c.counts);
    // A stream per column (its index in the reference): a column's threshold does not depend on which others are compared.
    const threshold = effectThreshold(r.counts, current.rows, alpha, resamples, new Random(seed, index));
    const shares = r.bins.map((bin, b) => ({ bin, reference: r.counts[b]! / r.rows, current: c.counts[b]! / c.rows }));
    const rejected = adjusted[i]! < alpha;
    return { column: r.column, kind: r.kind, test: r.test, statistic: tests[i]!.statistic, pValue: tests[i]!.pValue, pValueHolm: adjusted[i]!, effect, threshold, drift: rejected && effect > threshold, shares };
  });
  return { drift: columns.some((column) => column.drift), rows: current.rows, referenceRows: reference.rows, alpha, resamples, seed, columns };
}
