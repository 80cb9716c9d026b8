// Builds the trees of a random forest with (patched) ml-cart: in-process, or as the entry point of
// a worker thread. Plain ESM JavaScript on purpose: a worker started under vitest or tsx cannot
// reliably load TypeScript. Types: tree-worker.d.ts.
//
// Why ml-cart per tree and not ml-random-forest's training loop: ml-random-forest chains its seeds
// from tree to tree (tree i's seed is the previous tree's generator state), so trees cannot be built
// independently in several workers with the same result, and it copies ml-matrix matrices per tree.
// Here tree i depends only on (seed, i): its bootstrap sample comes from a generator seeded by
// (seed, i), and ml-cart's per-split feature sampling gets a second seed from (seed, i). The sample is
// passed to ml-cart as per-row counts (its patched `grow(X, y, sampleCounts, builder)`), which grows
// exactly the tree of the materialized bootstrap sample with repeated rows in row order and reports
// it node by node, leaf class counts included (no ml-cart TreeNodes, no rerouting of the rows). The
// rows are copied into columns and sorted once per job (ml-cart's SortedTrainingSet), not per tree.
import { isMainThread, parentPort } from 'node:worker_threads';

import { DecisionTreeClassifier, SortedTrainingSet } from 'ml-cart';

/**
 * @param {import('./tree-worker.d.ts').TreeJob} job
 * @param {readonly number[]} indices - tree indices to build.
 * @return {import('./tree-worker.d.ts').EncodedTree[]}
 */
export function buildTrees(job, indices, onTree) {
  const { data, rows, cols } = job;
  // Row views over the shared row-major buffer: the training set copies them into columns and
  // sorts every column, once for all the trees.
  const X = new Array(rows);
  for (let i = 0; i < rows; i++) X[i] = data.subarray(i * cols, (i + 1) * cols);
  const set = new SortedTrainingSet(X);
  return indices.map((index) => {
    const tree = buildTree(job, set, index);
    onTree?.(index, tree);
    return tree;
  });
}

/**
 * @param {import('./tree-worker.d.ts').TreeJob} job
 * @param {SortedTrainingSet} set - the job's rows.
 * @param {number} index
 * @return {import('./tree-worker.d.ts').EncodedTree}
 */
function buildTree(job, set, index) {
  const { rows, classes: k } = job;
  const generator = new Generator(treeSeed(job.seed, index, 0));
  const counts = new Int32Array(rows).fill(job.bootstrap ? 0 : 1);
  if (job.bootstrap) {
    for (let i = 0; i < rows; i++) counts[randomBelow(generator, rows)]++;
  }
  const tree = new DecisionTreeClassifier({
    gainFunction: 'gini',
    // ml-cart makes a leaf of a node with minNumSamples rows or fewer.
    minNumSamples: job.minSamplesSplit - 1,
    maxDepth: job.maxDepth,
    // Split whenever the Gini gain is positive (ml-cart's default requires 0.01).
    gainThreshold: 0,
    maxFeatures: job.maxFeatures,
    seed: treeSeed(job.seed, index, 1),
    minSamplesLeaf: job.minSamplesLeaf,
    numberOfClasses: k,
  });
  const encoder = new TreeEncoder(k);
  tree.grow(set, job.labels, counts, encoder);
  return encoder.finish();
}

/**
 * Receives the tree from ml-cart (DecisionTreeClassifier#grow reports it in preorder) and encodes
 * it: feature[i] >= 0 for a split (`x[feature] < threshold` goes left, the left child follows its
 * parent), -1 for a leaf; thresholds of the splits and class counts (k per leaf, in bootstrap
 * multiplicity) of the leaves, both in preorder.
 */
class TreeEncoder {
  constructor(k) {
    this.k = k;
    this.nodes = 0;
    this.splits = 0;
    this.leaves = 0;
    // Typed arrays grown by doubling (plain arrays would change representation along the way).
    this.feature = new Int32Array(64);
    this.threshold = new Float64Array(32);
    this.counts = new Int32Array(32 * k);
  }

  split(column, value) {
    if (this.nodes === this.feature.length) this.feature = grown(this.feature, this.nodes);
    if (this.splits === this.threshold.length) this.threshold = grown(this.threshold, this.splits);
    this.feature[this.nodes++] = column;
    this.threshold[this.splits++] = value;
  }

  leaf(classCounts) {
    const k = this.k;
    if (this.nodes === this.feature.length) this.feature = grown(this.feature, this.nodes);
    if ((this.leaves + 1) * k > this.counts.length) this.counts = grown(this.counts, this.leaves * k);
    this.feature[this.nodes++] = -1;
    for (let c = 0; c < k; c++) this.counts[this.leaves * k + c] = classCounts[c];
    this.leaves++;
  }

  /** @return {import('./tree-worker.d.ts').EncodedTree} */
  finish() {
    return {
      feature: this.feature.slice(0, this.nodes),
      threshold: this.threshold.slice(0, this.splits),
      counts: this.counts.slice(0, this.leaves * this.k),
    };
  }
}

/** A copy of array[0, used) in an array of the same type twice as long. */
function grown(array, used) {
  const bigger = new array.constructor(2 * array.length);
  bigger.set(array.subarray(0, used));
  return bigger;
}

/** 32-bit seed of stream `stream` of tree `index`: depends on nothing else (not on other trees). */
function treeSeed(seed, index, stream) {
  let h = mix32((seed >>> 0) ^ 0x5bd1e995);
  h = mix32(h ^ Math.floor(seed / 4294967296));
  h = mix32(h ^ index);
  return mix32(h ^ (stream + 0x9e3779b9)) >>> 0;
}

/** murmur3 finalizer. */
function mix32(x) {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/**
 * sfc32 generator (Chris Doty-Humphrey's small fast counting generator): uint32 outputs. A class
 * rather than a closure, so that every tree's generator shares one `next` (inlined by the JIT).
 */
class Generator {
  constructor(seed) {
    this.a = 0x9e3779b9 | 0;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162 | 0;
    this.d = seed | 0;
    for (let i = 0; i < 12; i++) this.next();
  }

  next() {
    const { a, b, c, d } = this;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const rotated = (c << 21) | (c >>> 11);
    this.c = (rotated + t) | 0;
    return t >>> 0;
  }
}

/** Unbiased integer in [0, n) by rejection. */
function randomBelow(generator, n) {
  const limit = 4294967296 - (4294967296 % n);
  let value = generator.next();
  while (value >= limit) value = generator.next();
  return value % n;
}

// Worker entry: build the trees of each job posted to this thread; one message per tree (progress
// for the caller, typed arrays transferred), then one to say the job is complete.
if (!isMainThread && parentPort !== null) {
  parentPort.on('message', ({ job, indices }) => {
    try {
      buildTrees(job, indices, (index, tree) =>
        parentPort.postMessage({ index, tree }, [tree.feature.buffer, tree.threshold.buffer, tree.counts.buffer]),
      );
      parentPort.postMessage({ done: true });
    } catch (error) {
      parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
    }
  });
}
