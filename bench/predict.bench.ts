/**
 * pnpm bench:predict — prediction alone, on the default model's own trees: rally's predictProba
 * against ONNX Runtime (onnxruntime-node's CPU build, one thread, reading rally's ONNX export) and
 * scikit-learn (the same trees written into its estimators), on the same feature matrices.
 *
 * The default model is what `pnpm train` fits (TRAIN_DEFAULTS on rally's 80% split); the matrices
 * are its features of all 5,000 ground-truth rows, cut into consecutive batches of 1, 100, 1,000
 * and 5,000. Each round times every engine on every batch size for a fixed window (the engines'
 * order rotating round by round, scikit-learn in its own process driven line by line), so a busy
 * moment hits all of them; the table gives each engine's median over rounds, the spread (lowest to
 * highest round), rally ÷ ONNX Runtime, and ns per node visit (time per point over the splits a
 * point's path tests, summed over trees).
 *
 * Then memory: what one loaded model keeps (heap and array buffers, after a forced GC, averaged over
 * ten copies loaded from model.json and kept), against the 2x-model.json target.
 *
 * Options (env): ROUNDS (7), WINDOW_MS (250), SKLEARN (1; 0 leaves scikit-learn out).
 * scikit-learn needs Debian's python3-sklearn (installed if missing).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GROUND_TRUTH_PATH, selectRows, selectValues } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { toOnnxModel, type Matrix, type SerializedForest } from '@rally/forest';
import { Pipeline } from '@rally/model';
import { tempDir } from '@rally/testkit';
import { SPLIT, stratifiedSplit, TRAIN_DEFAULTS } from '@rally/train';
import * as ort from 'onnxruntime-node';
import { leafProbabilities, preorderRightChildren } from '../packages/forest/src/compiled.ts';
import { ensureDebianPackages } from './lib/reference.ts';
import { machineLine, median } from './lib/timing.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 250);
const WITH_SKLEARN = process.env.SKLEARN !== '0';
const BATCHES = [1, 100, 1000, 5000] as const;
const SKLEARN_SCRIPT = fileURLToPath(new URL('./reference/sklearn_predict.py', import.meta.url));

console.log(`bench:predict — ${machineLine()}`);

// The default model and its feature matrix.
const { batch } = loadDataset(GROUND_TRUTH_PATH);
const labels = Array.from(batch.columns.outcome as Iterable<string>);
const { train } = stratifiedSplit(labels, SPLIT.testSize, SPLIT.seed);
const pipeline = await Pipeline.create(TRAIN_DEFAULTS).fit(selectRows(batch, train), selectValues(labels, train), { workers: 2 });
const forest = pipeline.estimator;
const X = pipeline.transform(batch);
const { rows, cols } = X;
const k = forest.classes.length;
const serialized = forest.toJSON();
const expected = forest.predictProba(X);

/** Preorder trees with explicit children, and the splits each point's path tests. */
function explicitTrees(model: SerializedForest) {
  return model.trees.map((tree) => {
    const n = tree.feature.length;
    const right = preorderRightChildren(tree.feature);
    const left = new Int32Array(n).fill(-1);
    const threshold = new Float64Array(n);
    let split = 0;
    for (let i = 0; i < n; i++) {
      if (tree.feature[i]! >= 0) {
        left[i] = i + 1;
        threshold[i] = tree.threshold[split++]!;
      }
    }
    return { feature: tree.feature, left, right, threshold, counts: tree.counts };
  });
}
const trees = explicitTrees(serialized);
let visits = 0;
for (let r = 0; r < rows; r++) {
  for (const tree of trees) {
    let node = 0;
    while (tree.feature[node]! >= 0) {
      node = X.data[r * cols + tree.feature[node]!]! < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
      visits += 1;
    }
  }
}
const visitsPerPoint = visits / rows;
console.log(
  `default model: ${serialized.trees.length} trees, ${trees.reduce((n, t) => n + t.feature.length, 0)} nodes; ${rows} points x ${cols} features; ` +
    `${visitsPerPoint.toFixed(0)} node visits a point (splits tested on its paths)`,
);

// ONNX Runtime on the export, one thread.
const session = await ort.InferenceSession.create(toOnnxModel(forest, { featureNames: pipeline.featureNames() }), {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const ortAll = (await session.run({ X: new ort.Tensor('float64', X.data, [rows, cols]) }, ['probabilities'])).probabilities!.data as Float32Array;
let ortDiff = 0;
for (let i = 0; i < expected.length; i++) ortDiff = Math.max(ortDiff, Math.abs(ortAll[i]! - expected[i]!));
console.log(`ONNX Runtime ${ort.env.versions?.node ?? ''}: largest probability difference from rally's over ${rows} rows ${ortDiff.toExponential(1)}`);

// The same batches for every engine, built once (the timing is of prediction, not of slicing).
const views = new Map<number, { rally: Matrix[]; ort: ort.Tensor[] }>();
for (const size of BATCHES) {
  const rally: Matrix[] = [];
  const tensors: ort.Tensor[] = [];
  for (let start = 0; start + size <= rows; start += size) {
    const data = X.data.subarray(start * cols, (start + size) * cols);
    rally.push({ data, rows: size, cols });
    tensors.push(new ort.Tensor('float64', data, [size, cols]));
  }
  views.set(size, { rally, ort: tensors });
}

/** µs per point over one window of consecutive batches. */
async function timeWindow(call: (i: number) => unknown, count: number, size: number): Promise<number> {
  for (let i = 0; i < 3; i++) await call(i % count);
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    await call(calls % count);
    calls += 1;
    elapsed = performance.now() - started;
  } while (elapsed < WINDOW_MS);
  return (elapsed * 1000) / (calls * size);
}

// scikit-learn: the same trees, in a process of its own.
let sklearn: { ask(size: number): Promise<number>; close(): void } | undefined;
if (WITH_SKLEARN) {
  ensureDebianPackages(['/usr/bin/python3', '-c', 'import sklearn'], ['python3-sklearn']);
  const work = tempDir('bench-predict');
  const leaf = new Float64Array(k);
  const spec = {
    classes: forest.classes,
    trees: trees.map((tree) => {
      const value: number[] = [];
      let leaves = 0;
      let depth = 0;
      for (let i = 0; i < tree.feature.length; i++) {
        if (tree.feature[i]! >= 0) value.push(...new Array(k).fill(1 / k));
        else {
          leafProbabilities(tree.counts, leaves++, k, serialized.params.leafPrior ?? 0, leaf);
          value.push(...leaf);
        }
      }
      const stack: [number, number][] = [[0, 0]];
      while (stack.length) {
        const [node, d] = stack.pop()!;
        depth = Math.max(depth, d);
        if (tree.feature[node]! >= 0) stack.push([tree.left[node]!, d + 1], [tree.right[node]!, d + 1]);
      }
      return { feature: Array.from(tree.feature), left: Array.from(tree.left), right: Array.from(tree.right), threshold: Array.from(tree.threshold), value, depth };
    }),
  };
  const treesPath = join(work, 'trees.json');
  const xPath = join(work, 'X.f64');
  writeFileSync(treesPath, JSON.stringify(spec));
  writeFileSync(xPath, Buffer.from(X.data.buffer, X.data.byteOffset, X.data.byteLength));
  writeFileSync(`${xPath}.proba`, Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength));
  const child = spawn('/usr/bin/python3', [SKLEARN_SCRIPT, treesPath, xPath, String(rows), String(cols)], {
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('scikit-learn stopped before answering');
    return JSON.parse(value) as Record<string, number>;
  };
  const ready = await next();
  console.log(`scikit-learn on the same trees: largest probability difference ${ready.max_abs_diff!.toExponential(1)}, rows within 1e-6 ${ready.rows_within_1e6}/${rows} (its trees read inputs as float32: values a split separates below float32's resolution, such as the distance ratio's near 1, take the other branch; the timing is of the same trees)`);
  sklearn = {
    async ask(size) {
      child.stdin!.write(`round ${size} ${WINDOW_MS / 1000}\n`);
      const answer = await next();
      return (answer.seconds! * 1e6) / (answer.calls! * size);
    },
    close: () => child.stdin!.end(),
  };
}

type Engine = 'rally' | 'ort' | 'sklearn';
const engines: Engine[] = sklearn ? ['rally', 'ort', 'sklearn'] : ['rally', 'ort'];
const results = new Map<string, number[]>();
const record = (engine: Engine, size: number, value: number) => {
  const key = `${engine} ${size}`;
  results.set(key, [...(results.get(key) ?? []), value]);
};
for (let round = 0; round < ROUNDS; round++) {
  for (const size of BATCHES) {
    const view = views.get(size)!;
    for (let e = 0; e < engines.length; e++) {
      const engine = engines[(e + round) % engines.length]!;
      if (engine === 'rally') record(engine, size, await timeWindow((i) => forest.predictProba(view.rally[i]!), view.rally.length, size));
      else if (engine === 'ort') record(engine, size, await timeWindow((i) => session.run({ X: view.ort[i]! }, ['probabilities']), view.ort.length, size));
      else record(engine, size, await sklearn!.ask(size));
    }
  }
  console.error(`round ${round + 1}/${ROUNDS} done`);
}
sklearn?.close();
await session.release();

const us = (v: number) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
const cell = (engine: Engine, size: number) => {
  const values = results.get(`${engine} ${size}`)!;
  return `${us(median(values))} (${us(Math.min(...values))}-${us(Math.max(...values))})`;
};
const ns = (engine: Engine, size: number) => ((median(results.get(`${engine} ${size}`)!) * 1000) / visitsPerPoint).toFixed(1);
console.log('');
console.log(`µs per point, median of ${ROUNDS} interleaved rounds (lowest-highest round); ns per node visit at ${visitsPerPoint.toFixed(0)} visits a point`);
console.log('');
console.log(`| batch | rally predictProba | ONNX Runtime, 1 thread | rally ÷ ORT |${sklearn ? ' scikit-learn |' : ''} ns/visit rally | ns/visit ORT |`);
console.log(`|---:|---:|---:|---:|${sklearn ? '---:|' : ''}---:|---:|`);
for (const size of BATCHES) {
  const ratio = median(results.get(`rally ${size}`)!) / median(results.get(`ort ${size}`)!);
  console.log(`| ${size.toLocaleString('en')} | ${cell('rally', size)} | ${cell('ort', size)} | ${ratio.toFixed(2)}x |${sklearn ? ` ${cell('sklearn', size)} |` : ''} ${ns('rally', size)} | ${ns('ort', size)} |`);
}
const at = (size: number) => median(results.get(`rally ${size}`)!) / median(results.get(`ort ${size}`)!);
console.log('');
// Memory of a loaded model: ten copies from model.json's text, kept alive, measured after a GC (three
// copies first, not counted, so that code compiled on first use is not charged to them). Array
// buffers are exact; the heap's share (the objects around them) can come out below zero when V8
// frees older code meanwhile: it counts as 0 then.
const gc = (globalThis as { gc?: () => void }).gc;
const modelJson = JSON.stringify(pipeline.toJSON());
const jsonBytes = Buffer.byteLength(modelJson);
if (gc) {
  // V8 frees array buffers' memory after a GC, concurrently: wait for it before reading.
  const used = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return process.memoryUsage();
  };
  const load = () => {
    const model = Pipeline.fromJSON(JSON.parse(modelJson));
    model.predictProba(selectRows(batch, Int32Array.from([0, 1, 2])));
    return model;
  };
  for (let i = 0; i < 3; i++) load();
  const kept: Pipeline[] = [];
  const before = await used();
  for (let i = 0; i < 10; i++) kept.push(load());
  const after = await used();
  const arrays = (after.arrayBuffers - before.arrayBuffers) / kept.length;
  const heap = Math.max(0, after.heapUsed - before.heapUsed) / kept.length;
  const total = arrays + heap;
  console.log(
    `memory per loaded model: ${(total / 1024).toFixed(0)} KiB (arrays ${(arrays / 1024).toFixed(0)} KiB, of which the compiled forest ${(forest.byteLength / 1024).toFixed(0)} KiB; heap ${(heap / 1024).toFixed(0)} KiB) ` +
      `for a model.json of ${(jsonBytes / 1024).toFixed(0)} KiB: ${(total / jsonBytes).toFixed(2)}x (target 2x or less: ${total <= 2 * jsonBytes ? 'met' : 'missed'})`,
  );
} else console.log('memory per loaded model: not measured (run with node --expose-gc, as pnpm bench:predict does)');
console.log(`targets: rally at or under ORT at 100 (${at(100).toFixed(2)}x) and 1,000 (${at(1000).toFixed(2)}x): ${at(100) <= 1 && at(1000) <= 1 ? 'met' : 'missed'}; ` + `one point under half of ORT's (${at(1).toFixed(2)}x): ${at(1) < 0.5 ? 'met' : 'missed'}`);
