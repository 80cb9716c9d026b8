/**
 * `rally compare [model-id]` (the perf-benchmark; `pnpm --filter perf-benchmark start` runs it):
 * a candidate run of output/ against the production model of the model store, on production's
 * dataset. stdout: the report (or the JSON); stderr: the prompt, progress and errors.
 */
import { writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import { integerFlag, RallyError, UsageError } from '@rally/errors';
import type { ModelCache } from '@rally/model-store';
import type { BenchmarkProgress } from 'perf-benchmark';
import type { Context } from '../convention.ts';
import { gateAndId, marginOf } from '../margin.ts';
import { resolveInput, runArgument, runsFolder } from '../paths.ts';
import { jsonOption, type Registrar } from '../program.ts';
import { askModelId } from '../prompt.ts';


interface CompareOptions {
  modelId?: string;
  json?: boolean;
  markdown?: string;
  html?: string;
  failIfWorse?: string | boolean;
  slices?: boolean;
  output?: string;
  workers?: string;
  resamples?: string;
  quiet?: boolean;
}

function progressPrinter(ctx: Context, cache: ModelCache): (event: BenchmarkProgress) => void {
  return (event) => {
    if (event.phase === 'candidate') ctx.note(`Candidate ${event.modelId} from ${event.dir}`);
    if (event.phase === 'production') ctx.note(`Production ${event.modelId} (promoted ${event.promotedAt}) in ${event.store}`);
    if (event.phase === 'fetched') ctx.note(`Production artifacts: ${event.downloaded} downloaded, ${event.fromCache} from the cache (${cache.disabled ? 'cache disabled' : cache.dir})`);
    if (event.phase === 'evaluating') ctx.note(`Evaluating the ${event.role} model on the test part, then refitting it on 5 CV folds...`);
    if (event.phase === 'fold') ctx.note(`  ${event.role} CV fold ${event.fold}/${event.folds}: log loss ${event.logLoss.toFixed(4)}`);
  };
}

export function registerCompare({ ctx, command, action, prepare, readsSettings }: Registrar): void {
  const cmd = command('compare', 'compare a run of output/ with the production model, on the same data (the perf-benchmark)')
    .argument('[model-id]', 'the candidate (a unique prefix is enough); asked for on stdin when omitted')
    .addOption(new Option('--model-id <id>', 'the same as the [model-id] argument').hideHelp())
    .addOption(jsonOption())
    .option('--markdown <file>', 'also write the report as Markdown to <file>')
    .option('--html <file>', 'also write the report as one self-contained HTML page with pictures to <file>')
    .option(
      '--fail-if-worse [margin]',
      'exit 1 when the candidate is worse with confidence (a log loss margin, default 0): the 95% bootstrap interval of the per-row test log loss difference lies wholly above the margin, or the CV means differ by more than the margin plus the larger CV standard deviation (never on point estimates alone)',
    )
    .option('--slices', 'with --fail-if-worse: fail also when any slice (a category or boolean value, a numeric quartile of the data) is worse with confidence: its Bonferroni-corrected interval lies wholly above the margin')
    .option('--output <dir>', "the runs folder (default: the workspace's output/)")
    .option('--workers <n>', 'worker threads for refitting forests (0: none; default: one per core for large forests)')
    .option('--no-cache', 'always download production’s artifacts (same as CACHE_DISABLED=1)')
    .option('--quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      '\nBoth models are scored on production’s dataset (stratified 80/20 split, seed 42; 5-fold CV on the training part).\nEnvironment: MODEL_STORE (default ./store, or s3://bucket/prefix with S3_ENDPOINT and AWS_*), CACHE_DIR (default ./cache), CACHE_TTL_SECONDS, CACHE_DISABLED.\nExit codes: 0 compared (whatever the result, unless --fail-if-worse), 1 refused, failed or worse, 2 bad usage.',
    );
  readsSettings(cmd);
  // --resamples shows the bootstrap's default: added when compare is the command run.
  prepare(cmd, async () => {
    const { BOOTSTRAP_DEFAULTS } = await import('perf-benchmark');
    cmd.option('--resamples <n>', `bootstrap resamples for the paired difference (default ${BOOTSTRAP_DEFAULTS.resamples})`);
  });
  action(cmd, async (positional: string | undefined, options: CompareOptions) => {
    if (positional !== undefined && options.modelId !== undefined) throw new UsageError('Give the candidate once: as the argument or as --model-id.');
    // `rally compare --fail-if-worse 2913`: a word that is no margin (0, 0.02, -1e-3) is the candidate.
    const split = gateAndId(options.failIfWorse, positional ?? options.modelId);
    const given = split.id?.trim();
    if (given === '') throw new UsageError('--model-id needs a value.');
    const failIfWorse = marginOf('fail-if-worse', split.value);
    if (options.slices && failIfWorse === undefined) throw new UsageError('--slices goes with --fail-if-worse.');
    const workers = integerFlag('workers', options.workers, 0);
    const resamples = integerFlag('resamples', options.resamples, 1);
    // Report paths are checked now, before minutes of comparison.
    const files = [
      { path: options.markdown === undefined ? undefined : resolveInput(ctx.env, options.markdown, '--markdown'), kind: 'Markdown' as const },
      { path: options.html === undefined ? undefined : resolveInput(ctx.env, options.html, '--html'), kind: 'HTML' as const },
    ];
    const [{ cacheFromEnv, createModelStore }, { listRuns }, bench] = await Promise.all([import('@rally/model-store'), import('@rally/model'), import('perf-benchmark')]);
    const outputDir = await runsFolder(ctx.env, options.output);
    const store = createModelStore(ctx.env);
    try {
      const cache = cacheFromEnv(ctx.env);
      let wanted = given;
      if (wanted === undefined) {
        const runs = listRuns(outputDir);
        if (runs.length === 0) throw new RallyError('STORE_UNKNOWN_MODEL', `There are no runs in ${outputDir} to benchmark; train one with rally train.`);
        // Production is marked in the list when the store can say which it is (the comparison reports a store that cannot).
        // Waiting at most 2 s: a store that does not answer is reported once, by the comparison.
        const production = await Promise.race([store.getProduction().catch(() => null), new Promise<null>((resolve) => setTimeout(() => resolve(null), 2000).unref())]);
        wanted = await askModelId(runs, outputDir, ctx.io.stdin, ctx.io.stderr, production?.model_id);
      }
      const candidate = await runArgument(wanted, outputDir);
      const result = await bench.compareModels({
        candidateDir: candidate.dir,
        store,
        cache,
        workers,
        bootstrap: { resamples },
        onProgress: options.quiet ? undefined : progressPrinter(ctx, cache),
      });
      const gate = failIfWorse === undefined ? undefined : bench.checkGate(result, failIfWorse, { slices: options.slices });
      if (options.json) ctx.json(bench.resultToJSON(result, { gate }));
      else ctx.say(bench.formatReport(result, { gate }));
      const render = { Markdown: () => bench.formatMarkdown(result, { gate }), HTML: () => bench.formatHtml(result, { gate }) };
      for (const { path, kind } of files) {
        if (path === undefined) continue;
        try {
          await writeFile(path, render[kind]());
        } catch (error) {
          throw new RallyError('CLI_OUTPUT', `Cannot write the ${kind} report to ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
        }
        if (!options.quiet) ctx.note(`${kind} report written to ${path}`);
      }
      if (gate && !gate.passed) {
        ctx.note(ctx.err.red(`Gate failed (--fail-if-worse ${gate.margin}${gate.slices ? ' --slices' : ''}): ${bench.gateFailure(gate)}.`));
        return 1;
      }
      return 0;
    } finally {
      await store.close().catch(() => {});
    }
  });
}
