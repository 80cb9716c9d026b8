import { Random } from '@rally/features';

export interface BootstrapOptions {
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** Seed of the resampling generator (default 42): the same values always give the same interval. */
  seed?: number;
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
}

export interface ConfidenceInterval {
  /** The statistic on the original sample (here: the mean). */
  estimate: number;
  low: number;
  high: number;
  confidence: number;
  resamples: number;
  seed: number;
}

export const BOOTSTRAP_DEFAULTS = { resamples: 2000, seed: 42, confidence: 0.95 } as const;

/**
 * Linear-interpolation quantile of sorted values (numpy's default, "type 7").
 * `sorted` must be ascending and non-empty; `p` in [0, 1].
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Percentile bootstrap confidence interval of the mean: resamples the values with replacement
 * (seeded, so reproducible), takes each resample's mean and reads the interval off their
 * quantiles.
 */
export function bootstrapMeanCI(values: ArrayLike<number>, options: BootstrapOptions = {}): ConfidenceInterval {
  const resamples = options.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const seed = options.seed ?? BOOTSTRAP_DEFAULTS.seed;
  const confidence = options.confidence ?? BOOTSTRAP_DEFAULTS.confidence;
  const n = values.length;
  if (n === 0) throw new RangeError('Cannot bootstrap an empty sample.');
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}.`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}.`);

  let total = 0;
  for (let i = 0; i < n; i += 1) total += values[i];
  const random = new Random(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b += 1) {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += values[random.below(n)];
    means[b] = sum / n;
  }
  means.sort();
  const alpha = (1 - confidence) / 2;
  return { estimate: total / n, low: quantileSorted(means, alpha), high: quantileSorted(means, 1 - alpha), confidence, resamples, seed };
}
