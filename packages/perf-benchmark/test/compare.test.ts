// @module-tag integration
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '@rally/model';
import { ModelCache, LocalFolderStore, deployRun } from '@rally/model-store';
import { SPLIT, stratifiedSplit, type TrainedRun } from '@rally/train';
import { type BenchmarkProgress, compareModels } from '../src/index.ts';
import { CountingStore, groundTruthLines, groundTruthSlice, subsetCsv, tempDir, trainSmallRun } from './helpers.ts';

type Run = TrainedRun & { dir: string };

describe('compareModels on real runs (10-tree production, 5-tree candidate, 600 rows)', () => {
  let root: string;
  let output: string;
  let production: Run;
  let candidate: Run;
  let store: LocalFolderStore;

  beforeAll(async () => {
    root = tempDir('compare');
    output = join(root, 'output');
    const data = groundTruthSlice(600, root);
    production = await trainSmallRun(data, output, 10);
    candidate = await trainSmallRun(data, output, 5);
    store = new LocalFolderStore(join(root, 'store'));
    await deployRun(store, production.dir);
  }, 60_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const compare = (candidateDir: string, cacheDir: string, counting: CountingStore, onProgress?: (event: BenchmarkProgress) => void) =>
    compareModels({ candidateDir, store: counting, cache: new ModelCache({ dir: cacheDir }), workers: 0, bootstrap: { resamples: 500 }, onProgress });

  it("reproduces production's report on its own data, and downloads nothing the second time", async () => {
    const cacheDir = join(root, 'cache-main');
    const first = new CountingStore(store);
    const events: BenchmarkProgress[] = [];
    const result = await compare(candidate.dir, cacheDir, first, (event) => events.push(event));
    expect(first.downloads.sort()).toEqual(['dataset.csv', 'model.json', 'report.json']);
    expect(events).toContainEqual({ phase: 'fetched', downloaded: 3, fromCache: 0 });
    expect(events.filter((event) => event.phase === 'fold')).toHaveLength(10);

    // Same model, same rows, same split: the figures of report.json, exactly.
    expect(result.production.modelId).toBe(production.modelId);
    expect(result.production.logLoss).toBe(production.report.test_log_loss);
    expect(result.production.accuracy).toBe(production.report.accuracy);
    expect(result.production.cv.losses).toEqual(production.report.cv_log_losses);
    expect(result.production.cv.std).toBe(production.report.cv_std_log_loss);
    // The candidate was trained on the same data: its test part is production's.
    expect(result.candidate.logLoss).toBe(candidate.report.test_log_loss);
    expect(result.candidate.cv.mean).toBeCloseTo(candidate.report.cv_mean_log_loss, 12);
    expect(result.candidate.config).toEqual({ params: candidate.pipeline.estimator.params, featureNames: expect.any(Array) });
    expect(result.sameDataset).toBe(true);
    expect(result.leakage).toMatchObject({ testRows: 120, leakedRows: 0 });
    expect(result.warnings).toEqual([]);
    expect(result.evaluation.split).toEqual({ seed: 42, testSize: 0.2, folds: 5, trainRows: 480, testRows: 120 });
    // The mean paired difference is the difference of the means.
    expect(result.difference.rows).toBe(120);
    expect(result.difference.estimate).toBeCloseTo(result.candidate.logLoss - result.production.logLoss, 12);
    expect(result.difference.low).toBeLessThanOrEqual(result.difference.estimate);
    expect(result.difference.high).toBeGreaterThanOrEqual(result.difference.estimate);

    const second = new CountingStore(store);
    const again = await compare(candidate.dir, cacheDir, second);
    expect(second.downloads).toEqual([]);
    expect(again.production.logLoss).toBe(result.production.logLoss);
    expect(again.candidate.cv).toEqual(result.candidate.cv);
    expect(again.difference).toEqual(result.difference);
  }, 60_000);

  it('warns when the candidate was trained on rows of production\'s test part, from another dataset', async () => {
    const otherOutput = join(root, 'output-other');
    const overlapping = await trainSmallRun(subsetCsv(root, 'rows300to900.csv', 300, 900), otherOutput, 5);
    const result = await compare(overlapping.dir, join(root, 'cache-leak'), new CountingStore(store));

    // Expected leak, worked out independently: production's test ids among the candidate's training ids.
    const ids = (run: Run, part: 'train' | 'test') => {
      const lines = readFileSync(join(run.dir, 'dataset.csv'), 'utf8').trimEnd().split('\n');
      const header = lines[0].split(',');
      const rows = lines.slice(1).map((line) => line.split(','));
      const labels = rows.map((cells) => cells[header.indexOf('outcome')]);
      const indices = stratifiedSplit(labels, SPLIT.testSize, SPLIT.seed)[part];
      return new Set(Array.from(indices, (i) => rows[i][header.indexOf('id')]));
    };
    const candidateTrain = ids(overlapping, 'train');
    const leaked = [...ids(production, 'test')].filter((id) => candidateTrain.has(id)).length;
    expect(leaked).toBeGreaterThan(0);

    expect(result.sameDataset).toBe(false);
    expect(result.leakage).toMatchObject({ testRows: 120, leakedRows: leaked, byId: leaked, byContent: leaked });
    expect(result.warnings.map((warning) => warning.code)).toEqual(['leakage', 'different_dataset']);
    expect(result.warnings[0].message).toMatch(new RegExp(`^The candidate was trained on ${leaked} of the 120 rows of production's test part \\(${leaked} matched by id, ${leaked} by content, e\\.g\\. id \\d+`));
    expect(result.warnings[1].message).toMatch(/^The candidate was trained on a different dataset \(rows300to900\.csv, 600 rows, sha256 [0-9a-f]{12}\) than production \(australian_open_600\.csv, 600 rows, sha256 [0-9a-f]{12}\); both are evaluated on production's\.$/);
    // Still evaluated on production's test part.
    expect(result.difference.rows).toBe(120);
    expect(result.production.logLoss).toBe(production.report.test_log_loss);
  }, 60_000);

  it('says so when the candidate is production itself: no difference at all', async () => {
    const result = await compare(production.dir, join(root, 'cache-main'), new CountingStore(store));
    expect(result.warnings.map((warning) => warning.code)).toEqual(['same_model']);
    expect(result.candidate.logLoss).toBe(result.production.logLoss);
    expect(result.difference).toMatchObject({ estimate: 0, low: 0, high: 0, verdict: 'no clear difference' });
  }, 60_000);

  it("flags a production report.json whose test log loss the model does not reproduce", async () => {
    const tamperedOutput = join(root, 'output-tampered');
    const dir = join(tamperedOutput, production.modelId);
    cpSync(production.dir, dir, { recursive: true });
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    writeFileSync(join(dir, 'report.json'), JSON.stringify({ ...report, test_log_loss: 0.1 }));
    const otherStore = new LocalFolderStore(join(root, 'store-tampered'));
    await deployRun(otherStore, dir);
    const result = await compareModels({ candidateDir: candidate.dir, store: otherStore, cache: new ModelCache({ disabled: true }), workers: 0, bootstrap: { resamples: 100 } });
    expect(result.warnings.map((warning) => warning.code)).toEqual(['report_mismatch']);
    expect(result.warnings[0].message).toMatch(/^Production's test log loss here \(\d\.\d{6}\) differs from its report\.json \(0\.100000\)/);
  }, 60_000);

  it('refuses a candidate folder whose model.json is not its id, in one sentence', async () => {
    const fakeDir = join(root, 'output-fake', sha256Hex(Buffer.from('something else')));
    cpSync(candidate.dir, fakeDir, { recursive: true });
    await expect(compare(fakeDir, join(root, 'cache-main'), new CountingStore(store))).rejects.toMatchObject({
      code: 'STORE_CHECKSUM_MISMATCH',
      message: expect.stringMatching(/^Run folder .+ is named [0-9a-f]{64} but the sha256 of its model\.json is [0-9a-f]{64}\.$/),
    });
  });

  it('refuses, in one sentence, a candidate that never saw one of the classes', async () => {
    const { header, rows } = groundTruthLines();
    const outcome = header.split(',').indexOf('outcome');
    const path = join(root, 'no-fe.csv');
    writeFileSync(path, `${[header, ...rows.slice(0, 600).filter((row) => row.split(',')[outcome] !== 'FE')].join('\n')}\n`);
    const twoClasses = await trainSmallRun(path, join(root, 'output-two-classes'), 3);
    await expect(compare(twoClasses.dir, join(root, 'cache-main'), new CountingStore(store))).rejects.toMatchObject({
      code: 'ESTIMATOR_BAD_INPUT',
      message: `The candidate model ${twoClasses.modelId.slice(0, 12)} cannot be evaluated on production's dataset (Label "FE" is not one of the model's classes (UE, W)).`,
    });
  });

  it('refuses an empty store with STORE_NO_PRODUCTION', async () => {
    const empty = new LocalFolderStore(join(root, 'store-empty'));
    await expect(compare(candidate.dir, join(root, 'cache-empty'), new CountingStore(empty))).rejects.toMatchObject({
      code: 'STORE_NO_PRODUCTION',
      message: `The model store (local folder ${join(root, 'store-empty')}) has no production model to compare with; deploy one with rally deploy <model-id>.`,
    });
  });
});
