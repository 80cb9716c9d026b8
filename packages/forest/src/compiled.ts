/**
 * Prediction layout of a fitted forest: all trees concatenated in flat typed arrays, walked without
 * allocating (ml-cart's object trees and one ml-matrix per row are far too slow for serving).
 */
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

export class CompiledForest {
  /** Split feature per node; a leaf holds -(leaf index + 1). */
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  /** Right child per split node (the left child follows its parent). */
  private readonly right: Int32Array;
  private readonly roots: Int32Array;
  /** Class probabilities per leaf (k per leaf, each leaf sums to 1; smoothed by the leaf prior). */
  private readonly proba: Float64Array;

  readonly nTrees: number;
  readonly nClasses: number;

  private constructor(
    nTrees: number,
    nClasses: number,
    parts: { feature: Int32Array; threshold: Float64Array; right: Int32Array; roots: Int32Array; proba: Float64Array },
  ) {
    this.nTrees = nTrees;
    this.nClasses = nClasses;
    this.feature = parts.feature;
    this.threshold = parts.threshold;
    this.right = parts.right;
    this.roots = parts.roots;
    this.proba = parts.proba;
  }

  /**
   * Checks and compiles encoded trees (from training or from a serialized model); `leafPrior` is
   * added to every leaf class count (RandomForestParams.leafPrior).
   * @throws Error describing the first inconsistency (callers wrap it in MODEL_FORMAT).
   */
  static compile(trees: readonly TreeArrays[], nClasses: number, nFeatures: number, leafPrior = 0): CompiledForest {
    let nodes = 0;
    let leaves = 0;
    trees.forEach((tree, t) => {
      const n = tree.feature.length;
      const splits = tree.threshold.length;
      if (n === 0 || n !== 2 * splits + 1) throw new Error(`tree ${t}: ${n} nodes for ${splits} splits`);
      if (tree.counts.length !== (splits + 1) * nClasses) throw new Error(`tree ${t}: counts must hold ${nClasses} per leaf`);
      nodes += n;
      leaves += splits + 1;
    });
    const feature = new Int32Array(nodes);
    const threshold = new Float64Array(nodes);
    const right = new Int32Array(nodes).fill(-1);
    const roots = new Int32Array(trees.length);
    const proba = new Float64Array(leaves * nClasses);
    let offset = 0;
    let leafOffset = 0;
    trees.forEach((tree, t) => {
      const where = `tree ${t}`;
      const n = tree.feature.length;
      const splits = tree.threshold.length;
      roots[t] = offset;
      const pending: number[] = []; // splits whose right child comes next after their left subtree
      let split = 0;
      let leaf = 0;
      for (let i = 0; i < n; i++) {
        if (i > 0 && tree.feature[i - 1] < 0) {
          const parent = pending.pop();
          if (parent === undefined) throw new Error(`${where}: nodes after the last leaf`);
          right[offset + parent] = offset + i;
        }
        const f = tree.feature[i];
        if (f >= 0) {
          if (!(Number.isInteger(f) && f < nFeatures)) throw new Error(`${where}: feature ${f} out of range`);
          const value = tree.threshold[split++];
          if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`${where}: bad threshold ${value}`);
          feature[offset + i] = f;
          threshold[offset + i] = value;
          pending.push(i);
        } else {
          if (f !== -1) throw new Error(`${where}: bad node code ${f}`);
          let total = 0;
          for (let c = 0; c < nClasses; c++) {
            const count = tree.counts[leaf * nClasses + c];
            if (!(Number.isInteger(count) && count >= 0 && count <= 0x7fffffff)) throw new Error(`${where}: bad class count ${count}`);
            total += count;
          }
          if (total === 0) throw new Error(`${where}: empty leaf`);
          leafProbabilities(tree.counts, leaf, nClasses, leafPrior, proba, (leafOffset + leaf) * nClasses);
          feature[offset + i] = -(leafOffset + leaf + 1);
          leaf++;
        }
      }
      if (pending.length > 0 || leaf !== splits + 1) throw new Error(`${where}: not a complete binary tree in preorder`);
      offset += n;
      leafOffset += leaf;
    });
    return new CompiledForest(trees.length, nClasses, { feature, threshold, right, roots, proba });
  }

  /** Mean over trees of the leaf class distributions; rows x k, row-major. Input already checked. */
  predictProba(data: Float64Array, rows: number, cols: number): Float64Array {
    const { feature, threshold, right, roots, proba, nClasses: k, nTrees } = this;
    const out = new Float64Array(rows * k);
    // Tree by tree (one tree's nodes stay in cache for all the rows), summing in tree order.
    for (let t = 0; t < nTrees; t++) {
      const root = roots[t];
      for (let r = 0; r < rows; r++) {
        const base = r * cols;
        let node = root;
        let f = feature[node];
        while (f >= 0) {
          node = data[base + f] < threshold[node] ? node + 1 : right[node];
          f = feature[node];
        }
        const leaf = (-f - 1) * k;
        const at = r * k;
        for (let c = 0; c < k; c++) out[at + c] += proba[leaf + c];
      }
    }
    const scale = 1 / nTrees;
    for (let i = 0; i < out.length; i++) out[i] *= scale;
    return out;
  }
}
