import { parseArgs } from 'node:util';
import { integerFlag, parseArgsSentence, UsageError } from '@rally/errors';
import { BOOTSTRAP_DEFAULTS } from './bootstrap.ts';

export const USAGE = `Usage: pnpm --filter perf-benchmark start [-- options]
Compares a candidate run of output/ with the production model of the model store, both on
production's dataset (stratified 80/20 split, seed 42; 5-fold CV on the training part).
  --model-id <id>           the candidate (a unique prefix is enough); asked for on stdin when omitted
  --json                    print the results as JSON on stdout (progress stays on stderr)
  --markdown <file>         also write the report as Markdown to <file>
  --html <file>             also write the report as one self-contained HTML page with pictures to <file>
  --fail-if-worse [margin]  exit 1 when the candidate is worse with confidence (a log loss margin, default 0):
                            the 95% bootstrap interval of the per-row test log loss difference lies wholly
                            above the margin, or the CV means differ by more than the margin plus the
                            larger CV standard deviation (never on point estimates alone)
  --output <dir>            the runs folder (default: the workspace's output/)
  --workers <n>             worker threads for refitting forests (0: none; default: one per core for large forests)
  --no-cache                always download production's artifacts (same as CACHE_DISABLED=1)
  --resamples <n>           bootstrap resamples for the paired difference (default ${BOOTSTRAP_DEFAULTS.resamples})
  --quiet                   no progress on stderr
  -h, --help                this help
Environment: MODEL_STORE (default ./store, or s3://bucket/prefix with S3_ENDPOINT and AWS_*),
CACHE_DIR (default ./cache), CACHE_TTL_SECONDS, CACHE_DISABLED.
Exit codes: 0 compared (whatever the result, unless --fail-if-worse), 1 refused, failed or worse, 2 bad usage.`;

export { UsageError };

export interface CliArgs {
  help: boolean;
  modelId?: string;
  json: boolean;
  markdown?: string;
  html?: string;
  /** The margin of --fail-if-worse; undefined when the flag is absent. */
  failIfWorse?: number;
  output?: string;
  workers?: number;
  resamples: number;
  /** Bypass the download cache (CACHE_DISABLED=1 for this run). */
  noCache: boolean;
  quiet: boolean;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

function nonEmpty(flag: string, raw: string | undefined): string | undefined {
  if (raw !== undefined && raw.trim() === '') throw new UsageError(`--${flag} needs a value.`);
  return raw;
}

/**
 * `--fail-if-worse` takes an optional value, which node's parseArgs cannot express: fold a
 * following number into `--fail-if-worse=<n>` (a bare flag means margin 0).
 */
function foldOptionalMargin(argv: readonly string[]): string[] {
  const flag = '--fail-if-worse';
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (argv[i] === flag) {
      const next = argv[i + 1];
      if (next !== undefined && NUMBER.test(next)) {
        out.push(`${flag}=${next}`);
        i += 1;
      } else out.push(`${flag}=0`);
    } else out.push(argv[i]);
  }
  return out;
}

/** Parses the command line; every mistake is a UsageError with one sentence (exit 2 with the usage). */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  // pnpm versions differ on whether `pnpm start -- --x` hands the script a leading `--`.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: foldOptionalMargin(args),
      allowPositionals: true,
      strict: true,
      options: {
        'model-id': { type: 'string' },
        json: { type: 'boolean' },
        markdown: { type: 'string' },
        html: { type: 'string' },
        'fail-if-worse': { type: 'string' },
        output: { type: 'string' },
        workers: { type: 'string' },
        resamples: { type: 'string' },
        'no-cache': { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(parseArgsSentence(error));
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}"; give the candidate as --model-id <id>.`);
  }
  let failIfWorse: number | undefined;
  const margin = values['fail-if-worse'];
  if (margin !== undefined) {
    failIfWorse = Number(margin);
    if (!NUMBER.test(margin) || !Number.isFinite(failIfWorse)) throw new UsageError(`--fail-if-worse takes a number (a log loss margin), got "${margin}".`);
  }
  const modelId = nonEmpty('model-id', values['model-id']);
  return {
    help: values.help ?? false,
    modelId: modelId?.trim(),
    json: values.json ?? false,
    markdown: nonEmpty('markdown', values.markdown),
    html: nonEmpty('html', values.html),
    failIfWorse,
    output: nonEmpty('output', values.output),
    workers: integerFlag('workers', values.workers, 0),
    resamples: integerFlag('resamples', values.resamples, 1) ?? BOOTSTRAP_DEFAULTS.resamples,
    noCache: values['no-cache'] ?? false,
    quiet: values.quiet ?? false,
  };
}
