// @module-tag unit
import { describe, expect, it } from 'vitest';
import type { TuneReport } from '@rally/model';
import { formatSettings, formatTuneTable } from '../src/index.ts';

describe('formatSettings', () => {
  it('names every searched hyperparameter in one phrase', () => {
    expect(formatSettings({ nEstimators: 200, maxDepth: 12, maxFeatures: 0.75, minSamplesLeaf: 8, leafPrior: 0.05 })).toBe(
      '200 trees, max depth 12, max features 0.75, min samples leaf 8, leaf prior 0.05',
    );
  });

  it("says the forest's defaults for a leaf size and a leaf prior left unset", () => {
    expect(formatSettings({ nEstimators: 100, maxDepth: 20, maxFeatures: 'sqrt' })).toBe('100 trees, max depth 20, max features sqrt, min samples leaf 1, leaf prior 0');
  });
});

describe('formatTuneTable', () => {
  const tuning: TuneReport = {
    seed: 7,
    candidates: 3,
    rule: 'the fewest nodes among the settings within one standard error (0.0123) of the best CV mean log loss',
    tolerance: 0.0123,
    winner_rank: 2,
    rows: [
      { rank: 1, params: { nEstimators: 100, maxDepth: 20, maxFeatures: 'sqrt', minSamplesLeaf: 1, leafPrior: 0 }, cv_log_losses: [], cv_mean_log_loss: 0.61234, cv_std_log_loss: 0.01, mean_nodes: 123456.4, fit_seconds: 1.234 },
      { rank: 2, params: { nEstimators: 200, maxDepth: 12, maxFeatures: 0.75, minSamplesLeaf: 8, leafPrior: 0.05 }, cv_log_losses: [], cv_mean_log_loss: 0.62, cv_std_log_loss: 0.02345, mean_nodes: 2345.6, fit_seconds: 0.5 },
      { rank: 3, params: { nEstimators: 100, maxDepth: 12, maxFeatures: 0.5, minSamplesLeaf: 3, leafPrior: 0.2 }, cv_log_losses: [], cv_mean_log_loss: 0.7, cv_std_log_loss: 0.1, mean_nodes: 9, fit_seconds: 12.345 },
    ],
  };
  // Formatted in each test, not once here: a mutation run switches mutants per test.
  const table = () => formatTuneTable(tuning).split('\n');
  /** A line's cells (separated by two spaces or more; a cell holds single spaces at most) and where each ends. */
  const cells = (line: string) => [...line.matchAll(/\S+(?: \S+)*/g)].map((match) => ({ text: match[0], end: match.index + match[0].length }));

  it('says how many settings were searched, with which seed, and ends with the rule that chose the winner', () => {
    const lines = table();
    expect(lines).toHaveLength(1 + 1 + 3 + 1);
    expect(lines[0]).toBe("Tuning: 3 settings (the original's and 2 drawn with seed 7), ranked by 5-fold CV log loss on the training part");
    expect(lines.at(-1)).toBe(`* the winner, fitted: ${tuning.rule}.`);
  });

  it('has a header and one row per setting, in rank order, the winner starred', () => {
    const lines = table();
    expect(cells(lines[1]).map((cell) => cell.text)).toEqual(['rank', 'trees', 'max depth', 'max features', 'min leaf', 'leaf prior', 'CV log loss', 'nodes', 'fit s/fold']);
    expect(lines.slice(2, 5).map((line) => cells(line).map((cell) => cell.text))).toEqual([
      ['1', '100', '20', 'sqrt', '1', '0', '0.6123 ± 0.0100', '123,456', '1.23'],
      ['*2', '200', '12', '0.75', '8', '0.05', '0.6200 ± 0.0234', '2,346', '0.50'],
      ['3', '100', '12', '0.5', '3', '0.2', '0.7000 ± 0.1000', '9', '12.35'],
    ]);
  });

  it('right-aligns every column under its title', () => {
    const lines = table();
    const ends = lines.slice(1, 5).map((line) => cells(line).map((cell) => cell.end));
    for (const row of ends) expect(row).toEqual(ends[0]);
    // Columns are two spaces apart at least: the widest cell of a column decides its width.
    expect(lines[3].startsWith('  *2')).toBe(true);
    expect(lines[1].startsWith('rank  ')).toBe(true);
  });
});
