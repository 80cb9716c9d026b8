// @module-tag e2e
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, groundTruthSlice, runCli, runMain, tempDir } from './helpers.ts';
import { modelIdOf } from '@rally/model';

/** `rally train` as a real process (from the sources). */
const train = (...args: string[]) => runCli(['train', ...args], cleanEnv({ NO_COLOR: '1' }));
/** The same in this process: the flag checks need no process of their own. */
const trainHere = (...args: string[]) => runMain(['train', ...args], cleanEnv());

const SMALL = ['--trees', '5', '--max-depth', '5', '--workers', '0'];

describe('rally train', () => {
  const data = groundTruthSlice(500);

  it('writes a complete run to output/<model-id>/ and prints the report, and only it, on stdout with --json', async () => {
    const output = tempDir('output');
    const { code, stdout, stderr } = await train(data, '--output', output, '--json', ...SMALL);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    expect(stderr).toContain(`Model ${report.model_id}`); // the summary went to stderr
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

  it('piped, `train --tune --candidates 3` never goes 5 s without a line, each line stamped, the estimate of the time left in them', async () => {
    const { spawn } = await import('node:child_process');
    const { RALLY_SOURCE, REPO_ROOT, SOURCE_NODE_ARGS } = await import('@rally/testkit');
    const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, RALLY_SOURCE, 'train', '--tune', '--candidates', '3', '--output', tempDir('output'), '--json'], {
      cwd: REPO_ROOT,
      env: cleanEnv({ NO_COLOR: '1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const arrivals: number[] = [];
    let stderr = '';
    let stdout = '';
    const started = Date.now();
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      arrivals.push(Date.now());
    });
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const gaps = [started, ...arrivals].slice(1).map((at, i) => at - [started, ...arrivals][i]!);
    expect(Math.max(...gaps)).toBeLessThan(5000);
    const progress = stderr.split('\n').filter((line) => /^\[/.test(line));
    expect(progress.length).toBeGreaterThanOrEqual(4 * 5 + 4 + 2); // 20 folds, 4 settings, data valid, final fit
    expect(progress.every((line) => /^\[\s*\d+\.\d s\] /.test(line))).toBe(true);
    expect(stderr).toMatch(/about \d+ (s|min) left\)/);
    expect(JSON.parse(stdout).tuning.rows).toHaveLength(4); // stdout holds the report alone
  }, 120_000);

  it('gives the same model id for the same data, options and seed, another for another seed', async () => {
    const output = tempDir('output');
    const runs = await Promise.all([train('--data', data, '--output', output, '--quiet', ...SMALL), train('--data', data, '--output', tempDir('output'), '--quiet', ...SMALL), train('--data', data, '--output', output, '--quiet', '--seed', '7', ...SMALL)]);
    const ids = runs.map((run) => run.stdout.trim());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('--grid searches max depth over [10, 20] by CV and keeps the best', async () => {
    const { code, stdout } = await trainHere('--data', data, '--output', tempDir('output'), '--json', '--quiet', '--grid', '--trees', '5', '--workers', '0');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.grid.map((g: { max_depth: number }) => g.max_depth)).toEqual([10, 20]);
    const best = report.grid.reduce((a: { cv_mean_log_loss: number }, b: { cv_mean_log_loss: number }) => (b.cv_mean_log_loss < a.cv_mean_log_loss ? b : a));
    expect(report.estimator.params.maxDepth).toBe(best.max_depth);
    expect(report.cv_mean_log_loss).toBe(best.cv_mean_log_loss);
  });

  it('--tune prints the ranked settings, fits the winner and keeps the search in report.json', async () => {
    const output = tempDir('output');
    const { code, stdout, stderr } = await trainHere('--data', data, '--output', output, '--tune', '--candidates', '1', '--seed', '5');
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/^\[\s*\d+\.\d s\] Tune 1\/2: 100 trees, max depth 20, max features sqrt, min samples leaf 1, leaf prior 0: CV log loss \d\.\d{4} ± \d\.\d{4}$/m);
    expect(stderr).toMatch(/^\[\s*\d+\.\d s\] Tune 2\/2: /m);
    expect(stderr).toMatch(/^\[\s*\d+\.\d s\] Tune 2\/2 fold 5\/5: log loss \d\.\d{4} \(\d+% of the run/m);
    expect(stdout).toMatch(/^Tuning: 2 settings \(the original's and 1 drawn with seed 5\), ranked by 5-fold CV log loss on the training part$/m);
    expect(stdout).toMatch(/^\s+\*[12]\s+\d+\s+\d+/m); // the winner's row, marked
    const id = stdout.match(/^Model ([0-9a-f]{64})$/m)![1];
    const report = JSON.parse(readFileSync(join(output, id, 'report.json'), 'utf8'));
    expect(report.tuning.rows).toHaveLength(2);
    expect(report.tuning.seed).toBe(5);
    const winner = report.tuning.rows[report.tuning.winner_rank - 1];
    expect(report.estimator.params).toMatchObject({ ...winner.params, seed: 5 });
    expect(report.cv_log_losses).toEqual(winner.cv_log_losses);
    expect(stdout).toMatch(/^  \d+ test rows? given p\(true class\) < 0\.000001/m);
  });

  it('refuses invalid data with the validation report (exit 1) and writes nothing', async () => {
    const output = tempDir('output');
    const bad = join(tempDir('bad'), 'bad.csv');
    const lines = readFileSync(data, 'utf8').split('\n');
    lines[3] = lines[3].replace(/^(\d+),(\d+),([A-Z]),/, '$1,$2,Z,');
    (await import('node:fs')).writeFileSync(bad, lines.join('\n'));
    const { code, stderr } = await trainHere('--data', bad, '--output', output, ...SMALL);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Refusing to train: .* does not follow the data contract/);
    expect(stderr).toMatch(/^category\s+hitpoint/m);
    expect(existsSync(output) ? readdirSync(output) : []).toEqual([]);
  });

  it.each([
    [['--trees', 'many'], /--trees must be an integer >= 1, got "many"/],
    [['--max-features', 'most'], /--max-features must be sqrt, log2, all/],
    [['--colour'], /^Unknown option --colour for rally train\. See rally train --help\.$/],
    [['--depth', '5'], /^Unknown option --depth for rally train; did you mean --max-depth\? See rally train --help\.$/],
    [['--tres', '5'], /^Unknown option --tres for rally train; did you mean --trees\? See rally train --help\.$/],
    [['--leaf-prior=-1'], /--leaf-prior must be a number from 0 to 1000, got "-1"/],
    [['--leaf-prior', '2e3'], /--leaf-prior must be a number from 0 to 1000, got "2e3"/],
    [['--min-samples-leaf', '0'], /--min-samples-leaf must be an integer >= 1, got "0"/],
    [['--tune', '--grid'], /--grid and --tune are two different searches: use one\./],
    [['--tune', '--max-depth', '8'], /--tune searches --max-depth itself: leave it out, or train without --tune\./],
    [['--candidates', '3'], /--candidates is the number of settings --tune tries: add --tune\./],
    [['--tune', '--candidates', '0'], /--candidates must be an integer >= 1, got "0"/],
    [['a.csv', 'b.csv'], /^Too many arguments for rally train \(it takes at most 1\)\./],
    [['a.csv', '--data', 'b.csv'], /^Give the training data once: as the argument or as --data\./],
  ])('answers bad flags %j with one sentence pointing to --help, exit 2', async (args, message) => {
    const { code, stdout, stderr } = await trainHere(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(message);
    expect(stderr.trim()).toMatch(/ See rally train --help\.$/);
  });

  it('says in one sentence when the data file is missing (exit 2)', async () => {
    const { code, stderr } = await trainHere('/nonexistent/points.csv', ...SMALL);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('No such file: /nonexistent/points.csv.');
  });
});
