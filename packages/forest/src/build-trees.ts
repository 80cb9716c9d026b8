import { Random } from '@rally/features/random';

import { type SharedSortedColumns, SortedColumns } from './grower/sorted-columns.ts';
import { TreeEncoder, type EncodedTree } from './grower/tree-encoder.ts';
import { growTree } from './grower/tree-grower.ts';
import { keptInt32Array } from './grower/typed-arrays.ts';

/** What a tree worker posts back: a built tree, the end of its job, or why the job failed. */
export type WorkerReply = { index: number; tree: EncodedTree } | { done: true } | { error: string };

/** Everything a tree needs: tree i depends only on this and i (not on other trees). */
export interface TreeJob {
  /**
   * Training rows, row-major, rows x cols, finite; or, for worker threads, the rows already sorted
   * once in shared memory (every worker reads that one copy).
   */
  data: Float64Array | SharedSortedColumns;
  rows: number;
  cols: number;
  /** Encoded labels in [0, classes). */
  labels: Int32Array;
  /** Number of classes (k). */
  classes: number;
  seed: number;
  bootstrap: boolean;
  /** Features drawn at each split (a count, 1..cols). */
  maxFeatures: number;
  /** Infinity for unlimited. */
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
}

/**
 * Builds the trees `indices` of a job, in order; `onTree` hears of each as soon as it is built.
 * The rows are copied into columns and sorted once for all of them (unless they come so).
 *
 * With `next` (an Int32Array over shared memory, its element 0 the next position in `indices` to
 * build), threads that share it take the trees one at a time, whichever is free first, so that no
 * thread idles while another still has a queue of trees; each builds only what it takes. Tree i
 * depends only on the job and i, so who builds it changes nothing.
 */
export function buildTrees(job: TreeJob, indices: readonly number[], onTree?: (index: number, tree: EncodedTree) => void, next?: Int32Array): EncodedTree[] {
  const set = new SortedColumns(job.data, job.rows, job.cols);
  const built: EncodedTree[] = [];
  let position = 0;
  const take = next === undefined ? () => position++ : () => Atomics.add(next, 0, 1);
  for (let at = take(); at < indices.length; at = take()) {
    const tree = buildTree(job, set, indices[at]);
    built.push(tree);
    onTree?.(indices[at], tree);
  }
  return built;
}

/**
 * A tree worker's answer to one job (tree-worker.ts is only its thread's entry point, so this runs
 * and is tested in any thread): one reply per tree as it is built, its arrays to be transferred,
 * then `done`; or the error's message, since an Error does not cross threads whole. `next` as in
 * buildTrees.
 */
export function answerJob(job: TreeJob, indices: readonly number[], reply: (message: WorkerReply, transfer?: ArrayBuffer[]) => void, next?: Int32Array): void {
  try {
    buildTrees(job, indices, (index, tree) => reply({ index, tree }, [tree.feature.buffer, tree.threshold.buffer, tree.counts.buffer] as ArrayBuffer[]), next);
    reply({ done: true });
  } catch (error) {
    reply({ error: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * Tree `index`: its bootstrap sample (as per-row counts), then its feature draws, come from stream
 * `index` of the seed, so any number of workers builds the same trees.
 */
function buildTree(job: TreeJob, set: SortedColumns, index: number): EncodedTree {
  const random = new Random(job.seed, index);
  const counts = job.bootstrap ? bootstrapCounts(job.rows, random) : keptInt32Array('counts', job.rows).fill(1);
  const encoder = new TreeEncoder(job.classes);
  growTree(
    set,
    job.labels,
    counts,
    {
      nClasses: job.classes,
      maxFeatures: job.maxFeatures,
      random,
      minSamplesLeaf: job.minSamplesLeaf,
      // A node with fewer than minSamplesSplit rows is a leaf.
      minNumSamples: job.minSamplesSplit - 1,
      maxDepth: job.maxDepth,
      // Split whenever the Gini gain is positive.
      gainThreshold: 0,
    },
    encoder,
  );
  return encoder.finish();
}

/** A bootstrap sample of `rows` rows drawn with replacement, as the number of times each row was drawn. */
function bootstrapCounts(rows: number, random: Random): Int32Array {
  const counts = keptInt32Array('counts', rows).fill(0);
  for (let i = 0; i < rows; i++) counts[random.below(rows)]++;
  return counts;
}
