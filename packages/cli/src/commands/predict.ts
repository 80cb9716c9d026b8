/**
 * `rally predict` and `rally features`: points from --input, a file or stdin, through the production
 * model (via the cache) or a local run (--model). predict prints labels (or probabilities);
 * features prints the 14 named feature columns the model sees.
 */
import { isRallyError, UsageError } from '@rally/errors';
import type { LoadedModel } from '@rally/predict';
import type { Context } from '../convention.ts';
import { runArgument, runsFolder } from '../paths.ts';
import { jsonOption, type Registrar } from '../program.ts';

interface ModelOptions {
  input?: string;
  model?: string;
  output?: string;
}

/** The model to use: a local run of output/ (--model), or production through the cache (CACHE_DISABLED: --no-cache). */
async function loadModelFor(ctx: Context, options: ModelOptions): Promise<LoadedModel> {
  const { LoadedModel, loadProductionModel } = await import('@rally/predict');
  if (options.model !== undefined) {
    const { readRunFolder } = await import('@rally/model');
    const run = await runArgument(options.model, await runsFolder(ctx.env, options.output));
    const { modelId, files } = await readRunFolder(run.dir);
    return LoadedModel.fromArtifacts(modelId, files, null, `run ${run.dir}`);
  }
  const { cacheFromEnv, createModelStore } = await import('@rally/model-store');
  const store = createModelStore(ctx.env);
  try {
    return await loadProductionModel(store, cacheFromEnv(ctx.env));
  } finally {
    await store.close().catch(() => {});
  }
}

/** Points, checked: a bad one lists every problem on stderr before main prints the sentence. */
async function checkedPoints(ctx: Context, file: string | undefined, options: ModelOptions): Promise<unknown[]> {
  try {
    const { readPoints } = await import('../points.ts');
    return await readPoints(ctx, { input: options.input, file });
  } catch (error) {
    const problems = isRallyError(error) && Array.isArray(error.details) ? (error.details as { problem: string }[]) : [];
    if (problems.length > 1) for (const { problem } of problems) ctx.note(`  ${problem}`);
    throw error;
  }
}

/** The options of the commands that predict with a model; they read the store's settings. */
const modelOptions = (readsSettings: Registrar['readsSettings'], command: ReturnType<Registrar['command']>) => {
  readsSettings(command);
  return command
    .argument('[file]', 'a file of points (- or nothing: stdin)')
    .option('--input <json>', 'the points as JSON text')
    .option('--model <id>', 'a local run of output/ (a unique prefix is enough) instead of the production model')
    .option('--output <dir>', 'the runs folder for --model (default output/)')
    .option('--no-cache', 'download the production model even when the cache has it (same as CACHE_DISABLED=1)');
};

const POINTS_HELP = `
Points: one JSON object, an array of them, one object per line (JSON lines), or the HTTP API's body {"data": ...}.
Each point has the contract's input columns (GET /schema or rally sample shows them). The production model
is MODEL_STORE's (default ./store), through CACHE_DIR.`;

export function registerPredict({ ctx, command, action, readsSettings }: Registrar): void {
  const predict = modelOptions(readsSettings, command('predict', 'predict how each point ends: W (winner), FE (forced error) or UE (unforced error)'))
    .option('--proba', 'the probability of each class too')
    .addOption(jsonOption())
    .addHelpText('after', `${POINTS_HELP}\nExit codes: 0 predicted, 1 a point breaks the contract or no model, 2 input that is not JSON, or bad usage.`);
  action(predict, async (file: string | undefined, options: ModelOptions & { proba?: boolean; json?: boolean }) => {
    const points = await checkedPoints(ctx, file, options);
    const model = await loadModelFor(ctx, options);
    ctx.note(ctx.err.dim(`Model ${model.modelInfo.model_id.slice(0, 12)} (${options.model === undefined ? 'production' : 'local run'}), ${points.length} point${points.length === 1 ? '' : 's'}.`));
    if (!options.proba) {
      const { modelId, labels } = model.predict(points, { validated: true });
      if (options.json) ctx.json({ model_id: modelId, labels });
      else ctx.say(labels.join('\n'));
      return 0;
    }
    const { modelId, classes, labels, probabilities } = model.predictProba(points, { validated: true });
    if (options.json) {
      // The shape of POST /predict/proba.
      const predictions = probabilities.map((row, i) => ({ label: labels[i], probabilities: Object.fromEntries(classes.map((label, j) => [label, row[j]])) }));
      ctx.json({ model_id: modelId, classes, predictions });
    } else {
      ctx.say(ctx.out.bold(['label', ...classes.map((label) => label.padStart(6))].join('  ')));
      for (const [i, row] of probabilities.entries()) ctx.say([labels[i].padEnd(5), ...row.map((p) => p.toFixed(4))].join('  '));
    }
    return 0;
  });
}

/** Numbers in the table: integers plain, the rest to 6 significant digits (CSV and JSON keep every digit). */
const cell = (value: number) => (Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6))));

export function registerFeatures({ ctx, command, action, readsSettings }: Registrar): void {
  const features = modelOptions(readsSettings, command('features', "print the feature matrix of some points: the model's 14 named feature columns"))
    .option('--csv', 'CSV: a header of the column names, a line per point')
    .addOption(jsonOption())
    .addHelpText('after', `${POINTS_HELP}\nThe features are the model's own fitted feature union (production's, or --model's).\nExit codes: 0 printed, 1 a point breaks the contract or no model, 2 input that is not JSON, or bad usage.`);
  action(features, async (file: string | undefined, options: ModelOptions & { csv?: boolean; json?: boolean }) => {
    if (options.csv && options.json) throw new UsageError('Choose one output format: --csv or --json.');
    const points = await checkedPoints(ctx, file, options);
    const model = await loadModelFor(ctx, options);
    const matrix = model.transform(points, { validated: true });
    const rows = Array.from({ length: matrix.rows }, (_, r) => Array.from(matrix.data.subarray(r * matrix.cols, (r + 1) * matrix.cols)));
    if (options.json) {
      ctx.json({ model_id: model.modelInfo.model_id, columns: matrix.columns, rows });
      return 0;
    }
    if (options.csv) {
      const quote = (name: string) => (/[",\n]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name);
      ctx.say([matrix.columns.map(quote).join(','), ...rows.map((row) => row.map(String).join(','))].join('\n'));
      return 0;
    }
    // A table: a row per feature, a column per point (14 rows fit a terminal; 14 columns would not).
    const width = Math.max(...matrix.columns.map((name) => name.length));
    ctx.say(ctx.out.bold(['feature'.padEnd(width), ...rows.map((_, i) => `point ${i}`.padStart(10))].join('  ')));
    for (const [c, name] of matrix.columns.entries()) ctx.say([name.padEnd(width), ...rows.map((row) => cell(row[c]).padStart(10))].join('  '));
    return 0;
  });
}
