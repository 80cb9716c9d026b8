/** A copy of `array` in a longer typed array of the same type (the rest zeros). */
export function resized<T extends Int32Array | Float64Array | Uint8Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}

/** What a kept array serves: each use has its own. */
export type KeptArrayUse = 'counts' | 'packed' | 'orders' | 'next orders';

/** What a kept Float64Array serves (NodePath's values in order). */
export type KeptValuesUse = 'values' | 'next values';

/**
 * An Int32Array kept for this thread's next tree (a forest grows many trees of about the same
 * size), one per use: growing is synchronous, so one per use and thread is enough. A fresh one per
 * tree costs about as much to allocate and zero as to use, and churns the allocator: freed blocks of
 * that size raise glibc's mmap threshold, later ones then come from the thread's heap, which
 * fragments and keeps growing the process's resident memory. Its contents are whatever the last
 * tree left: the caller writes every element it reads.
 */
export function keptInt32Array(use: KeptArrayUse, length: number): Int32Array {
  return kept(use, length, Int32Array);
}

/** The same for the Float64Arrays NodePath keeps (its values in order, one per use). */
export function keptFloat64Array(use: KeptValuesUse, length: number): Float64Array {
  return kept(use, length, Float64Array);
}

/**
 * A kept byte array for NodePath's sides (a byte per row and depth). Growing while a tree is being
 * grown, it must keep what is written: `grow` copies the first `keep` bytes of `from` into it.
 */
export function keptSides(length: number, grow?: { from: Uint8Array; keep: number }): Uint8Array {
  const sides = kept('sides', length, Uint8Array);
  if (grow !== undefined) sides.set(grow.from.subarray(0, grow.keep));
  return sides;
}

function kept<T extends Int32Array | Uint8Array | Float64Array>(use: KeptArrayUse | KeptValuesUse | 'sides', length: number, type: { new (length: number): T; BYTES_PER_ELEMENT: number }): T {
  const held = keptArrays[use] as T | undefined;
  if (held !== undefined && held.length >= length) return held.subarray(0, length) as T;
  if (length * type.BYTES_PER_ELEMENT > KEEP_AT_MOST_BYTES) return new type(length);
  const fresh = new type(Math.min(Math.ceil(length * KEPT_HEADROOM), KEEP_AT_MOST_BYTES / type.BYTES_PER_ELEMENT));
  (keptArrays as Record<string, T>)[use] = fresh;
  return fresh.subarray(0, length) as T;
}

/**
 * A new kept array (or shared buffer, see forest.ts) is this many times the size asked for: a
 * training run fits five CV folds, then its final fit on 5/4 of a fold's rows, which then takes
 * what the folds kept instead of holding new arrays as well as the old ones.
 */
export const KEPT_HEADROOM = 1.5;

const keptArrays: Partial<Record<KeptArrayUse, Int32Array>> & Partial<Record<KeptValuesUse, Float64Array>> & { sides?: Uint8Array } = {};
/**
 * Larger ones are not kept (64 MiB each: 2^24 Int32 elements, the orders of 1.1 million present
 * rows of 15 features); a tree that needs more allocates its own.
 */
const KEEP_AT_MOST_BYTES = 1 << 26;
