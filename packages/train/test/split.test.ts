import { describe, expect, it } from 'vitest';
import { stratifiedKFold, stratifiedSplit } from '../src/index.ts';

// 2118 UE, 1684 W, 1198 FE: the ground truth's class counts.
const labels = [...Array(2118).fill('UE'), ...Array(1684).fill('W'), ...Array(1198).fill('FE')];
const count = (indices: Int32Array, label: string) => Array.from(indices).filter((i) => labels[i] === label).length;

describe('stratifiedSplit (80/20, seed 42)', () => {
  const { train, test } = stratifiedSplit(labels, 0.2, 42);
  it('puts ceil(20%) of rows in test and the rest in train, disjoint and complete', () => {
    expect(test.length).toBe(1000);
    expect(train.length).toBe(4000);
    expect(new Set([...train, ...test]).size).toBe(5000);
  });
  it('keeps each class share within one row (largest remainder)', () => {
    expect(count(test, 'UE')).toBe(424); // 423.6
    expect(count(test, 'W')).toBe(337); // 336.8
    expect(count(test, 'FE')).toBe(239); // 239.6 loses the tie on remainder to UE (class order)
  });
  it('is deterministic for a seed and changes with it', () => {
    expect(stratifiedSplit(labels, 0.2, 42).test).toEqual(test);
    expect(stratifiedSplit(labels, 0.2, 7).test).not.toEqual(test);
  });
  it('refuses a test size outside (0, 1)', () => {
    expect(() => stratifiedSplit(labels, 1)).toThrow(/testSize/);
  });
});

describe('stratifiedKFold (5 folds)', () => {
  const folds = stratifiedKFold(labels, 5, 42);
  it('partitions the rows: every row is in exactly one test fold', () => {
    const tests = folds.flatMap((fold) => Array.from(fold.test));
    expect(tests).toHaveLength(5000);
    expect(new Set(tests).size).toBe(5000);
    for (const fold of folds) expect(fold.train.length + fold.test.length).toBe(5000);
  });
  it('keeps the class balance in every fold', () => {
    for (const fold of folds) {
      expect(Math.abs(count(fold.test, 'UE') - 2118 / 5)).toBeLessThanOrEqual(1);
      expect(Math.abs(count(fold.test, 'FE') - 1198 / 5)).toBeLessThanOrEqual(1);
    }
  });
  it('never shares rows between a fold’s train and test parts', () => {
    for (const fold of folds) {
      const trainRows = new Set(fold.train);
      expect(Array.from(fold.test).some((row) => trainRows.has(row))).toBe(false);
    }
  });
});

describe('too few rows of a class', () => {
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error as Error & { code?: string };
    }
    throw new Error('expected a refusal');
  };
  it('a split needs two rows of every class (one on each side), else DATA_INSUFFICIENT in one sentence', () => {
    const error = refusal(() => stratifiedSplit(['W', 'W', 'UE', 'UE', 'FE']));
    expect(error.code).toBe('DATA_INSUFFICIENT');
    expect(error.message).toBe('Class FE has 1 row; a stratified train/test split needs at least 2 rows of every class (per class: FE 1, UE 2, W 2).');
    expect(() => stratifiedSplit(['W', 'W', 'UE', 'UE', 'FE', 'FE'])).not.toThrow();
  });
  it('k folds need k rows of every class', () => {
    const rows = [...Array(9).fill('W'), ...Array(4).fill('FE')];
    expect(refusal(() => stratifiedKFold(rows, 5)).message).toMatch(/^Class FE has 4 rows; 5-fold stratified cross-validation needs at least 5 rows of every class/);
    expect(() => stratifiedKFold(rows, 4)).not.toThrow();
  });
});
