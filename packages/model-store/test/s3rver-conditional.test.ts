// @module-tag integration
/**
 * patches/s3rver@3.7.1.patch: the test server keeps two promises AWS S3 makes and rally relies on.
 * Conditional writes (If-None-Match: * creates only a new object, If-Match replaces only the version
 * read; 412 otherwise), atomically per key; and atomic PUTs (a GET sees the old object or the new
 * one, never part of it). Without the patch s3rver ignores both headers and serves half-written
 * objects, and the store's promotion race tests could not pass or fail for the right reason.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ModelStore } from '../src/index.ts';
import { type RunningS3, startS3 } from '@rally/testkit';

let s3: RunningS3;
let store: S3ModelStore;
beforeAll(async () => {
  s3 = await startS3();
  store = new S3ModelStore(s3.options('conditional'));
});
afterAll(async () => {
  await store.close();
  await s3.close();
});

const put = (Key: string, Body: string, condition: { IfMatch?: string; IfNoneMatch?: string }) =>
  store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key, Body, ...condition })).then(
    () => 200,
    (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode,
  );

describe('s3rver PUT is atomic (patched)', () => {
  it('GETs racing PUTs of a large object read the old bytes or the new ones, whole', async () => {
    const size = 2 * 1024 * 1024;
    const versions = ['a', 'b', 'c', 'd'].map((c) => c.repeat(size));
    await put('atomic/big', versions[0], {});
    const reads: string[] = [];
    const get = async () => {
      const object = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: 'atomic/big' }));
      reads.push(await object.Body!.transformToString());
    };
    for (const next of versions.slice(1)) await Promise.all([put('atomic/big', next, {}), get(), get(), get()]);
    for (const text of reads) {
      expect(text.length).toBe(size);
      expect(versions).toContain(text);
    }
  });
});

describe('s3rver conditional writes (patched)', () => {
  it('If-None-Match: * creates an object once', async () => {
    expect(await put('conditional/a', 'one', { IfNoneMatch: '*' })).toBe(200);
    expect(await put('conditional/a', 'two', { IfNoneMatch: '*' })).toBe(412);
  });

  it('If-Match replaces only the version that was read', async () => {
    await put('conditional/b', 'one', {});
    const { ETag } = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: 'conditional/b' }));
    expect(await put('conditional/b', 'two', { IfMatch: ETag })).toBe(200);
    expect(await put('conditional/b', 'three', { IfMatch: ETag })).toBe(412);
    expect(await put('conditional/missing', 'x', { IfMatch: ETag })).toBe(412);
  });

  it('of ten writers racing with the same ETag, exactly one wins', async () => {
    await put('conditional/c', 'start', {});
    const { ETag } = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: 'conditional/c' }));
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) => put('conditional/c', `writer ${i}`, { IfMatch: ETag })));
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(9);
  });
});
