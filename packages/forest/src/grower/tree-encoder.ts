import type { TreeBuilder } from './tree-grower.ts';
import { resized } from './typed-arrays.ts';

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

/** A TreeBuilder that encodes the tree in flat typed arrays (EncodedTree), grown by doubling. */
export class TreeEncoder implements TreeBuilder {
  readonly #k: number;
  #nodes = 0;
  #splits = 0;
  #leaves = 0;
  #feature = new Int32Array(64);
  #threshold = new Float64Array(32);
  #counts: Int32Array;

  constructor(k: number) {
    this.#k = k;
    this.#counts = new Int32Array(32 * k);
  }

  split(column: number, threshold: number): void {
    if (this.#nodes === this.#feature.length) this.#feature = resized(this.#feature, 2 * this.#feature.length);
    if (this.#splits === this.#threshold.length) this.#threshold = resized(this.#threshold, 2 * this.#threshold.length);
    this.#feature[this.#nodes++] = column;
    this.#threshold[this.#splits++] = threshold;
  }

  leaf(classCounts: Int32Array): void {
    const k = this.#k;
    if (this.#nodes === this.#feature.length) this.#feature = resized(this.#feature, 2 * this.#feature.length);
    if ((this.#leaves + 1) * k > this.#counts.length) this.#counts = resized(this.#counts, 2 * this.#counts.length);
    this.#feature[this.#nodes++] = -1;
    for (let c = 0; c < k; c++) this.#counts[this.#leaves * k + c] = classCounts[c];
    this.#leaves++;
  }

  finish(): EncodedTree {
    return {
      feature: this.#feature.slice(0, this.#nodes),
      threshold: this.#threshold.slice(0, this.#splits),
      counts: this.#counts.slice(0, this.#leaves * this.#k),
    };
  }
}
