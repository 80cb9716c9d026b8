// @module-tag unit
/**
 * The shared memory kept from fit to fit (SharedBufferKeeper): one buffer serves fits in turn, never
 * two fits at once, and a buffer too large to keep is not kept.
 */
import { describe, expect, test } from 'vitest';

import { SharedBufferKeeper } from '../src/shared-buffer.ts';

describe('SharedBufferKeeper', () => {
  test('a buffer given back serves the next request that fits in it', () => {
    const keeper = new SharedBufferKeeper(1024);
    const first = keeper.take(100);
    expect(first).toBeInstanceOf(SharedArrayBuffer);
    expect(first.byteLength).toBe(100);
    keeper.giveBack(first);
    expect(keeper.take(100)).toBe(first);
  });

  test('a smaller request takes the kept buffer too; a larger one gets a new buffer, which is then the one kept', () => {
    const keeper = new SharedBufferKeeper(1024);
    const small = keeper.take(200);
    keeper.giveBack(small);
    expect(keeper.take(120)).toBe(small);
    keeper.giveBack(small);
    const large = keeper.take(201);
    expect(large).not.toBe(small);
    expect(large.byteLength).toBe(201);
    keeper.giveBack(large);
    expect(keeper.take(201)).toBe(large);
  });

  test('a taken buffer is nobody else’s until given back: two fits at once get two buffers', () => {
    const keeper = new SharedBufferKeeper(1024);
    keeper.giveBack(keeper.take(64));
    const a = keeper.take(64);
    const b = keeper.take(64);
    expect(b).not.toBe(a);
    keeper.giveBack(b);
    keeper.giveBack(a);
    // Of two the same size, the first kept stays; either way only one is kept.
    const c = keeper.take(64);
    expect([a, b]).toContain(c);
    expect(keeper.take(64)).not.toBe(c);
  });

  test('giving back a smaller buffer keeps the larger one', () => {
    const keeper = new SharedBufferKeeper(1024);
    const large = keeper.take(500);
    const small = keeper.take(100);
    keeper.giveBack(large);
    keeper.giveBack(small);
    expect(keeper.take(400)).toBe(large);
  });

  test('with headroom, a new buffer has room for a larger request later, within the limit', () => {
    const keeper = new SharedBufferKeeper(1000, 1.5);
    const fold = keeper.take(400);
    expect(fold.byteLength).toBe(600);
    keeper.giveBack(fold);
    // The final fit: 5/4 of a fold.
    expect(keeper.take(500)).toBe(fold);
    keeper.giveBack(fold);
    expect(keeper.take(800).byteLength).toBe(1000);
    expect(keeper.take(1001).byteLength).toBe(1001);
  });

  test('a buffer over the limit is handed out but not kept', () => {
    const keeper = new SharedBufferKeeper(1000);
    const huge = keeper.take(1001);
    expect(huge.byteLength).toBe(1001);
    keeper.giveBack(huge);
    expect(keeper.take(10)).not.toBe(huge);
    const limit = keeper.take(1000);
    keeper.giveBack(limit);
    expect(keeper.take(1000)).toBe(limit);
  });
});
