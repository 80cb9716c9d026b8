/**
 * pnpm train [--data <csv>] [--trees N] [--max-depth D] [--min-samples N] [--max-features F]
 *            [--seed S] [--grid] [--workers N] [--output DIR] [--json] [--quiet]
 * Exit codes: 0 trained, 1 invalid data (the validation report is printed), 2 bad usage or unreadable data.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError, integerFlag, isRallyError, parseArgsSentence, UsageError } from '@rally/errors';
import { formatReport, GROUND_TRUTH_PATH, type ValidationReport } from '@rally/features';
import { DEFAULT_PARAMS, type RandomForestParams } from '@rally/forest';
import { OUTPUT_DIR, removeAbandonedRuns, type TrainReport, writeRun } from '@rally/model';
import { MAX_DEPTH_GRID, type ProgressEvent, SPLIT, trainRun } from './run.ts';

const USAGE = `Usage: pnpm train [options]
  --data <csv>          training data (default data/australian_open.csv)
  --trees <n>           number of trees (default ${DEFAULT_PARAMS.nEstimators})
  --max-depth <d>       maximum tree depth (default ${DEFAULT_PARAMS.maxDepth})
  --min-samples <n>     minimum samples to split a node (default 2)
  --max-features <f>    features tried per split: sqrt, log2, all, a count or a fraction (default sqrt)
  --seed <s>            forest seed (default ${DEFAULT_PARAMS.seed}; the train/test split always uses 42)
  --grid                search max depth over [10, 20] by 5-fold CV and keep the best
  --workers <n>         worker threads for tree building, 0 for none (default: one per core for large forests)
  --output <dir>        where runs are written (default output/)
  --json                print the report as the last line of stdout
  --quiet               no progress output`;

function maxFeatures(raw: string | undefined): RandomForestParams['maxFeatures'] | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'sqrt' || raw === 'log2' || raw === 'all') return raw;
  const value = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(value) && value > 0 && (value < 1 || Number.isInteger(value))) return value;
  throw new UsageError(`--max-features must be sqrt, log2, all, an integer count or a fraction in (0, 1), got "${raw}".`);
}

function parseTrainArgs(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      trees: { type: 'string' },
      'max-depth': { type: 'string' },
      'min-samples': { type: 'string' },
      'max-features': { type: 'string' },
      seed: { type: 'string' },
      grid: { type: 'boolean' },
      workers: { type: 'string' },
      output: { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
  const params: Partial<RandomForestParams> = {};
  const set = <K extends keyof RandomForestParams>(key: K, value: RandomForestParams[K] | undefined) => {
    if (value !== undefined) params[key] = value;
  };
  set('nEstimators', integerFlag('trees', values.trees, 1));
  set('maxDepth', integerFlag('max-depth', values['max-depth'], 1));
  set('minSamplesSplit', integerFlag('min-samples', values['min-samples'], 2));
  set('maxFeatures', maxFeatures(values['max-features']));
  set('seed', integerFlag('seed', values.seed, 0));
  return {
    help: values.help ?? false,
    dataPath: values.data ?? GROUND_TRUTH_PATH,
    params,
    grid: values.grid ?? false,
    workers: integerFlag('workers', values.workers, 0),
    output: values.output ?? OUTPUT_DIR,
    json: values.json ?? false,
    quiet: values.quiet ?? false,
  };
}

/** Progress on stderr: a bar over every tree to build (folds, then the final fit) on a terminal, plain lines otherwise. */
function progressPrinter(fits: number, trees: number): (event: ProgressEvent) => void {
  const tty = process.stderr.isTTY;
  const total = fits * trees;
  let done = 0;
  const bar = (stage: string) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} trees  ${stage}\x1b[K`);
  };
  return (event) => {
    if (event.phase === 'validated') process.stderr.write(`Data valid: ${event.rows} rows.\n`);
    if (event.phase === 'tree' && tty) {
      done += 1;
      bar(event.stage);
    }
    if (event.phase === 'fold') {
      const line = `CV max_depth=${event.maxDepth} fold ${event.fold}/${event.folds}: log loss ${event.logLoss.toFixed(4)}`;
      if (tty) process.stderr.write(`\r${line}\x1b[K\n`);
      else process.stderr.write(`${line}\n`);
    }
    if (event.phase === 'fitting' && !tty) process.stderr.write('Fitting the final model on the training part...\n');
    if (event.phase === 'done' && tty) process.stderr.write('\r\x1b[K');
  };
}

function summary(report: TrainReport, dir: string): string {
  const f = (x: number) => x.toFixed(4);
  return [
    `Model ${report.model_id}`,
    `  test log loss ${f(report.test_log_loss)}  accuracy ${f(report.accuracy)}  (class prior ${f(report.class_prior_log_loss)})`,
    `  CV log loss ${f(report.cv_mean_log_loss)} ± ${f(report.cv_std_log_loss)} over ${report.cv_log_losses.length} folds`,
    `  ${report.estimator.params.nEstimators} trees, max depth ${report.estimator.params.maxDepth}; fit ${report.durations.fit_seconds.toFixed(2)} s, whole run ${report.durations.total_seconds.toFixed(2)} s`,
    `  written to ${relative(process.cwd(), dir).startsWith('..') ? dir : relative(process.cwd(), dir)}`,
    `Deploy it with: pnpm run deploy ${report.model_id}`,
  ].join('\n');
}

async function main(argv = process.argv.slice(2)): Promise<number> {
  let args: ReturnType<typeof parseTrainArgs>;
  try {
    args = parseTrainArgs(argv);
  } catch (error) {
    console.error(`${error instanceof UsageError ? error.message : parseArgsSentence(error)}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    // Runs killed before renaming their folder into place left it behind: clear those first.
    await removeAbandonedRuns(args.output);
    const run = await trainRun({
      dataPath: args.dataPath,
      params: args.params,
      grid: args.grid,
      workers: args.workers,
      onProgress: args.quiet ? undefined : progressPrinter((args.grid ? MAX_DEPTH_GRID.length : 1) * SPLIT.folds + 1, args.params.nEstimators ?? DEFAULT_PARAMS.nEstimators),
    });
    const dir = writeRun(run, args.output);
    if (!args.quiet || !args.json) console.log(args.quiet ? run.modelId : summary(run.report, dir));
    if (args.json) console.log(JSON.stringify(run.report));
    return 0;
  } catch (error) {
    // Too few rows for the split and folds, or a single class: the data cannot be trained on.
    if (isRallyError(error, 'DATA_INSUFFICIENT') || isRallyError(error, 'ESTIMATOR_BAD_INPUT')) {
      console.error(`Refusing to train: ${error.message}`);
      return 1;
    }
    if (isRallyError(error, 'DATA_INVALID')) {
      console.error(`Refusing to train: ${error.message}\n\n${formatReport(error.details as ValidationReport)}`);
      return 1;
    }
    console.error(describeError(error));
    return 2;
  }
}

process.exitCode = await main();
