import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRun } from '@rally/model';
import { groundTruthSlice, runScript, startS3, tempDir, type RunningS3 } from '@rally/testkit';
import { trainRun } from '@rally/train';
import { createModelStore } from '../src/index.ts';

const CLI = new URL('../src/deploy-cli.ts', import.meta.url).pathname;

/** A small real run written to `outputDir`. */
async function trainSmall(outputDir: string, seed = 42) {
  const run = await trainRun({ dataPath: groundTruthSlice(600), params: { nEstimators: 10, maxDepth: 6, seed }, workers: 0 });
  writeRun(run, outputDir);
  return run;
}

const deploy = (env: NodeJS.ProcessEnv, ...args: string[]) => runScript(CLI, args, env);

let s3: RunningS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.close());

describe.each([
  ['a local folder', () => ({ MODEL_STORE: tempDir('store') })],
  ['S3 (s3rver)', () => s3.env(`deploy-${Date.now()}`)],
])('pnpm run deploy against %s', (_name, storeEnv) => {
  it('uploads, verifies and promotes a run; a second run then a rollback; --list shows the history', async () => {
    const env = storeEnv();
    const outputDir = tempDir('output');
    const first = await trainSmall(outputDir);
    const second = await trainSmall(outputDir, 9);

    const one = await deploy(env, first.modelId.slice(0, 10), '--output', outputDir);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^Uploaded, verified and promoted ${first.modelId} to production`));

    const two = await deploy(env, second.modelId, '--output', outputDir);
    expect(two.stdout).toMatch(new RegExp(`replacing ${first.modelId}`));

    const back = await deploy(env, '--rollback');
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(new RegExp(`production is now ${first.modelId}`));

    const store = createModelStore(env);
    expect((await store.getProduction())?.model_id).toBe(first.modelId);
    const list = await deploy(env, '--list');
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(new RegExp(`${first.modelId}  \\(production\\)$`));
  });

  it('refuses an unknown id and a path in one sentence (exit 1), and bad usage (exit 2)', async () => {
    const env = storeEnv();
    const unknown = await deploy(env, 'abc123', '--output', tempDir('output'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/No run abc123/);
    const path = await deploy(env, '../../etc/passwd');
    expect(path.code).toBe(1);
    expect(path.stderr).toMatch(/is not a model id/);
    const usage = await deploy(env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/Usage: pnpm run deploy/);
  });
});

describe('store errors are one sentence', () => {
  it('an unreachable S3 endpoint', async () => {
    const env = { ...s3.env('x'), S3_ENDPOINT: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' };
    const result = await deploy(env, '--list');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/127\.0\.0\.1:9/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
  it('a missing bucket', async () => {
    const env = { ...s3.env(), MODEL_STORE: 's3://no-such-bucket/rally' };
    const result = await deploy(env, '--list');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no-such-bucket/);
  });
});
