import type { SortedColumns } from './sorted-columns.ts';
import { keptFloat64Array, keptInt32Array, keptSides, resized } from './typed-arrays.ts';

/**
 * The nodes from the root to the one being grown, and every feature's row order for them.
 *
 * Each node is a segment [start, end) of every feature's order: the tree's rows (present in its
 * sample) sorted by that feature. After a split, a feature's order is stably partitioned into the
 * children's segments, in the other of two buffers (orders[depth % 2] serves the nodes of that
 * depth), so children stay sorted without sorting again. Partitioning is lazy: a feature is brought
 * down the path only when a node draws it (catchUp); with per-split feature sampling, most features
 * are never needed near the leaves.
 */
export class NodePath {
  /** Rows present in the tree (count > 0): the length of a feature's segment in a buffer. */
  readonly n: number;
  readonly #set: SortedColumns;
  readonly #counts: Int32Array;
  /** orders[depth % 2][j * n + r]: feature j's order for the nodes at that depth on the path. */
  readonly orders: readonly [Int32Array, Int32Array];
  /**
   * values[depth % 2][j * n + r]: feature j's value of the row at orders[depth % 2][j * n + r],
   * moved along with it, so that a sweep reads values in order instead of at random in a column.
   */
  readonly values: readonly [Float64Array, Float64Array];
  /** valid[j]: the depth down to which feature j's order is partitioned on the path (-1: not yet taken). */
  readonly valid: Int32Array;

  // Per depth: the node's segment, and where its split divides it (its lesser rows are
  // [start, middle) in the split feature's order; see split).
  start = new Int32Array(32);
  end = new Int32Array(32);
  middle = new Int32Array(32);
  /**
   * sides[d * rows + row] is 1 when row goes to the lesser child of the node at depth d (for the
   * rows of that node). Partitioning reads this byte per row, in an array small enough to stay in
   * cache, instead of the split feature's value (8 bytes per row, in a column that is not).
   */
  #sides: Uint8Array;

  constructor(set: SortedColumns, counts: Int32Array, n: number) {
    this.n = n;
    this.#set = set;
    this.#counts = counts;
    // Kept from tree to tree (keptInt32Array): every cell is written before it is read.
    this.orders = [keptInt32Array('orders', n * set.features), keptInt32Array('next orders', n * set.features)];
    this.values = [keptFloat64Array('values', n * set.features), keptFloat64Array('next values', n * set.features)];
    this.valid = new Int32Array(set.features).fill(-1);
    this.#sides = keptSides(16 * set.rows);
  }

  /** Makes room for nodes at depth `depth` (the per-depth arrays double). */
  reserve(depth: number): void {
    if (depth < this.start.length) return;
    const depths = 2 * this.start.length;
    this.start = resized(this.start, depths);
    this.end = resized(this.end, depths);
    this.middle = resized(this.middle, depths);
  }

  /**
   * Records the split of the node at `depth`, on feature `column`: its lesser rows are the first
   * `lesserRows` of the node's segment in that feature's order (which the search just scanned, so
   * it is brought down to this depth), the rows whose value is below the threshold.
   */
  split(depth: number, column: number, lesserRows: number): void {
    const start = this.start[depth];
    const middle = start + lesserRows;
    const end = this.end[depth];
    this.middle[depth] = middle;
    const order = this.orders[depth & 1];
    const base = column * this.n;
    const rows = this.#set.rows;
    if ((depth + 1) * rows > this.#sides.length) this.#sides = keptSides(2 * this.#sides.length, { from: this.#sides, keep: depth * rows });
    const sides = this.#sides;
    const at = depth * rows;
    for (let r = base + start; r < base + middle; r++) sides[at + order[r]] = 1;
    for (let r = base + middle; r < base + end; r++) sides[at + order[r]] = 0;
  }

  /** Brings feature j's order down to the node at `depth` on the path. */
  catchUp(j: number, depth: number): void {
    let from = this.valid[j];
    if (from < 0) {
      this.#takeRootOrder(j);
      from = 0;
    }
    for (let d = from; d < depth; d++) this.#partition(j, d);
    this.valid[j] = depth;
  }

  /**
   * Before growing the right child at `depth`: the left subtree may have partitioned orders below
   * `depth`, within its own segment, so no feature is valid deeper than `depth` any more.
   */
  leaveLeftSubtree(depth: number): void {
    const valid = this.valid;
    for (let j = 0; j < valid.length; j++) if (valid[j] > depth) valid[j] = depth;
  }

  /** The root's order of feature j: the sorted columns' order without the absent rows. */
  #takeRootOrder(j: number): void {
    const sorted = this.#set.orders;
    const sortedValues = this.#set.sortedValues;
    const all = this.#set.rows;
    const counts = this.#counts;
    const target = this.orders[0];
    const targetValues = this.values[0];
    let w = j * this.n;
    const last = w + this.n;
    // As in #partition, without a branch: w moves on past a present row (a count > 0 makes -count
    // negative, its sign bit 1), and the loop stops once the n present rows are in.
    for (let r = j * all; r < (j + 1) * all && w < last; r++) {
      const row = sorted[r];
      target[w] = row;
      targetValues[w] = sortedValues[r];
      w += -counts[row] >>> 31;
    }
  }

  /** Stable partition of feature j's segment of the node at depth d into its children's segments, in the other buffer. */
  #partition(j: number, d: number): void {
    const base = j * this.n;
    const source = this.orders[d & 1];
    const target = this.orders[(d + 1) & 1];
    const sourceValues = this.values[d & 1];
    const targetValues = this.values[(d + 1) & 1];
    const start = this.start[d];
    const end = this.end[d];
    const sides = this.#sides;
    const at = d * this.#set.rows;
    let toGreater = base + this.middle[d];
    if (this.start[d + 1] === start) {
      // On the path's left side (the right child comes later): both children.
      let toLesser = base + start;
      for (let r = base + start; r < base + end; r++) {
        const row = source[r];
        // Without a branch (which side a row goes is as good as random): its slot is toLesser or toGreater.
        const lesser = sides[at + row];
        const to = toGreater + lesser * (toLesser - toGreater);
        target[to] = row;
        targetValues[to] = sourceValues[r];
        toLesser += lesser;
        toGreater += 1 - lesser;
      }
    } else {
      // On the right side: the left child is done. Each row is written at toGreater, which moves on
      // only past a greater row (no branch); it never passes the segment's end, where the loop stops.
      const last = base + end;
      for (let r = base + start; r < last && toGreater < last; r++) {
        const row = source[r];
        target[toGreater] = row;
        targetValues[toGreater] = sourceValues[r];
        toGreater += 1 - sides[at + row];
      }
    }
  }
}
