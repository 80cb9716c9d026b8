// @module-tag unit
import { describe, expect, test } from 'vitest';

import { exactImpurity } from '../../src/grower/exact-gini.ts';
import { SortedColumns } from '../../src/grower/sorted-columns.ts';
import { SplitSearch } from '../../src/grower/split-search.ts';

interface Found {
  feature: number;
  threshold: number;
  lesser: number;
  lesserRows: number;
  gain: number;
}

/**
 * The best split of one node holding every row (features as columns), searched feature by feature
 * in column order, as the grower searches a node.
 */
function bestSplit(columns: number[][], labels: number[], options: { minLeaf?: number; counts?: number[] } = {}): Found | null {
  const search = searched(columns, labels, options);
  const best = search.choose();
  if (best < 0) return null;
  const band = search.candidates;
  return { feature: band.feature[best], threshold: band.threshold[best], lesser: band.lesser[best], lesserRows: band.lesserRows[best], gain: search.bestGain };
}

/** The search of that node once every feature is scanned, before it chooses. */
function searched(columns: number[][], labels: number[], options: { minLeaf?: number; counts?: number[] } = {}): SplitSearch {
  const rows = labels.length;
  const cols = columns.length;
  const data = new Float64Array(rows * cols);
  columns.forEach((column, j) => column.forEach((value, i) => (data[i * cols + j] = value)));
  const set = new SortedColumns(data, rows, cols);
  const counts = Int32Array.from(options.counts ?? labels.map(() => 1));
  const present = Array.from(counts).filter((c) => c > 0).length;
  // Each feature's order without the absent rows, one segment of `present` per feature.
  const order = new Int32Array(present * cols);
  const values = new Float64Array(present * cols);
  for (let j = 0; j < cols; j++) {
    let w = j * present;
    for (let r = 0; r < rows; r++) {
      const row = set.orders[j * rows + r];
      if (counts[row] > 0) {
        values[w] = set.sortedValues[j * rows + r];
        order[w++] = row;
      }
    }
  }
  const k = Math.max(...labels) + 1;
  const total = new Int32Array(k);
  labels.forEach((label, i) => (total[label] += counts[i]));
  const size = total.reduce((a, b) => a + b, 0);
  const search = new SplitSearch(k, options.minLeaf ?? 0, Int32Array.from(labels), counts);
  search.begin(total, size);
  for (let j = 0; j < cols; j++) search.scan(order, values, j * present, j, 0, present);
  return search;
}

describe('split search on hand-made columns', () => {
  test('a clean cut: the midpoint between the two classes, gain = the parent impurity', () => {
    expect(bestSplit([[1, 2, 3, 4]], [0, 0, 1, 1])).toEqual({ feature: 0, threshold: 2.5, lesser: 2, lesserRows: 2, gain: 0.5 });
  });

  test('rows need not be in value order', () => {
    expect(bestSplit([[4, 1, 3, 2]], [1, 0, 1, 0])).toMatchObject({ threshold: 2.5, lesser: 2 });
  });

  test('the better of two features wins, whatever its position', () => {
    const noisy = [1, 2, 3, 4, 5, 6];
    const clean = [10, 20, 30, 40, 50, 60];
    const labels = [0, 1, 0, 1, 1, 1];
    const found = bestSplit([noisy, clean], labels)!;
    expect(found.feature).toBe(0); // both features order the rows identically: the first of equal gains
    const found2 = bestSplit([[6, 5, 4, 3, 2, 1], clean], [0, 0, 0, 1, 1, 1])!;
    expect(found2).toMatchObject({ feature: 0, threshold: 3.5 });
    const found3 = bestSplit([[1, 1, 2, 2, 1, 2], clean], [0, 0, 0, 1, 1, 1])!;
    expect(found3).toMatchObject({ feature: 1, threshold: 35 });
  });

  test('the band keeps every tied candidate, in scan order, past its first 16 slots', () => {
    // 20 identical features: the same best partition, the same score, 20 times.
    const column = [1, 2, 3, 4, 5, 6];
    const search = searched(Array.from({ length: 20 }, () => column), [0, 0, 0, 1, 1, 1]);
    const band = search.candidates;
    expect(band.size).toBe(20);
    expect(Array.from(band.feature.subarray(0, 20))).toEqual(Array.from({ length: 20 }, (_, j) => j));
    for (let i = 0; i < 20; i++) {
      expect(band.threshold[i]).toBe(3.5);
      expect([band.lesser[i], band.lesserRows[i]]).toEqual([3, 3]);
      expect(Array.from(band.counts.subarray(2 * i, 2 * i + 2))).toEqual([3, 0]);
    }
    expect(search.choose()).toBe(0);
  });

  test('ties: of equal gains the first candidate in scan order wins (ml-cart keeps the first maximum)', () => {
    // 2.5 and 4.5 give mirror-image partitions with the same gain.
    expect(bestSplit([[1, 2, 3, 4, 5, 6]], [0, 0, 1, 1, 0, 0])).toMatchObject({ threshold: 2.5 });
    // Two identical features: the first one.
    expect(bestSplit([[1, 2, 3], [1, 2, 3]], [0, 1, 1])).toMatchObject({ feature: 0, threshold: 1.5 });
  });

  test('equal values with different labels are never separated: the threshold between them leaves one side empty', () => {
    // Candidates: (1, 1) -> threshold 1, which puts no row below; (1, 2) has equal labels: none.
    const found = bestSplit([[1, 1, 2]], [0, 1, 1])!;
    expect(found).toMatchObject({ threshold: 1, lesser: 0, lesserRows: 0 });
    // Gain of an empty side: the parent impurity less itself.
    expect(found.gain).toBe(exactImpurity(Int32Array.from([1, 2]), 0, 2, 3) - exactImpurity(Int32Array.from([1, 2]), 0, 2, 3));
  });

  test('a constant feature only offers ml-cart\'s empty-side candidate (the grower refuses it); with minSamplesLeaf none', () => {
    expect(bestSplit([[7, 7, 7, 7]], [0, 1, 0, 1])).toMatchObject({ threshold: 7, lesser: 0 });
    expect(bestSplit([[7, 7, 7, 7]], [0, 1, 0, 1], { minLeaf: 1 })).toBeNull();
    expect(bestSplit([[7, 7, 7, 7], [1, 2, 3, 4]], [0, 0, 1, 1])).toMatchObject({ feature: 1 });
  });

  test('one class has no candidate', () => {
    expect(bestSplit([[1, 2, 3, 4]], [1, 1, 1, 1])).toBeNull();
  });

  test('minSamplesLeaf: thresholds leaving fewer rows on a side are not candidates', () => {
    expect(bestSplit([[1, 2, 3, 4, 5, 6]], [0, 1, 1, 1, 1, 1])).toMatchObject({ threshold: 1.5 });
    expect(bestSplit([[1, 2, 3, 4, 5, 6]], [0, 1, 1, 1, 1, 1], { minLeaf: 2 })).toBeNull();
    // Unconstrained, 1.5 is best; with 3 rows a side only 3.5 remains.
    expect(bestSplit([[1, 2, 3, 4, 5, 6]], [0, 1, 1, 0, 1, 1])).toMatchObject({ threshold: 1.5 });
    expect(bestSplit([[1, 2, 3, 4, 5, 6]], [0, 1, 1, 0, 1, 1], { minLeaf: 3 })).toMatchObject({ threshold: 3.5, lesser: 3 });
  });

  test('sample counts weigh rows: the split of the repeated rows, each distinct row scanned once', () => {
    // Row 0 (label 0) three times, row 3 absent: as if the rows were 1, 1, 1, 2, 3.
    const weighted = bestSplit([[1, 2, 3, 4]], [0, 1, 1, 0], { counts: [3, 1, 1, 0] });
    const repeated = bestSplit([[1, 1, 1, 2, 3]], [0, 0, 0, 1, 1]);
    expect(weighted).toEqual({ ...repeated, lesserRows: 1 });
    expect(weighted).toMatchObject({ threshold: 1.5, lesser: 3 });
  });

  test('labels and counts share one int per row (count << label bits | label): the largest count that fits, with the largest label, weighs as much as it says', () => {
    // 5 classes: 3 bits of label, so counts up to 2^28 - 1.
    const most = 2 ** 28 - 1;
    const found = bestSplit([[1, 2, 3, 4, 5]], [4, 4, 0, 3, 3], { counts: [most, 1, 1, 1, most] });
    // Lesser side: the many 4s (with the single one); greater side: the rest, each class counted in full.
    expect(found).toMatchObject({ threshold: 2.5, lesser: most + 1 });
    const scaled = bestSplit([[1, 2, 3, 4, 5]], [4, 4, 0, 3, 3], { counts: [1000, 1, 1, 1, 1000] });
    expect(scaled).toMatchObject({ threshold: 2.5, lesser: 1001 });
  });

  test('a count that does not fit beside the label bits is refused, naming the row (not silently mixed into the label)', () => {
    expect(() => bestSplit([[1, 2, 3]], [0, 1, 4], { counts: [1, 2 ** 28, 1] })).toThrow('growTree: row 1 is repeated 268435456 times; with 3 bits of label, at most 268435455.');
    // Two classes: one bit of label, so 2^30 - 1 repeats fit.
    expect(bestSplit([[1, 2, 3]], [0, 1, 1], { counts: [1, 2 ** 30 - 1, 1] })).toMatchObject({ threshold: 1.5, lesser: 1 });
    expect(() => bestSplit([[1, 2, 3]], [0, 1, 1], { counts: [1, 2 ** 30, 1] })).toThrow('at most 1073741823');
  });

  test('minSamplesLeaf counts repeated rows', () => {
    expect(bestSplit([[1, 2, 3]], [0, 1, 1], { counts: [2, 1, 1], minLeaf: 2 })).toMatchObject({ threshold: 1.5, lesser: 2 });
  });

  test('the midpoint of two huge values overflows to Infinity: every row falls below it, as in ml-cart', () => {
    const found = bestSplit([[1.7e308, 1.7e308 * 1.05, -1]], [0, 1, 0])!;
    expect(found.threshold).toBe(Infinity);
    expect(found.lesser).toBe(3);
    // Below 1.7e308, the midpoint is finite and separates them.
    expect(bestSplit([[5e307, 1e308, -1]], [0, 1, 0])).toMatchObject({ threshold: 7.5e307, lesser: 2 });
  });
});
