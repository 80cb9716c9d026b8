/**
 * pnpm bench:fit — the forest alone (no features, no scikit-learn):
 *
 *   pnpm bench:fit            # 14-column subset
 *   pnpm bench:fit --all      # the 22 numeric/boolean columns
 *
 * Fits 100 trees, depth 20, sqrt features, bootstrap, on the first 4000 rows of
 * data/australian_open.csv, in this thread, with 1 worker and with 2 workers (median of a few
 * runs), then times predictProba for 1 row and 1000 rows and prints the model's JSON size.
 */
import { RandomForestClassifier, type Matrix } from '@rally/forest';

import { loadAustralianOpen, SUBSET_14 } from '../packages/forest/test/helpers/australian-open.ts';
import { machineLine, median } from './lib/timing.ts';

const allColumns = process.argv.includes('--all');
const repeats = 3;
const data = loadAustralianOpen(allColumns ? {} : { columns: SUBSET_14 });
const cols = data.cols;
const train: Matrix = { data: data.data.subarray(0, 4000 * cols), rows: 4000, cols };
const held: Matrix = { data: data.data.subarray(4000 * cols, 5000 * cols), rows: 1000, cols };
const yTrain = data.y.slice(0, 4000);
const params = { nEstimators: 100, maxDepth: 20, maxFeatures: 'sqrt', bootstrap: true, seed: 42 } as const;

const ms = (value: number) => `${value.toFixed(value < 1 ? 4 : 1)} ms`;

console.log(`bench:fit — ${machineLine()}`);
console.log(`data: 4000 x ${cols} (${allColumns ? 'all numeric/boolean columns' : '14-column subset'}), params ${JSON.stringify(params)}`);

const models = new Map<string, string>();
async function timeFit(label: string, fit: () => Promise<RandomForestClassifier>): Promise<RandomForestClassifier> {
  const times: number[] = [];
  let forest!: RandomForestClassifier;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    forest = await fit();
    times.push(performance.now() - start);
  }
  models.set(label, JSON.stringify(forest));
  console.log(`fit ${label.padEnd(22)} median ${ms(median(times))}  (runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms)`);
  return forest;
}

const forest = await timeFit('in this thread', () => new RandomForestClassifier(params).fit(train, yTrain, { workers: 0 }));
await timeFit('1 worker thread', () => new RandomForestClassifier(params).fit(train, yTrain, { workers: 1 }));
await timeFit('2 worker threads', () => new RandomForestClassifier(params).fit(train, yTrain, { workers: 2 }));
console.log(`same model whatever the workers: ${new Set(models.values()).size === 1}`);

/** Median time of predictProba(X) over `runs` calls, after `warmup` untimed ones. */
function timePredict(X: Matrix, warmup: number, runs: number): number {
  for (let i = 0; i < warmup; i++) forest.predictProba(X);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    forest.predictProba(X);
    times.push(performance.now() - start);
  }
  return median(times);
}
const one: Matrix = { data: held.data.subarray(0, cols), rows: 1, cols };
console.log(`predictProba 1 row: median ${ms(timePredict(one, 200, 2000))}; 1000 rows: median ${ms(timePredict(held, 5, 30))}`);

const json = models.get('in this thread')!;
const trees = forest.toJSON().trees;
const nodes = trees.reduce((n, tree) => n + tree.feature.length, 0);
console.log(`model JSON: ${(json.length / 1e6).toFixed(2)} MB (${json.length} bytes), ${nodes} nodes, ${(nodes / trees.length).toFixed(0)} per tree`);

const proba = forest.predictProba(held);
let loss = 0;
const k = forest.classes.length;
data.y.slice(4000, 5000).forEach((label, r) => (loss -= Math.log(Math.max(proba[r * k + forest.classes.indexOf(label)], 1e-15))));
console.log(`held-out log loss (last 1000 rows): ${(loss / 1000).toFixed(4)}`);
