/**
 * Items 2 and 6: shutting down through the documented command, and a cluster that keeps its
 * workers. The server is started as `pnpm serve` (pnpm, then the server process), in its own
 * process group, and signalled as a container runtime or an operator does.
 */
import http from 'node:http';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { sampleDataPoints } from '@rally/features';
import { storeWithProduction } from '@rally/model-fixtures';
import { childrenOf, freePort, groupMembers, portInUse, tempDir, waitUntil } from '@rally/testkit';
import { isProcessAlive } from '@rally/model';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runLoad, type ServerProcess, startServerProcess, stopAllServers } from '../src/index.ts';

let storeDir: string;
beforeAll(async () => {
  storeDir = (await storeWithProduction()).root;
});
afterEach(stopAllServers);

const env = () => ({ MODEL_STORE: storeDir, CACHE_DIR: tempDir('cache'), LOG_LEVEL: 'info' });

/** Starts a POST whose body is only partly sent; `finish()` sends the rest; resolves with the status. */
function partialRequest(base: string, points: number) {
  const body = JSON.stringify({ data: sampleDataPoints(points, 2) });
  const request = http.request(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
  const answered = new Promise<number>((resolve, reject) => {
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
  });
  request.write(body.slice(0, 100));
  return { answered, finish: () => request.end(body.slice(100)) };
}

async function expectCleanExit(server: ServerProcess, withinMs: number): Promise<void> {
  const started = Date.now();
  const outcome = await Promise.race([server.exited, delay(withinMs).then(() => 'timeout' as const)]);
  expect(outcome, server.output()).toEqual({ code: 0, signal: null });
  // Nothing of the process group is left (no orphaned server), and the port is free.
  expect(await waitUntil(() => groupMembers(server.pid).length === 0, Math.max(100, withinMs - (Date.now() - started)))).toBe(true);
  expect(await portInUse(server.port)).toBe(false);
}

describe('item 2: SIGTERM through `pnpm serve`', () => {
  it('to pnpm alone, under load: the request in flight is answered, exit 0, port free and no process left within 10 s', async () => {
    const server = await startServerProcess({ command: 'pnpm serve', env: env() });
    const load = runLoad({ url: `${server.base}/predict`, body: JSON.stringify({ data: sampleDataPoints(1, 1) }), connections: 10, durationMs: 4000 });
    await delay(1000);
    const inFlight = partialRequest(server.base, 50);
    await delay(200);
    server.signal('SIGTERM');
    await delay(300);
    inFlight.finish();
    expect(await inFlight.answered).toBe(200);
    await expectCleanExit(server, 10_000);
    const result = await load;
    expect(result.ok).toBeGreaterThan(100);
  });

  it('to the whole process group (what a terminal or some runtimes do): exit 0', async () => {
    const server = await startServerProcess({ command: 'pnpm serve', env: env() });
    server.signal('SIGTERM', 'group');
    await expectCleanExit(server, 10_000);
  });

  it('a client sending its body slowly does not hold the shutdown: exit 0 within 10 s', async () => {
    const server = await startServerProcess({ command: 'pnpm serve', env: env() });
    const socket = net.connect({ host: '127.0.0.1', port: server.port });
    socket.on('error', () => {});
    socket.write('POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"data":');
    const drip = setInterval(() => socket.writable && socket.write(' '), 500);
    await delay(500);
    server.signal('SIGTERM');
    try {
      await expectCleanExit(server, 10_000);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
  });
});

describe('item 6: WORKERS=2', () => {
  it('a killed worker is replaced and the port keeps serving', async () => {
    const server = await startServerProcess({ command: 'node', port: await freePort(), env: { ...env(), WORKERS: '2' } });
    // Ready means one worker has a model; the other may still be loading (slowly, on a busy machine,
    // and then it listens after 5 s without one, answering 503). Kill only once both have loaded.
    const loaded = () => server.output().split('Loaded production model').length - 1;
    expect(await waitUntil(() => childrenOf(server.pid).length === 2 && loaded() >= 2, 30_000), server.output()).toBe(true);
    const [victim] = childrenOf(server.pid);
    process.kill(victim, 'SIGKILL');
    expect(await waitUntil(() => !isProcessAlive(victim) && childrenOf(server.pid).length === 2, 20_000), server.output()).toBe(true);
    const result = await runLoad({ url: `${server.base}/predict`, body: JSON.stringify({ data: sampleDataPoints(1, 1) }), connections: 4, durationMs: 1000 });
    expect(result.failed, `${JSON.stringify(result).slice(0, 500)}\n${server.output()}`).toBe(0);
    expect(server.output()).toMatch(new RegExp(`worker ${victim} .*(died|exited|killed)`, 'i'));
  });

  it('when workers keep dying, the primary gives up: exit code 1 and a log line saying why', async () => {
    const server = await startServerProcess({ command: 'node', port: await freePort(), env: { ...env(), WORKERS: '2' } });
    const deadline = Date.now() + 40_000;
    while (server.child.exitCode === null && Date.now() < deadline) {
      for (const pid of childrenOf(server.pid)) process.kill(pid, 'SIGKILL');
      await delay(300);
    }
    const outcome = await Promise.race([server.exited, delay(5000).then(() => 'timeout' as const)]);
    expect(outcome, server.output()).toEqual({ code: 1, signal: null });
    expect(server.output()).toMatch(/giving up/);
  });
});
