// @module-tag integration
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectRows, selectValues } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { groundTruthSlice, tempDir } from '@rally/testkit';
import {
  crossValidate,
  drawCandidates,
  mean,
  ORIGINAL_SETTINGS,
  SPLIT,
  standardError,
  stratifiedSplit,
  trainRun,
  tune,
  TUNE_SPACE,
  type TuneResult,
  type TuneSpace,
} from '../src/index.ts';

/** A space small enough to search in seconds on a slice, with settings that really differ. */
const SMALL_SPACE: TuneSpace = {
  nEstimators: [4, 8],
  maxDepth: [3, 8],
  maxFeatures: ['sqrt', 0.75],
  minSamplesLeaf: [1, 6],
  leafPrior: [0, 0.5],
};

/** What must not change between two searches on the same rows: all but the wall times. */
const deterministic = (result: TuneResult) => ({ ...result, rows: result.rows.map(({ fit_seconds: _, ...row }) => row) });

const key = (setting: object) => JSON.stringify(setting);

describe('drawCandidates', () => {
  it("puts the original's settings first, then distinct settings of the space, the same for a seed", () => {
    const drawn = drawCandidates(TUNE_SPACE, 20, 42);
    expect(drawn[0]).toEqual(ORIGINAL_SETTINGS);
    expect(drawn).toHaveLength(21);
    expect(new Set(drawn.map(key)).size).toBe(21);
    for (const setting of drawn) {
      for (const [name, values] of Object.entries(TUNE_SPACE)) expect(values).toContain(setting[name as keyof typeof setting]);
    }
    expect(drawCandidates(TUNE_SPACE, 20, 42)).toEqual(drawn);
    expect(drawCandidates(TUNE_SPACE, 20, 7).map(key)).not.toEqual(drawn.map(key));
  });

  it('draws the whole space, once each, when asked for more settings than it has', () => {
    const drawn = drawCandidates(SMALL_SPACE, 1000, 1);
    expect(drawn).toHaveLength(32 + 1); // the original's settings are not in this space
    expect(new Set(drawn.map(key)).size).toBe(33);
  });
});

describe('tune', () => {
  const { batch } = loadDataset(groundTruthSlice(600));
  const labels = Array.from(batch.columns.outcome as Iterable<string>);
  const { train } = stratifiedSplit(labels, SPLIT.testSize, SPLIT.seed);
  const trainBatch = selectRows(batch, train);
  const trainLabels = selectValues(labels, train);
  const options = { space: SMALL_SPACE, candidates: 6, seed: 3, workers: 0, base: { seed: 42 } };

  it('ranks the settings by CV log loss and picks the smallest within one standard error of the best', async () => {
    const result = await tune(trainBatch, trainLabels, options);
    expect(result.candidates).toBe(7);
    expect(result.rows.map((row) => row.rank)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const means = result.rows.map((row) => row.cv_mean_log_loss);
    expect(means).toEqual([...means].sort((a, b) => a - b));
    expect(means[6]).toBeGreaterThan(means[0]); // the settings do differ
    expect(result.tolerance).toBeCloseTo(standardError(result.rows[0].cv_log_losses), 15);
    const tied = result.rows.filter((row) => row.cv_mean_log_loss <= means[0] + result.tolerance);
    const winner = result.rows[result.winner_rank - 1];
    expect(tied).toContain(winner);
    for (const row of tied) expect(winner.mean_nodes).toBeLessThanOrEqual(row.mean_nodes);
    for (const row of result.rows) {
      expect(row.cv_log_losses).toHaveLength(SPLIT.folds);
      expect(row.cv_mean_log_loss).toBeCloseTo(mean(row.cv_log_losses), 12);
      expect(row.mean_nodes).toBeGreaterThanOrEqual(row.params.nEstimators);
      expect(row.fit_seconds).toBeGreaterThan(0);
    }
  });

  it("scores a setting exactly as cross-validating it alone does, and is reproducible for a seed", async () => {
    const result = await tune(trainBatch, trainLabels, options);
    const winner = result.rows[result.winner_rank - 1];
    expect(await crossValidate(trainBatch, trainLabels, { seed: 42, ...winner.params }, { workers: 0 })).toEqual(winner.cv_log_losses);
    expect(deterministic(await tune(trainBatch, trainLabels, { ...options, workers: 2 }))).toEqual(deterministic(result));
    const other = await tune(trainBatch, trainLabels, { ...options, seed: 4 });
    expect(other.rows.map((row) => key(row.params)).sort()).not.toEqual(result.rows.map((row) => key(row.params)).sort());
  });

  it('refuses a number of settings that is not a positive integer', async () => {
    await expect(tune(trainBatch, trainLabels, { ...options, candidates: 0 })).rejects.toThrow(/integer >= 1, got 0/);
  });
});

describe('trainRun with tune', () => {
  /**
   * The same file with the test part's rows scrambled: each test row takes the measurements of the
   * next test row, keeping its own id and outcome. The labels, hence the split, are unchanged.
   */
  function scrambleTestRows(path: string): string {
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    const header = lines[0].split(',');
    const keep = new Set([header.indexOf('id'), header.indexOf('outcome')]);
    const rows = lines.slice(1).map((line) => line.split(','));
    const { test } = stratifiedSplit(rows.map((row) => row[header.indexOf('outcome')]), SPLIT.testSize, SPLIT.seed);
    const scrambled = rows.map((row) => [...row]);
    test.forEach((r, i) => {
      const donor = rows[test[(i + 1) % test.length]];
      scrambled[r] = donor.map((value, j) => (keep.has(j) ? rows[r][j] : value));
    });
    const out = join(tempDir('scrambled'), 'scrambled.csv');
    writeFileSync(out, `${[lines[0], ...scrambled.map((row) => row.join(','))].join('\n')}\n`);
    return out;
  }

  it('never looks at the test part: scrambling it changes the test figures, not one figure of the search', async () => {
    const data = groundTruthSlice(600);
    const tuned = { space: SMALL_SPACE, candidates: 5, seed: 1 };
    const [clean, scrambled] = await Promise.all([
      trainRun({ dataPath: data, tune: tuned, workers: 0 }),
      trainRun({ dataPath: scrambleTestRows(data), tune: tuned, workers: 0 }),
    ]);
    expect(scrambled.report.test_log_loss).not.toBe(clean.report.test_log_loss);
    expect(deterministic(scrambled.report.tuning as TuneResult)).toEqual(deterministic(clean.report.tuning as TuneResult));
    // The model is the winner's settings, fitted on the same training part: the same trees.
    expect(scrambled.pipeline.estimator.toJSON()).toEqual(clean.pipeline.estimator.toJSON());
    const winner = clean.report.tuning!.rows[clean.report.tuning!.winner_rank - 1];
    expect(clean.report.estimator.params).toMatchObject(winner.params);
    expect(clean.report.cv_log_losses).toEqual(winner.cv_log_losses);
  });

  it('counts the test rows given p(true class) < 1e-6 and their share of the log loss', async () => {
    // Deep single trees without a prior give many rows probability 0; a prior gives none.
    const data = groundTruthSlice(600);
    const [sure, smoothed] = await Promise.all([
      trainRun({ dataPath: data, params: { nEstimators: 1, maxDepth: 30, minSamplesLeaf: 1, leafPrior: 0, bootstrap: false }, workers: 0 }),
      trainRun({ dataPath: data, params: { nEstimators: 1, maxDepth: 30, minSamplesLeaf: 1, leafPrior: 0.5, bootstrap: false }, workers: 0 }),
    ]);
    const { rows, threshold, log_loss_share } = sure.report.test_near_zero!;
    expect(threshold).toBe(1e-6);
    const errors = Math.round((1 - sure.report.accuracy) * sure.report.split.test_rows);
    expect(rows).toBe(errors); // a pure leaf for every training row: each error is a certain miss
    expect(log_loss_share).toBeGreaterThan(0.99);
    expect(smoothed.report.test_near_zero).toEqual({ threshold: 1e-6, rows: 0, log_loss_share: 0 });
  });
});
