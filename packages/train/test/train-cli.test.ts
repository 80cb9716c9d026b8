import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groundTruthSlice, runScript, tempDir } from '@rally/testkit';
import { modelIdOf } from '@rally/model';

const CLI = new URL('../src/cli.ts', import.meta.url).pathname;

const train = (...args: string[]) => runScript(CLI, args);

const SMALL = ['--trees', '5', '--max-depth', '5', '--workers', '0'];

describe('pnpm train', () => {
  const data = groundTruthSlice(500);

  it('writes a complete run to output/<model-id>/ and prints the report as the last line with --json', async () => {
    const output = tempDir('output');
    const { code, stdout, stderr } = await train('--data', data, '--output', output, '--json', ...SMALL);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout.trimEnd().split('\n').at(-1)!);
    const dir = join(output, report.model_id);
    expect(readdirSync(output)).toEqual([report.model_id]); // nothing temporary left behind
    expect(readdirSync(dir).sort()).toEqual(['dataset.csv', 'model.json', 'report.json']);
    expect(modelIdOf(readFileSync(join(dir, 'model.json')))).toBe(report.model_id);
    expect(readFileSync(join(dir, 'dataset.csv')).equals(readFileSync(data))).toBe(true);
    expect(report).toMatchObject({
      classes: ['FE', 'UE', 'W'],
      dataset: { file: 'australian_open_500.csv', rows: 500 },
      split: { seed: 42, test_size: 0.2, folds: 5, train_rows: 400, test_rows: 100 },
      estimator: { type: 'RandomForestClassifier', params: { nEstimators: 5, maxDepth: 5, seed: 42 } },
      grid: null,
    });
    expect(report.cv_log_losses).toHaveLength(5);
    expect(report.cv_mean_log_loss).toBeCloseTo(report.cv_log_losses.reduce((a: number, b: number) => a + b, 0) / 5, 12);
    expect(report.features).toHaveLength(14);
    for (const key of ['test_log_loss', 'accuracy', 'cv_std_log_loss', 'class_prior_log_loss']) expect(Number.isFinite(report[key])).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))).toEqual(report);
    expect(stderr).toMatch(/fold 5\/5/); // plain progress lines when not on a terminal
  });

  it('gives the same model id for the same data, options and seed, another for another seed', async () => {
    const output = tempDir('output');
    const runs = await Promise.all([train('--data', data, '--output', output, '--quiet', ...SMALL), train('--data', data, '--output', tempDir('output'), '--quiet', ...SMALL), train('--data', data, '--output', output, '--quiet', '--seed', '7', ...SMALL)]);
    const ids = runs.map((run) => run.stdout.trim());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('--grid searches max depth over [10, 20] by CV and keeps the best', async () => {
    const { code, stdout } = await train('--data', data, '--output', tempDir('output'), '--json', '--quiet', '--grid', '--trees', '5', '--workers', '0');
    expect(code).toBe(0);
    const report = JSON.parse(stdout.trimEnd().split('\n').at(-1)!);
    expect(report.grid.map((g: { max_depth: number }) => g.max_depth)).toEqual([10, 20]);
    const best = report.grid.reduce((a: { cv_mean_log_loss: number }, b: { cv_mean_log_loss: number }) => (b.cv_mean_log_loss < a.cv_mean_log_loss ? b : a));
    expect(report.estimator.params.maxDepth).toBe(best.max_depth);
    expect(report.cv_mean_log_loss).toBe(best.cv_mean_log_loss);
  });

  it('refuses invalid data with the validation report (exit 1) and writes nothing', async () => {
    const output = tempDir('output');
    const bad = join(tempDir('bad'), 'bad.csv');
    const lines = readFileSync(data, 'utf8').split('\n');
    lines[3] = lines[3].replace(/^(\d+),(\d+),([A-Z]),/, '$1,$2,Z,');
    (await import('node:fs')).writeFileSync(bad, lines.join('\n'));
    const { code, stderr } = await train('--data', bad, '--output', output, ...SMALL);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Refusing to train: .* does not follow the data contract/);
    expect(stderr).toMatch(/^category\s+hitpoint/m);
    expect(existsSync(output) ? readdirSync(output) : []).toEqual([]);
  });

  it.each([
    [['--trees', 'many'], /--trees must be an integer >= 1, got "many"/],
    [['--max-features', 'most'], /--max-features must be sqrt, log2, all/],
    [['--colour'], /Unknown option '--colour'/],
    [['extra'], /Unexpected argument "extra"/],
  ])('answers bad flags %j with the usage and exit 2', async (args, message) => {
    const { code, stderr } = await train(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/Usage: pnpm train/);
  });

  it('says in one sentence when the data file is missing (exit 2)', async () => {
    const { code, stderr } = await train('--data', '/nonexistent/points.csv', ...SMALL);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('No such file: /nonexistent/points.csv.');
  });
});
