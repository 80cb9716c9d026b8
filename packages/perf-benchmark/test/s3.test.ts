import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployRun, S3ModelStore } from '@rally/model-store';
import type { TrainedRun } from '@rally/train';
import { cleanEnv, runCli, runMain, STACK_FRAME, subsetCsv, tempDir, trainSmallRun } from './helpers.ts';

const BUCKET = 'models';
/** s3rver's built-in key pair. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

describe('against an S3 store (s3rver in this process, no SDK mocks)', () => {
  let server: S3rver;
  let s3Dir: string;
  let root: string;
  let endpoint: string;
  let production: TrainedRun & { dir: string };
  let candidate: TrainedRun & { dir: string };

  beforeAll(async () => {
    s3Dir = await mkdtemp(join(tmpdir(), 'rally-bench-s3rver-'));
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, resetOnClose: true, configureBuckets: [{ name: BUCKET, configs: [] }] });
    const { port } = await server.run();
    endpoint = `http://127.0.0.1:${port}`;
    root = tempDir('s3');
    const data = subsetCsv(root, 'first600.csv', 0, 600);
    production = await trainSmallRun(data, join(root, 'output'), 10);
    candidate = await trainSmallRun(data, join(root, 'output'), 5);
    const store = new S3ModelStore({ bucket: BUCKET, prefix: 'bench', endpoint, forcePathStyle: true, region: 'us-east-1', credentials: CREDENTIALS });
    await deployRun(store, production.dir);
    await store.close();
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await rm(s3Dir, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  });

  it('fetches production from the bucket through the cache, and only once', async () => {
    const env = cleanEnv({
      INIT_CWD: root,
      MODEL_STORE: `s3://${BUCKET}/bench`,
      S3_ENDPOINT: endpoint,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      CACHE_DIR: 'cache',
    });
    const args = ['--model-id', candidate.modelId.slice(0, 6), '--output', 'output', '--workers', '0', '--resamples', '200'];
    const first = await runCli(args, env);
    expect(first.stderr).not.toMatch(STACK_FRAME);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`Production ${production.modelId} (promoted `);
    expect(first.stderr).toContain(`in s3://${BUCKET}/bench at ${endpoint}`);
    expect(first.stderr).toContain('Production artifacts: 3 downloaded, 0 from the cache');
    const rows = first.stdout.split('\n');
    expect(rows[4].startsWith(`${candidate.modelId.slice(0, 10)}...`)).toBe(true);
    expect(rows[5]).toMatch(new RegExp(`^production {5,}${production.report.test_log_loss.toFixed(4).replace('.', '\\.')} `));
    expect(first.stdout).toContain(`(promoted `);

    const second = await runMain([...args, '--json'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('Production artifacts: 0 downloaded, 3 from the cache');
    const json = JSON.parse(second.stdout);
    expect(json.store).toBe(`s3://${BUCKET}/bench at ${endpoint}`);
    expect(json.production.test_log_loss).toBe(production.report.test_log_loss);
  }, 60_000);
});
