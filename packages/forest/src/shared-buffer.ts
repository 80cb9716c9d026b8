/**
 * The shared memory a fit posts to its worker threads (the sorted rows and the labels), kept for
 * the next fit. A worker holds on to what it was posted until its own garbage collector runs, and
 * a tree worker, which grows trees in typed arrays it keeps, seldom runs it: with a fresh
 * SharedArrayBuffer per fit, every fit of a training run (five folds, then the final fit) stayed in
 * memory to the end. Fits that take the one kept buffer in turn hold one buffer, however many.
 *
 * A buffer goes back only when every worker is done with it: a failed fit does not give it back
 * (a worker may still be reading it); the next fit then makes a new one.
 */
export class SharedBufferKeeper {
  #kept: SharedArrayBuffer | undefined;

  /**
   * @param keepAtMost - buffers larger than this (bytes) are not kept (a one-off huge fit does not stay in memory).
   * @param headroom - a new buffer that may be kept is this many times the bytes asked for (at
   *   most keepAtMost), so that a somewhat larger fit later (a training run's final fit has 5/4 of
   *   a CV fold's rows) takes it instead of holding a second buffer as well.
   */
  readonly keepAtMost: number;
  readonly headroom: number;

  constructor(keepAtMost: number, headroom = 1) {
    this.keepAtMost = keepAtMost;
    this.headroom = headroom;
  }

  /** A buffer of at least `bytes` bytes, for this caller alone until given back: the kept one if large enough (its bytes are not cleared). */
  take(bytes: number): SharedArrayBuffer {
    const kept = this.#kept;
    if (kept !== undefined && kept.byteLength >= bytes) {
      this.#kept = undefined;
      return kept;
    }
    return new SharedArrayBuffer(bytes > this.keepAtMost ? bytes : Math.min(this.keepAtMost, Math.ceil(bytes * this.headroom)));
  }

  /** Hands a taken buffer back, once nothing reads it any more; the larger of it and the one kept stays. */
  giveBack(buffer: SharedArrayBuffer): void {
    if (buffer.byteLength > this.keepAtMost) return;
    if (this.#kept === undefined || buffer.byteLength > this.#kept.byteLength) this.#kept = buffer;
  }
}
