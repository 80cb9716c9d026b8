import { describe, expect, it } from 'vitest';
import { checkGate, formatMarkdown, formatReport, formatTable, resultToJSON, shortId } from '../src/index.ts';
import { CANDIDATE_ID, fakeResult, PRODUCTION_ID } from './fake-result.ts';

/** The original's table for the figures of fakeResult(). */
const EXAMPLE_TABLE = [
  '------------------------------',
  'Benchmark results',
  '------------------------------',
  'model id          log loss   cv mean    cv std',
  '72d8370124...      0.7754     0.9027    0.1441',
  'production         0.3769     0.4628    0.0511',
  '',
  'These results were calculated with the same set of data.',
];

describe('formatTable', () => {
  it("prints the original's table character for character", () => {
    const table = formatTable(
      { modelId: '72d8370124ab5f0c9d1e', logLoss: 0.7754, cvMean: 0.9027, cvStd: 0.1441 },
      { modelId: 'whatever', logLoss: 0.3769, cvMean: 0.4628, cvStd: 0.0511 },
    );
    expect(table).toBe(EXAMPLE_TABLE.join('\n'));
  });

  it('rounds to 4 decimals and keeps the columns right-aligned for wider numbers', () => {
    const table = formatTable({ modelId: 'f'.repeat(64), logLoss: 12.345678, cvMean: 0.00004, cvStd: 0 }, { modelId: 'x', logLoss: 1 / 3, cvMean: 2 / 3, cvStd: 0.99995 });
    expect(table.split('\n').slice(4, 6)).toEqual(['ffffffffff...     12.3457     0.0000    0.0000', 'production         0.3333     0.6667    1.0000']);
  });

  it('cuts ids to 10 characters plus ...', () => {
    expect(shortId(CANDIDATE_ID)).toBe('72d8370124...');
    expect(shortId('abc')).toBe('abc');
  });
});

describe('formatReport', () => {
  it('prints the table, then the ids, data, accuracy and the paired difference', () => {
    expect(formatReport(fakeResult())).toBe(
      [
        ...EXAMPLE_TABLE,
        '',
        `Candidate   ${CANDIDATE_ID}`,
        `Production  ${PRODUCTION_ID} (promoted 2026-11-27T11:00:00.000Z, local folder /srv/store)`,
        'Data        australian_open.csv (5000 rows, sha256 aaaaaaaaaaaa): 4000 training rows (5 CV folds), 1000 test rows, seed 42',
        'Accuracy    candidate 0.6140, production 0.6560',
        'Difference  +0.3985 test log loss per row (candidate - production), 95% CI [+0.3512, +0.4470] over 1000 rows, 2000 bootstrap resamples (seed 42): the candidate is worse',
      ].join('\n'),
    );
  });

  it('states the verdict for better and unclear differences with signed figures', () => {
    const better = formatReport(fakeResult({ difference: { estimate: -0.05, low: -0.08, high: -0.02, confidence: 0.95, resamples: 2000, seed: 42, rows: 1000, verdict: 'better' } }));
    expect(better).toContain('Difference  -0.0500 test log loss per row (candidate - production), 95% CI [-0.0800, -0.0200] over 1000 rows, 2000 bootstrap resamples (seed 42): the candidate is better');
    const unclear = formatReport(fakeResult({ difference: { estimate: 0.001, low: -0.01, high: 0.012, confidence: 0.9, resamples: 500, seed: 7, rows: 1000, verdict: 'no clear difference' } }));
    expect(unclear).toContain('90% CI [-0.0100, +0.0120] over 1000 rows, 500 bootstrap resamples (seed 7): no clear difference');
  });

  it('ends with the gate and one line per warning', () => {
    const result = fakeResult({
      warnings: [
        { code: 'leakage', message: 'The candidate was trained on 3 of the 1000 rows of production\'s test part.' },
        { code: 'different_dataset', message: 'The candidate was trained on a different dataset.' },
      ],
    });
    const lines = formatReport(result, { gate: checkGate(result, 0) }).split('\n');
    expect(lines.slice(-3)).toEqual([
      'Gate        FAILED (candidate 0.7754 > production 0.3769 + margin 0)',
      "Warning: The candidate was trained on 3 of the 1000 rows of production's test part.",
      'Warning: The candidate was trained on a different dataset.',
    ]);
    expect(formatReport(result, { gate: checkGate(result, 0.5) })).toContain('Gate        passed (candidate 0.7754 <= production 0.3769 + margin 0.5)');
  });
});

describe('checkGate', () => {
  it('fails only when the candidate is worse than production + margin', () => {
    const result = fakeResult();
    expect(checkGate(result)).toEqual({ margin: 0, passed: false });
    expect(checkGate(result, 0.3986)).toEqual({ margin: 0.3986, passed: true });
    expect(checkGate(result, 0.3985)).toEqual({ margin: 0.3985, passed: false });
    const equal = fakeResult();
    equal.candidate.logLoss = equal.production.logLoss;
    expect(checkGate(equal).passed).toBe(true);
  });
});

describe('formatMarkdown', () => {
  it('renders a Markdown table and the same extra lines', () => {
    const markdown = formatMarkdown(fakeResult({ warnings: [{ code: 'same_model', message: 'The candidate is the production model itself.' }] }));
    expect(markdown.split('\n').slice(0, 8)).toEqual([
      '# Benchmark results',
      '',
      '| model | test log loss | accuracy | cv mean | cv std |',
      '| --- | ---: | ---: | ---: | ---: |',
      '| candidate `72d8370124...` | 0.7754 | 0.6140 | 0.9027 | 0.1441 |',
      '| production `3f00000000...` | 0.3769 | 0.6560 | 0.4628 | 0.0511 |',
      '',
      'These results were calculated with the same set of data.',
    ]);
    expect(markdown).toContain('- **Paired difference:** +0.3985 test log loss per row');
    expect(markdown).toContain('- **Warning:** The candidate is the production model itself.');
    expect(markdown.endsWith('\n')).toBe(true);
  });
});

describe('resultToJSON', () => {
  it('gives every figure in snake_case, without the per-row losses', () => {
    const json = resultToJSON(fakeResult(), { gate: { margin: 0, passed: false } });
    expect(json.candidate).toMatchObject({ model_id: CANDIDATE_ID, test_log_loss: 0.77541, accuracy: 0.614, cv_mean_log_loss: 0.90274, cv_std_log_loss: 0.14409 });
    expect(json.production).toMatchObject({ model_id: PRODUCTION_ID, test_log_loss: 0.37689, promoted_at: '2026-11-27T11:00:00.000Z' });
    expect(json.paired_difference).toEqual({ mean: 0.39852, ci_low: 0.35123, ci_high: 0.44704, confidence: 0.95, rows: 1000, resamples: 2000, seed: 42, verdict: 'worse' });
    expect(json.evaluation.split).toEqual({ seed: 42, test_size: 0.2, folds: 5, train_rows: 4000, test_rows: 1000 });
    expect(json.gate).toEqual({ margin: 0, passed: false });
    expect(JSON.stringify(json)).not.toContain('rowLosses');
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
