// @module-tag integration
/**
 * Answers at the edges of HTTP, over a real socket to a listening app: what Node's own parser
 * refuses (framing, header size, timeouts), compressed and non-UTF-8 bodies, a `__proto__` key,
 * connections that never send a byte, and requests that arrive while the server drains. Every
 * answer is `{"message", "code"}`, its message true to the cause.
 */
import { gzipSync, brotliCompressSync, deflateSync } from 'node:zlib';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDataPoints } from '@rally/features';
import { buildApp } from '../src/index.ts';
import { productionPredictor } from './fixtures.ts';

const HEADERS_TIMEOUT_MS = 600;
let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  app = await buildApp({ predictor: await productionPredictor(), connections: { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: 1500 } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(() => app.close());

/** Writes `text` on a new connection; everything the server sends until it closes (or `waitMs`), and how long after the connection was made. */
function exchange(text: string | Buffer, waitMs = 3000): Promise<{ raw: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    let started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => (started = Date.now()));
    let raw = '';
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (chunk) => (raw += chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ raw, closedAfterMs: Date.now() - started });
    });
    if (text.length > 0) socket.write(text);
  });
}

function parsed(raw: string): { status: number; headers: string; body: { message: string; code: string } } {
  const [head, ...rest] = raw.split('\r\n\r\n');
  return { status: Number(head!.split(' ')[1]), headers: head!, body: JSON.parse(rest.join('\r\n\r\n')) };
}

describe("requests Node's parser refuses: the API's error format, a true message", () => {
  it.each([
    ['Content-Length with Transfer-Encoding', 'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'REQUEST_MALFORMED', /both Content-Length and Transfer-Encoding/],
    ['two Content-Lengths', 'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello', 400, 'REQUEST_MALFORMED', /two Content-Length headers/],
    ['a Content-Length that is not a number', 'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\nhello', 400, 'REQUEST_MALFORMED', /Content-Length that is not a number/],
    ['a bad chunk size', 'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n', 400, 'REQUEST_MALFORMED', /invalid chunk size/],
    ['a Transfer-Encoding other than chunked', 'POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nhello', 400, 'REQUEST_MALFORMED', /Transfer-Encoding other than chunked/],
    ['a 20 KiB header', `GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_480)}\r\n\r\n`, 431, 'REQUEST_HEADERS_TOO_LARGE', /headers are larger than 16384 bytes/],
    ['not HTTP at all', 'HELLO\r\n\r\n', 400, 'REQUEST_MALFORMED', /not valid HTTP\/1\.1 \(Invalid method/],
  ])('%s: the status, the code, the cause', async (_name, request, status, code, message) => {
    const answer = parsed((await exchange(request)).raw);
    expect(answer.status).toBe(status);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    expect(answer.body).toEqual({ message: expect.stringMatching(message), code });
  });

  it('headers that do not arrive in time: 408 REQUEST_TIMEOUT', async () => {
    const { raw } = await exchange('GET /ping HTTP/1.1\r\nHost: x\r\n', 5000);
    expect(parsed(raw)).toMatchObject({ status: 408, body: { code: 'REQUEST_TIMEOUT', message: expect.stringMatching(/did not arrive in time/) } });
  });
});

describe('connections that send nothing', () => {
  it('2,000 of them are closed after the headers timeout; a normal request meanwhile is answered', async () => {
    // The case: 2,000 connections that never send a byte.
    const silent: Promise<{ raw: string; closedAfterMs: number }>[] = [];
    // Opened 250 at a time (the accept queue holds 511): each is timed from its connection.
    for (let batch = 0; batch < 8; batch++) {
      silent.push(...Array.from({ length: 250 }, () => exchange('', 8000)));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ping = await fetch(`http://127.0.0.1:${port}/ping`);
    expect(await ping.text()).toBe('pong!');
    const closed = await Promise.all(silent);
    for (const { raw, closedAfterMs } of closed) {
      // Closed by our timer without a word, or by Node's own headers check with a 408 in our format.
      if (raw !== '') expect(parsed(raw).body).toMatchObject({ code: 'REQUEST_TIMEOUT' });
      expect(closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
      expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 1500);
    }
    console.log(`measured: ${closed.length} silent connections closed ${Math.min(...closed.map((c) => c.closedAfterMs))}-${Math.max(...closed.map((c) => c.closedAfterMs))} ms after they were opened (headers timeout ${HEADERS_TIMEOUT_MS} ms)`);
  });
});

describe('bodies', () => {
  const body = JSON.stringify({ data: sampleDataPoints(3, 1) });
  const post = (payload: Buffer | string, headers: Record<string, string>) => fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });

  it.each([
    ['gzip', gzipSync(body)],
    ['deflate', deflateSync(body)],
    ['br', brotliCompressSync(body)],
  ])('Content-Encoding %s is decoded: the same labels as the plain body', async (encoding, compressed) => {
    const plain = await (await post(body, {})).json();
    const response = await post(compressed, { 'content-encoding': encoding });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(plain);
  });

  it('a gzip bomb is held to the body limit (decoded bytes): 413, not a crash', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 32)); // 20 MB of spaces, 20 KB compressed
    const response = await post(bomb, { 'content-encoding': 'gzip' });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'REQUEST_BODY_TOO_LARGE' });
  });

  it.each([
    ['an encoding it does not decode', body, { 'content-encoding': 'zstd' }, 415, 'REQUEST_MEDIA_TYPE', /Content-Encoding "zstd" is not supported/],
    ['gzip that is not gzip', body, { 'content-encoding': 'gzip' }, 400, 'REQUEST_MALFORMED', /not valid gzip data/],
    ['charset=utf-16', body, { 'content-type': 'application/json; charset=utf-16' }, 415, 'REQUEST_MEDIA_TYPE', /charset "utf-16" is not supported: send JSON in UTF-8/],
    ['a __proto__ key (valid JSON, refused on purpose)', '{"data": {"__proto__": {"polluted": 1}}}', {}, 400, 'REQUEST_MALFORMED', /valid JSON but has a "__proto__" key.*prototype/],
    ['JSON that is not valid', '{"data": ', {}, 400, 'REQUEST_MALFORMED', /not valid JSON/],
  ])('%s: the status, the code, the cause', async (_name, payload, headers, status, code, message) => {
    const response = await post(payload, headers as Record<string, string>);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ message: expect.stringMatching(message), code });
  });

  it('charset=utf-8 and no charset are JSON as usual', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/json; charset="UTF-8"', 'application/json']) {
      expect((await post(body, { 'content-type': type })).status).toBe(200);
    }
  });
});

describe('while draining', () => {
  it("a request that arrives while close() waits for one in flight is a 503 SERVER_DRAINING in the API's format", async () => {
    const draining = await buildApp({ predictor: await productionPredictor() });
    await draining.listen({ port: 0, host: '127.0.0.1' });
    const drainingPort = (draining.server.address() as AddressInfo).port;
    const body = JSON.stringify({ data: sampleDataPoints(2, 1) });
    const socket = net.connect(drainingPort, '127.0.0.1');
    let raw = '';
    socket.on('data', (chunk) => (raw += chunk));
    const ended = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    // The first request in flight: its headers and half its body.
    socket.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = draining.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The rest of it, and a second request behind it on the same connection.
    socket.write(`${body.slice(20)}GET /model HTTP/1.1\r\nHost: x\r\n\r\n`);
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 3000))]);
    socket.destroy();
    await closing;
    const answers = raw.split(/(?=HTTP\/1\.1 )/);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200/);
    expect(answers).toHaveLength(2);
    const second = parsed(answers[1]!);
    expect(second.status).toBe(503);
    expect(second.headers).toMatch(/retry-after: 5/i);
    expect(second.body).toEqual({ message: 'The server is shutting down: retry, another instance will answer.', code: 'SERVER_DRAINING' });
  });
});
