/**
 * Item 3: slow clients cannot hold connections for ever. Headers, body and idle keep-alive
 * connections each have a limit (short ones here, through the documented variables).
 */
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { sampleDataPoints } from '@rally/features';
import { storeWithProduction } from '@rally/model-fixtures';
import { tempDir } from '@rally/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess, stopAllServers } from '../src/index.ts';

let server: ServerProcess;
beforeAll(async () => {
  const { store } = await storeWithProduction();
  server = await startServerProcess({
    command: 'node',
    env: {
      MODEL_STORE: store.description.replace(/^local folder /, ''),
      CACHE_DIR: tempDir('cache'),
      LOG_LEVEL: 'warn',
      HEADERS_TIMEOUT_SECONDS: '1',
      REQUEST_TIMEOUT_SECONDS: '2',
      KEEP_ALIVE_TIMEOUT_SECONDS: '1',
    },
  });
});
afterAll(stopAllServers);

/** Opens a connection that sends `chunks` one every `everyMs`; resolves with how long until the server closed it (ms), or Infinity. */
function slowSender(chunks: string[], everyMs: number, limitMs: number): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port: server.port });
    let i = 0;
    const timer = setInterval(() => {
      if (i < chunks.length && !socket.destroyed) socket.write(chunks[i++]);
    }, everyMs);
    const finish = (value: number) => {
      clearInterval(timer);
      clearTimeout(limit);
      socket.destroy();
      resolve(value);
    };
    const limit = setTimeout(() => finish(Infinity), limitMs);
    socket.on('close', () => finish(Date.now() - started));
    socket.on('error', () => {});
    socket.resume();
  });
}

describe('item 3: request, header and keep-alive limits', () => {
  it('20 slow senders (headers or body, a byte every 200 ms) are all cut off, and others are still served meanwhile', async () => {
    const body = JSON.stringify({ data: sampleDataPoints(1, 4) });
    const headers = `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const slowHeaders = Array.from({ length: 10 }, () => slowSender(headers.split(''), 200, 15_000));
    const slowBodies = Array.from({ length: 10 }, () => slowSender([headers, ...body.split('')], 200, 15_000));
    await delay(500);
    const served = await fetch(`${server.base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(served.status).toBe(200);
    const closedAfter = await Promise.all([...slowHeaders, ...slowBodies]);
    // Headers within about 1 s, whole requests within about 2 s (plus the server's check interval).
    for (const ms of closedAfter) expect(ms).toBeLessThan(6000);
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const body = JSON.stringify({ data: sampleDataPoints(1, 5) });
    const closed = slowSender([`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`], 10, 15_000);
    expect(await closed).toBeLessThan(5000);
  });
});
