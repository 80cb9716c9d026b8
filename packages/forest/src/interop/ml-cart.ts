/**
 * ml-cart 2.1.1's JSON tree form, and a rally tree in that form: what ml-random-forest.ts exports
 * for the stock libraries. (The differential tests grow trees in this form too: test/helpers.)
 */
import { leafProbabilities, type TreeArrays } from '../compiled.ts';

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
 * or smoothed by `leafPrior`, all nClasses of them).
 */
export function cartNodeOf(tree: TreeArrays, nClasses: number, leafPrior = 0): CartNode {
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
      const distribution = new Array<number>(nClasses);
      leafProbabilities(tree.counts, leaf, nClasses, leafPrior, distribution);
      node.distribution = [distribution];
      leaf++;
    }
  }
  return root;
}
