/**
 * Admission for expensive requests: at most `concurrency` of them do their CPU work at a time, the
 * others wait their turn asynchronously. The turn is handed on through setImmediate, so the event
 * loop runs between two expensive requests and cheap ones (health checks, single points) are
 * answered meanwhile instead of queueing behind every batch that arrived before them.
 */
export class Admission {
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  constructor(readonly concurrency: number) {}

  /**
   * Resolves with a release function once a turn is free; calling release more than once is
   * harmless. A turn always starts from setImmediate, even a free one: a body that arrives complete
   * is otherwise parsed and predicted inside the same poll phase as the next ones, and the loop
   * never comes back to anyone else (timers, health checks) until all of them are done.
   */
  async acquire(): Promise<() => void> {
    if (this.#running >= this.concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else {
      this.#running++;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) setImmediate(next);
      else this.#running--;
    };
  }

  /** Requests waiting for a turn. */
  get queued(): number {
    return this.#waiting.length;
  }
}
