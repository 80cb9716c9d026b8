/**
 * The command behind src/cli.ts (importable, so tests can drive it in-process with their own streams):
 * pnpm --filter perf-benchmark start [-- --model-id <id>] [--json] [--markdown <file>] [--html <file>] [--fail-if-worse [margin]] [--no-cache]
 * Benchmarks a candidate run of output/ against the production model of the model store.
 * stdout: the report (or only the JSON with --json); stderr: the prompt, progress and errors.
 * Exit codes: 0 compared, 1 refused / failed / worse than production with --fail-if-worse, 2 bad usage.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeError, isRallyError, RallyError } from '@rally/errors';
import { cacheFromEnv, createModelStore, type ModelCache } from '@rally/model-store';
import { listRuns, OUTPUT_DIR, resolveRun } from '@rally/model';
import { parseCliArgs, type CliArgs, USAGE, UsageError } from './args.ts';
import { type BenchmarkProgress, compareModels } from './compare.ts';
import { checkGate, gateFailure } from './decision.ts';
import { formatMarkdown, formatReport, resultToJSON } from './format.ts';
import { formatHtml } from './html.ts';
import { askModelId } from './prompt.ts';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

function progressPrinter(stderr: NodeJS.WritableStream, cache: ModelCache): (event: BenchmarkProgress) => void {
  return (event) => {
    const line = (text: string) => stderr.write(`${text}\n`);
    if (event.phase === 'candidate') line(`Candidate ${event.modelId} from ${event.dir}`);
    if (event.phase === 'production') line(`Production ${event.modelId} (promoted ${event.promotedAt}) in ${event.store}`);
    if (event.phase === 'fetched') line(`Production artifacts: ${event.downloaded} downloaded, ${event.fromCache} from the cache (${cache.disabled ? 'cache disabled' : cache.dir})`);
    if (event.phase === 'evaluating') line(`Evaluating the ${event.role} model on the test part, then refitting it on 5 CV folds...`);
    if (event.phase === 'fold') line(`  ${event.role} CV fold ${event.fold}/${event.folds}: log loss ${event.logLoss.toFixed(4)}`);
  };
}

async function run(args: CliArgs, env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  // pnpm runs the script in packages/perf-benchmark: paths given as arguments mean the user's
  // directory; MODEL_STORE and CACHE_DIR, like for every command, the workspace root.
  const cwd = env.INIT_CWD || process.cwd();
  const outputDir = args.output === undefined ? OUTPUT_DIR : resolve(cwd, args.output);
  const store = createModelStore(env);
  try {
    const cache = cacheFromEnv(args.noCache ? { ...env, CACHE_DISABLED: '1' } : env);
    let wanted = args.modelId;
    if (wanted === undefined) {
      const runs = listRuns(outputDir);
      if (runs.length === 0) throw new RallyError('STORE_UNKNOWN_MODEL', `There are no runs in ${outputDir} to benchmark; train one with pnpm train.`);
      // Production is marked in the list when the store can say which it is (compareModels reports a store that cannot).
      // Waiting at most 2 s: a store that does not answer is reported once, by the comparison.
      const production = await Promise.race([store.getProduction().catch(() => null), new Promise<null>((resolve) => setTimeout(() => resolve(null), 2000).unref())]);
      wanted = await askModelId(runs, outputDir, io.stdin, io.stderr, production?.model_id);
    }
    const id = wanted;
    const candidate = resolveRun(id, outputDir);
    const result = await compareModels({
      candidateDir: candidate.dir,
      store,
      cache,
      workers: args.workers,
      bootstrap: { resamples: args.resamples },
      onProgress: args.quiet ? undefined : progressPrinter(io.stderr, cache),
    });
    const gate = args.failIfWorse === undefined ? undefined : checkGate(result, args.failIfWorse);
    io.stdout.write(args.json ? `${JSON.stringify(resultToJSON(result, { gate }), null, 2)}\n` : `${formatReport(result, { gate })}\n`);
    const files = [
      { flag: args.markdown, kind: 'Markdown', render: () => formatMarkdown(result, { gate }) },
      { flag: args.html, kind: 'HTML', render: () => formatHtml(result, { gate }) },
    ];
    for (const { flag, kind, render } of files) {
      if (flag === undefined) continue;
      const path = resolve(cwd, flag);
      try {
        await writeFile(path, render());
      } catch (error) {
        io.stderr.write(`Cannot write the ${kind} report to ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).\n`);
        return 1;
      }
      if (!args.quiet) io.stderr.write(`${kind} report written to ${path}\n`);
    }
    if (gate && !gate.passed) {
      io.stderr.write(`Gate failed (--fail-if-worse ${gate.margin}): ${gateFailure(gate)}.\n`);
      return 1;
    }
    return 0;
  } finally {
    await store.close().catch(() => {});
  }
}

/** The whole command: never throws, never prints a stack trace; returns the exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env, io: CliIo = process): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    // "Usage error:" first, so a log tells bad usage from a failed gate even where pnpm turned both into exit 1.
    io.stderr.write(`Usage error: ${error instanceof UsageError ? error.message : describeError(error)}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    return await run(args, env, io);
  } catch (error) {
    // A missing answer at the prompt is a usage problem; a wrong one is refused like --model-id.
    if (isRallyError(error, 'CLI_USAGE')) {
      io.stderr.write(`Usage error: ${describeError(error)}\n${USAGE}\n`);
      return 2;
    }
    io.stderr.write(`${describeError(error)}\n`);
    return 1;
  }
}
