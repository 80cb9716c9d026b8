// @module-tag e2e
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleDataPoints } from '@rally/features';
import { storeWithProduction } from '@rally/model-fixtures';
import { freePort, RALLY_SOURCE, SOURCE_NODE_ARGS, tempDir } from '@rally/testkit';
import { startServer } from '../src/index.ts';

describe('end to end: the real server over HTTP', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it('serves predictions on an ephemeral port from a store', async () => {
    const { root, run } = await storeWithProduction();
    const app = await startServer({ PORT: '0', MODEL_STORE: root, CACHE_DIR: tempDir('cache'), LOG_LEVEL: 'silent', POLL_INTERVAL_SECONDS: '0' });
    closers.push(() => app.close());
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const base = `http://127.0.0.1:${address.port}`;
    // It listens at once and loads the model in the background.
    for (let i = 0; i < 100 && (await fetch(`${base}/health/ready`)).status !== 200; i++) await delay(50);

    const response = await fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: sampleDataPoints(3, 1) }) });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-model-id')).toBe(run.modelId);
    expect(await response.json()).toHaveLength(3);
    expect(await (await fetch(`${base}/ping`)).text()).toBe('pong!');
    expect((await fetch(`${base}/predict`)).status).toBe(405);
  });

  it.each(['1', '2'])('`pnpm serve` with WORKERS=%s shuts down gracefully on SIGTERM (exit 0, in-flight request answered)', async (workers) => {
    const { root } = await storeWithProduction();
    const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, RALLY_SOURCE, 'serve'], {
      env: { ...process.env, WORKERS: workers, PORT: workers === '1' ? '0' : String(await freePort()), MODEL_STORE: root, CACHE_DIR: tempDir('cache'), LOG_LEVEL: 'info', POLL_INTERVAL_SECONDS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const listening = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = output.match(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`server exited early (${code}): ${output}`)));
    });
    const base = await listening;
    // The server listens before its model is loaded: wait until every worker answers ready
    // (connections are dealt round robin, so several answers in a row).
    for (let ready = 0, tries = 0; ready < 4 && tries < 400; tries++) {
      ready = (await fetch(`${base}/health/ready`)).status === 200 ? ready + 1 : 0;
      if (ready < 4) await delay(50);
    }
    // A request whose body is still arriving when SIGTERM comes must be answered, not dropped.
    const body = JSON.stringify({ data: sampleDataPoints(50, 2) });
    const request = http.request(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, 100));
    await delay(300);
    child.kill('SIGTERM');
    await delay(300);
    request.end(body.slice(100));
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    const { status, text } = await answered;
    expect(status).toBe(200);
    expect(JSON.parse(text)).toHaveLength(50);
    await expect(fetch(`${base}/ping`)).rejects.toThrow();
  });
});
