// @module-tag e2e
/**
 * The server started in this process (real ports, no child process): what it says when it cannot
 * listen, that closing it stops the model polling, waiting for the model before listening, the
 * JSON answer to an unsupported Expect header, and `serve` stopping on SIGTERM.
 */
import http from 'node:http';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { RallyError } from '@rally/errors';
import { examplePoint } from '@rally/features';
import { storeWithProduction } from '@rally/model-fixtures';
import { freePort, s3Env, tempDir } from '@rally/testkit';
import { buildApp, configFromEnv, serve, startServer } from '../src/index.ts';
import { startWithConfig } from '../src/server.ts';
import { fakeS3 } from './fake-s3.ts';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
  vi.restoreAllMocks();
});

const quiet = (env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PORT: '0',
  LOG_LEVEL: 'silent',
  POLL_INTERVAL_SECONDS: '0',
  CACHE_DIR: tempDir('cache'),
  MODEL_STORE: tempDir('empty-store'),
  ...env,
});

/** How often the server checks its connections' timeouts (Node's option; its types lack the property). */
const checkingInterval = (app: FastifyInstance) => (app.server as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval;

/** The listening port of a started app. */
function portOf(app: FastifyInstance): number {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

describe('an address it cannot listen on', () => {
  it('is named in one sentence (SERVER_CONFIG) when the port is taken, and the model polling stops', async () => {
    const s3 = await fakeS3();
    closers.push(() => s3.close());
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => taken.close(resolve)));
    const port = (taken.address() as net.AddressInfo).port;
    const env = quiet({ ...s3Env(s3.endpoint), AWS_MAX_ATTEMPTS: '1', PORT: String(port), POLL_INTERVAL_SECONDS: '1' });
    const error = await startServer(env).then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(RallyError);
    expect((error as RallyError).code).toBe('SERVER_CONFIG');
    expect((error as Error).message).toBe(`Cannot listen on 127.0.0.1:${port}: it is already in use (EADDRINUSE); set PORT or HOST (--port, --host).`);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    // What started is closed: the store is not asked again.
    await delay(200);
    const asked = s3.requests;
    await delay(2300);
    expect(s3.requests).toBe(asked);
  });

  it('says an address is not this machine\'s', async () => {
    const error = await startServer(quiet({ HOST: '192.0.2.1' })).then(() => null, (caught: unknown) => caught);
    expect((error as Error).message).toBe('Cannot listen on 192.0.2.1:0: it is not an address of this machine (EADDRNOTAVAIL); set PORT or HOST (--port, --host).');
    expect((error as RallyError).code).toBe('SERVER_CONFIG');
  });

  it('passes other failures on as they are', async () => {
    const error = await startServer(quiet({ HOST: 'no-such-host.invalid' })).then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RallyError);
    expect(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES']).not.toContain((error as NodeJS.ErrnoException).code);
  });
});

describe('the model polling', () => {
  it('asks the store every POLL_INTERVAL_SECONDS until the app closes, then never again', async () => {
    const s3 = await fakeS3();
    closers.push(() => s3.close());
    const app = await startServer(quiet({ ...s3Env(s3.endpoint), AWS_MAX_ATTEMPTS: '1', POLL_INTERVAL_SECONDS: '1' }));
    await delay(200);
    const first = s3.requests;
    expect(first).toBeGreaterThan(0); // the first load, at start
    await delay(2200);
    expect(s3.requests).toBeGreaterThan(first); // and again, polling
    // Readiness gives the reason the store gave.
    const ready = await app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().message).toMatch(/^No production model is loaded yet: .+\.$/);
    await app.close();
    await delay(200);
    const atClose = s3.requests;
    await delay(2300);
    expect(s3.requests).toBe(atClose);
  });
});

describe('listening', () => {
  it('at once by default, with the model loading in the background', async () => {
    const s3 = await fakeS3({ answer: false });
    closers.push(() => s3.close());
    const started = performance.now();
    const app = await startServer(quiet({ ...s3Env(s3.endpoint), AWS_MAX_ATTEMPTS: '1' }));
    closers.push(() => app.close());
    expect(performance.now() - started).toBeLessThan(5000);
    expect(app.server.listening).toBe(true);
    expect((await fetch(`http://127.0.0.1:${portOf(app)}/health/live`)).status).toBe(200);
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(503);
  });

  it('waits for the model up to listenAfterModelMs when a store does not answer', async () => {
    const s3 = await fakeS3({ answer: false });
    closers.push(() => s3.close());
    const started = performance.now();
    const app = await startWithConfig(configFromEnv(quiet({ ...s3Env(s3.endpoint), AWS_MAX_ATTEMPTS: '1' })), { listenAfterModelMs: 600 });
    closers.push(() => app.close());
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(590);
    expect(waited).toBeLessThan(10_000);
    expect(app.server.listening).toBe(true);
  });

  it('with listenAfterModelMs, is ready the moment it listens when the model loads in time', async () => {
    const { root } = await storeWithProduction();
    const app = await startWithConfig(configFromEnv(quiet({ MODEL_STORE: root })), { listenAfterModelMs: 30_000 });
    closers.push(() => app.close());
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(200);
    expect((await fetch(`http://127.0.0.1:${portOf(app)}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: examplePoint() }) })).status).toBe(200);
  });

  it('follows the connection settings', async () => {
    const app = await startServer(quiet({ HEADERS_TIMEOUT_SECONDS: '0.5', REQUEST_TIMEOUT_SECONDS: '2', KEEP_ALIVE_TIMEOUT_SECONDS: '3' }));
    closers.push(() => app.close());
    expect([app.server.headersTimeout, app.server.requestTimeout, app.server.keepAliveTimeout, checkingInterval(app)]).toEqual([500, 2000, 3000, 500]);
  });
});

/** A raw HTTP/1.1 exchange: the status, the headers and the body of the answer. */
function request(port: number, headers: Record<string, string>, body = ''): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/predict', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } });
    outgoing.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('Expect headers', () => {
  it('answer 417 REQUEST_MALFORMED in JSON for anything but 100-continue, quoting at most 100 characters of it', async () => {
    const app = await buildApp({ predictor: (await import('./fixtures.ts')).failingPredictor });
    closers.push(() => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = portOf(app);
    const refused = await request(port, { expect: 'fast-please' }, '{}');
    expect(refused.status).toBe(417);
    expect(refused.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(refused.headers.connection).toBe('close');
    expect(JSON.parse(refused.body)).toEqual({ message: 'Expect: fast-please is not supported; only Expect: 100-continue is.', code: 'REQUEST_MALFORMED' });
    const long = `x${'y'.repeat(150)}`;
    expect(JSON.parse((await request(port, { expect: long }, '{}')).body).message).toBe(`Expect: ${long.slice(0, 100)} is not supported; only Expect: 100-continue is.`);
    // 100-continue goes through to the route (here a 400: the body has no data).
    expect((await request(port, { expect: '100-continue' }, '{}')).status).toBe(400);
  });
});

describe('serve (one process)', () => {
  /** `serve` on a free port over a store with a production model, process.exit caught; its signal handlers go after the test. */
  async function served(env: NodeJS.ProcessEnv = {}) {
    const before = [...process.listeners('SIGTERM'), ...process.listeners('SIGINT')];
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    // Only the handlers serve added go: the test runner's own stay.
    closers.push(async () => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) for (const listener of process.listeners(signal)) if (!before.includes(listener)) process.off(signal, listener);
    });
    const { root } = await storeWithProduction();
    const port = await freePort();
    await serve(configFromEnv(quiet({ MODEL_STORE: root, PORT: String(port), ...env })));
    return { port, exit };
  }

  it('listens, and on SIGTERM closes the app and exits 0', async () => {
    const { port, exit } = await served();
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    process.emit('SIGTERM', 'SIGTERM');
    for (let i = 0; i < 100 && exit.mock.calls.length === 0; i++) await delay(20);
    expect(exit).toHaveBeenCalledWith(0);
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });

  it('on SIGTERM, closes the connection of a request still open after SHUTDOWN_GRACE_SECONDS, then exits 0', async () => {
    const { port, exit } = await served({ SHUTDOWN_GRACE_SECONDS: '0.3' });
    // A request whose body never ends: in flight until its connection is closed.
    const socket = net.connect(port, '127.0.0.1');
    closers.push(async () => socket.destroy());
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"data"');
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await delay(100);
    const signalled = performance.now();
    process.emit('SIGTERM', 'SIGTERM');
    await delay(150);
    expect(exit).not.toHaveBeenCalled();
    for (let i = 0; i < 150 && exit.mock.calls.length === 0; i++) await delay(20);
    expect(exit).toHaveBeenCalledWith(0);
    await closed;
    const took = performance.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(3000);
  });
});
