// @module-tag unit
/**
 * S3ModelStore over a scripted client (the `client` option, dependency injection): what the store
 * asks S3 for and how it reads S3's answers, including answers a real server rarely gives on
 * demand: a body whose stream breaks, a missing ETag, a paginated listing, a 409 conflict.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3ModelStore } from '../src/index.ts';
import { isValidBucketName, mapS3Error, normalizePrefix } from '../src/s3.ts';
import { expectRallyError } from '@rally/testkit';
import { fakeModel } from './helpers.ts';

type Command = GetObjectCommand | PutObjectCommand | ListObjectsV2Command | DeleteObjectCommand;
type Handler = (command: Command) => unknown;

/** A client whose answers `handler` scripts; every command sent is recorded. */
function scripted(handler: Handler) {
  const sent: Command[] = [];
  const client = {
    send: async (command: Command) => {
      sent.push(command);
      return handler(command);
    },
    destroy() {},
  } as unknown as S3Client;
  return { client, sent };
}

function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status, attempts: 1 }, ...extra });
}

/** An S3 GetObject answer with `bytes` as its body. */
function body(bytes: Buffer, etag: string | undefined) {
  return { Body: { transformToByteArray: async () => new Uint8Array(bytes) }, ETag: etag };
}

function brokenBody(error: Error) {
  return { Body: { transformToByteArray: async () => Promise.reject(error) }, ETag: '"etag"' };
}

const pointer = { model_id: fakeModel('p').id, promoted_at: '2025-01-01T00:00:00.000Z', previous_model_id: null };
const pointerBytes = Buffer.from(JSON.stringify(pointer));

describe('S3ModelStore: construction', () => {
  it('refuses an invalid bucket name in one sentence', async () => {
    const err = await expectRallyError(() => new S3ModelStore({ bucket: 'Bad_Bucket' }), 'STORE_CONFIG');
    expect(err.message).toBe('"Bad_Bucket" is not a valid S3 bucket name.');
  });

  it('describes where it is: bucket, prefix and endpoint (trailing slashes dropped), or AWS S3', () => {
    const { client } = scripted(() => ({}));
    expect(new S3ModelStore({ bucket: 'models', prefix: '/a//b/', endpoint: 'http://127.0.0.1:9000//', client }).description).toBe(
      's3://models/a/b at http://127.0.0.1:9000',
    );
    expect(new S3ModelStore({ bucket: 'models', client }).description).toBe('s3://models on AWS S3');
  });

  it('configures its own client: path style, us-east-1 and checksums only when required on a custom endpoint', async () => {
    const custom = new S3ModelStore({ bucket: 'models', endpoint: 'http://127.0.0.1:9000', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    expect(custom.client.config.forcePathStyle).toBe(true);
    expect(await custom.client.config.region()).toBe('us-east-1');
    expect(custom.client.config.requestChecksumCalculation && (await custom.client.config.requestChecksumCalculation())).toBe('WHEN_REQUIRED');
    expect(custom.client.config.responseChecksumValidation && (await custom.client.config.responseChecksumValidation())).toBe('WHEN_REQUIRED');
    expect(await custom.client.config.maxAttempts()).toBe(3);
    expect(custom.client.config.retryMode).toBe('standard');
    // The default timeouts, so that an unreachable endpoint fails within seconds.
    const handler = custom.client.config.requestHandler as unknown as { configProvider: Promise<{ connectionTimeout?: number; socketTimeout?: number }> };
    expect(await handler.configProvider).toMatchObject({ connectionTimeout: 2000, socketTimeout: 5000 });
    await custom.close();
    const aws = new S3ModelStore({ bucket: 'models', region: 'eu-west-1', maxAttempts: 7, retryMode: 'adaptive', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    expect(aws.client.config.forcePathStyle).toBe(false);
    expect(await aws.client.config.region()).toBe('eu-west-1');
    expect(await aws.client.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    expect(await aws.client.config.maxAttempts()).toBe(7);
    expect(aws.client.config.retryMode).toBe('adaptive');
    await aws.close();
    const tuned = new S3ModelStore({ bucket: 'models', endpoint: 'http://127.0.0.1:9000', connectionTimeoutMs: 300, socketTimeoutMs: 700, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const tunedHandler = tuned.client.config.requestHandler as unknown as { configProvider: Promise<{ connectionTimeout?: number; socketTimeout?: number }> };
    expect(await tunedHandler.configProvider).toMatchObject({ connectionTimeout: 300, socketTimeout: 700 });
    await tuned.close();
  });

  it('on AWS without a region, leaves the region to the SDK (AWS_REGION); path style can be chosen', async () => {
    const saved = process.env.AWS_REGION;
    process.env.AWS_REGION = 'sa-east-1';
    try {
      const aws = new S3ModelStore({ bucket: 'models', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
      expect(await aws.client.config.region()).toBe('sa-east-1');
      await aws.close();
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
    const virtualHost = new S3ModelStore({ bucket: 'models', endpoint: 'http://127.0.0.1:9000', forcePathStyle: false, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    expect(virtualHost.client.config.forcePathStyle).toBe(false);
    await virtualHost.close();
  });

  it("close() releases the client's sockets", async () => {
    let destroyed = 0;
    const client = { send: async () => ({}), destroy: () => destroyed++ } as unknown as S3Client;
    await new S3ModelStore({ bucket: 'models', client }).close();
    expect(destroyed).toBe(1);
  });

  it('keeps the SDK from printing its Node version warning, unless the user chose', () => {
    const saved = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    try {
      delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
      new S3ModelStore({ bucket: 'models', client: scripted(() => ({})).client });
      expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'false';
      new S3ModelStore({ bucket: 'models', client: scripted(() => ({})).client });
      expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('false');
    } finally {
      if (saved === undefined) delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
      else process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = saved;
    }
  });
});

describe('S3ModelStore: reading', () => {
  it('asks for the key under its prefix; a missing key reads as nothing', async () => {
    const { client, sent } = scripted(() => Promise.reject(sdkError('NoSuchKey', 404)));
    const store = new S3ModelStore({ bucket: 'models', prefix: 'team/a', client });
    expect(await store.getProduction()).toBeNull();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(GetObjectCommand);
    expect(sent[0].input).toEqual({ Bucket: 'models', Key: 'team/a/production.json' });
  });

  it('reads an answer without a body as empty (an invalid pointer here)', async () => {
    const store = new S3ModelStore({ bucket: 'models', client: scripted(() => ({})).client });
    await expectRallyError(store.getProduction(), 'STORE_CORRUPTED');
  });

  it('anything the client throws, even undefined, becomes one sentence', async () => {
    const store = new S3ModelStore({ bucket: 'models', client: scripted(() => Promise.reject(undefined)).client });
    await expectRallyError(store.getProduction(), 'STORE_UNREACHABLE');
  });

  it('other errors become one sentence', async () => {
    const store = new S3ModelStore({ bucket: 'models', client: scripted(() => Promise.reject(sdkError('AccessDenied', 403))).client });
    await expectRallyError(store.getProduction(), 'STORE_ACCESS_DENIED');
  });

  it('retries a body whose stream breaks, with a growing pause, up to maxAttempts reads in all', async () => {
    let gets = 0;
    const times: number[] = [];
    const { client } = scripted(() => {
      times.push(Date.now());
      return ++gets < 3 ? brokenBody(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })) : body(pointerBytes, '"etag-1"');
    });
    const store = new S3ModelStore({ bucket: 'models', client, maxAttempts: 3 });
    expect(await store.getProduction()).toEqual(pointer);
    expect(gets).toBe(3);
    // 100 ms, then 200 ms (the upper bound is loose: timers run late on a busy machine).
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(90);
    expect(times[1] - times[0]).toBeLessThan(350);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(190);
  });

  it.each([
    ['a premature close', new Error('Premature close')],
    ['an aborted stream', new Error('The operation was aborted')],
    ['a socket hang up', new Error('socket hang up')],
    ['a timeout', Object.assign(new Error('body timed out'), { name: 'TimeoutError' })],
    ['a network code in the cause', Object.assign(new Error('stream failed'), { cause: { code: 'EPIPE' } })],
  ])('retries the body after %s', async (_label, error) => {
    let gets = 0;
    const { client } = scripted(() => (++gets === 1 ? brokenBody(error) : body(pointerBytes, '"etag-1"')));
    const store = new S3ModelStore({ bucket: 'models', client, maxAttempts: 2 });
    expect(await store.getProduction()).toEqual(pointer);
    expect(gets).toBe(2);
  });

  it('gives up once every attempt broke, in one sentence', async () => {
    let gets = 0;
    const { client } = scripted(() => {
      gets++;
      return brokenBody(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    });
    const store = new S3ModelStore({ bucket: 'models', endpoint: 'http://127.0.0.1:9', client, maxAttempts: 2 });
    const err = await expectRallyError(store.getProduction(), 'STORE_UNREACHABLE');
    expect(err.message).toBe('Cannot reach s3://models at http://127.0.0.1:9 (ECONNRESET).');
    expect(gets).toBe(2);
  });

  it('reads the body once with maxAttempts 1, and does not retry an error that is not transient', async () => {
    let gets = 0;
    const once = new S3ModelStore({
      bucket: 'models',
      maxAttempts: 1,
      client: scripted(() => {
        gets++;
        return brokenBody(new Error('Premature close'));
      }).client,
    });
    await expectRallyError(once.getProduction(), 'STORE_UNREACHABLE');
    expect(gets).toBe(1);
    gets = 0;
    const bug = new S3ModelStore({
      bucket: 'models',
      maxAttempts: 3,
      client: scripted(() => {
        gets++;
        return brokenBody(new Error('invalid UTF-8 in the wire format'));
      }).client,
    });
    await expectRallyError(bug.getProduction(), 'STORE_UNREACHABLE');
    expect(gets).toBe(1);
  });

  it.each([[{}], [undefined], [null]])('a body error %s without a message is not transient, and still one sentence', async (thrown) => {
    let gets = 0;
    const store = new S3ModelStore({
      bucket: 'models',
      client: scripted(() => {
        gets++;
        return { Body: { transformToByteArray: () => Promise.reject(thrown) } };
      }).client,
    });
    await expectRallyError(store.getProduction(), 'STORE_UNREACHABLE');
    expect(gets).toBe(1);
  });
});

describe('S3ModelStore: writing and listing', () => {
  it('uploads each artifact with its content type, the manifest last', async () => {
    const m = fakeModel('types');
    const { client, sent } = scripted((command) => {
      if (command instanceof GetObjectCommand) return Promise.reject(sdkError('NoSuchKey', 404));
      return {};
    });
    await new S3ModelStore({ bucket: 'models', prefix: 'p', client }).putModel(m.id, m.files);
    const puts = sent.filter((c): c is PutObjectCommand => c instanceof PutObjectCommand).map((c) => [c.input.Key, c.input.ContentType]);
    expect(puts.slice(0, 3).sort()).toEqual([
      [`p/models/${m.id}/dataset.csv`, 'text/csv'],
      [`p/models/${m.id}/model.json`, 'application/json'],
      [`p/models/${m.id}/report.json`, 'application/json'],
    ]);
    expect(puts[3]).toEqual([`p/models/${m.id}/checksums.json`, 'application/json']);
  });

  it('lists every page of a truncated listing, under its prefix only', async () => {
    const a = fakeModel('page-a').id;
    const b = fakeModel('page-b').id;
    const { client, sent } = scripted((command) => {
      if (!(command instanceof ListObjectsV2Command)) throw new Error('unexpected');
      if (command.input.ContinuationToken === undefined) {
        return { IsTruncated: true, NextContinuationToken: 'page-2', Contents: [{ Key: `p/models/${a}/checksums.json` }, { Key: `p/models/${a}/model.json` }] };
      }
      // A key outside the prefix (a listing gone wrong) and one without a key are skipped.
      return { IsTruncated: false, NextContinuationToken: 'ignored', Contents: [{ Key: `p/models/${b}/checksums.json` }, { Key: `q/models/${a}0/checksums.json` }, {}] };
    });
    expect(await new S3ModelStore({ bucket: 'models', prefix: 'p', client }).listModels()).toEqual([a, b].sort());
    expect(sent.map((c) => c.input)).toEqual([
      { Bucket: 'models', Prefix: 'p/models/', ContinuationToken: undefined },
      { Bucket: 'models', Prefix: 'p/models/', ContinuationToken: 'page-2' },
    ]);
  });

  it('an empty listing (no Contents) is no models', async () => {
    expect(await new S3ModelStore({ bucket: 'models', client: scripted(() => ({ IsTruncated: false })).client }).listModels()).toEqual([]);
  });

  it('listing, writing and deleting failures become one sentence', async () => {
    const m = fakeModel('fail');
    const failing = new S3ModelStore({ bucket: 'models', client: scripted(() => Promise.reject(sdkError('NoSuchBucket', 404))).client });
    await expectRallyError(failing.listModels(), 'STORE_NO_BUCKET');
    await expectRallyError(failing.history(), 'STORE_NO_BUCKET');
    // The manifest read says "no model", the upload then fails.
    const writes = new S3ModelStore({
      bucket: 'models',
      client: scripted((c) => (c instanceof GetObjectCommand ? Promise.reject(sdkError('NoSuchKey', 404)) : Promise.reject(sdkError('AccessDenied', 403)))).client,
    });
    await expectRallyError(writes.putModel(m.id, m.files), 'STORE_ACCESS_DENIED');
  });
});

describe('S3ModelStore: promotion over conditional writes', () => {
  /** An in-memory bucket honouring If-None-Match / If-Match, whose conditional PUTs of `failKey` fail with `failure` (and which may answer without ETags). */
  function bucket(failKey?: string, failure?: () => unknown, withEtags = true) {
    const objects = new Map<string, { bytes: Buffer; etag: string }>();
    let version = 0;
    const { client, sent } = scripted((command) => {
      const input = command.input as { Key?: string; Prefix?: string; Body?: Buffer; IfNoneMatch?: string; IfMatch?: string };
      if (command instanceof GetObjectCommand) {
        const object = objects.get(input.Key!);
        return object ? body(object.bytes, withEtags ? object.etag : undefined) : Promise.reject(sdkError('NoSuchKey', 404));
      }
      if (command instanceof PutObjectCommand) {
        if (failKey !== undefined && input.Key === failKey && (input.IfMatch !== undefined || input.IfNoneMatch !== undefined)) return Promise.reject(failure!());
        const existing = objects.get(input.Key!);
        if (input.IfNoneMatch === '*' && existing) return Promise.reject(sdkError('PreconditionFailed', 412));
        if (input.IfMatch !== undefined && existing?.etag !== input.IfMatch) return Promise.reject(sdkError('PreconditionFailed', 412));
        objects.set(input.Key!, { bytes: Buffer.from(input.Body!), etag: `"v${++version}"` });
        return {};
      }
      if (command instanceof DeleteObjectCommand) {
        objects.delete(input.Key!);
        return {};
      }
      return { Contents: [...objects.keys()].filter((k) => k.startsWith(input.Prefix!)).map((Key) => ({ Key })) };
    });
    return { client, sent, objects };
  }

  const A = fakeModel('cond-a');
  const B = fakeModel('cond-b');

  it('creates the history entry only if new and swaps the pointer only if unchanged', async () => {
    const { client, sent } = bucket();
    const store = new S3ModelStore({ bucket: 'models', client });
    await store.putModel(A.id, A.files);
    await store.putModel(B.id, B.files);
    await store.promote(A.id, new Date('2025-01-01T00:00:00.000Z'));
    await store.promote(B.id, new Date('2025-01-02T00:00:00.000Z'));
    const conditional = sent
      .filter((c): c is PutObjectCommand => c instanceof PutObjectCommand && !c.input.Key!.startsWith('models/'))
      .map((c) => ({ key: c.input.Key, IfNoneMatch: c.input.IfNoneMatch, IfMatch: c.input.IfMatch, type: c.input.ContentType }));
    expect(conditional).toEqual([
      { key: `history/2025-01-01T00-00-00.000Z-${A.id}.json`, IfNoneMatch: '*', IfMatch: undefined, type: 'application/json' },
      { key: 'production.json', IfNoneMatch: '*', IfMatch: undefined, type: 'application/json' },
      { key: `history/2025-01-02T00-00-00.000Z-${B.id}.json`, IfNoneMatch: '*', IfMatch: undefined, type: 'application/json' },
      { key: 'production.json', IfNoneMatch: undefined, IfMatch: expect.stringMatching(/^"v\d+"$/), type: 'application/json' },
    ]);
    expect((await store.getProduction())?.model_id).toBe(B.id);
  });

  it.each([
    ['a 412 without a name', () => Object.assign(new Error('x'), { $metadata: { httpStatusCode: 412 } })],
    ['PreconditionFailed without a status', () => Object.assign(new Error('x'), { name: 'PreconditionFailed' })],
    ['a 409 ConditionalRequestConflict', () => sdkError('ConditionalRequestConflict', 409)],
  ])('reads %s on the pointer as a lost race (STORE_CONFLICT), and removes its orphan entry', async (_label, failure) => {
    const { client, objects } = bucket('production.json', failure);
    const store = new S3ModelStore({ bucket: 'models', client });
    await store.putModel(A.id, A.files);
    const err = await expectRallyError(store.promote(A.id, new Date('2025-01-01T00:00:00.000Z')), 'STORE_CONFLICT');
    expect(err.message).toContain(A.id);
    expect([...objects.keys()].filter((k) => k.startsWith('history/'))).toEqual([]);
  });

  it('a 409 of another kind is an error of its own, not a lost race', async () => {
    const { client } = bucket('production.json', () => sdkError('OperationAborted', 409));
    const store = new S3ModelStore({ bucket: 'models', client });
    await store.putModel(A.id, A.files);
    const err = await expectRallyError(store.promote(A.id, new Date('2025-01-01T00:00:00.000Z')), 'STORE_UNREACHABLE');
    expect(err.message).toContain('OperationAborted');
  });

  it('a 412 of the history entry write is a lost race too', async () => {
    const { client } = bucket(`history/2025-01-01T00-00-00.000Z-${A.id}.json`, () => sdkError('PreconditionFailed', 412));
    const store = new S3ModelStore({ bucket: 'models', client });
    await store.putModel(A.id, A.files);
    await expectRallyError(store.promote(A.id, new Date('2025-01-01T00:00:00.000Z')), 'STORE_CONFLICT');
    expect(await store.getProduction()).toBeNull();
  });

  it('a server that gives no ETag cannot have its pointer replaced blindly: the swap asks for version "" and is refused', async () => {
    const { client, sent } = bucket(undefined, undefined, false);
    const store = new S3ModelStore({ bucket: 'models', client });
    await store.putModel(A.id, A.files);
    await store.putModel(B.id, B.files);
    await store.promote(A.id, new Date('2025-01-01T00:00:00.000Z'));
    await expectRallyError(store.promote(B.id, new Date('2025-01-02T00:00:00.000Z')), 'STORE_CONFLICT');
    expect((await store.getProduction())?.model_id).toBe(A.id);
    const swaps = sent.filter((c): c is PutObjectCommand => c instanceof PutObjectCommand && c.input.Key === 'production.json');
    expect(swaps.map((c) => c.input.IfMatch)).toEqual([undefined, '']);
  });
});

describe('bucket names and prefixes', () => {
  it('accepts 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit', () => {
    for (const ok of ['abc', 'a'.repeat(63), 'my.bucket-1', '1-2']) expect(isValidBucketName(ok), ok).toBe(true);
    for (const bad of ['ab', 'a'.repeat(64), 'My-bucket', '-abc', 'abc-', '.abc', 'abc.', 'a..b', 'a_b', 'a b', 'abc\n']) expect(isValidBucketName(bad), bad).toBe(false);
  });

  it('normalizes prefixes and refuses the ones that escape or hide', async () => {
    expect(normalizePrefix(undefined)).toBe('');
    expect(normalizePrefix('///')).toBe('');
    expect(normalizePrefix('a')).toBe('a/');
    expect(normalizePrefix('/a//b/')).toBe('a/b/');
    expect(normalizePrefix('a.b/..c')).toBe('a.b/..c/');
    for (const bad of ['.', 'a/..', 'a\\b', 'a\u0000b', 'a\u001fb', 'a\u007fb']) {
      const err = await expectRallyError(() => normalizePrefix(bad), 'STORE_CONFIG');
      expect(err.message).toBe(`The S3 prefix ${JSON.stringify(bad)} is invalid (no '.', '..', backslash or control characters).`);
    }
  });
});

describe('mapS3Error: the rest of the sentences', () => {
  const ctx = { description: 's3://models at http://127.0.0.1:9000', bucket: 'models' };

  it('reads the code from Code when the SDK gives one', () => {
    const err = mapS3Error(Object.assign(new Error('x'), { name: 'S3ServiceException', Code: 'NoSuchBucket' }), ctx);
    expect(err.code).toBe('STORE_NO_BUCKET');
    expect(err.message).toBe('Bucket "models" does not exist (s3://models at http://127.0.0.1:9000).');
  });

  it('names the HTTP status when there is no code', () => {
    const bare = (status: number) => Object.assign(new Error(''), { name: '', $metadata: { httpStatusCode: status } });
    expect(mapS3Error(bare(403), ctx).message).toBe(`${ctx.description} refused the credentials (HTTP 403); check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket policy.`);
    expect(mapS3Error(bare(301), ctx).message).toBe(`Bucket "models" is not reachable in the configured region (HTTP 301); set AWS_REGION to the bucket's region.`);
    expect(mapS3Error(bare(502), ctx).message).toBe(`${ctx.description} kept failing with an error (HTTP 502).`);
    expect(mapS3Error(bare(400), ctx).message).toBe(`${ctx.description} failed with an unexpected error (HTTP 400): no message.`);
  });

  it('a region mismatch names the code', () => {
    const err = mapS3Error(Object.assign(new Error('wrong region'), { name: 'AuthorizationHeaderMalformed', $metadata: { httpStatusCode: 400 } }), ctx);
    expect(err.code).toBe('STORE_CONFIG');
    expect(err.message).toBe(`Bucket "models" is not reachable in the configured region (AuthorizationHeaderMalformed); set AWS_REGION to the bucket's region.`);
  });

  it('says how many attempts were made: several, or the one', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', $metadata: { attempts: 1 } });
    expect(mapS3Error(refused, ctx).message).toBe(`Cannot reach ${ctx.description} (ECONNREFUSED).`);
    const aborted = Object.assign(new Error('aborted'), { name: 'AbortError', $metadata: { attempts: 2 } });
    expect(mapS3Error(aborted, ctx).message).toBe(`Cannot reach ${ctx.description} (aborted) after 2 attempts.`);
    const throttled = Object.assign(new Error('slow'), { name: 'Throttling', $metadata: { httpStatusCode: 400, attempts: 1 } });
    expect(mapS3Error(throttled, ctx).message).toBe(`${ctx.description} kept failing with Throttling (HTTP 400) after 1 attempt.`);
    const internal = Object.assign(new Error('boom'), { name: 'InternalError' });
    expect(mapS3Error(internal, ctx).message).toBe(`${ctx.description} kept failing with InternalError.`);
  });

  it('finds a network code a few causes deep, but not endlessly', () => {
    const wrapped = (depth: number) => {
      let error: Record<string, unknown> = { code: 'ECONNRESET' };
      for (let i = 0; i < depth; i++) error = { message: `layer ${i}`, cause: error };
      return Object.assign(new Error('outer'), { cause: error });
    };
    expect(mapS3Error(wrapped(3), ctx).message).toBe(`Cannot reach ${ctx.description} (ECONNRESET).`);
    expect(mapS3Error(wrapped(6), ctx).code).toBe('STORE_UNREACHABLE');
    expect(mapS3Error(wrapped(6), ctx).message).toBe(`${ctx.description} failed with Error: outer.`);
    // AggregateError members that are not objects are skipped.
    const aggregate = Object.assign(new Error('connect failed'), { errors: [null, 'text', { code: 'EHOSTUNREACH' }] });
    expect(mapS3Error(aggregate, ctx).message).toBe(`Cannot reach ${ctx.description} (EHOSTUNREACH).`);
    // A code that is not a network one is no reason.
    expect(mapS3Error(Object.assign(new Error('odd'), { code: 'EWHATEVER' }), ctx).message).toBe(`${ctx.description} failed with Error: odd.`);
  });

  it('odd shapes: a name or message that is not a string, a null cause, a self-referencing aggregate', () => {
    expect(mapS3Error(Object.assign(new Error('x'), { name: 42 }), ctx).message).toBe(`${ctx.description} failed with an unexpected error: x.`);
    expect(mapS3Error({ name: 'Weird', message: 5 }, ctx).message).toBe(`${ctx.description} failed with Weird: no message.`);
    expect(mapS3Error(Object.assign(new Error('odd'), { cause: null }), ctx).message).toBe(`${ctx.description} failed with Error: odd.`);
    const loop: Record<string, unknown> = { name: 'Loop', message: 'again' };
    loop.errors = [loop];
    loop.cause = loop;
    expect(mapS3Error(loop, ctx).message).toBe(`${ctx.description} failed with Loop: again.`);
    expect(mapS3Error(Object.assign(new Error(''), { name: '', $metadata: { httpStatusCode: 500 } }), ctx).message).toBe(`${ctx.description} kept failing with an error (HTTP 500).`);
  });

  it('credentials that cannot be loaded, by name or by message', () => {
    expect(mapS3Error(Object.assign(new Error('no provider'), { name: 'CredentialsProviderError' }), ctx).code).toBe('STORE_CONFIG');
    expect(mapS3Error(new Error('Could not load credentials from any providers'), ctx).message).toBe(
      `No AWS credentials found for ${ctx.description}; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE).`,
    );
    expect(mapS3Error(new Error('Region is missing'), ctx).message).toBe(`No AWS region is configured for ${ctx.description}; set AWS_REGION.`);
  });

  it('anything thrown, even a non-error, is one sentence with its cause and details', () => {
    const err = mapS3Error('weird', ctx);
    expect(err.message).toBe(`${ctx.description} failed with an unexpected error: weird.`);
    expect(mapS3Error(null, ctx).message).toBe(`${ctx.description} failed with an unexpected error: null.`);
    const sdk = Object.assign(new Error('  Bad   request...  '), { name: 'InvalidRequest', $metadata: { httpStatusCode: 400, attempts: 2 } });
    const mapped = mapS3Error(sdk, ctx);
    expect(mapped.message).toBe(`${ctx.description} failed with InvalidRequest (HTTP 400): Bad request.`);
    expect(mapped.cause).toBe(sdk);
    expect(mapped.details).toEqual({ code: 'InvalidRequest', status: 400, attempts: 2 });
  });
});
