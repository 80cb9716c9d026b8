/**
 * What every benchmark shares: wall-clock timing that resists a busy machine (medians), and one
 * header line saying where the figures come from.
 */
import { availableParallelism, loadavg, totalmem } from 'node:os';

export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1];

/** Runs `action` `repeats` times; its last result and the median wall time in seconds. */
export async function medianSeconds<T>(action: () => Promise<T> | T, repeats = 3): Promise<[T, number]> {
  const times: number[] = [];
  let result!: T;
  for (let i = 0; i < repeats; i += 1) {
    const started = performance.now();
    result = await action();
    times.push((performance.now() - started) / 1000);
  }
  return [result, median(times)];
}

/**
 * Milliseconds per call of a fast action: one warm-up call, then `windows` windows of `windowMs`,
 * each as many calls as fit; the median window (a busy machine slows some windows, not all).
 */
export function msPerCall(action: () => void, windowMs = 100, windows = 5): number {
  action();
  const perCall: number[] = [];
  for (let w = 0; w < windows; w++) {
    let calls = 0;
    const started = performance.now();
    while (performance.now() - started < windowMs) {
      action();
      calls += 1;
    }
    perCall.push((performance.now() - started) / calls);
  }
  return median(perCall);
}

/** The machine, for the record: Node version, cores, memory and the load before the run. */
export function machineLine(): string {
  return `Node ${process.version}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

/** A ratio as the tables print it (ours / reference). */
export const ratio = (ours: number, reference: number): string => `${(ours / reference).toPrecision(2)}x`;
