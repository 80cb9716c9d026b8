/**
 * Items 1 and 4: a damaged stored model must not be promoted, and concurrent promotions must not be
 * lost. Through the deploy command, as an operator runs it, against a local folder and S3 (s3rver).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { trainTinyRun } from '@rally/model-fixtures';
import { createModelStore, type ModelStore, S3ModelStore } from '@rally/model-store';
import { type RunningS3, runRally, startS3, tempDir } from '@rally/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const deploy = (env: NodeJS.ProcessEnv, ...args: string[]) => runRally(['deploy', ...args], { ...env, NO_COLOR: '1' });

let s3: RunningS3;
const outputDir = tempDir('output');
const runs: string[] = [];
beforeAll(async () => {
  s3 = await startS3();
  // Seven small real runs: two for the damaged-model cases, five for the concurrent deploys.
  for (let seed = 1; seed <= 7; seed++) runs.push((await trainTinyRun({ outputDir, params: { seed, nEstimators: 3, maxDepth: 4 } })).run.modelId);
});
afterAll(() => s3?.close());

interface Backend {
  name: string;
  env(): NodeJS.ProcessEnv;
  /** Replaces the stored bytes of an artifact behind the store's back (a disk or bucket fault). */
  tamper(env: NodeJS.ProcessEnv, id: string, name: string, change: (bytes: Buffer) => Buffer): Promise<void>;
  /** Raw keys under history/ (orphans included). */
  historyKeys(env: NodeJS.ProcessEnv): Promise<string[]>;
}

const local: Backend = {
  name: 'a local folder',
  env: () => ({ MODEL_STORE: tempDir('store') }),
  async tamper(env, id, name, change) {
    const path = join(env.MODEL_STORE!, 'models', id, name);
    writeFileSync(path, change(readFileSync(path)));
  },
  async historyKeys(env) {
    try {
      return readdirSync(join(env.MODEL_STORE!, 'history')).filter((name) => name.endsWith('.json'));
    } catch {
      return [];
    }
  },
};

const s3Backend: Backend = {
  name: 'S3 (s3rver)',
  env: () => s3.env(`reliability-${Date.now()}-${Math.random().toString(16).slice(2)}`),
  async tamper(env, id, name, change) {
    const store = createModelStore(env) as S3ModelStore;
    const Key = `${store.prefix}models/${id}/${name}`;
    const object = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    await store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key, Body: change(bytes) }));
    await store.close();
  },
  async historyKeys(env) {
    const store = createModelStore(env) as S3ModelStore;
    const page = await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, Prefix: `${store.prefix}history/` }));
    await store.close();
    return (page.Contents ?? []).map((object) => object.Key!);
  },
};

const flipByte = (bytes: Buffer) => {
  const copy = Buffer.from(bytes);
  copy[Math.floor(copy.length / 2)] ^= 0x01;
  return copy;
};

async function production(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const store: ModelStore & { close?: () => Promise<void> } = createModelStore(env);
  const pointer = await store.getProduction();
  await store.close?.();
  return pointer?.model_id;
}

describe.each([local, s3Backend])('item 1: a damaged stored model is never promoted (%s)', (backend) => {
  it('rollback to a model whose stored model.json lost a bit: refused, exit 1, production unchanged', async () => {
    const env = backend.env();
    const [a, b] = runs;
    for (const id of [a, b]) expect((await deploy(env, id, '--output', outputDir)).code).toBe(0);
    await backend.tamper(env, a, 'model.json', flipByte);
    const result = await deploy(env, '--rollback');
    expect(result.code, result.stdout).toBe(1);
    expect(result.stderr).toMatch(/model\.json of model [0-9a-f]{64} .*does not match its recorded sha256/);
    expect(await production(env)).toBe(b);
  });

  it('deploy <id> of a model already in the store, damaged there: refused, exit 1, production unchanged', async () => {
    const env = backend.env();
    const [a, b] = runs;
    for (const id of [a, b]) expect((await deploy(env, id, '--output', outputDir)).code).toBe(0);
    await backend.tamper(env, a, 'dataset.csv', flipByte);
    const result = await deploy(env, a, '--output', outputDir);
    expect(result.code, result.stdout).toBe(1);
    expect(result.stderr).toMatch(/dataset\.csv of model [0-9a-f]{64} .*does not match its recorded sha256/);
    expect(await production(env)).toBe(b);
  });
});

describe.each([local, s3Backend])('item 4: concurrent promotions are never lost (%s)', (backend) => {
  it('five deploys started together: each promoted or refused in one sentence; history, --list and production agree', async () => {
    const env = backend.env();
    const five = runs.slice(2, 7);
    const results = await Promise.all(five.map((id) => deploy(env, id, '--output', outputDir)));
    const promoted = five.filter((_, i) => results[i].code === 0);
    const refused = results.filter((result) => result.code !== 0);
    expect(promoted.length).toBeGreaterThanOrEqual(1);
    for (const result of refused) {
      expect(result.code).toBe(1);
      // Progress (the comparison with production) may come first; the refusal is the last line, one sentence.
      expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^Another promotion .+; production is [0-9a-f]{64}.*\.$/);
    }
    const list = await deploy(env, '--list', '--json');
    const listed: string[] = JSON.parse(list.stdout).promotions.map((promotion: { model_id: string }) => promotion.model_id);
    // Every reported success is in the history, once, and nothing else is.
    expect([...listed].sort()).toEqual([...promoted].sort());
    // Production is the last promotion in the history, and no history entry is orphaned.
    expect(await production(env)).toBe(listed.at(-1));
    expect(await backend.historyKeys(env)).toHaveLength(listed.length);
  });
});
