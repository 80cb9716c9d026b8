/**
 * Turns for expensive requests: one at a time does its CPU work, the others wait asynchronously.
 * A turn always starts from setImmediate, even a free one, so the event loop runs between two
 * expensive requests and cheap ones (health checks, single points) are answered meanwhile. Without
 * that, bodies that arrive complete are parsed and predicted one after another inside one poll
 * phase, and the loop comes back to nobody else (timers, health checks) until all are done.
 */
export class Turns {
  readonly #waiting: (() => void)[] = [];
  #busy = false;

  /** Resolves with a release function once it is this caller's turn; releasing twice is harmless. */
  async take(): Promise<() => void> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else {
      this.#busy = true;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) setImmediate(next);
      else this.#busy = false;
    };
  }
}
