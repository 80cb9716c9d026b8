/**
 * Types for the parts of ml-cart 2.1.1 (as patched in patches/ml-cart@2.1.1.patch) that rally uses.
 * The package ships none.
 */
declare module 'ml-cart' {
  export interface DecisionTreeClassifierOptions {
    gainFunction?: 'gini';
    splitFunction?: 'mean';
    /** A node with this many rows or fewer becomes a leaf (default 3). */
    minNumSamples?: number;
    maxDepth?: number;
    /** A node is split only if the best gain is above this (default 0.01). */
    gainThreshold?: number;
    /** Patch: features drawn at each split (scikit-learn's max_features); default all. */
    maxFeatures?: number | 'sqrt' | 'log2' | 'all';
    /** Patch: seed of the per-split feature sampling (default 42). */
    seed?: number;
    /** Patch: minimum rows on each side of a split. */
    minSamplesLeaf?: number;
    /** Patch: length of every leaf distribution (default: largest label + 1). */
    numberOfClasses?: number;
  }

  /** A trained node: internal nodes have left and right, leaves a 1 x k distribution. */
  export interface CartNode {
    splitValue?: number;
    splitColumn?: number;
    gain?: number;
    numberSamples?: number;
    left?: CartNode;
    right?: CartNode;
    distribution?: { to1DArray(): number[]; getRow(i: number): number[] };
  }

  /** Patch: rows copied into columns and sorted per feature once, for many trees on the same rows. */
  export class SortedTrainingSet {
    constructor(trainingSet: ArrayLike<ArrayLike<number>>);
    readonly rows: number;
    readonly features: number;
  }

  /** Patch: receives a tree from DecisionTreeClassifier#grow, in preorder. */
  export interface TreeBuilder {
    /** A split (`x[column] < value` goes left); its left subtree follows, then its right subtree. */
    split(column: number, value: number, gain: number, numberSamples: number): void;
    /** A leaf: class counts (sample-count units; valid during the call only) and their sum. */
    leaf(classCounts: Int32Array, numberSamples: number): void;
  }

  export class DecisionTreeClassifier {
    constructor(options?: DecisionTreeClassifierOptions);
    options: DecisionTreeClassifierOptions & { kind: 'classifier' };
    root: CartNode;
    /** Patch: sampleCounts[i] repeats row i in place (0 leaves it out), e.g. bootstrap multiplicities. */
    train(
      trainingSet: ArrayLike<ArrayLike<number>> | SortedTrainingSet,
      trainingLabels: ArrayLike<number>,
      sampleCounts?: ArrayLike<number>,
    ): void;
    /** Patch: grows the tree train would build, reporting it to `builder` (this.root is left as it is). */
    grow(
      trainingSet: ArrayLike<ArrayLike<number>> | SortedTrainingSet,
      trainingLabels: ArrayLike<number>,
      sampleCounts: ArrayLike<number> | undefined,
      builder: TreeBuilder,
    ): void;
    predict(toPredict: ArrayLike<ArrayLike<number>>): number[];
    toJSON(): { options: object; root: CartNode; name: 'DTClassifier' };
    static load(model: unknown): DecisionTreeClassifier;
  }
}
