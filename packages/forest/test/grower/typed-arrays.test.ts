// @module-tag unit
/** The arrays a thread keeps from tree to tree (keptInt32Array), and resized. */
import { describe, expect, test } from 'vitest';

import { RandomForestClassifier } from '../../src/index.ts';
import { KEPT_HEADROOM, keptFloat64Array, keptInt32Array, keptSides, resized } from '../../src/grower/typed-arrays.ts';
import { blobs } from '../helpers/data.ts';

describe('keptInt32Array', () => {
  test('the same memory for every request up to the largest kept, a view of the length asked for; each use has its own', () => {
    const first = keptInt32Array('counts', 1000);
    expect(first).toHaveLength(1000);
    first.fill(7);
    const again = keptInt32Array('counts', 600);
    expect(again).toHaveLength(600);
    expect(again.buffer).toBe(first.buffer);
    // Not cleared: the caller writes what it reads.
    expect(again[599]).toBe(7);
    const packed = keptInt32Array('packed', 600);
    expect(packed.buffer).not.toBe(first.buffer);
    // Kept with room for half as much again (KEPT_HEADROOM): a final fit after the CV folds.
    expect(KEPT_HEADROOM).toBe(1.5);
    const within = keptInt32Array('counts', 1500);
    expect(within).toHaveLength(1500);
    expect(within.buffer).toBe(first.buffer);
    const larger = keptInt32Array('counts', 1501);
    expect(larger).toHaveLength(1501);
    expect(larger.buffer).not.toBe(first.buffer);
    expect(larger.buffer.byteLength).toBe(Math.ceil(1501 * 1.5) * 4);
    expect(keptInt32Array('counts', 1000).buffer).toBe(larger.buffer);
  });

  test('arrays of up to 2^24 elements (64 MiB) are kept; larger ones are handed out but not kept', () => {
    const limit = keptInt32Array('packed', 2 ** 24);
    expect(keptInt32Array('packed', 10).buffer).toBe(limit.buffer);
    const huge = keptInt32Array('packed', 2 ** 24 + 1);
    expect(huge).toHaveLength(2 ** 24 + 1);
    expect(keptInt32Array('packed', 10).buffer).toBe(limit.buffer);
  });

  test('a forest grown after a larger one (the kept arrays holding its rows) is the forest grown first', async () => {
    const small = blobs(21, 60, 4);
    const large = blobs(22, 300, 4);
    const make = () => new RandomForestClassifier({ nEstimators: 5, seed: 3 });
    const before = JSON.stringify(await make().fit(small.X, small.y, { workers: 0 }));
    await make().fit(large.X, large.y, { workers: 0 });
    expect(JSON.stringify(await make().fit(small.X, small.y, { workers: 0 }))).toBe(before);
  });
});

describe('keptFloat64Array', () => {
  test('kept per use like the Int32 arrays, with the same headroom', () => {
    // Larger than the forests grown above keep.
    const values = keptFloat64Array('values', 100_000);
    expect(values).toBeInstanceOf(Float64Array);
    expect(values).toHaveLength(100_000);
    values.fill(0.5);
    const again = keptFloat64Array('values', 150_000);
    expect(again.buffer).toBe(values.buffer);
    expect(again[99_999]).toBe(0.5);
    expect(keptFloat64Array('next values', 100_000).buffer === values.buffer).toBe(false);
    expect(keptFloat64Array('values', 150_001).buffer === values.buffer).toBe(false);
  });
});

describe('keptSides', () => {
  test('kept like the Int32 arrays; growing copies the bytes asked for into the larger one', () => {
    // Larger than any other test keeps (the kept arrays are the thread's, shared by every test).
    const size = 2 ** 23;
    const first = keptSides(size);
    expect(first).toHaveLength(size);
    first.fill(1, 0, 40);
    first.fill(2, 40);
    expect(keptSides(50).buffer).toBe(first.buffer);
    const grown = keptSides(2 ** 24, { from: first, keep: 40 });
    expect(grown).toBeInstanceOf(Uint8Array);
    expect(grown).toHaveLength(2 ** 24);
    expect(grown.buffer === first.buffer).toBe(false);
    expect(Array.from(grown.subarray(0, 40))).toEqual(new Array(40).fill(1));
    // Only what was asked for is copied.
    expect(grown[40]).toBe(0);
    // Its own kept array, not an Int32 one's.
    expect(keptInt32Array('counts', 10).buffer === grown.buffer).toBe(false);
  });

  test('up to 64 MiB is kept (the headroom never goes past it), larger is handed out but not kept', () => {
    const limit = keptSides(2 ** 26);
    expect(limit.buffer.byteLength).toBe(2 ** 26);
    const huge = keptSides(2 ** 26 + 1);
    expect(huge.buffer === limit.buffer).toBe(false);
    expect(keptSides(10).buffer === limit.buffer).toBe(true);
  });
});

describe('resized', () => {
  test('a longer copy of the same type, zeros after', () => {
    const grown = resized(Int32Array.from([1, 2, 3]), 5);
    expect(grown).toBeInstanceOf(Int32Array);
    expect(Array.from(grown)).toEqual([1, 2, 3, 0, 0]);
    expect(Array.from(resized(Float64Array.from([0.5]), 2))).toEqual([0.5, 0]);
  });
});
