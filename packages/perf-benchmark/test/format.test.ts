// @module-tag unit
import { describe, expect, it } from 'vitest';
import { rowLogLosses } from '@rally/train';
import { checkGate, decide, formatMarkdown, formatReport, formatTable, pythonFixed4, resultToJSON, shortId, verdictLine } from '../src/index.ts';
import { nearZeroText } from '../src/format.ts';
import { CANDIDATE_ID, EXAMPLE_LABELS, EXAMPLE_PROBA, fakeResult, PRODUCTION_ID } from './fake-result.ts';

/**
 * What the original printed for the figures of fakeResult(), line by line: two print('\n'), its
 * frame of 50 bullets around the centred title, another print('\n'), the `|`-separated header,
 * rule and rows (id cut to 10 characters plus "...", figures centred in 10 columns), and the
 * closing sentence between blank lines.
 */
const ORIGINAL_OUTPUT = [
  '',
  '',
  '••••••••••••••••••••••••••••••••••••••••••••••••••',
  '•               Benchmark results                •',
  '••••••••••••••••••••••••••••••••••••••••••••••••••',
  '',
  '',
  ' model id         | log loss | cv mean  |  cv std  ',
  '--------------------------------------------------',
  ' 72d8370124...    |  0.7754  |  0.9027  |  0.1441  ',
  ' production       |  0.3769  |  0.4628  |  0.0511  ',
  '--------------------------------------------------',
  '',
  'These results were calculated with the same set of data.',
  '',
  '',
].join('\n');

/** The same block inside a report: the report's next line follows one blank line. */
const EXAMPLE_TABLE = ORIGINAL_OUTPUT.replace(/\n$/, '').split('\n');

describe('formatTable', () => {
  it("prints the original's table character for character", () => {
    const table = formatTable(
      { modelId: '72d8370124ab5f0c9d1e', logLoss: 0.7754, cvMean: 0.9027, cvStd: 0.1441 },
      { modelId: 'whatever', logLoss: 0.3769, cvMean: 0.4628, cvStd: 0.0511 },
    );
    expect(table).toBe(ORIGINAL_OUTPUT);
  });

  it('centres wider figures as Python does (the odd space on the right) and always cuts the id to 10 characters plus ...', () => {
    const table = formatTable({ modelId: 'abc', logLoss: 12.345678, cvMean: 0.00004, cvStd: 0 }, { modelId: 'x', logLoss: 1 / 3, cvMean: 2 / 3, cvStd: 0.99995 });
    expect(table.split('\n').slice(9, 11)).toEqual([' abc...           | 12.3457  |  0.0000  |  0.0000  ', ' production       |  0.3333  |  0.6667  |  1.0000  ']);
  });

  it("rounds like Python's {:.4f}: exact ties go to the even digit", () => {
    expect([0.03125, 0.09375, 0.15625, -0.03125].map(pythonFixed4)).toEqual(['0.0312', '0.0938', '0.1562', '-0.0312']);
    expect([0.77541, 1 / 3, 0, 34.538776394910684].map(pythonFixed4)).toEqual(['0.7754', '0.3333', '0.0000', '34.5388']);
    // Multiples of 1/16 are exact at 4 decimals already: nothing to round.
    expect([0.0625, 0.5, 2, 0.1875].map(pythonFixed4)).toEqual(['0.0625', '0.5000', '2.0000', '0.1875']);
  });

  it('cuts ids to 10 characters plus ... elsewhere in the report', () => {
    expect(shortId(CANDIDATE_ID)).toBe('72d8370124...');
    expect(shortId('abc')).toBe('abc');
    expect(shortId('0123456789')).toBe('0123456789'); // exactly 10: nothing cut
  });
});

const SLICES_LINE = 'Slices: 1 worse (serve = 2), 0 better, of 2 judged (1 too small to judge).';
const VERDICT_WORSE =
  'Verdict: the candidate is WORSE than production. Test rows: worse (per-row log loss +0.3985, 95% CI [+0.3512, +0.4470]); CV: worse (means 0.9027 vs 0.4628, +0.4399 against a spread of 0.1441).';

describe('formatReport', () => {
  it('puts the decision first, then the original table, then the ids, data and evidence, then each model\'s diagnostics', () => {
    const lines = formatReport(fakeResult()).split('\n');
    expect(lines.slice(0, 23)).toEqual([
      VERDICT_WORSE,
      SLICES_LINE,
      ...EXAMPLE_TABLE,
      `Candidate   ${CANDIDATE_ID}`,
      `Production  ${PRODUCTION_ID} (promoted 2026-11-27T11:00:00.000Z, local folder /srv/store)`,
      'Data        australian_open.csv (5000 rows, sha256 aaaaaaaaaaaa): 4000 training rows (5 CV folds), 1000 test rows, seed 42',
      'Accuracy    candidate 0.6140, production 0.6560',
      'Difference  +0.3985 test log loss per row (candidate - production), 95% CI [+0.3512, +0.4470] over 1000 rows, 2000 bootstrap resamples (seed 42): the candidate is worse',
      '',
    ]);
    // The slices, weakest first: the judged ones, then the ones too small to judge by name.
    expect(lines.slice(23, 29)).toEqual([
      'Slices, weakest first (Bonferroni over 2 judged slices: each interval at 97.500% (95% for the family), the bootstrap normal interval from 2000 resamples (seed 42); slices under 50 test rows are not judged):',
      '  slice                  rows  log loss cand.  prod.   accuracy cand.  prod.   difference [interval]',
      '  serve = 2               310          1.1000  0.4100          0.5200  0.8100  +0.6900 [+0.5500, +0.8300]  WORSE',
      '  speed in [5.34, 28.1]   250          0.4000  0.3900          0.8000  0.8100  +0.0100 [-0.0400, +0.0600]',
      '  Too small to judge (under 50 test rows): hitpoint = U (12).',
      '',
    ]);
    // The worked example of diagnostics.test.ts, for each model.
    const candidate = lines.slice(29, 47);
    expect(candidate).toEqual([
      'Candidate 72d8370124...: log loss 0.7754, accuracy 0.6140, Brier 0.5390, ECE 0.3200, macro F1 0.4333',
      expect.stringMatching(/^  1 test row given p\(true class\) < 0\.000001: \d+\.\d% of the test log loss$/),
      '  class    precision  recall      f1  support',
      '  FE          0.5000  0.5000  0.5000        2',
      '  UE          0.6667  1.0000  0.8000        2',
      '  W           0.0000  0.0000  0.0000        1',
      '  confusion matrix (rows: true class, columns: predicted)',
      '              FE     UE      W',
      '  FE           1      1      0',
      '  UE           0      2      0',
      '  W            1      0      0',
      '  calibration of the most probable class, 10 bins (empty bins left out)',
      '  bin         rows  confidence  right',
      '  [0.5, 0.6)     2       0.500  0.000',
      '  [0.7, 0.8)     1       0.700  1.000',
      '  [0.8, 0.9)     1       0.800  1.000',
      '  [0.9, 1.0]     1       0.900  1.000',
      '',
    ]);
    expect(lines[47]).toMatch(/^Production 3f00000000\.\.\.: log loss 0\.3769/);
  });

  it('states better and unclear verdicts, and says so when the two pieces of evidence disagree', () => {
    const better = fakeResult({ difference: { estimate: -0.05, low: -0.08, high: -0.02, confidence: 0.95, resamples: 2000, seed: 42, rows: 1000, verdict: 'better' } });
    better.candidate.cv = { losses: [], mean: 0.4, std: 0.02 };
    better.decision = decide(better);
    expect(formatReport(better).split('\n')[0]).toMatch(/^Verdict: the candidate is BETTER than production\. Test rows: better .*CV: better/);
    // Test rows better, CV worse: no decision.
    const torn = fakeResult({ difference: { estimate: -0.05, low: -0.08, high: -0.02, confidence: 0.95, resamples: 2000, seed: 42, rows: 1000, verdict: 'better' } });
    expect(formatReport(torn).split('\n')[0]).toMatch(/^Verdict: no clear difference between the candidate and production\. Test rows: better .*CV: worse/);
    const unclear = fakeResult({ difference: { estimate: 0.001, low: -0.01, high: 0.012, confidence: 0.9, resamples: 500, seed: 7, rows: 1000, verdict: 'no clear difference' } });
    expect(formatReport(unclear)).toContain('90% CI [-0.0100, +0.0120] over 1000 rows, 500 bootstrap resamples (seed 7): no clear difference');
  });

  it('prints the gate and the warnings right under the verdict, above the figures they qualify', () => {
    const result = fakeResult({
      warnings: [
        { code: 'leakage', message: 'The candidate was trained on 3 of the 1000 rows of production\'s test part.' },
        { code: 'different_dataset', message: 'The candidate was trained on a different dataset.' },
      ],
    });
    const lines = formatReport(result, { gate: checkGate(result, 0) }).split('\n');
    expect(lines.slice(0, 7)).toEqual([
      VERDICT_WORSE,
      SLICES_LINE,
      "Gate: FAILED (--fail-if-worse 0): the 95% interval of the per-row test log loss difference lies wholly above 0; and the candidate's CV mean exceeds production's by more than 0 plus the larger CV standard deviation.",
      "Warning: The candidate was trained on 3 of the 1000 rows of production's test part.",
      'Warning: The candidate was trained on a different dataset.',
      '',
      '',
    ]);
    expect(formatReport(result, { gate: checkGate(result, 0.5) })).toContain('Gate: passed (--fail-if-worse 0.5): the candidate is not worse with confidence.');
    // With --slices, a slice worse with confidence fails it on its own, named.
    expect(formatReport(result, { gate: checkGate(result, 0.5, { slices: true }) })).toContain('Gate: FAILED (--fail-if-worse 0.5 --slices): on one slice (serve = 2) the corrected interval of the per-row difference lies wholly above 0.5.');
    expect(formatReport(result, { gate: checkGate(result, 0.6, { slices: true }) })).toContain('Gate: passed (--fail-if-worse 0.6 --slices): the candidate is not worse with confidence, overall or on any slice.');
  });
});

describe('checkGate', () => {
  it('fails on the bootstrap interval above the margin, or the CV means apart by more than margin + spread; never on point estimates', () => {
    const result = fakeResult(); // interval [0.35123, 0.44704]; CV difference 0.43991, spread 0.14409
    const noSlices = { slices: false, worseSlices: [] };
    expect(checkGate(result)).toEqual({ margin: 0, passed: false, failedBy: ['test rows', 'cv'], ...noSlices });
    expect(checkGate(result, 0.35)).toEqual({ margin: 0.35, passed: false, failedBy: ['test rows'], ...noSlices });
    expect(checkGate(result, 0.3513)).toEqual({ margin: 0.3513, passed: true, failedBy: [], ...noSlices });
    // Worse on average but not with confidence: the interval straddles 0 and the CV means are close.
    const unsure = fakeResult({ difference: { estimate: 0.02, low: -0.01, high: 0.05, confidence: 0.95, resamples: 2000, seed: 42, rows: 1000, verdict: 'no clear difference' } });
    unsure.candidate.cv = { losses: [], mean: 0.5, std: 0.05 };
    unsure.candidate.logLoss = unsure.production.logLoss + 0.02;
    expect(checkGate(unsure)).toEqual({ margin: 0, passed: true, failedBy: [], ...noSlices });
    // The CV alone can fail it.
    unsure.candidate.cv = { losses: [], mean: 0.6, std: 0.05 };
    expect(checkGate(unsure).failedBy).toEqual(['cv']);
  });
});

describe('formatMarkdown', () => {
  it('renders the verdict, the Markdown table, the evidence and each model\'s tables', () => {
    const markdown = formatMarkdown(fakeResult({ warnings: [{ code: 'same_model', message: 'The candidate is the production model itself.' }] }));
    expect(markdown.split('\n').slice(0, 15)).toEqual([
      '# Benchmark results',
      '',
      `**${VERDICT_WORSE}**`,
      '',
      `**${SLICES_LINE}**`,
      '',
      '- **Warning:** The candidate is the production model itself.',
      '',
      '| model | test log loss | accuracy | cv mean | cv std |',
      '| --- | ---: | ---: | ---: | ---: |',
      '| candidate `72d8370124...` | 0.7754 | 0.6140 | 0.9027 | 0.1441 |',
      '| production `3f00000000...` | 0.3769 | 0.6560 | 0.4628 | 0.0511 |',
      '',
      'These results were calculated with the same set of data.',
      '',
    ]);
    expect(markdown).toContain('- **Paired difference:** +0.3985 test log loss per row');
    expect(markdown).toContain('| UE | 0.6667 | 1.0000 | 0.8000 | 2 |');
    expect(markdown).toContain('| W | 1 | 0 | 0 |');
    expect(markdown).toContain('| [0.5, 0.6) | 2 | 0.500 | 0.000 |');
    // Every slice, weakest first, the too small one last and not judged.
    expect(markdown).toContain('| serve = 2 | 310 | 1.1000 | 0.4100 | 0.5200 | 0.8100 | +0.6900 | [+0.5500, +0.8300] | WORSE |\n| speed in [5.34, 28.1] | 250 | 0.4000 | 0.3900 | 0.8000 | 0.8100 | +0.0100 | [-0.0400, +0.0600] | no clear difference |\n| hitpoint = U | 12 | 0.3000 | 0.3100 | 0.9000 | 0.9000 | - | - | too small to judge |');
    expect(markdown.endsWith('\n')).toBe(true);
  });
});

describe('resultToJSON', () => {
  it('gives every figure in snake_case, the decision and diagnostics included, without the per-row losses', () => {
    const result = fakeResult();
    const json = resultToJSON(result, { gate: checkGate(result) });
    expect(json.verdict).toBe('worse');
    expect(json.decision).toEqual({ verdict: 'worse', test_rows: 'worse', cv: 'worse', cv_difference: 0.90274 - 0.46283, cv_spread: 0.14409 });
    expect(json.candidate).toMatchObject({ model_id: CANDIDATE_ID, test_log_loss: 0.77541, accuracy: 0.614, cv_mean_log_loss: 0.90274, cv_std_log_loss: 0.14409 });
    expect(json.production).toMatchObject({ model_id: PRODUCTION_ID, test_log_loss: 0.37689, promoted_at: '2026-11-27T11:00:00.000Z' });
    expect(json.candidate.diagnostics).toMatchObject({ confusion_matrix: [[1, 1, 0], [0, 2, 0], [1, 0, 0]], near_zero: { rows: 1 } });
    expect(json.candidate.diagnostics.calibration[0]).toEqual({ low: 0, high: 0.1, rows: 0, confidence: null, observed: null });
    const { histogram, ...difference } = json.paired_difference;
    expect(difference).toEqual({ mean: 0.39852, ci_low: 0.35123, ci_high: 0.44704, confidence: 0.95, rows: 1000, resamples: 2000, seed: 42, verdict: 'worse' });
    expect(histogram).toHaveLength(21); // (the fake result has no per-row losses: every bin is empty)
    expect(histogram[0]).toEqual({ low: null, high: expect.closeTo(-2 + 4 / 21, 12), rows: 0 });
    expect(json.evaluation.split).toEqual({ seed: 42, test_size: 0.2, folds: 5, train_rows: 4000, test_rows: 1000 });
    expect(json.gate).toEqual({ margin: 0, passed: false, failed_by: ['test rows', 'cv'], slices: false, worse_slices: [] });
    // The slices as the issue names them: the slice, rows, each model's figures, the difference and its interval.
    expect(json.slices).toHaveLength(3);
    expect(json.slices[0]).toEqual({ slice: { column: 'serve', value: 2 }, label: 'serve = 2', rows: 310, candidate: { log_loss: 1.1, accuracy: 0.52 }, production: { log_loss: 0.41, accuracy: 0.81 }, difference: { mean: 0.69, ci: [0.55, 0.83] }, judged: true, worse: true, better: false });
    expect(json.slices[1]!.slice).toEqual({ column: 'speed', range: [5.34, 28.1] });
    expect(json.slices[2]).toMatchObject({ judged: false, difference: null, worse: false, better: false });
    expect(json.slice_correction).toMatchObject({ method: 'bonferroni', slices: 2, confidence: 0.975, family_confidence: 0.95, min_rows: 50 });
    expect(JSON.stringify(json)).not.toContain('rowLosses');
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('nearZeroText', () => {
  it('gives the share of the log loss only when there are such rows, and the plural', () => {
    expect(nearZeroText({ threshold: 1e-6, rows: 0, log_loss_share: 0 })).toBe('test rows given p(true class) < 0.000001');
    expect(nearZeroText({ threshold: 1e-6, rows: 1, log_loss_share: 0.25 })).toBe('test row given p(true class) < 0.000001: 25.0% of the test log loss');
    expect(nearZeroText({ threshold: 1e-6, rows: 3, log_loss_share: 0.5 })).toBe('test rows given p(true class) < 0.000001: 50.0% of the test log loss');
  });
});

describe('verdictLine', () => {
  it('signs a zero difference with a plus, like any difference that is not negative', () => {
    const same = fakeResult({ difference: { estimate: 0, low: 0, high: 0, confidence: 0.95, resamples: 2000, seed: 42, rows: 1000, verdict: 'no clear difference' } });
    expect(verdictLine(same)).toContain('Test rows: no clear difference (per-row log loss +0.0000, 95% CI [+0.0000, +0.0000])');
  });
});

describe('formatMarkdown, the rest of the page', () => {
  // The worked example of diagnostics.test.ts: the share of the log loss of its one near-zero row.
  const losses = rowLogLosses(EXAMPLE_LABELS, EXAMPLE_PROBA, ['FE', 'UE', 'W']);
  const share = ((100 * losses[4]) / losses.reduce((a, b) => a + b, 0)).toFixed(1);
  const section = (title: string, logLoss: string, accuracy: string) => [
    `## ${title}`,
    '',
    `Log loss ${logLoss}, accuracy ${accuracy}, Brier 0.5390, ECE 0.3200, macro F1 0.4333; 1 test row given p(true class) < 0.000001: ${share}% of the test log loss.`,
    '',
    '| class | precision | recall | F1 | support |',
    '| --- | ---: | ---: | ---: | ---: |',
    '| FE | 0.5000 | 0.5000 | 0.5000 | 2 |',
    '| UE | 0.6667 | 1.0000 | 0.8000 | 2 |',
    '| W | 0.0000 | 0.0000 | 0.0000 | 1 |',
    '',
    '| true \\ predicted | FE | UE | W |',
    '| --- | ---: | ---: | ---: |',
    '| FE | 1 | 1 | 0 |',
    '| UE | 0 | 2 | 0 |',
    '| W | 1 | 0 | 0 |',
    '',
    '| bin of the top probability | rows | confidence | right |',
    '| --- | ---: | ---: | ---: |',
    '| [0.5, 0.6) | 2 | 0.500 | 0.000 |',
    '| [0.7, 0.8) | 1 | 0.700 | 1.000 |',
    '| [0.8, 0.9) | 1 | 0.800 | 1.000 |',
    '| [0.9, 1.0] | 1 | 0.900 | 1.000 |',
  ];

  it('lists the ids, the data, the evidence and each model\'s tables after the original table, ending in one newline', () => {
    const markdown = formatMarkdown(fakeResult());
    const lines = markdown.split('\n');
    // No gate and no warning: no empty notes block between the verdict and the table.
    expect(lines.slice(0, 7)).toEqual(['# Benchmark results', '', `**${VERDICT_WORSE}**`, '', `**${SLICES_LINE}**`, '', '| model | test log loss | accuracy | cv mean | cv std |']);
    const slicesAt = lines.indexOf('## Slices');
    expect(lines.slice(13, slicesAt)).toEqual([
      `- **Candidate:** \`${CANDIDATE_ID}\``,
      `- **Production:** \`${PRODUCTION_ID}\` (promoted 2026-11-27T11:00:00.000Z, local folder /srv/store)`,
      '- **Data:** australian_open.csv (5000 rows, sha256 aaaaaaaaaaaa): 4000 training rows (5 CV folds), 1000 test rows, seed 42',
      '- **Paired difference:** +0.3985 test log loss per row (candidate - production), 95% CI [+0.3512, +0.4470] over 1000 rows, 2000 bootstrap resamples (seed 42): the candidate is worse',
      '- CV: 5-fold stratified log loss of each configuration refitted on the training part; std is the population std (ddof=0).',
      '',
    ]);
    const candidateAt = lines.indexOf('## Candidate `72d8370124...`');
    expect(candidateAt - slicesAt).toBe(10); // heading, blank, sentence, blank, table head (2), three slices, blank
    expect(lines.slice(candidateAt)).toEqual([
      ...section('Candidate `72d8370124...`', '0.7754', '0.6140'),
      '',
      ...section('Production `3f00000000...`', '0.3769', '0.6560'),
      '',
    ]);
    expect(markdown.endsWith('|\n')).toBe(true);
  });

  it('states the gate under the verdict when asked for it', () => {
    const result = fakeResult();
    const lines = formatMarkdown(result, { gate: checkGate(result, 0.5) }).split('\n');
    expect(lines.slice(5, 9)).toEqual(['', '- **Gate:** passed (--fail-if-worse 0.5): the candidate is not worse with confidence.', '', '| model | test log loss | accuracy | cv mean | cv std |']);
  });
});

describe('resultToJSON, the rest of the document', () => {
  it("gives each class's reliability curve by label, the report's own figures, the std convention and the leakage check", () => {
    const result = fakeResult({ leakage: { testRows: 1000, leakedRows: 3, byId: 2, byContent: 1, sampleIds: ['17', '18'] } });
    const json = resultToJSON(result);
    const reliability = json.candidate.diagnostics.reliability;
    expect(Object.keys(reliability)).toEqual(['FE', 'UE', 'W']);
    expect(reliability.W.map((bin: { rows: number }) => bin.rows)).toEqual(result.candidate.diagnostics.reliability[2].map((bin) => bin.rows));
    expect(reliability.W[0]).toEqual({ low: 0, high: 0.1, rows: 2, confidence: expect.closeTo(0.025, 12), observed: 0.5 });
    expect(reliability.W[2]).toEqual({ low: 0.2, high: 0.3, rows: 0, confidence: null, observed: null });
    expect(json.production.reported).toEqual({ test_log_loss: 0.37689, cv_mean_log_loss: 0.5, cv_std_log_loss: 0.05, created_at: '2026-11-27T10:31:05.123Z' });
    expect(json.evaluation.cv_std).toBe('population (ddof=0)');
    expect(json.leakage).toEqual({ test_rows: 1000, leaked_rows: 3, by_id: 2, by_content: 1, sample_ids: ['17', '18'] });
    expect(json.gate).toBeNull();
  });
});
