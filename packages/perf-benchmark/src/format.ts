import type { BenchmarkResult, GateResult } from './compare.ts';

export interface TableRow {
  modelId: string;
  logLoss: number;
  cvMean: number;
  cvStd: number;
}

const RULE = '-'.repeat(30);
const HEADER = 'model id          log loss   cv mean    cv std';
export const SAME_DATA_SENTENCE = 'These results were calculated with the same set of data.';

const f4 = (x: number) => x.toFixed(4);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

/** A model id as the original printed it: the first 10 characters and an ellipsis. */
export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 10)}...` : id;
}

/** The original's table, character for character: candidate (short id) first, then production. */
export function formatTable(candidate: TableRow, production: TableRow): string {
  const row = (label: string, r: TableRow) => `${label.padEnd(15)}${f4(r.logLoss).padStart(10)}${f4(r.cvMean).padStart(11)}${f4(r.cvStd).padStart(10)}`;
  return [RULE, 'Benchmark results', RULE, HEADER, row(shortId(candidate.modelId), candidate), row('production', production), '', SAME_DATA_SENTENCE].join('\n');
}

const tableRow = (model: BenchmarkResult['candidate'] | BenchmarkResult['production']): TableRow => ({
  modelId: model.modelId,
  logLoss: model.logLoss,
  cvMean: model.cv.mean,
  cvStd: model.cv.std,
});

const VERDICT_TEXT = { worse: 'the candidate is worse', better: 'the candidate is better', 'no clear difference': 'no clear difference' } as const;

function differenceText(result: BenchmarkResult): string {
  const d = result.difference;
  const percent = Math.round(d.confidence * 100);
  return `${signed(d.estimate)} test log loss per row (candidate - production), ${percent}% CI [${signed(d.low)}, ${signed(d.high)}] over ${d.rows} rows, ${d.resamples} bootstrap resamples (seed ${d.seed}): ${VERDICT_TEXT[d.verdict]}`;
}

function dataText(result: BenchmarkResult): string {
  const { dataset, split } = result.evaluation;
  return `${dataset.file} (${dataset.rows} rows, sha256 ${dataset.sha256.slice(0, 12)}): ${split.trainRows} training rows (${split.folds} CV folds), ${split.testRows} test rows, seed ${split.seed}`;
}

function gateText(result: BenchmarkResult, gate: GateResult): string {
  const comparison = `candidate ${f4(result.candidate.logLoss)} ${gate.passed ? '<=' : '>'} production ${f4(result.production.logLoss)} + margin ${gate.margin}`;
  return `${gate.passed ? 'passed' : 'FAILED'} (${comparison})`;
}

export interface FormatOptions {
  /** The --fail-if-worse verdict, when asked for. */
  gate?: GateResult;
}

/** The terminal report: the original's table, then accuracy, the paired difference and warnings. */
export function formatReport(result: BenchmarkResult, options: FormatOptions = {}): string {
  const lines = [
    formatTable(tableRow(result.candidate), tableRow(result.production)),
    '',
    `Candidate   ${result.candidate.modelId}`,
    `Production  ${result.production.modelId} (promoted ${result.production.promotedAt}, ${result.store})`,
    `Data        ${dataText(result)}`,
    `Accuracy    candidate ${f4(result.candidate.accuracy)}, production ${f4(result.production.accuracy)}`,
    `Difference  ${differenceText(result)}`,
  ];
  if (options.gate) lines.push(`Gate        ${gateText(result, options.gate)}`);
  for (const warning of result.warnings) lines.push(`Warning: ${warning.message}`);
  return lines.join('\n');
}

/** The same report as Markdown (for a CI summary or a pull request comment). */
export function formatMarkdown(result: BenchmarkResult, options: FormatOptions = {}): string {
  const row = (label: string, model: BenchmarkResult['candidate'] | BenchmarkResult['production']) =>
    `| ${label} \`${shortId(model.modelId)}\` | ${f4(model.logLoss)} | ${f4(model.accuracy)} | ${f4(model.cv.mean)} | ${f4(model.cv.std)} |`;
  const lines = [
    '# Benchmark results',
    '',
    '| model | test log loss | accuracy | cv mean | cv std |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('candidate', result.candidate),
    row('production', result.production),
    '',
    SAME_DATA_SENTENCE,
    '',
    `- **Candidate:** \`${result.candidate.modelId}\``,
    `- **Production:** \`${result.production.modelId}\` (promoted ${result.production.promotedAt}, ${result.store})`,
    `- **Data:** ${dataText(result)}`,
    `- **Paired difference:** ${differenceText(result)}`,
    '- CV: 5-fold stratified log loss of each configuration refitted on the training part; std is the population std (ddof=0).',
  ];
  if (options.gate) lines.push(`- **Gate (--fail-if-worse):** ${gateText(result, options.gate)}`);
  for (const warning of result.warnings) lines.push(`- **Warning:** ${warning.message}`);
  return `${lines.join('\n')}\n`;
}

/** Machine-readable results (snake_case like report.json). Row-level losses are left out. */
export function resultToJSON(result: BenchmarkResult, options: FormatOptions = {}) {
  const model = (m: BenchmarkResult['candidate'] | BenchmarkResult['production']) => ({
    model_id: m.modelId,
    test_log_loss: m.logLoss,
    accuracy: m.accuracy,
    cv_log_losses: m.cv.losses,
    cv_mean_log_loss: m.cv.mean,
    cv_std_log_loss: m.cv.std,
    estimator_params: m.config.params,
    features: m.config.featureNames,
    trained_on: m.trainedOn,
    reported: { test_log_loss: m.report.test_log_loss, cv_mean_log_loss: m.report.cv_mean_log_loss, cv_std_log_loss: m.report.cv_std_log_loss, created_at: m.report.created_at },
  });
  const d = result.difference;
  return {
    candidate: { ...model(result.candidate), dir: result.candidate.dir },
    production: { ...model(result.production), promoted_at: result.production.promotedAt },
    store: result.store,
    evaluation: {
      dataset: result.evaluation.dataset,
      split: {
        seed: result.evaluation.split.seed,
        test_size: result.evaluation.split.testSize,
        folds: result.evaluation.split.folds,
        train_rows: result.evaluation.split.trainRows,
        test_rows: result.evaluation.split.testRows,
      },
      cv_std: 'population (ddof=0)',
    },
    paired_difference: { mean: d.estimate, ci_low: d.low, ci_high: d.high, confidence: d.confidence, rows: d.rows, resamples: d.resamples, seed: d.seed, verdict: d.verdict },
    leakage: {
      test_rows: result.leakage.testRows,
      leaked_rows: result.leakage.leakedRows,
      by_id: result.leakage.byId,
      by_content: result.leakage.byContent,
      sample_ids: result.leakage.sampleIds,
    },
    same_dataset: result.sameDataset,
    warnings: result.warnings,
    gate: options.gate ?? null,
  };
}
