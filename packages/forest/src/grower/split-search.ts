import { exactGain, exactImpurity } from './exact-gini.ts';
import { keptInt32Array, resized } from './typed-arrays.ts';

/**
 * Best Gini split of one node, chosen exactly as ml-cart's bestSplit chooses it, in one sweep per
 * feature over rows already sorted by that feature.
 *
 * ml-cart proposes the threshold mean(v[i-1], v[i]) wherever two consecutive labels (in value
 * order) differ, partitions the node's rows again to score each one, and keeps the first maximum
 * of the gain. Here one sweep keeps running class counts, so the counts below any threshold are
 * known in O(k); consecutive candidates giving the same partition are scored once (an equal later
 * gain never wins). Candidates are ranked by the usual Gini proxy
 *   score = sum(lesser_c^2) / lesser + sum(greater_c^2) / greater
 * (for a node of m rows with class counts t, gain = score / m - sum(t_c^2) / m^2), and every
 * candidate within rounding distance of the best score is kept, in scan order, then re-scored
 * with ml-cart's own arithmetic (exact-gini.ts): the first maximum wins, as in ml-cart.
 *
 * Sizes and class counts are in repeated-row units: row i stands for counts[i] identical rows
 * (bootstrap multiplicities), like the lengths of ml-cart's arrays on the repeated rows.
 */
export class SplitSearch {
  readonly #k: number;
  readonly #minLeaf: number;
  /** Each row's count and label in one int (see packRows): the sweep reads one array per row, not two. */
  readonly #packed: Int32Array;
  readonly #labelBits: number;

  // The node being searched.
  #total: Int32Array;
  #size = 0;
  #tolerance = 0;
  #bestScore = -Infinity;
  /** Gain (ml-cart's arithmetic) of the candidate `choose` returned. */
  bestGain = -Infinity;

  // Scratch counts.
  readonly #left: Int32Array;
  readonly #below: Int32Array;
  readonly #greater: Int32Array;

  readonly #band: CandidateBand;

  constructor(k: number, minLeaf: number, labels: Int32Array, counts: Int32Array) {
    this.#k = k;
    this.#minLeaf = minLeaf;
    this.#labelBits = labelBits(k);
    this.#packed = packRows(labels, counts, this.#labelBits);
    this.#total = new Int32Array(k);
    this.#left = new Int32Array(k);
    this.#below = new Int32Array(k);
    this.#greater = new Int32Array(k);
    this.#band = new CandidateBand(k);
  }

  /** The kept candidates: read the chosen one's split after `choose`. */
  get candidates(): CandidateBand {
    return this.#band;
  }

  /** Starts the search of a node of `size` repeated rows with class counts `total` (read, not copied). */
  begin(total: Int32Array, size: number): void {
    this.#total = total;
    this.#size = size;
    // |gain by counts - ml-cart's gain| <= about 2.2e-16 * (2 * size + 3 * k + 20); in score units
    // (gain * size) with a margin of about 9x.
    this.#tolerance = 4e-15 * (size + this.#k + 16) * size;
    this.#bestScore = -Infinity;
    this.#band.clear();
  }

  /**
   * Scores the candidates of one feature over the node's rows order[base + start, base + end), in
   * value order; values[i] is the feature's value of row order[i].
   */
  scan(order: Int32Array, values: Float64Array, base: number, feature: number, start: number, end: number): void {
    const k = this.#k;
    const total = this.#total;
    const left = this.#left;
    const packed = this.#packed;
    const bits = this.#labelBits;
    const mask = (1 << bits) - 1;
    const minLeaf = this.#minLeaf;
    const size = this.#size;
    const tolerance = this.#tolerance;
    let bestScore = this.#bestScore;
    let lastRows = -1;
    let runStart = start; // first position of the run of values equal to `a`
    let runWeight = 0; // repeated rows before runStart
    let weight = 0; // repeated rows before r
    left.fill(0);
    let row = order[base + start];
    let a = values[base + start];
    let labelA = packed[row] & mask;
    let countA = packed[row] >>> bits;
    for (let r = start + 1; r < end; r++) {
      left[labelA] += countA; // class counts of positions [start, r)
      weight += countA;
      row = order[base + r];
      const b = values[base + r];
      const both = packed[row];
      const labelB = both & mask;
      const countB = both >>> bits;
      // (Repeated copies of one row have one label: candidates only arise between distinct rows.)
      if (labelA !== labelB) {
        const threshold = (a + b) / 2; // ml-cart's splitFunctions.mean
        // Rows below the threshold: all those before r when a < threshold <= b. When the threshold
        // equals a (equal values, or rounding), only the rows below the run of a; when a + b
        // overflowed, count them.
        const usual = threshold > a && threshold <= b;
        let rows = r - start;
        let lesser = weight;
        if (!usual) {
          if (threshold === a) {
            rows = runStart - start;
            lesser = runWeight;
          } else {
            rows = 0;
            lesser = 0;
            while (rows < end - start && values[base + start + rows] < threshold) {
              lesser += packed[order[base + start + rows]] >>> bits;
              rows++;
            }
          }
        }
        // The same partition as this feature's previous candidate: the same gain, cannot win.
        if (rows !== lastRows) {
          lastRows = rows;
          const greater = size - lesser;
          if (lesser >= minLeaf && greater >= minLeaf) {
            const lesserCounts = usual ? left : this.#countsBelow(order, base, start, runStart, r, rows, threshold === a);
            let lesserSquares = 0;
            let greaterSquares = 0;
            for (let c = 0; c < k; c++) {
              const l = lesserCounts[c];
              const g = total[c] - l;
              lesserSquares += l * l;
              greaterSquares += g * g;
            }
            const score = (lesser === 0 ? 0 : lesserSquares / lesser) + (greater === 0 ? 0 : greaterSquares / greater);
            if (score >= bestScore - tolerance) {
              if (score > bestScore) {
                bestScore = score;
                this.#band.dropBelow(bestScore - tolerance);
              }
              this.#band.add(feature, threshold, lesser, rows, lesserCounts, score);
            }
          }
        }
      }
      if (b !== a) {
        runStart = r;
        runWeight = weight;
      }
      a = b;
      labelA = labelB;
      countA = countB;
    }
    this.#bestScore = bestScore;
  }

  /**
   * Class counts below an unusual threshold: those before r less the run of equal values (when the
   * threshold equals the run's value), or counted from the start (after an overflow).
   */
  #countsBelow(order: Int32Array, base: number, start: number, runStart: number, r: number, rows: number, equalsRun: boolean): Int32Array {
    const below = this.#below;
    const packed = this.#packed;
    const bits = this.#labelBits;
    const mask = (1 << bits) - 1;
    if (equalsRun) {
      below.set(this.#left);
      for (let i = base + runStart; i < base + r; i++) below[packed[order[i]] & mask] -= packed[order[i]] >>> bits;
    } else {
      below.fill(0);
      for (let i = base + start; i < base + start + rows; i++) below[packed[order[i]] & mask] += packed[order[i]] >>> bits;
    }
    return below;
  }

  /**
   * Re-scores the kept candidates with ml-cart's arithmetic (greater side first, then lesser) and
   * returns the index of the first maximum (its gain in bestGain), or -1 without candidates.
   */
  choose(): number {
    const band = this.#band;
    if (band.size === 0) return -1;
    const k = this.#k;
    const total = this.#total;
    const size = this.#size;
    const greaterCounts = this.#greater;
    const parentImpurity = exactImpurity(total, 0, k, size);
    let best = -1;
    let bestGain = -Infinity;
    for (let i = 0; i < band.size; i++) {
      for (let c = 0; c < k; c++) greaterCounts[c] = total[c] - band.counts[i * k + c];
      const gain = exactGain(parentImpurity, size, band.counts, i * k, greaterCounts, k, band.lesser[i]);
      if (gain > bestGain) {
        bestGain = gain;
        best = i;
      }
    }
    this.bestGain = bestGain;
    return best;
  }
}

/** Candidate splits within tolerance of the best score so far, in scan order (typed arrays that grow). */
class CandidateBand {
  size = 0;
  feature = new Int32Array(16);
  threshold = new Float64Array(16);
  /** Repeated rows on the lesser side. */
  lesser = new Int32Array(16);
  /** Distinct rows on the lesser side. */
  lesserRows = new Int32Array(16);
  score = new Float64Array(16);
  /** Class counts of the lesser side, k per candidate. */
  counts: Int32Array;
  readonly #k: number;

  constructor(k: number) {
    this.#k = k;
    this.counts = new Int32Array(16 * k);
  }

  clear(): void {
    this.size = 0;
  }

  /** Removes the candidates scoring below `floor`, keeping the others in order. */
  dropBelow(floor: number): void {
    const k = this.#k;
    let kept = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.score[i] >= floor) {
        if (kept !== i) {
          this.feature[kept] = this.feature[i];
          this.threshold[kept] = this.threshold[i];
          this.lesser[kept] = this.lesser[i];
          this.lesserRows[kept] = this.lesserRows[i];
          this.score[kept] = this.score[i];
          this.counts.copyWithin(kept * k, i * k, (i + 1) * k);
        }
        kept++;
      }
    }
    this.size = kept;
  }

  add(feature: number, threshold: number, lesser: number, lesserRows: number, lesserCounts: Int32Array, score: number): void {
    const k = this.#k;
    if (this.size === this.feature.length) this.#grow();
    const i = this.size++;
    this.feature[i] = feature;
    this.threshold[i] = threshold;
    this.lesser[i] = lesser;
    this.lesserRows[i] = lesserRows;
    this.score[i] = score;
    for (let c = 0; c < k; c++) this.counts[i * k + c] = lesserCounts[c];
  }

  #grow(): void {
    const capacity = 2 * this.feature.length;
    this.feature = resized(this.feature, capacity);
    this.threshold = resized(this.threshold, capacity);
    this.lesser = resized(this.lesser, capacity);
    this.lesserRows = resized(this.lesserRows, capacity);
    this.score = resized(this.score, capacity);
    this.counts = resized(this.counts, capacity * this.#k);
  }
}

/** Bits that hold a label in [0, k). */
function labelBits(k: number): number {
  return Math.max(1, Math.ceil(Math.log2(k)));
}

/**
 * count << bits | label for each row, in one Int32Array: the sweep's hottest loop reads a row's label
 * and count from one place in memory, not from two arrays (a cache miss less per row on large
 * data). Counts past what the remaining 31 - bits bits hold (millions of repeats for a handful of
 * classes) are refused.
 */
function packRows(labels: Int32Array, counts: Int32Array, bits: number): Int32Array {
  const limit = 2 ** (31 - bits);
  const packed = keptInt32Array('packed', counts.length);
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i];
    if (count >= limit) throw new RangeError(`growTree: row ${i} is repeated ${count} times; with ${bits} bits of label, at most ${limit - 1}.`);
    packed[i] = count > 0 ? (count << bits) | labels[i] : 0;
  }
  return packed;
}
