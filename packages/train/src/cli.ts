/**
 * pnpm train [--data <csv>] [--trees N] [--max-depth D] [--min-samples N] [--min-samples-leaf N]
 *            [--max-features F] [--leaf-prior A] [--seed S] [--grid | --tune [--candidates N]]
 *            [--workers N] [--output DIR] [--json] [--quiet]
 * Exit codes: 0 trained, 1 invalid data (the validation report is printed), 2 bad usage or unreadable data.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError, integerFlag, isRallyError, parseArgsSentence, UsageError } from '@rally/errors';
import { formatReport, GROUND_TRUTH_PATH, type ValidationReport } from '@rally/features';
import type { RandomForestParams } from '@rally/forest';
import { OUTPUT_DIR, removeAbandonedRuns, type TrainReport, writeRun } from '@rally/model';
import { TRAIN_DEFAULTS } from './defaults.ts';
import { MAX_DEPTH_GRID, type ProgressEvent, trainRun } from './run.ts';
import { SPLIT } from './split.ts';
import { formatSettings, formatTuneTable } from './tune-table.ts';
import { TUNE_SPACE } from './tune.ts';

const D = TRAIN_DEFAULTS;
const USAGE = `Usage: pnpm train [options]
  --data <csv>          training data (default data/australian_open.csv)
  --trees <n>           number of trees (default ${D.nEstimators})
  --max-depth <d>       maximum tree depth (default ${D.maxDepth})
  --min-samples <n>     minimum samples to split a node (default ${D.minSamplesSplit})
  --min-samples-leaf <n> minimum samples on each side of a split (default ${D.minSamplesLeaf})
  --max-features <f>    features tried per split: sqrt, log2, all, a count or a fraction (default ${D.maxFeatures})
  --leaf-prior <a>      added to every leaf class count before it becomes a probability (default ${D.leafPrior})
  --seed <s>            forest seed, and the seed of --tune's draws (default ${D.seed}; the train/test split always uses 42)
  --grid                search max depth over [10, 20] by 5-fold CV and keep the best (the original's grid)
  --tune                random search of trees, max depth, max features, min samples leaf and leaf prior
                        (${TUNE_SPACE.nEstimators.length * TUNE_SPACE.maxDepth.length * TUNE_SPACE.maxFeatures.length * TUNE_SPACE.minSamplesLeaf.length * TUNE_SPACE.leafPrior.length} settings) by 5-fold CV on the training part, then fit the winner
  --candidates <n>      settings --tune tries besides the original's (default 20)
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

function leafPrior(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(value) && value >= 0 && value <= 1000) return value;
  throw new UsageError(`--leaf-prior must be a number from 0 to 1000, got "${raw}".`);
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
      'min-samples-leaf': { type: 'string' },
      'max-features': { type: 'string' },
      'leaf-prior': { type: 'string' },
      seed: { type: 'string' },
      grid: { type: 'boolean' },
      tune: { type: 'boolean' },
      candidates: { type: 'string' },
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
  set('minSamplesLeaf', integerFlag('min-samples-leaf', values['min-samples-leaf'], 1));
  set('maxFeatures', maxFeatures(values['max-features']));
  set('leafPrior', leafPrior(values['leaf-prior']));
  set('seed', integerFlag('seed', values.seed, 0));
  const tune = values.tune ?? false;
  if (tune) {
    if (values.grid) throw new UsageError('--grid and --tune are two different searches: use one.');
    const searched = (['trees', 'max-depth', 'min-samples-leaf', 'max-features', 'leaf-prior'] as const).filter((flag) => values[flag] !== undefined);
    if (searched.length > 0) throw new UsageError(`--tune searches --${searched[0]} itself: leave it out, or train without --tune.`);
  } else if (values.candidates !== undefined) {
    throw new UsageError('--candidates is the number of settings --tune tries: add --tune.');
  }
  return {
    help: values.help ?? false,
    dataPath: values.data ?? GROUND_TRUTH_PATH,
    params,
    grid: values.grid ?? false,
    tune,
    candidates: integerFlag('candidates', values.candidates, 1),
    workers: integerFlag('workers', values.workers, 0),
    output: values.output ?? OUTPUT_DIR,
    json: values.json ?? false,
    quiet: values.quiet ?? false,
  };
}

/** Progress on stderr: a bar over every tree to build (folds, then the final fit) on a terminal, plain lines otherwise. */
function progressPrinter(fits: number, trees: number, tuning: boolean): (event: ProgressEvent) => void {
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
    // While tuning, a line per setting is the progress (and the final fit's size is not known yet).
    if (event.phase === 'tree' && tty && !tuning) {
      done += 1;
      bar(event.stage);
    }
    if (event.phase === 'fold') {
      const line = `CV max_depth=${event.maxDepth} fold ${event.fold}/${event.folds}: log loss ${event.logLoss.toFixed(4)}`;
      if (tty) process.stderr.write(`\r${line}\x1b[K\n`);
      else process.stderr.write(`${line}\n`);
    }
    if (event.phase === 'candidate') {
      const { row } = event;
      const width = String(event.total).length;
      process.stderr.write(
        `Tune ${String(event.index).padStart(width)}/${event.total}: ${formatSettings(row.params)}: CV log loss ${row.cv_mean_log_loss.toFixed(4)} ± ${row.cv_std_log_loss.toFixed(4)}\n`,
      );
    }
    if (event.phase === 'fitting' && (!tty || tuning)) process.stderr.write('Fitting the final model on the training part...\n');
    if (event.phase === 'done' && tty && !tuning) process.stderr.write('\r\x1b[K');
  };
}

function summary(report: TrainReport, dir: string): string {
  const f = (x: number) => x.toFixed(4);
  const nearZero = report.test_near_zero!;
  const p = report.estimator.params;
  return [
    ...(report.tuning ? [formatTuneTable(report.tuning), ''] : []),
    `Model ${report.model_id}`,
    `  test log loss ${f(report.test_log_loss)}  accuracy ${f(report.accuracy)}  (class prior ${f(report.class_prior_log_loss)})`,
    `  ${nearZero.rows} test row${nearZero.rows === 1 ? '' : 's'} given p(true class) < ${nearZero.threshold}${nearZero.rows > 0 ? `: ${(100 * nearZero.log_loss_share).toFixed(0)}% of the test log loss` : ''}`,
    `  CV log loss ${f(report.cv_mean_log_loss)} ± ${f(report.cv_std_log_loss)} over ${report.cv_log_losses.length} folds`,
    `  ${formatSettings(p)}; fit ${report.durations.fit_seconds.toFixed(2)} s, whole run ${report.durations.total_seconds.toFixed(2)} s`,
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
      tune: args.tune ? { seed: args.params.seed, candidates: args.candidates } : undefined,
      workers: args.workers,
      onProgress: args.quiet ? undefined : progressPrinter((args.grid ? MAX_DEPTH_GRID.length : 1) * SPLIT.folds + 1, args.params.nEstimators ?? TRAIN_DEFAULTS.nEstimators, args.tune),
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
