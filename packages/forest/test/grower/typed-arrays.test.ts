// @module-tag unit
/** The arrays a thread keeps from tree to tree (keptInt32Array), and resized. */
import { describe, expect, test } from 'vitest';

import { RandomForestClassifier } from '../../src/index.ts';
import { keptInt32Array, resized } from '../../src/grower/typed-arrays.ts';
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
    const larger = keptInt32Array('counts', 1001);
    expect(larger).toHaveLength(1001);
    expect(larger.buffer).not.toBe(first.buffer);
    expect(keptInt32Array('counts', 1000).buffer).toBe(larger.buffer);
  });

  test('arrays of up to 2^22 elements are kept; larger ones are handed out but not kept', () => {
    const limit = keptInt32Array('packed', 2 ** 22);
    expect(keptInt32Array('packed', 10).buffer).toBe(limit.buffer);
    const huge = keptInt32Array('packed', 2 ** 22 + 1);
    expect(huge).toHaveLength(2 ** 22 + 1);
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

describe('resized', () => {
  test('a longer copy of the same type, zeros after', () => {
    const grown = resized(Int32Array.from([1, 2, 3]), 5);
    expect(grown).toBeInstanceOf(Int32Array);
    expect(Array.from(grown)).toEqual([1, 2, 3, 0, 0]);
    expect(Array.from(resized(Float64Array.from([0.5]), 2))).toEqual([0.5, 0]);
  });
});
