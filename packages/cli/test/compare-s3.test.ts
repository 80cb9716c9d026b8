// @module-tag e2e
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployRun, S3ModelStore } from '@rally/model-store';
import { type RunningS3, S3_BUCKET as BUCKET, startS3 } from '@rally/testkit';
import type { TrainedRun } from '@rally/train';
import { TABLE_FRAME } from 'perf-benchmark';
import { cleanEnv, groundTruthSlice, runCli, runMain, STACK_FRAME, tempDir, trainSmallRun } from './helpers.ts';

describe('against an S3 store (s3rver in this process, no SDK mocks)', () => {
  let s3: RunningS3;
  let root: string;
  let endpoint: string;
  let production: TrainedRun & { dir: string };
  let candidate: TrainedRun & { dir: string };

  beforeAll(async () => {
    s3 = await startS3();
    endpoint = s3.endpoint;
    root = tempDir('s3');
    const data = groundTruthSlice(600, root);
    production = await trainSmallRun(data, join(root, 'output'), 10);
    candidate = await trainSmallRun(data, join(root, 'output'), 5);
    const store = new S3ModelStore(s3.options('bench'));
    await deployRun(store, production.dir);
    await store.close();
  }, 60_000);

  afterAll(async () => {
    await s3?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('fetches production from the bucket through the cache, and only once', async () => {
    const env = cleanEnv({ ...s3.env('bench'), INIT_CWD: root, npm_lifecycle_event: 'start', CACHE_DIR: join(root, 'cache') } as Record<string, string>);
    const args = ['--model-id', candidate.modelId.slice(0, 6), '--output', 'output', '--workers', '0', '--resamples', '200'];
    const first = await runCli(['compare', ...args], env);
    expect(first.stderr).not.toMatch(STACK_FRAME);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`Production ${production.modelId} (promoted `);
    expect(first.stderr).toContain(`in s3://${BUCKET}/bench at ${endpoint}`);
    expect(first.stderr).toContain('Production artifacts: 3 downloaded, 0 from the cache');
    const all = first.stdout.split('\n');
    const rows = all.slice(all.indexOf(TABLE_FRAME));
    expect(rows[7].startsWith(` ${candidate.modelId.slice(0, 10)}...    |`)).toBe(true);
    expect(rows[8].split('|')[1].trim()).toBe(production.report.test_log_loss.toFixed(4));
    expect(first.stdout).toContain(`(promoted `);

    const second = await runMain(['compare', ...args, '--json', '--html', 'report.html'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('Production artifacts: 0 downloaded, 3 from the cache');
    const json = JSON.parse(second.stdout);
    expect(json.store).toBe(`s3://${BUCKET}/bench at ${endpoint}`);
    expect(json.production.test_log_loss).toBe(production.report.test_log_loss);
    // The HTML report embeds the same figures (html.test.ts opens such a page in a browser).
    const html = readFileSync(join(root, 'report.html'), 'utf8');
    const embedded = JSON.parse(html.match(/<script type="application\/json" id="rally-report">(.*?)<\/script>/s)![1]);
    expect(embedded).toEqual(json);
    expect(html).toContain(`data-verdict="${json.verdict}"`);
  }, 60_000);
});
