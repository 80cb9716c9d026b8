/**
 * The tree ml-cart 2.1.1's `new DecisionTreeClassifier(options).train(X, y)` builds, grown by
 * rally's grower and reported in ml-cart's JSON form, so that the differential tests can compare
 * the two node for node against the stock library run live.
 */
import { DecisionTreeClassifier } from 'ml-cart';

import { repeatedShare } from '../../src/grower/exact-gini.ts';
import { SortedColumns } from '../../src/grower/sorted-columns.ts';
import { type IntegerSource, type RefusedSplit, type TreeBuilder, growTree } from '../../src/grower/tree-grower.ts';
import type { CartNode } from '../../src/interop/ml-cart.ts';

export type { CartNode };

/** ml-cart's DecisionTreeClassifier options, with its defaults, plus rally's extensions. */
export interface CartOptions {
  /** A node with this many rows or fewer is a leaf (ml-cart default 3). */
  minNumSamples?: number;
  /** ml-cart default Infinity. */
  maxDepth?: number;
  /** A node splits only if the best gain is above this (ml-cart default 0.01). */
  gainThreshold?: number;
  /** Extension: features drawn at each split (a count; default all). */
  maxFeatures?: number;
  /** Extension: draws the features when maxFeatures is below the number of features. */
  random?: IntegerSource;
  /** Extension: minimum repeated rows on each side of a split (default 0: any, as ml-cart). */
  minSamplesLeaf?: number;
}

/** ml-cart 2.1.1's defaults for a DecisionTreeClassifier. */
const CART_DEFAULTS = { minNumSamples: 3, maxDepth: Infinity, gainThreshold: 0.01 } as const;

/**
 * The tree ml-cart's `new DecisionTreeClassifier(options).train(X, y)` builds, grown by rally's
 * grower, in ml-cart's JSON form (without the options ml-cart copies into every node).
 * `sampleCounts` (extension) repeats row i sampleCounts[i] times in place.
 */
export function growCartTree(X: readonly (readonly number[])[], y: readonly number[], options: CartOptions = {}, sampleCounts?: readonly number[]): CartNode {
  const rows = X.length;
  const cols = rows === 0 ? 0 : X[0].length;
  const data = new Float64Array(rows * cols);
  X.forEach((row, i) => data.set(row, i * cols));
  const counts = Int32Array.from(sampleCounts ?? new Array<number>(rows).fill(1));
  const labels = Int32Array.from(y);
  let nClasses = 0;
  counts.forEach((count, i) => {
    if (count > 0) nClasses = Math.max(nClasses, labels[i] + 1);
  });
  const builder = new CartNodeBuilder();
  growTree(
    new SortedColumns(data, rows, cols),
    labels,
    counts,
    {
      nClasses,
      maxFeatures: options.maxFeatures ?? cols,
      random: options.random ?? null,
      minSamplesLeaf: options.minSamplesLeaf ?? 0,
      minNumSamples: options.minNumSamples ?? CART_DEFAULTS.minNumSamples,
      maxDepth: options.maxDepth ?? CART_DEFAULTS.maxDepth,
      gainThreshold: options.gainThreshold ?? CART_DEFAULTS.gainThreshold,
    },
    builder,
  );
  return builder.root;
}

/**
 * Builds ml-cart's nodes from growTree's preorder reports, with ml-cart's fields and values: the
 * gain and row count of each split, the refused split ml-cart keeps in some leaves, and leaf
 * distributions computed as ml-cart computes them (1 / size added once per row, as long as the
 * largest label in the leaf + 1).
 */
class CartNodeBuilder implements TreeBuilder {
  readonly root: CartNode = {};
  readonly #pending: CartNode[] = [this.root];

  split(column: number, threshold: number, gain: number, size: number): void {
    const node = this.#pending.pop()!;
    Object.assign(node, { splitValue: threshold, splitColumn: column, gain, numberSamples: size, left: {}, right: {} });
    this.#pending.push(node.right!, node.left!);
  }

  leaf(classCounts: Int32Array, size: number, refused?: RefusedSplit): void {
    const node = this.#pending.pop()!;
    if (refused) {
      node.splitValue = refused.threshold;
      node.splitColumn = refused.column;
      node.gain = refused.gain === -Infinity ? null : refused.gain;
      node.numberSamples = refused.column === undefined ? undefined : size;
    }
    let length = 0;
    classCounts.forEach((count, c) => {
      if (count > 0) length = c + 1;
    });
    node.distribution = [Array.from(classCounts.subarray(0, length), (count) => repeatedShare(count, size))];
  }
}

/** ml-cart's JSON of a tree, without the options it copies into every node (key order kept). */
export function withoutOptions(node: Record<string, unknown>): Record<string, unknown> {
  const { kind, gainFunction, splitFunction, minNumSamples, maxDepth, gainThreshold, ...rest } = node;
  void [kind, gainFunction, splitFunction, minNumSamples, maxDepth, gainThreshold];
  if (rest.left) rest.left = withoutOptions(rest.left as Record<string, unknown>);
  if (rest.right) rest.right = withoutOptions(rest.right as Record<string, unknown>);
  return rest;
}

/** The tree the stock ml-cart 2.1.1 trains on (X, y) with `options`, as JSON without the copied options: the oracle. */
export function stockTree(X: number[][], y: number[], options: object): string {
  const tree = new DecisionTreeClassifier(options);
  tree.train(X, y);
  return JSON.stringify(withoutOptions(JSON.parse(JSON.stringify(tree.toJSON().root))));
}
