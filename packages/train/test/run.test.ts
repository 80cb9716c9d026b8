// @module-tag integration
/**
 * trainRun end to end on a small slice with tiny forests, in this thread (workers: 0): the report
 * it writes, checked against what its own pipeline predicts, and the progress it tells on the way.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectRows, selectValues } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { FOREST_IMPLEMENTATION, type RandomForestParams } from '@rally/forest';
import { modelIdOf, Pipeline } from '@rally/model';
import { groundTruthSlice } from '@rally/testkit';
import {
  accuracy,
  classPriorLogLoss,
  crossValidate,
  logLoss,
  mean,
  NEAR_ZERO,
  nearZeroRows,
  populationStd,
  type ProgressEvent,
  SPLIT,
  stratifiedKFold,
  stratifiedSplit,
  TRAIN_DEFAULTS,
  trainRun,
  type TuneSpace,
} from '../src/index.ts';

const data = groundTruthSlice(600);
const TINY = { nEstimators: 3, maxDepth: 4 };

/** The slice's training and test parts, as trainRun splits them. */
function parts() {
  const batch = loadDataset(data).batch;
  const labels = Array.from(batch.columns.outcome as Iterable<string>);
  const { train, test } = stratifiedSplit(labels, SPLIT.testSize, SPLIT.seed);
  return { trainBatch: selectRows(batch, train), testBatch: selectRows(batch, test), trainLabels: selectValues(labels, train), testLabels: selectValues(labels, test) };
}

/** Runs trainRun, collecting its progress events and timing it from outside. */
async function run(options: Omit<Parameters<typeof trainRun>[0], 'onProgress'>) {
  const events: ProgressEvent[] = [];
  const startedAt = Date.now();
  const started = performance.now();
  const result = await trainRun({ ...options, onProgress: (event) => events.push(event) });
  return { ...result, events, seconds: (performance.now() - started) / 1000, startedAt, endedAt: Date.now() };
}

describe('trainRun', () => {
  it("reports test figures that are its own pipeline's on the test part, and the CV figures of its folds", async () => {
    const { report, pipeline, model, modelId, dataset } = await run({ dataPath: data, params: TINY, workers: 0 });
    const { trainBatch, testBatch, trainLabels, testLabels } = parts();
    const proba = pipeline.predictProba(testBatch);
    expect(report.test_log_loss).toBeCloseTo(logLoss(testLabels, proba, pipeline.classes), 12);
    expect(report.accuracy).toBe(accuracy(testLabels, pipeline.predict(testBatch)));
    expect(report.class_prior_log_loss).toBe(classPriorLogLoss(trainLabels, testLabels));
    expect(report.cv_log_losses).toEqual(await crossValidate(trainBatch, trainLabels, { ...TRAIN_DEFAULTS, ...TINY }, { workers: 0 }));
    expect(report.cv_mean_log_loss).toBe(mean(report.cv_log_losses));
    expect(report.cv_std_log_loss).toBe(populationStd(report.cv_log_losses));
    expect(report.test_near_zero).toMatchObject({ threshold: NEAR_ZERO });
    // The model is the pipeline's JSON, named by its hash.
    expect(JSON.parse(model.toString())).toEqual(pipeline.toJSON());
    expect(modelId).toBe(modelIdOf(model));
    expect(report.model_id).toBe(modelId);
    // The file and the sha256 it was read with: the run's copy is made from it, and checked.
    expect(dataset).toEqual({ path: data, sha256: createHash('sha256').update(readFileSync(data)).digest('hex') });
  });

  it('describes the model, the data and the split it was trained on', async () => {
    const { report, pipeline, startedAt, endedAt } = await run({ dataPath: data, params: TINY, workers: 0 });
    expect(report.classes).toEqual(['FE', 'UE', 'W']);
    expect(report.features).toEqual(pipeline.featureNames());
    expect(report.features.length).toBeGreaterThan(0);
    expect(report.estimator).toEqual({ type: 'RandomForestClassifier', library: FOREST_IMPLEMENTATION, params: pipeline.estimator.params });
    expect(report.estimator.params).toMatchObject({ ...TRAIN_DEFAULTS, ...TINY });
    expect(report.grid).toBeNull();
    expect(report.tuning).toBeNull();
    expect(report.dataset).toEqual({ file: basename(data), sha256: createHash('sha256').update(readFileSync(data)).digest('hex'), rows: 600 });
    expect(report.split).toEqual({ seed: 42, test_size: 0.2, folds: 5, train_rows: 480, test_rows: 120 });
    const created = Date.parse(report.created_at);
    expect(created).toBeGreaterThanOrEqual(startedAt);
    expect(created).toBeLessThanOrEqual(endedAt);
  });

  it('times the cross-validation and the final fit within the whole run, in seconds', async () => {
    const { report, seconds } = await run({ dataPath: data, params: TINY, workers: 0 });
    const { cv_seconds, fit_seconds, total_seconds } = report.durations;
    expect(cv_seconds).toBeGreaterThan(0);
    expect(fit_seconds).toBeGreaterThan(0);
    expect(cv_seconds + fit_seconds).toBeLessThanOrEqual(total_seconds);
    expect(total_seconds).toBeLessThanOrEqual(seconds);
  });

  it('tells its progress: validated rows, each CV tree and fold, the final fit and its trees, then the model id', async () => {
    const { events, report, modelId } = await run({ dataPath: data, params: TINY, workers: 0 });
    const trees = (stage: string) => [1, 2, 3].map((built) => ({ phase: 'tree', built, total: 3, stage }));
    expect(events).toEqual([
      { phase: 'validated', rows: 600 },
      ...[1, 2, 3, 4, 5].flatMap((fold) => [
        ...trees(`CV max_depth=4 fold ${fold}/5`),
        { phase: 'fold', fold, folds: 5, maxDepth: 4, logLoss: report.cv_log_losses[fold - 1] },
      ]),
      { phase: 'fitting' },
      ...trees('final fit'),
      { phase: 'done', modelId },
    ]);
  });

  it.each([
    // Without a leaf prior, deeper trees give more rows probability 0 on this slice: depth 10 scores better.
    { prior: 0, better: 10, worse: 20 },
    // With a strong prior no row gets 0, and the deeper trees' finer leaves pay: depth 20 scores better.
    { prior: 0.5, better: 20, worse: 10 },
  ])('with the depth grid, cross-validates each depth and fits the one of lowest CV log loss (leaf prior $prior: depth $better)', async ({ prior, better, worse }) => {
    const { report, events } = await run({ dataPath: data, params: { nEstimators: 3, minSamplesLeaf: 1, leafPrior: prior }, grid: true, workers: 0 });
    const folds = events.filter((event) => event.phase === 'fold');
    const lossesAt = (depth: number) => folds.filter((event) => event.maxDepth === depth).map((event) => event.logLoss);
    expect(folds.map((event) => event.maxDepth)).toEqual([10, 10, 10, 10, 10, 20, 20, 20, 20, 20]);
    expect(report.grid).toEqual([
      { max_depth: 10, cv_mean_log_loss: mean(lossesAt(10)), cv_std_log_loss: populationStd(lossesAt(10)) },
      { max_depth: 20, cv_mean_log_loss: mean(lossesAt(20)), cv_std_log_loss: populationStd(lossesAt(20)) },
    ]);
    expect(mean(lossesAt(better))).toBeLessThan(mean(lossesAt(worse)));
    expect(report.estimator.params.maxDepth).toBe(better);
    expect(report.cv_log_losses).toEqual(lossesAt(better));
    const stages = new Set(events.flatMap((event) => (event.phase === 'tree' ? [event.stage] : [])));
    expect(stages).toEqual(new Set([...[10, 20].flatMap((depth) => [1, 2, 3, 4, 5].map((fold) => `CV max_depth=${depth} fold ${fold}/5`)), 'final fit']));
  });

  it('with the depth grid, keeps the shallower depth when both score the same', async () => {
    // With the default leaf size and prior, these three trees stop growing before depth 10.
    const { report } = await run({ dataPath: data, params: { nEstimators: 3 }, grid: true, workers: 0 });
    expect(report.grid![0].cv_mean_log_loss).toBe(report.grid![1].cv_mean_log_loss);
    expect(report.estimator.params.maxDepth).toBe(10);
  });

  it('with tune, tells each candidate and fits the winner with the other hyperparameters given', async () => {
    const space: TuneSpace = { nEstimators: [3], maxDepth: [4], maxFeatures: ['sqrt'], minSamplesLeaf: [1], leafPrior: [0] };
    const { report, events } = await run({ dataPath: data, params: { seed: 7 }, tune: { space, candidates: 1, seed: 1 }, workers: 0 });
    const tuning = report.tuning!;
    expect(tuning.candidates).toBe(2);
    const candidates = events.filter((event) => event.phase === 'candidate');
    expect(candidates.map(({ index, total }) => [index, total])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    for (const { row } of candidates) expect(tuning.rows).toContainEqual({ ...row, rank: expect.any(Number) });
    const winner = tuning.rows[tuning.winner_rank - 1];
    expect(pickSearched(report.estimator.params)).toEqual(winner.params);
    expect(report.estimator.params.seed).toBe(7);
    expect(report.cv_log_losses).toEqual(winner.cv_log_losses);
    expect(report.grid).toBeNull();
    expect(events.at(-1)).toEqual({ phase: 'done', modelId: report.model_id });
  });

  it('refuses the depth grid and tune together', async () => {
    await expect(trainRun({ dataPath: data, grid: true, tune: { candidates: 1 }, workers: 0 })).rejects.toThrow('trainRun: grid and tune are two different searches; ask for one.');
  });
});

const pickSearched = ({ nEstimators, maxDepth, maxFeatures, minSamplesLeaf, leafPrior }: Partial<RandomForestParams>) => ({ nEstimators, maxDepth, maxFeatures, minSamplesLeaf, leafPrior });

describe('crossValidate', () => {
  it('tells each fold (0-based) its trees, its fitted pipeline with the fit time, and its loss', async () => {
    const { trainBatch, trainLabels } = parts();
    const trees: [number, number, number][] = [];
    const fits: [number, number][] = [];
    const folds: [number, number][] = [];
    const started = performance.now();
    const losses = await crossValidate(trainBatch, trainLabels, TINY, {
      workers: 0,
      onTree: (fold, built, total) => trees.push([fold, built, total]),
      onFit: (pipeline, seconds) => fits.push([pipeline.estimator.params.nEstimators!, seconds]),
      onFold: (fold, loss) => folds.push([fold, loss]),
    });
    const seconds = (performance.now() - started) / 1000;
    expect(trees).toEqual([0, 1, 2, 3, 4].flatMap((fold) => [1, 2, 3].map((built) => [fold, built, 3])));
    expect(folds).toEqual(losses.map((loss, fold) => [fold, loss]));
    expect(fits.map(([nEstimators]) => nEstimators)).toEqual([3, 3, 3, 3, 3]);
    for (const [, fit] of fits) expect(fit).toBeGreaterThan(0);
    expect(fits.reduce((sum, [, fit]) => sum + fit, 0)).toBeLessThanOrEqual(seconds);
  });
});

describe('crossValidate scores a fold while the next one is built', () => {
  const eventsOf = async (workers: number) => {
    const { trainBatch, trainLabels } = parts();
    const events: string[] = [];
    const losses = await crossValidate(trainBatch, trainLabels, TINY, {
      workers,
      onTree: (fold, built) => events.push(`tree ${fold} ${built}`),
      onFit: () => events.push(`fit ${events.filter((e) => e.startsWith('fit')).length}`),
      onFold: (fold) => events.push(`fold ${fold}`),
    });
    return { events, losses };
  };

  it.each([0, 2])('with %i worker threads: each fold’s trees, then its fit, then its loss, before the next fold’s', async (workers) => {
    const { events, losses } = await eventsOf(workers);
    const expected = [0, 1, 2, 3, 4].flatMap((fold) => [...[1, 2, 3].map((built) => `tree ${fold} ${built}`), `fit ${fold}`, `fold ${fold}`]);
    // Trees come back from workers in the order they are done: compare each fold's trees as a set.
    const foldOf = (event: string) => Number(event.split(' ')[1]);
    expect(events.map(foldOf)).toEqual(expected.map(foldOf));
    for (let at = 0; at < events.length; at += 5) expect(events.slice(at, at + 5).sort()).toEqual(expected.slice(at, at + 5).sort());
    expect(events.filter((e) => !e.startsWith('tree'))).toEqual(expected.filter((e) => !e.startsWith('tree')));
    expect(losses).toEqual((await eventsOf(0)).losses);
  });

  it.each([0, 2])('with %i worker threads: the next fold’s fit has started when a fold is scored', async (workers) => {
    const { trainBatch, trainLabels } = parts();
    const events: string[] = [];
    const original = Pipeline.prototype.fit;
    Pipeline.prototype.fit = function (this: Pipeline, ...args: Parameters<Pipeline['fit']>) {
      events.push('fit');
      return original.apply(this, args);
    };
    try {
      await crossValidate(trainBatch, trainLabels, TINY, { workers, onFold: (fold) => events.push(`fold ${fold}`) });
    } finally {
      Pipeline.prototype.fit = original;
    }
    expect(events).toEqual(['fit', 'fit', 'fold 0', 'fit', 'fold 1', 'fit', 'fold 2', 'fit', 'fold 3', 'fold 4']);
  });

  it('a fit’s time does not count the previous fold’s scoring, which a fit in this thread does inside it', async () => {
    const { trainBatch, trainLabels } = parts();
    const fits: number[] = [];
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    await crossValidate(trainBatch, trainLabels, TINY, { workers: 0, onFit: (_, seconds) => fits.push(seconds), onFold: () => busy(300) });
    expect(fits).toHaveLength(5);
    // Folds 1 to 4 each score the fold before inside their fit (300 ms of it here).
    for (const seconds of fits) expect(seconds).toBeLessThan(0.25);
  });

  it.each([0, 2])('with %i worker threads: a fold whose scoring fails rejects with that error, after the running fit', async (workers) => {
    const { trainBatch, trainLabels } = parts();
    const trees: number[] = [];
    const failing = crossValidate(trainBatch, trainLabels, TINY, {
      workers,
      onTree: (fold) => trees.push(fold),
      onFold: (fold) => {
        if (fold === 1) throw new Error('scoring fold 1 failed');
      },
    });
    await expect(failing).rejects.toThrow('scoring fold 1 failed');
    // Fold 2 was being built when fold 1 was scored; nothing after it started.
    expect(Math.max(...trees)).toBe(2);
  });
});

describe('crossValidate reads only the columns its features read', () => {
  it('gives each fold the loss of a pipeline fitted by hand on that fold with every column of the extraction', async () => {
    const { trainBatch, trainLabels } = parts();
    const byHand: number[] = [];
    for (const { train, test } of stratifiedKFold(trainLabels, SPLIT.folds, SPLIT.seed)) {
      const pipeline = await Pipeline.create(TINY).fit(selectRows(trainBatch, train), selectValues(trainLabels, train), { workers: 0 });
      byHand.push(logLoss(selectValues(trainLabels, test), pipeline.predictProba(selectRows(trainBatch, test)), pipeline.classes));
    }
    expect(await crossValidate(trainBatch, trainLabels, TINY, { workers: 0 })).toEqual(byHand);
  });

  it('a batch without a column a feature reads fails as fitting on it would, naming the column', async () => {
    const { trainBatch, trainLabels } = parts();
    const { hitpoint: _dropped, ...columns } = trainBatch.columns;
    const without = { rows: trainBatch.rows, columns };
    const message = 'Input rows have no column "hitpoint".';
    await expect(Pipeline.create(TINY).fit(without, trainLabels, { workers: 0 })).rejects.toThrow(message);
    await expect(crossValidate(without, trainLabels, TINY, { workers: 0 })).rejects.toThrow(message);
  });
});

describe('nearZeroRows', () => {
  const atThreshold = -Math.log(NEAR_ZERO);
  it('counts the rows whose loss says p(true class) < 1e-6, and their share of the summed loss', () => {
    expect(nearZeroRows(Float64Array.from([20, 0.5, 30, 1.5]))).toEqual({ threshold: 1e-6, rows: 2, log_loss_share: 50 / 52 });
  });
  it('does not count a row given exactly 1e-6', () => {
    expect(nearZeroRows(Float64Array.from([atThreshold, 1])).rows).toBe(0);
    expect(nearZeroRows(Float64Array.from([atThreshold * 1.0001, 1])).rows).toBe(1);
  });
  it('gives a zero share, not NaN, when there is no loss at all', () => {
    expect(nearZeroRows(new Float64Array(0))).toEqual({ threshold: 1e-6, rows: 0, log_loss_share: 0 });
    expect(nearZeroRows(Float64Array.from([0, 0]))).toEqual({ threshold: 1e-6, rows: 0, log_loss_share: 0 });
  });
});
