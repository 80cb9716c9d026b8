/**
 * ml-cart 2.1.1's JSON tree form, and a rally tree in that form: what ml-random-forest.ts exports
 * for the stock libraries. (The differential tests grow trees in this form too: test/helpers.)
 */
import type { TreeArrays } from '../compiled.ts';

/** A node of ml-cart's `DecisionTreeClassifier#toJSON().root` (the fields that describe the tree). */
export interface CartNode {
  splitValue?: number;
  splitColumn?: number;
  /** null stands for -Infinity (a searched node without any candidate; JSON has no -Infinity). */
  gain?: number | null;
  numberSamples?: number;
  left?: CartNode;
  right?: CartNode;
  /** Leaves: class probabilities as a 1 x k matrix (ml-matrix's JSON form). */
  distribution?: number[][];
}

/**
 * An encoded rally tree (the model's own form) as an ml-cart tree, for ml-cart's `classify`:
 * splits keep their column and threshold, leaves get rally's class probabilities (count / total,
 * all nClasses of them).
 */
export function cartNodeOf(tree: TreeArrays, nClasses: number): CartNode {
  const root: CartNode = {};
  const pending = [root]; // nodes still to fill, the next in preorder last
  let split = 0;
  let leaf = 0;
  for (let i = 0; i < tree.feature.length; i++) {
    const node = pending.pop()!;
    const feature = tree.feature[i];
    if (feature >= 0) {
      Object.assign(node, { splitValue: tree.threshold[split++], splitColumn: feature, left: {}, right: {} });
      pending.push(node.right!, node.left!);
    } else {
      const counts = Array.from({ length: nClasses }, (_, c) => tree.counts[leaf * nClasses + c]);
      const total = counts.reduce((a, b) => a + b, 0);
      node.distribution = [counts.map((count) => count / total)];
      leaf++;
    }
  }
  return root;
}
