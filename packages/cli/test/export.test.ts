// @module-tag integration
/**
 * `rally export --format onnx`: the file ONNX Runtime reads gives every ground-truth row the
 * model's own probabilities (1e-6) and labels, for production, a local run and a store's model by
 * id, and with --pipeline from the raw columns; bad usage and unwritable paths write nothing.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { GROUND_TRUTH_PATH, inputColumns } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { pipelineOnnxInputs, readRunFolder } from '@rally/model';
import { storeWithProduction, trainTinyRun } from '@rally/model-fixtures';
import { deployRun } from '@rally/model-store';
import { LoadedModel } from '@rally/predict';
import { cleanEnv, runMain, tempDir } from './helpers.ts';

describe('rally export --format onnx', () => {
  let env: NodeJS.ProcessEnv;
  let production: LoadedModel;
  let local: { modelId: string; outputDir: string; model: LoadedModel };
  let stored: LoadedModel;

  beforeAll(async () => {
    const { root, run, dir, store } = await storeWithProduction();
    env = cleanEnv({ MODEL_STORE: root, CACHE_DIR: tempDir('cache'), NO_COLOR: '1' });
    production = LoadedModel.fromArtifacts(run.modelId, (await readRunFolder(dir)).files);
    const other = await trainTinyRun({ rows: 900, params: { nEstimators: 7, maxDepth: 9 } });
    local = { modelId: other.run.modelId, outputDir: other.outputDir, model: LoadedModel.fromArtifacts(other.run.modelId, (await readRunFolder(other.dir)).files) };
    // A third model in the store, never production: exported by its id.
    const third = await trainTinyRun({ rows: 700, params: { nEstimators: 5, seed: 3 } });
    await deployRun(store, third.dir);
    await deployRun(store, dir); // production back to the first
    stored = LoadedModel.fromArtifacts(third.run.modelId, (await readRunFolder(third.dir)).files);
  }, 60_000);

  const exportTo = async (args: string[]) => {
    const dir = tempDir('export');
    const file = join(dir, 'model.onnx');
    const result = await runMain(['export', ...args, '-o', file], env);
    return { ...result, dir, file };
  };

  /** ONNX Runtime on the file against the model, on all 5,000 ground-truth rows. */
  async function expectSameAnswers(file: string, model: LoadedModel): Promise<void> {
    const { batch } = loadDataset(GROUND_TRUTH_PATH);
    const X = model.pipeline.transform(batch);
    const bytes = readFileSync(file);
    // onnxruntime-node does not expose a model's metadata: its strings are in the file as written.
    expect(bytes.includes(model.modelInfo.model_id)).toBe(true);
    expect(bytes.includes(JSON.stringify(model.pipeline.featureNames()))).toBe(true);
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    try {
      expect(session.inputNames).toEqual(['X']);
      const out = await session.run({ X: new ort.Tensor('float64', X.data, [X.rows, X.cols]) });
      expect(out.probabilities!.dims).toEqual([X.rows, model.pipeline.classes.length]);
      const expected = model.pipeline.estimator.predictProba(X);
      const got = out.probabilities!.data as Float32Array;
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
      expect(worst).toBeLessThan(1e-6);
      expect(Array.from(out.label!.data as string[])).toEqual(model.pipeline.estimator.predict(X));
    } finally {
      await session.release();
    }
  }

  it('production by default: ONNX Runtime gives every ground-truth row its probabilities and labels', async () => {
    const result = await exportTo([]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Wrote model ${production.modelInfo.model_id.slice(0, 12)} \\(production\\) as ONNX to .*model\\.onnx`));
    await expectSameAnswers(result.file, production);
    expect(readdirSync(result.dir)).toEqual(['model.onnx']); // no temporary file left
  });

  it('a local run by id prefix, with --json', async () => {
    const result = await exportTo([local.modelId.slice(0, 10), '--runs', local.outputDir, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ model_id: local.modelId, format: 'onnx', path: result.file, classes: ['FE', 'UE', 'W'] });
    expect(summary.features).toHaveLength(14);
    expect(summary.bytes).toBe(readFileSync(result.file).byteLength);
    await expectSameAnswers(result.file, local.model);
  });

  it("a store's model that is not production, by its full id", async () => {
    const result = await exportTo([stored.modelInfo.model_id, '--runs', tempDir('no-runs')]);
    expect(result.code, result.stderr).toBe(0);
    await expectSameAnswers(result.file, stored);
  });

  it('--pipeline: the raw columns in, every ground-truth row as the model answers it', async () => {
    const result = await exportTo(['--pipeline', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ model_id: production.modelInfo.model_id, pipeline: true });
    const { batch } = loadDataset(GROUND_TRUTH_PATH);
    const session = await ort.InferenceSession.create(readFileSync(result.file), { intraOpNumThreads: 1 });
    try {
      expect(session.inputNames).toEqual(inputColumns().map((column) => column.name));
      const feeds = Object.fromEntries(Object.entries(pipelineOnnxInputs(batch)).map(([name, input]) => [name, new ort.Tensor(input.type, input.data as never, input.dims)]));
      const out = await session.run(feeds);
      const expected = production.pipeline.predictProba(batch);
      const got = out.probabilities!.data as Float32Array;
      expect(Math.max(...Array.from(expected, (p, i) => Math.abs(p - got[i]!)))).toBeLessThan(1e-6);
      expect(Array.from(out.label!.data as string[])).toEqual(production.pipeline.predict(batch));
    } finally {
      await session.release();
    }
  });

  it.each([
    ['another format', ['--format', 'pmml'], 2, /pmml/],
    ['an unknown model id', ['0'.repeat(64), '--runs', '/nonexistent-runs'], 1, /./],
  ])('%s: the exit code, one sentence, no file', async (_name, args, code, message) => {
    const result = await exportTo(args as string[]);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(result.file)).toBe(false);
  });

  it('without -o: bad usage, exit 2', async () => {
    const result = await runMain(['export'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/-o model\.onnx/);
  });

  it('a path under a file: exit 1 naming the path, nothing written', async () => {
    const dir = tempDir('export');
    writeFileSync(join(dir, 'a-file'), 'x');
    const file = join(dir, 'a-file', 'model.onnx');
    const result = await runMain(['export', '-o', file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Cannot write ${file} (`);
    expect(readdirSync(dir)).toEqual(['a-file']);
  });
});
