/**
 * Which strings were seen, and on which row first, in 12 bytes a slot (a 64-bit hash and the row),
 * at most three quarters full: 16 to 32 bytes a row, never the strings themselves.
 *
 * Two different strings are taken for the same one only if both 32-bit halves of their hashes
 * agree (two independent mixes of every UTF-16 unit): among n strings, the chance of any such
 * collision is about n² / 2^65, under 3e-9 for 320,000 rows.
 */
export class FirstSeen {
  private hashHigh: Uint32Array;
  private hashLow: Uint32Array;
  /** The row numbers (from 1); 0 marks an empty slot. */
  private rows: Uint32Array;
  private size = 0;

  constructor(capacity = 1024) {
    this.hashHigh = new Uint32Array(capacity);
    this.hashLow = new Uint32Array(capacity);
    this.rows = new Uint32Array(capacity);
  }

  /** The row on which `key` was first seen; or, the first time, 0 after noting `row` (≥ 1) for it. */
  firstOr(key: string, row: number): number {
    let high = 0x811c9dc5;
    let low = 0x9747b28c;
    for (let i = 0; i < key.length; i += 1) {
      const unit = key.charCodeAt(i);
      high = Math.imul(high ^ unit, 0x01000193);
      low = Math.imul(low ^ unit, 0x5bd1e995);
      low ^= low >>> 15;
    }
    high = mix(high ^ key.length) >>> 0;
    low = mix(low + 0x2545f491) >>> 0;
    const found = this.find(high, low);
    if (this.rows[found] !== 0) return this.rows[found];
    this.hashHigh[found] = high;
    this.hashLow[found] = low;
    this.rows[found] = row;
    this.size += 1;
    if (this.size * 4 > this.rows.length * 3) this.grow();
    return 0;
  }

  /** The memory it holds, in bytes (12 a slot). */
  get byteLength(): number {
    return this.rows.length * 12;
  }

  /** The slot holding this hash, or the empty slot where it belongs (linear probing). */
  private find(high: number, low: number): number {
    const mask = this.rows.length - 1;
    let slot = (high ^ Math.imul(low, 0x9e3779b1)) & mask;
    while (this.rows[slot] !== 0 && (this.hashHigh[slot] !== high || this.hashLow[slot] !== low)) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const capacity = this.rows.length * 2;
    const { hashHigh, hashLow, rows } = this;
    this.hashHigh = new Uint32Array(capacity);
    this.hashLow = new Uint32Array(capacity);
    this.rows = new Uint32Array(capacity);
    for (let slot = 0; slot < rows.length; slot += 1) {
      if (rows[slot] === 0) continue;
      const found = this.find(hashHigh[slot], hashLow[slot]);
      this.hashHigh[found] = hashHigh[slot];
      this.hashLow[found] = hashLow[slot];
      this.rows[found] = rows[slot];
    }
  }
}

/** murmur3's 32-bit finaliser: every input bit moves every output bit. */
function mix(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
