// Builds the trees of a random forest with (patched) ml-cart: in-process, or as the entry point of
// a worker thread. Plain ESM JavaScript on purpose: a worker started under vitest or tsx cannot
// reliably load TypeScript. Types: tree-worker.d.ts.
//
// Why ml-cart per tree and not ml-random-forest's training loop: ml-random-forest chains its seeds
// from tree to tree (tree i's seed is the previous tree's generator state), so trees cannot be built
// independently in several workers with the same result, and it copies ml-matrix matrices per tree.
// Here tree i depends only on (seed, i): its bootstrap sample comes from a generator seeded by
// (seed, i), and ml-cart's per-split feature sampling gets a second seed from (seed, i). The sample is
// passed to ml-cart as per-row counts (its patched `train(X, y, sampleCounts)`), which builds exactly
// the tree of the materialized bootstrap sample with repeated rows in row order.
import { isMainThread, parentPort } from 'node:worker_threads';

import { DecisionTreeClassifier } from 'ml-cart';

/**
 * @param {import('./tree-worker.d.ts').TreeJob} job
 * @param {readonly number[]} indices - tree indices to build.
 * @return {import('./tree-worker.d.ts').EncodedTree[]}
 */
export function buildTrees(job, indices, onTree) {
  const { data, rows, cols } = job;
  // Row views over the shared row-major buffer: ml-cart copies what it needs.
  const X = new Array(rows);
  for (let i = 0; i < rows; i++) X[i] = data.subarray(i * cols, (i + 1) * cols);
  const labels = Array.from(job.labels);
  return indices.map((index) => {
    const tree = buildTree(job, X, labels, index);
    onTree?.(index, tree);
    return tree;
  });
}

/**
 * @param {import('./tree-worker.d.ts').TreeJob} job
 * @param {Float64Array[]} X
 * @param {number[]} labels
 * @param {number} index
 * @return {import('./tree-worker.d.ts').EncodedTree}
 */
function buildTree(job, X, labels, index) {
  const { rows, classes: k } = job;
  const next = createGenerator(treeSeed(job.seed, index, 0));
  const counts = new Array(rows).fill(job.bootstrap ? 0 : 1);
  if (job.bootstrap) {
    for (let i = 0; i < rows; i++) counts[randomBelow(next, rows)]++;
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
  tree.train(X, labels, counts);
  return encodeTree(tree.root, job, labels, counts);
}

/**
 * Preorder encoding: feature[i] >= 0 for a split (`x[feature] < threshold` goes left, the left
 * child follows its parent), -1 for a leaf; thresholds of the splits and class counts (k per leaf,
 * in bootstrap multiplicity) of the leaves, both in preorder.
 */
function encodeTree(root, job, labels, counts) {
  const { data, rows, cols, classes: k } = job;
  const feature = [];
  const threshold = []; // splits only
  const nodeThreshold = []; // every node (NaN for leaves), to route rows below
  const right = [];
  const distributions = [];
  const pending = [root];
  const parents = []; // internal nodes waiting for the index of their right child
  while (pending.length > 0) {
    const node = pending.pop();
    const i = feature.length;
    if (i > 0 && feature[i - 1] < 0) right[parents.pop()] = i;
    if (node.left && node.right) {
      feature.push(node.splitColumn);
      threshold.push(node.splitValue);
      nodeThreshold.push(node.splitValue);
      right.push(-1);
      parents.push(i);
      pending.push(node.right, node.left);
    } else {
      feature.push(-1);
      nodeThreshold.push(NaN);
      right.push(-1);
      distributions.push(node.distribution.getRow(0));
    }
  }
  // Leaf class counts: route the (distinct) training rows through the tree.
  const leafOf = new Int32Array(feature.length);
  let leaves = 0;
  for (let i = 0; i < feature.length; i++) leafOf[i] = feature[i] < 0 ? leaves++ : -1;
  const leafCounts = new Int32Array(leaves * k);
  for (let r = 0; r < rows; r++) {
    if (counts[r] === 0) continue;
    let node = 0;
    while (feature[node] >= 0) {
      node = data[r * cols + feature[node]] < nodeThreshold[node] ? node + 1 : right[node];
    }
    leafCounts[leafOf[node] * k + labels[r]] += counts[r];
  }
  // Cross-check with ml-cart's own leaf distributions.
  for (let leaf = 0; leaf < leaves; leaf++) {
    let size = 0;
    for (let c = 0; c < k; c++) size += leafCounts[leaf * k + c];
    for (let c = 0; c < k; c++) {
      if (size === 0 || Math.abs(leafCounts[leaf * k + c] / size - distributions[leaf][c]) > 1e-9) {
        throw new Error(`internal error: leaf ${leaf} counts disagree with ml-cart's distribution`);
      }
    }
  }
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    counts: leafCounts,
  };
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

/** sfc32 generator (Chris Doty-Humphrey's small fast counting generator): uint32 outputs. */
function createGenerator(seed) {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed | 0;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** Unbiased integer in [0, n) by rejection. */
function randomBelow(next, n) {
  const limit = 4294967296 - (4294967296 % n);
  let value = next();
  while (value >= limit) value = next();
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
