/**
 * Item 7: an S3 endpoint that accepts connections and never answers (a local listener, never
 * another address). The server must listen at once and say why it is not ready; the deploy command
 * must fail in bounded time.
 */
import net from 'node:net';
import { examplePoint } from '@rally/features';
import { trainTinyRun } from '@rally/model-fixtures';
import { runRally, s3Env, tempDir } from '@rally/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, stopAllServers } from '../src/index.ts';

let blackHole: net.Server;
const sockets = new Set<net.Socket>();
let endpoint: string;
beforeAll(async () => {
  blackHole = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(blackHole.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  await stopAllServers();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => blackHole.close(resolve));
});

const storeEnv = () => s3Env(endpoint);

describe('item 7: a model store that never answers', () => {
  it('the server listens at once: /health/live 200 within 5 s, /health/ready 503 saying the store does not answer', async () => {
    const started = Date.now();
    const server = await startServerProcess({ command: 'node', env: { ...storeEnv(), CACHE_DIR: tempDir('cache'), LOG_LEVEL: 'warn' }, waitFor: 'live', timeoutMs: 15_000 });
    console.log(`measured: /health/live answered ${Date.now() - started} ms after the start, the store never answering`);
    expect(Date.now() - started).toBeLessThan(5000);
    const ready = await fetch(`${server.base}/health/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { status: string; message: string };
    expect(body.message).toMatch(/store|reach|answer|time/i);
    // A valid point waits for a model (503); the body is checked first, whatever the model's state.
    expect((await fetch(`${server.base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: examplePoint() }) })).status).toBe(503);
    expect((await fetch(`${server.base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"data":{}}' })).status).toBe(400);
  });

  it('deploy gives up within 30 s with one sentence (exit 1)', async () => {
    const { run, outputDir } = await trainTinyRun({ params: { nEstimators: 2, maxDepth: 3 } });
    const started = Date.now();
    const result = await runRally(['deploy', run.modelId, '--output', outputDir], storeEnv());
    console.log(`measured: deploy against a store that never answers failed after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^Cannot reach s3:\/\/models\/rally at http:\/\/127\.0\.0\.1:\d+ \(.+\).*\.$/);
  });
});
