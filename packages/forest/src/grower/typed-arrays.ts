/** A copy of `array` in a longer typed array of the same type (the rest zeros). */
export function resized<T extends Int32Array | Float64Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}

/** What a kept array serves: each use has its own. */
export type KeptArrayUse = 'counts' | 'packed' | 'orders' | 'next orders';

/**
 * An Int32Array kept for this thread's next tree (a forest grows many trees of about the same
 * size), one per use: growing is synchronous, so one per use and thread is enough. A fresh one per
 * tree costs about as much to allocate and zero as to use, and churns the allocator: freed blocks of
 * that size raise glibc's mmap threshold, later ones then come from the thread's heap, which
 * fragments and keeps growing the process's resident memory. Its contents are whatever the last
 * tree left: the caller writes every element it reads.
 */
export function keptInt32Array(use: KeptArrayUse, length: number): Int32Array {
  const kept = keptArrays[use];
  if (kept !== undefined && kept.length >= length) return kept.subarray(0, length);
  const fresh = new Int32Array(length);
  if (length <= KEEP_AT_MOST) keptArrays[use] = fresh;
  return fresh;
}

const keptArrays: Partial<Record<KeptArrayUse, Int32Array>> = {};
/** Larger ones are not kept (16 MiB each). */
const KEEP_AT_MOST = 1 << 22;
