// @module-tag integration
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RallyError } from '@rally/errors';
import { createModelStore, S3ModelStore, type S3ModelStoreOptions } from '../src/index.ts';
import { mapS3Error } from '../src/s3.ts';
import { S3_BUCKET, expectRallyError, type RunningS3, S3RVER_CREDENTIALS, startS3 } from '@rally/testkit';
import { fakeModel } from './helpers.ts';

let s3: RunningS3;
const opened: S3ModelStore[] = [];
const servers: Server[] = [];

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3.close();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

function store(options: Partial<S3ModelStoreOptions> = {}): S3ModelStore {
  const s = new S3ModelStore({ bucket: S3_BUCKET, endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS, ...options });
  opened.push(s);
  return s;
}

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

type Action = 'pass' | 'internal-error' | 'reset' | 'truncate-body';

/** An HTTP proxy in front of s3rver that misbehaves on chosen requests (numbered from 1). */
async function flakyProxy(plan: (n: number, req: IncomingMessage) => Action) {
  const log: Action[] = [];
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const action = plan(log.length + 1, req);
    log.push(action);
    if (action === 'reset') {
      req.socket.destroy();
      return;
    }
    if (action === 'internal-error') {
      req.resume();
      req.on('end', () => {
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>');
      });
      return;
    }
    const upstream = httpRequest(`${s3.endpoint}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (action === 'truncate-body') {
        up.once('data', (chunk: Buffer) => {
          res.write(chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2))));
          setTimeout(() => res.socket?.destroy(), 10);
        });
        return;
      }
      up.pipe(res);
    });
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  });
  const port = await listen(server);
  return { endpoint: `http://127.0.0.1:${port}`, log };
}

describe('S3 errors against a real server', () => {
  it('a missing bucket is STORE_NO_BUCKET, one sentence naming the bucket and endpoint', async () => {
    const s = store({ bucket: 'no-such-bucket' });
    for (const call of [() => s.getProduction(), () => s.listModels(), () => s.hasModel(fakeModel('x').id)]) {
      const err = await expectRallyError(call, 'STORE_NO_BUCKET');
      expect(err.message).toBe(`Bucket "no-such-bucket" does not exist (s3://no-such-bucket at ${s3.endpoint}).`);
    }
    const m = fakeModel('x');
    await expectRallyError(s.putModel(m.id, m.files), 'STORE_NO_BUCKET');
  });

  it('unknown credentials are STORE_ACCESS_DENIED (s3rver only knows the S3RVER key)', async () => {
    const s = store({ credentials: { accessKeyId: 'AKIAWRONG', secretAccessKey: 'nope' } });
    const err = await expectRallyError(s.getProduction(), 'STORE_ACCESS_DENIED');
    expect(err.message).toContain('InvalidAccessKeyId');
    expect(err.message).toContain(s3.endpoint);
  });

  it('a closed port is STORE_UNREACHABLE within a few seconds, naming the endpoint', async () => {
    const probe = createNetServer();
    const port = await listen(probe);
    servers.splice(servers.indexOf(probe), 1);
    await new Promise((done) => probe.close(done));
    const s = createModelStore({ MODEL_STORE: 's3://models/p', S3_ENDPOINT: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' }) as S3ModelStore;
    opened.push(s);
    const started = Date.now();
    const err = await expectRallyError(s.getProduction(), 'STORE_UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err.message).toBe(`Cannot reach s3://models/p at http://127.0.0.1:${port} (ECONNREFUSED) after 3 attempts.`);
  });

  it('a server that accepts connections but never answers times out (STORE_UNREACHABLE)', async () => {
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => sockets.push(socket));
    const port = await listen(silent);
    const s = store({ endpoint: `http://127.0.0.1:${port}`, socketTimeoutMs: 200, maxAttempts: 2 });
    const started = Date.now();
    const err = await expectRallyError(s.getProduction(), 'STORE_UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(err.message).toContain(`http://127.0.0.1:${port}`);
    for (const socket of sockets) socket.destroy();
  });

  it('retries transient 5xx responses and connection resets (SDK retry strategy)', async () => {
    const m = fakeModel('retry');
    const proxy = await flakyProxy((n) => (n === 1 ? 'internal-error' : n === 2 ? 'reset' : 'pass'));
    const s = store({ endpoint: proxy.endpoint, prefix: 'retry' });
    await s.putModel(m.id, m.files);
    expect((await s.getArtifact(m.id, 'dataset.csv')).equals(m.files['dataset.csv'])).toBe(true);
    expect(proxy.log.slice(0, 3)).toEqual(['internal-error', 'reset', 'pass']);
  });

  it('retries a download whose body is cut off mid-stream', async () => {
    const m = fakeModel('truncated');
    await store({ prefix: 'trunc' }).putModel(m.id, m.files);
    let cut = false;
    const proxy = await flakyProxy((_n, req) => {
      if (!cut && req.method === 'GET' && req.url?.includes('dataset.csv')) {
        cut = true;
        return 'truncate-body';
      }
      return 'pass';
    });
    const s = store({ endpoint: proxy.endpoint, prefix: 'trunc' });
    expect((await s.getArtifact(m.id, 'dataset.csv')).equals(m.files['dataset.csv'])).toBe(true);
    expect(proxy.log).toContain('truncate-body');
  });

  it('gives up after maxAttempts on persistent 5xx with one sentence', async () => {
    const proxy = await flakyProxy(() => 'internal-error');
    const s = store({ endpoint: proxy.endpoint });
    const err = await expectRallyError(s.getProduction(), 'STORE_UNREACHABLE');
    expect(proxy.log).toHaveLength(3);
    expect(err.message).toBe(`s3://models at ${proxy.endpoint} kept failing with InternalError (HTTP 500) after 3 attempts.`);
  });
});

describe('mapS3Error (unit: SDK-shaped error objects)', () => {
  const ctx = { description: 's3://models/p at http://127.0.0.1:9000', bucket: 'models' };
  const sdkError = (name: string, status: number, message = `${name} happened`, attempts = 1) =>
    Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status, attempts } });

  it.each([
    ['AccessDenied', 403],
    ['InvalidAccessKeyId', 403],
    ['SignatureDoesNotMatch', 403],
    ['ExpiredToken', 400],
  ])('%s → STORE_ACCESS_DENIED', (name, status) => {
    const err = mapS3Error(sdkError(name, status), ctx);
    expect(err.code).toBe('STORE_ACCESS_DENIED');
    expect(err.message).toBe(`${ctx.description} refused the credentials (${name}); check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket policy.`);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('maps the other families', () => {
    expect(mapS3Error(sdkError('NoSuchBucket', 404), ctx).code).toBe('STORE_NO_BUCKET');
    expect(mapS3Error(sdkError('Forbidden', 403, 'UnknownError'), ctx).code).toBe('STORE_ACCESS_DENIED');
    expect(mapS3Error(Object.assign(new Error('getaddrinfo ENOTFOUND s3.example'), { code: 'ENOTFOUND' }), ctx).message).toBe(
      `Cannot reach ${ctx.description} (ENOTFOUND).`,
    );
    const aggregate = new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], 'connect failed');
    expect(mapS3Error(aggregate, ctx).code).toBe('STORE_UNREACHABLE');
    expect(mapS3Error(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }), ctx).message).toBe(`Cannot reach ${ctx.description} (timed out).`);
    expect(mapS3Error(sdkError('SlowDown', 503, 'Reduce your request rate.', 3), ctx).message).toBe(
      `${ctx.description} kept failing with SlowDown (HTTP 503) after 3 attempts.`,
    );
    expect(mapS3Error(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), ctx).code).toBe('STORE_CONFIG');
    expect(mapS3Error(new Error('Region is missing'), ctx).code).toBe('STORE_CONFIG');
    expect(mapS3Error(sdkError('PermanentRedirect', 301), ctx).code).toBe('STORE_CONFIG');
    const odd = mapS3Error(sdkError('InvalidArgument', 400, 'Bad thing.\nSecond line'), ctx);
    expect(odd.message).toBe(`${ctx.description} failed with InvalidArgument (HTTP 400): Bad thing. Second line.`);
    expect(mapS3Error('weird', ctx).message).not.toContain('\n');
    const rally = new RallyError('STORE_CORRUPTED', 'x.');
    expect(mapS3Error(rally, ctx)).toBe(rally);
  });
});
