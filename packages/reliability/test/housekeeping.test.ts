/**
 * Items 11, 12 and 14: what a bad day leaves behind, where relative paths point, and what a
 * too-small training file is told.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainTinyRun } from '@rally/model-fixtures';
import { deadPid, GROUND_TRUTH_PATH, REPO_ROOT, groundTruthSlice, runRally, tempDir } from '@rally/testkit';
import { describe, expect, it } from 'vitest';


describe('item 11: runs interrupted by kill -9', () => {
  it('their .tmp-* folders are removed when the next run starts; a live run\'s is left alone', async () => {
    const output = tempDir('output');
    const stale = join(output, `.tmp-${'a'.repeat(64)}-${await deadPid()}-1700000000000`);
    const live = join(output, `.tmp-${'b'.repeat(64)}-${process.pid}-${Date.now()}`);
    for (const dir of [stale, live]) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'model.json'), '{"half": ');
    }
    const result = await runRally(['train', '--data', groundTruthSlice(400), '--output', output, '--trees', '2', '--max-depth', '3', '--workers', '0', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});

describe('item 12: a relative MODEL_STORE', () => {
  it('is the same folder for `pnpm run deploy` (workspace root) and perf-benchmark run from its own folder', async () => {
    const relative = `store-reliability-${process.pid}-${Date.now()}`;
    const { run, outputDir } = await trainTinyRun({ params: { nEstimators: 3, maxDepth: 4 } });
    const pnpm = (cwd: string, ...args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn('pnpm', args, { cwd, env: { ...process.env, MODEL_STORE: relative, NO_COLOR: '1' } });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk));
        child.stderr.on('data', (chunk: Buffer) => (out += chunk));
        child.on('exit', (code) => resolve({ code, out }));
      });
    try {
      const deployed = await pnpm(REPO_ROOT, 'run', 'deploy', run.modelId, '--output', outputDir);
      expect(deployed.code, deployed.out).toBe(0);
      // As a user inside packages/perf-benchmark would run it.
      const compared = await pnpm(join(REPO_ROOT, 'packages/perf-benchmark'), 'start', '--', '--model-id', run.modelId, '--output', outputDir, '--json', '--quiet', '--workers', '0', '--resamples', '50');
      expect(compared.out).not.toMatch(/has no production model/);
      expect(compared.code, compared.out).toBe(0);
    } finally {
      for (const dir of [join(REPO_ROOT, relative), join(REPO_ROOT, 'packages/perf-benchmark', relative)]) {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

describe('item 14: a training file too small to train on', () => {
  it.each([1, 4])('%i row(s): one sentence about the number of rows, exit 1', async (rows) => {
    const [header, ...lines] = readFileSync(GROUND_TRUTH_PATH, 'utf8').trimEnd().split('\n');
    const path = join(tempDir('tiny'), 'tiny.csv');
    writeFileSync(path, `${[header, ...lines.slice(0, rows)].join('\n')}\n`);
    const result = await runRally(['train', '--data', path, '--output', tempDir('output'), '--quiet', '--workers', '0']);
    expect(result.code).toBe(1);
    // 1 row: too few for the split; 4 rows (2 FE, 2 UE): the split leaves too few for 5 folds.
    expect(result.stderr.trim()).toMatch(/^Refusing to train: Class \S+ has \d rows?; (a stratified train\/test split|5-fold stratified cross-validation) needs at least \d rows of every class \(per class: .+\)\.$/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
