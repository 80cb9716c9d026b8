// @module-tag unit
import { describe, expect, it } from 'vitest';
import { stratifiedKFold, stratifiedSplit } from '../src/index.ts';

// 2118 UE, 1684 W, 1198 FE: the ground truth's class counts.
const labels = [...Array(2118).fill('UE'), ...Array(1684).fill('W'), ...Array(1198).fill('FE')];
const count = (indices: Int32Array, label: string) => Array.from(indices).filter((i) => labels[i] === label).length;
const allRows = (n: number) => Array.from({ length: n }, (_, i) => i);
const ascending = (indices: Int32Array) => Array.from(indices).every((row, i, rows) => i === 0 || rows[i - 1] < row);

/** Checks that two parts partition rows 0..n-1: disjoint, nothing else, nothing missing. */
function expectPartition(train: Int32Array, test: Int32Array, n: number): void {
  expect(train.length + test.length).toBe(n);
  expect([...train, ...test].sort((a, b) => a - b)).toEqual(allRows(n));
}

// Every split is computed inside its test, not once per describe: a mutation run switches mutants per test.
describe('stratifiedSplit (80/20, seed 42)', () => {
  it('puts ceil(20%) of rows in test and the rest in train, disjoint and complete', () => {
    const { train, test } = stratifiedSplit(labels, 0.2, 42);
    expect(test.length).toBe(1000);
    expect(train.length).toBe(4000);
    expectPartition(train, test, 5000);
    expect(ascending(train) && ascending(test)).toBe(true);
  });
  it('keeps each class share within one row (largest remainder)', () => {
    const { test } = stratifiedSplit(labels, 0.2, 42);
    expect(count(test, 'UE')).toBe(424); // 423.6
    expect(count(test, 'W')).toBe(337); // 336.8
    expect(count(test, 'FE')).toBe(239); // 239.6 loses the tie on remainder to UE (class order)
  });
  it('gives the rows left over by equal remainders to the classes in sorted order', () => {
    // Three classes of 5 rows, 2 test rows: each class is owed 2/3 of a row.
    const rows = [...Array(5).fill('C'), ...Array(5).fill('A'), ...Array(5).fill('B')];
    const { train, test } = stratifiedSplit(rows, 0.1, 42);
    expect(Array.from(test, (i) => rows[i]).sort()).toEqual(['A', 'B']);
    expectPartition(train, test, 15);
  });
  it('is deterministic for a seed and changes with it', () => {
    const { test } = stratifiedSplit(labels, 0.2, 42);
    expect(stratifiedSplit(labels, 0.2, 42).test).toEqual(test);
    expect(stratifiedSplit(labels, 0.2, 7).test).not.toEqual(test);
  });
  it('refuses a test size outside (0, 1)', () => {
    for (const testSize of [0, 1, -0.2, 1.5, Number.NaN]) expect(() => stratifiedSplit(labels, testSize), String(testSize)).toThrow(`testSize must be in (0, 1), got ${testSize}.`);
    expect(() => stratifiedSplit(labels, 0.01)).not.toThrow();
    expect(() => stratifiedSplit(labels, 0.99)).not.toThrow();
  });
  it('splits no rows into two empty parts', () => {
    expect(stratifiedSplit([])).toEqual({ train: new Int32Array(0), test: new Int32Array(0) });
  });
});

describe('stratifiedKFold (5 folds)', () => {
  it('partitions the rows: every row is in exactly one test fold', () => {
    const folds = stratifiedKFold(labels, 5, 42);
    expect(folds).toHaveLength(5);
    const tests = folds.flatMap((fold) => Array.from(fold.test));
    expect(tests.sort((a, b) => a - b)).toEqual(allRows(5000));
    for (const fold of folds) {
      expect(fold.test.length).toBe(1000);
      expectPartition(fold.train, fold.test, 5000);
      expect(ascending(fold.train) && ascending(fold.test)).toBe(true);
    }
  });
  it('keeps the class balance in every fold', () => {
    for (const fold of stratifiedKFold(labels, 5, 42)) {
      expect(Math.abs(count(fold.test, 'UE') - 2118 / 5)).toBeLessThanOrEqual(1);
      expect(Math.abs(count(fold.test, 'FE') - 1198 / 5)).toBeLessThanOrEqual(1);
    }
  });
  it('never shares rows between a fold’s train and test parts', () => {
    for (const fold of stratifiedKFold(labels, 5, 42)) {
      const trainRows = new Set(fold.train);
      expect(Array.from(fold.test).some((row) => trainRows.has(row))).toBe(false);
    }
  });
  it('takes any whole number of folds from 2, and refuses fewer or a fraction', () => {
    const halves = stratifiedKFold(labels, 2, 42);
    expect(halves.map((fold) => fold.test.length)).toEqual([2500, 2500]);
    for (const folds of [1, 0, -3, 2.5, Number.NaN]) expect(() => stratifiedKFold(labels, folds), String(folds)).toThrow(`folds must be an integer >= 2, got ${folds}.`);
  });
  it('splits no rows into empty folds', () => {
    expect(stratifiedKFold([], 3)).toEqual(Array.from({ length: 3 }, () => ({ train: new Int32Array(0), test: new Int32Array(0) })));
  });
});

describe('too few rows of a class', () => {
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error as Error & { code?: string; details?: unknown };
    }
    throw new Error('expected a refusal');
  };
  it('a split needs two rows of every class (one on each side), else DATA_INSUFFICIENT in one sentence', () => {
    const error = refusal(() => stratifiedSplit(['W', 'W', 'UE', 'UE', 'FE']));
    expect(error.code).toBe('DATA_INSUFFICIENT');
    expect(error.message).toBe('Class FE has 1 row; a stratified train/test split needs at least 2 rows of every class (per class: FE 1, UE 2, W 2).');
    expect(error.details).toEqual({ classes: { FE: 1, UE: 2, W: 2 }, min: 2 });
    expect(() => stratifiedSplit(['W', 'W', 'UE', 'UE', 'FE', 'FE'])).not.toThrow();
  });
  it('names the smallest class wherever it sorts, the first of equally small ones', () => {
    expect(refusal(() => stratifiedSplit(['FE', 'FE', 'UE', 'UE', 'W'])).message).toMatch(/^Class W has 1 row;/);
    expect(refusal(() => stratifiedSplit(['FE', 'FE', 'UE', 'W', 'W'])).message).toMatch(/^Class UE has 1 row;/);
    expect(refusal(() => stratifiedSplit(['W', 'W', 'UE', 'FE'])).message).toMatch(/^Class FE has 1 row;/);
  });
  it('k folds need k rows of every class', () => {
    const rows = [...Array(9).fill('W'), ...Array(4).fill('FE')];
    const error = refusal(() => stratifiedKFold(rows, 5));
    expect(error.message).toMatch(/^Class FE has 4 rows; 5-fold stratified cross-validation needs at least 5 rows of every class/);
    expect(error.details).toEqual({ classes: { FE: 4, W: 9 }, min: 5 });
    expect(() => stratifiedKFold(rows, 4)).not.toThrow();
  });
});
