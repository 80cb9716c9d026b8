// @module-tag unit
/**
 * The forest on the real data (data/australian_open.csv, its 22 numeric and boolean columns):
 * trained on the first 4000 points, scored on the last 1000.
 */
import { beforeAll, describe, expect, test } from 'vitest';

import { RandomForestClassifier, type Matrix } from '../src/index.ts';
import { loadAustralianOpen } from './helpers/australian-open.ts';

const all = loadAustralianOpen();
const TRAIN = 4000;
const train: Matrix = { data: all.data.subarray(0, TRAIN * all.cols), rows: TRAIN, cols: all.cols };
const held: Matrix = { data: all.data.subarray(TRAIN * all.cols), rows: all.rows - TRAIN, cols: all.cols };
const yTrain = all.y.slice(0, TRAIN);
const yHeld = all.y.slice(TRAIN);

function logLoss(proba: Float64Array, classes: readonly string[], labels: readonly string[]): number {
  let total = 0;
  labels.forEach((label, r) => {
    total -= Math.log(Math.max(proba[r * classes.length + classes.indexOf(label)], 1e-15));
  });
  return total / labels.length;
}

describe('quality on australian_open.csv', () => {
  let forest: RandomForestClassifier;
  // A full-size fit: allowed a minute on a busy machine (a mutation run's coverage pass is several times slower).
  beforeAll(async () => {
    forest = await new RandomForestClassifier({ nEstimators: 100, maxDepth: 20, seed: 42 }).fit(train, yTrain);
  }, 60_000);

  test('beats the class-prior log loss clearly', () => {
    const classes = forest.classes;
    expect(classes).toEqual(['FE', 'UE', 'W']);
    const prior = classes.map((c) => yTrain.filter((label) => label === c).length / yTrain.length);
    const priorProba = Float64Array.from({ length: yHeld.length * 3 }, (_, i) => prior[i % 3]);
    const baseline = logLoss(priorProba, classes, yHeld);
    expect(baseline).toBeGreaterThan(1.0);
    const loss = logLoss(forest.predictProba(held), classes, yHeld);
    expect(loss).toBeLessThan(0.75);
    expect(loss).toBeLessThan(baseline - 0.3);
  });

  test('accuracy well above the majority class', () => {
    const predicted = forest.predict(held);
    const accuracy = predicted.filter((label, i) => label === yHeld[i]).length / yHeld.length;
    const majority = Math.max(...forest.classes.map((c) => yHeld.filter((label) => label === c).length)) / yHeld.length;
    expect(accuracy).toBeGreaterThan(majority + 0.2);
  });

  test('100 trees of depth 20 on 4000 rows serialize compactly and load back identically', () => {
    const text = JSON.stringify(forest);
    expect(text.length).toBeLessThan(8_000_000);
    const loaded = RandomForestClassifier.fromJSON(text);
    expect(Array.from(loaded.predictProba(held))).toEqual(Array.from(forest.predictProba(held)));
  });
});
