// @module-tag unit
/**
 * A tree worker's side of a fit, run in this thread: the worker thread only relays answerJob's
 * replies (tree-worker.ts), so what it answers is tested here, where a mutation test sees it too.
 */
import { describe, expect, test } from 'vitest';

import { answerJob, buildTrees, type TreeJob, type WorkerReply } from '../src/build-trees.ts';
import { SortedColumns } from '../src/grower/sorted-columns.ts';
import { treeJobOf } from './helpers/data.ts';

const jobOf = (seed = 5) => treeJobOf(seed, 90, { maxFeatures: 1 });

function answers(job: TreeJob, indices: number[]): { message: WorkerReply; transfer?: ArrayBuffer[] }[] {
  const replies: { message: WorkerReply; transfer?: ArrayBuffer[] }[] = [];
  answerJob(job, indices, (message, transfer) => replies.push({ message, transfer }));
  return replies;
}

describe('a tree worker’s answers to a job', () => {
  test('one reply per tree, in the order asked, the very trees buildTrees builds, then done', () => {
    const job = jobOf();
    const indices = [4, 1, 7];
    const replies = answers(job, indices);
    expect(replies).toHaveLength(indices.length + 1);
    expect(replies.at(-1)?.message).toEqual({ done: true });
    const expected = buildTrees(job, indices);
    replies.slice(0, -1).forEach(({ message }, i) => {
      expect(message).toEqual({ index: indices[i], tree: expected[i] });
    });
  });

  test('threads sharing a queue (next) take the trees from where it stands, each tree once, and stop at its end', () => {
    const job = jobOf(7);
    const indices = [6, 2, 9, 4];
    const expected = buildTrees(job, indices);
    const next = new Int32Array(new SharedArrayBuffer(4));
    const first: number[] = [];
    // A thread that took two trees (by hand here), then this one takes the rest.
    expect(Atomics.add(next, 0, 2)).toBe(0);
    const built = buildTrees(job, indices, (index) => first.push(index), next);
    expect(first).toEqual([9, 4]);
    expect(built).toEqual(expected.slice(2));
    expect(next[0]).toBeGreaterThanOrEqual(indices.length);
    // An empty queue: nothing built, and the answer is done at once.
    const replies: WorkerReply[] = [];
    answerJob(job, indices, (message) => replies.push(message), next);
    expect(replies).toEqual([{ done: true }]);
  });

  test('a job whose rows come sorted in shared memory (as the pool posts them) builds the very same trees', () => {
    const job = jobOf(6);
    const rows = job.data as Float64Array;
    const sorted = new SortedColumns(rows, job.rows, job.cols, new SharedArrayBuffer(SortedColumns.byteLength(job.rows, job.cols))).share();
    const indices = [0, 3, 5];
    expect(buildTrees({ ...job, data: sorted }, indices)).toEqual(buildTrees(job, indices));
  });

  test('each tree’s three arrays are handed over (transferred), not copied', () => {
    const replies = answers(jobOf(), [0, 2]);
    for (const { message, transfer } of replies.slice(0, -1)) {
      if (!('tree' in message)) throw new Error('expected a tree');
      expect(transfer).toEqual([message.tree.feature.buffer, message.tree.threshold.buffer, message.tree.counts.buffer]);
      expect(new Set(transfer).size).toBe(3);
    }
    expect(replies.at(-1)?.transfer ?? []).toEqual([]);
  });

  test('a job that fails is one reply with the reason as text (an Error does not cross threads), and no done', () => {
    const broken = { ...jobOf(), labels: undefined as unknown as Int32Array };
    const replies = answers(broken, [0, 1]);
    expect(replies).toHaveLength(1);
    const [{ message }] = replies;
    expect(message).toEqual({ error: expect.any(String) });
    expect((message as { error: string }).error.length).toBeGreaterThan(0);

    const throwsText = Object.defineProperty(jobOf(), 'rows', {
      get() {
        throw 'no rows today'; // not an Error: said as it is
      },
    });
    expect(answers(throwsText, [0]).map((reply) => reply.message)).toEqual([{ error: 'no rows today' }]);
  });

  test('no trees asked: only done', () => {
    expect(answers(jobOf(), []).map((reply) => reply.message)).toEqual([{ done: true }]);
  });
});
