// @module-tag unit
/**
 * The pool of tree worker threads, driven from this thread: what it hands back (the trees the job
 * asks for, reported one by one), how a failing job ends (a rejection saying why, and the pool
 * still usable), and that warming it changes nothing but the time.
 */
import { describe, expect, test } from 'vitest';

import { buildTrees } from '../src/build-trees.ts';
import { treeWorkers } from '../src/pool.ts';
import { RandomForestClassifier, warmTreeWorkers } from '../src/index.ts';
import { blobs, treeJobOf } from './helpers/data.ts';

const jobOf = (seed: number) => treeJobOf(seed, 80, { maxDepth: 8 });

describe('tree worker pool', () => {
  test('a worker builds the trees asked for, reporting each with its index, as this thread would', async () => {
    const job = jobOf(3);
    const seen: [number, unknown][] = [];
    await treeWorkers.build(job, [5, 0, 2], (index, tree) => seen.push([index, tree]));
    expect(seen.map(([index]) => index)).toEqual([5, 0, 2]);
    const expected = buildTrees(job, [5, 0, 2]);
    seen.forEach(([, tree], i) => expect(tree).toEqual(expected[i]));
  });

  test('a job that fails in the worker rejects with the reason, and the pool builds the next job', async () => {
    const broken = { ...jobOf(4), labels: undefined as unknown as Int32Array };
    await expect(treeWorkers.build(broken, [0], () => {})).rejects.toThrow(/^tree worker failed: ./);
    const trees: number[] = [];
    await treeWorkers.build(jobOf(4), [1], (index) => trees.push(index));
    expect(trees).toEqual([1]);
  });

  test('two jobs at once, each on its own worker, each with its own trees', async () => {
    const a: number[] = [];
    const b: number[] = [];
    await Promise.all([treeWorkers.build(jobOf(5), [0, 1], (index) => a.push(index)), treeWorkers.build(jobOf(6), [2], (index) => b.push(index))]);
    expect(a).toEqual([0, 1]);
    expect(b).toEqual([2]);
  });

  test('workers sharing a queue build every tree exactly once between them, the trees this thread builds', async () => {
    const job = jobOf(8);
    const indices = [0, 1, 2, 3, 4, 5, 6, 7];
    const next = new Int32Array(new SharedArrayBuffer(4));
    const got = new Map<number, unknown>();
    const counts = [0, 0];
    await Promise.all(
      counts.map((_, w) =>
        treeWorkers.build(
          job,
          indices,
          (index, tree) => {
            expect(got.has(index)).toBe(false);
            got.set(index, tree);
            counts[w]++;
          },
          next,
        ),
      ),
    );
    expect([...got.keys()].sort((a, b) => a - b)).toEqual(indices);
    expect(counts[0] + counts[1]).toBe(indices.length);
    const expected = buildTrees(job, indices);
    indices.forEach((index) => expect(got.get(index)).toEqual(expected[index]));
  });

  test('warming the workers changes nothing in the model', async () => {
    const { X, y } = blobs(7, 120);
    const params = { nEstimators: 3, seed: 9 };
    const inThread = JSON.stringify(await new RandomForestClassifier(params).fit(X, y, { workers: 0 }));
    warmTreeWorkers();
    // More workers than trees: the extra ones get nothing to do.
    const pooled = JSON.stringify(await new RandomForestClassifier(params).fit(X, y, { workers: 4 }));
    expect(pooled).toBe(inThread);
  });
});
