import type { BenchmarkResult } from './compare.ts';
import { type Decision, gateFailure, type GateResult } from './decision.ts';
import type { CalibrationBin, Diagnostics } from './diagnostics.ts';
import { differenceHistogram } from './evaluate.ts';
import { correctionText, type SliceAnalysis, type SliceResult, slicesToJSON } from './slices.ts';

export interface TableRow {
  modelId: string;
  logLoss: number;
  cvMean: number;
  cvStd: number;
}

export const SAME_DATA_SENTENCE = 'These results were calculated with the same set of data.';

const f4 = (x: number) => x.toFixed(4);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

/** A model id as the original printed it: the first 10 characters and an ellipsis. */
export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 10)}...` : id;
}

/** Python's str.format centring (`{:^n}`): the odd padding character goes to the right. */
function centre(text: string, width: number): string {
  const padding = Math.max(0, width - text.length);
  const left = Math.floor(padding / 2);
  return `${' '.repeat(left)}${text}${' '.repeat(padding - left)}`;
}

/**
 * Python's `{:.4f}`: correctly rounded, ties to even. toFixed breaks exact ties upwards; in
 * binary a value is an exact tie at 4 decimals only when it is an odd multiple of 1/32.
 */
export function pythonFixed4(x: number): string {
  const thirtySeconds = x * 32;
  if (Number.isInteger(thirtySeconds) && thirtySeconds % 2 !== 0) {
    const scaled = x * 10_000; // exact: an odd multiple of 312.5
    const down = Math.floor(scaled);
    return ((down % 2 === 0 ? down : down + 1) / 10_000).toFixed(4);
  }
  return x.toFixed(4);
}

/**
 * The original's benchmark table, exactly as it printed it (its print calls' output, blank lines
 * included): a frame of bullets around the title, `|`-separated columns of width 17 and 10
 * (centred figures), the candidate as its first 10 characters and "...", then production, then
 * the closing sentence.
 */
export function formatTable(candidate: TableRow, production: TableRow): string {
  const bullets = '•'.repeat(50);
  const rule = '-'.repeat(50);
  const line = (first: string, rest: string[]) => ` ${first.padEnd(17)}|${rest.map((cell) => centre(cell, 10)).join('|')}`;
  const row = (label: string, r: TableRow) => line(label, [r.logLoss, r.cvMean, r.cvStd].map(pythonFixed4));
  return [
    '',
    '',
    bullets,
    `•${centre('Benchmark results', 48)}•`,
    bullets,
    '',
    '',
    line('model id', ['log loss', 'cv mean', 'cv std']),
    rule,
    row(`${candidate.modelId.slice(0, 10)}...`, candidate),
    row('production', production),
    rule,
    '',
    SAME_DATA_SENTENCE,
    '',
    '',
  ].join('\n');
}

/** Where the original's table starts in a report: its first line of bullets. */
export const TABLE_FRAME = '•'.repeat(50);

const tableRow = (model: BenchmarkResult['candidate'] | BenchmarkResult['production']): TableRow => ({
  modelId: model.modelId,
  logLoss: model.logLoss,
  cvMean: model.cv.mean,
  cvStd: model.cv.std,
});

/**
 * The original's table of a result, for a report that goes on after it: its own blank lines
 * before, one blank line after (the report's next line ends the original's last print).
 */
export function originalTableOf(result: BenchmarkResult): string {
  return formatTable(tableRow(result.candidate), tableRow(result.production)).replace(/\n$/, '');
}

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

function gateText(gate: GateResult): string {
  return gate.passed
    ? `passed (--fail-if-worse ${gate.margin}${gate.slices ? ' --slices' : ''}): the candidate is not worse with confidence${gate.slices ? ', overall or on any slice' : ''}`
    : `FAILED (--fail-if-worse ${gate.margin}${gate.slices ? ' --slices' : ''}): ${gateFailure(gate)}`;
}

const VERDICT_HEADLINE = { worse: 'the candidate is WORSE than production', better: 'the candidate is BETTER than production', 'no clear difference': 'no clear difference between the candidate and production' } as const;

/** The decision in one line: the verdict, then what each piece of evidence says. */
export function verdictLine(result: BenchmarkResult): string {
  const d: Decision = result.decision;
  const diff = result.difference;
  const percent = Math.round(diff.confidence * 100);
  return (
    `Verdict: ${VERDICT_HEADLINE[d.verdict]}. ` +
    `Test rows: ${d.testRows} (per-row log loss ${signed(diff.estimate)}, ${percent}% CI [${signed(diff.low)}, ${signed(diff.high)}]); ` +
    `CV: ${d.cv} (means ${f4(result.candidate.cv.mean)} vs ${f4(result.production.cv.mean)}, ${signed(d.cvDifference)} against a spread of ${f4(d.cvSpread)}).`
  );
}

const pad = (text: string, width: number) => text.padStart(width);
// Only non-empty bins are printed: their confidence and observed share are numbers.
const f3 = (x: number) => x.toFixed(3);

function binLabel(bin: CalibrationBin): string {
  return `[${bin.low.toFixed(1)}, ${bin.high.toFixed(1)}${bin.high === 1 ? ']' : ')'}`;
}

/** "given p(true class) < 0.000001: 57.2% of the test log loss", after the count of such rows (every format says it alike). */
export function nearZeroText(near: Diagnostics['nearZero']): string {
  return `test row${near.rows === 1 ? '' : 's'} given p(true class) < ${near.threshold}${near.rows > 0 ? `: ${(100 * near.log_loss_share).toFixed(1)}% of the test log loss` : ''}`;
}

/** One model's diagnostics as text: headline figures, near-zero rows, per-class report, confusion matrix, calibration table. */
export function formatDiagnostics(title: string, d: Diagnostics, logLoss: number, accuracy: number): string {
  const width = Math.max(7, ...d.classes.map((c) => c.length));
  const near = d.nearZero;
  const lines = [
    `${title}: log loss ${f4(logLoss)}, accuracy ${f4(accuracy)}, Brier ${f4(d.brier)}, ECE ${f4(d.ece)}, macro F1 ${f4(d.macroF1)}`,
    `  ${near.rows} ${nearZeroText(near)}`,
    `  ${'class'.padEnd(width)}  precision  recall      f1  support`,
    ...d.perClass.map((m) => `  ${m.label.padEnd(width)}  ${pad(f4(m.precision), 9)}  ${pad(f4(m.recall), 6)}  ${pad(f4(m.f1), 6)}  ${pad(String(m.support), 7)}`),
    `  confusion matrix (rows: true class, columns: predicted)`,
    `  ${''.padEnd(width)}${d.classes.map((c) => pad(c, 7)).join('')}`,
    ...d.confusion.map((row, t) => `  ${d.classes[t].padEnd(width)}${row.map((n) => pad(String(n), 7)).join('')}`),
    `  calibration of the most probable class, 10 bins (empty bins left out)`,
    `  ${'bin'.padEnd(10)}  rows  confidence  right`,
    ...d.calibration.filter((bin) => bin.rows > 0).map((bin) => `  ${binLabel(bin).padEnd(10)}  ${pad(String(bin.rows), 4)}  ${pad(f3(bin.confidence), 10)}  ${pad(f3(bin.observed), 5)}`),
  ];
  return lines.join('\n');
}

/** The slices in one line: how many are worse and better with confidence, naming them. */
export function slicesLine(analysis: SliceAnalysis): string {
  const worse = analysis.slices.filter((slice) => slice.worse);
  const better = analysis.slices.filter((slice) => slice.better);
  const names = (list: SliceResult[]) => (list.length ? ` (${list.map((slice) => slice.label).join('; ')})` : '');
  const small = analysis.slices.length - analysis.correction.slices;
  return `Slices: ${worse.length} worse${names(worse)}, ${better.length} better${names(better)}, of ${analysis.correction.slices} judged${small ? ` (${small} too small to judge)` : ''}.`;
}

const signedOrDash = (x: number | undefined) => (x === undefined ? '-' : signed(x));
const f4OrDash = (x: number) => (Number.isFinite(x) ? f4(x) : '-');
const sliceMark = (slice: SliceResult) => (slice.worse ? 'WORSE' : slice.better ? 'better' : slice.judged ? '' : 'too small to judge');

/** How many of the weakest judged slices the terminal lists (every slice worse or better is listed too). */
export const TERMINAL_SLICES = 10;

/** The slice table for the terminal: the weakest TERMINAL_SLICES and every worse or better slice; the too small ones by name. */
export function formatSlices(analysis: SliceAnalysis): string {
  const judged = analysis.slices.filter((slice) => slice.judged);
  const shown = judged.filter((slice, i) => i < TERMINAL_SLICES || slice.worse || slice.better);
  const width = Math.max(5, ...shown.map((slice) => slice.label.length));
  const lines = [
    `Slices, weakest first (${correctionText(analysis)}):`,
    `  ${'slice'.padEnd(width)}  rows  log loss cand.  prod.   accuracy cand.  prod.   difference [interval]`,
    ...shown.map((slice) => {
      const d = slice.difference!;
      return `  ${slice.label.padEnd(width)}  ${String(slice.rows).padStart(4)}  ${f4(slice.candidate.logLoss).padStart(14)}  ${f4(slice.production.logLoss)}  ${f4(slice.candidate.accuracy).padStart(14)}  ${f4(slice.production.accuracy)}  ${signed(d.mean)} [${signed(d.ci[0])}, ${signed(d.ci[1])}]  ${sliceMark(slice)}`.trimEnd();
    }),
  ];
  if (judged.length > shown.length) lines.push(`  ... ${judged.length - shown.length} more judged slices, none worse or better (all of them: --json, --markdown, --html).`);
  const small = analysis.slices.filter((slice) => !slice.judged);
  if (small.length) lines.push(`  Too small to judge (under ${analysis.correction.minRows} test rows): ${small.map((slice) => `${slice.label} (${slice.rows})`).join(', ')}.`);
  return lines.join('\n');
}

/** Every slice as a Markdown table, weakest first. */
function markdownSlices(analysis: SliceAnalysis): string[] {
  return [
    '## Slices',
    '',
    `${slicesLine(analysis)} ${correctionText(analysis)}.`,
    '',
    '| slice | rows | log loss (candidate) | log loss (production) | accuracy (candidate) | accuracy (production) | difference | interval | verdict |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...analysis.slices.map(
      (slice) =>
        `| ${slice.label} | ${slice.rows} | ${f4OrDash(slice.candidate.logLoss)} | ${f4OrDash(slice.production.logLoss)} | ${f4OrDash(slice.candidate.accuracy)} | ${f4OrDash(slice.production.accuracy)} | ${signedOrDash(slice.difference?.mean)} | ${slice.difference ? `[${signed(slice.difference.ci[0])}, ${signed(slice.difference.ci[1])}]` : '-'} | ${sliceMark(slice) || 'no clear difference'} |`,
    ),
    '',
  ];
}

export interface FormatOptions {
  /** The --fail-if-worse verdict, when asked for. */
  gate?: GateResult;
}

/**
 * The terminal report, decision first: the verdict, the gate, the warnings; then the original's
 * table exactly as it printed it; then the ids, data and evidence; then each model's diagnostics.
 */
export function formatReport(result: BenchmarkResult, options: FormatOptions = {}): string {
  const lines = [verdictLine(result), slicesLine(result.slices)];
  if (options.gate) lines.push(`Gate: ${gateText(options.gate)}.`);
  for (const warning of result.warnings) lines.push(`Warning: ${warning.message}`);
  lines.push(
    originalTableOf(result),
    `Candidate   ${result.candidate.modelId}`,
    `Production  ${result.production.modelId} (promoted ${result.production.promotedAt}, ${result.store})`,
    `Data        ${dataText(result)}`,
    `Accuracy    candidate ${f4(result.candidate.accuracy)}, production ${f4(result.production.accuracy)}`,
    `Difference  ${differenceText(result)}`,
    '',
    formatSlices(result.slices),
    '',
    formatDiagnostics(`Candidate ${shortId(result.candidate.modelId)}`, result.candidate.diagnostics, result.candidate.logLoss, result.candidate.accuracy),
    '',
    formatDiagnostics(`Production ${shortId(result.production.modelId)}`, result.production.diagnostics, result.production.logLoss, result.production.accuracy),
  );
  return lines.join('\n');
}

/** One model's diagnostics as Markdown tables. */
function markdownDiagnostics(title: string, d: Diagnostics, logLoss: number, accuracy: number): string[] {
  const near = d.nearZero;
  return [
    `## ${title}`,
    '',
    `Log loss ${f4(logLoss)}, accuracy ${f4(accuracy)}, Brier ${f4(d.brier)}, ECE ${f4(d.ece)}, macro F1 ${f4(d.macroF1)}; ` +
      `${near.rows} ${nearZeroText(near)}.`,
    '',
    '| class | precision | recall | F1 | support |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...d.perClass.map((m) => `| ${m.label} | ${f4(m.precision)} | ${f4(m.recall)} | ${f4(m.f1)} | ${m.support} |`),
    '',
    `| true \\ predicted | ${d.classes.join(' | ')} |`,
    `| --- | ${d.classes.map(() => '---:').join(' | ')} |`,
    ...d.confusion.map((row, t) => `| ${d.classes[t]} | ${row.join(' | ')} |`),
    '',
    '| bin of the top probability | rows | confidence | right |',
    '| --- | ---: | ---: | ---: |',
    ...d.calibration.filter((bin) => bin.rows > 0).map((bin) => `| ${binLabel(bin)} | ${bin.rows} | ${f3(bin.confidence)} | ${f3(bin.observed)} |`),
    '',
  ];
}

/** The same report as Markdown (for a CI summary or a pull request comment), decision first. */
export function formatMarkdown(result: BenchmarkResult, options: FormatOptions = {}): string {
  const row = (label: string, model: BenchmarkResult['candidate'] | BenchmarkResult['production']) =>
    `| ${label} \`${shortId(model.modelId)}\` | ${f4(model.logLoss)} | ${f4(model.accuracy)} | ${f4(model.cv.mean)} | ${f4(model.cv.std)} |`;
  const lines = ['# Benchmark results', '', `**${verdictLine(result)}**`, '', `**${slicesLine(result.slices)}**`, ''];
  if (options.gate) lines.push(`- **Gate:** ${gateText(options.gate)}.`);
  for (const warning of result.warnings) lines.push(`- **Warning:** ${warning.message}`);
  if (options.gate || result.warnings.length > 0) lines.push('');
  lines.push(
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
    '',
    ...markdownSlices(result.slices),
    ...markdownDiagnostics(`Candidate \`${shortId(result.candidate.modelId)}\``, result.candidate.diagnostics, result.candidate.logLoss, result.candidate.accuracy),
    ...markdownDiagnostics(`Production \`${shortId(result.production.modelId)}\``, result.production.diagnostics, result.production.logLoss, result.production.accuracy),
  );
  return `${lines.join('\n').trimEnd()}\n`;
}

/** A model's diagnostics in snake_case (empty calibration bins have null confidence and observed). */
function diagnosticsToJSON(d: Diagnostics) {
  const bin = (b: CalibrationBin) => ({ low: b.low, high: b.high, rows: b.rows, confidence: Number.isNaN(b.confidence) ? null : b.confidence, observed: Number.isNaN(b.observed) ? null : b.observed });
  return {
    classes: d.classes,
    per_class: d.perClass,
    macro_f1: d.macroF1,
    confusion_matrix: d.confusion,
    brier: d.brier,
    ece: d.ece,
    calibration: d.calibration.map(bin),
    reliability: Object.fromEntries(d.classes.map((c, i) => [c, d.reliability[i].map(bin)])),
    near_zero: d.nearZero,
  };
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
    diagnostics: diagnosticsToJSON(m.diagnostics),
  });
  const d = result.difference;
  const decision = result.decision;
  return {
    verdict: decision.verdict,
    decision: { verdict: decision.verdict, test_rows: decision.testRows, cv: decision.cv, cv_difference: decision.cvDifference, cv_spread: decision.cvSpread },
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
    paired_difference: {
      mean: d.estimate,
      ci_low: d.low,
      ci_high: d.high,
      confidence: d.confidence,
      rows: d.rows,
      resamples: d.resamples,
      seed: d.seed,
      verdict: d.verdict,
      // null for the open ends (JSON has no Infinity)
      histogram: differenceHistogram(result.candidate.rowLosses, result.production.rowLosses).map(({ low, high, rows }) => ({
        low: Number.isFinite(low) ? low : null,
        high: Number.isFinite(high) ? high : null,
        rows,
      })),
    },
    leakage: {
      test_rows: result.leakage.testRows,
      leaked_rows: result.leakage.leakedRows,
      by_id: result.leakage.byId,
      by_content: result.leakage.byContent,
      sample_ids: result.leakage.sampleIds,
    },
    same_dataset: result.sameDataset,
    warnings: result.warnings,
    slices: slicesToJSON(result.slices).slices,
    slice_correction: slicesToJSON(result.slices).correction,
    gate: options.gate ? { margin: options.gate.margin, passed: options.gate.passed, failed_by: options.gate.failedBy, slices: options.gate.slices, worse_slices: options.gate.worseSlices } : null,
  };
}
