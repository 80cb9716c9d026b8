/**
 * The project's one seeded random generator: xoshiro128** (Blackman and Vigna), its 128-bit state
 * filled by splitmix32 from a seed and optional stream numbers. Fast, statistically sound for
 * sampling and shuffling, and identical on every platform, which Math.random is not. Everything
 * random in rally (data splits, bootstrap samples, feature draws, generated points, bootstrap
 * intervals) draws from it, so a seed reproduces a result everywhere.
 *
 *   const random = new Random(42);        // one stream
 *   const tree7 = new Random(42, 7);      // stream 7 of seed 42: independent of stream 6
 *   random.below(10);                     // uniform integer in [0, 10)
 *   random.nextFloat();                   // uniform in [0, 1), 32 random bits
 *
 * A class rather than a closure: every instance shares one `nextUint32`, which V8 inlines.
 */
export class Random {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /**
   * @param seed - any safe integer.
   * @param streams - non-negative integers naming an independent stream of that seed (for example
   *   the index of a tree, so that each tree's draws depend on nothing but the seed and its index).
   */
  constructor(seed: number, ...streams: number[]) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`A random seed must be a safe integer, got ${seed}.`);
    let h = mix32((seed >>> 0) ^ 0x5bd1e995);
    h = mix32(h ^ Math.floor(seed / 4294967296));
    for (const stream of streams) {
      if (!Number.isSafeInteger(stream) || stream < 0) throw new RangeError(`A random stream must be a non-negative safe integer, got ${stream}.`);
      h = mix32(h ^ (stream >>> 0) ^ 0x9e3779b9);
      h = mix32(h ^ Math.floor(stream / 4294967296));
    }
    // splitmix32 from h: four well-mixed words (never all zero: splitmix32 is a bijection of a counter).
    let counter = h;
    const next = () => mix32((counter = (counter + 0x9e3779b9) | 0));
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
  }

  /** A uniform unsigned 32-bit integer. */
  nextUint32(): number {
    const s0 = this.#s0;
    const s1 = this.#s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    const s2 = this.#s2 ^ s0;
    const s3 = this.#s3 ^ s1;
    this.#s1 = s1 ^ s2;
    this.#s0 = s0 ^ s3;
    this.#s2 = s2 ^ t;
    this.#s3 = (s3 << 11) | (s3 >>> 21);
    return result >>> 0;
  }

  /** A uniform number in [0, 1) (a multiple of 2^-32). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n), without modulo bias (rejection); 1 <= n <= 2^32. */
  below(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    let value = this.nextUint32();
    while (value >= limit) value = this.nextUint32();
    return value % n;
  }
}

/** murmur3's 32-bit finalizer: a bijection that mixes every input bit into every output bit. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function shuffledIndices(n: number, random: Random): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i += 1) order[i] = i;
  for (let i = n - 1; i > 0; i -= 1) {
    const j = random.below(i + 1);
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}
