/**
 * The training rows prepared once for growing many trees: per feature, the row indices sorted by
 * value and the values in that order. Each tree (each bootstrap sample) then starts from these
 * instead of sorting again, reading both in order; see TreeGrower.
 */
export class SortedColumns {
  /** Number of rows. */
  readonly rows: number;
  /** Number of features. */
  readonly features: number;
  /** sortedValues[j * rows + r]: feature j's value of the row of rank r, orders[j * rows + r]. */
  readonly sortedValues: Float64Array;
  /**
   * orders[j * rows + r]: the row of rank r for feature j. Stable: equal values keep increasing row
   * order, which is what ml-cart's stable Array#sort of a node's rows gives at every node.
   */
  readonly orders: Int32Array;

  /**
   * @param data - row-major rows x cols values, none NaN (the estimator checks them); or the
   *   buffers of a set prepared in shared memory (`share()`), used as they are, without a copy.
   * @param shared - a SharedArrayBuffer of at least `SortedColumns.byteLength(rows, cols)` bytes to
   *   hold the columns and orders from its start, so that worker threads read the one copy (tree
   *   growing only reads them); the caller may reuse it from fit to fit (see SharedBufferKeeper).
   *   Without it they are in this thread's own memory.
   */
  constructor(data: Float64Array | SharedSortedColumns, rows: number, cols: number, shared?: SharedArrayBuffer) {
    this.rows = rows;
    this.features = cols;
    if (!(data instanceof Float64Array)) {
      this.sortedValues = data.values;
      this.orders = data.orders;
      return;
    }
    const cells = rows * cols;
    const bytes = SortedColumns.byteLength(rows, cols);
    const storage = shared ?? new ArrayBuffer(bytes);
    if (storage.byteLength < bytes) throw new RangeError(`SortedColumns: ${rows} x ${cols} need ${bytes} bytes, the buffer has ${storage.byteLength}.`);
    // Values first (8-byte aligned at 0), then the orders.
    const values = new Float64Array(storage, 0, cells);
    const orders = new Int32Array(storage, cells * Float64Array.BYTES_PER_ELEMENT, cells);
    const column = new Float64Array(rows);
    const sorter = new StableSorter(rows);
    for (let j = 0; j < cols; j++) {
      for (let i = 0; i < rows; i++) column[i] = data[i * cols + j];
      const order = orders.subarray(j * rows, (j + 1) * rows);
      sorter.sort(column, order);
      for (let r = 0; r < rows; r++) values[j * rows + r] = column[order[r]];
    }
    this.sortedValues = values;
    this.orders = orders;
  }

  /** Bytes of a set of rows x cols: its values (8 bytes a cell), then its orders (4 bytes a cell). */
  static byteLength(rows: number, cols: number): number {
    return rows * cols * (Float64Array.BYTES_PER_ELEMENT + Int32Array.BYTES_PER_ELEMENT);
  }

  /** The buffers to post to worker threads: shared when built into a SharedArrayBuffer (posting them then copies nothing). */
  share(): SharedSortedColumns {
    return { values: this.sortedValues, orders: this.orders };
  }
}

/** A SortedColumns' buffers: the values in sorted order and the orders. */
export interface SharedSortedColumns {
  values: Float64Array;
  orders: Int32Array;
}

/** Ranges this short are sorted by insertion, also as the first pass of the merge sort. */
const INSERTION_RUN = 32;

/**
 * Stable sort of row indices by value; ties keep increasing row order (-0 and 0 tie, as with
 * ml-cart's `a[0] - b[0]` comparator). Rows are first spread into n buckets by
 * (value - min) * n / (max - min), a non-decreasing function of the value, keeping row order within a
 * bucket; each bucket is then sorted by insertion (short) or merge sort (long). Near-uniform data
 * (most features here) sorts in about linear time. Values must not be NaN.
 */
export class StableSorter {
  readonly #bucketOf: Int32Array;
  readonly #ends: Int32Array;
  readonly #buffer: Int32Array;

  /** @param capacity - the largest number of values to sort. */
  constructor(capacity: number) {
    this.#bucketOf = new Int32Array(capacity);
    this.#ends = new Int32Array(capacity + 1);
    this.#buffer = new Int32Array(capacity);
  }

  /** Writes into `out` (as long as `values`) the indices 0..n-1 in stable value order. */
  sort(values: Float64Array, out: Int32Array): void {
    const n = values.length;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const value = values[i];
      if (value < min) min = value;
      if (value > max) max = value;
    }
    const range = max - min;
    if (!(range > 0) || range === Infinity) {
      // Constant feature, or a range too wide to bucket: plain merge sort.
      for (let i = 0; i < n; i++) out[i] = i;
      if (range > 0) mergeSort(values, out, 0, n, this.#buffer);
      return;
    }
    this.#distribute(values, out, min, n / range);
    this.#sortBuckets(values, out);
  }

  // (Separate methods so that V8 optimizes each phase once it has run: one large function was
  // optimized before its later loops had run, then deoptimized.)

  /** Indices into `out` by bucket, in index order within a bucket; ends[b]: where bucket b ends. */
  #distribute(values: Float64Array, out: Int32Array, min: number, scale: number): void {
    const n = values.length;
    const bucketOf = this.#bucketOf;
    const ends = this.#ends;
    ends.fill(0, 0, n + 1);
    for (let i = 0; i < n; i++) {
      const bucket = Math.min(n - 1, Math.floor((values[i] - min) * scale));
      bucketOf[i] = bucket;
      ends[bucket + 1]++;
    }
    for (let b = 1; b <= n; b++) ends[b] += ends[b - 1];
    for (let i = 0; i < n; i++) out[ends[bucketOf[i]]++] = i;
  }

  #sortBuckets(values: Float64Array, out: Int32Array): void {
    const n = values.length;
    const ends = this.#ends;
    let lo = 0;
    for (let b = 0; b < n; b++) {
      const hi = ends[b];
      if (hi - lo > 1) sortRange(values, out, lo, hi, this.#buffer);
      lo = hi;
    }
  }
}

function sortRange(values: Float64Array, out: Int32Array, lo: number, hi: number, buffer: Int32Array): void {
  if (hi - lo <= INSERTION_RUN) {
    insertionSort(values, out, lo, hi);
    return;
  }
  const first = values[out[lo]];
  let constant = true;
  for (let i = lo + 1; i < hi && constant; i++) constant = values[out[i]] === first;
  if (!constant) mergeSort(values, out, lo, hi, buffer);
}

function insertionSort(values: Float64Array, out: Int32Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const row = out[i];
    const value = values[row];
    let j = i - 1;
    while (j >= lo && values[out[j]] > value) {
      out[j + 1] = out[j];
      j--;
    }
    out[j + 1] = row;
  }
}

/** Bottom-up stable merge sort of out[lo, hi) by value (buffer: scratch at least as long as out). */
function mergeSort(values: Float64Array, out: Int32Array, lo: number, hi: number, buffer: Int32Array): void {
  for (let s = lo; s < hi; s += INSERTION_RUN) insertionSort(values, out, s, Math.min(s + INSERTION_RUN, hi));
  let source = out;
  let target = buffer;
  for (let width = INSERTION_RUN; width < hi - lo; width *= 2) {
    for (let s = lo; s < hi; s += 2 * width) {
      const mid = Math.min(s + width, hi);
      const end = Math.min(s + 2 * width, hi);
      let i = s;
      let j = mid;
      let w = s;
      while (i < mid && j < end) {
        if (values[source[j]] < values[source[i]]) target[w++] = source[j++];
        else target[w++] = source[i++];
      }
      while (i < mid) target[w++] = source[i++];
      while (j < end) target[w++] = source[j++];
    }
    const swap = source;
    source = target;
    target = swap;
  }
  if (source !== out) out.set(source.subarray(lo, hi), lo);
}
