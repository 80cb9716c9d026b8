import { NodePath } from './node-path.ts';
import type { SortedColumns } from './sorted-columns.ts';
import { SplitSearch } from './split-search.ts';
import { resized } from './typed-arrays.ts';

/** Receives a grown tree in preorder. */
export interface TreeBuilder {
  /** A split (`x[column] < threshold` goes left); its left subtree follows, then its right one. */
  split(column: number, threshold: number, gain: number, size: number): void;
  /**
   * A leaf: its class counts (repeated-row units) and their sum. `refused` is the split ml-cart
   * searched and refused at this node (its stopping rules), if any: ml-cart stores it in such a
   * leaf. Both are valid during the call only (the grower reuses them).
   */
  leaf(classCounts: Int32Array, size: number, refused?: RefusedSplit): void;
}

/** A split searched at a node that became a leaf; column and threshold undefined when there was no candidate. */
export interface RefusedSplit {
  column: number | undefined;
  threshold: number | undefined;
  gain: number;
}

/** Draws uniform integers (the per-split feature sampling). */
export interface IntegerSource {
  /** A uniform integer in [0, n). */
  below(n: number): number;
}

export interface GrowOptions {
  /** Length of every leaf's class counts: labels are in [0, nClasses). */
  nClasses: number;
  /** Features drawn at each split, without replacement (all when >= the number of features). */
  maxFeatures: number;
  /** Draws the features; needed only when maxFeatures is below the number of features. */
  random: IntegerSource | null;
  /** Thresholds leaving fewer repeated rows on one side are not candidates (0: any, as ml-cart). */
  minSamplesLeaf: number;
  /** A node of this many repeated rows or fewer is a leaf (ml-cart's minNumSamples). */
  minNumSamples: number;
  /** The root is at depth 0; Infinity for unlimited. */
  maxDepth: number;
  /** A node splits only if the best gain is above this (ml-cart's gainThreshold). */
  gainThreshold: number;
}

/**
 * Grows one Gini classification tree: exactly the tree ml-cart 2.1.1's DecisionTreeClassifier
 * grows on the rows repeated counts[i] times in place (same candidates, gains, tie-breaking and
 * stopping rules, bit for bit), plus per-split feature sampling (scikit-learn's max_features) and
 * minSamplesLeaf, in O(n log n) per feature instead of O(n^2) per feature and node.
 *
 * ml-cart's stopping rules, in order: a node of at most minNumSamples rows is a leaf; otherwise the
 * best split is searched, and taken only if depth < maxDepth, gain > gainThreshold, gain differs
 * from the parent's gain (ml-cart's guard against endless recursion) and both sides are non-empty.
 *
 * @param set - the rows, sorted once per forest.
 * @param labels - one per row of the set, in [0, nClasses) (rows of count 0 are not read).
 * @param counts - multiplicity of each row (bootstrap counts), >= 0, at least one > 0.
 */
export function growTree(set: SortedColumns, labels: Int32Array, counts: Int32Array, options: GrowOptions, builder: TreeBuilder): void {
  new TreeGrower(set, labels, counts, options, builder).growRoot();
}

class TreeGrower {
  readonly #k: number;
  readonly #p: number;
  readonly #options: GrowOptions;
  readonly #mtry: number;
  readonly #random: IntegerSource | null;
  readonly #builder: TreeBuilder;
  readonly #path: NodePath;
  readonly #search: SplitSearch;
  /** Sum of the counts. */
  readonly #size: number;
  /** Class counts of the node at each depth of the path, k per depth. */
  #totals: Int32Array;
  /** The node being grown's class counts. */
  readonly #total: Int32Array;
  /** A permutation of the features, persisting from node to node: the first draws of each node pick from it. */
  readonly #features: Int32Array;
  /** Reused for every leaf that refused a split (no allocation per leaf). */
  readonly #refused: RefusedSplit = { column: undefined, threshold: undefined, gain: -Infinity };

  constructor(set: SortedColumns, labels: Int32Array, counts: Int32Array, options: GrowOptions, builder: TreeBuilder) {
    const k = options.nClasses;
    const p = set.features;
    this.#k = k;
    this.#p = p;
    this.#options = options;
    this.#mtry = Math.min(options.maxFeatures, p);
    this.#random = this.#mtry < p ? options.random : null;
    if (this.#mtry < p && this.#random === null) throw new Error('growTree: feature sampling needs a generator');
    this.#builder = builder;
    let present = 0;
    let size = 0;
    this.#totals = new Int32Array(32 * k);
    for (let i = 0; i < set.rows; i++) {
      const count = counts[i];
      if (count === 0) continue;
      present++;
      size += count;
      this.#totals[labels[i]] += count;
    }
    this.#size = size;
    this.#path = new NodePath(set, counts, present);
    this.#search = new SplitSearch(k, options.minSamplesLeaf, labels, counts);
    this.#total = new Int32Array(k);
    this.#features = Int32Array.from({ length: p }, (_, j) => j);
  }

  growRoot(): void {
    // ml-cart passes null as the root's parent gain: no gain equals it, nor NaN (a number, as the
    // other nodes' parent gains, which keeps grow's arguments of one type for the JIT).
    this.#grow(0, this.#path.n, this.#size, 0, NaN);
  }

  /** Grows the node [start, end) at `depth`, whose class counts are in #totals at depth * k. */
  #grow(start: number, end: number, size: number, depth: number, parentGain: number): void {
    const k = this.#k;
    const path = this.#path;
    path.reserve(depth + 1);
    if ((depth + 2) * k > this.#totals.length) this.#totals = resized(this.#totals, 2 * this.#totals.length);
    path.start[depth] = start;
    path.end[depth] = end;
    const total = this.#total;
    for (let c = 0; c < k; c++) total[c] = this.#totals[depth * k + c];
    const options = this.#options;
    if (size <= options.minNumSamples) {
      this.#builder.leaf(total, size);
      return;
    }

    const best = this.#findSplit(start, end, size, depth);
    const band = this.#search.candidates;
    const gain = best < 0 ? -Infinity : this.#search.bestGain;
    const lesser = best < 0 ? 0 : band.lesser[best];
    if (depth < options.maxDepth && gain > options.gainThreshold && gain !== parentGain && lesser > 0 && size - lesser > 0) {
      const column = band.feature[best];
      const threshold = band.threshold[best];
      path.split(depth, column, band.lesserRows[best]);
      const middle = path.middle[depth];
      // The children's class counts: the lesser side's now, the greater side's after the left
      // subtree (which only writes those of deeper nodes).
      const child = (depth + 1) * k;
      for (let c = 0; c < k; c++) this.#totals[child + c] = band.counts[best * k + c];
      this.#builder.split(column, threshold, gain, size);
      this.#grow(start, middle, lesser, depth + 1, gain);
      const totals = this.#totals; // (reallocated if the left subtree went deeper than it had room for)
      for (let c = 0; c < k; c++) totals[child + c] = totals[depth * k + c] - totals[child + c];
      path.leaveLeftSubtree(depth + 1);
      this.#grow(middle, end, size - lesser, depth + 1, gain);
    } else {
      const refused = this.#refused;
      refused.column = best < 0 ? undefined : band.feature[best];
      refused.threshold = best < 0 ? undefined : band.threshold[best];
      refused.gain = gain;
      this.#builder.leaf(total, size, refused);
    }
  }

  /**
   * Searches the best split of the node [start, end) at `depth` (its class counts in #total): the
   * index of the chosen candidate in the search's band, or -1 without candidates.
   */
  #findSplit(start: number, end: number, size: number, depth: number): number {
    const total = this.#total;
    const search = this.#search;
    search.begin(total, size);
    // Candidates arise only between rows of different classes: a pure node (one class) has none,
    // and, as in scikit-learn, draws no features either.
    let classes = 0;
    for (let c = 0; c < this.#k; c++) if (total[c] > 0) classes++;
    if (classes === 1) return -1;
    if (this.#random === null) {
      const path = this.#path;
      const order = path.orders[depth & 1];
      const values = path.values[depth & 1];
      for (let j = 0; j < this.#p; j++) {
        if (path.valid[j] !== depth) path.catchUp(j, depth);
        search.scan(order, values, j * path.n, j, start, end);
      }
    } else {
      this.#drawAndScan(start, end, depth);
    }
    return search.choose();
  }

  /**
   * Draws features without replacement (a partial Fisher-Yates shuffle of the persistent
   * permutation) until mtry features that are not constant in the node have been scanned
   * (scikit-learn's rule: constant features do not count).
   */
  #drawAndScan(start: number, end: number, depth: number): void {
    const path = this.#path;
    const order = path.orders[depth & 1];
    const values = path.values[depth & 1];
    const n = path.n;
    const features = this.#features;
    const random = this.#random!;
    const p = this.#p;
    let scanned = 0;
    for (let i = 0; i < p && scanned < this.#mtry; i++) {
      const pick = i + random.below(p - i);
      const feature = features[pick];
      features[pick] = features[i];
      features[i] = feature;
      if (path.valid[feature] !== depth) path.catchUp(feature, depth);
      if (values[feature * n + start] === values[feature * n + end - 1]) continue; // constant here
      scanned++;
      this.#search.scan(order, values, feature * n, feature, start, end);
    }
  }
}
