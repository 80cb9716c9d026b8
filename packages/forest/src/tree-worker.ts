/**
 * Entry point of a tree-building worker thread (see pool.ts): answers each job posted to it
 * (answerJob in build-trees.ts: a message per tree, typed arrays transferred, then one to say the
 * job is complete).
 */
import { parentPort } from 'node:worker_threads';

import { answerJob, type TreeJob, type WorkerReply } from './build-trees.ts';

const port = parentPort;
if (port === null) throw new Error('tree-worker.ts is the entry point of a worker thread, not a module to import.');

port.on('message', ({ job, indices, next }: { job: TreeJob; indices: number[]; next?: Int32Array }) => {
  answerJob(job, indices, (message: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer), next);
});
