import { Worker } from 'node:worker_threads';

import type { TreeJob, WorkerReply } from './build-trees.ts';
import type { EncodedTree } from './grower/tree-encoder.ts';

/**
 * Starts a tree worker: tree-worker.js when built (dist/), tree-worker.ts from the sources (tests,
 * `pnpm dev`, bench), which Node runs itself by stripping the types. From the sources the worker gets
 * the `@rally/source` condition, so that its imports of other packages are their sources too, not
 * dist/. (Only that condition as execArgv: the parent's own flags, such as a test runner's, would
 * only slow its start.)
 */
function startWorker(): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSources ? './tree-worker.ts' : './tree-worker.js', import.meta.url);
  return new Worker(entry, { execArgv: fromSources ? ['--conditions=@rally/source'] : [] });
}

/**
 * Tree-building worker threads kept between fits: starting a thread costs more than building a
 * few trees, and a training run fits six forests (five CV folds, then the final fit). Idle workers
 * are unref'd so they never keep the process alive.
 */
class TreeWorkerPool {
  readonly #idle: Worker[] = [];

  /**
   * Starts idle workers until `count` are idle, so that their start (compiling the grower) overlaps
   * with the caller's own work, such as loading the data, instead of delaying the first fit.
   */
  warm(count: number): void {
    while (this.#idle.length < count) {
      const worker = this.#start();
      worker.unref();
      this.#idle.push(worker);
    }
  }

  #start(): Worker {
    const created = startWorker();
    // A worker that fails or dies while idle (a warmed one that cannot start) must not be handed
    // out again, nor crash the process: a build starts a fresh one and reports its failure.
    const forget = () => {
      const at = this.#idle.indexOf(created);
      if (at >= 0) this.#idle.splice(at, 1);
    };
    created.on('exit', forget);
    created.on('error', forget);
    return created;
  }

  #acquire(): Worker {
    const worker = this.#idle.pop() ?? this.#start();
    worker.ref();
    return worker;
  }

  /**
   * Builds the trees `indices` on one worker (with `next`, those it takes from a queue it shares
   * with other workers: see buildTrees); `onTree` hears of each as it arrives.
   */
  build(job: TreeJob, indices: number[], onTree: (index: number, tree: EncodedTree) => void, next?: Int32Array): Promise<void> {
    const worker = this.#acquire();
    return new Promise<void>((resolve, reject) => {
      const detach = () => {
        worker.off('message', onMessage);
        worker.off('error', onFailure);
        worker.off('exit', onExit);
      };
      const onFailure = (error: Error) => {
        detach();
        void worker.terminate();
        reject(error);
      };
      const onExit = (code: number) => onFailure(new Error(`tree worker exited (code ${code}) before its trees were built`));
      const onMessage = (reply: WorkerReply) => {
        if ('done' in reply) {
          detach();
          worker.unref();
          this.#idle.push(worker);
          resolve();
        } else if ('error' in reply) onFailure(new Error(`tree worker failed: ${reply.error}`));
        else onTree(reply.index, reply.tree);
      };
      worker.on('message', onMessage);
      worker.on('error', onFailure);
      worker.on('exit', onExit);
      worker.postMessage({ job, indices, next });
    });
  }
}

export const treeWorkers = new TreeWorkerPool();
