/**
 * Prediction layout of a fitted forest: all trees concatenated in flat typed arrays, walked without
 * allocating (ml-cart's object trees and one ml-matrix per row are far too slow for serving).
 *
 * The walk is shaped by what a CPU does well (measured by `pnpm bench:predict`): a tree's next node
 * is chosen without a branch (`children[2 * node + (x >= threshold)]`: no misprediction, whose cost
 * is most of a branchy walk's), and eight rows walk each tree in lockstep, so that eight
 * independent chains of loads overlap instead of one waiting on the next. Leaves loop onto
 * themselves (both children are the leaf, its threshold NaN), so a block takes a fixed number of
 * steps, the tree's depth, with no test of whether each row has arrived. Sums run in tree order for
 * every row, as before: the probabilities are bit-identical to a plain walk's.
 */
import type { EncodedTree } from './grower/tree-encoder.ts';

/** A tree in the preorder encoding of EncodedTree (typed arrays, or plain arrays from JSON). */
export interface TreeArrays {
  feature: ArrayLike<number>;
  threshold: ArrayLike<number>;
  counts: ArrayLike<number>;
}

/**
 * Class probabilities of leaf `leaf` (k counts per leaf from `counts`), each count plus `prior`,
 * normalised; written to `out` at `at`. The one place where leaf counts become probabilities.
 */
export function leafProbabilities(counts: ArrayLike<number>, leaf: number, k: number, prior: number, out: Float64Array | number[], at = 0): void {
  let total = 0;
  for (let c = 0; c < k; c++) total += counts[leaf * k + c] + prior;
  for (let c = 0; c < k; c++) out[at + c] = (counts[leaf * k + c] + prior) / total;
}

/**
 * The right child of every split of a tree in preorder (-1 at leaves): a split's left child is the
 * next node, its right child the node after its left subtree. For exports that name both children.
 */
export function preorderRightChildren(feature: ArrayLike<number>): Int32Array {
  const right = new Int32Array(feature.length).fill(-1);
  const pending: number[] = [];
  for (let i = 0; i < feature.length; i++) {
    if (i > 0 && feature[i - 1]! < 0) right[pending.pop()!] = i;
    if (feature[i]! >= 0) pending.push(i);
  }
  return right;
}

/** Rows walked through each tree together (eight independent chains fill a core without spilling registers). */
export const LOCKSTEP_ROWS = 8;

export class CompiledForest {
  /**
   * Nodes: every tree's splits first (the first `splits` nodes, tree by tree, in preorder), then every
   * leaf (leaf l is node splits + l). Two children per node; a leaf's are itself.
   */
  private readonly children: Int32Array;
  /** Split feature per node (0 at leaves, so that a step past a leaf reads a real column). */
  private readonly feature: Uint16Array;
  /** Split threshold per node (`x < threshold` goes left); NaN at leaves (`x >= NaN` is false: the leaf again). */
  private readonly threshold: Float64Array;
  private readonly splits: number;
  private readonly roots: Int32Array;
  /** Steps from each tree's root to its deepest leaf. */
  private readonly depth: Int32Array;
  /**
   * Per leaf, where its class probabilities start in `table` (and its counts in `tableCounts`): leaves
   * with the same class counts share one row (the default model's 16,977 leaves have 1,493 distinct
   * counts), which keeps a loaded model near its JSON's size.
   */
  private readonly leafAt: Int32Array;
  /** Distinct leaf class probabilities, k per row, each row summing to 1 (smoothed by the leaf prior). */
  private readonly table: Float64Array;
  /** The class counts each row of `table` comes from: what toTrees gives back. */
  private readonly tableCounts: Int32Array;

  readonly nTrees: number;
  readonly nClasses: number;

  private constructor(
    nTrees: number,
    nClasses: number,
    parts: {
      children: Int32Array;
      feature: Uint16Array;
      threshold: Float64Array;
      splits: number;
      roots: Int32Array;
      depth: Int32Array;
      leafAt: Int32Array;
      table: Float64Array;
      tableCounts: Int32Array;
    },
  ) {
    this.nTrees = nTrees;
    this.nClasses = nClasses;
    this.children = parts.children;
    this.feature = parts.feature;
    this.threshold = parts.threshold;
    this.splits = parts.splits;
    this.roots = parts.roots;
    this.depth = parts.depth;
    this.leafAt = parts.leafAt;
    this.table = parts.table;
    this.tableCounts = parts.tableCounts;
  }

  /** Nodes (splits and leaves) of all the trees. */
  get nodeCount(): number {
    return this.feature.length;
  }

  /** Bytes held by the compiled arrays: all a loaded forest keeps of its trees. */
  get byteLength(): number {
    const parts = [this.children, this.feature, this.threshold, this.roots, this.depth, this.leafAt, this.table, this.tableCounts];
    return parts.reduce((sum, part) => sum + part.byteLength, 0);
  }

  /** The trees in their preorder encoding again (what toJSON writes): exactly the arrays compiled. */
  toTrees(): EncodedTree[] {
    const { children, feature, threshold, splits, roots, leafAt, tableCounts, nClasses: k } = this;
    return Array.from(roots, (root) => {
      const features: number[] = [];
      const thresholds: number[] = [];
      const counts: number[] = [];
      const stack = [root];
      while (stack.length > 0) {
        const node = stack.pop()!;
        if (node < splits) {
          features.push(feature[node]);
          thresholds.push(threshold[node]);
          stack.push(children[2 * node + 1], children[2 * node]); // left first: preorder
        } else {
          features.push(-1);
          const at = leafAt[node - splits];
          for (let c = 0; c < k; c++) counts.push(tableCounts[at + c]);
        }
      }
      return { feature: Int32Array.from(features), threshold: Float64Array.from(thresholds), counts: Int32Array.from(counts) };
    });
  }

  /**
   * Checks and compiles encoded trees (from training or from a serialized model); `leafPrior` is
   * added to every leaf class count (RandomForestParams.leafPrior).
   * @throws Error describing the first inconsistency (callers wrap it in MODEL_FORMAT).
   */
  static compile(trees: readonly TreeArrays[], nClasses: number, nFeatures: number, leafPrior = 0): CompiledForest {
    if (!(Number.isInteger(nFeatures) && nFeatures >= 1 && nFeatures <= 0x10000)) throw new Error(`${nFeatures} features: between 1 and 65536 are supported`);
    let splitCount = 0;
    let leafCount = 0;
    trees.forEach((tree, t) => {
      const n = tree.feature.length;
      const splits = tree.threshold.length;
      if (n === 0 || n !== 2 * splits + 1) throw new Error(`tree ${t}: ${n} nodes for ${splits} splits`);
      if (tree.counts.length !== (splits + 1) * nClasses) throw new Error(`tree ${t}: counts must hold ${nClasses} per leaf`);
      splitCount += splits;
      leafCount += splits + 1;
    });
    const nodes = splitCount + leafCount;
    const children = new Int32Array(2 * nodes);
    const feature = new Uint16Array(nodes);
    const threshold = new Float64Array(nodes).fill(Number.NaN);
    const roots = new Int32Array(trees.length);
    const depth = new Int32Array(trees.length);
    const leafAt = new Int32Array(leafCount);
    // Distinct class counts: a row each in the table, found by the counts as a key.
    const rowOf = new Map<string, number>();
    const distinctCounts: number[] = [];
    for (let leaf = 0; leaf < leafCount; leaf++) {
      children[2 * (splitCount + leaf)] = splitCount + leaf;
      children[2 * (splitCount + leaf) + 1] = splitCount + leaf;
    }
    let splitOffset = 0;
    let leafOffset = 0;
    trees.forEach((tree, t) => {
      const where = `tree ${t}`;
      const n = tree.feature.length;
      // Where each preorder node of this tree goes: a split to the next split slot, a leaf to the next leaf slot.
      const placed = new Int32Array(n);
      let split = 0;
      let leaf = 0;
      for (let i = 0; i < n; i++) {
        const f = tree.feature[i];
        if (f >= 0) {
          if (!(Number.isInteger(f) && f < nFeatures)) throw new Error(`${where}: feature ${f} out of range`);
          const value = tree.threshold[split];
          if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`${where}: bad threshold ${value}`);
          const node = splitOffset + split++;
          placed[i] = node;
          feature[node] = f;
          threshold[node] = value;
        } else {
          if (f !== -1) throw new Error(`${where}: bad node code ${f}`);
          let total = 0;
          for (let c = 0; c < nClasses; c++) {
            const count = tree.counts[leaf * nClasses + c];
            if (!(Number.isInteger(count) && count >= 0 && count <= 0x7fffffff)) throw new Error(`${where}: bad class count ${count}`);
            total += count;
          }
          if (total === 0) throw new Error(`${where}: empty leaf`);
          const counts = Array.from({ length: nClasses }, (_, c) => tree.counts[leaf * nClasses + c]);
          const key = counts.join(',');
          let row = rowOf.get(key);
          if (row === undefined) {
            row = rowOf.size;
            rowOf.set(key, row);
            distinctCounts.push(...counts);
          }
          leafAt[leafOffset + leaf] = row * nClasses;
          placed[i] = splitCount + leafOffset + leaf++;
        }
      }
      // Children and depth, from the preorder: a split's left child follows it, its right child follows its left subtree.
      const pending: { node: number; depth: number }[] = [];
      let deepest = 0;
      let at = 0; // depth of node i
      for (let i = 0; i < n; i++) {
        if (i > 0) {
          if (tree.feature[i - 1] >= 0) {
            children[2 * placed[i - 1]] = placed[i];
            at += 1;
          } else {
            const parent = pending.pop();
            if (parent === undefined) throw new Error(`${where}: nodes after the last leaf`);
            children[2 * parent.node + 1] = placed[i];
            at = parent.depth + 1;
          }
        }
        if (at > deepest) deepest = at;
        if (tree.feature[i] >= 0) pending.push({ node: placed[i], depth: at });
      }
      if (pending.length > 0 || leaf !== split + 1) throw new Error(`${where}: not a complete binary tree in preorder`);
      roots[t] = placed[0];
      depth[t] = deepest;
      splitOffset += split;
      leafOffset += leaf;
    });
    const tableCounts = Int32Array.from(distinctCounts);
    const table = new Float64Array(tableCounts.length);
    for (let row = 0; row < rowOf.size; row++) leafProbabilities(tableCounts, row, nClasses, leafPrior, table, row * nClasses);
    return new CompiledForest(trees.length, nClasses, { children, feature, threshold, splits: splitCount, roots, depth, leafAt, table, tableCounts });
  }

  /** Mean over trees of the leaf class distributions; rows x k, row-major. Input already checked. */
  predictProba(data: Float64Array, rows: number, cols: number): Float64Array {
    const { children, feature, threshold, splits, roots, depth, leafAt, table, nClasses: k, nTrees } = this;
    const out = new Float64Array(rows * k);
    const blocked = rows - (rows % LOCKSTEP_ROWS);
    // Tree by tree (one tree's nodes stay in cache for all the rows), summing in tree order.
    for (let t = 0; t < nTrees; t++) {
      const root = roots[t];
      const steps = depth[t];
      for (let r = 0; r < blocked; r += LOCKSTEP_ROWS) {
        const b0 = r * cols;
        const b1 = b0 + cols;
        const b2 = b1 + cols;
        const b3 = b2 + cols;
        const b4 = b3 + cols;
        const b5 = b4 + cols;
        const b6 = b5 + cols;
        const b7 = b6 + cols;
        let n0 = root;
        let n1 = root;
        let n2 = root;
        let n3 = root;
        let n4 = root;
        let n5 = root;
        let n6 = root;
        let n7 = root;
        // `+(x >= threshold)` is 0 or 1 (a setcc, no branch); written out eight times, one chain each.
        for (let s = 0; s < steps; s++) {
          n0 = children[2 * n0 + +(data[b0 + feature[n0]] >= threshold[n0])];
          n1 = children[2 * n1 + +(data[b1 + feature[n1]] >= threshold[n1])];
          n2 = children[2 * n2 + +(data[b2 + feature[n2]] >= threshold[n2])];
          n3 = children[2 * n3 + +(data[b3 + feature[n3]] >= threshold[n3])];
          n4 = children[2 * n4 + +(data[b4 + feature[n4]] >= threshold[n4])];
          n5 = children[2 * n5 + +(data[b5 + feature[n5]] >= threshold[n5])];
          n6 = children[2 * n6 + +(data[b6 + feature[n6]] >= threshold[n6])];
          n7 = children[2 * n7 + +(data[b7 + feature[n7]] >= threshold[n7])];
        }
        const at = r * k;
        addLeaf(out, at, table, leafAt[n0 - splits], k);
        addLeaf(out, at + k, table, leafAt[n1 - splits], k);
        addLeaf(out, at + 2 * k, table, leafAt[n2 - splits], k);
        addLeaf(out, at + 3 * k, table, leafAt[n3 - splits], k);
        addLeaf(out, at + 4 * k, table, leafAt[n4 - splits], k);
        addLeaf(out, at + 5 * k, table, leafAt[n5 - splits], k);
        addLeaf(out, at + 6 * k, table, leafAt[n6 - splits], k);
        addLeaf(out, at + 7 * k, table, leafAt[n7 - splits], k);
      }
      // The last rows (all of them for a batch under eight), one at a time, stopping at the leaf. A
      // lone chain gains nothing from the branch-free step (it waits on each load either way), and
      // the branch lets the CPU run ahead on its guess: measured faster for one row.
      for (let r = blocked; r < rows; r++) {
        const base = r * cols;
        let node = root;
        while (node < splits) node = data[base + feature[node]] < threshold[node] ? children[2 * node] : children[2 * node + 1];
        addLeaf(out, r * k, table, leafAt[node - splits], k);
      }
    }
    const scale = 1 / nTrees;
    for (let i = 0; i < out.length; i++) out[i] *= scale;
    return out;
  }
}

/** Adds a leaf's k class probabilities to a row's sums. */
function addLeaf(out: Float64Array, at: number, table: Float64Array, leaf: number, k: number): void {
  for (let c = 0; c < k; c++) out[at + c] += table[leaf + c];
}
