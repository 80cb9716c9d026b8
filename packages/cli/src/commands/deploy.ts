/**
 * `rally deploy <model-id>`: compare the run with production first (the verdict and the original's
 * table), ask on a terminal, then upload output/<id>/ to the model store, verify it and promote it.
 * `rally deploy --list` is the promotion history with each model's metrics; `--rollback` promotes
 * the model production replaced.
 */
import { join } from 'node:path';
import { describeError, isRallyError, UsageError } from '@rally/errors';
import type { ModelStore } from '@rally/model-store';
import type { TrainReport } from '@rally/model';
import type { BenchmarkResult } from 'perf-benchmark';
import type { Context } from '../convention.ts';
import { gateAndId, marginOf } from '../margin.ts';
import { runArgument, runsFolder } from '../paths.ts';
import { jsonOption, type Registrar } from '../program.ts';
import { isTTY, readLine } from '../prompt.ts';

interface DeployOptions {
  list?: boolean;
  rollback?: boolean;
  json?: boolean;
  yes?: boolean;
  requireBetter?: string | boolean;
  slices?: boolean;
  output?: string;
}

/** The comparison before a promotion, short: the verdict, the slices worse or better, the warnings and the original's table. */
async function formatPreview(result: BenchmarkResult): Promise<string> {
  const { originalTableOf, slicesLine, verdictLine } = await import('perf-benchmark');
  return [
    verdictLine(result),
    slicesLine(result.slices),
    ...result.warnings.map((warning) => `Warning: ${warning.message}`),
    originalTableOf(result),
    `(the whole report: rally compare ${result.candidate.modelId.slice(0, 12)})`,
  ].join('\n');
}

/** The report.json of a stored model, or undefined when it is missing or unreadable there. */
async function storedReport(store: ModelStore, modelId: string): Promise<TrainReport | undefined> {
  const { parseReport } = await import('@rally/model');
  try {
    return parseReport(await store.getArtifact(modelId, 'report.json'), `model ${modelId.slice(0, 12)}`);
  } catch (error) {
    if (isRallyError(error, 'STORE_CORRUPTED') || isRallyError(error, 'STORE_UNKNOWN_MODEL')) return undefined;
    throw error;
  }
}

/** Each promotion with the metrics its report.json recorded (one download per model); the last one is production. */
async function listPromotions(store: ModelStore) {
  const history = await store.history();
  const ids = [...new Set(history.map((entry) => entry.model_id))];
  const reports = new Map(await Promise.all(ids.map(async (id) => [id, await storedReport(store, id)] as const)));
  return history.map((entry, i) => {
    const report = reports.get(entry.model_id);
    return {
      promoted_at: entry.promoted_at,
      model_id: entry.model_id,
      production: i === history.length - 1,
      test_log_loss: report?.test_log_loss ?? null,
      accuracy: report?.accuracy ?? null,
      cv_mean_log_loss: report?.cv_mean_log_loss ?? null,
      cv_std_log_loss: report?.cv_std_log_loss ?? null,
    };
  });
}

const f4 = (x: number | null) => (x === null ? '   ?  ' : x.toFixed(4));

async function list(ctx: Context, store: ModelStore, json: boolean): Promise<number> {
  const promotions = await listPromotions(store);
  if (json) ctx.json({ store: store.description, promotions });
  else if (promotions.length === 0) ctx.say(`No promotions yet in ${store.description}.`);
  else {
    ctx.say(ctx.out.bold('promoted at               model id                                                          log loss  accuracy  cv mean   cv std'));
    for (const p of promotions) {
      ctx.say(`${p.promoted_at}  ${p.model_id}  ${f4(p.test_log_loss)}    ${f4(p.accuracy)}    ${f4(p.cv_mean_log_loss)}    ${f4(p.cv_std_log_loss)}${p.production ? ctx.out.green('  (production)') : ''}`);
    }
  }
  return 0;
}

async function deploy(ctx: Context, store: ModelStore, wanted: string, options: DeployOptions & { output: string; margin?: number }): Promise<number> {
  const [{ MODEL_ID_PATTERN }, { cacheFromEnv, deployRun }, { checkGate, compareModels, gateFailure }] = await Promise.all([
    import('@rally/model'),
    import('@rally/model-store'),
    import('perf-benchmark'),
  ]);
  // A local run (full id or unique prefix) is uploaded; a full id that only the store has is a promotion of a stored model.
  let runDir: string;
  let modelId: string;
  let local = true;
  try {
    ({ dir: runDir, modelId } = await runArgument(wanted, options.output));
  } catch (error) {
    if (!MODEL_ID_PATTERN.test(wanted)) throw error;
    runDir = join(options.output, wanted);
    modelId = wanted;
    local = false;
  }

  const production = await store.getProduction();
  let result: BenchmarkResult | undefined;
  const answer = (outcome: string, extra: Record<string, unknown> = {}) => ({ outcome, model_id: modelId, store: store.description, ...extra });
  if (production && modelId !== production.model_id) {
    if (!local) {
      ctx.say(`${wanted.slice(0, 12)} is not a run in ${options.output}: no comparison with production (a promotion of a stored model).`);
    } else {
      try {
        ctx.note(`Comparing with production ${production.model_id.slice(0, 12)} on its data (test part, then 5 CV folds per model)...`);
        result = await compareModels({ candidateDir: runDir, store, cache: cacheFromEnv(ctx.env) });
        ctx.say(await formatPreview(result));
      } catch (error) {
        // (A store that cannot be reached has already stopped the deploy, at getProduction above.)
        ctx.say(`Cannot compare with production (${describeError(error).replace(/\.$/, '')}); no comparison.`);
      }
    }
    if (options.margin !== undefined) {
      const refuse = (why: string) => {
        ctx.note(ctx.err.red(`Refusing to deploy (--require-better ${options.margin}): ${why}.`));
        if (options.json) ctx.json(answer('refused', { reason: why }));
        return 1;
      };
      if (!result) return refuse('there is no comparison with production to pass');
      const gate = checkGate(result, options.margin, { slices: options.slices });
      if (!gate.passed) return refuse(gateFailure(gate));
    }
    if (isTTY(ctx.io.stdin) && !options.yes) {
      ctx.io.stderr.write(`Promote ${wanted} to production in ${store.description}? [y/N] `);
      const reply = (await readLine(ctx.io.stdin))?.trim().toLowerCase();
      if (reply !== 'y' && reply !== 'yes') {
        ctx.say('Not deployed; production is unchanged.');
        if (options.json) ctx.json(answer('declined'));
        return 0;
      }
    }
  }
  const deployed = await deployRun(store, runDir);
  const id = deployed.pointer.model_id;
  const previous = deployed.pointer.previous_model_id;
  if (!deployed.promoted) ctx.say(`${id} already is the production model in ${store.description}; nothing changed.`);
  else ctx.say(`${deployed.uploaded ? 'Uploaded, verified and promoted' : 'Promoted (already in the store)'} ${id} to production in ${store.description}${previous ? `, replacing ${previous}` : ''}.`);
  if (options.json) ctx.json(answer(deployed.promoted ? 'promoted' : 'unchanged', { uploaded: deployed.uploaded, previous_model_id: deployed.promoted ? (previous ?? null) : null }));
  return 0;
}

export function registerDeploy({ ctx, command, action, readsSettings }: Registrar): void {
  const cmd = command('deploy', 'compare a run with production, then upload, verify and promote it; or --list, --rollback')
    .argument('[model-id]', 'the run of output/ to deploy (a unique prefix is enough)')
    .option('-y, --yes', 'no question on a terminal')
    .option('--require-better [margin]', "refuse unless the candidate passes compare's --fail-if-worse gate (it is not worse than production with confidence); a stored model that is not a local run cannot pass it")
    .option('--slices', 'with --require-better: refuse also when any slice of the data is worse with confidence (see rally compare --slices)')
    .option('--list', 'the promotion history with each model’s metrics, newest last')
    .option('--rollback', 'promote the model production replaced')
    .option('--output <dir>', 'the runs folder (default output/)')
    .addOption(jsonOption())
    .addHelpText('after', '\nThe store is MODEL_STORE (default ./store, or s3://bucket/prefix with S3_ENDPOINT and AWS_*).\nExit codes: 0 done (or declined at the question), 1 refused or failed, 2 bad usage.');
  readsSettings(cmd);
  action(cmd, async (positional: string | undefined, options: DeployOptions) => {
    // `rally deploy --require-better 1234`: a word that is no margin (0, 0.02, -1e-3) is the id.
    const split = options.list || options.rollback ? { value: options.requireBetter, id: positional } : gateAndId(options.requireBetter, positional);
    const requireBetter = split.value;
    const modelId = split.id;
    const modes = [options.list, options.rollback, modelId !== undefined].filter(Boolean).length;
    if (modes !== 1) throw new UsageError('Give one model id, or --list, or --rollback.');
    if (requireBetter !== undefined && modelId === undefined) throw new UsageError('--require-better goes with a model id to deploy.');
    if (options.slices && requireBetter === undefined) throw new UsageError('--slices goes with --require-better.');
    const margin = marginOf('require-better', requireBetter);
    const { createModelStore, rollback } = await import('@rally/model-store');
    const output = await runsFolder(ctx.env, options.output);
    const store = createModelStore(ctx.env);
    try {
      if (options.list) return await list(ctx, store, options.json ?? false);
      if (options.rollback) {
        const pointer = await rollback(store);
        ctx.say(`Rolled back: production is now ${pointer.model_id} (was ${pointer.previous_model_id}) in ${store.description}.`);
        if (options.json) ctx.json({ outcome: 'rolled_back', model_id: pointer.model_id, previous_model_id: pointer.previous_model_id, store: store.description });
        return 0;
      }
      return await deploy(ctx, store, modelId!, { ...options, output, margin });
    } finally {
      await store.close().catch(() => {});
    }
  });
}
