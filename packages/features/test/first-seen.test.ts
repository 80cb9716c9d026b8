// @module-tag unit
/** FirstSeen, the compact memory of the `unique` and `duplicate_row` rules. */
import { describe, expect, it } from 'vitest';
import { FirstSeen } from '../src/first-seen.ts';

describe('FirstSeen', () => {
  it('answers 0 the first time a string is seen, then the row it was first seen on, every time after', () => {
    const seen = new FirstSeen();
    expect(seen.firstOr('a', 1)).toBe(0);
    expect(seen.firstOr('b', 2)).toBe(0);
    expect(seen.firstOr('a', 3)).toBe(1);
    expect(seen.firstOr('a', 4)).toBe(1);
    expect(seen.firstOr('b', 5)).toBe(2);
    expect(seen.firstOr('', 6)).toBe(0);
    expect(seen.firstOr('', 7)).toBe(6);
  });

  it('tells apart strings that differ in one character anywhere, in order, or in length', () => {
    const seen = new FirstSeen(4);
    const strings = ['ab', 'ba', 'abc', 'ab\u0000', '\u0000ab', 'a', 'aa', 'é', 'e\u0301', '😀', '\ud83d'];
    strings.forEach((value, i) => expect(seen.firstOr(value, i + 1), JSON.stringify(value)).toBe(0));
    strings.forEach((value, i) => expect(seen.firstOr(value, 100), JSON.stringify(value)).toBe(i + 1));
  });

  it('keeps every string and its first row while it grows from 4 slots to 2^19: 300,000 distinct rows, none taken for another', () => {
    const seen = new FirstSeen(4);
    const key = (i: number) => `${i},${(i * 7919) % 1000},UE,${i % 3 === 0 ? 'True' : 'False'}`;
    for (let i = 1; i <= 300_000; i += 1) {
      if (seen.firstOr(key(i), i) !== 0) expect.fail(`row ${i} taken for row ${seen.firstOr(key(i), i)}`);
    }
    for (let i = 1; i <= 300_000; i += 997) expect(seen.firstOr(key(i), 400_000)).toBe(i);
  });

  it('doubles when more than three quarters full, never sooner: 12 bytes a slot, 16 to 32 bytes a string', () => {
    const seen = new FirstSeen(1024);
    expect(seen.byteLength).toBe(1024 * 12);
    for (let i = 1; i <= 768; i += 1) seen.firstOr(`key ${i}`, i);
    expect(seen.byteLength).toBe(1024 * 12);
    // Seen before: nothing added, no growth.
    seen.firstOr('key 1', 769);
    expect(seen.byteLength).toBe(1024 * 12);
    seen.firstOr('key 769', 769);
    expect(seen.byteLength).toBe(2048 * 12);
    for (let i = 770; i <= 100_000; i += 1) seen.firstOr(`key ${i}`, i);
    expect(seen.byteLength / 100_000).toBeGreaterThanOrEqual(16);
    expect(seen.byteLength / 100_000).toBeLessThanOrEqual(32);
    for (let i = 1; i <= 100_000; i += 333) expect(seen.firstOr(`key ${i}`, 200_000)).toBe(i);
  });
});
