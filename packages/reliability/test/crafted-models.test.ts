/**
 * Issue 30: crafted models whose checksums are consistent (a training bug, or someone with write
 * access to the bucket) against a live server: refused at deploy (exit 1, one sentence) and at hot
 * reload (put in the store and promoted behind the checks), the old model still served and ready,
 * one log line per refused model, and the server's RSS within 20% of its level.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sampleDataPoints } from '@rally/features';
import { craftedRun, trainTinyRun } from '@rally/model-fixtures';
import { LocalFolderStore, deployRun } from '@rally/model-store';
import { rssMb, runRally, tempDir, waitUntil } from '@rally/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess, stopAllServers } from '../src/index.ts';

const storeDir = tempDir('store');
let good: { id: string; dir: string };
let server: ServerProcess;

beforeAll(async () => {
  const { run, dir } = await trainTinyRun({ params: { nEstimators: 20, maxDepth: 8 } });
  good = { id: run.modelId, dir };
  await deployRun(new LocalFolderStore(storeDir), dir);
  server = await startServerProcess({ command: 'node', env: { MODEL_STORE: storeDir, CACHE_DIR: tempDir('cache'), LOG_LEVEL: 'info', LOG_FORMAT: 'json', POLL_INTERVAL_SECONDS: '1' } });
}, 120_000);
afterAll(stopAllServers);

/** The cases: the two, and others of the same kind. */
const CASES: [string, (model: Record<string, any>) => void, RegExp][] = [
  ['a forest declaring 40 features for a 14-column union', (m) => (m.estimator.nFeatures = 40), /its forest reads 40 features but its feature union makes 14 columns/],
  ['model.json padded with an unknown 200 MB string', (m) => (m.padding = 'x'.repeat(200 * 1024 * 1024)), /(over the limit of 67108864 \(MODEL_MAX_BYTES\)|unknown key "padding")/],
  ['classes other than the target\'s', (m) => (m.estimator.classes = ['A', 'B', 'C']), /its classes are A, B, C/],
];

const post = async (points: unknown[]) => {
  const response = await fetch(`${server.base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: points }) });
  return { status: response.status, model: response.headers.get('x-model-id'), body: await response.json() };
};
const warnings = () => server.output().split('\n').filter((line) => line.includes('Reloading the production model failed'));

describe('crafted models against a live server', () => {
  it.each(CASES)('%s: refused at deploy and at hot reload; the old model served, ready, said once; RSS within a fifth', async (name, edit, why) => {
    const points = sampleDataPoints(5, 1);
    const before = await post(points);
    expect(before).toMatchObject({ status: 200, model: good.id });
    const rssBefore = rssMb(server.pid);
    const crafted = await craftedRun(good.dir, edit);

    // At deploy: exit 1, one sentence, production unchanged.
    const deploy = await runRally(['deploy', crafted.id, '--output', dirname(crafted.dir), '--yes'], { MODEL_STORE: storeDir, NO_COLOR: '1' });
    expect(deploy.code, deploy.stderr).toBe(1);
    const sentence = deploy.stderr.trim().split('\n').at(-1)!;
    expect(sentence).toMatch(why);
    expect(deploy.stderr).not.toMatch(/^\s+at /m);
    expect((await new LocalFolderStore(storeDir).getProduction())!.model_id).toBe(good.id);

    // At hot reload: put behind the checks and promoted, as someone with write access would.
    const store = new LocalFolderStore(storeDir);
    await store.putModel(crafted.id, crafted.files);
    // The store's own promote reads every artifact first (and refuses one over the limit): the pointer is written as a bucket writer would.
    writeFileSync(join(storeDir, 'production.json'), JSON.stringify({ model_id: crafted.id, promoted_at: new Date().toISOString(), previous_model_id: good.id }));
    const logged = warnings().length;
    await waitUntil(() => warnings().length > logged, 15_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 4000)); // four more polls
    const said = warnings().slice(logged);
    expect(said, name).toHaveLength(1);
    expect(said[0]).toMatch(why);
    const after = await post(points);
    expect(after).toEqual(before);
    expect((await fetch(`${server.base}/health/ready`)).status).toBe(200);
    const settled = await waitUntil(() => rssMb(server.pid) <= rssBefore * 1.2, 30_000, 500);
    console.log(`measured: ${name}: deploy exit ${deploy.code} ("${sentence.slice(0, 160)}"); hot reload refused, ${said.length} log line in 4+ polls; RSS ${rssBefore.toFixed(0)} MB before, ${rssMb(server.pid).toFixed(0)} MB after`);
    expect(settled, `RSS ${rssBefore.toFixed(0)} MB before, ${rssMb(server.pid).toFixed(0)} MB after`).toBe(true);

    // Production back to the good model, for the next case.
    await store.promote(good.id);
    await waitUntil(async () => (await post(points)).model === good.id, 10_000, 200);
  }, 120_000);
});
