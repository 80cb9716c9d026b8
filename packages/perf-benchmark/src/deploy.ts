/**
 * The deploy command behind src/deploy-cli.ts (importable: tests drive it in-process):
 *   pnpm run deploy <model-id | prefix> [--yes] [--require-better[=margin]]
 *       compare the run with production first (the verdict and the original's table), ask on a
 *       terminal, then upload output/<id>/ to MODEL_STORE, verify it and promote it
 *   pnpm run deploy --list [--json]     promotion history with each model's metrics, newest last
 *   pnpm run deploy --rollback          promote the model production replaced
 * (`pnpm deploy` is pnpm's own command: use `pnpm run deploy`.)
 * Exit codes: 0 done (or declined at the question), 1 refused or failed (one sentence), 2 bad usage.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError, isRallyError, parseArgsSentence, UsageError } from '@rally/errors';
import { MODEL_ID_PATTERN, OUTPUT_DIR, parseReport, resolveRun, type TrainReport } from '@rally/model';
import { cacheFromEnv, createModelStore, deployRun, type ModelStore, rollback } from '@rally/model-store';
import { isTTY, readLine } from './prompt.ts';
import { type BenchmarkResult, compareModels } from './compare.ts';
import { checkGate, gateFailure } from './decision.ts';
import { originalTableOf, verdictLine } from './format.ts';
import type { CliIo } from './main.ts';

export const DEPLOY_USAGE = `Usage: pnpm run deploy <model-id> [--yes] [--require-better[=margin]]
                                    deploy a run of output/ (a unique prefix is enough), after
                                    comparing it with production on production's data
       pnpm run deploy --list [--json]  the promotion history with each model's metrics
       pnpm run deploy --rollback      promote the model production replaced
Options: --output <dir> (runs folder, default output/); --yes: no question on a terminal;
--require-better[=margin]: refuse unless the candidate passes --fail-if-worse's gate (it is not
worse than production with confidence); a model id that is not a local run cannot pass it. The store is MODEL_STORE (default ./store).`;

interface DeployArgs {
  help: boolean;
  list: boolean;
  rollback: boolean;
  json: boolean;
  yes: boolean;
  requireBetter?: number;
  output: string;
  modelId?: string;
}

function parseDeployArgs(argv: readonly string[]): DeployArgs {
  // A bare --require-better is margin 0; a margin is given as --require-better=<n> (a following
  // word could be a model id prefix such as 1234).
  const folded = argv.map((arg) => (arg === '--require-better' ? '--require-better=0' : arg));
  let parsed;
  try {
    parsed = parseArgs({
      args: folded,
      allowPositionals: true,
      options: {
        list: { type: 'boolean' },
        rollback: { type: 'boolean' },
        json: { type: 'boolean' },
        yes: { type: 'boolean', short: 'y' },
        'require-better': { type: 'string' },
        output: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(parseArgsSentence(error));
  }
  const { values, positionals } = parsed;
  const modes = [values.list, values.rollback, positionals.length > 0].filter(Boolean).length;
  if (!values.help && (modes !== 1 || positionals.length > 1)) throw new UsageError('Give one model id, or --list, or --rollback.');
  if (values.json && !values.list) throw new UsageError('--json goes with --list.');
  if (values['require-better'] !== undefined && positionals.length === 0) throw new UsageError('--require-better goes with a model id to deploy.');
  const margin = values['require-better'];
  if (margin !== undefined && !Number.isFinite(Number(margin))) throw new UsageError(`--require-better takes a number (a log loss margin), got "${margin}".`);
  return {
    help: values.help ?? false,
    list: values.list ?? false,
    rollback: values.rollback ?? false,
    json: values.json ?? false,
    yes: values.yes ?? false,
    requireBetter: margin === undefined ? undefined : Number(margin),
    output: values.output ?? OUTPUT_DIR,
    modelId: positionals[0],
  };
}

/** The comparison before a promotion, short: the verdict, the warnings and the original's table. */
export function formatPreview(result: BenchmarkResult): string {
  return [
    verdictLine(result),
    ...result.warnings.map((warning) => `Warning: ${warning.message}`),
    originalTableOf(result),
    `(the whole report: pnpm compare --model-id ${result.candidate.modelId.slice(0, 12)})`,
  ].join('\n');
}

/** The report.json of a stored model, or undefined when it is missing or unreadable there. */
async function storedReport(store: ModelStore, modelId: string): Promise<TrainReport | undefined> {
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

async function deploy(args: DeployArgs, env: NodeJS.ProcessEnv, io: CliIo, store: ModelStore): Promise<number> {
  const say = (text: string) => io.stdout.write(`${text}\n`);
  const wanted = args.modelId!;
  // A local run (full id or unique prefix) is uploaded; a full id that only the store has is a rollback to it.
  let runDir: string;
  let modelId: string;
  let local = true;
  try {
    ({ dir: runDir, modelId } = resolveRun(wanted, args.output));
  } catch (error) {
    if (!MODEL_ID_PATTERN.test(wanted)) throw error;
    runDir = join(args.output, wanted);
    modelId = wanted;
    local = false;
  }

  const production = await store.getProduction();
  if (production && modelId !== production.model_id) {
    let result: BenchmarkResult | undefined;
    if (!local) {
      // A model only the store has (a rollback by id): there is no run folder to compare.
      say(`${wanted.slice(0, 12)} is not a run in ${args.output}: no comparison with production (a promotion of a stored model).`);
    } else {
      try {
        io.stderr.write(`Comparing with production ${production.model_id.slice(0, 12)} on its data (test part, then 5 CV folds per model)...\n`);
        result = await compareModels({ candidateDir: runDir, store, cache: cacheFromEnv(env) });
        say(formatPreview(result));
      } catch (error) {
        // (A store that cannot be reached has already stopped the deploy, at getProduction above.)
        say(`Cannot compare with production (${describeError(error).replace(/\.$/, '')}); no comparison.`);
      }
    }
    if (args.requireBetter !== undefined) {
      if (!result) {
        io.stderr.write(`Refusing to deploy (--require-better ${args.requireBetter}): there is no comparison with production to pass.\n`);
        return 1;
      }
      const gate = checkGate(result, args.requireBetter);
      if (!gate.passed) {
        io.stderr.write(`Refusing to deploy (--require-better ${gate.margin}): ${gateFailure(gate)}.\n`);
        return 1;
      }
    }
    const terminal = isTTY(io.stdin);
    if (terminal && !args.yes) {
      io.stderr.write(`Promote ${wanted} to production in ${store.description}? [y/N] `);
      const answer = (await readLine(io.stdin))?.trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') {
        say('Not deployed; production is unchanged.');
        return 0;
      }
    }
  }
  const deployed = await deployRun(store, runDir);
  const id = deployed.pointer.model_id;
  if (!deployed.promoted) say(`${id} already is the production model in ${store.description}; nothing changed.`);
  else
    say(
      `${deployed.uploaded ? 'Uploaded, verified and promoted' : 'Promoted (already in the store)'} ${id} to production in ${store.description}${deployed.pointer.previous_model_id ? `, replacing ${deployed.pointer.previous_model_id}` : ''}.`,
    );
  return 0;
}

/** The whole command: never throws, never prints a stack trace; returns the exit code. */
export async function deployMain(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env, io: CliIo = process): Promise<number> {
  let args: DeployArgs;
  try {
    args = parseDeployArgs(argv);
  } catch (error) {
    io.stderr.write(`Usage error: ${(error as Error).message}\n${DEPLOY_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${DEPLOY_USAGE}\n`);
    return 0;
  }
  let store: ReturnType<typeof createModelStore> | undefined;
  try {
    store = createModelStore(env);
    if (args.list) {
      const promotions = await listPromotions(store);
      if (args.json) io.stdout.write(`${JSON.stringify({ store: store.description, promotions }, null, 2)}\n`);
      else if (promotions.length === 0) io.stdout.write(`No promotions yet in ${store.description}.\n`);
      else {
        io.stdout.write('promoted at               model id                                                          log loss  accuracy  cv mean   cv std\n');
        for (const p of promotions) {
          io.stdout.write(`${p.promoted_at}  ${p.model_id}  ${f4(p.test_log_loss)}    ${f4(p.accuracy)}    ${f4(p.cv_mean_log_loss)}    ${f4(p.cv_std_log_loss)}${p.production ? '  (production)' : ''}\n`);
        }
      }
      return 0;
    }
    if (args.rollback) {
      const pointer = await rollback(store);
      io.stdout.write(`Rolled back: production is now ${pointer.model_id} (was ${pointer.previous_model_id}) in ${store.description}.\n`);
      return 0;
    }
    return await deploy(args, env, io, store);
  } catch (error) {
    io.stderr.write(`${describeError(error)}\n`);
    return 1;
  } finally {
    await store?.close().catch(() => {});
  }
}
