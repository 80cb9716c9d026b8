/**
 * pnpm bench:train — rally's forest against scikit-learn's RandomForestClassifier on the same rows
 * and the same 14 features (scikit-learn on one core, n_jobs=1), in four parts:
 * 1. Two settings side by side on rally's split (seed 42) and its CV folds: the original's, and
 *    rally's defaults (scikit-learn has no leaf prior: it fits them without). Fit time (one thread,
 *    2 workers), full run (5-fold CV + final fit), test and CV log loss, prediction time, size.
 * 2. Six splits (seeds 42 and 1-5 of rally's stratified 80/20 split): test log loss, accuracy and
 *    test rows given p(true class) < 1e-6 for rally's defaults, rally's --tune winner on each
 *    split's training part, the original's settings on both sides, and rally's defaults without
 *    the prior on both sides.
 * 3. The commands as a user runs them: `pnpm train` (defaults, CV included) and `pnpm train --tune`,
 *    wall time; whether --tune on the ground truth picks TRAIN_DEFAULTS.
 * 4. The targets of the issue that set the defaults, each with its figure and whether it is met.
 * Options (env): SPLIT_SEEDS ("42,1,2,3,4,5"), TUNE (1; 0 skips the --tune rows and command).
 * Needs Debian's python3-sklearn (installed if missing).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeatureUnion, GROUND_TRUTH_PATH, type RowBatch, selectRows, selectValues } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { DEFAULT_PARAMS, mostProbableClass, RandomForestClassifier, type RandomForestParams } from '@rally/forest';
import { Pipeline, type TrainReport } from '@rally/model';
import { tempDir } from '@rally/testkit';
import { accuracy, crossValidate, formatSettings, formatTuneTable, logLoss, mean, nearZeroRows, populationStd, rowLogLosses, SPLIT, stratifiedSplit, TRAIN_DEFAULTS, tune } from '@rally/train';
import { ensureDebianPackages, sklearnSettings, writeReferenceSplit } from './lib/reference.ts';
import { machineLine, median, medianSeconds, msPerCall, ratio } from './lib/timing.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SKLEARN = fileURLToPath(new URL('./reference/sklearn_reference.py', import.meta.url));
const SPLIT_SEEDS = (process.env.SPLIT_SEEDS ?? '42,1,2,3,4,5').split(',').map(Number);
const RUN_TUNE = process.env.TUNE !== '0';

type Params = Required<RandomForestParams>;
const ORIGINAL: Params = { ...DEFAULT_PARAMS };
const DEFAULTS: Params = { ...TRAIN_DEFAULTS };
const NO_PRIOR: Params = { ...TRAIN_DEFAULTS, leafPrior: 0 };

const work = tempDir('bench-train');
const f = (x: number, digits = 4) => x.toFixed(digits);

function python(args: string[]): unknown {
  const out = execFileSync('/usr/bin/python3', [SKLEARN, ...args], { env: { ...process.env, OMP_NUM_THREADS: '1' }, maxBuffer: 64 * 2 ** 20 });
  return JSON.parse(out.toString());
}

function writeJson(name: string, value: unknown): string {
  const path = join(work, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

interface Data {
  batch: RowBatch;
  labels: string[];
}

// ---------------------------------------------------------------------------------------------
// 1. Settings side by side on rally's split

interface SideBySide {
  lines: string[];
  fit1: number;
  fit2: number;
  skFit: number;
  oneMs: number;
  thousandMs: number;
  skThousandMs: number;
}

async function sideBySide(title: string, params: Params, data: Data, splitFile: string): Promise<SideBySide> {
  const { train, test } = stratifiedSplit(data.labels, SPLIT.testSize, SPLIT.seed);
  const trainBatch = selectRows(data.batch, train);
  const testBatch = selectRows(data.batch, test);
  const trainLabels = selectValues(data.labels, train);
  const testLabels = selectValues(data.labels, test);
  const union = FeatureUnion.fromStore().fit(trainBatch);
  const X = union.transform(trainBatch);
  const Xtest = union.transform(testBatch);

  console.error(`${title}: scikit-learn...`);
  const sk = python(['full', GROUND_TRUTH_PATH, splitFile, writeJson('setting.json', sklearnSettings(params))]) as Record<string, number> & { feature_column_sums: number[] };
  // Same features on both sides, checked rather than assumed.
  const sums = Array.from({ length: 14 }, (_, j) => {
    let s = 0;
    for (const m of [X, Xtest]) for (let r = 0; r < m.rows; r += 1) s += m.data[r * 14 + j];
    return s;
  });
  const drift = Math.max(...sums.map((s, j) => Math.abs(s - sk.feature_column_sums[j]) / Math.max(1, Math.abs(s))));

  await new RandomForestClassifier({ ...params, nEstimators: 4 }).fit(X, trainLabels, { workers: 2 }); // start the worker pool
  console.error(`${title}: rally, one thread and 2 workers...`);
  const [, fit1] = await medianSeconds(() => new RandomForestClassifier(params).fit(X, trainLabels, { workers: 0 }));
  const [forest, fit2] = await medianSeconds(() => new RandomForestClassifier(params).fit(X, trainLabels, { workers: 2 }));
  const [cv, run1] = await medianSeconds(async () => {
    const losses = await crossValidate(trainBatch, trainLabels, params, { workers: 0 });
    await Pipeline.create(params).fit(trainBatch, trainLabels, { workers: 0 });
    return losses;
  }, 1);
  const [, run2] = await medianSeconds(async () => {
    await crossValidate(trainBatch, trainLabels, params, { workers: 2 });
    await Pipeline.create(params).fit(trainBatch, trainLabels, { workers: 2 });
  }, 1);
  const proba = forest.predictProba(Xtest);
  const one = { data: Xtest.data.slice(0, 14), rows: 1, cols: 14 };
  const thousandData = new Float64Array(1000 * 14);
  for (let r = 0; r < 1000; r += 1) thousandData.set(Xtest.data.subarray((r % Xtest.rows) * 14, ((r % Xtest.rows) + 1) * 14), r * 14);
  const thousand = { data: thousandData, rows: 1000, cols: 14 };
  const oneMs = msPerCall(() => forest.predictProba(one));
  const thousandMs = msPerCall(() => forest.predictProba(thousand));
  const testLogLoss = logLoss(testLabels, proba, forest.classes);
  const acc = accuracy(testLabels, forest.predict(Xtest));
  const jsonBytes = Buffer.byteLength(JSON.stringify(forest.toJSON()));
  const lines = [
    `### ${title}: ${formatSettings(params)}`,
    '',
    `Features identical on both sides (largest relative column-sum difference ${drift.toExponential(1)}).${params.leafPrior > 0 ? ' scikit-learn has no leaf prior: it fits these settings without it.' : ''}`,
    '',
    '| measure | rally | scikit-learn | ratio |',
    '|---|---:|---:|---:|',
    `| fit, one thread (s) | ${f(fit1, 3)} | ${f(sk.fit_seconds, 3)} | ${ratio(fit1, sk.fit_seconds)} |`,
    `| fit, 2 workers (s) | ${f(fit2, 3)} | ${f(sk.fit_seconds, 3)} (1 core) | ${ratio(fit2, sk.fit_seconds)} |`,
    `| full run: 5-fold CV + final fit, one thread (s) | ${f(run1, 2)} | ${f(sk.run_seconds, 2)} | ${ratio(run1, sk.run_seconds)} |`,
    `| full run, 2 workers (s) | ${f(run2, 2)} | ${f(sk.run_seconds, 2)} (1 core) | ${ratio(run2, sk.run_seconds)} |`,
    `| test log loss | ${f(testLogLoss)} | ${f(sk.test_log_loss)} | ${ratio(testLogLoss, sk.test_log_loss)} |`,
    `| accuracy | ${f(acc)} | ${f(sk.accuracy)} | ${ratio(acc, sk.accuracy)} |`,
    `| 5-fold CV log loss (mean ± population std) | ${f(mean(cv))} ± ${f(populationStd(cv))} | ${f(sk.cv_mean)} ± ${f(sk.cv_std)} | ${ratio(mean(cv), sk.cv_mean)} |`,
    `| predict 1 point (ms) | ${f(oneMs, 4)} | ${f(sk.predict_one_ms, 3)} | ${ratio(oneMs, sk.predict_one_ms)} |`,
    `| predict 1000 points (ms) | ${f(thousandMs, 2)} | ${f(sk.predict_1000_ms, 2)} | ${ratio(thousandMs, sk.predict_1000_ms)} |`,
    `| model size (MB; JSON vs pickle) | ${f(jsonBytes / 1e6, 2)} | ${f(sk.model_bytes / 1e6, 2)} | ${ratio(jsonBytes, sk.model_bytes)} |`,
    '',
  ];
  return { lines, fit1, fit2, skFit: sk.fit_seconds, oneMs, thousandMs, skThousandMs: sk.predict_1000_ms };
}

// ---------------------------------------------------------------------------------------------
// 2. Six splits

interface SplitScore {
  logLoss: number;
  accuracy: number;
  nearZero: number;
  fitSeconds: number;
}

async function score(params: Params, trainBatch: RowBatch, trainLabels: string[], testBatch: RowBatch, testLabels: string[]): Promise<SplitScore> {
  const started = performance.now();
  const pipeline = await Pipeline.create(params).fit(trainBatch, trainLabels, { workers: 2 });
  const fitSeconds = (performance.now() - started) / 1000;
  const proba = pipeline.predictProba(testBatch);
  const losses = rowLogLosses(testLabels, proba, pipeline.classes);
  return { logLoss: mean(losses), accuracy: accuracy(testLabels, mostProbableClass(proba, pipeline.classes)), nearZero: nearZeroRows(losses).rows, fitSeconds };
}

type Row = { name: string; scores: SplitScore[] };

async function splits(data: Data): Promise<{ rows: Record<string, Row>; winners: string[] }> {
  const rows: Record<string, Row> = {
    defaults: { name: `rally defaults (${formatSettings(DEFAULTS)})`, scores: [] },
    tuned: { name: 'rally --tune winner, searched on each split\'s training part', scores: [] },
    original: { name: "rally, the original's settings", scores: [] },
    noPrior: { name: 'rally defaults without the leaf prior', scores: [] },
    skOriginal: { name: "scikit-learn, the original's settings", scores: [] },
    skNoPrior: { name: 'scikit-learn, rally defaults without the leaf prior', scores: [] },
  };
  if (!RUN_TUNE) delete rows.tuned;
  const winners: string[] = [];
  const splitList = [];
  for (const seed of SPLIT_SEEDS) {
    const { train, test } = stratifiedSplit(data.labels, SPLIT.testSize, seed);
    splitList.push({ seed, train: Array.from(train), test: Array.from(test) });
    const trainBatch = selectRows(data.batch, train);
    const testBatch = selectRows(data.batch, test);
    const trainLabels = selectValues(data.labels, train);
    const testLabels = selectValues(data.labels, test);
    console.error(`split ${seed}: rally...`);
    rows.defaults.scores.push(await score(DEFAULTS, trainBatch, trainLabels, testBatch, testLabels));
    rows.original.scores.push(await score(ORIGINAL, trainBatch, trainLabels, testBatch, testLabels));
    rows.noPrior.scores.push(await score(NO_PRIOR, trainBatch, trainLabels, testBatch, testLabels));
    if (RUN_TUNE) {
      console.error(`split ${seed}: rally --tune...`);
      const result = await tune(trainBatch, trainLabels, { base: TRAIN_DEFAULTS });
      const winner = result.rows[result.winner_rank - 1].params;
      winners.push(`split ${seed}: ${formatSettings(winner)}`);
      rows.tuned.scores.push(await score({ ...TRAIN_DEFAULTS, ...winner }, trainBatch, trainLabels, testBatch, testLabels));
    }
  }
  console.error('scikit-learn on every split...');
  const settings = [
    { name: 'skOriginal', ...sklearnSettings(ORIGINAL) },
    { name: 'skNoPrior', ...sklearnSettings(NO_PRIOR) },
  ];
  const results = python(['splits', GROUND_TRUTH_PATH, writeJson('splits.json', splitList), writeJson('settings.json', settings)]) as {
    name: string;
    seed: number;
    test_log_loss: number;
    accuracy: number;
    near_zero: number;
    fit_seconds: number;
  }[];
  for (const seed of SPLIT_SEEDS) {
    for (const name of ['skOriginal', 'skNoPrior']) {
      const r = results.find((result) => result.name === name && result.seed === seed)!;
      rows[name].scores.push({ logLoss: r.test_log_loss, accuracy: r.accuracy, nearZero: r.near_zero, fitSeconds: r.fit_seconds });
    }
  }
  return { rows, winners };
}

function splitTables(rows: Record<string, Row>): string[] {
  const head = `| model | ${SPLIT_SEEDS.map((seed) => `split ${seed}`).join(' | ')} | mean | worst |`;
  const rule = `|---|${SPLIT_SEEDS.map(() => '---:').join('|')}|---:|---:|`;
  const lossRows = Object.values(rows).map(({ name, scores }) => {
    const losses = scores.map((s) => s.logLoss);
    return `| ${name} | ${losses.map((x) => f(x)).join(' | ')} | ${f(mean(losses))} | ${f(Math.max(...losses))} |`;
  });
  const accuracyRows = Object.values(rows).map(({ name, scores }) => {
    const values = scores.map((s) => s.accuracy);
    return `| ${name} | ${values.map((x) => f(x)).join(' | ')} | ${f(mean(values))} | ${f(Math.min(...values))} |`;
  });
  const extraRows = Object.values(rows).map(({ name, scores }) => {
    const nearZero = scores.map((s) => s.nearZero);
    return `| ${name} | ${nearZero.join(' | ')} | ${nearZero.reduce((a, b) => a + b, 0)} total | ${f(mean(scores.map((s) => s.fitSeconds)), 2)} s |`;
  });
  return [
    `Test log loss on ${SPLIT_SEEDS.length} splits (seeds ${SPLIT_SEEDS.join(', ')} of rally's stratified 80/20 split; forest seed 42):`,
    '',
    head,
    rule,
    ...lossRows,
    '',
    'Accuracy (worst = lowest):',
    '',
    head,
    rule,
    ...accuracyRows,
    '',
    'Test rows given p(true class) < 1e-6, and mean fit time (rally: 2 workers; scikit-learn: 1 core):',
    '',
    `| model | ${SPLIT_SEEDS.map((seed) => `split ${seed}`).join(' | ')} | rows | fit |`,
    rule,
    ...extraRows,
    '',
  ];
}

// ---------------------------------------------------------------------------------------------
// 3. The commands

function pnpmTrain(args: string[]): { seconds: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync('pnpm', ['-s', 'run', 'train', '--quiet', '--output', tempDir('bench-train-runs'), ...args], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pnpm train ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { seconds: (performance.now() - started) / 1000, stdout: result.stdout };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  ensureDebianPackages(['/usr/bin/python3', '-c', 'import sklearn'], ['python3-sklearn']);
  const { batch } = loadDataset(GROUND_TRUTH_PATH);
  const data: Data = { batch, labels: Array.from(batch.columns.outcome as Iterable<string>) };
  const splitFile = join(work, 'split.json');
  writeReferenceSplit(data.labels, splitFile);
  const sklearnVersion = String(execFileSync('/usr/bin/python3', ['-c', 'import sklearn; print(sklearn.__version__)'])).trim();

  const original = await sideBySide("The original's settings", ORIGINAL, data, splitFile);
  const defaults = await sideBySide('rally defaults', DEFAULTS, data, splitFile);
  const { rows, winners } = await splits(data);

  console.error('pnpm train, three times...');
  const trainSeconds = median([0, 1, 2].map(() => pnpmTrain([]).seconds));
  let tuneLine = 'pnpm train --tune: not run (TUNE=0)';
  let tuneTable = '';
  let tuneSeconds = NaN;
  let picksDefaults = false;
  if (RUN_TUNE) {
    console.error('pnpm train --tune...');
    const run = pnpmTrain(['--tune', '--json']);
    tuneSeconds = run.seconds;
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as TrainReport;
    const winner = report.tuning!.rows[report.tuning!.winner_rank - 1].params;
    picksDefaults = Object.entries(winner).every(([key, value]) => TRAIN_DEFAULTS[key as keyof Params] === value);
    tuneLine = `pnpm train --tune: ${f(tuneSeconds, 1)} s; its winner on the ground truth (${formatSettings(winner)}) ${picksDefaults ? 'is' : 'is NOT'} TRAIN_DEFAULTS`;
    tuneTable = formatTuneTable(report.tuning!);
  }

  // 4. Targets
  const losses = (key: string) => rows[key].scores.map((s) => s.logLoss);
  const meanRatio = mean(losses('defaults')) / mean(losses('skOriginal'));
  const worstRatio = Math.max(...losses('defaults')) / Math.max(...losses('skOriginal'));
  const nearZeroSplits = rows.defaults.scores.filter((s) => s.nearZero > 0).length;
  const accuracyGap = Math.min(...rows.defaults.scores.map((s, i) => s.accuracy - rows.skOriginal.scores[i].accuracy));
  const equalOriginal = mean(losses('original')) / mean(losses('skOriginal'));
  const equalNoPrior = mean(losses('noPrior')) / mean(losses('skNoPrior'));
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  const targets = [
    `| mean test log loss, rally defaults / scikit-learn original | ${ratio(mean(losses('defaults')), mean(losses('skOriginal')))} (${f(mean(losses('defaults')))} / ${f(mean(losses('skOriginal')))}) | <= 0.92x | ${verdict(meanRatio <= 0.92)} |`,
    `| worst split, rally defaults / scikit-learn original | ${ratio(Math.max(...losses('defaults')), Math.max(...losses('skOriginal')))} | <= 0.95x | ${verdict(worstRatio <= 0.95)} |`,
    `| splits with a test row at p(true class) < 1e-6, rally defaults | ${nearZeroSplits} | 0 | ${verdict(nearZeroSplits === 0)} |`,
    `| accuracy, rally defaults minus scikit-learn original, worst split | ${accuracyGap >= 0 ? '+' : ''}${f(accuracyGap)} | >= -0.01 | ${verdict(accuracyGap >= -0.01)} |`,
    `| equal settings, mean log loss rally / scikit-learn: the original's | ${ratio(mean(losses('original')), mean(losses('skOriginal')))} | <= 1.02x | ${verdict(equalOriginal <= 1.02)} |`,
    `| equal settings, mean log loss rally / scikit-learn: defaults without the prior | ${ratio(mean(losses('noPrior')), mean(losses('skNoPrior')))} | <= 1.02x | ${verdict(equalNoPrior <= 1.02)} |`,
    ...[original, defaults].flatMap((side, i) => {
      const name = i === 0 ? "the original's settings" : 'rally defaults';
      return [
        `| fit one thread / scikit-learn one core, ${name} | ${ratio(side.fit1, side.skFit)} | <= 1.0x | ${verdict(side.fit1 <= side.skFit)} |`,
        `| fit 2 workers / scikit-learn one core, ${name} | ${ratio(side.fit2, side.skFit)} | <= 0.5x | ${verdict(side.fit2 <= 0.5 * side.skFit)} |`,
      ];
    }),
    `| pnpm train, defaults, CV included (wall, median of 3) | ${f(trainSeconds, 2)} s | < 5 s | ${verdict(trainSeconds < 5)} |`,
    ...(RUN_TUNE
      ? [
          `| pnpm train --tune (wall) | ${f(tuneSeconds, 1)} s | < 90 s | ${verdict(tuneSeconds < 90)} |`,
          `| --tune on the ground truth picks TRAIN_DEFAULTS | ${picksDefaults ? 'yes' : 'no'} | yes | ${verdict(picksDefaults)} |`,
        ]
      : []),
    `| predict 1 point, rally defaults | ${f(defaults.oneMs * 1000, 1)} µs | < 10 µs | ${verdict(defaults.oneMs < 0.01)} |`,
    `| predict 1000 points, rally defaults / scikit-learn same settings | ${ratio(defaults.thousandMs, defaults.skThousandMs)} | <= 1.0x | ${verdict(defaults.thousandMs <= defaults.skThousandMs)} |`,
  ];

  console.log(
    [
      `bench:train — rally against scikit-learn ${sklearnVersion} (one core), same rows and features`,
      machineLine(),
      '',
      '## Targets',
      '',
      '| measure | figure | target | |',
      '|---|---:|---:|---|',
      ...targets,
      '',
      '## Six splits',
      '',
      ...splitTables(rows),
      ...(winners.length > 0 ? ['--tune winners:', '', ...winners.map((line) => `- ${line}`), ''] : []),
      '## Settings side by side (split seed 42)',
      '',
      ...original.lines,
      ...defaults.lines,
      '## Commands',
      '',
      `pnpm train (defaults, CV included): ${f(trainSeconds, 2)} s wall, median of 3`,
      tuneLine,
      ...(tuneTable ? ['', '```', tuneTable, '```'] : []),
    ].join('\n'),
  );
}

await main();
