// @module-tag integration
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRallyError } from '@rally/errors';
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
    // What a progress display shows: who is loaded from where, then each model's evaluation and its folds 1 to 5.
    expect(events.filter((event) => event.phase !== 'fold')).toEqual([
      { phase: 'candidate', modelId: candidate.modelId, dir: candidate.dir },
      { phase: 'production', modelId: production.modelId, promotedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), store: store.description },
      { phase: 'fetched', downloaded: 3, fromCache: 0 },
      { phase: 'evaluating', role: 'production' },
      { phase: 'evaluating', role: 'candidate' },
    ]);
    for (const role of ['production', 'candidate']) {
      const folds = events.flatMap((event) => (event.phase === 'fold' && event.role === role ? [[event.fold, event.folds]] : []));
      expect(folds).toEqual([1, 2, 3, 4, 5].map((fold) => [fold, 5]));
    }
    expect(result.production.promotedAt).toBe((events[1] as { promotedAt: string }).promotedAt);
    expect(result.evaluation.dataset).toEqual({ file: production.report.dataset!.file, sha256: sha256Hex(readFileSync(join(production.dir, 'dataset.csv'))), rows: 600 });
    expect(result.candidate.trainedOn).toEqual(result.evaluation.dataset);

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
    // Three ids at most in the sentence, the first three found.
    expect(leaked).toBeGreaterThanOrEqual(3);
    expect(result.warnings[0].message).toContain(`e.g. id ${result.leakage.sampleIds.slice(0, 3).join(', ')}), so its test log loss and accuracy are optimistic.`);
    expect(result.leakage.sampleIds.length).toBeGreaterThan(3);
    expect(result.warnings[1].message).toMatch(/^The candidate was trained on a different dataset \(rows300to900\.csv, 600 rows, sha256 [0-9a-f]{12}\) than production \(australian_open_600\.csv, 600 rows, sha256 [0-9a-f]{12}\); both are evaluated on production's\.$/);
    // Still evaluated on production's test part.
    expect(result.difference.rows).toBe(120);
    expect(result.production.logLoss).toBe(production.report.test_log_loss);
  }, 60_000);

  it('says so when the candidate is production itself: no difference at all', async () => {
    const result = await compare(production.dir, join(root, 'cache-main'), new CountingStore(store));
    expect(result.warnings).toEqual([{ code: 'same_model', message: 'The candidate is the production model itself.' }]);
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

  it('refuses, in one sentence, a candidate that never saw one of the classes: it fails the check every model passes', async () => {
    const { header, rows } = groundTruthLines();
    const outcome = header.split(',').indexOf('outcome');
    const path = join(root, 'no-fe.csv');
    writeFileSync(path, `${[header, ...rows.slice(0, 600).filter((row) => row.split(',')[outcome] !== 'FE')].join('\n')}\n`);
    const twoClasses = await trainSmallRun(path, join(root, 'output-two-classes'), 3);
    const error = (await compare(twoClasses.dir, join(root, 'cache-main'), new CountingStore(store)).then(
      () => undefined,
      (e: unknown) => e,
    )) as { code: string; message: string };
    expect(error.code).toBe('MODEL_CHECK_FAILED');
    expect(error.message).toMatch(/cannot answer: its classes are UE, W, not the target's FE, UE, W; it was not loaded\.$/);
  });

  it('refuses an empty store with STORE_NO_PRODUCTION', async () => {
    const empty = new LocalFolderStore(join(root, 'store-empty'));
    await expect(compare(candidate.dir, join(root, 'cache-empty'), new CountingStore(empty))).rejects.toMatchObject({
      code: 'STORE_NO_PRODUCTION',
      message: `The model store (local folder ${join(root, 'store-empty')}) has no production model to compare with; deploy one with rally deploy <model-id>.`,
    });
  });

  /** A copy of the candidate's run whose report.json records another split (the model stays the same). */
  async function candidateWithReport(name: string, patch: (report: Record<string, unknown>) => Record<string, unknown>) {
    const dir = join(root, `output-${name}`, candidate.modelId);
    cpSync(candidate.dir, dir, { recursive: true });
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    writeFileSync(join(dir, 'report.json'), JSON.stringify(patch(report)));
    return compare(dir, join(root, 'cache-main'), new CountingStore(store));
  }

  /** Production's test ids that a model trained on the same 600 rows with this split has seen. */
  function leakedUnder(testSize: number, seed: number): number {
    const lines = readFileSync(join(production.dir, 'dataset.csv'), 'utf8').trimEnd().split('\n');
    const header = lines[0].split(',');
    const rows = lines.slice(1).map((line) => line.split(','));
    const labels = rows.map((cells) => cells[header.indexOf('outcome')]);
    const id = (i: number) => rows[i][header.indexOf('id')];
    const productionTest = Array.from(stratifiedSplit(labels, SPLIT.testSize, SPLIT.seed).test, id);
    const seen = new Set(Array.from(stratifiedSplit(labels, testSize, seed).train, id));
    return productionTest.filter((x) => seen.has(x)).length;
  }

  it("rebuilds the candidate's training part from the split its report.json records", async () => {
    for (const [testSize, seed] of [[0.1, 42], [0.2, 7]]) {
      const expected = leakedUnder(testSize, seed);
      expect(expected).toBeGreaterThan(0);
      const result = await candidateWithReport(`split-${testSize}-${seed}`, (report) => ({ ...report, split: { ...(report.split as object), test_size: testSize, seed } }));
      expect(result.sameDataset).toBe(true);
      expect(result.leakage).toMatchObject({ testRows: 120, leakedRows: expected, byId: expected });
      expect(result.warnings.map((warning) => warning.code)).toEqual(['leakage']);
    }
  }, 60_000);

  it('falls back to the training split (20 %, seed 42) when the report records none or a nonsensical one', async () => {
    const variants: [string, (report: Record<string, unknown>) => Record<string, unknown>][] = [
      ['none', ({ split: _split, dataset: _dataset, ...rest }) => rest],
      ['zero-and-fraction', (report) => ({ ...report, split: { ...(report.split as object), test_size: 0, seed: 7.5 } })],
      ['one-and-text', (report) => ({ ...report, split: { ...(report.split as object), test_size: 1, seed: '7' } })],
      ['text', (report) => ({ ...report, split: { ...(report.split as object), test_size: '0.1', seed: 42 } })],
      ['too-big', (report) => ({ ...report, split: { ...(report.split as object), test_size: 1.5, seed: 42 } })],
    ];
    for (const [name, patch] of variants) {
      const result = await candidateWithReport(name, patch);
      expect(result.leakage, name).toMatchObject({ testRows: 120, leakedRows: 0 });
      expect(result.warnings, name).toEqual([]);
    }
    // A report that does not name its dataset file: the file is called dataset.csv in the run.
    const unnamed = await candidateWithReport('none', ({ split: _split, dataset: _dataset, ...rest }) => rest);
    expect(unnamed.candidate.trainedOn.file).toBe('dataset.csv');
    expect(unnamed.production.trainedOn.file).toBe(production.report.dataset!.file);
  }, 60_000);

  it("refuses a candidate run whose dataset.csv breaks the contract, naming the run", async () => {
    const dir = join(root, 'output-bad-data', candidate.modelId);
    cpSync(candidate.dir, dir, { recursive: true });
    writeFileSync(join(dir, 'dataset.csv'), 'rally,outcome\n1,W\n');
    // The data contract's own sentence, about this run's file, with the contract's error kept as the cause.
    const error = await compare(dir, join(root, 'cache-main'), new CountingStore(store)).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(error).toMatchObject({ code: 'STORE_CORRUPTED', message: expect.stringMatching(new RegExp(`^the dataset\\.csv of run ${candidate.modelId.slice(0, 12)} \\(.+\\) does not follow the data contract`)) });
    expect(error!.message).toContain(`(${dir})`);
    expect(isRallyError(error!.cause)).toBe(true);
    expect((error!.cause as Error).message).toBe(error!.message);
  });

  it("refuses a production model whose stored dataset.csv breaks the contract, naming it and its store", async () => {
    const dir = join(root, 'output-bad-production', production.modelId);
    cpSync(production.dir, dir, { recursive: true });
    writeFileSync(join(dir, 'dataset.csv'), 'rally,outcome\n1,W\n');
    const badStore = new LocalFolderStore(join(root, 'store-bad-data'));
    await deployRun(badStore, dir);
    await expect(compareModels({ candidateDir: candidate.dir, store: badStore, cache: new ModelCache({ disabled: true }), workers: 0 })).rejects.toMatchObject({
      code: 'STORE_CORRUPTED',
      message: expect.stringContaining(`the dataset.csv of production model ${production.modelId.slice(0, 12)} in ${badStore.description} does not follow the data contract`),
    });
  });
});
