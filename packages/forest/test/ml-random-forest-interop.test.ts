// @module-tag unit
/**
 * A saved rally forest is also a model for the stock libraries: toMlRandomForestJSON writes
 * ml-random-forest 2.1.0's JSON, and the stock, unpatched RandomForestClassifier.load reads it
 * (with the stock ml-cart for its trees). Checked on the ground truth: every tree of the stock model
 * gives the label rally's tree gives, for every row; the forests then differ only where their
 * designs differ, and the test pins down where:
 * - labels: the stock library takes the majority vote of the trees' labels, rally the most probable
 *   class of the mean of the trees' probabilities (soft voting, as scikit-learn). They agree except on
 *   the rows where the two votes differ.
 * - probabilities: the stock predictProbability(X, c) is the share of the trees voting c, and it
 *   ignores the first tree (its reduce starts from that tree's label, a defect of 2.1.0).
 */
import { RandomForestClassifier as StockForest } from 'ml-random-forest';
import { beforeAll, describe, expect, test } from 'vitest';

import { RandomForestClassifier, type SerializedForest, toMlRandomForestJSON } from '../src/index.ts';

import { loadAustralianOpen, SUBSET_14 } from './helpers/australian-open.ts';
import type { CartNode } from './helpers/ml-cart.ts';

const data = loadAustralianOpen({ columns: SUBSET_14 });
const TRAIN_ROWS = 2500;
const rows = Array.from({ length: data.rows }, (_, r) => Array.from(data.data.subarray(r * data.cols, (r + 1) * data.cols)));

/** Each tree's most probable class per row (ties to the first), walked from the saved JSON. */
function treeLabels(model: SerializedForest, row: readonly number[]): number[] {
  const k = model.classes.length;
  return model.trees.map((tree) => {
    let node = 0;
    let split = 0;
    let leaf = 0;
    // Preorder: skip whole subtrees to reach the right child.
    const skip = () => {
      let pending = 1;
      while (pending > 0) {
        if (tree.feature[node] >= 0) {
          split++;
          pending++;
        } else {
          leaf++;
          pending--;
        }
        node++;
      }
    };
    while (tree.feature[node] >= 0) {
      const goLeft = row[tree.feature[node]] < tree.threshold[split];
      node++;
      split++;
      if (!goLeft) skip();
    }
    const counts = tree.counts.slice(leaf * k, (leaf + 1) * k);
    return counts.indexOf(Math.max(...counts));
  });
}

/** ml-array-mode's rule: the first value to reach the highest count, in tree order. */
function majority(labels: readonly number[]): number {
  const counts = new Map<number, number>();
  let best = labels[0];
  let bestCount = 0;
  for (const label of labels) {
    const count = (counts.get(label) ?? 0) + 1;
    counts.set(label, count);
    if (count > bestCount) {
      bestCount = count;
      best = label;
    }
  }
  return best;
}

describe('a rally forest exported to ml-random-forest 2.1.0', () => {
  let forest: RandomForestClassifier;
  let stock: StockForest;
  let model: SerializedForest;
  beforeAll(async () => {
    const X = { data: data.data.subarray(0, TRAIN_ROWS * data.cols), rows: TRAIN_ROWS, cols: data.cols };
    forest = await new RandomForestClassifier({ nEstimators: 25, seed: 4 }).fit(X, data.y.slice(0, TRAIN_ROWS));
    model = forest.toJSON();
    // Through text, as a file would carry it.
    stock = StockForest.load(JSON.parse(JSON.stringify(toMlRandomForestJSON(forest))));
  });

  test('loads in the stock library as a 25-tree classifier over all 14 columns', () => {
    expect(stock.estimators).toHaveLength(25);
    expect(stock.indexes!.every((columns) => columns.length === 14)).toBe(true);
  });

  test('every stock tree labels every ground-truth row as rally\'s tree does', () => {
    const votes = (stock.predictionValues(rows) as unknown as { to2DArray(): number[][] }).to2DArray();
    expect(votes).toHaveLength(data.rows);
    for (let r = 0; r < data.rows; r++) {
      const expected = treeLabels(model, rows[r]);
      if (votes[r].some((label, t) => label !== expected[t])) expect.fail(`row ${r}: stock trees ${votes[r].join(',')} vs rally ${expected.join(',')}`);
    }
  });

  test('labels: the same as rally\'s wherever the majority vote and the mean probability agree (over 98% of the rows)', () => {
    const stockLabels = stock.predict(rows).map((index) => forest.classes[index]);
    const rallyLabels = forest.predict({ data: data.data, rows: data.rows, cols: data.cols });
    let votesDisagree = 0;
    for (let r = 0; r < data.rows; r++) {
      const hardVote = forest.classes[majority(treeLabels(model, rows[r]))];
      expect(stockLabels[r], `row ${r}`).toBe(hardVote);
      if (hardVote !== rallyLabels[r]) votesDisagree++;
      else expect(stockLabels[r], `row ${r}`).toBe(rallyLabels[r]);
    }
    console.log(`measured: the stock forest's labels differ from rally's on ${votesDisagree} of ${data.rows} rows (majority vote against mean probability)`);
    expect(votesDisagree).toBeLessThan(data.rows * 0.02);
  });

  test('probabilities: the stock library gives the share of votes without the first tree, not rally\'s mean of leaf probabilities', () => {
    const proba = forest.predictProba({ data: data.data, rows: data.rows, cols: data.cols });
    const k = forest.classes.length;
    let differ = 0;
    for (let c = 0; c < k; c++) {
      const stockProba = stock.predictProbability(rows.slice(0, 500), c);
      for (let r = 0; r < 500; r++) {
        const labels = treeLabels(model, rows[r]);
        const laterVotes = labels.slice(1).filter((label) => label === c).length;
        // reduce() without a start value: the first tree's label, then 1e6 / trees per later vote.
        expect(stockProba[r], `row ${r}, class ${c}`).toBe(Math.round(labels[0] + (laterVotes * 1e6) / labels.length) / 1e6);
        if (Math.abs(stockProba[r] - proba[r * k + c]) > 1e-3) differ++;
      }
    }
    expect(differ).toBeGreaterThan(0);
  });
});

describe('a forest with a leaf prior (rally train defaults) exported to ml-random-forest 2.1.0', () => {
  test('carries the smoothed leaf probabilities, and every stock tree still labels every row as rally\'s does', async () => {
    const X = { data: data.data.subarray(0, TRAIN_ROWS * data.cols), rows: TRAIN_ROWS, cols: data.cols };
    const params = { nEstimators: 10, maxDepth: 12, maxFeatures: 0.75, minSamplesLeaf: 8, leafPrior: 0.05, seed: 4 };
    const smoothed = await new RandomForestClassifier(params).fit(X, data.y.slice(0, TRAIN_ROWS));
    const json = toMlRandomForestJSON(smoothed);
    const model = smoothed.toJSON();
    const k = model.classes.length;
    const leaves = (node: CartNode): number[][] => (node.distribution ? [node.distribution[0]] : [...leaves(node.left!), ...leaves(node.right!)]);
    json.baseModel.estimators.forEach((estimator, t) => {
      const counts = model.trees[t].counts;
      leaves(estimator.root).forEach((distribution, leaf) => {
        const total = counts.slice(leaf * k, leaf * k + k).reduce((a, b) => a + b, 0) + k * 0.05;
        distribution.forEach((p, c) => expect(p).toBeCloseTo((counts[leaf * k + c] + 0.05) / total, 15));
      });
    });
    const stockSmoothed = StockForest.load(JSON.parse(JSON.stringify(json)));
    const votes = (stockSmoothed.predictionValues(rows.slice(0, 1000)) as unknown as { to2DArray(): number[][] }).to2DArray();
    votes.forEach((labels, r) => expect(labels, `row ${r}`).toEqual(treeLabels(model, rows[r])));
  });
});
