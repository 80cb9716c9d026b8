// @module-tag unit
import { Random } from '@rally/features';
import { describe, expect, test } from 'vitest';

import { exactImpurity, repeatedShare } from '../../src/grower/exact-gini.ts';

/** ml-cart's arithmetic: 1 / size added once per row of the class. */
function additions(count: number, size: number): number {
  let share = 0;
  for (let i = 0; i < count; i++) share += 1 / size;
  return share;
}

describe('repeatedShare is ml-cart\'s repeated additions, bit for bit', () => {
  test('every count <= size <= 400', () => {
    for (let size = 1; size <= 400; size++) {
      let share = 0;
      const x = 1 / size;
      for (let count = 0; count <= size; count++) {
        if (count > 0) share += x;
        if (repeatedShare(count, size) !== share) expect.fail(`count ${count}, size ${size}: ${repeatedShare(count, size)} !== ${share}`);
      }
    }
  });

  test('2000 random pairs up to size 40000 (bootstrap samples and large nodes)', () => {
    const random = new Random(3);
    for (let i = 0; i < 2000; i++) {
      const size = 1 + random.below(40_000);
      const count = random.below(size + 1);
      expect(repeatedShare(count, size), `count ${count}, size ${size}`).toBe(additions(count, size));
    }
  });

  test('differs from count / size where ml-cart\'s rounding does (so the exactness matters)', () => {
    let differ = 0;
    for (let size = 1; size <= 200; size++) for (let count = 0; count <= size; count++) if (repeatedShare(count, size) !== count / size) differ++;
    expect(differ).toBeGreaterThan(1000);
  });
});

describe('exactImpurity', () => {
  test('is 1 - sum of squared shares; 0 for an empty or pure node', () => {
    expect(exactImpurity(Int32Array.from([2, 2]), 0, 2, 4)).toBe(0.5);
    expect(exactImpurity(Int32Array.from([0, 5, 0]), 0, 3, 5)).toBe(0);
    expect(exactImpurity(Int32Array.from([0, 0]), 0, 2, 0)).toBe(0);
    // Reads k counts from an offset.
    expect(exactImpurity(Int32Array.from([9, 9, 1, 3]), 2, 2, 4)).toBe(1 - (additions(1, 4) ** 2 + additions(3, 4) ** 2));
  });
});
