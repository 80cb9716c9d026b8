import { availableParallelism } from 'node:os';

import { assertKnownKeys, RallyError } from '@rally/errors';

import { CompiledForest, type TreeArrays } from './compiled.ts';
import { DEFAULT_PARAMS, resolveMaxFeatures, validateParams, type RandomForestParams } from './params.ts';
import { buildTrees, type TreeJob } from './build-trees.ts';
import { SortedColumns } from './grower/sorted-columns.ts';
import type { EncodedTree } from './grower/tree-encoder.ts';
import { treeWorkers } from './pool.ts';
import { SharedBufferKeeper } from './shared-buffer.ts';
import { KEPT_HEADROOM } from './grower/typed-arrays.ts';

/** A job as a fit prepares it: the rows themselves, row-major. */
type RowsJob = TreeJob & { data: Float64Array };

/** A dense row-major matrix: value (r, c) is data[r * cols + c]. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

export interface FitOptions {
  /**
   * Worker threads building the trees: 0 builds them in this thread; by default pooled worker
   * threads (one per core, at most 8) are used when the forest is large enough to be worth copying
   * the data to them (and, on the first fit, starting them). The model does not depend on it.
   */
  workers?: number;
  /** Called after each tree is built (progress bars); `built` counts up to `total`. */
  onTree?: (built: number, total: number) => void;
}

/** JSON form of a fitted forest (what toJSON returns and fromJSON reads). */
export interface SerializedForest {
  kind: 'rally.RandomForestClassifier';
  /** 2 for trees grown by rally's own grower and generator; a loaded version 1 model stays 1 (see FORMAT_VERSION). */
  formatVersion: 1 | 2;
  /**
   * maxDepth null means unlimited (JSON has no Infinity); leafPrior is written only when it is not
   * 0, so models without smoothing keep the bytes (and ids) they had before it existed.
   */
  params: Omit<Required<RandomForestParams>, 'maxDepth' | 'leafPrior'> & { maxDepth: number | null; leafPrior?: number };
  classes: string[];
  nFeatures: number;
  /** Per tree, in preorder (see EncodedTree): split features (-1 for a leaf), split thresholds, leaf class counts. */
  trees: { feature: number[]; threshold: number[]; counts: number[] }[];
}

const MODEL_KIND = 'rally.RandomForestClassifier';
/**
 * Format history (the layout of the JSON never changed; what a seed grows did):
 * 1. trees grown by the patched ml-cart 2.1.1, bootstrap draws from sfc32 and feature draws from
 *    xoshiro128** with their own seeds;
 * 2. trees grown by rally's grower (src/grower), each tree's bootstrap and feature draws from stream
 *    i of the project's one generator. The same data, params and seed grow different trees than in
 *    version 1; version 1 models load and predict exactly as before.
 */
const FORMAT_VERSION = 2;
const READABLE_VERSIONS: readonly SerializedForest['formatVersion'][] = [1, 2];

/** What grows rally's forests, for reports (say what built a model, not what it descends from). */
export const FOREST_IMPLEMENTATION = `rally grower (@rally/forest, model format ${FORMAT_VERSION})`;

/**
 * Shared memory for fits in worker threads, kept from fit to fit (up to 256 MiB: about 2 million
 * rows of 12 features), with room for the final fit of a training run after its CV folds.
 */
const sharedBuffers = new SharedBufferKeeper(256 * 2 ** 20, KEPT_HEADROOM);

/** Below this many (trees x rows x features) handing the trees to worker threads costs more than it saves. */
const WORKER_THRESHOLD = 2_000_000;

interface Fitted {
  /** The version it was grown under: a loaded model is saved as it was read (same bytes, same id). */
  formatVersion: SerializedForest['formatVersion'];
  classes: readonly string[];
  nFeatures: number;
  /** The trees, compiled: the only copy kept (toJSON reads them back from it). */
  compiled: CompiledForest;
}

/**
 * Random forest classifier (scikit-learn's RandomForestClassifier semantics): trees grown by
 * rally's grower (ml-cart's CART rules, see grower/tree-grower.ts) on bootstrap samples, with features drawn at each split, and class probabilities
 * averaged over the trees' leaf distributions. Labels are strings; `classes` are their sorted
 * unique values and the column order of predictProba. Same data, params and seed give the same
 * model (byte-identical JSON), whatever the number of workers.
 */
export class RandomForestClassifier {
  readonly params: RandomForestParams;
  #fitted: Fitted | undefined;

  /** Stores the hyperparameters (defaults for the missing ones); they are validated by fit. */
  constructor(params: Partial<RandomForestParams> = {}) {
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new RallyError('ESTIMATOR_BAD_PARAMS', `Hyperparameters must be an object of settings, got ${params === null ? 'null' : Array.isArray(params) ? 'an array' : typeof params}.`);
    }
    const given = Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined));
    this.params = Object.freeze({ ...DEFAULT_PARAMS, ...given }) as RandomForestParams;
  }

  /** Learns the forest, in this thread or in worker threads (see FitOptions). Resolves to this estimator. */
  async fit(X: Matrix, y: readonly string[], options: FitOptions = {}): Promise<this> {
    const { job, classes } = this.#prepare(X, y);
    const total = this.params.nEstimators;
    const workers = resolveWorkers(options.workers, job, total);
    let built = 0;
    const onTree = options.onTree && (() => options.onTree!(++built, total));
    const trees = workers === 0 ? buildTrees(job, range(total), onTree) : await buildInWorkers(job, total, workers, onTree);
    this.#install(classes, job.cols, trees);
    return this;
  }

  /** Sorted unique training labels: the columns of predictProba. */
  get classes(): readonly string[] {
    return this.#model('classes').classes;
  }

  /** Number of features (columns) the forest was fitted on. */
  get nFeatures(): number {
    return this.#model('nFeatures').nFeatures;
  }

  /** Nodes (splits and leaves) of all the trees: the model's size, and what prediction walks through. */
  get nodeCount(): number {
    return this.#model('nodeCount').compiled.nodeCount;
  }

  /** Bytes of the arrays a fitted forest keeps (its compiled trees): its memory, besides a few objects. */
  get byteLength(): number {
    return this.#model('byteLength').compiled.byteLength;
  }

  /** Class probabilities, rows x classes.length, row-major, columns in `classes` order; rows sum to 1. */
  predictProba(X: Matrix): Float64Array {
    const model = this.#model('predictProba');
    checkMatrix(X, model.nFeatures);
    return model.compiled.predictProba(X.data, X.rows, X.cols);
  }

  /** Most probable class of each row (ties go to the first class in `classes` order). */
  predict(X: Matrix): string[] {
    const { classes } = this.#model('predict');
    return mostProbableClass(this.predictProba(X), classes);
  }

  toJSON(): SerializedForest {
    const model = this.#model('toJSON');
    const { maxDepth, leafPrior, ...rest } = this.params as Required<RandomForestParams>;
    return {
      kind: MODEL_KIND,
      formatVersion: model.formatVersion,
      params: { ...rest, maxDepth: maxDepth === Infinity ? null : maxDepth, ...(leafPrior === 0 ? {} : { leafPrior }) },
      classes: [...model.classes],
      nFeatures: model.nFeatures,
      trees: model.compiled.toTrees().map((tree) => ({
        feature: Array.from(tree.feature),
        threshold: Array.from(tree.threshold),
        counts: Array.from(tree.counts),
      })),
    };
  }

  /** Reads toJSON's output (object or JSON text); anything else is a MODEL_FORMAT error. */
  static fromJSON(json: unknown): RandomForestClassifier {
    const fail = (message: string, cause?: unknown): never => {
      throw new RallyError('MODEL_FORMAT', `Not a rally random forest model: ${message}.`, { cause });
    };
    let value = json;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch (error) {
        fail('invalid JSON', error);
      }
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('expected an object');
    const model = value as Record<string, unknown>;
    assertKnownKeys(model, ['kind', 'formatVersion', 'params', 'classes', 'nFeatures', 'trees'], 'The saved forest');
    if (model.kind !== MODEL_KIND) return fail(`kind is ${JSON.stringify(model.kind)}, expected "${MODEL_KIND}"`);
    if (!READABLE_VERSIONS.includes(model.formatVersion as SerializedForest['formatVersion'])) {
      return fail(`format version ${JSON.stringify(model.formatVersion)} is not supported (expected ${READABLE_VERSIONS.join(' or ')})`);
    }
    const params = model.params;
    if (params === null || typeof params !== 'object' || Array.isArray(params)) return fail('params missing');
    const restored: Record<string, unknown> = { ...(params as Record<string, unknown>) };
    if (restored.maxDepth === null) restored.maxDepth = Infinity;
    if (!('leafPrior' in restored)) restored.leafPrior = 0; // written only when not 0
    const nFeatures = model.nFeatures;
    if (!(typeof nFeatures === 'number' && Number.isSafeInteger(nFeatures) && nFeatures >= 1)) return fail('nFeatures must be a positive integer');
    try {
      validateParams(restored, nFeatures);
    } catch (error) {
      fail(`invalid params (${(error as Error).message})`, error);
    }
    const classes = model.classes;
    if (
      !Array.isArray(classes) ||
      classes.length < 2 ||
      !classes.every((c, i) => typeof c === 'string' && (i === 0 || classes[i - 1] < c))
    ) {
      return fail('classes must be at least two sorted, distinct strings');
    }
    const trees = model.trees;
    if (!Array.isArray(trees) || trees.length !== restored.nEstimators) return fail('trees must hold nEstimators trees');
    const arrays: TreeArrays[] = trees.map((tree: unknown, t) => {
      const fields = tree as Record<string, unknown> | null;
      const ok = (key: string) => Array.isArray(fields?.[key]) && (fields![key] as unknown[]).every((v) => typeof v === 'number');
      if (!ok('feature') || !ok('threshold') || !ok('counts')) fail(`tree ${t} must have numeric arrays feature, threshold and counts`);
      assertKnownKeys(fields, ['feature', 'threshold', 'counts'], `Tree ${t} of the saved forest`);
      return fields as unknown as TreeArrays;
    });
    let compiled: CompiledForest;
    try {
      compiled = CompiledForest.compile(arrays, classes.length, nFeatures, (restored.leafPrior as number | undefined) ?? 0);
    } catch (error) {
      return fail((error as Error).message, error);
    }
    const forest = new RandomForestClassifier(restored as Partial<RandomForestParams>);
    forest.#fitted = {
      formatVersion: model.formatVersion as SerializedForest['formatVersion'],
      classes: Object.freeze([...(classes as string[])]),
      nFeatures,
      compiled,
    };
    return forest;
  }

  #model(operation: string): Fitted {
    if (this.#fitted === undefined) {
      throw new RallyError('ESTIMATOR_NOT_FITTED', `RandomForestClassifier.${operation} needs a fitted forest: call fit first.`);
    }
    return this.#fitted;
  }

  /** Validates params and training data; encodes labels (the one place where labels meet indices). */
  #prepare(X: Matrix, y: readonly string[]): { job: RowsJob; classes: string[] } {
    const params = { ...this.params } as Record<string, unknown>;
    validateParams(params);
    checkMatrix(X);
    if (X.rows < 1 || X.cols < 1) {
      throw new RallyError('ESTIMATOR_BAD_INPUT', `Cannot fit on an empty matrix (${X.rows} x ${X.cols}).`);
    }
    validateParams(params, X.cols);
    if (!Array.isArray(y) || y.length !== X.rows) {
      throw new RallyError('ESTIMATOR_BAD_INPUT', `Expected ${X.rows} labels (one per row), got ${Array.isArray(y) ? y.length : typeof y}.`);
    }
    const bad = y.findIndex((label) => typeof label !== 'string');
    if (bad >= 0) {
      throw new RallyError('ESTIMATOR_BAD_INPUT', `Labels must be strings; label ${bad} is ${JSON.stringify(y[bad])}.`, { details: { row: bad } });
    }
    const classes = [...new Set(y)].sort();
    if (classes.length < 2) {
      throw new RallyError('ESTIMATOR_BAD_INPUT', `Need at least two classes to fit a classifier, got ${classes.length} (${classes.join(', ')}).`, {
        details: { classes },
      });
    }
    const index = new Map(classes.map((label, i) => [label, i]));
    const labels = Int32Array.from(y, (label) => index.get(label)!);
    const p = params as unknown as Required<RandomForestParams>;
    const job: RowsJob = {
      data: X.data,
      rows: X.rows,
      cols: X.cols,
      labels,
      classes: classes.length,
      seed: p.seed,
      bootstrap: p.bootstrap,
      maxFeatures: resolveMaxFeatures(p.maxFeatures, X.cols),
      maxDepth: p.maxDepth,
      minSamplesSplit: p.minSamplesSplit,
      minSamplesLeaf: p.minSamplesLeaf,
    };
    return { job, classes };
  }

  #install(classes: string[], nFeatures: number, trees: EncodedTree[]): void {
    const compiled = CompiledForest.compile(trees, classes.length, nFeatures, this.params.leafPrior ?? 0);
    this.#fitted = { formatVersion: FORMAT_VERSION, classes: Object.freeze(classes), nFeatures, compiled };
  }
}

/**
 * Starts the worker threads a large fit would use (one per core, at most 8), without waiting:
 * call it before other work (loading data) to take their start off the first fit's time.
 */
export function warmTreeWorkers(): void {
  const cores = availableParallelism();
  if (cores >= 2) treeWorkers.warm(Math.min(cores, 8));
}

/**
 * The most probable class of each row of `proba` (rows x classes.length, row-major), ties going to
 * the first class: what predict() returns, for callers that already hold the probabilities.
 */
export function mostProbableClass(proba: Float64Array, classes: readonly string[]): string[] {
  const k = classes.length;
  const labels = new Array<string>(proba.length / k);
  for (let r = 0; r < labels.length; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[r * k + c] > proba[r * k + best]) best = c;
    labels[r] = classes[best];
  }
  return labels;
}

/** Throws ESTIMATOR_BAD_INPUT unless X is a well-formed matrix of finite numbers (of `cols` columns if given). */
function checkMatrix(X: Matrix, cols?: number): void {
  if (X === null || typeof X !== 'object' || !(X.data instanceof Float64Array)) {
    throw new RallyError('ESTIMATOR_BAD_INPUT', 'X must be { data: Float64Array, rows, cols }.');
  }
  const { data, rows, cols: width } = X;
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(width) || rows < 0 || width < 0 || data.length !== rows * width) {
    throw new RallyError('ESTIMATOR_BAD_INPUT', `X has ${data.length} values, not rows x cols = ${rows} x ${width}.`);
  }
  if (cols !== undefined && width !== cols) {
    throw new RallyError('ESTIMATOR_BAD_INPUT', `X has ${width} columns; the forest was fitted on ${cols}.`, {
      details: { expected: cols, actual: width },
    });
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const row = Math.floor(i / width);
      const col = i % width;
      throw new RallyError('ESTIMATOR_BAD_INPUT', `X has a non-finite value (${data[i]}) at row ${row}, column ${col}.`, {
        details: { row, col, value: String(data[i]) },
      });
    }
  }
}

function resolveWorkers(workers: number | undefined, job: TreeJob, nEstimators: number): number {
  if (workers === undefined) {
    const cores = availableParallelism();
    return cores >= 2 && nEstimators * job.rows * job.cols >= WORKER_THRESHOLD ? Math.min(cores, nEstimators, 8) : 0;
  }
  if (!Number.isSafeInteger(workers) || workers < 0) {
    throw new RallyError('ESTIMATOR_BAD_PARAMS', `workers must be an integer >= 0, got ${String(workers)}.`);
  }
  return Math.min(workers, nEstimators);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Builds the trees in `workers` threads of the pool, which take them one at a time from one shared
 * queue (a tree's cost varies, and a fixed share per worker left one idle at the end of every fit
 * while the other finished); assembled in tree order.
 */
async function buildInWorkers(job: RowsJob, nEstimators: number, workers: number, onTree?: () => void): Promise<EncodedTree[]> {
  const trees = new Array<EncodedTree>(nEstimators);
  // Sorted once, here, into one shared buffer (the sorted rows, then the labels; the kept one when
  // large enough, see SharedBufferKeeper): the workers read that one copy (posting it copies
  // nothing), instead of each receiving the rows and sorting them again.
  const setBytes = SortedColumns.byteLength(job.rows, job.cols);
  const buffer = sharedBuffers.take(setBytes + job.labels.byteLength);
  const data = new SortedColumns(job.data, job.rows, job.cols, buffer).share();
  const labels = new Int32Array(buffer, setBytes, job.rows);
  labels.set(job.labels);
  const shared = { ...job, data, labels };
  const indices = range(nEstimators);
  const next = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  await Promise.all(
    range(workers).map(() =>
      treeWorkers.build(
        shared,
        indices,
        (index, tree) => {
          trees[index] = tree;
          onTree?.();
        },
        next,
      ),
    ),
  );
  // Every worker is done with it (on a failure, Promise.all rejected above and some may not be).
  sharedBuffers.giveBack(buffer);
  return trees;
}
