/**
 * The statistics behind drift detection, written here because no dependency of ours has them:
 * the two-sample Kolmogorov-Smirnov test, Pearson's chi-square test of homogeneity, the population
 * stability index, Holm's step-down correction, and multinomial draws for calibrating thresholds.
 * Checked against hand-worked cases and against scipy (test/fixtures, made by the script beside them).
 */
import type { Random } from '@rally/features';

export interface TestResult {
  statistic: number;
  pValue: number;
}

/**
 * The two-sample KS statistic D = sup |F_a(x) - F_b(x)| of two ascending samples, ties handled as
 * scipy's ks_2samp does (both empirical distribution functions evaluated at every distinct value).
 */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) throw new RangeError('The KS test needs two non-empty samples.');
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = a[i] <= b[j] ? a[i] : b[j];
    while (i < n && a[i] <= x) i += 1;
    while (j < m && b[j] <= x) j += 1;
    const gap = Math.abs(i / n - j / m);
    if (gap > d) d = gap;
  }
  // Past the end of one sample the gap only shrinks to 0: its largest value was seen at the end.
  return d;
}

/**
 * P(K > λ) for the Kolmogorov distribution (the limit of √n·D): the alternating series for large λ,
 * the Jacobi theta form for small λ, where the series converges slowly.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    const factor = Math.sqrt(2 * Math.PI) / lambda;
    const w = (Math.PI * Math.PI) / (8 * lambda * lambda);
    let cdf = 0;
    for (let k = 1; k <= 20; k += 2) cdf += Math.exp(-k * k * w);
    return Math.min(1, Math.max(0, 1 - factor * cdf));
  }
  let sum = 0;
  for (let k = 1; k <= 100; k += 1) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/**
 * The two-sample KS test of ascending samples: D, and its two-sided p-value from the Kolmogorov
 * distribution at the effective size n·m/(n+m) with Stephens' small-sample correction (accurate to
 * a few percent of the exact p-value from a few dozen rows up; ties make it conservative).
 */
export function ksTest(a: ArrayLike<number>, b: ArrayLike<number>): TestResult {
  const statistic = ksStatistic(a, b);
  return { statistic, pValue: ksPValue(statistic, a.length, b.length) };
}

/** The asymptotic p-value of a KS statistic for samples of n and m values (Stephens' small-sample correction). */
function ksPValue(statistic: number, n: number, m: number): number {
  const root = Math.sqrt((n * m) / (n + m));
  return kolmogorovSurvival((root + 0.12 + 0.11 / root) * statistic);
}

/**
 * A sample seen only through its counts on a grid: the distinct values of another (ascending) sample,
 * v0 < v1 < ... < v(k-1). Cell 2i + 1 counts the values equal to vi, cell 2i those strictly between
 * v(i-1) and vi (cell 0 those below v0, cell 2k those above v(k-1)): 2k + 1 cells.
 */
export function distinctAscending(sorted: ArrayLike<number>): Float64Array {
  const values: number[] = [];
  for (let i = 0; i < sorted.length; i += 1) if (i === 0 || sorted[i] !== sorted[i - 1]) values.push(sorted[i]);
  return Float64Array.from(values);
}

/** Adds each of `values` to its cell of the grid (see distinctAscending): a binary search a value. */
export function countOnGrid(grid: ArrayLike<number>, values: ArrayLike<number>, cells: Float64Array<ArrayBufferLike> = new Float64Array(2 * grid.length + 1)): Float64Array<ArrayBufferLike> {
  if (cells.length !== 2 * grid.length + 1) throw new RangeError(`A grid of ${grid.length} values has ${2 * grid.length + 1} cells, got ${cells.length}.`);
  for (let r = 0; r < values.length; r += 1) {
    const x = values[r];
    let lo = 0;
    let hi = grid.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (grid[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    cells[lo < grid.length && grid[lo] === x ? 2 * lo + 1 : 2 * lo] += 1;
  }
  return cells;
}

/**
 * The two-sample KS statistic of `reference` (every value, ascending) and a sample known only by its
 * counts on the reference's distinct values (countOnGrid): exactly ksStatistic of the two samples.
 * Between two reference values the reference's CDF is flat and the other's rises, so the largest
 * gap there is at one end: at vi, or just below v(i+1) (the other's count below it).
 */
export function ksStatisticOnGrid(reference: ArrayLike<number>, grid: ArrayLike<number>, cells: ArrayLike<number>): number {
  const n = reference.length;
  let m = 0;
  for (let c = 0; c < cells.length; c += 1) m += cells[c];
  if (n === 0 || m === 0) throw new RangeError('The KS test needs two non-empty samples.');
  let atOrBelowReference = 0;
  let referenceBefore = 0;
  let below = 0;
  let d = 0;
  for (let i = 0; i < grid.length; i += 1) {
    below += cells[2 * i];
    // Just below vi: the reference's CDF is still its value at v(i-1).
    d = Math.max(d, Math.abs(referenceBefore / n - below / m));
    while (atOrBelowReference < n && reference[atOrBelowReference] <= grid[i]!) atOrBelowReference += 1;
    below += cells[2 * i + 1];
    d = Math.max(d, Math.abs(atOrBelowReference / n - below / m));
    referenceBefore = atOrBelowReference;
  }
  return d;
}

/** ksTest for a sample known by its counts on the reference's grid (the same statistic and p-value). */
export function ksTestOnGrid(reference: ArrayLike<number>, grid: ArrayLike<number>, cells: ArrayLike<number>): TestResult {
  let m = 0;
  for (let c = 0; c < cells.length; c += 1) m += cells[c];
  const statistic = ksStatisticOnGrid(reference, grid, cells);
  return { statistic, pValue: ksPValue(statistic, reference.length, m) };
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
export function logGamma(x: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < g + 2; i += 1) sum += c[i]! / (y + i);
  const t = y + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The regularized upper incomplete gamma function Q(a, x) (series below a + 1, continued fraction above). */
export function upperGammaRegularized(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`Q(a, x) needs a > 0, got ${a}.`);
  if (x <= 0) return 1;
  const logPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n += 1) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.min(1, Math.max(0, 1 - sum * Math.exp(logPrefix)));
  }
  // Lentz's method for the continued fraction of Q.
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i += 1) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, Math.exp(logPrefix) * h));
}

/** P(X > x) for a chi-square variable with `dof` degrees of freedom. */
export function chiSquareSurvival(x: number, dof: number): number {
  if (dof <= 0) return 1;
  return upperGammaRegularized(dof / 2, x / 2);
}

/**
 * Pearson's chi-square test of homogeneity of two count vectors over the same categories (a 2 × k
 * contingency table, no continuity correction): categories empty in both are left out; one category
 * left is no evidence at all (statistic 0, p 1).
 */
export function chiSquareHomogeneity(a: ArrayLike<number>, b: ArrayLike<number>): TestResult & { dof: number } {
  if (a.length !== b.length) throw new RangeError(`The two count vectors differ in length (${a.length} and ${b.length}).`);
  let totalA = 0;
  let totalB = 0;
  let used = 0;
  for (let i = 0; i < a.length; i += 1) {
    totalA += a[i];
    totalB += b[i];
    if (a[i] + b[i] > 0) used += 1;
  }
  if (totalA === 0 || totalB === 0) throw new RangeError('The chi-square test needs two non-empty samples.');
  const total = totalA + totalB;
  let statistic = 0;
  for (let i = 0; i < a.length; i += 1) {
    const column = a[i] + b[i];
    if (column === 0) continue;
    const expectedA = (totalA * column) / total;
    const expectedB = (totalB * column) / total;
    statistic += (a[i] - expectedA) ** 2 / expectedA + (b[i] - expectedB) ** 2 / expectedB;
  }
  const dof = used - 1;
  return { statistic: dof > 0 ? statistic : 0, pValue: dof > 0 ? chiSquareSurvival(statistic, dof) : 1, dof: Math.max(0, dof) };
}

/** A share under this counts as this in the PSI (an empty bin would make it infinite), as Evidently does. */
export const PSI_FLOOR = 1e-4;

/**
 * The population stability index of `actual` counts against `expected` counts over the same bins:
 * Σ (q − p)·ln(q / p) over the bins' shares, each share floored at PSI_FLOOR. 0 for identical shares;
 * by the usual reading, under 0.1 little change, over 0.25 a large one.
 */
export function psi(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (expected.length !== actual.length) throw new RangeError(`The two count vectors differ in length (${expected.length} and ${actual.length}).`);
  let totalExpected = 0;
  let totalActual = 0;
  for (let i = 0; i < expected.length; i += 1) {
    totalExpected += expected[i];
    totalActual += actual[i];
  }
  if (totalExpected === 0 || totalActual === 0) throw new RangeError('The PSI needs two non-empty samples.');
  let sum = 0;
  for (let i = 0; i < expected.length; i += 1) {
    const p = Math.max(expected[i] / totalExpected, PSI_FLOOR);
    const q = Math.max(actual[i] / totalActual, PSI_FLOOR);
    sum += (q - p) * Math.log(q / p);
  }
  return sum;
}

/**
 * Holm's step-down adjustment of p-values (controls the family-wise error rate, with no assumption
 * about how the tests depend on each other): the i-th smallest becomes max over j ≤ i of
 * min(1, (m − j + 1)·p_(j)). In the order given.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((x, y) => pValues[x]! - pValues[y]! || x - y);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]!));
    adjusted[index] = running;
  });
  return adjusted;
}

/** A standard normal draw (Box-Muller). */
function normal(random: Random): number {
  const u = 1 - random.nextFloat(); // in (0, 1]
  const v = random.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A binomial(n, p) draw: exact by inversion while the expected count of the rarer outcome is under
 * 30; above, the normal approximation (rounded, clamped to [0, n]), whose error is far below what a
 * threshold read off a few hundred draws can show.
 */
export function binomial(random: Random, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const flip = p > 0.5;
  const q = flip ? 1 - p : p;
  let k: number;
  if (n * q < 30) {
    const ratio = q / (1 - q);
    let probability = (1 - q) ** n;
    let u = random.nextFloat();
    k = 0;
    while (u > probability && k < n) {
      u -= probability;
      k += 1;
      probability *= (ratio * (n - k + 1)) / k;
    }
  } else {
    k = Math.min(n, Math.max(0, Math.round(n * q + Math.sqrt(n * q * (1 - q)) * normal(random))));
  }
  return flip ? n - k : k;
}

/** Counts of `n` draws over bins with these probabilities (they need not sum to 1 exactly): conditional binomials. */
export function multinomial(random: Random, n: number, probabilities: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(probabilities.length);
  let mass = 0;
  for (let i = 0; i < probabilities.length; i += 1) mass += probabilities[i];
  let left = n;
  for (let i = 0; i < probabilities.length - 1 && left > 0; i += 1) {
    const share = mass > 0 ? probabilities[i] / mass : 0;
    const drawn = binomial(random, left, Math.min(1, share));
    counts[i] = drawn;
    left -= drawn;
    mass -= probabilities[i];
  }
  if (probabilities.length > 0) counts[probabilities.length - 1] += left;
  return counts;
}

/** Linear-interpolation quantile of ascending values (numpy's default, type 7); `p` in [0, 1]. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError('No quantile of an empty sample.');
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
