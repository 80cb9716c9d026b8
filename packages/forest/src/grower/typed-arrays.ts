/** A copy of `array` in a longer typed array of the same type (the rest zeros). */
export function resized<T extends Int32Array | Float64Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}

/**
 * A per-row Int32Array kept for the next tree of this thread (`slot` names its use): growing is
 * synchronous, so one per use and thread is enough. Allocating a fresh one per tree churns the
 * allocator: freed blocks of that size raise glibc's mmap threshold, later ones then come from the
 * thread's heap, which fragments and keeps growing the process's resident memory. Its contents are
 * whatever the last tree left: the caller writes every element it reads.
 */
export function keptRowArray(slot: 'counts' | 'packed', length: number): Int32Array {
  const kept = keptRowArrays[slot];
  if (kept !== undefined && kept.length >= length) return kept.subarray(0, length);
  const fresh = new Int32Array(length);
  if (length <= KEEP_ROWS_AT_MOST) keptRowArrays[slot] = fresh;
  return fresh;
}

const keptRowArrays: Partial<Record<'counts' | 'packed', Int32Array>> = {};
/** Larger ones are not kept (16 MiB each). */
const KEEP_ROWS_AT_MOST = 1 << 22;
