/**
 * `rally export`: a model for another runtime. `--format onnx` writes the forest as an ONNX
 * TreeEnsembleClassifier (@rally/model's exportOnnx): input X, the 14 feature columns as float64
 * in `rally features` order; outputs label and probabilities (`--pipeline`: the raw columns in, the
 * features as ONNX operators). The model is production's, a local run of output/, or any model of
 * the store, by id.
 */
import { Option } from 'commander';
import { RallyError, UsageError } from '@rally/errors';
import type { LoadedModel } from '@rally/predict';
import type { Context } from '../convention.ts';
import { resolveInput, runArgument, runsFolder } from '../paths.ts';
import { jsonOption, VERSION, type Registrar } from '../program.ts';

interface ExportOptions {
  format: string;
  output?: string;
  runs?: string;
  pipeline?: boolean;
  json?: boolean;
}

/** `production`, a local run (id or unique prefix), or a model of the store (its full id). */
async function modelNamed(ctx: Context, name: string, runs: string | undefined): Promise<{ model: LoadedModel; source: string }> {
  const { LoadedModel, loadProductionModel } = await import('@rally/predict');
  const { cacheFromEnv, createModelStore } = await import('@rally/model-store');
  if (name === 'production') {
    const store = createModelStore(ctx.env);
    try {
      return { model: await loadProductionModel(store, cacheFromEnv(ctx.env)), source: 'production' };
    } finally {
      await store.close().catch(() => {});
    }
  }
  const { isModelId, readRunFolder } = await import('@rally/model');
  try {
    const run = await runArgument(name, await runsFolder(ctx.env, runs));
    const { modelId, files } = await readRunFolder(run.dir);
    return { model: LoadedModel.fromArtifacts(modelId, files, null, `run ${run.dir}`), source: `local run ${run.dir}` };
  } catch (error) {
    if (!isModelId(name)) throw error;
    // Not a local run: a model the store holds.
    const store = createModelStore(ctx.env);
    try {
      if (!(await store.hasModel(name))) throw error;
      const files = { 'model.json': await store.getArtifact(name, 'model.json'), 'report.json': await store.getArtifact(name, 'report.json') };
      return { model: LoadedModel.fromArtifacts(name, files, null, `model ${name} of the store`), source: 'the store' };
    } finally {
      await store.close().catch(() => {});
    }
  }
}

export function registerExport({ ctx, command, action, readsSettings }: Registrar): void {
  const exporter = command('export', 'write a model for another runtime: its forest as ONNX (--format onnx)')
    .argument('[model]', 'production (the default), a local run of output/ (id or unique prefix), or a model id of the store', 'production')
    .addOption(new Option('--format <format>', 'the file format').choices(['onnx']).default('onnx'))
    .option('-o, --output <file>', 'the file to write (atomically), e.g. model.onnx')
    .option('--runs <dir>', 'the runs folder for a local run (default output/)')
    .option('--pipeline', 'the whole pipeline: the raw columns in (one input each), the features as ONNX operators, then the forest')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
The ONNX model is one ai.onnx.ml TreeEnsembleClassifier (opset 3, ONNX opset 17):
  input  X              float64 [N, 14]: the feature columns in \`rally features\` order (named in the metadata)
  output label          string  [N]
  output probabilities  float32 [N, 3]: the model's classes in order (FE, UE, W), the leaf prior folded in
Any ONNX runtime serves it (onnxruntime, Triton, KServe, onnxruntime-web); its probabilities agree with rally's to 1e-6.
With --pipeline, the inputs are the data contract's 25 raw columns instead, one [N, 1] input each, named as in the
HTTP API (numbers float64, the id too; booleans bool; categories strings); the 12 features are ONNX operators.
The contract's checks (bounds, categories) stay the caller's.
Exit codes: 0 written, 1 no such model or the file cannot be written, 2 bad usage.`,
    );
  readsSettings(exporter);
  action(exporter, async (name: string, options: ExportOptions) => {
    if (options.output === undefined) throw new UsageError('Say where to write the model: -o model.onnx.');
    const path = resolveInput(ctx.env, options.output, '--output');
    const { model, source } = await modelNamed(ctx, name, options.runs);
    const { exportOnnx } = await import('@rally/model');
    const bytes = exportOnnx(model.pipeline, model.modelInfo.model_id, { pipeline: options.pipeline === true, producerVersion: VERSION });
    const { writeFileAtomic } = await import('@rally/model-store');
    try {
      await writeFileAtomic(path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      throw new RallyError('CLI_OUTPUT', `Cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error });
    }
    const summary = { model_id: model.modelInfo.model_id, format: options.format, pipeline: options.pipeline === true, path, bytes: bytes.byteLength, features: model.pipeline.featureNames(), classes: [...model.pipeline.classes] };
    if (options.json) ctx.json(summary);
    else ctx.say(`Wrote model ${summary.model_id.slice(0, 12)} (${source}) as ONNX${options.pipeline ? ' (the whole pipeline)' : ''} to ${path} (${(bytes.byteLength / 1024).toFixed(0)} KiB).`);
    return 0;
  });
}
