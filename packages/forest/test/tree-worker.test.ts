// @module-tag unit
/**
 * The worker thread's entry point, loaded in this thread with a stand-in parent port (so that what
 * it does runs where the test sees it): each job posted to it is answered on the port, a message
 * per tree with its arrays in the transfer list, then `done`.
 */
import { EventEmitter } from 'node:events';

import { afterEach, describe, expect, test, vi } from 'vitest';

import { buildTrees } from '../src/build-trees.ts';
import { treeJobOf } from './helpers/data.ts';

class FakePort extends EventEmitter {
  readonly posted: { message: unknown; transfer: unknown }[] = [];
  postMessage(message: unknown, transfer?: unknown): void {
    this.posted.push({ message, transfer });
  }
}

const jobOf = (seed: number) => treeJobOf(seed, 60);

async function loadWorkerWith(port: FakePort | null): Promise<unknown> {
  vi.resetModules();
  vi.doMock('node:worker_threads', () => ({ parentPort: port }));
  return import('../src/tree-worker.ts');
}

afterEach(() => {
  vi.doUnmock('node:worker_threads');
  vi.resetModules();
});

describe('tree-worker.ts', () => {
  test('answers each job on its port: the trees, transferred, then done', async () => {
    const port = new FakePort();
    await loadWorkerWith(port);
    const job = jobOf(2);
    port.emit('message', { job, indices: [3, 1] });
    const expected = buildTrees(job, [3, 1]);
    expect(port.posted).toHaveLength(3);
    port.posted.slice(0, 2).forEach(({ message, transfer }, i) => {
      const tree = expected[i];
      expect(message).toEqual({ index: [3, 1][i], tree });
      const sent = (message as { tree: typeof tree }).tree;
      expect(transfer).toEqual([sent.feature.buffer, sent.threshold.buffer, sent.counts.buffer]);
    });
    // `done` carries nothing to transfer (an empty list, not undefined or anything else).
    expect(port.posted[2]).toEqual({ message: { done: true }, transfer: [] });

    // A second job on the same port is answered too.
    port.emit('message', { job: jobOf(3), indices: [0] });
    expect(port.posted.map(({ message }) => Object.keys(message as object))).toEqual([['index', 'tree'], ['index', 'tree'], ['done'], ['index', 'tree'], ['done']]);
  });

  test('a failing job is answered with its reason', async () => {
    const port = new FakePort();
    await loadWorkerWith(port);
    port.emit('message', { job: { ...jobOf(2), labels: undefined }, indices: [0] });
    expect(port.posted).toEqual([{ message: { error: expect.any(String) }, transfer: [] }]);
  });

  test('loaded outside a worker thread, it refuses to run', async () => {
    await expect(loadWorkerWith(null)).rejects.toThrow(/entry point of a worker thread/);
  });
});
