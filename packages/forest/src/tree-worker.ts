/**
 * Entry point of a tree-building worker thread (see pool.ts): builds the trees of each job posted
 * to it, posting one message per tree (progress for the caller; typed arrays transferred), then
 * one to say the job is complete.
 */
import { parentPort } from 'node:worker_threads';

import { buildTrees, type TreeJob } from './build-trees.ts';
import type { WorkerReply } from './pool.ts';

const port = parentPort;
if (port === null) throw new Error('tree-worker.ts is the entry point of a worker thread, not a module to import.');

port.on('message', ({ job, indices }: { job: TreeJob; indices: number[] }) => {
  const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  try {
    buildTrees(job, indices, (index, tree) => reply({ index, tree }, [tree.feature.buffer, tree.threshold.buffer, tree.counts.buffer] as ArrayBuffer[]));
    reply({ done: true });
  } catch (error) {
    reply({ error: error instanceof Error ? error.message : String(error) });
  }
});
