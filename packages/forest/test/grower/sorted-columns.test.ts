// @module-tag unit
import { Random } from '@rally/features';
import { describe, expect, test } from 'vitest';

import { SortedColumns, StableSorter } from '../../src/grower/sorted-columns.ts';

/** The reference: Array#sort is stable, so ties keep index order; -0 and 0 tie as in ml-cart's comparator. */
function referenceOrder(values: Float64Array): number[] {
  return Array.from(values.keys()).sort((a, b) => (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : 0));
}

function sorted(values: number[]): number[] {
  const out = new Int32Array(values.length);
  new StableSorter(values.length).sort(Float64Array.from(values), out);
  return Array.from(out);
}

describe('StableSorter', () => {
  test.each([
    ['distinct values', [3, 1, 2]],
    ['ties keep index order', [2, 1, 2, 1, 2]],
    ['-0 and 0 tie', [0, -0, 0, -0]],
    ['a constant column', [5, 5, 5, 5]],
    ['infinities', [Infinity, -Infinity, 0, Infinity, -Infinity]],
    ['a range too wide to bucket', [1.7e308, -1.7e308, 0, 1e308]],
    ['one value', [42]],
    ['no values', []],
  ])('%s', (_name, values) => {
    expect(sorted(values)).toEqual(referenceOrder(Float64Array.from(values)));
  });

  test('random columns of every size, many ties, as a stable comparison sort orders them', () => {
    const random = new Random(11);
    for (let trial = 0; trial < 200; trial++) {
      const n = random.below(trial < 100 ? 50 : 3000);
      const distinct = 1 + random.below(trial % 3 === 0 ? 4 : 1000);
      const skew = trial % 5 === 0; // clustered values: a few buckets hold most rows (merge sort path)
      const values = Float64Array.from({ length: n }, () => (skew ? Math.exp(random.below(distinct) / 50) : random.below(distinct) / 7));
      const out = new Int32Array(n);
      new StableSorter(n).sort(values, out);
      expect(Array.from(out), `trial ${trial}`).toEqual(referenceOrder(values));
    }
  });
});

describe('SortedColumns', () => {
  test('sorts each column of row-major data stably: its orders, and its values in that order', () => {
    const data = Float64Array.from([3, 10, 1, 10, 2, 20, 1, 20]);
    const set = new SortedColumns(data, 4, 2);
    expect(set.rows).toBe(4);
    expect(set.features).toBe(2);
    expect(Array.from(set.sortedValues)).toEqual([1, 1, 2, 3, 10, 10, 20, 20]);
    expect(Array.from(set.orders)).toEqual([1, 3, 2, 0, 0, 1, 2, 3]);
  });

  test('in a given SharedArrayBuffer (a kept one, larger and holding an earlier set): the same columns and orders, read from that buffer; a set made from its buffers (as a worker makes it) reads them without a copy', () => {
    const random = new Random(5);
    const rows = 300;
    const cols = 4;
    const data = Float64Array.from({ length: rows * cols }, () => Math.round(random.nextFloat() * 20));
    const local = new SortedColumns(data, rows, cols);
    expect(local.orders.buffer).toBeInstanceOf(ArrayBuffer);
    const buffer = new SharedArrayBuffer(SortedColumns.byteLength(rows + 40, cols + 1));
    new SortedColumns(Float64Array.from({ length: (rows + 40) * (cols + 1) }, (_, i) => i % 13), rows + 40, cols + 1, buffer);
    const shared = new SortedColumns(data, rows, cols, buffer);
    expect(shared.orders.buffer).toBe(buffer);
    expect(Array.from(shared.orders)).toEqual(Array.from(local.orders));
    expect(Array.from(shared.sortedValues)).toEqual(Array.from(local.sortedValues));
    for (let j = 0; j < cols; j++) {
      for (let r = 0; r < rows; r++) expect(local.sortedValues[j * rows + r]).toBe(data[local.orders[j * rows + r] * cols + j]);
    }
    const parts = shared.share();
    expect(parts.values.buffer).toBe(buffer);
    expect(parts.values).toHaveLength(rows * cols);
    expect(parts.orders).toHaveLength(rows * cols);
    const rebuilt = new SortedColumns(parts, rows, cols);
    expect(rebuilt.orders).toBe(parts.orders);
    expect(rebuilt.sortedValues.buffer).toBe(buffer);
    expect(Array.from(rebuilt.sortedValues)).toEqual(Array.from(local.sortedValues));
  });

  test('a given buffer too small for the set is refused, saying how many bytes it needs', () => {
    expect(SortedColumns.byteLength(10, 3)).toBe(10 * 3 * 12);
    const small = new SharedArrayBuffer(SortedColumns.byteLength(10, 3) - 1);
    expect(() => new SortedColumns(new Float64Array(30), 10, 3, small)).toThrow('SortedColumns: 10 x 3 need 360 bytes, the buffer has 359.');
  });
});
