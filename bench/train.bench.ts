/**
 * pnpm bench:train — our forest against scikit-learn's RandomForestClassifier on the same split
 * (80/20 stratified, seed 42), the same 14 features and the same CV folds, in one process tree.
 * Prints a table with ratios (ours / scikit-learn). Options (env): TREES (100), DEPTHS ("20,10"),
 * SEEDS ("1,2,3,4,5,6"; empty for none: test log loss of both libraries over other seeds, since one split's test
 * log loss hinges on a few rows that every tree gets wrong).
 * Needs Debian's python3-sklearn (installed if missing).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeatureUnion, GROUND_TRUTH_PATH, loadDataset, selectRows, tableToBatch } from '@rally/features';
import { RandomForestClassifier } from '@rally/forest';
import { Pipeline } from '@rally/model';
import { accuracy, crossValidate, logLoss, mean, populationStd, rowLogLosses } from '@rally/train';
import { ensureDebianPackages, writeReferenceSplit } from './lib/reference.ts';
import { machineLine, medianSeconds, msPerCall, ratio } from './lib/timing.ts';

const SKLEARN = fileURLToPath(new URL('./reference/sklearn_reference.py', import.meta.url));
const TREES = Number(process.env.TREES ?? 100);
const DEPTHS = (process.env.DEPTHS ?? '20,10').split(',').map(Number);
const SEEDS = process.env.SEEDS ?? '1,2,3,4,5,6';


async function main(): Promise<void> {
  ensureDebianPackages(['/usr/bin/python3', '-c', 'import sklearn'], ['python3-sklearn']);
  const { table } = loadDataset(GROUND_TRUTH_PATH);
  const batch = tableToBatch(table);
  const labels = [...(batch.columns.outcome as string[])];
  const work = mkdtempSync(join(tmpdir(), 'rally-bench-train-'));
  const splitFile = join(work, 'split.json');
  const { train, test } = writeReferenceSplit(labels, splitFile);
  const trainBatch = selectRows(batch, train);
  const testBatch = selectRows(batch, test);
  const trainLabels = Array.from(train, (i) => labels[i]);
  const testLabels = Array.from(test, (i) => labels[i]);

  const union = FeatureUnion.fromStore().fit(trainBatch);
  const X = union.transform(trainBatch);
  const Xtest = union.transform(testBatch);

  const lines: string[] = [];
  let sklearnVersion = '';
  for (const maxDepth of DEPTHS) {
    console.error(`max_depth ${maxDepth}: scikit-learn...`);
    const sk = JSON.parse(execFileSync('/usr/bin/python3', [SKLEARN, GROUND_TRUTH_PATH, splitFile, String(TREES), String(maxDepth)], { env: { ...process.env, OMP_NUM_THREADS: '1' } }).toString());
    sklearnVersion = sk.sklearn;
    // Same features on both sides, checked rather than assumed.
    const ourSums = Array.from({ length: 14 }, (_, j) => {
      let s = 0;
      for (const m of [X, Xtest]) for (let r = 0; r < m.rows; r += 1) s += m.data[r * 14 + j];
      return s;
    });
    const featureDrift = Math.max(...ourSums.map((s, j) => Math.abs(s - sk.feature_column_sums[j]) / Math.max(1, Math.abs(s))));

    const params = { nEstimators: TREES, maxDepth, seed: 42 };
    await new RandomForestClassifier({ ...params, nEstimators: 4 }).fit(X, trainLabels, { workers: 2 }); // start the worker pool
    console.error(`max_depth ${maxDepth}: rally, in one thread...`);
    const [, fit1] = await medianSeconds(() => new RandomForestClassifier(params).fit(X, trainLabels, { workers: 0 }));
    console.error(`max_depth ${maxDepth}: rally, 2 workers...`);
    const [forest, fit2] = await medianSeconds(() => new RandomForestClassifier(params).fit(X, trainLabels, { workers: 2 }));
    const [cv1, run1] = await medianSeconds(async () => {
      const losses = await crossValidate(trainBatch, trainLabels, params, { workers: 0 });
      await Pipeline.create(params).fit(trainBatch, trainLabels, { workers: 0 });
      return losses;
    }, 1);
    const [, run2] = await medianSeconds(async () => {
      await crossValidate(trainBatch, trainLabels, params, { workers: 2 });
      await Pipeline.create(params).fit(trainBatch, trainLabels, { workers: 2 });
    }, 1);
    const proba = forest.predictProba(Xtest);
    const ours = {
      testLogLoss: logLoss(testLabels, proba, forest.classes),
      accuracy: accuracy(testLabels, forest.predict(Xtest)),
      cvMean: mean(cv1),
      cvStd: populationStd(cv1),
    };
    const one = { data: Xtest.data.slice(0, 14), rows: 1, cols: 14 };
    const thousandData = new Float64Array(1000 * 14);
    for (let r = 0; r < 1000; r += 1) thousandData.set(Xtest.data.subarray((r % Xtest.rows) * 14, (r % Xtest.rows + 1) * 14), r * 14);
    const thousand = { data: thousandData, rows: 1000, cols: 14 };
    const oneMs = msPerCall(() => forest.predictProba(one));
    const thousandMs = msPerCall(() => forest.predictProba(thousand));
    const jsonBytes = Buffer.byteLength(JSON.stringify(forest.toJSON()));

    // Seed sweep: test log loss and rows given probability 0 for their true class.
    const skSweep = SEEDS.trim() === '' ? [] : (JSON.parse(execFileSync('/usr/bin/python3', [SKLEARN, GROUND_TRUTH_PATH, splitFile, String(TREES), String(maxDepth), SEEDS]).toString()) as { seed: number; test_log_loss: number; certain_misses: number }[]);
    const sweep: string[] = [];
    for (const { seed, test_log_loss: skLoss, certain_misses: skMisses } of skSweep) {
      const seeded = await new RandomForestClassifier({ ...params, seed }).fit(X, trainLabels, { workers: 2 });
      const losses = rowLogLosses(testLabels, seeded.predictProba(Xtest), seeded.classes);
      const misses = Array.from(losses).filter((loss) => loss > 30).length;
      sweep.push(`| ${seed} | ${mean(losses).toFixed(4)} (${misses}) | ${skLoss.toFixed(4)} (${skMisses}) |`);
    }

    const f = (x: number, d = 4) => x.toFixed(d);
    lines.push(
      `### ${TREES} trees, max depth ${maxDepth} (features identical: max relative column-sum difference ${featureDrift.toExponential(1)})`,
      '',
      '| measure | rally | scikit-learn | ratio |',
      '|---|---:|---:|---:|',
      `| fit, one thread (s) | ${f(fit1, 3)} | ${f(sk.fit_seconds, 3)} | ${ratio(fit1, sk.fit_seconds)} |`,
      `| fit, 2 workers (s) | ${f(fit2, 3)} | ${f(sk.fit_seconds, 3)} (1 core) | ${ratio(fit2, sk.fit_seconds)} |`,
      `| full run: 5-fold CV + final fit, one thread (s) | ${f(run1, 2)} | ${f(sk.run_seconds, 2)} | ${ratio(run1, sk.run_seconds)} |`,
      `| full run, 2 workers (s) | ${f(run2, 2)} | ${f(sk.run_seconds, 2)} (1 core) | ${ratio(run2, sk.run_seconds)} |`,
      `| test log loss | ${f(ours.testLogLoss)} | ${f(sk.test_log_loss)} | ${ratio(ours.testLogLoss, sk.test_log_loss)} |`,
      `| accuracy | ${f(ours.accuracy)} | ${f(sk.accuracy)} | ${ratio(ours.accuracy, sk.accuracy)} |`,
      `| 5-fold CV log loss (mean ± population std) | ${f(ours.cvMean)} ± ${f(ours.cvStd)} | ${f(sk.cv_mean)} ± ${f(sk.cv_std)} | ${ratio(ours.cvMean, sk.cv_mean)} |`,
      `| predict 1 point (ms) | ${f(oneMs, 4)} | ${f(sk.predict_one_ms, 3)} | ${ratio(oneMs, sk.predict_one_ms)} |`,
      `| predict 1000 points (ms) | ${f(thousandMs, 2)} | ${f(sk.predict_1000_ms, 2)} | ${ratio(thousandMs, sk.predict_1000_ms)} |`,
      `| model size (MB; JSON vs pickle) | ${f(jsonBytes / 1e6, 2)} | ${f(sk.model_bytes / 1e6, 2)} | ${ratio(jsonBytes, sk.model_bytes)} |`,
      '',
      ...(sweep.length === 0
        ? []
        : ['Test log loss over other seeds (in brackets: test rows given probability 0 for their true class):', '', '| seed | rally | scikit-learn |', '|---:|---:|---:|', ...sweep, '']),
    );
  }
  console.log(`bench:train — scikit-learn ${sklearnVersion} single core vs rally, ${TREES} trees, same split and folds\n${machineLine()}\n`);
  console.log(lines.join('\n'));
}

await main();
