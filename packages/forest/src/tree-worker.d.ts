/** Types of tree-worker.js (plain JavaScript so that it can run as a worker thread entry). */

/** Everything a tree needs; tree i depends only on this and i. */
export interface TreeJob {
  /** Training rows, row-major, rows x cols, finite. */
  data: Float64Array;
  rows: number;
  cols: number;
  /** Encoded labels in [0, classes). */
  labels: Int32Array;
  /** Number of classes (k). */
  classes: number;
  seed: number;
  bootstrap: boolean;
  /** Features drawn at each split (a count, 1..cols). */
  maxFeatures: number;
  /** Infinity for unlimited. */
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
}

/**
 * One tree in preorder: feature[i] >= 0 is a split (`x[feature[i]] < threshold` goes to the left
 * child, which follows it), -1 a leaf. `threshold` holds the splits' thresholds and `counts` the
 * leaves' class counts (k per leaf, weighted by bootstrap multiplicity), both in preorder.
 */
export interface EncodedTree {
  feature: Int32Array;
  threshold: Float64Array;
  counts: Int32Array;
}

/** Builds the trees `indices` in order; `onTree` hears of each as soon as it is built. */
export function buildTrees(job: TreeJob, indices: readonly number[], onTree?: (index: number, tree: EncodedTree) => void): EncodedTree[];
