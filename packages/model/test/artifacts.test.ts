// @module-tag integration
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GROUND_TRUTH_PATH, selectRows, selectValues } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { expectRallyError, tempDir } from '@rally/testkit';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  checksumsOf,
  differingArtifacts,
  isModelId,
  listRuns,
  loadModel,
  modelIdOf,
  parseChecksums,
  Pipeline,
  readRunFolder,
  resolveRun,
  sameChecksums,
  sha256Hex,
  type TrainReport,
  verifyArtifact,
  writeRun,
} from '../src/index.ts';

/** A small real model and a report that describes it (train's reports have more fields; these are what readers check). */
async function smallRun(seed: number, createdAt = new Date().toISOString()) {
  const batch = loadDataset(GROUND_TRUTH_PATH).batch;
  const train = Int32Array.from({ length: 300 }, (_, i) => i);
  const pipeline = await Pipeline.create({ nEstimators: 3, maxDepth: 4, seed }).fit(selectRows(batch, train), selectValues(Array.from(batch.columns.outcome as Iterable<string>), train), { workers: 0 });
  const model = Buffer.from(JSON.stringify(pipeline.toJSON()));
  const modelId = modelIdOf(model);
  const report = {
    model_id: modelId,
    created_at: createdAt,
    test_log_loss: 0.5,
    accuracy: 0.8,
    cv_mean_log_loss: 0.5,
    cv_std_log_loss: 0.01,
    classes: [...pipeline.classes],
    features: pipeline.featureNames(),
    estimator: { type: 'RandomForestClassifier', library: 'test', params: pipeline.estimator.params },
  } as unknown as TrainReport;
  return { modelId, model, dataset: Buffer.from('rally,outcome\n1,W\n'), report };
}

describe('model ids and checksums', () => {
  test('the id is the sha256 of model.json; only 64 lowercase hex characters are ids', () => {
    expect(modelIdOf('{}')).toBe(sha256Hex('{}'));
    expect(isModelId(modelIdOf('{}'))).toBe(true);
    for (const bad of ['', 'abc', modelIdOf('{}').toUpperCase(), `${modelIdOf('{}')}0`, '../../etc/passwd', 42]) expect(isModelId(bad)).toBe(false);
  });

  test('a manifest lists every artifact; a change in one is named', () => {
    const files = { 'model.json': Buffer.from('m'), 'dataset.csv': Buffer.from('d'), 'report.json': Buffer.from('r') };
    const a = checksumsOf('x', files);
    const b = checksumsOf('x', { ...files, 'dataset.csv': Buffer.from('D') });
    expect(sameChecksums(a, a)).toBe(true);
    expect(differingArtifacts(a, b)).toEqual(['dataset.csv']);
    const id = modelIdOf('m');
    expect(parseChecksums(JSON.parse(JSON.stringify(checksumsOf(id, files))), id)).toEqual(checksumsOf(id, files));
    expect(parseChecksums({ ...checksumsOf(id, files), model_id: 'other' }, id)).toBeNull();
    expect(parseChecksums({ model_id: id, artifacts: { 'model.json': { sha256: 'x', size: 1 } } }, id)).toBeNull();
  });

  test('verifyArtifact: a flipped byte is STORE_CHECKSUM_MISMATCH naming the artifact', async () => {
    const files = { 'model.json': Buffer.from('m'), 'dataset.csv': Buffer.from('d'), 'report.json': Buffer.from('r') };
    const checksums = checksumsOf(modelIdOf('m'), files);
    expect(() => verifyArtifact(checksums, 'dataset.csv', files['dataset.csv'], 'here')).not.toThrow();
    const error = await expectRallyError(() => verifyArtifact(checksums, 'dataset.csv', Buffer.from('e'), 'here'), 'STORE_CHECKSUM_MISMATCH');
    expect(error.message).toMatch(/^dataset\.csv of model [0-9a-f]{64} in here does not match/);
  });
});

describe('run folders and the reader', () => {
  let run: Awaited<ReturnType<typeof smallRun>>;
  beforeAll(async () => {
    run = await smallRun(1);
  });

  test('writeRun then readRunFolder and loadModel give back the model', async () => {
    const dir = writeRun(run, tempDir('output'));
    const { modelId, files } = await readRunFolder(dir);
    expect(modelId).toBe(run.modelId);
    const loaded = loadModel(modelId, files, 'the test run');
    expect(loaded.report.model_id).toBe(run.modelId);
    expect(JSON.stringify(loaded.pipeline.toJSON())).toBe(run.model.toString());
  });

  test('a dataset given as a file is copied; one that changed since it was read is DATA_CHANGED and leaves no folder', async () => {
    const output = tempDir('output');
    const source = join(tempDir('data'), 'extraction.csv');
    // Several read chunks (64 KiB each), the last one partial.
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i},${['W', 'FE', 'UE'][i % 3]}`);
    const text = `rally,outcome\n${rows.join('\n')}\n`;
    writeFileSync(source, text);
    const sha256 = sha256Hex(readFileSync(source));
    const dir = writeRun({ ...run, dataset: { path: source, sha256 } }, output);
    expect(readFileSync(join(dir, 'dataset.csv'), 'utf8')).toBe(text);
    writeFileSync(source, text.replace('19999,FE', '19999,UE'));
    const other = tempDir('output');
    const error = await expectRallyError(() => writeRun({ ...run, dataset: { path: source, sha256 } }, other), 'DATA_CHANGED');
    expect(error.message).toBe(`${source} changed while the model was trained on it; train again on the file as it is now.`);
    expect(readdirSync(other)).toEqual([]);
  });

  test('a folder not named by an id, or whose model.json is not its id, is STORE_CHECKSUM_MISMATCH', async () => {
    const output = tempDir('output');
    const dir = writeRun(run, output);
    const misnamed = join(output, 'latest');
    mkdirSync(misnamed);
    await expectRallyError(readRunFolder(misnamed), 'STORE_CHECKSUM_MISMATCH');
    writeFileSync(join(dir, 'model.json'), `${run.model.toString()} `);
    const error = await expectRallyError(readRunFolder(dir), 'STORE_CHECKSUM_MISMATCH');
    expect(error.message).toContain('sha256 of its model.json');
  });

  test('a missing artifact is STORE_CORRUPTED naming it', async () => {
    const output = tempDir('output');
    const other = await smallRun(2);
    const dir = join(output, other.modelId);
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.json'), other.model);
    const error = await expectRallyError(readRunFolder(dir), 'STORE_CORRUPTED');
    expect(error.message).toMatch(/no readable dataset\.csv/);
  });

  test('loadModel refuses bytes that are not the id, invalid JSON, a report that is not one or is another model\'s', async () => {
    const files = { 'model.json': run.model, 'report.json': Buffer.from(JSON.stringify(run.report)) };
    await expectRallyError(() => loadModel(modelIdOf('other'), files, 'x'), 'STORE_CHECKSUM_MISMATCH');
    await expectRallyError(() => loadModel(modelIdOf('{'), { ...files, 'model.json': Buffer.from('{') }, 'x'), 'STORE_CORRUPTED');
    await expectRallyError(() => loadModel(modelIdOf('{"kind":"x"}'), { ...files, 'model.json': Buffer.from('{"kind":"x"}') }, 'x'), 'MODEL_FORMAT');
    await expectRallyError(() => loadModel(run.modelId, { ...files, 'report.json': Buffer.from('[]') }, 'x'), 'STORE_CORRUPTED');
    await expectRallyError(() => loadModel(run.modelId, { ...files, 'report.json': Buffer.from(JSON.stringify({ ...run.report, test_log_loss: 'low' })) }, 'x'), 'STORE_CORRUPTED');
    const error = await expectRallyError(() => loadModel(run.modelId, { ...files, 'report.json': Buffer.from(JSON.stringify({ ...run.report, model_id: modelIdOf('other') })) }, 'x'), 'STORE_CORRUPTED');
    expect(error.message).toMatch(/describes model/);
  });

  test('listRuns: complete runs, newest first; resolveRun by unique prefix, never a path', async () => {
    const output = tempDir('output');
    const older = await smallRun(3, '2026-01-01T00:00:00.000Z');
    const newer = await smallRun(4, '2026-02-01T00:00:00.000Z');
    writeRun(older, output);
    writeRun(newer, output);
    mkdirSync(join(output, 'not-a-run'));
    mkdirSync(join(output, modelIdOf('incomplete')));
    expect(listRuns(output).map((r) => r.modelId)).toEqual([newer.modelId, older.modelId]);
    expect(resolveRun(newer.modelId.slice(0, 8), output).modelId).toBe(newer.modelId);
    await expectRallyError(() => resolveRun('../etc', output), 'STORE_UNKNOWN_MODEL');
    await expectRallyError(() => resolveRun('f'.repeat(64), output), 'STORE_UNKNOWN_MODEL');
    expect(listRuns(join(output, 'nowhere'))).toEqual([]);
  });
});
