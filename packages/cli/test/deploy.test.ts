// @module-tag e2e
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRun } from '@rally/model';
import { groundTruthSlice, startS3, tempDir, type RunningS3 } from '@rally/testkit';
import { trainRun } from '@rally/train';
import { createModelStore } from '@rally/model-store';
import { TABLE_FRAME } from 'perf-benchmark';
import { cleanEnv, runCli, runMain } from './helpers.ts';

/** A small real run written to `outputDir`. */
async function trainSmall(outputDir: string, seed = 42) {
  const run = await trainRun({ dataPath: groundTruthSlice(600), params: { nEstimators: 10, maxDepth: 6, seed }, workers: 0 });
  writeRun(run, outputDir);
  return run;
}

/** `rally deploy` as a real process. */
const deploy = (env: NodeJS.ProcessEnv, ...args: string[]) => runCli(['deploy', ...args], cleanEnv(env as Record<string, string>));

/** `rally deploy` in this process; `terminal` makes stdin look like a TTY (the question is asked). */
const runDeploy = (args: string[], env: NodeJS.ProcessEnv, input = '', terminal = false) => runMain(['deploy', ...args], cleanEnv(env as Record<string, string>), input, terminal);

let s3: RunningS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.close());

describe.each([
  ['a local folder', () => ({ MODEL_STORE: tempDir('store') })],
  ['S3 (s3rver)', () => s3.env(`deploy-${Date.now()}`)],
])('rally deploy against %s', (_name, storeEnv) => {
  it('uploads, verifies and promotes a run; a second run then a rollback; --list shows the history', async () => {
    const env = storeEnv();
    const outputDir = tempDir('output');
    const first = await trainSmall(outputDir);
    const second = await trainSmall(outputDir, 9);

    const one = await deploy(env, first.modelId.slice(0, 10), '--output', outputDir);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^Uploaded, verified and promoted ${first.modelId} to production`));

    // The second deploy looks first: the verdict and the original's table, then the promotion.
    const two = await deploy(env, second.modelId, '--output', outputDir);
    expect(two.code, two.stderr).toBe(0);
    const said = two.stdout.trim().split('\n');
    expect(said[0]).toMatch(/^Verdict: /);
    expect(said).toContain(TABLE_FRAME);
    expect(said.at(-1)).toMatch(new RegExp(`^Uploaded, verified and promoted ${second.modelId} to production .*replacing ${first.modelId}\\.$`));

    const back = await deploy(env, '--rollback');
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(new RegExp(`production is now ${first.modelId}`));

    const store = createModelStore(env);
    expect((await store.getProduction())?.model_id).toBe(first.modelId);
    const list = await deploy(env, '--list');
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(4); // a header, then three promotions
    expect(lines[0]).toMatch(/^promoted at +model id +log loss +accuracy +cv mean +cv std$/);
    expect(lines[3]).toMatch(new RegExp(`${first.modelId}  ${first.report.test_log_loss.toFixed(4)} .*  \\(production\\)$`));
    const json = JSON.parse((await deploy(env, '--list', '--json')).stdout);
    expect(json.promotions.map((p: { model_id: string }) => p.model_id)).toEqual([first.modelId, second.modelId, first.modelId]);
    expect(json.promotions[1]).toMatchObject({ production: false, test_log_loss: second.report.test_log_loss, accuracy: second.report.accuracy, cv_mean_log_loss: second.report.cv_mean_log_loss });
    expect(json.promotions[2].production).toBe(true);
  }, 60_000);

  it('refuses an unknown id in one sentence (exit 1); a path instead of an id is bad usage (exit 2), as is no id', async () => {
    const env = storeEnv();
    const unknown = await deploy(env, 'abc123', '--output', tempDir('output'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/No run abc123/);
    const path = await deploy(env, '../../etc/passwd');
    expect(path.code).toBe(2);
    expect(path.stderr).toMatch(/^"\.\.\/\.\.\/etc\/passwd" is not a model id .* See rally deploy --help\.\n$/);
    const usage = await deploy(env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('Give one model id, or --list, or --rollback. See rally deploy --help.\n');
  }, 30_000);
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

describe('deploy looks first (in process)', () => {
  let outputDir: string;
  let good: Awaited<ReturnType<typeof trainSmall>>;
  let poor: Awaited<ReturnType<typeof trainTiny>>;

  /** A much worse model: one tree of depth 1. */
  async function trainTiny(dir: string) {
    const run = await trainRun({ dataPath: groundTruthSlice(600), params: { nEstimators: 1, maxDepth: 1, leafPrior: 0, seed: 3 }, workers: 0 });
    writeRun(run, dir);
    return run;
  }

  beforeAll(async () => {
    outputDir = tempDir('output');
    good = await trainSmall(outputDir);
    poor = await trainTiny(outputDir);
  }, 60_000);

  /** A store with `good` in production. */
  async function storeWithGood() {
    const env = { MODEL_STORE: tempDir('store'), CACHE_DIR: tempDir('cache') };
    expect((await runDeploy([good.modelId, '--output', outputDir], env)).code).toBe(0);
    return env;
  }

  it('--require-better refuses a candidate worse with confidence, and production stays', async () => {
    const env = await storeWithGood();
    const refused = await runDeploy([poor.modelId, '--output', outputDir, '--require-better'], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout.split('\n')[0]).toMatch(/^Verdict: the candidate is WORSE than production\./);
    expect(refused.stderr).toMatch(/^Refusing to deploy \(--require-better 0\): the 95% interval of the per-row test log loss difference lies wholly above 0/m);
    expect((await createModelStore(env).getProduction())?.model_id).toBe(good.modelId);
  }, 60_000);

  it('asks on a terminal: no keeps production, yes promotes; --yes does not ask', async () => {
    const env = await storeWithGood();
    const declined = await runDeploy([poor.modelId, '--output', outputDir], env, 'n\n', true);
    expect(declined.code).toBe(0);
    expect(declined.stderr).toContain(`Promote ${poor.modelId} to production in local folder `);
    expect(declined.stdout.trim().split('\n').at(-1)).toBe('Not deployed; production is unchanged.');
    expect((await createModelStore(env).getProduction())?.model_id).toBe(good.modelId);

    const accepted = await runDeploy([poor.modelId, '--output', outputDir], env, 'y\n', true);
    expect(accepted.stdout.trim().split('\n').at(-1)).toMatch(/^Uploaded, verified and promoted /);
    expect((await createModelStore(env).getProduction())?.model_id).toBe(poor.modelId);

    const yes = await runDeploy([good.modelId, '--output', outputDir, '--yes'], env, '', true);
    expect(yes.stderr).not.toContain('[y/N]');
    expect((await createModelStore(env).getProduction())?.model_id).toBe(good.modelId);
  }, 90_000);

  it('--require-better refuses a stored model that is not a local run: there is nothing to compare', async () => {
    const env = await storeWithGood();
    expect((await runDeploy([poor.modelId, '--output', outputDir, '--yes'], env)).code).toBe(0); // poor is now stored
    expect((await runDeploy([good.modelId, '--output', outputDir, '--yes'], env)).code).toBe(0); // good back in production
    const refused = await runDeploy([poor.modelId, '--output', tempDir('elsewhere'), '--require-better'], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`${poor.modelId.slice(0, 12)} is not a run in `);
    expect(refused.stderr).toMatch(/^Refusing to deploy \(--require-better 0\): there is no comparison with production to pass\.$/m);
    expect((await createModelStore(env).getProduction())?.model_id).toBe(good.modelId);
  }, 90_000);

  it('refuses --require-better without a model id or with a margin that is not a number; the only word after it is the id', async () => {
    expect((await runDeploy(['--rollback', '--require-better'], {})).stderr).toBe('--require-better goes with a model id to deploy. See rally deploy --help.\n');
    const bad = await runDeploy(['abc', '--require-better=lots'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('--require-better takes a number (a log loss margin), got "lots". See rally deploy --help.\n');
    // "1234" is a model id prefix here, not a margin: the run is looked for (and not found).
    const prefix = await runDeploy(['--require-better', '1234', '--output', tempDir('none')], { MODEL_STORE: tempDir('store') });
    expect(prefix.code).toBe(1);
    expect(prefix.stderr).toMatch(/No run 1234/);
  });

  it('--json: one document on stdout for a promotion, an unchanged production, a rollback and a failure', async () => {
    const env = { MODEL_STORE: tempDir('store') };
    const promoted = await runDeploy([poor.modelId, '--output', outputDir, '--json'], env);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(JSON.parse(promoted.stdout)).toMatchObject({ outcome: 'promoted', model_id: poor.modelId, uploaded: true, previous_model_id: null });
    expect(promoted.stderr).toMatch(/^Uploaded, verified and promoted /m); // the human line, on stderr
    const again = await runDeploy([poor.modelId, '--output', outputDir, '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'unchanged', model_id: poor.modelId });
    await runDeploy([good.modelId, '--output', outputDir, '--yes'], env);
    const back = await runDeploy(['--rollback', '--json'], env);
    expect(JSON.parse(back.stdout)).toMatchObject({ outcome: 'rolled_back', model_id: poor.modelId, previous_model_id: good.modelId });
    const failed = await runDeploy(['ffff', '--output', outputDir, '--json'], env);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout).error).toMatchObject({ code: 'STORE_UNKNOWN_MODEL' });
  }, 90_000);
});
