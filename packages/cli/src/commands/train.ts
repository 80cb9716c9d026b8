/** `rally train [data.csv]`: the modelling pipeline on a CSV, a run written to output/<model-id>/. */
import { relative } from 'node:path';
import { Option } from 'commander';
import { integerFlag, isRallyError, RallyError, UsageError } from '@rally/errors';
import type { RandomForestParams } from '@rally/forest';
import type { TrainReport } from '@rally/model';
import type { ProgressEvent } from '@rally/train';
import type { Context } from '../convention.ts';
import { jsonOption, type Registrar } from '../program.ts';
import { resolveInput, runsFolder } from '../paths.ts';

interface TrainOptions {
  data?: string;
  trees?: string;
  maxDepth?: string;
  minSamples?: string;
  minSamplesLeaf?: string;
  maxFeatures?: string;
  leafPrior?: string;
  seed?: string;
  grid?: boolean;
  tune?: boolean;
  candidates?: string;
  workers?: string;
  output?: string;
  json?: boolean;
  quiet?: boolean;
}

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

/** The forest's parameters from the flags; every mistake is one UsageError sentence. */
function forestParams(options: TrainOptions): Partial<RandomForestParams> {
  const params: Partial<RandomForestParams> = {};
  const set = <K extends keyof RandomForestParams>(key: K, value: RandomForestParams[K] | undefined) => {
    if (value !== undefined) params[key] = value;
  };
  set('nEstimators', integerFlag('trees', options.trees, 1));
  set('maxDepth', integerFlag('max-depth', options.maxDepth, 1));
  set('minSamplesSplit', integerFlag('min-samples', options.minSamples, 2));
  set('minSamplesLeaf', integerFlag('min-samples-leaf', options.minSamplesLeaf, 1));
  set('maxFeatures', maxFeatures(options.maxFeatures));
  set('leafPrior', leafPrior(options.leafPrior));
  set('seed', integerFlag('seed', options.seed, 0));
  if (options.tune) {
    if (options.grid) throw new UsageError('--grid and --tune are two different searches: use one.');
    const searched = (['trees', 'maxDepth', 'minSamplesLeaf', 'maxFeatures', 'leafPrior'] as const).filter((key) => options[key] !== undefined);
    if (searched.length > 0) throw new UsageError(`--tune searches --${searched[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} itself: leave it out, or train without --tune.`);
  } else if (options.candidates !== undefined) {
    throw new UsageError('--candidates is the number of settings --tune tries: add --tune.');
  }
  return params;
}

/** Piped, a fit still running says where it is at least this often. */
const HEARTBEAT_MS = 2000;

const duration = (seconds: number) => (seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : `${Math.round(seconds / 60)} min`);

/**
 * Progress on stderr, for every job longer than a moment: the fits of a run are the CV folds (of
 * each depth of the grid, or of each setting while tuning) and the final fit. On a terminal, one
 * bar over all of them with the stage, the time spent and an estimate of the time left, and a line
 * per fold and per setting above it. Piped, the same lines, each with the seconds since the start,
 * and while a fit runs a line at least every HEARTBEAT_MS: never a long silence in a CI log.
 * The estimate takes every fit as long as the ones done so far.
 */
export function progressPrinter(ctx: Context, fits: number, folds: number, formatSettings: typeof import('@rally/train').formatSettings, now: () => number = () => performance.now()): (event: ProgressEvent) => void {
  const stderr = ctx.io.stderr;
  // A progress bar rewrites its line: only on a terminal that can (not TERM=dumb).
  const tty = stderr.isTTY === true && ctx.env.TERM !== 'dumb';
  const started = now();
  let totalFits = fits;
  let completed = 0;
  let within = 0;
  let stage = '';
  let lastLine = started;
  const elapsed = () => (now() - started) / 1000;
  const fraction = () => Math.min(1, (completed + within) / totalFits);
  const left = () => {
    const done = fraction();
    return done < 0.01 || done >= 1 ? '' : `, about ${duration((elapsed() * (1 - done)) / done)} left`;
  };
  const bar = () => {
    const width = 30;
    const filled = Math.round(fraction() * width);
    stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(fraction() * 100)}%  ${stage}  ${duration(elapsed())}${left()}\x1b[K`);
  };
  const line = (text: string) => {
    if (tty) {
      stderr.write(`\r\x1b[K${text}\n`);
      if (stage) bar();
    } else stderr.write(`[${elapsed().toFixed(1).padStart(6)} s] ${text}\n`);
    lastLine = now();
  };
  return (event) => {
    switch (event.phase) {
      case 'validated':
        line(`Data valid: ${event.rows} rows.`);
        break;
      case 'tree':
        // Tuning says how many settings it tries with its first tree: (settings x folds) fits, then the final one.
        if (event.candidate) totalFits = event.candidate.total * folds + 1;
        stage = event.stage;
        within = event.built / event.total;
        if (event.built === event.total) {
          completed += 1;
          within = 0;
        }
        if (tty) bar();
        else if (now() - lastLine >= HEARTBEAT_MS) line(`${event.stage}: ${event.built}/${event.total} trees (${Math.floor(fraction() * 100)}% of the run${left()})`);
        break;
      case 'fold': {
        const what = event.candidate ? `Tune ${event.candidate.index}/${event.candidate.total}` : `CV max_depth=${event.maxDepth}`;
        line(`${what} fold ${event.fold}/${event.folds}: log loss ${event.logLoss.toFixed(4)} (${Math.floor(fraction() * 100)}% of the run${left()})`);
        break;
      }
      case 'candidate': {
        const width = String(event.total).length;
        line(`Tune ${String(event.index).padStart(width)}/${event.total}: ${formatSettings(event.row.params)}: CV log loss ${event.row.cv_mean_log_loss.toFixed(4)} ± ${event.row.cv_std_log_loss.toFixed(4)}`);
        break;
      }
      case 'fitting':
        stage = 'final fit';
        line('Fitting the final model on the training part...');
        break;
      case 'done':
        if (tty) stderr.write('\r\x1b[K');
        break;
    }
  };
}

/** A runs folder that cannot be written: one sentence, exit 1. */
const outputError = (output: string, error: NodeJS.ErrnoException) =>
  new RallyError('CLI_OUTPUT', `Cannot write the run to ${output} (${error.code ?? error.message}).`, { cause: error });

function summary(ctx: Context, report: TrainReport, dir: string, formatSettings: typeof import('@rally/train').formatSettings, formatTuneTable: (t: NonNullable<TrainReport['tuning']>) => string): string {
  const f = (x: number) => x.toFixed(4);
  const nearZero = report.test_near_zero!;
  const shown = relative(process.cwd(), dir).startsWith('..') ? dir : relative(process.cwd(), dir);
  return [
    ...(report.tuning ? [formatTuneTable(report.tuning), ''] : []),
    `Model ${ctx.out.bold(report.model_id)}`,
    `  test log loss ${f(report.test_log_loss)}  accuracy ${f(report.accuracy)}  (class prior ${f(report.class_prior_log_loss)})`,
    `  ${nearZero.rows} test row${nearZero.rows === 1 ? '' : 's'} given p(true class) < ${nearZero.threshold}${nearZero.rows > 0 ? `: ${(100 * nearZero.log_loss_share).toFixed(0)}% of the test log loss` : ''}`,
    `  CV log loss ${f(report.cv_mean_log_loss)} ± ${f(report.cv_std_log_loss)} over ${report.cv_log_losses.length} folds`,
    `  ${formatSettings(report.estimator.params)}; fit ${report.durations.fit_seconds.toFixed(2)} s, whole run ${report.durations.total_seconds.toFixed(2)} s`,
    `  written to ${shown}`,
    `Deploy it with: rally deploy ${report.model_id.slice(0, 12)}`,
  ].join('\n');
}

export function registerTrain({ ctx, command, action, prepare }: Registrar): void {
  const train = command('train', 'train the pipeline (features, then a random forest) and write a run to output/<model-id>/').argument(
    '[data]',
    'training data, a CSV following the data contract (default: data/australian_open.csv)',
  );
  // The options show the train package's defaults: they are added when train is the command run.
  prepare(train, async () => {
    const { TRAIN_DEFAULTS: D, TUNE_SPACE } = await import('@rally/train');
    const settings = Object.values(TUNE_SPACE).reduce((n, values: readonly unknown[]) => n * values.length, 1);
    train
      .addOption(new Option('--data <csv>', 'the same as the [data] argument').hideHelp())
      .option('--trees <n>', `number of trees (default ${D.nEstimators})`)
      .option('--max-depth <d>', `maximum tree depth (default ${D.maxDepth})`)
      .option('--min-samples <n>', `minimum samples to split a node (default ${D.minSamplesSplit})`)
      .option('--min-samples-leaf <n>', `minimum samples on each side of a split (default ${D.minSamplesLeaf})`)
      .option('--max-features <f>', `features tried per split: sqrt, log2, all, a count or a fraction (default ${D.maxFeatures})`)
      .option('--leaf-prior <a>', `added to every leaf class count before it becomes a probability (default ${D.leafPrior})`)
      .option('--seed <s>', `forest seed, and the seed of --tune's draws (default ${D.seed}; the train/test split always uses 42)`)
      .option('--grid', "search max depth over [10, 20] by 5-fold CV and keep the best (the original's grid)")
      .option('--tune', `random search of trees, max depth, max features, min samples leaf and leaf prior (${settings} settings) by 5-fold CV on the training part, then fit the winner`)
      .option('--candidates <n>', "settings --tune tries besides the original's (default 20)")
      .option('--workers <n>', 'worker threads for tree building, 0 for none (default: one per core for large forests)')
      .option('--output <dir>', 'where runs are written (default output/)')
      .addOption(jsonOption())
      .option('--quiet', 'no progress; without --json, print only the model id')
      .addHelpText('after', '\nExit codes: 0 trained, 1 invalid or insufficient data (the validation report is printed), 2 bad usage or unreadable data.');
  });
  action(train, async (positional: string | undefined, options: TrainOptions) => {
    if (positional !== undefined && options.data !== undefined) throw new UsageError('Give the training data once: as the argument or as --data.');
    const params = forestParams(options);
    const candidates = integerFlag('candidates', options.candidates, 1);
    const workers = integerFlag('workers', options.workers, 0);
    const [{ formatReport, GROUND_TRUTH_PATH }, { removeAbandonedRuns, writeRun }, trainPackage] = await Promise.all([import('@rally/features'), import('@rally/model'), import('@rally/train')]);
    const { formatSettings, formatTuneTable, MAX_DEPTH_GRID, SPLIT, trainRun } = trainPackage;
    const data = positional ?? options.data;
    const dataPath = data === undefined ? GROUND_TRUTH_PATH : resolveInput(ctx.env, data);
    const output = await runsFolder(ctx.env, options.output);
    try {
      // Runs killed before renaming their folder into place left it behind: clear those first.
      await removeAbandonedRuns(output).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw outputError(output, error);
      });
      // Tuning's count of fits comes with its first tree (how many settings it tries).
      const fits = options.tune ? 1 : (options.grid ? MAX_DEPTH_GRID.length : 1) * SPLIT.folds + 1;
      const run = await trainRun({
        dataPath,
        params,
        grid: options.grid ?? false,
        tune: options.tune ? { seed: params.seed, candidates } : undefined,
        workers,
        onProgress: options.quiet ? undefined : progressPrinter(ctx, fits, SPLIT.folds, formatSettings),
      });
      let dir: string;
      try {
        dir = writeRun(run, output);
      } catch (error) {
        throw isRallyError(error) ? error : outputError(output, error as NodeJS.ErrnoException);
      }
      // With --json, say() goes to stderr: the summary, then the report as the document.
      if (!(options.quiet && options.json)) ctx.say(options.quiet ? run.modelId : summary(ctx, run.report, dir, formatSettings, formatTuneTable));
      if (options.json) ctx.json(run.report);
      return 0;
    } catch (error) {
      // Data that cannot be trained on (invalid, too few rows, one class): the validation report
      // when there is one, then the sentence (main prints it).
      if (isRallyError(error, 'DATA_INVALID')) ctx.note(formatReport(error.details as never));
      if (isRallyError(error, 'DATA_INVALID') || isRallyError(error, 'DATA_INSUFFICIENT') || isRallyError(error, 'ESTIMATOR_BAD_INPUT')) {
        throw new RallyError(error.code, `Refusing to train: ${error.message}`, { cause: error, details: error.details });
      }
      throw error;
    }
  });
}
