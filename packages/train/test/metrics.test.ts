// @module-tag unit
import { describe, expect, it } from 'vitest';
import { accuracy, classPriorLogLoss, logLoss, populationStd, rowLogLosses } from '../src/index.ts';

describe('log loss (scikit-learn semantics)', () => {
  const classes = ['FE', 'UE', 'W'];
  it('is -mean log p(true class), by hand', () => {
    const proba = Float64Array.from([0.7, 0.2, 0.1, 0.1, 0.1, 0.8]);
    expect(logLoss(['FE', 'W'], proba, classes)).toBeCloseTo(-(Math.log(0.7) + Math.log(0.8)) / 2, 12);
  });
  it('clips a zero probability to 1e-15 instead of returning Infinity', () => {
    const proba = Float64Array.from([1, 0, 0]);
    expect(rowLogLosses(['W'], proba, classes)[0]).toBeCloseTo(-Math.log(1e-15), 6);
  });
  it('clips a certain probability to 1 - 1e-15 as well, so even a sure hit costs a little', () => {
    // scikit-learn clips to [eps, 1 - eps] and then renormalises: (1 - eps) / (1 - eps + 2 eps).
    const loss = rowLogLosses(['FE'], Float64Array.from([1, 0, 0]), classes)[0];
    expect(loss).toBeCloseTo(-Math.log((1 - 1e-15) / (1 + 1e-15)), 17);
    expect(loss).toBeGreaterThan(0);
  });
  it('renormalises rows that do not sum to 1', () => {
    expect(logLoss(['FE'], Float64Array.from([0.2, 0.2, 0.2]), classes)).toBeCloseTo(Math.log(3), 12);
  });
  it('refuses a label the model does not know', () => {
    expect(() => logLoss(['ACE'], Float64Array.from([1, 0, 0]), classes)).toThrow(`Label "ACE" is not one of the model's classes (FE, UE, W).`);
  });
  it('class prior on the ground truth balance is about 1.0727', () => {
    const labels = [...Array(2118).fill('UE'), ...Array(1684).fill('W'), ...Array(1198).fill('FE')];
    expect(classPriorLogLoss(labels, labels)).toBeCloseTo(1.0727, 4);
  });
});

describe('accuracy and std', () => {
  it('accuracy counts exact matches', () => {
    expect(accuracy(['W', 'FE', 'UE', 'W'], ['W', 'UE', 'UE', 'FE'])).toBe(0.5);
  });
  it('std is the population std (ddof = 0)', () => {
    expect(populationStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(1.25), 12);
  });
});
