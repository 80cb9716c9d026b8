// @module-tag integration
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseModelStoreLocation } from '../src/config.ts';
import { WORKSPACE_ROOT } from '@rally/model';
import { createModelStore, LocalFolderStore, S3ModelStore } from '../src/index.ts';
import { expectRallyError } from '@rally/testkit';

const CWD = resolve('/srv/rally');
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

function create(env: NodeJS.ProcessEnv, cwd = CWD) {
  const store = createModelStore(env, cwd);
  opened.push(store);
  return store;
}

function createS3(env: NodeJS.ProcessEnv): S3ModelStore {
  const store = create(env);
  expect(store).toBeInstanceOf(S3ModelStore);
  return store as S3ModelStore;
}

describe('createModelStore: local folder', () => {
  it('defaults to ./store under cwd', () => {
    const store = create({});
    expect(store).toBeInstanceOf(LocalFolderStore);
    expect((store as LocalFolderStore).root).toBe(join(CWD, 'store'));
    expect(store.description).toBe(`local folder ${join(CWD, 'store')}`);
    expect((create({ MODEL_STORE: '  ' }) as LocalFolderStore).root).toBe(join(CWD, 'store'));
  });

  it('takes relative, absolute and file:// paths', () => {
    expect((create({ MODEL_STORE: 'artifacts/models' }) as LocalFolderStore).root).toBe(join(CWD, 'artifacts', 'models'));
    const abs = resolve('/var/lib/rally-store');
    expect((create({ MODEL_STORE: abs }) as LocalFolderStore).root).toBe(abs);
    expect((create({ MODEL_STORE: pathToFileURL(abs).href }) as LocalFolderStore).root).toBe(abs);
  });

  it('resolves a relative folder against the workspace root by default, wherever the process runs', () => {
    const store = createModelStore({ MODEL_STORE: 'some/store' }) as LocalFolderStore;
    opened.push(store);
    expect(store.root).toBe(join(WORKSPACE_ROOT, 'some/store'));
    expect((createModelStore({}) as LocalFolderStore).root).toBe(join(WORKSPACE_ROOT, 'store'));
  });
});

describe('createModelStore: s3', () => {
  const creds = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };

  it('parses bucket, prefix, endpoint and path style', async () => {
    const store = createS3({ MODEL_STORE: 's3://rally-models/prod//v1/', S3_ENDPOINT: 'http://127.0.0.1:9000/', AWS_REGION: 'eu-west-3', ...creds });
    expect(store.bucket).toBe('rally-models');
    expect(store.prefix).toBe('prod/v1/');
    expect(store.endpoint).toBe('http://127.0.0.1:9000');
    expect(store.description).toBe('s3://rally-models/prod/v1 at http://127.0.0.1:9000');
    expect(store.client.config.forcePathStyle).toBe(true);
    expect(await store.client.config.region()).toBe('eu-west-3');
    expect(await store.client.config.maxAttempts()).toBe(3);
    expect(await store.client.config.credentials()).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
  });

  it('has an empty prefix for s3://bucket and s3://bucket/, virtual-host style without an endpoint', async () => {
    for (const value of ['s3://rally-models', 's3://rally-models/']) {
      const store = createS3({ MODEL_STORE: value, AWS_REGION: 'us-west-2', ...creds });
      expect(store.prefix).toBe('');
      expect(store.endpoint).toBeUndefined();
      expect(store.description).toBe('s3://rally-models on AWS S3');
      expect(store.client.config.forcePathStyle).toBe(false);
    }
  });

  it('defaults the region to us-east-1 with a custom endpoint and honours AWS_MAX_ATTEMPTS', async () => {
    const store = createS3({ MODEL_STORE: 's3://b-1/x', S3_ENDPOINT: 'https://minio.internal', AWS_MAX_ATTEMPTS: '5', ...creds });
    expect(await store.client.config.region()).toBe('us-east-1');
    expect(await store.client.config.maxAttempts()).toBe(5);
    await expect(createS3({ MODEL_STORE: 's3://b-1/x', AWS_DEFAULT_REGION: 'ap-south-1' }).client.config.region()).resolves.toBe('ap-south-1');
  });

  it.each([
    ['s3://', 'no bucket'],
    ['s3:///models', 'no bucket'],
    ['s3://Bad_Bucket/x', 'invalid bucket'],
    ['s3://ab', 'bucket too short'],
    ['s3://bucket/../x', "'..' in the prefix"],
    ['s3://bucket/x?versionId=1', 'query'],
    ['gs://bucket/x', 'unsupported scheme'],
    ['https://example.com/store', 'unsupported scheme'],
  ])('rejects MODEL_STORE=%s (%s) with STORE_CONFIG', async (value) => {
    const err = await expectRallyError(() => createModelStore({ MODEL_STORE: value }, CWD), 'STORE_CONFIG');
    expect(err.message).toMatch(/^MODEL_STORE must .*, got "/);
  });

  it.each([
    [{ S3_ENDPOINT: 'not a url' }],
    [{ S3_ENDPOINT: 'ftp://127.0.0.1:21' }],
    [{ S3_ENDPOINT: 'http://user:pw@127.0.0.1:9000' }],
    [{ AWS_MAX_ATTEMPTS: 'many' }],
    [{ AWS_MAX_ATTEMPTS: '0' }],
    [{ AWS_RETRY_MODE: 'legacy' }],
    [{ AWS_ACCESS_KEY_ID: 'only-the-id' }],
  ])('rejects invalid S3 settings %o with STORE_CONFIG', async (extra) => {
    await expectRallyError(() => createModelStore({ MODEL_STORE: 's3://bucket/p', ...extra }, CWD), 'STORE_CONFIG');
  });

  it('parseModelStoreLocation is pure', () => {
    expect(parseModelStoreLocation('s3://bkt/a/b', CWD)).toEqual({ kind: 's3', bucket: 'bkt', prefix: 'a/b/' });
    expect(parseModelStoreLocation(undefined, CWD)).toEqual({ kind: 'local', root: join(CWD, 'store') });
  });
});
